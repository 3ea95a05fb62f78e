// The public testing module, used the way a user's test suite would: through its entry point only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import process from "node:process";
import { Redis, RedisCluster, Sentinel } from "../mod.ts";
import {
  defaultServerBinary,
  processAlive,
  type RedisServer,
  ServerNotFoundError,
  startCluster,
  startRedis,
  startSentinel,
  type TestCluster,
  type TestSentinel,
} from "../testing/mod.ts";
import { settle, waitFor } from "./support/async.ts";

test("startRedis + await using: a working server, stopped by pid and its directory removed at block end", async () => {
  let server: RedisServer | undefined;
  {
    await using s = await startRedis();
    server = s;
    await using r = new Redis({ port: s.port });
    assert.equal(await r.incr("visits"), 1);
    assert.ok(processAlive(s.pid));
  }
  assert.equal(processAlive(server.pid), false, "the server process is gone");
  assert.equal(existsSync(server.dir), false, "its directory is removed");
  assert.equal(server.running, false);
});

test("startRedis: TLS and an ACL user, reached by the client over TLS as that user", async () => {
  await using server = await startRedis({ tls: true, aclUsers: ["alice on >s3cret ~app:* +@all"] });
  assert.ok(server.tlsPort && server.certs);
  await using r = new Redis({
    port: server.tlsPort,
    tls: { ca: server.certs.ca },
    username: "alice",
    password: "s3cret",
  });
  await r.set("app:k", "v");
  assert.equal(await r.get("app:k"), "v");
  const denied = await settle(r.set("other:k", "v"));
  assert.ok(!denied.ok && /NOPERM/.test(String(denied.error)), String(!denied.ok && denied.error));
});

test("startRedis({ replicaOf }): a synced replica of a password-protected primary", async () => {
  await using primary = await startRedis({ requirePass: "pw" });
  await primary.command("SET", "before", "1");
  await using replica = await startRedis({ replicaOf: primary });
  // Synced on return: data written before the replica started is already there.
  assert.equal(await replica.command("GET", "before"), "1");
  assert.match(String(await replica.command("ROLE")), /slave|127\.0\.0\.1/);
  await using r = new Redis({ port: replica.port });
  assert.equal(await r.get("before"), "1");
});

test("startCluster 3×1: kill a primary, its replica is promoted, the client reads the key there", async () => {
  let cluster: TestCluster | undefined;
  {
    await using c = await startCluster({ primaries: 3, replicas: 1 });
    cluster = c;
    assert.equal(c.primaries.length, 3);
    assert.equal(c.replicas.length, 3);
    {
      await using rc = new RedisCluster({ startupNodes: c.seeds });
      await rc.set("user:1", "ada");
    }
    const victim = await c.ownerOf(await c.keySlot("user:1"));
    const [replica] = c.replicasOf(victim);
    // The write is on the replica before its primary dies.
    await c.call(victim, "WAIT", "1", "2000");
    await c.kill(victim);
    const promoted = await c.waitForPromotion(victim);
    assert.equal(promoted.id, replica.id);
    assert.equal((await c.ownerOf(await c.keySlot("user:1"))).id, promoted.id);
    await using rc = new RedisCluster({ startupNodes: c.seeds });
    assert.equal(await rc.get("user:1"), "ada");
  }
  for (const node of cluster.nodes) assert.equal(processAlive(node.pid), false, `${node.name} is gone`);
});

test("startSentinel: failover() moves the master; the client follows; await using stops every process", async () => {
  let topology: TestSentinel | undefined;
  {
    await using t = await startSentinel();
    topology = t;
    assert.equal(t.replicas.length, 2);
    assert.equal(t.sentinels.length, 3);
    const old = t.master;
    const { from, to } = await t.failover();
    assert.equal(from.port, old.port);
    assert.notEqual(to.port, old.port);
    assert.equal((await t.currentMaster()).port, to.port);
    await using sentinel = new Sentinel(t.sentinelAddresses);
    // GET-MASTER-ADDR-BY-NAME (what failover() waits for) names the new master before the switch completes;
    // SENTINEL MASTERS (what the client reads) follows within about a second.
    const follows = await waitFor(
      async () => (await sentinel.discoverMaster(t.masterName)).port === to.port,
      5_000,
    );
    assert.ok(follows, "the client discovers the new master");
    const master = sentinel.masterFor(t.masterName);
    await master.set("after:failover", "yes");
    assert.equal(await t.call(to, "GET", "after:failover"), "yes");
  }
  for (const node of [...topology.dataNodes, ...topology.sentinels]) {
    assert.equal(processAlive(node.pid), false, `${node.name} is gone`);
  }
});

test("a missing server binary: a ServerNotFoundError naming the packages to install", async () => {
  const missing = await settle(startRedis({ binary: "/nonexistent/redis-server" }));
  assert.ok(!missing.ok);
  const error = missing.error;
  assert.ok(error instanceof ServerNotFoundError, String(error));
  assert.equal(error.binary, "/nonexistent/redis-server");
  assert.match(error.message, /\/nonexistent\/redis-server/);
  assert.match(error.message, /apt-get install redis-server/);
  assert.match(error.message, /brew install redis/);
  const cluster = await settle(startCluster({ binary: "/nonexistent/valkey-server" }));
  assert.ok(
    !cluster.ok && cluster.error instanceof ServerNotFoundError,
    String(!cluster.ok && cluster.error),
  );
  const sentinel = await settle(startSentinel({ binary: "/nonexistent/redis-server" }));
  assert.ok(
    !sentinel.ok && sentinel.error instanceof ServerNotFoundError,
    String(!sentinel.ok && sentinel.error),
  );
});

/** The directory of PATH that holds `name`, if any. */
function onPath(name: string): string | undefined {
  return (process.env.PATH ?? "").split(delimiter).find((d) => d && existsSync(join(d, name)));
}

/** Runs `fn` with PATH set to `path` and no `$UNIREDIS_REDIS_SERVER`, then restores both. */
async function withPath(path: string, fn: () => Promise<void>): Promise<void> {
  const saved = { path: process.env.PATH, chosen: process.env.UNIREDIS_REDIS_SERVER };
  try {
    delete process.env.UNIREDIS_REDIS_SERVER;
    process.env.PATH = path;
    await fn();
  } finally {
    process.env.PATH = saved.path;
    if (saved.chosen === undefined) delete process.env.UNIREDIS_REDIS_SERVER;
    else process.env.UNIREDIS_REDIS_SERVER = saved.chosen;
  }
}

test("no server on PATH: startRedis() rejects with a ServerNotFoundError naming the packages", async () => {
  const empty = await mkdtemp(join(tmpdir(), "uniredis-path-"));
  try {
    await withPath(empty, async () => {
      assert.equal(defaultServerBinary(), "redis-server");
      const none = await settle(startRedis());
      assert.ok(!none.ok && none.error instanceof ServerNotFoundError, String(!none.ok && none.error));
      assert.match(none.error.message, /apt-get install redis-server/);
      assert.match(none.error.message, /brew install redis/);
    });
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});

const VALKEY_DIR = onPath("valkey-server");

test(
  "only valkey-server on PATH: it is the default binary, and $UNIREDIS_REDIS_SERVER wins over both",
  { skip: VALKEY_DIR ? false : "needs valkey-server on PATH" },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), "uniredis-path-"));
    try {
      await symlink(join(VALKEY_DIR!, "valkey-server"), join(dir, "valkey-server"));
      await withPath(dir, async () => {
        assert.equal(defaultServerBinary(), "valkey-server");
        await using server = await startRedis();
        assert.equal(server.flavour, "valkey");
        process.env.UNIREDIS_REDIS_SERVER = "/opt/custom/redis-server";
        assert.equal(defaultServerBinary(), "/opt/custom/redis-server");
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
