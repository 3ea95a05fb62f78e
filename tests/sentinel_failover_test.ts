// Fast failover of a sentinel-managed master client against a real topology (1 master, 2 replicas, 3
// sentinels): a SIGKILLed master, SENTINEL FAILOVER of a healthy master, a hung master. Writes run from
// several loops during each; the figures (time from the first +switch-master to the first write on the new
// master, writes acknowledged by the old master after it) are printed.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ConnectionError, Redis, Sentinel, SentinelConnectionPool, TimeoutError } from "../mod.ts";
import { type SentinelNodeInfo, startSentinel } from "./harness/mod.ts";
import { sleep, waitFor } from "./support/async.ts";

const topo = await startSentinel();
const NAME = topo.masterName;
const CHECK_INTERVAL = 500;
const label = `${topo.flavour} ${topo.flavourVersion.join(".")}`;

/** Client calls of `command` on a node (lower case). */
async function calls(node: SentinelNodeInfo, command: string): Promise<number> {
  return (await topo.counters(node)).commands[command]?.calls ?? 0;
}

interface Ack {
  at: number;
  address: string | undefined;
}

/**
 * `loops` loops of INCR `key` (about 1 ms apart) until `stop()`; each command's outcome recorded with the time and the address
 * of the client's connection when it resolved.
 */
function writeLoad(master: Redis, key: string, loops = 4) {
  const acks: Ack[] = [];
  const failures: { at: number; error: unknown }[] = [];
  let running = true;
  let longest = 0;
  const run = async () => {
    while (running) {
      const started = Date.now();
      try {
        await master.incr(key);
        acks.push({ at: Date.now(), address: master.connectionPool.currentSharedConnection?.address });
        // Paced: unpaced loops saturate the machine, and a starved replica lags the master by hundreds of
        // milliseconds; the sentinels promote it without waiting (Redis's asynchronous replication), so the
        // writes it missed are lost whatever the client does.
        await sleep(1);
      } catch (error) {
        failures.push({ at: Date.now(), error });
        await sleep(20);
      }
      longest = Math.max(longest, Date.now() - started);
    }
  };
  const done = Promise.all(Array.from({ length: loops }, run));
  return {
    acks,
    failures,
    get longest() {
      return longest;
    },
    async stop() {
      running = false;
      await done;
    },
  };
}

/** Waits until every replica has a counter `key` above 0, failing with their replication state if not. */
async function replicating(key: string): Promise<void> {
  const flowing = await waitFor(async () => {
    const values = await Promise.all(topo.replicas.map((r) => topo.call(r, "GET", key)));
    return values.every((v) => Number(v) > 0);
  }, 5_000);
  if (!flowing) {
    const states = await Promise.all(topo.replicas.map((r) => topo.call(r, "INFO", "replication")));
    assert.fail(`the replicas do not receive the writes: ${JSON.stringify(states)}`);
  }
}

function sentinelFor(): Sentinel {
  return new Sentinel(topo.sentinelAddresses);
}

test("SIGKILL of the master under INCR load: every INCR settles, writes resume on the new master within 1 s of +switch-master", async () => {
  await topo.waitReady();
  await using sentinel = sentinelFor();
  const master = sentinel.masterFor(NAME, { socketTimeout: 2_000 });
  const events: { at: number; to: string }[] = [];
  master.addEventListener(
    "failover",
    (e) => events.push({ at: Date.now(), to: `${e.to.host}:${e.to.port}` }),
  );
  const key = "failover:kill";
  await master.set(key, 0);
  const load = writeLoad(master, key);
  await sleep(300);
  const old = topo.master;
  // Both replicas receive the INCRs before the kill: a write acknowledged then is on whichever is promoted.
  await replicating(key);
  const killedAt = Date.now();
  await topo.kill(old);
  // What each replica holds once the killed master is gone, before any promotion (seconds away): Redis
  // replicates asynchronously, so INCRs the master acknowledged but had not yet sent are lost whatever the
  // client does. The client is judged on what it can change: nothing acknowledged by the new master is lost,
  // nothing is counted twice.
  const heldAtKill = new Map<string, number>();
  let switched: Awaited<ReturnType<typeof topo.waitForSwitch>>;
  try {
    await sleep(50);
    for (const r of topo.replicas) heldAtKill.set(r.name, Number(await topo.call(r, "GET", key)));
    switched = await topo.waitForSwitch(old);
    await sleep(1_500);
  } finally {
    await load.stop();
    // The killed master comes back as a replica of the new one, whatever happens here.
    await topo.restart(old);
  }
  const { to, at } = switched;
  const resumed = load.acks.find((a) => a.at > killedAt && a.address === to.name);
  assert.ok(resumed, "no INCR acknowledged on the new master");
  const final = Number(await topo.call(to, "GET", key));
  const acked = load.acks.length;
  const unknown = load.failures.length;
  const held = heldAtKill.get(to.name);
  assert.ok(held !== undefined, `the promoted ${to.name} was not a replica before the kill`);
  const ackedOnOld = load.acks.filter((a) => a.address === old.name).length;
  const ackedOnNew = load.acks.filter((a) => a.address === to.name).length;
  const unattributed = acked - ackedOnOld - ackedOnNew;
  // Acknowledged by the killed master, never replicated: the server's asynchronous replication, reported.
  const unreplicated = Math.max(0, ackedOnOld - held);
  console.log(
    `[${label}] kill: +switch-master ${at - killedAt} ms after the kill; first INCR on the new master ${
      resumed.at - at
    } ms after it; failover event ${
      events.length ? events[0].at - at : "none"
    } ms; acked ${acked} (${ackedOnNew} on the new master), failed ${unknown}, final ${final}, acknowledged ` +
      `by the killed master but not replicated ${unreplicated}; longest INCR ${load.longest} ms`,
  );
  assert.ok(resumed.at - at < 1_000, `resumed ${resumed.at - at} ms after +switch-master`);
  assert.ok(load.longest < 5_000, `an INCR took ${load.longest} ms to settle`);
  assert.ok(
    final >= held + ackedOnNew,
    `final counter ${final} < ${held} held by the promoted replica + ${ackedOnNew} acknowledged by it`,
  );
  assert.ok(
    final <= held + ackedOnNew + unattributed + unknown,
    `final counter ${final} > ${held} held + ${ackedOnNew} acknowledged on the new master + ${unattributed} ` +
      `unattributed + unknown ${unknown}`,
  );
  // The client follows the sentinels' last word: once the old master is back as a replica, the last failover
  // event names the master they all report. (Compared with the first +switch-master's instead, this failed
  // once on Valkey 8 in CI, naming another node; what the sentinels reported then was not recorded.)
  await topo.waitReady();
  assert.equal(
    events.at(-1)?.to,
    topo.master.name,
    `failover events ${JSON.stringify(events.map((e) => e.to))}; the first +switch-master named ${to.name}`,
  );
});

test("SENTINEL FAILOVER under write load: writes move within 1 s of +switch-master, the old master acknowledges none after", async () => {
  await topo.waitReady();
  await using sentinel = sentinelFor();
  const master = sentinel.masterFor(NAME, { socketTimeout: 2_000 });
  const events: { at: number; from: string; to: string }[] = [];
  master.addEventListener("failover", (e) => {
    events.push({ at: Date.now(), from: `${e.from.host}:${e.from.port}`, to: `${e.to.host}:${e.to.port}` });
  });
  const key = "failover:manual";
  await master.set(key, 0);
  const old = topo.master;
  const load = writeLoad(master, key);
  await sleep(300);
  await replicating(key);
  const started = Date.now();
  const { to, at, agreedAt } = await topo.failover();
  const oldAtSwitch = await calls(old, "incr");
  await sleep(1_500);
  await load.stop();
  const oldAtEnd = await calls(old, "incr");
  const lateOnOld = load.acks.filter((a) => a.at > at + 1_000 && a.address === old.name).length;
  const moved = load.acks.find((a) => a.at > started && a.address === to.name);
  assert.ok(moved, "no INCR acknowledged on the new master");
  const final = Number(await topo.call(to, "GET", key));
  const acked = load.acks.length;
  console.log(
    `[${label}] SENTINEL FAILOVER: +switch-master ${at - started} ms after the command (all agree +${
      agreedAt - at
    } ms); first INCR on the new master ${moved.at - at} ms after it; failover event ${
      events.length ? events[0].at - at : "none"
    } ms; old master INCR calls after the switch ${
      oldAtEnd - oldAtSwitch
    }; acked ${acked}, failed ${load.failures.length}, final ${final} (lost ${Math.max(0, acked - final)})`,
  );
  assert.ok(moved.at - at < 1_000, `writes moved ${moved.at - at} ms after +switch-master`);
  assert.equal(lateOnOld, 0);
  assert.equal(oldAtEnd - oldAtSwitch, 0, "the old master ran INCRs after the switch");
  assert.ok(final >= acked, `acknowledged writes lost: final ${final} < acknowledged ${acked}`);
  assert.deepEqual(events.map((e) => e.to), [to.name]);
  assert.equal(events[0].from, old.name);
});

test("a hung master: pending commands reject with TimeoutError within 1.5 s and are not re-sent; new ones reach the new master", async () => {
  await topo.waitReady();
  await using sentinel = sentinelFor();
  const master = sentinel.masterFor(NAME, { socketTimeout: 1_000 });
  await master.ping();
  const old = topo.master;
  const before = await calls(old, "incr");
  await topo.debugSleep(old, 15);
  const sentAt = Date.now();
  const pending = await Promise.all(
    Array.from({ length: 5 }, (_, i) =>
      master.incr(`failover:hung:${i}`).then(
        () => ({ error: undefined, took: Date.now() - sentAt }),
        (error) => ({ error, took: Date.now() - sentAt }),
      )),
  );
  for (const p of pending) {
    assert.ok(p.error instanceof TimeoutError || p.error instanceof ConnectionError, String(p.error));
    assert.ok(p.took < 1_500, `settled after ${p.took} ms`);
  }
  assert.ok(pending.some((p) => p.error instanceof TimeoutError));
  const { to, at } = await topo.waitForSwitch(old);
  // New commands, sent from the switch on, reach the new master.
  let reached: number | undefined;
  const deadline = at + 5_000;
  while (reached === undefined && Date.now() < deadline) {
    try {
      await master.set("failover:hung:after", "1");
      if (master.connectionPool.currentSharedConnection?.address === to.name) reached = Date.now();
    } catch {
      await sleep(20);
    }
  }
  assert.ok(reached !== undefined, "no command reached the new master");
  console.log(
    `[${label}] hung master: pending commands settled in ${Math.max(...pending.map((p) => p.took))} ms; ` +
      `+switch-master ${at - sentAt} ms after the hang; new commands on the new master ${
        reached - at
      } ms after it`,
  );
  assert.ok(
    reached - at < 1_000,
    `new commands reached the new master ${reached - at} ms after +switch-master`,
  );
  assert.equal(await topo.call(to, "GET", "failover:hung:after"), "1");
  // Once the old master wakes up it has run each timed-out INCR at most once (read before its socket closed).
  assert.ok(await waitFor(async () => (await topo.call(old, "PING").catch(() => "")) === "PONG", 20_000));
  const after = await calls(old, "incr");
  assert.ok(after - before <= 5, `the old master ran ${after - before} INCRs for 5 sent`);
});

test("without the +switch-master subscription, the periodic check moves the writes (masterCheckInterval)", async () => {
  await topo.waitReady();
  await using sentinel = sentinelFor();
  // A discovery source without followSwitches: only the periodic check can notice the switch.
  const source = {
    discoverMaster: (name: string) => sentinel.discoverMaster(name),
    discoverSlaves: (name: string) => sentinel.discoverSlaves(name),
  };
  const pool = new SentinelConnectionPool(NAME, source, { masterCheckInterval: CHECK_INTERVAL });
  const master = new Redis({ connectionPool: pool });
  try {
    await master.set("failover:check", "0");
    const { to, at } = await topo.failover();
    let moved: number | undefined;
    while (moved === undefined && Date.now() < at + 5_000) {
      await master.incr("failover:check").catch(() => {});
      if (master.connectionPool.currentSharedConnection?.address === to.name) moved = Date.now();
      else await sleep(10);
    }
    console.log(
      `[${label}] periodic check (${CHECK_INTERVAL} ms): writes moved ${moved! - at} ms after +switch-master`,
    );
    assert.ok(
      moved !== undefined && moved - at < 2 * CHECK_INTERVAL + 1_000,
      `moved ${moved! - at} ms after`,
    );
  } finally {
    await pool.disconnect();
  }
  await topo.waitReady(30_000);
});

test("stop the topology", async () => {
  await topo.stop();
});
