// Geo, HyperLogLog and bitmap command definitions without a server: exact argv and
// key positions, DataError cases (always asynchronous), and reply transforms fed
// RESP2- and RESP3-shaped replies.

import { test } from "node:test";
import assert from "node:assert/strict";
import { DataError } from "../errors.ts";
import type { RedisArgument, RespValue } from "../protocol/types.ts";
import { BitField, type Command } from "./mod.ts";
import { expectArgv, expectDataErrors, expectSameReplies, Recorder } from "../../tests/support/recorder.ts";

type Call = (r: Recorder) => Promise<unknown>;

const bytes = new Uint8Array([0xff, 0x00]);

/** [call, argv, key positions] */
const ARGV: [Call, RedisArgument[], number[]][] = [
  // geo
  [(r) => r.geoadd("g", [[13.5, 38.1, "P"]]), ["GEOADD", "g", 13.5, 38.1, "P"], [1]],
  [
    (r) => r.geoadd("g", [[1, 2, "a"], { longitude: 3, latitude: 4, member: bytes }], { nx: true, ch: true }),
    ["GEOADD", "g", "NX", "CH", 1, 2, "a", 3, 4, bytes],
    [1],
  ],
  [(r) => r.geoadd("g", [[1, 2, "a"]], { xx: true }), ["GEOADD", "g", "XX", 1, 2, "a"], [1]],
  [(r) => r.geodist("g", "a", "b"), ["GEODIST", "g", "a", "b"], [1]],
  [(r) => r.geodist("g", "a", "b", "KM" as never), ["GEODIST", "g", "a", "b", "km"], [1]],
  [(r) => r.geohash("g", "a", "b"), ["GEOHASH", "g", "a", "b"], [1]],
  [(r) => r.geopos("g", "a"), ["GEOPOS", "g", "a"], [1]],
  [(r) => r.georadius("g", 15, 37, 200), ["GEORADIUS", "g", 15, 37, 200, "m"], [1]],
  [
    (r) =>
      r.georadius("g", 15, 37, 200, {
        unit: "km",
        withdist: true,
        withcoord: true,
        withhash: true,
        count: 2,
        any: true,
        sort: "DESC",
      }),
    ["GEORADIUS", "g", 15, 37, 200, "km", "WITHDIST", "WITHCOORD", "WITHHASH", "COUNT", 2, "ANY", "DESC"],
    [1],
  ],
  [
    (r) => r.georadius("g", 15, 37, 200, { store: "dst" }),
    ["GEORADIUS", "g", 15, 37, 200, "m", "STORE", "dst"],
    [1, 7],
  ],
  [
    (r) => r.georadius("g", 15, 37, 200, { storeDist: "dst", sort: "asc" as never }),
    ["GEORADIUS", "g", 15, 37, 200, "m", "ASC", "STOREDIST", "dst"],
    [1, 8],
  ],
  [(r) => r.georadiusRo("g", 15, 37, 1, { unit: "mi" }), ["GEORADIUS_RO", "g", 15, 37, 1, "mi"], [1]],
  [(r) => r.georadiusbymember("g", "P", 5, { unit: "ft" }), ["GEORADIUSBYMEMBER", "g", "P", 5, "ft"], [1]],
  [
    (r) => r.georadiusbymember("g", "P", 5, { storeDist: "d" }),
    ["GEORADIUSBYMEMBER", "g", "P", 5, "m", "STOREDIST", "d"],
    [1, 6],
  ],
  [
    (r) => r.georadiusbymemberRo("g", "P", 5, { withdist: true, count: 1 }),
    ["GEORADIUSBYMEMBER_RO", "g", "P", 5, "m", "WITHDIST", "COUNT", 1],
    [1],
  ],
  [
    (r) => r.geosearch("g", { member: "P", radius: 10 }),
    ["GEOSEARCH", "g", "FROMMEMBER", "P", "BYRADIUS", 10, "m"],
    [1],
  ],
  [
    (r) =>
      r.geosearch("g", {
        longitude: 15,
        latitude: 37,
        width: 400,
        height: 300,
        unit: "km",
        sort: "ASC",
        count: 3,
        any: true,
        withcoord: true,
        withdist: true,
        withhash: true,
      }),
    [
      "GEOSEARCH",
      "g",
      "FROMLONLAT",
      15,
      37,
      "BYBOX",
      400,
      300,
      "km",
      "ASC",
      "COUNT",
      3,
      "ANY",
      "WITHCOORD",
      "WITHDIST",
      "WITHHASH",
    ],
    [1],
  ],
  [
    (r) => r.geosearchstore("d", "g", { member: "P", radius: 10, unit: "km", storedist: true }),
    ["GEOSEARCHSTORE", "d", "g", "FROMMEMBER", "P", "BYRADIUS", 10, "km", "STOREDIST"],
    [1, 2],
  ],
  [
    (r) => r.geosearchstore("d", "g", { longitude: 1, latitude: 2, radius: 3, count: 4, sort: "DESC" }),
    ["GEOSEARCHSTORE", "d", "g", "FROMLONLAT", 1, 2, "BYRADIUS", 3, "m", "DESC", "COUNT", 4],
    [1, 2],
  ],
  // hyperloglog
  [(r) => r.pfadd("h", "a", "b"), ["PFADD", "h", "a", "b"], [1]],
  [(r) => r.pfadd("h"), ["PFADD", "h"], [1]],
  [(r) => r.pfcount("h1", "h2"), ["PFCOUNT", "h1", "h2"], [1, 2]],
  [(r) => r.pfmerge("d", "h1", "h2"), ["PFMERGE", "d", "h1", "h2"], [1, 2, 3]],
  [(r) => r.pfmerge("d"), ["PFMERGE", "d"], [1]],
  // bitmap
  [(r) => r.setbit("b", 7, 1), ["SETBIT", "b", 7, 1], [1]],
  [(r) => r.setbit("b", 7, false), ["SETBIT", "b", 7, 0], [1]],
  [(r) => r.getbit("b", 7), ["GETBIT", "b", 7], [1]],
  [(r) => r.bitcount("b"), ["BITCOUNT", "b"], [1]],
  [(r) => r.bitcount("b", { start: 0, end: -1 }), ["BITCOUNT", "b", 0, -1], [1]],
  [(r) => r.bitcount("b", { start: 1, end: 9, mode: "bit" as never }), ["BITCOUNT", "b", 1, 9, "BIT"], [1]],
  [(r) => r.bitpos("b", 1), ["BITPOS", "b", 1], [1]],
  [(r) => r.bitpos("b", 0, { start: 2 }), ["BITPOS", "b", 0, 2], [1]],
  [(r) => r.bitpos("b", 0, { start: 2, end: 5, mode: "BYTE" }), ["BITPOS", "b", 0, 2, 5, "BYTE"], [1]],
  [(r) => r.bitop("AND", "d", "a", "b"), ["BITOP", "AND", "d", "a", "b"], [2, 3, 4]],
  [(r) => r.bitop("not" as never, "d", "a"), ["BITOP", "NOT", "d", "a"], [2, 3]],
  [(r) => r.bitfieldRo("b", [["u8", 0], ["i4", "#1"]]), [
    "BITFIELD_RO",
    "b",
    "GET",
    "u8",
    0,
    "GET",
    "i4",
    "#1",
  ], [1]],
  [(r) => r.bitfield("b").execute(), ["BITFIELD", "b"], [1]],
  [
    (r) => r.bitfield("b").set("u8", 0, 255).get("i16", "#1").incrby("u2", 100, 1).execute(),
    ["BITFIELD", "b", "SET", "u8", 0, 255, "GET", "i16", "#1", "INCRBY", "u2", 100, 1],
    [1],
  ],
  [
    // WRAP is the server's default: sent only once the policy has changed.
    (r) =>
      r.bitfield("b").overflow("WRAP").incrby("u8", 0, 1, "SAT").incrby("u8", 0, 1, "SAT").overflow("FAIL")
        .set("i64", 0, -1).overflow("WRAP").get("u63", 0).execute(),
    [
      "BITFIELD",
      "b",
      "OVERFLOW",
      "SAT",
      "INCRBY",
      "u8",
      0,
      1,
      "INCRBY",
      "u8",
      0,
      1,
      "OVERFLOW",
      "FAIL",
      "SET",
      "i64",
      0,
      -1,
      "OVERFLOW",
      "WRAP",
      "GET",
      "u63",
      0,
    ],
    [1],
  ],
  [
    (r) => r.bitfield("b", "FAIL").incrby("u8", 0, 1).execute(),
    ["BITFIELD", "b", "OVERFLOW", "FAIL", "INCRBY", "u8", 0, 1],
    [1],
  ],
];

test("geo/hll/bitmap: argv and key positions of every command form", async () => {
  await expectArgv(ARGV);
});

/** [call, expected message fragment] — each must reject with a DataError and send nothing. */
const DATA_ERRORS: [Call, RegExp][] = [
  [(r) => r.geoadd("g", []), /at least one of values/],
  [(r) => r.geoadd("g", [[1, 2]] as never), /triple/],
  [(r) => r.geoadd("g", [[NaN, 2, "a"]]), /longitude must be a finite number/],
  [(r) => r.geoadd("g", [{ longitude: 1, latitude: 2 }] as never), /needs a member/],
  [(r) => r.geoadd("g", [[1, 2, "a"]], { nx: true, xx: true }), /nx and xx are mutually exclusive/],
  [(r) => r.geodist("g", "a", "b", "yd" as never), /unit must be one of m, km, mi, ft/],
  [(r) => r.georadius("g", 1, 2, 3, { unit: "yd" as never }), /unit must be one of/],
  [(r) => r.georadius("g", 1, 2, NaN), /radius must be a finite number/],
  [(r) => r.georadius("g", 1, 2, 3, { any: true }), /any needs count/],
  [(r) => r.georadius("g", 1, 2, 3, { count: 0 }), /count must be at least 1/],
  [(r) => r.georadius("g", 1, 2, 3, { sort: "UP" as never }), /sort must be one of ASC, DESC/],
  [(r) => r.georadius("g", 1, 2, 3, { store: "a", storeDist: "b" }), /mutually exclusive/],
  [(r) => r.georadius("g", 1, 2, 3, { store: "a", withdist: true } as never), /exclude withdist/],
  [(r) => r.georadiusRo("g", 1, 2, 3, { store: "a" } as never), /read-only/],
  [(r) => r.georadiusbymemberRo("g", "m", 3, { storeDist: "a" } as never), /read-only/],
  [(r) => r.georadiusbymember("g", undefined as never, 3), /needs a member/],
  [(r) => r.geosearch("g", { radius: 1 }), /exactly one of member or longitude \+ latitude/],
  [(r) => r.geosearch("g", { member: "m", longitude: 1, latitude: 2, radius: 1 }), /exactly one of member/],
  [(r) => r.geosearch("g", { longitude: 1, radius: 1 }), /longitude and latitude go together/],
  [(r) => r.geosearch("g", { member: "m" }), /exactly one of radius or width \+ height/],
  [(r) => r.geosearch("g", { member: "m", radius: 1, width: 2, height: 2 }), /exactly one of radius/],
  [(r) => r.geosearch("g", { member: "m", width: 2 }), /width and height go together/],
  [(r) => r.geosearch("g", { member: "m", radius: 1, any: true }), /any needs count/],
  [(r) => r.geosearch("g", { member: "m", radius: 1, unit: "x" as never }), /unit must be one of/],
  [(r) => r.geosearch("g", { member: "m", radius: 1, storedist: true } as never), /no storedist/],
  [(r) => r.geosearch("g", undefined as never), /exactly one of member/],
  [
    (r) => r.geosearchstore("d", "g", { member: "m", radius: 1, withdist: true } as never),
    /takes no withdist/,
  ],
  [(r) => r.pfcount(), /non-empty array of keys/],
  [(r) => r.setbit("b", -1, 1), /offset must be at least 0/],
  [(r) => r.setbit("b", 1, 2 as never), /value must be 0, 1 or a boolean/],
  [(r) => r.getbit("b", 1.5), /offset must be an integer/],
  [(r) => r.bitcount("b", { start: 1 }), /start and end go together/],
  [(r) => r.bitcount("b", { end: 1 }), /end needs start/],
  [(r) => r.bitcount("b", { mode: "BIT" }), /mode needs start and end/],
  [(r) => r.bitcount("b", { start: 0, end: 1, mode: "WORD" as never }), /mode must be one of BYTE, BIT/],
  [(r) => r.bitpos("b", 2 as never), /bit must be 0 or 1/],
  [(r) => r.bitpos("b", 1, { end: 3 }), /end needs start/],
  [(r) => r.bitpos("b", 1, { start: 0, mode: "BIT" }), /mode needs start and end/],
  [(r) => r.bitop("NAND" as never, "d", "a"), /operation must be one of AND, OR, XOR, NOT/],
  [(r) => r.bitop("NOT", "d", "a", "b"), /NOT takes exactly one key/],
  [(r) => r.bitop("AND", "d"), /non-empty array of keys/],
  [(r) => r.bitfieldRo("b", [["u64", 0]]), /format must be i1-i64 or u1-u63/],
  [(r) => r.bitfieldRo("b", [["u8", "#x"]] as never), /offset must be an integer or "#N"/],
  [(r) => r.bitfieldRo("b", [["u8"]] as never), /\[fmt, offset\] pairs/],
  [(r) => r.bitfieldRo("b", null as never), /must be an array/],
  [(r) => r.bitfield("b").get("x8" as never, 0).execute(), /format must be/],
  [(r) => r.bitfield("b").get("i65" as never, 0).execute(), /format must be/],
  [(r) => r.bitfield("b").get("i0" as never, 0).execute(), /format must be/],
  [(r) => r.bitfield("b").set("u8", -1, 1).execute(), /offset must be at least 0/],
  [(r) => r.bitfield("b").set("u8", 0, 1.5).execute(), /value must be an integer/],
  [(r) => r.bitfield("b").incrby("u8", 0, NaN).execute(), /increment must be an integer/],
  [(r) => r.bitfield("b").overflow("BOOM" as never).execute(), /overflow must be one of WRAP, SAT, FAIL/],
  [(r) => r.bitfield("b", "BOOM" as never).execute(), /overflow must be one of/],
  [(r) => r.bitfield(undefined as never).get("u8", 0).execute(), /Invalid key/],
];

test("geo/hll/bitmap: bad arguments reject with a DataError, asynchronously, and nothing is sent", async () => {
  await expectDataErrors(DATA_ERRORS);
});

test("BitField: chaining never throws on garbage, and execute() resets the queue", async () => {
  const r = new Recorder();
  r.transform = false;
  const bf = r.bitfield("b");
  assert.ok(bf instanceof BitField);
  const garbage = [undefined, null, {}, NaN, "x", []] as never[];
  for (const g of garbage) {
    assert.doesNotThrow(() => bf.get(g, g).set(g, g, g).incrby(g, g, g, g).overflow(g));
  }
  await assert.rejects(bf.execute(), DataError);
  assert.deepEqual(bf.args, ["BITFIELD", "b"]);
  await bf.get("u8", 0).execute();
  assert.deepEqual(r.last.args, ["BITFIELD", "b", "GET", "u8", 0]);
  assert.deepEqual(bf.args, ["BITFIELD", "b"]);
  // A builder works with any executor: here a bare object with `execute`.
  const seen: unknown[] = [];
  const custom = new BitField({
    execute<T>(cmd: Command<T>): Promise<T> {
      seen.push(cmd.args);
      return Promise.resolve(cmd.transform!([1, null]));
    },
  }, "k");
  assert.deepEqual(await custom.get("u8", 0).incrby("u8", 0, 1, "FAIL").execute(), [1, null]);
  assert.deepEqual(seen, [["BITFIELD", "k", "GET", "u8", 0, "OVERFLOW", "FAIL", "INCRBY", "u8", 0, 1]]);
});

/** [call, RESP2 raw reply, RESP3 raw reply, expected value] */
const REPLIES: [Call, RespValue, RespValue, unknown][] = [
  [(r) => r.geoadd("g", [[1, 2, "a"]]), 1, 1, 1],
  [(r) => r.geodist("g", "a", "b"), "166274.1516", 166274.1516, 166274.1516],
  [(r) => r.geodist("g", "a", "b"), null, null, null],
  [(r) => r.geohash("g", "a", "x"), ["sqc8b49rny0", null], ["sqc8b49rny0", null], ["sqc8b49rny0", null]],
  [
    (r) => r.geopos("g", "a", "x"),
    [["13.36138933897018433", "38.11555639549629859"], null],
    [[13.36138933897018433, 38.11555639549629859], null],
    [[13.36138933897018433, 38.11555639549629859], null],
  ],
  [(r) => r.georadius("g", 15, 37, 200), ["a", "b"], ["a", "b"], ["a", "b"]],
  [(r) => r.georadius("g", 15, 37, 200, { store: "d" }), 2, 2, 2],
  [(r) => r.georadiusbymember("g", "a", 200, { storeDist: "d" }), 2, 2, 2],
  [
    (r) => r.georadius("g", 15, 37, 200, { withdist: true, withhash: true, withcoord: true }),
    [["a", "190.4424", 3479099956230698, ["13.36138933897018433", "38.11555639549629859"]]],
    [["a", "190.4424", 3479099956230698, [13.36138933897018433, 38.11555639549629859]]],
    [{
      member: "a",
      dist: 190.4424,
      hash: 3479099956230698,
      coord: [13.36138933897018433, 38.11555639549629859],
    }],
  ],
  [
    (r) => r.georadiusRo("g", 15, 37, 200, { withcoord: true }),
    [["a", ["1.5", "2.5"]]],
    [["a", [1.5, 2.5]]],
    [{ member: "a", coord: [1.5, 2.5] }],
  ],
  [
    (r) => r.georadiusbymemberRo("g", "a", 200, { withhash: true }),
    [["a", 3479099956230698]],
    [["a", 3479099956230698]],
    [{ member: "a", hash: 3479099956230698 }],
  ],
  [
    (r) => r.geosearch("g", { member: "a", radius: 1, withdist: true, withcoord: true }),
    [["a", "0.0000", ["1", "2"]], ["b", "0.5", ["3", "4"]]],
    [["a", "0.0000", [1, 2]], ["b", "0.5", [3, 4]]],
    [{ member: "a", dist: 0, coord: [1, 2] }, { member: "b", dist: 0.5, coord: [3, 4] }],
  ],
  [(r) => r.geosearch("g", { member: "a", radius: 1 }), ["a"], ["a"], ["a"]],
  [(r) => r.geosearchstore("d", "g", { member: "a", radius: 1 }), 3, 3, 3],
  [(r) => r.pfadd("h", "a"), 1, 1, true],
  [(r) => r.pfadd("h", "a"), 0, 0, false],
  [(r) => r.pfcount("h"), 3, 3, 3],
  [(r) => r.pfmerge("d", "h"), "OK", "OK", true],
  [(r) => r.setbit("b", 1, 1), 0, 0, 0],
  [(r) => r.getbit("b", 1), 1, 1, 1],
  [(r) => r.bitcount("b"), 26, 26, 26],
  [(r) => r.bitpos("b", 1), -1, -1, -1],
  [(r) => r.bitop("OR", "d", "a"), 6, 6, 6],
  [(r) => r.bitfield("b").get("u8", 0).incrby("u8", 0, 1, "FAIL").execute(), [65, null], [65, null], [
    65,
    null,
  ]],
  [(r) => r.bitfieldRo("b", [["u8", 0]]), [65], [65], [65]],
];

test("geo/hll/bitmap: reply transforms give the same value for RESP2 and RESP3 replies", async () => {
  await expectSameReplies(REPLIES);
});

test("geo: search entries keep member bytes with decodeResponses: false", async () => {
  const r = new Recorder();
  r.reply = [[bytes, "1.5"]];
  assert.deepEqual(await r.geosearch("g", { member: "a", radius: 1, withdist: true }), [{
    member: bytes,
    dist: 1.5,
  }]);
});
