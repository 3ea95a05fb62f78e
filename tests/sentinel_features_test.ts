// Everything else through a sentinel-managed client, against a real
// topology (1 master, 2 replicas, 3 sentinels, no passwords): pipelines,
// transactions with WATCH, scripts, locks, blocking commands, retries,
// pub/sub and client-side caching, before and across a SIGKILL of the
// master; and the `SENTINEL *` command methods of `Sentinel` against the
// real sentinels, the broadcast ones included.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  CacheConfig,
  ConnectionError,
  ConstantBackoff,
  type PubSub,
  type PubSubMessage,
  Retry,
  Sentinel,
  WatchError,
} from "../mod.ts";
import { startSentinel } from "./harness/mod.ts";
import { outcome, sleep, waitFor } from "./support/async.ts";

const topo = await startSentinel();
const NAME = topo.masterName;

/** Retries for the few seconds the sentinels need to agree on a new master. */
const THROUGH_FAILOVER = () => new Retry(new ConstantBackoff(100), 60);

function sentinelFor(addresses = topo.sentinelAddresses): Sentinel {
  return new Sentinel(addresses);
}

/** Client calls of `command` on a node (lower case, e.g. `"incr"`). */
async function calls(node: (typeof topo.dataNodes)[number], command: string): Promise<number> {
  return (await topo.counters(node)).commands[command]?.calls ?? 0;
}

/** When a sentinel last rewrote its config file (a sentinel's INFO has no commandstats). */
async function configWritten(node: (typeof topo.sentinels)[number]): Promise<number> {
  const file = (await readdir(node.dir)).find((f) => f.endsWith(".conf"));
  assert.ok(file, `no config file in ${node.dir}`);
  return (await stat(join(node.dir, file))).mtimeMs;
}

/** The next message (not a subscribe confirmation) within `ms`, or null. */
async function nextMessage(p: PubSub, ms = 2_000): Promise<PubSubMessage | null> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const m = await p.getMessage({ ignoreSubscribeMessages: true, timeout: 100 });
    if (m) return m;
  }
  return null;
}

/** Kills the master, waits for the sentinels to agree on a new one; resolves with both. */
async function killMaster() {
  const old = topo.master;
  const killedAt = Date.now();
  await topo.kill(old);
  const change = await topo.waitForSwitch(old);
  return { ...change, killedAt };
}

/** Brings a killed old master back and waits until it is a replica of the new master. */
async function heal(old: (typeof topo.dataNodes)[number]): Promise<void> {
  await topo.restart(old);
  await topo.waitReady(40_000);
}

// ---------------------------------------------------------------------------------------------------------
// On a healthy topology.

test("masterFor: pipeline, transaction with WATCH, script, lock and BLPOP woken by a push, all on the master", async () => {
  await using sentinel = sentinelFor();
  const master = sentinel.masterFor(NAME);
  const other = sentinel.masterFor(NAME);
  await topo.resetCounters();

  const replies = await master.pipeline().set("f:p", "1").incr("f:p").get("f:p").exec();
  assert.deepEqual(replies, [true, 2, "2"]);

  // WATCH: a change by another client between WATCH and EXEC aborts; the retry sees the new value.
  let attempts = 0;
  const result = await master.transaction(async (pipe) => {
    attempts++;
    const v = Number(await pipe.get("f:p"));
    if (attempts === 1) await other.incr("f:p"); // meddles once
    pipe.multi().set("f:p", String(v * 10));
  }, "f:p");
  assert.equal(attempts, 2);
  assert.deepEqual(result, [true]);
  assert.equal(await topo.call(topo.master, "GET", "f:p"), "30");
  // Without the retry loop: the WatchError surfaces.
  const watched = await master.pipeline().watch("f:p");
  await other.incr("f:p");
  watched.multi().set("f:p", "never");
  assert.ok(await outcome(watched.exec()) instanceof WatchError);

  const double = master.registerScript("return tonumber(ARGV[1]) * 2");
  assert.equal(await double.run({ args: [21] }), 42);

  const lock = master.lock("f:lock", { timeout: 5_000 });
  assert.equal(await lock.acquire({ blocking: false }), true);
  assert.equal(await other.lock("f:lock").acquire({ blocking: false }), false);
  await lock.release();
  assert.equal(await other.lock("f:lock").acquire({ blocking: false }), true);

  const popped = master.blpop("f:queue", 5);
  await sleep(100);
  await other.rpush("f:queue", "job");
  assert.deepEqual(await popped, ["f:queue", "job"]);

  // All of it ran on the master (replicas see SETs replicated, but never a BLPOP or EVALSHA).
  for (const r of topo.replicas) {
    assert.equal(await calls(r, "blpop"), 0);
    assert.equal(await calls(r, "evalsha"), 0);
  }
  assert.ok(await calls(topo.master, "blpop") >= 1);
  assert.ok(await calls(topo.master, "evalsha") >= 1);
});

test("pubsub() of a masterFor client subscribes on the master; slaveFor's on a replica", async () => {
  await using sentinel = sentinelFor();
  const master = sentinel.masterFor(NAME);
  const p = master.pubsub();
  await p.subscribe("f:news");
  assert.equal(await topo.call(topo.master, "PUBLISH", "f:news", "hello"), 1);
  const m = await nextMessage(p);
  assert.equal(m?.data, "hello");
  await p.close();

  // A replica's pubsub receives what is published on the master: PUBLISH replicates. A channel of its own:
  // the "hello" above reaches the replicas asynchronously, and may arrive after this subscription.
  const replica = sentinel.slaveFor(NAME);
  const rp = replica.pubsub();
  await rp.subscribe("f:news:replica");
  await topo.call(topo.master, "PUBLISH", "f:news:replica", "via-replica");
  const rm = await nextMessage(rp);
  assert.equal(rm?.data, "via-replica");
  await rp.close();
});

// ---------------------------------------------------------------------------------------------------------
// SENTINEL command methods against the real sentinels.

test("SENTINEL read methods answer from the real sentinels", async () => {
  await using sentinel = sentinelFor();
  const masters = await sentinel.sentinelMasters();
  assert.ok(Array.isArray(masters) || typeof masters === "object");
  const master = await sentinel.sentinelMaster(NAME);
  assert.equal(master.name, NAME);
  assert.equal(Number(master.port), topo.master.port);
  const replicas = await sentinel.sentinelReplicas(NAME);
  assert.deepEqual(replicas.map((r) => Number(r.port)).sort(), topo.replicas.map((r) => r.port).sort());
  const sentinels = await sentinel.sentinelSentinels(NAME);
  assert.equal(sentinels.length, 2); // the others, seen from the one asked
  const addr = await sentinel.sentinelGetMasterAddrByName(NAME);
  assert.deepEqual(addr, [topo.master.host, topo.master.port]);
  assert.match(await sentinel.sentinelCkquorum(NAME), /^OK 3 usable Sentinels/);
  const unknown = await outcome(sentinel.sentinelCkquorum("no-such-master"));
  assert.ok(unknown instanceof Error && !(unknown instanceof ConnectionError), String(unknown));
});

test("sentinelSet, sentinelConfigSet and sentinelFlushconfig reach every sentinel", async () => {
  await using sentinel = sentinelFor();
  assert.equal(await sentinel.sentinelSet(NAME, "down-after-milliseconds", 1001), true);
  for (const s of topo.sentinels) {
    const state = await topo.call(s, "SENTINEL", "MASTER", NAME) as string[];
    assert.equal(state[state.indexOf("down-after-milliseconds") + 1], "1001", s.name);
  }
  await sentinel.sentinelSet(NAME, "down-after-milliseconds", 1000);

  assert.equal(await sentinel.sentinelConfigSet("announce-hostnames", "yes"), true);
  for (const s of topo.sentinels) {
    const got = await topo.call(s, "SENTINEL", "CONFIG", "GET", "announce-hostnames") as string[];
    assert.equal(got[1], "yes", s.name);
  }
  await sentinel.sentinelConfigSet("announce-hostnames", "no");

  const before = await Promise.all(topo.sentinels.map(configWritten));
  await sleep(20);
  assert.equal(await sentinel.sentinelFlushconfig(), true);
  const after = await Promise.all(topo.sentinels.map(configWritten));
  for (const [i, s] of topo.sentinels.entries()) assert.ok(after[i] > before[i], `${s.name} did not rewrite`);
});

test("a broadcast SENTINEL command with one sentinel dead rejects naming it; the others still got it", async () => {
  const dead = topo.sentinels[2];
  await topo.kill(dead);
  try {
    await using sentinel = sentinelFor();
    const alive = topo.sentinels.slice(0, 2);
    const before = await Promise.all(alive.map(configWritten));
    await sleep(20);
    const error = await outcome(sentinel.sentinelFlushconfig());
    assert.ok(error instanceof ConnectionError, String(error));
    assert.match(error.message, /succeeded on 2 of 3 sentinels/);
    assert.ok(error.message.includes(dead.name), error.message);
    const after = await Promise.all(alive.map(configWritten));
    for (const [i, s] of alive.entries()) assert.ok(after[i] > before[i], `${s.name} did not rewrite`);
    // A read still answers from a live sentinel.
    assert.equal((await sentinel.sentinelMaster(NAME)).name, NAME);
  } finally {
    await topo.restart(dead);
    await topo.waitReady();
  }
});

// ---------------------------------------------------------------------------------------------------------
// Across a SIGKILL of the master.

test("across a SIGKILL failover: pending BLPOP rejects, then pipeline, WATCH, script, lock, pubsub and cache follow the new master", async () => {
  await using sentinel = sentinelFor();
  const master = sentinel.masterFor(NAME, { retry: THROUGH_FAILOVER() });
  const plain = sentinel.masterFor(NAME); // no retry: shows what a caller sees
  const cached = sentinel.masterFor(NAME, {
    protocol: 3,
    cache: new CacheConfig(),
    retry: THROUGH_FAILOVER(),
  });

  // Set up before the kill.
  const script = master.registerScript("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  assert.equal(await script.run({ keys: ["f:s"], args: [1] }), 1);
  await master.set("f:cached", "before");
  await topo.call(topo.master, "WAIT", "2", "2000");
  assert.equal(await cached.get("f:cached"), "before");
  assert.equal(await cached.get("f:cached"), "before"); // served from the cache now
  const p = master.pubsub();
  const received: PubSubMessage[] = [];
  await p.subscribe({ "f:after": (m) => void received.push(m) });
  const worker = p.run({ sleepTime: 100 });
  const pending = outcome(plain.blpop("f:never", 0));
  await sleep(100);

  const { from, to, at, killedAt } = await killMaster();
  console.log(`kill → +switch-master: ${at - killedAt} ms`);

  // The BLPOP pending on the dead master rejects clearly (connection lost), it does not hang.
  const blpopError = await Promise.race([pending, sleep(5_000).then(() => "still pending")]);
  assert.ok(blpopError instanceof ConnectionError, String(blpopError));

  // Pipeline and transaction on the new master.
  assert.deepEqual(await master.pipeline().set("f:p2", "1").incr("f:p2").exec(), [true, 2]);
  const tx = await master.transaction(async (pipe) => {
    const v = Number(await pipe.get("f:p2"));
    pipe.multi().set("f:p2", String(v + 1));
  }, "f:p2");
  assert.deepEqual(tx, [true]);
  assert.equal(await topo.call(to, "GET", "f:p2"), "3");

  // The script: flushed from the new master, so EVALSHA meets NOSCRIPT and loads it again there.
  await topo.call(to, "SCRIPT", "FLUSH");
  await topo.resetCounters();
  assert.equal(await script.run({ keys: ["f:s"], args: [1] }), 2);
  const counters = await topo.counters(to);
  assert.equal(counters.commands["script|load"]?.calls ?? counters.commands["eval"]?.calls ?? 0, 1);

  // A lock on the new master.
  const lock = master.lock("f:lock2", { timeout: 5_000 });
  assert.equal(await lock.acquire({ blocking: false }), true);
  assert.ok(await topo.call(to, "GET", "f:lock2"));
  await lock.release();

  // BLPOP on the new master is woken by a push there.
  const popped = plain.blpop("f:queue2", 5);
  await sleep(100);
  await topo.call(to, "RPUSH", "f:queue2", "job");
  assert.deepEqual(await popped, ["f:queue2", "job"]);

  // The subscription moved to the new master and receives what is published there.
  assert.ok(
    await waitFor(async () => Number(await topo.call(to, "PUBLISH", "f:after", "on-new")) === 1, 5_000),
    "the subscription did not come back on the new master",
  );
  assert.ok(await waitFor(() => received.some((m) => m.data === "on-new"), 2_000));
  await worker.stop();
  await p.close();

  // The cache was flushed by the switch: a value changed on the new master is not served stale.
  await topo.call(to, "SET", "f:cached", "after");
  assert.equal(await cached.get("f:cached"), "after");

  assert.equal(master.connectionPool.currentSharedConnection?.address, to.name);
  assert.notEqual(from.name, to.name);
  await heal(from);
});

test("INCR loops with a retry policy across a SIGKILL: every promise settles, none is lost", async () => {
  await using sentinel = sentinelFor();
  const master = sentinel.masterFor(NAME, { retry: THROUGH_FAILOVER() });
  await master.set("f:n", "0");
  await topo.call(topo.master, "WAIT", "2", "2000");
  let acked = 0;
  let failed = 0;
  let stop = false;
  const loops = Array.from({ length: 4 }, async () => {
    while (!stop) {
      const r = await outcome(master.incr("f:n"));
      if (typeof r === "number") acked++;
      else failed++;
    }
  });
  await sleep(300);
  const { from, to } = await killMaster();
  const ackedAtSwitch = acked;
  assert.ok(await waitFor(() => acked > ackedAtSwitch + 20, 3_000), "INCRs did not resume");
  stop = true;
  await Promise.all(loops);
  const final = Number(await topo.call(to, "GET", "f:n"));
  console.log(`INCRs: ${acked} acknowledged, ${failed} failed; final counter ${final}`);
  assert.ok(final >= acked, `final ${final} < acknowledged ${acked}`);
  // A write whose reply was lost is not re-sent (retryWrites is off): it fails, so nothing ran twice.
  assert.ok(final <= acked + failed, `final ${final} > acknowledged ${acked} + failed ${failed}`);
  await heal(from);
});

test("after SENTINEL FAILOVER: the subscription and the cache follow the new master at once", async () => {
  await using sentinel = sentinelFor();
  const master = sentinel.masterFor(NAME, {
    protocol: 3,
    cache: new CacheConfig(),
    retry: THROUGH_FAILOVER(),
  });
  await master.set("f:cached2", "before");
  await topo.call(topo.master, "WAIT", "2", "2000");
  assert.equal(await master.get("f:cached2"), "before");
  assert.equal(await master.get("f:cached2"), "before"); // from the cache
  const p = master.pubsub();
  const received: PubSubMessage[] = [];
  await p.subscribe({ "f:after2": (m) => void received.push(m) });
  const worker = p.run({ sleepTime: 100 });

  const { from, to, at } = await topo.failover();
  // The old master stays a writable master for about 10 s: only following the switch moves the client.
  const [role] = await topo.call(from, "ROLE") as string[];
  assert.equal(role, "master");
  assert.ok(
    await waitFor(async () => Number(await topo.call(to, "PUBLISH", "f:after2", "on-new")) === 1, 3_000),
    "the subscription did not move to the new master",
  );
  assert.ok(await waitFor(() => received.some((m) => m.data === "on-new"), 2_000));
  console.log(`+switch-master → subscription on the new master: ${Date.now() - at} ms`);
  await topo.call(to, "SET", "f:cached2", "after");
  assert.equal(await master.get("f:cached2"), "after");
  assert.deepEqual(await topo.call(from, "PUBSUB", "NUMSUB", "f:after2"), ["f:after2", 0]); // left the old one
  await worker.stop();
  await p.close();
  await topo.waitReady(40_000);
});

test("stop the topology", async () => {
  await topo.stop();
});
