// The harness itself: servers start, answer, restart and disappear; the proxy forwards and injects faults.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { connect, type Socket } from "node:net";
import {
  binaryInfo,
  concat,
  encodeCommand,
  featureReleases,
  FEATURES,
  freePort,
  hasFeature,
  processAlive,
  rawCommand,
  RawErrorReply,
  type RawReply,
  ReplyReader,
  type ServerFeature,
  serverWith,
  sharedRedis,
  startProxy,
  startRedis,
  testCerts,
} from "./harness/mod.ts";

/** The installed servers, decided before the tests are declared (a missing Valkey is a declared skip). */
const DEFAULT_SERVER = await binaryInfo();
const VALKEY = await binaryInfo("valkey-server").catch(() => undefined);
const NO_VALKEY: string | false = VALKEY ? false : "valkey-server is not installed";

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

test("sharedRedis is memoized per kind and binary", { skip: NO_VALKEY }, async () => {
  const valkey = await sharedRedis("plain", "valkey-server");
  assert.equal(valkey, await sharedRedis("plain", "valkey-server"));
  assert.equal(valkey.flavour, "valkey");
  const redis = await sharedRedis("plain", "redis-server");
  assert.equal(redis.flavour, "redis");
  assert.notEqual(valkey.port, redis.port);
});

test("startRedis: flavour and versions of the default server", async () => {
  const server = await sharedRedis("plain");
  assert.equal(server.flavour, DEFAULT_SERVER.flavour);
  assert.deepEqual(server.flavourVersion, DEFAULT_SERVER.version);
  assert.equal(server.label, `${DEFAULT_SERVER.flavour} ${DEFAULT_SERVER.version.join(".")}`);
});

test("startRedis: Valkey reports its own version and the Redis release it is compatible with", {
  skip: NO_VALKEY,
}, async () => {
  const server = await startRedis({ binary: "valkey-server" });
  try {
    assert.equal(server.flavour, "valkey");
    assert.deepEqual(server.flavourVersion, VALKEY!.version);
    assert.equal(server.label, `valkey ${VALKEY!.version.join(".")}`);
    // Valkey 7.2 and 8.x answer redis_version:7.2.4.
    assert.deepEqual(server.version.slice(0, 2), [7, 2]);
    assert.match(String(await server.command("INFO", "server")), /^server_name:valkey/m);
  } finally {
    await server.stop();
  }
});

test("hasFeature and featureReleases compare per flavour", () => {
  assert.equal(hasFeature({ flavour: "redis", version: [7, 0, 15] }, "client-no-touch"), false);
  assert.equal(hasFeature({ flavour: "redis", version: [7, 2, 0] }, "client-no-touch"), true);
  assert.equal(hasFeature({ flavour: "valkey", version: [8, 0, 1] }, "client-no-touch"), true);
  assert.equal(hasFeature({ flavour: "valkey", version: [8, 0, 1] }, "client-kill-maxage"), true);
  assert.equal(hasFeature({ flavour: "valkey", version: [8, 0, 1] }, "hash-field-expiry"), false);
  assert.equal(hasFeature({ flavour: "redis", version: [8, 0, 0] }, "hash-field-expiry"), true);
  assert.equal(featureReleases("hash-field-expiry"), "Redis 7.4+ or Valkey 9.0+");
});

test("serverWith: the default server when it has the feature, else an installed one that has it", async () => {
  const noTouch = await serverWith("client-no-touch", ["valkey-server"]);
  if (hasFeature(DEFAULT_SERVER, "client-no-touch")) {
    assert.deepEqual(noTouch, { binary: DEFAULT_SERVER.binary, isDefault: true, skip: false });
  } else if (VALKEY) {
    assert.deepEqual(noTouch, { binary: "valkey-server", isDefault: false, skip: false });
  } else {
    assert.match(String(noTouch.skip), /valkey-server not installed/);
  }
});

test("serverWith: a feature no installed server has is a skip naming the releases and the servers", async () => {
  const picked = await serverWith("hash-field-expiry", ["no-such-server-here"]);
  if (hasFeature(DEFAULT_SERVER, "hash-field-expiry")) {
    assert.equal(picked.isDefault, true);
    return;
  }
  assert.equal(picked.binary, undefined);
  assert.equal(
    picked.skip,
    `needs Redis 7.4+ or Valkey 9.0+ (${DEFAULT_SERVER.binary} ${DEFAULT_SERVER.version.join(".")}, ` +
      "no-such-server-here not installed)",
  );
});

/** Asks a server whether it has a feature, by using it. */
const PROBES: Record<ServerFeature, string[]> = {
  "client-setinfo": ["CLIENT", "SETINFO", "LIB-NAME", "probe"],
  "client-no-touch": ["CLIENT", "NO-TOUCH", "ON"],
  "waitaof": ["WAITAOF", "0", "0", "0"],
  "cluster-myshardid": ["COMMAND", "INFO", "cluster|myshardid"],
  "client-kill-maxage": ["CLIENT", "KILL", "MAXAGE", "100000"],
  "client-net-counters": ["CLIENT", "INFO"],
  "hash-field-expiry": ["COMMAND", "INFO", "hexpire"],
};
const probeSays = (reply: RawReply): boolean =>
  !(reply instanceof RawErrorReply) && !(Array.isArray(reply) && reply[0] === null) &&
  !(typeof reply === "string" && reply.startsWith("id=") && !reply.includes(" tot-net-in="));

for (const binary of ["redis-server", "valkey-server"]) {
  const info = await binaryInfo(binary).catch(() => undefined);
  test(`FEATURES matches what ${binary} really has`, {
    skip: info ? false : `${binary} is not installed`,
  }, async () => {
    const server = await startRedis({ binary });
    try {
      for (const feature of Object.keys(FEATURES) as ServerFeature[]) {
        const reply = await rawCommand({ port: server.port }, ...PROBES[feature]);
        assert.equal(
          probeSays(reply),
          hasFeature(info!, feature),
          `${server.label}: ${feature} (probe answered ${JSON.stringify(reply)})`,
        );
      }
    } finally {
      await server.stop();
    }
  });
}

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

// Collects every byte one socket receives, until it closes.
function byteClient(port: number): { socket: Socket; bytes(): Uint8Array; closed: Promise<void> } {
  const socket = connect({ host: "127.0.0.1", port });
  socket.on("error", () => {});
  const chunks: Uint8Array[] = [];
  socket.on("data", (chunk: Uint8Array) => chunks.push(chunk));
  const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  return { socket, closed, bytes: () => concat(chunks) };
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Connects through the proxy and waits for a PING round trip, so the proxied pair exists.
async function pinged(port: number): Promise<ReturnType<typeof byteClient>> {
  const c = byteClient(port);
  c.socket.write(encodeCommand(["PING"]));
  for (let i = 0; i < 500 && c.bytes().length < 7; i++) await sleep(10);
  assert.equal(text(c.bytes()), "+PONG\r\n");
  return c;
}

test("proxy: truncate forwards exactly N more bytes to the client, then cuts", async () => {
  const server = await sharedRedis("plain");
  const proxy = await startProxy({ port: server.port });
  try {
    const small = "s".repeat(10_000);
    const big = "b".repeat(300_000); // several chunks
    assert.equal(await server.command("SET", "harness:proxy:small", small), "OK");
    assert.equal(await server.command("SET", "harness:proxy:big", big), "OK");
    await server.command("DEL", "harness:proxy:counter");

    const c = await pinged(proxy.port);
    const counted = proxy.bytesToClient;
    proxy.truncate(100);
    c.socket.write(encodeCommand(["GET", "harness:proxy:small"]));
    assert.notEqual(await within(c.closed, 5000), "timeout");
    assert.equal(text(c.bytes()), "+PONG\r\n" + `$10000\r\n${small}\r\n`.slice(0, 100));
    assert.equal(proxy.bytesToClient - counted, 100);
    assert.equal(proxy.connections, 0);

    const d = await pinged(proxy.port);
    proxy.truncate(150_000);
    d.socket.write(encodeCommand(["GET", "harness:proxy:big"]));
    assert.notEqual(await within(d.closed, 5000), "timeout");
    assert.equal(d.bytes().length, 7 + 150_000);
    assert.equal(text(d.bytes().subarray(7)), `$300000\r\n${big}`.slice(0, 150_000));

    // truncate(0): the command runs, its whole reply is lost.
    const e = await pinged(proxy.port);
    proxy.truncate(0);
    e.socket.write(encodeCommand(["INCR", "harness:proxy:counter"]));
    assert.notEqual(await within(e.closed, 5000), "timeout");
    assert.equal(text(e.bytes()), "+PONG\r\n");
    assert.equal(await server.command("GET", "harness:proxy:counter"), "1");

    const f = client(proxy.port); // new connections are not truncated
    f.socket.write(encodeCommand(["GET", "harness:proxy:big"]));
    assert.equal(await f.next(), big);
    f.socket.destroy();
  } finally {
    await proxy.close();
  }
});

test("proxy: cutMidReply forwards a strict prefix of the next reply, also after a stall", async () => {
  const server = await sharedRedis("plain");
  const proxy = await startProxy({ port: server.port });
  try {
    const value = "m".repeat(10_000);
    assert.equal(await server.command("SET", "harness:proxy:mid", value), "OK");
    const reply = `$10000\r\n${value}\r\n`;

    const c = await pinged(proxy.port);
    proxy.stall(true);
    c.socket.write(encodeCommand(["GET", "harness:proxy:mid"]));
    proxy.cutMidReply();
    await sleep(100);
    assert.equal(c.bytes().length, 7); // held by the stall, not cut yet
    proxy.stall(false);
    assert.notEqual(await within(c.closed, 5000), "timeout");
    const got = text(c.bytes().subarray(7));
    assert.ok(got.length > 0 && got.length < reply.length, `received ${got.length} bytes`);
    assert.equal(got, reply.slice(0, got.length));

    const d = await pinged(proxy.port);
    proxy.cutMidReply(5);
    d.socket.write(encodeCommand(["ECHO", "hello"]));
    assert.notEqual(await within(d.closed, 5000), "timeout");
    assert.equal(text(d.bytes()), "+PONG\r\n$5\r\nh");

    const e = await pinged(proxy.port);
    proxy.cutMidReply(1000); // clamped: a strict prefix all the same
    e.socket.write(encodeCommand(["ECHO", "hello"]));
    assert.notEqual(await within(e.closed, 5000), "timeout");
    assert.equal(text(e.bytes()), "+PONG\r\n$5\r\nhello\r");
    assert.equal(proxy.connections, 0);
  } finally {
    await proxy.close();
  }
});

test("proxy: refuse closes new connections at once without dialing; accepted logs them", async () => {
  const server = await sharedRedis("plain");
  const proxy = await startProxy({ port: server.port });
  const dialed = async () => {
    const info = await server.command("INFO", "stats");
    return Number(/total_connections_received:(\d+)/.exec(String(info))?.[1]);
  };
  try {
    const before = await dialed();
    proxy.refuse(true);
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now();
      const c = byteClient(proxy.port);
      c.socket.write(encodeCommand(["PING"]));
      assert.notEqual(await within(c.closed, 2000), "timeout");
      assert.ok(Date.now() - t0 < 1000, `closed after ${Date.now() - t0} ms`);
      assert.equal(c.bytes().length, 0);
      await sleep(5);
    }
    assert.equal(proxy.accepted.length, 3);
    for (let i = 1; i < 3; i++) assert.ok(proxy.accepted[i] > proxy.accepted[i - 1], `${proxy.accepted}`);
    assert.equal(proxy.connections, 0);
    assert.equal(await dialed(), before + 1); // only the INFO connection itself reached the server

    proxy.refuse(false);
    const d = client(proxy.port);
    d.socket.write(encodeCommand(["PING"]));
    assert.equal(await d.next(), "PONG");
    assert.equal(proxy.accepted.length, 4);
    assert.equal(proxy.connections, 1);
    d.socket.destroy();
  } finally {
    await proxy.close();
  }
});
