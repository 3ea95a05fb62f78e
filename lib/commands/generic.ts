/**
 * Generic (keyspace) commands: DEL, EXISTS, EXPIRE, SCAN and friends.
 *
 * @module
 */

import { DiagnosticsCommands } from "./diagnostics.ts";
import { Command, type RedisKey, type Str } from "./command.ts";
import {
  toBoolean,
  toBulkOrNull,
  toBulks,
  toInteger,
  toNumber,
  toScan,
  toText,
  toTextOrNull,
  toTrue,
} from "./reply.ts";
import {
  exclusive,
  integer,
  optionKeys,
  optionsOf,
  scanArgs,
  type ScanOptions,
  unixTime,
} from "./validate.ts";

/**
 * Conditions of `expire`, `pexpire`, `expireat` and `pexpireat` (Redis 7+):
 * set the expiry only when the key has none (`nx`), has one (`xx`), or when
 * the new one is later (`gt`) or earlier (`lt`). `nx` excludes the others,
 * `gt` excludes `lt`.
 *
 * @example
 * ```ts
 * import type { ExpireOptions } from "@uniredis/redis";
 * const o: ExpireOptions = { xx: true, gt: true };
 * console.log(o.gt); // true
 * ```
 */
export interface ExpireOptions {
  /** Only when the key has no expiry. */
  nx?: boolean;
  /** Only when the key has an expiry. */
  xx?: boolean;
  /** Only when the new expiry is later than the current one. */
  gt?: boolean;
  /** Only when the new expiry is earlier than the current one. */
  lt?: boolean;
}

const EXPIRE_KEYS = optionKeys<ExpireOptions>({ nx: true, xx: true, gt: true, lt: true });

/**
 * Options of `copy`.
 *
 * @example
 * ```ts
 * import type { CopyOptions } from "@uniredis/redis";
 * const o: CopyOptions = { destinationDb: 1, replace: true };
 * console.log(o.destinationDb); // 1
 * ```
 */
export interface CopyOptions {
  /** Copy into this database instead of the current one. */
  destinationDb?: number;
  /** Overwrite `destination` when it exists. */
  replace?: boolean;
}

const COPY_KEYS = optionKeys<CopyOptions>({ destinationDb: true, replace: true });

/**
 * Options of `restore`.
 *
 * @example
 * ```ts
 * import type { RestoreOptions } from "@uniredis/redis";
 * const o: RestoreOptions = { replace: true, idletime: 10 };
 * console.log(o.replace); // true
 * ```
 */
export interface RestoreOptions {
  /** Overwrite the key when it exists. */
  replace?: boolean;
  /** `ttl` is an absolute Unix time in milliseconds instead of a duration. */
  absttl?: boolean;
  /** Set the key's idle time, in seconds (LRU policies). */
  idletime?: number;
  /** Set the key's access frequency (LFU policies). */
  frequency?: number;
}

const RESTORE_KEYS = optionKeys<RestoreOptions>({
  replace: true,
  absttl: true,
  idletime: true,
  frequency: true,
});

/** Appends the EXPIRE family's condition flags, checking their combination. */
function expireFlags(cmd: Command<unknown>, options: ExpireOptions | undefined): Command<unknown> {
  const o = optionsOf(cmd, options, EXPIRE_KEYS);
  exclusive(cmd, o, ["nx", "xx"]);
  exclusive(cmd, o, ["nx", "gt"]);
  exclusive(cmd, o, ["nx", "lt"]);
  exclusive(cmd, o, ["gt", "lt"]);
  if (o.nx) cmd.arg("NX");
  if (o.xx) cmd.arg("XX");
  if (o.gt) cmd.arg("GT");
  if (o.lt) cmd.arg("LT");
  return cmd;
}

/**
 * Generic commands, in redis-py's argument order.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * await r.set("k", "v");
 * console.log(await r.expire("k", 60), await r.ttl("k")); // true 60
 * ```
 */
export abstract class GenericCommands<D extends boolean = true> extends DiagnosticsCommands<D> {
  /**
   * Deletes keys; resolves to how many existed.
   * {@link https://redis.io/docs/latest/commands/del/ DEL}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * console.log(await r.delete("a", "b")); // 0
   * ```
   */
  delete(...names: RedisKey[]): Promise<number> {
    return this.execute(new Command<number>("DEL", toNumber).keysOf(names));
  }

  /**
   * Deletes keys; resolves to how many existed (same as `delete`).
   * {@link https://redis.io/docs/latest/commands/del/ DEL}
   */
  del(...names: RedisKey[]): Promise<number> {
    return this.delete(...names);
  }

  /**
   * Resolves to how many of `names` exist (a key named twice counts twice).
   * {@link https://redis.io/docs/latest/commands/exists/ EXISTS}
   */
  exists(...names: RedisKey[]): Promise<number> {
    return this.execute(new Command<number>("EXISTS", toNumber).keysOf(names));
  }

  /**
   * Sets `name` to expire in `time` seconds; resolves to `false` when the key
   * does not exist or a condition (`nx`, `xx`, `gt`, `lt`) was not met.
   * {@link https://redis.io/docs/latest/commands/expire/ EXPIRE}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.set("session", "x");
   * console.log(await r.expire("session", 30, { nx: true })); // true
   * ```
   */
  expire(name: RedisKey, time: number, options?: ExpireOptions): Promise<boolean> {
    const cmd = new Command<boolean>("EXPIRE", toBoolean).key(name).arg(time);
    integer(cmd, "time", time);
    return this.execute(expireFlags(cmd, options) as Command<boolean>);
  }

  /**
   * Sets `name` to expire at `when`, a `Date` or a Unix time in seconds (see `expire`).
   * {@link https://redis.io/docs/latest/commands/expireat/ EXPIREAT}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.set("k", "v");
   * console.log(await r.expireat("k", new Date(Date.now() + 60_000))); // true
   * ```
   */
  expireat(name: RedisKey, when: number | Date, options?: ExpireOptions): Promise<boolean> {
    const cmd = new Command<boolean>("EXPIREAT", toBoolean).key(name);
    cmd.arg(unixTime(cmd, "when", when, "s"));
    return this.execute(expireFlags(cmd, options) as Command<boolean>);
  }

  /**
   * Returns the Unix time, in seconds, at which `key` expires: -1 when it
   * has no expiry, -2 when it does not exist (Redis 7+).
   * {@link https://redis.io/docs/latest/commands/expiretime/ EXPIRETIME}
   */
  expiretime(key: RedisKey): Promise<number> {
    return this.execute(new Command<number>("EXPIRETIME", toNumber).key(key));
  }

  /**
   * Sets `name` to expire in `time` milliseconds (see `expire`).
   * {@link https://redis.io/docs/latest/commands/pexpire/ PEXPIRE}
   */
  pexpire(name: RedisKey, time: number, options?: ExpireOptions): Promise<boolean> {
    const cmd = new Command<boolean>("PEXPIRE", toBoolean).key(name).arg(time);
    integer(cmd, "time", time);
    return this.execute(expireFlags(cmd, options) as Command<boolean>);
  }

  /**
   * Sets `name` to expire at `when`, a `Date` or a Unix time in milliseconds (see `expire`).
   * {@link https://redis.io/docs/latest/commands/pexpireat/ PEXPIREAT}
   */
  pexpireat(name: RedisKey, when: number | Date, options?: ExpireOptions): Promise<boolean> {
    const cmd = new Command<boolean>("PEXPIREAT", toBoolean).key(name);
    cmd.arg(unixTime(cmd, "when", when, "ms"));
    return this.execute(expireFlags(cmd, options) as Command<boolean>);
  }

  /**
   * Like `expiretime`, in milliseconds (Redis 7+).
   * {@link https://redis.io/docs/latest/commands/pexpiretime/ PEXPIRETIME}
   */
  pexpiretime(key: RedisKey): Promise<number> {
    return this.execute(new Command<number>("PEXPIRETIME", toNumber).key(key));
  }

  /**
   * Removes the expiry of `name`; resolves to `false` when it had none or does not exist.
   * {@link https://redis.io/docs/latest/commands/persist/ PERSIST}
   */
  persist(name: RedisKey): Promise<boolean> {
    return this.execute(new Command<boolean>("PERSIST", toBoolean).key(name));
  }

  /**
   * Returns the seconds until `name` expires: -1 when it has no expiry, -2 when it does not exist.
   * {@link https://redis.io/docs/latest/commands/ttl/ TTL}
   */
  ttl(name: RedisKey): Promise<number> {
    return this.execute(new Command<number>("TTL", toNumber).key(name));
  }

  /**
   * Like `ttl`, in milliseconds.
   * {@link https://redis.io/docs/latest/commands/pttl/ PTTL}
   */
  pttl(name: RedisKey): Promise<number> {
    return this.execute(new Command<number>("PTTL", toNumber).key(name));
  }

  /**
   * Returns the keys matching `pattern` (it scans the whole database: prefer `scanIter`).
   * {@link https://redis.io/docs/latest/commands/keys/ KEYS}
   */
  keys(pattern: string | Uint8Array = "*"): Promise<Str<D>[]> {
    return this.execute(new Command<Str<D>[]>("KEYS", toBulks).arg(pattern));
  }

  /**
   * Returns a random key, or `null` when the database is empty.
   * {@link https://redis.io/docs/latest/commands/randomkey/ RANDOMKEY}
   */
  randomkey(): Promise<Str<D> | null> {
    return this.execute(new Command<Str<D> | null>("RANDOMKEY", toBulkOrNull));
  }

  /**
   * Renames `src` to `dst`, overwriting it; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/rename/ RENAME}
   */
  rename(src: RedisKey, dst: RedisKey): Promise<true> {
    return this.execute(new Command<true>("RENAME", toTrue).key(src).key(dst));
  }

  /**
   * Renames `src` to `dst` unless `dst` exists; resolves to whether it did.
   * {@link https://redis.io/docs/latest/commands/renamenx/ RENAMENX}
   */
  renamenx(src: RedisKey, dst: RedisKey): Promise<boolean> {
    return this.execute(new Command<boolean>("RENAMENX", toBoolean).key(src).key(dst));
  }

  /**
   * Returns the type of `name` (`"string"`, `"list"`, `"hash"`, ..., or `"none"`), always as text.
   * {@link https://redis.io/docs/latest/commands/type/ TYPE}
   */
  type(name: RedisKey): Promise<string> {
    return this.execute(new Command<string>("TYPE", toText).key(name));
  }

  /**
   * Deletes keys, freeing their memory in the background; resolves to how many existed.
   * {@link https://redis.io/docs/latest/commands/unlink/ UNLINK}
   */
  unlink(...names: RedisKey[]): Promise<number> {
    return this.execute(new Command<number>("UNLINK", toNumber).keysOf(names));
  }

  /**
   * Updates the last access time of keys; resolves to how many exist.
   * {@link https://redis.io/docs/latest/commands/touch/ TOUCH}
   */
  touch(...names: RedisKey[]): Promise<number> {
    return this.execute(new Command<number>("TOUCH", toNumber).keysOf(names));
  }

  /**
   * Copies `source` to `destination`; resolves to `false` when `destination`
   * exists and `replace` is not set.
   * {@link https://redis.io/docs/latest/commands/copy/ COPY}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.set("a", "1");
   * console.log(await r.copy("a", "b", { destinationDb: 1, replace: true })); // true
   * ```
   */
  copy(source: RedisKey, destination: RedisKey, options?: CopyOptions): Promise<boolean> {
    const cmd = new Command<boolean>("COPY", toBoolean).key(source).key(destination);
    const o = optionsOf(cmd, options, COPY_KEYS);
    if (o.destinationDb !== undefined) {
      integer(cmd, "destinationDb", o.destinationDb, 0);
      cmd.arg("DB").arg(o.destinationDb);
    }
    if (o.replace) cmd.arg("REPLACE");
    return this.execute(cmd);
  }

  /**
   * Returns the serialized value of `name` (always bytes, whatever the
   * client's decoding), or `null` when it does not exist. See `restore`.
   * {@link https://redis.io/docs/latest/commands/dump/ DUMP}
   */
  dump(name: RedisKey): Promise<Uint8Array | null> {
    const cmd = new Command<Uint8Array | null>("DUMP", toBulkOrNull).key(name);
    cmd.binaryReply = true;
    return this.execute(cmd);
  }

  /**
   * Creates `name` from a `dump` payload, expiring in `ttl` milliseconds (0:
   * never); resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/restore/ RESTORE}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.set("src", "v");
   * const payload = await r.dump("src");
   * await r.restore("copy", 0, payload!, { replace: true });
   * ```
   */
  restore(name: RedisKey, ttl: number, value: Uint8Array, options?: RestoreOptions): Promise<true> {
    const cmd = new Command<true>("RESTORE", toTrue).key(name).arg(ttl).arg(value);
    integer(cmd, "ttl", ttl, 0);
    const o = optionsOf(cmd, options, RESTORE_KEYS);
    if (o.replace) cmd.arg("REPLACE");
    if (o.absttl) cmd.arg("ABSTTL");
    if (o.idletime !== undefined) {
      integer(cmd, "idletime", o.idletime, 0);
      cmd.arg("IDLETIME").arg(o.idletime);
    }
    if (o.frequency !== undefined) {
      integer(cmd, "frequency", o.frequency, 0);
      cmd.arg("FREQ").arg(o.frequency);
    }
    return this.execute(cmd);
  }

  /**
   * Moves `name` to database `db`; resolves to `false` when it was not moved
   * (missing here, or already there).
   * {@link https://redis.io/docs/latest/commands/move/ MOVE}
   */
  move(name: RedisKey, db: number): Promise<boolean> {
    const cmd = new Command<boolean>("MOVE", toBoolean).key(name).arg(db);
    integer(cmd, "db", db, 0);
    return this.execute(cmd);
  }

  /**
   * Returns the internal encoding of `key`'s value (`"listpack"`, `"int"`, ...), or `null` when it does not exist.
   * {@link https://redis.io/docs/latest/commands/object-encoding/ OBJECT ENCODING}
   */
  objectEncoding(key: RedisKey): Promise<string | null> {
    return this.execute(new Command<string | null>(["OBJECT", "ENCODING"], toTextOrNull).key(key));
  }

  /**
   * Returns the access frequency of `key` (LFU policies only), or `null` when it does not exist.
   * {@link https://redis.io/docs/latest/commands/object-freq/ OBJECT FREQ}
   */
  objectFreq(key: RedisKey): Promise<number | null> {
    return this.execute(new Command<number | null>(["OBJECT", "FREQ"], toInteger).key(key));
  }

  /**
   * Returns the seconds since `key` was last accessed, or `null` when it does not exist.
   * {@link https://redis.io/docs/latest/commands/object-idletime/ OBJECT IDLETIME}
   */
  objectIdletime(key: RedisKey): Promise<number | null> {
    return this.execute(new Command<number | null>(["OBJECT", "IDLETIME"], toInteger).key(key));
  }

  /**
   * Returns the reference count of `key`'s value, or `null` when it does not exist.
   * {@link https://redis.io/docs/latest/commands/object-refcount/ OBJECT REFCOUNT}
   */
  objectRefcount(key: RedisKey): Promise<number | null> {
    return this.execute(new Command<number | null>(["OBJECT", "REFCOUNT"], toInteger).key(key));
  }

  /**
   * Returns one page of keys and the cursor of the next (`"0"` when done).
   * {@link https://redis.io/docs/latest/commands/scan/ SCAN}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * let cursor = "0";
   * do {
   *   const [next, keys] = await r.scan(cursor, { match: "user:*", count: 100 });
   *   cursor = next;
   *   console.log(keys);
   * } while (cursor !== "0");
   * ```
   */
  scan(cursor: string | number | bigint = 0, options?: ScanOptions): Promise<[string, Str<D>[]]> {
    const cmd = new Command<[string, Str<D>[]]>("SCAN", toScan);
    scanArgs(cmd, cursor, options, true);
    return this.execute(cmd);
  }

  /**
   * Iterates over the keys with SCAN, following the cursor. A key may be
   * yielded more than once when the keyspace changes during the iteration.
   * {@link https://redis.io/docs/latest/commands/scan/ SCAN}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * for await (const key of r.scanIter({ match: "user:*", type: "hash" })) console.log(key);
   * ```
   */
  async *scanIter(options?: ScanOptions): AsyncGenerator<Str<D>, void, undefined> {
    let cursor = "0";
    do {
      const [next, keys] = await this.scan(cursor, options);
      cursor = next;
      yield* keys;
    } while (cursor !== "0");
  }
}
