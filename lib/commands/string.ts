/**
 * String commands: GET, SET and friends.
 *
 * @module
 */

import { SortCommands } from "./sort.ts";
import { Command, type RedisKey, type RedisValue, type Str } from "./command.ts";
import {
  type LcsIdxResult,
  toBoolean,
  toBulk,
  toBulkOrNull,
  toBulksOrNull,
  toLcsIdx,
  toNumber,
  toOkOrNull,
  toTrue,
} from "./reply.ts";
import {
  exclusive,
  finite,
  integer,
  listOrArgs,
  type Mapping,
  optionKeys,
  optionsOf,
  pairsOf,
  unixTime,
} from "./validate.ts";

/**
 * Options of `set`. At most one of `ex`, `px`, `exat`, `pxat`, `keepttl`;
 * at most one of `nx`, `xx`.
 *
 * @example
 * ```ts
 * import type { SetOptions } from "@uniredis/redis";
 * const once: SetOptions = { ex: 60, nx: true };
 * console.log(once.ex); // 60
 * ```
 */
export interface SetOptions {
  /** Expire after this many seconds. */
  ex?: number;
  /** Expire after this many milliseconds. */
  px?: number;
  /** Expire at this Unix time, in seconds (or at this `Date`). */
  exat?: number | Date;
  /** Expire at this Unix time, in milliseconds (or at this `Date`). */
  pxat?: number | Date;
  /** Keep the key's current time to live. */
  keepttl?: boolean;
  /** Only set the key if it does not exist. */
  nx?: boolean;
  /** Only set the key if it already exists. */
  xx?: boolean;
  /** Return the old value (SET ... GET). */
  get?: boolean;
}

const SET_KEYS = optionKeys<SetOptions>({
  ex: true,
  px: true,
  exat: true,
  pxat: true,
  keepttl: true,
  nx: true,
  xx: true,
  get: true,
});

/**
 * Options of `getex`: at most one of them.
 *
 * @example
 * ```ts
 * import type { GetExOptions } from "@uniredis/redis";
 * const o: GetExOptions = { px: 1500 };
 * console.log(o.px); // 1500
 * ```
 */
export interface GetExOptions {
  /** Expire after this many seconds. */
  ex?: number;
  /** Expire after this many milliseconds. */
  px?: number;
  /** Expire at this Unix time, in seconds (or at this `Date`). */
  exat?: number | Date;
  /** Expire at this Unix time, in milliseconds (or at this `Date`). */
  pxat?: number | Date;
  /** Remove the key's time to live. */
  persist?: boolean;
}

const GETEX_KEYS = optionKeys<GetExOptions>({ ex: true, px: true, exat: true, pxat: true, persist: true });

/**
 * Options of `lcs`. `len` and `idx` are exclusive; `minmatchlen` and
 * `withmatchlen` only apply with `idx`.
 *
 * @example
 * ```ts
 * import type { LcsOptions } from "@uniredis/redis";
 * const o: LcsOptions = { idx: true, minmatchlen: 4, withmatchlen: true };
 * console.log(o.idx); // true
 * ```
 */
export interface LcsOptions {
  /** Return the length of the common subsequence instead of the subsequence. */
  len?: boolean;
  /** Return the matching ranges and the length. */
  idx?: boolean;
  /** Only report matches at least this long (with `idx`). */
  minmatchlen?: number;
  /** Report each match's length (with `idx`). */
  withmatchlen?: boolean;
}

const LCS_KEYS = optionKeys<LcsOptions>({ len: true, idx: true, minmatchlen: true, withmatchlen: true });

/** Appends one expiry option of SET/GETEX (the caller has made them exclusive). */
function expiryArgs(cmd: Command<unknown>, o: Partial<SetOptions & GetExOptions>): void {
  if (o.ex !== undefined && o.ex !== null) {
    integer(cmd, "ex", o.ex, 1);
    cmd.arg("EX").arg(o.ex);
  } else if (o.px !== undefined && o.px !== null) {
    integer(cmd, "px", o.px, 1);
    cmd.arg("PX").arg(o.px);
  } else if (o.exat !== undefined && o.exat !== null) {
    cmd.arg("EXAT").arg(unixTime(cmd, "exat", o.exat, "s"));
  } else if (o.pxat !== undefined && o.pxat !== null) {
    cmd.arg("PXAT").arg(unixTime(cmd, "pxat", o.pxat, "ms"));
  }
}

/**
 * String commands, in redis-py's argument order.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * await r.set("greeting", "hello", { ex: 60 });
 * console.log(await r.get("greeting")); // "hello"
 * ```
 */
export abstract class StringCommands<D extends boolean = true> extends SortCommands<D> {
  /**
   * Appends `value` to the string at `key`; resolves to its new length.
   * {@link https://redis.io/docs/latest/commands/append/ APPEND}
   */
  append(key: RedisKey, value: RedisValue): Promise<number> {
    return this.execute(new Command<number>("APPEND", toNumber).key(key).arg(value));
  }

  /**
   * Decrements the integer at `name` by `amount` (default 1, sent as DECR);
   * resolves to the new value.
   * {@link https://redis.io/docs/latest/commands/decrby/ DECRBY}
   */
  decr(name: RedisKey, amount?: number): Promise<number> {
    return amount === undefined
      ? this.execute(new Command<number>("DECR", toNumber).key(name))
      : this.decrby(name, amount);
  }

  /**
   * Decrements the integer at `name` by `amount`; resolves to the new value.
   * {@link https://redis.io/docs/latest/commands/decrby/ DECRBY}
   */
  decrby(name: RedisKey, amount: number = 1): Promise<number> {
    const cmd = new Command<number>("DECRBY", toNumber).key(name).arg(amount);
    integer(cmd, "amount", amount);
    return this.execute(cmd);
  }

  /**
   * Returns the value of `name`, or `null` when it does not exist.
   * {@link https://redis.io/docs/latest/commands/get/ GET}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * console.log(await r.get("missing")); // null
   * ```
   */
  get(name: RedisKey): Promise<Str<D> | null> {
    return this.execute(new Command<Str<D> | null>("GET", toBulkOrNull).key(name));
  }

  /**
   * Returns the value of `name` and deletes it; `null` when it does not exist.
   * {@link https://redis.io/docs/latest/commands/getdel/ GETDEL}
   */
  getdel(name: RedisKey): Promise<Str<D> | null> {
    return this.execute(new Command<Str<D> | null>("GETDEL", toBulkOrNull).key(name));
  }

  /**
   * Returns the value of `name` and changes its expiry (at most one option).
   * {@link https://redis.io/docs/latest/commands/getex/ GETEX}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.set("k", "v");
   * console.log(await r.getex("k", { ex: 60 })); // "v"
   * console.log(await r.getex("k", { persist: true })); // "v"
   * ```
   */
  getex(name: RedisKey, options?: GetExOptions): Promise<Str<D> | null> {
    const cmd = new Command<Str<D> | null>("GETEX", toBulkOrNull).key(name);
    const o = optionsOf(cmd, options, GETEX_KEYS);
    exclusive(cmd, o, ["ex", "px", "exat", "pxat", "persist"]);
    expiryArgs(cmd, o);
    if (o.persist) cmd.arg("PERSIST");
    return this.execute(cmd);
  }

  /**
   * Returns the substring of the value at `key` between `start` and `end` (inclusive, negative from the end).
   * {@link https://redis.io/docs/latest/commands/getrange/ GETRANGE}
   */
  getrange(key: RedisKey, start: number, end: number): Promise<Str<D>> {
    const cmd = new Command<Str<D>>("GETRANGE", toBulk).key(key).arg(start).arg(end);
    integer(cmd, "start", start);
    integer(cmd, "end", end);
    return this.execute(cmd);
  }

  /**
   * Sets `name` to `value` and returns the old value (`null` when there was none).
   * {@link https://redis.io/docs/latest/commands/getset/ GETSET}
   */
  getset(name: RedisKey, value: RedisValue): Promise<Str<D> | null> {
    return this.execute(new Command<Str<D> | null>("GETSET", toBulkOrNull).key(name).arg(value));
  }

  /**
   * Increments the integer at `name` by `amount` (default 1, sent as INCR);
   * resolves to the new value.
   * {@link https://redis.io/docs/latest/commands/incrby/ INCRBY}
   */
  incr(name: RedisKey, amount?: number): Promise<number> {
    return amount === undefined
      ? this.execute(new Command<number>("INCR", toNumber).key(name))
      : this.incrby(name, amount);
  }

  /**
   * Increments the integer at `name` by `amount`; resolves to the new value.
   * {@link https://redis.io/docs/latest/commands/incrby/ INCRBY}
   */
  incrby(name: RedisKey, amount: number = 1): Promise<number> {
    const cmd = new Command<number>("INCRBY", toNumber).key(name).arg(amount);
    integer(cmd, "amount", amount);
    return this.execute(cmd);
  }

  /**
   * Increments the number at `name` by the float `amount`; resolves to the new value.
   * {@link https://redis.io/docs/latest/commands/incrbyfloat/ INCRBYFLOAT}
   */
  incrbyfloat(name: RedisKey, amount: number = 1.0): Promise<number> {
    const cmd = new Command<number>("INCRBYFLOAT", toNumber).key(name).arg(amount);
    finite(cmd, "amount", amount);
    return this.execute(cmd);
  }

  /**
   * Returns the longest common subsequence of the strings at `key1` and
   * `key2`; with `len`, its length; with `idx`, the matching ranges (Redis 7+).
   * {@link https://redis.io/docs/latest/commands/lcs/ LCS}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.mset({ a: "ohmytext", b: "mynewtext" });
   * console.log(await r.lcs("a", "b")); // "mytext"
   * console.log(await r.lcs("a", "b", { len: true })); // 6
   * console.log((await r.lcs("a", "b", { idx: true })).len); // 6
   * ```
   */
  lcs(key1: RedisKey, key2: RedisKey, options: LcsOptions & { len: true }): Promise<number>;
  /** With `idx`: the matching ranges and the length. */
  lcs(key1: RedisKey, key2: RedisKey, options: LcsOptions & { idx: true }): Promise<LcsIdxResult>;
  /** Without `len`/`idx`: the longest common subsequence. */
  lcs(key1: RedisKey, key2: RedisKey, options?: LcsOptions): Promise<Str<D>>;
  lcs(key1: RedisKey, key2: RedisKey, options?: LcsOptions): Promise<Str<D> | number | LcsIdxResult> {
    const o = options !== null && typeof options === "object" ? options : {};
    const transform = o.len ? toNumber : o.idx ? toLcsIdx : undefined;
    const cmd = new Command<Str<D> | number | LcsIdxResult>("LCS", transform).key(key1).key(key2);
    optionsOf(cmd, options, LCS_KEYS);
    exclusive(cmd, o, ["len", "idx"]);
    if (o.len) cmd.arg("LEN");
    if (o.idx) cmd.arg("IDX");
    if (o.minmatchlen !== undefined) {
      integer(cmd, "minmatchlen", o.minmatchlen, 0);
      cmd.arg("MINMATCHLEN").arg(o.minmatchlen);
    }
    if (o.withmatchlen) cmd.arg("WITHMATCHLEN");
    return this.execute(cmd);
  }

  /**
   * Returns the values of keys, `null` for the missing ones. Takes an array
   * of keys and/or more keys as arguments, like redis-py; no key at all is
   * `[]`, answered without a round trip.
   * {@link https://redis.io/docs/latest/commands/mget/ MGET}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.set("a", "1");
   * console.log(await r.mget(["a", "b"])); // ["1", null]
   * console.log(await r.mget("a", "b")); // ["1", null]
   * ```
   */
  mget(keys: RedisKey | readonly RedisKey[], ...args: RedisKey[]): Promise<(Str<D> | null)[]> {
    const list = listOrArgs(keys, args);
    const cmd = new Command<(Str<D> | null)[]>("MGET", toBulksOrNull);
    // redis-py answers [] for no key (the server would refuse an MGET without one).
    return this.execute(list.length === 0 ? cmd.answer([]) : cmd.keysOf(list));
  }

  /**
   * Sets several keys; resolves to `true`. `mapping` is an object, a `Map` or `[key, value]` pairs.
   * {@link https://redis.io/docs/latest/commands/mset/ MSET}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.mset({ a: "1", b: 2 });
   * await r.mset(new Map([[new Uint8Array([0xff]), "bytes"]]));
   * ```
   */
  mset(mapping: Mapping<RedisKey, RedisValue>): Promise<true> {
    const cmd = new Command<true>("MSET", toTrue);
    for (const [k, v] of pairsOf(cmd, "mapping", mapping)) cmd.key(k).arg(v);
    return this.execute(cmd);
  }

  /**
   * Sets several keys only if none of them exists; resolves to whether it did (see `mset`).
   * {@link https://redis.io/docs/latest/commands/msetnx/ MSETNX}
   */
  msetnx(mapping: Mapping<RedisKey, RedisValue>): Promise<boolean> {
    const cmd = new Command<boolean>("MSETNX", toBoolean);
    for (const [k, v] of pairsOf(cmd, "mapping", mapping)) cmd.key(k).arg(v);
    return this.execute(cmd);
  }

  /**
   * Sets `name` to `value`, expiring in `timeMs` milliseconds; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/psetex/ PSETEX}
   */
  psetex(name: RedisKey, timeMs: number, value: RedisValue): Promise<true> {
    const cmd = new Command<true>("PSETEX", toTrue).key(name).arg(timeMs).arg(value);
    integer(cmd, "timeMs", timeMs, 1);
    return this.execute(cmd);
  }

  /**
   * Sets `name` to `value`. Resolves to `true`, or `null` when `nx`/`xx`
   * prevented the write; with `get: true`, to the previous value instead.
   * {@link https://redis.io/docs/latest/commands/set/ SET}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.set("k", "v1");
   * console.log(await r.set("k", "v2", { nx: true })); // null
   * console.log(await r.set("k", "v3", { get: true })); // "v1"
   * ```
   */
  set(name: RedisKey, value: RedisValue, options: SetOptions & { get: true }): Promise<Str<D> | null>;
  /** Without `get`: `true`, or `null` when `nx`/`xx` prevented the write. */
  set(name: RedisKey, value: RedisValue, options?: SetOptions): Promise<true | null>;
  set(name: RedisKey, value: RedisValue, options?: SetOptions): Promise<Str<D> | true | null> {
    const get = options !== null && typeof options === "object" && options.get;
    const cmd = new Command<Str<D> | true | null>("SET", get ? toBulkOrNull : toOkOrNull).key(name).arg(
      value,
    );
    if (options === undefined) return this.execute(cmd); // the common case: no option to check
    const o = optionsOf(cmd, options, SET_KEYS);
    exclusive(cmd, o, ["ex", "px", "exat", "pxat", "keepttl"]);
    exclusive(cmd, o, ["nx", "xx"]);
    expiryArgs(cmd, o);
    if (o.keepttl) cmd.arg("KEEPTTL");
    if (o.nx) cmd.arg("NX");
    else if (o.xx) cmd.arg("XX");
    if (o.get) cmd.arg("GET");
    return this.execute(cmd);
  }

  /**
   * Sets `name` to `value`, expiring in `time` seconds; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/setex/ SETEX}
   */
  setex(name: RedisKey, time: number, value: RedisValue): Promise<true> {
    const cmd = new Command<true>("SETEX", toTrue).key(name).arg(time).arg(value);
    integer(cmd, "time", time, 1);
    return this.execute(cmd);
  }

  /**
   * Sets `name` to `value` unless it exists; resolves to whether it did.
   * {@link https://redis.io/docs/latest/commands/setnx/ SETNX}
   */
  setnx(name: RedisKey, value: RedisValue): Promise<boolean> {
    return this.execute(new Command<boolean>("SETNX", toBoolean).key(name).arg(value));
  }

  /**
   * Overwrites the string at `name` from byte `offset` with `value`
   * (zero-padding as needed); resolves to the new length.
   * {@link https://redis.io/docs/latest/commands/setrange/ SETRANGE}
   */
  setrange(name: RedisKey, offset: number, value: RedisValue): Promise<number> {
    const cmd = new Command<number>("SETRANGE", toNumber).key(name).arg(offset).arg(value);
    integer(cmd, "offset", offset, 0);
    return this.execute(cmd);
  }

  /**
   * Returns the length, in bytes, of the string at `name` (0 when it does not exist).
   * {@link https://redis.io/docs/latest/commands/strlen/ STRLEN}
   */
  strlen(name: RedisKey): Promise<number> {
    return this.execute(new Command<number>("STRLEN", toNumber).key(name));
  }

  /**
   * Returns the substring of the value at `name` from `start` to `end` (inclusive; default: the end).
   * {@link https://redis.io/docs/latest/commands/substr/ SUBSTR}
   */
  substr(name: RedisKey, start: number, end: number = -1): Promise<Str<D>> {
    const cmd = new Command<Str<D>>("SUBSTR", toBulk).key(name).arg(start).arg(end);
    integer(cmd, "start", start);
    integer(cmd, "end", end);
    return this.execute(cmd);
  }
}
