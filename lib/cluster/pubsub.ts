/**
 * Pub/sub on a cluster (redis-py's `ClusterPubSub`): channels and patterns
 * on one connection to any node (a PUBLISH reaches every node), shard
 * channels on a connection to each node owning their slots, all following
 * node deaths, failovers and migrations.
 *
 * @module
 */

import type { RedisKey } from "../commands/command.ts";
import { ConnectionError, DataError } from "../errors.ts";
import type { ConnectionPool } from "../pool.ts";
import type { Backoff } from "../backoff.ts";
import { PubSub, type PubSubOptions } from "../pubsub.ts";
import type { PubSubRouter, SubscriptionKind } from "../pubsub_link.ts";
import { type NodeAddress, nodeName } from "./node.ts";
import { keySlot } from "./slots.ts";
import type { Topology } from "./topology.ts";
import type { InstrumentationScope } from "../instrumentation.ts";

/**
 * Options of `RedisCluster.pubsub()`: those of `Redis.pubsub()`, and the
 * node for channels and patterns (redis-py's `rc.pubsub(node)`).
 *
 * @example
 * ```ts
 * import type { ClusterPubSubOptions } from "@uniredis/redis";
 * const o: ClusterPubSubOptions = { node: { host: "127.0.0.1", port: 7001 }, ignoreSubscribeMessages: true };
 * console.log(o.node?.port); // 7001
 * ```
 */
export interface ClusterPubSubOptions extends PubSubOptions {
  /**
   * Where channels and patterns are subscribed (default: a live node picked
   * at random). While it is down they move to another node, as without it.
   */
  node?: NodeAddress;
}

/** What a cluster pubsub needs of its `RedisCluster`. */
export interface ClusterPubSubAccess<D extends boolean> {
  /** The client's topology: slot owners, live nodes, refreshes. */
  readonly topology: Topology;
  /** Discovers the topology (and starts its background checks) if not done yet. */
  ready(): Promise<void>;
  /** The node's connection pool. */
  pool(node: NodeAddress): ConnectionPool<D>;
  /** Spacing of attempts to subscribe again. */
  readonly backoff: Backoff;
  /** Told when the pubsub is closed. */
  forget(pubsub: PubSub<D>): void;
  /** The client's observers (messages received, reconnects). */
  readonly instrumentation?: InstrumentationScope;
}

/** The link of channels and patterns: any node will do. */
const ANY_NODE = "*";
/** How long a node whose pubsub connection failed is not picked again for channels and patterns. */
const AVOID_MS = 10_000;

/** A pubsub whose subscriptions are routed over the cluster's nodes. */
export function clusterPubSub<D extends boolean>(
  access: ClusterPubSubAccess<D>,
  options: ClusterPubSubOptions = {},
): PubSub<D> {
  const { node, ...rest } = typeof options === "object" && options !== null ? options : {};
  if (node !== undefined && (typeof node?.host !== "string" || !Number.isInteger(node.port))) {
    throw new DataError("pubsub: option node must be a node ({ host, port }, e.g. a ClusterNode)");
  }
  // Anything else is checked by `PubSub` (a non-object included).
  const pubsubOptions = typeof options === "object" && options !== null ? rest : options;
  return new PubSub<D>({
    pubsubRouter: clusterRouter(access, node && { host: node.host, port: node.port }),
    get reconnectBackoff() {
      return access.backoff;
    },
    forgetPubSub: (pubsub) => access.forget(pubsub),
    instrumentation: access.instrumentation,
  }, pubsubOptions);
}

function clusterRouter<D extends boolean>(
  access: ClusterPubSubAccess<D>,
  preferred: NodeAddress | undefined,
): PubSubRouter<D> {
  const topology = access.topology;
  /** The node the channels and patterns are on (or were, until lost). */
  let anyNode: NodeAddress | undefined;
  const avoid = new Map<string, number>();

  const pickAnyNode = (): NodeAddress => {
    const now = Date.now();
    // The node asked for, unless it failed us lately (whatever the topology says of it: it may be loading).
    if (preferred && !((avoid.get(nodeName(preferred.host, preferred.port)) ?? 0) > now)) return preferred;
    const nodes = topology.nodes();
    const fresh = nodes.filter((n) => !((avoid.get(n.name) ?? 0) > now));
    const live = fresh.filter((n) => !topology.isDown(n));
    const pool = live.length > 0 ? live : fresh.length > 0 ? fresh : nodes;
    if (pool.length === 0) throw new ConnectionError("No cluster node known to subscribe on");
    return pool[Math.floor(Math.random() * pool.length)];
  };

  const nodeOf = (link: string): NodeAddress => {
    const node = topology.nodeByName(link);
    if (node) return node;
    const colon = link.lastIndexOf(":");
    return { host: link.slice(0, colon), port: Number(link.slice(colon + 1)) };
  };

  return {
    ready: () => access.ready(),
    route: (kind: SubscriptionKind, name: RedisKey) => {
      if (kind !== "shard") return ANY_NODE;
      return topology.slotOwner(keySlot(name))?.name;
    },
    group: (kind: SubscriptionKind, name: RedisKey) => kind === "shard" ? String(keySlot(name)) : "",
    pool: (link: string) => {
      if (link !== ANY_NODE) return access.pool(nodeOf(link));
      anyNode = pickAnyNode();
      return access.pool(anyNode);
    },
    lost: async (link: string, address: string | undefined) => {
      const name = link === ANY_NODE ? anyNode && nodeName(anyNode.host, anyNode.port) : link;
      if (name !== undefined && (link === ANY_NODE || address !== undefined)) {
        if (link === ANY_NODE) avoid.set(name, Date.now() + AVOID_MS);
        topology.markDown(name);
      }
      await topology.refresh().catch(() => {});
    },
    refresh: () => topology.refresh().then(() => {}, () => {}),
    moved: async (slot: number, host: string, port: number, link: string) => {
      // An empty host names the node that replied.
      const from = link === ANY_NODE ? anyNode : nodeOf(link);
      if (host === "" && from === undefined) return;
      topology.patchSlot(slot, host === "" ? from! : { host, port }, host === "");
      await topology.refresh().catch(() => {});
    },
    keepIdle: (link: string) => link === ANY_NODE,
  };
}
