// A steady load on a cluster for the failover and reshard tests: several loops, each doing INCR/SET/GET in
// turn over its own keys (one hash tag per slot, so a slot's counter and value move together). It records
// every operation (slot, start, end, outcome) so the tests can count surfaced errors, acknowledged and
// unknown INCRs per counter, client-side stalls, and when a shard served again after a fault.

import type { RedisCluster } from "../../mod.ts";
import { keyInSlot } from "./cluster.ts";

/** One finished operation of the load. */
export interface LoadOp {
  readonly command: "INCR" | "SET" | "GET";
  readonly key: string;
  readonly slot: number;
  readonly start: number;
  readonly end: number;
  readonly error?: unknown;
}

/** What a stopped load saw. */
export interface LoadResult {
  readonly ops: readonly LoadOp[];
  /** Operations that rejected. */
  readonly errors: readonly LoadOp[];
  /** GETs that returned neither the last acknowledged SET nor an unknown-outcome one. */
  readonly wrongReads: readonly string[];
  /** INCRs that resolved, per counter key. */
  readonly acked: ReadonlyMap<string, number>;
  /** INCRs that rejected (maybe applied, maybe not), per counter key. */
  readonly unknown: ReadonlyMap<string, number>;
  /** Milliseconds the load ran. */
  readonly ms: number;
}

/** A running load. */
export interface Load {
  /** Operations finished so far (live). */
  readonly ops: readonly LoadOp[];
  /** Stops the loops; rejects if one is still waiting on a command after `boundMs`. */
  stop(boundMs?: number): Promise<LoadResult>;
}

/** Starts `loops` loops over one hash tag per slot of `slots` (spread round-robin over the loops). */
export function startLoad(rc: RedisCluster, slots: readonly number[], loops = 4): Load {
  const ops: LoadOp[] = [];
  const acked = new Map<string, number>();
  const unknown = new Map<string, number>();
  const wrongReads: string[] = [];
  const started = Date.now();
  let running = true;
  const tags = slots.map((slot) => ({ slot, tag: keyInSlot(slot) }));

  async function op<T>(command: LoadOp["command"], key: string, slot: number, run: () => Promise<T>) {
    const start = Date.now();
    try {
      const value = await run();
      ops.push({ command, key, slot, start, end: Date.now() });
      return { ok: true as const, value };
    } catch (error) {
      const done: LoadOp = { command, key, slot, start, end: Date.now(), error };
      ops.push(done);
      return { ok: false as const, error };
    }
  }

  async function loop(w: number): Promise<void> {
    const mine = tags.filter((_, i) => i % loops === w);
    // Per value key, what a GET may return: the last acknowledged SET, plus SETs whose outcome is unknown.
    const possible = new Map<string, Set<string | null>>();
    for (let round = 0; running; round++) {
      for (const { slot, tag } of mine) {
        if (!running) return;
        const counter = `${tag}:n`;
        const inc = await op("INCR", counter, slot, () => rc.incr(counter));
        const into = inc.ok ? acked : unknown;
        into.set(counter, (into.get(counter) ?? 0) + 1);
        const key = `${tag}:v`;
        const value = `${w}:${round}`;
        const set = await op("SET", key, slot, () => rc.set(key, value));
        const may = possible.get(key) ?? new Set<string | null>([null]);
        if (set.ok) possible.set(key, new Set([value]));
        else possible.set(key, may.add(value));
        const get = await op("GET", key, slot, () => rc.get(key));
        if (get.ok) {
          const allowed = possible.get(key)!;
          if (!allowed.has(get.value)) {
            wrongReads.push(`${key}: got ${get.value}, expected one of ${[...allowed].join(", ")}`);
          }
          possible.set(key, new Set([get.value]));
        }
      }
    }
  }

  const done = Promise.all(Array.from({ length: loops }, (_, w) => loop(w)));
  return {
    ops,
    async stop(boundMs = 15_000): Promise<LoadResult> {
      running = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const bound = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`a load command was still pending ${boundMs} ms after stop()`)),
          boundMs,
        );
      });
      try {
        await Promise.race([done, bound]);
      } finally {
        clearTimeout(timer);
      }
      return {
        ops,
        errors: ops.filter((o) => o.error !== undefined),
        wrongReads,
        acked,
        unknown,
        ms: Date.now() - started,
      };
    },
  };
}

/** Operations per second over the load's run. */
export function opsPerSecond(result: LoadResult): number {
  return Math.round(result.ops.length / (result.ms / 1000));
}

/** The longest a successful operation on one of `slots` took, among those that started in [from, to]. */
export function longestOp(
  ops: readonly LoadOp[],
  slots: ReadonlySet<number>,
  from: number,
  to: number,
): number {
  let longest = 0;
  for (const o of ops) {
    if (o.error === undefined && slots.has(o.slot) && o.start >= from && o.start <= to) {
      longest = Math.max(longest, o.end - o.start);
    }
  }
  return longest;
}

/** When the first operation on one of `slots` to succeed after `after` ended (undefined: none yet). */
export function firstSuccess(
  ops: readonly LoadOp[],
  slots: ReadonlySet<number>,
  after: number,
): number | undefined {
  let first: number | undefined;
  for (const o of ops) {
    if (
      o.error === undefined && slots.has(o.slot) && o.end > after && (first === undefined || o.end < first)
    ) {
      first = o.end;
    }
  }
  return first;
}

/** Short text of a load error, for assertion messages. */
export function describeOp(o: LoadOp): string {
  const e = o.error as { name?: string; message?: string } | undefined;
  return `${o.command} ${o.key} (slot ${o.slot}, ${o.end - o.start} ms): ${e?.name}: ${e?.message}`;
}
