// The sentinel harness itself, with raw commands only: a master, 2 replicas and 3 sentinels start ready,
// fail over on request and on a kill, take a restarted old master back as a replica, and hang on DEBUG SLEEP.
// The timings the Sentinel client tests rely on are measured and printed here.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import {
  processAlive,
  rawCommands,
  type RawReply,
  type SentinelNodeInfo,
  startSentinel,
} from "./harness/mod.ts";

// One topology for the whole file (about 1.3 s to start); the last test stops it.
const topology = await startSentinel();
const label = `${topology.flavour} ${topology.flavourVersion.join(".")}`;

/** A flat RESP2 map (`[k1, v1, ...]`) as an object of strings. */
function fields(reply: RawReply): Record<string, string> {
  assert.ok(Array.isArray(reply), `expected a map, got ${JSON.stringify(reply)}`);
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1]);
  return out;
}

async function role(node: SentinelNodeInfo): Promise<string> {
  const reply = await topology.call(node, "ROLE");
  assert.ok(Array.isArray(reply), `ROLE on ${node.name}: ${JSON.stringify(reply)}`);
  return String(reply[0]);
}

/** Asserts the roles every running node reports match the harness's view. */
async function assertRoles(): Promise<void> {
  assert.equal(await role(topology.master), "master");
  for (const replica of topology.replicas.filter((n) => n.running)) {
    const reply = await topology.call(replica, "ROLE");
    assert.ok(Array.isArray(reply));
    assert.equal(reply[0], "slave", `${replica.name} is not a replica`);
    assert.equal(`${reply[1]}:${reply[2]}`, topology.master.name);
  }
}

test("startSentinel: 1 master, 2 replicas, 3 sentinels that know each other", async () => {
  console.log(`sentinel topology startup: ${topology.startupMs} ms (${label})`);
  assert.ok(topology.startupMs < 10_000, `startup took ${topology.startupMs} ms`);
  assert.equal(topology.masterName, "mymaster");
  assert.equal(topology.replicas.length, 2);
  assert.equal(topology.sentinels.length, 3);
  assert.equal(topology.dataNodes[0], topology.master);
  assert.deepEqual(
    topology.sentinelAddresses,
    topology.sentinels.map((s) => ({ host: "127.0.0.1", port: s.port })),
  );
  for (const node of [...topology.dataNodes, ...topology.sentinels]) {
    assert.ok(processAlive(node.pid), `${node.name} is not running`);
    assert.ok(node.running);
    assert.notEqual(node.port, 6379);
    assert.equal(node.host, "127.0.0.1");
  }
  await assertRoles();
  for (const s of topology.sentinels) {
    assert.equal(await role(s), "sentinel");
    const [master, replicas, others, addr] = await topology.calls(s, [
      ["SENTINEL", "MASTER", "mymaster"],
      ["SENTINEL", "REPLICAS", "mymaster"],
      ["SENTINEL", "SENTINELS", "mymaster"],
      ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"],
    ]);
    const m = fields(master);
    assert.equal(`${m.ip}:${m.port}`, topology.master.name);
    assert.equal(m.flags, "master");
    assert.equal(m["num-slaves"], "2");
    assert.equal(m["num-other-sentinels"], "2");
    assert.equal(m.quorum, "2");
    assert.equal(m["down-after-milliseconds"], "1000");
    assert.deepEqual(addr, ["127.0.0.1", String(topology.master.port)]);
    assert.ok(Array.isArray(replicas));
    assert.deepEqual(
      replicas.map((r) => `${fields(r).ip}:${fields(r).port}`).sort(),
      topology.replicas.map((r) => r.name).sort(),
    );
    for (const r of replicas) assert.equal(fields(r)["master-link-status"], "ok");
    assert.ok(Array.isArray(others));
    assert.deepEqual(
      others.map((o) => `${fields(o).ip}:${fields(o).port}`).sort(),
      topology.sentinels.filter((o) => o !== s).map((o) => o.name).sort(),
    );
  }
  assert.equal(await topology.currentMaster(), topology.master);
});

test("call, counters and resetCounters: writes replicate, commandstats are per node", async () => {
  await topology.resetCounters();
  assert.equal(await topology.call(topology.master, "SET", "harness:k", "v"), "OK");
  assert.equal(await topology.call(topology.master, "WAIT", "2", "2000"), 2);
  for (const replica of topology.replicas) {
    // Seen once on Node 20: GET answered nil on a replica right after WAIT counted it. Allow 1 s.
    let value = await topology.call(replica, "GET", "harness:k");
    for (const until = Date.now() + 1000; value !== "v" && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 20));
      value = await topology.call(replica, "GET", "harness:k");
    }
    assert.equal(value, "v", replica.name);
  }
  const master = await topology.counters(topology.master);
  assert.equal(master.commands.set?.calls, 1);
  const replica = await topology.counters(topology.replicas[0]);
  assert.ok((replica.commands.get?.calls ?? 0) >= 1);
  // A replica refuses writes: the error is counted.
  const refused = await topology.call(topology.replicas[0], "SET", "harness:k", "w");
  assert.match(String((refused as Error).message), /^READONLY/);
  assert.equal((await topology.counters(topology.replicas[0])).errors.READONLY, 1);
});

test("debugSleep: the node stops answering at once and answers again afterwards", async () => {
  // A replica: a master asleep longer than down-after-milliseconds would be failed over.
  const replica = topology.replicas[0];
  const started = Date.now();
  await topology.debugSleep(replica, 1.5);
  await assert.rejects(rawCommands(topology.target(replica), [["PING"]], { timeoutMs: 500 }), /no reply/);
  assert.equal(await topology.call(replica, "PING"), "PONG");
  const asleep = Date.now() - started;
  assert.ok(asleep >= 1400, `answered after ${asleep} ms`);
  await topology.waitReady();
});

test("failover(): every sentinel reports the new master; the old one stays a writable master for a while", async () => {
  const before = topology.master;
  const started = Date.now();
  const { from, to, at, agreedAt } = await topology.failover();
  assert.equal(from, before);
  assert.notEqual(to, before);
  assert.equal(topology.master, to);
  assert.ok(topology.replicas.includes(before as never));
  assert.equal(await role(to), "master");
  for (const s of topology.sentinels) {
    assert.deepEqual(await topology.call(s, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"), [
      "127.0.0.1",
      String(to.port),
    ]);
  }
  // The window the Sentinel client must not write in: the old master acknowledges writes nobody keeps.
  let acknowledged = 0;
  let demoted = 0;
  let movedBack = false;
  while (!demoted) {
    // The sentinel that demotes it also sends CLIENT KILL TYPE normal: a poll may be cut off.
    const replies = await topology.calls(before, [["ROLE"], ["INCR", "harness:window"]]).catch(() =>
      undefined
    );
    if (!replies) continue;
    const [reply, written] = replies;
    assert.ok(Array.isArray(reply));
    if (reply[0] === "slave") demoted = Date.now();
    else if (written === acknowledged + 1) acknowledged++;
    // Seen once on Node 24: the sentinels switched back to the old master, which then rightly stays one.
    if (!demoted && Date.now() - started > 15_000 && await topology.currentMaster() === before) {
      movedBack = true;
      break;
    }
    if (Date.now() - started > 40_000) assert.fail(`${before.name} still a master after 40 s`);
    await new Promise((r) => setTimeout(r, 5));
  }
  if (movedBack) {
    console.log(`note: the sentinels switched back to ${before.name}; its ${acknowledged} INCRs are kept`);
    await topology.waitReady();
    await assertRoles();
    assert.ok(Number(await topology.call(before, "GET", "harness:window")) >= acknowledged);
    return;
  }
  console.log(
    `SENTINEL FAILOVER: +switch-master after ${at - started} ms, every sentinel after ${
      agreedAt - started
    } ms; ` +
      `old master demoted after ${demoted - started} ms, ${acknowledged} INCRs acknowledged there meanwhile`,
  );
  assert.ok(acknowledged > 0);
  await topology.waitReady();
  await assertRoles();
  // Those writes are lost: the old master resynchronized from the new one.
  assert.equal(await topology.call(before, "GET", "harness:window"), null);
});

let killed: SentinelNodeInfo | undefined;

test("kill(master): the sentinels promote a replica (kill → +switch-master measured)", async () => {
  const master = topology.master;
  const pid = master.pid;
  const started = Date.now();
  await topology.kill(master);
  assert.equal(master.running, false);
  assert.equal(processAlive(pid), false);
  const { from, to, at, agreedAt } = await topology.waitForSwitch(master);
  console.log(`kill → +switch-master: ${at - started} ms (every sentinel: ${agreedAt - started} ms)`);
  assert.equal(from, master);
  assert.notEqual(to, master);
  assert.equal(topology.master, to);
  assert.equal(await role(to), "master");
  assert.equal(await topology.currentMaster(), to);
  killed = master;
});

test("restart(old master): it answers ROLE master for a while, then the sentinels make it a replica", async () => {
  assert.ok(killed, "needs the kill test");
  const old = killed;
  const master = topology.master;
  await topology.restart(old);
  const restarted = Date.now();
  assert.ok(old.running && processAlive(old.pid));
  // Its config still says master: until a sentinel sends REPLICAOF, it accepts writes nobody replicates.
  assert.equal(await role(old), "master");
  assert.equal(await topology.call(old, "SET", "harness:lost", "1"), "OK");
  let demoted = 0;
  while (!demoted) {
    // The sentinel that demotes it also sends CLIENT KILL TYPE normal: a poll may be cut off.
    const current = await role(old).catch(() => "cut off");
    if (current === "slave") demoted = Date.now();
    else if (Date.now() - restarted > 40_000) assert.fail(`${old.name} still a master after 40 s`);
    else await new Promise((r) => setTimeout(r, 20));
  }
  console.log(`restarted old master answered ROLE master for ${demoted - restarted} ms`);
  const reply = await topology.call(old, "ROLE");
  assert.ok(Array.isArray(reply));
  // It follows the master the sentinels report now. Seen on Node 24 (2 runs in 5): the sentinels switched
  // once more after agreeing on the kill's promotion, and the restarted node was demoted after about 2 s.
  const now = await topology.currentMaster();
  if (now !== master) {
    console.log(
      `note: master moved again after the kill (${master.name} → ${now.name}), demoted in ${
        demoted - restarted
      } ms`,
    );
  }
  assert.equal(`${reply[1]}:${reply[2]}`, now.name);
  await topology.waitReady();
  await assertRoles();
  // The write it took as a master is gone: it resynchronized from the new master.
  assert.equal(await topology.call(old, "GET", "harness:lost"), null);
});

test("stop() kills every process and removes the directory; a second stop() is a no-op", async () => {
  const nodes = [...topology.dataNodes, ...topology.sentinels];
  const pids = nodes.map((n) => n.pid);
  const dirs = nodes.map((n) => n.dir);
  await topology.stop();
  for (const pid of pids) assert.equal(processAlive(pid), false, `pid ${pid} still alive`);
  for (const dir of dirs) assert.equal(existsSync(dir), false, `${dir} left behind`);
  await topology.stop();
});
