// The rest of RedisCluster's API against a real 3×1 cluster: blocking commands on the key's owner, lock()
// and monitor(), per-node events and response callbacks, a deadline over a whole redirected/retried
// command, per-node scan typing, and pipe.watch() on a cluster pipeline.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ClusterCrossSlotError,
  DataError,
  RedisCluster,
  RedisConnectionEvent,
  RedisErrorEvent,
  WatchError,
} from "../mod.ts";
import { type ClusterNodeInfo, freePort, startCluster } from "./harness/mod.ts";
import { sleep } from "./support/async.ts";
import { keyInSlot, probes } from "./support/cluster.ts";

// One cluster for the whole file; the last test stops it.
const cluster = await startCluster();
const { calls } = probes(cluster);

/** A key owned by `node` (its first slot plus `offset`). */
function keyOn(node: ClusterNodeInfo, offset: number, suffix = ""): string {
  return keyInSlot(node.slots[0][0] + offset, suffix);
}

function seed(): RedisCluster {
  return new RedisCluster({ startupNodes: [cluster.seeds[0]], topologyRefreshInterval: 0 });
}

test("blocking: two BLPOPs on different shards wait at once, each woken by its own push, on its owner", async () => {
  await using rc = seed();
  await rc.initialize();
  const [a, b] = [cluster.primaries[0], cluster.primaries[1]];
  const ka = keyOn(a, 1, ":q");
  const kb = keyOn(b, 1, ":q");
  await rc.del(ka);
  await rc.del(kb);
  const before = [await calls(a, "blpop"), await calls(b, "blpop")];
  const started = Date.now();
  const pa = rc.blpop(ka, 5);
  const pb = rc.blpop(kb, 5);
  await sleep(150);
  // Both wait together: the shared connections stay free for other commands meanwhile.
  assert.equal(await rc.rpush(kb, "vb"), 1);
  assert.deepEqual(await pb, [kb, "vb"]);
  assert.equal(await rc.rpush(ka, "va"), 1);
  assert.deepEqual(await pa, [ka, "va"]);
  assert.ok(Date.now() - started < 2_000, "woken by the pushes, not by their timeouts");
  assert.equal(await calls(a, "blpop"), before[0] + 1, "BLPOP ran on its key's owner");
  assert.equal(await calls(b, "blpop"), before[1] + 1, "BLPOP ran on its key's owner");
});

test("blocking: BLMOVE, BZPOPMIN and XREAD BLOCK on the key's owner; a server timeout resolves null; an abort rejects", async () => {
  await using rc = seed();
  const node = cluster.primaries[2];
  const src = keyOn(node, 2, ":src");
  const dst = keyOn(node, 2, ":dst");
  const zset = keyOn(node, 3, ":z");
  const stream = keyOn(node, 4, ":s");
  await rc.del(src, dst);
  await rc.del(zset);
  await rc.del(stream);
  const moving = rc.blmove(src, dst, 5, "LEFT", "RIGHT");
  const popping = rc.bzpopmin(zset, 5);
  const reading = rc.xread({ [stream]: "$" }, { block: 5_000 });
  await sleep(150);
  await rc.rpush(src, "x");
  await rc.zadd(zset, { m: 1 });
  await rc.xadd(stream, { f: "v" });
  assert.equal(await moving, "x");
  assert.deepEqual(await rc.lrange(dst, 0, -1), ["x"]);
  assert.deepEqual(await popping, [zset, "m", 1]);
  const entries = await reading as unknown as [string, [string, string[]][]][];
  assert.equal(entries[0][0], stream);
  for (const command of ["blmove", "bzpopmin", "xread"]) {
    assert.ok(await calls(node, command) > 0, `${command} ran on the owner`);
  }

  let started = Date.now();
  assert.equal(await rc.blpop(keyOn(node, 5, ":empty"), 0.2), null);
  const waited = Date.now() - started;
  assert.ok(waited >= 150 && waited < 1_500, `the server's timeout: ${waited} ms`);

  started = Date.now();
  await assert.rejects(
    rc.withOptions({ signal: AbortSignal.timeout(200) }).blpop(keyOn(node, 5, ":empty"), 0),
  );
  assert.ok(Date.now() - started < 1_500, "the abort ended the wait");
  assert.equal(await rc.ping(), true, "the client goes on");
});

test("lock(): acquired on the lock key's owner, exclusive, released; lockClass is checked", async () => {
  await using rc = seed();
  await rc.initialize();
  const name = "cluster:lock";
  const owner = rc.getNodeFromKey(name)!;
  const ownerInfo = cluster.node(owner.name);
  await rc.del(name);
  const first = rc.lock(name, { timeout: 5_000 });
  const second = rc.lock(name, { timeout: 5_000 });
  assert.equal(await first.acquire({ blocking: false }), true);
  assert.equal(await cluster.call(ownerInfo, "EXISTS", name), 1, "the lock key is on its owner");
  assert.equal(await second.acquire({ blocking: false }), false);
  assert.equal(await first.locked(), true);
  assert.equal(await first.owned(), true);
  await first.release();
  assert.equal(await cluster.call(ownerInfo, "EXISTS", name), 0);
  assert.equal(await second.acquire({ blocking: true, blockingTimeout: 1_000 }), true);
  await second.release();
  assert.throws(() => rc.lock(name, { lockClass: Object as never }), /lockClass/);
});

test("monitor(node): that node's commands only; closing it ends the iteration", async () => {
  await using rc = seed();
  await rc.initialize();
  const [a, b] = rc.getPrimaries();
  const keyA = keyOn(cluster.node(a.name), 6, ":mon");
  const keyB = keyOn(cluster.node(b.name), 6, ":mon");
  const monitor = await rc.monitor(a);
  await rc.set(keyB, "b");
  await rc.set(keyA, "a");
  const seen: string[][] = [];
  for await (const entry of monitor) {
    seen.push(entry.args.map(String));
    if (entry.args.map(String).includes(keyA)) break;
  }
  assert.ok(seen.some((args) => args[0].toUpperCase() === "SET" && args[1] === keyA));
  assert.ok(!seen.some((args) => args.includes(keyB)), "the other node's SET is not seen");
  await assert.rejects(rc.monitor("nope" as never), DataError);
});

test("events: connect and ready for every node's connections, address = node name; error for a dead seed; end on close", async () => {
  const dead = await freePort();
  const rc = new RedisCluster({
    startupNodes: [{ host: "127.0.0.1", port: dead }, cluster.seeds[0]],
    topologyRefreshInterval: 0,
  });
  const ready = new Set<string>();
  const connected = new Set<string>();
  const errors: string[] = [];
  let ended = 0;
  rc.addEventListener("connect", (e) => {
    assert.ok(e instanceof RedisConnectionEvent);
    connected.add(e.address);
  });
  rc.addEventListener("ready", (e) => ready.add(e.address));
  rc.addEventListener("error", (e) => {
    assert.ok(e instanceof RedisErrorEvent);
    errors.push(e.address);
  });
  rc.addEventListener("end", () => ended++);
  await rc.initialize();
  await rc.ping(); // every primary
  for (const primary of rc.getPrimaries()) {
    assert.ok(ready.has(primary.name), `ready from ${primary.name}`);
    assert.ok(connected.has(primary.name), `connect from ${primary.name}`);
  }
  assert.ok(errors.includes(`127.0.0.1:${dead}`), "the dead seed's failure, named");
  await rc.close();
  assert.equal(ended, 1);
});

test("setResponseCallback: applies on every node and to merged replies", async () => {
  await using rc = seed();
  await rc.initialize();
  rc.setResponseCallback("get", (reply) => reply === null ? -1 : Number(reply));
  rc.setResponseCallback("DBSIZE", (reply) => `keys=${reply}`);
  assert.equal(rc.getResponseCallback("GET") !== undefined, true);
  for (const [i, node] of cluster.primaries.entries()) {
    const key = keyOn(node, 8, ":cb");
    await rc.set(key, String(i + 40));
    assert.equal(await rc.get(key) as unknown, i + 40);
  }
  assert.equal(await rc.get(keyOn(cluster.primaries[0], 9, ":none")) as unknown, -1);
  assert.match(String(await rc.dbsize()), /^keys=\d+$/);
  rc.setResponseCallback("echo", (reply) => `<${reply}>`);
  const perNode = await rc.withOptions({ targetNodes: RedisCluster.PRIMARIES }).echo("x");
  assert.deepEqual(Object.values(perNode as unknown as Record<string, string>), ["<x>", "<x>", "<x>"]);
});

test("setResponseCallback: pipelines and transactions take it, as single commands do", async () => {
  await using rc = seed();
  await rc.initialize();
  rc.setResponseCallback("GET", (reply) => reply === null ? -1 : Number(reply));
  const keys = cluster.primaries.map((node, i) => keyOn(node, 10 + i, ":cbpipe"));
  const piped = rc.pipeline({ transaction: false });
  for (const [i, key] of keys.entries()) piped.set(key, String(i + 70)).get(key);
  piped.get(keyOn(cluster.primaries[0], 20, ":cbnone"));
  const replies = await piped.exec();
  assert.deepEqual(replies, [true, 70, true, 71, true, 72, -1], "every node's GET took the callback");
  const [set, got, missing] = await rc.pipeline().set("{cbtx}a", "5").get("{cbtx}a").get("{cbtx}b").exec();
  assert.deepEqual([set, got, missing], [true, 5, -1], "the transaction's GETs took it too");
});

test("deadline: timeout bounds the whole command over TRYAGAIN retries (TimeoutError in about 300 ms)", async () => {
  await using rc = seed();
  const from = cluster.primaries[1];
  const to = cluster.primaries[2];
  const slot = from.slots[0][0] + 17;
  const moved = keyInSlot(slot, ":a");
  const stays = keyInSlot(slot, ":b");
  await rc.mset({ [moved]: "1", [stays]: "2" });
  await cluster.migrateSlot(slot, from, to, { finish: false, keys: [moved] });
  try {
    const started = Date.now();
    await assert.rejects(
      rc.withOptions({ timeout: 300 }).mget([moved, stays]),
      (e: Error) => e.name === "TimeoutError",
    );
    const took = Date.now() - started;
    assert.ok(took >= 250 && took < 700, `rejected after ${took} ms`);
  } finally {
    await cluster.finishMigration(slot);
    await cluster.migrateSlot(slot, to, from);
  }
  // The slot is whole again: the client that timed out goes on.
  assert.deepEqual(await rc.mget([moved, stays]), ["1", "2"]);
});

test("scan(0) is typed per node; onNodes() resolves per node name, typed so, even where withOptions merges", async () => {
  await using rc = seed();
  await rc.set("scan:typed", "1");
  const perNode: Record<string, [string, string[]]> = await rc.scan(0);
  assert.equal(Object.keys(perNode).length, 3);
  for (const [name, [cursor, keys]] of Object.entries(perNode)) {
    assert.ok(rc.getNode({ name }), name);
    assert.equal(typeof cursor, "string");
    assert.ok(Array.isArray(keys));
  }
  const echoes: Record<string, string> = await rc.onNodes(RedisCluster.ALL_NODES).echo("hi");
  assert.equal(Object.keys(echoes).length, 6);
  assert.deepEqual(new Set(Object.values(echoes)), new Set(["hi"]));
  // Per node even where withOptions merges (DBSIZE sums) and for one node.
  const sizes: Record<string, number> = await rc.onNodes(RedisCluster.PRIMARIES).dbsize();
  assert.equal(Object.keys(sizes).length, 3);
  const merged: number = await rc.withOptions({ targetNodes: RedisCluster.PRIMARIES }).dbsize();
  assert.equal(merged, Object.values(sizes).reduce((a, b) => a + b, 0));
  const one = rc.getPrimaries()[0];
  assert.deepEqual(Object.keys(await rc.onNodes([one]).ping()), [one.name]);
  await assert.rejects(rc.onNodes("nowhere" as never).ping(), DataError);
});

test("pipe.watch() on a cluster pipeline: immediate reads, multi() on the owner, WatchError, cross-slot refused", async () => {
  await using rc = seed();
  await rc.initialize();
  const node = cluster.primaries[0];
  const k1 = keyOn(node, 12, ":w1");
  const k2 = keyOn(node, 12, ":w2");
  await rc.set(k1, "10");
  const execs = await calls(node, "exec");
  {
    await using pipe = await rc.pipeline().watch(k1, k2);
    assert.equal(pipe.watching, true);
    const n = Number(await pipe.get(k1));
    assert.deepEqual(await pipe.multi().set(k1, String(n + 1)).set(k2, String(n)).exec(), [true, true]);
  }
  assert.equal(await rc.get(k1), "11");
  assert.equal(await rc.get(k2), "10");
  assert.equal(await calls(node, "exec"), execs + 1, "EXEC ran on the watched slot's owner");

  {
    await using pipe = await rc.pipeline().watch(k1);
    await pipe.get(k1);
    await rc.set(k1, "changed");
    await assert.rejects(pipe.multi().set(k1, "mine").exec(), WatchError);
  }
  assert.equal(await rc.get(k1), "changed");

  const other = keyOn(cluster.primaries[1], 12, ":w3");
  await assert.rejects(rc.pipeline().watch(k1, other), ClusterCrossSlotError);
  await cluster.stop();
});
