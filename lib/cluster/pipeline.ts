/**
 * Pipelines, MULTI/EXEC transactions and WATCH in a cluster: the standalone
 * `PipelineImpl` queues and types the commands; this module decides where
 * they go. A plain pipeline writes once per node and re-sends redirected
 * commands alone; a transaction needs one slot and runs on its owner.
 *
 * @module
 */

import { mayRunAgain } from "./router.ts";
import { Command, type CommandExecutor, type RedisKey, type ReplyTransform } from "../commands/command.ts";
import { isReadOnly } from "../commands/read_only.ts";
import type { Connection, SendOptions } from "../connection.ts";
import type { InstrumentationScope } from "../instrumentation.ts";
import {
  AskError,
  AuthenticationError,
  ClusterCrossSlotError,
  ClusterDownError,
  ConnectionError,
  DataError,
  MovedError,
  TimeoutError,
  TryAgainError,
} from "../errors.ts";
import type { ConnectionPool } from "../pool.ts";
import type { Retry } from "../retry.ts";
import { WatchedPipeline } from "../watch.ts";
import type { ClusterNode } from "./node.ts";
import { isSplit } from "./merge.ts";
import { keySlot, slotsOf } from "./slots.ts";

/**
 * What the pipeline needs from `RedisCluster` (its routing state and
 * connections), handed over by the client.
 *
 * @example
 * ```ts
 * import type { ClusterAccess } from "./pipeline.ts";
 * type Owner = ClusterAccess["slotOwner"]; // (slot: number) => ClusterNode | undefined
 * ```
 */
export interface ClusterAccess {
  /** Discovers the topology if not done yet. */
  ready(): Promise<void>;
  /** The primary serving `slot` in the current map. */
  slotOwner(slot: number): ClusterNode | undefined;
  /** Where a read-only command on `slot` goes under the client's load-balancing strategy. */
  readNode(slot: number): ClusterNode | undefined;
  /** Marks a node down (an unreachable replica), so reads skip it until the topology says it is up. */
  markDown(node: ClusterNode): void;
  /** A primary for keyless batches. */
  anyPrimary(): ClusterNode;
  /** The node's connection pool. */
  pool(node: ClusterNode): ConnectionPool<boolean>;
  /** Follows `MOVED`: patches the slot, schedules a refresh, returns the new owner. */
  moved(slot: number, error: MovedError, from: ClusterNode): ClusterNode;
  /** The node an `ASK` points to. */
  askTarget(error: AskError, from: ClusterNode): ClusterNode;
  /** Refreshes the whole map (errors swallowed). */
  refresh(): Promise<void>;
  /** Routes one command as `RedisCluster.execute` does (redirections, retries). */
  execute<T>(command: Command<T>): Promise<T>;
  /** The transforms `setResponseCallback` set, by upper-case command name (the client's live map). */
  readonly callbacks: ReadonlyMap<string, ReplyTransform<unknown>>;
  /** The cluster's retry policy. */
  readonly retry: Retry;
  /** Whether a sent command that timed out may run again (`retryOnTimeout`). */
  readonly retrySentTimeouts: boolean;
  /** Most redirections followed for one batch. */
  readonly maxRedirections: number;
  /** The client's observers (a plain pipeline is one batch per node for them). */
  readonly instrumentation?: InstrumentationScope;
}

/** The commands of a plain cluster pipeline that went to one connection, with their replies. */
interface NodeShare {
  commands: Command<unknown>[];
  replies: Promise<unknown>[];
}

/** Where a pipelined command went, for its recovery: its slot, the node used and the slot's owner. */
interface Route {
  slot: number;
  node: ClusterNode;
  owner: ClusterNode;
  /** Whether it reached the socket (a lost write is re-sent only with `retryWrites`). */
  sent: boolean;
}

/** A rejection as the pipeline reports it: an Error, whatever was thrown. */
function asError(error: unknown): Error {
  return error instanceof Error ? error : new DataError(String(error));
}

/** The single slot of `commands`' keys, `undefined` without keys; a `ClusterCrossSlotError` for several. */
export function batchSlot(what: string, keys: readonly number[][]): number | undefined {
  const slots = new Set(keys.flat());
  if (slots.size > 1) {
    throw new ClusterCrossSlotError(
      `CROSSSLOT ${what}: keys in different slots (${[...slots].join(", ")}); ` +
        `a cluster transaction must keep every key in one slot (use a hash tag such as {user1})`,
    );
  }
  return slots.size === 1 ? [...slots][0] : undefined;
}

/**
 * The executor `PipelineImpl` sends a cluster pipeline through: `runBatch`
 * groups a plain pipeline by slot owner (one write per node) or runs a
 * transaction on its slot's owner.
 *
 * @example
 * ```ts
 * import { RedisCluster } from "@uniredis/redis";
 * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }] });
 * console.log(await rc.pipeline({ transaction: false }).set("a", 1).get("b").exec()); // [true, null]
 * ```
 */
export class ClusterBatchRunner implements CommandExecutor {
  readonly #access: ClusterAccess;
  readonly #transaction: boolean;

  /** Creates the runner of one pipeline. */
  constructor(access: ClusterAccess, transaction: boolean) {
    this.#access = access;
    this.#transaction = transaction;
  }

  /** `pipe.watch(...keys)`: WATCH on the keys' slot owner (one slot, else a `ClusterCrossSlotError`, unsent). */
  watchKeys(
    keys: readonly RedisKey[],
    options: { raiseOnError: boolean },
  ): Promise<WatchedPipeline<boolean>> {
    return watchInCluster<boolean>(this.#access, keys, options);
  }

  /** Routes one command outside the batch (script loading). */
  execute<T>(command: Command<T>): Promise<T> {
    return this.#access.execute(command);
  }

  /** The client's response callback for `name`: a transaction's replies take it, as outside a pipeline. */
  getResponseCallback(name: string): ReplyTransform<unknown> | undefined {
    return this.#access.callbacks.get(name.toUpperCase());
  }

  /** Runs the batch: `PipelineImpl` calls it with the commands to send and how to send them. */
  async runBatch<T>(
    commands: readonly Command<unknown>[],
    run: (executor: CommandExecutor) => Promise<T>,
  ): Promise<T> {
    // Every refusal happens before anything is sent.
    if (this.#transaction) {
      const slot = batchSlot("MULTI", commands.map((c) => slotsOf(c)));
      await this.#access.ready();
      return this.#runTransaction(slot, commands, run);
    }
    for (const command of commands) {
      if ((command.keys?.length ?? 0) < 2) continue; // no key or one: one slot at most
      const slots = slotsOf(command);
      if (slots.length > 1 && !isSplit(command)) {
        throw new DataError(
          `${command.name}: keys in different slots (${slots.join(", ")}); ` +
            `a cluster command must keep its keys in one slot (use a hash tag such as {user1})`,
        );
      }
    }
    await this.#access.ready();
    // PipelineImpl issues every command in one synchronous loop, so each node's share leaves in one write.
    // Re-sent commands run one by one in the order their errors came (per node, the caller's order), so a
    // redirected SET still lands before the GET queued after it.
    const resends = { chain: Promise.resolve() as Promise<unknown> };
    const batch = { mode: "PIPELINE", size: commands.length } as const;
    // Observed: each node's share is one batch, known once every command is issued (synchronously).
    const shares = this.#access.instrumentation?.active ? new Map<Connection, NodeShare>() : undefined;
    const result = run({
      execute: (command) => this.#sendPlain(command, resends, batch, shares),
      executeMany: (commands) => this.#sendPlainMany(commands, resends, batch, shares),
    });
    if (shares !== undefined) {
      for (const [connection, share] of shares) {
        void connection.traceBatch("PIPELINE", share.commands, () => Promise.allSettled(share.replies));
      }
    }
    return result;
  }

  #sendPlain<T>(
    command: Command<T>,
    resends: { chain: Promise<unknown> },
    batch: SendOptions["batch"],
    shares: Map<Connection, NodeShare> | undefined,
  ): Promise<T> {
    const access = this.#access;
    const slots = slotsOf(command as Command<unknown>);
    const owner = slots.length === 1 ? access.slotOwner(slots[0]) : undefined;
    // Keyless, split or unmapped commands take the client's ordinary route.
    if (owner === undefined) return access.execute(command);
    // Reads follow the load-balancing strategy (still one write per node).
    const node = isReadOnly(command as Command<unknown>) ? access.readNode(slots[0]) ?? owner : owner;
    const trace = { sent: false };
    const connection = access.pool(node).sharedConnection();
    // The client's response callback replaces the command's transform, as on the ordinary route.
    const transform = access.callbacks.size === 0 ? undefined : access.callbacks.get(command.name);
    const sent = connection.send(
      command,
      transform === undefined ? { trace, batch } : { trace, batch, transform },
    );
    if (shares !== undefined) {
      let share = shares.get(connection);
      if (share === undefined) shares.set(connection, share = { commands: [], replies: [] });
      share.commands.push(command as Command<unknown>);
      share.replies.push(sent);
    }
    return sent.catch((error) =>
      this.#recover(
        command as Command<unknown>,
        error,
        { slot: slots[0], node, owner, sent: trace.sent },
        resends,
      )
    ) as Promise<T>;
  }

  /**
   * `#sendPlain` for a whole pipeline: each node's share goes to its connection as one batch
   * (`Connection.sendBatch`: one promise per share, not per command), the rest one by one. Resolves to the
   * replies in order, each error in its command's place, after the same recovery as `#sendPlain`.
   */
  #sendPlainMany(
    commands: readonly Command<unknown>[],
    resends: { chain: Promise<unknown> },
    batch: SendOptions["batch"],
    shares: Map<Connection, NodeShare> | undefined,
  ): Promise<unknown[]> {
    const access = this.#access;
    const replies: unknown[] = new Array(commands.length);
    const routes: (Route | undefined)[] = new Array(commands.length);
    const groups = new Map<Connection, number[]>();
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < commands.length; i++) {
      const command = commands[i];
      if (command.localReply) {
        replies[i] = command.localReply.value;
        continue;
      }
      const slots = slotsOf(command);
      const owner = slots.length === 1 ? access.slotOwner(slots[0]) : undefined;
      if (owner === undefined) {
        // Keyless, split or unmapped commands take the client's ordinary route, in the caller's order.
        pending.push(access.execute(command).then((v) => replies[i] = v, (e) => replies[i] = asError(e)));
        continue;
      }
      const node = isReadOnly(command) ? access.readNode(slots[0]) ?? owner : owner;
      const connection = access.pool(node).sharedConnection();
      routes[i] = { slot: slots[0], node, owner, sent: false };
      let group = groups.get(connection);
      if (group === undefined) groups.set(connection, group = []);
      group.push(i);
    }
    // The client's response callback replaces the command's transform, as on the ordinary route.
    const callbacks = access.callbacks;
    const transformOf = callbacks.size === 0 ? undefined : (c: Command<unknown>) => callbacks.get(c.name);
    for (const [connection, indices] of groups) {
      const share = indices.map((i) => commands[i]);
      const trace = { sent: false };
      const sent = connection.sendBatch(share, { trace, batch, transformOf });
      if (shares !== undefined) {
        let known = shares.get(connection);
        if (known === undefined) shares.set(connection, known = { commands: [], replies: [] });
        known.commands.push(...share);
        known.replies.push(sent);
      }
      pending.push(sent.then((results) => {
        const recovered: Promise<unknown>[] = [];
        // In the caller's order per node, as the errors came: a redirected SET lands before a later GET.
        results.forEach((result, k) => {
          const i = indices[k];
          if (!(result instanceof Error)) {
            replies[i] = result;
            return;
          }
          const route = routes[i]!;
          route.sent = trace.sent;
          recovered.push(
            this.#recover(commands[i], result, route, resends).then(
              (v) => replies[i] = v,
              (e) => replies[i] = asError(e),
            ),
          );
        });
        return Promise.all(recovered);
      }));
    }
    return Promise.all(pending).then(() => replies);
  }

  /**
   * After a routed command failed: notes a MOVED or a replica that is down, then re-sends the command alone
   * through the ordinary route (which follows further redirections and retries with backoff), one after
   * another in the order the errors came; rethrows when it must not run again.
   */
  #recover(
    command: Command<unknown>,
    error: unknown,
    route: Route,
    resends: { chain: Promise<unknown> },
  ): Promise<unknown> {
    const access = this.#access;
    const { node, owner } = route;
    if (error instanceof MovedError) access.moved(route.slot, error, node);
    // An unreachable replica: the read is re-sent through the ordinary route, which skips it.
    const replicaDown = node.name !== owner.name && error instanceof ConnectionError &&
      !(error instanceof AuthenticationError) && !(error instanceof TimeoutError && route.sent);
    if (replicaDown) access.markDown(node);
    else if (!this.#resendable(command, error, route.sent)) return Promise.reject(error);
    if (error instanceof ConnectionError) access.refresh();
    const again = resends.chain.then(() => access.execute(command));
    resends.chain = again.catch(() => {});
    return again;
  }

  /** Redirected, refused or never-sent commands run again; a write whose reply was lost only with `retryWrites`. */
  #resendable(command: Command<unknown>, error: unknown, sent: boolean): boolean {
    if (error instanceof AskError || error instanceof ClusterDownError || error instanceof TryAgainError) {
      return true;
    }
    const access = this.#access;
    return access.retry.allows(1) &&
      mayRunAgain(error, sent, isReadOnly(command), access.retry, access.retrySentTimeouts);
  }

  /**
   * MULTI, the commands and EXEC on the slot owner's shared connection, in
   * one write. `MOVED` (the commands were refused, EXEC aborted: nothing ran)
   * retries the whole transaction on the new owner; `ASK` retries it on the
   * target after `ASKING`, which holds for the whole MULTI block.
   */
  async #runTransaction<T>(
    slot: number | undefined,
    commands: readonly Command<unknown>[],
    run: (executor: CommandExecutor) => Promise<T>,
  ): Promise<T> {
    const batch = { mode: "MULTI", size: commands.length } as const;
    const access = this.#access;
    let node = slot === undefined ? access.anyPrimary() : access.slotOwner(slot) ?? access.anyPrimary();
    let asking = false;
    for (let redirections = 0;; redirections++) {
      const connection: Connection = access.pool(node).sharedConnection();
      let redirect: AskError | undefined;
      const executor: CommandExecutor = {
        execute: (command) => {
          const sent = connection.send(command, { batch });
          sent.catch((error) => {
            if (error instanceof AskError) redirect ??= error;
          });
          return sent;
        },
        executeMany: (sent) =>
          connection.sendBatch(sent, { batch }).then((results) => {
            redirect ??= results.find((r): r is AskError => r instanceof AskError);
            return results;
          }),
      };
      if (asking) connection.send(new Command("ASKING")).catch(() => {});
      try {
        // Each node tried is one batch for the observers.
        return await connection.traceBatch("MULTI", commands, () => run(executor));
      } catch (error) {
        if (redirect === undefined || slot === undefined || redirections >= access.maxRedirections) {
          throw error;
        }
        asking = !(redirect instanceof MovedError);
        node = asking ? access.askTarget(redirect, node) : access.moved(slot, redirect as MovedError, node);
      }
    }
  }
}

/**
 * Watches `keys` (one slot) on a connection borrowed from their owner's
 * pool and returns the pipeline in WATCH mode; `MOVED` on WATCH follows the
 * new owner.
 */
export async function watchInCluster<D extends boolean>(
  access: ClusterAccess,
  keys: readonly RedisKey[],
  options: { raiseOnError?: boolean } = {},
): Promise<WatchedPipeline<D>> {
  const slot = batchSlot("WATCH", [keys.map((k) => keySlot(k))]);
  await access.ready();
  let node = slot === undefined ? access.anyPrimary() : access.slotOwner(slot) ?? access.anyPrimary();
  for (let redirections = 0;; redirections++) {
    const pool = access.pool(node);
    const connection = await pool.getConnection();
    const watched = new WatchedPipeline<D>(
      connection,
      { transaction: true, raiseOnError: options.raiseOnError ?? true },
      () => pool.release(connection),
    );
    try {
      if (keys.length > 0) await watched.watch(...keys);
      return watched;
    } catch (error) {
      await watched.reset();
      if (!(error instanceof MovedError) || slot === undefined || redirections >= access.maxRedirections) {
        throw error;
      }
      node = access.moved(slot, error, node);
    }
  }
}
