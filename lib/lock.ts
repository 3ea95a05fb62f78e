/**
 * `Lock`: a distributed lock on one key, as redis-py's `Lock`. Acquired with
 * `SET key token NX PX`, and released, extended and reacquired by Lua scripts
 * that check the token, so one holder can never release another's lock.
 *
 * @module
 */

import type { RedisCommands } from "./commands/mod.ts";
import type { RedisKey } from "./commands/command.ts";
import { DataError, LockError, LockNotOwnedError } from "./errors.ts";
import { Script } from "./script.ts";
import { checkOptionKeys, optionKeys } from "./commands/validate.ts";

/**
 * Options of `Redis.lock`. Durations are milliseconds.
 *
 * @example
 * ```ts
 * import type { LockOptions } from "@uniredis/redis";
 * const o: LockOptions = { timeout: 10_000, blockingTimeout: 2_000, sleep: 50 };
 * console.log(o.timeout); // 10000
 * ```
 */
export interface LockOptions {
  /** How long the lock lives unless extended (ms); absent: until released. */
  timeout?: number;
  /** Pause between attempts while blocking (ms, default 100). */
  sleep?: number;
  /** Wait for the lock when it is taken (default `true`). */
  blocking?: boolean;
  /** Give up waiting after this long (ms); absent: wait indefinitely. */
  blockingTimeout?: number;
  /**
   * Accepted for redis-py compatibility and ignored: JavaScript has no threads,
   * so a lock's token always belongs to the `Lock` object that acquired it.
   */
  threadLocal?: boolean;
  /**
   * Whether releasing a lock that is no longer owned (it expired, and maybe
   * another holder took it) throws a `LockNotOwnedError`, from `release()` and
   * from `await using` (default `true`). With `false` it is logged as a
   * warning and ignored, as redis-py's `raise_on_release_error=False`.
   */
  raiseOnReleaseError?: boolean;
  /** The `Lock` subclass `Redis.lock` instantiates (redis-py's `lock_class`); ignored by `new Lock`. */
  lockClass?: LockClass;
}

const LOCK_KEYS = optionKeys<LockOptions>({
  timeout: true,
  sleep: true,
  blocking: true,
  blockingTimeout: true,
  threadLocal: true,
  raiseOnReleaseError: true,
  lockClass: true,
});

/**
 * A `Lock` class (or subclass) that `Redis.lock` can instantiate with its
 * `lockClass` option: constructed with the client, the key and the options.
 *
 * @example
 * ```ts
 * import { Lock, type LockClass, Redis } from "@uniredis/redis";
 * class LoggedLock extends Lock {
 *   override async acquire(...args: Parameters<Lock["acquire"]>): Promise<boolean> {
 *     const ok = await super.acquire(...args);
 *     console.log("acquired", this.name, ok);
 *     return ok;
 *   }
 * }
 * const cls: LockClass<LoggedLock> = LoggedLock;
 * await using r = new Redis();
 * const lock = r.lock("jobs", { lockClass: cls, timeout: 5_000 }); // a LoggedLock
 * ```
 */
export type LockClass<L extends Lock = Lock> = new (
  client: RedisCommands<boolean>,
  name: RedisKey,
  options?: LockOptions,
) => L;

/**
 * Options of one `Lock.acquire` call, overriding the lock's.
 *
 * @example
 * ```ts
 * import type { AcquireOptions } from "@uniredis/redis";
 * const once: AcquireOptions = { blocking: false };
 * console.log(once.blocking); // false
 * ```
 */
export interface AcquireOptions {
  /** Wait for the lock when it is taken. */
  blocking?: boolean;
  /** Give up waiting after this long (ms). */
  blockingTimeout?: number;
  /** Use this token instead of a random one (to take over a lock by its token). */
  token?: string;
}

const ACQUIRE_KEYS = optionKeys<AcquireOptions>({ blocking: true, blockingTimeout: true, token: true });

const RELEASE = `
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('del', KEYS[1])
return 1`;

const EXTEND = `
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
local expiration = redis.call('pttl', KEYS[1])
if expiration < 0 then return 0 end
local ttl = tonumber(ARGV[2])
if ARGV[3] == '0' then ttl = ttl + expiration end
redis.call('pexpire', KEYS[1], ttl)
return 1`;

const REACQUIRE = `
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('pexpire', KEYS[1], ARGV[2])
return 1`;

/**
 * A distributed lock on the key `name`.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * {
 *   await using lock = await r.lock("jobs:nightly", { timeout: 30_000, blockingTimeout: 5_000 }).acquireOrThrow();
 *   // ... the critical section; the lock is released when the block ends
 * }
 * ```
 */
export class Lock implements AsyncDisposable {
  /** The key the lock lives in. */
  readonly name: RedisKey;
  readonly #client: RedisCommands<boolean>;
  readonly #timeout: number | undefined;
  readonly #sleep: number;
  readonly #blocking: boolean;
  readonly #blockingTimeout: number | undefined;
  readonly #raiseOnReleaseError: boolean;
  readonly #release: Script;
  readonly #extend: Script;
  readonly #reacquire: Script;
  #token: string | undefined;

  /** Creates the lock object; nothing is sent until `acquire()`. Throws a `DataError` for bad options. */
  constructor(client: RedisCommands<boolean>, name: RedisKey, options: LockOptions = {}) {
    checkOptionKeys("Lock", options, LOCK_KEYS);
    for (const field of ["timeout", "sleep", "blockingTimeout"] as const) {
      const v = options[field];
      if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v) || v < 0)) {
        throw new DataError(`Lock: ${field} must be milliseconds >= 0, got ${String(v)}`);
      }
    }
    this.#client = client;
    this.name = name;
    this.#timeout = options.timeout;
    this.#sleep = options.sleep ?? 100;
    this.#blocking = options.blocking ?? true;
    this.#blockingTimeout = options.blockingTimeout;
    this.#raiseOnReleaseError = options.raiseOnReleaseError ?? true;
    this.#release = new Script(client, RELEASE);
    this.#extend = new Script(client, EXTEND);
    this.#reacquire = new Script(client, REACQUIRE);
  }

  /** The token this holder wrote, while it believes it holds the lock. */
  get token(): string | undefined {
    return this.#token;
  }

  /**
   * Takes the lock; resolves to `true` once held, or `false` when it is
   * taken and `blocking` is off or `blockingTimeout` passed.
   */
  async acquire(options: AcquireOptions = {}): Promise<boolean> {
    checkOptionKeys("acquire", options, ACQUIRE_KEYS);
    const token = options.token ?? randomToken();
    const blocking = options.blocking ?? this.#blocking;
    const limit = options.blockingTimeout ?? this.#blockingTimeout;
    const deadline = limit === undefined ? undefined : Date.now() + limit;
    for (;;) {
      const set = this.#timeout === undefined
        ? await this.#client.set(this.name, token, { nx: true })
        : await this.#client.set(this.name, token, { nx: true, px: Math.max(1, Math.round(this.#timeout)) });
      if (set !== null) {
        this.#token = token;
        return true;
      }
      if (!blocking) return false;
      if (deadline !== undefined && Date.now() + this.#sleep > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, this.#sleep));
    }
  }

  /**
   * Takes the lock or rejects with a `LockError` (redis-py's `with lock:`);
   * resolves to the lock itself, for `await using`.
   */
  async acquireOrThrow(options: AcquireOptions = {}): Promise<this> {
    if (await this.acquire(options)) return this;
    throw new LockError(`Unable to acquire lock ${String(this.name)} within the time specified`);
  }

  /**
   * Releases the lock; rejects with `LockNotOwnedError` when it expired or
   * another holder took it (only logged with `raiseOnReleaseError: false`),
   * and with `LockError` when it is not held at all.
   */
  async release(): Promise<void> {
    const token = this.#token;
    if (token === undefined) throw new LockError("Cannot release an unlocked lock");
    this.#token = undefined;
    if (await this.#release.run({ keys: [this.name], args: [token] }) === 1) return;
    const message = `Cannot release lock ${String(this.name)}: it is no longer owned`;
    if (this.#raiseOnReleaseError) throw new LockNotOwnedError(message);
    console.warn(`${message} (ignored: raiseOnReleaseError is false)`);
  }

  /**
   * Adds `additional` milliseconds to the lock's time to live (or, with
   * `replaceTtl`, sets it to that). Rejects with `LockNotOwnedError` when the
   * lock is no longer held by this holder.
   */
  async extend(additional: number, options: { replaceTtl?: boolean } = {}): Promise<true> {
    const token = this.#token;
    if (token === undefined) throw new LockError("Cannot extend an unlocked lock");
    if (this.#timeout === undefined) throw new LockError("Cannot extend a lock with no timeout");
    if (typeof additional !== "number" || !Number.isFinite(additional) || additional < 0) {
      throw new DataError(`Lock.extend: additional must be milliseconds >= 0, got ${String(additional)}`);
    }
    const args = [token, Math.round(additional), options.replaceTtl ? "1" : "0"];
    if (await this.#extend.run({ keys: [this.name], args }) !== 1) {
      throw new LockNotOwnedError(`Cannot extend lock ${String(this.name)}: it is no longer owned`);
    }
    return true;
  }

  /** Resets the lock's time to live to its `timeout`. Rejects with `LockNotOwnedError` when not held. */
  async reacquire(): Promise<true> {
    const token = this.#token;
    if (token === undefined) throw new LockError("Cannot reacquire an unlocked lock");
    if (this.#timeout === undefined) throw new LockError("Cannot reacquire a lock with no timeout");
    if (await this.#reacquire.run({ keys: [this.name], args: [token, Math.round(this.#timeout)] }) !== 1) {
      throw new LockNotOwnedError(`Cannot reacquire lock ${String(this.name)}: it is no longer owned`);
    }
    return true;
  }

  /** Whether anyone holds the lock. */
  async locked(): Promise<boolean> {
    return (await this.#client.exists(this.name)) > 0;
  }

  /** Whether this holder holds the lock. */
  async owned(): Promise<boolean> {
    if (this.#token === undefined) return false;
    const value = await this.#client.get(this.name);
    const text = value instanceof Uint8Array ? new TextDecoder().decode(value) : value;
    return text === this.#token;
  }

  /**
   * Releases the lock at the end of an `await using` block, if it was
   * acquired: as redis-py's `with lock:`, a lock lost meanwhile throws a
   * `LockNotOwnedError` unless `raiseOnReleaseError` is `false`.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#token === undefined) return;
    await this.release();
  }
}

/** 128 random bits as hex: unguessable, so no other holder can present this token. */
function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return hex;
}
