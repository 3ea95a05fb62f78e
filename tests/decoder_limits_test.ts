// The decoder's limits seen from the client: hostile or broken replies from a
// scripted server (a real TCP server on loopback) end in RedisErrors at once,
// and invalid UTF-8 from a real server follows `encodingErrors`.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ConnectionError,
  DataError,
  InvalidResponse,
  parseURL,
  ProtocolError,
  Redis,
  RedisError,
} from "../mod.ts";
import { nodeConnector } from "../transports/node.ts";
import { sharedRedis } from "./harness/mod.ts";
import { startScripted } from "./support/scripted.ts";
import { outcome } from "./support/async.ts";

const te = new TextEncoder();

/** A scripted RESP3 server answering every command after the handshake with `answer(args)`. */
const scriptedServer = (answer: (args: string[]) => Uint8Array | string) =>
  startScripted(answer, { protocol: 3 });

function digits(n: number): Uint8Array {
  return new Uint8Array(n).fill(49);
}

test("a double of 100,000 digits ending in a bad byte fails the command at once", async () => {
  const server = await scriptedServer(() => {
    const head = te.encode(",");
    const tail = te.encode("x\r\n");
    const out = new Uint8Array(head.length + 100_000 + tail.length);
    out.set(head);
    out.set(digits(100_000), 1);
    out.set(tail, 100_001);
    return out;
  });
  try {
    await using r = new Redis({ host: "127.0.0.1", port: server.port });
    const t0 = Date.now();
    const got = await outcome(r.get("k"));
    const ms = Date.now() - t0;
    assert.ok(got instanceof ProtocolError, `expected ProtocolError, got ${got}`);
    assert.match(got.message, /double/);
    assert.ok(ms < 2000, `took ${ms} ms`);
  } finally {
    await server.close();
  }
});

test("a bulk header beyond maxBulkLength fails the command at once, without waiting for its data", async () => {
  const server = await scriptedServer((args) =>
    args[0] === "GET" && args[1] === "huge" ? "$999999999\r\n" : "$3\r\nabc\r\n"
  );
  try {
    await using r = new Redis({ host: "127.0.0.1", port: server.port });
    const got = await outcome(r.get("huge"));
    assert.ok(got instanceof ProtocolError, `expected ProtocolError, got ${got}`);
    assert.match(got.message, /length 999999999 exceeds maxBulkLength 536870912/);
    // The connection was dropped; the next command uses a fresh one.
    assert.equal(await r.get("small"), "abc");
  } finally {
    await server.close();
  }
});

test("maxBulkLength applies to replies from a real server", async () => {
  const redis = await sharedRedis("plain");
  await using r = new Redis({ host: redis.host, port: redis.port, maxBulkLength: 10 });
  await r.set("limits:ten", "0123456789");
  await r.set("limits:eleven", "0123456789A");
  assert.equal(await r.get("limits:ten"), "0123456789");
  const got = await outcome(r.get("limits:eleven"));
  assert.ok(got instanceof ProtocolError, `expected ProtocolError, got ${got}`);
  assert.match(got.message, /exceeds maxBulkLength 10/);
  assert.equal(await r.get("limits:ten"), "0123456789");
});

test("a text reply longer than the runtime's longest string fails that command alone; its bytes still read", async () => {
  // V8 (Node, Deno) stops strings short of 2^29 characters, under Redis's 512 MiB bulk limit; JavaScriptCore
  // (Bun) holds them. The server builds the value itself (SETRANGE), so only the reply crosses the socket.
  const size = 536_870_900;
  let fits = true;
  try {
    "a".repeat(size);
  } catch {
    fits = false;
  }
  const redis = await sharedRedis("plain");
  await using r = new Redis({ host: redis.host, port: redis.port });
  try {
    await r.setrange("limits:huge", size - 1, "z");
    const id = await r.clientId();
    const got = await outcome(r.get("limits:huge"));
    if (fits) {
      assert.equal(typeof got, "string");
      assert.equal((got as string).length, size);
    } else {
      assert.ok(got instanceof InvalidResponse, `expected InvalidResponse, got ${got}`);
      assert.match(got.message, /bulk string of 536870900 bytes.*decodeResponses: false/);
    }
    assert.equal(await r.clientId(), id, "the same connection, still in step");
    assert.equal(await r.strlen("limits:huge"), size);
    await using bytes = new Redis({ host: redis.host, port: redis.port, decodeResponses: false });
    const raw = await bytes.get("limits:huge");
    assert.ok(raw instanceof Uint8Array);
    assert.equal(raw.length, size);
    assert.equal(raw[size - 1], 122);
  } finally {
    await r.del("limits:huge");
  }
});

test("an exception thrown by a push handler fails the commands with a ConnectionError that keeps it as cause", async () => {
  const server = await scriptedServer(() => ">2\r\n+note\r\n+x\r\n+v\r\n");
  try {
    const boom = new TypeError("handler bug");
    await using r = new Redis({
      host: "127.0.0.1",
      port: server.port,
      pushHandler: () => {
        throw boom;
      },
    });
    const got = await outcome(r.get("k"));
    assert.ok(got instanceof RedisError, `expected a RedisError, got ${got}`);
    assert.ok(got instanceof ConnectionError);
    assert.equal(got.cause, boom);
    assert.match(got.message, /handler bug/);
  } finally {
    await server.close();
  }
});

const INVALID = new Uint8Array([0x61, 0xff, 0x62, 0xe2, 0x82]); // "a", bad, "b", truncated "€"

for (const protocol of [2, 3] as const) {
  test(`RESP${protocol}: encodingErrors "strict" (the default) rejects invalid UTF-8; the connection stays`, async () => {
    const redis = await sharedRedis("plain");
    await using r = new Redis({ host: redis.host, port: redis.port, protocol, singleConnectionClient: true });
    const key = `limits:bad:${protocol}`;
    await r.set(key, INVALID);
    await r.set(`${key}:ok`, "fine");
    const id = await r.clientId();
    const got = await outcome(r.get(key));
    assert.ok(got instanceof InvalidResponse && !(got instanceof ProtocolError), `got ${got}`);
    assert.match(got.message, /invalid utf-8.*encodingErrors "strict"/i);
    const both = await outcome(r.mget([key, `${key}:ok`]));
    assert.ok(both instanceof InvalidResponse);
    // Same connection, still in step.
    assert.equal(await r.get(`${key}:ok`), "fine");
    assert.equal(await r.clientId(), id);
    // Binary replies are not decoded.
    await using b = new Redis({ host: redis.host, port: redis.port, protocol, decodeResponses: false });
    assert.deepEqual(await b.get(key), INVALID);
  });

  test(`RESP${protocol}: encodingErrors "replace" and "ignore"`, async () => {
    const redis = await sharedRedis("plain");
    const key = `limits:bad2:${protocol}`;
    await using replace = new Redis({
      host: redis.host,
      port: redis.port,
      protocol,
      encodingErrors: "replace",
    });
    await replace.set(key, INVALID);
    assert.equal(await replace.get(key), "a\uFFFDb\uFFFD");
    await using ignore = new Redis({
      host: redis.host,
      port: redis.port,
      protocol,
      encodingErrors: "ignore",
    });
    assert.equal(await ignore.get(key), "ab");
    assert.deepEqual(await ignore.mget([key, key]), ["ab", "ab"]);
  });
}

test("maxBulkLength and encodingErrors are validated and read from URLs", () => {
  assert.throws(() => new Redis({ maxBulkLength: -1 }), DataError);
  assert.throws(() => new Redis({ maxBulkLength: 1.5 }), DataError);
  assert.throws(() => new Redis({ encodingErrors: "loose" as never }), DataError);
  assert.deepEqual(parseURL("redis://h/?max_bulk_length=1024&encoding_errors=ignore"), {
    host: "h",
    maxBulkLength: 1024,
    encodingErrors: "ignore",
  });
  assert.throws(() => parseURL("redis://h/?encodingErrors=loose"), DataError);
  assert.throws(() => parseURL("redis://h/?maxBulkLength=big"), DataError);
});

for (const protocol of [2, 3] as const) {
  test(`RESP${protocol}: a pubsub message with invalid UTF-8 is delivered with U+FFFD under "strict", not lost`, async () => {
    const redis = await sharedRedis("plain");
    await using pub = new Redis({ host: redis.host, port: redis.port });
    await using sub = new Redis({ host: redis.host, port: redis.port, protocol });
    await using p = sub.pubsub({ ignoreSubscribeMessages: true });
    const channel = `limits:ps:${protocol}`;
    await p.subscribe(channel);
    assert.equal(await pub.publish(channel, INVALID), 1);
    await pub.publish(channel, "after");
    const got: unknown[] = [];
    const deadline = Date.now() + 3000;
    while (got.length < 2 && Date.now() < deadline) {
      const m = await p.getMessage({ timeout: 100 });
      if (m !== null) got.push(m.data);
    }
    assert.deepEqual(got, ["a\uFFFDb\uFFFD", "after"]);
  });
}

// Long text goes through the transport's ASCII routine where it has one (Node, Bun), through TextDecoder
// otherwise, and large values are assembled in a buffer reused between text replies: every reply must still
// be what the server holds, text or bytes, valid UTF-8 or not.
for (const [name, connector] of [["default", undefined], ["node", nodeConnector]] as const) {
  test(`long text replies through the ${name} transport: ASCII, UTF-8, invalid UTF-8 and bytes, as stored`, async () => {
    const redis = await sharedRedis("plain");
    await using r = new Redis({
      host: redis.host,
      port: redis.port,
      connector,
      singleConnectionClient: true,
    });
    await using b = new Redis({ host: redis.host, port: redis.port, connector, decodeResponses: false });
    const ascii = (n: number, c: string) => c.repeat(n);
    const values: Record<string, string> = {
      "ascii:4k": ascii(4096, "a"),
      "ascii:1m": ascii(1 << 20, "b"),
      "ascii:3m": ascii(3 << 20, "c"),
      "ascii:300k": ascii(300_000, "d"),
      "utf8:1m": "é€".repeat(200_000) + "z",
      "mixed:1m": ascii(1 << 20, "e") + "ü",
    };
    const k = (name: string) => `limits:long:${name}:${name.length}`;
    for (const [name, value] of Object.entries(values)) await r.set(k(name), value);
    const invalid = new Uint8Array(1 << 20).fill(102);
    invalid[invalid.length - 1] = 0xff;
    await r.set(k("invalid"), invalid);
    // One after another, then all in one pipeline with bytes in between.
    for (const [name, value] of Object.entries(values)) assert.equal(await r.get(k(name)), value, name);
    const names = Object.keys(values);
    const p = r.pipeline({ transaction: false });
    for (const name of names) p.get(k(name));
    const replies = await p.exec();
    names.forEach((name, i) => assert.equal(replies[i], values[name], `${name} in a pipeline`));
    const [textReplies, byteReplies] = await Promise.all([
      Promise.all(names.map((name) => r.get(k(name)))),
      Promise.all(names.map((name) => b.get(k(name)))),
    ]);
    names.forEach((name, i) => {
      assert.equal(textReplies[i], values[name], `${name} beside a binary client`);
      assert.deepEqual(byteReplies[i], te.encode(values[name]), `${name} as bytes`);
    });
    const bad = await outcome(r.get(k("invalid")));
    assert.ok(bad instanceof InvalidResponse, `invalid UTF-8 of 1 MiB: ${bad}`);
    assert.equal(await r.get(k("ascii:4k")), values["ascii:4k"]);
    assert.deepEqual(await b.get(k("invalid")), invalid);
  });
}
