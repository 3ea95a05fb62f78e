/**
 * `RedisCluster`: the Redis Cluster client. The same command methods as
 * `Redis`, with `execute` routing each command by its keys' slot or by its
 * command tips; one connection pool per node.
 *
 * @module
 */

import { Command, type RedisKey } from "../commands/command.ts";
import { RedisCommands } from "../commands/mod.ts";
import { checkOptionKeys, optionKeys } from "../commands/validate.ts";
import { DataError, WatchError } from "../errors.ts";
import { parseURL, type RedisOptions, validateOptions } from "../options.ts";
import { ConnectionPool } from "../pool.ts";
import type { RedisArgument, RespValue } from "../protocol/types.ts";
import { ExponentialBackoff } from "../backoff.ts";
import { Retry } from "../retry.ts";
import { retryPolicy } from "../recovery.ts";
import { Redis } from "../client.ts";
import type { TransactionOptions } from "../client.ts";
import { type AddressRemap, ClusterNode, type NodeAddress, nodeName } from "./node.ts";
import { keySlot } from "./slots.ts";
import { type LoadBalancingStrategy, Topology } from "./topology.ts";
import { loadBalancingOf, readOnlyConnections } from "./replica.ts";
import { type ClusterCommandOptions, ClusterRouter, rawReply } from "./router.ts";

export type { ClusterCommandOptions, TargetNodes } from "./router.ts";
import { type ClusterAccess, ClusterBatchRunner, watchInCluster } from "./pipeline.ts";
import { type Pipeline, PipelineImpl, type PipelineOptions } from "../pipeline.ts";
import type { WatchedPipeline } from "../watch.ts";
import { clusterScan } from "./scan.ts";
import { ClusterScript } from "./script.ts";
import type { ScanOptions } from "../commands/validate.ts";
import { Lock, type LockClass, type LockOptions } from "../lock.ts";
import type { Monitor } from "../monitor.ts";
import type { RedisEventListener } from "../client.ts";
import type { RedisEventMap } from "../events.ts";
import type { ReplyTransform } from "../commands/command.ts";
import { ClusterEvents } from "./events.ts";
import { withTransform } from "./callbacks.ts";
import { withDeadline } from "./deadline.ts";
import type { PubSub } from "../pubsub.ts";
import { clusterPubSub, type ClusterPubSubOptions } from "./pubsub.ts";
import { clusterKeyspaceFeeds } from "./keyspace.ts";
import { type KeyspaceNotificationsOptions, keyspacePlan } from "../keyspace/channels.ts";
import { KeyspaceNotifications } from "../keyspace/notifications.ts";
import { type PerNodeCommands, PerNodeExecutor } from "./per_node.ts";
import { ClusterCache } from "./cache.ts";
import { InstrumentationScope, redirected } from "../instrumentation.ts";
import type { CacheInterface } from "../cache.ts";
import type { TargetNodes } from "./router.ts";

/**
 * Options of `new RedisCluster(options)`: every connection option of
 * `Redis` (applied to every node connection; `db` must be 0) plus the
 * cluster's own. `host`/`port`, when given, are one more startup node.
 *
 * @example
 * ```ts
 * import type { RedisClusterOptions } from "@uniredis/redis";
 * const options: RedisClusterOptions = {
 *   startupNodes: [{ host: "127.0.0.1", port: 7000 }],
 *   maxRedirections: 16,
 *   topologyRefreshInterval: 30_000,
 *   socketTimeout: 5_000,
 * };
 * console.log(options.startupNodes?.length); // 1
 * ```
 */
export interface RedisClusterOptions<D extends boolean = boolean>
  extends Omit<RedisOptions<D>, "connectionPool" | "singleConnectionClient" | "path"> {
  /** Nodes asked for the topology (default: `host`/`port`, else `localhost:6379`); kept as a fallback forever. */
  startupNodes?: readonly NodeAddress[];
  /** Translates every address the servers announce (NAT, containers). */
  addressRemap?: AddressRemap;
  /** Most `MOVED`/`ASK` redirections followed for one command (default 16), then a `ClusterError`. */
  maxRedirections?: number;
  /** Milliseconds between background topology checks (default 30,000; 0 turns them off). */
  topologyRefreshInterval?: number;
  /**
   * Sends read-only commands routed by key to the slot's replicas as well
   * (see `LoadBalancingStrategy`); writes always go to the primary. Default:
   * every command to the primary.
   */
  loadBalancingStrategy?: LoadBalancingStrategy;
  /** redis-py's `read_from_replicas`: `true` is `loadBalancingStrategy: "round_robin"`. */
  readFromReplicas?: boolean;
}

const CLUSTER_KEYS = [
  "startupNodes",
  "addressRemap",
  "maxRedirections",
  "topologyRefreshInterval",
  "loadBalancingStrategy",
  "readFromReplicas",
] as const;
const _everyClusterOptionListed: Exclude<
  keyof RedisClusterOptions,
  keyof RedisOptions | typeof CLUSTER_KEYS[number]
> extends never ? true
  : never = true;

const COMMAND_OPTION_KEYS = optionKeys<ClusterCommandOptions>({
  timeout: true,
  signal: true,
  targetNodes: true,
});
const NODES_OPTION_KEYS = optionKeys<Omit<ClusterCommandOptions, "targetNodes">>({
  timeout: true,
  signal: true,
});
const TRANSACTION_KEYS = optionKeys<TransactionOptions>({ valueFromCallable: true, watchDelay: true });

/** What the client keeps per node: its pool and a `Redis` bound to it. */
interface NodeLink<D extends boolean> {
  readonly pool: ConnectionPool<D>;
}

/**
 * A Redis Cluster client (redis-py's `RedisCluster`). It discovers the
 * cluster from its startup nodes on the first command, sends each keyed
 * command to the primary that owns its slot, follows `MOVED` (patching its
 * map, then refreshing it) and `ASK` redirections, retries `CLUSTERDOWN`
 * and `TRYAGAIN` with backoff, and sends keyless commands where Redis's
 * command tips say (DBSIZE sums over the primaries, KEYS concatenates).
 * `mget`, `mset`, `del`, `exists`, `touch` and `unlink` are split per slot;
 * any other command whose keys span slots is a `DataError`, unsent.
 * Construction never connects.
 *
 * @example
 * ```ts
 * import { RedisCluster } from "@uniredis/redis";
 * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }] });
 * await rc.set("k", "v");
 * console.log(await rc.mget(["k", "other"])); // ["v", null]
 * console.log(await rc.dbsize()); // keys of the whole cluster
 * ```
 */
export class RedisCluster<D extends boolean = true> extends RedisCommands<D> implements AsyncDisposable {
  /** Target every primary (`withOptions({ targetNodes })`). */
  static readonly PRIMARIES = "primaries";
  /** Target every replica. */
  static readonly REPLICAS = "replicas";
  /** Target every node. */
  static readonly ALL_NODES = "all";
  /** Target one node picked at random. */
  static readonly RANDOM = "random";

  /** The retry policy for `CLUSTERDOWN`, `TRYAGAIN` and lost connections. */
  readonly retry: Retry;
  /**
   * The observers of this client: one scope shared by every node's pool
   * (the `instrumentation` option, else the client's own).
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }] });
   * const remove = rc.instrumentation.add({ onEvent: (e) => console.log(e.type) });
   * await rc.get("k");
   * remove();
   * ```
   */
  readonly instrumentation: InstrumentationScope;
  readonly #settings: RedisOptions<D>;
  readonly #topology: Topology;
  readonly #maxRedirections: number;
  readonly #refreshInterval: number;
  readonly #router: ClusterRouter<D>;
  readonly #retrySentTimeouts: boolean;
  /** Where read-only keyed commands may go; undefined: the primaries only. */
  readonly #loadBalancing: LoadBalancingStrategy | undefined;
  #links = new Map<string, NodeLink<D>>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  readonly #events = new ClusterEvents();
  readonly #callbacks = new Map<string, ReplyTransform<unknown>>();
  /** The client-side cache shared by every node (`cache` option). */
  readonly #cache: ClusterCache | undefined;
  /** Open pubsubs: closing the client closes them (else they would resubscribe). */
  readonly #pubsubs = new Set<PubSub<D>>();

  /** Creates a client; nothing is connected until the first command. Throws a `DataError` for invalid options. */
  constructor(options: RedisClusterOptions<D> = {}) {
    super();
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw new DataError("RedisCluster: options must be an object");
    }
    const {
      startupNodes,
      addressRemap,
      maxRedirections,
      topologyRefreshInterval,
      loadBalancingStrategy,
      readFromReplicas,
      ...rest
    } = options;
    for (const key of ["connectionPool", "singleConnectionClient", "path"]) {
      if (key in rest) throw new DataError(`RedisCluster: option ${key} is not supported in a cluster`);
    }
    validateOptions(rest as RedisOptions, "RedisCluster", CLUSTER_KEYS);
    this.#loadBalancing = loadBalancingOf({ loadBalancingStrategy, readFromReplicas });
    if (rest.db !== undefined && rest.db !== 0) {
      throw new DataError(`Invalid option db: ${rest.db} (a cluster has only database 0)`);
    }
    if (maxRedirections !== undefined && (!Number.isInteger(maxRedirections) || maxRedirections < 0)) {
      throw new DataError(`Invalid option maxRedirections: ${maxRedirections} (expected an integer >= 0)`);
    }
    if (
      topologyRefreshInterval !== undefined &&
      (typeof topologyRefreshInterval !== "number" || !(topologyRefreshInterval >= 0))
    ) {
      throw new DataError(
        `Invalid option topologyRefreshInterval: ${topologyRefreshInterval} (expected ms >= 0)`,
      );
    }
    const seeds: NodeAddress[] = [];
    if (startupNodes !== undefined) {
      if (!Array.isArray(startupNodes) || startupNodes.length === 0) {
        throw new DataError("Invalid option startupNodes (expected a non-empty array of { host, port })");
      }
      for (const node of startupNodes) {
        if (typeof node?.host !== "string" || !Number.isInteger(node.port)) {
          throw new DataError("Invalid option startupNodes (expected a non-empty array of { host, port })");
        }
        seeds.push({ host: node.host, port: node.port });
      }
    }
    if (startupNodes === undefined || rest.host !== undefined || rest.port !== undefined) {
      seeds.push({ host: rest.host ?? "localhost", port: rest.port ?? 6379 });
    }
    const {
      host: _host,
      port: _port,
      retry: _retry,
      retryOnError: _e,
      retryOnTimeout: _t,
      cache,
      ...settings
    } = rest;
    // One scope for the cluster: every node's pool gets it (see `#link`).
    const scope = this.instrumentation = rest.instrumentation ?? new InstrumentationScope();
    this.#settings = { ...settings, instrumentation: scope } as RedisOptions<D>;
    // One cache for the cluster; each node's pool gets a view of it (see `#link`).
    this.#cache = cache === undefined ? undefined : new ClusterCache(cache, scope);
    if (this.#loadBalancing !== undefined) {
      // Every node's connections, so a node keeps serving reads whatever role a failover gives it.
      this.#settings = { ...this.#settings, connectionClass: readOnlyConnections(settings.connectionClass) };
    }
    // The default rides out a failover; a `retry` given (even with 0 retries) is the user's choice.
    this.retry = rest.retry === undefined
      ? retryPolicy({ ...rest, retry: new Retry(new ExponentialBackoff({ base: 50, cap: 500 }), 10) })!
      : retryPolicy(rest) ?? rest.retry.copy();
    this.#retrySentTimeouts = rest.retryOnTimeout === true;
    this.#maxRedirections = maxRedirections ?? 16;
    this.#refreshInterval = topologyRefreshInterval ?? 30_000;
    this.#topology = new Topology({
      startupNodes: seeds,
      addressRemap,
      tls: rest.tls !== undefined && rest.tls !== false,
      query: (node, command) =>
        this.#link(node).pool.sharedConnection().send(new Command<RespValue>(command), {
          transform: rawReply,
        }),
      onNodesLeft: (nodes) => {
        for (const node of nodes) this.#dropLink(node.name);
      },
      onOwnersChanged: this.#cache && ((slots) => this.#cache!.dropSlots(slots)),
      onRefreshed: (durationMs, error) => {
        if (scope.active) scope.emit({ type: "cluster-refresh", durationMs, error });
      },
    });
    this.#router = new ClusterRouter<D>({
      topology: this.#topology,
      retry: this.retry,
      retrySentTimeouts: this.#retrySentTimeouts,
      maxRedirections: this.#maxRedirections,
      loadBalancing: this.#loadBalancing,
      pool: (node) => this.#link(node).pool,
      ready: async () => {
        if (!this.#topology.ready || this.#timer === undefined) await this.initialize();
      },
      cache: this.#cache,
      instrumentation: scope,
    });
  }

  /**
   * The client-side cache (`cache` option), with its `stats`: one for the
   * whole cluster; `undefined` when caching is off.
   *
   * @example
   * ```ts
   * import { CacheConfig, RedisCluster } from "@uniredis/redis";
   * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }], cache: new CacheConfig() });
   * await rc.get("k");
   * await rc.get("k");
   * console.log(rc.cache!.stats); // { hits: 1, misses: 1, evictions: 0, invalidations: 0 }
   * ```
   */
  get cache(): CacheInterface | undefined {
    return this.#cache?.cache;
  }

  /**
   * Creates a client from a `redis://` or `rediss://` URL: its host and
   * port are a startup node, the rest are connection options; `options`
   * override what the URL says.
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * const rc = RedisCluster.fromURL("redis://127.0.0.1:7000");
   * await rc.close();
   * ```
   */
  static fromURL<D extends boolean = true>(
    url: string,
    options: RedisClusterOptions<D> = {},
  ): RedisCluster<D> {
    const fromUrl = parseURL(url) as RedisClusterOptions<D> & { path?: string };
    if (fromUrl.path !== undefined) {
      throw new DataError("RedisCluster.fromURL: a cluster is reached over TCP");
    }
    const tls = options.tls ?? fromUrl.tls;
    const merged: RedisClusterOptions<D> = {
      ...fromUrl,
      ...options,
      tls: typeof fromUrl.tls === "object" && typeof tls === "object" ? { ...fromUrl.tls, ...tls } : tls,
    };
    if (merged.tls === undefined) delete merged.tls;
    if (merged.db === 0) delete merged.db;
    const seeds = options.startupNodes ?? [];
    return new RedisCluster<D>({
      ...merged,
      startupNodes: [{ host: fromUrl.host ?? "localhost", port: fromUrl.port ?? 6379 }, ...seeds],
      host: undefined,
      port: undefined,
    });
  }

  /**
   * Discovers the topology now (the first command does it otherwise), so
   * `getNodes()` and the other lookups have something to say. Rejects with
   * a `ConnectionError` naming each startup node when none answers.
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }] });
   * await rc.initialize();
   * console.log(rc.getPrimaries().length); // 3
   * ```
   */
  async initialize(): Promise<void> {
    if (!this.#topology.ready) await this.#topology.refresh();
    this.#schedule();
  }

  /**
   * Runs a prepared command where it belongs and resolves to its reply;
   * `options` set a timeout, an abort signal or the target nodes.
   */
  execute<T>(command: Command<T>, options?: ClusterCommandOptions): Promise<T> {
    if (command.error) return Promise.reject(command.error);
    if (options !== undefined) {
      try {
        checkOptionKeys("execute", options, COMMAND_OPTION_KEYS);
      } catch (e) {
        return Promise.reject(e);
      }
    }
    if (command.localReply) return Promise.resolve(command.localReply.value);
    if (this.#callbacks.size > 0) {
      const callback = this.#callbacks.get(command.name);
      if (callback !== undefined && !command.queued) command = withTransform(command, callback);
    }
    // The command's `timeout` bounds it whole (redirections, retries, backoff);
    // `socketTimeout` stays a bound on each attempt's reply, as on `Redis`.
    return withDeadline(
      options?.timeout,
      options?.signal,
      command.name,
      (signal) => this.#router.route(command, signal === undefined ? options : { ...options, signal }),
    );
  }

  /**
   * A view of this client whose commands all use `options`: a timeout, an
   * abort signal or `targetNodes` (redis-py's `target_nodes=`). With several
   * targets the reply is an object keyed by node name, unless the command's
   * tips merge the replies (DBSIZE sums, KEYS concatenates).
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }] });
   * const perNode = await rc.withOptions({ targetNodes: RedisCluster.ALL_NODES }).info("server");
   * console.log(Object.keys(perNode)); // ["127.0.0.1:7000", ...]
   * ```
   */
  withOptions(
    options: ClusterCommandOptions,
  ): RedisCommands<D> & { sendCommand(...args: RedisArgument[]): Promise<RespValue> } {
    checkOptionKeys("withOptions", options, COMMAND_OPTION_KEYS);
    return new ScopedClusterCommands<D>(this, options);
  }

  /**
   * The command methods sent to each of `targetNodes` (a group such as
   * `RedisCluster.ALL_NODES`, one node or a list), always resolving to one
   * reply per node name, typed so (`Record<string, T>`): no merging, even for
   * commands whose tips merge (DBSIZE, KEYS), and even for one node.
   * `withOptions({ targetNodes })` merges those and is typed as one reply.
   * `options` add a timeout or an abort signal (per node).
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }] });
   * const sizes: Record<string, number> = await rc.onNodes(RedisCluster.PRIMARIES).dbsize();
   * console.log(sizes); // { "127.0.0.1:7000": 12, ... }
   * ```
   */
  onNodes(
    targetNodes: TargetNodes,
    options: Omit<ClusterCommandOptions, "targetNodes"> = {},
  ): PerNodeCommands<D> {
    checkOptionKeys("onNodes", options, NODES_OPTION_KEYS);
    const nodes = async (): Promise<readonly ClusterNode[]> => {
      await this.initialize();
      return this.#router.resolveTargets(targetNodes);
    };
    const executor = new PerNodeExecutor<D>(
      nodes,
      (command, node) => this.execute(command, { ...options, targetNodes: node }),
      rawCommand,
    );
    return executor as unknown as PerNodeCommands<D>;
  }

  /**
   * Sends any command as given, routed by its first argument after the name
   * when it has no known keys (redis-py routes raw commands the same way
   * only with `targetNodes`): here it goes to the default node.
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }] });
   * console.log(await rc.sendCommand("ECHO", "hi")); // "hi"
   * ```
   */
  sendCommand(...args: RedisArgument[]): Promise<RespValue> {
    return this.execute(rawCommand(args));
  }

  /**
   * `MGET` split per slot, values in input order (redis-py's
   * `mget_nonatomic`; `mget` itself splits the same way here).
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }] });
   * console.log(await rc.mgetNonatomic(["a", "b"])); // [null, null]
   * ```
   */
  mgetNonatomic(keys: readonly RedisKey[]): Promise<(D extends false ? Uint8Array : string)[]> {
    return this.mget(keys as RedisKey[]) as Promise<(D extends false ? Uint8Array : string)[]>;
  }

  /**
   * `MSET` split per slot (redis-py's `mset_nonatomic`): one MSET per slot,
   * resolving to each one's reply, slots in order of first appearance.
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }] });
   * console.log(await rc.msetNonatomic({ a: 1, b: 2 })); // [true, true]
   * ```
   */
  msetNonatomic(
    mapping:
      | Record<string, RedisArgument>
      | Map<RedisKey, RedisArgument>
      | readonly [RedisKey, RedisArgument][],
  ): Promise<boolean[]> {
    const pairs: [RedisKey, RedisArgument][] = mapping instanceof Map
      ? [...mapping]
      : Array.isArray(mapping)
      ? [...mapping as [RedisKey, RedisArgument][]]
      : typeof mapping === "object" && mapping !== null
      ? Object.entries(mapping)
      : [];
    if (pairs.length === 0) return Promise.reject(new DataError("msetNonatomic: mapping must not be empty"));
    const bySlot = new Map<number, [RedisKey, RedisArgument][]>();
    for (const pair of pairs) {
      const slot = keySlot(pair[0]);
      bySlot.set(slot, [...bySlot.get(slot) ?? [], pair]);
    }
    return Promise.all([...bySlot.values()].map((group) => this.mset(group)));
  }

  /**
   * SCAN on a cluster: a cursor belongs to one node, so as redis-py's
   * cluster `scan`, `scan(0)` asks every primary and resolves to one
   * `[cursor, keys]` per node name (so typed when the cursor is the literal
   * `0`, `"0"` or `0n`; through a `RedisCommands` reference or a `string`
   * cursor variable it is typed as `Redis.scan`'s reply); go on
   * with one node through `withOptions({ targetNodes: node }).scan(cursor)`,
   * or use `scanIter`. A non-zero cursor without a target node is a `DataError`.
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }] });
   * const perNode = await rc.scan(0); // Record<string, [string, string[]]>
   * for (const [name, [cursor]] of Object.entries(perNode)) {
   *   const node = rc.getNode({ name })!;
   *   if (cursor !== "0") await rc.withOptions({ targetNodes: node }).scan(cursor);
   * }
   * ```
   */
  override scan(
    cursor?: 0 | "0" | 0n,
    options?: ScanOptions,
  ): Promise<Record<string, [string, (D extends false ? Uint8Array : string)[]]>>;
  /** Any other cursor is one node's: through `withOptions({ targetNodes: node })` only (else a `DataError`). */
  override scan(
    cursor?: string | number | bigint,
    options?: ScanOptions,
  ): Promise<[string, (D extends false ? Uint8Array : string)[]]>;
  override scan(
    cursor: string | number | bigint = 0,
    options?: ScanOptions,
  ): Promise<unknown> {
    if (String(cursor) !== "0") {
      return Promise.reject(
        new DataError(
          `scan: cursor ${String(cursor)} belongs to one node; ` +
            `use withOptions({ targetNodes: node }).scan(cursor) or scanIter()`,
        ),
      );
    }
    return super.scan(cursor, options);
  }

  /**
   * Iterates over the keys of the whole cluster: every primary's SCAN cursor
   * is walked to its end (redis-py's cluster `scan_iter`). A failover or a
   * reshard during the scan is ridden out: the slots a node lost, or whose
   * walk an error cut short, are walked again on their new owner, so every
   * key present for the whole scan is yielded at least once (some twice).
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }] });
   * for await (const key of rc.scanIter({ match: "user:*", count: 500 })) console.log(key);
   * ```
   */
  override scanIter(
    options?: ScanOptions,
  ): AsyncGenerator<D extends false ? Uint8Array : string, void, undefined> {
    type K = D extends false ? Uint8Array : string;
    return clusterScan<K>({
      owner: (slot) => this.#topology.slotOwner(slot),
      refresh: () => this.#topology.ready ? this.#topology.refresh() : this.initialize(),
      scanNode: (node, cursor, opts) =>
        this.withOptions({ targetNodes: node }).scan(cursor, opts) as Promise<[string, K[]]>,
      clusterNodes: (node) => this.withOptions({ targetNodes: node }).sendCommand("CLUSTER", "NODES"),
    }, options);
  }

  /**
   * Registers a Lua script (redis-py's `register_script`): `run({ keys })`
   * sends EVALSHA to the keys' node (a random primary without keys) and, on
   * `NOSCRIPT`, loads the script on that node and runs it again.
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }] });
   * const double = rc.registerScript("return ARGV[1] * 2");
   * console.log(await double.run({ args: [21] })); // 42
   * ```
   */
  registerScript(source: string): ClusterScript {
    return new ClusterScript({
      commands: this as RedisCommands<boolean>,
      on: (node) => this.withOptions({ targetNodes: node }) as RedisCommands<boolean>,
      owner: async (slot) => {
        await this.initialize();
        return this.#router.owner(slot);
      },
      randomPrimary: async () => {
        await this.initialize();
        return this.#router.defaultNode();
      },
    }, source);
  }

  /**
   * A distributed lock on the key `name`, as `Redis.lock` (redis-py's
   * `lock`): the lock's scripts run on the owner of `name`'s slot.
   * Durations in milliseconds; nothing is sent until `acquire()`.
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }] });
   * const lock = rc.lock("report", { timeout: 10_000 });
   * if (await lock.acquire({ blocking: false })) {
   *   try {
   *     // ... the work only one process may do
   *   } finally {
   *     await lock.release();
   *   }
   * }
   * ```
   */
  lock<L extends Lock = Lock>(name: RedisKey, options?: LockOptions & { lockClass?: LockClass<L> }): L {
    const lockClass = options?.lockClass ?? Lock;
    if (typeof lockClass !== "function" || (lockClass !== Lock && !(lockClass.prototype instanceof Lock))) {
      throw new DataError("Invalid option lockClass (expected Lock or a subclass of it)");
    }
    return new lockClass(this as RedisCommands<boolean>, name, options) as L;
  }

  /**
   * Starts MONITOR on one node (redis-py's `monitor(target_node)`; default:
   * a primary picked at random) on a connection borrowed from that node's
   * pool: an async iterable of the commands that node processes. A cluster
   * has no cluster-wide MONITOR: start one per node to watch several.
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }] });
   * await rc.initialize();
   * await using monitor = await rc.monitor(rc.getNodeFromKey("user:1"));
   * for await (const { args } of monitor) console.log(args.join(" "));
   * ```
   */
  async monitor(node?: NodeAddress): Promise<Monitor> {
    if (node !== undefined && (typeof node?.host !== "string" || !Number.isInteger(node.port))) {
      throw new DataError("monitor: expected a node ({ host, port }, e.g. a ClusterNode)");
    }
    await this.initialize();
    return await this.nodeClient(node ?? this.#router.defaultNode()).monitor();
  }

  /**
   * Subscriptions over the cluster, with the API of `Redis.pubsub()`
   * (redis-py's `ClusterPubSub`). Channels and patterns share one connection
   * to one node (a PUBLISH on any node reaches every node); shard channels
   * get a connection to each primary owning their slots (SSUBSCRIBE sent
   * per slot). When a node dies, a slot fails over or migrates, the
   * subscriptions move to a live node or the slot's new owner by
   * themselves; `channels`, `patterns` and `shardChannels` keep listing
   * everything asked for. `node` picks the node of channels and patterns.
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }] });
   * await using p = rc.pubsub({ ignoreSubscribeMessages: true });
   * await p.subscribe("news");
   * await p.ssubscribe("orders:{eu}", "orders:{us}");
   * await rc.spublish("orders:{eu}", "42");
   * console.log(await p.getMessage({ timeout: 1_000 }));
   * // { type: "smessage", pattern: null, channel: "orders:{eu}", data: "42" }
   * ```
   */
  pubsub(options?: ClusterPubSubOptions): PubSub<D> {
    const pubsub = clusterPubSub<D>({
      topology: this.#topology,
      ready: async () => {
        if (!this.#topology.ready || this.#timer === undefined) await this.initialize();
      },
      pool: (node) => this.#link(node).pool,
      backoff: this.retry.backoff,
      forget: (p) => this.#pubsubs.delete(p),
      instrumentation: this.instrumentation,
    }, options);
    this.#pubsubs.add(pubsub);
    return pubsub;
  }

  /**
   * Keyspace notifications over the cluster (redis-py's
   * `ClusterKeyspaceNotifications`), with the options of
   * `Redis.keyspaceNotifications()` (database 0 only). A node notifies only
   * of its own keys, so it subscribes on every primary, each on a
   * connection of its own; `configure` applies to each primary as it is
   * subscribed. When a primary fails over or a primary joins, the new
   * primary is subscribed (and configured) once the client's topology shows
   * it: at once after a lost connection or a `MOVED`, else within about 6 s
   * (the topology is refreshed every 5 s while it is open); a node that is
   * no longer a primary is left. Replicas are not subscribed (they would
   * repeat their primary's events, with an expiry as a `del`). Events on a
   * node while it is not subscribed are lost, as with any pubsub.
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }] });
   * await using kn = await rc.keyspaceNotifications({ events: ["expired"], configure: true });
   * await rc.set("session:1", "x", { px: 10 });
   * for await (const { key } of kn) {
   *   console.log(key); // "session:1"
   *   break;
   * }
   * ```
   */
  async keyspaceNotifications(options: KeyspaceNotificationsOptions = {}): Promise<KeyspaceNotifications<D>> {
    const plan = keyspacePlan(options, 0, true);
    const feeds = clusterKeyspaceFeeds<D>({
      topology: this.#topology,
      ready: async () => {
        if (!this.#topology.ready || this.#timer === undefined) await this.initialize();
      },
      pool: (node) => this.#link(node).pool,
      nodeClient: (node) => this.nodeClient(node),
      backoff: this.retry.backoff,
      track: (p) => this.#pubsubs.add(p),
      forget: (p) => this.#pubsubs.delete(p),
    });
    return await new KeyspaceNotifications<D>(plan, feeds).open();
  }

  /**
   * Replaces the reply transform of a command, as `Redis.setResponseCallback`
   * (redis-py's `set_response_callback`), on every node: it applies to each
   * node's reply, to merged replies (DBSIZE's sum, KEYS' concatenation,
   * split MGET) and to each value of a per-node reply. Pipelines keep the
   * commands' own transforms.
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }] });
   * rc.setResponseCallback("GET", (reply) => (reply === null ? 0 : Number(reply)));
   * await rc.set("n", "41");
   * console.log(await rc.get("n")); // 41 (a number now)
   * ```
   */
  setResponseCallback(name: string, callback: (reply: RespValue) => unknown): void {
    this.#callbacks.set(name.toUpperCase(), callback);
  }

  /**
   * The callback `setResponseCallback` set for the command `name`, if any.
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * const rc = new RedisCluster();
   * rc.setResponseCallback("GET", Number);
   * console.log(rc.getResponseCallback("get") === Number); // true
   * ```
   */
  getResponseCallback(name: string): ((reply: RespValue) => unknown) | undefined {
    return this.#callbacks.get(name.toUpperCase());
  }

  /**
   * Listens to the client's events, those of `Redis` (see `RedisEventMap`):
   * `connect`, `ready` and `error` for the connections of every node, each
   * event's `address` being the node's name (`"host:port"`, as
   * `ClusterNode.name`), and `end` when the client is closed. Retries are
   * not announced (`reconnecting` never fires on a cluster client).
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * const rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }] });
   * rc.addEventListener("error", (e) => console.warn(`${e.address}: ${e.error.message}`));
   * rc.addEventListener("ready", (e) => console.log(`connected to ${e.address}`));
   * await rc.close();
   * ```
   */
  addEventListener<K extends keyof RedisEventMap>(
    type: K,
    listener: RedisEventListener<RedisEventMap[K]> | null,
    options?: boolean | { once?: boolean; signal?: AbortSignal },
  ): void {
    this.#events.listen(type);
    this.#events.target.addEventListener(type, listener as EventListener | null, options);
  }

  /** Removes a listener added with `addEventListener`. */
  removeEventListener<K extends keyof RedisEventMap>(
    type: K,
    listener: RedisEventListener<RedisEventMap[K]> | null,
    options?: boolean | { capture?: boolean },
  ): void {
    this.#events.target.removeEventListener(type, listener as EventListener | null, options);
  }

  /** Dispatches an event to this client's listeners (as `EventTarget.dispatchEvent`). */
  dispatchEvent(event: Event): boolean {
    return this.#events.target.dispatchEvent(event);
  }

  /**
   * The hash slot of `key` (CRC16 with hash tags, as the server).
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * console.log(new RedisCluster().keyslot("foo")); // 12182
   * ```
   */
  keyslot(key: RedisKey): number {
    return keySlot(key);
  }

  /**
   * Every known node, primaries first (empty before the first command or `initialize()`).
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * console.log(new RedisCluster().getNodes()); // []
   * ```
   */
  getNodes(): ClusterNode[] {
    return this.#topology.nodes();
  }

  /**
   * The known primaries.
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * console.log(new RedisCluster().getPrimaries()); // []
   * ```
   */
  getPrimaries(): ClusterNode[] {
    return this.#topology.primaries();
  }

  /**
   * The known replicas.
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * console.log(new RedisCluster().getReplicas()); // []
   * ```
   */
  getReplicas(): ClusterNode[] {
    return this.#topology.replicas();
  }

  /**
   * A known node picked at random, or `undefined` before discovery.
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * console.log(new RedisCluster().getRandomNode()); // undefined
   * ```
   */
  getRandomNode(): ClusterNode | undefined {
    const nodes = this.getNodes();
    return nodes[Math.floor(Math.random() * nodes.length)];
  }

  /**
   * The known node at `host:port` (or named `name`), if any.
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * console.log(new RedisCluster().getNode({ host: "127.0.0.1", port: 7000 })); // undefined
   * ```
   */
  getNode(where: { host: string; port: number } | { name: string }): ClusterNode | undefined {
    const name = "name" in where ? where.name : nodeName(where.host, where.port);
    return this.#topology.nodeByName(name);
  }

  /**
   * The primary serving `key`'s slot, or with `replica: true` one of its
   * replicas (`undefined` when it has none or before discovery).
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * console.log(new RedisCluster().getNodeFromKey("foo")); // undefined
   * ```
   */
  getNodeFromKey(key: RedisKey, options: { replica?: boolean } = {}): ClusterNode | undefined {
    const slot = keySlot(key);
    return options.replica ? this.#topology.replicasOf(slot)[0] : this.#topology.slotOwner(slot);
  }

  /**
   * A `Redis` client bound to `node`'s connections (the cluster's pool for
   * that node, not new connections): closing it leaves the pool open.
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }] });
   * await rc.initialize();
   * const one = rc.nodeClient(rc.getPrimaries()[0]);
   * console.log(await one.dbsize()); // that node's keys only
   * ```
   */
  nodeClient(node: NodeAddress): Redis<D> {
    return new Redis<D>({ connectionPool: this.#link(node).pool });
  }

  /**
   * Starts a pipeline. `{ transaction: false }` groups the commands by slot
   * owner (one write per node) and resolves to the replies in the caller's
   * order; redirected commands are re-sent alone. A transaction (the
   * default) needs every key in one slot (`ClusterCrossSlotError`, unsent)
   * and runs MULTI/EXEC on that slot's owner.
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }] });
   * const [ok, v] = await rc.pipeline({ transaction: false }).set("a", 1).get("b").exec();
   * const [n] = await rc.pipeline().incr("{u}a").incr("{u}b").exec(); // one slot: {u}
   * ```
   */
  pipeline(options?: PipelineOptions): Pipeline<D, []> {
    const runner = new ClusterBatchRunner(this.#access(), options?.transaction ?? true);
    return new PipelineImpl<D>(runner, options) as unknown as Pipeline<D, []>;
  }

  /**
   * `Redis.transaction` in a cluster: WATCH/MULTI/EXEC on the owner of the
   * watched keys' slot (a connection borrowed from its pool), retrying while
   * a watched key changes. Watches across slots are a `ClusterCrossSlotError`, unsent.
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }] });
   * await rc.transaction(async (pipe) => {
   *   const n = Number(await pipe.get("{u}a") ?? 0);
   *   pipe.multi().set("{u}a", n + 1).set("{u}b", n);
   * }, "{u}a", "{u}b");
   * ```
   */
  transaction<T>(
    fn: (pipe: WatchedPipeline<D>) => T | Promise<T>,
    ...args: [...watches: RedisKey[], options: TransactionOptions & { valueFromCallable: true }]
  ): Promise<T>;
  /** Without `valueFromCallable`: resolves to the transaction's replies. */
  transaction(
    fn: (pipe: WatchedPipeline<D>) => unknown,
    ...args: RedisKey[] | [...watches: RedisKey[], options: TransactionOptions]
  ): Promise<unknown[]>;
  async transaction(
    fn: (pipe: WatchedPipeline<D>) => unknown,
    ...args: (RedisKey | TransactionOptions)[]
  ): Promise<unknown> {
    const last = args[args.length - 1];
    const hasOptions = typeof last === "object" && last !== null && !(last instanceof Uint8Array);
    const options = (hasOptions ? args.pop() : {}) as TransactionOptions;
    checkOptionKeys("transaction", options, TRANSACTION_KEYS);
    for (;;) {
      let pipe: WatchedPipeline<D> | undefined;
      try {
        pipe = await watchInCluster<D>(this.#access(), args as RedisKey[]);
        const value = await fn(pipe);
        const replies = await pipe.exec();
        return options.valueFromCallable ? value : replies;
      } catch (error) {
        if (!(error instanceof WatchError)) throw error;
        if (options.watchDelay) await new Promise((resolve) => setTimeout(resolve, options.watchDelay));
      } finally {
        await pipe?.reset();
      }
    }
  }

  /** What the pipeline module needs of this client's routing state. */
  #access(): ClusterAccess {
    return {
      ready: async () => {
        if (!this.#topology.ready || this.#timer === undefined) await this.initialize();
      },
      slotOwner: (slot) => this.#topology.slotOwner(slot),
      readNode: (slot) => this.#topology.pickNode(slot, this.#loadBalancing),
      markDown: (node) => this.#topology.markDown(node.name),
      anyPrimary: () => this.#router.defaultNode(),
      pool: (node) => this.#link(node).pool,
      moved: (slot, error, from) => {
        const node = this.#topology.patchSlot(slot, error.host === "" ? from : error, error.host === "");
        redirected(this.instrumentation, "MOVED", slot, node);
        this.#topology.refresh().catch(() => {});
        return node;
      },
      askTarget: (error, from) => {
        this.#cache?.dropSlots([error.slot]);
        const address = error.host === "" ? from : this.#topology.remap(error);
        const node = this.#topology.nodeByName(nodeName(address.host, address.port)) ??
          new ClusterNode(address.host, address.port);
        redirected(this.instrumentation, "ASK", error.slot, node);
        return node;
      },
      refresh: () => this.#topology.refresh().then(() => {}, () => {}),
      execute: (command) => this.execute(command),
      callbacks: this.#callbacks,
      retry: this.retry,
      retrySentTimeouts: this.#retrySentTimeouts,
      maxRedirections: this.#maxRedirections,
      instrumentation: this.instrumentation,
    };
  }

  /**
   * Closes every node's connections gracefully (see `Redis.close`) and stops
   * the background topology checks. Its pubsubs are closed. A later command
   * starts over.
   */
  async close(): Promise<void> {
    await Promise.all([...this.#pubsubs].map((p) => p.close()));
    this.#stopTimer();
    const links = [...this.#links.values()];
    this.#links.clear();
    await Promise.all(links.map((link) => link.pool.close()));
    this.#endEvents(links);
  }

  /**
   * Drops every node's connections at once (pending commands reject) and
   * stops the background checks. Its pubsubs are closed.
   */
  async disconnect(): Promise<void> {
    await Promise.all([...this.#pubsubs].map((p) => p.close()));
    this.#stopTimer();
    const links = [...this.#links.values()];
    this.#links.clear();
    await Promise.all(links.map((link) => link.pool.disconnect()));
    this.#endEvents(links);
  }

  #endEvents(links: readonly NodeLink<D>[]): void {
    for (const link of links) this.#events.unwatch(link.pool as ConnectionPool<boolean>);
    this.#events.end();
  }

  /** Closes the client (`await using rc = new RedisCluster(...)`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #stopTimer(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Keeps one background refresh pending while the client is in use (cleared by `close()`). */
  #schedule(): void {
    this.#closed = false;
    if (this.#refreshInterval <= 0 || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#closed) return;
      this.#topology.refresh().catch(() => {}).finally(() => {
        if (!this.#closed) this.#schedule();
      });
    }, this.#refreshInterval);
  }

  #link(node: NodeAddress): NodeLink<D> {
    const name = nodeName(node.host, node.port);
    let link = this.#links.get(name);
    if (link === undefined) {
      const cache = this.#cache?.nodeView(name);
      link = {
        pool: new ConnectionPool<D>({
          ...this.#settings,
          host: node.host,
          port: node.port,
          ...(cache && { cache }),
        }),
      };
      this.#links.set(name, link);
      this.#events.watch(link.pool as ConnectionPool<boolean>);
    }
    return link;
  }

  #dropLink(name: string): void {
    const link = this.#links.get(name);
    if (link === undefined) return;
    this.#links.delete(name);
    this.#events.unwatch(link.pool as ConnectionPool<boolean>);
    link.pool.close().catch(() => {});
  }
}

/** The cluster's commands with fixed per-command options (`RedisCluster.withOptions`). */
class ScopedClusterCommands<D extends boolean> extends RedisCommands<D> {
  readonly #client: RedisCluster<D>;
  readonly #options: ClusterCommandOptions;

  constructor(client: RedisCluster<D>, options: ClusterCommandOptions) {
    super();
    this.#client = client;
    this.#options = options;
  }

  execute<T>(command: Command<T>): Promise<T> {
    return this.#client.execute(command, this.#options);
  }

  sendCommand(...args: RedisArgument[]): Promise<RespValue> {
    return this.execute(rawCommand(args));
  }
}

function rawCommand(args: RedisArgument[]): Command<RespValue> {
  if (args.length === 0) return new Command<RespValue>("").fail("sendCommand needs a command name");
  const [name, ...rest] = args;
  return new Command<RespValue>(String(name)).argsOf(rest);
}
