// Closing ends in bounded time, whatever the server does: close() waits for
// replies in flight at most `closeTimeout` ms, then drops the connection and
// rejects what is left with ConnectionError; disconnect() reaches every
// connection, including ones being closed, borrowed ones and pubsub ones.
// The server is stalled behind a real TCP proxy.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ConnectionError, ConnectionPool, Redis } from "../mod.ts";
import { sharedRedis, startProxy, type TcpProxy } from "./harness/mod.ts";
import { outcome, sleep, waitFor } from "./support/async.ts";

async function stalledSetup(): Promise<TcpProxy> {
  const server = await sharedRedis("plain");
  return await startProxy({ host: server.host, port: server.port });
}

/**
 * Ends the stall and waits until `count` connections are left: the proxy
 * keeps a half-closed pair while stalled, and drops it once the buffered
 * bytes meet the client's closed socket. A socket the client left open stays.
 */
function socketsLeft(proxy: TcpProxy, count: number): Promise<boolean> {
  proxy.stall(false);
  return waitFor(() => proxy.connections === count);
}

/** Resolves to how long `promise` took to settle, or fails after `limit` ms. */
async function timed(promise: Promise<unknown>, limit: number, what: string): Promise<number> {
  const started = Date.now();
  const settled = await Promise.race([
    promise.then(() => true, () => true),
    sleep(limit).then(() => false),
  ]);
  assert.ok(settled, `${what} did not settle within ${limit} ms`);
  return Date.now() - started;
}

test("close() against a stalled server ends after closeTimeout; pending commands reject with ConnectionError", async () => {
  const proxy = await stalledSetup();
  try {
    const r = new Redis({ host: proxy.host, port: proxy.port, closeTimeout: 300 });
    assert.equal(await r.ping(), true);
    proxy.stall(true);
    const pending = outcome(r.get("closing:k"));
    await sleep(20);
    const took = await timed(r.close(), 3000, "close()");
    assert.ok(took >= 250, `close() gave up after ${took} ms, before closeTimeout`);
    const error = await pending;
    assert.ok(error instanceof ConnectionError, String(error));
    assert.ok(await socketsLeft(proxy, 0), "the socket was closed");
  } finally {
    await proxy.close();
  }
});

test("close() with the defaults (no socketTimeout) against a stalled server still ends", async () => {
  const proxy = await stalledSetup();
  try {
    const r = new Redis({ host: proxy.host, port: proxy.port });
    assert.equal(await r.ping(), true);
    proxy.stall(true);
    const pending = outcome(r.get("closing:k"));
    await sleep(20);
    await timed(r.close(), 5000, "close() with the default closeTimeout");
    assert.ok(await pending instanceof ConnectionError);
  } finally {
    await proxy.close();
  }
});

test("disconnect() while close() waits drops the connection at once and close() resolves", async () => {
  const proxy = await stalledSetup();
  try {
    const r = new Redis({ host: proxy.host, port: proxy.port, closeTimeout: 60_000 });
    assert.equal(await r.ping(), true);
    proxy.stall(true);
    const pending = outcome(r.get("closing:k"));
    await sleep(20);
    const closing = r.close();
    await sleep(50);
    await timed(r.disconnect(), 1000, "disconnect()");
    await timed(closing, 1000, "close() after disconnect()");
    assert.ok(await pending instanceof ConnectionError);
    assert.ok(await socketsLeft(proxy, 0), "the socket was closed");
  } finally {
    await proxy.close();
  }
});

test("disconnect() reaches borrowed connections and pubsub connections of a stalled server", async () => {
  const proxy = await stalledSetup();
  try {
    const r = new Redis({ host: proxy.host, port: proxy.port, closeTimeout: 60_000 });
    const p = r.pubsub();
    await p.subscribe("closing:news");
    assert.equal(await r.ping(), true);
    proxy.stall(true);
    const blocked = outcome(r.blpop("closing:empty", 0)); // on a borrowed connection
    const pending = outcome(r.get("closing:k"));
    const health = outcome(p.checkHealth()); // a PING in flight on the pubsub's connection
    await sleep(50);
    await timed(r.disconnect(), 1500, "disconnect()");
    assert.ok(await health instanceof ConnectionError, String(await health));
    assert.ok(await blocked instanceof ConnectionError);
    assert.ok(await pending instanceof ConnectionError);
    assert.ok(await socketsLeft(proxy, 0), `${proxy.connections} sockets still open`);
  } finally {
    await proxy.close();
  }
});

test("a client on a shared pool: disconnect() reaches the connections it borrowed", async () => {
  const proxy = await stalledSetup();
  const pool = new ConnectionPool({ host: proxy.host, port: proxy.port, closeTimeout: 60_000 });
  try {
    const r = new Redis({ connectionPool: pool });
    assert.equal(await r.ping(), true);
    const monitor = await r.monitor();
    proxy.stall(true);
    const blocked = outcome(r.blpop("closing:empty", 0));
    await sleep(50);
    await timed(r.disconnect(), 1500, "disconnect()");
    await timed(blocked, 1500, "BLPOP, still connecting when disconnect() was called");
    assert.ok(await blocked instanceof ConnectionError);
    await timed(monitor.close(), 1500, "monitor.close()");
    // Only the pool's shared connection (not the client's) is left.
    assert.ok(await socketsLeft(proxy, 1), `${proxy.connections} sockets still open`);
  } finally {
    await pool.disconnect();
    await proxy.close();
  }
});

test("ConnectionPool: close() is bounded by closeTimeout, and disconnect() reaches connections being closed", async () => {
  const proxy = await stalledSetup();
  try {
    const pool = new ConnectionPool({ host: proxy.host, port: proxy.port, closeTimeout: 300 });
    const r = new Redis({ connectionPool: pool });
    assert.equal(await r.ping(), true);
    proxy.stall(true);
    let pending = outcome(r.get("closing:k"));
    await sleep(20);
    await timed(pool.close(), 3000, "pool.close()");
    assert.ok(await pending instanceof ConnectionError);

    proxy.stall(false);
    const slow = new ConnectionPool({ host: proxy.host, port: proxy.port, closeTimeout: 60_000 });
    const s = new Redis({ connectionPool: slow });
    assert.equal(await s.ping(), true);
    proxy.stall(true);
    pending = outcome(s.get("closing:k"));
    await sleep(20);
    const closing = slow.close();
    await sleep(50);
    await timed(slow.disconnect(), 1000, "pool.disconnect() during close()");
    await timed(closing, 1000, "pool.close() after disconnect()");
    assert.ok(await pending instanceof ConnectionError);
  } finally {
    await proxy.close();
  }
});
