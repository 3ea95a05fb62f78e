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
 * │   └── BusyLoadingError
 * ├── DataError            bad argument, thrown before any byte is sent
 * ├── InvalidResponse
 * │   └── ProtocolError    malformed bytes from the server
 * ├── ResponseError        an error reply (`-CODE message`), with `.code`
 * │   ├── ReadOnlyError, NoScriptError, ExecAbortError, OutOfMemoryError,
 * │   ├── NoPermissionError, ModuleError, ClusterError, ...
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
