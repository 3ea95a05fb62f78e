// Keyspace notifications on a real 3×1 cluster (cluster-node-timeout 1000): a node notifies only of its own
// keys, so the helper subscribes on every primary; events of keys on every shard arrive; `configure` merges
// the flags on every primary (replicas untouched); after a manual failover and after a primary is killed,
// the promoted replica is configured and subscribed and the demoted or dead node left, asserted with the
// servers' own view (PUBSUB NUMSUB, CONFIG GET), with the figures printed for the README.

import { test } from "node:test";
import assert from "node:assert/strict";
import { DataError, keySlot, type KeyspaceNotifications, RedisCluster } from "../mod.ts";
import { type ClusterNodeInfo, startCluster } from "./harness/mod.ts";
import { waitFor } from "./support/async.ts";
import { keyInSlot } from "./support/cluster.ts";

// One cluster for the whole file; the last test stops it.
const cluster = await startCluster({ nodeTimeoutMs: 1000 });

/** Prints a measured figure (the README quotes them). */
function figure(name: string, value: unknown): void {
  console.log(`[figure] ${name}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
}

function client(): RedisCluster {
  return new RedisCluster({ startupNodes: cluster.seeds });
}

/** One key per primary at the start (its first slot), in the order of `cluster.primaries`. */
const KEYS = cluster.primaries.map((p, i) => keyInSlot(p.slots[0][0], `:ksc${i}`));

async function flagsOf(node: ClusterNodeInfo): Promise<string> {
  return ((await cluster.call(node, "CONFIG", "GET", "notify-keyspace-events")) as string[])[1];
}

function letters(value: string): string {
  return [...new Set(value)].sort().join("");
}

async function numsub(node: ClusterNodeInfo, channel: string): Promise<number> {
  const reply = await cluster.call(node, "PUBSUB", "NUMSUB", channel) as [string, number];
  return Number(reply[1]);
}

/** The next notification within 10 s, or a failure (a bound, not a timing assertion). */
async function next(kn: KeyspaceNotifications): Promise<{ key: string; eventType: string }> {
  const n = await kn.getMessage({ timeout: 10_000 });
  assert.ok(n !== null, "no notification within 10 s");
  return n;
}

test("configure merges the flags on every primary and leaves the replicas alone", async () => {
  await cluster.call(cluster.primaries[0], "CONFIG", "SET", "notify-keyspace-events", "Ex");
  for (const node of cluster.primaries.slice(1)) {
    await cluster.call(node, "CONFIG", "SET", "notify-keyspace-events", "");
  }
  for (const node of cluster.replicas) {
    await cluster.call(node, "CONFIG", "SET", "notify-keyspace-events", "");
  }
  await using rc = client();
  await using kn = await rc.keyspaceNotifications({ keys: KEYS, events: ["set", "del"], configure: true });
  assert.equal(kn.pubsubs.length, 3);
  assert.equal(letters(await flagsOf(cluster.primaries[0])), letters("ExK$g"));
  for (const node of cluster.primaries.slice(1)) assert.equal(letters(await flagsOf(node)), letters("K$g"));
  for (const node of cluster.replicas) assert.equal(await flagsOf(node), "");
});

test("events of keys on every shard arrive, each from its own primary; other events are not yielded", async () => {
  for (const node of cluster.nodes) {
    await cluster.call(node, "CONFIG", "SET", "notify-keyspace-events", "KEA");
  }
  await using rc = client();
  await using kn = await rc.keyspaceNotifications({ patterns: ["{*}:ksc*"], events: ["set"] });
  for (const node of cluster.primaries) {
    assert.equal(await cluster.call(node, "PUBSUB", "NUMPAT"), 1, `subscribed on ${node.name}`);
  }
  for (const node of cluster.replicas) assert.equal(await cluster.call(node, "PUBSUB", "NUMPAT"), 0);
  const shards = new Set(
    KEYS.map((k) => keySlot(k)).map((s) => cluster.primaries.find((p) => owns(p, s))!.name),
  );
  assert.equal(shards.size, 3, "one key per shard");
  for (const key of KEYS) {
    await rc.del(key); // "del": not asked for
    await rc.set(key, "v");
  }
  const got = new Set<string>();
  for (let i = 0; i < KEYS.length; i++) {
    const n = await next(kn);
    assert.equal(n.eventType, "set");
    got.add(n.key);
  }
  assert.deepEqual([...got].sort(), [...KEYS].sort());
  await rc.close();
  // Closing the client closed the notifications.
  assert.equal(kn.subscribed, false);
});

function owns(node: ClusterNodeInfo, slot: number): boolean {
  return node.slots.some(([a, b]) => slot >= a && slot <= b);
}

/**
 * Waits until the channel of `key` is subscribed once on every primary (the current owner of `key`'s slot
 * included) and on no replica: asserted with PUBSUB NUMSUB on every running node. With `rc`, a command on
 * the slot is sent meanwhile; without, the notifications find the new primary by themselves. Returns how
 * long it took.
 */
async function followed(key: string, rc?: RedisCluster): Promise<{ owner: ClusterNodeInfo; ms: number }> {
  const started = Date.now();
  const channel = `__keyspace@0__:${key}`;
  const owner = await cluster.ownerOf(keySlot(key));
  const ok = await waitFor(async () => {
    // A command on the slot: its MOVED teaches the client the new owner, as any application's would.
    await rc?.exists(key).catch(() => {});
    for (const node of cluster.nodes) {
      if (!node.running) continue;
      const primary = node.role === "primary";
      if (await numsub(node, channel) !== (primary ? 1 : 0)) return false;
    }
    return true;
  }, 20_000);
  assert.ok(ok, `subscribed on the primaries (${owner.name} included) and on no replica`);
  return { owner, ms: Date.now() - started };
}

test("after a manual failover the promoted replica is configured and subscribed, the demoted node left", async () => {
  for (const node of cluster.nodes) await cluster.call(node, "CONFIG", "SET", "notify-keyspace-events", "");
  await using rc = client();
  await using kn = await rc.keyspaceNotifications({ keys: KEYS, events: ["set"], configure: true });
  const key = KEYS[0];
  const oldPrimary = await cluster.ownerOf(keySlot(key));
  const replica = cluster.replicasOf(oldPrimary)[0];
  assert.equal(await flagsOf(replica), "");
  const failoverMs = await cluster.failover(replica);
  // No command: the demoted node stays up and nothing is redirected, yet the new primary is found.
  const { owner, ms } = await followed(key);
  assert.equal(owner.name, replica.name);
  assert.equal(letters(await flagsOf(owner)), letters("K$"));
  await rc.set(key, "after failover");
  assert.deepEqual(await next(kn), {
    key,
    eventType: "set",
    database: 0,
    channel: `__keyspace@0__:${key}`,
    isKeyspace: true,
  });
  assert.equal(kn.pubsubs.length, 3);
  figure("keyspace notifications follow a manual failover", { failoverMs, failoverToResubscribedMs: ms });
});

test("after a primary is killed its promoted replica is subscribed; the other shards go on", async () => {
  for (const node of cluster.nodes) {
    if (node.running) await cluster.call(node, "CONFIG", "SET", "notify-keyspace-events", "KEA");
  }
  await using rc = client();
  await using kn = await rc.keyspaceNotifications({ keys: KEYS, events: ["set"] });
  const key = KEYS[1];
  const victim = await cluster.ownerOf(keySlot(key));
  const killed = Date.now();
  await cluster.kill(victim);
  await cluster.waitForPromotion(victim);
  const { owner, ms } = await followed(key, rc);
  assert.notEqual(owner.name, victim.name);
  // The promoted node's key and the keys of the shards that never failed.
  for (const k of KEYS) await rc.set(k, "after kill");
  const got = new Set<string>();
  for (let i = 0; i < KEYS.length; i++) got.add((await next(kn)).key);
  assert.deepEqual([...got].sort(), [...KEYS].sort());
  figure("keyspace notifications follow a killed primary", {
    killToSubscribedOnPromotedMs: Date.now() - killed,
    promotionToResubscribedMs: ms,
  });
  await cluster.restart(victim);
});

test("bad options are DataErrors before anything is sent (db other than 0 included)", async () => {
  await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 1 }] });
  for (const options of [{ db: 1 }, { keys: [7] }, { events: [] }, { configure: "?" }]) {
    await assert.rejects(rc.keyspaceNotifications(options as never), DataError, JSON.stringify(options));
  }
});

test("stop the cluster", async () => {
  await cluster.stop();
});
