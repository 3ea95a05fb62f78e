/**
 * Pipelines and MULTI/EXEC transactions: command methods queue instead of
 * sending, and `exec()` sends the whole batch in one write and resolves to
 * the replies in order, each typed as its method's reply.
 *
 * @module
 */

import { Command, type CommandExecutor, type RedisKey } from "./commands/command.ts";
import type { ConnectionPool } from "./pool.ts";
import { WatchedPipeline } from "./watch.ts";
import { RedisCommands } from "./commands/mod.ts";
import {
  DataError,
  ExecAbortError,
  InvalidResponse,
  RedisError,
  ResponseError,
  WatchError,
} from "./errors.ts";
import { annotatePipelineError } from "./pipeline_error.ts";
import { checkArguments } from "./protocol/encoder.ts";
import { toBooleans, transformError } from "./commands/reply.ts";
import type { RedisArgument, RespValue } from "./protocol/types.ts";
import { checkOptionKeys, optionKeys } from "./commands/validate.ts";

/**
 * Options of `Redis.pipeline`.
 *
 * @example
 * ```ts
 * import type { PipelineOptions } from "@uniredis/redis";
 * const plain: PipelineOptions = { transaction: false, raiseOnError: false };
 * console.log(plain.transaction); // false
 * ```
 */
export interface PipelineOptions {
  /** Wrap the commands in MULTI/EXEC so they run atomically (default `true`, as redis-py). */
  transaction?: boolean;
  /**
   * Reject `exec()` with the first command error (default `true`, as redis-py);
   * `false` puts each error in place among the replies.
   */
  raiseOnError?: boolean;
}

const PIPELINE_KEYS = optionKeys<PipelineOptions>({ transaction: true, raiseOnError: true });

/**
 * Every command method of the client, queuing instead of sending: each call
 * returns the pipeline with the method's reply type appended to `R`.
 *
 * @example
 * ```ts
 * import type { PipelineCommands } from "@uniredis/redis";
 * type AfterGet = ReturnType<PipelineCommands<true, []>["get"]>; // Pipeline<true, [string | null]>
 * ```
 */
export type PipelineCommands<D extends boolean, R extends unknown[]> = {
  [
    K in keyof RedisCommands<D> as K extends "execute" ? never
      : RedisCommands<D>[K] extends (...args: never[]) => Promise<unknown> ? K
      : never
  ]: RedisCommands<D>[K] extends (...args: infer A) => Promise<infer T>
    ? (...args: A) => Pipeline<D, [...R, T]>
    : never;
};

/**
 * The controls of a pipeline besides its command methods.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * const pipe = r.pipeline();
 * console.log(pipe.length); // 0
 * ```
 */
export interface PipelineControls<D extends boolean, R extends unknown[]> extends AsyncDisposable {
  /** Number of queued commands. */
  readonly length: number;
  /**
   * Sends every queued command in one write (inside MULTI/EXEC for a
   * transaction) and resolves to their replies, in order. The queue is
   * emptied, so the pipeline can be reused.
   */
  exec(): Promise<R>;
  /** Alias of `exec()`, as redis-py's `execute()`. */
  execute(): Promise<R>;
  /** Drops the queued commands. */
  reset(): void;
  /**
   * True while keys are watched on the pipeline's connection (redis-py's
   * `pipe.watching`): always false for a plain pipeline; for the pipeline
   * returned by `WatchedPipeline.multi()`, true until its EXEC ran.
   */
  readonly watching: boolean;
  /** Queues any command as given; its reply is the raw decoded value. */
  sendCommand(...args: RedisArgument[]): Pipeline<D, [...R, RespValue]>;
  /**
   * Watches `keys` on a connection of its own and returns the pipeline in
   * WATCH mode: its methods run at once, and `multi()` starts the queued
   * transaction (see `WatchedPipeline`).
   */
  watch(...keys: RedisKey[]): Promise<WatchedPipeline<D>>;
}

/**
 * A pipeline: the client's command methods, queued, plus `exec()`. `R` is the
 * tuple of reply types of the commands queued so far.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * const [ok, n, v] = await r.pipeline().set("k", "1").incr("k").get("k").exec();
 * console.log(ok, n, v); // true 2 "2"
 * ```
 */
export type Pipeline<D extends boolean = true, R extends unknown[] = []> =
  & PipelineControls<D, R>
  & PipelineCommands<D, R>;

/**
 * The runtime behind `Pipeline`: it inherits every command method and
 * overrides `execute` to queue. Use it through `Redis.pipeline()`, which
 * types it as a `Pipeline`; construct it directly only to pipeline through
 * another executor.
 *
 * @example
 * ```ts
 * import { PipelineImpl, Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * const pipe = new PipelineImpl(r, { transaction: false });
 * pipe.ping();
 * console.log(await pipe.exec()); // [true]
 * ```
 */
export class PipelineImpl<D extends boolean = true> extends RedisCommands<D> {
  #client: CommandExecutor;
  #transaction: boolean;
  #raiseOnError: boolean;
  #queue: Command<unknown>[] = [];
  #afterExec: (() => Promise<void>) | undefined;
  /** Scripts queued by `Script.run`, loaded before the batch is sent. */
  #scripts = new Map<string, string>();

  /** Creates a pipeline that sends through `client`. */
  constructor(client: CommandExecutor, options: PipelineOptions = {}, afterExec?: () => Promise<void>) {
    super();
    checkOptionKeys("Pipeline", options, PIPELINE_KEYS);
    this.#client = client;
    this.#transaction = options.transaction ?? true;
    this.#raiseOnError = options.raiseOnError ?? true;
    this.#afterExec = afterExec;
  }

  /**
   * Watches `keys` on a connection of its own and returns the pipeline in
   * WATCH mode (see `WatchedPipeline`). Needs a client that can open
   * connections (`Redis`).
   */
  async watch(...keys: RedisKey[]): Promise<WatchedPipeline<D>> {
    // A cluster pipeline picks the connection itself (the watched slot's owner).
    const own = (this.#client as CommandExecutor & Partial<WatchProvider>).watchKeys;
    if (own !== undefined) {
      return await own.call(this.#client, keys, {
        raiseOnError: this.#raiseOnError,
      }) as unknown as WatchedPipeline<D>;
    }
    const pool =
      (this.#client as CommandExecutor & { connectionPool?: ConnectionPool<boolean> }).connectionPool;
    if (!pool) throw new RedisError("watch() needs a client with a connection pool (Redis)");
    const connection = await pool.getConnection();
    const watched = new WatchedPipeline<D>(connection, {
      transaction: true,
      raiseOnError: this.#raiseOnError,
    }, () => pool.release(connection));
    try {
      await watched.watch(...keys);
    } catch (error) {
      await watched.reset();
      throw error;
    }
    return watched;
  }

  /**
   * Queues `command` and returns the pipeline (the command methods call it);
   * without an argument it is redis-py's `execute()`, the alias of `exec()`.
   */
  override execute<T>(command?: Command<T>): Promise<T> {
    if (command === undefined) return this.exec() as Promise<T>;
    this.#queue.push(command as Command<unknown>);
    return this as unknown as Promise<T>;
  }

  /** Number of queued commands. */
  get length(): number {
    return this.#queue.length;
  }

  /** True while keys are watched on the connection this pipeline sends on (see `WatchedPipeline`). */
  get watching(): boolean {
    return (this.#client as CommandExecutor & Partial<WatchAware>).isWatching?.() === true;
  }

  /** Drops the queued commands. */
  reset(): void {
    this.#queue = [];
    this.#scripts.clear();
  }

  /** Remembers a script queued with EVALSHA, so `exec()` can load it first. */
  useScript(script: { sha: string; source: string }): void {
    this.#scripts.set(script.sha, script.source);
  }

  /** Queues any command as given (its reply stays raw). */
  sendCommand(...args: RedisArgument[]): this {
    const command = new Command<RespValue>(args.length > 0 ? String(args[0]) : "").argsOf(args.slice(1));
    if (args.length === 0) command.fail("sendCommand needs a command name");
    this.#queue.push(command as Command<unknown>);
    return this;
  }

  /** Sends the queue and resolves to the replies in order. */
  exec(): Promise<unknown[]> {
    const result = this.#exec();
    const after = this.#afterExec;
    return after ? result.finally(after) : result;
  }

  #exec(): Promise<unknown[]> {
    const queue = this.#queue;
    this.#queue = [];
    // A bad command fails the whole batch before anything is sent.
    try {
      for (const command of queue) {
        if (command.error) throw command.error;
        // A command answered locally is never encoded.
        if (!command.localReply) checkArguments(command.args);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    const sent = queue.filter((c) => !c.localReply);
    // Nothing to send; but a watched transaction still sends MULTI/EXEC, which checks the WATCH.
    if (sent.length === 0 && !this.watching) return Promise.resolve(queue.map((c) => c.localReply!.value));
    const scripts = this.#scripts;
    this.#scripts = new Map();
    const client = this.#client as CommandExecutor & Partial<BatchRunner>;
    const run = (executor: CommandExecutor) =>
      this.#transaction ? this.#execTransaction(queue, executor) : this.#execPipeline(queue, executor);
    // A client that can keep the batch on one connection (and retry it whole) runs it.
    const mode = this.#transaction ? "MULTI" : "PIPELINE";
    const send = () => client.runBatch ? client.runBatch(sent, run, mode) : run(client);
    return scripts.size === 0 ? send() : this.#loadScripts(scripts).then(send);
  }

  /** Loads the scripts the server lacks (as redis-py's pipeline does), so EVALSHA cannot fail with NOSCRIPT. */
  async #loadScripts(scripts: Map<string, string>): Promise<void> {
    const shas = [...scripts.keys()];
    const exists = await this.#client.execute(
      new Command<boolean[]>(["SCRIPT", "EXISTS"], toBooleans).argsOf(shas),
    );
    await Promise.all(
      shas.filter((_, i) => !exists[i]).map((sha) =>
        this.#client.execute(new Command(["SCRIPT", "LOAD"]).arg(scripts.get(sha)!))
      ),
    );
  }

  /** Closes nothing: a pipeline owns no connection; disposing drops what is queued. */
  [Symbol.asyncDispose](): Promise<void> {
    this.reset();
    return Promise.resolve();
  }

  async #execPipeline(queue: Command<unknown>[], client: CommandExecutor): Promise<unknown[]> {
    return this.#finish(await executeAll(client, queue), queue);
  }

  async #execTransaction(queue: Command<unknown>[], client: CommandExecutor): Promise<unknown[]> {
    // MULTI, the commands and EXEC leave in one write, contiguous on the
    // connection: nothing can be issued between them in one synchronous run.
    // Commands answered locally stay out of MULTI; their values are spliced back in below.
    const sent = [
      new Command("MULTI"),
      ...queue.filter((c) => !c.localReply).map(rawCopy),
      new Command<RespValue>("EXEC"),
    ];
    const results = await executeAll(client, sent);
    const multiResult = results[0];
    const execResult = results[results.length - 1];
    let position = 1;
    // Aligned with `queue`: undefined for a command answered locally.
    const queuedResults = queue.map((c) => c.localReply ? undefined : results[position++]);
    if (multiResult instanceof Error) throw multiResult;
    if (
      execResult instanceof ExecAbortError ||
      (execResult instanceof RedisError && execResult.message.startsWith("EXECABORT"))
    ) {
      // A command was refused when queued: report that error with its position, as redis-py does.
      const i = queuedResults.findIndex((r) => r instanceof Error);
      if (i < 0) throw execResult;
      const refused = queuedResults[i] as Error;
      throw refused instanceof ResponseError ? annotatePipelineError(refused, i + 1, queue[i].args) : refused;
    }
    if (execResult instanceof Error) throw execResult;
    if (execResult === null) throw new WatchError("Watched variable changed: the transaction was discarded");
    const raw = execResult as RespValue[];
    const expected = sent.length - 2;
    if (!Array.isArray(raw) || raw.length !== expected) {
      throw new InvalidResponse(
        `EXEC replied ${
          Array.isArray(raw) ? raw.length : "a non-array"
        } items for ${expected} queued commands`,
      );
    }
    let next = 0;
    // A response callback of the client replaces the command's own transform, as outside a transaction.
    const callbacks = this.#client as CommandExecutor & Partial<ResponseCallbacks>;
    const replies = queue.map((command) => {
      if (command.localReply) return command.localReply.value;
      const reply = raw[next++];
      if (reply instanceof Error) return reply;
      const transform = callbacks.getResponseCallback?.(command.name) ?? command.transform;
      try {
        return transform ? transform(reply) : reply;
      } catch (error) {
        return transformError(command.name, error);
      }
    });
    return this.#finish(replies, queue);
  }

  /**
   * With `raiseOnError`, throws the first error; a server error is labelled
   * with the command's position and text first (redis-py's `annotate_exception`).
   * Errors left in place keep the server's text, as in redis-py.
   */
  #finish(replies: unknown[], queue: readonly Command<unknown>[]): unknown[] {
    if (this.#raiseOnError) {
      const i = replies.findIndex((r) => r instanceof Error);
      if (i >= 0) {
        const first = replies[i] as Error;
        throw first instanceof ResponseError ? annotatePipelineError(first, i + 1, queue[i].args) : first;
      }
    }
    return replies;
  }
}

/** An executor that opens watched pipelines itself (a cluster pipeline: on the watched slot's owner). */
export interface WatchProvider {
  watchKeys(keys: readonly RedisKey[], options: { raiseOnError: boolean }): Promise<WatchedPipeline<boolean>>;
}

/**
 * An executor bound to a connection that may watch keys: the queued pipeline
 * of `WatchedPipeline.multi()` asks it whether an empty transaction must
 * still be sent.
 *
 * @example
 * ```ts
 * import type { WatchAware } from "./pipeline.ts";
 * const idle: WatchAware = { isWatching: () => false };
 * console.log(idle.isWatching()); // false
 * ```
 */
export interface WatchAware {
  /** Whether keys are watched on the executor's connection now. */
  isWatching(): boolean;
}

/** A client that keeps a batch on one connection and retries it whole (`Redis.runBatch`). */
export interface BatchRunner {
  runBatch<T>(
    commands: readonly Command<unknown>[],
    run: (executor: CommandExecutor) => Promise<T>,
    mode: "PIPELINE" | "MULTI",
  ): Promise<T>;
}

/** A client with response callbacks (`Redis.setResponseCallback`). */
interface ResponseCallbacks {
  getResponseCallback(name: string): ((reply: RespValue) => unknown) | undefined;
}

/** The same command without its transform, for queuing inside MULTI (the reply is QUEUED). */
function rawCopy(command: Command<unknown>): Command<unknown> {
  const copy = new Command<unknown>(String(command.args[0])).argsOf(command.args.slice(1));
  copy.keys = command.keys;
  copy.queued = true;
  return copy;
}

function settle<T>(promise: Promise<T>): Promise<T | Error> {
  return promise.then((v) => v, (e) => (e instanceof Error ? e : new DataError(String(e))));
}

/**
 * Sends `commands` in one synchronous run (so the client writes them in one batch) and resolves to their
 * replies, each Error in its command's place; a command answered locally gets its value without a send.
 * One promise for the batch where the executor offers `executeMany`.
 */
function executeAll(client: CommandExecutor, commands: readonly Command<unknown>[]): Promise<unknown[]> {
  if (client.executeMany !== undefined) return client.executeMany(commands);
  return Promise.all(commands.map((c) => c.localReply ? c.localReply.value : settle(client.execute(c))));
}
