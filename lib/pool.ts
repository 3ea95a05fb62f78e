/**
 * Connection pools: the shared, multiplexed connection every ordinary
 * command uses, and connections lent out for exclusive use (blocking
 * commands, WATCH, MONITOR, pubsub).
 *
 * @module
 */

import { Connection, type ConnectionEventKind, type ConnectionOptions } from "./connection.ts";
import { getDefaultConnector } from "./default_connector.ts";
import { DataError, MaxConnectionsError } from "./errors.ts";
import { type ConnectionSettings, parseURL, validateOptions } from "./options.ts";
import { LIB_NAME, VERSION } from "./version.ts";
import { redactOptions } from "./redact.ts";
import { CacheConfig, TrackingCache } from "./cache.ts";
import { textOf } from "./key_text.ts";
import type { RespValue } from "./protocol/types.ts";
import { InstrumentationScope } from "./instrumentation.ts";

const DEFAULT_CONNECT_TIMEOUT = 10_000;
/** redis-py's default for `ConnectionPool`: practically unbounded. */
const UNBOUNDED = 2 ** 31;

/**
 * A `Connection` class (or subclass) a pool creates its connections with.
 *
 * @example
 * ```ts
 * import { Connection, ConnectionPool, type ConnectionClass } from "@uniredis/redis";
 * class CountingConnection extends Connection {
 *   static opened = 0;
 *   override connect(): Promise<void> {
 *     CountingConnection.opened++;
 *     return super.connect();
 *   }
 * }
 * const cls: ConnectionClass = CountingConnection;
 * const pool = new ConnectionPool({ connectionClass: cls });
 * await pool.disconnect();
 * ```
 */
export type ConnectionClass = new (options: ConnectionOptions) => Connection;

/**
 * Options of `new ConnectionPool(options)`: the connection settings plus the
 * pool's own.
 *
 * @example
 * ```ts
 * import { ConnectionPool, type ConnectionPoolOptions } from "@uniredis/redis";
 * const options: ConnectionPoolOptions = { port: 6379, maxConnections: 10 };
 * const pool = new ConnectionPool(options);
 * await pool.disconnect();
 * ```
 */
export interface ConnectionPoolOptions<D extends boolean = boolean> extends ConnectionSettings<D> {
  /**
   * Most connections lent out at once (default 2^31, as redis-py); the
   * shared, multiplexed connection comes on top. Asking for one more throws
   * a `ConnectionError` (`BlockingConnectionPool` waits instead).
   */
  maxConnections?: number;
  /** Class of the connections (default `Connection`). */
  connectionClass?: ConnectionClass;
}

/** Notified of every connection's lifecycle; clients turn these into events. */
export type PoolObserver = (kind: ConnectionEventKind, connection: Connection, error?: Error) => void;

/**
 * The connections of one server, shared by any number of clients. Ordinary
 * commands from every client share one multiplexed connection
 * (`sharedConnection()`); a command that must own a connection borrows one
 * with `getConnection()` and gives it back with `release()`. Idle
 * connections are reused last-in first-out and created only when needed.
 *
 * @example Several clients on one pool
 * ```ts
 * import { ConnectionPool, Redis } from "@uniredis/redis";
 * const pool = new ConnectionPool({ host: "127.0.0.1", port: 6379, maxConnections: 20 });
 * const a = new Redis({ connectionPool: pool });
 * const b = new Redis({ connectionPool: pool });
 * await a.set("k", "v");
 * console.log(await b.get("k")); // "v"
 * await pool.disconnect();
 * ```
 *
 * @example Borrowing a connection
 * ```ts
 * import { Command, ConnectionPool } from "@uniredis/redis";
 * const pool = new ConnectionPool();
 * const conn = await pool.getConnection();
 * try {
 *   console.log(await conn.send(new Command("PING"))); // "PONG"
 * } finally {
 *   pool.release(conn);
 * }
 * await pool.disconnect();
 * ```
 */
export class ConnectionPool<D extends boolean = true> {
  /** The settings the pool was created with, secrets (password, TLS key) redacted. */
  readonly options: Readonly<ConnectionPoolOptions<D>>;
  /** Most connections lent out at once. */
  readonly maxConnections: number;
  /** What every connection of the pool is created with, secrets redacted. */
  readonly connectionOptions: Readonly<ConnectionOptions>;
  /** The same, secrets included: only connections see them. */
  readonly #connectionOptions: Readonly<ConnectionOptions>;
  /** The client-side cache of the pool's connections, when the `cache` option is set. */
  readonly trackingCache: TrackingCache | undefined;
  /**
   * The observers of this pool's connections: the `instrumentation` option,
   * else the pool's own scope. A client's `instrumentation` is its pool's.
   */
  readonly instrumentation: InstrumentationScope;
  readonly #connectionClass: ConnectionClass;
  #shared: Connection | undefined;
  /** Idle connections, most recently released last (LIFO). */
  #idle: Connection[] = [];
  #inUse = new Set<Connection>();
  /** Connections `close()` is waiting for: `disconnect()` still reaches them. */
  #closing = new Set<Connection>();
  #observers = new Set<PoolObserver>();

  /** Creates an empty pool; connections open when first needed. Throws a `DataError` for bad options. */
  constructor(options: ConnectionPoolOptions<D> = {}) {
    const blocking = this instanceof BlockingConnectionPool;
    validateOptions(
      options,
      blocking ? "BlockingConnectionPool" : "ConnectionPool",
      blocking ? ["timeout"] : [],
    );
    this.options = redactOptions(options);
    this.maxConnections = options.maxConnections ?? this.defaultMaxConnections();
    this.#connectionClass = options.connectionClass ?? Connection;
    if (typeof this.#connectionClass !== "function") {
      throw new DataError("Invalid option connectionClass (expected a Connection class)");
    }
    const scope = this.instrumentation = options.instrumentation ?? new InstrumentationScope();
    const cache = options.cache;
    const tracking = cache === undefined
      ? undefined
      : new TrackingCache(cache instanceof CacheConfig ? cache.createCache() : cache, scope);
    this.trackingCache = tracking;
    this.#connectionOptions = toConnectionOptions(
      options,
      (kind, connection, error) => {
        // A connection gone means invalidations may have been missed.
        if (kind === "close" && tracking) tracking.flush();
        if (scope.active) {
          if (kind === "ready") scope.emit({ type: "connection-open", address: connection.address });
          // "close" carries no error ("error" came just before): the one it was lost with, if lost.
          else if (kind === "close") {
            scope.emit({ type: "connection-close", address: connection.address, error: connection.lostWith });
          }
        }
        for (const observer of this.#observers) observer(kind, connection, error);
      },
      tracking,
      scope,
    );
    this.connectionOptions = redactOptions(this.#connectionOptions);
  }

  /**
   * Creates a pool from a `redis://`, `rediss://` or `unix://` URL (see
   * `parseURL`); `options` override what the URL says.
   *
   * @example
   * ```ts
   * import { ConnectionPool } from "@uniredis/redis";
   * const pool = ConnectionPool.fromURL("redis://127.0.0.1:6379/0?max_connections=10");
   * console.log(pool.maxConnections); // 10
   * await pool.disconnect();
   * ```
   */
  static fromURL<D extends boolean = true>(
    url: string,
    options: ConnectionPoolOptions<D> = {},
  ): ConnectionPool<D> {
    return new this<D>({ ...parseURL(url), ...options } as ConnectionPoolOptions<D>);
  }

  /** `maxConnections` when none is given. */
  protected defaultMaxConnections(): number {
    return UNBOUNDED;
  }

  /** Connections lent out and not yet released. */
  get inUseCount(): number {
    return this.#inUse.size;
  }

  /** Connections waiting in the pool to be lent. */
  get idleCount(): number {
    return this.#idle.length;
  }

  /** The current shared connection, if one was created and is still open. */
  get currentSharedConnection(): Connection | undefined {
    return this.#shared?.closed ? undefined : this.#shared;
  }

  /**
   * The multiplexed connection ordinary commands share (created when needed,
   * replaced once closed). It is never lent out and not counted in
   * `maxConnections`.
   */
  sharedConnection(): Connection {
    const shared = this.#shared;
    if (shared !== undefined && !shared.closed) return shared;
    // The shared connection was lost (not closed by the client): its successor is a reconnect.
    if (shared !== undefined && this.instrumentation.active && shared.lostWith !== undefined) {
      this.instrumentation.emit({ type: "reconnect", address: shared.address });
    }
    return this.#shared = this.createConnection();
  }

  /**
   * Lends a connection for exclusive use, connected and ready: the most
   * recently released idle one, or a new one. Give it back with `release()`.
   * Rejects with a `MaxConnectionsError` when `maxConnections` are lent out,
   * and with the reason of an already aborted `signal`.
   */
  async getConnection(options: { signal?: AbortSignal } = {}): Promise<Connection> {
    if (options.signal?.aborted) throw options.signal.reason;
    const connection = this.#takeIdle() ?? this.#reserve();
    return await this.prepare(connection, options.signal);
  }

  /**
   * Gives a lent connection back. A closed one is dropped (its place frees
   * up); an open one waits for the next borrower. Releasing a connection
   * twice, or one the pool did not lend, does nothing.
   */
  release(connection: Connection): void {
    if (!this.#inUse.delete(connection)) return;
    if (connection.closed || connection.pendingCount > 0) {
      // Still busy (a caller gave up on it): it cannot be lent cleanly.
      if (!connection.closed) connection.disconnect();
      this.onSlotFree();
      return;
    }
    this.handOver(connection);
  }

  /**
   * Creates a connection with the pool's settings that the pool does not
   * track: the caller owns it and closes it.
   */
  createConnection(): Connection {
    return new this.#connectionClass(this.#connectionOptions);
  }

  /**
   * Drops every connection at once: the shared one, the idle ones and (unless
   * `inUse` is false) those lent out; their pending commands reject with a
   * `ConnectionError`. The pool stays usable: later commands open new ones.
   */
  disconnect(options: { inUse?: boolean } = {}): Promise<void> {
    const all = [...this.#drain(options.inUse ?? true), ...this.#closing];
    for (const connection of all) connection.disconnect();
    return Promise.all(all.map((c) => c.whenClosed())).then(() => {});
  }

  /**
   * Closes every connection gracefully: each waits for the replies of the
   * commands it already sent, at most `closeTimeout` ms (default 2,000),
   * then is dropped. `disconnect()` meanwhile drops them at once. The pool
   * stays usable afterwards.
   */
  async close(): Promise<void> {
    await Promise.all(
      this.#drain(true).map((c) => {
        this.#closing.add(c);
        return c.close().finally(() => this.#closing.delete(c));
      }),
    );
  }

  /** Registers a lifecycle observer (clients use it for their events); returns its removal. */
  observe(observer: PoolObserver): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  /**
   * Connects a freshly lent connection; on failure its place is given back.
   * An abort of `signal` meanwhile drops the connection being connected.
   */
  protected async prepare(connection: Connection, signal?: AbortSignal): Promise<Connection> {
    const onAbort = () => connection.disconnect();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      await connection.connect();
    } catch (error) {
      this.#inUse.delete(connection);
      this.onSlotFree();
      throw error;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
    return connection;
  }

  /** Puts a released, reusable connection back (the blocking pool hands it to a waiter first). */
  protected handOver(connection: Connection): void {
    this.#idle.push(connection);
  }

  /** Called when a lent place frees up without a reusable connection. */
  protected onSlotFree(): void {}

  /** Lends `connection` (taken from the idle list or just created). */
  protected lend(connection: Connection): Connection {
    this.#inUse.add(connection);
    return connection;
  }

  /** True while another connection may be created. */
  protected get hasRoom(): boolean {
    return this.#inUse.size + this.#idle.length < this.maxConnections;
  }

  /** Takes the most recently released idle connection still open, lent. */
  protected takeIdle(): Connection | undefined {
    return this.#takeIdle();
  }

  /** Creates a new connection and lends it, or throws when `maxConnections` are out. */
  protected reserve(): Connection {
    return this.#reserve();
  }

  #takeIdle(): Connection | undefined {
    for (let c = this.#idle.pop(); c !== undefined; c = this.#idle.pop()) {
      if (!c.closed) return this.lend(c);
    }
    return undefined;
  }

  #reserve(): Connection {
    if (!this.hasRoom) {
      throw new MaxConnectionsError(
        `Too many connections: all ${this.maxConnections} of the pool's connections are in use`,
      );
    }
    return this.lend(this.createConnection());
  }

  #drain(inUse: boolean): Connection[] {
    const all = [...this.#idle];
    this.#idle = [];
    if (this.#shared) all.push(this.#shared);
    this.#shared = undefined;
    if (inUse) all.push(...this.#inUse);
    return all;
  }
}

/**
 * A pool whose `getConnection()` waits, up to `timeout` ms, for a lent
 * connection to come back when `maxConnections` are out (redis-py's
 * `BlockingConnectionPool`: 50 connections, 20 s by default). Borrowers are
 * served first come, first served; past the timeout they get a
 * `ConnectionError`.
 *
 * @example
 * ```ts
 * import { BlockingConnectionPool, Redis } from "@uniredis/redis";
 * const pool = new BlockingConnectionPool({ maxConnections: 5, timeout: 2_000 });
 * const r = new Redis({ connectionPool: pool });
 * // At most 5 BLPOPs block at once; the others wait for a free connection.
 * const jobs = await Promise.all(Array.from({ length: 20 }, () => r.blpop("jobs", 1)));
 * console.log(jobs.length); // 20
 * await pool.disconnect();
 * ```
 */
export class BlockingConnectionPool<D extends boolean = true> extends ConnectionPool<D> {
  /** Milliseconds `getConnection()` waits for a connection (default 20,000). */
  readonly timeout: number;
  #waiters: Waiter[] = [];

  /** Creates an empty pool (see `ConnectionPool`); `timeout` in ms. */
  constructor(options: ConnectionPoolOptions<D> & { timeout?: number } = {}) {
    super(options);
    const timeout = options.timeout ?? 20_000;
    if (typeof timeout !== "number" || !(timeout >= 0)) {
      throw new DataError(`Invalid option timeout: ${timeout} (expected milliseconds >= 0)`);
    }
    this.timeout = timeout;
  }

  /** redis-py's default of 50. */
  protected override defaultMaxConnections(): number {
    return 50;
  }

  /** Borrowers waiting for a connection. */
  get waitingCount(): number {
    return this.#waiters.length;
  }

  /**
   * Lends a connection, waiting up to `timeout` ms for one to be released
   * when all are out; then rejects with a `MaxConnectionsError`. An aborted
   * `signal` ends the wait with its reason.
   */
  override getConnection(options: { signal?: AbortSignal } = {}): Promise<Connection> {
    if (this.#waiters.length === 0) {
      const connection = this.takeIdle() ?? (this.hasRoom ? this.reserve() : undefined);
      if (connection) return this.prepare(connection, options.signal);
    }
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const scope = this.instrumentation;
    const since = scope.active ? Date.now() : 0;
    const waited = (error?: Error) => {
      if (since !== 0 && scope.active) {
        const address = this.connectionOptions.path ??
          `${this.connectionOptions.host ?? "localhost"}:${this.connectionOptions.port ?? 6379}`;
        scope.emit({ type: "pool-wait", address, durationMs: Date.now() - since, error });
      }
    };
    return new Promise<Connection>((resolve, reject) => {
      const leave = () => {
        clearTimeout(waiter.timer);
        signal?.removeEventListener("abort", onAbort);
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
      };
      const onAbort = () => {
        leave();
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        resolve: (connection) => {
          leave();
          waited();
          resolve(connection);
        },
        reject,
        timer: setTimeout(() => {
          leave();
          const error = new MaxConnectionsError(
            `No connection available within ${this.timeout} ms: all ${this.maxConnections} of the pool's connections are in use`,
          );
          waited(error);
          reject(error);
        }, this.timeout),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
    }).then((connection) => this.prepare(connection, signal));
  }

  /** Hands a released connection to the first waiting borrower, or keeps it idle. */
  protected override handOver(connection: Connection): void {
    const waiter = this.#waiters.shift();
    if (!waiter) return super.handOver(connection);
    waiter.resolve(this.lend(connection));
  }

  /** A place freed up: the first waiting borrower gets a new connection. */
  protected override onSlotFree(): void {
    const waiter = this.#waiters.shift();
    if (!waiter) return;
    clearTimeout(waiter.timer);
    waiter.resolve(this.takeIdle() ?? this.reserve());
  }
}

interface Waiter {
  resolve(connection: Connection): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** The connection options of a pool: the settings, defaults and the library's name. */
function toConnectionOptions(
  o: ConnectionSettings,
  onEvent: (kind: ConnectionEventKind, connection: Connection, error?: Error) => void,
  tracking: TrackingCache | undefined,
  instrumentation: InstrumentationScope,
): ConnectionOptions {
  const user = o.pushHandler;
  const onPush = tracking === undefined ? user : (push: RespValue[]) => {
    if (textOf(push[0]) === "invalidate") {
      tracking.invalidate(push[1] === null ? null : push[1] as (string | Uint8Array)[]);
    }
    user?.(push);
  };
  return {
    // Resolved when connecting, so a pool can be created before a default is registered.
    connector: o.connector ?? ((options) => getDefaultConnector()(options)),
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
    encodingErrors: o.encodingErrors,
    maxBulkLength: o.maxBulkLength,
    socketTimeout: o.socketTimeout,
    socketConnectTimeout: o.socketConnectTimeout ?? DEFAULT_CONNECT_TIMEOUT,
    socketKeepalive: o.socketKeepalive,
    closeTimeout: o.closeTimeout,
    healthCheckInterval: o.healthCheckInterval,
    libName: LIB_NAME,
    libVersion: VERSION,
    tracking: tracking !== undefined,
    onPush,
    onEvent,
    instrumentation,
  };
}
