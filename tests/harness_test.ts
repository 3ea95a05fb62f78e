// The harness itself: servers start, answer, restart and disappear; the proxy forwards and injects faults.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { connect, type Socket } from "node:net";
import {
  encodeCommand,
  freePort,
  processAlive,
  rawCommand,
  RawErrorReply,
  ReplyReader,
  sharedRedis,
  startProxy,
  startRedis,
  testCerts,
} from "./harness/mod.ts";

test("freePort returns distinct usable ports", async () => {
  const a = await freePort();
  const b = await freePort();
  assert.ok(a > 0 && b > 0);
  assert.notEqual(a, b);
  assert.notEqual(a, 6379);
});

test("startRedis: answers PING on TCP and unix socket, reports its version, stop() removes process and dir", async () => {
  const server = await startRedis({ unixSocket: true });
  assert.equal(server.host, "127.0.0.1");
  assert.notEqual(server.port, 6379);
  assert.equal(await rawCommand({ port: server.port }, "PING"), "PONG");
  assert.equal(await rawCommand({ path: server.socketPath }, "PING"), "PONG");
  assert.equal(server.version.length, 3);
  assert.ok(server.version[0] >= 5, `version ${server.version}`);
  assert.ok(processAlive(server.pid));
  assert.ok(existsSync(server.logFile));
  // DEBUG is enabled for tests
  assert.equal(await server.command("DEBUG", "SLEEP", "0"), "OK");
  assert.deepEqual(await server.command("CONFIG", "GET", "save"), ["save", ""]);
  await server.stop();
  assert.equal(processAlive(server.pid), false);
  assert.equal(existsSync(server.dir), false);
  await server.stop(); // idempotent
});

test("startRedis: kill() and restart() keep ports and dir", async () => {
  const server = await startRedis();
  const { port, dir, pid } = server;
  await server.kill();
  assert.equal(processAlive(pid), false);
  assert.equal(server.running, false);
  await assert.rejects(rawCommand({ port }, "PING"));
  await server.restart();
  assert.equal(server.port, port);
  assert.equal(server.dir, dir);
  assert.notEqual(server.pid, pid);
  assert.equal(await rawCommand({ port }, "PING"), "PONG");
  await server.restart(); // restart of a running server
  assert.equal(await rawCommand({ port }, "PING"), "PONG");
  await server.stop();
  assert.equal(existsSync(dir), false);
});

test("startRedis: TLS with the test CA, requirePass and ACL users", async () => {
  const server = await startRedis({
    tls: true,
    requirePass: "s3cret",
    aclUsers: ["alice on >alice-pw ~* +@all"],
  });
  try {
    assert.ok(server.tlsPort);
    assert.ok(server.certs);
    const tls = { ca: server.certs.ca };
    const pong = await rawCommand({ port: server.tlsPort, tls }, "PING");
    assert.ok(pong instanceof RawErrorReply && pong.message.startsWith("NOAUTH"));
    assert.equal(
      await rawCommand({ port: server.tlsPort, tls }, "HELLO", "2", "AUTH", "alice", "alice-pw").then((r) =>
        Array.isArray(r)
      ),
      true,
    );
    assert.equal(await server.command("PING"), "PONG"); // authenticates with requirePass
    assert.ok(server.version[0] >= 6);
  } finally {
    await server.stop();
  }
});

test("startRedis: a bad config fails fast with the log tail", async () => {
  await assert.rejects(startRedis({ config: ["no-such-directive yes"] }), (e: Error) => {
    assert.match(e.message, /exited during startup/);
    assert.match(e.message, /no-such-directive/);
    return true;
  });
});

test("sharedRedis is memoized per kind", async () => {
  const a = await sharedRedis("plain");
  const b = await sharedRedis("plain");
  assert.equal(a, b);
  assert.equal(await a.command("PING"), "PONG");
});

test("testCerts are PEM and memoized", async () => {
  const certs = await testCerts();
  assert.equal(certs, await testCerts());
  for (const pem of [certs.ca, certs.cert, certs.clientCert]) {
    assert.match(pem, /^-----BEGIN CERTIFICATE-----/);
  }
  assert.match(certs.key, /PRIVATE KEY/);
  assert.match(certs.clientKey, /PRIVATE KEY/);
});

// A tiny client for the proxy tests: collects replies from one socket.
function client(
  port: number,
): { socket: Socket; next(timeoutMs?: number): Promise<unknown>; closed: Promise<void> } {
  const socket = connect({ host: "127.0.0.1", port });
  socket.on("error", () => {});
  const reader = new ReplyReader();
  const replies: unknown[] = [];
  let wake: (() => void) | undefined;
  socket.on("data", (chunk: Uint8Array) => {
    reader.push(chunk);
    for (let r = reader.next(); r !== undefined; r = reader.next()) replies.push(r);
    wake?.();
  });
  const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  // Resolves with the next reply, or "timeout" (the reply then stays queued).
  async function next(timeoutMs = 5000): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    while (replies.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) return "timeout";
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
    return replies.shift();
  }
  return { socket, closed, next };
}

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), ms))]);

test("proxy: forwards, stalls, delays, cuts, drops silently", async () => {
  const server = await sharedRedis("plain");
  const proxy = await startProxy({ port: server.port });
  try {
    const c = client(proxy.port);
    c.socket.write(encodeCommand(["PING"]));
    assert.equal(await c.next(), "PONG");
    assert.equal(proxy.connections, 1);

    proxy.stall(true);
    c.socket.write(encodeCommand(["ECHO", "stalled"]));
    assert.equal(await c.next(150), "timeout");
    proxy.stall(false);
    assert.equal(await c.next(), "stalled");

    proxy.delay(150);
    const t0 = Date.now();
    c.socket.write(encodeCommand(["PING"]));
    assert.equal(await c.next(), "PONG");
    assert.ok(Date.now() - t0 >= 250, `round trip took ${Date.now() - t0} ms`);
    proxy.delay(0);

    proxy.cutAll();
    await c.closed;
    assert.equal(proxy.connections, 0);

    const d = client(proxy.port);
    d.socket.write(encodeCommand(["PING"]));
    assert.equal(await d.next(), "PONG");
    proxy.dropSilently();
    d.socket.write(encodeCommand(["PING"]));
    assert.equal(await d.next(200), "timeout");
    assert.equal(await within(d.closed, 50), "timeout"); // never closed by the proxy
    const e = client(proxy.port); // new connections work
    e.socket.write(encodeCommand(["PING"]));
    assert.equal(await e.next(), "PONG");
    d.socket.destroy();
    e.socket.destroy();
  } finally {
    await proxy.close();
  }
});
