/**
 * Recovery from failed commands: one immediate re-send after a failed
 * health check, then the retry policy, re-sending only what is safe.
 *
 * @module
 */

import type { Connection } from "./connection.ts";
import type { RedisOptions } from "./options.ts";
import { Retry } from "./retry.ts";
import { NoBackoff } from "./backoff.ts";
import {
  BusyLoadingError,
  ConnectionError,
  DataError,
  MaxConnectionsError,
  ReadOnlyError,
  TimeoutError,
} from "./errors.ts";
import { RedisReconnectingEvent } from "./events.ts";
import type { InstrumentationScope } from "./instrumentation.ts";

/** What is known about one attempt: whether any byte of it was sent, and on which connection. */
export interface Trace {
  /** Set by the connection once the command is handed to the socket. */
  sent: boolean;
  /** The connection the attempt used. */
  connection: Connection | undefined;
}

/** Runs attempts of a command (or a batch) under a client's retry policy. */
export class Recovery {
  /** The policy (`undefined`: only the health-check re-send). */
  readonly retry: Retry | undefined;
  readonly #onReconnecting: (event: RedisReconnectingEvent) => void;
  readonly #scope: InstrumentationScope | undefined;

  /** `onReconnecting` is told before each retry (the client dispatches it); so is `instrumentation`. */
  constructor(
    retry: Retry | undefined,
    onReconnecting: (event: RedisReconnectingEvent) => void,
    instrumentation?: InstrumentationScope,
  ) {
    this.retry = retry;
    this.#onReconnecting = onReconnecting;
    this.#scope = instrumentation;
  }

  /**
   * Runs `attempt` and, on failure, decides whether to run it again: at once
   * when a failed health check kept it from being sent; after the policy's
   * backoff when the policy covers the error and re-sending is safe.
   */
  async run<T>(
    attempt: (trace: Trace) => Promise<T>,
    readOnly: boolean,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    let trace: Trace = { sent: false, connection: undefined };
    try {
      return await attempt(trace);
    } catch (error) {
      if (!trace.sent && trace.connection?.healthCheckFailed) {
        // The connection was dead before the command went out: a fresh one is safe and expected.
        trace = { sent: false, connection: undefined };
        try {
          return await attempt(trace);
        } catch (again) {
          return await this.#retryAfter(again, trace, attempt, readOnly, signal);
        }
      }
      return await this.#retryAfter(error, trace, attempt, readOnly, signal);
    }
  }

  async #retryAfter<T>(
    error: unknown,
    trace: Trace,
    attempt: (trace: Trace) => Promise<T>,
    readOnly: boolean,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    const retry = this.retry;
    if (retry === undefined) throw error;
    for (let failures = 1;; failures++) {
      const resendable = !trace.sent || readOnly || retry.retryWrites || refusedUnrun(error);
      if (
        !resendable || !retry.isSupported(error) || error instanceof MaxConnectionsError ||
        !retry.allows(failures) || signal?.aborted
      ) {
        throw error;
      }
      const delay = retry.backoff.compute(failures);
      this.#onReconnecting(new RedisReconnectingEvent(failures, delay, error as Error));
      if (this.#scope?.active) {
        this.#scope.emit({ type: "retry", attempt: failures, delayMs: delay, error: error as Error });
      }
      if (delay > 0) await sleep(delay, signal);
      trace = { sent: false, connection: undefined };
      try {
        const result = await attempt(trace);
        // Recovered: a stateful backoff starts over (not at each failure: concurrent retries share it).
        retry.backoff.reset();
        return result;
      } catch (next) {
        error = next;
      }
    }
  }
}

/**
 * The policy of the options, as redis-py builds it: `retry` (copied) with
 * `retryOnError` and `retryOnTimeout` added to its errors; those alone mean
 * one immediate retry on just those errors; nothing means no retries.
 */
export function retryPolicy(o: RedisOptions): Retry | undefined {
  const extra = [...(o.retryOnError ?? [])];
  if (o.retryOnTimeout) extra.push(TimeoutError);
  if (o.retry !== undefined) {
    if (!(o.retry instanceof Retry)) throw new DataError("Invalid option retry (expected a Retry)");
    const retry = o.retry.copy();
    if (extra.length > 0) retry.updateSupportedErrors(extra);
    return retry.retries === 0 ? undefined : retry;
  }
  return extra.length > 0 ? new Retry(new NoBackoff(), 1, { supportedErrors: extra }) : undefined;
}

/**
 * Error replies that mean the server did not run the command (still loading;
 * a replica refusing a write, also when a sentinel-managed connection turned
 * it into a `ConnectionError`).
 */
function refusedUnrun(error: unknown): boolean {
  return error instanceof BusyLoadingError || error instanceof ReadOnlyError ||
    (error instanceof ConnectionError && error.cause instanceof ReadOnlyError);
}

/** Waits `ms`, or less when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
