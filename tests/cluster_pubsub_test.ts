// Pub/sub on a real 3×1 cluster (cluster-node-timeout 1000): classic channels and patterns through every
// node and across a SIGKILL of the subscriber's node, shard channels across a manual failover and a slot
// migration, handlers, run(), listen(), close() and bad input. Asserted with the servers' own view
// (PUBSUB SHARDNUMSUB / NUMSUB, CLIENT LIST, INFO commandstats), with the figures printed for the README.

import { test } from "node:test";
import assert from "node:assert/strict";
import { DataError, keySlot, type PubSub, type PubSubMessage, RedisCluster } from "../mod.ts";
import { type ClusterNodeInfo, startCluster } from "./harness/mod.ts";
import { sleep, waitFor } from "./support/async.ts";
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

/** Reads messages until `count` arrived or `ms` passed. */
async function collect(p: PubSub, count: number, ms = 3000): Promise<PubSubMessage[]> {
  const out: PubSubMessage[] = [];
  const deadline = Date.now() + ms;
  while (out.length < count && Date.now() < deadline) {
    const m = await p.getMessage({ timeout: Math.max(1, deadline - Date.now()) });
    if (m !== null) out.push(m);
  }
  return out;
}

/** Every message already arrived. */
async function drain(p: PubSub): Promise<PubSubMessage[]> {
  const out: PubSubMessage[] = [];
  for (let m = await p.getMessage(); m !== null; m = await p.getMessage()) out.push(m);
  return out;
}

/** The running node listening on the port of a connection's `host:port` address. */
function nodeAt(address: string): ClusterNodeInfo {
  const port = Number(address.slice(address.lastIndexOf(":") + 1));
  const node = cluster.nodes.find((n) => n.port === port);
  assert.ok(node, `no node at ${address}`);
  return node;
}

/** Subscriber clients (sub, psub or ssub > 0) on every running node, from CLIENT LIST. */
async function subscribers(): Promise<number> {
  let n = 0;
  for (const node of cluster.nodes.filter((x) => x.running)) {
    const list = String(await cluster.call(node, "CLIENT", "LIST"));
    for (const line of list.split("\n")) {
      const count = (field: string) => Number(line.match(new RegExp(` ${field}=(\\d+)`))?.[1] ?? 0);
      if (count("sub") + count("psub") + count("ssub") > 0) n++;
    }
  }
  return n;
}

async function shardNumSub(node: ClusterNodeInfo, channel: string): Promise<number> {
  const reply = await cluster.call(node, "PUBSUB", "SHARDNUMSUB", channel) as unknown[];
  return Number(reply[1]);
}

/** 30 shard channels, one per 1/30 of the slot space (every shard has some). */
const SHARD_CHANNELS = Array.from(
  { length: 30 },
  (_, i) => keyInSlot(Math.floor((i + 0.5) * 16384 / 30), `:ch${i}`),
);

test("subscribe and psubscribe receive what is published through every node; a SIGKILL of the subscriber's node is followed", async () => {
  await using rc = client();
  await using p = rc.pubsub({ ignoreSubscribeMessages: true });
  await p.subscribe("news");
  await p.psubscribe("n.*");
  assert.equal(p.connections.length, 1, "channels and patterns share one connection");
  for (const node of cluster.nodes) {
    await cluster.call(node, "PUBLISH", "news", `news via ${node.name}`);
    await cluster.call(node, "PUBLISH", "n.x", `n.x via ${node.name}`);
  }
  const got = await collect(p, cluster.nodes.length * 2);
  assert.deepEqual(
    got.map((m) => `${m.type} ${m.data}`).sort(),
    cluster.nodes.flatMap((n) => [`message news via ${n.name}`, `pmessage n.x via ${n.name}`]).sort(),
  );
  // `publish` goes to one node and reaches the subscriber wherever it is.
  assert.equal(typeof await rc.publish("news", "via the client"), "number");
  assert.deepEqual((await collect(p, 1)).map((m) => m.data), ["via the client"]);

  const victim = nodeAt(p.connection!.address);
  const killed = Date.now();
  await cluster.kill(victim);
  try {
    const live = cluster.nodes.filter((n) => n.running);
    let resubscribedMs = -1;
    assert.ok(
      await waitFor(async () => {
        const node = p.connection && nodeAt(p.connection.address);
        if (!node || node === victim) return false;
        const numsub = await cluster.call(node, "PUBSUB", "NUMSUB", "news") as unknown[];
        if (Number(await cluster.call(node, "PUBSUB", "NUMPAT")) < 1 || Number(numsub[1]) !== 1) return false;
        resubscribedMs = Date.now() - killed;
        return true;
      }, 10_000),
      "subscribed again on another node",
    );
    await sleep(Math.max(0, 3000 - (Date.now() - killed)));
    for (const node of live) await cluster.call(node, "PUBLISH", "news", `after via ${node.name}`);
    const after = await collect(p, live.length);
    assert.deepEqual(after.map((m) => m.data).sort(), live.map((n) => `after via ${n.name}`).sort());
    assert.deepEqual(p.channels, ["news"]);
    assert.deepEqual(p.patterns, ["n.*"]);
    figure("classic subscriber's node SIGKILLed", {
      victim: `${victim.role} ${victim.name}`,
      killToSubscribedElsewhereMs: resubscribedMs,
    });
  } finally {
    await cluster.restart(victim);
    await cluster.waitStable();
  }
});

test("30 shard channels over every slot range: delivered once each, through a failover and a migration", async () => {
  await using rc = client();
  await using p = rc.pubsub();
  await p.ssubscribe(...SHARD_CHANNELS);
  assert.equal(p.connections.length, 3, "one connection per primary");
  const confirmations = await drain(p);
  assert.deepEqual(confirmations.map((m) => m.channel).sort(), [...SHARD_CHANNELS].sort());

  async function round(tag: string): Promise<void> {
    for (const ch of SHARD_CHANNELS) assert.equal(await rc.spublish(ch, `${tag} ${ch}`), 1, ch);
    const got: PubSubMessage[] = [];
    const deadline = Date.now() + 3000;
    while (got.filter((m) => m.type === "smessage").length < 30 && Date.now() < deadline) {
      const m = await p.getMessage({ timeout: 100 });
      if (m !== null) got.push(m);
    }
    await sleep(200);
    got.push(...await drain(p));
    // Resubscriptions are confirmed as after a reconnect; an unasked sunsubscribe is never delivered.
    assert.deepEqual(got.filter((m) => m.type !== "smessage" && m.type !== "ssubscribe"), []);
    assert.deepEqual(
      got.filter((m) => m.type === "smessage").map((m) => `${m.channel} ${m.data}`).sort(),
      SHARD_CHANNELS.map((ch) => `${ch} ${tag} ${ch}`).sort(),
      "each exactly once",
    );
  }
  await round("first");

  /** Milliseconds until every channel is subscribed (once) on its slot's owner. */
  async function followed(): Promise<number> {
    const started = Date.now();
    const ok = await waitFor(async () => {
      for (const ch of SHARD_CHANNELS) {
        if (await shardNumSub(await cluster.ownerOf(keySlot(ch)), ch) !== 1) return false;
      }
      return true;
    }, 5000);
    assert.ok(ok, "every shard channel subscribed on its owner");
    return Date.now() - started;
  }

  // A manual failover of the first channel's shard.
  const oldPrimary = await cluster.ownerOf(keySlot(SHARD_CHANNELS[0]));
  const promoted = cluster.replicasOf(oldPrimary)[0];
  const failoverStarted = Date.now();
  const failoverMs = await cluster.failover(promoted);
  await followed();
  // From the CLUSTER FAILOVER command: the old primary drops the subscriptions during it.
  const afterFailoverMs = Date.now() - failoverStarted;
  // A finished migration of the slot of a channel on another shard, to the third one.
  const moved = SHARD_CHANNELS.find((ch) =>
    !oldPrimary.slots.some(([a, b]) => keySlot(ch) >= a && keySlot(ch) <= b) &&
    keySlot(ch) !== keySlot(SHARD_CHANNELS[0])
  )!;
  const from = await cluster.ownerOf(keySlot(moved));
  const owners = new Set<string>();
  for (const ch of SHARD_CHANNELS) owners.add((await cluster.ownerOf(keySlot(ch))).name);
  const to = cluster.nodes.find((n) => n.running && owners.has(n.name) && n !== from && n !== promoted)!;
  const migrated = Date.now();
  await cluster.migrateSlot(keySlot(moved), from, to);
  const migrateMs = Date.now() - migrated;
  await followed();
  const afterMigrationMs = Date.now() - migrated;
  assert.equal(await shardNumSub(to, moved), 1, "subscribed on the slot's new owner");
  assert.equal(await shardNumSub(from, moved), 0, "not on the old owner");
  figure("shard channels follow their slot", {
    failoverMs,
    failoverStartToResubscribedMs: afterFailoverMs,
    migrationMs: migrateMs,
    migrationStartToResubscribedMs: afterMigrationMs,
  });
  // Within 2 s of the promotion (the failover itself takes `failoverMs`).
  assert.ok(afterFailoverMs - failoverMs < 2000, `${afterFailoverMs} ms after the failover started`);
  assert.ok(afterMigrationMs < 2000, `${afterMigrationMs} ms after the migration`);
  assert.equal(p.shardChannels.length, 30, "every channel asked for is still listed");
  await round("second");
});

test("handlers with a run() worker and listen() on a cluster pubsub", async () => {
  await using rc = client();
  const [a, b] = [SHARD_CHANNELS[3], SHARD_CHANNELS[25]];
  const seen: string[] = [];
  await using p = rc.pubsub();
  await p.subscribe({ news: (m) => void seen.push(`news ${m.data}`) });
  await p.ssubscribe({ [a]: (m) => void seen.push(`${m.channel} ${m.data}`) });
  const worker = p.run({ sleepTime: 50 });
  await rc.publish("news", "1");
  await rc.spublish(a, "2");
  assert.ok(await waitFor(() => seen.length === 2), `seen ${seen}`);
  await worker.stop();
  assert.deepEqual(seen.sort(), ["news 1", `${a} 2`].sort());

  await using q = rc.pubsub({ ignoreSubscribeMessages: true });
  await q.subscribe("other");
  await q.ssubscribe(a, b);
  await rc.publish("other", "x");
  await rc.spublish(a, "y");
  await rc.spublish(b, "z");
  const got: string[] = [];
  for await (const m of q) {
    got.push(`${m.type} ${m.channel} ${m.data}`);
    if (got.length === 3) break;
  }
  assert.deepEqual(got.sort(), ["message other x", `smessage ${a} y`, `smessage ${b} z`].sort());
  // checkHealth() PINGs every subscriber connection (two shards and the channels'), delivering nothing;
  // ping() is answered by a pong message.
  assert.equal(q.connections.length, 3);
  await q.checkHealth();
  assert.equal(await q.getMessage({ timeout: 100 }), null);
  await q.ping("hi");
  assert.deepEqual(await q.getMessage({ timeout: 1000 }), {
    type: "pong",
    pattern: null,
    channel: null,
    data: "hi",
  });
});

test("sunsubscribe releases a node's connection once empty; close() releases every one; bad input is a DataError before sending", async () => {
  await using rc = client();
  await rc.initialize();
  assert.ok(await waitFor(async () => await subscribers() === 0), "no subscriber left by earlier tests");
  const p = rc.pubsub({ ignoreSubscribeMessages: true });
  await assert.rejects(p.ssubscribe(42 as unknown as string), DataError);
  await assert.rejects(p.subscribe({ news: "not a function" as unknown as () => void }), DataError);
  await assert.rejects(p.psubscribe(), DataError);
  assert.equal(p.connections.length, 0, "nothing connected");
  assert.deepEqual([p.channels, p.patterns, p.shardChannels], [[], [], []]);

  await p.subscribe("news");
  await p.ssubscribe(...SHARD_CHANNELS);
  assert.equal(p.connections.length, 4);
  assert.equal(await subscribers(), 4);
  // Per slot, to the right connection: a shard left with nothing gives its connection back.
  const owner = await cluster.ownerOf(keySlot(SHARD_CHANNELS[0]));
  const ownedThere = [];
  for (const ch of SHARD_CHANNELS) {
    if ((await cluster.ownerOf(keySlot(ch))).name === owner.name) ownedThere.push(ch);
  }
  await p.sunsubscribe(...ownedThere);
  assert.equal(p.connections.length, 3);
  assert.equal(p.shardChannels.length, 30 - ownedThere.length);
  for (const ch of ownedThere) assert.equal(await shardNumSub(owner, ch), 0, ch);
  await p.sunsubscribe();
  assert.deepEqual(p.shardChannels, []);
  // One confirmation per channel, none from the channels' connection, which held no shard channel.
  const confirmations: PubSubMessage[] = [];
  for (let m; (m = await p.getMessage({ ignoreSubscribeMessages: false })) !== null;) confirmations.push(m);
  assert.deepEqual(
    confirmations.filter((m) => m.type === "sunsubscribe").map((m) => m.channel).sort(),
    [...SHARD_CHANNELS].sort(),
  );
  assert.equal(p.connections.length, 1, "the channels' connection stays");
  await p.close();
  assert.equal(p.connections.length, 0);
  assert.ok(await waitFor(async () => await subscribers() === 0), "no subscriber left on any node");
});

test("the node option pins channels and patterns to that node; bad options are DataErrors", async () => {
  await using rc = client();
  await rc.initialize();
  for (const wanted of cluster.nodes.filter((n) => n.running).slice(-2)) {
    await using p = rc.pubsub({
      node: rc.getNode({ host: wanted.host, port: wanted.port }),
      ignoreSubscribeMessages: true,
    });
    await p.psubscribe("pinned.*");
    assert.equal(nodeAt(p.connection!.address), wanted);
    assert.equal(Number(await cluster.call(wanted, "PUBSUB", "NUMPAT")), 1);
  }
  assert.throws(
    () => rc.pubsub({ node: { host: 1 } as unknown as { host: string; port: number } }),
    DataError,
  );
  assert.throws(() => rc.pubsub({ bogus: 1 } as unknown as { node: undefined }), DataError);
});

test("an SSUBSCRIBE sent on a stale map is answered -MOVED and lands on the slot's new owner", async () => {
  await using rc = client();
  await rc.initialize();
  const ch = SHARD_CHANNELS[12];
  const from = await cluster.ownerOf(keySlot(ch));
  const to = cluster.nodes.find((n) => n.running && n.role === "primary" && n !== from)!;
  await cluster.migrateSlot(keySlot(ch), from, to);
  await using p = rc.pubsub({ ignoreSubscribeMessages: true });
  const started = Date.now();
  const late = sleep(3000).then(() => "not confirmed within 3 s");
  assert.equal(await Promise.race([p.ssubscribe(ch).then(() => "confirmed"), late]), "confirmed");
  figure("SSUBSCRIBE redirected by MOVED", { confirmedMs: Date.now() - started });
  assert.equal((await cluster.counters(from)).errors.MOVED !== undefined, true, "the old owner said MOVED");
  assert.equal(await shardNumSub(to, ch), 1);
  assert.equal(await shardNumSub(from, ch), 0);
  assert.equal(await rc.spublish(ch, "here"), 1);
  assert.deepEqual((await collect(p, 1)).map((m) => m.data), ["here"]);
});

test("shard channels of a SIGKILLed primary are subscribed again on the promoted replica", async () => {
  await using rc = client();
  await using p = rc.pubsub({ ignoreSubscribeMessages: true });
  await p.ssubscribe(...SHARD_CHANNELS);
  const victim = await cluster.ownerOf(keySlot(SHARD_CHANNELS[20]));
  const killed = Date.now();
  await cluster.kill(victim);
  try {
    await cluster.waitForPromotion(victim);
    const promotedMs = Date.now() - killed;
    const ok = await waitFor(async () => {
      for (const ch of SHARD_CHANNELS) {
        if (await shardNumSub(await cluster.ownerOf(keySlot(ch)), ch) !== 1) return false;
      }
      return true;
    }, 5000);
    assert.ok(ok, "every shard channel subscribed on its owner");
    figure("shard channels after SIGKILL of their primary", {
      killToPromotionSeenMs: promotedMs,
      killToResubscribedMs: Date.now() - killed,
    });
    for (const ch of SHARD_CHANNELS) assert.equal(await rc.spublish(ch, `after ${ch}`), 1, ch);
    const got = await collect(p, 30);
    await sleep(200);
    got.push(...await drain(p));
    assert.deepEqual(got.map((m) => m.data).sort(), SHARD_CHANNELS.map((ch) => `after ${ch}`).sort());
  } finally {
    await cluster.restart(victim);
    await cluster.waitStable();
  }
});

test("spublish goes to the channel's slot owner; publish to one node", async () => {
  await using rc = client();
  await rc.initialize();
  const ch = SHARD_CHANNELS[7];
  const owner = await cluster.ownerOf(keySlot(ch));
  await cluster.resetCounters();
  await rc.spublish(ch, "x");
  await rc.publish("news", "y");
  const calls = async (command: string) => {
    const out: Record<string, number> = {};
    for (const node of cluster.nodes.filter((n) => n.running)) {
      const n = (await cluster.counters(node)).commands[command]?.calls ?? 0;
      if (n > 0) out[node.name] = n;
    }
    return out;
  };
  assert.deepEqual(await calls("spublish"), { [owner.name]: 1 });
  assert.equal(Object.values(await calls("publish")).reduce((a, b) => a + b, 0), 1);
  await cluster.stop();
});
