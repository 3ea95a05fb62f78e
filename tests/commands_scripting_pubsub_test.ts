// Scripting, functions and pub/sub publishing against a real server, under RESP2 and RESP3:
// real replies, their JS types, and the same values whatever the protocol.
//
// The file starts its own server: it runs SCRIPT FLUSH and FUNCTION FLUSH, which would
// disturb other files on a shared one. Tests run one after another; each protocol uses
// its own keys, channels and library names.

import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { NoScriptError, Redis, ResponseError } from "../mod.ts";
import { encodeCommand, type RawReply, type RedisServer, ReplyReader, startRedis } from "./harness/mod.ts";

let server: Promise<RedisServer> | undefined;
/** This file's private server, started on first use; it ends with the test process. */
function privateServer(): Promise<RedisServer> {
  return server ??= startRedis();
}

async function client<D extends boolean = true>(
  protocol: 2 | 3,
  options: { decodeResponses?: D } = {},
): Promise<Redis<D>> {
  const s = await privateServer();
  return new Redis<D>({ host: s.host, port: s.port, protocol, ...options });
}

/**
 * A raw subscriber connection (the client does not subscribe yet): sends
 * `command` (SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE) and resolves once the server
 * has confirmed it.
 */
async function subscriber(command: string, channel: string): Promise<Socket> {
  const s = await privateServer();
  const socket = connect({ host: s.host, port: s.port });
  const reader = new ReplyReader();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${command} confirmation`)), 5000);
    socket.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on("data", (chunk: Uint8Array) => {
      reader.push(chunk);
      const reply: RawReply | undefined = reader.next();
      if (reply !== undefined) {
        clearTimeout(timer);
        resolve();
      }
    });
    socket.write(encodeCommand([command, channel]));
  });
  return socket;
}

/** Closes a raw subscriber and waits until the server no longer counts it. */
async function unsubscribe(socket: Socket, r: Redis, channel: string): Promise<void> {
  socket.destroy();
  for (let i = 0; i < 200 && (await r.pubsubNumsub(channel))[0][1] !== 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const LIBRARY = (name: string) =>
  [
    `#!lua name=${name}`,
    "redis.register_function('kvset', function(keys, args) return redis.call('SET', keys[1], args[1]) end)",
    "redis.register_function{function_name='kvget', callback=function(keys) return redis.call('GET', keys[1]) end,",
    "  flags={'no-writes'}, description='reads a key'}",
  ].join("\n");

for (const protocol of [2, 3] as const) {
  const R = `RESP${protocol}`;

  test(`${R}: eval and evalRo with keys and args`, async () => {
    await using r = await client(protocol);
    const k = `eval:${protocol}`;
    assert.deepEqual(
      await r.eval("return {KEYS[1], KEYS[2], ARGV[1], ARGV[2]}", [k, "other"], ["x", 5]),
      [k, "other", "x", "5"],
    );
    assert.equal(await r.eval("return redis.call('SET', KEYS[1], ARGV[1])", [k], ["v"]), "OK");
    assert.equal(await r.eval("return redis.call('GET', KEYS[1])", [k]), "v");
    assert.equal(await r.eval("return 42"), 42);
    assert.equal(await r.eval("return nil"), null);
    assert.deepEqual(await r.eval("return {1, 'two', {3}}"), [1, "two", [3]]);
    assert.equal(await r.evalRo("return redis.call('GET', KEYS[1])", [k]), "v");
    await assert.rejects(r.evalRo("return redis.call('SET', KEYS[1], 'w')", [k]), ResponseError);
    await assert.rejects(r.eval("return redis.error_reply('MYERR boom')"), (e: unknown) => {
      assert.ok(e instanceof ResponseError);
      assert.match((e as Error).message, /boom/);
      return true;
    });
    await assert.rejects(r.eval("this is not lua"), ResponseError);
    assert.equal(await r.get(k), "v", "the refused EVAL_RO wrote nothing");
    await using b = await client(protocol, { decodeResponses: false });
    assert.deepEqual(await b.eval("return ARGV[1]", [], ["bytes"]), new TextEncoder().encode("bytes"));
  });

  test(`${R}: scriptLoad, evalsha, scriptExists, scriptFlush`, async () => {
    await using r = await client(protocol);
    const script = `return {KEYS[1], ARGV[1], ${protocol}}`;
    const sha = await r.scriptLoad(script);
    assert.match(sha, /^[0-9a-f]{40}$/);
    assert.equal(await r.scriptLoad(script), sha, "the SHA1 of the script");
    assert.deepEqual(await r.evalsha(sha, ["k"], ["a"]), ["k", "a", protocol]);
    assert.deepEqual(await r.evalsha(sha.toUpperCase(), ["k"], ["a"]), ["k", "a", protocol]);
    assert.deepEqual(await r.evalshaRo(sha, ["k"], ["a"]), ["k", "a", protocol]);
    const missing = "0".repeat(40);
    assert.deepEqual(await r.scriptExists(sha, missing), [true, false]);
    assert.equal(await r.scriptFlush({ mode: "SYNC" }), true);
    assert.deepEqual(await r.scriptExists(sha), [false]);
    await assert.rejects(r.evalsha(sha, ["k"], ["a"]), NoScriptError);
    await r.scriptLoad(script);
    assert.equal(await r.scriptFlush({ mode: "ASYNC" }), true);
    assert.equal(await r.scriptFlush(), true);
    await assert.rejects(r.evalshaRo(sha, ["k"]), NoScriptError);
    await assert.rejects(r.scriptKill(), /NOTBUSY/);
  });

  test(`${R}: function libraries: load, list, call, dump, restore, delete`, async () => {
    await using r = await client(protocol);
    assert.equal(await r.functionFlush({ mode: "SYNC" }), true);
    assert.deepEqual(await r.functionList(), []);
    const name = `lib${protocol}`;
    const code = LIBRARY(name);
    assert.equal(await r.functionLoad(code), name);
    await assert.rejects(r.functionLoad(code), ResponseError, "already exists");
    assert.equal(await r.functionLoad(code, { replace: true }), name);

    const expected = {
      libraryName: name,
      engine: "LUA",
      functions: [
        { name: "kvget", description: "reads a key", flags: ["no-writes"] },
        { name: "kvset", description: null, flags: [] },
      ],
    };
    const sortFns = (libs: { functions: { name: string }[] }[]) =>
      libs.forEach((l) => l.functions.sort((a, b) => a.name.localeCompare(b.name)));
    const listed = await r.functionList();
    sortFns(listed);
    assert.deepEqual(listed, [expected]);
    const withCode = await r.functionList({ libraryname: `lib${protocol}*`, withcode: true });
    sortFns(withCode);
    assert.deepEqual(withCode, [{ ...expected, libraryCode: code }]);
    assert.deepEqual(await r.functionList({ libraryname: "nomatch*" }), []);
    await using b = await client(protocol, { decodeResponses: false });
    const bin = await b.functionList();
    sortFns(bin);
    assert.deepEqual(bin, [expected], "the same objects with decodeResponses: false");

    const k = `fn:${protocol}`;
    assert.equal(await r.fcall("kvset", [k], ["v"]), "OK");
    assert.equal(await r.fcall("kvget", [k]), "v");
    assert.equal(await r.fcallRo("kvget", [k]), "v");
    await assert.rejects(r.fcallRo("kvset", [k], ["w"]), ResponseError);
    await assert.rejects(r.fcall("nosuchfunction"), ResponseError);

    const stats = await r.functionStats();
    assert.deepEqual(stats, {
      runningScript: null,
      engines: { LUA: { librariesCount: 1, functionsCount: 2 } },
    });
    await assert.rejects(r.functionKill(), /NOTBUSY/);

    const payload = await r.functionDump();
    assert.ok(payload instanceof Uint8Array && payload.length > 0);
    assert.deepEqual(await b.functionDump(), payload);
    await assert.rejects(r.functionRestore(payload), ResponseError, "APPEND clashes with the loaded library");
    assert.equal(await r.functionRestore(payload, { policy: "REPLACE" }), true);
    assert.equal(await r.functionDelete(name), true);
    assert.deepEqual(await r.functionList(), []);
    await assert.rejects(r.fcall("kvget", [k]), ResponseError);
    assert.equal(await r.functionRestore(payload, { policy: "APPEND" }), true);
    assert.equal(await r.fcall("kvget", [k]), "v");
    assert.equal(await r.functionRestore(payload, { policy: "FLUSH" }), true);
    const restored = await r.functionList();
    sortFns(restored);
    assert.deepEqual(restored, [expected]);
    await assert.rejects(r.functionDelete("nosuchlib"), ResponseError);
    assert.equal(await r.functionFlush(), true);
    assert.deepEqual(await r.functionStats(), {
      runningScript: null,
      engines: { LUA: { librariesCount: 0, functionsCount: 0 } },
    });
  });

  test(`${R}: publish and pubsub introspection`, async () => {
    await using r = await client(protocol);
    const ch = `news:${protocol}`;
    assert.equal(await r.publish(ch, "nobody"), 0);
    assert.deepEqual(await r.pubsubNumsub(ch, "other"), [[ch, 0], ["other", 0]]);
    assert.deepEqual(await r.pubsubNumsub(), []);
    assert.deepEqual(await r.pubsubChannels(`news:${protocol}*`), []);
    const patterns = await r.pubsubNumpat();

    const sub = await subscriber("SUBSCRIBE", ch);
    const psub = await subscriber("PSUBSCRIBE", `news:${protocol}:*`);
    try {
      assert.equal(await r.publish(ch, "hello"), 1);
      assert.equal(await r.publish(`news:${protocol}:sport`, "goal"), 1, "the pattern subscriber");
      assert.deepEqual(await r.pubsubNumsub(ch, "other"), [[ch, 1], ["other", 0]]);
      assert.deepEqual(await r.pubsubChannels(`news:${protocol}*`), [ch]);
      assert.ok((await r.pubsubChannels()).includes(ch));
      assert.equal(await r.pubsubNumpat(), patterns + 1);
      await using b = await client(protocol, { decodeResponses: false });
      assert.deepEqual(await b.pubsubNumsub(ch), [[new TextEncoder().encode(ch), 1]]);
    } finally {
      psub.destroy();
      await unsubscribe(sub, r, ch);
    }
    assert.deepEqual(await r.pubsubNumsub(ch), [[ch, 0]]);
  });

  test(`${R}: spublish and shard channel introspection`, async () => {
    await using r = await client(protocol);
    const ch = `shard:${protocol}`;
    assert.equal(await r.spublish(ch, "nobody"), 0);
    assert.deepEqual(await r.pubsubShardnumsub(ch), [[ch, 0]]);
    assert.deepEqual(await r.pubsubShardchannels(`shard:${protocol}*`), []);
    const sub = await subscriber("SSUBSCRIBE", ch);
    try {
      assert.equal(await r.spublish(ch, "hello"), 1);
      assert.deepEqual(await r.pubsubShardnumsub(ch, "other"), [[ch, 1], ["other", 0]]);
      assert.deepEqual(await r.pubsubShardchannels(`shard:${protocol}*`), [ch]);
      assert.ok((await r.pubsubShardchannels()).includes(ch));
    } finally {
      sub.destroy();
    }
  });
}
