/**
 * `Redis`: the client. Options, lazy connection, raw commands and response
 * callbacks; the command methods come from `RedisCommands`.
 *
 * @module
 */

import { type Command, Command as Cmd, type RedisKey, type ReplyTransform } from "./commands/command.ts";
import { RedisCommands } from "./commands/mod.ts";
import { Connection, type ConnectionOptions, type ServerHello } from "./connection.ts";
import { getDefaultConnector } from "./default_connector.ts";
import { parseURL, type RedisOptions, validateOptions } from "./options.ts";
import type { RedisArgument, RespValue } from "./protocol/types.ts";
import { LIB_NAME, VERSION } from "./version.ts";
import { type Pipeline, PipelineImpl, type PipelineOptions } from "./pipeline.ts";
import { Script } from "./script.ts";
import { Lock, type LockOptions } from "./lock.ts";
import type { WatchedPipeline } from "./watch.ts";
import { Monitor } from "./monitor.ts";
import { WatchError } from "./errors.ts";

const DEFAULT_CONNECT_TIMEOUT = 10_000;

/**
 * Options of `Redis.transaction`, as redis-py's keywords.
 *
 * @example
 * ```ts
 * import type { TransactionOptions } from "@uniredis/redis";
 * const o: TransactionOptions = { valueFromCallable: true, watchDelay: 10 };
 * console.log(o.watchDelay); // 10
 * ```
 */
export interface TransactionOptions {
  /** Resolve to what the callback returned instead of the transaction's replies. */
  valueFromCallable?: boolean;
  /** Milliseconds to wait before retrying after a watched key changed. */
  watchDelay?: number;
}

/**
 * A Redis client. It connects on the first command, multiplexes every
 * command on one connection (commands issued in the same tick leave in one
 * write), and reconnects on the next command after the connection is lost.
 *
 * `D` follows `decodeResponses`: replies are `string`s by default and
 * `Uint8Array`s with `decodeResponses: false`.
 *
 * @example Quick start
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis({ host: "127.0.0.1", port: 6379 });
 * await r.set("counter", 1);
 * await r.incr("counter");
 * console.log(await r.get("counter")); // "2"
 * ```
 *
 * @example Binary values
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis({ decodeResponses: false });
 * await r.set("bytes", new Uint8Array([0, 255]));
 * const v: Uint8Array | null = await r.get("bytes");
 * console.log(v); // Uint8Array(2) [ 0, 255 ]
 * ```
 */
export class Redis<D extends boolean = true> extends RedisCommands<D> implements AsyncDisposable {
  /** The options this client was created with. */
  readonly options: Readonly<RedisOptions<D>>;
  #connectionOptions: ConnectionOptions | undefined;
  #connection: Connection | undefined;
  #callbacks = new Map<string, ReplyTransform<unknown>>();

  /**
   * Creates a client; nothing is connected until the first command.
   * Throws a `DataError` for invalid options.
   */
  constructor(options: RedisOptions<D> = {}) {
    super();
    validateOptions(options);
    this.options = options;
  }

  /**
   * Creates a client from a `redis://`, `rediss://` or `unix://` URL (see
   * `parseURL`); `options` override what the URL says.
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * const r = Redis.fromURL("redis://127.0.0.1:6379/0?protocol=3");
   * await r.close();
   * ```
   */
  static fromURL<D extends boolean = true>(url: string, options: RedisOptions<D> = {}): Redis<D> {
    const fromUrl = parseURL(url) as RedisOptions<D>;
    const tls = options.tls ?? fromUrl.tls;
    return new Redis<D>({
      ...fromUrl,
      ...options,
      tls: typeof fromUrl.tls === "object" && typeof tls === "object" ? { ...fromUrl.tls, ...tls } : tls,
    });
  }

  /** What the server said in the handshake of the current connection, once connected. */
  get serverHello(): ServerHello | undefined {
    return this.#connection?.hello;
  }

  /** Runs a prepared command on this client's connection. */
  execute<T>(command: Command<T>): Promise<T> {
    if (command.error) return Promise.reject(command.error);
    const connection = this.#connection !== undefined && !this.#connection.closed
      ? this.#connection
      : this.#newConnection();
    if (this.#callbacks.size > 0) {
      const transform = this.#callbacks.get(command.name);
      if (transform) return connection.send(command, { transform }) as Promise<T>;
    }
    return connection.send(command);
  }

  /**
   * Sends any command as given and resolves to its raw reply (or the
   * response callback's result, when one is set for the command).
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * console.log(await r.sendCommand("ECHO", "hi")); // "hi"
   * ```
   */
  sendCommand(...args: RedisArgument[]): Promise<RespValue> {
    if (args.length === 0) return Promise.reject(new Cmd("").fail("sendCommand needs a command name").error);
    const [name, ...rest] = args;
    return this.execute(new Cmd<RespValue>(String(name)).argsOf(rest));
  }

  /**
   * Starts a pipeline: command methods queue (and chain), `exec()` sends them
   * in one write and resolves to their typed replies in order. A transaction
   * (the default, as redis-py) wraps them in MULTI/EXEC.
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const [set, count] = await r.pipeline().set("k", "v").incr("hits").exec();
   * console.log(set, typeof count); // true "number"
   * const plain = await r.pipeline({ transaction: false }).get("k").exec();
   * console.log(plain); // ["v"]
   * ```
   */
  pipeline(options?: PipelineOptions): Pipeline<D, []> {
    return new PipelineImpl<D>(this, options) as unknown as Pipeline<D, []>;
  }

  /**
   * Runs `fn` as an optimistic transaction, retrying while a watched key
   * changes (redis-py's `transaction`): `fn` gets a pipeline watching
   * `watches`, reads with it, and queues writes after `pipe.multi()`. Resolves
   * to the transaction's replies, or with `valueFromCallable` to what `fn`
   * returned. `watchDelay` (ms) pauses between attempts.
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.transaction(async (pipe) => {
   *   const n = Number(await pipe.get("counter") ?? 0);
   *   pipe.multi().set("counter", n + 1);
   * }, "counter");
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
    const watches = args as RedisKey[];
    for (;;) {
      const pipe = await this.pipeline().watch(...watches);
      try {
        const value = await fn(pipe);
        const replies = await pipe.exec();
        return options.valueFromCallable ? value : replies;
      } catch (error) {
        if (!(error instanceof WatchError)) throw error;
        if (options.watchDelay) await new Promise((resolve) => setTimeout(resolve, options.watchDelay));
      } finally {
        await pipe.reset();
      }
    }
  }

  /**
   * Starts MONITOR on a connection of its own: an async iterable of every
   * command the server processes, parsed. Close it (or break out of the
   * loop, or `await using`) to stop.
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await using monitor = await r.monitor();
   * for await (const { time, clientAddress, args } of monitor) {
   *   console.log(time, clientAddress, args.join(" "));
   * }
   * ```
   */
  monitor(): Promise<Monitor> {
    return new Monitor(this.openConnection()).start();
  }

  /**
   * Opens a connection of this client's own settings that the caller owns
   * and must close (WATCH transactions use one). Most code never needs it.
   *
   * @example
   * ```ts
   * import { Command, Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const conn = r.openConnection();
   * console.log(await conn.send(new Command("PING"))); // "PONG"
   * await conn.close();
   * ```
   */
  openConnection(): Connection {
    this.#connectionOptions ??= this.#toConnectionOptions();
    return new Connection(this.#connectionOptions);
  }

  /**
   * A distributed lock on the key `name` (redis-py's `lock`); durations in
   * milliseconds. Nothing is sent until `acquire()`.
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const lock = r.lock("report", { timeout: 10_000 });
   * if (await lock.acquire({ blocking: false })) {
   *   try {
   *     // ... only one holder at a time gets here
   *   } finally {
   *     await lock.release();
   *   }
   * }
   * ```
   */
  lock(name: RedisKey, options?: LockOptions): Lock {
    return new Lock(this as RedisCommands<boolean>, name, options);
  }

  /**
   * Registers a Lua script: `run()` calls it by digest (EVALSHA) and loads it
   * when the server lacks it, as redis-py's `register_script`.
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const double = r.registerScript("return ARGV[1] * 2");
   * console.log(await double.run({ args: [21] })); // 42
   * ```
   */
  registerScript(source: string): Script {
    return new Script(this as RedisCommands<boolean>, source);
  }

  /**
   * Replaces the reply transform of a command for this client, as redis-py's
   * `set_response_callback`. `name` is the command (`"GET"`) or command and
   * subcommand (`"CONFIG GET"`), case-insensitive.
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * r.setResponseCallback("GET", (reply) => (reply === null ? 0 : Number(reply)));
   * await r.set("n", "41");
   * console.log(await r.get("n")); // 41 (a number now)
   * ```
   */
  setResponseCallback(name: string, callback: (reply: RespValue) => unknown): void {
    this.#callbacks.set(name.toUpperCase(), callback);
  }

  /**
   * Closes the connection once the replies of commands already sent have
   * arrived. A later command reconnects.
   */
  async close(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection) await connection.close();
  }

  /** Closes the client (`await using r = new Redis()`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #newConnection(): Connection {
    this.#connectionOptions ??= this.#toConnectionOptions();
    return this.#connection = new Connection(this.#connectionOptions);
  }

  #toConnectionOptions(): ConnectionOptions {
    const o = this.options;
    return {
      connector: o.connector ?? getDefaultConnector(),
      host: o.host,
      port: o.port,
      path: o.path,
      tls: o.tls === true ? {} : o.tls || undefined,
      username: o.username,
      password: o.password,
      db: o.db,
      clientName: o.clientName,
      protocol: o.protocol ?? 3,
      decodeResponses: o.decodeResponses ?? true,
      encoding: o.encoding,
      socketTimeout: o.socketTimeout,
      socketConnectTimeout: o.socketConnectTimeout ?? DEFAULT_CONNECT_TIMEOUT,
      socketKeepalive: o.socketKeepalive,
      libName: LIB_NAME,
      libVersion: VERSION,
      onPush: o.pushHandler,
    };
  }
}
