// Client-side caching against a real server: reads served without a round
// trip (proved by the server's command statistics), invalidation by writes
// of other clients, flushes on reconnect and on FLUSHALL, LRU and ttl limits,
// a user cache, and the errors for RESP2.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CacheConfig,
  type CacheEntry,
  type CacheInterface,
  type CacheStats,
  Command,
  DataError,
  DefaultCache,
  isCacheable,
  Redis,
  type RespValue,
  TrackingCache,
} from "../mod.ts";
import { sharedRedis, startRedis } from "./harness/mod.ts";
import { commandCalls, sleep } from "./support/async.ts";

async function clients(cache: CacheConfig | CacheInterface = new CacheConfig()) {
  const server = await sharedRedis("plain");
  const pushes: RespValue[][] = [];
  const cached = new Redis({ port: server.port, cache, pushHandler: (p) => pushes.push(p) });
  const writer = new Redis({ port: server.port });
  return { server, cached, writer, pushes };
}

/** Waits until `check()` holds (invalidations arrive asynchronously), up to 2 s. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await sleep(10);
  assert.ok(check(), what);
}

test("cache: a second GET is served without a round trip; a write elsewhere invalidates it before the next read", async () => {
  const { cached, writer, pushes } = await clients();
  try {
    await writer.set("cache:k", "v1");
    assert.equal(await cached.get("cache:k"), "v1");
    const before = await commandCalls(writer, "get");
    for (let i = 0; i < 10; i++) assert.equal(await cached.get("cache:k"), "v1");
    assert.equal(await commandCalls(writer, "get"), before, "no GET reached the server");
    assert.equal(cached.cache!.stats.hits, 10);

    await writer.set("cache:k", "v2");
    await until(() => cached.cache!.stats.invalidations >= 1, "the invalidation arrived");
    assert.ok(pushes.some((p) => p[0] === "invalidate"), "the push handler saw the invalidation frame");
    assert.equal(await cached.get("cache:k"), "v2", "no stale read after the invalidation");
    assert.equal(await commandCalls(writer, "get"), before + 1, "that read went to the server");
  } finally {
    await cached.close();
    await writer.close();
  }
});

test("cache: a loop of hits that never yields still sees an invalidation the server sent meanwhile", async () => {
  const { cached, writer } = await clients();
  try {
    // The server itself changes the key (it expires) while the loop runs: no client of this process has to
    // be scheduled for the invalidation to be sent, only read.
    await writer.set("cache:expiring", "v1", { px: 100 });
    assert.equal(await cached.get("cache:expiring"), "v1");
    const deadline = Date.now() + 3_000;
    let seen: string | null = "v1";
    while (seen !== null && Date.now() < deadline) seen = await cached.get("cache:expiring");
    assert.equal(seen, null, "the loop kept serving the expired key from the cache");
    assert.ok(cached.cache!.stats.hits > 0, "the loop was served from the cache before the expiry");
    assert.ok(cached.cache!.stats.invalidations >= 1);
  } finally {
    await cached.close();
    await writer.close();
  }
});

test("cache: hashes, sets, lists and sorted sets; each reply keeps its transform and is a fresh copy", async () => {
  const { cached, writer } = await clients();
  try {
    await writer.del("cache:h", "cache:s", "cache:l", "cache:z");
    await writer.hset("cache:h", { a: "1", b: "2" });
    await writer.sadd("cache:s", "x", "y");
    await writer.rpush("cache:l", "1", "2", "3");
    await writer.zadd("cache:z", { m: 1.5 });
    for (let round = 0; round < 2; round++) {
      const h = await cached.hgetall("cache:h");
      assert.deepEqual(h, { a: "1", b: "2" });
      h.a = "changed by the caller";
      assert.deepEqual((await cached.smembers("cache:s")).sort(), ["x", "y"]);
      const l = await cached.lrange("cache:l", 0, -1);
      assert.deepEqual(l, ["1", "2", "3"]);
      l.push("also changed");
      assert.equal(await cached.zscore("cache:z", "m"), 1.5);
      assert.equal(await cached.hget("cache:h", "b"), "2");
    }
    assert.equal(cached.cache!.stats.hits, 5, "the second round came from the cache");
    assert.equal(cached.cache!.stats.misses, 5);
    await writer.hset("cache:h", { a: "9" });
    await until(
      () => cached.cache!.stats.invalidations >= 2,
      "both HGETALL and HGET entries were invalidated",
    );
    assert.deepEqual(await cached.hgetall("cache:h"), { a: "9", b: "2" });
    assert.equal(await cached.hget("cache:h", "b"), "2");
  } finally {
    await cached.close();
    await writer.close();
  }
});

test("cache: writes, multi-key reads and commands outside the allow list are never cached", async () => {
  const { cached, writer } = await clients();
  try {
    await writer.mset({ "cache:m1": "a", "cache:m2": "b" });
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(await cached.mget(["cache:m1", "cache:m2"]), ["a", "b"]);
      assert.equal(await cached.incr("cache:n"), i === 0 ? 1 : 2);
      assert.equal(typeof (await cached.ttl("cache:m1")), "number");
    }
    assert.equal(
      cached.cache!.stats.hits + cached.cache!.stats.misses,
      0,
      "none of them consulted the cache",
    );
    assert.equal(isCacheable(new Command("GET").key("k")), true);
    assert.equal(isCacheable(new Command("MGET").key("a").key("b")), false);
    assert.equal(isCacheable(new Command("SET").key("k").arg("v")), false);
    assert.equal(isCacheable(new Command("TTL").key("k")), false);
  } finally {
    await writer.del("cache:n");
    await cached.close();
    await writer.close();
  }
});

test("cache: FLUSHALL (a null invalidation) and a reconnect empty the cache", async () => {
  const server = await startRedis();
  const cached = new Redis({ port: server.port, cache: new CacheConfig() });
  const writer = new Redis({ port: server.port });
  try {
    await writer.set("cache:f", "1");
    await cached.get("cache:f");
    await cached.get("cache:f");
    assert.equal(cached.cache!.size, 1);
    await writer.flushall();
    await until(() => cached.cache!.size === 0, "FLUSHALL emptied the cache");
    assert.equal(await cached.get("cache:f"), null);

    await writer.set("cache:f", "2");
    // The cached null is invalidated by that SET; the PING's reply comes after the invalidation frame.
    await cached.ping();
    assert.equal(await cached.get("cache:f"), "2");
    assert.equal(cached.cache!.size, 1);
    // The connection is killed: invalidations could be missed, so everything goes.
    await writer.clientKillFilter({ type: "normal", skipme: true });
    await until(() => cached.cache!.size === 0, "the lost connection emptied the cache");
    await writer.set("cache:f", "3");
    assert.equal(await cached.get("cache:f"), "3", "read again from the server after reconnecting");
  } finally {
    await cached.close();
    await writer.close();
    await server.stop();
  }
});

test("cache: reads and writes interleaved; after every write the cache agrees with the server", async () => {
  const { cached, writer } = await clients();
  try {
    await writer.set("cache:race", "old");
    assert.equal(await cached.get("cache:race"), "old");
    // Reads and writes interleaved every way: once the writes are done, the cache agrees with the server.
    for (let round = 0; round < 100; round++) {
      await Promise.all([
        cached.get("cache:race"),
        writer.set("cache:race", `v${round}`),
        cached.get("cache:race"),
      ]);
      // A PING on the cached connection is answered after every invalidation queued before it.
      await cached.ping();
      assert.equal(await cached.get("cache:race"), `v${round}`, `round ${round}`);
    }
  } finally {
    await cached.close();
    await writer.close();
  }
});

test("TrackingCache: a reply whose key was invalidated while it was on the way is not stored", async () => {
  const tracking = new TrackingCache(new DefaultCache());
  const get = new Command("GET").key("k");
  let answer!: (v: RespValue) => void;
  const read = tracking.read(get, () => new Promise<RespValue>((resolve) => answer = resolve));
  tracking.invalidate(["k"]);
  answer("maybe stale");
  assert.equal(await read, "maybe stale", "the caller still gets its reply");
  assert.equal(tracking.cache.size, 0, "but it is not cached");
  const fresh = tracking.read(get, () => Promise.resolve("fresh"));
  assert.equal(await fresh, "fresh");
  // A hit may wait for the event loop to turn (see EventLoopTurn), so it is awaited; a send would reject.
  assert.equal(
    await tracking.read(get, () => Promise.reject(new Error("not sent"))),
    "fresh",
    "served from the cache",
  );
  tracking.flush();
  assert.equal(tracking.cache.size, 0);
});

test("TrackingCache: after a run of hits held the loop, a miss is still sent at once and a hit reads invalidations first", async () => {
  const tracking = new TrackingCache(new DefaultCache());
  await tracking.read(new Command("GET").key("a"), () => Promise.resolve("A"));
  assert.equal(
    await tracking.read(new Command("GET").key("a"), () => Promise.reject(new Error("unsent"))),
    "A",
  );
  const heldUntil = Date.now() + 5;
  while (Date.now() < heldUntil) { /* hold the event loop, as a loop of hits does */ }
  let sent = false;
  const miss = tracking.read(new Command("GET").key("b"), () => {
    sent = true;
    return Promise.resolve("B");
  });
  assert.ok(sent, "a miss is sent in call order, never held back");
  const hit = tracking.read(new Command("GET").key("a"), () => Promise.resolve("A2"));
  assert.ok(hit instanceof Promise, "the hit waits for the loop to turn");
  tracking.invalidate(["a"]); // arrives during that turn
  assert.equal(await hit, "A2", "the invalidated entry is not served: the key is read again");
  assert.equal(await miss, "B");
});

test("cache: LRU keeps maxSize entries; ttl bounds how long an entry is served", async () => {
  const lru = new DefaultCache(new CacheConfig({ maxSize: 2 }));
  const entry = (v: string): CacheEntry => ({ value: v, redisKeys: [v] });
  lru.set("a", entry("a"));
  lru.set("b", entry("b"));
  assert.ok(lru.get("a"), "a is now the most recently used");
  lru.set("c", entry("c"));
  assert.equal(lru.size, 2);
  assert.equal(lru.get("b"), undefined, "b was the least recently used");
  assert.ok(lru.get("a") && lru.get("c"));
  assert.equal(lru.stats.evictions, 1);

  const { cached, writer } = await clients(new CacheConfig({ ttl: 100 }));
  try {
    await writer.set("cache:ttl", "1");
    await cached.get("cache:ttl");
    await cached.get("cache:ttl");
    assert.equal(cached.cache!.stats.hits, 1);
    await sleep(150);
    await cached.get("cache:ttl");
    assert.equal(cached.cache!.stats.misses, 2, "past its ttl the entry was read again");
  } finally {
    await cached.close();
    await writer.close();
  }
});

test("cache: a user CacheInterface is used as given", async () => {
  class MapCache implements CacheInterface {
    readonly map = new Map<string, CacheEntry>();
    readonly stats: CacheStats = { hits: 0, misses: 0, evictions: 0, invalidations: 0 };
    get size() {
      return this.map.size;
    }
    get(key: string) {
      const e = this.map.get(key);
      if (e) this.stats.hits++;
      else this.stats.misses++;
      return e;
    }
    set(key: string, e: CacheEntry) {
      this.map.set(key, e);
    }
    deleteByRedisKeys(keys: readonly string[]) {
      for (const [k, e] of this.map) {
        if (e.redisKeys.some((rk) => keys.includes(rk))) {
          this.map.delete(k);
          this.stats.invalidations++;
        }
      }
    }
    flush() {
      this.map.clear();
    }
  }
  const mine = new MapCache();
  const { cached, writer } = await clients(mine);
  try {
    await writer.set("cache:user", "u");
    await cached.get("cache:user");
    await cached.get("cache:user");
    assert.equal(cached.cache, mine);
    assert.equal(mine.stats.hits, 1);
    assert.deepEqual([...mine.map.values()].map((e) => e.redisKeys), [["cache:user"]]);
    await writer.set("cache:user", "changed");
    await until(() => mine.map.size === 0, "invalidated through the user's cache");
  } finally {
    await cached.close();
    await writer.close();
  }
});

test("cache: binary keys and values with decodeResponses: false", async () => {
  const server = await sharedRedis("plain");
  const cached = new Redis({ port: server.port, decodeResponses: false, cache: new CacheConfig() });
  const writer = new Redis({ port: server.port });
  try {
    const key = new Uint8Array([0x63, 0xff, 0x00, 0x80]);
    const value = new Uint8Array(256).map((_, i) => i);
    await writer.set(key, value);
    assert.deepEqual(await cached.get(key), value);
    const again = await cached.get(key);
    assert.deepEqual(again, value);
    assert.equal(cached.cache!.stats.hits, 1);
    again![0] = 42;
    assert.deepEqual(await cached.get(key), value, "a caller's change does not reach the cache");
    await writer.set(key, "new");
    await until(() => cached.cache!.stats.invalidations >= 1, "a binary key was invalidated");
    assert.deepEqual(await cached.get(key), new TextEncoder().encode("new"));
  } finally {
    await cached.close();
    await writer.close();
  }
});

test("cache: refused with protocol 2, and a bad cache option, before anything is sent", () => {
  assert.throws(() => new Redis({ protocol: 2, cache: new CacheConfig() }), DataError);
  assert.throws(() => new Redis({ cache: {} as CacheInterface }), DataError);
  assert.throws(() => new CacheConfig({ maxSize: 0 }), DataError);
  assert.throws(() => new CacheConfig({ ttl: -1 }), DataError);
  assert.throws(() => new CacheConfig({ evictionPolicy: "LFU" as "LRU" }), DataError);
});

test("cache: a server that refuses HELLO 3 fails the connection with a clear error", async () => {
  const server = await startRedis({ config: ['rename-command HELLO ""'] });
  const cached = new Redis({ port: server.port, cache: new CacheConfig() });
  try {
    await assert.rejects(cached.get("k"), /Client-side caching needs RESP3/);
  } finally {
    await cached.close();
    await server.stop();
  }
});
