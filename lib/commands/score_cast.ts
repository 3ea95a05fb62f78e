/**
 * redis-py's `score_cast_func`: sorted set replies with scores can hand each
 * score to a function of the caller's instead of parsing it as a float.
 *
 * @module
 */

import { type Command, describeValue, type ReplyTransform } from "./command.ts";
import type { RespValue } from "../protocol/types.ts";
import { shapeOf, toText } from "./reply.ts";
import { InvalidResponse } from "../errors.ts";

/**
 * Turns a score, as text, into the value a reply carries (redis-py's
 * `score_cast_func`). It receives a string under both protocols: RESP2's text
 * as the server sent it, and RESP3's double written as JavaScript writes it
 * (`"1.5"`, `"3"`, with `"inf"`, `"-inf"` and `"nan"` spelled as Redis does).
 *
 * @example
 * ```ts
 * import type { ScoreCast } from "@uniredis/redis";
 * const cents: ScoreCast<bigint> = (score) => BigInt(Math.round(Number(score) * 100));
 * console.log(cents("1.5")); // 150n
 * ```
 */
export type ScoreCast<S> = (score: string) => S;

/**
 * A raw score as text: RESP2 sends text, RESP3 sends a double (already a
 * number), so one cast works on both.
 *
 * @example
 * ```ts
 * import { scoreText } from "@uniredis/redis";
 * console.log(scoreText("1.5"), scoreText(1.5), scoreText(-Infinity)); // "1.5" "1.5" "-inf"
 * ```
 */
export function scoreText(raw: RespValue): string {
  if (typeof raw === "number") {
    if (Number.isFinite(raw)) return String(raw);
    return Number.isNaN(raw) ? "nan" : raw > 0 ? "inf" : "-inf";
  }
  return typeof raw === "bigint" ? String(raw) : toText(raw);
}

/**
 * `[member, cast(score)]` pairs from a RESP2 flat `[m, s, m, s]` reply or
 * RESP3's `[[m, s], ...]`.
 *
 * @example
 * ```ts
 * import { castScoredPairs } from "@uniredis/redis";
 * const toPairs = castScoredPairs<string, string>((s) => s);
 * console.log(toPairs(["a", "1.5", "b", "2"])); // [["a", "1.5"], ["b", "2"]]
 * console.log(toPairs([["a", 1.5]])); // [["a", "1.5"]]
 * ```
 */
export function castScoredPairs<M, S>(cast: ScoreCast<S>): ReplyTransform<[M, S][]> {
  return (reply) => {
    const out: [M, S][] = [];
    if (!Array.isArray(reply)) {
      throw new InvalidResponse(`expected an array of scored members, got ${shapeOf(reply)}`);
    }
    if (reply.length > 0 && Array.isArray(reply[0])) {
      for (const pair of reply as RespValue[][]) out.push([pair[0] as M, cast(scoreText(pair[1]))]);
      return out;
    }
    for (let i = 0; i + 1 < reply.length; i += 2) out.push([reply[i] as M, cast(scoreText(reply[i + 1]))]);
    return out;
  };
}

/**
 * The reply transform of a command that may carry scores: `undefined` without
 * `withscores`, `floats` by default, `castScoredPairs` with a `scoreCastFunc`
 * (see `checkScoreCast` for its validation).
 *
 * @example
 * ```ts
 * import { scoredTransform, toScoredPairs } from "@uniredis/redis";
 * const t = scoredTransform({ withscores: true, scoreCastFunc: (s: string) => s }, toScoredPairs);
 * console.log(t?.(["a", "1.5"])); // [["a", "1.5"]]
 * ```
 */
export function scoredTransform<T>(
  options: ScoredOptions | null | undefined,
  floats: ReplyTransform<unknown>,
): ReplyTransform<T> | undefined {
  if (options === null || typeof options !== "object" || !options.withscores) return undefined;
  const cast = options.scoreCastFunc;
  return (typeof cast === "function" ? castScoredPairs(cast) : floats) as ReplyTransform<T>;
}

/**
 * The score options `scoredTransform` reads.
 *
 * @example
 * ```ts
 * import type { ScoredOptions } from "@uniredis/redis";
 * const o: ScoredOptions = { withscores: true, scoreCastFunc: (s) => s };
 * console.log(o.withscores); // true
 * ```
 */
export interface ScoredOptions {
  /** Return `[member, score]` pairs. */
  withscores?: boolean;
  /** Casts each score from its text (default: parsed as a float). */
  scoreCastFunc?: ScoreCast<unknown>;
}

/**
 * Fails `cmd` when `scoreCastFunc` is given but is not a function.
 *
 * @example
 * ```ts
 * import { checkScoreCast, Command } from "@uniredis/redis";
 * const cmd = new Command("ZRANGE");
 * checkScoreCast(cmd, 1);
 * console.log(cmd.error?.message); // "ZRANGE: scoreCastFunc must be a function, got a number"
 * ```
 */
export function checkScoreCast(cmd: Command<unknown>, cast: unknown): void {
  if (cast !== undefined && typeof cast !== "function") {
    cmd.fail(`${cmd.name}: scoreCastFunc must be a function, got ${describeValue(cast)}`);
  }
}

/**
 * Options of the commands whose only option is the cast: `zpopmin`,
 * `zpopmax`, `bzpopmin`, `bzpopmax` and `zrandmember`.
 *
 * @example
 * ```ts
 * import type { ScoreCastOptions } from "@uniredis/redis";
 * const o: ScoreCastOptions<string> = { scoreCastFunc: (s) => s };
 * console.log(o.scoreCastFunc?.("1.5")); // "1.5"
 * ```
 */
export interface ScoreCastOptions<S = number> {
  /** Casts each score from its text (redis-py's `score_cast_func`; default: a float). */
  scoreCastFunc?: ScoreCast<S>;
}

/**
 * `[key, member, cast(score)]` from BZPOPMIN/BZPOPMAX; `null` (a timeout) stays `null`.
 *
 * @example
 * ```ts
 * import { castKeyMemberScore } from "@uniredis/redis";
 * console.log(castKeyMemberScore<string, string, string>((s) => s)(["z", "a", 1.5])); // ["z", "a", "1.5"]
 * ```
 */
export function castKeyMemberScore<K, M, S>(cast: ScoreCast<S>): ReplyTransform<[K, M, S] | null> {
  return (reply) => {
    if (reply === null) return null;
    if (!Array.isArray(reply) || reply.length !== 3) {
      throw new InvalidResponse(`expected a [key, member, score] array, got ${shapeOf(reply)}`);
    }
    return [reply[0] as K, reply[1] as M, cast(scoreText(reply[2]))];
  };
}

/**
 * `[key, [[member, cast(score)], ...]]` from ZMPOP/BZMPOP; `null` stays `null`.
 *
 * @example
 * ```ts
 * import { castKeyScoredPairs } from "@uniredis/redis";
 * console.log(castKeyScoredPairs<string, string, string>((s) => s)(["z", [["a", "1"]]])); // ["z", [["a", "1"]]]
 * ```
 */
export function castKeyScoredPairs<K, M, S>(cast: ScoreCast<S>): ReplyTransform<[K, [M, S][]] | null> {
  const pairs = castScoredPairs<M, S>(cast);
  return (reply) => {
    if (reply === null) return null;
    if (!Array.isArray(reply) || reply.length !== 2) {
      throw new InvalidResponse(`expected a [key, members] array, got ${shapeOf(reply)}`);
    }
    return [reply[0] as K, pairs(reply[1])];
  };
}
