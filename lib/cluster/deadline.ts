/**
 * One deadline for a whole cluster command: every attempt, redirection and
 * backoff pause of it, not each attempt alone.
 *
 * @module
 */

import { TimeoutError } from "../errors.ts";

/**
 * Runs `attempt` with a signal that aborts after `ms` (or with `signal`),
 * and rejects with a `TimeoutError` at that moment whatever `attempt` is
 * doing (waiting for a reply, a connection, or a backoff pause). `ms` of 0
 * or undefined: no deadline.
 */
export function withDeadline<T>(
  ms: number | undefined,
  signal: AbortSignal | undefined,
  what: string,
  attempt: (signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  if (!ms || ms <= 0) return attempt(signal);
  const controller = new AbortController();
  const error = new TimeoutError(`${what}: no reply within ${ms} ms (over every redirection and retry)`);
  const onAbort = () => controller.abort(signal!.reason);
  if (signal?.aborted) onAbort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(error);
      controller.abort(error);
    }, ms);
  });
  const running = attempt(controller.signal);
  // Whichever loses is settled quietly.
  running.catch(() => {});
  expired.catch(() => {});
  return Promise.race([running, expired]).finally(() => {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  });
}
