// The Sentinel client against a real topology (1 master, 2 replicas, 3
// sentinels, passwords on both the data nodes and the sentinels): discovery,
// writes on the master, reads spread over the replicas, bad sentinel
// credentials, and, with scripted fake sentinels and a fake master, the ROLE
// check and the rediscovery after a READONLY reply.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AuthenticationError,
  ConnectionError,
  ConstantBackoff,
  MasterNotFoundError,
  NoBackoff,
  ReadOnlyError,
  Redis,
  Retry,
  Sentinel,
  SentinelConnectionPool,
} from "../mod.ts";
import { freePort, startSentinel } from "./harness/mod.ts";
import { startScripted } from "./support/scripted.ts";
import { outcome } from "./support/async.ts";

const DATA_PW = "data-pw-N3ver-Sh0w";
const SENTINEL_PW = "sentinel-pw-N3ver-Sh0w";
const topo = await startSentinel({ password: DATA_PW, sentinelPassword: SENTINEL_PW });
const NAME = topo.masterName;

function sentinelFor(addresses = topo.sentinelAddresses): Sentinel {
  return new Sentinel(addresses, { sentinel: { password: SENTINEL_PW }, password: DATA_PW });
}

/** Client calls of `command` on a node (lower case, e.g. `"incr"`). */
async function calls(node: (typeof topo.dataNodes)[number], command: string): Promise<number> {
  return (await topo.counters(node)).commands[command]?.calls ?? 0;
}

/** A fake sentinel: `SENTINEL MASTER` names `next()` as a healthy master; counts the questions. */
async function fakeSentinel(next: () => { host: string; port: number }) {
  let asked = 0;
  const server = await startScripted((args) => {
    if (args[0] === "SENTINEL" && args[1]?.toUpperCase() === "MASTER") {
      asked++;
      const at = next();
      const fields = [
        "name",
        NAME,
        "ip",
        at.host,
        "port",
        String(at.port),
        "flags",
        "master",
        "num-other-sentinels",
        "2",
      ];
      return `*${fields.length}\r\n` + fields.map((f) => `$${f.length}\r\n${f}\r\n`).join("");
    }
    return "-ERR unexpected\r\n";
  }, { protocol: 3 });
  return { server, asked: () => asked, address: { host: server.host, port: server.port } };
}

test("discoverMaster skips a dead first sentinel and asks the one that answered first next time", async () => {
  const [first, second] = topo.sentinels;
  await topo.kill(first);
  try {
    await using sentinel = sentinelFor();
    const master = await sentinel.discoverMaster(NAME);
    assert.deepEqual(master, { host: topo.master.host, port: topo.master.port });
    assert.equal(sentinel.sentinels[0].port, second.port);
    const replicas = await sentinel.discoverSlaves(NAME);
    assert.deepEqual(
      replicas.map((r) => r.port).sort(),
      topo.replicas.map((r) => r.port).sort(),
    );
  } finally {
    await topo.restart(first);
  }
});

test("every sentinel dead: MasterNotFoundError naming each sentinel, quickly", async () => {
  const ports = [await freePort(), await freePort(), await freePort()];
  await using sentinel = sentinelFor(ports.map((port) => ({ host: "127.0.0.1", port })));
  const started = Date.now();
  const error = await outcome(sentinel.discoverMaster(NAME));
  const took = Date.now() - started;
  assert.ok(error instanceof MasterNotFoundError, String(error));
  for (const port of ports) assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
  assert.ok(took < 1_000, `took ${took} ms`);
  // A client on it fails its command the same way.
  const master = sentinel.masterFor(NAME);
  assert.ok(await outcome(master.set("k", "v")) instanceof MasterNotFoundError);
  assert.ok(!error.message.includes(SENTINEL_PW) && !error.message.includes(DATA_PW));
});

test("masterFor writes land on the master; the client's server says ROLE master", async () => {
  await using sentinel = sentinelFor();
  const master = sentinel.masterFor(NAME);
  await topo.resetCounters();
  for (let i = 0; i < 20; i++) await master.incr("sentinel:hits");
  assert.equal((await master.role())[0], "master");
  assert.equal(await calls(topo.master, "incr"), 20);
  assert.equal(await calls(topo.master, "role"), 2); // the connection's check and ours
});

test("slaveFor reads are served by both replicas in turn, each checked with ROLE", async () => {
  await using sentinel = sentinelFor();
  const replica = sentinel.slaveFor(NAME);
  await topo.resetCounters();
  for (let i = 0; i < 20; i++) await replica.get("sentinel:hits");
  const gets = await Promise.all(topo.replicas.map((r) => calls(r, "get")));
  assert.deepEqual(gets, [10, 10]);
  assert.equal(await calls(topo.master, "get"), 0);
  for (const r of topo.replicas) assert.equal(await calls(r, "role"), 1);
  assert.equal((await replica.role())[0], "slave");
  // A write is refused by the replica.
  assert.ok(await outcome(replica.set("k", "v")) instanceof ReadOnlyError);
});

test("a wrong sentinel password rejects with AuthenticationError naming the sentinel", async () => {
  const [one] = topo.sentinelAddresses;
  await using sentinel = new Sentinel([one], { sentinel: { password: "wrong" }, password: DATA_PW });
  const error = await outcome(sentinel.discoverMaster(NAME));
  assert.ok(error instanceof AuthenticationError, String(error));
  assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${one.port}`));
  const viaClient = await outcome(sentinel.masterFor(NAME).ping());
  assert.ok(viaClient instanceof AuthenticationError, String(viaClient));
  assert.ok(!String(error.message).includes(SENTINEL_PW));
});

test("a server named master with ROLE slave is refused before any command; the client asks again", async () => {
  const [wrong] = topo.replicas;
  let n = 0;
  const fake = await fakeSentinel(() => (n++ < 2 ? wrong : topo.master));
  try {
    await using sentinel = sentinelFor([fake.address]);
    const master = sentinel.masterFor(NAME);
    await topo.resetCounters();
    assert.equal(await master.set("sentinel:role", "checked"), true);
    assert.equal(fake.asked(), 3);
    assert.equal(await calls(topo.master, "set"), 1);
    assert.equal(await calls(wrong, "role"), 2);
    assert.equal(master.connectionPool.currentSharedConnection?.address, topo.master.name);
  } finally {
    await fake.server.close();
  }
});

test("a switch announced again while the new connection is still connecting is one switch, one event", async () => {
  const source = {
    discoverMaster: () => Promise.resolve(topo.master),
    discoverSlaves: () => Promise.resolve([]),
  };
  const pool = new SentinelConnectionPool(NAME, source, { password: DATA_PW, masterCheckInterval: 0 });
  const master = new Redis({ connectionPool: pool });
  const switches: string[] = [];
  pool.onSwitch((_from, to) => switches.push(`${to.host}:${to.port}`));
  try {
    // A failover starts: new connections wait for its switch.
    pool.failoverStarted(topo.master);
    const write = master.set("sentinel:switch-once", "1");
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Every sentinel announces the switch; the second one lands before the waiting connection is ready
    // (a second switch would drop it, failing the write).
    pool.switchMaster(topo.master, topo.master);
    pool.switchMaster(topo.master, topo.master);
    assert.equal(await write, true);
    pool.switchMaster(topo.master, topo.master);
    assert.deepEqual(switches, [topo.master.name]);
    assert.equal(pool.currentSharedConnection?.address, topo.master.name);
  } finally {
    await pool.disconnect();
  }
});

test("a sentinel that only names a replica: the write fails with a ConnectionError and is never sent", async () => {
  const [wrong] = topo.replicas;
  const fake = await fakeSentinel(() => wrong);
  try {
    await using sentinel = sentinelFor([fake.address]);
    // Earlier tests' writes reach the replicas first: a SET replicated after the reset would count there.
    await topo.call(topo.master, "WAIT", "2", "2000");
    await topo.resetCounters();
    const error = await outcome(sentinel.masterFor(NAME).set("sentinel:never", "x"));
    assert.ok(error instanceof ConnectionError, String(error));
    assert.match(error.message, /is a slave, not a master/);
    assert.equal(await calls(wrong, "set"), 0);
    assert.equal(await calls(topo.master, "set"), 0);
  } finally {
    await fake.server.close();
  }
});

test("a READONLY reply from the master makes the next command rediscover it", async () => {
  // A fake master that says ROLE master but refuses writes (a demoted master, as seen by the client).
  const demoted = await startScripted(
    (args) =>
      args[0] === "ROLE"
        ? "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n"
        : "-READONLY You can't write against a read only replica.\r\n",
    { protocol: 3 },
  );
  let n = 0;
  const fake = await fakeSentinel(
    () => (n++ === 0 ? { host: demoted.host, port: demoted.port } : topo.master),
  );
  try {
    await using sentinel = sentinelFor([fake.address]);
    const master = sentinel.masterFor(NAME);
    const error = await outcome(master.set("sentinel:ro", "1"));
    assert.ok(error instanceof ConnectionError, String(error));
    assert.ok((error as Error).cause instanceof ReadOnlyError);
    assert.equal(await master.set("sentinel:ro", "2"), true);
    assert.equal(fake.asked(), 2);
    assert.equal(await topo.call(topo.master, "GET", "sentinel:ro"), "2");

    // With a retry policy the refused write is re-sent (it never ran) to the rediscovered master.
    n = 0;
    const retrying = sentinel.masterFor(NAME, { retry: new Retry(new NoBackoff(), 1) });
    assert.equal(await retrying.set("sentinel:ro", "3"), true);
    assert.equal(await topo.call(topo.master, "GET", "sentinel:ro"), "3");
  } finally {
    await fake.server.close();
    await demoted.close();
  }
});

test("a restarted old master, still a writable master, is never written to by a fresh masterFor client", async () => {
  const old = topo.master;
  await topo.kill(old);
  const { to } = await topo.waitForSwitch(old);
  await topo.restart(old); // it comes back as a master, until the sentinels convert it (~10 s)
  await using sentinel = sentinelFor();
  // Until every sentinel has switched, they report the master down (MasterNotFoundError): retried.
  const master = sentinel.masterFor(NAME, { retry: new Retry(new ConstantBackoff(100), 50) });
  for (let i = 0; i < 20; i++) await master.incr("sentinel:after-restart");
  const [role] = await topo.call(old, "ROLE") as string[];
  // Checked while it is still a master, so any INCR it ran came from a client, not from replication.
  assert.equal(role, "master");
  assert.equal(await calls(old, "incr"), 0);
  assert.ok(await calls(to, "incr") >= 20);
  assert.equal(master.connectionPool.currentSharedConnection?.address, to.name);
});

test("stop the topology", async () => {
  await topo.stop();
});
