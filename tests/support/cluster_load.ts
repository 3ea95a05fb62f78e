// A small load generator for cluster fault tests: concurrent loops of INCR then GET over keys on every
// shard, counting what the client acknowledged so the final counters can be checked against it.

import type { RedisCluster } from "../../mod.ts";

/** What a load run saw: acknowledged INCRs per key, every surfaced error, and the number of rounds. */
export interface LoadResult {
  acked: Map<string, number>;
  /** INCRs that rejected, per key: each may or may not have been applied. */
  failed: Map<string, number>;
  errors: unknown[];
  rounds: number;
}

/** A running load: `stop()` ends every loop and resolves once all their commands settled. */
export interface Load {
  stop(): Promise<LoadResult>;
  /** Rounds completed so far. */
  readonly rounds: number;
}

/** Starts `loops` concurrent loops of `INCR key` + `GET key` over `keys` until `stop()`. */
export function startLoad(rc: RedisCluster, keys: readonly string[], loops = 4): Load {
  const result: LoadResult = { acked: new Map(), failed: new Map(), errors: [], rounds: 0 };
  let stopped = false;
  const loop = async (start: number) => {
    for (let i = start; !stopped; i += loops) {
      const key = keys[i % keys.length];
      try {
        await rc.incr(key);
        result.acked.set(key, (result.acked.get(key) ?? 0) + 1);
      } catch (error) {
        result.failed.set(key, (result.failed.get(key) ?? 0) + 1);
        result.errors.push(error);
        continue;
      }
      try {
        await rc.get(key);
        result.rounds++;
      } catch (error) {
        result.errors.push(error);
      }
    }
  };
  const done = Promise.all(Array.from({ length: loops }, (_, i) => loop(i)));
  return {
    get rounds() {
      return result.rounds;
    },
    async stop() {
      stopped = true;
      await done;
      return result;
    },
  };
}

/** One line per distinct error (name and message), for assertion messages. */
export function describeErrors(errors: readonly unknown[]): string {
  const seen = new Map<string, number>();
  for (const e of errors) {
    const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    seen.set(text, (seen.get(text) ?? 0) + 1);
  }
  return [...seen].map(([text, n]) => `${n}× ${text}`).join("\n");
}
