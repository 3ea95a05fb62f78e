// RedisCluster against a TLS-only 3×1 cluster whose nodes require an ACL user: every node connection
// (discovery, routing, redirects, promoted replicas) goes over TLS and authenticates. Asserted with the
// servers' own counters (INFO commandstats / errorstats, DBSIZE, CLIENT LIST).

import { test } from "node:test";
import assert from "node:assert/strict";
import { AuthenticationError, keySlot, RedisCluster, type RedisClusterOptions } from "../mod.ts";
import { startCluster } from "./harness/mod.ts";
import { describeOp, type LoadResult, startLoad } from "./support/cluster_load.ts";
import { sleep, waitFor } from "./support/async.ts";
import { keyInSlot, owns, probes } from "./support/cluster.ts";

// One cluster for the whole file; the last test stops it.
const cluster = await startCluster({ tls: true, user: "alice", password: "alice-pw" });
const { errors, flushAll } = probes(cluster);
const tls = { ca: cluster.certs!.ca };

function client(extra: RedisClusterOptions<true> = {}): RedisCluster {
  return new RedisCluster({
    startupNodes: [cluster.seeds[0]],
    tls,
    username: "alice",
    password: "alice-pw",
    topologyRefreshInterval: 0,
    ...extra,
  });
}

/** Each counter the load touched, read on its owner by the harness. */
async function finalValues(result: LoadResult): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const key of new Set([...result.acked.keys(), ...result.unknown.keys()])) {
    const owner = await cluster.ownerOf(keySlot(key));
    out.set(key, Number(await cluster.call(owner, "GET", key) ?? 0));
  }
  return out;
}

/** 30 slots spread over every shard, and `extra` more. */
function spreadSlots(extra: number[] = []): number[] {
  return [...Array.from({ length: 30 }, (_, i) => Math.floor((i * 16384) / 30) + 7), ...extra];
}

/** The load's surfaced errors, one per line, for assertion messages. */
function describe(result: LoadResult): string {
  return result.errors.map(describeOp).join("\n");
}

test("TLS + ACL: 1,000 SETs from one seed land on their owners, no MOVED after warm-up", async () => {
  await flushAll();
  await using rc = client();
  assert.equal(await rc.set("warm-up", "1"), true);
  const moved = await Promise.all(cluster.primaries.map((n) => errors(n, "MOVED")));
  const keys = Array.from({ length: 1000 }, (_, i) => `tls:${i}`);
  const replies = await Promise.all(keys.map((k, i) => rc.set(k, String(i))));
  assert.ok(replies.every((r) => r === true));
  const sizes = await cluster.dbsizes();
  for (const node of cluster.primaries) {
    const expected = [...keys, "warm-up"].filter((k) => owns(node, keySlot(k))).length;
    assert.equal(sizes[node.name], expected, `keys on ${node.name}`);
  }
  assert.deepEqual(
    await Promise.all(cluster.primaries.map((n) => errors(n, "MOVED"))),
    moved,
    "no MOVED once the map is known",
  );
  assert.deepEqual(await Promise.all(keys.map((k) => rc.get(k))), keys.map((_, i) => String(i)));
  // The nodes are named by their TLS ports, and every connection authenticated as alice.
  assert.deepEqual(rc.getNodes().map((n) => n.port).sort(), cluster.nodes.map((n) => n.port).sort());
  for (const node of cluster.primaries) {
    const list = String(await cluster.call(node, "CLIENT", "LIST"));
    assert.match(list, /user=alice/);
    assert.doesNotMatch(list, /user=default/);
  }
});

test("fromURL(rediss://user:pw@...) reaches every node over TLS", async () => {
  const seed = cluster.seeds[1];
  await using rc = RedisCluster.fromURL(`rediss://alice:alice-pw@${seed.host}:${seed.port}`, {
    tls,
    topologyRefreshInterval: 0,
  });
  const keys = Array.from({ length: 50 }, (_, i) => `url:${i}`);
  await Promise.all(keys.map((k) => rc.set(k, k)));
  assert.deepEqual(await rc.mget(keys), keys);
  assert.equal(rc.getPrimaries().length, 3);
  const info = await rc.withOptions({ targetNodes: RedisCluster.ALL_NODES }).info(
    "server",
  ) as unknown as Record<
    string,
    Record<string, unknown>
  >;
  assert.equal(Object.keys(info).length, 6);
});

test("TLS: a 100-slot reshard under load surfaces no error and loses no acknowledged INCR", async () => {
  await flushAll();
  await using rc = client();
  const from = cluster.primaries[0];
  const to = cluster.primaries[1];
  const first = from.slots[0][0];
  const moving = Array.from({ length: 10 }, (_, i) => first + i * 10);
  const load = startLoad(rc, spreadSlots(moving));
  await waitFor(() => load.ops.length > 150);
  const moved = await cluster.reshard(100, from, to);
  await sleep(200);
  const result = await load.stop();
  assert.equal(moved.length, 100);
  assert.equal(result.errors.length, 0, describe(result));
  assert.deepEqual(result.wrongReads, []);
  assert.deepEqual(await finalValues(result), result.acked);
  for (const slot of moving) assert.equal(rc.getNodeFromKey(keyInSlot(slot))?.port, to.port);
});

test("TLS: a manual failover under load surfaces no error", async () => {
  await flushAll();
  await using rc = client();
  const primary = cluster.primaries[2];
  const replica = cluster.replicasOf(primary)[0];
  const shardSlot = primary.slots[0][0];
  const load = startLoad(rc, spreadSlots([shardSlot]));
  await waitFor(() => load.ops.length > 150);
  await cluster.failover(replica);
  const ops = load.ops.length;
  await waitFor(() => load.ops.length > ops + 150);
  const result = await load.stop();
  assert.equal(result.errors.length, 0, describe(result));
  assert.deepEqual(result.wrongReads, []);
  assert.deepEqual(await finalValues(result), result.acked);
  assert.equal(
    rc.getNodeFromKey(keyInSlot(shardSlot))?.port,
    replica.port,
    "the promoted replica owns the shard",
  );
});

test("a wrong password is one AuthenticationError, quickly, and not retried", async () => {
  const before = await Promise.all(cluster.nodes.map((n) => errors(n, "WRONGPASS")));
  await using rc = client({ password: "wrong", startupNodes: cluster.seeds.slice(0, 2) });
  const started = Date.now();
  await assert.rejects(rc.get("k"), (error: Error) => {
    assert.ok(error instanceof AuthenticationError, `${error.name}: ${error.message}`);
    assert.match(error.message, /WRONGPASS/);
    return true;
  });
  assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
  const after = await Promise.all(cluster.nodes.map((n) => errors(n, "WRONGPASS")));
  const attempts = after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0);
  assert.ok(attempts >= 1 && attempts <= 2, `${attempts} AUTH attempts`);
});

test("TLS: SIGKILL of a primary under load: every promise settles, no acknowledged INCR lost or doubled", async () => {
  await flushAll();
  await using rc = client();
  const victim = cluster.primaries[1];
  const victimSlot = victim.slots[0][0];
  const victimKey = keyInSlot(victimSlot, ":k");
  const load = startLoad(rc, spreadSlots([victimSlot]));
  await waitFor(() => load.ops.length > 150);
  await cluster.kill(victim);
  const promoted = await cluster.waitForPromotion(victim);
  const promotedAt = Date.now();
  // The shard serves again soon after the promotion.
  assert.ok(await waitFor(async () => (await rc.get(victimKey).catch(() => "down")) !== "down", 2000));
  console.log(`TLS kill: shard served ${Date.now() - promotedAt} ms after the promotion`);
  const ops = load.ops.length;
  await waitFor(() => load.ops.length > ops + 150);
  const result = await load.stop();
  // Only writes whose reply was lost with the node may surface, as connection errors.
  for (const op of result.errors) {
    const e = op.error;
    assert.ok(op.command !== "GET" && e instanceof Error && e.name === "ConnectionError", describeOp(op));
  }
  const final = await finalValues(result);
  for (const [key, value] of final) {
    const acked = result.acked.get(key) ?? 0;
    assert.ok(
      value >= acked && value <= acked + (result.unknown.get(key) ?? 0),
      `${key}: ${value} applied, ${acked} acknowledged`,
    );
  }
  assert.equal(rc.getNodeFromKey(victimKey)?.port, promoted.port);
  await cluster.restart(victim);
});

test("stop the TLS cluster", async () => {
  await cluster.stop();
});
