// RedisCluster against a 3×1 cluster whose nodes announce 127.0.0.2 (cluster-announce-hostname with
// cluster-preferred-endpoint-type hostname) while listening on 127.0.0.1 only: topology replies and
// redirections name an address where nothing listens, so only `addressRemap` reaches the nodes.
// Asserted with the servers' own counters (INFO commandstats / errorstats, DBSIZE, CLIENT LIST).

import { test } from "node:test";
import assert from "node:assert/strict";
import { type AddressRemap, keySlot, RedisCluster, type RedisClusterOptions } from "../mod.ts";
import { startCluster } from "./harness/mod.ts";
import { describeOp, startLoad } from "./support/cluster_load.ts";
import { waitFor } from "./support/async.ts";
import { keyInSlot, owns, probes } from "./support/cluster.ts";

// One cluster for the whole file; the last test stops it.
const cluster = await startCluster({ announceHostname: "127.0.0.2" });
const { calls, errors, flushAll } = probes(cluster);

const byFunction: AddressRemap = ({ host, port }) => ({
  host: host === "127.0.0.2" ? "127.0.0.1" : host,
  port,
});
const byMap: AddressRemap = Object.fromEntries(
  cluster.nodes.map((n) => [`127.0.0.2:${n.port}`, { host: "127.0.0.1", port: n.port }]),
);

function client(addressRemap: AddressRemap | undefined, extra: RedisClusterOptions<true> = {}): RedisCluster {
  return new RedisCluster({
    startupNodes: [cluster.seeds[0]],
    addressRemap,
    topologyRefreshInterval: 0,
    ...extra,
  });
}

test("without addressRemap: a ConnectionError naming the announced address, in bounded time, nothing written", async () => {
  await using rc = client(undefined);
  const sets = await Promise.all(cluster.primaries.map((n) => calls(n, "set")));
  const started = Date.now();
  await assert.rejects(rc.set("k", "v"), (error: Error) => {
    console.log(`without addressRemap: ${error.name}: ${error.message}`);
    assert.equal(error.name, "ConnectionError", error.message);
    assert.match(error.message, /127\.0\.0\.2:\d+/);
    return true;
  });
  const ms = Date.now() - started;
  console.log(`without addressRemap: rejected after ${ms} ms`);
  assert.ok(ms < 5000, `took ${ms} ms`);
  assert.deepEqual(await Promise.all(cluster.primaries.map((n) => calls(n, "set"))), sets);
  // The topology itself was read (from the seed), and names the announced host.
  assert.ok(rc.getNodes().every((n) => n.host === "127.0.0.2"));
});

for (const [form, remap] of [["function", byFunction], ["map", byMap]] as const) {
  test(`addressRemap as a ${form}: 1,000 SETs land on their owners, nodes named by the remapped address`, async () => {
    await flushAll();
    await using rc = client(remap);
    assert.equal(await rc.set("warm-up", "1"), true);
    const moved = await Promise.all(cluster.primaries.map((n) => errors(n, "MOVED")));
    const keys = Array.from({ length: 1000 }, (_, i) => `remap:${i}`);
    assert.ok((await Promise.all(keys.map((k, i) => rc.set(k, String(i))))).every((r) => r === true));
    const sizes = await cluster.dbsizes();
    for (const node of cluster.primaries) {
      const expected = [...keys, "warm-up"].filter((k) => owns(node, keySlot(k))).length;
      assert.equal(sizes[node.name], expected, `keys on ${node.name}`);
    }
    assert.deepEqual(await Promise.all(cluster.primaries.map((n) => errors(n, "MOVED"))), moved);
    assert.deepEqual(rc.getNodes().map((n) => n.name).sort(), cluster.nodes.map((n) => n.name).sort());
    const info = await rc.withOptions({ targetNodes: RedisCluster.ALL_NODES }).info(
      "server",
    ) as unknown as Record<
      string,
      Record<string, unknown>
    >;
    assert.deepEqual(Object.keys(info).sort(), cluster.nodes.map((n) => n.name).sort());
  });
}

test("addressRemap applies to MOVED after a reshard (the redirect names 127.0.0.2)", async () => {
  await using rc = client(byMap);
  const from = cluster.primaries[0];
  const to = cluster.primaries[1];
  const slots = [from.slots[0][0], from.slots[0][0] + 1, from.slots[0][0] + 2];
  const keys = slots.map((s) => keyInSlot(s, ":moved"));
  for (const k of keys) await rc.set(k, k);
  await cluster.reshard(3, from, to);
  assert.match(String(await cluster.call(from, "GET", keys[0])), /127\.0\.0\.2/);
  const before = await errors(from, "MOVED");
  assert.deepEqual(await Promise.all(keys.map((k) => rc.get(k))), keys);
  assert.ok(await errors(from, "MOVED") > before, "the old owner answered MOVED");
  assert.equal(rc.getNodeFromKey(keys[0])?.name, to.name, "the map was patched with the remapped address");
  for (const slot of slots) await cluster.migrateSlot(slot, to, from);
});

test("addressRemap applies to ASK during a half-finished migration", async () => {
  await using rc = client(byFunction);
  const from = cluster.primaries[2];
  const to = cluster.primaries[0];
  const slot = from.slots[0][0] + 5;
  const moved = keyInSlot(slot, ":a");
  const stays = keyInSlot(slot, ":b");
  await rc.set(moved, "1");
  await rc.set(stays, "2");
  await cluster.migrateSlot(slot, from, to, { finish: false, keys: [moved] });
  try {
    const asks = await errors(from, "ASK");
    const asking = await calls(to, "asking");
    assert.equal(await rc.get(moved), "1");
    assert.equal(await rc.get(stays), "2");
    assert.equal(await errors(from, "ASK"), asks + 1);
    assert.equal(await calls(to, "asking"), asking + 1);
    assert.equal(rc.getNodeFromKey(moved)?.name, from.name, "ASK leaves the map alone");
  } finally {
    await cluster.finishMigration(slot);
    await cluster.migrateSlot(slot, to, from);
  }
});

test("addressRemap: a manual failover under load surfaces no error", async () => {
  await flushAll();
  await using rc = client(byMap);
  const primary = cluster.primaries[1];
  const replica = cluster.replicasOf(primary)[0];
  const shardSlot = primary.slots[0][0];
  const shardKey = keyInSlot(shardSlot, ":f");
  const slots = [...Array.from({ length: 30 }, (_, i) => Math.floor((i * 16384) / 30) + 7), shardSlot];
  const load = startLoad(rc, slots);
  await waitFor(() => load.ops.length > 150);
  await cluster.failover(replica);
  const ops = load.ops.length;
  await waitFor(() => load.ops.length > ops + 150);
  const result = await load.stop();
  assert.equal(result.errors.length, 0, result.errors.map(describeOp).join("\n"));
  assert.deepEqual(result.wrongReads, []);
  assert.equal(rc.getNodeFromKey(shardKey)?.name, replica.name, "the promoted replica, by its remapped name");
});

/** Connections named `name` on each node, by node name (the harness's own connection is unnamed). */
async function namedConnections(name: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const node of cluster.nodes) {
    const list = String(await cluster.call(node, "CLIENT", "LIST"));
    out[node.name] = list.split("\n").filter((line) => line.includes(` name=${name} `)).length;
  }
  return out;
}

test("a seed named otherwise than announced (localhost): its discovery pool is closed, one pool per node", async () => {
  const seed = cluster.primaries[0];
  await using rc = new RedisCluster({
    startupNodes: [{ host: "localhost", port: seed.port }],
    addressRemap: byFunction,
    clientName: "seedpool",
    topologyRefreshInterval: 0,
  });
  await rc.initialize();
  // Traffic to every primary: each opens its node's one shared connection.
  for (const node of cluster.primaries) await rc.set(keyInSlot(node.slots[0][0], ":s"), "1");
  const expected = Object.fromEntries(cluster.nodes.map((n) => [n.name, n.role === "primary" ? 1 : 0]));
  let seen: Record<string, number> = {};
  const settled = await waitFor(async () => {
    seen = await namedConnections("seedpool");
    return JSON.stringify(seen) === JSON.stringify(expected);
  }, 2000);
  assert.ok(settled, `connections per node: ${JSON.stringify(seen)}, expected ${JSON.stringify(expected)}`);
  assert.ok(rc.getNodes().every((n) => n.host === "127.0.0.1"));
});

test("stop the remapped cluster", async () => {
  await cluster.stop();
});
