// Cluster-wide SCAN and scripts against a real 3×1 cluster: every key yielded through a failover and a
// reshard, keyed SCAN commands routed by key, scripts on their keys' node after SCRIPT FLUSH and a failover.

import { test } from "node:test";
import assert from "node:assert/strict";
import { DataError, keySlot, RedisCluster } from "../mod.ts";
import { type ClusterNodeInfo, startCluster } from "./harness/mod.ts";
import { owns, probes } from "./support/cluster.ts";

// One cluster for the whole file; the last test stops it.
const cluster = await startCluster();
const { calls, flushAll } = probes(cluster);

function client(): RedisCluster {
  return new RedisCluster({ startupNodes: cluster.seeds, topologyRefreshInterval: 0 });
}

/** Writes `count` string keys `prefix:i` with parallel SETs, in batches. */
async function fill(rc: RedisCluster, prefix: string, count: number): Promise<string[]> {
  const keys = Array.from({ length: count }, (_, i) => `${prefix}:${i}`);
  for (let i = 0; i < keys.length; i += 2000) {
    await Promise.all(keys.slice(i, i + 2000).map((k) => rc.set(k, "1")));
  }
  return keys;
}

function missing(expected: string[], seen: Set<string>): string[] {
  return expected.filter((k) => !seen.has(k));
}

test("scanIter yields every one of 20,000 keys, from every primary", async () => {
  await flushAll();
  await using rc = client();
  const keys = await fill(rc, "scan", 20_000);
  const before = await Promise.all(cluster.primaries.map((n) => calls(n, "scan")));
  const seen = new Set<string>();
  for await (const key of rc.scanIter({ count: 500 })) seen.add(key);
  assert.deepEqual(missing(keys, seen), []);
  assert.equal(seen.size, 20_000);
  const after = await Promise.all(cluster.primaries.map((n) => calls(n, "scan")));
  after.forEach((n, i) => assert.ok(n > before[i], `SCAN reached ${cluster.primaries[i].name}`));
});

test("scanIter: match, count and type apply on every node", async () => {
  await flushAll();
  await using rc = client();
  await fill(rc, "m", 300);
  await Promise.all(Array.from({ length: 50 }, (_, i) => rc.hset(`h:${i}`, { f: "v" })));
  const matched: string[] = [];
  for await (const key of rc.scanIter({ match: "m:1*", count: 50 })) matched.push(key);
  assert.deepEqual(
    new Set(matched),
    new Set(Array.from({ length: 300 }, (_, i) => `m:${i}`).filter((k) => k.startsWith("m:1"))),
  );
  const hashes = new Set<string>();
  for await (const key of rc.scanIter({ type: "hash" })) hashes.add(key);
  assert.deepEqual(hashes, new Set(Array.from({ length: 50 }, (_, i) => `h:${i}`)));
});

test("scan(0) answers per primary; a node's cursor goes on with targetNodes; a bare cursor is refused", async () => {
  await flushAll();
  await using rc = client();
  const keys = await fill(rc, "cur", 3000);
  const perNode = await rc.scan(0, { count: 100 }) as unknown as Record<string, [string, string[]]>;
  assert.deepEqual(Object.keys(perNode).sort(), cluster.primaries.map((n) => n.name).sort());
  const seen = new Set<string>();
  for (const [name, [first, batch]] of Object.entries(perNode)) {
    batch.forEach((k) => seen.add(k));
    const node = rc.getNode({ name })!;
    for (let cursor = first; cursor !== "0";) {
      const [next, more] = await rc.withOptions({ targetNodes: node }).scan(cursor, { count: 100 });
      more.forEach((k) => seen.add(k));
      cursor = next;
    }
  }
  assert.deepEqual(missing(keys, seen), []);
  const before = await total("scan");
  await assert.rejects(rc.scan("17"), DataError);
  assert.equal(await total("scan"), before);
});

test("hscanIter, sscanIter and zscanIter go to the key's owner", async () => {
  await flushAll();
  await using rc = client();
  const fields = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`f${i}`, String(i)]));
  await rc.hset("hs", fields);
  await rc.sadd("ss", ...Array.from({ length: 100 }, (_, i) => `m${i}`));
  await rc.zadd("zs", Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`m${i}`, i])));
  const seen = new Map<string, string>();
  for await (const [f, v] of rc.hscanIter("hs", { count: 20 })) seen.set(String(f), String(v));
  assert.equal(seen.size, 200);
  assert.equal(seen.get("f7"), "7");
  const members = new Set<string>();
  for await (const m of rc.sscanIter("ss")) members.add(String(m));
  assert.equal(members.size, 100);
  let n = 0;
  for await (const _ of rc.zscanIter("zs")) n++;
  assert.equal(n, 100);
});

/** Writes 20,000 keys, waits until the replicas have them, then scans; `fault` runs (awaited, the scan
 * suspended) once 2,000 keys of the last-walked primary (the owner of slot 16383) have been yielded. */
async function scanAround(
  prefix: string,
  fault: (last: ClusterNodeInfo, first: ClusterNodeInfo) => Promise<void>,
): Promise<{ keys: string[]; seen: Set<string> }> {
  await flushAll();
  await using rc = client();
  const keys = await fill(rc, prefix, 20_000);
  for (const node of cluster.primaries) await cluster.call(node, "WAIT", "1", "2000");
  const last = await cluster.ownerOf(16383);
  const first = await cluster.ownerOf(0);
  const seen = new Set<string>();
  let ofLast = 0;
  let faulted = false;
  for await (const key of rc.scanIter({ count: 100 })) {
    seen.add(key);
    if (!faulted && owns(last, keySlot(key)) && ++ofLast === 2000) {
      faulted = true;
      await fault(last, first);
    }
  }
  assert.ok(faulted, "the fault happened during the scan");
  return { keys, seen };
}

test("scanIter while slots move: every key yielded at least once", async () => {
  let moved: number[] = [];
  const { keys, seen } = await scanAround("reshard", async (last, first) => {
    moved = await cluster.reshard(100, last, first);
  });
  assert.equal(moved.length, 100);
  assert.deepEqual(missing(keys, seen), []);
});

test("scanIter while a primary is killed: the walk resumes on the promoted replica, no key lost", async () => {
  let victim: ClusterNodeInfo | undefined;
  let promoted: Promise<ClusterNodeInfo> | undefined;
  const { keys, seen } = await scanAround("kill", async (last) => {
    victim = last;
    await cluster.kill(last);
    // The scan itself waits for the promotion; the harness confirms it happened.
    promoted = cluster.waitForPromotion(last);
    promoted.catch(() => {});
  });
  assert.deepEqual(missing(keys, seen), []);
  const primary = await promoted!;
  assert.notEqual(primary.name, victim!.name);
  await cluster.restart(victim!);
});

const INCR = "return redis.call('INCRBY', KEYS[1], ARGV[1])";

async function total(command: string, nodes: readonly ClusterNodeInfo[] = cluster.nodes): Promise<number> {
  let n = 0;
  for (const node of nodes) if (node.running) n += await calls(node, command);
  return n;
}

/** Keys spread over every primary. */
function spread(prefix: string): string[] {
  return Array.from({ length: 30 }, (_, i) => `${prefix}:${i}`);
}

test("registerScript: runs on each key's node, and again after SCRIPT FLUSH on every node", async () => {
  await flushAll();
  await using rc = client();
  const script = rc.registerScript(INCR);
  const keys = spread("sc");
  assert.deepEqual(
    await Promise.all(keys.map((k) => script.run({ keys: [k], args: [2] }))),
    keys.map(() => 2),
  );
  for (const node of cluster.nodes) if (node.running) await cluster.call(node, "SCRIPT", "FLUSH");
  const loadsBefore = await total("script|load");
  assert.deepEqual(
    await Promise.all(keys.map((k) => script.run({ keys: [k], args: [3] }))),
    keys.map(() => 5),
  );
  // Loaded on the primaries that answered NOSCRIPT, not on the replicas.
  const loadsOnPrimaries = await total("script|load", cluster.primaries);
  assert.ok(await total("script|load") - loadsBefore >= cluster.primaries.length);
  assert.equal(await total("script|load", cluster.replicas), 0);
  assert.ok(loadsOnPrimaries >= cluster.primaries.length);
  // No keys: a primary, loaded there.
  assert.equal(await rc.registerScript("return ARGV[1] * 2").run({ args: [21] }), 42);
  assert.equal(await rc.get(keys[0]), "5");
});

test("registerScript and eval/evalsha/fcall: keys in two slots are a DataError, nothing sent", async () => {
  await using rc = client();
  await rc.initialize();
  const before = await Promise.all(["eval", "evalsha", "fcall"].map((c) => total(c)));
  const script = rc.registerScript(INCR);
  await assert.rejects(script.run({ keys: ["a", "b"], args: [1] }), DataError);
  await assert.rejects(rc.eval("return 1", ["a", "b"]), DataError);
  await assert.rejects(rc.evalsha(script.sha, ["a", "b"]), DataError);
  await assert.rejects(rc.fcall("f", ["a", "b"]), DataError);
  assert.deepEqual(await Promise.all(["eval", "evalsha", "fcall"].map((c) => total(c))), before);
  // One slot through a hash tag is fine.
  assert.equal(await script.run({ keys: ["{t}a", "{t}b"], args: [1] }), 1);
});

test("scriptLoad reaches every node; functionLoad every primary, and FCALL runs on each key's node", async () => {
  await flushAll();
  await using rc = client();
  await rc.initialize();
  // Every node the client knows (a node restarted by an earlier test may still be syncing, and be left out
  // of the topology until it is healthy), every primary among them.
  const known = cluster.nodes.filter((n) => rc.getNode({ name: n.name }) !== undefined);
  for (const primary of cluster.primaries) assert.ok(known.includes(primary), `${primary.name} known`);
  assert.ok(known.length >= cluster.primaries.length + 2);
  const loads = await Promise.all(known.map((n) => calls(n, "script|load")));
  const sha = await rc.scriptLoad("return 7");
  assert.equal(typeof sha, "string");
  const after = await Promise.all(known.map((n) => calls(n, "script|load")));
  after.forEach((n, i) => assert.equal(n, loads[i] + 1, `SCRIPT LOAD on ${known[i].name}`));
  const fn = await Promise.all(cluster.primaries.map((n) => calls(n, "function|load")));
  await rc.functionLoad(
    "#!lua name=scanlib\nredis.register_function('bump', function(keys, args) return redis.call('INCR', keys[1]) end)",
    { replace: true },
  );
  const fnAfter = await Promise.all(cluster.primaries.map((n) => calls(n, "function|load")));
  fnAfter.forEach((n, i) => assert.equal(n, fn[i] + 1, `FUNCTION LOAD on ${cluster.primaries[i].name}`));
  const keys = spread("fc");
  assert.deepEqual(await Promise.all(keys.map((k) => rc.fcall("bump", [k]))), keys.map(() => 1));
});

test("registerScript keeps working after a failover (the new primary lacks the script)", async () => {
  await flushAll();
  await using rc = client();
  const script = rc.registerScript(INCR);
  const keys = spread("fo");
  await Promise.all(keys.map((k) => script.run({ keys: [k], args: [1] })));
  const victim = await cluster.ownerOf(keySlot(keys[0]));
  for (const node of cluster.nodes) if (node.running) await cluster.call(node, "SCRIPT", "FLUSH");
  await cluster.kill(victim);
  const promoted = await cluster.waitForPromotion(victim);
  // Every key, the promoted primary's included, while the killed node is still listed in the topology.
  const replies = await Promise.all(keys.map((k) => script.run({ keys: [k], args: [1] })));
  assert.deepEqual(replies, keys.map(() => 2));
  assert.ok(await calls(promoted, "script|load") >= 1);
  await cluster.restart(victim);
});

test("stop the cluster", async () => {
  await cluster.stop();
});
