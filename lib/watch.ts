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

/**
 * A pipeline in WATCH mode. Its command methods run at once on its own
 * connection and resolve to their replies; `multi()` returns the pipeline
 * that queues the transaction, sent by its `exec()` (or this `exec()`).
 * The connection closes after EXEC, on `reset()`, or with `await using`.
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
  #queued: PipelineImpl<D> | undefined;
  #closed = false;

  /** Wraps a connection on which WATCH was sent; `Pipeline.watch()` creates it. */
  constructor(connection: Connection, options: PipelineOptions = {}) {
    super();
    this.#connection = connection;
    this.#options = options;
  }

  /** Runs a command at once on this pipeline's connection (the immediate phase). */
  execute<T>(command: Command<T>): Promise<T> {
    return this.#connection.send(command);
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

  /** Ends WATCH mode: closes the connection (which unwatches everything). Idempotent. */
  async reset(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#connection.close();
  }

  /** Same as `reset()` (`await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.reset();
  }
}
