// Authentication of a sentinel-managed client against a real topology whose
// data nodes need an ACL user (default user off) and whose sentinels need their
// own password: the two sets of credentials go their separate ways
// (`sentinel: {...}` to the sentinels, the rest to the data nodes), bad ones
// are refused naming the node, and no password ever shows in an error, an
// event or when `Sentinel`, its pools and clients are printed.

import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { AuthenticationError, REDACTED, Redis, Sentinel, SentinelConnectionPool } from "../mod.ts";
import { startSentinel } from "./harness/mod.ts";
import { outcome } from "./support/async.ts";

const USER = "app";
const DATA_PW = "data-pw-N3ver-Sh0w";
const SENTINEL_PW = "sentinel-pw-N3ver-Sh0w";
const topo = await startSentinel({ user: USER, password: DATA_PW, sentinelPassword: SENTINEL_PW });
const NAME = topo.masterName;

const denoInspect = (globalThis as { Deno?: { inspect(v: unknown, o?: object): string } }).Deno?.inspect;

/** Every way of printing `value`, labelled (as tests/secrets_test.ts). */
function printed(value: unknown): [string, string][] {
  const out: [string, string][] = [
    ["util.inspect", inspect(value, { depth: 8, showHidden: true, getters: true })],
    ["util.inspect (default)", inspect(value)],
    ["String", String(value)],
  ];
  try {
    out.push(["JSON.stringify", JSON.stringify(value) ?? ""]);
  } catch (e) {
    out.push(["JSON.stringify threw", String(e)]);
  }
  if (denoInspect) {
    out.push(["Deno.inspect", denoInspect(value, { depth: 8, showHidden: true, getters: true })]);
  }
  return out;
}

function assertHidden(objects: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(objects)) {
    for (const [how, text] of printed(value)) {
      for (const secret of [DATA_PW, SENTINEL_PW]) {
        assert.ok(!text.includes(secret), `${how}(${name}) shows a secret:\n${text.slice(0, 3000)}`);
      }
    }
  }
}

function sentinelFor(data: { username?: string; password?: string } = { username: USER, password: DATA_PW }) {
  return new Sentinel(topo.sentinelAddresses, { sentinel: { password: SENTINEL_PW }, ...data });
}

test("sentinel and data credentials go their own ways: masterFor and slaveFor work as the ACL user", async () => {
  await using sentinel = sentinelFor();
  const master = sentinel.masterFor(NAME);
  assert.equal(await master.set("auth:k", "v"), true);
  assert.equal(await master.sendCommand("ACL", "WHOAMI"), USER);
  assert.equal((await master.role())[0], "master");
  await master.wait(2, 2_000);
  const replica = sentinel.slaveFor(NAME);
  assert.equal(await replica.get("auth:k"), "v");
  assert.equal(await replica.sendCommand("ACL", "WHOAMI"), USER);
  assert.equal((await replica.role())[0], "slave");
  assert.deepEqual(await sentinel.discoverMaster(NAME), { host: topo.master.host, port: topo.master.port });
  assert.equal((await sentinel.sentinelMaster(NAME)).name, NAME);
});

test("a wrong data password: AuthenticationError naming the data node, without the password", async () => {
  const wrong = DATA_PW + "-wrong";
  await using sentinel = sentinelFor({ username: USER, password: wrong });
  const error = await outcome(sentinel.masterFor(NAME).ping());
  assert.ok(error instanceof AuthenticationError, String(error));
  assert.ok(error.message.includes(topo.master.name), error.message);
  assert.ok(!error.message.includes(wrong) && !error.message.includes(SENTINEL_PW), error.message);
  const replicaError = await outcome(sentinel.slaveFor(NAME).get("auth:k"));
  assert.ok(replicaError instanceof AuthenticationError, String(replicaError));
  assert.ok(
    [...topo.dataNodes].some((n) => (replicaError as Error).message.includes(n.name)),
    (replicaError as Error).message,
  );
  // The data password is not the sentinels': discovery itself still works.
  assert.deepEqual(await sentinel.discoverMaster(NAME), { host: topo.master.host, port: topo.master.port });
  assertHidden({ error, "error.cause": error.cause, replicaError });
  for (const [how, text] of printed(error)) assert.ok(!text.includes(wrong), how);
});

test("a wrong sentinel password: AuthenticationError naming every sentinel, without the password", async () => {
  const wrong = SENTINEL_PW + "-wrong";
  await using sentinel = new Sentinel(topo.sentinelAddresses, {
    sentinel: { password: wrong },
    username: USER,
    password: DATA_PW,
  });
  const error = await outcome(sentinel.masterFor(NAME).ping());
  assert.ok(error instanceof AuthenticationError, String(error));
  for (const s of topo.sentinels) assert.ok(error.message.includes(s.name), error.message);
  assert.ok(!error.message.includes(wrong), error.message);
  const viaMethod = await outcome(sentinel.sentinelMasters());
  assert.ok(viaMethod instanceof AuthenticationError, String(viaMethod));
  for (const [how, text] of printed(error)) assert.ok(!text.includes(wrong), how);
  for (const [how, text] of printed(viaMethod)) assert.ok(!text.includes(wrong), how);
});

test("passwords never show when Sentinel, its pools, clients, connections or events are printed", async () => {
  await using sentinel = sentinelFor();
  const master = sentinel.masterFor(NAME);
  const replica = sentinel.slaveFor(NAME);
  assert.equal(await master.ping(), true);
  assert.equal(await replica.ping(), true);
  const pool = new SentinelConnectionPool(NAME, sentinel, { username: USER, password: DATA_PW });
  const own = new Redis({ connectionPool: pool });
  const events: Event[] = [];
  for (const type of ["connect", "ready", "error", "reconnecting"] as const) {
    master.addEventListener(type, (e) => events.push(e));
  }
  try {
    assert.equal(await own.ping(), true);
    const p = master.pubsub();
    await p.subscribe("auth:news");
    assert.equal(sentinel.options.password, REDACTED);
    assert.equal(sentinel.options.sentinel?.password, REDACTED);
    assert.equal(master.options.password, REDACTED);
    // A dropped connection makes events; they must not carry a secret either.
    master.connectionPool.currentSharedConnection?.disconnect();
    assert.equal(await master.ping(), true);
    assertHidden({
      sentinel,
      "sentinel.options": sentinel.options,
      "sentinel.sentinels": sentinel.sentinels,
      master,
      "master.options": master.options,
      "master pool": master.connectionPool,
      "master pool.options": master.connectionPool.options,
      "master pool.connectionOptions": master.connectionPool.connectionOptions,
      "master connection": master.connectionPool.currentSharedConnection,
      replica,
      "replica pool": replica.connectionPool,
      "replica connection": replica.connectionPool.currentSharedConnection,
      "SentinelConnectionPool": pool,
      "SentinelConnectionPool.options": pool.options,
      "its client": own,
      pubsub: p,
      events,
    });
    await p.close();
  } finally {
    await own.close();
    await pool.disconnect();
  }
});

test("stop the topology", async () => {
  await topo.stop();
});
