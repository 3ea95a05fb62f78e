/**
 * Where each command of a `RedisCluster` goes and how it gets there: by its
 * keys' slot, by its command tips or by `targetNodes`; following `MOVED` and
 * `ASK`, retrying `CLUSTERDOWN`, `TRYAGAIN` and lost connections under the
 * client's `Retry` policy, and never re-sending a write whose reply was lost.
 *
 * @module
 */

import { Command } from "../commands/command.ts";
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
import type { ConnectionPool } from "../pool.ts";
import type { RespValue } from "../protocol/types.ts";
import type { Retry } from "../retry.ts";
import { sleep } from "../recovery.ts";
import type { CommandOptions } from "../client.ts";
import { ClusterNode, type NodeAddress, nodeName } from "./node.ts";
import { defaultTarget, requestPolicy, responsePolicy } from "./policies.ts";
import { slotsOf } from "./slots.ts";
import type { LoadBalancingStrategy, Topology } from "./topology.ts";
import { isSplit, joinParts, mergeReplies, splitBySlot } from "./merge.ts";
import { isCacheable } from "../cache.ts";
import { transformError } from "../commands/reply.ts";
import type { ClusterCache } from "./cache.ts";
import { type InstrumentationScope, redirected } from "../instrumentation.ts";

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

/** What the router needs of its client. */
export interface RouterHost<D extends boolean> {
  readonly topology: Topology;
  readonly retry: Retry;
  readonly maxRedirections: number;
  /** Where read-only keyed commands may go (replicas); undefined: the primary only. */
  readonly loadBalancing?: LoadBalancingStrategy;
  /** The pool of one node's connections (opened on first use). */
  pool(node: NodeAddress): ConnectionPool<D>;
  /** Whether a sent command that timed out may run again (the `retryOnTimeout` option). */
  readonly retrySentTimeouts: boolean;
  /** Resolves once the topology is known (discovering it if needed). */
  ready(): Promise<void>;
  /** The client-side cache (`cache` option), which keyed reads consult first. */
  readonly cache?: ClusterCache;
  /** The client's observers (redirections, retries). */
  readonly instrumentation?: InstrumentationScope;
}

const GROUPS = new Set(["primaries", "replicas", "all", "random"]);

/** Keeps a reply as the server sent it, for merging before the command's own transform. */
export const rawReply = (reply: RespValue): RespValue => reply;

/**
 * A sent command that got no reply within its timeout (the connection then
 * closes, failing the commands behind it with the timeout as cause). It is
 * not re-sent, read or write: the node is hung, a second try would wait as
 * long again on it, and the timeout is the caller's bound for the command.
 */
function isHungNode(error: unknown): boolean {
  return error instanceof TimeoutError ||
    (error instanceof ConnectionError && error.cause instanceof TimeoutError);
}

/**
 * Whether a cluster command that failed may run again: `CLUSTERDOWN` and
 * `TRYAGAIN` (nothing ran), lost connections the policy supports when the
 * command was not sent, is a read, or the policy says `retryWrites`. A sent
 * command whose node stopped answering (a timeout) runs again only with
 * `retrySentTimeouts` (the `retryOnTimeout` option): re-sending would queue
 * it behind the hung node.
 */
export function mayRunAgain(
  error: unknown,
  sent: boolean,
  readOnly: boolean,
  retry: Retry,
  retrySentTimeouts: boolean,
): boolean {
  if (error instanceof ClusterDownError || error instanceof TryAgainError) return true;
  if (!(error instanceof ConnectionError)) return false;
  if (error instanceof AuthenticationError || error instanceof MaxConnectionsError) return false;
  if (error instanceof TimeoutError && !retry.isSupported(error)) return false;
  if (sent && isHungNode(error) && !retrySentTimeouts) return false;
  return !sent || readOnly || retry.retryWrites;
}

function randomOf<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

/** Routes and sends the commands of one `RedisCluster`. */
export class ClusterRouter<D extends boolean> {
  readonly #topology: Topology;
  readonly #retry: Retry;
  readonly #maxRedirections: number;
  readonly #host: RouterHost<D>;

  constructor(host: RouterHost<D>) {
    this.#host = host;
    this.#topology = host.topology;
    this.#retry = host.retry;
    this.#maxRedirections = host.maxRedirections;
  }

  #pool(node: NodeAddress): ConnectionPool<D> {
    return this.#host.pool(node);
  }

  #ready(): Promise<void> {
    return this.#host.ready();
  }

  /** Sends `command` where it belongs (its keys' slot, its tips, or `options.targetNodes`). */
  async route<T>(command: Command<T>, options: ClusterCommandOptions | undefined): Promise<T> {
    await this.#ready();
    const send: SendOptions = { timeout: options?.timeout, signal: options?.signal };
    const targets = options?.targetNodes;
    if (targets !== undefined) return this.#sendToTargets(command, this.resolveTargets(targets), send, true);
    switch (defaultTarget(command)) {
      case "keys":
        return this.#sendByKeys(command, send);
      case "primaries":
        return this.#sendToTargets(command, this.#topology.primaries(), send, false);
      case "all_nodes":
        return this.#sendToTargets(command, this.#topology.nodes(), send, false);
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
        return this.#sendToNode(this.defaultNode(), command, send);
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

  /** A primary picked at random: where keyless commands without a policy go. */
  defaultNode(): ClusterNode {
    const primaries = this.#topology.primaries();
    if (primaries.length === 0) throw new ClusterError("The cluster has no known primary");
    return randomOf(primaries);
  }

  /** The nodes `targets` names now (a `DataError` for anything else). */
  resolveTargets(targets: TargetNodes): ClusterNode[] {
    if (typeof targets === "string") {
      if (!GROUPS.has(targets)) throw new DataError(`Invalid targetNodes: "${targets}"`);
      if (targets === "primaries") return this.#topology.primaries();
      if (targets === "replicas") return this.#topology.replicas();
      if (targets === "all") return this.#topology.nodes();
      return [randomOf(this.#topology.nodes())];
    }
    const list = Array.isArray(targets) ? targets : [targets];
    if (list.length === 0 || list.some((n) => !(n instanceof ClusterNode))) {
      throw new DataError("Invalid targetNodes (expected a ClusterNode, an array of them, or a node group)");
    }
    return list as ClusterNode[];
  }

  #sendByKeys<T>(command: Command<T>, send: SendOptions): Promise<T> {
    const slots = slotsOf(command as Command<unknown>);
    // One slot (nearly every command) goes straight on, without an async frame of its own.
    if (slots.length === 1) return this.#sendToSlot(command, slots[0], send, true);
    return this.#sendSplit(command, slots, send);
  }

  async #sendSplit<T>(command: Command<T>, slots: number[], send: SendOptions): Promise<T> {
    if (!isSplit(command as Command<unknown>)) {
      throw new DataError(
        `${command.name}: keys in different slots (${slots.join(", ")}); ` +
          `a cluster command must keep its keys in one slot (use a hash tag such as {user1})`,
      );
    }
    const parts = splitBySlot(command as Command<unknown>);
    const raw = { ...send, transform: rawReply }; // shared by the parts: nothing writes to it
    const replies = await Promise.all(
      parts.map((part) => this.#sendToSlot(part.command, part.slot, raw, true)),
    );
    const joined = joinParts(command as Command<unknown>, parts, replies as RespValue[]);
    return (command.transform ? command.transform(joined) : joined) as T;
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
        this.#noteTimeout(error, trace.sent, node);
        if (!this.#retriable(error, trace.sent, readOnly, failures, send)) throw error;
        if (error instanceof ConnectionError) this.#topology.markDown(node.name);
        await this.#pause(failures, send.signal, error);
      }
    }
  }

  /**
   * The owner of `slot`, following `MOVED`/`ASK` and retrying what is safe to
   * retry. With `balance` (routed by key), a read-only command goes where the
   * load-balancing strategy says; an unreachable replica is skipped at once.
   */
  async #sendToSlot<T>(command: Command<T>, slot: number, send: SendOptions, balance = false): Promise<T> {
    const readOnly = isReadOnly(command as Command<unknown>);
    // Replica reads: cleared by a redirection, after which the command follows the primaries (no MOVED loop).
    let balanced = balance && readOnly && this.#host.loadBalancing !== undefined;
    let skipped: Set<string> | undefined; // replicas found unreachable (rare: made when needed)
    // The map usually knows the node: no promise to await then.
    let node = (balanced ? this.#topology.pickNode(slot, this.#host.loadBalancing) : undefined) ??
      this.#topology.slotOwner(slot) ?? await this.owner(slot);
    let asking = false;
    let redirections = 0;
    const cache = this.#host.cache !== undefined && balance && isCacheable(command as Command<unknown>)
      ? this.#host.cache
      : undefined;
    for (let failures = 1;;) {
      const trace = { sent: false };
      try {
        // A read redirected by ASK goes to the slot's importing node: not cached.
        if (cache !== undefined && !asking) {
          return await this.#cachedOnce(cache, node, slot, command, send, trace);
        }
        return await this.#sendOnce(node, command, send, trace, asking);
      } catch (error) {
        asking = false;
        if (error instanceof AskError) {
          balanced = false;
          if (++redirections > this.#maxRedirections) {
            throw new ClusterError(
              `${command.name}: too many cluster redirections (${this.#maxRedirections}); last: ${error.message}`,
              { cause: error },
            );
          }
          // An empty host means the node that replied.
          const address = error.host === "" ? node : this.#topology.remap(error);
          if (error instanceof MovedError) {
            node = this.#topology.patchSlot(slot, error.host === "" ? node : error, error.host === "");
            if (this.#host.instrumentation) redirected(this.#host.instrumentation, "MOVED", slot, node);
            this.#topology.refresh().catch(() => {});
          } else {
            node = this.#topology.nodeByName(nodeName(address.host, address.port)) ??
              new ClusterNode(address.host, address.port);
            if (this.#host.instrumentation) redirected(this.#host.instrumentation, "ASK", slot, node);
            asking = true;
            // The slot is migrating: keys created on the importing node are unknown to the cached misses.
            this.#host.cache?.dropSlots([slot]);
          }
          continue;
        }
        if (balanced && this.#skipReplica(error, trace.sent, node, slot, send)) {
          (skipped ??= new Set()).add(node.name);
          this.#topology.markDown(node.name);
          node = await this.#readNode(slot);
          if (skipped.has(node.name)) node = await this.owner(slot);
          continue;
        }
        this.#noteTimeout(error, trace.sent, node);
        if (!this.#retriable(error, trace.sent, readOnly, failures, send)) throw error;
        if (error instanceof ConnectionError) this.#topology.markDown(node.name);
        if (!(error instanceof TryAgainError)) await this.#topology.refresh().catch(() => {});
        await this.#pause(failures++, send.signal, error);
        node = balanced ? await this.#readNode(slot) : await this.owner(slot);
      }
    }
  }

  /**
   * A replica (not the slot's primary) that could not be reached for a read:
   * skipped at once, without a backoff or a retry spent. A reply timeout
   * after sending is not a reachability problem and keeps the usual rules.
   */
  #skipReplica(error: unknown, sent: boolean, node: ClusterNode, slot: number, send: SendOptions): boolean {
    if (send.signal?.aborted || !(error instanceof ConnectionError)) return false;
    if (error instanceof AuthenticationError || (error instanceof TimeoutError && sent)) return false;
    return node.name !== this.#topology.slotOwner(slot)?.name;
  }

  /** The node the strategy picks for a read of `slot` (its primary when the slot's shard is unknown). */
  async #readNode(slot: number): Promise<ClusterNode> {
    return this.#topology.pickNode(slot, this.#host.loadBalancing) ?? await this.owner(slot);
  }

  /** Whether a failed attempt may run again (see `mayRunAgain`), within the policy's attempts. */
  #retriable(error: unknown, sent: boolean, readOnly: boolean, failures: number, send: SendOptions): boolean {
    if (send.signal?.aborted || !this.#retry.allows(failures)) return false;
    return mayRunAgain(error, sent, readOnly, this.#retry, this.#host.retrySentTimeouts);
  }

  /**
   * A node that let a sent command time out is hung: later commands should
   * not queue behind it, so it is marked down and the map refreshed in the
   * background (its replica takes over once the cluster fails it).
   */
  #noteTimeout(error: unknown, sent: boolean, node: ClusterNode): void {
    if (!sent || !isHungNode(error)) return;
    this.#topology.markDown(node.name);
    this.#topology.refresh().catch(() => {});
  }

  #pause(failures: number, signal: AbortSignal | undefined, error: unknown): Promise<void> {
    const delayMs = this.#retry.backoff.compute(failures);
    const scope = this.#host.instrumentation;
    if (scope?.active && error instanceof Error) {
      scope.emit({ type: "retry", attempt: failures, delayMs, error });
    }
    return sleep(delayMs, signal);
  }

  /**
   * The primary serving `slot`. When the map has none, it is refreshed, and
   * then again after each backoff of the retry policy (as redis-py retries
   * `SlotNotCoveredError`): a map read from a node in the middle of a
   * failover can leave a shard's slots out for a moment.
   */
  async owner(slot: number): Promise<ClusterNode> {
    for (let failures = 1;; failures++) {
      const known = this.#topology.slotOwner(slot);
      if (known !== undefined) return known;
      await this.#topology.refresh();
      const owner = this.#topology.slotOwner(slot);
      if (owner !== undefined) return owner;
      const error = new SlotNotCoveredError(`Slot ${slot} is not covered by the cluster`);
      if (!this.#retry.allows(failures)) throw error;
      await this.#pause(failures, undefined, error);
    }
  }

  /**
   * One attempt of a cacheable read: the cache's entry, else `node`'s reply,
   * stored tagged with `node` and `slot`. The raw reply is kept; the
   * command's transform runs on each read.
   */
  async #cachedOnce<T>(
    cache: ClusterCache,
    node: ClusterNode,
    slot: number,
    command: Command<T>,
    send: SendOptions,
    trace: { sent: boolean },
  ): Promise<T> {
    const transform = send.transform ?? command.transform;
    const raw = await cache.read(
      command as Command<unknown>,
      node.name,
      slot,
      () =>
        this.#sendOnce(node, command as Command<RespValue>, { ...send, transform: rawReply }, trace, false),
    );
    try {
      return (transform ? transform(raw) : raw) as T;
    } catch (error) {
      throw transformError(command.name, error);
    }
  }

  /**
   * One attempt on one node: the node's shared connection (a borrowed one for
   * a blocking command); with `asking`, `ASKING` and the command leave in one write.
   */
  #sendOnce<T>(
    node: NodeAddress,
    command: Command<T>,
    send: SendOptions,
    trace: { sent: boolean },
    asking: boolean,
  ): Promise<T> {
    const pool = this.#pool(node);
    // The common case, without an async frame of its own (callers await it inside their try).
    if (!asking && !command.blocking) return pool.sharedConnection().send(command, { ...send, trace });
    return this.#sendOnceSlow(pool, command, send, trace, asking);
  }

  async #sendOnceSlow<T>(
    pool: ConnectionPool<D>,
    command: Command<T>,
    send: SendOptions,
    trace: { sent: boolean },
    asking: boolean,
  ): Promise<T> {
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
