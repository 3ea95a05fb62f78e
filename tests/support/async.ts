// Small helpers the server-backed suites share: waiting, polling, settling
// promises without unhandled rejections, and the server's command counters.

import type { Redis } from "../../mod.ts";

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Settles to the value or the rejection reason, with a handler attached at once (no unhandled rejection). */
export function outcome<T>(promise: Promise<T>): Promise<T | unknown> {
  return promise.then((value) => value, (error) => error);
}

/** Settles to `{ ok, value }` or `{ ok: false, error }`, with a handler attached at once. */
export function settle<T>(
  promise: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return promise.then((value) => ({ ok: true as const, value }), (error) => ({ ok: false as const, error }));
}

/** Polls `check` every 20 ms until it returns true or `ms` pass; resolves to its last result. */
export async function waitFor(check: () => Promise<boolean> | boolean, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(20);
  }
}

/** How many times the server ran `command` (lower case, e.g. `"get"`), from INFO commandstats. */
export async function commandCalls(r: Redis, command: string): Promise<number> {
  const stats = await r.info("commandstats") as Record<string, { calls?: number } | undefined>;
  return Number(stats[`cmdstat_${command}`]?.calls ?? 0);
}
