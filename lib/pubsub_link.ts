/**
 * A command sent on a link whose answers have not all arrived. Replies come
 * in order, so an error reply (`-NOPERM`, `-MOVED`) answers the oldest one.
 */
export interface SentCommand {
  /** What it (un)subscribes, or a PING. */
  readonly kind: SubscriptionKind | "ping";
  /** SUBSCRIBE and friends (true) or UNSUBSCRIBE and friends (false). */
  readonly on: boolean;
  /** Key texts whose confirmation is still awaited, one per name sent. */
  readonly keys: string[];
  /** A bare UNSUBSCRIBE: also answered by the server's null-name confirmation (nothing was subscribed). */
  readonly bare: boolean;
  /** A health check's PING: told of its error. */
  readonly waiter?: Waiter<void>;
}

/**
 * One subscriber connection of a `PubSub` and how a `PubSub` is routed:
 * which connection each subscription goes to (one for a standalone server;
 * per node in a cluster).
 *
 * @module
 */

import type { RedisKey } from "./commands/command.ts";
import type { Connection } from "./connection.ts";
import type { ConnectionPool } from "./pool.ts";
import { PubSubError } from "./errors.ts";
import type { RespValue } from "./protocol/types.ts";

/**
 * What a subscription is: a channel (SUBSCRIBE), a pattern (PSUBSCRIBE) or a
 * shard channel (SSUBSCRIBE).
 *
 * @example
 * ```ts
 * import type { SubscriptionKind } from "@uniredis/redis";
 * const kind: SubscriptionKind = "shard";
 * console.log(kind); // "shard"
 * ```
 */
export type SubscriptionKind = "channel" | "pattern" | "shard";

/**
 * Where a `PubSub`'s subscriptions go. A standalone client has none (one
 * connection from its pool); `RedisCluster.pubsub()` routes channels and
 * patterns to one node and shard channels to their slot's owner.
 *
 * @example
 * ```ts
 * import type { PubSubRouter } from "@uniredis/redis";
 * const oneNode: Pick<PubSubRouter<true>, "route"> = { route: () => "node" };
 * console.log(oneNode.route("channel", "news")); // "node"
 * ```
 */
export interface PubSubRouter<D extends boolean> {
  /** Called before subscriptions are placed (discovers the topology). */
  ready(): Promise<void>;
  /** The link a subscription belongs on now; undefined while nobody serves it (placed later). */
  route(kind: SubscriptionKind, name: RedisKey): string | undefined;
  /** Names sent in one command together must share this (shard channels: their slot). */
  group(kind: SubscriptionKind, name: RedisKey): string;
  /** The pool a link's connection is borrowed from (a link key names a node, or "any node"). */
  pool(link: string): ConnectionPool<D>;
  /** A link's node failed (lost, refused, redirected): learn the topology again before placing anew. */
  lost(link: string, address: string | undefined): Promise<void>;
  /** Learns the topology again (some subscriptions could not be placed). */
  refresh(): Promise<void>;
  /** A `MOVED` answered a subscribe on `link`: record the slot's new owner. */
  moved(slot: number, host: string, port: number, link: string): Promise<void>;
  /** Whether a link with nothing subscribed keeps its connection (the "any node" link does, for `ping`). */
  keepIdle(link: string): boolean;
}

/** What a link tells its `PubSub`. */
export interface LinkEvents {
  /** A pubsub frame (push, or a RESP2 reply). */
  frame(frame: RespValue[], link: PubSubLink): void;
  /** A reply that is not a frame: an error (`-MOVED`), or a plain PING answer. */
  reply(reply: RespValue, link: PubSubLink, connection: Connection): void;
  /** The connection was lost or closed. */
  closed(link: PubSubLink, connection: Connection): void;
  /** True once the pubsub is closed: a connection arriving then is given back. */
  isClosed(): boolean;
}

/** Something waiting for an answer: a confirmation, a pong. */
export interface Waiter<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/**
 * One subscriber connection, borrowed from a pool on first use, with what
 * was subscribed on it (sent, confirmed or about to be). Reconnecting is
 * the `PubSub`'s job.
 */
export class PubSubLink {
  /** Subscriptions sent on the current connection, by kind, as key texts. */
  readonly placed: Record<SubscriptionKind, Set<string>> = {
    channel: new Set(),
    pattern: new Set(),
    shard: new Set(),
  };
  /** Health-check PINGs sent on this connection and not yet answered. */
  readonly pongWaiters: Waiter<void>[] = [];
  /** Commands sent on the current connection and not fully answered, oldest first. */
  readonly sent: SentCommand[] = [];
  #connection: Connection | undefined;
  #connecting: Promise<Connection> | undefined;
  #pool: ConnectionPool<boolean> | undefined;

  constructor(
    readonly key: string,
    readonly source: () => ConnectionPool<boolean>,
    readonly events: LinkEvents,
    readonly pushHandler: ((push: RespValue[]) => void) | undefined,
  ) {}

  /** The current connection, if any. */
  get connection(): Connection | undefined {
    return this.#connection;
  }

  /** Whether anything is subscribed on it. */
  get empty(): boolean {
    return this.placed.channel.size + this.placed.pattern.size + this.placed.shard.size === 0;
  }

  /** A confirmation of (kind, on, key) arrived: it answers the oldest command that awaits it. */
  confirmed(kind: SubscriptionKind, on: boolean, key: string | null): void {
    const i = this.sent.findIndex((s) =>
      s.kind === kind && s.on === on && (key === null ? s.bare : s.keys.includes(key))
    );
    if (i < 0) return;
    const sent = this.sent[i];
    if (key !== null) sent.keys.splice(sent.keys.indexOf(key), 1);
    if (key === null || sent.keys.length === 0) this.sent.splice(i, 1);
  }

  /** A pong arrived: it answers the oldest PING. */
  ponged(): void {
    const i = this.sent.findIndex((s) => s.kind === "ping");
    if (i >= 0) this.sent.splice(i, 1);
  }

  /** Whether `connection` is this link's, and open. */
  isCurrent(connection: Connection): boolean {
    return this.#connection === connection && !connection.closed;
  }

  /** The connection, borrowed and set up on first use (single-flight). */
  ensure(): Promise<Connection> {
    const current = this.#connection;
    if (current && !current.closed) return Promise.resolve(current);
    return this.#connecting ??= this.#connect().finally(() => this.#connecting = undefined);
  }

  /** Closes the connection (a subscribed connection cannot serve commands) and gives it back. */
  async release(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    this.#forget();
    if (connection) {
      await connection.close();
      this.#pool?.release(connection);
    }
  }

  /** A new or no connection: nothing is placed or awaited on it. */
  #forget(): void {
    for (const set of Object.values(this.placed)) set.clear();
    this.sent.length = 0;
  }

  async #connect(): Promise<Connection> {
    const pool = this.source();
    const connection = await pool.getConnection();
    if (this.events.isClosed()) {
      connection.disconnect();
      pool.release(connection);
      throw new PubSubError("The pubsub was closed");
    }
    this.#pool = pool;
    connection.setPushHandler((push) => {
      this.pushHandler?.(push);
      this.events.frame(push, this);
    });
    // Over RESP2 every reply of a subscribed connection is a message.
    connection.streamReplies((reply) => {
      if (Array.isArray(reply)) this.events.frame(reply, this);
      else this.events.reply(reply, this, connection);
    }, true);
    this.#connection = connection;
    this.#forget();
    // Observed at once: the close handler must never leave a rejection behind.
    connection.whenClosed().then(() => {
      pool.release(connection);
      if (this.#connection !== connection) return;
      this.#connection = undefined;
      this.#forget();
      this.events.closed(this, connection);
    }).catch(() => {});
    return connection;
  }
}
