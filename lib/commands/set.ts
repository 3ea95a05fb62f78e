/**
 * Set commands: SADD, SMEMBERS, SINTER and friends. Set replies (RESP3 `~`)
 * are arrays, in the server's order.
 *
 * @module
 */

import { ListCommands } from "./list.ts";
import { Command, type RedisKey, type RedisValue, type ReplyTransform, type Str } from "./command.ts";
import { toBoolean, toBooleans, toBulks, toNumber, toScan } from "./reply.ts";
import { integer, listOrArgs, nonEmpty, scanArgs, type ScanOptions } from "./validate.ts";

/** SDIFF/SINTER/SUNION, and their STORE forms (a destination first, a count reply). */
function combine<T>(
  name: string,
  keys: RedisKey | readonly RedisKey[],
  args: RedisKey[],
  dest?: RedisKey,
): Command<T> {
  const store = name.endsWith("STORE");
  const cmd = new Command<T>(
    name,
    (store ? toNumber : toBulks) as ReplyTransform<unknown> as ReplyTransform<T>,
  );
  if (store) cmd.key(dest as RedisKey);
  return cmd.keysOf(listOrArgs(keys, args));
}

/**
 * Set commands, in redis-py's argument order.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * await r.sadd("tags", "a", "b");
 * console.log(await r.sismember("tags", "a")); // true
 * ```
 */
export abstract class SetCommands<D extends boolean = true> extends ListCommands<D> {
  /**
   * Adds `values` to the set `name`; resolves to how many were new.
   * {@link https://redis.io/docs/latest/commands/sadd/ SADD}
   */
  sadd(name: RedisKey, ...values: RedisValue[]): Promise<number> {
    const cmd = new Command<number>("SADD", toNumber).key(name);
    return this.execute(cmd.argsOf(nonEmpty(cmd, "values", values)));
  }

  /**
   * Returns the number of members of the set `name`.
   * {@link https://redis.io/docs/latest/commands/scard/ SCARD}
   */
  scard(name: RedisKey): Promise<number> {
    return this.execute(new Command<number>("SCARD", toNumber).key(name));
  }

  /**
   * Returns the members of the first set that are in none of the others.
   * Takes an array of keys and/or more keys as arguments.
   * {@link https://redis.io/docs/latest/commands/sdiff/ SDIFF}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.sadd("a", "1", "2");
   * await r.sadd("b", "2");
   * console.log(await r.sdiff(["a", "b"])); // ["1"]
   * ```
   */
  sdiff(keys: RedisKey | readonly RedisKey[], ...args: RedisKey[]): Promise<Str<D>[]> {
    return this.execute(combine<Str<D>[]>("SDIFF", keys, args));
  }

  /**
   * Stores `sdiff(keys)` in `dest`; resolves to its size.
   * {@link https://redis.io/docs/latest/commands/sdiffstore/ SDIFFSTORE}
   */
  sdiffstore(dest: RedisKey, keys: RedisKey | readonly RedisKey[], ...args: RedisKey[]): Promise<number> {
    return this.execute(combine<number>("SDIFFSTORE", keys, args, dest));
  }

  /**
   * Returns the members common to all the sets.
   * {@link https://redis.io/docs/latest/commands/sinter/ SINTER}
   */
  sinter(keys: RedisKey | readonly RedisKey[], ...args: RedisKey[]): Promise<Str<D>[]> {
    return this.execute(combine<Str<D>[]>("SINTER", keys, args));
  }

  /**
   * Returns the size of the intersection of the sets, counting up to `limit`
   * (0, the default: no limit). Redis 7+; redis-py's `numkeys` is implied by `keys`.
   * {@link https://redis.io/docs/latest/commands/sintercard/ SINTERCARD}
   */
  sintercard(keys: readonly RedisKey[], limit: number = 0): Promise<number> {
    const cmd = new Command<number>("SINTERCARD", toNumber).countedKeys(keys);
    integer(cmd, "limit", limit, 0);
    return this.execute(cmd.arg("LIMIT").arg(limit));
  }

  /**
   * Stores `sinter(keys)` in `dest`; resolves to its size.
   * {@link https://redis.io/docs/latest/commands/sinterstore/ SINTERSTORE}
   */
  sinterstore(dest: RedisKey, keys: RedisKey | readonly RedisKey[], ...args: RedisKey[]): Promise<number> {
    return this.execute(combine<number>("SINTERSTORE", keys, args, dest));
  }

  /**
   * Resolves to whether `value` is a member of the set `name`.
   * {@link https://redis.io/docs/latest/commands/sismember/ SISMEMBER}
   */
  sismember(name: RedisKey, value: RedisValue): Promise<boolean> {
    return this.execute(new Command<boolean>("SISMEMBER", toBoolean).key(name).arg(value));
  }

  /**
   * Returns the members of the set `name` as an array.
   * {@link https://redis.io/docs/latest/commands/smembers/ SMEMBERS}
   */
  smembers(name: RedisKey): Promise<Str<D>[]> {
    return this.execute(new Command<Str<D>[]>("SMEMBERS", toBulks).key(name));
  }

  /**
   * Resolves to whether each value is a member of the set `name`. Takes an
   * array of values and/or more values as arguments.
   * {@link https://redis.io/docs/latest/commands/smismember/ SMISMEMBER}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.sadd("s", "a");
   * console.log(await r.smismember("s", ["a", "b"])); // [true, false]
   * ```
   */
  smismember(
    name: RedisKey,
    values: RedisValue | readonly RedisValue[],
    ...args: RedisValue[]
  ): Promise<boolean[]> {
    const cmd = new Command<boolean[]>("SMISMEMBER", toBooleans).key(name);
    return this.execute(cmd.argsOf(nonEmpty(cmd, "values", listOrArgs(values, args))));
  }

  /**
   * Moves `value` from the set `src` to the set `dst`; resolves to `false` when it was not in `src`.
   * {@link https://redis.io/docs/latest/commands/smove/ SMOVE}
   */
  smove(src: RedisKey, dst: RedisKey, value: RedisValue): Promise<boolean> {
    return this.execute(new Command<boolean>("SMOVE", toBoolean).key(src).key(dst).arg(value));
  }

  /**
   * Removes and returns a random member (`null` when the set is empty); with
   * `count`, up to `count` members.
   * {@link https://redis.io/docs/latest/commands/spop/ SPOP}
   */
  spop(name: RedisKey): Promise<Str<D> | null>;
  /** With `count`: up to `count` members (`[]` when the set does not exist). */
  spop(name: RedisKey, count: number): Promise<Str<D>[]>;
  spop(name: RedisKey, count?: number): Promise<Str<D> | null | Str<D>[]> {
    const cmd = new Command<Str<D> | null | Str<D>[]>("SPOP").key(name);
    if (count !== undefined) {
      integer(cmd, "count", count, 0);
      cmd.arg(count);
    }
    return this.execute(cmd);
  }

  /**
   * Returns a random member (`null` when the set is empty); with `number`, up
   * to `number` distinct members (repeats allowed when negative).
   * {@link https://redis.io/docs/latest/commands/srandmember/ SRANDMEMBER}
   */
  srandmember(name: RedisKey): Promise<Str<D> | null>;
  /** With `number`: an array of members. */
  srandmember(name: RedisKey, number: number): Promise<Str<D>[]>;
  srandmember(name: RedisKey, number?: number): Promise<Str<D> | null | Str<D>[]> {
    const cmd = new Command<Str<D> | null | Str<D>[]>("SRANDMEMBER").key(name);
    if (number !== undefined) {
      integer(cmd, "number", number);
      cmd.arg(number);
    }
    return this.execute(cmd);
  }

  /**
   * Removes `values` from the set `name`; resolves to how many were members.
   * {@link https://redis.io/docs/latest/commands/srem/ SREM}
   */
  srem(name: RedisKey, ...values: RedisValue[]): Promise<number> {
    const cmd = new Command<number>("SREM", toNumber).key(name);
    return this.execute(cmd.argsOf(nonEmpty(cmd, "values", values)));
  }

  /**
   * Returns the members of all the sets.
   * {@link https://redis.io/docs/latest/commands/sunion/ SUNION}
   */
  sunion(keys: RedisKey | readonly RedisKey[], ...args: RedisKey[]): Promise<Str<D>[]> {
    return this.execute(combine<Str<D>[]>("SUNION", keys, args));
  }

  /**
   * Stores `sunion(keys)` in `dest`; resolves to its size.
   * {@link https://redis.io/docs/latest/commands/sunionstore/ SUNIONSTORE}
   */
  sunionstore(dest: RedisKey, keys: RedisKey | readonly RedisKey[], ...args: RedisKey[]): Promise<number> {
    return this.execute(combine<number>("SUNIONSTORE", keys, args, dest));
  }

  /**
   * Returns one page of members of the set `name` and the cursor of the next (`"0"` when done).
   * {@link https://redis.io/docs/latest/commands/sscan/ SSCAN}
   */
  sscan(
    name: RedisKey,
    cursor: string | number | bigint = 0,
    options?: ScanOptions,
  ): Promise<[string, Str<D>[]]> {
    const cmd = new Command<[string, Str<D>[]]>("SSCAN", toScan).key(name);
    scanArgs(cmd, cursor, options, false);
    return this.execute(cmd);
  }

  /**
   * Iterates over the members of the set `name` with SSCAN.
   * {@link https://redis.io/docs/latest/commands/sscan/ SSCAN}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * for await (const member of r.sscanIter("tags", { count: 100 })) console.log(member);
   * ```
   */
  async *sscanIter(name: RedisKey, options?: ScanOptions): AsyncGenerator<Str<D>, void, undefined> {
    let cursor = "0";
    do {
      const [next, members] = await this.sscan(name, cursor, options);
      cursor = next;
      yield* members;
    } while (cursor !== "0");
  }
}
