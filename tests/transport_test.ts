// Transports against real servers, through the Transport interface and raw RESP bytes only.
// Runs the runtime's own connector, the Node connector (node:net exists on all three runtimes)
// and the web connector over a node:net + Web Streams implementation of the Sockets API.

import { test } from "node:test";
import assert from "node:assert/strict";
import { connect as netConnect, createServer, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { ConnectionError } from "../lib/errors.ts";
import type { ConnectOptions, Connector, Transport } from "../lib/transport.ts";
import { bunConnector } from "../transports/bun.ts";
import { denoConnector } from "../transports/deno.ts";
import { nodeConnector } from "../transports/node.ts";
import { type SocketsApiConnect, type SocketsApiSocket, webConnector } from "../transports/web.ts";
import {
  concat,
  encodeCommand,
  freePort,
  RawErrorReply,
  type RawReply,
  ReplyReader,
  sharedRedis,
  startProxy,
  startRedis,
  testCerts,
} from "./harness/mod.ts";

const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";

// ---------------------------------------------------------------------------
// A Sockets API `connect` over node:net/node:tls and Web Streams, standing in
// for cloudflare:sockets. Its "platform trust store" is the test CA.

function socketsApiOverNode(trustedCa: string): SocketsApiConnect {
  return (address, options) => {
    const secure = options?.secureTransport === "on";
    const socket: Socket = secure
      ? tlsConnect({ host: address.hostname, port: address.port, ca: trustedCa, servername: "localhost" })
      : netConnect({ host: address.hostname, port: address.port });
    socket.setNoDelay(true);
    let failure: Error | undefined;
    socket.on("error", (e) => failure = e);
    const opened = new Promise<unknown>((resolve, reject) => {
      socket.once(secure ? "secureConnect" : "connect", () => resolve({}));
      socket.once("close", () => reject(failure ?? new Error("closed before opening")));
    });
    const closed = new Promise<void>((resolve, reject) => {
      socket.once("close", () => failure ? reject(failure) : resolve());
    });
    const readable = new ReadableStream<Uint8Array>({
      start(controller) {
        socket.on("data", (chunk: Uint8Array) => controller.enqueue(chunk));
        socket.once("close", () => {
          try {
            if (failure) controller.error(failure);
            else controller.close();
          } catch { /* cancelled */ }
        });
      },
      cancel() {
        socket.destroy();
      },
    });
    const writable = new WritableStream<Uint8Array>({
      write(chunk) {
        return new Promise<void>((resolve, reject) => socket.write(chunk, (e) => e ? reject(e) : resolve()));
      },
      close() {
        return new Promise<void>((resolve) => socket.end(() => resolve()));
      },
      abort() {
        socket.destroy();
      },
    }, { highWaterMark: 16 });
    const result: SocketsApiSocket = {
      readable,
      writable,
      opened,
      closed,
      close() {
        socket.destroy();
        return closed.catch(() => {});
      },
    };
    return result;
  };
}

// ---------------------------------------------------------------------------

interface Subject {
  name: string;
  connector: Connector;
  unix: boolean; // can reach a unix socket
  fullTls: boolean; // ca / servername / client certificates
}

const certs = await testCerts();
const native: Subject | undefined = runtime === "deno"
  ? { name: "deno", connector: denoConnector, unix: true, fullTls: true }
  : runtime === "bun"
  ? { name: "bun", connector: bunConnector, unix: true, fullTls: true }
  : undefined;
const subjects: Subject[] = [
  ...(native ? [native] : []),
  { name: "node", connector: nodeConnector, unix: true, fullTls: true },
  { name: "web", connector: webConnector(socketsApiOverNode(certs.ca)), unix: false, fullTls: false },
];

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    p.then((v) => {
      clearTimeout(timer);
      resolve(v);
    }, (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });

/** A transport plus a RESP reader over what it delivers. */
interface Session {
  t: Transport;
  chunks: Uint8Array[];
  closes: (Error | undefined)[];
  closed: Promise<Error | undefined>;
  send(...args: (string | Uint8Array)[]): void | Promise<void>;
  reply(ms?: number): Promise<RawReply>;
}

function session(t: Transport, binary = false): Session {
  const reader = new ReplyReader(binary);
  const replies: RawReply[] = [];
  const chunks: Uint8Array[] = [];
  const closes: (Error | undefined)[] = [];
  let wake: (() => void) | undefined;
  let markClosed!: (e: Error | undefined) => void;
  const closed = new Promise<Error | undefined>((resolve) => markClosed = resolve);
  t.onData((chunk) => {
    chunks.push(chunk);
    reader.push(chunk);
    for (let r = reader.next(); r !== undefined; r = reader.next()) replies.push(r);
    wake?.();
  });
  t.onClose((error) => {
    closes.push(error);
    markClosed(error);
    wake?.();
  });
  return {
    t,
    chunks,
    closes,
    closed,
    send: (...args) => t.write(encodeCommand(args)),
    async reply(ms = 5000) {
      const deadline = Date.now() + ms;
      while (replies.length === 0) {
        if (closes.length > 0) throw new Error(`closed before a reply (${closes[0]?.message ?? "no error"})`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no reply within ${ms} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
      return replies.shift()!;
    },
  };
}

async function open(s: Subject, options: ConnectOptions, binary = false): Promise<Session> {
  return session(await within(s.connector(options), 5000, `${s.name} connect`), binary);
}

function assertConnectionError(e: unknown, target: string): true {
  assert.ok(e instanceof ConnectionError, `expected ConnectionError, got ${e}`);
  assert.ok(e.message.includes(target), `message should name ${target}: ${e.message}`);
  return true;
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  // crypto.getRandomValues takes at most 64 KiB at a time
  for (let at = 0; at < n; at += 65536) crypto.getRandomValues(out.subarray(at, Math.min(n, at + 65536)));
  return out;
}

const plain = await sharedRedis("plain");
const tlsServer = await sharedRedis("tls");
const tcp = { host: plain.host, port: plain.port };
const tlsTarget = { host: tlsServer.host, port: tlsServer.tlsPort! };

for (const s of subjects) {
  test(`${s.name}: TCP round trip, noDelay/keepAlive accepted`, async () => {
    const a = await open(s, tcp);
    a.send("PING");
    assert.equal(await a.reply(), "PONG");
    await a.t.close();
    const b = await open(s, { ...tcp, noDelay: false, keepAlive: 1000 });
    b.send("ECHO", "hello");
    assert.equal(await b.reply(), "hello");
    await b.t.close();
  });

  test(`${s.name}: bytes that arrive before onData are delivered when it is set`, async () => {
    const t = await s.connector(tcp);
    t.write(encodeCommand(["PING"]));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const got: Uint8Array[] = [];
    t.onData((chunk) => got.push(chunk));
    assert.equal(new TextDecoder().decode(concat(got)), "+PONG\r\n"); // delivered synchronously
    await t.close();
  });

  test(`${s.name}: a stream that ends before onData is set delivers its bytes, then calls onClose once`, async () => {
    const t = await s.connector(tcp);
    const events: string[] = [];
    t.onClose((error) => events.push(`close ${error?.message ?? "clean"}`));
    t.write(encodeCommand(["QUIT"])); // the server replies, then closes
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(events.length, 0, "onClose waits until the buffered bytes are delivered");
    t.onData((chunk) => events.push(new TextDecoder().decode(chunk)));
    assert.equal(events.length, 2, `events: ${JSON.stringify(events)}`);
    assert.equal(events[0], "+OK\r\n");
    assert.match(events[1], /^close /);
    await t.close(); // after the end: resolves, no second onClose
    assert.equal(events.length, 2);
  });

  test(`${s.name}: a backpressure promise settles when the peer cuts the connection`, async () => {
    const proxy = await startProxy(tcp);
    try {
      const a = await open(s, { host: proxy.host, port: proxy.port });
      proxy.stall(true);
      const stuck = a.send("SET", "transport:cut", randomBytes(32 * 1024 * 1024));
      assert.ok(stuck instanceof Promise, "backpressure while the peer does not read");
      proxy.cutAll();
      await within(stuck, 3000, "the backpressure promise settles when the connection is cut");
      const error = await within(a.closed, 3000, "onClose after the cut");
      if (error !== undefined) assert.ok(error instanceof ConnectionError);
      await a.t.close();
      assert.equal(a.closes.length, 1);
    } finally {
      await proxy.close();
    }
  });

  if (s.unix) {
    test(`${s.name}: unix socket round trip`, async () => {
      const a = await open(s, { path: plain.socketPath });
      a.send("PING");
      assert.equal(await a.reply(), "PONG");
      await a.t.close();
    });
  } else {
    test(`${s.name}: unix socket is refused with a ConnectionError`, async () => {
      await assert.rejects(
        s.connector({ path: plain.socketPath }),
        (e) => assertConnectionError(e, plain.socketPath!),
      );
    });
  }

  test(`${s.name}: connection refused rejects with a ConnectionError naming host:port`, async () => {
    const port = await freePort(); // nothing listens there
    await assert.rejects(s.connector({ host: "127.0.0.1", port }), (e) => {
      assertConnectionError(e, `127.0.0.1:${port}`);
      if (s.name !== "web") assert.ok((e as Error).cause !== undefined, "keeps the cause");
      return true;
    });
  });

  test(`${s.name}: TLS with verification against the test CA`, async () => {
    const a = await open(s, { ...tlsTarget, tls: s.fullTls ? { ca: certs.ca } : {} });
    a.send("PING");
    assert.equal(await a.reply(), "PONG");
    await a.t.close();
  });

  if (s.fullTls) {
    test(`${s.name}: TLS servername other than the host`, async () => {
      const a = await open(s, { ...tlsTarget, tls: { ca: certs.ca, servername: "localhost" } });
      a.send("PING");
      assert.equal(await a.reply(), "PONG");
      await a.t.close();
      await assert.rejects(
        s.connector({ ...tlsTarget, tls: { ca: certs.ca, servername: "wrong.example" } }),
        (e) => assertConnectionError(e, `127.0.0.1:${tlsTarget.port}`),
      );
    });

    test(`${s.name}: TLS verification failure (no CA) rejects with a ConnectionError`, async () => {
      await assert.rejects(s.connector({ ...tlsTarget, tls: {} }), (e) => {
        assertConnectionError(e, `127.0.0.1:${tlsTarget.port}`);
        assert.match((e as Error).message, /certif|self.signed|issuer/i);
        return true;
      });
    });

    test(`${s.name}: TLS rejectUnauthorized: false`, async () => {
      const connecting = s.connector({ ...tlsTarget, tls: { rejectUnauthorized: false } });
      if (s.name === "deno") {
        await assert.rejects(connecting, (e) => {
          assertConnectionError(e, `127.0.0.1:${tlsTarget.port}`);
          assert.match((e as Error).message, /Deno cannot turn off TLS certificate verification/);
          assert.match((e as Error).message, /tls\.ca/);
          return true;
        });
        return;
      }
      const a = session(await connecting);
      a.send("PING");
      assert.equal(await a.reply(), "PONG");
      await a.t.close();
    });

    test(`${s.name}: TLS client certificate (tls-auth-clients yes)`, async () => {
      const server = await startRedis({ tls: true, config: ["tls-auth-clients yes"] });
      try {
        const target = { host: server.host, port: server.tlsPort! };
        const a = await open(s, {
          ...target,
          tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey },
        });
        a.send("PING");
        assert.equal(await a.reply(), "PONG");
        await a.t.close();
        // Without a certificate the server refuses: at connect, or (TLS 1.3) by closing right after.
        let refused = false;
        try {
          const b = await open(s, { ...target, tls: { ca: certs.ca } });
          b.send("PING");
          await b.reply(2000).catch(() => refused = true);
          if (refused) {
            const error = await within(b.closed, 2000, "onClose after the refusal");
            if (error !== undefined) assert.ok(error instanceof ConnectionError);
          }
          await b.t.close();
        } catch (e) {
          assertConnectionError(e, `127.0.0.1:${target.port}`);
          refused = true;
        }
        assert.ok(refused, "a client without certificate must not get a reply");
      } finally {
        await server.stop();
      }
    });
  } else {
    test(`${s.name}: TLS options the Sockets API cannot express are refused`, async () => {
      for (
        const tls of [
          { ca: certs.ca },
          { rejectUnauthorized: false },
          { cert: certs.clientCert, key: certs.clientKey },
          { servername: "localhost" },
        ]
      ) {
        await assert.rejects(
          s.connector({ ...tlsTarget, tls }),
          (e) => assertConnectionError(e, "127.0.0.1:"),
        );
      }
    });
  }

  test(`${s.name}: 8 MiB value written and read back byte-exact; delivered chunks are never reused`, async () => {
    const a = await open(s, tcp, true);
    const key = `transport:${s.name}:${runtime}:big`;
    const value = randomBytes(8 * 1024 * 1024);
    const writing = a.send("SET", key, value);
    assert.ok(writing instanceof Promise, "a write far beyond the socket buffer signals backpressure");
    await within(writing, 10_000, "backpressure promise");
    assert.equal(await a.reply(10_000), "OK");
    a.chunks.length = 0;
    a.send("GET", key);
    const got = await a.reply(10_000);
    assert.ok(got instanceof Uint8Array);
    assert.equal(got.length, value.length);
    assert.ok(Buffer.compare(got, value) === 0, "GET returned other bytes");
    const first = a.chunks.splice(0);
    assert.ok(first.length > 1, "the reply spans several chunks");
    // More traffic, then the chunks of the first reply must be unchanged.
    const other = randomBytes(2 * 1024 * 1024);
    await a.send("SET", key, other);
    assert.equal(await a.reply(10_000), "OK");
    a.send("GET", key);
    assert.equal(Buffer.compare((await a.reply(10_000)) as Uint8Array, other), 0);
    const header = new TextEncoder().encode(`$${value.length}\r\n`);
    const expected = concat([header, value, new TextEncoder().encode("\r\n")]);
    assert.equal(Buffer.compare(concat(first), expected), 0, "a delivered chunk was modified later");
    a.send("DEL", key);
    assert.equal(await a.reply(), 1);
    await a.t.close();
  });

  test(`${s.name}: many small writes keep their order, also behind a large one`, async () => {
    const a = await open(s, tcp);
    const key = `transport:${s.name}:${runtime}:order`;
    const pending: Promise<void>[] = [];
    const write = (...args: (string | Uint8Array)[]) => {
      const p = a.send(...args);
      if (p) pending.push(p);
    };
    for (let i = 0; i < 2000; i++) write("ECHO", String(i));
    write("SET", key, randomBytes(4 * 1024 * 1024));
    for (let i = 2000; i < 4000; i++) write("ECHO", String(i));
    write("STRLEN", key);
    write("DEL", key);
    await Promise.all(pending);
    for (let i = 0; i < 2000; i++) assert.equal(await a.reply(), String(i));
    assert.equal(await a.reply(10_000), "OK");
    for (let i = 2000; i < 4000; i++) assert.equal(await a.reply(), String(i));
    assert.equal(await a.reply(), 4 * 1024 * 1024);
    assert.equal(await a.reply(), 1);
    await a.t.close();
  });

  test(`${s.name}: local close() signals onClose once, without error; idempotent; the server sees it`, async () => {
    const a = await open(s, tcp);
    const name = `transport-close-${s.name}-${runtime}`;
    a.send("CLIENT", "SETNAME", name);
    assert.equal(await a.reply(), "OK");
    assert.match(String(await plain.command("CLIENT", "LIST")), new RegExp(name));
    const first = a.t.close();
    const second = a.t.close();
    await within(Promise.all([first, second]), 3000, "close()");
    assert.equal(await within(a.closed, 3000, "onClose"), undefined);
    a.t.write(encodeCommand(["PING"])); // ignored, must not throw
    await a.t.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(a.closes, [undefined]);
    assert.doesNotMatch(String(await plain.command("CLIENT", "LIST")), new RegExp(name));
  });

  test(`${s.name}: onClose once when the server closes (QUIT) and when it is killed`, async () => {
    const server = await startRedis();
    try {
      const a = await open(s, { host: server.host, port: server.port });
      a.send("QUIT");
      assert.equal(await a.reply(), "OK");
      await within(a.closed, 3000, "onClose after QUIT");

      const b = await open(s, { host: server.host, port: server.port });
      b.send("PING");
      assert.equal(await b.reply(), "PONG");
      await server.kill();
      const error = await within(b.closed, 3000, "onClose after kill");
      if (error !== undefined) {
        assert.ok(error instanceof ConnectionError);
        assert.ok(error.cause !== undefined || s.name === "web");
      }
      await b.t.close(); // after the fact: resolves, no second onClose
      b.t.write(encodeCommand(["PING"]));
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(a.closes.length, 1);
      assert.equal(b.closes.length, 1);

      // onClose set after the stream ended is still called
      await server.restart();
      const t = await s.connector({ host: server.host, port: server.port });
      t.onData(() => {});
      await server.kill();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const late = await within(
        new Promise<Error | undefined>((resolve) => t.onClose(resolve)),
        1000,
        "late onClose",
      );
      if (late !== undefined) assert.ok(late instanceof ConnectionError);
    } finally {
      await server.stop();
    }
  });

  test(`${s.name}: faults through a proxy: cut connections signal onClose; close() never hangs on a dead peer`, async () => {
    const proxy = await startProxy(tcp);
    try {
      const target = { host: proxy.host, port: proxy.port };
      const a = await open(s, target);
      a.send("PING");
      assert.equal(await a.reply(), "PONG");
      proxy.cutAll();
      const error = await within(a.closed, 3000, "onClose after cutAll");
      if (error !== undefined) assert.ok(error instanceof ConnectionError);
      assert.equal(a.closes.length, 1);

      // A black hole: the peer never answers and never closes.
      const b = await open(s, target);
      b.send("PING");
      assert.equal(await b.reply(), "PONG");
      proxy.dropSilently();
      b.send("PING");
      await assert.rejects(b.reply(200), /no reply/);
      await within(b.t.close(), 2000, "close() on a black-holed connection");
      assert.deepEqual(b.closes, [undefined]);

      // A stalled peer with megabytes unsent: close() gives up draining after its grace period.
      const c = await open(s, target);
      proxy.stall(true);
      const stuck = c.send("SET", "transport:stalled", randomBytes(32 * 1024 * 1024));
      assert.ok(stuck instanceof Promise, "backpressure while the peer does not read");
      await within(c.t.close(), 3000, "close() with a stalled backlog");
      await within(stuck, 1000, "the backpressure promise settles on close");
      assert.deepEqual(c.closes, [undefined]);
      proxy.stall(false);
    } finally {
      await proxy.close();
    }
  });

  test(`${s.name}: abort signal rejects and tears down a half-open connection`, async () => {
    // Already aborted: nothing is attempted.
    const pre = new AbortController();
    pre.abort(new Error("stop"));
    await assert.rejects(
      s.connector({ ...tcp, signal: pre.signal }),
      (e) => assertConnectionError(e, `:${tcp.port}`),
    );

    // A server that accepts TCP but never speaks TLS: the handshake hangs until the abort.
    const sockets = new Set<Socket>();
    let closedByPeer = 0;
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.resume(); // read (and drop) the ClientHello, so the peer's FIN is seen
      socket.on("error", () => {});
      socket.on("close", () => closedByPeer++);
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const controller = new AbortController();
      const t0 = Date.now();
      setTimeout(() => controller.abort(new Error("connect timeout")), 150);
      const tls = s.fullTls ? { ca: certs.ca } : {};
      await assert.rejects(
        within(s.connector({ host: "127.0.0.1", port, tls, signal: controller.signal }), 3000, "abort"),
        (e) => {
          assertConnectionError(e, `127.0.0.1:${port}`);
          assert.match((e as Error).message, /abort/);
          return true;
        },
      );
      assert.ok(Date.now() - t0 < 1500, "rejected promptly");
      // Deno finishes a TLS handshake before it closes the socket (denoland/deno#14547), so
      // an abort during the handshake releases the socket only when the peer answers or
      // goes away; the transport has asked for the close, which is all it can do.
      if (s.name === "deno") return;
      const deadline = Date.now() + 2000;
      while (closedByPeer < sockets.size && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.ok(sockets.size >= 1, "the connection reached the server");
      assert.equal(closedByPeer, sockets.size, "the aborted socket was closed");
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
}

test("error replies reach the reader as values (raw helper sanity)", async () => {
  const a = session(await nodeConnector(tcp));
  a.send("NO-SUCH-COMMAND");
  const reply = await a.reply();
  assert.ok(reply instanceof RawErrorReply);
  await a.t.close();
});
