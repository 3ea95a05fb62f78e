/**
 * Client options and `redis://` URL parsing.
 *
 * @module
 */

import { DataError } from "./errors.ts";
import { decodePart, schemeError, unparsableURL, urlError, userinfoCut } from "./url_error.ts";
import { unknownOption } from "./commands/validate.ts";
import type { Connector, TlsConnectOptions } from "./transport.ts";
import type { RespValue } from "./protocol/types.ts";
import type { EncodingErrors } from "./protocol/decoder.ts";
import type { ConnectionClass, ConnectionPool } from "./pool.ts";
import type { ErrorClass, Retry } from "./retry.ts";
import type { CacheConfig, CacheInterface } from "./cache.ts";
import { InstrumentationScope } from "./instrumentation.ts";

/**
 * How to reach the server and set each connection up: the part of the
 * options a `ConnectionPool` needs. Client-side durations are milliseconds.
 *
 * @example
 * ```ts
 * import { ConnectionPool, type ConnectionSettings } from "@uniredis/redis";
 * const settings: ConnectionSettings = { host: "127.0.0.1", port: 6379, healthCheckInterval: 30_000 };
 * const pool = new ConnectionPool(settings);
 * await pool.disconnect();
 * ```
 */
export interface ConnectionSettings<D extends boolean = boolean> {
  /** Server host (default `"localhost"`). */
  host?: string;
  /** Server port (default 6379). */
  port?: number;
  /** Unix socket path; when set, host and port are not used. */
  path?: string;
  /** Database index selected on every connection (default 0). */
  db?: number;
  /** ACL user name (Redis 6+); omitted means the default user. */
  username?: string;
  /** Password of `username` (or of the default user). */
  password?: string;
  /**
   * TLS: `true` for the system's trust store, or settings. Certificate and
   * host name verification are on unless `rejectUnauthorized: false`.
   */
  tls?: boolean | TlsConnectOptions;
  /** RESP version: 3 (default; falls back to 2 when the server refuses HELLO) or 2. */
  protocol?: 2 | 3;
  /** Decode replies to strings (default `true`); `false` returns `Uint8Array` for bulk values. */
  decodeResponses?: D;
  /** Character encoding for decoding replies (a TextDecoder label; default `"utf-8"`). */
  encoding?: string;
  /**
   * Invalid bytes in replies decoded as text (redis-py's `encoding_errors`):
   * `"strict"` (default) rejects the command with an `InvalidResponse` and
   * keeps the connection, `"replace"` puts U+FFFD, `"ignore"` drops them.
   */
  encodingErrors?: EncodingErrors;
  /**
   * Longest bulk or simple string reply accepted, in bytes (default 512 MiB,
   * Redis's `proto-max-bulk-len`). A longer one is a `ProtocolError` as soon
   * as its header arrives, and the connection is dropped.
   */
  maxBulkLength?: number;
  /** Name set with CLIENT SETNAME on every connection. */
  clientName?: string;
  /**
   * Milliseconds to wait for a command's reply; the connection is dropped
   * when it expires. A blocking command (BLPOP, XREAD BLOCK...) gets its own
   * blocking time on top, and no limit when it blocks forever.
   */
  socketTimeout?: number;
  /** Milliseconds to wait for the connection and handshake (default 10,000). */
  socketConnectTimeout?: number;
  /**
   * TCP keepalive, so a server that vanished without a word is noticed even
   * with no `socketTimeout`: on by default (a 30 s initial delay); `false`
   * turns it off; a number sets the initial delay in milliseconds. Deno's
   * own sockets cannot set the delay (the OS's is used, often 2 hours).
   */
  socketKeepalive?: boolean | number;
  /**
   * Milliseconds `close()` waits for the replies of commands already sent
   * (default 2,000); then the connections are dropped and what is still
   * pending rejects with a `ConnectionError`.
   */
  closeTimeout?: number;
  /**
   * Milliseconds a connection may sit idle before it is checked with a PING
   * on its next use (default 0: never). A connection that fails the check
   * (an idle-killing load balancer dropped it) is replaced, and the command
   * goes out on the new one. The PING may take `socketTimeout` (or
   * `socketConnectTimeout` when that is unset).
   */
  healthCheckInterval?: number;
  /** Opens sockets. Defaults to the current runtime's native transport. */
  connector?: Connector;
  /** Receives RESP3 push frames that no subscriber claimed (invalidations included). */
  pushHandler?: (push: RespValue[]) => void;
  /**
   * Client-side caching (RESP3 only): a `CacheConfig`, or your own
   * `CacheInterface`. Read-only commands on one key are then served from
   * memory after their first read, until the server invalidates the key.
   */
  cache?: CacheConfig | CacheInterface;
  /**
   * The observers of these connections (see `InstrumentationScope`); by
   * default each pool (and so each client) has its own. Give one scope to
   * several clients to observe them together.
   */
  instrumentation?: InstrumentationScope;
}

/**
 * Options of `new Redis(options)`: redis-py's, in camelCase. Client-side
 * durations are milliseconds.
 *
 * Retries follow redis-py: none by default; `retry` sets the policy,
 * `retryOnError` and `retryOnTimeout` add error classes to it (with one
 * immediate retry when `retry` is not given). A command is re-sent only when
 * that is safe: it never reached the server, or it only reads, or the policy
 * says `retryWrites: true`.
 *
 * @example
 * ```ts
 * import { ExponentialBackoff, Redis, type RedisOptions, Retry } from "@uniredis/redis";
 * const options: RedisOptions = {
 *   host: "127.0.0.1",
 *   port: 6379,
 *   socketTimeout: 5_000,
 *   retry: new Retry(new ExponentialBackoff(), 3),
 *   healthCheckInterval: 30_000,
 * };
 * const r = new Redis(options);
 * await r.close();
 * ```
 */
export interface RedisOptions<D extends boolean = boolean> extends ConnectionSettings<D> {
  /**
   * A pool to take connections from, possibly shared with other clients; its
   * settings then replace this object's connection settings. By default
   * each client creates its own.
   */
  connectionPool?: ConnectionPool<D>;
  /** `maxConnections` of the pool the client creates (see `ConnectionPool`). */
  maxConnections?: number;
  /** Connection class of the pool the client creates (a `Connection` subclass). */
  connectionClass?: ConnectionClass;
  /**
   * Runs every command, blocking ones included, on one connection taken from
   * the pool for the client's lifetime (redis-py's `single_connection_client`).
   */
  singleConnectionClient?: boolean;
  /** Retry policy: backoff, number of retries, errors retried (see `Retry`). */
  retry?: Retry;
  /** Also retry on `TimeoutError` (adds it to the policy's errors). */
  retryOnTimeout?: boolean;
  /** Error classes to retry on (added to the policy's errors). */
  retryOnError?: readonly ErrorClass[];
}

const URL_SCHEMES = new Set(["redis:", "rediss:", "unix:"]);
const ENCODING_ERRORS = new Set(["strict", "replace", "ignore"]);
// The query options parseURL knows, as a bad one's error lists them.
const URL_QUERY_OPTIONS = [
  "db",
  "protocol",
  "username",
  "password",
  "client_name",
  "decode_responses",
  "encoding",
  "encoding_errors",
  "socket_timeout",
  "socket_connect_timeout",
  "socket_keepalive",
  "health_check_interval",
  "close_timeout",
  "max_connections",
  "single_connection_client",
  "retry_on_timeout",
  "max_bulk_length",
  "ssl_cert_reqs",
];

/**
 * Parses a `redis://`, `rediss://` or `unix://` URL into options, as
 * redis-py's `from_url` does: user and password from the authority, the
 * database from the path (`/2`) or `?db=2`, and query options in snake_case
 * or camelCase (`protocol`, `decode_responses`, `client_name`, `socket_timeout`,
 * `socket_connect_timeout`, `socket_keepalive`, `encoding`, `encoding_errors`, `max_bulk_length`,
 * `ssl_cert_reqs=none`).
 * Durations in the query are milliseconds, like every client-side duration.
 *
 * @example
 * ```ts
 * import { parseURL } from "@uniredis/redis";
 * console.log(parseURL("rediss://alice:s3cret@cache.local:6380/2?protocol=2"));
 * // { host: "cache.local", port: 6380, username: "alice", password: "s3cret", db: 2, tls: true, protocol: 2 }
 * ```
 */
export function parseURL(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // The URL API's error names neither the part nor hides the password: say which part instead.
    throw unparsableURL(url);
  }
  if (!URL_SCHEMES.has(u.protocol)) throw schemeError(u.protocol);
  // "redis:host" parses, as a path: the host would silently become a database.
  if (u.protocol !== "unix:" && !url.trimStart().slice(u.protocol.length).startsWith("//")) {
    throw urlError(`"//" expected after "${u.protocol}"`);
  }
  const options: RedisOptions = {};
  if (u.protocol === "unix:") {
    options.path = decodePart(u.pathname, "socket path");
  } else {
    if (u.hostname) options.host = u.hostname.replace(/^\[(.*)\]$/, "$1");
    if (u.port) options.port = Number(u.port);
    const dbPath = u.pathname.replace(/^\//, "");
    if (dbPath.includes("@")) throw userinfoCut();
    if (dbPath) options.db = parseIndex(dbPath, `database "${dbPath}" in the path`);
    if (u.protocol === "rediss:") options.tls = true;
  }
  if (u.username) options.username = decodePart(u.username, "username");
  if (u.password) options.password = decodePart(u.password, "password");
  for (const [rawName, value] of u.searchParams) {
    const name = rawName.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    switch (name) {
      case "db":
        options.db = parseIndex(value, `query option db "${value}"`);
        break;
      case "protocol":
        if (value !== "2" && value !== "3") {
          throw urlError(`query option protocol "${value}" (expected 2 or 3)`);
        }
        options.protocol = Number(value) as 2 | 3;
        break;
      case "decodeResponses":
        options.decodeResponses = parseBool(value, rawName);
        break;
      case "clientName":
        options.clientName = value;
        break;
      case "encoding":
        options.encoding = value;
        break;
      case "encodingErrors":
        if (!ENCODING_ERRORS.has(value)) {
          throw urlError(`query option ${rawName} "${value}" (expected strict, replace or ignore)`);
        }
        options.encodingErrors = value as EncodingErrors;
        break;
      case "maxBulkLength":
        options.maxBulkLength = parseIndex(value, `query option ${rawName} "${value}"`);
        break;
      case "socketTimeout":
      case "socketConnectTimeout":
      case "healthCheckInterval":
      case "closeTimeout":
        options[name] = parseMs(value, rawName);
        break;
      case "maxConnections":
        options.maxConnections = parseIndex(value, `query option ${rawName} "${value}"`);
        break;
      case "singleConnectionClient":
        options.singleConnectionClient = parseBool(value, rawName);
        break;
      case "retryOnTimeout":
        options.retryOnTimeout = parseBool(value, rawName);
        break;
      case "socketKeepalive":
        options.socketKeepalive = /^\d+$/.test(value) ? Number(value) : parseBool(value, rawName);
        break;
      case "sslCertReqs":
        if (value.toLowerCase() === "none") {
          options.tls = { ...tlsObject(options.tls), rejectUnauthorized: false };
        }
        break;
      case "username":
      case "password":
        options[name] = value;
        break;
      default:
        throw urlError(`unknown query option "${rawName}" (accepted: ${URL_QUERY_OPTIONS.join(", ")})`);
    }
  }
  return options;
}

function tlsObject(tls: RedisOptions["tls"]): TlsConnectOptions {
  return typeof tls === "object" ? tls : {};
}

function parseIndex(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw urlError(`${what} (expected a non-negative integer)`);
  return Number(text);
}

function parseMs(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) {
    throw urlError(`query option ${what} "${text}" (expected milliseconds)`);
  }
  return n;
}

function parseBool(text: string, what: string): boolean {
  switch (text.toLowerCase()) {
    case "1":
    case "true":
    case "yes":
    case "on":
      return true;
    case "0":
    case "false":
    case "no":
    case "off":
      return false;
  }
  throw urlError(`query option ${what} "${text}" (expected true or false)`);
}

/**
 * Every option name `new Redis()` and the pools accept. `maxBulkLength`,
 * `encodingErrors` and `closeTimeout` are listed ahead of the changes that
 * add them to the interfaces.
 */
const REDIS_OPTION_KEYS = [
  "host",
  "port",
  "path",
  "db",
  "username",
  "password",
  "tls",
  "protocol",
  "decodeResponses",
  "encoding",
  "clientName",
  "socketTimeout",
  "socketConnectTimeout",
  "socketKeepalive",
  "healthCheckInterval",
  "connector",
  "pushHandler",
  "cache",
  "connectionPool",
  "maxConnections",
  "connectionClass",
  "singleConnectionClient",
  "retry",
  "retryOnTimeout",
  "retryOnError",
  "maxBulkLength",
  "encodingErrors",
  "closeTimeout",
  "instrumentation",
] as const;
// Type checking fails when RedisOptions gains a field the list above lacks.
const _everyRedisOptionListed: Exclude<keyof RedisOptions, typeof REDIS_OPTION_KEYS[number]> extends never
  ? true
  : never = true;

/**
 * Checks option names, types and ranges, so a typo fails at construction
 * with a `DataError` instead of being ignored or failing at the first
 * command. `owner` names the constructor in messages; `extra` adds names
 * (`BlockingConnectionPool`'s `timeout`).
 */
export function validateOptions(o: RedisOptions, owner = "Redis", extra: readonly string[] = []): void {
  const bad = (what: string) => {
    throw new DataError(`Invalid option ${what}`);
  };
  if (typeof o !== "object" || o === null || Array.isArray(o)) {
    throw new DataError(`${owner}: options must be an object, got ${o === null ? "null" : typeof o}`);
  }
  for (const key in o) {
    if (!(REDIS_OPTION_KEYS as readonly string[]).includes(key) && !extra.includes(key)) {
      throw new DataError(unknownOption(owner, key, [...REDIS_OPTION_KEYS, ...extra]));
    }
  }
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535)) {
    bad(`port: ${o.port} (expected an integer from 0 to 65535)`);
  }
  if (o.db !== undefined && (!Number.isInteger(o.db) || o.db < 0)) {
    bad(`db: ${o.db} (expected an integer >= 0)`);
  }
  if (o.protocol !== undefined && o.protocol !== 2 && o.protocol !== 3) {
    bad(`protocol: ${o.protocol} (expected 2 or 3)`);
  }
  for (
    const name of ["socketTimeout", "socketConnectTimeout", "healthCheckInterval", "closeTimeout"] as const
  ) {
    const v = o[name];
    if (v !== undefined && (typeof v !== "number" || !(v >= 0))) {
      bad(`${name}: ${v} (expected milliseconds >= 0)`);
    }
  }
  if (o.cache !== undefined) {
    if (o.protocol === 2) bad("cache: client-side caching needs protocol 3 (RESP3 invalidation messages)");
    const c = o.cache as Partial<CacheInterface> & { createCache?: unknown };
    if (
      typeof c !== "object" || c === null ||
      (typeof c.createCache !== "function" && typeof c.get !== "function")
    ) {
      bad("cache (expected a CacheConfig or a CacheInterface)");
    }
  }
  if (o.instrumentation !== undefined && !(o.instrumentation instanceof InstrumentationScope)) {
    bad("instrumentation (expected an InstrumentationScope)");
  }
  if (o.maxConnections !== undefined && (!Number.isInteger(o.maxConnections) || o.maxConnections < 1)) {
    bad(`maxConnections: ${o.maxConnections} (expected an integer >= 1)`);
  }
  if (o.retryOnError !== undefined && !Array.isArray(o.retryOnError)) {
    bad(`retryOnError (expected an array of error classes)`);
  }
  if (o.encodingErrors !== undefined && !ENCODING_ERRORS.has(o.encodingErrors)) {
    bad(`encodingErrors: ${JSON.stringify(o.encodingErrors)} (expected "strict", "replace" or "ignore")`);
  }
  if (o.maxBulkLength !== undefined && (!Number.isSafeInteger(o.maxBulkLength) || o.maxBulkLength < 0)) {
    bad(`maxBulkLength: ${o.maxBulkLength} (expected an integer number of bytes >= 0)`);
  }
  if (o.encoding !== undefined) {
    try {
      new TextDecoder(o.encoding);
    } catch {
      bad(`encoding: "${o.encoding}" (not a TextDecoder encoding label)`);
    }
  }
}
