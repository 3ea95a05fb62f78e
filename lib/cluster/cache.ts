/**
 * Client-side caching for `RedisCluster`: one cache for the whole cluster,
 * each entry tagged with the node that served it and its slot, so a lost
 * connection drops that node's entries and a slot that changes owner drops
 * that slot's entries, while the rest stay cached.
 *
 * @module
 */

import {
  CacheConfig,
  type CacheEntry,
  type CacheInterface,
  type CacheStats,
  TrackingCache,
} from "../cache.ts";
import type { Command } from "../commands/command.ts";
import type { RespValue } from "../protocol/types.ts";
import { keySlot } from "./slots.ts";
import type { InstrumentationScope } from "../instrumentation.ts";

// keyText never starts with "\uffff" followed by a character above "\u00ff": tags cannot name a real key.
const NODE_TAG = "\uffff\u0100node\u0000";
const SLOT_TAG = "\uffff\u0100slot\u0000";

/** The tag of the entries a node served. */
function nodeTag(name: string): string {
  return NODE_TAG + name;
}

/** The tag of the entries of a slot. */
function slotTag(slot: number): string {
  return SLOT_TAG + slot;
}

/** The slot of a key given as its `keyText` (bytes that are not UTF-8 are Latin-1 after one "\uffff"). */
function slotOfText(text: string): number {
  if (text.startsWith("\uffff\uffff")) return keySlot(text.slice(1));
  if (text.startsWith("\uffff")) return keySlot(Uint8Array.from(text.slice(1), (c) => c.charCodeAt(0)));
  return keySlot(text);
}

/**
 * The cache of a `RedisCluster` (`cache` option). One store for the
 * cluster, not one per node: `maxSize` bounds the client as on `Redis`, one
 * `stats` counts everything, and a user's `CacheInterface` is used as given.
 * Entries carry two tags besides their key (see `CacheEntry.redisKeys`):
 * the node that served them, dropped when a connection to that node is lost
 * or the node flushes; and their slot, dropped when the slot changes owner
 * (a `MOVED`, a topology refresh, a failover).
 *
 * @example
 * ```ts
 * import { CacheConfig, RedisCluster } from "@uniredis/redis";
 * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }], cache: new CacheConfig() });
 * await rc.get("k"); // from the node owning k's slot, then cached
 * await rc.get("k"); // from the cache
 * console.log(rc.cache!.stats.hits); // 1
 * ```
 */
export class ClusterCache {
  /** Reads and invalidations over the shared store. */
  readonly tracking: TrackingCache;

  /** Creates the cluster's cache from the `cache` option. */
  constructor(option: CacheConfig | CacheInterface, instrumentation?: InstrumentationScope) {
    // Reads are counted here; invalidations by each node's pool, which shares the scope.
    this.tracking = new TrackingCache(
      option instanceof CacheConfig ? option.createCache() : option,
      instrumentation,
    );
  }

  /** The shared store. */
  get cache(): CacheInterface {
    return this.tracking.cache;
  }

  /**
   * The raw reply of a cacheable `command` on `slot`, from the cache or from
   * `send()` to `node` (then stored, tagged with both).
   */
  read(
    command: Command<unknown>,
    node: string,
    slot: number,
    send: () => Promise<RespValue>,
  ): RespValue | Promise<RespValue> {
    return this.tracking.read(command, send, [nodeTag(node), slotTag(slot)]);
  }

  /** Drops what `node` served: its connection was lost, or it flushed. */
  dropNode(node: string): void {
    this.tracking.invalidateTexts([nodeTag(node)]);
  }

  /** Drops the entries of slots that changed owner. */
  dropSlots(slots: readonly number[]): void {
    if (slots.length > 0) this.tracking.invalidateTexts(slots.map(slotTag));
  }

  /**
   * The `cache` option of one node's pool: the pool turns tracking on for
   * the node's connections and reports to it what the node says
   * (invalidations) and connections lost (`flush`, which drops only this
   * node's entries). Reads through it (a `Redis` from `getRedisConnection`)
   * share the cluster's store.
   */
  nodeView(node: string): CacheInterface {
    return new NodeView(this, node);
  }
}

/** One node's window on the cluster cache (see `ClusterCache.nodeView`). */
class NodeView implements CacheInterface {
  readonly #cluster: ClusterCache;
  readonly #node: string;

  constructor(cluster: ClusterCache, node: string) {
    this.#cluster = cluster;
    this.#node = node;
  }

  get size(): number {
    return this.#cluster.cache.size;
  }

  get stats(): CacheStats {
    return this.#cluster.cache.stats;
  }

  get(key: string): CacheEntry | undefined {
    return this.#cluster.cache.get(key);
  }

  set(key: string, entry: CacheEntry): void {
    const tags = [nodeTag(this.#node), ...entry.redisKeys.slice(0, 1).map((k) => slotTag(slotOfText(k)))];
    this.#cluster.cache.set(key, { value: entry.value, redisKeys: [...entry.redisKeys, ...tags] });
  }

  deleteByRedisKeys(redisKeys: readonly string[]): void {
    this.#cluster.tracking.invalidateTexts(redisKeys);
  }

  flush(): void {
    this.#cluster.dropNode(this.#node);
  }
}
