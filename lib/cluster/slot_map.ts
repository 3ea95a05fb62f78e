/**
 * The slot map of a Redis Cluster, parsed from `CLUSTER SHARDS` (Redis 7+)
 * or `CLUSTER SLOTS` into one compact shape: a shard index per slot and the
 * list of shards. Pure: the replies come from whoever asked the server.
 *
 * @module
 */

import { InvalidResponse, RedisError } from "../errors.ts";
import type { RespValue } from "../protocol/types.ts";
import { type AddressRemap, ClusterNode, type NodeAddress, nodeName, remapAddress } from "./node.ts";
import { SLOT_COUNT } from "./slots.ts";

/**
 * One primary and the replicas that copy it.
 *
 * @example
 * ```ts
 * import { ClusterNode } from "./node.ts";
 * import type { Shard } from "./slot_map.ts";
 * const shard: Shard = { primary: new ClusterNode("127.0.0.1", 7000), replicas: [] };
 * console.log(shard.primary.name); // "127.0.0.1:7000"
 * ```
 */
export interface Shard {
  /** The node that owns the shard's slots. */
  readonly primary: ClusterNode;
  /** Its replicas, in the server's order; failed or loading ones are left out. */
  readonly replicas: readonly ClusterNode[];
}

/**
 * Which shard serves each of the 16,384 slots. `slots[slot]` is an index
 * into `shards`, or -1 when no node serves the slot (a command on it is a
 * `SlotNotCoveredError`).
 *
 * @example
 * ```ts
 * import { emptySlotMap } from "./slot_map.ts";
 * const map = emptySlotMap();
 * console.log(map.slots.length, map.slots[0]); // 16384 -1
 * ```
 */
export interface SlotMap {
  /** The shards, primaries with no slot included. */
  readonly shards: readonly Shard[];
  /** Shard index per slot, -1 for a slot no node serves. */
  readonly slots: Int16Array;
  /** Names of the nodes the server reported failed or loading (primaries are kept, but marked). */
  readonly down: ReadonlySet<string>;
}

/**
 * Where a topology reply came from and how to read its addresses.
 *
 * @example
 * ```ts
 * import type { SlotMapOptions } from "./slot_map.ts";
 * const options: SlotMapOptions = { from: { host: "127.0.0.1", port: 7000 }, tls: false };
 * console.log(options.from.port); // 7000
 * ```
 */
export interface SlotMapOptions {
  /**
   * The node that answered: its host stands in for an endpoint the server
   * does not know (`null`, `""`, as `cluster-preferred-endpoint-type
   * unknown-endpoint` announces).
   */
  readonly from: NodeAddress;
  /** Applied to every address in the reply (see `remapAddress`). */
  readonly addressRemap?: AddressRemap;
  /** The client connects with TLS: `CLUSTER SHARDS`'s `tls-port` is used when a node has one. */
  readonly tls?: boolean;
}

/**
 * A map in which no slot is served, before the first discovery.
 *
 * @example
 * ```ts
 * import { emptySlotMap } from "./slot_map.ts";
 * console.log(emptySlotMap().shards.length); // 0
 * ```
 */
export function emptySlotMap(): SlotMap {
  return { shards: [], slots: new Int16Array(SLOT_COUNT).fill(-1), down: new Set() };
}

/**
 * How many slots a map serves (16384 when the cluster is fully covered).
 *
 * @example
 * ```ts
 * import { coveredSlots, emptySlotMap } from "./slot_map.ts";
 * console.log(coveredSlots(emptySlotMap())); // 0
 * ```
 */
export function coveredSlots(map: SlotMap): number {
  let n = 0;
  for (const shard of map.slots) if (shard >= 0) n++;
  return n;
}

/**
 * Parses a `CLUSTER SHARDS` reply (RESP2 or RESP3, text or bytes): per
 * shard its slot ranges and nodes (`id`, `endpoint`, `ip`, `hostname`,
 * `port`, `tls-port`, `role`, `health`). A node's address is its `endpoint`
 * (`ip` when the endpoint is `"?"`, a hostname-type endpoint the node lacks;
 * the answering host when it is empty), then `addressRemap`. Failed
 * replicas are left out; a `loading` replica, or a primary not `online`, is
 * kept and listed in `down`. A malformed reply is an `InvalidResponse`.
 *
 * @example
 * ```ts
 * import { parseClusterShards } from "./slot_map.ts";
 * const reply = [[
 *   "slots", [0, 16383],
 *   "nodes", [["id", "a".repeat(40), "port", 7000, "ip", "10.0.0.1", "endpoint", "10.0.0.1",
 *     "role", "master", "replication-offset", 0, "health", "online"]],
 * ]];
 * const map = parseClusterShards(reply, { from: { host: "10.0.0.1", port: 7000 } });
 * console.log(map.shards[map.slots[12182]].primary.name); // "10.0.0.1:7000"
 * ```
 */
export function parseClusterShards(reply: RespValue, options: SlotMapOptions): SlotMap {
  const builder = new SlotMapBuilder();
  for (const entry of list(reply, "CLUSTER SHARDS reply")) {
    const shard = pairs(entry, "CLUSTER SHARDS shard");
    const ranges = list(shard.get("slots") ?? [], "CLUSTER SHARDS slots").map((v) => int(v, "slot"));
    if (ranges.length % 2 !== 0) throw bad("CLUSTER SHARDS slots: an odd number of bounds");
    let primary: ClusterNode | undefined;
    let primaryDown = false;
    const replicas: ClusterNode[] = [];
    for (const item of list(shard.get("nodes") ?? [], "CLUSTER SHARDS nodes")) {
      const node = pairs(item, "CLUSTER SHARDS node");
      const role = optionalText(node.get("role"));
      const health = optionalText(node.get("health")) ?? "online";
      const port = options.tls
        ? node.get("tls-port") ?? node.get("port")
        : node.get("port") ?? node.get("tls-port");
      if (port === undefined) throw bad("CLUSTER SHARDS node without a port");
      const host = hostOf(optionalText(node.get("endpoint")), optionalText(node.get("ip")), options.from);
      const address = remapAddress(options.addressRemap, { host, port: int(port, "port") });
      const id = optionalText(node.get("id")) ?? undefined;
      // After a failover Valkey lists the failed old primary (still "master") before the promoted one:
      // an online primary replaces one that is down.
      if (role === "master" && (primary === undefined || (primaryDown && health === "online"))) {
        primary = new ClusterNode(address.host, address.port, "primary", id);
        primaryDown = health !== "online";
      } else if (health === "online" || (health === "loading" && role !== "master")) {
        replicas.push(new ClusterNode(address.host, address.port, "replica", id));
        // Redis 7.0 says "loading" for any replica whose offset it last heard was 0, a synced replica of
        // a fresh cluster included: listed, but not read from until a refresh finds it online.
        if (health === "loading") builder.down.add(nodeName(address.host, address.port));
      }
    }
    // A shard without a primary (never seen in practice) serves nothing.
    if (primary === undefined) continue;
    if (primaryDown) builder.down.add(primary.name);
    const index = builder.addShard(primary, replicas);
    for (let i = 0; i < ranges.length; i += 2) builder.assign(ranges[i], ranges[i + 1], index);
  }
  return builder.build();
}

/**
 * Parses a `CLUSTER SLOTS` reply (RESP2 or RESP3, text or bytes): entries
 * `[start, end, [endpoint, port, id, metadata], ...replicas]`. A `null` or
 * empty endpoint is the answering host, `"?"` the node's `ip` metadata (or
 * the answering host); then `addressRemap`. Ranges of one primary make one
 * shard. The server already leaves failed replicas out. A malformed reply
 * is an `InvalidResponse`.
 *
 * @example
 * ```ts
 * import { parseClusterSlots } from "./slot_map.ts";
 * const reply = [[0, 16383, ["10.0.0.1", 7000, "a".repeat(40), []], ["10.0.0.2", 7001, "b".repeat(40), []]]];
 * const map = parseClusterSlots(reply, { from: { host: "10.0.0.1", port: 7000 } });
 * console.log(map.shards[0].replicas[0].name); // "10.0.0.2:7001"
 * ```
 */
export function parseClusterSlots(reply: RespValue, options: SlotMapOptions): SlotMap {
  const builder = new SlotMapBuilder();
  const byPrimary = new Map<string, number>();
  for (const item of list(reply, "CLUSTER SLOTS reply")) {
    const entry = list(item, "CLUSTER SLOTS entry");
    if (entry.length < 3) throw bad("CLUSTER SLOTS entry without a primary");
    const nodes = entry.slice(2).map((n, i) => {
      const node = list(n, "CLUSTER SLOTS node");
      if (node.length < 2) throw bad("CLUSTER SLOTS node without a port");
      const meta = node.length > 3
        ? pairs(node[3], "CLUSTER SLOTS node metadata")
        : new Map<string, RespValue>();
      const host = hostOf(optionalText(node[0]), optionalText(meta.get("ip")), options.from);
      const address = remapAddress(options.addressRemap, { host, port: int(node[1], "port") });
      const id = node.length > 2 ? optionalText(node[2]) ?? undefined : undefined;
      return new ClusterNode(address.host, address.port, i === 0 ? "primary" : "replica", id);
    });
    const primary = nodes[0];
    let index = byPrimary.get(primary.name);
    if (index === undefined) {
      index = builder.addShard(primary, nodes.slice(1));
      byPrimary.set(primary.name, index);
    }
    builder.assign(int(entry[0], "slot"), int(entry[1], "slot"), index);
  }
  return builder.build();
}

/** Collects shards and slot assignments, checking ranges. */
class SlotMapBuilder {
  readonly shards: Shard[] = [];
  readonly slots: Int16Array = new Int16Array(SLOT_COUNT).fill(-1);
  readonly down: Set<string> = new Set();

  addShard(primary: ClusterNode, replicas: ClusterNode[]): number {
    this.shards.push(Object.freeze({ primary, replicas: Object.freeze(replicas) }));
    return this.shards.length - 1;
  }

  assign(start: number, end: number, shard: number): void {
    if (!(start >= 0 && start <= end && end < SLOT_COUNT)) throw bad(`slot range ${start}-${end}`);
    this.slots.fill(shard, start, end + 1);
  }

  build(): SlotMap {
    return { shards: Object.freeze(this.shards), slots: this.slots, down: this.down };
  }
}

/** The host to connect to for an announced endpoint (see the parsers' docs). */
function hostOf(endpoint: string | null, ip: string | null, from: NodeAddress): string {
  if (endpoint === null || endpoint === "") return from.host;
  if (endpoint === "?") return ip !== null && ip !== "" && ip !== "?" ? ip : from.host;
  return endpoint;
}

const utf8 = new TextDecoder();

function bad(what: string): InvalidResponse {
  return new InvalidResponse(`Unexpected cluster topology reply: ${what}`);
}

function list(value: RespValue | undefined, what: string): RespValue[] {
  if (!Array.isArray(value)) throw bad(`${what} is not an array`);
  return value;
}

function optionalText(value: RespValue | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return utf8.decode(value);
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (value instanceof RedisError) throw value;
  throw bad("a text field is not text");
}

function int(value: RespValue | undefined, what: string): number {
  const n = typeof value === "number"
    ? value
    : typeof value === "bigint"
    ? Number(value)
    : typeof value === "string" || value instanceof Uint8Array
    ? Number(optionalText(value))
    : NaN;
  if (!Number.isInteger(n)) throw bad(`${what} is not an integer`);
  return n;
}

/** A flat key/value array (RESP2, or a RESP3 map as decoded) as a Map with text keys. */
function pairs(value: RespValue, what: string): Map<string, RespValue> {
  const flat = list(value, what);
  const map = new Map<string, RespValue>();
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(optionalText(flat[i]) ?? "", flat[i + 1]);
  return map;
}
