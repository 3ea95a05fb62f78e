/**
 * Sorted set commands, second half: ranges, ranks and range removals (the
 * rest is in `sorted_set_base.ts`).
 *
 * Range bounds are ranks (integers) by default, scores with `byscore`
 * (numbers, or strings like `"-inf"` and `"(1.5"`), and lexicographical
 * bounds with `bylex` (`"[a"`, `"(a"`, `"-"`, `"+"`).
 *
 * @module
 */

import { SortedSetBaseCommands } from "./sorted_set_base.ts";
import {
  Command,
  describeValue,
  type RedisKey,
  type RedisValue,
  type ReplyTransform,
  type Str,
} from "./command.ts";
import type { RespValue } from "../protocol/types.ts";
import { toBulks, toInteger, toNumber, toScoredPairs } from "./reply.ts";
import { exclusive, integer, optionKeys, optionsOf, score } from "./validate.ts";
import { checkScoreCast, type ScoreCast, scoredTransform } from "./score_cast.ts";

const WITHSCORE_KEYS = optionKeys<{ withscore?: boolean }>({ withscore: true });
/**
 * Options of `zrevrange`.
 *
 * @example
 * ```ts
 * import type { ZRevRangeOptions } from "@uniredis/redis";
 * const o: ZRevRangeOptions<string> = { withscores: true, scoreCastFunc: (s) => s };
 * console.log(o.withscores); // true
 * ```
 */
export interface ZRevRangeOptions<S = number> {
  /** Return `[member, score]` pairs. */
  withscores?: boolean;
  /** With `withscores`: casts each score from its text (redis-py's `score_cast_func`; default: a float). */
  scoreCastFunc?: ScoreCast<S>;
}

const ZREVRANGE_KEYS = optionKeys<ZRevRangeOptions>({ withscores: true, scoreCastFunc: true });
/**
 * Options of `zrange`. `byscore` excludes `bylex`; `offset` and `num` go
 * together and need `byscore` or `bylex`; `bylex` excludes `withscores`.
 *
 * @example
 * ```ts
 * import type { ZRangeOptions } from "@uniredis/redis";
 * const o: ZRangeOptions = { byscore: true, desc: true, offset: 0, num: 10, withscores: true };
 * console.log(o.num); // 10
 * ```
 */
export interface ZRangeOptions<S = number> {
  /** Highest first (`REV`); with `byscore`/`bylex`, `start` is then the upper bound. */
  desc?: boolean;
  /** Return `[member, score]` pairs. */
  withscores?: boolean;
  /** `start` and `end` are scores. */
  byscore?: boolean;
  /** `start` and `end` are lexicographical bounds. */
  bylex?: boolean;
  /** Skip this many matches (with `num`). */
  offset?: number;
  /** Return at most this many matches (with `offset`; negative: all). */
  num?: number;
  /** With `withscores`: casts each score from its text (redis-py's `score_cast_func`; default: a float). */
  scoreCastFunc?: ScoreCast<S>;
}

const ZRANGE_KEYS = optionKeys<ZRangeOptions>({
  desc: true,
  withscores: true,
  byscore: true,
  bylex: true,
  offset: true,
  num: true,
  scoreCastFunc: true,
});
const ZRANGESTORE_KEYS = optionKeys<Omit<ZRangeOptions, "withscores" | "scoreCastFunc">>({
  desc: true,
  byscore: true,
  bylex: true,
  offset: true,
  num: true,
});

/**
 * Options of `zrangebylex`, `zrangebyscore` and their reverse forms: `start`
 * and `num` go together (redis-py's names for `LIMIT offset count`).
 *
 * @example
 * ```ts
 * import type { ZRangeByOptions } from "@uniredis/redis";
 * const page: ZRangeByOptions = { start: 20, num: 10, withscores: true };
 * console.log(page.start); // 20
 * ```
 */
export interface ZRangeByOptions<S = number> {
  /** Skip this many matches (with `num`). */
  start?: number;
  /** Return at most this many matches (with `start`). */
  num?: number;
  /** Return `[member, score]` pairs (score ranges only). */
  withscores?: boolean;
  /** With `withscores`: casts each score from its text (redis-py's `score_cast_func`; default: a float). */
  scoreCastFunc?: ScoreCast<S>;
}

const ZRANGE_BY_KEYS = optionKeys<ZRangeByOptions>({
  start: true,
  num: true,
  withscores: true,
  scoreCastFunc: true,
});

/**
 * A bound of a sorted set range: a rank, a score (or its text, `"(1.5"`,
 * `"-inf"`), or a lexicographical bound (`"[a"`, `"(a"`, `"-"`, `"+"`).
 *
 * @example
 * ```ts
 * import type { RangeBound } from "@uniredis/redis";
 * const bounds: RangeBound[] = [0, -1, "(1.5", "+inf", "[a"];
 * console.log(bounds.length); // 5
 * ```
 */
export type RangeBound = number | string | Uint8Array;

const scored = toScoredPairs as ReplyTransform<never>;
const bulks = toBulks as ReplyTransform<never>;

/** Checks a bound: an integer rank, a score (or its text), or a lexicographical bound. */
function bound(cmd: Command<unknown>, what: string, value: unknown, kind: "rank" | "score" | "lex"): void {
  if (kind === "rank") integer(cmd, what, value);
  else if (kind === "score") score(cmd, what, value, true);
  else if (typeof value !== "string" && !(value instanceof Uint8Array)) {
    cmd.fail(
      `${cmd.name}: ${what} must be a lexicographical bound ("[a", "(a", "-", "+"), got ${
        describeValue(value)
      }`,
    );
  }
}

/** Appends `LIMIT offset count` when both are given; fails when only one is. */
function limit(cmd: Command<unknown>, offset: unknown, count: unknown, names: [string, string]): void {
  if (offset === undefined && count === undefined) return;
  if (offset === undefined || count === undefined) {
    cmd.fail(`${cmd.name}: ${names[0]} and ${names[1]} must both be specified`);
    return;
  }
  integer(cmd, names[0], offset, 0);
  integer(cmd, names[1], count);
  cmd.arg("LIMIT").arg(offset as number).arg(count as number);
}

/** The bounds and options of ZRANGE/ZRANGESTORE, in Redis's order. */
function rangeArgs(
  cmd: Command<unknown>,
  start: RangeBound,
  end: RangeBound,
  options: ZRangeOptions<unknown> | undefined,
  accepted: typeof ZRANGE_KEYS | typeof ZRANGESTORE_KEYS,
): void {
  // ZRANGESTORE's list lacks withscores, refused before with its own message.
  const o = optionsOf(cmd, options, accepted as typeof ZRANGE_KEYS);
  checkScoreCast(cmd, o.scoreCastFunc);
  exclusive(cmd, o, ["byscore", "bylex"]);
  if (o.bylex && o.withscores) cmd.fail(`${cmd.name}: withscores is not supported with bylex`);
  if ((o.offset !== undefined || o.num !== undefined) && !o.byscore && !o.bylex) {
    cmd.fail(`${cmd.name}: offset and num need byscore or bylex`);
  }
  const kind = o.byscore ? "score" : o.bylex ? "lex" : "rank";
  bound(cmd, "start", start, kind);
  bound(cmd, "end", end, kind);
  cmd.arg(start).arg(end);
  if (o.byscore) cmd.arg("BYSCORE");
  else if (o.bylex) cmd.arg("BYLEX");
  if (o.desc) cmd.arg("REV");
  limit(cmd, o.offset, o.num, ["offset", "num"]);
  if (o.withscores) cmd.arg("WITHSCORES");
}

/** ZRANGEBYSCORE/ZREVRANGEBYSCORE/ZRANGEBYLEX/ZREVRANGEBYLEX. */
function rangeBy<T>(
  name: string,
  key: RedisKey,
  min: RangeBound,
  max: RangeBound,
  options: ZRangeByOptions<unknown> | undefined,
  kind: "score" | "lex",
): Command<T> {
  const cmd = new Command<T>(name, kind === "score" ? (scoredTransform<T>(options, scored) ?? bulks) : bulks)
    .key(
      key,
    );
  const o = optionsOf(cmd, options, ZRANGE_BY_KEYS);
  const withscores = kind === "score" && o.withscores;
  if (kind === "lex" && o.withscores) cmd.fail(`${name}: withscores is not supported`);
  if (kind === "lex" && o.scoreCastFunc !== undefined) cmd.fail(`${name}: scoreCastFunc is not supported`);
  checkScoreCast(cmd, o.scoreCastFunc);
  bound(cmd, "min", min, kind);
  bound(cmd, "max", max, kind);
  cmd.arg(min).arg(max);
  limit(cmd, o.start, o.num, ["start", "num"]);
  if (withscores) cmd.arg("WITHSCORES");
  return cmd;
}

/** `[rank, score]` of ZRANK ... WITHSCORE; `null` stays `null`. */
function toRankScore(reply: RespValue): [number, number] | null {
  if (reply === null) return null;
  const [rank, s] = Array.isArray(reply) ? reply : [];
  return [toNumber(rank), toNumber(s)];
}

/** ZRANK/ZREVRANK with the optional WITHSCORE. */
function rank<T>(
  name: string,
  key: RedisKey,
  value: RedisValue,
  options?: { withscore?: boolean },
): Command<T> {
  const withscore = options !== null && typeof options === "object" && options.withscore;
  const cmd = new Command<T>(name, (withscore ? toRankScore : toInteger) as ReplyTransform<never>).key(key)
    .arg(value);
  optionsOf(cmd, options, WITHSCORE_KEYS);
  if (withscore) cmd.arg("WITHSCORE");
  return cmd;
}

/**
 * Sorted set commands: the full chain of list, hash, string, generic, server
 * and connection commands ends here.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * await r.zadd("board", { ada: 10, bob: 7, cy: 12 });
 * console.log(await r.zrange("board", 0, 1, { desc: true, withscores: true })); // [["cy", 12], ["ada", 10]]
 * ```
 */
export abstract class SortedSetCommands<D extends boolean = true> extends SortedSetBaseCommands<D> {
  /**
   * Returns the members from `start` to `end` (ranks by default, see the
   * module docs for `byscore`/`bylex`); with `withscores`, `[member, score]` pairs.
   * {@link https://redis.io/docs/latest/commands/zrange/ ZRANGE}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.zadd("z", { a: 1, b: 2, c: 3 });
   * console.log(await r.zrange("z", 0, -1)); // ["a", "b", "c"]
   * console.log(await r.zrange("z", "(1", "+inf", { byscore: true, withscores: true })); // [["b", 2], ["c", 3]]
   * console.log(await r.zrange("z", "[c", "-", { bylex: true, desc: true, offset: 0, num: 1 })); // ["c"]
   * ```
   */
  zrange<S = number>(
    name: RedisKey,
    start: RangeBound,
    end: RangeBound,
    options: ZRangeOptions<S> & { withscores: true },
  ): Promise<[Str<D>, S][]>;
  /** Without `withscores`: the members. */
  zrange(
    name: RedisKey,
    start: RangeBound,
    end: RangeBound,
    options?: ZRangeOptions<unknown>,
  ): Promise<Str<D>[]>;
  zrange(
    name: RedisKey,
    start: RangeBound,
    end: RangeBound,
    options?: ZRangeOptions<unknown>,
  ): Promise<Str<D>[] | [Str<D>, unknown][]> {
    const cmd = new Command<Str<D>[] | [Str<D>, unknown][]>(
      "ZRANGE",
      scoredTransform(options, scored) ?? bulks,
    ).key(
      name,
    );
    rangeArgs(cmd, start, end, options, ZRANGE_KEYS);
    return this.execute(cmd);
  }

  /**
   * Stores the result of `zrange(src, start, end, options)` in `dest`;
   * resolves to its size.
   * {@link https://redis.io/docs/latest/commands/zrangestore/ ZRANGESTORE}
   */
  zrangestore(
    dest: RedisKey,
    name: RedisKey,
    start: RangeBound,
    end: RangeBound,
    options?: Omit<ZRangeOptions, "withscores" | "scoreCastFunc">,
  ): Promise<number> {
    const cmd = new Command<number>("ZRANGESTORE", toNumber).key(dest).key(name);
    if (options !== null && typeof options === "object" && "withscores" in options) {
      cmd.fail("ZRANGESTORE has no withscores option");
    }
    rangeArgs(cmd, start, end, options, ZRANGESTORE_KEYS);
    return this.execute(cmd);
  }

  /**
   * Returns the members between the lexicographical bounds `min` and `max`.
   * {@link https://redis.io/docs/latest/commands/zrangebylex/ ZRANGEBYLEX}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.zadd("z", { a: 0, b: 0, c: 0 });
   * console.log(await r.zrangebylex("z", "[b", "+", { start: 0, num: 1 })); // ["b"]
   * ```
   */
  zrangebylex(
    name: RedisKey,
    min: RedisValue,
    max: RedisValue,
    options?: ZRangeByOptions,
  ): Promise<Str<D>[]> {
    return this.execute(
      rangeBy<Str<D>[]>("ZRANGEBYLEX", name, min as RangeBound, max as RangeBound, options, "lex"),
    );
  }

  /**
   * Like `zrangebylex`, highest first (note: `max` comes first).
   * {@link https://redis.io/docs/latest/commands/zrevrangebylex/ ZREVRANGEBYLEX}
   */
  zrevrangebylex(
    name: RedisKey,
    max: RedisValue,
    min: RedisValue,
    options?: ZRangeByOptions,
  ): Promise<Str<D>[]> {
    return this.execute(
      rangeBy<Str<D>[]>("ZREVRANGEBYLEX", name, max as RangeBound, min as RangeBound, options, "lex"),
    );
  }

  /**
   * Returns the members with a score between `min` and `max`; with
   * `withscores`, `[member, score]` pairs.
   * {@link https://redis.io/docs/latest/commands/zrangebyscore/ ZRANGEBYSCORE}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.zadd("z", { a: 1, b: 2 });
   * console.log(await r.zrangebyscore("z", "-inf", "(2", { withscores: true })); // [["a", 1]]
   * ```
   */
  zrangebyscore<S = number>(
    name: RedisKey,
    min: number | string,
    max: number | string,
    options: ZRangeByOptions<S> & { withscores: true },
  ): Promise<[Str<D>, S][]>;
  /** Without `withscores`: the members. */
  zrangebyscore(
    name: RedisKey,
    min: number | string,
    max: number | string,
    options?: ZRangeByOptions<unknown>,
  ): Promise<Str<D>[]>;
  zrangebyscore(
    name: RedisKey,
    min: number | string,
    max: number | string,
    options?: ZRangeByOptions<unknown>,
  ): Promise<Str<D>[] | [Str<D>, unknown][]> {
    return this.execute(
      rangeBy<Str<D>[] | [Str<D>, unknown][]>("ZRANGEBYSCORE", name, min, max, options, "score"),
    );
  }

  /**
   * Like `zrangebyscore`, highest first (note: `max` comes first).
   * {@link https://redis.io/docs/latest/commands/zrevrangebyscore/ ZREVRANGEBYSCORE}
   */
  zrevrangebyscore<S = number>(
    name: RedisKey,
    max: number | string,
    min: number | string,
    options: ZRangeByOptions<S> & { withscores: true },
  ): Promise<[Str<D>, S][]>;
  /** Without `withscores`: the members. */
  zrevrangebyscore(
    name: RedisKey,
    max: number | string,
    min: number | string,
    options?: ZRangeByOptions<unknown>,
  ): Promise<Str<D>[]>;
  zrevrangebyscore(
    name: RedisKey,
    max: number | string,
    min: number | string,
    options?: ZRangeByOptions<unknown>,
  ): Promise<Str<D>[] | [Str<D>, unknown][]> {
    return this.execute(
      rangeBy<Str<D>[] | [Str<D>, unknown][]>("ZREVRANGEBYSCORE", name, max, min, options, "score"),
    );
  }

  /**
   * Returns the members from rank `start` to `end`, highest first; with
   * `withscores`, `[member, score]` pairs.
   * {@link https://redis.io/docs/latest/commands/zrevrange/ ZREVRANGE}
   */
  zrevrange<S = number>(
    name: RedisKey,
    start: number,
    end: number,
    options: ZRevRangeOptions<S> & { withscores: true },
  ): Promise<[Str<D>, S][]>;
  /** Without `withscores`: the members. */
  zrevrange(
    name: RedisKey,
    start: number,
    end: number,
    options?: ZRevRangeOptions<unknown>,
  ): Promise<Str<D>[]>;
  zrevrange(
    name: RedisKey,
    start: number,
    end: number,
    options?: ZRevRangeOptions<unknown>,
  ): Promise<Str<D>[] | [Str<D>, unknown][]> {
    const cmd = new Command<Str<D>[] | [Str<D>, unknown][]>(
      "ZREVRANGE",
      scoredTransform(options, scored) ?? bulks,
    )
      .key(
        name,
      );
    const withscores = optionsOf(cmd, options, ZREVRANGE_KEYS).withscores;
    checkScoreCast(cmd, options?.scoreCastFunc);
    integer(cmd, "start", start);
    integer(cmd, "end", end);
    cmd.arg(start).arg(end);
    if (withscores) cmd.arg("WITHSCORES");
    return this.execute(cmd);
  }

  /**
   * Returns the rank of `value` (0 for the lowest score), or `null` when it
   * is not a member; with `withscore` (Redis 7.2+), `[rank, score]`.
   * {@link https://redis.io/docs/latest/commands/zrank/ ZRANK}
   */
  zrank(name: RedisKey, value: RedisValue, options: { withscore: true }): Promise<[number, number] | null>;
  /** Without `withscore`: the rank, or `null`. */
  zrank(name: RedisKey, value: RedisValue, options?: { withscore?: boolean }): Promise<number | null>;
  zrank(
    name: RedisKey,
    value: RedisValue,
    options?: { withscore?: boolean },
  ): Promise<number | [number, number] | null> {
    return this.execute(rank<number | [number, number] | null>("ZRANK", name, value, options));
  }

  /**
   * Like `zrank`, with 0 for the highest score.
   * {@link https://redis.io/docs/latest/commands/zrevrank/ ZREVRANK}
   */
  zrevrank(name: RedisKey, value: RedisValue, options: { withscore: true }): Promise<[number, number] | null>;
  /** Without `withscore`: the rank, or `null`. */
  zrevrank(name: RedisKey, value: RedisValue, options?: { withscore?: boolean }): Promise<number | null>;
  zrevrank(
    name: RedisKey,
    value: RedisValue,
    options?: { withscore?: boolean },
  ): Promise<number | [number, number] | null> {
    return this.execute(rank<number | [number, number] | null>("ZREVRANK", name, value, options));
  }

  /**
   * Removes the members between the lexicographical bounds; resolves to how many.
   * {@link https://redis.io/docs/latest/commands/zremrangebylex/ ZREMRANGEBYLEX}
   */
  zremrangebylex(name: RedisKey, min: RedisValue, max: RedisValue): Promise<number> {
    const cmd = new Command<number>("ZREMRANGEBYLEX", toNumber).key(name).arg(min).arg(max);
    bound(cmd, "min", min, "lex");
    bound(cmd, "max", max, "lex");
    return this.execute(cmd);
  }

  /**
   * Removes the members from rank `min` to `max` (inclusive, negative from the highest); resolves to how many.
   * {@link https://redis.io/docs/latest/commands/zremrangebyrank/ ZREMRANGEBYRANK}
   */
  zremrangebyrank(name: RedisKey, min: number, max: number): Promise<number> {
    const cmd = new Command<number>("ZREMRANGEBYRANK", toNumber).key(name).arg(min).arg(max);
    integer(cmd, "min", min);
    integer(cmd, "max", max);
    return this.execute(cmd);
  }

  /**
   * Removes the members with a score between `min` and `max`; resolves to how many.
   * {@link https://redis.io/docs/latest/commands/zremrangebyscore/ ZREMRANGEBYSCORE}
   */
  zremrangebyscore(name: RedisKey, min: number | string, max: number | string): Promise<number> {
    const cmd = new Command<number>("ZREMRANGEBYSCORE", toNumber).key(name).arg(min).arg(max);
    score(cmd, "min", min, true);
    score(cmd, "max", max, true);
    return this.execute(cmd);
  }
}
