/**
 * Optimistic transactions: `WATCH` keys on a connection of its own, read them
 * with ordinary command methods (the immediate phase), then queue the writes
 * after `multi()` (the queued phase); `EXEC` fails with `WatchError` when a
 * watched key changed in between.
 *
 * @module
 */

import { Command, type CommandExecutor, type RedisKey } from "./commands/command.ts";
import { RedisCommands } from "./commands/mod.ts";
import type { Connection, SendOptions } from "./connection.ts";
import {
  type BatchRunner,
  type Pipeline,
  PipelineImpl,
  type PipelineOptions,
  type WatchAware,
} from "./pipeline.ts";
import { ConnectionError, RedisError, ResponseError, WatchError } from "./errors.ts";

/**
 * A pipeline in WATCH mode. Its command methods run at once on its own
 * connection and resolve to their replies; `multi()` returns the pipeline
 * that queues the transaction, sent by its `exec()` (or this `exec()`).
 * The connection goes back to its pool after EXEC, on `reset()`, or with `await using`;
 * the pipeline then rejects further commands with a `RedisError`.
 *
 * @example
 * ```ts
 * import { Redis, WatchError } from "@uniredis/redis";
 * await using r = new Redis();
 * await using pipe = await r.pipeline().watch("balance");
 * const balance = Number(await pipe.get("balance") ?? 0); // immediate: a real reply
 * try {
 *   await pipe.multi().set("balance", balance + 10).exec(); // queued, then EXEC
 * } catch (e) {
 *   if (e instanceof WatchError) console.log("balance changed meanwhile: retry");
 * }
 * ```
 */
export class WatchedPipeline<D extends boolean = true> extends RedisCommands<D> implements AsyncDisposable {
  readonly #connection: Connection;
  readonly #options: PipelineOptions;
  readonly #release: (() => void) | undefined;
  #queued: PipelineImpl<D> | undefined;
  #closed = false;
  #watching = false;

  /**
   * Wraps a connection on which WATCH will be sent; `Pipeline.watch()`
   * creates it. `release` gives the connection back to its pool; without it
   * the connection is closed at the end.
   */
  constructor(connection: Connection, options: PipelineOptions = {}, release?: () => void) {
    super();
    this.#connection = connection;
    this.#options = options;
    this.#release = release;
  }

  /**
   * Runs a command at once on this pipeline's connection (the immediate
   * phase). A lost connection lost the WATCH too, so it rejects with a
   * `WatchError` (as redis-py), which makes `transaction()` start over.
   */
  execute<T>(command: Command<T>): Promise<T> {
    return this.#send(command).catch((error) => {
      if (!(error instanceof ConnectionError)) throw error;
      throw new WatchError(`A connection error occurred while watching keys: ${error.message}`, {
        cause: error,
      });
    });
  }

  /**
   * True while keys are watched on this pipeline's connection: from
   * `watch()` until EXEC ran (committed or discarded), UNWATCH or `reset()`.
   * As redis-py's `pipe.watching`, `multi()` does not end it: the keys stay
   * watched until EXEC.
   */
  get watching(): boolean {
    return this.#watching;
  }

  /** Sends on this pipeline's connection, following what each reply does to the WATCH state (as redis-py). */
  #send<T>(command: Command<T>, batch?: SendOptions["batch"]): Promise<T> {
    // After EXEC or reset() the connection belongs to the pool again (maybe lent to someone else).
    if (this.#closed) {
      return Promise.reject(
        new RedisError("This watched pipeline was reset: its connection went back to the pool"),
      );
    }
    const sent = this.#connection.send(command, batch && { batch });
    const name = command.name;
    if (name === "WATCH" || name === "UNWATCH" || name === "EXEC" || name === "DISCARD") {
      sent.then(() => {
        this.#watching = name === "WATCH";
      }, (error) => {
        // EXECABORT discards the transaction, and with it every WATCH.
        if (name === "EXEC" && error instanceof ResponseError && error.code === "EXECABORT") {
          this.#watching = false;
        }
      });
    }
    return sent;
  }

  /** Watches more keys. */
  watch(...keys: RedisKey[]): Promise<true> {
    return this.execute(new Command<true>("WATCH", () => true).keysOf(keys));
  }

  /**
   * Starts the queued phase: returns the pipeline whose commands go inside
   * MULTI/EXEC on this connection. Its `exec()` rejects with `WatchError`
   * when a watched key changed. Calling it twice throws a `RedisError`
   * (nested MULTI), as redis-py.
   */
  multi(): Pipeline<D, []> {
    // A second call would silently drop what the first one queued (after the end, exec() says why it fails).
    if (this.#queued !== undefined && !this.#closed) {
      throw new RedisError("Cannot issue nested calls to MULTI");
    }
    // The queued pipeline reads `watching` to send even an empty MULTI/EXEC, which checks the WATCH.
    const executor: CommandExecutor & WatchAware & BatchRunner = {
      execute: (command) => this.#send(command),
      isWatching: () => this.#watching,
      // The transaction is one batch on this connection for the observers.
      runBatch: (commands, run, mode) => {
        const batch = { mode, size: commands.length };
        return this.#connection.traceBatch(
          mode,
          commands,
          () => run({ execute: (c) => this.#send(c, batch) }),
        );
      },
    };
    const queued = new PipelineImpl<D>(executor, { ...this.#options, transaction: true }, () => this.reset());
    this.#queued = queued;
    return queued as unknown as Pipeline<D, []>;
  }

  /**
   * Sends the transaction started with `multi()`. Without `multi()` it is
   * empty, yet still sent while keys are watched, so it rejects with
   * `WatchError` when one changed (as redis-py).
   */
  exec(): Promise<unknown[]> {
    return (this.#queued ?? this.multi() as unknown as PipelineImpl<D>).exec();
  }

  /**
   * Ends WATCH mode: unwatches (only when keys are still watched: EXEC
   * already did it) and gives the connection back to its pool (or closes
   * it). Idempotent.
   */
  async reset(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const watching = this.#watching;
    this.#watching = false;
    const connection = this.#connection;
    if (!this.#release) return await connection.close();
    if (watching && !connection.closed) {
      // A connection still watching keys must not be lent to anyone else.
      await connection.send(new Command("UNWATCH")).catch(() => connection.disconnect());
    }
    this.#release();
  }

  /** Same as `reset()` (`await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.reset();
  }
}
