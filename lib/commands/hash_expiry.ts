/**
 * Hash field expiration commands (Redis 7.4+): HEXPIRE, HTTL, HPERSIST and
 * friends, which give single fields of a hash their own time to live.
 *
 * Every method takes its fields as one non-empty array (sent as
 * `FIELDS <numfields> field ...`) and resolves to one integer code per field,
 * in the order given. A key that does not exist answers `-2` for every field.
 *
 * @module
 */

import { HashCommands } from "./hash.ts";
import { Command, type RedisKey, type RedisValue } from "./command.ts";
import { InvalidResponse } from "../errors.ts";
import type { RespValue } from "../protocol/types.ts";
import { toNumber } from "./reply.ts";
import { exclusive, integer, nonEmpty, optionKeys, optionsOf, unixTime } from "./validate.ts";

/**
 * The condition of `hexpire`, `hpexpire`, `hexpireat` and `hpexpireat`: set a
 * field's expiry only when it has none (`nx`), has one (`xx`), or when the new
 * one is later (`gt`) or earlier (`lt`) than the current one. Unlike the key
 * EXPIRE family, the four are mutually exclusive (at most one may be set).
 *
 * @example
 * ```ts
 * import type { HashExpireOptions } from "@uniredis/redis";
 * const o: HashExpireOptions = { gt: true };
 * console.log(o.gt); // true
 * ```
 */
export interface HashExpireOptions {
  /** Only fields with no expiry. */
  nx?: boolean;
  /** Only fields with an expiry. */
  xx?: boolean;
  /** Only when the new expiry is later than the current one (no expiry counts as infinite). */
  gt?: boolean;
  /** Only when the new expiry is earlier than the current one (no expiry counts as infinite). */
  lt?: boolean;
}

const HASH_EXPIRE_KEYS = optionKeys<HashExpireOptions>({ nx: true, xx: true, gt: true, lt: true });

/** An array of integer replies (RESP2 and RESP3 alike) as numbers, one per field. */
function toCodes(reply: RespValue): number[] {
  if (!Array.isArray(reply)) {
    throw new InvalidResponse(`Expected an array, got ${reply === null ? "null" : typeof reply}`);
  }
  return reply.map(toNumber);
}

/** Appends `FIELDS <numfields> field ...`, failing the command on an empty or non-array `fields`. */
function fieldsBlock(cmd: Command<number[]>, fields: readonly RedisValue[]): Command<number[]> {
  const list = nonEmpty(cmd, "fields", fields);
  return cmd.arg("FIELDS").arg(list.length).argsOf(list);
}

/**
 * HEXPIRE and friends: key, time, the one condition flag, then the fields.
 * `time` checks and converts the time argument (failing the command if bad).
 */
function setExpiry(
  name: string,
  key: RedisKey,
  time: (cmd: Command<number[]>) => number | bigint,
  fields: readonly RedisValue[],
  options: HashExpireOptions | undefined,
): Command<number[]> {
  const cmd = new Command<number[]>(name, toCodes).key(key);
  cmd.arg(time(cmd));
  const o = optionsOf(cmd, options, HASH_EXPIRE_KEYS);
  exclusive(cmd, o, ["nx", "xx", "gt", "lt"]);
  if (o.nx) cmd.arg("NX");
  if (o.xx) cmd.arg("XX");
  if (o.gt) cmd.arg("GT");
  if (o.lt) cmd.arg("LT");
  return fieldsBlock(cmd, fields);
}

/** A relative time (`seconds`, `milliseconds`): an integer, passed through as given. */
function duration(cmd: Command<number[]>, what: string, value: number): number {
  integer(cmd, what, value);
  return value;
}

/** HTTL, HPERSIST and friends: key, then the fields. */
function perField(name: string, key: RedisKey, fields: readonly RedisValue[]): Command<number[]> {
  return fieldsBlock(new Command<number[]>(name, toCodes).key(key), fields);
}

/**
 * Hash field expiration commands (Redis 7.4+), with redis-py's names. Fields
 * are always one array, after the key (and the time, for the setters).
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * await r.hset("session", { token: "t", user: "ada" });
 * console.log(await r.hexpire("session", 60, ["token"])); // [1]
 * console.log(await r.httl("session", ["token", "user"])); // [60, -1]
 * ```
 */
export abstract class HashExpiryCommands<D extends boolean = true> extends HashCommands<D> {
  /**
   * Sets `fields` of the hash `name` to expire in `seconds` seconds. Resolves
   * to one code per field: `-2` no such field (or no such key), `0` the
   * condition (`nx`, `xx`, `gt`, `lt`) was not met, `1` the expiry was set,
   * `2` the field was deleted at once (`seconds` is 0). Redis 7.4+.
   * {@link https://redis.io/docs/latest/commands/hexpire/ HEXPIRE}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.hset("h", { a: 1, b: 2 });
   * console.log(await r.hexpire("h", 30, ["a", "missing"])); // [1, -2]
   * console.log(await r.hexpire("h", 10, ["a"], { gt: true })); // [0]
   * ```
   */
  hexpire(
    name: RedisKey,
    seconds: number,
    fields: readonly RedisValue[],
    options?: HashExpireOptions,
  ): Promise<number[]> {
    return this.execute(
      setExpiry("HEXPIRE", name, (cmd) => duration(cmd, "seconds", seconds), fields, options),
    );
  }

  /**
   * Sets `fields` of the hash `name` to expire in `milliseconds`. Resolves to
   * one code per field: `-2` no such field (or no such key), `0` the condition
   * was not met, `1` the expiry was set, `2` the field was deleted at once
   * (`milliseconds` is 0). Redis 7.4+.
   * {@link https://redis.io/docs/latest/commands/hpexpire/ HPEXPIRE}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.hset("h", "a", 1);
   * console.log(await r.hpexpire("h", 1500, ["a"], { nx: true })); // [1]
   * ```
   */
  hpexpire(
    name: RedisKey,
    milliseconds: number,
    fields: readonly RedisValue[],
    options?: HashExpireOptions,
  ): Promise<number[]> {
    const time = (cmd: Command<number[]>) => duration(cmd, "milliseconds", milliseconds);
    return this.execute(setExpiry("HPEXPIRE", name, time, fields, options));
  }

  /**
   * Sets `fields` of the hash `name` to expire at `when`, a `Date` or a Unix
   * time in seconds (a `Date` is rounded down to the second). Resolves to one
   * code per field: `-2` no such field (or no such key), `0` the condition was
   * not met, `1` the expiry was set, `2` the field was deleted at once (`when`
   * is in the past). Redis 7.4+.
   * {@link https://redis.io/docs/latest/commands/hexpireat/ HEXPIREAT}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.hset("h", "a", 1);
   * console.log(await r.hexpireat("h", new Date(Date.now() + 60_000), ["a"])); // [1]
   * ```
   */
  hexpireat(
    name: RedisKey,
    when: number | Date,
    fields: readonly RedisValue[],
    options?: HashExpireOptions,
  ): Promise<number[]> {
    const time = (cmd: Command<number[]>) => unixTime(cmd, "when", when, "s");
    return this.execute(setExpiry("HEXPIREAT", name, time, fields, options));
  }

  /**
   * Sets `fields` of the hash `name` to expire at `when`, a `Date` or a Unix
   * time in milliseconds. Resolves to one code per field: `-2` no such field
   * (or no such key), `0` the condition was not met, `1` the expiry was set,
   * `2` the field was deleted at once (`when` is in the past). Redis 7.4+.
   * {@link https://redis.io/docs/latest/commands/hpexpireat/ HPEXPIREAT}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.hset("h", "a", 1);
   * console.log(await r.hpexpireat("h", Date.now() + 5_000, ["a"], { xx: true })); // [0]
   * ```
   */
  hpexpireat(
    name: RedisKey,
    when: number | Date,
    fields: readonly RedisValue[],
    options?: HashExpireOptions,
  ): Promise<number[]> {
    const time = (cmd: Command<number[]>) => unixTime(cmd, "when", when, "ms");
    return this.execute(setExpiry("HPEXPIREAT", name, time, fields, options));
  }

  /**
   * Removes the expiry of `fields` of the hash `name`. Resolves to one code
   * per field: `-2` no such field (or no such key), `-1` the field has no
   * expiry, `1` the expiry was removed. Redis 7.4+.
   * {@link https://redis.io/docs/latest/commands/hpersist/ HPERSIST}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.hset("h", { a: 1, b: 2 });
   * await r.hexpire("h", 60, ["a"]);
   * console.log(await r.hpersist("h", ["a", "b", "c"])); // [1, -1, -2]
   * ```
   */
  hpersist(name: RedisKey, fields: readonly RedisValue[]): Promise<number[]> {
    return this.execute(perField("HPERSIST", name, fields));
  }

  /**
   * Returns, per field of `fields`, the Unix time in seconds at which it
   * expires: `-2` no such field (or no such key), `-1` the field has no
   * expiry, otherwise the time. Redis 7.4+.
   * {@link https://redis.io/docs/latest/commands/hexpiretime/ HEXPIRETIME}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.hset("h", { a: 1, b: 2 });
   * await r.hexpireat("h", 1_900_000_000, ["a"]);
   * console.log(await r.hexpiretime("h", ["a", "b"])); // [1900000000, -1]
   * ```
   */
  hexpiretime(name: RedisKey, fields: readonly RedisValue[]): Promise<number[]> {
    return this.execute(perField("HEXPIRETIME", name, fields));
  }

  /**
   * Returns, per field of `fields`, the Unix time in milliseconds at which it
   * expires: `-2` no such field (or no such key), `-1` the field has no
   * expiry, otherwise the time. Redis 7.4+.
   * {@link https://redis.io/docs/latest/commands/hpexpiretime/ HPEXPIRETIME}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.hset("h", "a", 1);
   * await r.hpexpireat("h", 1_900_000_000_123, ["a"]);
   * console.log(await r.hpexpiretime("h", ["a"])); // [1900000000123]
   * ```
   */
  hpexpiretime(name: RedisKey, fields: readonly RedisValue[]): Promise<number[]> {
    return this.execute(perField("HPEXPIRETIME", name, fields));
  }

  /**
   * Returns, per field of `fields`, its remaining time to live in seconds:
   * `-2` no such field (or no such key), `-1` the field has no expiry,
   * otherwise the TTL. Redis 7.4+.
   * {@link https://redis.io/docs/latest/commands/httl/ HTTL}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.hset("h", { a: 1, b: 2 });
   * await r.hexpire("h", 60, ["a"]);
   * console.log(await r.httl("h", ["a", "b", "c"])); // [60, -1, -2]
   * ```
   */
  httl(name: RedisKey, fields: readonly RedisValue[]): Promise<number[]> {
    return this.execute(perField("HTTL", name, fields));
  }

  /**
   * Returns, per field of `fields`, its remaining time to live in
   * milliseconds: `-2` no such field (or no such key), `-1` the field has no
   * expiry, otherwise the TTL. Redis 7.4+.
   * {@link https://redis.io/docs/latest/commands/hpttl/ HPTTL}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.hset("h", "a", 1);
   * await r.hpexpire("h", 5_000, ["a"]);
   * console.log(await r.hpttl("h", ["a"])); // [5000] (or a little less)
   * ```
   */
  hpttl(name: RedisKey, fields: readonly RedisValue[]): Promise<number[]> {
    return this.execute(perField("HPTTL", name, fields));
  }
}
