/**
 * `PubSub`: subscriptions to channels, patterns and shard channels on a
 * connection of their own, with handlers, polling, async iteration, a
 * background worker, health checks and re-subscription after a reconnect.
 *
 * @module
 */

import { Command, type RedisKey, type Str } from "./commands/command.ts";
import type { Connection } from "./connection.ts";
import { ConnectionError, DataError, PubSubError } from "./errors.ts";
import type { RespValue } from "./protocol/types.ts";
import type { ConnectionPool } from "./pool.ts";
import type { Backoff } from "./backoff.ts";
import { keyText, textOf } from "./key_text.ts";
import { checkOptionKeys, optionKeys } from "./commands/validate.ts";

/**
 * The kinds of message a `PubSub` delivers: published messages (`message`,
 * `pmessage` for a pattern, `smessage` for a shard channel), the server's
 * confirmations of (un)subscriptions, and `pong` answering `PubSub.ping()`.
 *
 * @example
 * ```ts
 * import type { PubSubMessageType } from "@uniredis/redis";
 * const t: PubSubMessageType = "pmessage";
 * console.log(t); // "pmessage"
 * ```
 */
export type PubSubMessageType =
  | "message"
  | "pmessage"
  | "smessage"
  | "subscribe"
  | "unsubscribe"
  | "psubscribe"
  | "punsubscribe"
  | "ssubscribe"
  | "sunsubscribe"
  | "pong";

/**
 * One message, as redis-py's dict: `channel` and `data` follow
 * `decodeResponses` (strings, or `Uint8Array`s); `pattern` is set for
 * `pmessage`; `data` is the subscription count for confirmations.
 *
 * @example
 * ```ts
 * import type { PubSubMessage } from "@uniredis/redis";
 * const m: PubSubMessage = { type: "message", pattern: null, channel: "news", data: "hello" };
 * console.log(m.data); // "hello"
 * ```
 */
export interface PubSubMessage<D extends boolean = true> {
  /** What kind of message this is. */
  type: PubSubMessageType;
  /** The pattern that matched (`pmessage`, `psubscribe`, `punsubscribe`), else `null`. */
  pattern: Str<D> | null;
  /** The channel (`null` in the confirmation of an UNSUBSCRIBE that had nothing to do). */
  channel: Str<D> | null;
  /** The payload; for confirmations, the number of subscriptions left. */
  data: Str<D> | number;
}

/**
 * Called with each message of the channel (or pattern) it was subscribed
 * with; such messages are not returned by `getMessage` or `listen`.
 *
 * @example
 * ```ts
 * import type { MessageHandler } from "@uniredis/redis";
 * const onNews: MessageHandler = (m) => console.log(m.channel, m.data);
 * console.log(typeof onNews); // "function"
 * ```
 */
export type MessageHandler<D extends boolean = true> = (message: PubSubMessage<D>) => void | Promise<void>;

/**
 * Options of `Redis.pubsub()`.
 *
 * @example
 * ```ts
 * import type { PubSubOptions } from "@uniredis/redis";
 * const o: PubSubOptions = { ignoreSubscribeMessages: true };
 * console.log(o.ignoreSubscribeMessages); // true
 * ```
 */
export interface PubSubOptions {
  /** Never return (un)subscribe confirmations from `getMessage`/`listen` (default false). */
  ignoreSubscribeMessages?: boolean;
  /** Sees every RESP3 push frame of the pubsub connection, raw, before it is handled. */
  pushHandler?: (push: RespValue[]) => void;
}

const PUBSUB_KEYS = optionKeys<PubSubOptions>({ ignoreSubscribeMessages: true, pushHandler: true });

/**
 * Options of `PubSub.getMessage`.
 *
 * @example
 * ```ts
 * import type { GetMessageOptions } from "@uniredis/redis";
 * const o: GetMessageOptions = { timeout: 1_000 };
 * console.log(o.timeout); // 1000
 * ```
 */
export interface GetMessageOptions {
  /** Milliseconds to wait for a message (default 0: only what has arrived; `Infinity`: wait). */
  timeout?: number;
  /** Overrides the pubsub's `ignoreSubscribeMessages` for this call. */
  ignoreSubscribeMessages?: boolean;
}

const GET_MESSAGE_KEYS = optionKeys<GetMessageOptions>({ timeout: true, ignoreSubscribeMessages: true });

/**
 * Options of `PubSub.run`.
 *
 * @example
 * ```ts
 * import type { RunOptions } from "@uniredis/redis";
 * const o: RunOptions = { sleepTime: 100, exceptionHandler: (e) => console.error(e) };
 * console.log(o.sleepTime); // 100
 * ```
 */
export interface RunOptions<D extends boolean = true> {
  /** Milliseconds each wait for a message lasts before the worker looks again (default 1,000). */
  sleepTime?: number;
  /**
   * Called with an error a handler threw (or rejected with); the worker goes
   * on. Without it, the worker stops and `done` rejects with the error.
   */
  exceptionHandler?: (error: unknown, pubsub: PubSub<D>, worker: PubSubWorker) => void;
}

const RUN_KEYS = optionKeys<RunOptions>({ sleepTime: true, exceptionHandler: true });

/**
 * A background worker started by `PubSub.run` (redis-py's
 * `run_in_thread`): it feeds every message to its handler until `stop()`.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * await using p = r.pubsub();
 * await p.subscribe({ news: (m) => console.log(m.data) });
 * const worker = p.run();
 * await worker.stop();
 * ```
 */
export interface PubSubWorker extends AsyncDisposable {
  /** Stops the worker; resolves when it has. */
  stop(): Promise<void>;
  /** Settles when the worker ends: resolves after `stop()`, rejects with an unhandled handler error. */
  readonly done: Promise<void>;
  /** True until the worker ends. */
  readonly running: boolean;
}

/** What a `PubSub` needs of its client. */
export interface PubSubHost<D extends boolean> {
  /** Where the subscriber connection comes from. */
  readonly connectionPool: ConnectionPool<D>;
  /** Spacing of reconnect attempts after the connection is lost. */
  readonly reconnectBackoff: Backoff;
  /** Told when the pubsub is closed (the client stops tracking it). */
  forgetPubSub?(pubsub: PubSub<D>): void;
}

/**
 * What `subscribe` and friends take: a name, an object mapping names to
 * handlers, or a `Map` (whose keys may be `Uint8Array` names).
 *
 * @example
 * ```ts
 * import type { Subscribable } from "@uniredis/redis";
 * const items: Subscribable[] = ["news", { orders: (m) => console.log(m.data) }];
 * console.log(items.length); // 2
 * ```
 */
export type Subscribable<D extends boolean = true> =
  | RedisKey
  | Record<string, MessageHandler<D>>
  | Map<RedisKey, MessageHandler<D>>;

type Kind = "channel" | "pattern" | "shard";

const SUBSCRIBE: Record<Kind, string> = { channel: "SUBSCRIBE", pattern: "PSUBSCRIBE", shard: "SSUBSCRIBE" };
const UNSUBSCRIBE: Record<Kind, string> = {
  channel: "UNSUBSCRIBE",
  pattern: "PUNSUBSCRIBE",
  shard: "SUNSUBSCRIBE",
};
const CONFIRMS: Record<string, [Kind, boolean]> = {
  subscribe: ["channel", true],
  psubscribe: ["pattern", true],
  ssubscribe: ["shard", true],
  unsubscribe: ["channel", false],
  punsubscribe: ["pattern", false],
  sunsubscribe: ["shard", false],
};
/** The payload of health-check PINGs, whose pongs are never delivered. */
const HEALTH_CHECK_MESSAGE = "uniredis-health-check";

interface Subscription<D extends boolean> {
  name: RedisKey;
  handler: MessageHandler<D> | undefined;
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/**
 * Subscriptions on a connection of their own, as redis-py's `PubSub`.
 * Create it with `Redis.pubsub()`. Subscribing resolves once the server has
 * confirmed; messages then queue until read with `getMessage()` or
 * `listen()`, or go to the handler given for their channel (processed when
 * messages are read, or by a `run()` worker). After the connection is lost
 * it reconnects and subscribes again to everything (messages published
 * meanwhile are lost, as in Redis).
 *
 * @example Reading messages
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * await using p = r.pubsub({ ignoreSubscribeMessages: true });
 * await p.subscribe("news");
 * await p.psubscribe("logs:*");
 * await r.publish("news", "hello");
 * console.log(await p.getMessage({ timeout: 1_000 }));
 * // { type: "message", pattern: null, channel: "news", data: "hello" }
 * ```
 *
 * @example Handlers and a background worker
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * await using p = r.pubsub();
 * await p.subscribe({ orders: (m) => console.log("order", m.data) });
 * const worker = p.run({ exceptionHandler: (e) => console.error(e) });
 * await r.publish("orders", "42");
 * await worker.stop();
 * ```
 */
export class PubSub<D extends boolean = true> implements AsyncDisposable {
  readonly #host: PubSubHost<D>;
  readonly #options: PubSubOptions;
  readonly #subscriptions: Record<Kind, Map<string, Subscription<D>>> = {
    channel: new Map(),
    pattern: new Map(),
    shard: new Map(),
  };
  #connection: Connection | undefined;
  #connecting: Promise<Connection> | undefined;
  #queue: PubSubMessage<D>[] = [];
  #messageWaiters: Waiter<void>[] = [];
  /** Confirmations awaited by `subscribe()` and friends, by `kind:key:on|off`. */
  #confirmWaiters = new Map<string, Waiter<void>[]>();
  #pongWaiters: Waiter<void>[] = [];
  #closed = false;
  #worker: Worker<D> | undefined;
  /** Unsubscribe confirmations queued and not yet read: `subscribed` stays true until they are. */
  #unreadUnsubscribes = 0;

  /** Created by `Redis.pubsub()`. */
  constructor(host: PubSubHost<D>, options: PubSubOptions = {}) {
    checkOptionKeys("PubSub", options, PUBSUB_KEYS);
    this.#host = host;
    this.#options = options;
  }

  /**
   * True while at least one channel, pattern or shard channel is subscribed,
   * and, as in redis-py, until the confirmation of the last unsubscribe has
   * been read (by `getMessage` or `listen`, even when confirmations are
   * ignored), so `while (p.subscribed) await p.getMessage()` sees it.
   */
  get subscribed(): boolean {
    return !this.#closed && (this.#hasSubscriptions() || this.#unreadUnsubscribes > 0);
  }

  #hasSubscriptions(): boolean {
    const s = this.#subscriptions;
    return s.channel.size + s.pattern.size + s.shard.size > 0;
  }

  /** The subscribed channels. */
  get channels(): RedisKey[] {
    return [...this.#subscriptions.channel.values()].map((s) => s.name);
  }

  /** The subscribed patterns. */
  get patterns(): RedisKey[] {
    return [...this.#subscriptions.pattern.values()].map((s) => s.name);
  }

  /** The subscribed shard channels. */
  get shardChannels(): RedisKey[] {
    return [...this.#subscriptions.shard.values()].map((s) => s.name);
  }

  /** The current connection, once subscribed (for diagnostics). */
  get connection(): Connection | undefined {
    return this.#connection;
  }

  /**
   * Subscribes to channels: names, objects mapping a name to its handler, or
   * a `Map` of handlers (for `Uint8Array` names).
   * Resolves once the server confirmed every one.
   */
  subscribe(...channels: Subscribable<D>[]): Promise<void> {
    return this.#subscribe("channel", channels);
  }

  /** Subscribes to glob-style patterns (`news.*`); as `subscribe`. */
  psubscribe(...patterns: Subscribable<D>[]): Promise<void> {
    return this.#subscribe("pattern", patterns);
  }

  /** Subscribes to shard channels (SSUBSCRIBE, Redis 7+); as `subscribe`. */
  ssubscribe(...channels: Subscribable<D>[]): Promise<void> {
    return this.#subscribe("shard", channels);
  }

  /** Unsubscribes from `channels`, or from every channel when none is given. */
  unsubscribe(...channels: RedisKey[]): Promise<void> {
    return this.#unsubscribe("channel", channels);
  }

  /** Unsubscribes from `patterns`, or from every pattern when none is given. */
  punsubscribe(...patterns: RedisKey[]): Promise<void> {
    return this.#unsubscribe("pattern", patterns);
  }

  /** Unsubscribes from shard `channels`, or from every shard channel when none is given. */
  sunsubscribe(...channels: RedisKey[]): Promise<void> {
    return this.#unsubscribe("shard", channels);
  }

  /**
   * The next message, or `null`: when none arrives within `timeout` ms
   * (default 0), when the message went to its handler, or when it is a
   * confirmation and confirmations are ignored.
   */
  async getMessage(options: GetMessageOptions = {}): Promise<PubSubMessage<D> | null> {
    checkOptionKeys("getMessage", options, GET_MESSAGE_KEYS);
    const timeout = options.timeout ?? 0;
    if (typeof timeout !== "number" || !(timeout >= 0)) {
      throw new DataError(`Invalid timeout: ${timeout} (expected milliseconds >= 0)`);
    }
    if (this.#closed) return null;
    await this.#healthCheckIfDue();
    if (this.#queue.length === 0 && timeout > 0) await this.#waitForMessage(timeout);
    const message = this.#queue.shift();
    if (message === undefined) return null;
    if (isUnsubscribeConfirmation(message)) this.#unreadUnsubscribes--;
    return await this.#handle(
      message,
      options.ignoreSubscribeMessages ?? this.#options.ignoreSubscribeMessages,
    );
  }

  /** `getMessage` for shard channels (on a standalone server every message comes through one connection). */
  getShardedMessage(options: GetMessageOptions = {}): Promise<PubSubMessage<D> | null> {
    return this.getMessage(options);
  }

  /**
   * Every message not taken by a handler, as they arrive, while something is
   * subscribed (redis-py's `listen()`); ends after the last unsubscribe or
   * on `close()`.
   */
  async *listen(): AsyncGenerator<PubSubMessage<D>, void, undefined> {
    while (!this.#closed && (this.subscribed || this.#queue.length > 0)) {
      const message = await this.getMessage({ timeout: Infinity });
      if (message !== null) yield message;
    }
  }

  /** Same as `listen()`: `for await (const m of pubsub)`. */
  [Symbol.asyncIterator](): AsyncGenerator<PubSubMessage<D>, void, undefined> {
    return this.listen();
  }

  /**
   * Starts a worker that reads messages and calls their handlers until
   * stopped (redis-py's `run_in_thread`). Throws a `PubSubError` when a
   * subscription has no handler (its messages would pile up unread) or a
   * worker already runs.
   */
  run(options: RunOptions<D> = {}): PubSubWorker {
    checkOptionKeys("run", options, RUN_KEYS);
    for (const [kind, map] of Object.entries(this.#subscriptions)) {
      for (const sub of map.values()) {
        if (!sub.handler) {
          throw new PubSubError(`${kind} "${String(describeName(sub.name))}" has no handler`);
        }
      }
    }
    if (this.#worker?.running) throw new PubSubError("A worker already runs for this pubsub");
    const sleepTime = options.sleepTime ?? 1_000;
    if (typeof sleepTime !== "number" || !(sleepTime > 0)) {
      throw new DataError(`Invalid sleepTime: ${sleepTime} (expected milliseconds > 0)`);
    }
    const worker = new Worker<D>(this, sleepTime, options.exceptionHandler);
    this.#worker = worker;
    return worker;
  }

  /**
   * PINGs the server over the subscriber connection and resolves when it
   * answers; a connection that does not answer within the socket timeout is
   * dropped (and replaced, subscriptions included).
   */
  async checkHealth(): Promise<void> {
    const connection = this.#connection;
    if (!connection || connection.closed) return;
    const o = connection.options;
    const limit = o.socketTimeout || o.socketConnectTimeout || 10_000;
    // Sent one-way on every protocol, as `ping()` is: a PING waiting for its reply would take the
    // reply of a `ping()` sent before it. The answer (a ["pong", payload] message over RESP2 when
    // subscribed, else a plain reply) is recognised by its payload.
    let waiter: Waiter<void> | undefined;
    const answered = new Promise<void>((resolve, reject) =>
      this.#pongWaiters.push(waiter = { resolve, reject })
    );
    // Rejected when the connection is lost: observed here, as the PING may fail to go out first.
    answered.catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new ConnectionError(
          `Health check of ${connection.address} failed: no pong within ${limit} ms`,
        );
        connection.disconnect();
        reject(error);
      }, limit);
    });
    // The deadline may pass while the PING is still being written, before the race below observes it.
    late.catch(() => {});
    try {
      await connection.sendOneWay(new Command(["PING", HEALTH_CHECK_MESSAGE]));
      await Promise.race([answered, late]);
    } finally {
      clearTimeout(timer);
      const i = this.#pongWaiters.indexOf(waiter!);
      if (i >= 0) this.#pongWaiters.splice(i, 1);
    }
  }

  /**
   * PINGs the server over the subscriber connection (connecting it if
   * needed) and resolves once sent; the answer arrives as a message of type
   * `"pong"` whose `data` is `message`, or empty without one, as redis-py's
   * `PubSub.ping` (never ignored as confirmations may be).
   */
  async ping(message?: RedisKey): Promise<void> {
    if (message !== undefined && typeof message !== "string" && !(message instanceof Uint8Array)) {
      throw new DataError(`Invalid ping message: ${String(message)} (expected a string or Uint8Array)`);
    }
    if (this.#closed) throw new PubSubError("The pubsub is closed");
    const connection = await this.#ensureConnection();
    await connection.sendOneWay(new Command("PING").argsOf(message === undefined ? [] : [message]));
  }

  /**
   * Unsubscribes from everything and gives the connection up; pending
   * `getMessage`/`listen` calls end. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#host.forgetPubSub?.(this);
    await this.#worker?.stop();
    for (const map of Object.values(this.#subscriptions)) map.clear();
    this.#wakeAll();
    this.#rejectConfirmations(new PubSubError("The pubsub was closed"));
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection) {
      // A connection in subscribed mode cannot serve ordinary commands: it is closed, not reused.
      await connection.close();
      this.#host.connectionPool.release(connection);
    }
  }

  /** redis-py's name for `close()`. */
  reset(): Promise<void> {
    return this.close();
  }

  /** Closes the pubsub (`await using p = r.pubsub()`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** The worker's wait: a message, a timeout, or a wake-up. */
  waitForMessage(timeout: number): Promise<void> {
    return this.#waitForMessage(timeout);
  }

  /** Ends a `waitForMessage` early (the worker stopping). */
  wake(): void {
    this.#wakeAll();
  }

  async #subscribe(kind: Kind, items: Subscribable<D>[]): Promise<void> {
    if (this.#closed) throw new PubSubError("The pubsub is closed");
    const entries: Subscription<D>[] = [];
    for (const item of items) {
      if (typeof item === "string" || item instanceof Uint8Array) {
        entries.push({ name: item, handler: undefined });
      } else if (typeof item === "object" && item !== null) {
        const pairs = item instanceof Map ? [...item] : Object.entries(item);
        for (const [name, handler] of pairs) {
          if (typeof name !== "string" && !(name instanceof Uint8Array)) {
            throw new DataError(`Invalid ${kind}: ${String(name)} (expected a string or Uint8Array)`);
          }
          if (typeof handler !== "function") {
            throw new DataError(`The handler of ${kind} "${name}" is not a function`);
          }
          entries.push({ name, handler });
        }
      } else {
        throw new DataError(
          `Invalid ${kind}: ${String(item)} (expected a string, Uint8Array or { name: handler })`,
        );
      }
    }
    if (entries.length === 0) throw new DataError(`${SUBSCRIBE[kind]} needs at least one ${kind}`);
    const map = this.#subscriptions[kind];
    const previous = new Map<string, Subscription<D> | undefined>();
    const waiters: Waiter<void>[] = [];
    for (const entry of entries) {
      const key = keyText(entry.name);
      if (!previous.has(key)) previous.set(key, map.get(key));
      map.set(key, entry);
    }
    const confirmed = this.#expectAll(kind, [...previous.keys()], true, waiters);
    // A close() while connecting rejects it before it is awaited below (or never, if connecting fails).
    confirmed.catch(() => {});
    try {
      const connection = await this.#ensureConnection();
      // A connection lost meanwhile is replaced, and the replacement subscribes to everything.
      if (this.#isCurrent(connection)) {
        await connection.sendOneWay(new Command(SUBSCRIBE[kind]).argsOf(entries.map((e) => e.name)));
      }
    } catch (error) {
      // Never sent: nothing new is subscribed (redis-py records channels only once sent).
      for (const [key, before] of previous) {
        if (entries.includes(map.get(key)!)) {
          if (before) map.set(key, before);
          else map.delete(key);
        }
      }
      this.#forgetWaiters(waiters);
      throw error;
    }
    await confirmed;
  }

  async #unsubscribe(kind: Kind, names: RedisKey[]): Promise<void> {
    const map = this.#subscriptions[kind];
    for (const name of names) {
      if (typeof name !== "string" && !(name instanceof Uint8Array)) {
        throw new DataError(`Invalid ${kind}: ${String(name)} (expected a string or Uint8Array)`);
      }
    }
    const keys = names.length > 0 ? names.map((name) => keyText(name)) : [...map.keys()];
    for (const key of keys) map.delete(key);
    const connection = this.#connection;
    // Not connected: the subscriptions are forgotten, so a reconnect will not restore them.
    if (!connection || connection.closed) return;
    const waiters: Waiter<void>[] = [];
    const confirmed = this.#expectAll(kind, keys, false, waiters);
    try {
      await connection.sendOneWay(new Command(UNSUBSCRIBE[kind]).argsOf(names));
    } catch (error) {
      this.#forgetWaiters(waiters);
      throw error;
    }
    await confirmed;
  }

  /**
   * Resolves once the server confirmed each of `keys`. The promise is observed at once (its rejection
   * reaches the caller through `await`, or nobody when the send failed first); `waiters` collects the
   * registered waiters so that a failed send can withdraw them.
   */
  #expectAll(kind: Kind, keys: string[], on: boolean, waiters: Waiter<void>[]): Promise<void> {
    const all = Promise.all(keys.map((key) => {
      const id = `${kind}:${on ? "on" : "off"}:${key}`;
      return new Promise<void>((resolve, reject) => {
        const waiter = { resolve, reject };
        waiters.push(waiter);
        const list = this.#confirmWaiters.get(id);
        if (list) list.push(waiter);
        else this.#confirmWaiters.set(id, [waiter]);
      });
    }));
    all.catch(() => {});
    return all.then(() => {});
  }

  /** Withdraws confirmation waiters whose command was never sent, so they cannot take a later confirmation. */
  #forgetWaiters(waiters: Waiter<void>[]): void {
    for (const [id, list] of this.#confirmWaiters) {
      const kept = list.filter((w) => !waiters.includes(w));
      if (kept.length === 0) this.#confirmWaiters.delete(id);
      else if (kept.length !== list.length) this.#confirmWaiters.set(id, kept);
    }
  }

  #isCurrent(connection: Connection): boolean {
    return this.#connection === connection && !connection.closed;
  }

  /** The subscriber connection, borrowed from the pool and set up on first use. */
  #ensureConnection(): Promise<Connection> {
    const current = this.#connection;
    if (current && !current.closed) return Promise.resolve(current);
    return this.#connecting ??= this.#connect().finally(() => this.#connecting = undefined);
  }

  async #connect(): Promise<Connection> {
    const pool = this.#host.connectionPool;
    const connection = await pool.getConnection();
    if (this.#closed) {
      connection.disconnect();
      pool.release(connection);
      throw new PubSubError("The pubsub was closed");
    }
    connection.setPushHandler((push) => {
      this.#options.pushHandler?.(push);
      this.#onFrame(push);
    });
    // Over RESP2 every reply of a subscribed connection is a message.
    connection.streamReplies((reply) => {
      if (Array.isArray(reply)) this.#onFrame(reply);
      // A PING answered as usual (RESP3, or RESP2 with nothing subscribed): a pong, as redis-py makes it,
      // whose bare "PONG" carries no payload.
      else if (typeof reply === "string" || reply instanceof Uint8Array) {
        const empty = connection.options.decodeResponses === false ? new Uint8Array(0) : "";
        this.#onFrame(["pong", textOf(reply) === "PONG" ? empty : reply]);
      }
    });
    this.#connection = connection;
    // The reconnect loop runs unobserved: it must never reject.
    connection.whenClosed().then(() => this.#onClosed(connection)).catch(() => {});
    return connection;
  }

  /** The connection was lost (or closed): reconnect and subscribe again, unless closed. */
  async #onClosed(connection: Connection): Promise<void> {
    this.#host.connectionPool.release(connection);
    if (this.#connection !== connection) return;
    this.#connection = undefined;
    const lost = new ConnectionError(`Pubsub connection to ${connection.address} lost`);
    for (const waiter of this.#pongWaiters.splice(0)) waiter.reject(lost);
    if (this.#closed || !this.#hasSubscriptions()) {
      this.#rejectConfirmations(lost);
      return;
    }
    const backoff = this.#host.reconnectBackoff;
    backoff.reset();
    for (let failures = 0; !this.#closed && this.#hasSubscriptions(); failures++) {
      if (failures > 0) await new Promise((resolve) => setTimeout(resolve, backoff.compute(failures)));
      if (this.#closed || !this.#hasSubscriptions()) break;
      let fresh: Connection;
      try {
        fresh = await this.#ensureConnection();
      } catch {
        continue; // Try again after the backoff; the next message simply arrives later.
      }
      // If this one is lost too, its own close handler takes over from here.
      await this.#resubscribe(fresh).catch(() => {});
      return;
    }
  }

  /** Subscribes a new connection to everything remembered, one command per kind. */
  async #resubscribe(connection: Connection): Promise<void> {
    for (const kind of ["channel", "pattern", "shard"] as const) {
      const subs = [...this.#subscriptions[kind].values()];
      if (subs.length === 0) continue;
      await connection.sendOneWay(new Command(SUBSCRIBE[kind]).argsOf(subs.map((s) => s.name)));
    }
  }

  #onFrame(frame: RespValue[]): void {
    const message = toMessage<D>(frame);
    if (message === undefined) return;
    if (message.type === "pong") {
      if (textOf(message.data) === HEALTH_CHECK_MESSAGE) {
        this.#pongWaiters.shift()?.resolve();
        return;
      }
    } else if (message.type in CONFIRMS) {
      const [kind, on] = CONFIRMS[message.type];
      const name = kind === "pattern" ? message.pattern : message.channel;
      if (name !== null) {
        const id = `${kind}:${on ? "on" : "off"}:${keyText(name as RedisKey)}`;
        const waiters = this.#confirmWaiters.get(id);
        if (waiters) {
          waiters.shift()!.resolve();
          if (waiters.length === 0) this.#confirmWaiters.delete(id);
        }
      }
    }
    if (isUnsubscribeConfirmation(message)) this.#unreadUnsubscribes++;
    this.#queue.push(message);
    this.#wakeAll();
  }

  async #handle(
    message: PubSubMessage<D>,
    ignoreConfirmations: boolean | undefined,
  ): Promise<PubSubMessage<D> | null> {
    const type = message.type;
    if (type in CONFIRMS) return ignoreConfirmations ? null : message;
    const kind: Kind | undefined = type === "message"
      ? "channel"
      : type === "pmessage"
      ? "pattern"
      : type === "smessage"
      ? "shard"
      : undefined;
    if (kind === undefined) return message;
    const name = kind === "pattern" ? message.pattern : message.channel;
    const handler = name === null
      ? undefined
      : this.#subscriptions[kind].get(keyText(name as RedisKey))?.handler;
    if (!handler) return message;
    await handler(message);
    return null;
  }

  async #healthCheckIfDue(): Promise<void> {
    const connection = this.#connection;
    const interval = connection?.options.healthCheckInterval;
    if (!connection || !interval || !connection.ready || connection.idleTime < interval) return;
    await this.checkHealth().catch(() => {
      // The connection was dropped; the reconnect logic takes over.
    });
  }

  #waitForMessage(timeout: number): Promise<void> {
    if (this.#queue.length > 0 || this.#closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter: Waiter<void> = {
        resolve: () => {
          if (timer !== undefined) clearTimeout(timer);
          resolve();
        },
        reject: () => {},
      };
      if (Number.isFinite(timeout)) {
        timer = setTimeout(() => {
          const i = this.#messageWaiters.indexOf(waiter);
          if (i >= 0) this.#messageWaiters.splice(i, 1);
          resolve();
        }, timeout);
      }
      this.#messageWaiters.push(waiter);
    });
  }

  #wakeAll(): void {
    for (const waiter of this.#messageWaiters.splice(0)) waiter.resolve();
  }

  #rejectConfirmations(error: Error): void {
    const all = [...this.#confirmWaiters.values()].flat();
    this.#confirmWaiters.clear();
    for (const waiter of all) waiter.reject(error);
  }
}

class Worker<D extends boolean> implements PubSubWorker {
  readonly done: Promise<void>;
  #running = true;
  readonly #pubsub: PubSub<D>;

  constructor(
    pubsub: PubSub<D>,
    readonly sleepTime: number,
    readonly exceptionHandler: RunOptions<D>["exceptionHandler"],
  ) {
    this.#pubsub = pubsub;
    this.done = this.#loop();
    // A rejection is reported through `done`; nobody awaiting it must not crash the process.
    this.done.catch(() => {});
  }

  get running(): boolean {
    return this.#running;
  }

  async #loop(): Promise<void> {
    try {
      while (this.#running) {
        try {
          await this.#pubsub.getMessage({ timeout: 0, ignoreSubscribeMessages: true });
          if (this.#running) await this.#pubsub.waitForMessage(this.sleepTime);
        } catch (error) {
          if (!this.exceptionHandler) throw error;
          this.exceptionHandler(error, this.#pubsub, this);
        }
      }
    } finally {
      this.#running = false;
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#pubsub.wake();
    await this.done.catch(() => {});
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

/** A message from a push frame or RESP2 reply; `undefined` for frames that are not pubsub messages. */
function toMessage<D extends boolean>(frame: RespValue[]): PubSubMessage<D> | undefined {
  const type = textOf(frame[0]);
  switch (type) {
    case "message":
    case "smessage":
      return { type, pattern: null, channel: frame[1] as Str<D>, data: frame[2] as Str<D> };
    case "pmessage":
      return { type, pattern: frame[1] as Str<D>, channel: frame[2] as Str<D>, data: frame[3] as Str<D> };
    case "subscribe":
    case "unsubscribe":
    case "ssubscribe":
    case "sunsubscribe":
      return { type, pattern: null, channel: frame[1] as Str<D> | null, data: Number(frame[2]) };
    case "psubscribe":
    case "punsubscribe":
      return { type, pattern: frame[1] as Str<D> | null, channel: null, data: Number(frame[2]) };
    case "pong":
      return { type, pattern: null, channel: null, data: frame[1] as Str<D> };
  }
  return undefined;
}

/**
 * The confirmation of an unsubscription that took something away (Redis answers an UNSUBSCRIBE with
 * nothing subscribed with a null channel; that one never kept `subscribed` true).
 */
function isUnsubscribeConfirmation<D extends boolean>(message: PubSubMessage<D>): boolean {
  const t = message.type;
  if (t !== "unsubscribe" && t !== "punsubscribe" && t !== "sunsubscribe") return false;
  return (t === "punsubscribe" ? message.pattern : message.channel) !== null;
}

function describeName(name: RedisKey): string {
  return typeof name === "string" ? name : (textOf(name) ?? `<${name.length} bytes>`);
}
