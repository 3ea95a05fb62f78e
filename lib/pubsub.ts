/**
 * `PubSub`: subscriptions to channels, patterns and shard channels on
 * connections of their own (one for a `Redis`; per node for a
 * `RedisCluster`), with handlers, polling, async iteration, a background
 * worker, health checks and re-subscription after a reconnect.
 *
 * @module
 */

import { Command, type RedisKey } from "./commands/command.ts";
import type { Connection } from "./connection.ts";
import {
  ClusterDownError,
  ConnectionError,
  DataError,
  MovedError,
  PubSubError,
  RedisError,
  TryAgainError,
} from "./errors.ts";
import type { RespValue } from "./protocol/types.ts";
import type { ConnectionPool } from "./pool.ts";
import type { Backoff } from "./backoff.ts";
import { keyText, textOf } from "./key_text.ts";
import type { InstrumentationScope } from "./instrumentation.ts";
import { checkOptionKeys, optionKeys } from "./commands/validate.ts";
import {
  type LinkEvents,
  PubSubLink,
  type PubSubRouter,
  type SentCommand,
  type SubscriptionKind,
  type Waiter,
} from "./pubsub_link.ts";
import {
  isUnsubscribeConfirmation,
  type MessageHandler,
  type PubSubMessage,
  type PubSubMessageType,
  toMessage,
} from "./pubsub_message.ts";
import { type PubSubWorker, Worker } from "./pubsub_worker.ts";

export type { MessageHandler, PubSubMessage, PubSubMessageType, PubSubWorker };

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

/** What a `PubSub` needs of its client. */
export interface PubSubHost<D extends boolean> {
  /** Where the subscriber connection comes from (a standalone client: one connection for everything). */
  readonly connectionPool?: ConnectionPool<D>;
  /** Where each subscription goes instead (a cluster: per node). */
  readonly pubsubRouter?: PubSubRouter<D>;
  /** Spacing of reconnect attempts after the connection is lost. */
  readonly reconnectBackoff: Backoff;
  /** Told when the pubsub is closed (the client stops tracking it). */
  forgetPubSub?(pubsub: PubSub<D>): void;
  /** The client's observers: told of each message received and of reconnects. */
  readonly instrumentation?: InstrumentationScope;
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

type Kind = SubscriptionKind;
const KINDS = ["channel", "pattern", "shard"] as const;
/**
 * How long a shard channel the server dropped unasked is not subscribed again on the same node: the
 * topology may not show the slot's new owner yet (after that, a slot that came back is followed).
 */
const DROPPED_ROUTE_MS = 3_000;

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

/** A standalone client's routing: every subscription on one connection from its pool, kept while idle. */
function singleConnection<D extends boolean>(host: PubSubHost<D>): PubSubRouter<D> {
  const pool = host.connectionPool;
  if (pool === undefined) throw new PubSubError("A pubsub needs a connection pool or a router");
  return {
    ready: () => Promise.resolve(),
    route: () => "",
    group: () => "",
    pool: () => pool,
    lost: () => Promise.resolve(),
    refresh: () => Promise.resolve(),
    moved: () => Promise.resolve(),
    keepIdle: () => true,
  };
}

/**
 * Subscriptions on a connection of their own, as redis-py's `PubSub`.
 * Create it with `Redis.pubsub()`. Subscribing resolves once the server has
 * confirmed; messages then queue until read with `getMessage()` or
 * `listen()`, or go to the handler given for their channel (processed when
 * messages are read, or by a `run()` worker). After the connection is lost
 * it reconnects and subscribes again to everything (messages published
 * meanwhile are lost, as in Redis). `RedisCluster.pubsub()` gives the same
 * API over the cluster's nodes (see there).
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
  readonly #router: PubSubRouter<D>;
  /** What the caller asked for; the links hold what was sent where. */
  readonly #subscriptions: Record<Kind, Map<string, Subscription<D>>> = {
    channel: new Map(),
    pattern: new Map(),
    shard: new Map(),
  };
  readonly #links = new Map<string, PubSubLink>();
  readonly #events: LinkEvents;
  /** Links lost (with their node's address) since the last placement: the router hears of them first. */
  #lostLinks = new Map<string, string | undefined>();
  /** Shard channels the server dropped unasked, with the link that dropped them and when. */
  #dropped = new Map<string, { link: string; at: number }>();
  #recovering: Promise<void> | undefined;
  #queue: PubSubMessage<D>[] = [];
  #messageWaiters: Waiter<void>[] = [];
  /** Confirmations awaited by `subscribe()` and friends, by `kind:key:on|off`. */
  #confirmWaiters = new Map<string, Waiter<void>[]>();
  #closed = false;
  #worker: Worker<D> | undefined;
  /** Unsubscribe confirmations queued and not yet read: `subscribed` stays true until they are. */
  #unreadUnsubscribes = 0;

  /** Created by `Redis.pubsub()` or `RedisCluster.pubsub()`. */
  constructor(host: PubSubHost<D>, options: PubSubOptions = {}) {
    checkOptionKeys("PubSub", options, PUBSUB_KEYS);
    this.#host = host;
    this.#options = options;
    this.#router = host.pubsubRouter ?? singleConnection(host);
    this.#events = {
      frame: (frame, link) => this.#onFrame(frame, link),
      reply: (reply, link, connection) => this.#onReply(reply, link, connection),
      closed: (link, connection) => this.#onClosed(link, connection),
      isClosed: () => this.#closed,
    };
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

  /** The subscribed shard channels (in a cluster, every one asked for, even while moving to a new owner). */
  get shardChannels(): RedisKey[] {
    return [...this.#subscriptions.shard.values()].map((s) => s.name);
  }

  /** The current connection, once subscribed (for diagnostics; in a cluster, the first of `connections`). */
  get connection(): Connection | undefined {
    return this.connections[0];
  }

  /** Every open subscriber connection (one per node in use in a cluster), for diagnostics. */
  get connections(): Connection[] {
    const out: Connection[] = [];
    for (const link of this.#links.values()) {
      const connection = link.connection;
      if (connection && !connection.closed) out.push(connection);
    }
    return out;
  }

  /**
   * Subscribes to channels: names, objects mapping a name to its handler, or
   * a `Map` of handlers (for `Uint8Array` names).
   * Resolves once the server confirmed every one.
   *
   * A refusal rejects with the server's error (`NoPermissionError` for an
   * ACL user without the channel permission, `-NOPERM`). Redis checks every
   * name of a command before running it, so one refused name refuses the
   * whole call: `subscribe("a", "b")` with only "b" forbidden subscribes to
   * neither. Refused names are not recorded (`channels`, `subscribed`) and
   * never sent again on a reconnect; the connection keeps serving the
   * other subscriptions. (In a cluster, shard channels of different slots
   * go in separate commands: those accepted stay subscribed when another
   * is refused, and the call rejects.) The same holds for `psubscribe` and
   * `ssubscribe`; a refused unsubscribe rejects too.
   *
   * @example A refused channel
   * ```ts
   * import { NoPermissionError, Redis } from "@uniredis/redis";
   * // An ACL user allowed `&a*` only.
   * await using r = new Redis({ username: "sub" });
   * await using p = r.pubsub();
   * await p.subscribe("a1");
   * try {
   *   await p.subscribe("a2", "b1");
   * } catch (e) {
   *   console.log(e instanceof NoPermissionError, p.channels); // true ["a1"]
   * }
   * ```
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

  /** redis-py's name for reading shard channels: the same as `getMessage` (every message shares one queue). */
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
   * PINGs the server over each subscriber connection and resolves when they
   * answer; a connection that does not answer within the socket timeout is
   * dropped (and replaced, subscriptions included).
   */
  async checkHealth(): Promise<void> {
    await Promise.all([...this.#links.values()].map((link) => this.#checkLink(link)));
  }

  async #checkLink(link: PubSubLink): Promise<void> {
    const connection = link.connection;
    if (!connection || connection.closed) return;
    const o = connection.options;
    const limit = o.socketTimeout || o.socketConnectTimeout || 10_000;
    // Sent one-way on every protocol, as `ping()` is: a PING waiting for its reply would take the
    // reply of a `ping()` sent before it. The answer (a ["pong", payload] message over RESP2 when
    // subscribed, else a plain reply) is recognised by its payload.
    let waiter: Waiter<void> | undefined;
    const answered = new Promise<void>((resolve, reject) =>
      link.pongWaiters.push(waiter = { resolve, reject })
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
      link.sent.push({ kind: "ping", on: false, keys: [], bare: false, waiter });
      await connection.sendOneWay(new Command(["PING", HEALTH_CHECK_MESSAGE]));
      await Promise.race([answered, late]);
    } finally {
      clearTimeout(timer);
      const i = link.pongWaiters.indexOf(waiter!);
      if (i >= 0) link.pongWaiters.splice(i, 1);
    }
  }

  /**
   * PINGs the server over the subscriber connection (connecting it if
   * needed; in a cluster, the one of channels and patterns) and resolves
   * once sent; the answer arrives as a message of type `"pong"` whose
   * `data` is `message`, or empty without one, as redis-py's `PubSub.ping`
   * (never ignored as confirmations may be).
   */
  async ping(message?: RedisKey): Promise<void> {
    if (message !== undefined && typeof message !== "string" && !(message instanceof Uint8Array)) {
      throw new DataError(`Invalid ping message: ${String(message)} (expected a string or Uint8Array)`);
    }
    if (this.#closed) throw new PubSubError("The pubsub is closed");
    await this.#router.ready();
    const link = this.#link(this.#router.route("channel", "")!);
    const connection = await link.ensure();
    link.sent.push({ kind: "ping", on: false, keys: [], bare: false });
    await connection.sendOneWay(new Command("PING").argsOf(message === undefined ? [] : [message]));
  }

  /**
   * Unsubscribes from everything and gives the connections up; pending
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
    const links = [...this.#links.values()];
    this.#links.clear();
    // A connection in subscribed mode cannot serve ordinary commands: it is closed, not reused.
    await Promise.all(links.map((link) => link.release()));
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
      await this.#router.ready();
      // Names nobody serves yet (a cluster slot without an owner) are placed by the recovery.
      if (!await this.#place(kind, entries.map((e) => e.name), true)) this.#recover();
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
    for (const key of keys) {
      map.delete(key);
      this.#dropped.delete(key);
    }
    // Per link: the names to send (none: every one there) and the confirmations to expect.
    const plan: { link: PubSubLink; connection: Connection; names: RedisKey[]; keys: string[] }[] = [];
    const live = (link: PubSubLink | undefined) => {
      const connection = link?.connection;
      return connection && !connection.closed ? connection : undefined;
    };
    if (names.length === 0) {
      // The connections holding some; with none, those kept while idle (the server confirms with a null name).
      const links = [...this.#links.values()].filter((link) => live(link));
      const holders = links.filter((link) => keys.some((key) => link.placed[kind].has(key)));
      for (const link of holders.length > 0 ? holders : links.filter((l) => this.#router.keepIdle(l.key))) {
        const here = keys.filter((key) => link.placed[kind].has(key));
        plan.push({ link, connection: live(link)!, names: [], keys: here });
      }
    } else {
      const byLink = new Map<PubSubLink, { names: RedisKey[]; keys: string[] }>();
      names.forEach((name, i) => {
        // Where it was sent, else (never sent: the server still confirms) where it would go.
        let link = [...this.#links.values()].find((l) => l.placed[kind].has(keys[i]));
        if (link === undefined) {
          const key = this.#router.route(kind, name);
          link = key === undefined ? undefined : this.#links.get(key);
        }
        if (link === undefined || !live(link)) return;
        const entry = byLink.get(link) ?? { names: [], keys: [] };
        entry.names.push(name);
        entry.keys.push(keys[i]);
        byLink.set(link, entry);
      });
      for (const [link, entry] of byLink) plan.push({ link, connection: live(link)!, ...entry });
    }
    // Not connected: the subscriptions are forgotten, so a reconnect will not restore them.
    if (plan.length === 0) return;
    const waiters: Waiter<void>[] = [];
    const confirmed = this.#expectAll(kind, plan.flatMap((p) => p.keys), false, waiters);
    try {
      await Promise.all(plan.map(({ link, connection, names, keys }) => {
        for (const key of keys) link.placed[kind].delete(key);
        return this.#sendGrouped(link, connection, kind, false, names, keys);
      }));
    } catch (error) {
      this.#forgetWaiters(waiters);
      throw error;
    }
    await confirmed;
    for (const { link } of plan) await this.#releaseIfIdle(link);
  }

  /** A node's connection with nothing left is given back (the single connection of a `Redis` stays). */
  async #releaseIfIdle(link: PubSubLink): Promise<void> {
    if (link.empty && !this.#router.keepIdle(link.key) && this.#links.get(link.key) === link) {
      this.#links.delete(link.key);
      await link.release().catch(() => {});
    }
  }

  /**
   * Sends (un)subscribe commands for `names`, one per group (shard channels: per slot); none: one bare
   * UNSUBSCRIBE awaiting `bareKeys`. Each is recorded on the link, so an error reply finds its names.
   */
  #sendGrouped(
    link: PubSubLink,
    connection: Connection,
    kind: Kind,
    on: boolean,
    names: RedisKey[],
    bareKeys: string[],
  ): Promise<void> {
    const name = on ? SUBSCRIBE[kind] : UNSUBSCRIBE[kind];
    if (names.length === 0) {
      link.sent.push({ kind, on, keys: [...bareKeys], bare: true });
      return connection.sendOneWay(new Command(name));
    }
    const groups = new Map<string, RedisKey[]>();
    for (const n of names) {
      const group = this.#router.group(kind, n);
      const list = groups.get(group);
      if (list) list.push(n);
      else groups.set(group, [n]);
    }
    return Promise.all([...groups.values()].map((list) => {
      link.sent.push({ kind, on, keys: list.map((n) => keyText(n)), bare: false });
      return connection.sendOneWay(new Command(name).argsOf(list));
    })).then(() => {});
  }

  /**
   * Sends subscriptions to the links the router names. `explicit`: the caller's own, sent even if
   * already placed (the server confirms each again); otherwise only those placed nowhere, skipping
   * shard channels whose route still names the link that just dropped them. Resolves to false when
   * some could not be placed (no owner known yet); rejects when a connection cannot be made.
   */
  async #place(kind: Kind, names: RedisKey[], explicit: boolean): Promise<boolean> {
    const byLink = new Map<string, RedisKey[]>();
    let complete = true;
    for (const name of names) {
      const key = this.#router.route(kind, name);
      const dropped = explicit ? undefined : this.#dropped.get(keyText(name));
      if (key === undefined || (dropped?.link === key && Date.now() - dropped.at < DROPPED_ROUTE_MS)) {
        complete = false;
        continue;
      }
      const list = byLink.get(key);
      if (list) list.push(name);
      else byLink.set(key, [name]);
    }
    await Promise.all([...byLink].map(async ([key, list]) => {
      const link = this.#link(key);
      for (let attempt = 0;; attempt++) {
        let connection: Connection;
        try {
          connection = await link.ensure();
        } catch (error) {
          this.#lostLinks.set(key, undefined);
          throw error;
        }
        // Lost meanwhile: connect again (a lost link's subscriptions are placed anew anyway).
        if (!link.isCurrent(connection)) {
          if (attempt < 3) continue;
          complete = false;
          return;
        }
        const send = explicit ? list : list.filter((n) =>
          this.#subscriptions[kind].has(keyText(n)) &&
          !this.#isPlaced(kind, keyText(n))
        );
        if (send.length === 0) return;
        for (const n of send) {
          const k = keyText(n);
          for (const other of this.#links.values()) other.placed[kind].delete(k);
          link.placed[kind].add(k);
          this.#dropped.delete(k);
        }
        await this.#sendGrouped(link, connection, kind, true, send, []);
        return;
      }
    }));
    return complete;
  }

  #isPlaced(kind: Kind, key: string): boolean {
    for (const link of this.#links.values()) if (link.placed[kind].has(key)) return true;
    return false;
  }

  /** Wanted subscriptions of `kind` placed on no connection. */
  #unplaced(kind: Kind): RedisKey[] {
    const out: RedisKey[] = [];
    for (const [key, sub] of this.#subscriptions[kind]) if (!this.#isPlaced(kind, key)) out.push(sub.name);
    return out;
  }

  #link(key: string): PubSubLink {
    let link = this.#links.get(key);
    if (link === undefined) {
      link = new PubSubLink(
        key,
        () => this.#router.pool(key) as ConnectionPool<boolean>,
        this.#events,
        this.#options.pushHandler,
      );
      this.#links.set(key, link);
    }
    return link;
  }

  /** A link's connection was lost (or closed): place its subscriptions again, unless closed. */
  #onClosed(link: PubSubLink, connection: Connection): void {
    const lost = new ConnectionError(`Pubsub connection to ${connection.address} lost`);
    for (const waiter of link.pongWaiters.splice(0)) waiter.reject(lost);
    if (this.#closed || !this.#hasSubscriptions()) {
      this.#rejectConfirmations(lost);
      return;
    }
    this.#lostLinks.set(link.key, connection.address);
    const scope = this.#host.instrumentation;
    if (scope?.active) scope.emit({ type: "reconnect", address: connection.address });
    this.#recover();
  }

  /**
   * Places every wanted subscription that is on no connection, with backoff between attempts, until
   * all are placed or the pubsub is closed. Single-flight; it runs unobserved, so it never rejects.
   */
  #recover(): void {
    this.#recovering ??= this.#recoverLoop().catch(() => {}).finally(() => this.#recovering = undefined);
  }

  async #recoverLoop(): Promise<void> {
    const backoff = this.#host.reconnectBackoff;
    backoff.reset();
    const pending = () => KINDS.some((kind) => this.#unplaced(kind).length > 0);
    for (let failures = 0; !this.#closed && pending(); failures++) {
      if (failures > 0) await new Promise((resolve) => setTimeout(resolve, backoff.compute(failures)));
      if (this.#closed || !pending()) break;
      try {
        const lost = [...this.#lostLinks];
        this.#lostLinks.clear();
        for (const [key, address] of lost) await this.#router.lost(key, address);
        if (lost.length === 0 && failures > 0) await this.#router.refresh();
        await this.#router.ready();
        for (const kind of KINDS) {
          const names = this.#unplaced(kind);
          if (names.length > 0) await this.#place(kind, names, false);
        }
      } catch {
        // Try again after the backoff; the next message simply arrives later.
      }
    }
  }

  #onFrame(frame: RespValue[], link: PubSubLink): void {
    const message = toMessage<D>(frame);
    if (message === undefined) return;
    const type = message.type;
    if (
      (type === "message" || type === "pmessage" || type === "smessage") && this.#host.instrumentation?.active
    ) {
      this.#host.instrumentation.emit({
        type: "pubsub-message",
        kind: type,
        channel: keyText(message.channel as RedisKey),
        address: link.connection?.address ?? "",
      });
    }
    if (message.type === "pong") {
      link.ponged();
      if (textOf(message.data) === HEALTH_CHECK_MESSAGE) {
        link.pongWaiters.shift()?.resolve();
        return;
      }
    } else if (message.type in CONFIRMS) {
      const [kind, on] = CONFIRMS[message.type];
      const name = kind === "pattern" ? message.pattern : message.channel;
      link.confirmed(kind, on, name === null ? null : keyText(name as RedisKey));
      if (name !== null) {
        const key = keyText(name as RedisKey);
        const id = `${kind}:${on ? "on" : "off"}:${key}`;
        const waiters = this.#confirmWaiters.get(id);
        if (waiters) {
          waiters.shift()!.resolve();
          if (waiters.length === 0) this.#confirmWaiters.delete(id);
        } else if (!on && kind === "shard" && this.#subscriptions.shard.has(key)) {
          // Unasked: the slot failed over or migrated. The caller still wants the channel: it moves
          // to the slot's new owner, and the caller hears nothing of it.
          link.placed.shard.delete(key);
          this.#dropped.set(key, { link: link.key, at: Date.now() });
          this.#lostLinks.set(link.key, undefined);
          void this.#releaseIfIdle(link);
          this.#recover();
          return;
        }
      }
    }
    if (isUnsubscribeConfirmation(message)) this.#unreadUnsubscribes++;
    this.#queue.push(message);
    this.#wakeAll();
  }

  /**
   * A reply that is not a message: a PING's answer, or an error, which answers the oldest command not
   * fully answered (replies come in order): `-MOVED` for an SSUBSCRIBE, or a refusal (`-NOPERM`).
   */
  #onReply(reply: RespValue, link: PubSubLink, connection: Connection): void {
    if (reply instanceof RedisError) {
      // A closed connection's last replies: its commands are forgotten with it.
      const sent = link.isCurrent(connection) ? link.sent.shift() : undefined;
      if (reply instanceof MovedError) return this.#onMoved(reply, link);
      if (sent === undefined) return;
      if (reply instanceof ClusterDownError || reply instanceof TryAgainError) {
        return this.#retryLater(sent, link);
      }
      return this.#refused(sent, reply, link);
    }
    if (typeof reply === "string" || reply instanceof Uint8Array) {
      // A PING answered as usual (RESP3, or RESP2 with nothing subscribed): a pong, as redis-py makes it,
      // whose bare "PONG" carries no payload.
      const empty = connection.options.decodeResponses === false ? new Uint8Array(0) : "";
      this.#onFrame(["pong", textOf(reply) === "PONG" ? empty : reply], link);
    }
  }

  /**
   * The server refused a command (ACL `-NOPERM`...). Redis checks every name before running it, so
   * none of its names was subscribed: they are forgotten (never sent again on a reconnect) and their
   * callers' confirmations reject with the server's error. A refused PING fails its health check.
   */
  #refused(sent: SentCommand, error: RedisError, link: PubSubLink): void {
    if (sent.kind === "ping") return sent.waiter?.reject(error);
    const kind = sent.kind;
    for (const key of new Set(sent.keys)) {
      if (sent.on) {
        link.placed[kind].delete(key);
        if (!this.#isPlaced(kind, key)) this.#subscriptions[kind].delete(key);
      }
      // The waiter its confirmation would have resolved: the first one for it.
      const id = `${kind}:${sent.on ? "on" : "off"}:${key}`;
      const waiters = this.#confirmWaiters.get(id);
      waiters?.shift()?.reject(error);
      if (waiters?.length === 0) this.#confirmWaiters.delete(id);
    }
    if (sent.on) void this.#releaseIfIdle(link);
  }

  /** A cluster answered a subscribe with CLUSTERDOWN/TRYAGAIN: its names are placed again after a refresh. */
  #retryLater(sent: SentCommand, link: PubSubLink): void {
    if (sent.kind === "ping" || !sent.on) return;
    for (const key of sent.keys) link.placed[sent.kind].delete(key);
    this.#lostLinks.set(link.key, undefined);
    this.#recover();
  }

  /** `-MOVED` answered an SSUBSCRIBE: its slot's channels go to the new owner. */
  #onMoved(reply: MovedError, link: PubSubLink): void {
    const slot = reply.slot;
    for (const key of [...link.placed.shard]) {
      const sub = this.#subscriptions.shard.get(key);
      if (sub && this.#router.group("shard", sub.name) === String(slot)) link.placed.shard.delete(key);
    }
    this.#router.moved(slot, reply.host, reply.port, link.key).catch(() => {}).finally(() => this.#recover());
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
    await Promise.all([...this.#links.values()].map((link) => {
      const connection = link.connection;
      const interval = connection?.options.healthCheckInterval;
      if (!connection || !interval || !connection.ready || connection.idleTime < interval) return;
      return this.#checkLink(link).catch(() => {
        // The connection was dropped; the reconnect logic takes over.
      });
    }));
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

function describeName(name: RedisKey): string {
  return typeof name === "string" ? name : (textOf(name) ?? `<${name.length} bytes>`);
}
