/**
 * `Retry`: redis-py's retry policy (a backoff, a number of retries and the
 * errors worth retrying), with durations in milliseconds.
 *
 * @module
 */

import type { Backoff } from "./backoff.ts";
import { ConnectionError, DataError, TimeoutError } from "./errors.ts";
import { checkOptionKeys, optionKeys } from "./commands/validate.ts";

/**
 * An error class, as listed in `Retry.supportedErrors` (abstract classes included).
 *
 * @example
 * ```ts
 * import { type ErrorClass, TimeoutError } from "@uniredis/redis";
 * const classes: ErrorClass[] = [TimeoutError, TypeError];
 * console.log(classes.length); // 2
 * ```
 */
// deno-lint-ignore no-explicit-any
export type ErrorClass = abstract new (...args: any[]) => Error;

/**
 * Options of `new Retry(backoff, retries, options)`.
 *
 * @example
 * ```ts
 * import { ConnectionError, NoBackoff, Retry, type RetryOptions } from "@uniredis/redis";
 * const options: RetryOptions = { supportedErrors: [ConnectionError], retryWrites: true };
 * console.log(new Retry(new NoBackoff(), 1, options).retryWrites); // true
 * ```
 */
export interface RetryOptions {
  /** Errors that cause a retry (default `[ConnectionError, TimeoutError]`, subclasses included). */
  supportedErrors?: readonly ErrorClass[];
  /**
   * Also re-send a command that may already have run on the server: a write
   * whose reply was lost with the connection (default `false`).
   */
  retryWrites?: boolean;
}

const RETRY_KEYS = optionKeys<RetryOptions>({ supportedErrors: true, retryWrites: true });

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function checkRetries(retries: unknown): number {
  if (typeof retries !== "number" || !Number.isInteger(retries) || retries < -1) {
    throw new DataError(
      `Retry retries must be an integer >= -1 (-1 retries forever), got ${String(retries)}`,
    );
  }
  return retries;
}

function checkErrors(errors: unknown): ErrorClass[] {
  if (!Array.isArray(errors) || errors.some((e) => typeof e !== "function")) {
    throw new DataError("Retry supportedErrors must be an array of error classes");
  }
  return errors;
}

/**
 * When and how often to try an operation again, as redis-py's `Retry`.
 *
 * - Waits come from `backoff` and are in milliseconds.
 * - `retries` is the number of attempts after the first one; `-1` retries forever.
 * - Only errors that are instances of `supportedErrors` are retried; the
 *   default is `[ConnectionError, TimeoutError]` (so `AuthenticationError` and
 *   `BusyLoadingError`, which extend `ConnectionError`, are retried too).
 *   Every other error is thrown at once.
 * - A client never re-runs a command that may have executed unless
 *   `retryWrites: true`: when the connection drops after a write was sent,
 *   the server may have applied it, and sending it again could apply it twice
 *   (`INCR`, `LPUSH`). Read-only commands (see `isReadOnlyCommand`) are always
 *   safe to re-send.
 *
 * @example Five retries, waits doubling from 20 ms up to 1 s
 * ```ts
 * import { ExponentialBackoff, Redis, Retry } from "@uniredis/redis";
 * const r = new Redis({ retry: new Retry(new ExponentialBackoff({ cap: 1_000, base: 10 }), 5) });
 * await r.get("k");
 * await r.close();
 * ```
 *
 * @example Run any operation with retries
 * ```ts
 * import { ConstantBackoff, Retry } from "@uniredis/redis";
 * const retry = new Retry(new ConstantBackoff(100), 3);
 * const value = await retry.callWithRetry(
 *   () => fetch("https://example.com").then((res) => res.text()),
 *   (error) => console.warn("attempt failed:", error),
 * );
 * console.log(value.length);
 * ```
 */
export class Retry {
  /** Computes the wait before each retry. */
  readonly backoff: Backoff;
  /** Whether commands that may already have run on the server are re-sent (default `false`). */
  readonly retryWrites: boolean;
  #retries: number;
  #supportedErrors: ErrorClass[];

  /**
   * Creates the policy: `retries` attempts after the first (`-1`: forever),
   * waiting `backoff.compute(failures)` ms before each.
   */
  constructor(backoff: Backoff, retries: number, options: RetryOptions = {}) {
    checkOptionKeys("Retry", options, RETRY_KEYS);
    if (
      backoff === null || typeof backoff !== "object" || typeof backoff.compute !== "function" ||
      typeof backoff.reset !== "function"
    ) {
      throw new DataError("Retry needs a Backoff (an object with compute() and reset())");
    }
    this.backoff = backoff;
    this.#retries = checkRetries(retries);
    this.#supportedErrors = options.supportedErrors === undefined
      ? [ConnectionError, TimeoutError]
      : [...new Set(checkErrors(options.supportedErrors))];
    if (options.retryWrites !== undefined && typeof options.retryWrites !== "boolean") {
      throw new DataError(`Retry retryWrites must be a boolean, got ${String(options.retryWrites)}`);
    }
    this.retryWrites = options.retryWrites ?? false;
  }

  /** Attempts after the first one; `-1` retries forever. */
  get retries(): number {
    return this.#retries;
  }

  /** Changes the number of retries (an integer >= -1). */
  set retries(value: number) {
    this.#retries = checkRetries(value);
  }

  /** The error classes that cause a retry (a copy). */
  get supportedErrors(): readonly ErrorClass[] {
    return [...this.#supportedErrors];
  }

  /**
   * Adds error classes to `supportedErrors`, skipping those already there.
   *
   * @example
   * ```ts
   * import { NoBackoff, ReadOnlyError, Retry } from "@uniredis/redis";
   * const retry = new Retry(new NoBackoff(), 3);
   * retry.updateSupportedErrors([ReadOnlyError]);
   * console.log(retry.supportedErrors.length); // 3
   * ```
   */
  updateSupportedErrors(errors: readonly ErrorClass[]): void {
    for (const e of checkErrors(errors)) {
      if (!this.#supportedErrors.includes(e)) this.#supportedErrors.push(e);
    }
  }

  /**
   * Whether `error` is an instance of one of `supportedErrors`.
   *
   * @example
   * ```ts
   * import { ConnectionError, DataError, NoBackoff, Retry } from "@uniredis/redis";
   * const retry = new Retry(new NoBackoff(), 1);
   * console.log(retry.isSupported(new ConnectionError("lost")), retry.isSupported(new DataError("bad"))); // true false
   * ```
   */
  isSupported(error: unknown): boolean {
    return this.#supportedErrors.some((cls) => error instanceof cls);
  }

  /**
   * True while another attempt is allowed after `failures` failures.
   *
   * @example
   * ```ts
   * import { NoBackoff, Retry } from "@uniredis/redis";
   * const retry = new Retry(new NoBackoff(), 2);
   * console.log(retry.allows(2), retry.allows(3)); // true false
   * ```
   */
  allows(failures: number): boolean {
    return this.#retries < 0 || failures <= this.#retries;
  }

  /**
   * redis-py's `call_with_retry`: resets the backoff and calls `fn`. On a
   * supported error it awaits `onFailure(error)` (to reconnect, say), then,
   * if another attempt is allowed, waits `backoff.compute(failures)` ms and
   * calls `fn` again; otherwise it throws the error. Unsupported errors are
   * thrown at once, without `onFailure`.
   *
   * @example
   * ```ts
   * import { ConnectionError, NoBackoff, Retry } from "@uniredis/redis";
   * let calls = 0;
   * const value = await new Retry(new NoBackoff(), 3).callWithRetry(async () => {
   *   if (++calls < 3) throw new ConnectionError("flaky");
   *   return "ok";
   * });
   * console.log(value, calls); // "ok" 3
   * ```
   */
  async callWithRetry<T>(
    fn: () => Promise<T>,
    onFailure?: (error: unknown) => void | Promise<void>,
  ): Promise<T> {
    this.backoff.reset();
    let failures = 0;
    while (true) {
      try {
        return await fn();
      } catch (error) {
        if (!this.isSupported(error)) throw error;
        failures++;
        await onFailure?.(error);
        if (!this.allows(failures)) throw error;
        const wait = this.backoff.compute(failures);
        if (wait > 0) await sleep(wait);
      }
    }
  }

  /**
   * A copy with the same backoff object, retries, supported errors and
   * `retryWrites`; changing the copy's retries or errors leaves this one alone.
   *
   * @example
   * ```ts
   * import { NoBackoff, Retry } from "@uniredis/redis";
   * const retry = new Retry(new NoBackoff(), 3);
   * const copy = retry.copy();
   * copy.retries = 1;
   * console.log(retry.retries, copy.backoff === retry.backoff); // 3 true
   * ```
   */
  copy(): Retry {
    return new Retry(this.backoff, this.#retries, {
      supportedErrors: this.#supportedErrors,
      retryWrites: this.retryWrites,
    });
  }
}
