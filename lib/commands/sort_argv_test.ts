// SORT, SORT_RO, MIGRATE, HMSET and ZINTERCARD without a server: exact argv, key positions,
// DataError cases (asynchronous), and reply transforms.

import { test } from "node:test";
import assert from "node:assert/strict";
import { DataError } from "../errors.ts";
import type { RedisArgument } from "../protocol/types.ts";
import { expectArgv, Recorder } from "../../tests/support/recorder.ts";

const ARGV: [(r: Recorder) => Promise<unknown>, RedisArgument[], number[]][] = [
  [(r) => r.sort("l"), ["SORT", "l"], [1]],
  [
    (r) => r.sort("l", { by: "w_*", start: 0, num: 5, get: ["#", "n_*"], desc: true, alpha: true }),
    ["SORT", "l", "BY", "w_*", "LIMIT", 0, 5, "GET", "#", "GET", "n_*", "DESC", "ALPHA"],
    [1],
  ],
  [(r) => r.sort("l", { get: "n_*", store: "dst" }), ["SORT", "l", "GET", "n_*", "STORE", "dst"], [1, 5]],
  [(r) => r.sortRo("l", { by: "nosort", get: "#" }), ["SORT_RO", "l", "BY", "nosort", "GET", "#"], [1]],
  [
    (r) => r.migrate("10.0.0.2", 6380, ["a", "b"], 3, 1000, { copy: true, replace: true, auth2: ["u", "p"] }),
    ["MIGRATE", "10.0.0.2", 6380, "", 3, 1000, "COPY", "REPLACE", "AUTH2", "u", "p", "KEYS", "a", "b"],
    [12, 13],
  ],
  [(r) => r.migrate("h", 1, ["k"], 0, 5, { auth: "pw" }), [
    "MIGRATE",
    "h",
    1,
    "",
    0,
    5,
    "AUTH",
    "pw",
    "KEYS",
    "k",
  ], [9]],
  [(r) => r.hmset("h", { a: 1, b: "x" }), ["HMSET", "h", "a", 1, "b", "x"], [1]],
  [(r) => r.hmset("h", new Map([["f", "v"]])), ["HMSET", "h", "f", "v"], [1]],
  [(r) => r.zintercard(["z1", "z2"]), ["ZINTERCARD", 2, "z1", "z2", "LIMIT", 0], [2, 3]],
  [(r) => r.zintercard(["z1"], 10), ["ZINTERCARD", 1, "z1", "LIMIT", 10], [2]],
];

test("sort/migrate/hmset/zintercard: exact argv and key positions", async () => {
  await expectArgv(ARGV);
});

test("sort/migrate/hmset/zintercard: bad input rejects with DataError, asynchronously", async () => {
  const r = new Recorder();
  const cases: (() => Promise<unknown>)[] = [
    () => r.sort("l", { start: 1 }),
    () => r.sort("l", { num: 1 }),
    () => r.sort("l", { start: -1, num: 1 }),
    () => r.sort("l", { groups: true, get: "#" }),
    () => r.sort("l", { groups: true, get: ["#", "a_*"], store: "d" }),
    () => r.sort("l", { get: 5 as never }),
    () => r.sortRo(undefined as never),
    () => r.migrate("", 1, ["k"], 0, 1),
    () => r.migrate("h", 0, ["k"], 0, 1),
    () => r.migrate("h", 1, [], 0, 1),
    () => r.migrate("h", 1, ["k"], -1, 1),
    () => r.migrate("h", 1, ["k"], 0, 1, { auth: "a", auth2: ["u", "p"] }),
    () => r.migrate("h", 1, ["k"], 0, 1, { auth2: ["u"] as never }),
    () => r.hmset("h", {}),
    () => r.hmset("h", null as never),
    () => r.zintercard([]),
    () => r.zintercard(["z"], -1),
  ];
  for (const make of cases) {
    let p: Promise<unknown> | undefined;
    assert.doesNotThrow(() => (p = make()));
    await assert.rejects(p!, DataError);
  }
});

test("sort: the reply follows the options (elements, stored count, groups)", async () => {
  const r = new Recorder();
  r.reply = ["1", "2", null];
  assert.deepEqual(await r.sort("l"), ["1", "2", null]);
  r.reply = 3;
  assert.equal(await r.sort("l", { store: "d" }), 3);
  r.reply = ["ada", "36", "alan", null];
  assert.deepEqual(await r.sort("l", { get: ["n_*", "a_*"], groups: true }), [["ada", "36"], ["alan", null]]);
  r.reply = "NOKEY";
  assert.equal(await r.migrate("h", 1, ["k"], 0, 1), "NOKEY");
  r.reply = "OK";
  assert.equal(await r.hmset("h", { a: 1 }), true);
});
