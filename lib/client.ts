/**
 * `Redis`: the client. Options, lazy connection, raw commands and response
 * callbacks; the command methods come from `RedisCommands`.
 *
 * @module
 */

import { type Command, Command as Cmd, type RedisKey, type ReplyTransform } from "./commands/command.ts";
import { RedisCommands } from "./commands/mod.ts";
import { checkOptionKeys, optionKeys } from "./commands/validate.ts";
import type { CommandExecutor } from "./commands/command.ts";
import type { Connection, ConnectionEventKind, SendOptions, ServerHello } from "./connection.ts";
import { parseURL, type RedisOptions, validateOptions } from "./options.ts";
import type { RedisArgument, RespValue } from "./protocol/types.ts";
import { type Pipeline, PipelineImpl, type PipelineOptions } from "./pipeline.ts";
import { Script } from "./script.ts";
import { Lock, type LockClass, type LockOptions } from "./lock.ts";
import type { WatchedPipeline } from "./watch.ts";
import { Monitor } from "./monitor.ts";
import { ConnectionError, DataError, WatchError } from "./errors.ts";
import { ConnectionPool } from "./pool.ts";
import { redactOptions } from "./redact.ts";
import type { Retry } from "./retry.ts";
import { type Backoff, defaultBackoff } from "./backoff.ts";
import { Recovery, retryPolicy, type Trace } from "./recovery.ts";
import { PubSub, type PubSubOptions } from "./pubsub.ts";
import { type KeyspaceNotificationsOptions, keyspacePlan } from "./keyspace/channels.ts";
import { KeyspaceNotifications } from "./keyspace/notifications.ts";
import { standaloneFeeds } from "./keyspace/standalone.ts";
import { type CacheInterface, isCacheable, type TrackingCache } from "./cache.ts";
import { isReadOnly } from "./commands/read_only.ts";
import { transformError } from "./commands/reply.ts";
import { RedisConnectionEvent, RedisErrorEvent, type RedisEventMap } from "./events.ts";
import type { InstrumentationScope } from "./instrumentation.ts";

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

const TRANSACTION_KEYS = optionKeys<TransactionOptions>({ valueFromCallable: true, watchDelay: true });

/**
 * Per-command settings of `Redis.withOptions` and `Redis.execute`.
 *
 * @example
 * ```ts
 * import type { CommandOptions } from "@uniredis/redis";
 * const o: CommandOptions = { timeout: 500, signal: AbortSignal.timeout(1_000) };
 * console.log(o.timeout); // 500
 * ```
 */
export interface CommandOptions {
  /** Milliseconds to wait for the reply (default: `socketTimeout`, plus the blocking time of blocking commands). */
  timeout?: number;
  /** Aborts the command: unsent, it is dropped; sent, its connection is closed so no late reply is misread. */
  signal?: AbortSignal;
}

const COMMAND_OPTION_KEYS = optionKeys<CommandOptions>({ timeout: true, signal: true });

/**
 * A listener of `Redis` events (see `RedisEventMap`): a function or an
 * object with `handleEvent`.
 *
 * @example
 * ```ts
 * import type { RedisErrorEvent, RedisEventListener } from "@uniredis/redis";
 * const log: RedisEventListener<RedisErrorEvent> = (e) => console.error(e.error.message);
 * console.log(typeof log); // "function"
 * ```
 */
export type RedisEventListener<E> = ((event: E) => void) | { handleEvent(event: E): void };

/**
 * A Redis client. It connects on the first command, multiplexes ordinary
 * commands on one shared connection (commands issued in the same tick leave
 * in one write), runs blocking commands (BLPOP, XREAD BLOCK, WAIT...) on
 * connections borrowed from its pool so they never stall other callers, and
 * reconnects on the next command after the connection is lost. With a
 * `retry` policy it reconnects with backoff and re-sends what is safe.
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
  /** The options this client was created with, secrets (password, TLS key) redacted. */
  readonly options: Readonly<RedisOptions<D>>;
  /** Where the client takes its connections from (its own unless `connectionPool` was given). */
  readonly connectionPool: ConnectionPool<D>;
  /** The retry policy in effect (`undefined`: no retries), from `retry`, `retryOnError` and `retryOnTimeout`. */
  readonly retry: Retry | undefined;
  readonly #ownsPool: boolean;
  readonly #single: boolean;
  /** Replies need watching: a retry policy or health checks may re-send. */
  readonly #guarded: boolean;
  #singleConnection: Connection | undefined;
  #singlePending: Promise<Connection> | undefined;
  #callbacks = new Map<string, ReplyTransform<unknown>>();
  #events = new EventTarget();
  /** Event types that ever had a listener: events nobody listens to are not even created (they are not free). */
  #listened = new Set<string>();
  #unobserve: (() => void) | undefined;
  #defaultBackoff: Backoff | undefined;
  readonly #recovery: Recovery;
  /** Open pubsubs: closing the client closes them (else they would reconnect). */
  #pubsubs = new Set<PubSub<D>>();
  /** Connections borrowed for blocking commands and MONITOR, not given back yet. */
  #borrowed = new Set<Connection>();
  /** Borrows in progress: `disconnect()` ends them too. */
  #borrowing = new Set<AbortController>();

  /**
   * Creates a client; nothing is connected until the first command.
   * Throws a `DataError` for invalid options.
   */
  constructor(options: RedisOptions<D> = {}) {
    super();
    validateOptions(options);
    this.options = redactOptions(options);
    const pool = options.connectionPool;
    if (pool !== undefined && !(pool instanceof ConnectionPool)) {
      throw new DataError("Invalid option connectionPool (expected a ConnectionPool)");
    }
    this.connectionPool = pool ?? new ConnectionPool<D>(options);
    this.#ownsPool = pool === undefined;
    this.#single = options.singleConnectionClient === true;
    this.retry = retryPolicy(options);
    this.#recovery = new Recovery(this.retry, (event) => {
      if (this.#listened.has("reconnecting")) this.#events.dispatchEvent(event);
    }, this.connectionPool.instrumentation);
    this.#guarded = this.retry !== undefined || !!this.connectionPool.options.healthCheckInterval;
    this.#observe();
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

  /**
   * The observers of this client's commands, batches, connects and events:
   * its pool's scope (the `instrumentation` option, else the pool's own), so
   * clients sharing a pool share it. `instrument(client, ...)` adds to it.
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const names: string[] = [];
   * const remove = r.instrumentation.add({
   *   traceCommand(trace, run) {
   *     names.push(trace.command);
   *     return run();
   *   },
   * });
   * await r.ping();
   * remove();
   * console.log(names); // ["PING"]
   * ```
   */
  get instrumentation(): InstrumentationScope {
    return this.connectionPool.instrumentation;
  }

  /** What the server said in the handshake of the current connection, once connected. */
  get serverHello(): ServerHello | undefined {
    return (this.#singleConnection ?? this.connectionPool.currentSharedConnection)?.hello;
  }

  /**
   * Runs a prepared command and resolves to its reply. `options` set a
   * timeout or an abort signal for this command only.
   */
  execute<T>(command: Command<T>, options?: CommandOptions): Promise<T> {
    if (command.error) return Promise.reject(command.error);
    if (options !== undefined) {
      try {
        checkOptionKeys("execute", options, COMMAND_OPTION_KEYS);
      } catch (e) {
        return Promise.reject(e);
      }
    }
    if (command.localReply) return Promise.resolve(command.localReply.value);
    let sendOptions: SendOptions | undefined = options;
    if (this.#callbacks.size > 0) {
      const transform = this.#callbacks.get(command.name);
      if (transform) sendOptions = { ...options, transform };
    }
    if (this.#unobserve === undefined) this.#observe();
    const tracking = this.connectionPool.trackingCache;
    if (tracking !== undefined && isCacheable(command as Command<unknown>)) {
      return this.#cachedRead(command, sendOptions, tracking);
    }
    if (command.blocking && !this.#single) return this.#sendGuarded(command, sendOptions, true);
    if (this.#guarded || this.#single) return this.#sendGuarded(command, sendOptions, false);
    return this.connectionPool.sharedConnection().send(command, sendOptions);
  }

  /** The client-side cache (`cache` option), with its `stats`; `undefined` when caching is off. */
  get cache(): CacheInterface | undefined {
    return this.connectionPool.trackingCache?.cache;
  }

  /** A read served by the client-side cache, or sent and then cached (the raw reply is what is kept). */
  #cachedRead<T>(
    command: Command<T>,
    sendOptions: SendOptions | undefined,
    tracking: TrackingCache,
  ): Promise<T> {
    const transform = sendOptions?.transform ?? command.transform;
    const finish = (raw: RespValue): T => {
      try {
        return (transform ? transform(raw) : raw) as T;
      } catch (error) {
        throw transformError(command.name, error);
      }
    };
    const rawOptions: SendOptions = { ...sendOptions, transform: rawReply };
    const raw = tracking.read(
      command as Command<unknown>,
      () =>
        this.#guarded || this.#single
          ? this.#sendGuarded(command as Command<RespValue>, rawOptions, false)
          : this.connectionPool.sharedConnection().send(command as Command<RespValue>, rawOptions),
    );
    if (raw instanceof Promise) return raw.then(finish);
    try {
      return Promise.resolve(finish(raw));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * A view of this client whose commands all use `options`: a timeout or an
   * abort signal per call, for any command method.
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const job = await r.withOptions({ signal: AbortSignal.timeout(2_000) }).blpop("jobs", 0);
   * const quick = await r.withOptions({ timeout: 100 }).get("k");
   * console.log(job, quick);
   * ```
   */
  withOptions(
    options: CommandOptions,
  ): RedisCommands<D> & { sendCommand(...args: RedisArgument[]): Promise<RespValue> } {
    checkOptionKeys("withOptions", options, COMMAND_OPTION_KEYS);
    return new ScopedCommands<D>(this, options);
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
    return this.execute(rawCommand(args));
  }

  /**
   * Runs `run` with an executor bound to one connection, so a batch of
   * commands stays contiguous (pipelines and transactions use it): the shared
   * connection, or a borrowed one when a command of `commands` blocks. With a
   * retry policy the whole batch runs again when that is safe: nothing of it
   * was sent, or every command of `commands` only reads, or the policy says
   * `retryWrites`. `mode` is what observers are told the batch is (each
   * attempt is one batch trace).
   */
  runBatch<T>(
    commands: readonly Command<unknown>[],
    run: (executor: CommandExecutor) => Promise<T>,
    mode: "PIPELINE" | "MULTI" = "PIPELINE",
  ): Promise<T> {
    const dedicated = !this.#single && commands.some((c) => c.blocking);
    const batch = { mode, size: commands.length };
    const attempt = async (trace: Trace): Promise<T> => {
      const connection = await this.#connection(dedicated);
      trace.connection = connection;
      const callbacks = this.#callbacks;
      // `name` is computed (upper case, subcommand): only when a callback could match.
      const transformOf = callbacks.size === 0
        ? undefined
        : (command: Command<unknown>) => command.queued ? undefined : callbacks.get(command.name);
      const executor: CommandExecutor = {
        execute: (command) => connection.send(command, { trace, transform: transformOf?.(command), batch }),
        executeMany: (commands) => connection.sendBatch(commands, { trace, transformOf, batch }),
      };
      try {
        return await connection.traceBatch(mode, commands, () => run(executor));
      } finally {
        if (dedicated) this.#giveBack(connection);
      }
    };
    return this.#recovery.run(attempt, commands.every(isReadOnly), undefined);
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
    checkOptionKeys("transaction", options, TRANSACTION_KEYS);
    const watches = args as RedisKey[];
    for (;;) {
      let pipe: WatchedPipeline<D> | undefined;
      try {
        // WATCH itself fails with a WatchError when its connection is lost: start over then too.
        pipe = await this.pipeline().watch(...watches);
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

  /**
   * A `PubSub` on a connection of its own (borrowed from the pool on the
   * first subscription): channels, patterns and shard channels, with
   * handlers, `getMessage`, `listen`, a `run()` worker and re-subscription
   * after a reconnect.
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await using p = r.pubsub({ ignoreSubscribeMessages: true });
   * await p.subscribe("news");
   * await r.publish("news", "hello");
   * for await (const message of p) {
   *   console.log(message.channel, message.data); // "news" "hello"
   *   break;
   * }
   * ```
   */
  pubsub(options?: PubSubOptions): PubSub<D> {
    const pubsub = new PubSub<D>(this, options);
    this.#pubsubs.add(pubsub);
    return pubsub;
  }

  /**
   * Keyspace notifications, parsed (redis-py's `KeyspaceNotifications`):
   * resolves once subscribed on a pubsub of this client. `keys` and
   * `patterns` watch keys (key-space channels), `events` filters them, or
   * alone watches events (key-event channels); `configure` enables what is
   * needed with CONFIG SET, added to the server's current flags. Closing the
   * client closes it. See {@link KeyspaceNotificationsOptions}.
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await using kn = await r.keyspaceNotifications({ keys: ["cart:7"], configure: true });
   * await r.set("cart:7", "x", { ex: 60 });
   * console.log(await kn.getMessage({ timeout: 1_000 }));
   * // { key: "cart:7", eventType: "set", database: 0, channel: "__keyspace@0__:cart:7", isKeyspace: true }
   * ```
   */
  async keyspaceNotifications(options: KeyspaceNotificationsOptions = {}): Promise<KeyspaceNotifications<D>> {
    const plan = keyspacePlan(options, this.connectionPool.options.db ?? 0, false);
    return await new KeyspaceNotifications<D>(plan, standaloneFeeds<D>(this)).open();
  }

  /** Stops tracking a closed pubsub (called by `PubSub.close`). */
  forgetPubSub(pubsub: PubSub<D>): void {
    this.#pubsubs.delete(pubsub);
  }

  /** Spacing of reconnect attempts of subscribers: the retry policy's backoff, or redis-py's default. */
  get reconnectBackoff(): Backoff {
    return this.retry?.backoff ?? (this.#defaultBackoff ??= defaultBackoff());
  }

  /**
   * Starts MONITOR on a connection borrowed from the pool: an async iterable
   * of every command the server processes, parsed. Close it (or break out of
   * the loop, or `await using`) to stop.
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
  async monitor(): Promise<Monitor> {
    const connection = await this.#borrow();
    // MONITOR leaves the connection unusable for commands: it is closed, never reused.
    connection.whenClosed().then(() => this.#giveBack(connection));
    return await new Monitor(connection).start();
  }

  /**
   * Opens a connection with this client's settings that the caller owns and
   * must close; it is not part of the pool. Most code never needs it.
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
    return this.connectionPool.createConnection();
  }

  /**
   * A distributed lock on the key `name` (redis-py's `lock`); durations in
   * milliseconds. Nothing is sent until `acquire()`. `lockClass` picks the
   * `Lock` subclass to instantiate. Throws a `DataError` for bad options.
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
  lock<L extends Lock = Lock>(name: RedisKey, options?: LockOptions & { lockClass?: LockClass<L> }): L {
    const lockClass = options?.lockClass ?? Lock;
    if (typeof lockClass !== "function" || (lockClass !== Lock && !(lockClass.prototype instanceof Lock))) {
      throw new DataError("Invalid option lockClass (expected Lock or a subclass of it)");
    }
    return new lockClass(this as RedisCommands<boolean>, name, options) as L;
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
   * The callback `setResponseCallback` set for the command `name` (e.g.
   * `"GET"`, `"CLIENT LIST"`), if any: transactions apply it to EXEC's replies.
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * r.setResponseCallback("GET", Number);
   * console.log(r.getResponseCallback("get") === Number); // true
   * ```
   */
  getResponseCallback(name: string): ((reply: RespValue) => unknown) | undefined {
    return this.#callbacks.get(name.toUpperCase());
  }

  /**
   * Listens to the client's events: `connect`, `ready`, `error`,
   * `reconnecting` and `end` (see `RedisEventMap`). They concern every
   * connection of the client's pool. An `error` nobody listens to is harmless.
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * const r = new Redis();
   * r.addEventListener("error", (e) => console.warn("connection problem:", e.error.message));
   * r.addEventListener("reconnecting", (e) => console.warn(`retry ${e.attempt} in ${e.delay} ms`));
   * await r.close();
   * ```
   */
  addEventListener<K extends keyof RedisEventMap>(
    type: K,
    listener: RedisEventListener<RedisEventMap[K]> | null,
    options?: boolean | { once?: boolean; signal?: AbortSignal },
  ): void {
    this.#listened.add(type);
    this.#events.addEventListener(type, listener as EventListener | null, options);
  }

  /** Removes a listener added with `addEventListener`. */
  removeEventListener<K extends keyof RedisEventMap>(
    type: K,
    listener: RedisEventListener<RedisEventMap[K]> | null,
    options?: boolean | { capture?: boolean },
  ): void {
    this.#events.removeEventListener(type, listener as EventListener | null, options);
  }

  /** Dispatches an event to this client's listeners (as `EventTarget.dispatchEvent`). */
  dispatchEvent(event: Event): boolean {
    return this.#events.dispatchEvent(event);
  }

  /**
   * Closes gracefully: connections finish the replies of commands already
   * sent, then close; after `closeTimeout` ms (default 2,000) they are
   * dropped and what is still pending rejects with a `ConnectionError`. A
   * pool the client created is closed with it; a pool given in the options
   * is left open (only the client's own single connection is given back).
   * Its pubsubs are closed. A later command reconnects.
   */
  async close(): Promise<void> {
    await Promise.all([...this.#pubsubs].map((p) => p.close()));
    const single = this.#takeSingle();
    if (single) {
      await single.close();
      this.connectionPool.release(single);
    }
    if (this.#ownsPool) await this.connectionPool.close();
    this.#end();
  }

  /**
   * Drops the client's connections at once (every connection of a pool it
   * created, being closed or not; its single connection; those it borrowed
   * for blocking commands and MONITOR): pending commands reject with a
   * `ConnectionError`. Its pubsubs are closed. A later command reconnects.
   */
  async disconnect(): Promise<void> {
    // Pubsubs stop reconnecting first; dropping their connections below ends their close().
    const pubsubs = Promise.all([...this.#pubsubs].map((p) => p.close()));
    const single = this.#takeSingle();
    if (single) {
      single.disconnect();
      this.connectionPool.release(single);
    }
    for (const connection of [...this.#borrowed]) connection.disconnect();
    const reason = new ConnectionError("The client was disconnected while borrowing a connection");
    for (const borrowing of [...this.#borrowing]) borrowing.abort(reason);
    if (this.#ownsPool) await this.connectionPool.disconnect();
    await pubsubs;
    this.#end();
  }

  /** Closes the client (`await using r = new Redis()`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #takeSingle(): Connection | undefined {
    const single = this.#singleConnection;
    this.#singleConnection = undefined;
    this.#singlePending = undefined;
    return single;
  }

  #end(): void {
    this.#unobserve?.();
    this.#unobserve = undefined;
    if (this.#listened.has("end")) this.#events.dispatchEvent(new Event("end"));
  }

  #observe(): void {
    this.#unobserve = this.connectionPool.observe((kind, connection, error) =>
      this.#onConnectionEvent(kind, connection, error)
    );
  }

  #onConnectionEvent(kind: ConnectionEventKind, connection: Connection, error?: Error): void {
    if (!this.#listened.has(kind)) return;
    if (kind === "connect" || kind === "ready") {
      this.#events.dispatchEvent(new RedisConnectionEvent(kind, connection.address));
    } else if ((kind === "error" || kind === "credentialserror") && error) {
      this.#events.dispatchEvent(new RedisErrorEvent(error, connection.address, kind));
    }
  }

  /** Borrows a connection from the pool, remembered until given back so `disconnect()` reaches it. */
  async #borrow(signal?: AbortSignal): Promise<Connection> {
    // Its own controller, so disconnect() can end a borrow still connecting.
    const borrowing = new AbortController();
    const onAbort = () => borrowing.abort(signal!.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    this.#borrowing.add(borrowing);
    try {
      const connection = await this.connectionPool.getConnection({ signal: borrowing.signal });
      this.#borrowed.add(connection);
      return connection;
    } finally {
      this.#borrowing.delete(borrowing);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  #giveBack(connection: Connection): void {
    this.#borrowed.delete(connection);
    this.connectionPool.release(connection);
  }

  /** The connection a command goes out on: shared, single, or (dedicated) borrowed from the pool. */
  #connection(dedicated: boolean, signal?: AbortSignal): Connection | Promise<Connection> {
    if (dedicated) return this.#borrow(signal);
    if (!this.#single) return this.connectionPool.sharedConnection();
    const single = this.#singleConnection;
    if (single !== undefined && !single.closed) return single;
    if (single !== undefined) {
      this.#singleConnection = undefined;
      this.connectionPool.release(single);
    }
    return this.#singlePending ??= this.connectionPool.getConnection().then((connection) => {
      this.#singleConnection = connection;
      this.#singlePending = undefined;
      return connection;
    }, (error) => {
      this.#singlePending = undefined;
      throw error;
    });
  }

  /** Sends one command on its connection, with health-check recovery and the retry policy. */
  #sendGuarded<T>(command: Command<T>, sendOptions: SendOptions | undefined, dedicated: boolean): Promise<T> {
    const attempt = async (trace: Trace): Promise<T> => {
      const pending = this.#connection(dedicated, sendOptions?.signal);
      const connection = pending instanceof Promise ? await pending : pending;
      trace.connection = connection;
      try {
        return await connection.send(command, { ...sendOptions, trace });
      } finally {
        if (dedicated) this.#giveBack(connection);
      }
    };
    return this.#recovery.run(attempt, isReadOnly(command as Command<unknown>), sendOptions?.signal);
  }
}

/**
 * The client's commands with fixed per-command options (`Redis.withOptions`).
 */
class ScopedCommands<D extends boolean> extends RedisCommands<D> {
  readonly #client: Redis<D>;
  readonly #options: CommandOptions;

  constructor(client: Redis<D>, options: CommandOptions) {
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

/** The identity transform: keeps a reply raw (the cache stores replies before their transform). */
const rawReply = (reply: RespValue): RespValue => reply;

function rawCommand(args: RedisArgument[]): Command<RespValue> {
  if (args.length === 0) return new Cmd<RespValue>("").fail("sendCommand needs a command name");
  const [name, ...rest] = args;
  return new Cmd<RespValue>(String(name)).argsOf(rest);
}
