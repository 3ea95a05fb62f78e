/**
 * `KeyspaceNotifications`: parsed keyspace notifications from one or more
 * pubsubs (one for a `Redis`, one per primary for a `RedisCluster`), merged
 * into one queue read with `getMessage` or `for await`.
 *
 * @module
 */

import type { RedisKey } from "../commands/command.ts";
import { DataError, PubSubError } from "../errors.ts";
import type { PubSub } from "../pubsub.ts";
import type { Waiter } from "../pubsub_link.ts";
import { checkOptionKeys, optionKeys } from "../commands/validate.ts";
import { type KeyNotification, type KeyspacePlan, parseKeyNotification } from "./channels.ts";

/** Where the pubsubs come from: one server, or every primary of a cluster. */
export interface KeyspaceFeeds<D extends boolean> {
  /** Opens the pubsubs (more may come later, through `sink.add`); rejects if none could subscribe. */
  open(plan: KeyspacePlan, sink: FeedSink<D>): Promise<void>;
  /** Stops opening pubsubs and closes those opened. */
  close(): Promise<void>;
}

/** What a `KeyspaceFeeds` tells its `KeyspaceNotifications`. */
export interface FeedSink<D extends boolean> {
  /** A subscribed pubsub whose messages are read from now on. */
  add(pubsub: PubSub<D>): void;
  /** A pubsub about to be closed on purpose (its node is no longer a primary). */
  retire(pubsub: PubSub<D>): void;
}

const GET_KEYS = optionKeys<{ timeout: number }>({ timeout: true });

/**
 * Keyspace notifications, parsed (redis-py's `KeyspaceNotifications` and
 * `ClusterKeyspaceNotifications`). Create it with
 * `Redis.keyspaceNotifications()` or `RedisCluster.keyspaceNotifications()`;
 * read it with `for await`, or `getMessage()`; close it (or `await using`).
 * On a cluster, where a node only notifies of its own keys, it subscribes on
 * every primary, and follows failovers and new primaries. Like any pubsub,
 * events that happen while a connection is down are lost.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * await using kn = await r.keyspaceNotifications({ patterns: ["user:*"], events: ["set", "del"], configure: true });
 * await r.set("user:1", "Ada");
 * for await (const { key, eventType, database } of kn) {
 *   console.log(key, eventType, database); // "user:1" "set" 0
 *   break;
 * }
 * ```
 */
export class KeyspaceNotifications<D extends boolean = true> implements AsyncDisposable {
  readonly #plan: KeyspacePlan;
  readonly #feeds: KeyspaceFeeds<D>;
  readonly #pubsubs = new Set<PubSub<D>>();
  readonly #retired = new Set<PubSub<D>>();
  #queue: KeyNotification<D>[] = [];
  #waiters: Waiter<void>[] = [];
  #closed = false;
  #opened = false;

  /** Created by `Redis.keyspaceNotifications()` and `RedisCluster.keyspaceNotifications()`. */
  constructor(plan: KeyspacePlan, feeds: KeyspaceFeeds<D>) {
    this.#plan = plan;
    this.#feeds = feeds;
  }

  /** Subscribes (and configures the servers, when asked); called once by the factories. */
  async open(): Promise<this> {
    if (this.#opened) throw new PubSubError("Keyspace notifications are opened once");
    this.#opened = true;
    try {
      await this.#feeds.open(this.#plan, {
        add: (pubsub) => this.#add(pubsub),
        retire: (pubsub) => this.#retired.add(pubsub),
      });
    } catch (error) {
      await this.close();
      throw error;
    }
    return this;
  }

  /** The exact channels subscribed (on each primary of a cluster). */
  get channels(): RedisKey[] {
    return [...this.#plan.channels];
  }

  /** The channel patterns subscribed (on each primary of a cluster). */
  get patterns(): RedisKey[] {
    return [...this.#plan.patterns];
  }

  /** The pubsubs read (one per primary of a cluster), for diagnostics. */
  get pubsubs(): PubSub<D>[] {
    return [...this.#pubsubs];
  }

  /** False once closed (by `close()`, or by closing the client). */
  get subscribed(): boolean {
    return !this.#closed;
  }

  /**
   * The next notification, or `null` when none arrives within `timeout` ms
   * (default 0: only what has arrived; `Infinity`: wait) or once closed.
   */
  async getMessage(options: { timeout?: number } = {}): Promise<KeyNotification<D> | null> {
    checkOptionKeys("getMessage", options, GET_KEYS);
    const timeout = options.timeout ?? 0;
    if (typeof timeout !== "number" || !(timeout >= 0)) {
      throw new DataError(`Invalid timeout: ${timeout} (expected milliseconds >= 0)`);
    }
    if (this.#queue.length === 0 && timeout > 0 && !this.#closed) await this.#wait(timeout);
    return this.#queue.shift() ?? null;
  }

  /** Every notification as it arrives, until closed (redis-py's `listen()`). */
  async *listen(): AsyncGenerator<KeyNotification<D>, void, undefined> {
    while (!this.#closed || this.#queue.length > 0) {
      const notification = await this.getMessage({ timeout: Infinity });
      if (notification !== null) yield notification;
    }
  }

  /** Same as `listen()`: `for await (const n of kn)`. */
  [Symbol.asyncIterator](): AsyncGenerator<KeyNotification<D>, void, undefined> {
    return this.listen();
  }

  /** Unsubscribes and gives the connections up; pending reads end. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake();
    await this.#feeds.close();
    await Promise.all([...this.#pubsubs].map((p) => p.close()));
    this.#pubsubs.clear();
  }

  /** Closes it (`await using kn = await r.keyspaceNotifications()`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #add(pubsub: PubSub<D>): void {
    if (this.#closed) {
      void pubsub.close();
      return;
    }
    this.#pubsubs.add(pubsub);
    void this.#pump(pubsub);
  }

  /** Reads one pubsub until it closes; closed by anyone but its feeds (the client closing): this closes too. */
  async #pump(pubsub: PubSub<D>): Promise<void> {
    const { events, keyPrefix } = this.#plan;
    try {
      for await (const message of pubsub) {
        if (message.type !== "message" && message.type !== "pmessage") continue;
        const n = parseKeyNotification(message.channel as RedisKey, message.data as RedisKey, keyPrefix);
        if (n === undefined || (events !== undefined && !events.has(n.eventType))) continue;
        this.#queue.push(n as KeyNotification<D>);
        this.#wake();
      }
    } catch {
      // A handler-less pubsub never throws from listen(); closing below covers the unexpected.
    }
    this.#pubsubs.delete(pubsub);
    if (this.#retired.delete(pubsub)) return;
    await this.close();
  }

  #wait(timeout: number): Promise<void> {
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
          const i = this.#waiters.indexOf(waiter);
          if (i >= 0) this.#waiters.splice(i, 1);
          resolve();
        }, timeout);
      }
      this.#waiters.push(waiter);
    });
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter.resolve();
  }
}
