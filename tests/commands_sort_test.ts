// SORT, SORT_RO, MIGRATE, HMSET and ZINTERCARD against real servers, under RESP2 and RESP3.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "../mod.ts";
import { sharedRedis, startRedis } from "./harness/mod.ts";

for (const protocol of [2, 3] as const) {
  const R = `RESP${protocol}`;
  const p = `sort:${protocol}:`;

  test(`${R}: sort and sortRo with BY, GET, LIMIT, groups and STORE`, async () => {
    const s = await sharedRedis();
    await using r = new Redis({ host: s.host, port: s.port, protocol });
    await r.del(`${p}ids`, `${p}out`, `${p}names`);
    await r.rpush(`${p}ids`, "3", "1", "2");
    await r.mset({ [`${p}w_1`]: "30", [`${p}w_2`]: "10", [`${p}w_3`]: "20" });
    await r.mset({ [`${p}n_1`]: "one", [`${p}n_2`]: "two" }); // n_3 is missing on purpose
    assert.deepEqual(await r.sort(`${p}ids`), ["1", "2", "3"]);
    assert.deepEqual(await r.sort(`${p}ids`, { desc: true, start: 0, num: 2 }), ["3", "2"]);
    assert.deepEqual(await r.sort(`${p}ids`, { by: `${p}w_*` }), ["2", "3", "1"]);
    assert.deepEqual(await r.sort(`${p}ids`, { get: `${p}n_*` }), ["one", "two", null]);
    assert.deepEqual(await r.sort(`${p}ids`, { get: ["#", `${p}n_*`], groups: true }), [
      ["1", "one"],
      ["2", "two"],
      ["3", null],
    ]);
    assert.equal(await r.sort(`${p}ids`, { store: `${p}out`, desc: true }), 3);
    assert.deepEqual(await r.lrange(`${p}out`, 0, -1), ["3", "2", "1"]);
    await r.rpush(`${p}names`, "bob", "alice");
    assert.deepEqual(await r.sortRo(`${p}names`, { alpha: true }), ["alice", "bob"]);
  });

  test(`${R}: hmset and zintercard`, async () => {
    const s = await sharedRedis();
    await using r = new Redis({ host: s.host, port: s.port, protocol });
    await r.del(`${p}h`, `${p}z1`, `${p}z2`);
    assert.equal(await r.hmset(`${p}h`, { a: 1, b: "two" }), true);
    assert.deepEqual(await r.hgetall(`${p}h`), { a: "1", b: "two" });
    await r.zadd(`${p}z1`, { a: 1, b: 2, c: 3 });
    await r.zadd(`${p}z2`, { b: 1, c: 2, d: 3 });
    assert.equal(await r.zintercard([`${p}z1`, `${p}z2`]), 2);
    assert.equal(await r.zintercard([`${p}z1`, `${p}z2`], 1), 1);
  });
}

test("migrate moves and copies keys to another real server", async () => {
  const source = await sharedRedis();
  const target = await startRedis();
  await using from = new Redis({ host: source.host, port: source.port });
  await using to = new Redis({ host: target.host, port: target.port, db: 2 });
  await from.set("sort:migrate:a", "moved");
  await from.set("sort:migrate:b", "copied");
  assert.equal(await from.migrate(target.host, target.port, ["sort:migrate:a"], 2, 5000), "OK");
  assert.equal(await from.get("sort:migrate:a"), null);
  assert.equal(await to.get("sort:migrate:a"), "moved");
  assert.equal(
    await from.migrate(target.host, target.port, ["sort:migrate:b"], 2, 5000, { copy: true }),
    "OK",
  );
  assert.equal(await from.get("sort:migrate:b"), "copied");
  assert.equal(await to.get("sort:migrate:b"), "copied");
  assert.equal(await from.migrate(target.host, target.port, ["sort:migrate:none"], 2, 5000), "NOKEY");
  await target.stop();
});
