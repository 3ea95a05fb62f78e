// Client-side caching on RedisCluster against a real 3×1 cluster: reads served without a server call (proved
// with each node's INFO commandstats), invalidation by another client's write, pipelines, replica reads, a
// migrated slot and a killed primary dropping exactly the entries they must (the others stay cached, proved
// with the counters), and the RESP2 refusal.

import { test } from "node:test";
import assert from "node:assert/strict";
import { CacheConfig, DataError, RedisCluster, type RedisClusterOptions } from "../mod.ts";
import { type ClusterNodeInfo, startCluster } from "./harness/mod.ts";
import { sleep, waitFor } from "./support/async.ts";
import { keyInSlot, probes } from "./support/cluster.ts";

// One cluster for the whole file; the last test stops it.
const cluster = await startCluster();
const { calls, flushAll } = probes(cluster);

function cachedClient(options: RedisClusterOptions<true> = {}): RedisCluster {
  return new RedisCluster({
    startupNodes: [cluster.seeds[0]],
    topologyRefreshInterval: 0,
    cache: new CacheConfig(),
    ...options,
  });
}

function plainClient(): RedisCluster {
  return new RedisCluster({ startupNodes: [cluster.seeds[0]], topologyRefreshInterval: 0 });
}

/** A key whose slot `node` serves (`n` slots before the end of its last range: never a migrated slot here). */
function keyOn(node: ClusterNodeInfo, suffix: string, n = 0): string {
  return keyInSlot(node.slots[node.slots.length - 1][1] - n, suffix);
}

/** Waits until `check()` holds (invalidations arrive asynchronously), up to 3 s. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await sleep(10);
  assert.ok(check(), what);
}

/** GET calls on each of `nodes`. */
function getCalls(nodes: readonly ClusterNodeInfo[]): Promise<number[]> {
  return Promise.all(nodes.map((n) => calls(n, "get")));
}

test("cluster cache: a second get() costs no server call on any shard; another client's write invalidates it before the next read", async () => {
  await flushAll();
  await using rc = cachedClient();
  await using writer = plainClient();
  const primaries = cluster.primaries;
  const keys = primaries.map((p) => keyOn(p, ":basic"));
  for (const k of keys) await writer.set(k, `v1 ${k}`);
  for (const k of keys) assert.equal(await rc.get(k), `v1 ${k}`);
  const before = await getCalls(primaries);
  for (let i = 0; i < 10; i++) for (const k of keys) assert.equal(await rc.get(k), `v1 ${k}`);
  assert.deepEqual(await getCalls(primaries), before, "no GET reached any node");
  assert.equal(rc.cache!.stats.hits, 30);
  assert.equal(rc.cache!.size, 3);

  await writer.set(keys[1], "v2");
  await until(() => rc.cache!.stats.invalidations >= 1, "the invalidation arrived");
  assert.equal(await rc.get(keys[1]), "v2", "no stale read after the invalidation");
  assert.equal(await rc.get(keys[0]), `v1 ${keys[0]}`);
  const after = await getCalls(primaries);
  assert.deepEqual(after.map((n, i) => n - before[i]), [0, 1, 0], "only the invalidated key was read again");
  assert.equal(rc.cache!.size, 3);
});

test("cluster cache: own writes, reads and writes interleaved with another client; the cache agrees with the server after each round", async () => {
  await flushAll();
  await using rc = cachedClient();
  await using writer = plainClient();
  const k = keyOn(cluster.primaries[2], ":race");
  await rc.set(k, "mine");
  assert.equal(await rc.get(k), "mine");
  await rc.set(k, "mine again");
  assert.equal(await rc.get(k), "mine again", "an own write invalidates before the next read");
  for (let round = 0; round < 50; round++) {
    await Promise.all([rc.get(k), writer.set(k, `v${round}`), rc.get(k)]);
    // A command on the node's connection (TTL: never cached) is answered after every invalidation queued
    // before it.
    await rc.ttl(k);
    assert.equal(await rc.get(k), `v${round}`, `round ${round}`);
  }
});

test("cluster cache: pipelines and transactions read the server; their writes invalidate", async () => {
  await flushAll();
  await using rc = cachedClient();
  const a = keyOn(cluster.primaries[0], ":pipe");
  const b = keyOn(cluster.primaries[1], ":pipe");
  await rc.set(a, "a1");
  await rc.set(b, "b1");
  assert.equal(await rc.get(a), "a1");
  assert.equal(await rc.get(b), "b1");
  const before = await getCalls(cluster.primaries);
  const replies = await rc.pipeline({ transaction: false }).get(a).set(b, "b2").get(b).exec();
  assert.deepEqual(replies, ["a1", true, "b2"]);
  const after = await getCalls(cluster.primaries);
  assert.equal(after[0] - before[0], 1, "a pipeline's read goes to the server, as on Redis");
  assert.equal(await rc.get(b), "b2", "the pipeline's write invalidated the cached read");
  await rc.pipeline().set(a, "a2").exec();
  assert.equal(await rc.get(a), "a2", "the transaction's write invalidated the cached read");
});

test("cluster cache: a migrated slot drops its entries (a read returns the new owner's value); other slots and nodes stay cached", async () => {
  await flushAll();
  await using rc = cachedClient();
  await using writer = plainClient();
  const [from, to, other] = cluster.primaries;
  const slot = from.slots[0][0] + 7;
  const moving = keyInSlot(slot, ":moving");
  const absent = keyInSlot(slot, ":absent");
  const stays = keyOn(from, ":stays", 20);
  const elsewhere = keyOn(other, ":elsewhere");
  await writer.set(moving, "old");
  await writer.set(stays, "s");
  await writer.set(elsewhere, "e");
  for (let i = 0; i < 2; i++) {
    assert.equal(await rc.get(moving), "old");
    assert.equal(await rc.get(absent), null);
    assert.equal(await rc.get(stays), "s");
    assert.equal(await rc.get(elsewhere), "e");
  }
  assert.equal(rc.cache!.stats.hits, 4);

  await cluster.migrateSlot(slot, from, to);
  // Written on the new owner: the old one never sees it, so only the client can drop the cached null.
  await writer.set(absent, "now here");
  await writer.set(moving, "new");
  const before = await getCalls([from, to, other]);
  // Any command on the slot tells the client of the move (MOVED); a topology refresh does too.
  await rc.set(keyInSlot(slot, ":probe"), "p");
  assert.equal(await rc.get(absent), "now here", "not the cached null of the old owner");
  assert.equal(await rc.get(moving), "new");
  assert.equal(await rc.get(stays), "s");
  assert.equal(await rc.get(elsewhere), "e");
  const after = await getCalls([from, to, other]);
  assert.deepEqual(
    after.map((n, i) => n - before[i]),
    [0, 2, 0],
    "the moved slot's keys were read from the new owner; the others came from the cache",
  );
});

test("cluster cache: during a migration, an ASK drops the slot's entries: a key created on the importing node is read, not a cached miss", async () => {
  await flushAll();
  await using rc = cachedClient();
  const [from, to] = [cluster.primaries[2], cluster.primaries[0]];
  const slot = from.slots[from.slots.length - 1][0] + 5;
  const created = keyInSlot(slot, ":created");
  const stays = keyOn(from, ":migrating-stays");
  await rc.set(stays, "s");
  for (let i = 0; i < 2; i++) {
    assert.equal(await rc.get(created), null);
    assert.equal(await rc.get(stays), "s");
  }
  await cluster.migrateSlot(slot, from, to, { finish: false });
  try {
    // The old owner answers ASK for a key it lacks: the write lands on the importing node.
    await rc.set(created, "on the importing node");
    assert.equal(await rc.get(created), "on the importing node", "not the cached null");
    const before = await calls(from, "get");
    assert.equal(await rc.get(stays), "s");
    assert.equal(await calls(from, "get"), before, "another slot's entry stayed cached");
  } finally {
    await cluster.finishMigration(slot);
  }
  assert.equal(await rc.get(created), "on the importing node");
});

test("cluster cache: a periodic topology refresh that finds a slot moved drops its entries", async () => {
  await flushAll();
  await using rc = cachedClient({ topologyRefreshInterval: 200 });
  await using writer = plainClient();
  const [from, to] = [cluster.primaries[1], cluster.primaries[2]];
  const slot = from.slots[from.slots.length - 1][0] + 3;
  const absent = keyInSlot(slot, ":refresh");
  const elsewhere = keyOn(from, ":refresh-stays");
  await writer.set(elsewhere, "e");
  for (let i = 0; i < 2; i++) {
    assert.equal(await rc.get(absent), null);
    assert.equal(await rc.get(elsewhere), "e");
  }
  await cluster.migrateSlot(slot, from, to);
  await writer.set(absent, "written on the new owner");
  // No command of rc touches the slot: only its background refresh can tell it.
  await until(() => rc.getNodeFromKey(absent)?.name === to.name, "the refresh saw the new owner");
  const before = await getCalls([from, to]);
  assert.equal(await rc.get(absent), "written on the new owner");
  assert.equal(await rc.get(elsewhere), "e");
  const after = await getCalls([from, to]);
  assert.deepEqual(after.map((n, i) => n - before[i]), [0, 1], "the other slot's entry stayed cached");
});

test("cluster cache: a manual failover (MOVED from the demoted primary) drops the shard's entries; other shards stay cached", async () => {
  await flushAll();
  await using rc = cachedClient();
  await using writer = plainClient();
  const [oldPrimary, other] = [cluster.primaries[0], cluster.primaries[1]];
  const replica = cluster.replicasOf(oldPrimary)[0];
  const k = keyOn(oldPrimary, ":failover");
  const kept = keyOn(other, ":failover-kept");
  const probe = keyOn(oldPrimary, ":failover-probe");
  await writer.set(k, "before");
  await writer.set(kept, "k");
  for (let i = 0; i < 2; i++) {
    assert.equal(await rc.get(k), "before");
    assert.equal(await rc.get(kept), "k");
  }
  await cluster.failover(replica);
  await writer.set(k, "after");
  // A write of rc on the shard meets the demoted primary's MOVED: the client learns of the failover.
  await rc.set(probe, "p");
  const before = await getCalls([replica, other]);
  assert.equal(await rc.get(k), "after", "the new primary's value");
  assert.equal(await rc.get(kept), "k");
  const after = await getCalls([replica, other]);
  assert.deepEqual(after.map((n, i) => n - before[i]), [1, 0], "the other shard's entry stayed cached");
});

test("cluster cache: replica reads are cached and invalidated too", async () => {
  await flushAll();
  await using rc = cachedClient({ loadBalancingStrategy: "round_robin_replicas" });
  await using writer = plainClient();
  const primary = cluster.primaries[1];
  const replica = cluster.replicasOf(primary)[0];
  const k = keyOn(primary, ":replica");
  // Redis 7.0 says "loading" for a replica whose offset the asked node last heard as 0 (the client does not
  // read from it until then): wait until the seed lists all six nodes online.
  assert.ok(
    await waitFor(
      async () =>
        (JSON.stringify(await cluster.call(cluster.nodes[0], "CLUSTER", "SHARDS")).match(/"online"/g) ?? [])
          .length === 6,
      10_000,
    ),
    "every node online",
  );
  await writer.set(k, "r1");
  assert.ok(
    await waitFor(async () => (await cluster.calls(replica, [["READONLY"], ["GET", k]]))[1] === "r1"),
    "the replica has the value",
  );
  const before = await getCalls([primary, replica]);
  for (let i = 0; i < 5; i++) assert.equal(await rc.get(k), "r1");
  const mid = await getCalls([primary, replica]);
  assert.deepEqual(
    mid.map((n, i) => n - before[i]),
    [0, 1],
    "one GET, on the replica; the rest from the cache",
  );

  await writer.set(k, "r2");
  await until(() => rc.cache!.stats.invalidations >= 1, "the replica's invalidation arrived");
  assert.equal(await rc.get(k), "r2");
  const after = await getCalls([primary, replica]);
  assert.deepEqual(after.map((n, i) => n - mid[i]), [0, 1], "read again, from the replica");
});

test("cluster cache: a killed primary drops its entries; its replica's value is read after the promotion; other nodes stay cached", async () => {
  await flushAll();
  await using rc = cachedClient();
  await using writer = plainClient();
  const victim = cluster.primaries[0];
  const other = cluster.primaries[2];
  const lost = keyOn(victim, ":killed");
  const kept = keyOn(other, ":kept");
  await writer.set(lost, "before");
  await writer.set(kept, "k");
  await cluster.call(victim, "WAIT", "1", "1000");
  for (let i = 0; i < 2; i++) {
    assert.equal(await rc.get(lost), "before");
    assert.equal(await rc.get(kept), "k");
  }
  assert.equal(rc.cache!.size, 2);
  await cluster.kill(victim);
  try {
    await until(
      () => rc.cache!.size === 1,
      "the lost connection dropped the victim's entries, and only those",
    );
    const promoted = await cluster.waitForPromotion(victim);
    await writer.set(lost, "after");
    const before = await getCalls([promoted, other]);
    assert.equal(await rc.get(lost), "after", "the new primary's value");
    assert.equal(await rc.get(kept), "k");
    const after = await getCalls([promoted, other]);
    assert.deepEqual(after.map((n, i) => n - before[i]), [1, 0], "the other node's entry stayed cached");
  } finally {
    await cluster.restart(victim);
    await cluster.waitStable();
  }
});

test("cluster cache: binary keys and values with decodeResponses: false; a node's Redis client shares the cache", async () => {
  await flushAll();
  await using rc = new RedisCluster({
    startupNodes: [cluster.seeds[0]],
    topologyRefreshInterval: 0,
    decodeResponses: false,
    cache: new CacheConfig(),
  });
  await using writer = plainClient();
  const key = new Uint8Array([0x7b, 0x62, 0x7d, 0xff, 0x00, 0x80]); // "{b}" then bytes that are not UTF-8
  const value = new Uint8Array(256).map((_, i) => i);
  await writer.set(key, value);
  assert.deepEqual(await rc.get(key), value);
  const again = await rc.get(key);
  assert.deepEqual(again, value);
  assert.equal(rc.cache!.stats.hits, 1);
  again![0] = 42;
  assert.deepEqual(await rc.get(key), value, "a caller's change does not reach the cache");
  await writer.set(key, "new");
  await until(() => rc.cache!.stats.invalidations >= 1, "a binary key was invalidated");
  assert.deepEqual(await rc.get(key), new TextEncoder().encode("new"));

  const node = rc.getNodeFromKey(key)!;
  const r = rc.nodeClient(node);
  assert.equal(r.cache!.stats, rc.cache!.stats, "one cache, one set of counters");
  const hits = rc.cache!.stats.hits;
  assert.deepEqual(await r.get(key), new TextEncoder().encode("new"));
  assert.equal(rc.cache!.stats.hits, hits + 1, "the node's client read the cluster's entry");
});

test("cluster cache: refused without RESP3, before anything is sent; rc.cache is undefined without the option", async () => {
  assert.throws(() => new RedisCluster({ protocol: 2, cache: new CacheConfig() }), DataError);
  const rc = plainClient();
  assert.equal(rc.cache, undefined);
  await rc.close();
  await cluster.stop();
});
