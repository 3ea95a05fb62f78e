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
import { isReadOnly } from "../commands/read_only.ts";
import type { Connection, SendOptions } from "../connection.ts";
import {
  AskError,
  AuthenticationError,
  ClusterDownError,
  ClusterError,
  ConnectionError,
  DataError,
  MaxConnectionsError,
  MovedError,
  SlotNotCoveredError,
  TimeoutError,
  TryAgainError,
} from "../errors.ts";
import { parseURL, type RedisOptions, validateOptions } from "../options.ts";
import { ConnectionPool } from "../pool.ts";
import type { RedisArgument, RespValue } from "../protocol/types.ts";
import { ExponentialBackoff } from "../backoff.ts";
import { Retry } from "../retry.ts";
import { retryPolicy } from "../recovery.ts";
import { Redis } from "../client.ts";
import type { CommandOptions, TransactionOptions } from "../client.ts";
import { type AddressRemap, ClusterNode, type NodeAddress, nodeName } from "./node.ts";
import { defaultTarget, requestPolicy, responsePolicy } from "./policies.ts";
import { keySlot, slotsOf } from "./slots.ts";
import { Topology } from "./topology.ts";
import { isSplit, joinParts, mergeReplies, splitBySlot } from "./merge.ts";
import { type ClusterAccess, ClusterBatchRunner, watchInCluster } from "./pipeline.ts";
import { type Pipeline, PipelineImpl, type PipelineOptions } from "../pipeline.ts";
import type { WatchedPipeline } from "../watch.ts";
import { WatchError } from "../errors.ts";
import { clusterScan } from "./scan.ts";
import { ClusterScript } from "./script.ts";
import type { ScanOptions } from "../commands/validate.ts";

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
}

const CLUSTER_KEYS = ["startupNodes", "addressRemap", "maxRedirections", "topologyRefreshInterval"] as const;
const _everyClusterOptionListed: Exclude<
  keyof RedisClusterOptions,
  keyof RedisOptions | typeof CLUSTER_KEYS[number]
> extends never ? true
  : never = true;

/**
 * Where a command goes, when not where its keys or tips say: a group of
 * nodes (`RedisCluster.PRIMARIES`, `REPLICAS`, `ALL_NODES`, `RANDOM`), one
 * node, or a list of nodes.
 *
 * @example
 * ```ts
 * import { RedisCluster, type TargetNodes } from "@uniredis/redis";
 * const everywhere: TargetNodes = RedisCluster.ALL_NODES;
 * console.log(everywhere); // "all"
 * ```
 */
export type TargetNodes = "primaries" | "replicas" | "all" | "random" | ClusterNode | readonly ClusterNode[];

/**
 * Per-command settings of `RedisCluster.withOptions` and `RedisCluster.execute`:
 * those of `Redis` plus `targetNodes`.
 *
 * @example
 * ```ts
 * import { RedisCluster, type ClusterCommandOptions } from "@uniredis/redis";
 * const o: ClusterCommandOptions = { targetNodes: RedisCluster.PRIMARIES, timeout: 500 };
 * console.log(o.targetNodes); // "primaries"
 * ```
 */
export interface ClusterCommandOptions extends CommandOptions {
  /** The nodes to send to instead of the command's default destination. */
  targetNodes?: TargetNodes;
}

const COMMAND_OPTION_KEYS = optionKeys<ClusterCommandOptions>({
  timeout: true,
  signal: true,
  targetNodes: true,
});
const TRANSACTION_KEYS = optionKeys<TransactionOptions>({ valueFromCallable: true, watchDelay: true });
const GROUPS = new Set(["primaries", "replicas", "all", "random"]);

/** What the client keeps per node: its pool and a `Redis` bound to it. */
interface NodeLink<D extends boolean> {
  readonly pool: ConnectionPool<D>;
}

const rawReply = (reply: RespValue): RespValue => reply;

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
  readonly #settings: RedisOptions<D>;
  readonly #topology: Topology;
  readonly #maxRedirections: number;
  readonly #refreshInterval: number;
  #links = new Map<string, NodeLink<D>>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  /** Creates a client; nothing is connected until the first command. Throws a `DataError` for invalid options. */
  constructor(options: RedisClusterOptions<D> = {}) {
    super();
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw new DataError("RedisCluster: options must be an object");
    }
    const { startupNodes, addressRemap, maxRedirections, topologyRefreshInterval, ...rest } = options;
    for (const key of ["connectionPool", "singleConnectionClient", "path"]) {
      if (key in rest) throw new DataError(`RedisCluster: option ${key} is not supported in a cluster`);
    }
    validateOptions(rest as RedisOptions, "RedisCluster", CLUSTER_KEYS);
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
    const { host: _host, port: _port, retry: _retry, retryOnError: _e, retryOnTimeout: _t, ...settings } =
      rest;
    this.#settings = settings as RedisOptions<D>;
    this.retry = retryPolicy(rest) ?? new Retry(new ExponentialBackoff({ base: 50, cap: 500 }), 10);
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
    });
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
    return this.#route(command, options);
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
   * `[cursor, keys]` per node name (typed as `Redis.scan`'s reply); go on
   * with one node through `withOptions({ targetNodes: node }).scan(cursor)`,
   * or use `scanIter`. A non-zero cursor without a target node is a `DataError`.
   *
   * @example
   * ```ts
   * import { RedisCluster } from "@uniredis/redis";
   * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }] });
   * const perNode = await rc.scan(0) as unknown as Record<string, [string, string[]]>;
   * for (const [name, [cursor]] of Object.entries(perNode)) {
   *   const node = rc.getNode({ name })!;
   *   if (cursor !== "0") await rc.withOptions({ targetNodes: node }).scan(cursor);
   * }
   * ```
   */
  override scan(
    cursor: string | number | bigint = 0,
    options?: ScanOptions,
  ): Promise<[string, (D extends false ? Uint8Array : string)[]]> {
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
        return this.#owner(slot);
      },
      randomPrimary: async () => {
        await this.initialize();
        return this.#defaultNode();
      },
    }, source);
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
      anyPrimary: () => this.#defaultNode(),
      pool: (node) => this.#link(node).pool,
      moved: (slot, error, from) => {
        const node = this.#topology.patchSlot(slot, error.host === "" ? from : error);
        this.#topology.refresh().catch(() => {});
        return node;
      },
      askTarget: (error, from) => {
        const address = error.host === "" ? from : this.#topology.remap(error);
        return this.#topology.nodeByName(nodeName(address.host, address.port)) ??
          new ClusterNode(address.host, address.port);
      },
      refresh: () => this.#topology.refresh().then(() => {}, () => {}),
      execute: (command) => this.execute(command),
      retry: this.retry,
      maxRedirections: this.#maxRedirections,
    };
  }

  /**
   * Closes every node's connections gracefully (see `Redis.close`) and stops
   * the background topology checks. A later command starts over.
   */
  async close(): Promise<void> {
    this.#stopTimer();
    const links = [...this.#links.values()];
    this.#links.clear();
    await Promise.all(links.map((link) => link.pool.close()));
  }

  /** Drops every node's connections at once (pending commands reject) and stops the background checks. */
  async disconnect(): Promise<void> {
    this.#stopTimer();
    const links = [...this.#links.values()];
    this.#links.clear();
    await Promise.all(links.map((link) => link.pool.disconnect()));
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
      link = { pool: new ConnectionPool<D>({ ...this.#settings, host: node.host, port: node.port }) };
      this.#links.set(name, link);
    }
    return link;
  }

  #dropLink(name: string): void {
    const link = this.#links.get(name);
    if (link === undefined) return;
    this.#links.delete(name);
    link.pool.close().catch(() => {});
  }

  async #route<T>(command: Command<T>, options: ClusterCommandOptions | undefined): Promise<T> {
    if (!this.#topology.ready || this.#timer === undefined) await this.initialize();
    const send: SendOptions = { timeout: options?.timeout, signal: options?.signal };
    const targets = options?.targetNodes;
    if (targets !== undefined) return this.#sendToTargets(command, this.#resolveTargets(targets), send, true);
    switch (defaultTarget(command)) {
      case "keys":
        return this.#sendByKeys(command, send);
      case "primaries":
        return this.#sendToTargets(command, this.getPrimaries(), send, false);
      case "all_nodes":
        return this.#sendToTargets(command, this.getNodes(), send, false);
      case "slot_owner": {
        const slot = Number(command.args[2]);
        if (!Number.isInteger(slot) || slot < 0 || slot > 16383) {
          throw new DataError(`${command.name}: invalid slot ${String(command.args[2])}`);
        }
        return this.#sendToSlot(command, slot, send);
      }
      case "connection":
        return this.#connectionCommand(command);
      default:
        return this.#sendToNode(this.#defaultNode(), command, send);
    }
  }

  /** Handshake state is a connection option of every node connection; only `SELECT 0` is harmless. */
  #connectionCommand<T>(command: Command<T>): T {
    if (command.name === "SELECT" && String(command.args[1]) === "0") {
      return (command.transform ? command.transform("OK") : "OK") as T;
    }
    throw new DataError(
      `${command.name} is not sent to a cluster: set it as a connection option of RedisCluster ` +
        `(username/password, clientName, protocol; a cluster has only database 0)`,
    );
  }

  #defaultNode(): ClusterNode {
    const primaries = this.getPrimaries();
    if (primaries.length === 0) throw new ClusterError("The cluster has no known primary");
    return primaries[Math.floor(Math.random() * primaries.length)];
  }

  #resolveTargets(targets: TargetNodes): ClusterNode[] {
    if (typeof targets === "string") {
      if (!GROUPS.has(targets)) throw new DataError(`Invalid targetNodes: "${targets}"`);
      if (targets === "primaries") return this.getPrimaries();
      if (targets === "replicas") return this.getReplicas();
      if (targets === "all") return this.getNodes();
      return [this.getRandomNode()!];
    }
    const list = Array.isArray(targets) ? targets : [targets];
    if (list.length === 0 || list.some((n) => !(n instanceof ClusterNode))) {
      throw new DataError("Invalid targetNodes (expected a ClusterNode, an array of them, or a node group)");
    }
    return list as ClusterNode[];
  }

  async #sendByKeys<T>(command: Command<T>, send: SendOptions): Promise<T> {
    const slots = slotsOf(command as Command<unknown>);
    if (slots.length === 1) return this.#sendToSlot(command, slots[0], send);
    if (!isSplit(command as Command<unknown>)) {
      throw new DataError(
        `${command.name}: keys in different slots (${slots.join(", ")}); ` +
          `a cluster command must keep its keys in one slot (use a hash tag such as {user1})`,
      );
    }
    const parts = splitBySlot(command as Command<unknown>);
    const replies = await Promise.all(
      parts.map((part) => this.#sendToSlot(part.command, part.slot, { ...send, transform: rawReply })),
    );
    const raw = joinParts(command as Command<unknown>, parts, replies as RespValue[]);
    return (command.transform ? command.transform(raw) : raw) as T;
  }

  /** Several nodes: merged under the command's response policy when it has one, else keyed by node name. */
  async #sendToTargets<T>(
    command: Command<T>,
    nodes: readonly ClusterNode[],
    send: SendOptions,
    explicit: boolean,
  ): Promise<T> {
    if (nodes.length === 0) throw new ClusterError(`${command.name}: no node to send it to`);
    if (explicit && nodes.length === 1) return this.#sendToNode(nodes[0], command, send);
    const name = command.name;
    const policy = responsePolicy(name);
    const merges = requestPolicy(name) !== undefined && requestPolicy(name) !== "special" &&
      policy !== "special";
    if (!merges) {
      const replies = await Promise.all(nodes.map((node) => this.#sendToNode(node, command, send)));
      const out: Record<string, unknown> = {};
      nodes.forEach((node, i) => out[node.name] = replies[i]);
      return out as T;
    }
    const settled = await Promise.allSettled(
      nodes.map((node) => this.#sendToNode(node, command, { ...send, transform: rawReply })),
    );
    const ok = settled.filter((s) => s.status === "fulfilled").map((s) => s.value as RespValue);
    const failed = settled.find((s) => s.status === "rejected") as PromiseRejectedResult | undefined;
    if (failed !== undefined && (policy !== "one_succeeded" || ok.length === 0)) throw failed.reason;
    const raw = mergeReplies(policy, ok);
    return (command.transform ? command.transform(raw) : raw) as T;
  }

  /** One node, no redirections (the caller chose it): lost connections retried when safe. */
  async #sendToNode<T>(node: ClusterNode, command: Command<T>, send: SendOptions): Promise<T> {
    const readOnly = isReadOnly(command as Command<unknown>);
    for (let failures = 1;; failures++) {
      const trace = { sent: false };
      try {
        return await this.#sendOnce(node, command, send, trace, false);
      } catch (error) {
        if (!this.#retriable(error, trace.sent, readOnly, failures, send)) throw error;
        if (error instanceof ConnectionError) this.#topology.markDown(node.name);
        await this.#pause(failures, send.signal);
      }
    }
  }

  /** The owner of `slot`, following `MOVED`/`ASK` and retrying what is safe to retry. */
  async #sendToSlot<T>(command: Command<T>, slot: number, send: SendOptions): Promise<T> {
    const readOnly = isReadOnly(command as Command<unknown>);
    let node = await this.#owner(slot);
    let asking = false;
    let redirections = 0;
    for (let failures = 1;;) {
      const trace = { sent: false };
      try {
        return await this.#sendOnce(node, command, send, trace, asking);
      } catch (error) {
        asking = false;
        if (error instanceof AskError) {
          if (++redirections > this.#maxRedirections) {
            throw new ClusterError(
              `${command.name}: too many cluster redirections (${this.#maxRedirections}); last: ${error.message}`,
              { cause: error },
            );
          }
          // An empty host means the node that replied.
          const address = error.host === "" ? node : this.#topology.remap(error);
          if (error instanceof MovedError) {
            node = this.#topology.patchSlot(slot, error.host === "" ? node : error);
            this.#topology.refresh().catch(() => {});
          } else {
            node = this.#topology.nodeByName(nodeName(address.host, address.port)) ??
              new ClusterNode(address.host, address.port);
            asking = true;
          }
          continue;
        }
        if (!this.#retriable(error, trace.sent, readOnly, failures, send)) throw error;
        if (error instanceof ConnectionError) this.#topology.markDown(node.name);
        if (!(error instanceof TryAgainError)) await this.#topology.refresh().catch(() => {});
        await this.#pause(failures++, send.signal);
        node = await this.#owner(slot);
      }
    }
  }

  /** Whether a failed attempt may run again: never a write that may have been applied (unless `retryWrites`). */
  #retriable(error: unknown, sent: boolean, readOnly: boolean, failures: number, send: SendOptions): boolean {
    if (send.signal?.aborted || !this.retry.allows(failures)) return false;
    if (error instanceof ClusterDownError || error instanceof TryAgainError) return true;
    if (!(error instanceof ConnectionError)) return false;
    if (error instanceof AuthenticationError || error instanceof MaxConnectionsError) return false;
    if (error instanceof TimeoutError && !this.retry.isSupported(error)) return false;
    return !sent || readOnly || this.retry.retryWrites;
  }

  #pause(failures: number, signal: AbortSignal | undefined): Promise<void> {
    const ms = this.retry.backoff.compute(failures);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  async #owner(slot: number): Promise<ClusterNode> {
    let owner = this.#topology.slotOwner(slot);
    if (owner === undefined) {
      await this.#topology.refresh();
      owner = this.#topology.slotOwner(slot);
    }
    if (owner === undefined) throw new SlotNotCoveredError(`Slot ${slot} is not covered by the cluster`);
    return owner;
  }

  /**
   * One attempt on one node: the node's shared connection (a borrowed one for
   * a blocking command); with `asking`, `ASKING` and the command leave in one write.
   */
  async #sendOnce<T>(
    node: NodeAddress,
    command: Command<T>,
    send: SendOptions,
    trace: { sent: boolean },
    asking: boolean,
  ): Promise<T> {
    const pool = this.#link(node).pool;
    let connection: Connection;
    if (command.blocking) {
      connection = await pool.getConnection({ signal: send.signal });
    } else {
      connection = pool.sharedConnection();
    }
    try {
      if (asking) {
        const ask = connection.send(new Command("ASKING"), { signal: send.signal });
        const reply = connection.send(command, { ...send, trace });
        await ask.catch(() => {});
        return await reply;
      }
      return await connection.send(command, { ...send, trace });
    } finally {
      if (command.blocking) pool.release(connection);
    }
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
