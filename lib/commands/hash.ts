/**
 * Hash commands: HSET, HGET, HGETALL and friends.
 *
 * Hash field names become object keys in `hgetall` and `hscan`, so they are
 * always decoded as UTF-8 text, even with `decodeResponses: false` (the
 * values stay `Uint8Array`). Field names that are not valid UTF-8 are
 * altered by that decoding; read such hashes with `hkeys`/`hmget`, which
 * keep the bytes.
 *
 * @module
 */

import { StringCommands } from "./string.ts";
import { Command, type RedisKey, type RedisValue, type Str } from "./command.ts";
import type { RespValue } from "../protocol/types.ts";
import {
  toBoolean,
  toBulkOrNull,
  toBulks,
  toBulksOrNull,
  toNumber,
  toPairs,
  toRecord,
  toScan,
  toTrue,
} from "./reply.ts";
import {
  finite,
  integer,
  listOrArgs,
  type Mapping,
  nonEmpty,
  optionKeys,
  optionsOf,
  pairsOf,
  scanArgs,
  type ScanOptions,
} from "./validate.ts";

/**
 * The field/value pairs of `hset` besides its `key`/`value` arguments.
 *
 * @example
 * ```ts
 * import type { HSetOptions } from "@uniredis/redis";
 * const o: HSetOptions = { mapping: { a: 1 }, items: ["b", 2, "c", 3] };
 * console.log(o.items?.length); // 4
 * ```
 */
export interface HSetOptions {
  /** Fields and their values: an object, a `Map` or `[field, value]` pairs. */
  mapping?: Mapping<RedisValue, RedisValue>;
  /** A flat `[field, value, field, value, ...]` list (redis-py's `items`). */
  items?: readonly RedisValue[];
}

const HSET_KEYS = optionKeys<HSetOptions>({ mapping: true, items: true });

/** `[cursor, items]` of HSCAN with the items as an object. */
function toHashScan(reply: RespValue): [string, Record<string, RespValue>] {
  const [cursor, items] = toScan(reply);
  return [cursor, toRecord(items)];
}

/** True for a mapping-like argument (anything object but bytes). */
function isMapping(value: unknown): boolean {
  return typeof value === "object" && value !== null && !(value instanceof Uint8Array);
}

/**
 * True for `{ mapping, items }` given in second position. Never ambiguous with
 * a mapping of fields: a field's value cannot be an object or an array.
 */
function isHSetOptions(value: unknown): boolean {
  if (!isMapping(value) || Array.isArray(value) || value instanceof Map) return false;
  const keys = Object.keys(value as object);
  return keys.length > 0 &&
    keys.every((k) => (k === "mapping" || k === "items") && isMapping((value as Record<string, unknown>)[k]));
}

/**
 * Hash commands, in redis-py's argument order.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * await r.hset("user:1", { name: "Ada", visits: 1 });
 * console.log(await r.hgetall("user:1")); // { name: "Ada", visits: "1" }
 * ```
 */
export abstract class HashCommands<D extends boolean = true> extends StringCommands<D> {
  /**
   * Deletes fields of the hash `name`; resolves to how many existed.
   * {@link https://redis.io/docs/latest/commands/hdel/ HDEL}
   */
  hdel(name: RedisKey, ...keys: RedisValue[]): Promise<number> {
    const cmd = new Command<number>("HDEL", toNumber).key(name);
    return this.execute(cmd.argsOf(nonEmpty(cmd, "fields", keys)));
  }

  /**
   * Resolves to whether field `key` exists in the hash `name`.
   * {@link https://redis.io/docs/latest/commands/hexists/ HEXISTS}
   */
  hexists(name: RedisKey, key: RedisValue): Promise<boolean> {
    return this.execute(new Command<boolean>("HEXISTS", toBoolean).key(name).arg(key));
  }

  /**
   * Returns the value of field `key` in the hash `name`, or `null`.
   * {@link https://redis.io/docs/latest/commands/hget/ HGET}
   */
  hget(name: RedisKey, key: RedisValue): Promise<Str<D> | null> {
    return this.execute(new Command<Str<D> | null>("HGET", toBulkOrNull).key(name).arg(key));
  }

  /**
   * Returns the hash `name` as an object (`{}` when it does not exist). Field
   * names are always text (see the module docs).
   * {@link https://redis.io/docs/latest/commands/hgetall/ HGETALL}
   */
  hgetall(name: RedisKey): Promise<Record<string, Str<D>>> {
    return this.execute(new Command<Record<string, Str<D>>>("HGETALL", toRecord).key(name));
  }

  /**
   * Increments the integer in field `key` by `amount`; resolves to the new value.
   * {@link https://redis.io/docs/latest/commands/hincrby/ HINCRBY}
   */
  hincrby(name: RedisKey, key: RedisValue, amount: number = 1): Promise<number> {
    const cmd = new Command<number>("HINCRBY", toNumber).key(name).arg(key).arg(amount);
    integer(cmd, "amount", amount);
    return this.execute(cmd);
  }

  /**
   * Increments the number in field `key` by the float `amount`; resolves to the new value.
   * {@link https://redis.io/docs/latest/commands/hincrbyfloat/ HINCRBYFLOAT}
   */
  hincrbyfloat(name: RedisKey, key: RedisValue, amount: number = 1.0): Promise<number> {
    const cmd = new Command<number>("HINCRBYFLOAT", toNumber).key(name).arg(key).arg(amount);
    finite(cmd, "amount", amount);
    return this.execute(cmd);
  }

  /**
   * Returns the field names of the hash `name`.
   * {@link https://redis.io/docs/latest/commands/hkeys/ HKEYS}
   */
  hkeys(name: RedisKey): Promise<Str<D>[]> {
    return this.execute(new Command<Str<D>[]>("HKEYS", toBulks).key(name));
  }

  /**
   * Returns the number of fields of the hash `name`.
   * {@link https://redis.io/docs/latest/commands/hlen/ HLEN}
   */
  hlen(name: RedisKey): Promise<number> {
    return this.execute(new Command<number>("HLEN", toNumber).key(name));
  }

  /**
   * Sets several fields of the hash `name` at once; resolves to `true`.
   * Deprecated by Redis in favour of `hset(name, mapping)`, kept as redis-py keeps it.
   * {@link https://redis.io/docs/latest/commands/hmset/ HMSET}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * console.log(await r.hmset("h", { a: 1, b: 2 })); // true
   * ```
   */
  hmset(name: RedisKey, mapping: Mapping<RedisValue, RedisValue>): Promise<true> {
    const cmd = new Command<true>("HMSET", toTrue).key(name);
    for (const [field, value] of pairsOf(cmd, "mapping", mapping)) cmd.arg(field).arg(value);
    return this.execute(cmd);
  }

  /**
   * Returns the values of fields of the hash `name`, `null` for missing ones.
   * Takes an array of fields and/or more fields as arguments.
   * {@link https://redis.io/docs/latest/commands/hmget/ HMGET}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.hset("h", "a", "1");
   * console.log(await r.hmget("h", ["a", "b"])); // ["1", null]
   * ```
   */
  hmget(
    name: RedisKey,
    keys: RedisValue | readonly RedisValue[],
    ...args: RedisValue[]
  ): Promise<(Str<D> | null)[]> {
    const cmd = new Command<(Str<D> | null)[]>("HMGET", toBulksOrNull).key(name);
    return this.execute(cmd.argsOf(nonEmpty(cmd, "fields", listOrArgs(keys, args))));
  }

  /**
   * Sets fields of the hash `name`; resolves to how many were added (not
   * updated). Fields come from `key`/`value`, from `options.items` and
   * `options.mapping` (redis-py's form, `{ mapping, items }` may also come
   * second), or from a mapping in second position.
   * {@link https://redis.io/docs/latest/commands/hset/ HSET}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.hset("h", "a", "1");
   * await r.hset("h", { b: 2, c: 3 });
   * await r.hset("h", { mapping: { b: 2 }, items: ["c", 3] });
   * await r.hset("h", "d", 4, { mapping: { e: 5 }, items: ["f", 6] });
   * await r.hset("h", undefined, undefined, { mapping: new Map([["g", 7]]) });
   * ```
   */
  hset(name: RedisKey, mapping: Mapping<RedisValue, RedisValue>): Promise<number>;
  /** Only `options.items`/`options.mapping`, given in second position. */
  hset(name: RedisKey, options: HSetOptions): Promise<number>;
  /** One `key`/`value` pair, plus any `options.items`/`options.mapping`. */
  hset(name: RedisKey, key: RedisValue, value: RedisValue, options?: HSetOptions): Promise<number>;
  /** Only `options.items`/`options.mapping` (redis-py's `hset(name, mapping=...)`). */
  hset(name: RedisKey, key: undefined | null, value: undefined | null, options: HSetOptions): Promise<number>;
  hset(
    name: RedisKey,
    key?: RedisValue | Mapping<RedisValue, RedisValue> | HSetOptions | null,
    value?: RedisValue | null,
    options?: HSetOptions,
  ): Promise<number> {
    const cmd = new Command<number>("HSET", toNumber).key(name);
    if (value === undefined && options === undefined && isHSetOptions(key)) {
      options = key as HSetOptions;
      key = undefined;
    }
    const o = optionsOf(cmd, options, HSET_KEYS);
    if (o.items !== undefined) {
      const items = Array.isArray(o.items) ? o.items : [];
      if (items.length % 2 !== 0 || !Array.isArray(o.items)) {
        cmd.fail("HSET: items must be a flat [field, value, ...] array of even length");
      }
      cmd.argsOf(items);
    }
    if (isMapping(key)) {
      if (value !== undefined && value !== null) {
        cmd.fail("HSET: a mapping in second position takes no value");
      }
      for (const [f, v] of pairsOf(cmd, "mapping", key as Mapping<RedisValue, RedisValue>, false)) {
        cmd.arg(f).arg(v);
      }
    } else if (key !== undefined && key !== null) {
      if (value === undefined || value === null) cmd.fail("HSET: a value is required with a field name");
      cmd.arg(key as RedisValue).arg(value as RedisValue);
    }
    if (o.mapping !== undefined) {
      for (const [f, v] of pairsOf(cmd, "mapping", o.mapping, false)) cmd.arg(f).arg(v);
    }
    if (cmd.args.length === 2) cmd.fail("HSET with no field/value pairs");
    return this.execute(cmd);
  }

  /**
   * Sets field `key` of the hash `name` unless it exists; resolves to whether it did.
   * {@link https://redis.io/docs/latest/commands/hsetnx/ HSETNX}
   */
  hsetnx(name: RedisKey, key: RedisValue, value: RedisValue): Promise<boolean> {
    return this.execute(new Command<boolean>("HSETNX", toBoolean).key(name).arg(key).arg(value));
  }

  /**
   * Returns the values of the hash `name`.
   * {@link https://redis.io/docs/latest/commands/hvals/ HVALS}
   */
  hvals(name: RedisKey): Promise<Str<D>[]> {
    return this.execute(new Command<Str<D>[]>("HVALS", toBulks).key(name));
  }

  /**
   * Returns the length, in bytes, of the value of field `key` (0 when missing).
   * {@link https://redis.io/docs/latest/commands/hstrlen/ HSTRLEN}
   */
  hstrlen(name: RedisKey, key: RedisValue): Promise<number> {
    return this.execute(new Command<number>("HSTRLEN", toNumber).key(name).arg(key));
  }

  /**
   * Returns a random field of the hash `key` (`null` when it does not exist);
   * with `count`, up to `count` distinct fields (repeats allowed when
   * negative); with `withvalues`, `[field, value]` pairs.
   * {@link https://redis.io/docs/latest/commands/hrandfield/ HRANDFIELD}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.hset("h", { a: 1, b: 2 });
   * console.log(await r.hrandfield("h", 2, true)); // [["a", "1"], ["b", "2"]] (in any order)
   * ```
   */
  hrandfield(key: RedisKey): Promise<Str<D> | null>;
  /** With `count` and `withvalues`: `[field, value]` pairs. */
  hrandfield(key: RedisKey, count: number, withvalues: true): Promise<[Str<D>, Str<D>][]>;
  /** With `count`: an array of fields. */
  hrandfield(key: RedisKey, count: number, withvalues?: boolean): Promise<Str<D>[]>;
  hrandfield(
    key: RedisKey,
    count?: number,
    withvalues?: boolean,
  ): Promise<Str<D> | null | Str<D>[] | [Str<D>, Str<D>][]> {
    const cmd = new Command<Str<D> | null | Str<D>[] | [Str<D>, Str<D>][]>(
      "HRANDFIELD",
      withvalues ? toPairs : undefined,
    ).key(key);
    if (count !== undefined) {
      integer(cmd, "count", count);
      cmd.arg(count);
      if (withvalues) cmd.arg("WITHVALUES");
    } else if (withvalues) {
      cmd.fail("HRANDFIELD: withvalues needs a count");
    }
    return this.execute(cmd);
  }

  /**
   * Returns one page of the hash `name` as an object, and the cursor of the
   * next (`"0"` when done).
   * {@link https://redis.io/docs/latest/commands/hscan/ HSCAN}
   */
  hscan(
    name: RedisKey,
    cursor: string | number | bigint = 0,
    options?: ScanOptions,
  ): Promise<[string, Record<string, Str<D>>]> {
    const cmd = new Command<[string, Record<string, Str<D>>]>(
      "HSCAN",
      toHashScan as (r: RespValue) => [string, Record<string, Str<D>>],
    ).key(name);
    scanArgs(cmd, cursor, options, false);
    return this.execute(cmd);
  }

  /**
   * Iterates over the `[field, value]` pairs of the hash `name` with HSCAN.
   * {@link https://redis.io/docs/latest/commands/hscan/ HSCAN}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * for await (const [field, value] of r.hscanIter("user:1", { match: "n*" })) console.log(field, value);
   * ```
   */
  async *hscanIter(name: RedisKey, options?: ScanOptions): AsyncGenerator<[string, Str<D>], void, undefined> {
    let cursor = "0";
    do {
      const [next, fields] = await this.hscan(name, cursor, options);
      cursor = next;
      yield* Object.entries(fields);
    } while (cursor !== "0");
  }
}
