/**
 * The error hierarchy of uniredis, named after redis-py's so code ported from
 * Python catches the same classes.
 *
 * ```
 * RedisError
 * ├── ConnectionError
 * │   ├── TimeoutError
 * │   ├── AuthenticationError
 * │   │   └── AuthenticationWrongNumberOfArgsError
 * │   ├── BusyLoadingError
 * │   └── MasterNotFoundError, SlaveNotFoundError  (Sentinel)
 * ├── DataError            bad argument, thrown before any byte is sent
 * ├── InvalidResponse
 * │   └── ProtocolError    malformed bytes from the server
 * ├── ResponseError        an error reply (`-CODE message`), with `.code`
 * │   ├── ReadOnlyError, NoScriptError, ExecAbortError, OutOfMemoryError,
 * │   ├── NoPermissionError, ModuleError, ...
 * │   ├── ClusterDownError (CLUSTERDOWN; also `instanceof ClusterError`)
 * │   │   └── MasterDownError (MASTERDOWN)
 * │   ├── AskError (ASK)
 * │   │   └── MovedError (MOVED)
 * │   ├── TryAgainError (TRYAGAIN), ClusterCrossSlotError (CROSSSLOT)
 * ├── RedisClusterException  client-side cluster errors
 * │   ├── ClusterError        redirections exhausted
 * │   └── SlotNotCoveredError
 * ├── WatchError, PubSubError, LockError (> LockNotOwnedError)
 * ```
 *
 * Messages say what failed and where (`host:port`); they never contain a
 * password.
 *
 * @module
 */

/**
 * The base class of every error uniredis throws.
 *
 * @example Catch anything from Redis
 * ```ts
 * import { Redis, RedisError } from "@uniredis/redis";
 * const r = new Redis();
 * try {
 *   await r.get("k");
 * } catch (e) {
 *   if (e instanceof RedisError) console.error("redis failed:", e.message);
 * } finally {
 *   await r.close();
 * }
 * ```
 */
export class RedisError extends Error {
  /** Creates the error; `options.cause` keeps the underlying error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The connection could not be made, was lost, or was closed while a command
 * was pending.
 *
 * @example
 * ```ts
 * import { ConnectionError, Redis } from "@uniredis/redis";
 * const r = new Redis({ port: 1 });
 * await r.ping().catch((e) => console.log(e instanceof ConnectionError)); // true
 * ```
 */
export class ConnectionError extends RedisError {}

/**
 * A connect or command timeout expired. A command that timed out after it
 * was written closes its connection, so its late reply is never read as the
 * reply of another command.
 *
 * @example
 * ```ts
 * import { Redis, TimeoutError } from "@uniredis/redis";
 * const r = new Redis({ socketTimeout: 100 });
 * await r.blpop(["queue"], 0).catch((e) => console.log(e instanceof TimeoutError)); // true
 * ```
 */
export class TimeoutError extends ConnectionError {}

/**
 * A pool had no connection to lend: `maxConnections` were all out
 * (`ConnectionPool`), or none came back within the `timeout` of a
 * `BlockingConnectionPool`. A retry policy never retries it.
 *
 * @example
 * ```ts
 * import { BlockingConnectionPool, MaxConnectionsError, Redis } from "@uniredis/redis";
 * const pool = new BlockingConnectionPool({ maxConnections: 1, timeout: 100 });
 * const r = new Redis({ connectionPool: pool });
 * const calls = [r.blpop("q", 1), r.blpop("q", 1)];
 * const [, second] = await Promise.allSettled(calls);
 * console.log(second.status === "rejected" && second.reason instanceof MaxConnectionsError); // true
 * await pool.disconnect();
 * ```
 */
export class MaxConnectionsError extends ConnectionError {}

/**
 * The server refused the credentials (`WRONGPASS`, `NOAUTH`, `invalid password`).
 *
 * @example
 * ```ts
 * import { AuthenticationError, Redis } from "@uniredis/redis";
 * const r = new Redis({ password: "wrong" });
 * await r.ping().catch((e) => console.log(e instanceof AuthenticationError));
 * ```
 */
export class AuthenticationError extends ConnectionError {}

/**
 * `AUTH` was sent with a username to a server without ACLs (Redis < 6), or
 * with a password to a server that has none.
 *
 * @example
 * ```ts
 * import { AuthenticationWrongNumberOfArgsError } from "@uniredis/redis";
 * console.log(new AuthenticationWrongNumberOfArgsError("x") instanceof Error); // true
 * ```
 */
export class AuthenticationWrongNumberOfArgsError extends AuthenticationError {}

/**
 * The server is loading its dataset into memory (`-LOADING`).
 *
 * @example
 * ```ts
 * import { BusyLoadingError, ConnectionError } from "@uniredis/redis";
 * console.log(new BusyLoadingError("x") instanceof ConnectionError); // true
 * ```
 */
export class BusyLoadingError extends ConnectionError {}

/**
 * No sentinel could name a healthy master for the service (redis-py's
 * `MasterNotFoundError`): every sentinel was unreachable, did not know the
 * name, or reported the master down. The message names each sentinel and why.
 *
 * @example
 * ```ts
 * import { ConnectionError, MasterNotFoundError } from "@uniredis/redis";
 * console.log(new MasterNotFoundError("x") instanceof ConnectionError); // true
 * ```
 */
export class MasterNotFoundError extends ConnectionError {}

/**
 * No replica (nor the master, the fallback) of a sentinel-managed service
 * could be connected (redis-py's `SlaveNotFoundError`).
 *
 * @example
 * ```ts
 * import { ConnectionError, SlaveNotFoundError } from "@uniredis/redis";
 * console.log(new SlaveNotFoundError("x") instanceof ConnectionError); // true
 * ```
 */
export class SlaveNotFoundError extends ConnectionError {}

/**
 * An argument was of the wrong type or a combination of options is invalid.
 * Always thrown before any byte of the command is sent.
 *
 * @example
 * ```ts
 * import { DataError, Redis } from "@uniredis/redis";
 * const r = new Redis();
 * // both `ex` and `px`: rejected without talking to the server
 * await r.set("k", "v", { ex: 1, px: 1000 } as never).catch((e) => console.log(e instanceof DataError));
 * ```
 */
export class DataError extends RedisError {}

/**
 * The server sent a reply the client could not make sense of.
 *
 * @example
 * ```ts
 * import { InvalidResponse, RedisError } from "@uniredis/redis";
 * console.log(new InvalidResponse("x") instanceof RedisError); // true
 * ```
 */
export class InvalidResponse extends RedisError {}

/**
 * The byte stream broke the RESP grammar. The connection is closed and every
 * pending command is rejected with this error.
 *
 * @example
 * ```ts
 * import { InvalidResponse, ProtocolError } from "@uniredis/redis";
 * console.log(new ProtocolError("x") instanceof InvalidResponse); // true
 * ```
 */
export class ProtocolError extends InvalidResponse {}

/**
 * An error reply from the server (`-ERR unknown command`). `code` is its
 * first word (`ERR`, `WRONGTYPE`, `NOSCRIPT`, ...).
 *
 * @example
 * ```ts
 * import { Redis, ResponseError } from "@uniredis/redis";
 * const r = new Redis();
 * await r.set("s", "text");
 * await r.lpush("s", "x").catch((e) => {
 *   if (e instanceof ResponseError) console.log(e.code); // "WRONGTYPE"
 * });
 * await r.close();
 * ```
 */
export class ResponseError extends RedisError {
  /** The error's code: the first word of the server's message. */
  readonly code: string;
  /** Creates the error from the server's message (`CODE rest`). */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    const space = message.indexOf(" ");
    this.code = space < 0 ? message : message.slice(0, space);
  }
}

/**
 * A write was sent to a read-only replica (`-READONLY`).
 *
 * @example
 * ```ts
 * import { ReadOnlyError, ResponseError } from "@uniredis/redis";
 * console.log(new ReadOnlyError("READONLY x") instanceof ResponseError); // true
 * ```
 */
export class ReadOnlyError extends ResponseError {}

/**
 * `EVALSHA` named a script the server does not have (`-NOSCRIPT`).
 *
 * @example
 * ```ts
 * import { NoScriptError } from "@uniredis/redis";
 * console.log(new NoScriptError("NOSCRIPT No matching script").code); // "NOSCRIPT"
 * ```
 */
export class NoScriptError extends ResponseError {}

/**
 * A transaction was discarded because a queued command was invalid (`-EXECABORT`).
 *
 * @example
 * ```ts
 * import { ExecAbortError } from "@uniredis/redis";
 * console.log(new ExecAbortError("EXECABORT x").code); // "EXECABORT"
 * ```
 */
export class ExecAbortError extends ResponseError {}

/**
 * The server is over its `maxmemory` and refused a write (`-OOM`).
 *
 * @example
 * ```ts
 * import { OutOfMemoryError } from "@uniredis/redis";
 * console.log(new OutOfMemoryError("OOM x").code); // "OOM"
 * ```
 */
export class OutOfMemoryError extends ResponseError {}

/**
 * The ACL user may not run this command or touch this key (`-NOPERM`).
 *
 * @example
 * ```ts
 * import { NoPermissionError } from "@uniredis/redis";
 * console.log(new NoPermissionError("NOPERM x").code); // "NOPERM"
 * ```
 */
export class NoPermissionError extends ResponseError {}

/**
 * A module command failed because the module is not loaded or refused it.
 *
 * @example
 * ```ts
 * import { ModuleError, ResponseError } from "@uniredis/redis";
 * console.log(new ModuleError("ERR x") instanceof ResponseError); // true
 * ```
 */
export class ModuleError extends ResponseError {}

/**
 * A watched key changed, so `EXEC` aborted the transaction.
 *
 * @example
 * ```ts
 * import { RedisError, WatchError } from "@uniredis/redis";
 * console.log(new WatchError("x") instanceof RedisError); // true
 * ```
 */
export class WatchError extends RedisError {}

/**
 * Misuse of a Pub/Sub connection.
 *
 * @example
 * ```ts
 * import { PubSubError, RedisError } from "@uniredis/redis";
 * console.log(new PubSubError("x") instanceof RedisError); // true
 * ```
 */
export class PubSubError extends RedisError {}

/**
 * A lock could not be acquired, extended or released.
 *
 * @example
 * ```ts
 * import { LockError, RedisError } from "@uniredis/redis";
 * console.log(new LockError("x") instanceof RedisError); // true
 * ```
 */
export class LockError extends RedisError {}

/**
 * Releasing or extending a lock this holder no longer owns.
 *
 * @example
 * ```ts
 * import { LockError, LockNotOwnedError } from "@uniredis/redis";
 * console.log(new LockNotOwnedError("x") instanceof LockError); // true
 * ```
 */
export class LockNotOwnedError extends LockError {}

/**
 * The base class of the errors a cluster client raises itself (not error
 * replies): redirections exhausted, an uncovered slot. redis-py's
 * `RedisClusterException`.
 *
 * @example
 * ```ts
 * import { RedisClusterException, SlotNotCoveredError } from "@uniredis/redis";
 * console.log(new SlotNotCoveredError("x") instanceof RedisClusterException); // true
 * ```
 */
export class RedisClusterException extends RedisError {}

/**
 * A cluster command did not succeed within its redirections (`MOVED`/`ASK`
 * followed `maxRedirections` times) or retries. As in redis-py, where
 * `ClusterDownError` derives from `ClusterError`, `instanceof ClusterError`
 * is also true of a `ClusterDownError` (and `MasterDownError`), so one
 * `catch` handles "the cluster could not serve this".
 *
 * @example
 * ```ts
 * import { ClusterDownError, ClusterError } from "@uniredis/redis";
 * console.log(new ClusterDownError("CLUSTERDOWN The cluster is down") instanceof ClusterError); // true
 * ```
 */
export class ClusterError extends RedisClusterException {
  /** True for a `ClusterError` and, on `ClusterError` itself, for a `ClusterDownError`. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(this, value) ||
      (this === ClusterError && Function.prototype[Symbol.hasInstance].call(ClusterDownError, value));
  }
}

/**
 * A slot has no owner in the client's view of the cluster (redis-py's
 * `SlotNotCoveredError`), even after refreshing it.
 *
 * @example
 * ```ts
 * import { RedisClusterException, SlotNotCoveredError } from "@uniredis/redis";
 * const e = new SlotNotCoveredError("Slot 12182 is not covered by the cluster");
 * console.log(e instanceof RedisClusterException); // true
 * ```
 */
export class SlotNotCoveredError extends RedisClusterException {}

/**
 * The cluster cannot serve the command (`-CLUSTERDOWN`): the cluster is
 * down, or the key's slot is not served (during a failover, every node
 * answers this for a while). Retried with backoff by the cluster client.
 *
 * @example
 * ```ts
 * import { ClusterDownError, errorFromReply } from "@uniredis/redis";
 * console.log(errorFromReply("CLUSTERDOWN The cluster is down") instanceof ClusterDownError); // true
 * ```
 */
export class ClusterDownError extends ResponseError {}

/**
 * A replica lost its link to its primary and does not serve stale data
 * (`-MASTERDOWN`).
 *
 * @example
 * ```ts
 * import { ClusterDownError, errorFromReply, MasterDownError } from "@uniredis/redis";
 * const e = errorFromReply("MASTERDOWN Link with MASTER is down");
 * console.log(e instanceof MasterDownError, e instanceof ClusterDownError); // true true
 * ```
 */
export class MasterDownError extends ClusterDownError {}

/**
 * The keys of a multi-key command or transaction hash to different slots
 * (`-CROSSSLOT`). The cluster client also raises it itself, before sending,
 * for a transaction whose keys span slots.
 *
 * @example
 * ```ts
 * import { ClusterCrossSlotError } from "@uniredis/redis";
 * const e = new ClusterCrossSlotError("CROSSSLOT Keys in request don't hash to the same slot");
 * console.log(e.code); // "CROSSSLOT"
 * ```
 */
export class ClusterCrossSlotError extends ResponseError {}

/**
 * A multi-key command found some of its keys missing from a slot being
 * migrated (`-TRYAGAIN`): retry after a short wait.
 *
 * @example
 * ```ts
 * import { errorFromReply, TryAgainError } from "@uniredis/redis";
 * console.log(errorFromReply("TRYAGAIN Multiple keys request during rehashing of slot") instanceof TryAgainError); // true
 * ```
 */
export class TryAgainError extends ResponseError {}

/**
 * The key's slot is being migrated and the key is on the target node
 * (`-ASK 3999 127.0.0.1:6381`): send `ASKING` and the command there once,
 * without changing the slot map. `host` is `""` when the server sent an
 * empty endpoint (the node the command was sent to) and `"?"` when it knows
 * no endpoint to give. IPv6 hosts come without brackets; `nodeName` is
 * `host:port`.
 *
 * @example
 * ```ts
 * import { AskError, errorFromReply } from "@uniredis/redis";
 * const e = errorFromReply("ASK 3999 127.0.0.1:6381") as AskError;
 * console.log(e.slot, e.host, e.port, e.nodeName); // 3999 "127.0.0.1" 6381 "127.0.0.1:6381"
 * ```
 */
export class AskError extends ResponseError {
  /** The key's hash slot (redis-py's `slot_id`). */
  readonly slot: number;
  /** The node to ask: an IP, a hostname, `""` (the same node) or `"?"` (unknown). */
  readonly host: string;
  /** The node's port. */
  readonly port: number;
  /** `host:port` (redis-py's `node_addr`). */
  readonly nodeName: string;
  /** Creates the error from the server's message (`ASK slot host:port`); see `parseRedirection`. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    const target = parseRedirection(message) ?? { slot: -1, host: "", port: 0 };
    this.slot = target.slot;
    this.host = target.host;
    this.port = target.port;
    this.nodeName = `${target.host}:${target.port}`;
  }
}

/**
 * The key's slot belongs to another node (`-MOVED 3999 127.0.0.1:6381`):
 * update the slot map and send the command there. Same fields as `AskError`.
 *
 * @example
 * ```ts
 * import { errorFromReply, MovedError } from "@uniredis/redis";
 * const e = errorFromReply("MOVED 3999 [::1]:6381") as MovedError;
 * console.log(e.slot, e.host, e.port); // 3999 "::1" 6381
 * ```
 */
export class MovedError extends AskError {}

/**
 * Reads the target of a `MOVED`/`ASK` message (`MOVED slot host:port`), or
 * `undefined` when it is malformed. The port follows the last `:`, so an
 * unbracketed IPv6 address (as the server writes it) and `[::1]` both work.
 *
 * @example
 * ```ts
 * import { parseRedirection } from "@uniredis/redis";
 * console.log(parseRedirection("MOVED 3999 ::1:6381")); // { slot: 3999, host: "::1", port: 6381 }
 * ```
 */
export function parseRedirection(message: string): { slot: number; host: string; port: number } | undefined {
  const parts = message.split(" ");
  if (parts.length !== 3 || !/^\d{1,5}$/.test(parts[1])) return undefined;
  const slot = Number(parts[1]);
  const colon = parts[2].lastIndexOf(":");
  const portText = parts[2].slice(colon + 1);
  if (slot >= 16384 || colon < 0 || !/^\d{1,5}$/.test(portText)) return undefined;
  let host = parts[2].slice(0, colon);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return { slot, host, port: Number(portText) };
}

/**
 * Turns an error reply into the most specific `ResponseError` subclass (or an
 * authentication / loading error, which redis-py raises as connection errors).
 *
 * @example
 * ```ts
 * import { errorFromReply, NoScriptError } from "@uniredis/redis";
 * console.log(errorFromReply("NOSCRIPT No matching script") instanceof NoScriptError); // true
 * ```
 */
export function errorFromReply(message: string): RedisError {
  const space = message.indexOf(" ");
  const code = space < 0 ? message : message.slice(0, space);
  switch (code) {
    case "NOSCRIPT":
      return new NoScriptError(message);
    case "READONLY":
      return new ReadOnlyError(message);
    case "EXECABORT":
      return new ExecAbortError(message);
    case "OOM":
      return new OutOfMemoryError(message);
    case "NOPERM":
      return new NoPermissionError(message);
    case "LOADING":
      return new BusyLoadingError(message);
    case "WRONGPASS":
    case "NOAUTH":
      return new AuthenticationError(message);
    case "CLUSTERDOWN":
      return new ClusterDownError(message);
    case "MASTERDOWN":
      return new MasterDownError(message);
    case "TRYAGAIN":
      return new TryAgainError(message);
    case "CROSSSLOT":
      return new ClusterCrossSlotError(message);
    case "MOVED":
      // a malformed redirection stays a plain ResponseError rather than one with a bogus target
      return parseRedirection(message) ? new MovedError(message) : new ResponseError(message);
    case "ASK":
      return parseRedirection(message) ? new AskError(message) : new ResponseError(message);
  }
  if (
    message.startsWith("ERR invalid password") ||
    message.startsWith("ERR invalid username-password pair")
  ) {
    return new AuthenticationError(message);
  }
  if (
    message.startsWith("ERR wrong number of arguments for 'auth' command") ||
    message.startsWith("ERR AUTH <password> called without any password configured") ||
    message.startsWith("ERR Client sent AUTH, but no password is set")
  ) {
    return new AuthenticationWrongNumberOfArgsError(message);
  }
  return new ResponseError(message);
}
