/**
 * CLUSTER * and READONLY/READWRITE/ASKING as plain methods: each is sent to
 * the node the executor talks to (a cluster client routes them itself).
 *
 * @module
 */

import { AclCommands } from "./acl.ts";
import { Command, type RedisKey, type Str } from "./command.ts";
import type { RespValue } from "../protocol/types.ts";
import { toNumber, toRecord, toText, toTexts, toTrue } from "./reply.ts";
import { exclusive, integer, nonEmpty, optionKeys, optionsOf } from "./validate.ts";

const CLUSTER_MEET_KEYS = optionKeys<{ clusterBusPort?: number }>({ clusterBusPort: true });
/**
 * A node of a `clusterSlots` range: its endpoint (`null` when unknown),
 * port, id and, from Redis 7, extra networking metadata (`hostname`, `ip`).
 *
 * @example
 * ```ts
 * import type { ClusterSlotNode } from "@uniredis/redis";
 * const n: ClusterSlotNode = { host: "127.0.0.1", port: 7000, id: "e7d1...", metadata: {} };
 * console.log(n.port); // 7000
 * ```
 */
export interface ClusterSlotNode {
  /** The preferred endpoint (IP, hostname or `null` when unknown). */
  host: string | null;
  /** The node's client port. */
  port: number;
  /** The node's id (empty before Redis 4). */
  id: string;
  /** Extra networking information (Redis 7+). */
  metadata: Record<string, string>;
}

/**
 * One range of `clusterSlots`: the slots `start`..`end` (inclusive), the
 * master serving them and its replicas.
 *
 * @example
 * ```ts
 * import type { ClusterSlotRange } from "@uniredis/redis";
 * const range: ClusterSlotRange = {
 *   start: 0,
 *   end: 16383,
 *   master: { host: "127.0.0.1", port: 7000, id: "e7d1...", metadata: {} },
 *   replicas: [],
 * };
 * console.log(range.end - range.start + 1); // 16384
 * ```
 */
export interface ClusterSlotRange {
  /** First slot of the range. */
  start: number;
  /** Last slot of the range (inclusive). */
  end: number;
  /** The master serving the range. */
  master: ClusterSlotNode;
  /** Its replicas. */
  replicas: ClusterSlotNode[];
}

/**
 * One node of a `clusterShards` shard: Redis's field names kept
 * (`id`, `port`, `tls-port`, `ip`, `endpoint`, `hostname`, `role`,
 * `replication-offset`, `health`), integers as numbers.
 *
 * @example
 * ```ts
 * import type { ClusterShardNode } from "@uniredis/redis";
 * const n: ClusterShardNode = { id: "e7d1...", port: 7000, role: "master", health: "online" };
 * console.log(n.role); // "master"
 * ```
 */
export interface ClusterShardNode {
  /** The node's id. */
  id?: string;
  /** Its client port. */
  port?: number;
  /** `"master"` or `"replica"`. */
  role?: string;
  /** `"online"`, `"fail"` or `"loading"`. */
  health?: string;
  /** Every other field (`ip`, `endpoint`, `hostname`, `tls-port`, `replication-offset`, ...). */
  [field: string]: string | number | undefined;
}

/**
 * One shard of `clusterShards`: its slot ranges as `[start, end]` pairs and its nodes.
 *
 * @example
 * ```ts
 * import type { ClusterShard } from "@uniredis/redis";
 * const s: ClusterShard = { slots: [[0, 16383]], nodes: [] };
 * console.log(s.slots[0]); // [0, 16383]
 * ```
 */
export interface ClusterShard {
  /** The slot ranges the shard owns, inclusive. */
  slots: [start: number, end: number][];
  /** The shard's master and replicas. */
  nodes: ClusterShardNode[];
}

/**
 * One cluster bus link of `clusterLinks`: Redis's field names kept
 * (`direction`, `node`, `create-time`, `events`, `send-buffer-allocated`,
 * `send-buffer-used`), integers as numbers.
 *
 * @example
 * ```ts
 * import type { ClusterLink } from "@uniredis/redis";
 * const l: ClusterLink = { direction: "to", node: "e7d1...", "create-time": 1700000000000 };
 * console.log(l.direction); // "to"
 * ```
 */
export interface ClusterLink {
  /** `"to"` (opened by this node) or `"from"` (accepted from the peer). */
  direction?: string;
  /** The peer's node id. */
  node?: string;
  /** Every other field. */
  [field: string]: string | number | undefined;
}

/**
 * A value of `clusterInfo`: numbers where the text is a number.
 *
 * @example
 * ```ts
 * import type { ClusterInfoValue } from "@uniredis/redis";
 * const v: ClusterInfoValue = 16384;
 * console.log(v); // 16384
 * ```
 */
export type ClusterInfoValue = string | number;

/**
 * Options of `clusterFailover`: at most one.
 *
 * @example
 * ```ts
 * import type { ClusterFailoverOptions } from "@uniredis/redis";
 * const o: ClusterFailoverOptions = { force: true };
 * console.log(o.force); // true
 * ```
 */
export interface ClusterFailoverOptions {
  /** Fail over without the master's agreement (`FORCE`). */
  force?: boolean;
  /** Fail over without the cluster's agreement either (`TAKEOVER`). */
  takeover?: boolean;
}

const CLUSTER_FAILOVER_KEYS = optionKeys<ClusterFailoverOptions>({ force: true, takeover: true });

/**
 * Options of `clusterReset`: at most one (the server's default is soft).
 *
 * @example
 * ```ts
 * import type { ClusterResetOptions } from "@uniredis/redis";
 * const o: ClusterResetOptions = { hard: true };
 * console.log(o.hard); // true
 * ```
 */
export interface ClusterResetOptions {
  /** Also reset the epochs and the node id (`HARD`). */
  hard?: boolean;
  /** Forget the other nodes and the slots only (`SOFT`). */
  soft?: boolean;
}

const CLUSTER_RESET_KEYS = optionKeys<ClusterResetOptions>({ hard: true, soft: true });

/**
 * Options of `clusterSetslot`: exactly one.
 *
 * @example
 * ```ts
 * import type { ClusterSetslotOptions } from "@uniredis/redis";
 * const o: ClusterSetslotOptions = { stable: true };
 * console.log(o.stable); // true
 * ```
 */
export interface ClusterSetslotOptions {
  /** Import the slot from this node id (`IMPORTING`). */
  importing?: string;
  /** Migrate the slot to this node id (`MIGRATING`). */
  migrating?: string;
  /** Assign the slot to this node id (`NODE`). */
  node?: string;
  /** Clear the importing/migrating state (`STABLE`). */
  stable?: boolean;
}

const CLUSTER_SETSLOT_KEYS = optionKeys<ClusterSetslotOptions>({
  importing: true,
  migrating: true,
  node: true,
  stable: true,
});

const NUMBER = /^[+-]?\d+(\.\d+)?$/;

/** A flat field/value reply as an object: text keys, integers kept as numbers, strings as text. */
function fields(reply: RespValue): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(toRecord(reply))) {
    if (v === null || v === undefined) continue;
    out[k] = typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : toText(v);
  }
  return out;
}

/** The `k:v` lines of CLUSTER INFO as an object, numbers as numbers. */
function toClusterInfo(reply: RespValue): Record<string, ClusterInfoValue> {
  const out: Record<string, ClusterInfoValue> = {};
  for (const line of toText(reply).split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const value = line.slice(colon + 1);
    out[line.slice(0, colon)] = NUMBER.test(value) ? Number(value) : value;
  }
  return out;
}

/** One node of a CLUSTER SLOTS range: `[host, port, id, metadata?]`. */
function slotNode(reply: RespValue): ClusterSlotNode {
  const [host, port, id, metadata] = Array.isArray(reply) ? reply : [];
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields(metadata ?? null))) meta[k] = String(v);
  return {
    host: host === null || host === undefined ? null : toText(host),
    port: toNumber(port ?? null),
    id: id === undefined || id === null ? "" : toText(id),
    metadata: meta,
  };
}

function toClusterSlots(reply: RespValue): ClusterSlotRange[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((range) => {
    const [start, end, master, ...replicas] = Array.isArray(range) ? range : [];
    return {
      start: toNumber(start ?? null),
      end: toNumber(end ?? null),
      master: slotNode(master ?? null),
      replicas: replicas.map(slotNode),
    };
  });
}

function toClusterShards(reply: RespValue): ClusterShard[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((shard) => {
    const record = toRecord(shard);
    const slots = Array.isArray(record.slots) ? record.slots.map(toNumber) : [];
    const pairs: [number, number][] = [];
    for (let i = 0; i + 1 < slots.length; i += 2) pairs.push([slots[i], slots[i + 1]]);
    const nodes = Array.isArray(record.nodes) ? record.nodes : [];
    return { slots: pairs, nodes: nodes.map((n) => fields(n) as ClusterShardNode) };
  });
}

function toClusterLinks(reply: RespValue): ClusterLink[] {
  return Array.isArray(reply) ? reply.map((l) => fields(l) as ClusterLink) : [];
}

/** Checks the slots of ADDSLOTS/DELSLOTS and appends them. */
function slotArgs(cmd: Command<unknown>, slots: readonly number[]): void {
  for (const slot of nonEmpty(cmd, "slots", slots)) {
    integer(cmd, "slot", slot, 0);
    cmd.arg(slot);
  }
}

/** Checks the `[start, end]` ranges of ADDSLOTSRANGE/DELSLOTSRANGE and appends them. */
function rangeArgs(cmd: Command<unknown>, ranges: readonly (readonly [number, number])[]): void {
  for (const range of nonEmpty(cmd, "ranges", ranges)) {
    if (!Array.isArray(range) || range.length !== 2) {
      cmd.fail(`${cmd.name}: each range must be a [start, end] pair`);
      return;
    }
    integer(cmd, "start", range[0], 0);
    integer(cmd, "end", range[1], 0);
    cmd.arg(range[0]).arg(range[1]);
  }
}

/**
 * CLUSTER * and READONLY/READWRITE/ASKING as plain methods, in redis-py's
 * argument order. They run on the node the executor is connected to.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * console.log(await r.clusterKeyslot("user:1")); // 10778
 * ```
 */
export abstract class ClusterCommands<D extends boolean = true> extends AclCommands<D> {
  /**
   * Assigns `slots` to this node; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/cluster-addslots/ CLUSTER ADDSLOTS}
   */
  clusterAddslots(...slots: number[]): Promise<true> {
    const cmd = new Command<true>(["CLUSTER", "ADDSLOTS"], toTrue);
    slotArgs(cmd, slots);
    return this.execute(cmd);
  }

  /**
   * Assigns the slot ranges (`[start, end]`, inclusive) to this node (Redis 7+); resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/cluster-addslotsrange/ CLUSTER ADDSLOTSRANGE}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.clusterAddslotsrange([0, 8191], [8192, 16383]);
   * ```
   */
  clusterAddslotsrange(...ranges: [start: number, end: number][]): Promise<true> {
    const cmd = new Command<true>(["CLUSTER", "ADDSLOTSRANGE"], toTrue);
    rangeArgs(cmd, ranges);
    return this.execute(cmd);
  }

  /**
   * Advances the cluster's config epoch; resolves to the server's text
   * (`"BUMPED <epoch>"` or `"STILL <epoch>"`).
   * {@link https://redis.io/docs/latest/commands/cluster-bumpepoch/ CLUSTER BUMPEPOCH}
   */
  clusterBumpepoch(): Promise<string> {
    return this.execute(new Command<string>(["CLUSTER", "BUMPEPOCH"], toText));
  }

  /**
   * Returns the number of active failure reports about node `nodeId`.
   * {@link https://redis.io/docs/latest/commands/cluster-count-failure-reports/ CLUSTER COUNT-FAILURE-REPORTS}
   */
  clusterCountFailureReports(nodeId: string): Promise<number> {
    return this.execute(new Command<number>(["CLUSTER", "COUNT-FAILURE-REPORTS"], toNumber).arg(nodeId));
  }

  /**
   * Returns the number of keys of this node in hash slot `slot`.
   * {@link https://redis.io/docs/latest/commands/cluster-countkeysinslot/ CLUSTER COUNTKEYSINSLOT}
   */
  clusterCountkeysinslot(slot: number): Promise<number> {
    const cmd = new Command<number>(["CLUSTER", "COUNTKEYSINSLOT"], toNumber).arg(slot);
    integer(cmd, "slot", slot, 0);
    return this.execute(cmd);
  }

  /**
   * Unassigns `slots` from this node; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/cluster-delslots/ CLUSTER DELSLOTS}
   */
  clusterDelslots(...slots: number[]): Promise<true> {
    const cmd = new Command<true>(["CLUSTER", "DELSLOTS"], toTrue);
    slotArgs(cmd, slots);
    return this.execute(cmd);
  }

  /**
   * Unassigns the slot ranges (`[start, end]`, inclusive) from this node (Redis 7+); resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/cluster-delslotsrange/ CLUSTER DELSLOTSRANGE}
   */
  clusterDelslotsrange(...ranges: [start: number, end: number][]): Promise<true> {
    const cmd = new Command<true>(["CLUSTER", "DELSLOTSRANGE"], toTrue);
    rangeArgs(cmd, ranges);
    return this.execute(cmd);
  }

  /**
   * Makes this replica fail over its master (with `force` or `takeover`,
   * without its or the cluster's agreement); resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/cluster-failover/ CLUSTER FAILOVER}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using replica = new Redis({ port: 7001 });
   * await replica.clusterFailover({ force: true });
   * ```
   */
  clusterFailover(options?: ClusterFailoverOptions): Promise<true> {
    const cmd = new Command<true>(["CLUSTER", "FAILOVER"], toTrue);
    const o = optionsOf(cmd, options, CLUSTER_FAILOVER_KEYS);
    exclusive(cmd, o, ["force", "takeover"]);
    if (o.force) cmd.arg("FORCE");
    else if (o.takeover) cmd.arg("TAKEOVER");
    return this.execute(cmd);
  }

  /**
   * Unassigns every slot of this node; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/cluster-flushslots/ CLUSTER FLUSHSLOTS}
   */
  clusterFlushslots(): Promise<true> {
    return this.execute(new Command<true>(["CLUSTER", "FLUSHSLOTS"], toTrue));
  }

  /**
   * Removes node `nodeId` from this node's table (for 60 s); resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/cluster-forget/ CLUSTER FORGET}
   */
  clusterForget(nodeId: string): Promise<true> {
    return this.execute(new Command<true>(["CLUSTER", "FORGET"], toTrue).arg(nodeId));
  }

  /**
   * Returns up to `count` keys of this node in hash slot `slot`.
   * {@link https://redis.io/docs/latest/commands/cluster-getkeysinslot/ CLUSTER GETKEYSINSLOT}
   */
  clusterGetkeysinslot(slot: number, count: number): Promise<Str<D>[]> {
    const cmd = new Command<Str<D>[]>(["CLUSTER", "GETKEYSINSLOT"]).arg(slot).arg(count);
    integer(cmd, "slot", slot, 0);
    integer(cmd, "count", count, 0);
    return this.execute(cmd);
  }

  /**
   * Returns the cluster state as seen by this node, one property per
   * `field:value` line, numbers as numbers.
   * {@link https://redis.io/docs/latest/commands/cluster-info/ CLUSTER INFO}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const info = await r.clusterInfo();
   * console.log(info.cluster_state, info.cluster_slots_assigned); // "ok" 16384
   * ```
   */
  clusterInfo(): Promise<Record<string, ClusterInfoValue>> {
    return this.execute(new Command<Record<string, ClusterInfoValue>>(["CLUSTER", "INFO"], toClusterInfo));
  }

  /**
   * Returns the hash slot of `key` (computed by the server).
   * {@link https://redis.io/docs/latest/commands/cluster-keyslot/ CLUSTER KEYSLOT}
   */
  clusterKeyslot(key: RedisKey): Promise<number> {
    const cmd = new Command<number>(["CLUSTER", "KEYSLOT"], toNumber);
    if (typeof key !== "string" && !(key instanceof Uint8Array)) {
      cmd.fail(`CLUSTER KEYSLOT: key must be a string or Uint8Array`);
    } else {
      // Not a key position: the command reads no key, and routing it by this
      // argument would only restrict where it may run.
      cmd.arg(key);
    }
    return this.execute(cmd);
  }

  /**
   * Returns this node's cluster bus links, one object per link (Redis 7+).
   * {@link https://redis.io/docs/latest/commands/cluster-links/ CLUSTER LINKS}
   */
  clusterLinks(): Promise<ClusterLink[]> {
    return this.execute(new Command<ClusterLink[]>(["CLUSTER", "LINKS"], toClusterLinks));
  }

  /**
   * Connects this node to the node at `host`:`port` (its bus port given by
   * `clusterBusPort` when it is not `port + 10000`); resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/cluster-meet/ CLUSTER MEET}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis({ port: 7000 });
   * await r.clusterMeet("127.0.0.1", 7001, { clusterBusPort: 17001 });
   * ```
   */
  clusterMeet(host: string, port: number, options?: { clusterBusPort?: number }): Promise<true> {
    const cmd = new Command<true>(["CLUSTER", "MEET"], toTrue).arg(host).arg(port);
    integer(cmd, "port", port, 0);
    const o = optionsOf(cmd, options, CLUSTER_MEET_KEYS);
    if (o.clusterBusPort !== undefined) {
      integer(cmd, "clusterBusPort", o.clusterBusPort, 0);
      cmd.arg(o.clusterBusPort);
    }
    return this.execute(cmd);
  }

  /**
   * Returns this node's id.
   * {@link https://redis.io/docs/latest/commands/cluster-myid/ CLUSTER MYID}
   */
  clusterMyid(): Promise<string> {
    return this.execute(new Command<string>(["CLUSTER", "MYID"], toText));
  }

  /**
   * Returns the id of this node's shard (Redis 7.2+).
   * {@link https://redis.io/docs/latest/commands/cluster-myshardid/ CLUSTER MYSHARDID}
   */
  clusterMyshardid(): Promise<string> {
    return this.execute(new Command<string>(["CLUSTER", "MYSHARDID"], toText));
  }

  /**
   * Returns this node's view of the cluster as the server's raw text: one
   * line per node (`<id> <ip:port@cport[,hostname]> <flags> <master>
   * <ping-sent> <pong-recv> <config-epoch> <link-state> <slot> ...`). It is
   * left unparsed: its format changes between versions, and `clusterShards`
   * gives the same information structured.
   * {@link https://redis.io/docs/latest/commands/cluster-nodes/ CLUSTER NODES}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const self = (await r.clusterNodes()).split("\n").find((l) => l.includes("myself"));
   * console.log(self?.split(" ")[0] === await r.clusterMyid()); // true
   * ```
   */
  clusterNodes(): Promise<string> {
    return this.execute(new Command<string>(["CLUSTER", "NODES"], toText));
  }

  /**
   * Returns the replicas of master `nodeId`, one `clusterNodes`-format line each.
   * {@link https://redis.io/docs/latest/commands/cluster-replicas/ CLUSTER REPLICAS}
   */
  clusterReplicas(nodeId: string): Promise<string[]> {
    return this.execute(new Command<string[]>(["CLUSTER", "REPLICAS"], toTexts).arg(nodeId));
  }

  /**
   * Makes this node a replica of master `nodeId`; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/cluster-replicate/ CLUSTER REPLICATE}
   */
  clusterReplicate(nodeId: string): Promise<true> {
    return this.execute(new Command<true>(["CLUSTER", "REPLICATE"], toTrue).arg(nodeId));
  }

  /**
   * Resets this node's cluster state (`soft`, the server's default, or
   * `hard`); resolves to `true`. The node must hold no keys.
   * {@link https://redis.io/docs/latest/commands/cluster-reset/ CLUSTER RESET}
   */
  clusterReset(options?: ClusterResetOptions): Promise<true> {
    const cmd = new Command<true>(["CLUSTER", "RESET"], toTrue);
    const o = optionsOf(cmd, options, CLUSTER_RESET_KEYS);
    exclusive(cmd, o, ["hard", "soft"]);
    if (o.hard) cmd.arg("HARD");
    else if (o.soft) cmd.arg("SOFT");
    return this.execute(cmd);
  }

  /**
   * Saves the cluster configuration (`nodes.conf`) to disk; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/cluster-saveconfig/ CLUSTER SAVECONFIG}
   */
  clusterSaveconfig(): Promise<true> {
    return this.execute(new Command<true>(["CLUSTER", "SAVECONFIG"], toTrue));
  }

  /**
   * Sets the config epoch of a fresh node; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/cluster-set-config-epoch/ CLUSTER SET-CONFIG-EPOCH}
   */
  clusterSetConfigEpoch(epoch: number): Promise<true> {
    const cmd = new Command<true>(["CLUSTER", "SET-CONFIG-EPOCH"], toTrue).arg(epoch);
    integer(cmd, "epoch", epoch, 0);
    return this.execute(cmd);
  }

  /**
   * Changes the state of hash slot `slot` on this node: exactly one of
   * `importing`, `migrating`, `node` (a node id each) or `stable`; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/cluster-setslot/ CLUSTER SETSLOT}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis({ port: 7000 });
   * await r.clusterSetslot(42, { migrating: "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca" });
   * await r.clusterSetslot(42, { stable: true });
   * ```
   */
  clusterSetslot(slot: number, options: ClusterSetslotOptions): Promise<true> {
    const cmd = new Command<true>(["CLUSTER", "SETSLOT"], toTrue).arg(slot);
    integer(cmd, "slot", slot, 0);
    const o = optionsOf(cmd, options, CLUSTER_SETSLOT_KEYS);
    exclusive(cmd, o, ["importing", "migrating", "node", "stable"]);
    if (o.importing !== undefined && o.importing !== null) cmd.arg("IMPORTING").arg(o.importing);
    else if (o.migrating !== undefined && o.migrating !== null) cmd.arg("MIGRATING").arg(o.migrating);
    else if (o.node !== undefined && o.node !== null) cmd.arg("NODE").arg(o.node);
    else if (o.stable) cmd.arg("STABLE");
    else cmd.fail("CLUSTER SETSLOT needs one of importing, migrating, node or stable");
    return this.execute(cmd);
  }

  /**
   * Returns the cluster's shards: their slot ranges and nodes (Redis 7+).
   * {@link https://redis.io/docs/latest/commands/cluster-shards/ CLUSTER SHARDS}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const [shard] = await r.clusterShards();
   * console.log(shard.slots, shard.nodes[0].role); // [[0, 16383]] "master"
   * ```
   */
  clusterShards(): Promise<ClusterShard[]> {
    return this.execute(new Command<ClusterShard[]>(["CLUSTER", "SHARDS"], toClusterShards));
  }

  /**
   * Deprecated alias of `clusterReplicas` (as the server keeps it).
   * {@link https://redis.io/docs/latest/commands/cluster-slaves/ CLUSTER SLAVES}
   *
   * @deprecated Use `clusterReplicas`.
   */
  clusterSlaves(nodeId: string): Promise<string[]> {
    return this.execute(new Command<string[]>(["CLUSTER", "SLAVES"], toTexts).arg(nodeId));
  }

  /**
   * Returns the slot ranges of the cluster and the nodes serving them
   * (deprecated by the server since 7.0 in favour of `clusterShards`, still answered).
   * {@link https://redis.io/docs/latest/commands/cluster-slots/ CLUSTER SLOTS}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const [range] = await r.clusterSlots();
   * console.log(range.start, range.end, range.master.port); // 0 16383 7000
   * ```
   */
  clusterSlots(): Promise<ClusterSlotRange[]> {
    return this.execute(new Command<ClusterSlotRange[]>(["CLUSTER", "SLOTS"], toClusterSlots));
  }

  /**
   * Lets this connection read from a cluster replica; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/readonly/ READONLY}
   */
  readonly(): Promise<true> {
    return this.execute(new Command<true>("READONLY", toTrue));
  }

  /**
   * Ends `readonly` on this connection; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/readwrite/ READWRITE}
   */
  readwrite(): Promise<true> {
    return this.execute(new Command<true>("READWRITE", toTrue));
  }

  /**
   * Lets the next command of this connection reach a slot being imported
   * (after an `ASK` redirection); resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/asking/ ASKING}
   */
  asking(): Promise<true> {
    return this.execute(new Command<true>("ASKING", toTrue));
  }
}
