/**
 * List commands: LPUSH, LRANGE, BLPOP and friends.
 *
 * Blocking commands (BLPOP, BLMOVE, ...) take their timeout in seconds, as
 * Redis does (fractions allowed; 0 blocks forever). The client's socket
 * timeout does not cut them short.
 *
 * @module
 */

import { HashExpiryCommands } from "./hash_expiry.ts";
import { Command, type RedisKey, type RedisValue, type ReplyTransform, type Str } from "./command.ts";
import { toBulkOrNull, toBulks, toInteger, toNumber, toTrue } from "./reply.ts";
import { integer, listOrArgs, nonEmpty, oneOf, optionKeys, optionsOf, timeout } from "./validate.ts";

/**
 * An end of a list: `"LEFT"` (head) or `"RIGHT"` (tail).
 *
 * @example
 * ```ts
 * import type { ListEnd } from "@uniredis/redis";
 * const end: ListEnd = "LEFT";
 * console.log(end); // "LEFT"
 * ```
 */
export type ListEnd = "LEFT" | "RIGHT";

/**
 * Options of `lpos`.
 *
 * @example
 * ```ts
 * import type { LPosOptions } from "@uniredis/redis";
 * const o: LPosOptions = { rank: -1, count: 0, maxlen: 1000 };
 * console.log(o.rank); // -1
 * ```
 */
export interface LPosOptions {
  /** Which match to return: 1 the first, 2 the second, -1 the last... */
  rank?: number;
  /** Return up to this many positions (0: all) as an array. */
  count?: number;
  /** Compare at most this many elements (0: all). */
  maxlen?: number;
}

const LPOS_KEYS = optionKeys<LPosOptions>({ rank: true, count: true, maxlen: true });

const ENDS: readonly ListEnd[] = ["LEFT", "RIGHT"];

/** BLPOP/BRPOP: keys, then the timeout. */
function bpop<T>(name: string, keys: RedisKey | readonly RedisKey[], seconds: number): Command<T> {
  const cmd = new Command<T>(name).keysOf(listOrArgs(keys, [])).arg(seconds);
  return blocking(cmd, seconds);
}

/** Marks a command as blocking after checking its timeout. */
function blocking<T>(cmd: Command<T>, seconds: number): Command<T> {
  timeout(cmd, seconds);
  return cmd.block(Number(seconds) * 1000);
}

/** LMOVE/BLMOVE: source, destination and both ends. */
function move<T>(name: string, first: RedisKey, second: RedisKey, src: ListEnd, dest: ListEnd): Command<T> {
  const cmd = new Command<T>(name, toBulkOrNull as ReplyTransform<never>).key(first).key(second);
  return cmd.arg(oneOf(cmd, "src", src, ENDS)).arg(oneOf(cmd, "dest", dest, ENDS));
}

/** LMPOP/BLMPOP: numkeys, keys, direction and count. */
function mpop<T>(cmd: Command<T>, keys: readonly RedisKey[], direction: ListEnd, count?: number): Command<T> {
  cmd.countedKeys(keys);
  cmd.arg(oneOf(cmd, "direction", direction, ENDS));
  if (count !== undefined) {
    integer(cmd, "count", count, 1);
    cmd.arg("COUNT").arg(count);
  }
  return cmd;
}

/** LPOP/RPOP with an optional count. */
function pop<T>(name: string, key: RedisKey, count?: number): Command<T> {
  const cmd = new Command<T>(name).key(key);
  if (count !== undefined) {
    integer(cmd, "count", count, 0);
    cmd.arg(count);
  }
  return cmd;
}

/** LPUSH and friends: the key, then at least one value. */
function push(name: string, key: RedisKey, values: RedisValue[]): Command<number> {
  const cmd = new Command<number>(name, toNumber).key(key);
  return cmd.argsOf(nonEmpty(cmd, "values", values));
}

/**
 * List commands, in redis-py's argument order.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * await r.rpush("queue", "a", "b", "c");
 * console.log(await r.lrange("queue", 0, -1)); // ["a", "b", "c"]
 * ```
 */
export abstract class ListCommands<D extends boolean = true> extends HashExpiryCommands<D> {
  /**
   * Pops the first element of the first non-empty list of `keys`, waiting up
   * to `timeout` seconds (0: forever); resolves to `[key, element]`, or `null`
   * on timeout.
   * {@link https://redis.io/docs/latest/commands/blpop/ BLPOP}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.rpush("jobs", "j1");
   * console.log(await r.blpop(["jobs", "other"], 1)); // ["jobs", "j1"]
   * ```
   */
  blpop(keys: RedisKey | readonly RedisKey[], timeout: number = 0): Promise<[Str<D>, Str<D>] | null> {
    return this.execute(bpop<[Str<D>, Str<D>] | null>("BLPOP", keys, timeout));
  }

  /**
   * Like `blpop`, popping the last element.
   * {@link https://redis.io/docs/latest/commands/brpop/ BRPOP}
   */
  brpop(keys: RedisKey | readonly RedisKey[], timeout: number = 0): Promise<[Str<D>, Str<D>] | null> {
    return this.execute(bpop<[Str<D>, Str<D>] | null>("BRPOP", keys, timeout));
  }

  /**
   * Like `lmove`, waiting up to `timeout` seconds for `firstList` to have an
   * element; resolves to the moved element, or `null` on timeout.
   * {@link https://redis.io/docs/latest/commands/blmove/ BLMOVE}
   */
  blmove(
    firstList: RedisKey,
    secondList: RedisKey,
    timeout: number,
    src: ListEnd = "LEFT",
    dest: ListEnd = "RIGHT",
  ): Promise<Str<D> | null> {
    const cmd = move<Str<D> | null>("BLMOVE", firstList, secondList, src, dest).arg(timeout);
    return this.execute(blocking(cmd, timeout));
  }

  /**
   * Pops the last element of `src`, pushes it at the head of `dst` and
   * returns it, waiting up to `timeout` seconds; `null` on timeout.
   * {@link https://redis.io/docs/latest/commands/brpoplpush/ BRPOPLPUSH}
   */
  brpoplpush(src: RedisKey, dst: RedisKey, timeout: number = 0): Promise<Str<D> | null> {
    const cmd = new Command<Str<D> | null>("BRPOPLPUSH", toBulkOrNull).key(src).key(dst).arg(timeout);
    return this.execute(blocking(cmd, timeout));
  }

  /**
   * Returns the element at `index` (negative from the tail), or `null`.
   * {@link https://redis.io/docs/latest/commands/lindex/ LINDEX}
   */
  lindex(name: RedisKey, index: number): Promise<Str<D> | null> {
    const cmd = new Command<Str<D> | null>("LINDEX", toBulkOrNull).key(name).arg(index);
    integer(cmd, "index", index);
    return this.execute(cmd);
  }

  /**
   * Inserts `value` before or after the first `refvalue`; resolves to the
   * new length, -1 when `refvalue` is absent, 0 when the list does not exist.
   * {@link https://redis.io/docs/latest/commands/linsert/ LINSERT}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.rpush("l", "a", "c");
   * console.log(await r.linsert("l", "BEFORE", "c", "b")); // 3
   * ```
   */
  linsert(
    name: RedisKey,
    where: "BEFORE" | "AFTER",
    refvalue: RedisValue,
    value: RedisValue,
  ): Promise<number> {
    const cmd = new Command<number>("LINSERT", toNumber).key(name);
    return this.execute(cmd.arg(oneOf(cmd, "where", where, ["BEFORE", "AFTER"])).arg(refvalue).arg(value));
  }

  /**
   * Returns the length of the list `name` (0 when it does not exist).
   * {@link https://redis.io/docs/latest/commands/llen/ LLEN}
   */
  llen(name: RedisKey): Promise<number> {
    return this.execute(new Command<number>("LLEN", toNumber).key(name));
  }

  /**
   * Pops an element from the `src` end of `firstList`, pushes it at the
   * `dest` end of `secondList` and returns it (`null` when `firstList` is empty).
   * {@link https://redis.io/docs/latest/commands/lmove/ LMOVE}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.rpush("todo", "t1");
   * console.log(await r.lmove("todo", "doing", "LEFT", "LEFT")); // "t1"
   * ```
   */
  lmove(
    firstList: RedisKey,
    secondList: RedisKey,
    src: ListEnd = "LEFT",
    dest: ListEnd = "RIGHT",
  ): Promise<Str<D> | null> {
    return this.execute(move<Str<D> | null>("LMOVE", firstList, secondList, src, dest));
  }

  /**
   * Pops up to `count` (default 1) elements from the `direction` end of the
   * first non-empty list of `keys`; resolves to `[key, elements]`, or `null`
   * when all are empty (Redis 7+). redis-py's `num_keys` is implied by `keys`.
   * {@link https://redis.io/docs/latest/commands/lmpop/ LMPOP}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.rpush("b", "1", "2", "3");
   * console.log(await r.lmpop(["a", "b"], "LEFT", 2)); // ["b", ["1", "2"]]
   * ```
   */
  lmpop(keys: readonly RedisKey[], direction: ListEnd, count?: number): Promise<[Str<D>, Str<D>[]] | null> {
    return this.execute(mpop(new Command<[Str<D>, Str<D>[]] | null>("LMPOP"), keys, direction, count));
  }

  /**
   * Like `lmpop`, waiting up to `timeout` seconds; `null` on timeout (Redis 7+).
   * {@link https://redis.io/docs/latest/commands/blmpop/ BLMPOP}
   */
  blmpop(
    timeout: number,
    keys: readonly RedisKey[],
    direction: ListEnd,
    count?: number,
  ): Promise<[Str<D>, Str<D>[]] | null> {
    const cmd = blocking(new Command<[Str<D>, Str<D>[]] | null>("BLMPOP").arg(timeout), timeout);
    return this.execute(mpop(cmd, keys, direction, count));
  }

  /**
   * Removes and returns the first element of the list `name` (`null` when
   * empty); with `count`, up to `count` elements (`null` when the list does
   * not exist).
   * {@link https://redis.io/docs/latest/commands/lpop/ LPOP}
   */
  lpop(name: RedisKey): Promise<Str<D> | null>;
  /** With `count`: up to `count` elements, `null` when the list does not exist. */
  lpop(name: RedisKey, count: number): Promise<Str<D>[] | null>;
  lpop(name: RedisKey, count?: number): Promise<Str<D> | Str<D>[] | null> {
    return this.execute(pop<Str<D> | Str<D>[] | null>("LPOP", name, count));
  }

  /**
   * Like `lpop`, from the tail.
   * {@link https://redis.io/docs/latest/commands/rpop/ RPOP}
   */
  rpop(name: RedisKey): Promise<Str<D> | null>;
  /** With `count`: up to `count` elements, `null` when the list does not exist. */
  rpop(name: RedisKey, count: number): Promise<Str<D>[] | null>;
  rpop(name: RedisKey, count?: number): Promise<Str<D> | Str<D>[] | null> {
    return this.execute(pop<Str<D> | Str<D>[] | null>("RPOP", name, count));
  }

  /**
   * Returns the index of `value` in the list `name` (`null` when absent);
   * with `count`, an array of indexes.
   * {@link https://redis.io/docs/latest/commands/lpos/ LPOS}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.rpush("l", "a", "b", "a");
   * console.log(await r.lpos("l", "a"), await r.lpos("l", "a", { rank: -1 })); // 0 2
   * console.log(await r.lpos("l", "a", { count: 0 })); // [0, 2]
   * ```
   */
  lpos(name: RedisKey, value: RedisValue, options: LPosOptions & { count: number }): Promise<number[]>;
  /** Without `count`: the index of the match, or `null`. */
  lpos(name: RedisKey, value: RedisValue, options?: LPosOptions): Promise<number | null>;
  lpos(name: RedisKey, value: RedisValue, options?: LPosOptions): Promise<number | null | number[]> {
    const cmd = new Command<number | null | number[]>(
      "LPOS",
      (r) => Array.isArray(r) ? r.map(toNumber) : toInteger(r),
    )
      .key(name)
      .arg(value);
    const o = optionsOf(cmd, options, LPOS_KEYS);
    if (o.rank !== undefined) {
      integer(cmd, "rank", o.rank);
      if (o.rank === 0) cmd.fail("LPOS: rank must not be 0");
      cmd.arg("RANK").arg(o.rank);
    }
    if (o.count !== undefined) {
      integer(cmd, "count", o.count, 0);
      cmd.arg("COUNT").arg(o.count);
    }
    if (o.maxlen !== undefined) {
      integer(cmd, "maxlen", o.maxlen, 0);
      cmd.arg("MAXLEN").arg(o.maxlen);
    }
    return this.execute(cmd);
  }

  /**
   * Pushes `values` at the head of the list `name` (the last ends up first);
   * resolves to the new length.
   * {@link https://redis.io/docs/latest/commands/lpush/ LPUSH}
   */
  lpush(name: RedisKey, ...values: RedisValue[]): Promise<number> {
    return this.execute(push("LPUSH", name, values));
  }

  /**
   * Like `lpush`, only when the list exists; resolves to its length (0 when it does not).
   * {@link https://redis.io/docs/latest/commands/lpushx/ LPUSHX}
   */
  lpushx(name: RedisKey, ...values: RedisValue[]): Promise<number> {
    return this.execute(push("LPUSHX", name, values));
  }

  /**
   * Pushes `values` at the tail of the list `name`; resolves to the new length.
   * {@link https://redis.io/docs/latest/commands/rpush/ RPUSH}
   */
  rpush(name: RedisKey, ...values: RedisValue[]): Promise<number> {
    return this.execute(push("RPUSH", name, values));
  }

  /**
   * Like `rpush`, only when the list exists; resolves to its length (0 when it does not).
   * {@link https://redis.io/docs/latest/commands/rpushx/ RPUSHX}
   */
  rpushx(name: RedisKey, ...values: RedisValue[]): Promise<number> {
    return this.execute(push("RPUSHX", name, values));
  }

  /**
   * Returns the elements from `start` to `end` (inclusive, negative from the tail).
   * {@link https://redis.io/docs/latest/commands/lrange/ LRANGE}
   */
  lrange(name: RedisKey, start: number, end: number): Promise<Str<D>[]> {
    const cmd = new Command<Str<D>[]>("LRANGE", toBulks).key(name).arg(start).arg(end);
    integer(cmd, "start", start);
    integer(cmd, "end", end);
    return this.execute(cmd);
  }

  /**
   * Removes `count` occurrences of `value` (from the head when positive, the
   * tail when negative, all when 0); resolves to how many were removed.
   * {@link https://redis.io/docs/latest/commands/lrem/ LREM}
   */
  lrem(name: RedisKey, count: number, value: RedisValue): Promise<number> {
    const cmd = new Command<number>("LREM", toNumber).key(name).arg(count).arg(value);
    integer(cmd, "count", count);
    return this.execute(cmd);
  }

  /**
   * Sets the element at `index` to `value`; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/lset/ LSET}
   */
  lset(name: RedisKey, index: number, value: RedisValue): Promise<true> {
    const cmd = new Command<true>("LSET", toTrue).key(name).arg(index).arg(value);
    integer(cmd, "index", index);
    return this.execute(cmd);
  }

  /**
   * Keeps only the elements from `start` to `end` (inclusive); resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/ltrim/ LTRIM}
   */
  ltrim(name: RedisKey, start: number, end: number): Promise<true> {
    const cmd = new Command<true>("LTRIM", toTrue).key(name).arg(start).arg(end);
    integer(cmd, "start", start);
    integer(cmd, "end", end);
    return this.execute(cmd);
  }

  /**
   * Pops the last element of `src`, pushes it at the head of `dst` and returns it (`null` when `src` is empty).
   * {@link https://redis.io/docs/latest/commands/rpoplpush/ RPOPLPUSH}
   */
  rpoplpush(src: RedisKey, dst: RedisKey): Promise<Str<D> | null> {
    return this.execute(new Command<Str<D> | null>("RPOPLPUSH", toBulkOrNull).key(src).key(dst));
  }
}
