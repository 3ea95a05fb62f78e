/**
 * Keyspace notifications on a cluster: a node only notifies of the keys it
 * holds, so there is one pubsub per primary, each pinned to its node, kept
 * in step with the topology (a replica promoted, a primary added or gone).
 *
 * @module
 */

import type { Backoff } from "../backoff.ts";
import type { ConnectionPool } from "../pool.ts";
import { PubSub } from "../pubsub.ts";
import type { PubSubRouter } from "../pubsub_link.ts";
import type { KeyspacePlan } from "../keyspace/channels.ts";
import { type ConfigClient, configureKeyspace } from "../keyspace/configure.ts";
import type { FeedSink, KeyspaceFeeds } from "../keyspace/notifications.ts";
import { subscribeAll } from "../keyspace/standalone.ts";
import type { ClusterNode } from "./node.ts";
import type { Topology } from "./topology.ts";

/** What it needs of its `RedisCluster`. */
export interface ClusterKeyspaceAccess<D extends boolean> {
  readonly topology: Topology;
  /** Discovers the topology (and starts its background checks) if not done yet. */
  ready(): Promise<void>;
  /** The node's connection pool. */
  pool(node: ClusterNode): ConnectionPool<D>;
  /** A client of one node, for CONFIG GET/SET. */
  nodeClient(node: ClusterNode): ConfigClient;
  /** Spacing of attempts to subscribe again. */
  readonly backoff: Backoff;
  /** Tracks an open pubsub (the client closes it when closed). */
  track(pubsub: PubSub<D>): void;
  /** Stops tracking a closed pubsub. */
  forget(pubsub: PubSub<D>): void;
}

/** How often the known primaries are compared with the pubsubs (no I/O). */
const CHECK_MS = 1_000;
/**
 * How often (in checks) the topology is refreshed. The client refreshes it on
 * a `MOVED` and every `topologyRefreshInterval` (30 s by default), and these
 * pubsubs when they lose their node; but a manual failover loses no
 * connection (the demoted node stays up, as a replica) and a client that only
 * listens gets no `MOVED`.
 */
const REFRESH_EVERY = 5;

/** One pubsub per primary; `configure` applies to each primary as it is subscribed. */
export function clusterKeyspaceFeeds<D extends boolean>(access: ClusterKeyspaceAccess<D>): KeyspaceFeeds<D> {
  const topology = access.topology;
  const byNode = new Map<string, PubSub<D>>();
  let plan: KeyspacePlan;
  let sink: FeedSink<D>;
  let closed = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  let syncing: Promise<void> | undefined;
  let again = false;

  /** A pubsub that only ever uses `node` (it retries it until closed: `sync` retires it when demoted). */
  const nodePubSub = (node: ClusterNode): PubSub<D> => {
    const changed = () => {
      void sync().catch(() => {});
    };
    const router: PubSubRouter<D> = {
      ready: () => access.ready(),
      route: () => node.name,
      group: () => "",
      pool: () => access.pool(node),
      lost: async () => {
        topology.markDown(node.name);
        await topology.refresh().catch(() => {});
        changed();
      },
      refresh: () => topology.refresh().then(changed, () => {}),
      moved: () => Promise.resolve(),
      keepIdle: () => true,
    };
    const pubsub = new PubSub<D>({
      pubsubRouter: router,
      get reconnectBackoff() {
        return access.backoff;
      },
      forgetPubSub: (p) => access.forget(p),
    }, { ignoreSubscribeMessages: true });
    access.track(pubsub);
    return pubsub;
  };

  const open = async (node: ClusterNode): Promise<void> => {
    if (plan.configure !== undefined) await configureKeyspace(access.nodeClient(node), plan.configure);
    const pubsub = nodePubSub(node);
    await subscribeAll(pubsub, plan);
    if (closed || byNode.has(node.name)) {
      await pubsub.close();
      return;
    }
    byNode.set(node.name, pubsub);
    sink.add(pubsub);
  };

  /** Brings the pubsubs in line with the primaries; single-flight, run again if asked meanwhile. */
  const sync = (): Promise<void> => {
    if (syncing) {
      again = true;
      return syncing;
    }
    syncing = (async () => {
      do {
        again = false;
        if (closed) return;
        await access.ready();
        const primaries = topology.primaries();
        const names = new Set(primaries.map((n) => n.name));
        for (const [name, pubsub] of [...byNode]) {
          if (names.has(name)) continue;
          byNode.delete(name);
          sink.retire(pubsub);
          await pubsub.close();
        }
        const fresh = primaries.filter((n) => !byNode.has(n.name));
        const results = await Promise.allSettled(fresh.map(open));
        const failed = results.find((r) => r.status === "rejected");
        if (failed) throw (failed as PromiseRejectedResult).reason;
      } while (again && !closed);
    })().finally(() => syncing = undefined);
    return syncing;
  };

  const differs = (): boolean => {
    const primaries = topology.primaries();
    return primaries.length !== byNode.size || primaries.some((n) => !byNode.has(n.name));
  };

  return {
    async open(p: KeyspacePlan, s: FeedSink<D>): Promise<void> {
      plan = p;
      sink = s;
      await sync();
      // A primary that failed to subscribe is tried again here, as are new ones.
      let ticks = 0;
      timer = setInterval(() => {
        if (closed) return;
        const check = () => {
          if (!closed && differs()) void sync().catch(() => {});
        };
        if (++ticks % REFRESH_EVERY === 0) topology.refresh().then(check, () => {});
        else check();
      }, CHECK_MS);
    },
    async close(): Promise<void> {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      const all = [...byNode.values()];
      byNode.clear();
      await Promise.all(all.map((p) => p.close()));
    },
  };
}
