/**
 * Option types of the CLIENT and server administration commands, kept apart
 * so that `connection.ts` and `server.ts` stay short.
 *
 * @module
 */

/**
 * Filters of `clientKillFilter`; every given filter must match (redis-py's `client_kill_filter`).
 *
 * @example
 * ```ts
 * import type { ClientKillFilter } from "@uniredis/redis";
 * const f: ClientKillFilter = { type: "pubsub", skipme: true };
 * console.log(f.type); // "pubsub"
 * ```
 */
export interface ClientKillFilter {
  /** The client with this id. */
  id?: number;
  /** Clients of this type. */
  type?: "normal" | "master" | "replica" | "pubsub";
  /** The client connected from this `ip:port`. */
  addr?: string;
  /** Clients connected to this local `ip:port` of the server. */
  laddr?: string;
  /** Clients authenticated as this user. */
  user?: string;
  /** Whether to spare the calling client (the server's default is `true`). */
  skipme?: boolean;
  /** Clients older than this many seconds. */
  maxage?: number;
}

/**
 * Options of `clientTracking`.
 *
 * @example
 * ```ts
 * import type { ClientTrackingOptions } from "@uniredis/redis";
 * const o: ClientTrackingOptions = { bcast: true, prefix: ["user:"] };
 * console.log(o.bcast); // true
 * ```
 */
export interface ClientTrackingOptions {
  /** Send invalidations to this client id instead of this connection. */
  clientId?: number;
  /** Broadcast prefixes (with `bcast`). */
  prefix?: readonly string[];
  /** Broadcasting mode: invalidate every key matching the prefixes. */
  bcast?: boolean;
  /** Track only the keys read after `CLIENT CACHING yes`. */
  optin?: boolean;
  /** Track every key except those read after `CLIENT CACHING no`. */
  optout?: boolean;
  /** Do not notify this connection of its own writes. */
  noloop?: boolean;
}

/**
 * Options of `failover`.
 *
 * @example
 * ```ts
 * import type { FailoverOptions } from "@uniredis/redis";
 * const o: FailoverOptions = { to: { host: "10.0.0.2", port: 6379 }, timeout: 5000 };
 * console.log(o.timeout); // 5000
 * ```
 */
export interface FailoverOptions {
  /** The replica to promote; `force` promotes it even if it lags when `timeout` expires. */
  to?: { host: string; port: number; force?: boolean };
  /** Abort an ongoing failover. */
  abort?: boolean;
  /** Milliseconds to wait for the replica to catch up. */
  timeout?: number;
}

/**
 * Options of `moduleLoadex`.
 *
 * @example
 * ```ts
 * import type { ModuleLoadexOptions } from "@uniredis/redis";
 * const o: ModuleLoadexOptions = { config: { "search.timeout": 100 }, args: ["x"] };
 * console.log(o.args); // ["x"]
 * ```
 */
export interface ModuleLoadexOptions {
  /** Module configuration parameters, sent as `CONFIG name value` pairs. */
  config?: { readonly [name: string]: string | number };
  /** Arguments given to the module, sent after `ARGS`. */
  args?: readonly (string | number)[];
}

/**
 * Options of `shutdown`.
 *
 * @example
 * ```ts
 * import type { ShutdownOptions } from "@uniredis/redis";
 * const o: ShutdownOptions = { nosave: true, now: true };
 * console.log(o.now); // true
 * ```
 */
export interface ShutdownOptions {
  /** Do not save, even with save points configured. */
  nosave?: boolean;
  /** Save, even without save points. */
  save?: boolean;
  /** Do not wait for lagging replicas (Redis 7.0+). */
  now?: boolean;
  /** Ignore errors that would prevent the shutdown (Redis 7.0+). */
  force?: boolean;
  /** Cancel an ongoing shutdown (Redis 7.0+). */
  abort?: boolean;
}
