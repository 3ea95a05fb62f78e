// Connection pools against a real server: lazy creation and LIFO reuse, maxConnections, several clients on
// one pool, blocking commands on borrowed connections, BlockingConnectionPool under load and with a short
// timeout, connectionClass, singleConnectionClient, per-command options, socket timeout vs blocking time,
// client events, and pool options from URLs.
//
// Counts of server connections are taken from CLIENT LIST, filtered by a client name unique to each test,
// so other connections to the shared server never disturb them.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  BlockingConnectionPool,
  type ClientInfo,
  Command,
  Connection,
  ConnectionError,
  type ConnectionOptions,
  ConnectionPool,
  DataError,
  MaxConnectionsError,
  Redis,
  RedisConnectionEvent,
  RedisErrorEvent,
  TimeoutError,
} from "../mod.ts";
import { type RedisServer, sharedRedis, startRedis } from "./harness/mod.ts";
import { outcome, sleep, waitFor } from "./support/async.ts";

async function server(): Promise<RedisServer> {
  return await sharedRedis("plain");
}

/** A client for inspecting the server (CLIENT LIST), itself named so it is never counted. */
async function admin(): Promise<Redis> {
  const s = await server();
  return new Redis({ host: s.host, port: s.port, clientName: "pool-admin" });
}

/** The server's connections named `name`. */
async function named(adminClient: Redis, name: string): Promise<ClientInfo[]> {
  return (await adminClient.clientList()).filter((c) => c.name === name);
}

function clientId(conn: Connection): Promise<number> {
  return conn.send(new Command<number>(["CLIENT", "ID"]));
}

test("ConnectionPool: connections are created lazily and reused last-in first-out", async () => {
  const s = await server();
  await using adm = await admin();
  const pool = new ConnectionPool({ host: s.host, port: s.port, clientName: "pool-lifo" });
  try {
    assert.equal(pool.idleCount, 0);
    assert.equal(pool.inUseCount, 0);
    assert.equal(pool.currentSharedConnection, undefined);
    assert.equal((await named(adm, "pool-lifo")).length, 0, "a new pool opens no connection");

    const a = await pool.getConnection();
    const b = await pool.getConnection();
    assert.notEqual(a, b);
    const idA = await clientId(a);
    const idB = await clientId(b);
    assert.equal(typeof idA, "number");
    assert.notEqual(idA, idB, "two borrowed connections are two server connections");
    assert.equal(pool.inUseCount, 2);
    assert.equal(pool.idleCount, 0);
    assert.deepEqual((await named(adm, "pool-lifo")).map((c) => c.id).sort(), [idA, idB].sort());

    pool.release(a);
    assert.equal(pool.inUseCount, 1);
    assert.equal(pool.idleCount, 1);
    pool.release(b);
    assert.equal(pool.inUseCount, 0);
    assert.equal(pool.idleCount, 2);
    pool.release(b); // a second release does nothing
    assert.equal(pool.idleCount, 2);

    const c = await pool.getConnection();
    assert.equal(c, b, "the last released connection is lent first");
    assert.equal(await clientId(c), idB);
    assert.equal(pool.inUseCount, 1);
    assert.equal(pool.idleCount, 1);
    const d = await pool.getConnection();
    assert.equal(d, a);
    assert.equal(await clientId(d), idA);
    assert.equal(pool.idleCount, 0);
    assert.equal(pool.inUseCount, 2);
    assert.equal((await named(adm, "pool-lifo")).length, 2, "reuse opened no new connection");
    pool.release(c);
    pool.release(d);
  } finally {
    await pool.disconnect();
  }
});

test("ConnectionPool: maxConnections rejects the excess with MaxConnectionsError; a closed connection frees its place", async () => {
  const s = await server();
  await using adm = await admin();
  const pool = new ConnectionPool({ host: s.host, port: s.port, clientName: "pool-max", maxConnections: 2 });
  try {
    assert.equal(pool.maxConnections, 2);
    const a = await pool.getConnection();
    const b = await pool.getConnection();
    const third = await outcome(pool.getConnection());
    assert.ok(third instanceof MaxConnectionsError, String(third));
    assert.ok(third instanceof ConnectionError);
    assert.match(third.message, /\b2\b/, "the message names the limit");
    assert.equal(pool.inUseCount, 2);
    assert.equal((await named(adm, "pool-max")).length, 2, "no third connection was opened");

    pool.release(a);
    const again = await pool.getConnection();
    assert.equal(again, a);
    assert.equal(await again.send(new Command("PING")), "PONG");

    // A closed connection given back is dropped and its place freed.
    b.disconnect();
    assert.equal(b.closed, true);
    pool.release(b);
    assert.equal(pool.inUseCount, 1);
    assert.equal(pool.idleCount, 0, "a closed connection is never kept idle");
    const fresh = await pool.getConnection();
    assert.notEqual(fresh, b);
    assert.equal(fresh.closed, false);
    assert.equal(await fresh.send(new Command("PING")), "PONG");
    assert.ok(await waitFor(async () => (await named(adm, "pool-max")).length === 2));
    await assert.rejects(pool.getConnection(), MaxConnectionsError);
    pool.release(again);
    pool.release(fresh);
  } finally {
    await pool.disconnect();
  }
});

test("several clients on one pool share one connection; closing a client keeps the pool; pool.disconnect() closes all", async () => {
  const s = await server();
  await using adm = await admin();
  const baseline = (await named(adm, "pool-shared")).length;
  assert.equal(baseline, 0);
  const pool = new ConnectionPool({ host: s.host, port: s.port, clientName: "pool-shared" });
  const clients = [0, 1, 2].map(() => new Redis({ connectionPool: pool }));
  try {
    await clients[0].del("pool:shared:n");
    const replies = await Promise.all(
      clients.flatMap((r) => Array.from({ length: 100 }, () => r.incr("pool:shared:n"))),
    );
    assert.deepEqual(replies.sort((x, y) => x - y), Array.from({ length: 300 }, (_, i) => i + 1));
    const shared = pool.currentSharedConnection;
    assert.ok(shared !== undefined);
    const ids = await Promise.all(clients.map((r) => r.clientId()));
    assert.equal(new Set(ids).size, 1, `one server connection for all clients: ${ids}`);
    assert.equal(pool.currentSharedConnection, shared);
    for (const r of clients) assert.equal(r.connectionPool, pool);
    const list = await named(adm, "pool-shared");
    assert.equal(list.length, baseline + 1);
    assert.equal(list[0].id, ids[0]);

    await clients[0].close();
    assert.equal(pool.currentSharedConnection, shared, "closing a client leaves the shared pool open");
    assert.equal(shared.closed, false);
    assert.equal(await clients[1].get("pool:shared:n"), "300");
    assert.equal(await clients[2].clientId(), ids[0]);

    await pool.disconnect();
    assert.equal(shared.closed, true);
    assert.equal(pool.currentSharedConnection, undefined);
    assert.ok(
      await waitFor(async () => (await named(adm, "pool-shared")).length === baseline),
      "every connection of the pool is gone from the server",
    );
  } finally {
    await pool.disconnect();
  }
});

test("a pending BLPOP runs on a borrowed connection and never stalls other commands", async () => {
  const s = await server();
  await using adm = await admin();
  await using r = new Redis({ host: s.host, port: s.port, clientName: "pool-block" });
  await using producer = new Redis({ host: s.host, port: s.port });
  const key = "pool:block:list";
  await r.del(key);
  const sharedId = await r.clientId();
  let settled = false;
  const pop = outcome(r.blpop(key, 2)).finally(() => settled = true);
  let blocked: ClientInfo[] = [];
  assert.ok(
    await waitFor(async () => {
      blocked = (await named(adm, "pool-block")).filter((c) => c.cmd === "blpop");
      return blocked.length === 1;
    }),
    "the server shows the BLPOP",
  );
  assert.notEqual(blocked[0].id, sharedId, "the BLPOP is not on the shared connection");
  assert.equal(r.connectionPool.inUseCount, 1);

  assert.equal(await r.ping(), true);
  assert.equal(await r.get(key), null);
  assert.equal(await r.clientId(), sharedId);
  assert.equal(settled, false, "PING and GET answered while the BLPOP was still pending");

  await producer.lpush(key, "value-1");
  assert.deepEqual(await pop, [key, "value-1"]);
  assert.equal(r.connectionPool.inUseCount, 0);
  assert.equal(r.connectionPool.idleCount, 1, "the borrowed connection went back to the pool");
  assert.equal((await named(adm, "pool-block")).length, 2);
});

test("BlockingConnectionPool: 200 concurrent BLPOPs never use more than 5 connections and all get an item", async () => {
  const s = await server();
  await using adm = await admin();
  const max = 5;
  const pool = new BlockingConnectionPool({
    host: s.host,
    port: s.port,
    clientName: "pool-bq",
    maxConnections: max,
    timeout: 10_000,
  });
  const r = new Redis({ connectionPool: pool });
  await using producer = new Redis({ host: s.host, port: s.port });
  const key = `pool:q:${Date.now()}:${Math.random().toString(36).slice(2)}`;
  try {
    await producer.del(key);
    let done = false;
    let maxInUse = 0;
    let maxWaiting = 0;
    let maxBlpop = 0;
    let maxBlocked = 0;
    let maxNamed = 0;
    const sampler = (async () => {
      while (!done) {
        maxInUse = Math.max(maxInUse, pool.inUseCount);
        maxWaiting = Math.max(maxWaiting, pool.waitingCount);
        await sleep(2);
      }
    })();
    const watcher = (async () => {
      while (!done) {
        const list = await named(adm, "pool-bq");
        maxNamed = Math.max(maxNamed, list.length);
        maxBlpop = Math.max(maxBlpop, list.filter((c) => c.cmd === "blpop").length);
        maxBlocked = Math.max(maxBlocked, list.filter((c) => String(c.flags).includes("b")).length);
        await sleep(5);
      }
    })();

    const pops = Array.from({ length: 200 }, () => outcome(r.blpop(key, 5)));
    const pushed: string[] = [];
    for (let batch = 0; batch < 20; batch++) {
      const items = Array.from({ length: 10 }, (_, i) => `item-${batch * 10 + i}`);
      pushed.push(...items);
      await producer.rpush(key, ...items);
      await sleep(20);
    }
    const results = await Promise.all(pops);
    done = true;
    await Promise.all([sampler, watcher]);

    const values = results.map((result) => {
      assert.ok(Array.isArray(result), `every BLPOP got an item: ${String(result)}`);
      assert.equal(result[0], key);
      return result[1] as string;
    });
    assert.equal(new Set(values).size, 200, "200 distinct items");
    assert.deepEqual([...values].sort(), [...pushed].sort());
    assert.equal(await producer.llen(key), 0);

    assert.ok(maxInUse <= max, `at most ${max} connections lent at once (saw ${maxInUse})`);
    assert.ok(maxInUse > 0);
    assert.ok(maxWaiting > 0, "callers beyond the limit waited for a connection");
    assert.ok(maxBlpop <= max, `at most ${max} BLPOP connections on the server (saw ${maxBlpop})`);
    assert.ok(maxBlocked <= max, `at most ${max} blocked connections on the server (saw ${maxBlocked})`);
    assert.ok(maxBlpop > 0, "the watcher saw the BLPOP connections");
    assert.ok(maxNamed <= max, `the pool never had more than ${max} server connections (saw ${maxNamed})`);
    assert.equal(pool.inUseCount, 0);
    assert.equal(pool.waitingCount, 0);
    assert.ok(pool.idleCount <= max);
  } finally {
    await pool.disconnect();
  }
});

test("BlockingConnectionPool: with a short timeout the excess callers fail with a clear MaxConnectionsError", async () => {
  const s = await server();
  const pool = new BlockingConnectionPool({
    host: s.host,
    port: s.port,
    clientName: "pool-bto",
    maxConnections: 2,
    timeout: 100,
  });
  const r = new Redis({ connectionPool: pool });
  const key = "pool:bto:empty";
  try {
    await r.del(key);
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 5 }, () => outcome(r.blpop(key, 1))));
    const elapsed = Date.now() - started;
    const nulls = results.filter((x) => x === null);
    const errors = results.filter((x) => x instanceof MaxConnectionsError) as MaxConnectionsError[];
    assert.equal(nulls.length, 2, `two BLPOPs ran and timed out on the server: ${results.map(String)}`);
    assert.equal(errors.length, 3, `three had no connection: ${results.map(String)}`);
    assert.ok(elapsed >= 900, `the two BLPOPs waited their 1 s (${elapsed} ms)`);
    for (const e of errors) {
      assert.ok(e instanceof ConnectionError);
      assert.match(e.message, /\b100 ms\b/);
      assert.match(e.message, /\b2\b/);
    }
    assert.equal(pool.inUseCount, 0);
    assert.equal(pool.waitingCount, 0);

    // The pool is usable afterwards.
    await r.rpush(key, "a", "b");
    assert.deepEqual(
      await Promise.all([r.blpop(key, 1), r.blpop(key, 1)]).then((x) => x.map((y) => y?.[1]).sort()),
      ["a", "b"],
    );
    assert.equal(await r.ping(), true);
  } finally {
    await pool.disconnect();
  }
});

test("connectionClass: the pool creates its connections with the given subclass", async () => {
  const s = await server();
  class Counting extends Connection {
    static instances = 0;
    static connects = 0;
    constructor(options: ConnectionOptions) {
      super(options);
      Counting.instances++;
    }
    override connect(): Promise<void> {
      Counting.connects++;
      return super.connect();
    }
  }
  await using r = new Redis({ host: s.host, port: s.port, connectionClass: Counting });
  assert.equal(Counting.instances, 0, "nothing is created before the first command");
  await r.set("pool:class:k", "v");
  assert.equal(await r.get("pool:class:k"), "v");
  assert.equal(Counting.instances, 1);
  assert.ok(r.connectionPool.currentSharedConnection instanceof Counting);
  assert.equal(await r.blpop("pool:class:none", 0.1), null); // borrows a second connection
  assert.equal(Counting.instances, 2);
  assert.ok(Counting.connects >= 2);
  const borrowed = await r.connectionPool.getConnection();
  try {
    assert.ok(borrowed instanceof Counting);
    assert.equal(Counting.instances, 2, "the idle connection was reused");
  } finally {
    r.connectionPool.release(borrowed);
  }
});

test("singleConnectionClient: every command, BLPOP included, uses one server connection", async () => {
  const s = await server();
  await using adm = await admin();
  const r = new Redis({
    host: s.host,
    port: s.port,
    clientName: "pool-single",
    singleConnectionClient: true,
  });
  try {
    const id = await r.clientId();
    await r.set("pool:single:k", "v");
    assert.equal(await r.get("pool:single:k"), "v");
    assert.equal(r.connectionPool.inUseCount, 1);
    assert.equal(r.connectionPool.currentSharedConnection, undefined, "no shared connection is made");
    const started = Date.now();
    assert.equal(await r.blpop("pool:single:none", 0.2), null);
    assert.ok(Date.now() - started >= 150);
    assert.equal(await r.clientId(), id, "the BLPOP used the same connection");
    assert.equal(r.connectionPool.inUseCount, 1);
    const list = await named(adm, "pool-single");
    assert.deepEqual(list.map((c) => c.id), [id]);
    assert.equal(list[0].cmd, "client|id");
  } finally {
    await r.close();
  }
  assert.equal(r.connectionPool.inUseCount, 0);
  assert.ok(await waitFor(async () => (await named(adm, "pool-single")).length === 0));
});

test("withOptions: a per-command timeout and an abort signal end a BLPOP; the client keeps working", async () => {
  const s = await server();
  await using r = new Redis({ host: s.host, port: s.port });
  const key = "pool:opts:empty";
  await r.del(key);
  let started = Date.now();
  const timedOut = await outcome(r.withOptions({ timeout: 200 }).blpop(key, 0));
  assert.ok(timedOut instanceof TimeoutError, String(timedOut));
  assert.ok(Date.now() - started >= 190, "not before its timeout");

  const controller = new AbortController();
  const reason = new Error("stop waiting");
  const timer = setTimeout(() => controller.abort(reason), 100);
  started = Date.now();
  try {
    const aborted = await outcome(r.withOptions({ signal: controller.signal }).blpop(key, 0));
    assert.equal(aborted, reason);
    assert.ok(Date.now() - started >= 90);
  } finally {
    clearTimeout(timer);
  }
  assert.equal(r.connectionPool.inUseCount, 0);
  await r.set("pool:opts:k", "still-works");
  assert.equal(await r.get("pool:opts:k"), "still-works");
  // The interrupted BLPOPs are gone: a pushed value stays in the list.
  await r.rpush(key, "x");
  assert.deepEqual(await r.lrange(key, 0, -1), ["x"]);
  await r.del(key);
});

test("socketTimeout is extended by a blocking command's own blocking time", async () => {
  const s = await server();
  await using r = new Redis({ host: s.host, port: s.port, socketTimeout: 300 });
  await r.del("pool:sockto:empty");
  const started = Date.now();
  const result = await outcome(r.blpop("pool:sockto:empty", 1));
  assert.equal(result, null, `the BLPOP timed out on the server, not in the client: ${String(result)}`);
  assert.ok(Date.now() - started >= 900);
  // An ordinary command still has the 300 ms limit.
  await assert.rejects(r.sendCommand("DEBUG", "SLEEP", "0.6"), TimeoutError);
  await using patient = new Redis({ host: s.host, port: s.port });
  assert.equal(await patient.ping(), true); // answered once the server's sleep is over
  assert.equal(await r.ping(), true);
});

test("events: connect and ready on first use, error when the server dies, end on close(); no listener, no crash", async () => {
  const srv = await startRedis();
  try {
    const r = new Redis({ host: srv.host, port: srv.port, socketConnectTimeout: 2000 });
    const quiet = new Redis({ host: srv.host, port: srv.port, socketConnectTimeout: 2000 });
    const seen: string[] = [];
    const connections: RedisConnectionEvent[] = [];
    const errors: RedisErrorEvent[] = [];
    let ended = 0;
    r.addEventListener("connect", (e) => {
      seen.push("connect");
      connections.push(e);
    });
    r.addEventListener("ready", (e) => {
      seen.push("ready");
      connections.push(e);
    });
    r.addEventListener("error", (e) => errors.push(e));
    r.addEventListener("end", () => ended++);
    try {
      assert.deepEqual(seen, [], "nothing before the first command");
      assert.equal(await r.ping(), true);
      assert.deepEqual(seen, ["connect", "ready"]);
      for (const e of connections) {
        assert.ok(e instanceof RedisConnectionEvent);
        assert.equal(e.address, `127.0.0.1:${srv.port}`);
      }
      assert.equal(await quiet.ping(), true);

      const key = "pool:events:none";
      const pending = outcome(r.blpop(key, 0));
      const pendingQuiet = outcome(quiet.blpop(key, 0));
      assert.ok(
        await waitFor(async () => {
          const list = String(await srv.command("CLIENT", "LIST"));
          return (list.match(/cmd=blpop/g) ?? []).length === 2;
        }),
        "both BLPOPs reached the server",
      );
      assert.deepEqual(seen, ["connect", "ready", "connect", "ready"], "the borrowed connection connected");
      await srv.kill();

      for (const result of [await pending, await pendingQuiet]) {
        assert.ok(result instanceof ConnectionError, String(result));
      }
      // The BLPOP's connection, then the idle shared one (its socket's close may be seen a moment later).
      assert.ok(
        await waitFor(() => errors.length >= 2),
        `an error event per lost connection (${errors.length})`,
      );
      for (const e of errors) {
        assert.ok(e instanceof RedisErrorEvent);
        assert.ok(e.error instanceof ConnectionError, String(e.error));
        assert.equal(e.address, `127.0.0.1:${srv.port}`);
      }
      // The client without an error listener survived the same kill and fails cleanly.
      await assert.rejects(quiet.get("k"), ConnectionError);
      assert.equal(ended, 0);
    } finally {
      await r.close();
      await quiet.close();
    }
    assert.equal(ended, 1, "end fires on close()");
  } finally {
    await srv.stop();
  }
});

test("pool options: max_connections from a URL, unknown URL options and maxConnections 0 are DataErrors", async () => {
  const pool = ConnectionPool.fromURL("redis://127.0.0.1:1/0?max_connections=7");
  const blocking = BlockingConnectionPool.fromURL("redis://127.0.0.1:1/0?max_connections=3");
  try {
    assert.equal(pool.maxConnections, 7);
    assert.equal(pool.options.port, 1);
    assert.ok(blocking instanceof BlockingConnectionPool);
    assert.equal(blocking.maxConnections, 3);
    assert.equal(new BlockingConnectionPool().maxConnections, 50, "redis-py's default");
    assert.equal(
      ConnectionPool.fromURL("redis://127.0.0.1:1?max_connections=7", { maxConnections: 9 }).maxConnections,
      9,
      "options override the URL",
    );
  } finally {
    await pool.disconnect();
    await blocking.disconnect();
  }
  assert.throws(
    () => ConnectionPool.fromURL("redis://127.0.0.1:1?bogus_option=1"),
    (e: Error) => e instanceof DataError && e.message.includes("bogus_option"),
  );
  assert.throws(() => ConnectionPool.fromURL("redis://127.0.0.1:1?max_connections=0"), DataError);
  assert.throws(() => ConnectionPool.fromURL("redis://127.0.0.1:1?max_connections=-1"), DataError);
  assert.throws(() => new Redis({ maxConnections: 0 }), DataError);
  assert.throws(() => new ConnectionPool({ maxConnections: 0 }), DataError);
  assert.throws(() => new ConnectionPool({ maxConnections: 1.5 }), DataError);
  assert.throws(() => new BlockingConnectionPool({ timeout: -1 }), DataError);
  const r = Redis.fromURL("redis://127.0.0.1:1?max_connections=4");
  try {
    assert.equal(r.connectionPool.maxConnections, 4);
  } finally {
    await r.close();
  }
});

test("BlockingConnectionPool: an abort signal ends the wait for a connection", async () => {
  const server = await sharedRedis("plain");
  const pool = new BlockingConnectionPool({ port: server.port, maxConnections: 1, timeout: 5_000 });
  const r = new Redis({ connectionPool: pool });
  try {
    const holder = outcome(r.blpop("pool:abort:empty", 1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const controller = new AbortController();
    const started = Date.now();
    const waiting = outcome(r.withOptions({ signal: controller.signal }).blpop("pool:abort:empty", 1));
    setTimeout(() => controller.abort(new Error("gave up waiting")), 100);
    const result = await waiting;
    assert.ok(result instanceof Error && result.message === "gave up waiting", String(result));
    assert.ok(Date.now() - started < 900, "it did not wait for the pool's 5 s, nor for the holder's 1 s");
    assert.equal(pool.waitingCount, 0, "the waiter left the queue");
    assert.equal(await holder, null);
  } finally {
    await pool.disconnect();
  }
});
