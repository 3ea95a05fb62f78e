// Hash field expiration commands without a server: exact argv and key positions, DataError cases
// (always asynchronous), and reply transforms fed RESP2- and RESP3-shaped replies.

import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidResponse } from "../errors.ts";
import type { RedisArgument, RespValue } from "../protocol/types.ts";
import { expectArgv, expectDataErrors, Recorder } from "../../tests/support/recorder.ts";

type Call = (r: Recorder) => Promise<unknown>;

const bytes = new Uint8Array([0xff, 0x00]);
const at = new Date(1_700_000_000_500);

/** [call, argv, key positions] */
const ARGV: [Call, RedisArgument[], number[]][] = [
  [(r) => r.hexpire("h", 10, ["a"]), ["HEXPIRE", "h", 10, "FIELDS", 1, "a"], [1]],
  [(r) => r.hexpire("h", 10, ["a", "b"], { nx: true }), ["HEXPIRE", "h", 10, "NX", "FIELDS", 2, "a", "b"], [
    1,
  ]],
  [(r) => r.hexpire("h", 0, ["a"], { xx: true }), ["HEXPIRE", "h", 0, "XX", "FIELDS", 1, "a"], [1]],
  [(r) => r.hexpire("h", 10, ["a"], { gt: true, lt: false }), ["HEXPIRE", "h", 10, "GT", "FIELDS", 1, "a"], [
    1,
  ]],
  [(r) => r.hexpire("h", 10n as never, ["a"], { lt: true }), ["HEXPIRE", "h", 10n, "LT", "FIELDS", 1, "a"], [
    1,
  ]],
  [(r) => r.hexpire(bytes, 10, [bytes, 7]), ["HEXPIRE", bytes, 10, "FIELDS", 2, bytes, 7], [1]],
  [(r) => r.hexpire("h", 5, ["a"], {}), ["HEXPIRE", "h", 5, "FIELDS", 1, "a"], [1]],
  [(r) => r.hpexpire("h", 1500, ["a"]), ["HPEXPIRE", "h", 1500, "FIELDS", 1, "a"], [1]],
  [(r) => r.hpexpire("h", 1500, ["a", "b"], { xx: true }), [
    "HPEXPIRE",
    "h",
    1500,
    "XX",
    "FIELDS",
    2,
    "a",
    "b",
  ], [
    1,
  ]],
  [(r) => r.hexpireat("h", at, ["a"]), ["HEXPIREAT", "h", 1_700_000_000, "FIELDS", 1, "a"], [1]],
  [
    (r) => r.hexpireat("h", 1_700_000_000, ["a", "b"], { lt: true }),
    ["HEXPIREAT", "h", 1_700_000_000, "LT", "FIELDS", 2, "a", "b"],
    [1],
  ],
  [(r) => r.hpexpireat("h", at, ["a"]), ["HPEXPIREAT", "h", 1_700_000_000_500, "FIELDS", 1, "a"], [1]],
  [
    (r) => r.hpexpireat("h", 1_700_000_000_500, ["a"], { gt: true }),
    ["HPEXPIREAT", "h", 1_700_000_000_500, "GT", "FIELDS", 1, "a"],
    [1],
  ],
  [(r) => r.hpersist("h", ["a", "b"]), ["HPERSIST", "h", "FIELDS", 2, "a", "b"], [1]],
  [(r) => r.hexpiretime("h", ["a"]), ["HEXPIRETIME", "h", "FIELDS", 1, "a"], [1]],
  [(r) => r.hpexpiretime("h", [bytes]), ["HPEXPIRETIME", "h", "FIELDS", 1, bytes], [1]],
  [(r) => r.httl("h", ["a", "b", "c"]), ["HTTL", "h", "FIELDS", 3, "a", "b", "c"], [1]],
  [(r) => r.hpttl(bytes, ["a"]), ["HPTTL", bytes, "FIELDS", 1, "a"], [1]],
];

test("hash expiry: argv and key positions of every command form", async () => {
  await expectArgv(ARGV);
});

test("hash expiry: no command blocks the connection", async () => {
  for (const [call] of ARGV) {
    const r = new Recorder();
    r.reply = [];
    await call(r);
    assert.equal(r.last.blocking, false, r.last.args.join(" "));
  }
});

test("hash expiry: a Date is rounded down to the second, kept to the millisecond", async () => {
  const r = new Recorder();
  r.reply = [];
  await r.hexpireat("h", new Date(1_700_000_000_999), ["a"]);
  assert.equal(r.last.args[2], 1_700_000_000);
  await r.hpexpireat("h", new Date(1_700_000_000_999), ["a"]);
  assert.equal(r.last.args[2], 1_700_000_000_999);
});

/** [call, expected message] — each must reject with a DataError and send nothing. */
const DATA_ERRORS: [Call, RegExp][] = [
  [(r) => r.hexpire("h", 1, ["a"], { nx: true, xx: true }), /^HEXPIRE: nx and xx are mutually exclusive$/],
  [(r) => r.hexpire("h", 1, ["a"], { nx: true, gt: true }), /nx and gt are mutually exclusive/],
  [(r) => r.hexpire("h", 1, ["a"], { nx: true, lt: true }), /nx and lt are mutually exclusive/],
  // Unlike the key EXPIRE, XX and GT/LT cannot be combined: the condition is one token.
  [(r) => r.hpexpire("h", 1, ["a"], { xx: true, gt: true }), /^HPEXPIRE: xx and gt are mutually exclusive$/],
  [(r) => r.hpexpire("h", 1, ["a"], { xx: true, lt: true }), /xx and lt are mutually exclusive/],
  [
    (r) => r.hexpireat("h", 1, ["a"], { gt: true, lt: true }),
    /^HEXPIREAT: gt and lt are mutually exclusive$/,
  ],
  [(r) => r.hpexpireat("h", 1, ["a"], { nx: true, xx: true, gt: true }), /HPEXPIREAT: nx and xx/],
  [(r) => r.hexpire("h", 1.5, ["a"]), /^HEXPIRE: seconds must be an integer, got 1\.5$/],
  [(r) => r.hexpire("h", NaN, ["a"]), /seconds must be an integer, got NaN/],
  [(r) => r.hexpire("h", "10" as never, ["a"]), /seconds must be an integer, got a string/],
  [(r) => r.hpexpire("h", Infinity, ["a"]), /^HPEXPIRE: milliseconds must be an integer, got Infinity$/],
  [(r) => r.hexpireat("h", 1.5, ["a"]), /^HEXPIREAT: when must be an integer, got 1\.5$/],
  [(r) => r.hexpireat("h", new Date(NaN), ["a"]), /^HEXPIREAT: when is an invalid Date$/],
  [(r) => r.hpexpireat("h", "soon" as never, ["a"]), /^HPEXPIREAT: when must be an integer/],
  [(r) => r.hexpire("h", 1, []), /^HEXPIRE needs at least one of fields$/],
  [(r) => r.hexpire("h", 1, "a" as never), /^HEXPIRE: fields must be an array, got a string$/],
  [(r) => r.hexpire("h", 1, undefined as never), /fields must be an array, got undefined/],
  [(r) => r.hexpire("h", 1, ["a"], 5 as never), /^HEXPIRE: options must be an object, got a number$/],
  [(r) => r.hexpire("h", 1, ["a"], ["nx"] as never), /options must be an object, got an array/],
  [(r) => r.hexpire(undefined as never, 1, ["a"]), /Invalid key for HEXPIRE/],
  [(r) => r.hpersist("h", []), /^HPERSIST needs at least one of fields$/],
  [(r) => r.hpersist("h", null as never), /^HPERSIST: fields must be an array, got null$/],
  [(r) => r.hexpiretime("h", []), /^HEXPIRETIME needs at least one of fields$/],
  [(r) => r.hpexpiretime("h", {} as never), /HPEXPIRETIME: fields must be an array/],
  [(r) => r.httl("h", []), /^HTTL needs at least one of fields$/],
  [(r) => r.httl(5 as never, ["a"]), /Invalid key for HTTL/],
  [(r) => r.hpttl("h", "a" as never), /^HPTTL: fields must be an array, got a string$/],
];

test("hash expiry: bad arguments reject asynchronously with a DataError, unsent", async () => {
  await expectDataErrors(DATA_ERRORS);
});

/**
 * [call, RESP2 raw reply, RESP3 raw reply, expected value]: integer arrays per the command table's
 * reply schemas (setters: -2 no field, 0 condition not met, 1 set, 2 deleted; HPERSIST: -2, -1, 1;
 * readers: -2 no field, -1 no expiry, else a time). Both protocols send integers here; bigints
 * (RESP3 big numbers, or a decoder's choice for large values) become numbers too.
 */
const REPLIES: [Call, RespValue, RespValue, unknown][] = [
  [(r) => r.hexpire("h", 10, ["a", "b", "c", "d"]), [1, 0, -2, 2], [1, 0, -2, 2], [1, 0, -2, 2]],
  [(r) => r.hpexpire("h", 10, ["a"], { nx: true }), [0], [0], [0]],
  [(r) => r.hexpireat("h", 1, ["a", "b"]), [2, -2], [2, -2], [2, -2]],
  [(r) => r.hpexpireat("h", 1, ["a"]), [1], [1n], [1]],
  [(r) => r.hpersist("h", ["a", "b", "c"]), [1, -1, -2], [1, -1, -2], [1, -1, -2]],
  [(r) => r.hexpiretime("h", ["a", "b"]), [1_900_000_000, -1], [1_900_000_000, -1], [1_900_000_000, -1]],
  [
    (r) => r.hpexpiretime("h", ["a", "b"]),
    [1_900_000_000_123, -2],
    [1_900_000_000_123n, -2],
    [1_900_000_000_123, -2],
  ],
  [(r) => r.httl("h", ["a", "b", "c"]), [60, -1, -2], [60, -1, -2], [60, -1, -2]],
  [(r) => r.hpttl("h", ["a"]), [59_998], [59_998], [59_998]],
  // A missing key: -2 for every field since Redis 7.4.0 (release candidates sent an empty array).
  [(r) => r.httl("missing", ["a", "b"]), [-2, -2], [-2, -2], [-2, -2]],
  [(r) => r.httl("missing", ["a", "b"]), [], [], []],
];

test("hash expiry: reply transforms give the same number[] for RESP2 and RESP3 replies", async () => {
  for (const [call, resp2, resp3, expected] of REPLIES) {
    const r = new Recorder();
    r.reply = resp2;
    const v2 = await call(r);
    r.reply = resp3;
    const v3 = await call(r);
    assert.deepEqual(v2, expected, `${r.last.name} under RESP2`);
    assert.deepEqual(v3, expected, `${r.last.name} under RESP3`);
    for (const v of v3 as unknown[]) assert.equal(typeof v, "number");
  }
});

test("hash expiry: a reply that is not an array of integers is an InvalidResponse", async () => {
  const r = new Recorder();
  for (const bad of [null, 1, "OK", ["x"], [null]] as RespValue[]) {
    r.reply = bad;
    await assert.rejects(r.httl("h", ["a"]), InvalidResponse, `reply ${JSON.stringify(bad)}`);
  }
});
