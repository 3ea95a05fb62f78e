// Reads from replicas against a real 3×1 cluster: where GETs and SETs land is asserted with each node's INFO
// commandstats/errorstats and CLIENT LIST flags (`r`: READONLY), for every load-balancing strategy, plain
// pipelines and transactions, a killed replica (skipped, no surfaced error, used again once back) and a manual
// failover (reads and writes continue without a MOVED loop).

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ConstantBackoff,
  DataError,
  keySlot,
  RedisCluster,
  type RedisClusterOptions,
  Retry,
} from "../mod.ts";
import { type ClusterNodeInfo, startCluster } from "./harness/mod.ts";
import { sleep, waitFor } from "./support/async.ts";
import { owns } from "./support/cluster.ts";

// One cluster for the whole file; the last test stops it.
const cluster = await startCluster();

/** Keys spread over every shard. */
const KEYS = Array.from({ length: 300 }, (_, i) => `rr:${i}`);

function client(options: RedisClusterOptions<true> = {}): RedisCluster {
  return new RedisCluster({ startupNodes: [cluster.seeds[0]], topologyRefreshInterval: 0, ...options });
}

/** `command`'s calls per node name (every running node). */
async function callsByNode(command: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const node of cluster.nodes.filter((n) => n.running)) {
    out.set(node.name, (await cluster.counters(node)).commands[command]?.calls ?? 0);
  }
  return out;
}

/** Calls of `command` on `nodes` since `before`. */
function delta(after: Map<string, number>, before: Map<string, number>, nodes: ClusterNodeInfo[]): number {
  return nodes.reduce((sum, n) => sum + (after.get(n.name) ?? 0) - (before.get(n.name) ?? 0), 0);
}

async function movedCount(): Promise<number> {
  let n = 0;
  for (const node of cluster.nodes.filter((x) => x.running)) {
    n += (await cluster.counters(node)).errors.MOVED ?? 0;
  }
  return n;
}

/** Writes every key, then waits until each replica holds as many keys as its primary. */
async function writeAndReplicate(rc: RedisCluster, value = "v"): Promise<void> {
  await Promise.all(KEYS.map((k) => rc.set(k, `${value}:${k}`)));
  const ok = await waitFor(async () => {
    for (const primary of cluster.primaries) {
      const size = Number(await cluster.call(primary, "DBSIZE"));
      for (const replica of cluster.replicasOf(primary)) {
        if (!replica.running) continue;
        if (Number(await cluster.call(replica, "DBSIZE")) !== size) return false;
      }
    }
    return true;
  }, 5000);
  assert.ok(ok, "replicas caught up");
}

/** Nodes `CLUSTER SHARDS` on `node` says are online (a replica Redis 7.0 thinks empty is "loading"). */
async function onlineNodes(node: ClusterNodeInfo): Promise<number> {
  return (JSON.stringify(await cluster.call(node, "CLUSTER", "SHARDS")).match(/"online"/g) ?? []).length;
}

// Redis 7.0 leaves a replica out of CLUSTER SHARDS while its replication offset, as the asked node last heard
// by gossip, is 0: write on every shard and wait until the seed lists every replica, before any client under
// test discovers the cluster.
test("setup: every shard has data on its replica", async () => {
  await using rc = client();
  await writeAndReplicate(rc);
  assert.ok(await waitFor(async () => await onlineNodes(cluster.nodes[0]) === 6, 10_000));
});

test("loadBalancingStrategy and readFromReplicas are checked at construction", () => {
  assert.throws(
    () => new RedisCluster({ loadBalancingStrategy: "nearest" as "round_robin" }),
    (e) =>
      e instanceof DataError && /loadBalancingStrategy/.test(e.message) &&
      /round_robin_replicas/.test(e.message),
  );
  assert.throws(
    () => new RedisCluster({ readFromReplicas: "yes" as unknown as boolean }),
    (e) => e instanceof DataError && /readFromReplicas/.test(e.message),
  );
  for (const strategy of ["round_robin", "round_robin_replicas", "random_replica"] as const) {
    new RedisCluster({ loadBalancingStrategy: strategy });
  }
  new RedisCluster({ readFromReplicas: true });
});

test("round_robin_replicas: GETs land on replicas over READONLY connections, SETs on primaries", async () => {
  await using rc = client({ loadBalancingStrategy: "round_robin_replicas", clientName: "replica-rr" });
  const setsBefore = await callsByNode("set");
  await writeAndReplicate(rc);
  const setsAfter = await callsByNode("set");
  assert.equal(delta(setsAfter, setsBefore, cluster.primaries), KEYS.length, "SETs on primaries");
  const getsBefore = await callsByNode("get");
  const movedBefore = await movedCount();
  const values = await Promise.all(KEYS.map((k) => rc.get(k)));
  assert.deepEqual(values, KEYS.map((k) => `v:${k}`));
  const getsAfter = await callsByNode("get");
  assert.equal(delta(getsAfter, getsBefore, cluster.replicas), KEYS.length, "GETs on replicas");
  assert.equal(delta(getsAfter, getsBefore, cluster.primaries), 0, "no GET on a primary");
  for (const replica of cluster.replicas) {
    const mine = KEYS.filter((k) => owns(cluster.primaryOf(replica), keySlot(k))).length;
    assert.equal(delta(getsAfter, getsBefore, [replica]), mine, `GETs on ${replica.name}`);
  }
  assert.equal(await movedCount(), movedBefore, "no MOVED");
  // Each replica's connection from this client is in READONLY mode.
  for (const replica of cluster.replicas) {
    const list = String(await cluster.call(replica, "CLIENT", "LIST"));
    const mine = list.split("\n").filter((line) => / name=replica-rr /.test(line));
    assert.ok(mine.length > 0, `a connection on ${replica.name}`);
    for (const line of mine) assert.match(line, / flags=[A-Za-z]*r/, line);
  }
  // getNodeFromKey({ replica: true }) names the node the reads went to.
  for (const key of KEYS.slice(0, 5)) {
    const node = rc.getNodeFromKey(key, { replica: true });
    assert.equal(node?.serverType, "replica");
    assert.equal(cluster.primaryOf(cluster.node(node!.name)).name, rc.getNodeFromKey(key)?.name);
  }
});

test("without a strategy every command goes to the primaries", async () => {
  await using rc = client();
  await writeAndReplicate(rc);
  const before = await callsByNode("get");
  await Promise.all(KEYS.map((k) => rc.get(k)));
  const after = await callsByNode("get");
  assert.equal(delta(after, before, cluster.primaries), KEYS.length);
  assert.equal(delta(after, before, cluster.replicas), 0);
});

test("round_robin spreads reads of one slot over the primary and its replica", async () => {
  await using rc = client({ loadBalancingStrategy: "round_robin" });
  await rc.set("spread", "x");
  const primary = cluster.primaries.find((p) => owns(p, keySlot("spread")))!;
  const replica = cluster.replicasOf(primary)[0];
  assert.ok(await waitFor(async () => String(await cluster.call(replica, "DBSIZE")) !== "0"));
  await sleep(100);
  const before = await callsByNode("get");
  for (let i = 0; i < 40; i++) await rc.get("spread");
  const after = await callsByNode("get");
  assert.equal(delta(after, before, [primary]), 20);
  assert.equal(delta(after, before, [replica]), 20);
});

test("readFromReplicas: true is round_robin (redis-py)", async () => {
  await using rc = client({ readFromReplicas: true });
  await rc.set("spread", "y");
  const primary = cluster.primaries.find((p) => owns(p, keySlot("spread")))!;
  const replica = cluster.replicasOf(primary)[0];
  const before = await callsByNode("get");
  for (let i = 0; i < 10; i++) await rc.get("spread");
  const after = await callsByNode("get");
  assert.equal(delta(after, before, [primary]), 5);
  assert.equal(delta(after, before, [replica]), 5);
});

test("random_replica: reads only on replicas, spread over all three", async () => {
  await using rc = client({ loadBalancingStrategy: "random_replica" });
  await writeAndReplicate(rc, "r");
  const before = await callsByNode("get");
  const values = await Promise.all(KEYS.map((k) => rc.get(k)));
  assert.deepEqual(values, KEYS.map((k) => `r:${k}`));
  const after = await callsByNode("get");
  assert.equal(delta(after, before, cluster.replicas), KEYS.length);
  assert.equal(delta(after, before, cluster.primaries), 0);
  for (const replica of cluster.replicas) assert.ok(delta(after, before, [replica]) > 0, replica.name);
});

test("plain pipelines send their reads to replicas, writes to primaries; transactions stay on the primary", async () => {
  await using rc = client({ loadBalancingStrategy: "round_robin_replicas" });
  await writeAndReplicate(rc, "p");
  const gets = await callsByNode("get");
  const sets = await callsByNode("set");
  const pipe = rc.pipeline({ transaction: false });
  for (const k of KEYS) pipe.get(k).set(`${k}:w`, "1");
  const replies = await pipe.exec();
  KEYS.forEach((k, i) => {
    assert.equal(replies[2 * i], `p:${k}`);
    assert.equal(replies[2 * i + 1], true);
  });
  const gets2 = await callsByNode("get");
  const sets2 = await callsByNode("set");
  assert.equal(delta(gets2, gets, cluster.replicas), KEYS.length, "pipeline GETs on replicas");
  assert.equal(delta(gets2, gets, cluster.primaries), 0);
  assert.equal(delta(sets2, sets, cluster.primaries), KEYS.length, "pipeline SETs on primaries");
  const [value] = await rc.pipeline().get("{u}a").set("{u}b", "1").exec();
  assert.equal(value, null);
  const gets3 = await callsByNode("get");
  assert.equal(delta(gets3, gets2, cluster.primaries), 1, "the transaction's GET on the primary");
  assert.equal(delta(gets3, gets2, cluster.replicas), 0);
});

test("a killed replica is skipped with no surfaced error, and used again once back", async () => {
  // One retry after 3 s: a skipped replica costs neither (the reads below finish well before).
  await using rc = client({
    loadBalancingStrategy: "round_robin_replicas",
    topologyRefreshInterval: 300,
    retry: new Retry(new ConstantBackoff(3000), 1),
  });
  await writeAndReplicate(rc, "k");
  const victim = cluster.replicas[0];
  const shard = cluster.primaryOf(victim);
  await cluster.kill(victim);
  const errors: unknown[] = [];
  for (let round = 0; round < 5; round++) {
    const before = await callsByNode("get");
    const started = Date.now();
    const values = await Promise.all(KEYS.map((k) => rc.get(k).catch((e) => (errors.push(e), undefined))));
    assert.ok(Date.now() - started < 1500, `round ${round}: ${Date.now() - started} ms`);
    const pipe = rc.pipeline({ transaction: false });
    for (const k of KEYS) pipe.get(k);
    assert.deepEqual(await pipe.exec(), KEYS.map((k) => `k:${k}`));
    assert.deepEqual(values, KEYS.map((k) => `k:${k}`));
    const after = await callsByNode("get");
    const mine = KEYS.filter((k) => owns(shard, keySlot(k))).length;
    // The dead replica's reads fell back on its primary.
    assert.equal(delta(after, before, [shard]), 2 * mine, `round ${round}: GETs on ${shard.name}`);
    await sleep(100);
  }
  assert.equal(errors.length, 0, String(errors));
  await cluster.restart(victim);
  // Once the topology shows it up again, the replica serves reads again.
  const back = await waitFor(async () => {
    const before = await callsByNode("get");
    await Promise.all(KEYS.map((k) => rc.get(k).catch((e) => errors.push(e))));
    const after = await callsByNode("get");
    return delta(after, before, [victim]) > 0;
  }, 10_000);
  assert.ok(back, `${victim.name} serves reads again`);
  assert.equal(errors.length, 0, String(errors));
});

test("after a manual failover reads and writes go on without errors or a MOVED loop", async () => {
  await using _stop = { [Symbol.asyncDispose]: () => cluster.stop() };
  await using rc = client({
    loadBalancingStrategy: "round_robin_replicas",
    clientName: "replica-fo",
    topologyRefreshInterval: 1000,
  });
  await writeAndReplicate(rc, "f");
  const promoted = cluster.replicas[0];
  const demoted = cluster.primaryOf(promoted);
  const slotKeys = KEYS.filter((k) => owns(demoted, keySlot(k)));
  const movedBefore = await movedCount();
  const errors: unknown[] = [];
  let stop = false;
  let rounds = 0;
  // Four workers, each one command at a time: at most four commands are in flight when the roles swap.
  const load = Promise.all([0, 1, 2, 3].map(async (w) => {
    for (let i = w; !stop; i += 4) {
      const k = slotKeys[i % slotKeys.length];
      await rc.set(`{${k}}:fo`, String(i)).catch((e) => errors.push(e));
      const value = await rc.get(k).catch((e) => (errors.push(e), undefined));
      if (value !== `f:${k}`) errors.push(new Error(`${k}: ${value}`));
      rounds++;
    }
  }));
  await sleep(200);
  await cluster.failover(promoted);
  await sleep(1000);
  stop = true;
  await load;
  assert.equal(errors.length, 0, String(errors));
  assert.ok(rounds > 100, `rounds: ${rounds}`);
  // The roles swapped: reads now go to the old primary (READONLY), writes to the promoted replica, once the
  // topology lists the old primary as an online replica.
  assert.ok(await waitFor(async () => await onlineNodes(cluster.nodes[0]) === 6, 10_000));
  const moved = await movedCount();
  assert.ok(moved - movedBefore <= 10, `MOVED during the failover: ${moved - movedBefore}`);
  let settled = "";
  assert.ok(
    await waitFor(async () => {
      const gets = await callsByNode("get");
      const sets = await callsByNode("set");
      await Promise.all(slotKeys.map((k) => rc.get(k)));
      await Promise.all(slotKeys.map((k) => rc.set(`{${k}}:fo`, "after")));
      const gets2 = await callsByNode("get");
      const sets2 = await callsByNode("set");
      settled = `reads on ${demoted.name}: ${delta(gets2, gets, [demoted])}, writes on ${promoted.name}: ${
        delta(sets2, sets, [promoted])
      } of ${slotKeys.length}`;
      return delta(gets2, gets, [demoted]) === slotKeys.length &&
        delta(sets2, sets, [promoted]) === slotKeys.length;
    }, 5000),
    settled,
  );
  assert.equal(await movedCount(), moved, "no MOVED once settled");
  const list = String(await cluster.call(demoted, "CLIENT", "LIST"));
  const mine = list.split("\n").filter((line) => / name=replica-fo /.test(line));
  assert.ok(mine.length > 0);
  for (const line of mine) assert.match(line, / flags=[A-Za-z]*r/, line);
});
