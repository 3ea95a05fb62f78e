/**
 * Cluster topology: discovery from startup nodes, the current slot map with
 * its lookups, `MOVED` patches, single-flight rate-limited refreshes and
 * replica load balancing. No sockets: the caller supplies `query`, which
 * sends one command to one node.
 *
 * @module
 */

import { AuthenticationError, ConnectionError, DataError, RedisError } from "../errors.ts";
import type { RespValue } from "../protocol/types.ts";
import { type AddressRemap, ClusterNode, type NodeAddress, nodeName, remapAddress } from "./node.ts";
import {
  coveredSlots,
  emptySlotMap,
  parseClusterShards,
  parseClusterSlots,
  type Shard,
  type SlotMap,
} from "./slot_map.ts";

/**
 * Sends one command (`["CLUSTER", "SHARDS"]`) to one node and resolves to
 * its reply. An error reply may reject or resolve to a `RedisError`. It is
 * the caller's job to bound the time spent on a dead node (connect timeout).
 *
 * @example
 * ```ts
 * import type { TopologyQuery } from "./topology.ts";
 * const query: TopologyQuery = async (node, command) => {
 *   throw new Error(`no connection to ${node.host}:${node.port} for ${command.join(" ")}`);
 * };
 * console.log(typeof query); // "function"
 * ```
 */
export type TopologyQuery = (node: NodeAddress, command: readonly string[]) => Promise<RespValue>;

/**
 * How topology replies are read (see `SlotMapOptions`).
 *
 * @example
 * ```ts
 * import type { DiscoverOptions } from "./topology.ts";
 * const options: DiscoverOptions = { tls: true, addressRemap: ({ host, port }) => ({ host, port }) };
 * console.log(options.tls); // true
 * ```
 */
export interface DiscoverOptions {
  /** Applied to every address the servers announce. */
  readonly addressRemap?: AddressRemap;
  /** The client uses TLS: prefer the nodes' TLS ports. */
  readonly tls?: boolean;
}

/** Redis before 7.0 answers `CLUSTER SHARDS` with "unknown subcommand". */
function isUnknownCommand(error: unknown): boolean {
  return error instanceof RedisError && /unknown (sub)?command/i.test(error.message);
}

async function ask(query: TopologyQuery, node: NodeAddress, command: readonly string[]): Promise<RespValue> {
  const reply = await query(node, command);
  if (reply instanceof RedisError) throw reply;
  return reply;
}

/**
 * Asks each node in turn for the cluster's slot map: `CLUSTER SHARDS`, or
 * `CLUSTER SLOTS` where the server does not know `SHARDS` (Redis < 7), and
 * returns the first map that serves at least one slot. When no node
 * answers, rejects with one `ConnectionError` naming each node and its
 * cause (the causes are kept in `cause`, an `AggregateError`); an
 * `AuthenticationError` (a subclass) when a node refused the credentials,
 * so that retry policies give up at once. An empty
 * node list is a `DataError`.
 *
 * @example
 * ```ts
 * import { discover } from "./topology.ts";
 * const reply = [[0, 16383, ["127.0.0.1", 7000, "a".repeat(40), []]]];
 * const map = await discover([{ host: "127.0.0.1", port: 7000 }], async (_node, command) => {
 *   if (command[1] === "SHARDS") throw new Error("ERR unknown subcommand 'SHARDS'");
 *   return reply;
 * });
 * console.log(map.shards[0].primary.name); // "127.0.0.1:7000"
 * ```
 */
export async function discover(
  nodes: readonly NodeAddress[],
  query: TopologyQuery,
  options: DiscoverOptions = {},
): Promise<SlotMap> {
  if (nodes.length === 0) throw new DataError("Cluster discovery needs at least one startup node");
  const failures: string[] = [];
  const causes: unknown[] = [];
  for (const node of nodes) {
    const parse = { from: node, addressRemap: options.addressRemap, tls: options.tls };
    try {
      let map: SlotMap;
      try {
        map = parseClusterShards(await ask(query, node, ["CLUSTER", "SHARDS"]), parse);
      } catch (error) {
        if (!isUnknownCommand(error)) throw error;
        map = parseClusterSlots(await ask(query, node, ["CLUSTER", "SLOTS"]), parse);
      }
      // A node not yet joined to a cluster serves nothing: ask another.
      if (coveredSlots(map) === 0) throw new RedisError("the node serves no slot");
      return map;
    } catch (error) {
      failures.push(
        `${nodeName(node.host, node.port)}: ${error instanceof Error ? error.message : String(error)}`,
      );
      causes.push(error);
    }
  }
  // Bad credentials will not get better on retry: say so with the error's own class.
  const Failure = causes.some((e) => e instanceof AuthenticationError)
    ? AuthenticationError
    : ConnectionError;
  throw new Failure(
    `Redis Cluster cannot be connected: no node gave the slot map (${failures.join("; ")})`,
    { cause: new AggregateError(causes, "cluster discovery failures") },
  );
}

/**
 * How read-only commands spread over a shard's nodes (redis-py's
 * `LoadBalancingStrategy`): `"round_robin"` cycles over the primary and its
 * replicas, `"round_robin_replicas"` over the replicas only (the primary
 * when there is none), `"random_replica"` picks a replica at random (the
 * primary when there is none).
 *
 * @example
 * ```ts
 * import type { LoadBalancingStrategy } from "@uniredis/redis";
 * const strategy: LoadBalancingStrategy = "round_robin_replicas";
 * console.log(strategy); // "round_robin_replicas"
 * ```
 */
export type LoadBalancingStrategy = "round_robin" | "round_robin_replicas" | "random_replica";

/**
 * Options of a {@link Topology}.
 *
 * @example
 * ```ts
 * import type { TopologyOptions } from "./topology.ts";
 * const options: TopologyOptions = {
 *   startupNodes: [{ host: "127.0.0.1", port: 7000 }],
 *   query: async () => [],
 *   minRefreshInterval: 1000,
 * };
 * console.log(options.startupNodes.length); // 1
 * ```
 */
export interface TopologyOptions extends DiscoverOptions {
  /** Seeds: asked after the known nodes, on every refresh, forever. */
  readonly startupNodes: readonly NodeAddress[];
  /** Sends one command to one node. */
  readonly query: TopologyQuery;
  /**
   * Milliseconds after a refresh during which `refresh()` returns the
   * current map instead of asking again (default 500).
   */
  readonly minRefreshInterval?: number;
  /**
   * Called with the nodes a refresh removed, and those it asked that the
   * map does not name (seeds named otherwise, dead seeds), so their
   * connections can be closed.
   */
  readonly onNodesLeft?: (nodes: ClusterNode[]) => void;
  /**
   * Called with the slots whose primary changed (a `MOVED` patch, a
   * refresh after a migration or a failover), so what was cached for them
   * can go.
   */
  readonly onOwnersChanged?: (slots: number[]) => void;
  /** Called after each refresh that asked the nodes, with its duration and its error when it failed. */
  readonly onRefreshed?: (durationMs: number, error: Error | undefined) => void;
  /** Clock in milliseconds (default `Date.now`); injectable for tests. */
  readonly now?: () => number;
  /** Random number in [0, 1) for `"random_replica"` (default `Math.random`). */
  readonly random?: () => number;
}

/**
 * The current topology of a cluster: which node serves each slot, the
 * known nodes, which of them are down, and how to refresh it all.
 *
 * @example
 * ```ts
 * import { Topology } from "./topology.ts";
 * const reply = [[0, 16383, ["127.0.0.1", 7000, "a".repeat(40), []], ["127.0.0.1", 7001, "b".repeat(40), []]]];
 * const topology = new Topology({
 *   startupNodes: [{ host: "127.0.0.1", port: 7000 }],
 *   query: async (_node, command) => {
 *     if (command[1] === "SHARDS") throw new Error("ERR unknown subcommand 'SHARDS'");
 *     return reply;
 *   },
 * });
 * await topology.refresh();
 * console.log(topology.slotOwner(12182)?.name); // "127.0.0.1:7000"
 * console.log(topology.pickNode(12182, "round_robin_replicas")?.name); // "127.0.0.1:7001"
 * ```
 */
export class Topology {
  #options: TopologyOptions;
  #now: () => number;
  #shards: Shard[] = [];
  #slots: Int16Array = emptySlotMap().slots;
  #down = new Set<string>();
  #byName = new Map<string, ClusterNode>();
  #ready = false;
  #inFlight: Promise<SlotMap> | undefined;
  #lastRefresh = -Infinity;
  // Round-robin position per primary name (redis-py's LoadBalancer).
  #turn = new Map<string, number>();

  /** Creates a topology that knows nothing yet; `refresh()` discovers it. */
  constructor(options: TopologyOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /**
   * True once a discovery succeeded (or a map was given to `replace`).
   *
   * @example
   * ```ts
   * import { Topology } from "./topology.ts";
   * console.log(new Topology({ startupNodes: [], query: async () => [] }).ready); // false
   * ```
   */
  get ready(): boolean {
    return this.#ready;
  }

  /**
   * The current map, live: `MOVED` patches show in it.
   *
   * @example
   * ```ts
   * import { Topology } from "./topology.ts";
   * console.log(new Topology({ startupNodes: [], query: async () => [] }).map.slots[0]); // -1
   * ```
   */
  get map(): SlotMap {
    return { shards: this.#shards, slots: this.#slots, down: this.#down };
  }

  /**
   * Applies the topology's `addressRemap` to an address from a server (a
   * redirect's target).
   *
   * @example
   * ```ts
   * import { Topology } from "./topology.ts";
   * const t = new Topology({ startupNodes: [], query: async () => [], addressRemap: ({ host }) => ({ host, port: 1 }) });
   * console.log(t.remap({ host: "10.0.0.1", port: 7000 })); // { host: "10.0.0.1", port: 1 }
   * ```
   */
  remap(address: NodeAddress): NodeAddress {
    return remapAddress(this.#options.addressRemap, address);
  }

  /**
   * The primary serving `slot`, or undefined when no node serves it.
   *
   * @example
   * ```ts
   * import { Topology } from "./topology.ts";
   * console.log(new Topology({ startupNodes: [], query: async () => [] }).slotOwner(0)); // undefined
   * ```
   */
  slotOwner(slot: number): ClusterNode | undefined {
    return this.#shardOf(slot)?.primary;
  }

  /**
   * The replicas of the shard serving `slot` (empty when none or uncovered).
   *
   * @example
   * ```ts
   * import { Topology } from "./topology.ts";
   * console.log(new Topology({ startupNodes: [], query: async () => [] }).replicasOf(0)); // []
   * ```
   */
  replicasOf(slot: number): readonly ClusterNode[] {
    return this.#shardOf(slot)?.replicas ?? [];
  }

  /**
   * Every known node, primaries first.
   *
   * @example
   * ```ts
   * import { Topology } from "./topology.ts";
   * console.log(new Topology({ startupNodes: [], query: async () => [] }).nodes().length); // 0
   * ```
   */
  nodes(): ClusterNode[] {
    return [...this.#byName.values()];
  }

  /**
   * The known primaries.
   *
   * @example
   * ```ts
   * import { Topology } from "./topology.ts";
   * console.log(new Topology({ startupNodes: [], query: async () => [] }).primaries()); // []
   * ```
   */
  primaries(): ClusterNode[] {
    return this.nodes().filter((n) => n.serverType === "primary");
  }

  /**
   * The known replicas.
   *
   * @example
   * ```ts
   * import { Topology } from "./topology.ts";
   * console.log(new Topology({ startupNodes: [], query: async () => [] }).replicas()); // []
   * ```
   */
  replicas(): ClusterNode[] {
    return this.nodes().filter((n) => n.serverType === "replica");
  }

  /**
   * The known node named `"host:port"`, if any.
   *
   * @example
   * ```ts
   * import { Topology } from "./topology.ts";
   * console.log(new Topology({ startupNodes: [], query: async () => [] }).nodeByName("127.0.0.1:7000")); // undefined
   * ```
   */
  nodeByName(name: string): ClusterNode | undefined {
    return this.#byName.get(name);
  }

  /**
   * Whether a node is down: reported failed or loading by the last
   * discovery, or marked by `markDown` since.
   *
   * @example
   * ```ts
   * import { Topology } from "./topology.ts";
   * const t = new Topology({ startupNodes: [], query: async () => [] });
   * t.markDown("127.0.0.1:7001");
   * console.log(t.isDown("127.0.0.1:7001")); // true
   * ```
   */
  isDown(node: NodeAddress | string): boolean {
    return this.#down.has(typeof node === "string" ? node : nodeName(node.host, node.port));
  }

  /**
   * Marks a node down (its connection was lost): load balancing skips it
   * and discovery asks it last, until `markUp` or the next refresh.
   *
   * @example
   * ```ts
   * import { Topology } from "./topology.ts";
   * new Topology({ startupNodes: [], query: async () => [] }).markDown({ host: "127.0.0.1", port: 7001 });
   * ```
   */
  markDown(node: NodeAddress | string): void {
    this.#down.add(typeof node === "string" ? node : nodeName(node.host, node.port));
  }

  /**
   * Clears a `markDown`.
   *
   * @example
   * ```ts
   * import { Topology } from "./topology.ts";
   * new Topology({ startupNodes: [], query: async () => [] }).markUp("127.0.0.1:7001");
   * ```
   */
  markUp(node: NodeAddress | string): void {
    this.#down.delete(typeof node === "string" ? node : nodeName(node.host, node.port));
  }

  /**
   * Records a `MOVED` at once, without a full refresh (redis-py's
   * `_update_moved_slots`): `slot` now belongs to the node at `address`,
   * given as the server wrote it (`addressRemap` is applied here, unless
   * `remapped`: a `MOVED` with an empty host names the node that replied). A
   * replica of the slot's shard that was promoted takes the whole shard
   * over (a failover hands over every slot of the primary), with the old
   * primary as its replica; a known primary takes the slot; an unknown node
   * becomes a new shard. Returns the slot's new owner.
   *
   * @example
   * ```ts
   * import { Topology } from "./topology.ts";
   * const t = new Topology({ startupNodes: [], query: async () => [] });
   * console.log(t.patchSlot(5, { host: "127.0.0.1", port: 7002 }).name); // "127.0.0.1:7002"
   * console.log(t.slotOwner(5)?.name); // "127.0.0.1:7002"
   * ```
   */
  patchSlot(slot: number, address: NodeAddress, remapped = false): ClusterNode {
    const before = this.#ownerNames();
    const owner = this.#patchSlot(slot, address, remapped);
    this.#reportMoves(before);
    return owner;
  }

  #patchSlot(slot: number, address: NodeAddress, remapped: boolean): ClusterNode {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.#slots.length) {
      throw new DataError(`Invalid slot ${slot}`);
    }
    const target = remapped ? address : this.remap(address);
    const name = nodeName(target.host, target.port);
    const owned = this.#shards.findIndex((s) => s.primary.name === name);
    if (owned >= 0) {
      this.#slots[slot] = owned;
      return this.#shards[owned].primary;
    }
    const current = this.#shardOf(slot);
    const promoted = current?.replicas.find((r) => r.name === name);
    let shard: Shard;
    if (current !== undefined && promoted !== undefined) {
      shard = {
        primary: promoted.withServerType("primary"),
        replicas: [
          ...current.replicas.filter((r) => r !== promoted),
          current.primary.withServerType("replica"),
        ],
      };
      // In place: every slot of the shard follows at once, so a failover costs one MOVED, not one per slot.
      this.#shards[this.#slots[slot]] = shard;
      this.#byName.set(name, shard.primary);
      for (const replica of shard.replicas) this.#byName.set(replica.name, replica);
      return shard.primary;
    } else {
      const known = this.#byName.get(name);
      shard = {
        primary: known?.withServerType("primary") ?? new ClusterNode(target.host, target.port),
        replicas: [],
      };
    }
    this.#shards.push(shard);
    this.#slots[slot] = this.#shards.length - 1;
    this.#byName.set(name, shard.primary);
    for (const replica of shard.replicas) {
      if (this.#byName.get(replica.name)?.serverType !== "primary") this.#byName.set(replica.name, replica);
    }
    return shard.primary;
  }

  /**
   * Makes `map` the current topology (a copy: later patches leave `map`
   * alone) and returns the known nodes that are not in it, whose
   * connections the caller closes. Down marks are reset to the map's.
   *
   * @example
   * ```ts
   * import { Topology } from "./topology.ts";
   * import { emptySlotMap } from "./slot_map.ts";
   * const t = new Topology({ startupNodes: [], query: async () => [] });
   * console.log(t.replace(emptySlotMap())); // []
   * ```
   */
  replace(map: SlotMap): ClusterNode[] {
    const before = this.#ownerNames();
    const left = this.#replace(map);
    this.#reportMoves(before);
    return left;
  }

  #replace(map: SlotMap): ClusterNode[] {
    const byName = new Map<string, ClusterNode>();
    for (const shard of map.shards) byName.set(shard.primary.name, shard.primary);
    for (const shard of map.shards) {
      for (const replica of shard.replicas) if (!byName.has(replica.name)) byName.set(replica.name, replica);
    }
    const left = [...this.#byName.values()].filter((n) => !byName.has(n.name));
    this.#shards = [...map.shards];
    this.#slots = new Int16Array(map.slots);
    this.#down = new Set(map.down);
    this.#byName = byName;
    this.#ready = true;
    return left;
  }

  /**
   * Discovers the topology again and makes it current; resolves to the
   * current map. Single-flight: concurrent callers share one discovery.
   * Rate-limited: within `minRefreshInterval` of the end of the last
   * refresh it resolves to the current map without asking (until the first
   * success, every call asks). Known nodes are asked first (those marked
   * down last), then the startup nodes. Nodes that left, and nodes asked
   * that the map does not name, are handed to `onNodesLeft`. Rejects as {@link discover} when no node answers.
   *
   * @example
   * ```ts
   * import { Topology } from "./topology.ts";
   * let asked = 0;
   * const reply = [[0, 16383, ["127.0.0.1", 7000, "a".repeat(40), []]]];
   * const t = new Topology({
   *   startupNodes: [{ host: "127.0.0.1", port: 7000 }],
   *   query: async (_node, command) => {
   *     asked++;
   *     if (command[1] === "SHARDS") throw new Error("ERR unknown subcommand 'SHARDS'");
   *     return reply;
   *   },
   * });
   * await Promise.all([t.refresh(), t.refresh(), t.refresh()]);
   * await t.refresh();
   * console.log(asked); // 2: one discovery (SHARDS, then SLOTS)
   * ```
   */
  refresh(): Promise<SlotMap> {
    if (this.#inFlight !== undefined) return this.#inFlight;
    const interval = this.#options.minRefreshInterval ?? 500;
    if (this.#ready && this.#now() - this.#lastRefresh < interval) return Promise.resolve(this.map);
    const started = this.#now();
    const run = async (): Promise<SlotMap> => {
      let failure: Error | undefined;
      // Nodes asked that the map does not name (a seed given as "localhost", a dead seed) leave too:
      // the caller opened a connection to ask them.
      const asked = new Map<string, NodeAddress>();
      const query: TopologyQuery = (node, command) => {
        asked.set(nodeName(node.host, node.port), node);
        return this.#options.query(node, command);
      };
      try {
        const map = await discover(this.#candidates(), query, this.#options);
        const left = this.replace(map);
        for (const [name, node] of asked) {
          if (!this.#byName.has(name) && !left.some((n) => n.name === name)) {
            left.push(new ClusterNode(node.host, node.port));
          }
        }
        if (left.length > 0) this.#options.onNodesLeft?.(left);
        return this.map;
      } catch (error) {
        failure = error as Error;
        throw error;
      } finally {
        this.#lastRefresh = this.#now();
        this.#inFlight = undefined;
        this.#options.onRefreshed?.(this.#lastRefresh - started, failure);
      }
    };
    this.#inFlight = run();
    return this.#inFlight;
  }

  /**
   * The node to send a command on `slot` to: the primary for a write
   * (`readOnly` false) or without a strategy; otherwise a node chosen by
   * `strategy` (see {@link LoadBalancingStrategy}), skipping nodes that are
   * down (the primary when all are). Undefined when no node serves the slot.
   *
   * @example
   * ```ts
   * import { Topology } from "./topology.ts";
   * console.log(new Topology({ startupNodes: [], query: async () => [] }).pickNode(0, "round_robin")); // undefined
   * ```
   */
  pickNode(slot: number, strategy?: LoadBalancingStrategy, readOnly = true): ClusterNode | undefined {
    const shard = this.#shardOf(slot);
    if (shard === undefined) return undefined;
    if (!readOnly || strategy === undefined || shard.replicas.length === 0) return shard.primary;
    const up = (n: ClusterNode) => !this.#down.has(n.name);
    if (strategy === "random_replica") {
      const live = shard.replicas.filter(up);
      if (live.length === 0) return shard.primary;
      const random = this.#options.random ?? Math.random;
      return live[Math.min(live.length - 1, Math.floor(random() * live.length))];
    }
    const all = [shard.primary, ...shard.replicas];
    const replicasOnly = strategy === "round_robin_replicas";
    const start = this.#turn.get(shard.primary.name) ?? 0;
    for (let i = 0; i < all.length; i++) {
      const index = (start + i) % all.length;
      if (replicasOnly && index === 0) continue;
      if (up(all[index])) {
        this.#turn.set(shard.primary.name, (index + 1) % all.length);
        return all[index];
      }
    }
    return shard.primary;
  }

  /** Known nodes (up ones first), then the startup nodes, each once. */
  #candidates(): NodeAddress[] {
    const seen = new Set<string>();
    const out: NodeAddress[] = [];
    const add = (node: NodeAddress) => {
      const name = nodeName(node.host, node.port);
      if (!seen.has(name)) {
        seen.add(name);
        out.push(node);
      }
    };
    const known = this.nodes();
    for (const node of known) if (!this.#down.has(node.name)) add(node);
    for (const node of known) if (this.#down.has(node.name)) add(node);
    for (const node of this.#options.startupNodes) add(node);
    return out;
  }

  /** Each slot's primary by name, when `onOwnersChanged` listens (compared after a change). */
  #ownerNames(): (string | undefined)[] | undefined {
    if (this.#options.onOwnersChanged === undefined) return undefined;
    const names = this.#shards.map((s) => s.primary.name);
    return Array.from(this.#slots, (i) => i < 0 ? undefined : names[i]);
  }

  /** Tells `onOwnersChanged` which served slots have another primary than `before`. */
  #reportMoves(before: (string | undefined)[] | undefined): void {
    if (before === undefined) return;
    const after = this.#ownerNames()!;
    const moved: number[] = [];
    for (let slot = 0; slot < after.length; slot++) {
      if (before[slot] !== undefined && before[slot] !== after[slot]) moved.push(slot);
    }
    if (moved.length > 0) this.#options.onOwnersChanged!(moved);
  }

  #shardOf(slot: number): Shard | undefined {
    const index = this.#slots[slot];
    return index === undefined || index < 0 ? undefined : this.#shards[index];
  }
}
