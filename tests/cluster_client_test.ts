// RedisCluster against a real 3×1 cluster: routing by slot, discovery through dead seeds, MOVED and ASK,
// keyless commands by command tips, per-slot splitting, lookups and closing. Asserted with the servers'
// own counters (INFO commandstats / errorstats, DBSIZE, CLUSTER COUNTKEYSINSLOT).

import { test } from "node:test";
import assert from "node:assert/strict";
import { ClusterNode, DataError, keySlot, NoBackoff, RedisCluster, Retry, TryAgainError } from "../mod.ts";
import { freePort, startCluster } from "./harness/mod.ts";
import { sleep } from "./support/async.ts";
import { keyInSlot, owns, probes } from "./support/cluster.ts";

// One cluster for the whole file; the last test stops it.
const cluster = await startCluster();
const { calls, errors, flushAll } = probes(cluster);

function seed(): RedisCluster {
  return new RedisCluster({ startupNodes: [cluster.seeds[0]], topologyRefreshInterval: 0 });
}

for (const protocol of [3, 2] as const) {
  test(`routing (RESP${protocol}): 1,000 SETs from one seed land on their owners, no MOVED after warm-up`, async () => {
    await flushAll();
    await using rc = new RedisCluster({ startupNodes: [cluster.seeds[0]], protocol });
    assert.equal(await rc.set("warm-up", "1"), true);
    const moved = await Promise.all(cluster.primaries.map((n) => errors(n, "MOVED")));
    const keys = Array.from({ length: 1000 }, (_, i) => `route:${i}`);
    const replies = await Promise.all(keys.map((k, i) => rc.set(k, String(i))));
    assert.ok(replies.every((r) => r === true));
    // Each primary holds exactly the keys of its slots.
    const sizes = await cluster.dbsizes();
    for (const node of cluster.primaries) {
      const expected = [...keys, "warm-up"].filter((k) => owns(node, keySlot(k))).length;
      assert.equal(sizes[node.name], expected, `keys on ${node.name}`);
    }
    const slot = keySlot(keys[0]);
    const owner = await cluster.ownerOf(slot);
    assert.ok(Number(await cluster.call(owner, "CLUSTER", "COUNTKEYSINSLOT", String(slot))) >= 1);
    assert.deepEqual(
      await Promise.all(cluster.primaries.map((n) => errors(n, "MOVED"))),
      moved,
      "no MOVED once the map is known",
    );
    const values = await Promise.all(keys.map((k) => rc.get(k)));
    assert.deepEqual(values, keys.map((_, i) => String(i)));
  });
}

test("discovery: dead seeds before a live one; construction connects nothing", async () => {
  const dead = [{ host: "127.0.0.1", port: await freePort() }, { host: "127.0.0.1", port: await freePort() }];
  await using rc = new RedisCluster({
    startupNodes: [...dead, cluster.seeds[1]],
    topologyRefreshInterval: 0,
  });
  assert.deepEqual(rc.getNodes(), []);
  assert.equal(await rc.ping(), true);
  assert.equal(rc.getPrimaries().length, 3);
});

test("discovery: every seed dead is one ConnectionError naming each seed, quickly", async () => {
  const dead = [{ host: "127.0.0.1", port: await freePort() }, { host: "127.0.0.1", port: await freePort() }];
  await using rc = new RedisCluster({
    startupNodes: dead,
    socketConnectTimeout: 500,
    topologyRefreshInterval: 0,
  });
  const started = Date.now();
  await assert.rejects(rc.get("k"), (error: Error) => {
    for (const node of dead) assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${node.port}`));
    assert.equal(error.name, "ConnectionError");
    return true;
  });
  assert.ok(Date.now() - started < 2 * 500 + 500, `took ${Date.now() - started} ms`);
});

test("MOVED after a reshard is followed without a surfaced error", async () => {
  await using rc = seed();
  const from = cluster.primaries[0];
  const to = cluster.primaries[1];
  const slots = [from.slots[0][0], from.slots[0][0] + 1, from.slots[0][0] + 2];
  const keys = slots.map((s) => keyInSlot(s, ":moved"));
  for (const k of keys) await rc.set(k, k);
  await cluster.reshard(3, from, to);
  const before = await errors(from, "MOVED");
  assert.deepEqual(await Promise.all(keys.map((k) => rc.get(k))), keys);
  assert.ok(await errors(from, "MOVED") > before, "the old owner answered MOVED");
  assert.equal(rc.getNodeFromKey(keys[0])?.name, to.name, "the map was patched");
  // Moved back for the other tests.
  for (const slot of slots) await cluster.migrateSlot(slot, to, from);
});

test("ASK during a half-finished migration is followed (ASKING + the command on the target)", async () => {
  await using rc = seed();
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
    assert.equal((await cluster.ownerOf(slot)).name, from.name, "the map is unchanged by ASK");
    assert.equal(rc.getNodeFromKey(moved)?.name, from.name);
  } finally {
    await cluster.finishMigration(slot);
    await cluster.migrateSlot(slot, to, from);
  }
});

test("TRYAGAIN during a half-finished migration is retried until the migration finishes", async () => {
  await using rc = seed();
  const from = cluster.primaries[1];
  const to = cluster.primaries[2];
  const slot = from.slots[0][0] + 7;
  const moved = keyInSlot(slot, ":a");
  const stays = keyInSlot(slot, ":b");
  await rc.mset({ [moved]: "1", [stays]: "2" });
  await cluster.migrateSlot(slot, from, to, { finish: false, keys: [moved] });
  const tryAgain = await errors(from, "TRYAGAIN");
  const pending = rc.mget([moved, stays]);
  await sleep(150);
  await cluster.finishMigration(slot);
  assert.deepEqual(await pending, ["1", "2"]);
  assert.ok(await errors(from, "TRYAGAIN") > tryAgain, "the source answered TRYAGAIN at least once");
  await cluster.migrateSlot(slot, to, from);
});

test("retry: a Retry with 0 retries turns the cluster's retries off (TRYAGAIN rejects after one attempt)", async () => {
  await using rc = new RedisCluster({
    startupNodes: [cluster.seeds[0]],
    topologyRefreshInterval: 0,
    retry: new Retry(new NoBackoff(), 0),
  });
  assert.equal(rc.retry.retries, 0);
  const from = cluster.primaries[1];
  const to = cluster.primaries[2];
  const slot = from.slots[0][0] + 9;
  const moved = keyInSlot(slot, ":a");
  const stays = keyInSlot(slot, ":b");
  await rc.mset({ [moved]: "1", [stays]: "2" });
  await cluster.migrateSlot(slot, from, to, { finish: false, keys: [moved] });
  try {
    const tryAgain = await errors(from, "TRYAGAIN");
    await assert.rejects(rc.mget([moved, stays]), TryAgainError);
    assert.equal(await errors(from, "TRYAGAIN"), tryAgain + 1, "one attempt, not retried");
  } finally {
    await cluster.finishMigration(slot);
    await cluster.migrateSlot(slot, to, from);
  }
});

test("a write whose reply is lost (socketTimeout on a sleeping node) rejects and is not re-sent", async () => {
  const node = cluster.primaries[0];
  const key = keyInSlot(node.slots[0][0] + 11, ":lost");
  await using rc = new RedisCluster({
    startupNodes: [cluster.seeds[0]],
    socketTimeout: 200,
    topologyRefreshInterval: 0,
  });
  await rc.set(key, "0");
  const sets = await calls(node, "incr");
  const sleeping = cluster.debugSleep(node, 1);
  await sleep(50);
  await assert.rejects(rc.incr(key), (error: Error) => error.name === "TimeoutError");
  await sleeping;
  assert.equal(await calls(node, "incr"), sets + 1, "the INCR ran once, never re-sent");
  assert.equal(await rc.get(key), "1");
});

test("keyless: dbsize sums, keys concatenates, ping reaches every primary, info per node", async () => {
  await flushAll();
  await using rc = seed();
  const keys = Array.from({ length: 30 }, (_, i) => `keyless:${i}`);
  for (const k of keys) await rc.set(k, "v");
  assert.equal(await rc.dbsize(), 30);
  assert.deepEqual((await rc.keys("keyless:*")).sort(), [...keys].sort());
  const pings = await Promise.all(cluster.primaries.map((n) => calls(n, "ping")));
  assert.equal(await rc.ping(), true);
  assert.deepEqual(
    await Promise.all(cluster.primaries.map((n) => calls(n, "ping"))),
    pings.map((n) => n + 1),
  );
  const info = await rc.withOptions({ targetNodes: RedisCluster.ALL_NODES }).info(
    "server",
  ) as unknown as Record<
    string,
    Record<string, unknown>
  >;
  assert.deepEqual(Object.keys(info).sort(), rc.getNodes().map((n) => n.name).sort());
  for (const node of rc.getNodes()) assert.equal(Number(info[node.name].tcp_port), node.port);
  const primaries = await rc.withOptions({ targetNodes: RedisCluster.PRIMARIES }).dbsize();
  assert.equal(primaries, 30, "an aggregating policy merges explicit targets too");
  const one = rc.getPrimaries()[0];
  assert.equal(
    await rc.withOptions({ targetNodes: one }).dbsize(),
    Number(await cluster.call(cluster.node(one.name), "DBSIZE")),
  );
});

test("connection commands are options, not broadcasts: SELECT 1 and CLIENT SETNAME are DataErrors", async () => {
  await using rc = seed();
  await rc.ping();
  const before = await Promise.all(cluster.primaries.map((n) => calls(n, "select")));
  await assert.rejects(rc.select(1), DataError);
  await assert.rejects(rc.clientSetname("x"), DataError);
  assert.equal(await rc.select(0), true);
  assert.deepEqual(await Promise.all(cluster.primaries.map((n) => calls(n, "select"))), before);
});

test("multi-key: mget/mset/del/exists split per slot in order; a hash-tagged mset is one MSET", async () => {
  await flushAll();
  await using rc = seed();
  const keys = ["a", "b", "c", "d", "e", "f"];
  assert.ok(new Set(keys.map(keySlot)).size > 3);
  assert.equal(await rc.mset(Object.fromEntries(keys.map((k) => [k, `v${k}`]))), true);
  assert.deepEqual(await rc.mget(["f", "missing", "a", "c"]), ["vf", null, "va", "vc"]);
  assert.deepEqual(await rc.mgetNonatomic(["b", "e"]), ["vb", "ve"]);
  assert.equal(await rc.exists("a", "b", "missing", "a"), 3);
  assert.equal(await rc.touch("a", "b"), 2);
  assert.equal(await rc.del("a", "b", "missing"), 2);
  assert.equal(await rc.unlink("c", "d"), 2);
  assert.deepEqual(await rc.msetNonatomic({ x: 1, y: 2 }), [true, true]);
  assert.deepEqual(await rc.mget("x", "y", "e", "f"), ["1", "2", "ve", "vf"]);

  const tagged = { "{user1}a": "1", "{user1}b": "2", "{user1}c": "3" };
  const owner = await cluster.ownerOf(keySlot("user1"));
  const before = await Promise.all(cluster.primaries.map((n) => calls(n, "mset")));
  assert.equal(await rc.mset(tagged), true);
  const after = await Promise.all(cluster.primaries.map((n) => calls(n, "mset")));
  cluster.primaries.forEach((node, i) =>
    assert.equal(after[i] - before[i], node === owner ? 1 : 0, node.name)
  );
});

test("a cross-slot command that is not split is a DataError naming the slots, and nothing is sent", async () => {
  await using rc = seed();
  await rc.ping();
  const before = await Promise.all(cluster.primaries.map((n) => calls(n, "rename")));
  await assert.rejects(rc.rename("a", "b"), (error: Error) => {
    assert.ok(error instanceof DataError);
    assert.match(error.message, new RegExp(`${keySlot("a")}.*${keySlot("b")}`));
    return true;
  });
  await assert.rejects(rc.sinterstore("a", ["b", "c"]), DataError);
  assert.deepEqual(await Promise.all(cluster.primaries.map((n) => calls(n, "rename"))), before);
});

test("lookups: keyslot, nodes, node from key, nodeClient on the cluster's own pool", async () => {
  await using rc = seed();
  assert.equal(rc.keyslot("foo"), 12182);
  assert.equal(rc.keyslot("123456789"), 12739);
  await rc.initialize();
  assert.equal(rc.getPrimaries().length, 3);
  assert.ok(rc.getNodes().every((n) => n instanceof ClusterNode));
  assert.equal(rc.getNodeFromKey("foo")?.name, (await cluster.ownerOf(12182)).name);
  const node = rc.getPrimaries()[1];
  assert.equal(rc.getNode({ host: node.host, port: node.port }), node);
  assert.ok(rc.getRandomNode() instanceof ClusterNode);
  const one = rc.nodeClient(node);
  assert.equal(await one.dbsize(), Number(await cluster.call(cluster.node(node.name), "DBSIZE")));
  await one.close();
  assert.equal(await rc.ping(), true, "closing a node client leaves the cluster's pool open");
});

test("options: unknown keys and bad values are DataErrors at construction", () => {
  assert.throws(() => new RedisCluster({ startupNode: [] } as never), /unknown option "startupNode"/);
  assert.throws(() => new RedisCluster({ maxRedirections: -1 }), DataError);
  assert.throws(() => new RedisCluster({ db: 2 }), DataError);
  assert.throws(() => new RedisCluster({ startupNodes: [] }), DataError);
  assert.throws(() => new RedisCluster().withOptions({ target: "all" } as never), DataError);
  const rc = RedisCluster.fromURL(`redis://127.0.0.1:${cluster.seeds[0].port}`);
  assert.deepEqual(rc.getNodes(), []);
});

test("close() stops the periodic topology check and every node's connections", async () => {
  // Refreshes are rate-limited to one per 500 ms, so the checks are watched over 800 ms.
  const rc = new RedisCluster({ startupNodes: [cluster.seeds[0]], topologyRefreshInterval: 100 });
  await rc.ping();
  const shards = async () => {
    let sum = 0;
    for (const n of cluster.nodes) sum += await calls(n, "cluster|shards");
    return sum;
  };
  const first = await shards();
  await sleep(800);
  assert.ok(await shards() > first, "the periodic check runs");
  await rc.close();
  await sleep(100);
  const closed = await shards();
  await sleep(800);
  assert.equal(await shards(), closed, "no check after close()");
  await cluster.stop();
});
