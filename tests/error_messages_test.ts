// The errors a new user meets first, on every runtime and transport: a
// connection that cannot be made names its target and the cause, a missing or
// wrong password names the user and the option to set, and a bad URL names
// the part that is wrong. No message (nor its cause) shows a password.

import { test } from "node:test";
import assert from "node:assert/strict";
import { connect as netConnect, createServer, type Server, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import {
  AuthenticationError,
  AuthenticationWrongNumberOfArgsError,
  ConnectionError,
  DataError,
  parseURL,
  Redis,
  TimeoutError,
} from "../mod.ts";
import type { Connector } from "../lib/transport.ts";
import { bunConnector } from "../transports/bun.ts";
import { denoConnector } from "../transports/deno.ts";
import { nodeConnector } from "../transports/node.ts";
import { type SocketsApiConnect, type SocketsApiSocket, webConnector } from "../transports/web.ts";
import { freePort, sharedRedis, startRedis } from "./harness/mod.ts";

const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";

// A Sockets API `connect` over node:net/node:tls, standing in for
// cloudflare:sockets: only what a failed or hung connect needs.
function socketsApiOverNode(): SocketsApiConnect {
  return (address, options) => {
    const secure = options?.secureTransport === "on";
    const socket: Socket = secure
      ? tlsConnect({ host: address.hostname, port: address.port })
      : netConnect({ host: address.hostname, port: address.port });
    let failure: Error | undefined;
    socket.on("error", (e) => failure = e);
    const opened = new Promise<unknown>((resolve, reject) => {
      socket.once(secure ? "secureConnect" : "connect", () => resolve({}));
      socket.once("close", () => reject(failure ?? new Error("closed before opening")));
    });
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    const result: SocketsApiSocket = {
      readable: new ReadableStream<Uint8Array>({
        start(controller) {
          socket.on("data", (chunk: Uint8Array) => controller.enqueue(chunk));
          socket.once("close", () => {
            try {
              controller.close();
            } catch { /* cancelled */ }
          });
        },
        cancel() {
          socket.destroy();
        },
      }),
      writable: new WritableStream<Uint8Array>({
        write(chunk) {
          return new Promise<void>((resolve, reject) =>
            socket.write(chunk, (e) => e ? reject(e) : resolve())
          );
        },
      }),
      opened,
      closed,
      close() {
        socket.destroy();
        return closed;
      },
    };
    return result;
  };
}

const connectors: { name: string; connector?: Connector; unix: boolean }[] = [
  { name: `${runtime} (default)`, connector: undefined, unix: true },
  ...(runtime === "deno" ? [{ name: "deno", connector: denoConnector, unix: true }] : []),
  ...(runtime === "bun" ? [{ name: "bun", connector: bunConnector, unix: true }] : []),
  { name: "node", connector: nodeConnector, unix: true },
  { name: "web", connector: webConnector(socketsApiOverNode()), unix: false },
];

/** The error `ping()` on a fresh client rejects with. */
async function failure(options: ConstructorParameters<typeof Redis>[0]): Promise<Error> {
  const r = new Redis(options);
  try {
    await r.ping();
  } catch (e) {
    return e as Error;
  } finally {
    await r.disconnect();
  }
  assert.fail("ping() should have failed");
}

/** A loopback listener that accepts and then never says a word. */
async function silentServer(): Promise<{ port: number; server: Server; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as { port: number }).port, server, sockets };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

test("connection errors name host:port (or the socket path) and the cause, on every transport", async () => {
  const closedPort = await freePort();
  const tls = await sharedRedis("tls");
  const silent = await silentServer();
  const missingSocket = `/tmp/uniredis-missing-${closedPort}.sock`;
  try {
    const cases: {
      what: string;
      options: ConstructorParameters<typeof Redis>[0];
      message: RegExp;
      type?: typeof ConnectionError;
      unix?: boolean;
      maybeNoCause?: boolean; // a clean close (FIN) has no error to keep
    }[] = [
      {
        what: "refused",
        options: { host: "127.0.0.1", port: closedPort },
        message: new RegExp(
          `^Error connecting to 127\\.0\\.0\\.1:${closedPort}: connection refused \\(ECONNREFUSED\\)$`,
        ),
      },
      {
        what: "unresolvable host",
        options: { host: "nonexistent.invalid", port: closedPort },
        message: new RegExp(
          `^Error connecting to nonexistent\\.invalid:${closedPort}: host name not found \\(ENOTFOUND\\)$`,
        ),
      },
      {
        what: "missing unix socket",
        options: { path: missingSocket },
        message: new RegExp(
          `^Error connecting to ${escape(missingSocket)}: no such socket file \\(ENOENT\\)$`,
        ),
        unix: true,
      },
      {
        what: "TLS, server certificate from an unknown CA",
        options: { host: "127.0.0.1", port: tls.tlsPort, tls: {} },
        message: new RegExp(
          `^Error connecting to 127\\.0\\.0\\.1:${tls.tlsPort}: TLS handshake failed: .*(certificate|UnknownIssuer)`,
          "i",
        ),
      },
      {
        what: "connect timeout (server never answers)",
        options: { host: "127.0.0.1", port: silent.port, socketConnectTimeout: 300 },
        message: new RegExp(`^Timed out connecting to 127\\.0\\.0\\.1:${silent.port} after 300 ms$`),
        type: TimeoutError,
      },
      {
        what: "TLS to a plain port (the server never answers the TLS handshake)",
        options: { host: "127.0.0.1", port: tls.port, tls: {}, socketConnectTimeout: 300 },
        message: new RegExp(
          `^Timed out connecting to 127\\.0\\.0\\.1:${tls.port} after 300 ms \\(no TLS reply: does this port ` +
            `serve TLS\\?\\)$`,
        ),
        type: TimeoutError,
      },
      {
        what: "plain connection to a TLS port (the server hangs up)",
        options: { host: "127.0.0.1", port: tls.tlsPort, socketConnectTimeout: 2000 },
        message: new RegExp(
          `^Error connecting to 127\\.0\\.0\\.1:${tls.tlsPort}: the server closed the connection during the ` +
            `handshake \\(if it expects TLS, set tls or use rediss://\\)`,
        ),
        maybeNoCause: true,
      },
    ];
    const wrong: string[] = [];
    for (const c of connectors) {
      for (const k of cases) {
        if (k.unix && !c.unix) continue;
        const e = await failure({ ...k.options, connector: c.connector });
        const label = `${c.name}, ${k.what}: ${e?.constructor?.name}: ${e?.message}`;
        if (!(e instanceof (k.type ?? ConnectionError)) || !k.message.test(e.message)) wrong.push(label);
        else if (k.type === undefined && !k.maybeNoCause && e.cause === undefined) {
          wrong.push(`${label} (no cause kept)`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  } finally {
    for (const s of silent.sockets) s.destroy();
    await new Promise((resolve) => silent.server.close(resolve));
  }
});

test("a missing or wrong password names the user and the option to set, keeps the server's text as the cause, never shows the password", async () => {
  const server = await startRedis({
    requirePass: "default-pw-123",
    aclUsers: ["alice on >alice-pw-456 ~* +@all"],
  });
  const at = `127\\.0\\.0\\.1:${server.port}`;
  try {
    const cases: {
      what: string;
      options: ConstructorParameters<typeof Redis>[0];
      message: RegExp;
      cause: RegExp;
    }[] = [
      {
        what: "no password",
        options: {},
        message: new RegExp(
          `^${at} requires a password: none was given for user "default"; set the password option, ` +
            `and username for an ACL user \\(NOAUTH\\)$`,
        ),
        cause: /^NOAUTH /,
      },
      {
        what: "no password, with a client name (handshake)",
        options: { clientName: "app" },
        message: new RegExp(
          `^${at} requires a password: none was given for user "default"; set the password option`,
        ),
        cause: /^NOAUTH /,
      },
      {
        what: "wrong password of the default user",
        options: { password: "wrong-pw-789" },
        message: new RegExp(
          `^Authentication with ${at} failed for user "default": wrong password, or no such user, or the user ` +
            `is disabled; check the password and username options \\(WRONGPASS\\)$`,
        ),
        cause: /^WRONGPASS /,
      },
      {
        what: "wrong password of an ACL user",
        options: { username: "alice", password: "wrong-pw-789" },
        message: new RegExp(`^Authentication with ${at} failed for user "alice": wrong password`),
        cause: /^WRONGPASS /,
      },
      {
        what: "username without a password",
        options: { username: "alice" },
        message: new RegExp(
          `^Authentication with ${at} failed for user "alice": no password was given; set the password option \\(WRONGPASS\\)$`,
        ),
        cause: /^WRONGPASS /,
      },
      {
        what: "unknown user",
        options: { username: "bob", password: "wrong-pw-789" },
        message: new RegExp(
          `^Authentication with ${at} failed for user "bob": wrong password, or no such user`,
        ),
        cause: /^WRONGPASS /,
      },
    ];
    const wrong: string[] = [];
    for (const protocol of [2, 3] as const) {
      for (const k of cases) {
        const e = await failure({ host: server.host, port: server.port, protocol, ...k.options });
        const cause = e.cause as Error | undefined;
        const label =
          `RESP${protocol}, ${k.what}: ${e?.constructor?.name}: ${e?.message} (cause: ${cause?.message})`;
        const text = `${e.message} ${cause?.message} ${String(e.stack)}`;
        if (
          !(e instanceof AuthenticationError) || !k.message.test(e.message) ||
          !(cause instanceof AuthenticationError) || !k.cause.test(cause.message)
        ) {
          wrong.push(label);
        } else if (/-pw-\d+/.test(text)) {
          wrong.push(`${label} (shows a password)`);
        }
      }
    }
    // A password sent to a server without one (AUTH on RESP2): the class redis-py uses, and what to drop.
    const open = await sharedRedis("plain");
    const e = await failure({ host: open.host, port: open.port, protocol: 2, password: "extra-pw-000" });
    if (
      !(e instanceof AuthenticationWrongNumberOfArgsError) ||
      !new RegExp(
        `^Authentication with 127\\.0\\.0\\.1:${open.port} failed for user "default": the server has no ` +
          "password .*remove the password and username options$",
      ).test(e.message) ||
      !/^ERR AUTH <password> called without any password configured/.test((e.cause as Error)?.message)
    ) {
      wrong.push(`RESP2, password to a server without one: ${e?.constructor?.name}: ${e?.message}`);
    }
    assert.deepEqual(wrong, []);
  } finally {
    await server.stop();
  }
});

test("every URL problem is a DataError naming the bad part, never showing the password", () => {
  const cases: [url: string, message: RegExp][] = [
    ["redis://localhost:99999", /^Invalid Redis URL: port "99999" \(expected a number from 0 to 65535\)$/],
    [
      "redis://:s3cret-pw@localhost:63a79/0",
      /^Invalid Redis URL: port "63a79" \(expected a number from 0 to 65535\)$/,
    ],
    [
      "http://localhost:6379",
      /^Invalid Redis URL: scheme "http:" \(expected redis:\/\/, rediss:\/\/ or unix:\/\/\)$/,
    ],
    [
      "localhost:6379",
      /^Invalid Redis URL: scheme "localhost:" \(expected redis:\/\/, rediss:\/\/ or unix:\/\/\)$/,
    ],
    ["127.0.0.1:6379", /^Invalid Redis URL: no scheme \(expected redis:\/\/, rediss:\/\/ or unix:\/\/\)$/],
    ["redis://a b:6379", /^Invalid Redis URL: host "a b" is not a valid host name or address$/],
    ["redis://[::1:6379", /^Invalid Redis URL: host "\[::1:6379" is not a valid host name or address$/],
    [
      "redis://localhost/abc",
      /^Invalid Redis URL: database "abc" in the path \(expected a non-negative integer\)$/,
    ],
    [
      "redis://localhost/0?db=x",
      /^Invalid Redis URL: query option db "x" \(expected a non-negative integer\)$/,
    ],
    ["redis://localhost?protocol=4", /^Invalid Redis URL: query option protocol "4" \(expected 2 or 3\)$/],
    [
      "redis://localhost?socket_timeout=soon",
      /^Invalid Redis URL: query option socket_timeout "soon" \(expected/,
    ],
    [
      "redis://localhost?foo=1",
      /^Invalid Redis URL: unknown query option "foo" \(accepted: .*socket_timeout/,
    ],
    [
      "redis://:s3cret-pw%E0%A4%A@localhost",
      /^Invalid Redis URL: the password has a malformed %-escape \(write a literal % as %25\)$/,
    ],
    ["redis://us%ZZer:s3cret-pw@localhost", /^Invalid Redis URL: the username has a malformed %-escape/],
    ["unix:///tmp/re%ZZdis.sock", /^Invalid Redis URL: the socket path has a malformed %-escape/],
    ["redis:localhost:6379", /^Invalid Redis URL: "\/\/" expected after "redis:"$/],
    [
      "redis://:s3cret-pw/x@localhost",
      /^Invalid Redis URL: the user or password holds "\/", "\?" or "#": percent-encode/,
    ],
    [
      "redis://user:63/s3cret-pw@localhost",
      /^Invalid Redis URL: the user or password holds "\/", "\?" or "#"/,
    ],
  ];
  const wrong: string[] = [];
  for (const [url, message] of cases) {
    for (const [how, parse] of [["parseURL", parseURL], ["Redis.fromURL", Redis.fromURL]] as const) {
      let error: unknown;
      try {
        const r = parse(url);
        if (r instanceof Redis) r.disconnect();
      } catch (e) {
        error = e;
      }
      const e = error as Error | undefined;
      const label = `${how}(${url}): ${e?.constructor?.name}: ${e?.message}`;
      const text = `${e?.message} ${String((e?.cause as Error)?.message)}`;
      if (!(e instanceof DataError) || !message.test(e.message)) wrong.push(label);
      else if (text.includes("s3cret")) wrong.push(`${label} (shows the password)`);
    }
  }
  assert.deepEqual(wrong, []);
});
