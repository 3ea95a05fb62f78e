// The cluster harness itself, with raw commands only: a cluster starts, fails over, migrates and reshards
// slots, and its TLS / announced-hostname variant answers as the cluster client tests will need.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import {
  type ClusterNodeInfo,
  processAlive,
  rawCommand,
  RawErrorReply,
  type RawReply,
  startCluster,
} from "./harness/mod.ts";

// One plain cluster for the whole file (about 2 s to start); the last test stops it.
const cluster = await startCluster();

/** Keys per slot of `slots` on `node`, summed (`CLUSTER COUNTKEYSINSLOT`). */
async function keysIn(node: ClusterNodeInfo, slots: number[]): Promise<number> {
  const replies = await cluster.calls(node, slots.map((s) => ["CLUSTER", "COUNTKEYSINSLOT", String(s)]));
  return replies.reduce<number>((sum, r) => sum + Number(r), 0);
}

function errorText(reply: RawReply): string {
  assert.ok(reply instanceof RawErrorReply, `expected an error reply, got ${JSON.stringify(reply)}`);
  return reply.message;
}

/** Field `name` of a flat RESP2 map (`[k1, v1, k2, v2, ...]`). */
function field(map: RawReply, name: string): RawReply {
  assert.ok(Array.isArray(map));
  const at = map.indexOf(name);
  assert.ok(at >= 0 && at % 2 === 0, `no field ${name} in ${JSON.stringify(map)}`);
  return map[at + 1];
}

test("startCluster: 3 primaries × 1 replica, state ok everywhere, every slot covered once", async () => {
  console.log(
    `cluster startup: ${cluster.startupMs} ms (${cluster.flavour} ${cluster.flavourVersion.join(".")})`,
  );
  assert.equal(cluster.nodes.length, 6);
  assert.equal(cluster.primaries.length, 3);
  assert.equal(cluster.replicas.length, 3);
  assert.deepEqual(cluster.seeds, cluster.nodes.map((n) => ({ host: "127.0.0.1", port: n.port })));
  assert.ok(cluster.startupMs < 10_000, `startup took ${cluster.startupMs} ms`);
  for (const node of cluster.nodes) {
    assert.ok(processAlive(node.pid));
    assert.notEqual(node.port, 6379);
    assert.equal(await cluster.call(node, "CLUSTER", "MYID"), node.id);
    assert.match(String(await cluster.call(node, "CLUSTER", "INFO")), /^cluster_state:ok/m);
    const role = await cluster.call(node, "ROLE");
    assert.ok(Array.isArray(role));
    assert.equal(role[0], node.role === "primary" ? "master" : "slave");
  }
  // Every primary has exactly one replica, which replicates from it.
  for (const primary of cluster.primaries) {
    const [replica] = cluster.replicasOf(primary);
    assert.equal(cluster.replicasOf(primary).length, 1);
    assert.equal(cluster.primaryOf(replica), primary);
    const info = String(await cluster.call(replica, "INFO", "replication"));
    assert.match(info, new RegExp(`^master_port:${primary.port}\\r?$`, "m"));
  }
  // The harness's slot map is the server's: the ranges tile 0..16383 and CLUSTER SHARDS says the same.
  const ranges = cluster.primaries.flatMap((p) => p.slots).sort((a, b) => a[0] - b[0]);
  let next = 0;
  for (const [a, b] of ranges) {
    assert.equal(a, next);
    next = b + 1;
  }
  assert.equal(next, 16384);
  const shards = await cluster.call(cluster.nodes[5], "CLUSTER", "SHARDS");
  assert.ok(Array.isArray(shards));
  assert.equal(shards.length, 3);
  for (const shard of shards) {
    const nodes = field(shard, "nodes") as RawReply[];
    const primary = nodes.find((n) => field(n, "role") === "master")!;
    const owner = cluster.node(String(field(primary, "id")));
    assert.deepEqual(field(shard, "slots"), owner.slots.flat());
    assert.deepEqual(
      nodes.filter((n) => n !== primary).map((n) => String(field(n, "id"))),
      cluster.replicasOf(owner).map((r) => r.id),
    );
  }
  // A key's owner takes it; another primary redirects with MOVED naming the owner.
  const slot = await cluster.keySlot("foo");
  assert.equal(slot, 12182);
  const owner = await cluster.ownerOf(slot);
  assert.equal(await cluster.call(owner, "SET", "foo", "bar"), "OK");
  const other = cluster.primaries.find((p) => p !== owner)!;
  assert.equal(errorText(await cluster.call(other, "GET", "foo")), `MOVED 12182 127.0.0.1:${owner.port}`);
});

test("kill(primary): its replica is promoted, restart() brings the old primary back as a replica", async () => {
  const victim = cluster.primaries[0];
  const [replica] = cluster.replicasOf(victim);
  const slot = victim.slots[0][0];
  const killed = Date.now();
  await cluster.kill(victim);
  assert.equal(processAlive(victim.pid), false);
  await assert.rejects(rawCommand(cluster.target(victim), "PING"));
  const promoted = await cluster.waitForPromotion(victim);
  const promotionMs = Date.now() - killed;
  console.log(`promotion after SIGKILL (cluster-node-timeout 1000): ${promotionMs} ms`);
  assert.equal(promoted, replica);
  assert.equal(promoted.role, "primary");
  assert.equal((await cluster.ownerOf(slot)).id, replica.id);
  assert.ok(promotionMs < 10_000, `promotion took ${promotionMs} ms`);

  const pid = victim.pid;
  await cluster.restart(victim);
  assert.notEqual(victim.pid, pid);
  assert.equal(victim.role, "replica");
  assert.equal(cluster.primaryOf(victim), replica);
  assert.match(String(await cluster.call(victim, "CLUSTER", "INFO")), /^cluster_state:ok/m);
});

test("failover(): manual failovers, spaced 2 s apart, swap roles and are visible everywhere", async () => {
  const replica = cluster.replicas[0];
  const primary = cluster.primaryOf(replica);
  const first = await cluster.failover(replica);
  assert.equal(replica.role, "primary");
  assert.equal(primary.role, "replica");
  assert.equal(cluster.primaryOf(primary), replica);
  assert.deepEqual(await cluster.call(replica, "ROLE").then((r) => (r as RawReply[])[0]), "master");
  const started = Date.now();
  const back = await cluster.failover(primary); // waits out the spacing first
  assert.ok(Date.now() - started >= 1900, "manual failovers are spaced about 2 s apart");
  assert.equal(primary.role, "primary");
  assert.equal(replica.role, "replica");
  // FORCE and TAKEOVER on the other shards (a node just elected waits 4 s before its next election).
  const [b, c] = cluster.primaries.filter((p) => p !== primary).map((p) => cluster.replicasOf(p)[0]);
  const forced = await cluster.failover(b, { force: true });
  const takeover = await cluster.failover(c, { takeover: true });
  assert.equal(b.role, "primary");
  assert.equal(c.role, "primary");
  console.log(`manual failover: ${first} ms, back ${back} ms, FORCE ${forced} ms, TAKEOVER ${takeover} ms`);
  for (const ms of [first, back, forced, takeover]) assert.ok(ms < 2000, `a manual failover took ${ms} ms`);
});

test("migrateSlot(finish: false): -ASK for a moved key, -TRYAGAIN across moved and unmoved keys; finishMigration", async () => {
  const [moved, unmoved] = ["{mig}moved", "{mig}unmoved"];
  const slot = await cluster.keySlot(moved);
  const from = await cluster.ownerOf(slot);
  const to = cluster.primaries.find((p) => p !== from)!;
  await cluster.call(from, "MSET", moved, "1", unmoved, "2");
  await cluster.resetCounters();

  await cluster.migrateSlot(slot, from, to, { finish: false, keys: [moved] });
  assert.equal(await cluster.call(from, "CLUSTER", "COUNTKEYSINSLOT", String(slot)), 1);
  assert.equal(await cluster.call(to, "CLUSTER", "COUNTKEYSINSLOT", String(slot)), 1);
  assert.equal(await cluster.call(from, "GET", unmoved), "2");
  assert.equal(errorText(await cluster.call(from, "GET", moved)), `ASK ${slot} 127.0.0.1:${to.port}`);
  assert.match(errorText(await cluster.call(from, "MGET", moved, unmoved)), /^TRYAGAIN/);
  // The target answers only after ASKING, and redirects without it.
  assert.match(errorText(await cluster.call(to, "GET", moved)), new RegExp(`^MOVED ${slot} `));
  assert.deepEqual(await cluster.calls(to, [["ASKING"], ["GET", moved]]), ["OK", "1"]);
  assert.equal((await cluster.ownerOf(slot)).id, from.id);
  const counters = await cluster.counters(from);
  assert.equal(counters.errors.ASK, 1);
  assert.equal(counters.errors.TRYAGAIN, 1);
  assert.ok(counters.commands.get.calls >= 1);

  await cluster.finishMigration(slot);
  assert.equal((await cluster.ownerOf(slot)).id, to.id);
  assert.equal(await cluster.call(to, "CLUSTER", "COUNTKEYSINSLOT", String(slot)), 2);
  assert.equal(await cluster.call(from, "CLUSTER", "COUNTKEYSINSLOT", String(slot)), 0);
  assert.deepEqual(await cluster.call(to, "MGET", moved, unmoved), ["1", "2"]);
  assert.match(
    errorText(await cluster.call(from, "GET", moved)),
    new RegExp(`^MOVED ${slot} 127.0.0.1:${to.port}$`),
  );
  await assert.rejects(cluster.finishMigration(slot), /not being migrated/);
});

test("reshard(100): slots and their keys move to the target, nothing is lost", async () => {
  const from = cluster.primaries[0];
  const to = cluster.primaries[1];
  const slots = from.slots.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i)).slice(
    0,
    100,
  );
  // Three keys in each of those slots (hash tags picked with CLUSTER KEYSLOT), plus keys elsewhere.
  const tags = Array.from({ length: 20_000 }, (_, i) => `t${i}`);
  const slotOf = await cluster.calls(from, tags.map((t) => ["CLUSTER", "KEYSLOT", t]), 20_000);
  const tagFor = new Map<number, string>();
  slotOf.forEach((s, i) => tagFor.has(Number(s)) || tagFor.set(Number(s), tags[i]));
  // 20,000 tags miss a few slots: fill those that have one (most of them).
  const filled = slots.filter((s) => tagFor.has(s));
  assert.ok(filled.length >= 50, `tags for ${filled.length} of 100 slots`);
  await cluster.calls(
    from,
    filled.flatMap((s) => [0, 1, 2].map((i) => ["SET", `{${tagFor.get(s)}}k${i}`, "v"])),
  );
  const before = Object.values(await cluster.dbsizes()).reduce((a, b) => a + b, 0);
  const expected = filled.length * 3;
  assert.equal(await keysIn(from, slots), expected);

  const started = Date.now();
  const moved = await cluster.reshard(100, from, to);
  console.log(`reshard of 100 slots (${expected} keys): ${Date.now() - started} ms`);
  assert.deepEqual(moved, slots);
  assert.equal(await keysIn(to, slots), expected);
  assert.equal(await keysIn(from, slots), 0);
  assert.equal(Object.values(await cluster.dbsizes()).reduce((a, b) => a + b, 0), before);
  for (const s of [slots[0], slots[50], slots[99]]) assert.equal((await cluster.ownerOf(s)).id, to.id);
  assert.equal(from.slots[0][0], slots[99] + 1);
  const key = `{${tagFor.get(filled[0])}}k0`;
  assert.equal(errorText(await cluster.call(from, "GET", key)), `MOVED ${filled[0]} 127.0.0.1:${to.port}`);
  // Every node agrees (waitStable ran); the replicas of the new owner have the keys too.
  const [replica] = cluster.replicasOf(to);
  assert.ok(await waitUntil(async () => (await keysIn(replica, slots)) === expected));
});

async function waitUntil(check: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

test("debugSleep(): the node answers nothing until it wakes up", async () => {
  const node = cluster.replicas[0];
  const started = Date.now();
  const woke = cluster.debugSleep(node, 0.5);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(await cluster.call(node, "PING"), "PONG"); // queued behind the sleep
  assert.ok(Date.now() - started >= 450, `PING answered after ${Date.now() - started} ms`);
  await woke;
  await cluster.waitStable();
});

test("stop(): every node gone, directory removed, idempotent", async () => {
  const nodes = cluster.nodes.map((n) => ({ pid: n.pid, dir: n.dir }));
  await cluster.stop();
  for (const n of nodes) {
    assert.equal(processAlive(n.pid), false);
    assert.equal(existsSync(n.dir), false);
  }
  await cluster.stop();
});

test("TLS + ACL user + announced hostname: TLS-only nodes, 127.0.0.2 in SHARDS, SLOTS and MOVED", async () => {
  await using variant = await startCluster({
    tls: true,
    user: "alice",
    password: "alice-pw",
    announceHostname: "127.0.0.2",
  });
  console.log(`TLS cluster startup: ${variant.startupMs} ms`);
  assert.equal(variant.announcedHost, "127.0.0.2");
  const [node] = variant.primaries;
  // TLS only: plain TCP gets no reply; authentication is required.
  await assert.rejects(rawCommand({ port: node.port }, "PING"));
  assert.match(errorText(await rawCommand(variant.target(node), "GET", "x")), /^NOAUTH/);
  assert.equal(await variant.call(node, "PING"), "PONG");
  // Replicas replicate over TLS.
  for (const replica of variant.replicas) {
    assert.match(String(await variant.call(replica, "INFO", "replication")), /^master_link_status:up/m);
  }
  // Topology replies and redirections name the announced host and the TLS ports.
  const slots = await variant.call(node, "CLUSTER", "SLOTS");
  assert.ok(Array.isArray(slots) && slots.length === 3);
  for (const range of slots as RawReply[][]) {
    for (const entry of range.slice(2) as RawReply[][]) {
      assert.equal(entry[0], "127.0.0.2");
      assert.ok(variant.nodes.some((n) => n.port === entry[1] && n.id === entry[2]));
    }
  }
  const shards = await variant.call(node, "CLUSTER", "SHARDS");
  for (const shard of shards as RawReply[]) {
    for (const n of field(shard, "nodes") as RawReply[]) {
      assert.equal(field(n, "endpoint"), "127.0.0.2");
      assert.equal(field(n, "hostname"), "127.0.0.2");
      assert.equal(field(n, "ip"), "127.0.0.1");
      // TLS-only nodes announce `tls-port` and no `port`.
      assert.equal(variant.node(String(field(n, "id"))).port, field(n, "tls-port"));
      assert.equal((n as RawReply[]).includes("port"), false);
    }
  }
  const slot = await variant.keySlot("foo");
  const owner = await variant.ownerOf(slot);
  const other = variant.primaries.find((p) => p !== owner)!;
  assert.equal(errorText(await variant.call(other, "GET", "foo")), `MOVED ${slot} 127.0.0.2:${owner.port}`);
  // Nothing listens on the announced host: only a remap reaches the nodes.
  await assert.rejects(rawCommand({ ...variant.target(owner), host: "127.0.0.2" }, "PING"));
  // Failover works over the TLS bus.
  const replica = variant.replicasOf(owner)[0];
  await variant.failover(replica);
  assert.equal((await variant.ownerOf(slot)).id, replica.id);
});
