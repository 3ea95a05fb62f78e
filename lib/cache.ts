/**
 * Client-side caching (RESP3 `CLIENT TRACKING`), as redis-py's
 * `CacheConfig` / `CacheInterface`: read-only commands on one key are served
 * from memory after their first read, until the server says the key changed.
 *
 * @module
 */

import type { Command } from "./commands/command.ts";
import { DataError } from "./errors.ts";
import type { RespValue } from "./protocol/types.ts";
import { keyText } from "./key_text.ts";
import type { InstrumentationScope } from "./instrumentation.ts";
import { checkOptionKeys, optionKeys } from "./commands/validate.ts";
import { EventLoopTurn } from "./event_loop_turn.ts";

/**
 * Counters of a cache.
 *
 * @example
 * ```ts
 * import { Redis, CacheConfig } from "@uniredis/redis";
 * await using r = new Redis({ protocol: 3, cache: new CacheConfig() });
 * const { hits, misses } = r.cache!.stats;
 * console.log(hits, misses); // 0 0
 * ```
 */
export interface CacheStats {
  /** Reads answered from the cache. */
  hits: number;
  /** Reads that went to the server. */
  misses: number;
  /** Entries dropped to make room (or because their `ttl` passed). */
  evictions: number;
  /** Entries dropped because the server said their key changed (or the cache was flushed). */
  invalidations: number;
}

/**
 * One cached reply: the raw reply and the Redis keys it depends on.
 *
 * @example
 * ```ts
 * import type { CacheEntry } from "@uniredis/redis";
 * const e: CacheEntry = { value: "v", redisKeys: ["k"] };
 * console.log(e.redisKeys); // ["k"]
 * ```
 */
export interface CacheEntry {
  /** The reply as it arrived (before the command's transform). */
  value: RespValue;
  /** The keys whose change invalidates the entry (as text, see `keyText`). */
  redisKeys: readonly string[];
}

/**
 * What a client cache must do (redis-py's `CacheInterface`). Entries are
 * found by the command's serialized argv (`cacheKey`) and dropped by the
 * Redis keys they depend on. Implement it to plug in your own store.
 *
 * @example
 * ```ts
 * import { type CacheEntry, type CacheInterface, type CacheStats, Redis } from "@uniredis/redis";
 * class TinyCache implements CacheInterface {
 *   #map = new Map<string, CacheEntry>();
 *   stats: CacheStats = { hits: 0, misses: 0, evictions: 0, invalidations: 0 };
 *   get size() { return this.#map.size; }
 *   get(key: string) {
 *     const e = this.#map.get(key);
 *     e ? this.stats.hits++ : this.stats.misses++;
 *     return e;
 *   }
 *   set(key: string, entry: CacheEntry) { this.#map.set(key, entry); }
 *   deleteByRedisKeys(keys: readonly string[]) {
 *     for (const [k, e] of this.#map) if (e.redisKeys.some((rk) => keys.includes(rk))) this.#map.delete(k);
 *   }
 *   flush() { this.#map.clear(); }
 * }
 * await using r = new Redis({ protocol: 3, cache: new TinyCache() });
 * ```
 */
export interface CacheInterface {
  /** The entry stored under `key`, if any (counting a hit or a miss). */
  get(key: string): CacheEntry | undefined;
  /** Stores an entry (evicting others if full). */
  set(key: string, entry: CacheEntry): void;
  /** Drops every entry depending on one of `redisKeys`. */
  deleteByRedisKeys(redisKeys: readonly string[]): void;
  /** Drops everything. */
  flush(): void;
  /** Number of entries. */
  readonly size: number;
  /** Counters. */
  readonly stats: CacheStats;
}

/**
 * Options of `CacheConfig`.
 *
 * @example
 * ```ts
 * import type { CacheConfigOptions } from "@uniredis/redis";
 * const o: CacheConfigOptions = { maxSize: 1_000, ttl: 60_000 };
 * console.log(o.maxSize); // 1000
 * ```
 */
export interface CacheConfigOptions {
  /** Most entries kept (default 10,000, as redis-py). */
  maxSize?: number;
  /** Which entry goes when full: `"LRU"` (least recently used; the only policy, as redis-py's default). */
  evictionPolicy?: "LRU";
  /** Milliseconds an entry may be served at most, invalidated or not (default: no limit). */
  ttl?: number;
}

const CACHE_CONFIG_KEYS = optionKeys<CacheConfigOptions>({ maxSize: true, evictionPolicy: true, ttl: true });

/**
 * Turns client-side caching on (redis-py's `CacheConfig`): pass it as the
 * `cache` option of a RESP3 client. Read-only commands on one key (GET,
 * HGET, HGETALL, SMEMBERS, LRANGE, ZRANGE...) are then answered from memory
 * after their first read; the server's invalidation messages drop entries
 * whose key changed; a reconnect drops everything.
 *
 * @example
 * ```ts
 * import { CacheConfig, Redis } from "@uniredis/redis";
 * await using r = new Redis({ protocol: 3, cache: new CacheConfig({ maxSize: 5_000 }) });
 * await r.get("config:flags"); // from the server
 * await r.get("config:flags"); // from the cache, until the key changes
 * console.log(r.cache!.stats.hits); // 1
 * ```
 */
export class CacheConfig {
  /** Most entries kept. */
  readonly maxSize: number;
  /** The eviction policy. */
  readonly evictionPolicy: "LRU";
  /** Milliseconds an entry may be served at most (`undefined`: no limit). */
  readonly ttl: number | undefined;

  /** Validates the options; throws a `DataError` for bad ones. */
  constructor(options: CacheConfigOptions = {}) {
    checkOptionKeys("CacheConfig", options, CACHE_CONFIG_KEYS);
    const maxSize = options.maxSize ?? 10_000;
    if (!Number.isInteger(maxSize) || maxSize < 1) {
      throw new DataError(`Invalid cache maxSize: ${maxSize} (expected an integer >= 1)`);
    }
    const policy = options.evictionPolicy ?? "LRU";
    if (policy !== "LRU") throw new DataError(`Invalid cache evictionPolicy: ${policy} (expected "LRU")`);
    if (options.ttl !== undefined && (typeof options.ttl !== "number" || !(options.ttl > 0))) {
      throw new DataError(`Invalid cache ttl: ${options.ttl} (expected milliseconds > 0)`);
    }
    this.maxSize = maxSize;
    this.evictionPolicy = policy;
    this.ttl = options.ttl;
  }

  /** Creates the cache this configuration describes. */
  createCache(): CacheInterface {
    return new DefaultCache(this);
  }
}

/**
 * The built-in cache: LRU over a `Map` (insertion order is recency), with an
 * index from Redis keys to entries and an optional time limit.
 *
 * @example
 * ```ts
 * import { CacheConfig, DefaultCache } from "@uniredis/redis";
 * const cache = new DefaultCache(new CacheConfig({ maxSize: 2 }));
 * cache.set("GET\u0000a", { value: "1", redisKeys: ["a"] });
 * cache.deleteByRedisKeys(["a"]);
 * console.log(cache.size); // 0
 * ```
 */
export class DefaultCache implements CacheInterface {
  /** Counters. */
  readonly stats: CacheStats = { hits: 0, misses: 0, evictions: 0, invalidations: 0 };
  readonly #config: CacheConfig;
  readonly #entries = new Map<string, CacheEntry & { at: number }>();
  readonly #byRedisKey = new Map<string, Set<string>>();

  /** Creates an empty cache. */
  constructor(config: CacheConfig = new CacheConfig()) {
    this.#config = config;
  }

  /** Number of entries. */
  get size(): number {
    return this.#entries.size;
  }

  /** The entry under `key` (made the most recently used), or `undefined`. */
  get(key: string): CacheEntry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      this.stats.misses++;
      return undefined;
    }
    const ttl = this.#config.ttl;
    if (ttl !== undefined && Date.now() - entry.at > ttl) {
      this.#delete(key, entry);
      this.stats.evictions++;
      this.stats.misses++;
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.stats.hits++;
    return entry;
  }

  /** Stores `entry`, evicting the least recently used ones beyond `maxSize`. */
  set(key: string, entry: CacheEntry): void {
    const old = this.#entries.get(key);
    if (old) this.#delete(key, old);
    this.#entries.set(key, { ...entry, at: Date.now() });
    for (const redisKey of entry.redisKeys) {
      const keys = this.#byRedisKey.get(redisKey);
      if (keys) keys.add(key);
      else this.#byRedisKey.set(redisKey, new Set([key]));
    }
    while (this.#entries.size > this.#config.maxSize) {
      const [oldestKey, oldest] = this.#entries.entries().next().value!;
      this.#delete(oldestKey, oldest);
      this.stats.evictions++;
    }
  }

  /** Drops every entry that depends on one of `redisKeys`. */
  deleteByRedisKeys(redisKeys: readonly string[]): void {
    for (const redisKey of redisKeys) {
      const keys = this.#byRedisKey.get(redisKey);
      if (!keys) continue;
      for (const key of [...keys]) {
        const entry = this.#entries.get(key);
        if (entry) {
          this.#delete(key, entry);
          this.stats.invalidations++;
        }
      }
    }
  }

  /** Drops everything. */
  flush(): void {
    this.stats.invalidations += this.#entries.size;
    this.#entries.clear();
    this.#byRedisKey.clear();
  }

  #delete(key: string, entry: CacheEntry): void {
    this.#entries.delete(key);
    for (const redisKey of entry.redisKeys) {
      const keys = this.#byRedisKey.get(redisKey);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) this.#byRedisKey.delete(redisKey);
    }
  }
}

/**
 * Commands whose replies may be cached: read-only, deterministic, on one key
 * (redis-py's allow list, minus the multi-key and module commands).
 */
const CACHEABLE = new Set([
  "BITCOUNT",
  "BITFIELD_RO",
  "BITPOS",
  "EXISTS",
  "GEODIST",
  "GEOHASH",
  "GEOPOS",
  "GEORADIUSBYMEMBER_RO",
  "GEORADIUS_RO",
  "GEOSEARCH",
  "GET",
  "GETBIT",
  "GETRANGE",
  "HEXISTS",
  "HGET",
  "HGETALL",
  "HKEYS",
  "HLEN",
  "HMGET",
  "HSTRLEN",
  "HVALS",
  "LINDEX",
  "LLEN",
  "LPOS",
  "LRANGE",
  "MGET",
  "SCARD",
  "SISMEMBER",
  "SMEMBERS",
  "SMISMEMBER",
  "SORT_RO",
  "STRLEN",
  "SUBSTR",
  "TYPE",
  "XLEN",
  "XRANGE",
  "XREVRANGE",
  "ZCARD",
  "ZCOUNT",
  "ZLEXCOUNT",
  "ZMSCORE",
  "ZRANGE",
  "ZRANGEBYLEX",
  "ZRANGEBYSCORE",
  "ZRANK",
  "ZREVRANGE",
  "ZREVRANGEBYLEX",
  "ZREVRANGEBYSCORE",
  "ZREVRANK",
  "ZSCORE",
]);

/**
 * True when the reply of `command` may be served from a client-side cache:
 * an allowed read-only command (GET, HGETALL, SMEMBERS, LRANGE, ZSCORE...)
 * on exactly one key.
 *
 * @example
 * ```ts
 * import { Command, isCacheable } from "@uniredis/redis";
 * console.log(isCacheable(new Command("GET").key("k"))); // true
 * console.log(isCacheable(new Command("MGET").key("a").key("b"))); // false
 * ```
 */
export function isCacheable(command: Command<unknown>): boolean {
  return command.keys?.length === 1 && !command.blocking && CACHEABLE.has(command.name);
}

/**
 * The key a command's reply is cached under: its argv, with each argument's
 * type, so `"1"` and `1` or text and bytes never collide.
 *
 * @example
 * ```ts
 * import { cacheKey, Command } from "@uniredis/redis";
 * console.log(cacheKey(new Command("HGET").key("h").arg("f")) === cacheKey(new Command("HGET").key("h").arg("f"))); // true
 * ```
 */
export function cacheKey(command: Command<unknown>): string {
  let key = command.binaryReply ? "b" : "t";
  for (const arg of command.args) {
    if (typeof arg === "string") key += "\u0000s" + arg;
    else if (arg instanceof Uint8Array) key += "\u0000u" + keyText(arg);
    else key += "\u0000" + typeof arg + String(arg);
  }
  return key;
}

/** A read waiting for its reply; an invalidation of its key (or tag) meanwhile makes its reply unfit to store. */
interface Ticket {
  stale: boolean;
}

/**
 * Connects a `CacheInterface` to the protocol: answers reads from it, stores
 * replies unless their key was invalidated while they were on the way, and
 * applies invalidation messages.
 *
 * @example
 * ```ts
 * import { Command, DefaultCache, TrackingCache } from "@uniredis/redis";
 * const tracking = new TrackingCache(new DefaultCache());
 * const get = new Command("GET").key("k");
 * await tracking.read(get, () => Promise.resolve("v")); // sent, then stored
 * console.log(await tracking.read(get, () => Promise.reject(new Error("unsent")))); // "v", from the cache
 * tracking.invalidate(["k"]);
 * console.log(tracking.cache.size); // 0
 * ```
 */
export class TrackingCache {
  /** The store. */
  readonly cache: CacheInterface;
  readonly #pending = new Map<string, Set<Ticket>>();
  readonly #scope: InstrumentationScope | undefined;
  readonly #turn = new EventLoopTurn();

  /** Wraps `cache`; `instrumentation` is told of hits, misses and invalidations. */
  constructor(cache: CacheInterface, instrumentation?: InstrumentationScope) {
    this.cache = cache;
    this.#scope = instrumentation;
  }

  /**
   * The raw reply of `command` from the cache, or from `send()` (then stored
   * unless invalidated before it arrived). `tags` are more texts the entry
   * depends on (a cluster tags entries with their node and slot), dropped
   * with `invalidateTexts`. A miss is sent at once. A hit comes back as is,
   * or as a promise when a run of hits has held the event loop for a
   * millisecond: it then waits one turn, so that invalidations already sent
   * are read first, and reads again if one of them dropped the entry.
   */
  read(
    command: Command<unknown>,
    send: () => Promise<RespValue>,
    tags: readonly string[] = [],
  ): RespValue | Promise<RespValue> {
    const key = cacheKey(command);
    const hit = this.cache.get(key);
    if (this.#scope?.active) this.#scope.emit({ type: "cache", result: hit ? "hit" : "miss", count: 1 });
    if (hit !== undefined) {
      // A run of hits that holds the event loop keeps unread invalidations from being applied: let the
      // socket be read first, and serve the entry only if nothing invalidated it meanwhile.
      const starved = this.#turn.starved();
      if (starved === undefined) return copyReply(hit.value);
      const watch = this.#watch(dependencies(command, tags));
      return starved.then(() => {
        watch.done();
        return watch.ticket.stale ? this.read(command, send, tags) : copyReply(hit.value);
      });
    }
    const texts = dependencies(command, tags);
    const watch = this.#watch(texts);
    return send().then((value) => {
      watch.done();
      if (!watch.ticket.stale && !(value instanceof Error)) {
        this.cache.set(key, { value: copyReply(value), redisKeys: texts });
      }
      return value;
    }, (error) => {
      watch.done();
      throw error;
    });
  }

  /** A ticket that an invalidation of one of `texts` spoils, until `done()`. */
  #watch(texts: readonly string[]): { ticket: Ticket; done(): void } {
    const ticket: Ticket = { stale: false };
    for (const text of texts) {
      const tickets = this.#pending.get(text);
      if (tickets) tickets.add(ticket);
      else this.#pending.set(text, new Set([ticket]));
    }
    const done = () => {
      for (const text of texts) {
        const tickets = this.#pending.get(text);
        if (tickets?.delete(ticket) && tickets.size === 0) this.#pending.delete(text);
      }
    };
    return { ticket, done };
  }

  /** Applies an invalidation: of `keys`, or of everything when `null` (the server flushed). */
  invalidate(keys: readonly (string | Uint8Array)[] | null): void {
    if (this.#scope?.active) {
      // A server flush (`null`) drops everything held.
      const count = keys === null ? this.cache.size : keys.length;
      this.#scope.emit({ type: "cache", result: "invalidation", count });
    }
    if (keys === null) return this.flush();
    this.invalidateTexts(keys.map(keyText));
  }

  /** Drops the entries (and spoils the reads in flight) that depend on one of `texts`: keys as `keyText`, or tags. */
  invalidateTexts(texts: readonly string[]): void {
    for (const text of texts) {
      const tickets = this.#pending.get(text);
      if (tickets) { for (const ticket of tickets) ticket.stale = true; }
    }
    this.cache.deleteByRedisKeys(texts);
  }

  /** Drops everything, reads in flight included (a reconnect: invalidations may have been missed). */
  flush(): void {
    for (const tickets of this.#pending.values()) for (const ticket of tickets) ticket.stale = true;
    this.cache.flush();
  }
}

/** The texts an entry of `command` depends on: its key (as `keyText`), then `tags`. */
function dependencies(command: Command<unknown>, tags: readonly string[]): string[] {
  const redisKey = keyText(command.args[command.keys![0]] as string | Uint8Array);
  return tags.length === 0 ? [redisKey] : [redisKey, ...tags];
}

/** A deep copy of a reply, so neither the caller nor a transform can change a cached value. */
function copyReply(value: RespValue): RespValue {
  if (Array.isArray(value)) return value.map(copyReply);
  if (value instanceof Uint8Array) return value.slice();
  return value;
}
