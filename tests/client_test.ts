// The client against real servers: connection kinds (TCP, TLS, unix), auth,
// db selection, both protocols, binary values, replies split into 1-byte
// chunks, bad arguments, and faults (server killed, command timeouts).

import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import {
  AuthenticationError,
  Command,
  Connection,
  ConnectionError,
  type Connector,
  DataError,
  getDefaultConnector,
  ProtocolError,
  Redis,
  ResponseError,
  TimeoutError,
} from "../mod.ts";
import { freePort, sharedRedis, startProxy, startRedis } from "./harness/mod.ts";

const PROTOCOLS = [2, 3] as const;

/** Settles to the value or the rejection reason, with a handler attached at once (no unhandled rejection). */
function outcome<T>(promise: Promise<T>): Promise<T | unknown> {
  return promise.then((value) => value, (error) => error);
}

async function plainClient<D extends boolean = true>(
  options: ConstructorParameters<typeof Redis<D>>[0] = {},
): Promise<Redis<D>> {
  const server = await sharedRedis("plain");
  return new Redis<D>({ host: server.host, port: server.port, ...options });
}

for (const protocol of PROTOCOLS) {
  test(`RESP${protocol}: negotiates the protocol and round-trips strings`, async () => {
    await using r = await plainClient({ protocol });
    assert.equal(await r.set(`client:${protocol}:k`, "héllo wörld ✓"), true);
    assert.equal(await r.get(`client:${protocol}:k`), "héllo wörld ✓");
    assert.equal(r.serverHello?.protocol, protocol);
    if (protocol === 3) assert.match(r.serverHello?.version ?? "", /^\d+\.\d+\.\d+/);
  });

  test(`RESP${protocol}: commands issued in one tick all resolve, in order`, async () => {
    await using r = await plainClient({ protocol });
    const key = `client:${protocol}:order`;
    await r.del(key);
    const replies = await Promise.all(Array.from({ length: 2000 }, () => r.incr(key)));
    assert.deepEqual(replies, Array.from({ length: 2000 }, (_, i) => i + 1));
  });

  test(`RESP${protocol}: binary values round-trip with decodeResponses: false`, async () => {
    await using r = await plainClient({ protocol, decodeResponses: false });
    const bytes = new Uint8Array(256).map((_, i) => i);
    await r.set(`client:${protocol}:bin`, bytes);
    const back: Uint8Array | null = await r.get(`client:${protocol}:bin`); // typed by decodeResponses: false
    assert.ok(back instanceof Uint8Array);
    assert.deepEqual(back, bytes);
    // Keys may be bytes too, including invalid UTF-8.
    const key = new Uint8Array([0xff, 0xfe, 0x00, 0x41]);
    await r.set(key, "v");
    assert.deepEqual(await r.get(key), new TextEncoder().encode("v"));
  });

  test(`RESP${protocol}: the same JS shapes for hashes, lists and scores`, async () => {
    await using r = await plainClient({ protocol });
    const k = `client:${protocol}:shapes`;
    await r.del(k, `${k}:l`, `${k}:z`);
    await r.hset(k, { mapping: { a: "1", b: "2" } });
    assert.deepEqual(await r.hgetall(k), { a: "1", b: "2" });
    await r.rpush(`${k}:l`, "x", "y");
    assert.deepEqual(await r.lrange(`${k}:l`, 0, -1), ["x", "y"]);
    await r.zadd(`${k}:z`, { m: 1.5 });
    assert.equal(await r.zscore(`${k}:z`, "m"), 1.5);
  });
}

test("db selection through the option and the URL", async () => {
  const server = await sharedRedis("plain");
  await using r3 = new Redis({ host: server.host, port: server.port, db: 3 });
  await using r0 = Redis.fromURL(`redis://${server.host}:${server.port}/0`);
  await using url3 = Redis.fromURL(`redis://${server.host}:${server.port}?db=3&protocol=2`);
  await r3.set("client:db", "three");
  await r0.del("client:db");
  assert.equal(await r0.get("client:db"), null);
  assert.equal(await url3.get("client:db"), "three");
  assert.equal(url3.serverHello?.protocol, 2);
  assert.match(String(await r3.sendCommand("CLIENT", "INFO")), /\bdb=3\b/);
});

test("unix socket, by option and by unix:// URL", async () => {
  const server = await sharedRedis("plain");
  await using r = new Redis({ path: server.socketPath });
  assert.equal(await r.ping(), true);
  await using u = Redis.fromURL(`unix://${server.socketPath}?db=1`);
  await u.set("client:unix", "1");
  assert.equal(await u.get("client:unix"), "1");
  assert.match(String(await u.sendCommand("CLIENT", "INFO")), /\bdb=1\b/);
});

for (const protocol of PROTOCOLS) {
  test(`RESP${protocol}: TLS with certificate verification`, async () => {
    const server = await sharedRedis("tls");
    const certs = server.certs!;
    await using r = new Redis({ host: "127.0.0.1", port: server.tlsPort, protocol, tls: { ca: certs.ca } });
    await r.set("client:tls", "secret");
    assert.equal(await r.get("client:tls"), "secret");
    assert.match(String(await r.sendCommand("CLIENT", "INFO")), /\bid=\d+/);
  });
}

test("TLS: a server certificate from an unknown CA is refused", async () => {
  const server = await sharedRedis("tls");
  await using r = new Redis({
    host: "127.0.0.1",
    port: server.tlsPort,
    tls: true,
    socketConnectTimeout: 5000,
  });
  await assert.rejects(r.ping(), ConnectionError);
});

test("TLS: rediss:// URL with options for the CA and a client certificate", async () => {
  const server = await sharedRedis("tls");
  const certs = server.certs!;
  await using r = Redis.fromURL(`rediss://localhost:${server.tlsPort}/2`, {
    tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey },
  });
  await r.set("client:rediss", "ok");
  assert.equal(await r.get("client:rediss"), "ok");
  assert.match(String(await r.sendCommand("CLIENT", "INFO")), /\bdb=2\b/);
});

test("ACL user: username and password on RESP2 and RESP3; bad password is an AuthenticationError", async () => {
  const server = await startRedis({ aclUsers: ["alice on >wonderland ~app:* +@all"], requirePass: "rootpw" });
  try {
    for (const protocol of PROTOCOLS) {
      await using alice = new Redis({
        port: server.port,
        host: server.host,
        protocol,
        username: "alice",
        password: "wonderland",
      });
      await alice.set("app:x", String(protocol));
      assert.equal(await alice.get("app:x"), String(protocol));
      assert.equal(await alice.sendCommand("ACL", "WHOAMI"), "alice");
      // alice may only touch app:* keys
      await assert.rejects(alice.set("other", "1"), (e) => e instanceof ResponseError && e.code === "NOPERM");

      await using wrong = new Redis({
        port: server.port,
        host: server.host,
        protocol,
        username: "alice",
        password: "nope-123",
      });
      await assert.rejects(wrong.ping(), (e: Error) => {
        assert.ok(e instanceof AuthenticationError, `${e.name}: ${e.message}`);
        assert.ok(!e.message.includes("nope-123"), "the message must not contain the password");
        assert.ok(e.message.includes(`${server.host}:${server.port}`), "the message names the server");
        return true;
      });
      await using defaultUser = new Redis({
        port: server.port,
        host: server.host,
        protocol,
        password: "rootpw",
      });
      assert.equal(await defaultUser.sendCommand("ACL", "WHOAMI"), "default");
      await using none = new Redis({ port: server.port, host: server.host, protocol });
      await assert.rejects(none.ping(), AuthenticationError);
    }
  } finally {
    await server.stop();
  }
});

test("a server that refuses HELLO gets RESP2 with AUTH and SELECT", async () => {
  const server = await startRedis({ config: ['rename-command HELLO ""'], requirePass: "pw" });
  try {
    await using r = new Redis({
      host: server.host,
      port: server.port,
      password: "pw",
      db: 4,
      clientName: "fallback",
    });
    assert.equal(await r.ping(), true);
    assert.equal(r.serverHello?.protocol, 2);
    const info = String(await r.sendCommand("CLIENT", "INFO"));
    assert.match(info, /\bdb=4\b/);
    assert.match(info, /\bname=fallback\b/);
    assert.match(info, /\bresp=2\b/);
  } finally {
    await server.stop();
  }
});

test("client name is set on connect", async () => {
  for (const protocol of PROTOCOLS) {
    await using r = await plainClient({ protocol, clientName: `named-${protocol}` });
    assert.equal(await r.sendCommand("CLIENT", "GETNAME"), `named-${protocol}`);
  }
});

/** Wraps the runtime's connector so every received chunk is delivered one byte at a time. */
function byteByByte(inner: Connector): Connector {
  return async (options) => {
    const transport = await inner(options);
    return {
      write: (chunk) => transport.write(chunk),
      onData: (handler) =>
        transport.onData((chunk) => {
          for (let i = 0; i < chunk.length; i++) handler(chunk.slice(i, i + 1));
        }),
      onClose: (handler) => transport.onClose(handler),
      close: () => transport.close(),
    };
  };
}

for (const protocol of PROTOCOLS) {
  test(`RESP${protocol}: replies split into 1-byte chunks decode identically`, async () => {
    const server = await sharedRedis("plain");
    await using whole = new Redis({ host: server.host, port: server.port, protocol });
    await using split = new Redis({
      host: server.host,
      port: server.port,
      protocol,
      connector: byteByByte(getDefaultConnector()),
    });
    const k = `client:${protocol}:split`;
    await whole.del(k, `${k}:h`, `${k}:z`);
    await whole.rpush(k, ...Array.from({ length: 50 }, (_, i) => `item-${i}-é`));
    await whole.hset(`${k}:h`, { mapping: { f1: "v1", f2: "v2" } });
    await whole.zadd(`${k}:z`, { a: 1, b: 2.25 });
    const ask = (r: Redis) =>
      Promise.all([
        r.lrange(k, 0, -1),
        r.hgetall(`${k}:h`),
        r.zrange(`${k}:z`, 0, -1, { withscores: true }),
        r.get("missing-key"),
        r.sendCommand("COMMAND", "DOCS", "GET"),
        r.zscore(`${k}:z`, "b"),
        r.sendCommand("NOSUCHCOMMAND").catch((e: Error) => e.message),
      ]);
    const expected = await ask(whole);
    assert.deepEqual(await ask(split), expected);
  });
}

test("bad arguments are rejected with DataError before anything is sent, and nothing else is lost", async () => {
  const server = await startRedis();
  try {
    await using r = new Redis({ host: server.host, port: server.port });
    const bad = [
      r.set("k", undefined as never),
      r.set("k", null as never),
      r.set("k", { a: 1 } as never),
      r.set("k", true as never),
      r.set("k", NaN),
      r.get(undefined as never),
      r.set("k", "v", { ex: 1, px: 1000 }),
      r.sendCommand(),
    ];
    const good = r.set("k", "fine");
    for (const p of bad) await assert.rejects(p, DataError);
    assert.equal(await good, true);
    assert.equal(await r.get("k"), "fine");
    const stats = String(await r.sendCommand("INFO", "commandstats"));
    // Exactly one SET reached the server: the good one.
    assert.match(stats, /cmdstat_set:calls=1,/);
  } finally {
    await server.stop();
  }
});

test("invalid options are a DataError at construction", () => {
  assert.throws(() => new Redis({ port: 70000 }), DataError);
  assert.throws(() => new Redis({ db: -1 }), DataError);
  assert.throws(() => new Redis({ protocol: 4 as never }), DataError);
  assert.throws(() => Redis.fromURL("http://localhost"), DataError);
  assert.throws(() => Redis.fromURL("redis://localhost/notanumber"), DataError);
});

test("killing the server mid-command rejects every pending command with ConnectionError; later commands reconnect", async () => {
  const server = await startRedis();
  try {
    await using r = new Redis({ host: server.host, port: server.port, socketConnectTimeout: 2000 });
    await r.set("k", "v");
    const pending = [r.sendCommand("DEBUG", "SLEEP", "5"), r.get("k"), r.incr("n"), r.get("k")].map(outcome);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await server.kill();
    for (const result of await Promise.all(pending)) {
      assert.ok(result instanceof ConnectionError, String(result));
    }
    assert.ok(Date.now() - started < 3000, "pending commands settle promptly");
    await assert.rejects(r.get("k"), ConnectionError); // the server is down: a clear failure, no hang
    await server.restart();
    assert.equal(await r.ping(), true);
  } finally {
    await server.stop();
  }
});

test("a command timeout closes the connection: the late reply never reaches the next command", async () => {
  const server = await sharedRedis("plain");
  await using r = new Redis({ host: server.host, port: server.port, socketTimeout: 200 });
  await using other = new Redis({ host: server.host, port: server.port });
  await r.set("client:timeout:a", "value-a");
  await r.del("client:timeout:list");
  // BLPOP blocks only its own connection; its reply would come after the timeout.
  const slow = outcome(r.sendCommand("BLPOP", "client:timeout:list", "2"));
  const behind = outcome(r.get("client:timeout:a")); // queued behind it on the same connection
  assert.ok(await slow instanceof TimeoutError);
  const second = await behind;
  assert.ok(second instanceof ConnectionError && !(second instanceof TimeoutError), String(second));
  // The late reply now exists on the server side; it must not reach the new connection.
  await other.rpush("client:timeout:list", "late-value");
  assert.equal(await r.get("client:timeout:a"), "value-a");
  assert.equal(await r.echo("after"), "after");
  // The blocked pop died with its connection, so the pushed value is still there.
  assert.deepEqual(await other.lrange("client:timeout:list", 0, -1), ["late-value"]);
});

test("a stalled network trips the socket timeout through a real proxy", async () => {
  const server = await sharedRedis("plain");
  const proxy = await startProxy({ host: server.host, port: server.port });
  try {
    await using r = new Redis({ host: "127.0.0.1", port: proxy.port, socketTimeout: 300 });
    assert.equal(await r.ping(), true);
    proxy.stall(true);
    await assert.rejects(r.get("x"), TimeoutError);
    proxy.stall(false);
    assert.equal(await r.echo("fresh"), "fresh");
  } finally {
    await proxy.close();
  }
});

test("connect timeout and refused connections are ConnectionErrors naming the server", async () => {
  const port = await freePort();
  await using refused = new Redis({ host: "127.0.0.1", port });
  await assert.rejects(
    refused.ping(),
    (e: Error) => e instanceof ConnectionError && e.message.includes(`127.0.0.1:${port}`),
  );
  // A listener that accepts but never answers: the handshake times out, and the client closes its socket.
  let peerClosed!: Promise<void>;
  const silent = createServer((socket) => {
    peerClosed = new Promise((resolve) => socket.on("close", () => resolve()));
    socket.on("error", () => {});
    socket.resume(); // read (and drop) the handshake, so the client's close is seen
  });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const silentPort = (silent.address() as { port: number }).port;
  try {
    await using r = new Redis({ host: "127.0.0.1", port: silentPort, socketConnectTimeout: 300 });
    const started = Date.now();
    await assert.rejects(r.ping(), TimeoutError);
    assert.ok(Date.now() - started < 2000);
    await peerClosed;
  } finally {
    await new Promise((resolve) => silent.close(resolve));
  }
});

test("malformed bytes from the peer are a ProtocolError for every pending command", async () => {
  // A real TCP peer that refuses HELLO, accepts the rest of the handshake, then sends garbage.
  const peer = createServer((socket) => {
    socket.on("data", (data) => {
      for (const name of commandNames(String(data))) {
        socket.write(
          name === "HELLO"
            ? "-ERR unknown command 'HELLO'\r\n"
            : name === "CLIENT"
            ? "+OK\r\n"
            : "?garbage\r\n",
        );
      }
    });
  });
  await new Promise<void>((resolve) => peer.listen(0, "127.0.0.1", resolve));
  const port = (peer.address() as { port: number }).port;
  try {
    await using r = new Redis({ host: "127.0.0.1", port });
    const [a, b] = await Promise.all([outcome(r.get("a")), outcome(r.get("b"))]);
    assert.ok(a instanceof ProtocolError, String(a));
    assert.ok(b instanceof ProtocolError, String(b));
  } finally {
    peer.close();
  }
});

test("close() waits for replies in flight; await using closes", async () => {
  const r = await plainClient();
  const pending = Array.from({ length: 500 }, (_, i) => r.echo(`m${i}`));
  await r.close();
  assert.deepEqual(await Promise.all(pending), Array.from({ length: 500 }, (_, i) => `m${i}`));
  // redis-py semantics: a closed client reconnects on its next command.
  assert.equal(await r.ping(), true);
  await r.close();
});

test("disconnect() drops at once: pending commands, blocking ones included, reject with ConnectionError", async () => {
  const r = await plainClient();
  await r.ping();
  const blocked = outcome(r.blpop("client:disconnect:empty", 0));
  await new Promise((resolve) => setTimeout(resolve, 50));
  const pending = Array.from({ length: 100 }, (_, i) => outcome(r.echo(`d${i}`)));
  await r.disconnect();
  const results = await Promise.all([blocked, ...pending]);
  assert.ok(results[0] instanceof ConnectionError, `BLPOP: ${results[0]}`);
  assert.ok(results.slice(1).every((e) => e instanceof ConnectionError), "every pending command rejected");
  assert.equal(await r.ping(), true, "a later command reconnects");
  await r.close();
});

test("per-client response callbacks replace a command's transform", async () => {
  await using r = await plainClient();
  await using other = await plainClient();
  r.setResponseCallback("get", (reply) => (reply === null ? -1 : Number(reply) * 2));
  await r.set("client:cb", "21");
  assert.equal(await r.get("client:cb") as unknown, 42);
  assert.equal(await r.get("client:cb:none") as unknown, -1);
  assert.equal(await other.get("client:cb"), "21"); // other clients are unaffected
});

test("Command: keys are recorded at the positions they are sent", async () => {
  const cmd = new Command(["OBJECT", "ENCODING"]).key("a");
  assert.deepEqual(cmd.args, ["OBJECT", "ENCODING", "a"]);
  assert.deepEqual(cmd.keys, [2]);
  assert.equal(cmd.name, "OBJECT ENCODING");
  await using r = await plainClient();
  await r.set("a", "12345");
  assert.equal(await r.execute(cmd), "int");
});

test("error replies are ResponseErrors with the server's code; the connection stays usable", async () => {
  await using r = await plainClient();
  await r.set("client:str", "x");
  await assert.rejects(
    r.lpush("client:str", "y"),
    (e) => e instanceof ResponseError && e.code === "WRONGTYPE",
  );
  assert.equal(await r.get("client:str"), "x");
});

/** The command names in a chunk of RESP commands (first bulk after each array header). */
function commandNames(data: string): string[] {
  const lines = data.split("\r\n");
  const names: string[] = [];
  for (let i = 0; i + 2 < lines.length; i++) {
    if (lines[i].startsWith("*") && lines[i + 1].startsWith("$")) names.push(lines[i + 2].toUpperCase());
  }
  return names;
}

test("Connection: aborting a written command closes the connection; aborting an unsent one keeps it", async () => {
  const server = await sharedRedis("plain");
  const connector = getDefaultConnector();
  // Unsent: aborted while the connection is still being set up.
  const early = new Connection({ connector, host: server.host, port: server.port });
  const controller = new AbortController();
  const dropped = outcome(early.send(new Command("ECHO").arg("never"), { signal: controller.signal }));
  const kept = early.send(new Command("ECHO").arg("kept"));
  controller.abort(new Error("changed my mind"));
  assert.equal(((await dropped) as Error).message, "changed my mind");
  assert.equal(await kept, "kept");
  assert.equal(early.closed, false);
  await early.close();

  // Written: the reply would come later, so the connection must go.
  const conn = new Connection({ connector, host: server.host, port: server.port });
  await conn.connect();
  const abort = new AbortController();
  const blocked = outcome(
    conn.send(new Command("BLPOP").key("client:abort:none").arg(5), { signal: abort.signal }),
  );
  const behind = outcome(conn.send(new Command("ECHO").arg("behind")));
  await new Promise((resolve) => setTimeout(resolve, 50));
  abort.abort();
  assert.equal(((await blocked) as Error).name, "AbortError");
  assert.ok(await behind instanceof ConnectionError);
  assert.equal(conn.closed, true);
  await assert.rejects(conn.send(new Command("PING")), ConnectionError);
});

test("Connection.sendBatch: one promise for replies in order, each error in its place, transforms per command", async () => {
  const server = await sharedRedis("plain");
  const conn = new Connection({ connector: getDefaultConnector(), host: server.host, port: server.port });
  try {
    // Before the connection is ready (held, then sent in order), and once it is.
    for (const round of ["connecting", "ready"]) {
      const key = `client:batch:${round}`;
      const replies = await conn.sendBatch([
        new Command("SET").key(key).arg("v"),
        new Command("INCR").key(key), // an error reply: a value in its place
        new Command<number>("STRLEN", (r) => (r as number) * 10).key(key),
        new Command<string>("ECHO").arg("local").answer("answered here"),
        new Command("GET").key(key),
      ], { transformOf: (c) => c.name === "GET" ? (r) => `got ${r}` : undefined });
      assert.equal(replies.length, 5);
      assert.equal(replies[0], "OK");
      assert.ok(
        replies[1] instanceof ResponseError && /not an integer/.test(replies[1].message),
        String(replies[1]),
      );
      assert.equal(replies[2], 10);
      assert.equal(replies[3], "answered here");
      assert.equal(replies[4], "got v", round);
    }
    assert.deepEqual(await conn.sendBatch([]), []);
    // A bad argument fails that command alone, before it is sent.
    const bad = await conn.sendBatch([new Command("ECHO").arg({} as unknown as string), new Command("PING")]);
    assert.ok(bad[0] instanceof DataError, String(bad[0]));
    assert.equal(bad[1], "PONG");
    // A timeout fails what is in flight, in place, and the batch still settles once.
    const timed = await conn.sendBatch([
      new Command("BLPOP").key("client:batch:none").arg(5),
      new Command("PING"),
    ], { timeout: 100 });
    assert.ok(timed[0] instanceof TimeoutError, String(timed[0]));
    assert.ok(timed[1] instanceof Error, String(timed[1]));
    assert.equal(conn.closed, true);
    const closed = await conn.sendBatch([new Command("PING")]);
    assert.ok(closed[0] instanceof ConnectionError, String(closed[0]));
  } finally {
    await conn.close();
  }
});

test("Connection: a per-command timeout overrides socketTimeout", async () => {
  const server = await sharedRedis("plain");
  const conn = new Connection({ connector: getDefaultConnector(), host: server.host, port: server.port });
  const started = Date.now();
  const result = await outcome(
    conn.send(new Command("BLPOP").key("client:timeout:none").arg(5), { timeout: 150 }),
  );
  assert.ok(result instanceof TimeoutError, String(result));
  assert.ok(Date.now() - started < 1000);
  assert.equal(conn.closed, true);
});

test("reply types follow decodeResponses at compile time and at run time", async () => {
  await using text = await plainClient();
  await using bytes = await plainClient({ decodeResponses: false });
  await text.set("client:types", "v");
  const s: string | null = await text.get("client:types");
  const b: Uint8Array | null = await bytes.get("client:types");
  // @ts-expect-error a text client's reply is not bytes
  const wrong: Uint8Array | null = await text.get("client:types");
  assert.equal(typeof s, "string");
  assert.ok(b instanceof Uint8Array);
  assert.equal(typeof wrong, "string");
});
