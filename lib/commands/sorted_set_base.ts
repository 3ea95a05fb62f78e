/**
 * Sorted set commands, first half: writing, counting, popping, combining
 * and scanning. Ranges and ranks are in `sorted_set.ts`.
 *
 * Scores are numbers in every reply (`inf`/`-inf` become `Infinity`/`-Infinity`)
 * unless a `scoreCastFunc` casts them from their text, and member/score replies
 * are `[member, score]` pairs, under RESP2 and RESP3 alike.
 *
 * @module
 */

import { SetCommands } from "./set.ts";
import { Command, type RedisKey, type RedisValue, type ReplyTransform, type Str } from "./command.ts";
import type { RespValue } from "../protocol/types.ts";
import {
  toBulks,
  toFloat,
  toFloats,
  toKeyMemberScore,
  toKeyScoredPairs,
  toNumber,
  toScan,
  toScoredPairs,
} from "./reply.ts";
import {
  exclusive,
  finite,
  integer,
  type Mapping,
  nonEmpty,
  oneOf,
  optionKeys,
  optionsOf,
  pairsOf,
  scanArgs,
  type ScanOptions,
  score,
  timeout as checkTimeout,
} from "./validate.ts";
import {
  castKeyMemberScore,
  castKeyScoredPairs,
  castScoredPairs,
  checkScoreCast,
  type ScoreCast,
  type ScoreCastOptions,
  scoredTransform,
} from "./score_cast.ts";

const SCORE_CAST_KEYS = optionKeys<ScoreCastOptions>({ scoreCastFunc: true });
/**
 * Options of `zadd`. `nx` excludes `xx`, `gt` and `lt`; `gt` excludes `lt`.
 *
 * @example
 * ```ts
 * import type { ZAddOptions } from "@uniredis/redis";
 * const o: ZAddOptions = { xx: true, gt: true, ch: true };
 * console.log(o.ch); // true
 * ```
 */
export interface ZAddOptions {
  /** Only add new members, never update scores. */
  nx?: boolean;
  /** Only update existing members, never add. */
  xx?: boolean;
  /** Only update a score when the new one is greater. */
  gt?: boolean;
  /** Only update a score when the new one is less. */
  lt?: boolean;
  /** Count changed members (added or updated), not only added ones. */
  ch?: boolean;
  /** Increment the score of the single member instead (like ZINCRBY); resolves to the new score. */
  incr?: boolean;
}

const ZADD_KEYS = optionKeys<ZAddOptions>({ nx: true, xx: true, gt: true, lt: true, ch: true, incr: true });

/**
 * How ZINTER/ZUNION combine the scores of a member found in several sets.
 *
 * @example
 * ```ts
 * import type { Aggregate } from "@uniredis/redis";
 * const a: Aggregate = "MAX";
 * console.log(a); // "MAX"
 * ```
 */
export type Aggregate = "SUM" | "MIN" | "MAX";

/**
 * The sorted sets of ZINTER/ZUNION: an array of keys, or a mapping of key to
 * weight (an object, a `Map` or `[key, weight]` pairs), like redis-py's dict.
 *
 * @example
 * ```ts
 * import type { WeightedKeys } from "@uniredis/redis";
 * const plain: WeightedKeys = ["a", "b"];
 * const weighted: WeightedKeys = { a: 1, b: 2.5 };
 * console.log(plain.length, weighted.b); // 2 2.5
 * ```
 */
export type WeightedKeys = readonly RedisKey[] | Mapping<RedisKey, number>;

/**
 * Options of `zinter` and `zunion`.
 *
 * @example
 * ```ts
 * import type { ZCombineOptions } from "@uniredis/redis";
 * const o: ZCombineOptions = { aggregate: "MIN", withscores: true };
 * console.log(o.aggregate); // "MIN"
 * ```
 */
export interface ZCombineOptions<S = number> {
  /** How scores are combined (Redis's default: `SUM`). */
  aggregate?: Aggregate;
  /** Return `[member, score]` pairs. */
  withscores?: boolean;
  /** With `withscores`: casts each score from its text (redis-py's `score_cast_func`; default: a float). */
  scoreCastFunc?: ScoreCast<S>;
}

const ZCOMBINE_KEYS = optionKeys<ZCombineOptions>({ aggregate: true, withscores: true, scoreCastFunc: true });

/**
 * Options of `zdiff`.
 *
 * @example
 * ```ts
 * import type { ZDiffOptions } from "@uniredis/redis";
 * const o: ZDiffOptions<string> = { withscores: true, scoreCastFunc: (s) => s };
 * console.log(o.withscores); // true
 * ```
 */
export interface ZDiffOptions<S = number> {
  /** Return `[member, score]` pairs. */
  withscores?: boolean;
  /** With `withscores`: casts each score from its text (redis-py's `score_cast_func`; default: a float). */
  scoreCastFunc?: ScoreCast<S>;
}

const ZDIFF_KEYS = optionKeys<ZDiffOptions>({ withscores: true, scoreCastFunc: true });

/**
 * Options of `zscan` and `zscanIter`: the SCAN options and redis-py's
 * `score_cast_func`.
 *
 * @example
 * ```ts
 * import type { ZScanOptions } from "@uniredis/redis";
 * const o: ZScanOptions<string> = { match: "a*", scoreCastFunc: (s) => s };
 * console.log(o.match); // "a*"
 * ```
 */
export interface ZScanOptions<S = number> extends ScanOptions {
  /** Casts each score from its text (default: a float). */
  scoreCastFunc?: ScoreCast<S>;
}

const ZSCAN_KEYS = optionKeys<ZScanOptions>({ match: true, count: true, type: true, scoreCastFunc: true });

/**
 * Options of `zmpop` and `bzmpop`: exactly one of `min` and `max`.
 *
 * @example
 * ```ts
 * import type { ZMPopOptions } from "@uniredis/redis";
 * const o: ZMPopOptions = { max: true, count: 2 };
 * console.log(o.max); // true
 * ```
 */
export interface ZMPopOptions<S = number> {
  /** Pop the lowest scores. */
  min?: boolean;
  /** Pop the highest scores. */
  max?: boolean;
  /** Pop up to this many members (default 1). */
  count?: number;
  /** Casts each score from its text (redis-py's `score_cast_func`; default: a float). */
  scoreCastFunc?: ScoreCast<S>;
}

const ZMPOP_KEYS = optionKeys<ZMPopOptions>({ min: true, max: true, count: true, scoreCastFunc: true });

const scored = toScoredPairs as ReplyTransform<never>;
const bulks = toBulks as ReplyTransform<never>;

/** Appends numkeys, the keys and their WEIGHTS (redis-py's `_zaggregate`). */
function weightedKeys(cmd: Command<unknown>, keys: WeightedKeys): void {
  const isKeyList = Array.isArray(keys) && (keys.length === 0 || !Array.isArray(keys[0]));
  if (isKeyList) {
    cmd.countedKeys(keys as readonly RedisKey[]);
    return;
  }
  const pairs = pairsOf(cmd, "keys", keys as Mapping<RedisKey, number>);
  cmd.arg(pairs.length);
  for (const [k] of pairs) cmd.key(k);
  cmd.arg("WEIGHTS");
  for (const [, w] of pairs) {
    finite(cmd, "weight", w);
    cmd.arg(w);
  }
}

/** ZINTER/ZUNION/ZINTERSTORE/ZUNIONSTORE after the destination. */
function combine<T>(
  cmd: Command<T>,
  keys: WeightedKeys,
  aggregate: unknown,
  withscores: unknown,
): Command<T> {
  weightedKeys(cmd, keys);
  if (aggregate !== undefined && aggregate !== null) {
    cmd.arg("AGGREGATE").arg(oneOf(cmd, "aggregate", aggregate, ["SUM", "MIN", "MAX"]));
  }
  if (withscores) cmd.arg("WITHSCORES");
  return cmd;
}

/** The cast given in an options object, if any (the options themselves are checked by `optionsOf`). */
function castOf(options: { scoreCastFunc?: unknown } | null | undefined): unknown {
  return options !== null && typeof options === "object" ? options.scoreCastFunc : undefined;
}

/** ZMPOP/BZMPOP: the reply transform, with the cast when one is given. */
function mpopCommand<T>(name: string, options: ZMPopOptions<unknown> | undefined): Command<T> {
  const cast = castOf(options);
  const transform = typeof cast === "function"
    ? castKeyScoredPairs(cast as ScoreCast<unknown>)
    : toKeyScoredPairs;
  return new Command<T>(name, transform as ReplyTransform<never>);
}

/** ZMPOP/BZMPOP after the timeout: numkeys, keys, MIN|MAX and COUNT. */
function mpop<T>(
  cmd: Command<T>,
  keys: readonly RedisKey[],
  options: ZMPopOptions<unknown> | undefined,
): Command<T> {
  cmd.countedKeys(keys);
  const o = optionsOf(cmd, options, ZMPOP_KEYS);
  checkScoreCast(cmd, o.scoreCastFunc);
  if (Boolean(o.min) === Boolean(o.max)) cmd.fail(`${cmd.name}: exactly one of min and max must be set`);
  cmd.arg(o.max ? "MAX" : "MIN");
  if (o.count !== undefined) {
    integer(cmd, "count", o.count, 1);
    cmd.arg("COUNT").arg(o.count);
  }
  return cmd;
}

/** ZINTER/ZUNION: the keys, then AGGREGATE and WITHSCORES from the options. */
function combined<T>(
  name: string,
  keys: WeightedKeys,
  options: ZCombineOptions<unknown> | undefined,
): Command<T> {
  const cmd = new Command<T>(name, scoredTransform<T>(options, scored) ?? bulks);
  const o = optionsOf(cmd, options, ZCOMBINE_KEYS);
  checkScoreCast(cmd, o.scoreCastFunc);
  return combine(cmd, keys, o.aggregate, o.withscores);
}

/** ZPOPMIN/ZPOPMAX with an optional count. */
function zpop<T>(
  name: string,
  key: RedisKey,
  count: number | undefined,
  options: ScoreCastOptions<unknown> | undefined,
): Command<T> {
  const cast = castOf(options);
  // Both shapes reach the transform: RESP3 sends a flat [member, score] without a count, pairs with one.
  const transform = typeof cast === "function" ? castScoredPairs(cast as ScoreCast<unknown>) : scored;
  const cmd = new Command<T>(name, transform as ReplyTransform<never>).key(key);
  checkScoreCast(cmd, optionsOf(cmd, options, SCORE_CAST_KEYS).scoreCastFunc);
  if (count !== undefined) {
    integer(cmd, "count", count, 0);
    cmd.arg(count);
  }
  return cmd;
}

/** BZPOPMIN/BZPOPMAX: keys, then the timeout. */
function bzpop<T>(
  name: string,
  keys: RedisKey | readonly RedisKey[],
  seconds: number,
  options: ScoreCastOptions<unknown> | undefined,
): Command<T> {
  const cast = castOf(options);
  const transform = typeof cast === "function"
    ? castKeyMemberScore(cast as ScoreCast<unknown>)
    : toKeyMemberScore;
  const cmd = new Command<T>(name, transform as ReplyTransform<never>);
  checkScoreCast(cmd, optionsOf(cmd, options, SCORE_CAST_KEYS).scoreCastFunc);
  cmd.keysOf(Array.isArray(keys) ? keys : [keys as RedisKey]).arg(seconds);
  checkTimeout(cmd, seconds);
  return cmd.block(Number(seconds) * 1000);
}

/**
 * Sorted set commands (writing, counting, popping, combining, scanning), in
 * redis-py's argument order.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * await r.zadd("board", { ada: 10, bob: 7 });
 * console.log(await r.zpopmax("board")); // [["ada", 10]]
 * ```
 */
export abstract class SortedSetBaseCommands<D extends boolean = true> extends SetCommands<D> {
  /**
   * Adds members with their scores (a mapping of member to score); resolves
   * to how many were added (changed, with `ch`). With `incr`, increments the
   * single member's score and resolves to the new score, or `null` when a
   * condition prevented it. Scores may be `Infinity`/`-Infinity`, not `NaN`.
   * {@link https://redis.io/docs/latest/commands/zadd/ ZADD}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * console.log(await r.zadd("z", { a: 1, b: 2 })); // 2
   * console.log(await r.zadd("z", [["a", 5]], { xx: true, ch: true })); // 1
   * console.log(await r.zadd("z", { a: 1 }, { incr: true })); // 6
   * ```
   */
  zadd(
    name: RedisKey,
    mapping: Mapping<RedisValue, number>,
    options: ZAddOptions & { incr: true },
  ): Promise<number | null>;
  /** Without `incr`: the number of members added (or changed, with `ch`). */
  zadd(name: RedisKey, mapping: Mapping<RedisValue, number>, options?: ZAddOptions): Promise<number>;
  zadd(name: RedisKey, mapping: Mapping<RedisValue, number>, options?: ZAddOptions): Promise<number | null> {
    const incr = options !== null && typeof options === "object" && options.incr;
    const cmd = new Command<number | null>("ZADD", incr ? toFloat : toNumber).key(name);
    const o = optionsOf(cmd, options, ZADD_KEYS);
    exclusive(cmd, o, ["nx", "xx"]);
    exclusive(cmd, o, ["gt", "lt"]);
    exclusive(cmd, o, ["nx", "gt"]);
    exclusive(cmd, o, ["nx", "lt"]);
    const pairs = pairsOf(cmd, "mapping", mapping);
    if (o.incr && pairs.length > 1) cmd.fail("ZADD: incr only works with a single member/score pair");
    if (o.nx) cmd.arg("NX");
    if (o.xx) cmd.arg("XX");
    if (o.gt) cmd.arg("GT");
    if (o.lt) cmd.arg("LT");
    if (o.ch) cmd.arg("CH");
    if (o.incr) cmd.arg("INCR");
    for (const [member, s] of pairs) {
      score(cmd, "score", s);
      cmd.arg(s).arg(member);
    }
    return this.execute(cmd);
  }

  /**
   * Returns the number of members of the sorted set `name`.
   * {@link https://redis.io/docs/latest/commands/zcard/ ZCARD}
   */
  zcard(name: RedisKey): Promise<number> {
    return this.execute(new Command<number>("ZCARD", toNumber).key(name));
  }

  /**
   * Counts the members with a score between `min` and `max` (numbers, or
   * strings such as `"-inf"` and `"(1"` for exclusive bounds).
   * {@link https://redis.io/docs/latest/commands/zcount/ ZCOUNT}
   */
  zcount(name: RedisKey, min: number | string, max: number | string): Promise<number> {
    const cmd = new Command<number>("ZCOUNT", toNumber).key(name).arg(min).arg(max);
    score(cmd, "min", min, true);
    score(cmd, "max", max, true);
    return this.execute(cmd);
  }

  /**
   * Increments the score of `value` by `amount`; resolves to the new score.
   * {@link https://redis.io/docs/latest/commands/zincrby/ ZINCRBY}
   */
  zincrby(name: RedisKey, amount: number, value: RedisValue): Promise<number> {
    const cmd = new Command<number>("ZINCRBY", toNumber).key(name).arg(amount).arg(value);
    score(cmd, "amount", amount);
    return this.execute(cmd);
  }

  /**
   * Returns the size of the intersection of the sorted sets, counting up to
   * `limit` (0, the default: no limit). Redis 7+; redis-py's `numkeys` is
   * implied by `keys`, as in `sintercard`.
   * {@link https://redis.io/docs/latest/commands/zintercard/ ZINTERCARD}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.zadd("z1", { a: 1, b: 2 });
   * await r.zadd("z2", { b: 1, c: 2 });
   * console.log(await r.zintercard(["z1", "z2"])); // 1
   * ```
   */
  zintercard(keys: readonly RedisKey[], limit: number = 0): Promise<number> {
    const cmd = new Command<number>("ZINTERCARD", toNumber).countedKeys(keys);
    integer(cmd, "limit", limit, 0);
    return this.execute(cmd.arg("LIMIT").arg(limit));
  }

  /**
   * Returns the members present in all the sorted sets (`keys`: an array, or
   * a mapping of key to weight); with `withscores`, `[member, score]` pairs.
   * {@link https://redis.io/docs/latest/commands/zinter/ ZINTER}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.zadd("a", { x: 1, y: 2 });
   * await r.zadd("b", { x: 10 });
   * console.log(await r.zinter({ a: 2, b: 1 }, { withscores: true })); // [["x", 12]]
   * ```
   */
  zinter<S = number>(
    keys: WeightedKeys,
    options: ZCombineOptions<S> & { withscores: true },
  ): Promise<[Str<D>, S][]>;
  /** Without `withscores`: the members. */
  zinter(keys: WeightedKeys, options?: ZCombineOptions<unknown>): Promise<Str<D>[]>;
  zinter(keys: WeightedKeys, options?: ZCombineOptions<unknown>): Promise<Str<D>[] | [Str<D>, unknown][]> {
    return this.execute(combined<Str<D>[] | [Str<D>, unknown][]>("ZINTER", keys, options));
  }

  /**
   * Stores the intersection of the sorted sets in `dest` (see `zinter`);
   * resolves to its size.
   * {@link https://redis.io/docs/latest/commands/zinterstore/ ZINTERSTORE}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * console.log(await r.zinterstore("out", { a: 1, b: 3 }, "MAX")); // 0
   * ```
   */
  zinterstore(dest: RedisKey, keys: WeightedKeys, aggregate?: Aggregate): Promise<number> {
    return this.execute(
      combine(new Command<number>("ZINTERSTORE", toNumber).key(dest), keys, aggregate, false),
    );
  }

  /**
   * Returns the members of any of the sorted sets (see `zinter`).
   * {@link https://redis.io/docs/latest/commands/zunion/ ZUNION}
   */
  zunion<S = number>(
    keys: WeightedKeys,
    options: ZCombineOptions<S> & { withscores: true },
  ): Promise<[Str<D>, S][]>;
  /** Without `withscores`: the members. */
  zunion(keys: WeightedKeys, options?: ZCombineOptions<unknown>): Promise<Str<D>[]>;
  zunion(keys: WeightedKeys, options?: ZCombineOptions<unknown>): Promise<Str<D>[] | [Str<D>, unknown][]> {
    return this.execute(combined<Str<D>[] | [Str<D>, unknown][]>("ZUNION", keys, options));
  }

  /**
   * Stores the union of the sorted sets in `dest` (see `zinterstore`); resolves to its size.
   * {@link https://redis.io/docs/latest/commands/zunionstore/ ZUNIONSTORE}
   */
  zunionstore(dest: RedisKey, keys: WeightedKeys, aggregate?: Aggregate): Promise<number> {
    return this.execute(
      combine(new Command<number>("ZUNIONSTORE", toNumber).key(dest), keys, aggregate, false),
    );
  }

  /**
   * Returns the members of the first sorted set that are in none of the
   * others; with `withscores`, `[member, score]` pairs.
   * {@link https://redis.io/docs/latest/commands/zdiff/ ZDIFF}
   */
  zdiff<S = number>(
    keys: readonly RedisKey[],
    options: ZDiffOptions<S> & { withscores: true },
  ): Promise<[Str<D>, S][]>;
  /** Without `withscores`: the members. */
  zdiff(keys: readonly RedisKey[], options?: ZDiffOptions<unknown>): Promise<Str<D>[]>;
  zdiff(
    keys: readonly RedisKey[],
    options?: ZDiffOptions<unknown>,
  ): Promise<Str<D>[] | [Str<D>, unknown][]> {
    type T = Str<D>[] | [Str<D>, unknown][];
    const cmd = new Command<T>("ZDIFF", scoredTransform<T>(options, scored) ?? bulks);
    const o = optionsOf(cmd, options, ZDIFF_KEYS);
    checkScoreCast(cmd, o.scoreCastFunc);
    cmd.countedKeys(keys);
    if (o.withscores) cmd.arg("WITHSCORES");
    return this.execute(cmd);
  }

  /**
   * Stores `zdiff(keys)` in `dest`; resolves to its size.
   * {@link https://redis.io/docs/latest/commands/zdiffstore/ ZDIFFSTORE}
   */
  zdiffstore(dest: RedisKey, keys: readonly RedisKey[]): Promise<number> {
    const cmd = new Command<number>("ZDIFFSTORE", toNumber).key(dest);
    return this.execute(cmd.countedKeys(keys));
  }

  /**
   * Counts the members between the lexicographical bounds `min` and `max`
   * (`"[a"` inclusive, `"(a"` exclusive, `"-"`, `"+"`).
   * {@link https://redis.io/docs/latest/commands/zlexcount/ ZLEXCOUNT}
   */
  zlexcount(name: RedisKey, min: RedisValue, max: RedisValue): Promise<number> {
    return this.execute(new Command<number>("ZLEXCOUNT", toNumber).key(name).arg(min).arg(max));
  }

  /**
   * Returns the scores of `members`, `null` for the missing ones.
   * {@link https://redis.io/docs/latest/commands/zmscore/ ZMSCORE}
   */
  zmscore(key: RedisKey, members: readonly RedisValue[]): Promise<(number | null)[]> {
    const cmd = new Command<(number | null)[]>("ZMSCORE", toFloats).key(key);
    return this.execute(cmd.argsOf(nonEmpty(cmd, "members", members)));
  }

  /**
   * Removes and returns up to `count` (default 1) members with the highest
   * scores, as `[member, score]` pairs (each score through `scoreCastFunc`
   * when given).
   * {@link https://redis.io/docs/latest/commands/zpopmax/ ZPOPMAX}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.zadd("board", { ada: 10.5, bob: 7 });
   * console.log(await r.zpopmax("board", 1, { scoreCastFunc: (s) => s })); // [["ada", "10.5"]]
   * ```
   */
  zpopmax<S = number>(
    name: RedisKey,
    count?: number,
    options?: ScoreCastOptions<S>,
  ): Promise<[Str<D>, S][]> {
    return this.execute(zpop<[Str<D>, S][]>("ZPOPMAX", name, count, options));
  }

  /**
   * Like `zpopmax`, with the lowest scores.
   * {@link https://redis.io/docs/latest/commands/zpopmin/ ZPOPMIN}
   */
  zpopmin<S = number>(
    name: RedisKey,
    count?: number,
    options?: ScoreCastOptions<S>,
  ): Promise<[Str<D>, S][]> {
    return this.execute(zpop<[Str<D>, S][]>("ZPOPMIN", name, count, options));
  }

  /**
   * Pops the highest-scored member of the first non-empty sorted set of
   * `keys`, waiting up to `timeout` seconds (0: forever); resolves to
   * `[key, member, score]` (the score through `scoreCastFunc` when given),
   * or `null` on timeout.
   * {@link https://redis.io/docs/latest/commands/bzpopmax/ BZPOPMAX}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.zadd("board", { ada: 10 });
   * console.log(await r.bzpopmax("board", 1, { scoreCastFunc: BigInt })); // ["board", "ada", 10n]
   * ```
   */
  bzpopmax<S = number>(
    keys: RedisKey | readonly RedisKey[],
    timeout: number = 0,
    options?: ScoreCastOptions<S>,
  ): Promise<[Str<D>, Str<D>, S] | null> {
    return this.execute(bzpop<[Str<D>, Str<D>, S] | null>("BZPOPMAX", keys, timeout, options));
  }

  /**
   * Like `bzpopmax`, with the lowest score.
   * {@link https://redis.io/docs/latest/commands/bzpopmin/ BZPOPMIN}
   */
  bzpopmin<S = number>(
    keys: RedisKey | readonly RedisKey[],
    timeout: number = 0,
    options?: ScoreCastOptions<S>,
  ): Promise<[Str<D>, Str<D>, S] | null> {
    return this.execute(bzpop<[Str<D>, Str<D>, S] | null>("BZPOPMIN", keys, timeout, options));
  }

  /**
   * Pops up to `count` members with the lowest (`min`) or highest (`max`)
   * scores from the first non-empty sorted set of `keys`; resolves to
   * `[key, [member, score][]]`, or `null` when all are empty (Redis 7+).
   * {@link https://redis.io/docs/latest/commands/zmpop/ ZMPOP}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.zadd("z", { a: 1, b: 2 });
   * console.log(await r.zmpop(["z"], { max: true })); // ["z", [["b", 2]]]
   * ```
   */
  zmpop<S = number>(
    keys: readonly RedisKey[],
    options: ZMPopOptions<S>,
  ): Promise<[Str<D>, [Str<D>, S][]] | null> {
    const cmd = mpopCommand<[Str<D>, [Str<D>, S][]] | null>("ZMPOP", options);
    return this.execute(mpop(cmd, keys, options));
  }

  /**
   * Like `zmpop`, waiting up to `timeout` seconds; `null` on timeout (Redis 7+).
   * {@link https://redis.io/docs/latest/commands/bzmpop/ BZMPOP}
   */
  bzmpop<S = number>(
    timeout: number,
    keys: readonly RedisKey[],
    options: ZMPopOptions<S>,
  ): Promise<[Str<D>, [Str<D>, S][]] | null> {
    const cmd = mpopCommand<[Str<D>, [Str<D>, S][]] | null>("BZMPOP", options);
    cmd.arg(timeout);
    checkTimeout(cmd, timeout);
    cmd.block(Number(timeout) * 1000);
    return this.execute(mpop(cmd, keys, options));
  }

  /**
   * Returns a random member (`null` when the set is empty); with `count`, up
   * to `count` distinct members (repeats allowed when negative); with
   * `withscores`, `[member, score]` pairs (each score through `scoreCastFunc`
   * when given).
   * {@link https://redis.io/docs/latest/commands/zrandmember/ ZRANDMEMBER}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.zadd("board", { ada: 10.5 });
   * console.log(await r.zrandmember("board", 1, true, { scoreCastFunc: (s) => s })); // [["ada", "10.5"]]
   * ```
   */
  zrandmember(key: RedisKey): Promise<Str<D> | null>;
  /** With `count` and `withscores`: `[member, score]` pairs. */
  zrandmember<S = number>(
    key: RedisKey,
    count: number,
    withscores: true,
    options?: ScoreCastOptions<S>,
  ): Promise<[Str<D>, S][]>;
  /** With `count`: an array of members. */
  zrandmember(
    key: RedisKey,
    count: number,
    withscores?: boolean,
    options?: ScoreCastOptions<unknown>,
  ): Promise<Str<D>[]>;
  zrandmember(
    key: RedisKey,
    count?: number,
    withscores?: boolean,
    options?: ScoreCastOptions<unknown>,
  ): Promise<Str<D> | null | Str<D>[] | [Str<D>, unknown][]> {
    type T = Str<D> | null | Str<D>[] | [Str<D>, unknown][];
    const cmd = new Command<T>("ZRANDMEMBER", scoredTransform<T>({ withscores, ...options }, scored)).key(
      key,
    );
    checkScoreCast(cmd, optionsOf(cmd, options, SCORE_CAST_KEYS).scoreCastFunc);
    if (count !== undefined) {
      integer(cmd, "count", count);
      cmd.arg(count);
      if (withscores) cmd.arg("WITHSCORES");
    } else if (withscores) {
      cmd.fail("ZRANDMEMBER: withscores needs a count");
    }
    return this.execute(cmd);
  }

  /**
   * Removes `values` from the sorted set `name`; resolves to how many were members.
   * {@link https://redis.io/docs/latest/commands/zrem/ ZREM}
   */
  zrem(name: RedisKey, ...values: RedisValue[]): Promise<number> {
    const cmd = new Command<number>("ZREM", toNumber).key(name);
    return this.execute(cmd.argsOf(nonEmpty(cmd, "values", values)));
  }

  /**
   * Returns the score of `value`, or `null` when it is not a member.
   * {@link https://redis.io/docs/latest/commands/zscore/ ZSCORE}
   */
  zscore(name: RedisKey, value: RedisValue): Promise<number | null> {
    return this.execute(new Command<number | null>("ZSCORE", toFloat).key(name).arg(value));
  }

  /**
   * Returns one page of `[member, score]` pairs and the cursor of the next (`"0"` when done).
   * {@link https://redis.io/docs/latest/commands/zscan/ ZSCAN}
   */
  zscan<S = number>(
    name: RedisKey,
    cursor: string | number | bigint = 0,
    options?: ZScanOptions<S>,
  ): Promise<[string, [Str<D>, S][]]> {
    const cast = options !== null && typeof options === "object" ? options.scoreCastFunc : undefined;
    const pairs = typeof cast === "function" ? castScoredPairs<Str<D>, S>(cast) : toScoredPairs<Str<D>>;
    const cmd = new Command<[string, [Str<D>, S][]]>("ZSCAN", (r: RespValue) => {
      const [next, items] = toScan(r);
      return [next, pairs(items) as [Str<D>, S][]];
    }).key(name);
    scanArgs(cmd, cursor, options, false, ZSCAN_KEYS);
    checkScoreCast(cmd, cast);
    return this.execute(cmd);
  }

  /**
   * Iterates over the `[member, score]` pairs of the sorted set `name` with ZSCAN.
   * {@link https://redis.io/docs/latest/commands/zscan/ ZSCAN}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * for await (const [member, score] of r.zscanIter("board")) console.log(member, score);
   * ```
   */
  async *zscanIter<S = number>(
    name: RedisKey,
    options?: ZScanOptions<S>,
  ): AsyncGenerator<[Str<D>, S], void, undefined> {
    let cursor = "0";
    do {
      const [next, pairs] = await this.zscan<S>(name, cursor, options);
      cursor = next;
      yield* pairs;
    } while (cursor !== "0");
  }
}
