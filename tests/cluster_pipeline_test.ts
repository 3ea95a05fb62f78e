// Cluster pipelines and transactions against a real 3×1 cluster: a plain pipeline grouped by node (asserted
// with each node's INFO commandstats), re-sent through a reshard, errors in place or labelled; MULTI/EXEC on
// one slot, refused across slots before sending, WATCH retried, and ASKING during a half-finished migration.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ClusterCrossSlotError, DataError, keySlot, RedisCluster, ResponseError } from "../mod.ts";
import { startCluster } from "./harness/mod.ts";
import { keyInSlot, owns, probes } from "./support/cluster.ts";

// One cluster for the whole file; the last test stops it.
const cluster = await startCluster();
const { calls } = probes(cluster);

function seed(): RedisCluster {
  return new RedisCluster({ startupNodes: [cluster.seeds[0]], topologyRefreshInterval: 0 });
}

test("a 10,000-command plain pipeline across nodes: replies in order, each node gets exactly its commands", async () => {
  await using rc = seed();
  await rc.initialize();
  const keys = Array.from({ length: 5000 }, (_, i) => `pipe:${i}`);
  const before = await Promise.all(cluster.primaries.map((n) => calls(n, "set")));
  const beforeGet = await Promise.all(cluster.primaries.map((n) => calls(n, "get")));
  const pipe = rc.pipeline({ transaction: false });
  for (const [i, k] of keys.entries()) pipe.set(k, String(i)).get(k);
  assert.equal(pipe.length, 10_000);
  const replies = await pipe.exec();
  assert.equal(replies.length, 10_000);
  keys.forEach((_, i) => {
    assert.equal(replies[2 * i], true);
    assert.equal(replies[2 * i + 1], String(i));
  });
  for (const [j, node] of cluster.primaries.entries()) {
    const mine = keys.filter((k) => owns(node, keySlot(k))).length;
    assert.ok(mine > 0);
    assert.equal(await calls(node, "set") - before[j], mine, `SETs on ${node.name}`);
    assert.equal(await calls(node, "get") - beforeGet[j], mine, `GETs on ${node.name}`);
  }
});

test("plain pipeline: a cross-slot command is a DataError before anything is sent; split commands are split", async () => {
  await using rc = seed();
  await rc.initialize();
  const node = cluster.primaries[0];
  const sets = await calls(node, "set");
  await assert.rejects(
    rc.pipeline({ transaction: false }).set("{a}x", 1).rename("{a}x", "{b}y").exec(),
    (e) => e instanceof DataError && /different slots/.test(e.message),
  );
  assert.equal(await calls(node, "set"), sets, "nothing sent");
  const replies = await rc.pipeline({ transaction: false }).mset({ a: "1", b: "2", c: "3" }).mget([
    "a",
    "b",
    "c",
  ])
    .exec();
  assert.deepEqual(replies, [true, ["1", "2", "3"]]);
});

test("plain pipeline: raiseOnError false leaves WRONGTYPE in place; true rejects with the labelled error", async () => {
  await using rc = seed();
  await rc.del("pe:list", "pe:s");
  await rc.lpush("pe:list", "x");
  const replies = await rc.pipeline({ transaction: false, raiseOnError: false })
    .set("pe:s", "1").get("pe:list").get("pe:s").exec();
  assert.equal(replies[0], true);
  const wrong: unknown = replies[1];
  assert.ok(wrong instanceof ResponseError && /^WRONGTYPE/.test(wrong.message), String(wrong));
  assert.equal(replies[2], "1");
  await assert.rejects(
    rc.pipeline({ transaction: false }).set("pe:s", "2").get("pe:list").exec(),
    (e) =>
      e instanceof ResponseError && /Command # 2 \(GET pe:list\)/.test(e.message) &&
      /WRONGTYPE/.test(e.message),
  );
});

test("transaction on one slot (hash tags) runs MULTI/EXEC on the slot's owner", async () => {
  await using rc = seed();
  await rc.del("{u1}a", "{u1}b");
  const owner = cluster.primaries.find((n) => owns(n, keySlot("{u1}")))!;
  const execs = await calls(owner, "exec");
  const replies = await rc.pipeline().set("{u1}a", "1").incr("{u1}b").get("{u1}a").exec();
  assert.deepEqual(replies, [true, 1, "1"]);
  assert.equal(await calls(owner, "exec"), execs + 1);
});

test("cross-slot transaction is a ClusterCrossSlotError with nothing sent", async () => {
  await using rc = seed();
  await rc.initialize();
  const counts = () =>
    Promise.all(cluster.primaries.map(async (n) => [await calls(n, "multi"), await calls(n, "watch")]));
  const before = await counts();
  await assert.rejects(
    rc.pipeline().set("{a}1", 1).set("{b}1", 1).exec(),
    (e) => e instanceof ClusterCrossSlotError && e.message.includes(String(keySlot("a"))),
  );
  await assert.rejects(rc.transaction(() => {}, "{a}1", "{b}1"), ClusterCrossSlotError);
  assert.deepEqual(await counts(), before, "no MULTI and no WATCH reached any primary");
});

test("transaction() with WATCH is retried after a concurrent write", async () => {
  await using rc = seed();
  await using other = seed();
  await rc.set("{w}n", "10");
  let attempts = 0;
  const replies = await rc.transaction(async (pipe) => {
    attempts++;
    const n = Number(await pipe.get("{w}n"));
    if (attempts === 1) await other.set("{w}n", "20");
    pipe.multi().set("{w}n", String(n + 1)).get("{w}n");
  }, "{w}n");
  assert.equal(attempts, 2);
  assert.deepEqual(replies, [true, "21"]);
  assert.equal(await rc.get("{w}n"), "21");
});

test("a transaction during a half-finished migration resolves via ASKING on the target", async () => {
  await using rc = seed();
  const from = cluster.primaries[2];
  const to = cluster.primaries[0];
  const slot = from.slots[0][0] + 5;
  const moved = keyInSlot(slot, ":a");
  await rc.set(moved, "1");
  await cluster.migrateSlot(slot, from, to, { finish: false, keys: [moved] });
  try {
    const asking = await calls(to, "asking");
    const execs = await calls(to, "exec");
    const replies = await rc.pipeline().incr(moved).get(moved).exec();
    assert.deepEqual(replies, [2, "2"]);
    assert.ok(await calls(to, "asking") > asking, "ASKING sent to the target");
    assert.equal(await calls(to, "exec"), execs + 1);
    assert.equal(rc.getNodeFromKey(moved)?.name, from.name, "the map is unchanged by ASK");
  } finally {
    await cluster.finishMigration(slot);
    await cluster.migrateSlot(slot, to, from);
  }
});

test("plain pipelines during a reshard complete without surfaced errors", async () => {
  await using rc = seed();
  await rc.initialize();
  const from = cluster.primaries[0];
  const to = cluster.primaries[1];
  // Keys in the slots the reshard moves (the lowest of `from`) and elsewhere.
  const low = from.slots[0][0];
  const tags = Array.from({ length: 40 }, (_, j) => keyInSlot(low + j));
  const keys = Array.from({ length: 5000 }, (_, i) => i % 2 ? `${tags[i % 40]}:${i}` : `rs:${i}`);
  const redirects = async () => {
    let n = 0;
    for (const node of cluster.primaries) {
      const e = (await cluster.counters(node)).errors;
      n += (e.MOVED ?? 0) + (e.ASK ?? 0);
    }
    return n;
  };
  const redirectsBefore = await redirects();
  let done = false;
  const reshard = cluster.reshard(40, from, to).finally(() => done = true);
  let rounds = 0;
  do {
    const pipe = rc.pipeline({ transaction: false });
    for (const [i, k] of keys.entries()) pipe.set(k, `${rounds}:${i}`).get(k);
    const replies = await pipe.exec();
    keys.forEach((_, i) => assert.equal(replies[2 * i + 1], `${rounds}:${i}`));
    rounds++;
  } while (!done);
  await reshard;
  assert.ok(rounds >= 2, `rounds: ${rounds}`);
  assert.ok(await redirects() > redirectsBefore, "the pipelines were redirected and re-sent");
  await cluster.stop();
});
