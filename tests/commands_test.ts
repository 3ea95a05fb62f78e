// The command slice (connection, server, generic, string, hash, list, set and
// sorted set commands) against a real server, under RESP2 and RESP3: real
// replies, their JS types, and the same values whatever the protocol.
//
// The file starts its own server (it runs FLUSHALL, CONFIG SET, SAVE and
// SWAPDB) and gives each group its own database per protocol.

import { test } from "node:test";
import assert from "node:assert/strict";
import { AuthenticationError, DataError, Redis, ResponseError } from "../mod.ts";
import { type RedisServer, startRedis } from "./harness/mod.ts";

const PROTOCOLS = [2, 3] as const;
type Protocol = (typeof PROTOCOLS)[number];

let server: Promise<RedisServer> | undefined;
/**
 * This file's private server, started on first use. It ends with the test process (the harness's guardian
 * stops it by pid), so no test has to be a teardown.
 */
function privateServer(): Promise<RedisServer> {
  return server ??= startRedis();
}

const GROUPS = ["connection", "server", "generic", "string", "hash", "list", "set", "zset"] as const;
type Group = (typeof GROUPS)[number];

/** Each group gets a database per protocol: 0-7 for RESP2, 8-15 for RESP3. */
function dbOf(group: Group, protocol: Protocol): number {
  return GROUPS.indexOf(group) + (protocol === 3 ? 8 : 0);
}

/** A client on the group's database, emptied first. */
async function client<D extends boolean = true>(
  group: Group,
  protocol: Protocol,
  options: { decodeResponses?: D } = {},
): Promise<Redis<D>> {
  const s = await privateServer();
  const r = new Redis<D>({ host: s.host, port: s.port, protocol, db: dbOf(group, protocol), ...options });
  return r;
}

async function fresh<D extends boolean = true>(
  group: Group,
  protocol: Protocol,
  options: { decodeResponses?: D } = {},
): Promise<Redis<D>> {
  const r = await client(group, protocol, options);
  await r.flushdb();
  return r;
}

async function atLeast(major: number, minor: number): Promise<boolean> {
  const [a, b] = (await privateServer()).version;
  return a > major || (a === major && b >= minor);
}

const sorted = <T>(values: T[]): T[] => [...values].sort();
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForBackgroundJobs(r: Redis): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const info = await r.info("persistence");
    if (
      info.rdb_bgsave_in_progress === 0 && info.aof_rewrite_in_progress === 0 &&
      info.aof_rewrite_scheduled === 0
    ) {
      return;
    }
    await sleep(25);
  }
  assert.fail("background save/rewrite did not finish");
}

for (const protocol of PROTOCOLS) {
  const R = `RESP${protocol}`;

  test(`${R}: connection commands`, async () => {
    await using r = await fresh("connection", protocol);
    const db = dbOf("connection", protocol);
    assert.equal(await r.ping(), true);
    assert.equal(await r.echo("héllo ✓"), "héllo ✓");
    assert.equal(await r.clientSetname(`cmd-${protocol}`), true);
    assert.equal(await r.clientGetname(), `cmd-${protocol}`);
    const id = await r.clientId();
    assert.equal(typeof id, "number");
    const me = await r.clientInfo();
    assert.equal(me.id, id);
    assert.equal(me.name, `cmd-${protocol}`);
    assert.equal(me.db, db);
    assert.equal(typeof me.age, "number");
    assert.equal(typeof me.flags, "string");
    const listed = await r.clientList({ clientId: id });
    assert.equal(listed.length, 1);
    assert.deepEqual(Object.keys(listed[0]).sort(), Object.keys(me).sort());
    assert.equal(listed[0].id, id);
    assert.ok((await r.clientList({ type: "normal" })).some((c) => c.id === id));
    assert.ok((await r.clientList()).some((c) => c.id === id));
    // SELECT changes this connection only; switch back so later commands stay in our db.
    assert.equal(await r.select(db === 0 ? 1 : 0), true);
    assert.notEqual((await r.clientInfo()).db, db);
    assert.equal(await r.select(db), true);
    await assert.rejects(r.auth("not-the-password"), AuthenticationError);
    assert.equal(await r.ping(), true, "a refused AUTH leaves the connection usable");
    if (await atLeast(7, 2)) {
      assert.equal(await r.clientSetinfo("LIB-NAME", "cmdtest"), true);
      assert.equal((await r.clientInfo())["lib-name"], "cmdtest");
    } else {
      await assert.rejects(r.clientSetinfo("LIB-NAME", "cmdtest"), ResponseError);
    }
    await using b = await client("connection", protocol, { decodeResponses: false });
    assert.deepEqual(await b.echo("bytes"), enc("bytes"));
    assert.equal(await b.ping(), true);
    assert.equal(typeof (await b.clientInfo()).id, "number");
  });

  test(`${R}: server commands`, async () => {
    await using r = await fresh("server", protocol);
    const db = dbOf("server", protocol);
    assert.equal(await r.dbsize(), 0);
    await r.mset({ a: "1", b: "2" });
    assert.equal(await r.dbsize(), 2);

    const info = await r.info();
    assert.match(String(info.redis_version), /^\d+\.\d+\.\d+$/);
    assert.equal(typeof info.connected_clients, "number");
    assert.equal(typeof info.used_memory, "number");
    assert.deepEqual(info[`db${db}`], { keys: 2, expires: 0, avg_ttl: 0 });
    const some = await r.info("server", "clients");
    assert.equal(typeof some.redis_version, "string");
    assert.equal(typeof some.connected_clients, "number");
    assert.equal(some.used_memory, undefined, "only the requested sections");
    const stats = await r.info("commandstats");
    assert.equal(typeof (stats.cmdstat_mset as Record<string, unknown>).calls, "number");

    const [seconds, micros] = await r.time();
    assert.ok(Math.abs(seconds - Date.now() / 1000) < 5);
    assert.ok(Number.isInteger(micros) && micros >= 0 && micros < 1_000_000);

    const cfg = await r.configGet("maxmemory*");
    assert.equal(cfg.maxmemory, "0");
    assert.equal(typeof cfg["maxmemory-policy"], "string");
    assert.deepEqual(Object.keys(await r.configGet("maxmemory", "port")).sort(), ["maxmemory", "port"]);
    assert.equal(await r.configSet("maxmemory-samples", 7), true);
    assert.deepEqual(await r.configGet("maxmemory-samples"), { "maxmemory-samples": "7" });
    assert.equal(await r.configSet("maxmemory-samples", "5"), true);
    await assert.rejects(r.configSet("no-such-parameter", "1"), ResponseError);
    assert.equal(await r.configResetstat(), true);
    assert.equal(await r.configRewrite(), true);

    assert.ok((await r.memoryUsage("a"))! > 0);
    assert.ok((await r.memoryUsage("a", 0))! > 0);
    assert.equal(await r.memoryUsage("missing"), null);

    // SWAPDB with the other protocol's server db, and back.
    const other = dbOf("server", protocol === 2 ? 3 : 2);
    assert.equal(await r.swapdb(db, other), true);
    assert.equal(await r.dbsize(), 0);
    assert.equal(await r.swapdb(db, other), true);
    assert.equal(await r.dbsize(), 2);

    assert.equal(await r.save(), true);
    const saved = await r.lastsave();
    assert.ok(saved instanceof Date);
    assert.ok(Math.abs(saved.getTime() - Date.now()) < 10_000);
    assert.equal(await r.bgsave(), true);
    await waitForBackgroundJobs(r);
    assert.equal(await r.bgrewriteaof(), true);
    await waitForBackgroundJobs(r);

    assert.deepEqual(await r.role(), ["master", (await r.role())[1], []]);
    assert.equal(typeof (await r.role())[1], "number");
    assert.equal(await r.wait(0, 10), 0);

    const count = await r.commandCount();
    assert.ok(count > 150);
    const zrange = await r.commandList({ pattern: "zrange*" });
    assert.ok(zrange.includes("zrangebyscore") && zrange.every((n) => n.startsWith("zrange")));
    assert.ok((await r.commandList({ category: "hash" })).includes("hset"));
    assert.ok((await r.commandList()).length >= count);

    assert.equal(await r.flushdb({ asynchronous: true }), true);
    assert.equal(await r.dbsize(), 0);
    await r.set("a", "1");
    assert.equal(await r.flushall(), true);
    assert.equal(await r.dbsize(), 0);
  });

  test(`${R}: generic commands`, async () => {
    await using r = await fresh("generic", protocol);
    await r.mset({ a: "1", b: "2" });
    assert.equal(await r.delete("a", "b", "c"), 2);
    await r.set("a", "1");
    assert.equal(await r.del("a"), 1);
    await r.mset({ a: "1", b: "2" });
    assert.equal(await r.exists("a", "a", "x"), 2);

    assert.equal(await r.expire("a", 100), true);
    const ttl = await r.ttl("a");
    assert.ok(ttl > 95 && ttl <= 100, `ttl ${ttl}`);
    assert.equal(await r.expire("a", 200, { nx: true }), false);
    assert.equal(await r.expire("a", 50, { gt: true }), false);
    assert.equal(await r.expire("a", 50, { lt: true }), true);
    assert.ok((await r.ttl("a")) <= 50);
    assert.equal(await r.expire("b", 50, { xx: true }), false, "b has no expiry");
    assert.equal(await r.expire("missing", 10), false);

    const at = new Date(Date.now() + 60_000);
    assert.equal(await r.expireat("a", at), true);
    const expiretime = await r.expiretime("a");
    assert.ok(Math.abs(expiretime - at.getTime() / 1000) <= 1, `expiretime ${expiretime}`);
    assert.ok(Math.abs((await r.pexpiretime("a")) - at.getTime()) <= 1000);
    assert.equal(await r.expiretime("b"), -1);
    assert.equal(await r.expiretime("missing"), -2);
    assert.equal(await r.pexpire("a", 5000), true);
    const pttl = await r.pttl("a");
    assert.ok(pttl > 4000 && pttl <= 5000, `pttl ${pttl}`);
    assert.equal(await r.pexpireat("a", Date.now() + 10_000), true);
    assert.ok((await r.pttl("a")) > 5000);
    assert.equal(await r.persist("a"), true);
    assert.equal(await r.persist("a"), false);
    assert.equal(await r.ttl("a"), -1);
    assert.equal(await r.ttl("missing"), -2);
    assert.equal(await r.pttl("missing"), -2);

    assert.deepEqual(sorted(await r.keys()), ["a", "b"]);
    assert.deepEqual(await r.keys("a*"), ["a"]);
    assert.ok(["a", "b"].includes((await r.randomkey())!));
    assert.equal(await r.rename("a", "c"), true);
    await assert.rejects(r.rename("missing", "d"), ResponseError);
    assert.equal(await r.renamenx("c", "b"), false);
    assert.equal(await r.renamenx("c", "a"), true);

    await r.rpush("l", "x");
    await r.hset("h", "f", "v");
    await r.sadd("s", "m");
    await r.zadd("z", { m: 1 });
    assert.deepEqual(
      await Promise.all(["a", "l", "h", "s", "z", "missing"].map((k) => r.type(k))),
      ["string", "list", "hash", "set", "zset", "none"],
    );
    assert.equal(await r.touch("a", "l", "missing"), 2);
    assert.equal(await r.unlink("l", "h", "s", "missing"), 3);

    assert.equal(await r.copy("a", "a2"), true);
    assert.equal(await r.copy("a", "a2"), false);
    await r.set("a", "new");
    assert.equal(await r.copy("a", "a2", { replace: true }), true);
    assert.equal(await r.get("a2"), "new");
    const elsewhere = dbOf("connection", protocol);
    assert.equal(await r.copy("a", "copied", { destinationDb: elsewhere, replace: true }), true);
    await using o = await client("connection", protocol);
    assert.equal(await o.getdel("copied"), "new");

    const payload = await r.dump("z");
    assert.ok(payload instanceof Uint8Array, "DUMP is bytes even when decoding responses");
    assert.equal(await r.dump("missing"), null);
    assert.equal(await r.restore("z2", 0, payload!), true);
    await assert.rejects(r.restore("z2", 0, payload!), ResponseError, "BUSYKEY without replace");
    assert.equal(await r.restore("z2", 10_000, payload!, { replace: true, idletime: 100 }), true);
    // OBJECT IDLETIME does not touch the key; read it before anything else does.
    assert.ok((await r.objectIdletime("z2"))! >= 100);
    assert.deepEqual(await r.zrange("z2", 0, -1, { withscores: true }), [["m", 1]]);
    assert.ok((await r.pttl("z2")) > 0);
    assert.equal(await r.restore("z3", Date.now() + 60_000, payload!, { absttl: true }), true);
    assert.ok((await r.ttl("z3")) > 50);

    assert.equal(await r.move("a2", elsewhere), true);
    assert.equal(await r.move("a2", elsewhere), false);
    assert.equal(await o.del("a2"), 1);

    await r.set("int", "123");
    await r.set("str", "abc");
    assert.equal(await r.objectEncoding("int"), "int");
    assert.equal(await r.objectEncoding("str"), "embstr");
    assert.equal(await r.objectEncoding("missing"), null);
    assert.equal(typeof (await r.objectRefcount("str")), "number");
    assert.equal(await r.objectRefcount("missing"), null);
    assert.equal(typeof (await r.objectIdletime("str")), "number");
    await assert.rejects(r.objectFreq("str"), ResponseError, "OBJECT FREQ needs an LFU policy");
  });

  test(`${R}: scan and scanIter`, async () => {
    await using r = await fresh("generic", protocol);
    const names = Array.from({ length: 40 }, (_, i) => `scan:${i}`);
    await r.mset(names.map((k) => [k, "v"] as [string, string]));
    await r.hset("scan:hash", "f", "v");
    await r.set("other", "v");
    const seen = new Set<string>();
    let cursor = "0";
    let calls = 0;
    do {
      const [next, keys] = await r.scan(cursor, { match: "scan:*", count: 7 });
      assert.equal(typeof next, "string");
      keys.forEach((k) => seen.add(k));
      cursor = next;
      calls++;
    } while (cursor !== "0");
    assert.ok(calls > 1);
    assert.deepEqual(sorted([...seen]), sorted([...names, "scan:hash"]));
    const iterated: string[] = [];
    for await (const key of r.scanIter({ match: "scan:*", count: 5 })) iterated.push(key);
    assert.deepEqual(sorted([...new Set(iterated)]), sorted([...names, "scan:hash"]));
    const hashes: string[] = [];
    for await (const key of r.scanIter({ type: "hash" })) hashes.push(key);
    assert.deepEqual(hashes, ["scan:hash"]);
  });

  test(`${R}: string commands`, async () => {
    await using r = await fresh("string", protocol);
    assert.equal(await r.set("k", "v1"), true);
    assert.equal(await r.set("k", "v2", { nx: true }), null);
    assert.equal(await r.set("k", "v2", { xx: true, get: true }), "v1");
    assert.equal(await r.set("missing", "v", { xx: true }), null);
    assert.equal(await r.set("k", "v3", { ex: 100 }), true);
    assert.equal(await r.set("k", "v4", { keepttl: true }), true);
    assert.ok((await r.ttl("k")) > 90);
    assert.equal(await r.set("k", "v5", { exat: new Date(Date.now() + 30_000) }), true);
    assert.ok((await r.ttl("k")) > 25);
    assert.equal(await r.set("k", "v6", { px: 5000 }), true);
    assert.ok((await r.pttl("k")) <= 5000);
    assert.equal(await r.get("k"), "v6");
    assert.equal(await r.get("missing"), null);

    assert.equal(await r.append("s", "Hello"), 5);
    assert.equal(await r.append("s", " World"), 11);
    assert.equal(await r.strlen("s"), 11);
    assert.equal(await r.strlen("missing"), 0);
    assert.equal(await r.getrange("s", 0, 4), "Hello");
    assert.equal(await r.getrange("s", -5, -1), "World");
    assert.equal(await r.substr("s", 6), "World");
    assert.equal(await r.setrange("s", 6, "Redis"), 11);
    assert.equal(await r.get("s"), "Hello Redis");
    assert.equal(await r.setrange("pad", 3, "x"), 4);
    assert.equal(await r.get("pad"), "\0\0\0x");
    assert.equal(await r.getset("s", "new"), "Hello Redis");
    assert.equal(await r.getset("nothing", "x"), null);

    assert.equal(await r.incr("n"), 1);
    assert.equal(await r.incr("n", 10), 11);
    assert.equal(await r.incrby("n", -2), 9);
    assert.equal(await r.decr("n"), 8);
    assert.equal(await r.decr("n", 3), 5);
    assert.equal(await r.decrby("n"), 4);
    assert.equal(await r.incrbyfloat("f", 10.5), 10.5);
    assert.equal(await r.incrbyfloat("f", -0.25), 10.25);
    assert.equal(await r.incrbyfloat("f"), 11.25);
    await assert.rejects(r.incr("s"), ResponseError);

    await r.set("g", "v");
    assert.equal(await r.getex("g", { ex: 60 }), "v");
    assert.ok((await r.ttl("g")) > 55);
    assert.equal(await r.getex("g", { persist: true }), "v");
    assert.equal(await r.ttl("g"), -1);
    assert.equal(await r.getex("g", { pxat: new Date(Date.now() + 20_000) }), "v");
    assert.ok((await r.pttl("g")) > 15_000);
    assert.equal(await r.getex("g"), "v");
    assert.equal(await r.getex("missing"), null);
    assert.equal(await r.getdel("g"), "v");
    assert.equal(await r.getdel("g"), null);

    assert.equal(await r.mset({ a: "1", b: 2 }), true);
    assert.equal(await r.mset(new Map([["c", "3"]])), true);
    assert.equal(await r.mset([["d", "4"]]), true);
    assert.deepEqual(await r.mget(["a", "b", "c", "d", "e"]), ["1", "2", "3", "4", null]);
    assert.deepEqual(await r.mget("a", "e"), ["1", null]);
    assert.equal(await r.msetnx({ x: "1", y: "2" }), true);
    assert.equal(await r.msetnx({ y: "3", z: "4" }), false);
    assert.equal(await r.get("z"), null);

    assert.equal(await r.psetex("p", 1500, "v"), true);
    const pttl = await r.pttl("p");
    assert.ok(pttl > 1000 && pttl <= 1500);
    assert.equal(await r.setex("e", 30, "v"), true);
    assert.ok((await r.ttl("e")) > 25);
    assert.equal(await r.setnx("e", "other"), false);
    assert.equal(await r.setnx("fresh", "v"), true);

    await r.mset({ l1: "ohmytext", l2: "mynewtext" });
    assert.equal(await r.lcs("l1", "l2"), "mytext");
    assert.equal(await r.lcs("l1", "l2", { len: true }), 6);
    assert.deepEqual(await r.lcs("l1", "l2", { idx: true }), {
      matches: [[[4, 7], [5, 8]], [[2, 3], [0, 1]]],
      len: 6,
    });
    assert.deepEqual(await r.lcs("l1", "l2", { idx: true, minmatchlen: 4, withmatchlen: true }), {
      matches: [[[4, 7], [5, 8], 4]],
      len: 6,
    });

    await using b = await client("string", protocol, { decodeResponses: false });
    const bytes = new Uint8Array([0xff, 0x00, 0x80]);
    assert.equal(await b.set("bin", bytes), true);
    assert.deepEqual(await b.get("bin"), bytes);
    assert.deepEqual(await b.mget(["bin", "missing"]), [bytes, null]);
    assert.deepEqual(await b.getrange("bin", 1, 1), new Uint8Array([0]));
    assert.equal(await b.incrbyfloat("bf", 1.5), 1.5);
  });

  test(`${R}: hash commands`, async () => {
    await using r = await fresh("hash", protocol);
    assert.equal(await r.hset("h", "a", "1"), 1);
    assert.equal(await r.hset("h", "a", "2"), 0);
    assert.equal(await r.hset("h", { b: 2, c: "3" }), 2);
    assert.equal(await r.hset("h", { mapping: { d: "4" }, items: ["e", 5] }), 2);
    assert.equal(await r.hset("h", "f", 6, { mapping: new Map([["g", "7"]]), items: ["a", "1"] }), 2);
    assert.equal(await r.hset("h", undefined, undefined, { mapping: [["__proto__", "p"]] }), 1);
    const all = await r.hgetall("h");
    assert.deepEqual(
      { ...all },
      Object.fromEntries([
        ["a", "1"],
        ["b", "2"],
        ["c", "3"],
        ["d", "4"],
        ["e", "5"],
        ["f", "6"],
        ["g", "7"],
        ["__proto__", "p"],
      ]),
    );
    assert.equal(Object.getPrototypeOf(all), Object.prototype);
    assert.equal(Object.hasOwn(all, "__proto__"), true);
    assert.deepEqual(await r.hgetall("missing"), {});
    assert.equal(await r.hget("h", "a"), "1");
    assert.equal(await r.hget("h", "zz"), null);
    assert.equal(await r.hexists("h", "a"), true);
    assert.equal(await r.hexists("h", "zz"), false);
    assert.equal(await r.hlen("h"), 8);
    assert.deepEqual(sorted(await r.hkeys("h")), sorted(Object.keys(all)));
    assert.deepEqual(sorted(await r.hvals("h")), sorted(Object.values(all)));
    assert.deepEqual(await r.hmget("h", ["a", "b", "zz"]), ["1", "2", null]);
    assert.deepEqual(await r.hmget("h", "c", "d"), ["3", "4"]);
    assert.equal(await r.hdel("h", "__proto__", "g", "zz"), 2);
    assert.equal(await r.hincrby("h", "a"), 2);
    assert.equal(await r.hincrby("h", "a", -5), -3);
    assert.equal(await r.hincrbyfloat("h", "x", 2.5), 2.5);
    assert.equal(await r.hincrbyfloat("h", "x"), 3.5);
    assert.equal(await r.hsetnx("h", "a", "no"), false);
    assert.equal(await r.hsetnx("h", "new", "yes"), true);
    assert.equal(await r.hstrlen("h", "new"), 3);
    assert.equal(await r.hstrlen("h", "zz"), 0);

    await r.hset("small", { a: "1", b: "2" });
    assert.ok(["a", "b"].includes((await r.hrandfield("small"))!));
    assert.equal(await r.hrandfield("missing"), null);
    assert.deepEqual(sorted(await r.hrandfield("small", 5)), ["a", "b"]);
    assert.equal((await r.hrandfield("small", -5)).length, 5);
    assert.deepEqual(sorted(await r.hrandfield("small", 2, true)), [["a", "1"], ["b", "2"]]);
    assert.deepEqual(await r.hrandfield("small", -1, true).then((p) => ["a", "b"].includes(p[0][0])), true);
    assert.deepEqual(await r.hrandfield("missing", 2, true), []);

    const fields = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f${i}`, `v${i}`]));
    await r.hset("big", fields);
    const [cursor, page] = await r.hscan("big", 0, { count: 10 });
    assert.equal(typeof cursor, "string");
    assert.ok(Object.keys(page).length > 0);
    const scanned: Record<string, string> = {};
    for await (const [f, v] of r.hscanIter("big", { match: "f1*", count: 20 })) scanned[f] = v;
    assert.deepEqual(scanned, Object.fromEntries(Object.entries(fields).filter(([f]) => f.startsWith("f1"))));
    assert.deepEqual(await r.hscan("small"), ["0", { a: "1", b: "2" }]);

    await using b = await client("hash", protocol, { decodeResponses: false });
    await b.hset("bin", "f", new Uint8Array([0xff]));
    const bin = await b.hgetall("bin");
    assert.deepEqual(Object.keys(bin), ["f"]);
    assert.deepEqual(bin.f, new Uint8Array([0xff]));
    assert.deepEqual(await b.hkeys("bin"), [enc("f")]);
  });

  test(`${R}: list commands`, async () => {
    await using r = await fresh("list", protocol);
    assert.equal(await r.rpush("l", "a", "b", "c"), 3);
    assert.equal(await r.lpush("l", "z", "y"), 5);
    assert.deepEqual(await r.lrange("l", 0, -1), ["y", "z", "a", "b", "c"]);
    assert.equal(await r.lpushx("missing", "x"), 0);
    assert.equal(await r.rpushx("missing", "x"), 0);
    assert.equal(await r.rpushx("l", "d"), 6);
    assert.equal(await r.llen("l"), 6);
    assert.equal(await r.llen("missing"), 0);
    assert.equal(await r.lindex("l", 0), "y");
    assert.equal(await r.lindex("l", -1), "d");
    assert.equal(await r.lindex("l", 100), null);
    assert.equal(await r.linsert("l", "BEFORE", "a", "ins"), 7);
    assert.equal(await r.linsert("l", "AFTER", "nope", "x"), -1);
    assert.equal(await r.linsert("missing", "AFTER", "a", "x"), 0);
    assert.equal(await r.lset("l", 0, "Y"), true);
    await assert.rejects(r.lset("l", 100, "x"), ResponseError);
    assert.equal(await r.lpop("l"), "Y");
    assert.equal(await r.rpop("l"), "d");
    assert.deepEqual(await r.lpop("l", 2), ["z", "ins"]);
    assert.deepEqual(await r.rpop("l", 1), ["c"]);
    assert.equal(await r.lpop("missing"), null);
    assert.equal(await r.lpop("missing", 2), null);
    assert.deepEqual(await r.lrange("l", 0, -1), ["a", "b"]);

    await r.rpush("p", "a", "b", "a", "c", "a");
    assert.equal(await r.lpos("p", "a"), 0);
    assert.equal(await r.lpos("p", "a", { rank: 2 }), 2);
    assert.equal(await r.lpos("p", "a", { rank: -1 }), 4);
    assert.equal(await r.lpos("p", "x"), null);
    assert.deepEqual(await r.lpos("p", "a", { count: 0 }), [0, 2, 4]);
    assert.deepEqual(await r.lpos("p", "a", { count: 2, rank: -1 }), [4, 2]);
    assert.deepEqual(await r.lpos("p", "a", { count: 0, maxlen: 3 }), [0, 2]);
    assert.deepEqual(await r.lpos("p", "x", { count: 0 }), []);
    assert.equal(await r.lrem("p", 2, "a"), 2);
    assert.deepEqual(await r.lrange("p", 0, -1), ["b", "c", "a"]);
    assert.equal(await r.lrem("p", 0, "zz"), 0);
    assert.equal(await r.ltrim("p", 0, 1), true);
    assert.deepEqual(await r.lrange("p", 0, -1), ["b", "c"]);

    assert.equal(await r.rpoplpush("p", "q"), "c");
    assert.equal(await r.lmove("p", "q"), "b");
    assert.deepEqual(await r.lrange("q", 0, -1), ["c", "b"]);
    assert.equal(await r.lmove("q", "q", "RIGHT", "LEFT"), "b");
    assert.deepEqual(await r.lrange("q", 0, -1), ["b", "c"]);
    assert.equal(await r.lmove("missing", "q"), null);
    assert.equal(await r.rpoplpush("missing", "q"), null);

    await r.rpush("m2", "1", "2", "3");
    assert.deepEqual(await r.lmpop(["m1", "m2"], "LEFT"), ["m2", ["1"]]);
    assert.deepEqual(await r.lmpop(["m1", "m2"], "RIGHT", 5), ["m2", ["3", "2"]]);
    assert.equal(await r.lmpop(["m1", "m2"], "LEFT"), null);
  });

  test(`${R}: blocking list commands`, async () => {
    await using r = await fresh("list", protocol);
    await using pusher = await client("list", protocol);
    await r.rpush("b1", "x");
    assert.deepEqual(await r.blpop(["b0", "b1"], 1), ["b1", "x"]);
    await r.rpush("b1", "x", "y");
    assert.deepEqual(await r.brpop("b1", 1), ["b1", "y"]);
    const started = Date.now();
    assert.equal(await r.blpop(["b0"], 0.1), null);
    assert.ok(Date.now() - started >= 90);
    assert.equal(await r.brpop(["b0"], 0.1), null);

    const waiting = r.blpop(["wake"], 5);
    await sleep(50);
    await pusher.rpush("wake", "hello");
    assert.deepEqual(await waiting, ["wake", "hello"]);

    assert.equal(await r.brpoplpush("b1", "b2", 1), "x");
    assert.equal(await r.brpoplpush("b1", "b2", 0.1), null);
    assert.equal(await r.blmove("b2", "b3", 1, "LEFT", "RIGHT"), "x");
    assert.equal(await r.blmove("b2", "b3", 0.1), null);
    await r.rpush("b4", "1", "2");
    assert.deepEqual(await r.blmpop(1, ["b0", "b4"], "RIGHT", 5), ["b4", ["2", "1"]]);
    assert.equal(await r.blmpop(0.1, ["b0"], "LEFT"), null);
  });

  test(`${R}: set commands`, async () => {
    await using r = await fresh("set", protocol);
    assert.equal(await r.sadd("a", "1", "2", "3"), 3);
    assert.equal(await r.sadd("a", "3", "4"), 1);
    assert.equal(await r.sadd("b", "3", "4", "5"), 3);
    assert.equal(await r.scard("a"), 4);
    assert.equal(await r.scard("missing"), 0);
    assert.deepEqual(sorted(await r.smembers("a")), ["1", "2", "3", "4"]);
    assert.deepEqual(await r.smembers("missing"), []);
    assert.equal(await r.sismember("a", "1"), true);
    assert.equal(await r.sismember("a", "9"), false);
    assert.deepEqual(await r.smismember("a", ["1", "9"]), [true, false]);
    assert.deepEqual(await r.smismember("a", "2", "3"), [true, true]);
    assert.deepEqual(sorted(await r.sdiff(["a", "b"])), ["1", "2"]);
    assert.deepEqual(sorted(await r.sdiff("b", "a")), ["5"]);
    assert.deepEqual(sorted(await r.sinter(["a", "b"])), ["3", "4"]);
    assert.deepEqual(sorted(await r.sunion("a", "b")), ["1", "2", "3", "4", "5"]);
    assert.equal(await r.sdiffstore("d", ["a", "b"]), 2);
    assert.equal(await r.sinterstore("i", "a", "b"), 2);
    assert.equal(await r.sunionstore("u", ["a", "b"]), 5);
    assert.deepEqual(sorted(await r.smembers("u")), ["1", "2", "3", "4", "5"]);
    assert.equal(await r.sintercard(["a", "b"]), 2);
    assert.equal(await r.sintercard(["a", "b"], 1), 1);
    assert.equal(await r.smove("a", "b", "1"), true);
    assert.equal(await r.smove("a", "b", "1"), false);
    assert.equal(await r.sismember("b", "1"), true);
    assert.equal(await r.srem("b", "1", "9"), 1);

    const member = await r.srandmember("a");
    assert.ok(["2", "3", "4"].includes(member!));
    assert.equal(await r.srandmember("missing"), null);
    assert.deepEqual(sorted(await r.srandmember("a", 10)), ["2", "3", "4"]);
    assert.equal((await r.srandmember("a", -10)).length, 10);
    assert.deepEqual(await r.srandmember("missing", 3), []);
    const popped = await r.spop("a");
    assert.ok(["2", "3", "4"].includes(popped!));
    assert.equal((await r.spop("a", 5)).length, 2);
    assert.equal(await r.spop("a"), null);
    assert.deepEqual(await r.spop("a", 2), []);

    const members = Array.from({ length: 200 }, (_, i) => `m${i}`);
    await r.sadd("big", ...members);
    const [cursor, page] = await r.sscan("big", 0, { count: 10 });
    assert.equal(typeof cursor, "string");
    assert.ok(page.length > 0);
    const seen = new Set<string>();
    for await (const m of r.sscanIter("big", { match: "m1*" })) seen.add(m);
    assert.deepEqual(sorted([...seen]), sorted(members.filter((m) => m.startsWith("m1"))));
  });

  test(`${R}: sorted set writes, pops and combinations`, async () => {
    await using r = await fresh("zset", protocol);
    assert.equal(await r.zadd("z", { a: 1, b: 2, c: 3 }), 3);
    assert.equal(await r.zadd("z", [["a", 10], ["d", 4]], { ch: true }), 2);
    assert.equal(await r.zadd("z", { a: 1 }, { xx: true, gt: true, ch: true }), 0);
    assert.equal(await r.zadd("z", { a: 1 }, { lt: true, ch: true }), 1);
    assert.equal(await r.zadd("z", { e: 5 }, { xx: true }), 0);
    assert.equal(await r.zadd("z", { b: 20 }, { nx: true }), 0);
    assert.equal(await r.zadd("z", { a: 2 }, { incr: true }), 3);
    assert.equal(await r.zadd("z", { e: 1 }, { incr: true, xx: true }), null);
    assert.equal(await r.zadd("inf", new Map([["lo", -Infinity], ["hi", Infinity], ["mid", 0.5]])), 3);
    assert.equal(await r.zscore("inf", "hi"), Infinity);
    assert.equal(await r.zscore("inf", "lo"), -Infinity);
    assert.equal(await r.zscore("inf", "mid"), 0.5);
    assert.equal(await r.zscore("inf", "none"), null);
    assert.deepEqual(await r.zrange("inf", 0, -1, { withscores: true }), [["lo", -Infinity], ["mid", 0.5], [
      "hi",
      Infinity,
    ]]);
    assert.equal(await r.zcard("z"), 4);
    assert.equal(await r.zcard("missing"), 0);
    // z is now { b: 2, a: 3, c: 3, d: 4 }
    assert.equal(await r.zcount("z", 2, 3), 3);
    assert.equal(await r.zcount("z", "(2", "+inf"), 3);
    assert.equal(await r.zcount("z", "-inf", "(3"), 1);
    assert.equal(await r.zincrby("z", 0.5, "d"), 4.5);
    assert.deepEqual(await r.zmscore("z", ["a", "none", "d"]), [3, null, 4.5]);
    assert.equal(await r.zrem("z", "d", "none"), 1);

    await r.zadd("lex", { a: 0, b: 0, c: 0, d: 0 });
    assert.equal(await r.zlexcount("lex", "[b", "+"), 3);
    assert.equal(await r.zlexcount("lex", "-", "(b"), 1);

    await r.zadd("p", { a: 1, b: 2, c: 3, d: 4 });
    assert.deepEqual(await r.zpopmin("p"), [["a", 1]]);
    assert.deepEqual(await r.zpopmax("p", 2), [["d", 4], ["c", 3]]);
    assert.deepEqual(await r.zpopmax("missing"), []);
    assert.deepEqual(await r.zpopmin("missing", 2), []);
    assert.deepEqual(await r.bzpopmin(["missing", "p"], 1), ["p", "b", 2]);
    assert.equal(await r.bzpopmax("p", 0.1), null);
    await r.zadd("p", { x: 7, y: 8, w: 6 });
    assert.deepEqual(await r.bzpopmax(["p"], 1), ["p", "y", 8]);
    assert.deepEqual(await r.zmpop(["missing", "p"], { min: true }), ["p", [["w", 6]]]);
    assert.deepEqual(await r.zmpop(["p"], { max: true, count: 5 }), ["p", [["x", 7]]]);
    assert.equal(await r.zmpop(["p"], { min: true }), null);
    await r.zadd("p", { q: 1.25 });
    assert.deepEqual(await r.bzmpop(1, ["p"], { max: true, count: 2 }), ["p", [["q", 1.25]]]);
    assert.equal(await r.bzmpop(0.1, ["p"], { min: true }), null);

    await r.zadd("small", { a: 1, b: 2 });
    assert.ok(["a", "b"].includes((await r.zrandmember("small"))!));
    assert.equal(await r.zrandmember("missing"), null);
    assert.deepEqual(sorted(await r.zrandmember("small", 5)), ["a", "b"]);
    assert.equal((await r.zrandmember("small", -4)).length, 4);
    assert.deepEqual(sorted(await r.zrandmember("small", 2, true)), [["a", 1], ["b", 2]]);

    await r.zadd("s1", { a: 1, b: 2, c: 3 });
    await r.zadd("s2", { b: 10, c: 20, d: 30 });
    assert.deepEqual(await r.zinter(["s1", "s2"]), ["b", "c"]);
    assert.deepEqual(await r.zinter(["s1", "s2"], { withscores: true }), [["b", 12], ["c", 23]]);
    assert.deepEqual(await r.zinter({ s1: 2, s2: 1 }, { aggregate: "MIN", withscores: true }), [
      ["b", 4],
      ["c", 6],
    ]);
    assert.deepEqual(await r.zunion(["s1", "s2"], { aggregate: "MAX", withscores: true }), [
      ["a", 1],
      ["b", 10],
      ["c", 20],
      ["d", 30],
    ]);
    assert.deepEqual(await r.zunion([["s1", 1], ["s2", 0]]), ["d", "a", "b", "c"]);
    assert.deepEqual(await r.zdiff(["s1", "s2"]), ["a"]);
    assert.deepEqual(await r.zdiff(["s2", "s1"], { withscores: true }), [["d", 30]]);
    assert.equal(await r.zinterstore("i", ["s1", "s2"], "MAX"), 2);
    assert.deepEqual(await r.zrange("i", 0, -1, { withscores: true }), [["b", 10], ["c", 20]]);
    assert.equal(await r.zunionstore("u", { s1: 10, s2: 1 }), 4);
    assert.deepEqual(await r.zrange("u", 0, -1, { withscores: true }), [
      ["a", 10],
      ["b", 30],
      ["d", 30],
      ["c", 50],
    ]);
    assert.equal(await r.zdiffstore("d", ["s1", "s2"]), 1);
    assert.deepEqual(await r.zrange("d", 0, -1), ["a"]);

    const big = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`m${i}`, i]));
    await r.zadd("big", big);
    const [cursor, page] = await r.zscan("big", 0, { count: 10 });
    assert.equal(typeof cursor, "string");
    assert.ok(page.every(([m, s]) => typeof m === "string" && typeof s === "number"));
    const scanned: Record<string, number> = {};
    for await (const [m, s] of r.zscanIter("big", { match: "m1*" })) scanned[m] = s;
    assert.deepEqual(scanned, Object.fromEntries(Object.entries(big).filter(([m]) => m.startsWith("m1"))));
    assert.deepEqual(await r.zscan("small"), ["0", [["a", 1], ["b", 2]]]);
  });

  test(`${R}: sorted set ranges and ranks`, async () => {
    await using r = await fresh("zset", protocol);
    await r.zadd("z", { a: 1, b: 2, c: 3, d: 4, e: 5 });
    assert.deepEqual(await r.zrange("z", 0, -1), ["a", "b", "c", "d", "e"]);
    assert.deepEqual(await r.zrange("z", 0, 1, { desc: true, withscores: true }), [["e", 5], ["d", 4]]);
    assert.deepEqual(await r.zrange("z", "(1", 3, { byscore: true }), ["b", "c"]);
    assert.deepEqual(await r.zrange("z", "+inf", "-inf", { byscore: true, desc: true, offset: 1, num: 2 }), [
      "d",
      "c",
    ]);
    assert.deepEqual(await r.zrange("z", 2, 4, { byscore: true, withscores: true }), [["b", 2], ["c", 3], [
      "d",
      4,
    ]]);
    assert.deepEqual(await r.zrange("missing", 0, -1), []);
    assert.equal(await r.zrangestore("dst", "z", 0, 1), 2);
    assert.deepEqual(await r.zrange("dst", 0, -1, { withscores: true }), [["a", 1], ["b", 2]]);
    assert.equal(await r.zrangestore("dst", "z", 4, "+inf", { byscore: true }), 2);
    assert.deepEqual(await r.zrange("dst", 0, -1), ["d", "e"]);
    assert.deepEqual(await r.zrangebyscore("z", 2, 4), ["b", "c", "d"]);
    assert.deepEqual(await r.zrangebyscore("z", "-inf", "+inf", { start: 1, num: 2, withscores: true }), [
      ["b", 2],
      ["c", 3],
    ]);
    assert.deepEqual(await r.zrevrangebyscore("z", 4, "(2"), ["d", "c"]);
    assert.deepEqual(await r.zrevrangebyscore("z", "+inf", "-inf", { start: 0, num: 1, withscores: true }), [
      ["e", 5],
    ]);
    assert.deepEqual(await r.zrevrange("z", 0, 1), ["e", "d"]);
    assert.deepEqual(await r.zrevrange("z", -1, -1, { withscores: true }), [["a", 1]]);

    await r.zadd("lex", { a: 0, b: 0, c: 0, d: 0 });
    assert.deepEqual(await r.zrange("lex", "[b", "(d", { bylex: true }), ["b", "c"]);
    assert.deepEqual(await r.zrange("lex", "+", "-", { bylex: true, desc: true, offset: 0, num: 2 }), [
      "d",
      "c",
    ]);
    assert.deepEqual(await r.zrangebylex("lex", "-", "+", { start: 1, num: 2 }), ["b", "c"]);
    assert.deepEqual(await r.zrevrangebylex("lex", "[c", "-"), ["c", "b", "a"]);

    assert.equal(await r.zrank("z", "c"), 2);
    assert.equal(await r.zrevrank("z", "c"), 2);
    assert.equal(await r.zrank("z", "zz"), null);
    assert.equal(await r.zrevrank("z", "a"), 4);
    if (await atLeast(7, 2)) {
      assert.deepEqual(await r.zrank("z", "c", { withscore: true }), [2, 3]);
      assert.deepEqual(await r.zrevrank("z", "a", { withscore: true }), [4, 1]);
      assert.equal(await r.zrank("z", "zz", { withscore: true }), null);
    } else {
      await assert.rejects(r.zrank("z", "c", { withscore: true }), ResponseError);
    }

    assert.equal(await r.zremrangebyrank("z", 0, 0), 1);
    assert.equal(await r.zremrangebyscore("z", "(4", "+inf"), 1);
    assert.deepEqual(await r.zrange("z", 0, -1), ["b", "c", "d"]);
    assert.equal(await r.zremrangebylex("lex", "[a", "[b"), 2);
    assert.deepEqual(await r.zrange("lex", 0, -1), ["c", "d"]);

    await assert.rejects(r.zrange("z", 0, 1, { byscore: true, bylex: true }), DataError);
  });
}

test("RESP2 and RESP3 clients read identical JS values", async () => {
  await using seed = await fresh("hash", 2);
  await seed.mset({ s: "text", n: "42" });
  await seed.hset("h", { a: "1", b: "2", "ü": "✓" });
  await seed.rpush("l", "x", "y", "x");
  await seed.sadd("set", "m1");
  await seed.zadd("z", { a: 1.5, b: -2, c: Infinity });
  await seed.mset({ l1: "ohmytext", l2: "mynewtext" });
  for (const k of ["pop1", "pop2"]) await seed.zadd(k, { a: 1, b: 2, c: 3 });
  for (const k of ["lpop1", "lpop2"]) await seed.rpush(k, "1", "2", "3");

  const s = await privateServer();
  const db = dbOf("hash", 2);
  await using r2 = new Redis({ host: s.host, port: s.port, protocol: 2, db });
  await using r3 = new Redis({ host: s.host, port: s.port, protocol: 3, db });
  const reads: [string, (r: Redis) => Promise<unknown>][] = [
    ["get", (r) => r.get("s")],
    ["mget", (r) => r.mget(["s", "n", "none"])],
    ["incrbyfloat", (r) => r.incrbyfloat("n", 0)],
    ["hgetall", (r) => r.hgetall("h")],
    ["hscan", (r) => r.hscan("h")],
    ["hrandfield", (r) => r.hrandfield("h", 3, true).then(sorted)],
    ["lrange", (r) => r.lrange("l", 0, -1)],
    ["lpos", (r) => r.lpos("l", "x", { count: 0 })],
    ["smembers", (r) => r.smembers("set")],
    ["sscan", (r) => r.sscan("set")],
    ["smismember", (r) => r.smismember("set", ["m1", "m2"])],
    ["zrange", (r) => r.zrange("z", 0, -1, { withscores: true })],
    ["zrangebyscore", (r) => r.zrangebyscore("z", "-inf", "+inf", { withscores: true })],
    ["zrevrange", (r) => r.zrevrange("z", 0, -1, { withscores: true })],
    ["zunion", (r) => r.zunion(["z", "pop1"], { withscores: true })],
    ["zrandmember", (r) => r.zrandmember("z", 3, true).then(sorted)],
    ["zscore", (r) => r.zscore("z", "c")],
    ["zmscore", (r) => r.zmscore("z", ["a", "b", "none"])],
    ["zincrby", (r) => r.zincrby("z", 0, "a")],
    ["zscan", (r) => r.zscan("z")],
    ["zrank", (r) => r.zrank("z", "a")],
    ["lcs", (r) => r.lcs("l1", "l2", { idx: true, withmatchlen: true })],
    ["configGet", (r) => r.configGet("maxmemory*")],
    ["type", (r) => r.type("z")],
    ["objectEncoding", (r) => r.objectEncoding("h")],
    ["memoryUsage", (r) => r.memoryUsage("s")],
    ["exists", (r) => r.exists("s", "h", "none")],
    ["info keyspace", (r) => r.info("keyspace")],
    ["clientInfo keys", (r) => r.clientInfo().then((c) => Object.keys(c).sort())],
    ["role", (r) => r.role()],
    ["dump", (r) => r.dump("s")],
  ];
  for (const [name, read] of reads) {
    assert.deepEqual(await read(r2), await read(r3), name);
  }
  assert.deepEqual(await r2.zpopmin("pop1", 2), await r3.zpopmin("pop2", 2));
  assert.deepEqual(await r2.zpopmax("pop1"), await r3.zpopmax("pop2"));
  assert.deepEqual(await r2.lpop("lpop1", 2), await r3.lpop("lpop2", 2));
  await seed.zadd("pop1", { d: 4 });
  await seed.zadd("pop2", { d: 4 });
  const [k2, p2] = (await r2.zmpop(["pop1"], { max: true, count: 2 }))!;
  const [k3, p3] = (await r3.zmpop(["pop2"], { max: true, count: 2 }))!;
  assert.deepEqual([k2.replace("1", "*"), p2], [k3.replace("2", "*"), p3]);
});
