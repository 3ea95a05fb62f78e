// Stream command definitions without a server: exact argv and key positions, DataError cases (always
// asynchronous), and reply transforms fed RESP2- and RESP3-shaped replies.

import { test } from "node:test";
import assert from "node:assert/strict";
import { DataError, InvalidResponse } from "../errors.ts";
import type { RedisArgument, RespValue } from "../protocol/types.ts";
import { expectArgv, expectSameReplies, Recorder } from "../../tests/support/recorder.ts";

type Call = (r: Recorder) => Promise<unknown>;

const bytes = new Uint8Array([0xff, 0x00]);
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** [call, argv, key positions] */
const ARGV: [Call, RedisArgument[], number[] | undefined][] = [
  [(r) => r.xadd("s", { a: 1, b: "x" }), ["XADD", "s", "*", "a", 1, "b", "x"], [1]],
  [(r) => r.xadd(bytes, new Map([["a", 1]])), ["XADD", bytes, "*", "a", 1], [1]],
  [(r) => r.xadd("s", [[bytes, bytes]]), ["XADD", "s", "*", bytes, bytes], [1]],
  [(r) => r.xadd("s", { a: 1 }, { id: "5-1" }), ["XADD", "s", "5-1", "a", 1], [1]],
  [
    (r) => r.xadd("s", { a: 1 }, { maxlen: 10, nomkstream: true }),
    ["XADD", "s", "NOMKSTREAM", "MAXLEN", "~", 10, "*", "a", 1],
    [1],
  ],
  [(r) => r.xadd("s", { a: 1 }, { maxlen: 0, approximate: false }), ["XADD", "s", "MAXLEN", 0, "*", "a", 1], [
    1,
  ]],
  [
    (r) => r.xadd("s", { a: 1 }, { minid: "3-0", limit: 5 }),
    ["XADD", "s", "MINID", "~", "3-0", "LIMIT", 5, "*", "a", 1],
    [1],
  ],
  [(r) => r.xtrim("s", { maxlen: 5 }), ["XTRIM", "s", "MAXLEN", "~", 5], [1]],
  [(r) => r.xtrim("s", { minid: "9-0", approximate: false }), ["XTRIM", "s", "MINID", "9-0"], [1]],
  [(r) => r.xtrim("s", { maxlen: 5, limit: 100 }), ["XTRIM", "s", "MAXLEN", "~", 5, "LIMIT", 100], [1]],
  [(r) => r.xack("s", "g", "1-0", "2-0"), ["XACK", "s", "g", "1-0", "2-0"], [1]],
  [(r) => r.xdel("s", "1-0"), ["XDEL", "s", "1-0"], [1]],
  [(r) => r.xlen("s"), ["XLEN", "s"], [1]],
  [(r) => r.xrange("s"), ["XRANGE", "s", "-", "+"], [1]],
  [(r) => r.xrange("s", { min: "(1-0", max: 5, count: 2 }), ["XRANGE", "s", "(1-0", 5, "COUNT", 2], [1]],
  [(r) => r.xrevrange("s"), ["XREVRANGE", "s", "+", "-"], [1]],
  [(r) => r.xrevrange("s", { max: "9", min: "1", count: 1 }), ["XREVRANGE", "s", "9", "1", "COUNT", 1], [1]],
  [(r) => r.xread({ a: "0", b: "$" }), ["XREAD", "STREAMS", "a", "b", "0", "$"], [2, 3]],
  [
    (r) => r.xread(new Map([[bytes, "1-0"]]), { count: 5, block: 0 }),
    ["XREAD", "COUNT", 5, "BLOCK", 0, "STREAMS", bytes, "1-0"],
    [6],
  ],
  [(r) => r.xread([["a", ">"]], { block: 100 }), ["XREAD", "BLOCK", 100, "STREAMS", "a", ">"], [4]],
  [
    (r) => r.xreadgroup("g", "c", { s: ">" }),
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"],
    [5],
  ],
  [
    (r) => r.xreadgroup("g", "c", { s: "0", t: ">" }, { count: 1, block: 10, noack: true }),
    ["XREADGROUP", "GROUP", "g", "c", "COUNT", 1, "BLOCK", 10, "NOACK", "STREAMS", "s", "t", "0", ">"],
    [10, 11],
  ],
  [(r) => r.xgroupCreate("s", "g"), ["XGROUP", "CREATE", "s", "g", "$"], [2]],
  [
    (r) => r.xgroupCreate("s", "g", { id: "0", mkstream: true, entriesRead: 3 }),
    ["XGROUP", "CREATE", "s", "g", "0", "MKSTREAM", "ENTRIESREAD", 3],
    [2],
  ],
  [(r) => r.xgroupCreateconsumer("s", "g", "c"), ["XGROUP", "CREATECONSUMER", "s", "g", "c"], [2]],
  [(r) => r.xgroupDelconsumer("s", "g", "c"), ["XGROUP", "DELCONSUMER", "s", "g", "c"], [2]],
  [(r) => r.xgroupDestroy("s", "g"), ["XGROUP", "DESTROY", "s", "g"], [2]],
  [(r) => r.xgroupSetid("s", "g", "$"), ["XGROUP", "SETID", "s", "g", "$"], [2]],
  [(r) => r.xgroupSetid("s", "g", "0", { entriesRead: 0 }), [
    "XGROUP",
    "SETID",
    "s",
    "g",
    "0",
    "ENTRIESREAD",
    0,
  ], [
    2,
  ]],
  [(r) => r.xsetid("s", "5-0"), ["XSETID", "s", "5-0"], [1]],
  [
    (r) => r.xsetid("s", "5-0", { entriesAdded: 7, maxDeletedEntryId: "2-0" }),
    ["XSETID", "s", "5-0", "ENTRIESADDED", 7, "MAXDELETEDID", "2-0"],
    [1],
  ],
  [(r) => r.xinfoStream("s"), ["XINFO", "STREAM", "s"], [2]],
  [(r) => r.xinfoStream("s", { full: true }), ["XINFO", "STREAM", "s", "FULL"], [2]],
  [(r) => r.xinfoStream("s", { full: true, count: 0 }), ["XINFO", "STREAM", "s", "FULL", "COUNT", 0], [2]],
  [(r) => r.xinfoGroups("s"), ["XINFO", "GROUPS", "s"], [2]],
  [(r) => r.xinfoConsumers("s", "g"), ["XINFO", "CONSUMERS", "s", "g"], [2]],
  [(r) => r.xpending("s", "g"), ["XPENDING", "s", "g"], [1]],
  [(r) => r.xpendingRange("s", "g", { count: 10 }), ["XPENDING", "s", "g", "-", "+", 10], [1]],
  [
    (r) => r.xpendingRange("s", "g", { min: "1-0", max: "2-0", count: 1, consumername: "c", idle: 50 }),
    ["XPENDING", "s", "g", "IDLE", 50, "1-0", "2-0", 1, "c"],
    [1],
  ],
  [(r) => r.xclaim("s", "g", "c", 0, ["1-0"]), ["XCLAIM", "s", "g", "c", 0, "1-0"], [1]],
  [
    (r) =>
      r.xclaim("s", "g", "c", 10, ["1-0", "2-0"], {
        idle: 5,
        time: new Date(1_700_000_000_123),
        retrycount: 2,
        force: true,
        justid: true,
        lastid: "3-0",
      }),
    [
      "XCLAIM",
      "s",
      "g",
      "c",
      10,
      "1-0",
      "2-0",
      "IDLE",
      5,
      "TIME",
      1_700_000_000_123,
      "RETRYCOUNT",
      2,
      "FORCE",
      "JUSTID",
      "LASTID",
      "3-0",
    ],
    [1],
  ],
  [(r) => r.xautoclaim("s", "g", "c", 100), ["XAUTOCLAIM", "s", "g", "c", 100, "0-0"], [1]],
  [
    (r) => r.xautoclaim("s", "g", "c", 0, { startId: "5-0", count: 3, justid: true }),
    ["XAUTOCLAIM", "s", "g", "c", 0, "5-0", "COUNT", 3, "JUSTID"],
    [1],
  ],
];

test("stream commands: argv and key positions", async () => {
  await expectArgv(ARGV);
});

test("stream commands: only XREAD/XREADGROUP with block are blocking", async () => {
  const r = new Recorder();
  await r.xread({ s: "0" }, { block: 0 }).catch(() => {});
  assert.equal(r.last.blocking, true);
  await r.xreadgroup("g", "c", { s: ">" }, { block: 5 }).catch(() => {});
  assert.equal(r.last.blocking, true);
  await r.xread({ s: "0" }).catch(() => {});
  assert.equal(r.last.blocking, false);
  await r.xreadgroup("g", "c", { s: ">" }, { count: 1 }).catch(() => {});
  assert.equal(r.last.blocking, false);
});

const BAD: [string, Call][] = [
  ["xadd empty fields", (r) => r.xadd("s", {})],
  ["xadd empty Map", (r) => r.xadd("s", new Map())],
  ["xadd fields not a mapping", (r) => r.xadd("s", "a" as never)],
  ["xadd maxlen and minid", (r) => r.xadd("s", { a: 1 }, { maxlen: 1, minid: "1-0" })],
  [
    "xadd limit without approximate",
    (r) => r.xadd("s", { a: 1 }, { maxlen: 1, approximate: false, limit: 5 }),
  ],
  ["xadd negative maxlen", (r) => r.xadd("s", { a: 1 }, { maxlen: -1 })],
  ["xadd fractional maxlen", (r) => r.xadd("s", { a: 1 }, { maxlen: 1.5 })],
  ["xadd bad id", (r) => r.xadd("s", { a: 1 }, { id: {} as never })],
  ["xadd options not an object", (r) => r.xadd("s", { a: 1 }, 5 as never)],
  ["xadd bad key", (r) => r.xadd(5 as never, { a: 1 })],
  ["xtrim neither", (r) => r.xtrim("s", {})],
  ["xtrim both", (r) => r.xtrim("s", { maxlen: 1, minid: "1" })],
  ["xtrim limit exact", (r) => r.xtrim("s", { minid: "1", approximate: false, limit: 1 })],
  ["xack no ids", (r) => r.xack("s", "g")],
  ["xdel no ids", (r) => r.xdel("s")],
  ["xdel null id", (r) => r.xdel("s", null as never)],
  ["xrange count 1.5", (r) => r.xrange("s", { count: 1.5 })],
  ["xrange bad min", (r) => r.xrange("s", { min: NaN })],
  ["xread no streams", (r) => r.xread({})],
  ["xread streams not a mapping", (r) => r.xread("s" as never)],
  ["xread bad stream name", (r) => r.xread([[5 as never, "0"]])],
  ["xread count 0", (r) => r.xread({ s: "0" }, { count: 0 })],
  ["xread negative block", (r) => r.xread({ s: "0" }, { block: -1 })],
  ["xread fractional block", (r) => r.xread({ s: "0" }, { block: 0.5 })],
  ["xreadgroup no streams", (r) => r.xreadgroup("g", "c", new Map())],
  ["xreadgroup count NaN", (r) => r.xreadgroup("g", "c", { s: ">" }, { count: NaN })],
  ["xgroupCreate entriesRead 1.5", (r) => r.xgroupCreate("s", "g", { entriesRead: 1.5 })],
  ["xsetid entriesAdded -1", (r) => r.xsetid("s", "1-0", { entriesAdded: -1 })],
  ["xinfoStream count without full", (r) => r.xinfoStream("s", { count: 5 } as never)],
  ["xpendingRange without count", (r) => r.xpendingRange("s", "g", {})],
  ["xpendingRange idle -1", (r) => r.xpendingRange("s", "g", { count: 1, idle: -1 })],
  ["xclaim no ids", (r) => r.xclaim("s", "g", "c", 0, [])],
  ["xclaim negative minIdleTime", (r) => r.xclaim("s", "g", "c", -1, ["1-0"])],
  ["xclaim invalid Date", (r) => r.xclaim("s", "g", "c", 0, ["1-0"], { time: new Date(NaN) })],
  ["xclaim retrycount 0.5", (r) => r.xclaim("s", "g", "c", 0, ["1-0"], { retrycount: 0.5 })],
  ["xautoclaim minIdleTime NaN", (r) => r.xautoclaim("s", "g", "c", NaN)],
  ["xautoclaim count 0", (r) => r.xautoclaim("s", "g", "c", 0, { count: 0 })],
];

test("stream commands: bad arguments reject with a DataError, asynchronously, and nothing is sent", async () => {
  for (const [what, call] of BAD) {
    const r = new Recorder();
    let promise: Promise<unknown> | undefined;
    assert.doesNotThrow(() => {
      promise = call(r);
    }, what);
    assert.ok(promise instanceof Promise, what);
    await assert.rejects(promise, DataError, what);
  }
});

const e1 = ["1-0", ["a", "1", "b", "2"]];
const e2 = ["2-0", ["a", "3"]];
const E1 = { id: "1-0", fields: { a: "1", b: "2" } };
const E2 = { id: "2-0", fields: { a: "3" } };

/** [call, RESP2 raw reply, RESP3 raw reply, expected value] */
const REPLIES: [Call, RespValue, RespValue, unknown][] = [
  [(r) => r.xadd("s", { a: 1 }), "1-0", "1-0", "1-0"],
  [(r) => r.xadd("s", { a: 1 }, { nomkstream: true }), null, null, null],
  [(r) => r.xlen("s"), 2, 2, 2],
  [(r) => r.xack("s", "g", "1-0"), 1, 1, 1],
  [(r) => r.xtrim("s", { maxlen: 1 }), 3, 3, 3],
  [(r) => r.xrange("s"), [e1, e2], [e1, e2], [E1, E2]],
  [(r) => r.xrange("s"), [], [], []],
  [(r) => r.xrevrange("s"), [e2, e1], [e2, e1], [E2, E1]],
  [(r) => r.xread({ s: "0", t: "0" }), [["s", [e1]], ["t", [e2]]], ["s", [e1], "t", [e2]], [["s", [E1]], [
    "t",
    [E2],
  ]]],
  [(r) => r.xread({ s: "0" }, { block: 1 }), null, null, []],
  [
    (r) => r.xreadgroup("g", "c", { s: "0" }),
    [["s", [e1, ["2-0", null]]]],
    ["s", [e1, ["2-0", null]]],
    [["s", [E1, { id: "2-0", fields: null }]]],
  ],
  [(r) => r.xreadgroup("g", "c", { s: ">" }), null, null, []],
  [(r) => r.xgroupCreate("s", "g"), "OK", "OK", true],
  [(r) => r.xgroupSetid("s", "g", "0"), "OK", "OK", true],
  [(r) => r.xsetid("s", "5-0"), "OK", "OK", true],
  [(r) => r.xgroupCreateconsumer("s", "g", "c"), 1, 1, 1],
  [(r) => r.xgroupDelconsumer("s", "g", "c"), 2, 2, 2],
  [(r) => r.xgroupDestroy("s", "g"), 0, 0, 0],
  [
    (r) => r.xpending("s", "g"),
    [2, "1-0", "2-0", [["c1", "1"], ["c2", "1"]]],
    [2, "1-0", "2-0", [["c1", "1"], ["c2", "1"]]],
    {
      pending: 2,
      min: "1-0",
      max: "2-0",
      consumers: [{ name: "c1", pending: 1 }, { name: "c2", pending: 1 }],
    },
  ],
  [(r) => r.xpending("s", "g"), [0, null, null, null], [0, null, null, null], {
    pending: 0,
    min: null,
    max: null,
    consumers: [],
  }],
  [
    (r) => r.xpendingRange("s", "g", { count: 5 }),
    [["1-0", "c1", 120, 2]],
    [["1-0", "c1", 120, 2]],
    [{ messageId: "1-0", consumer: "c1", timeSinceDelivered: 120, timesDelivered: 2 }],
  ],
  [(r) => r.xclaim("s", "g", "c", 0, ["1-0"]), [e1, null], [e1, null], [E1]],
  [(r) => r.xclaim("s", "g", "c", 0, ["1-0"], { justid: true }), ["1-0"], ["1-0"], ["1-0"]],
  [
    (r) => r.xautoclaim("s", "g", "c", 0),
    ["0-0", [e1], ["3-0"]],
    ["0-0", [e1], ["3-0"]],
    { next: "0-0", claimed: [E1], deleted: ["3-0"] },
  ],
  [
    (r) => r.xautoclaim("s", "g", "c", 0, { justid: true }),
    ["2-0", ["1-0"]],
    ["2-0", ["1-0"]],
    { next: "2-0", claimed: ["1-0"], deleted: [] },
  ],
  [
    (r) => r.xinfoConsumers("s", "g"),
    [["name", "c1", "pending", 1, "idle", 5, "inactive", -1]],
    [["name", "c1", "pending", 1, "idle", 5, "inactive", -1]],
    [{ name: "c1", pending: 1, idle: 5, inactive: -1 }],
  ],
  [
    (r) => r.xinfoGroups("s"),
    [["name", "g", "consumers", 1, "pending", 0, "last-delivered-id", "0-0", "entries-read", null, "lag", 2]],
    [["name", "g", "consumers", 1, "pending", 0, "last-delivered-id", "0-0", "entries-read", null, "lag", 2]],
    [{ name: "g", consumers: 1, pending: 0, lastDeliveredId: "0-0", entriesRead: null, lag: 2 }],
  ],
  [
    (r) => r.xinfoStream("s"),
    [
      "length",
      2,
      "radix-tree-keys",
      1,
      "last-generated-id",
      "2-0",
      "groups",
      0,
      "first-entry",
      e1,
      "last-entry",
      e2,
    ],
    [
      "length",
      2,
      "radix-tree-keys",
      1,
      "last-generated-id",
      "2-0",
      "groups",
      0,
      "first-entry",
      e1,
      "last-entry",
      e2,
    ],
    { length: 2, radixTreeKeys: 1, lastGeneratedId: "2-0", groups: 0, firstEntry: E1, lastEntry: E2 },
  ],
  [
    (r) => r.xinfoStream("s"),
    ["length", 0, "first-entry", null, "last-entry", null],
    ["length", 0, "first-entry", null, "last-entry", null],
    { length: 0, firstEntry: null, lastEntry: null },
  ],
  [
    (r) => r.xinfoStream("s", { full: true }),
    [
      "length",
      1,
      "entries",
      [e1],
      "groups",
      [[
        "name",
        "g",
        "pel-count",
        1,
        "pending",
        [["1-0", "c", 1700000000000, 1]],
        "consumers",
        [["name", "c", "seen-time", 1700000000000, "pel-count", 1, "pending", [["1-0", 1700000000000, 1]]]],
      ]],
    ],
    [
      "length",
      1,
      "entries",
      [e1],
      "groups",
      [[
        "name",
        "g",
        "pel-count",
        1,
        "pending",
        [["1-0", "c", 1700000000000, 1]],
        "consumers",
        [["name", "c", "seen-time", 1700000000000, "pel-count", 1, "pending", [["1-0", 1700000000000, 1]]]],
      ]],
    ],
    {
      length: 1,
      entries: [E1],
      groups: [{
        name: "g",
        pelCount: 1,
        pending: [{ id: "1-0", consumer: "c", deliveryTime: 1700000000000, deliveryCount: 1 }],
        consumers: [{
          name: "c",
          seenTime: 1700000000000,
          pelCount: 1,
          pending: [{ id: "1-0", deliveryTime: 1700000000000, deliveryCount: 1 }],
        }],
      }],
    },
  ],
];

test("stream reply transforms give the same value for RESP2 and RESP3 replies", async () => {
  await expectSameReplies(REPLIES);
});

test("stream replies with decodeResponses: false: values stay bytes, ids and field names are text", async () => {
  const r = new Recorder<false>();
  r.reply = [[enc("1-0"), [enc("f"), enc("v"), enc("__proto__"), enc("w")]]];
  const [entry] = await r.xrange("s");
  assert.equal(entry.id, "1-0");
  assert.deepEqual(Object.keys(entry.fields), ["f", "__proto__"]);
  assert.deepEqual(entry.fields.f, enc("v"));
  assert.equal(Object.getPrototypeOf(entry.fields), Object.prototype);
  r.reply = [enc("s"), [[enc("1-0"), [enc("f"), enc("v")]]]];
  const read = await r.xread({ s: "0" });
  assert.deepEqual(read, [[enc("s"), [{ id: "1-0", fields: { f: enc("v") } }]]]);
  r.reply = enc("7-0");
  assert.equal(await r.xadd("s", { f: "v" }), "7-0");
});

test("malformed stream replies reject with InvalidResponse", async () => {
  const r = new Recorder();
  r.reply = "nope";
  await assert.rejects(r.xrange("s"), InvalidResponse);
  await assert.rejects(r.xlen("s"), InvalidResponse);
  await assert.rejects(r.xread({ s: "0" }), InvalidResponse);
  r.reply = ["1-0"];
  await assert.rejects(r.xrange("s"), InvalidResponse);
  r.reply = ["s", ["1-0"]];
  await assert.rejects(r.xread({ s: "0" }), InvalidResponse);
});
