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
import type { Connection } from "./connection.ts";
import { type Pipeline, PipelineImpl, type PipelineOptions } from "./pipeline.ts";
import { ConnectionError, WatchError } from "./errors.ts";

/**
 * A pipeline in WATCH mode. Its command methods run at once on its own
 * connection and resolve to their replies; `multi()` returns the pipeline
 * that queues the transaction, sent by its `exec()` (or this `exec()`).
 * The connection goes back to its pool after EXEC, on `reset()`, or with `await using`.
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
    return this.#connection.send(command).catch((error) => {
      if (!(error instanceof ConnectionError)) throw error;
      throw new WatchError(`A connection error occurred while watching keys: ${error.message}`, {
        cause: error,
      });
    });
  }

  /** Watches more keys. */
  watch(...keys: RedisKey[]): Promise<true> {
    return this.execute(new Command<true>("WATCH", () => true).keysOf(keys));
  }

  /**
   * Starts the queued phase: returns the pipeline whose commands go inside
   * MULTI/EXEC on this connection. Its `exec()` rejects with `WatchError`
   * when a watched key changed.
   */
  multi(): Pipeline<D, []> {
    const connection = this.#connection;
    const executor: CommandExecutor = { execute: (command) => connection.send(command) };
    const queued = new PipelineImpl<D>(executor, { ...this.#options, transaction: true }, () => this.reset());
    this.#queued = queued;
    return queued as unknown as Pipeline<D, []>;
  }

  /** Sends the transaction started with `multi()` (empty when `multi()` was not called). */
  async exec(): Promise<unknown[]> {
    if (!this.#queued) {
      await this.reset();
      return [];
    }
    return await this.#queued.exec();
  }

  /**
   * Ends WATCH mode: unwatches everything and gives the connection back to
   * its pool (or closes it). Idempotent.
   */
  async reset(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const connection = this.#connection;
    if (!this.#release) return await connection.close();
    if (!connection.closed) {
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
