/**
 * SORT, SORT_RO and MIGRATE: generic commands whose options are long enough
 * to deserve their own file.
 *
 * @module
 */

import { GenericCommands } from "./generic.ts";
import { Command, type RedisKey, type Str } from "./command.ts";
import type { RespValue } from "../protocol/types.ts";
import { toNumber, toText } from "./reply.ts";
import { integer, nonEmpty, optionKeys, optionsOf } from "./validate.ts";

/**
 * Options of `sortRo` (and `sort`), as redis-py's `sort` keywords.
 *
 * @example
 * ```ts
 * import type { SortOptions } from "@uniredis/redis";
 * const o: SortOptions = { by: "weight_*", get: ["#", "name_*"], desc: true, start: 0, num: 10 };
 * console.log(o.num); // 10
 * ```
 */
export interface SortOptions {
  /** Skip this many elements; needs `num`. */
  start?: number;
  /** Return at most this many elements; needs `start`. */
  num?: number;
  /** Sort by the values of keys built from this pattern (`weight_*`), or `"nosort"`. */
  by?: string;
  /** Return the values of keys built from these patterns (`#` is the element itself). */
  get?: string | readonly string[];
  /** Sort in descending order. */
  desc?: boolean;
  /** Sort lexicographically instead of numerically. */
  alpha?: boolean;
}

const SORT_KEYS = optionKeys<SortOptions>({
  start: true,
  num: true,
  by: true,
  get: true,
  desc: true,
  alpha: true,
});

/**
 * Options of `sort`: those of `sortRo`, plus storing and grouping.
 *
 * @example
 * ```ts
 * import type { SortStoreOptions } from "@uniredis/redis";
 * const o: SortStoreOptions = { alpha: true, store: "sorted" };
 * console.log(o.store); // "sorted"
 * ```
 */
export interface SortStoreOptions extends SortOptions {
  /** Store the result in this key; the reply is then its length. */
  store?: RedisKey;
  /** Group the `get` values per element (needs at least two `get` patterns), as redis-py does. */
  groups?: boolean;
}

const SORT_STORE_KEYS = optionKeys<SortStoreOptions>({
  start: true,
  num: true,
  by: true,
  get: true,
  desc: true,
  alpha: true,
  store: true,
  groups: true,
});

/**
 * Options of `migrate`.
 *
 * @example
 * ```ts
 * import type { MigrateOptions } from "@uniredis/redis";
 * const o: MigrateOptions = { copy: true, auth2: ["user", "secret"] };
 * console.log(o.copy); // true
 * ```
 */
export interface MigrateOptions {
  /** Keep the keys on this server. */
  copy?: boolean;
  /** Overwrite existing keys on the destination. */
  replace?: boolean;
  /** Password of the destination (AUTH). */
  auth?: string;
  /** User and password of the destination (AUTH2, Redis 6+). */
  auth2?: readonly [username: string, password: string];
}

const MIGRATE_KEYS = optionKeys<MigrateOptions>({ copy: true, replace: true, auth: true, auth2: true });

/**
 * SORT, SORT_RO and MIGRATE.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * await r.rpush("ids", "3", "1", "2");
 * console.log(await r.sort("ids")); // ["1", "2", "3"]
 * ```
 */
export abstract class SortCommands<D extends boolean = true> extends GenericCommands<D> {
  /**
   * Sorts the list, set or sorted set at `name`. Resolves to the sorted
   * elements (or the `get` values, `null` where a key is missing); with
   * `store`, to the length of the stored list; with `groups`, to one array of
   * `get` values per element.
   * {@link https://redis.io/docs/latest/commands/sort/ SORT}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.rpush("users", "2", "1");
   * await r.mset({ "name_1": "ada", "name_2": "alan", "age_1": "36", "age_2": "41" });
   * console.log(await r.sort("users", { get: ["name_*", "age_*"], groups: true })); // [["ada", "36"], ["alan", "41"]]
   * ```
   */
  sort(name: RedisKey, options: SortStoreOptions & { store: RedisKey }): Promise<number>;
  /** With `groups`: one array of `get` values per element. */
  sort(name: RedisKey, options: SortStoreOptions & { groups: true }): Promise<(Str<D> | null)[][]>;
  /** The sorted elements, or their `get` values (`null` where a key is missing). */
  sort(name: RedisKey, options?: SortStoreOptions): Promise<(Str<D> | null)[]>;
  sort(
    name: RedisKey,
    options?: SortStoreOptions,
  ): Promise<number | (Str<D> | null)[] | (Str<D> | null)[][]> {
    // The reply's shape follows the options, so pick the transform before building.
    const given = typeof options === "object" && options !== null ? options : undefined;
    const getCount = given?.get === undefined ? 0 : typeof given.get === "string" ? 1 : given.get.length;
    const transform = given?.store !== undefined
      ? toNumber
      : given?.groups
      ? (reply: RespValue) => chunks<Str<D> | null>(reply, getCount)
      : undefined;
    const cmd = new Command<number | (Str<D> | null)[] | (Str<D> | null)[][]>("SORT", transform).key(name);
    const o = optionsOf(cmd, options, SORT_STORE_KEYS);
    sortArgs(cmd, o);
    if (o.groups && o.store !== undefined) cmd.fail("SORT: groups cannot be combined with store");
    if (o.groups && getCount < 2) cmd.fail("SORT: groups needs at least two get patterns");
    if (o.store !== undefined) cmd.arg("STORE").key(o.store);
    return this.execute(cmd);
  }

  /**
   * Read-only SORT (no STORE), usable on replicas (Redis 7+).
   * {@link https://redis.io/docs/latest/commands/sort_ro/ SORT_RO}
   */
  sortRo(key: RedisKey, options?: SortOptions): Promise<(Str<D> | null)[]> {
    const cmd = new Command<(Str<D> | null)[]>("SORT_RO").key(key);
    sortArgs(cmd, optionsOf(cmd, options, SORT_KEYS));
    return this.execute(cmd);
  }

  /**
   * Moves (or with `copy`, copies) `keys` to the server at `host:port`, into
   * database `destinationDb`, waiting at most `timeout` milliseconds for it.
   * Resolves to `"OK"`, or `"NOKEY"` when none of the keys exists.
   * {@link https://redis.io/docs/latest/commands/migrate/ MIGRATE}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * console.log(await r.migrate("10.0.0.2", 6379, ["session:1"], 0, 5000, { copy: true }));
   * ```
   */
  migrate(
    host: string,
    port: number,
    keys: readonly RedisKey[],
    destinationDb: number,
    timeout: number,
    options?: MigrateOptions,
  ): Promise<"OK" | "NOKEY"> {
    const cmd = new Command<"OK" | "NOKEY">("MIGRATE", (reply) => toText(reply) as "OK" | "NOKEY");
    if (typeof host !== "string" || host === "") cmd.fail("MIGRATE: host must be a non-empty string");
    integer(cmd, "port", port, 1);
    integer(cmd, "destinationDb", destinationDb, 0);
    integer(cmd, "timeout", timeout, 0);
    cmd.arg(host).arg(port).arg("").arg(destinationDb).arg(timeout);
    const o = optionsOf(cmd, options, MIGRATE_KEYS);
    if (o.copy) cmd.arg("COPY");
    if (o.replace) cmd.arg("REPLACE");
    if (o.auth !== undefined && o.auth2 !== undefined) {
      cmd.fail("MIGRATE: auth and auth2 are mutually exclusive");
    }
    if (o.auth !== undefined) cmd.arg("AUTH").arg(o.auth);
    if (o.auth2 !== undefined) {
      if (!Array.isArray(o.auth2) || o.auth2.length !== 2) {
        cmd.fail("MIGRATE: auth2 must be [username, password]");
      } else cmd.arg("AUTH2").arg(o.auth2[0]).arg(o.auth2[1]);
    }
    cmd.arg("KEYS").keysOf(nonEmpty(cmd, "keys", keys));
    return this.execute(cmd);
  }
}

/** Appends the options SORT and SORT_RO share. */
function sortArgs(cmd: Command<unknown>, o: SortOptions): void {
  if (o.by !== undefined) cmd.arg("BY").arg(o.by);
  if ((o.start === undefined) !== (o.num === undefined)) {
    cmd.fail(`${cmd.args[0]}: start and num must be given together`);
  } else if (o.start !== undefined) {
    integer(cmd, "start", o.start, 0);
    integer(cmd, "num", o.num);
    cmd.arg("LIMIT").arg(o.start).arg(o.num!);
  }
  const gets = o.get === undefined ? [] : typeof o.get === "string" ? [o.get] : o.get;
  if (!Array.isArray(gets)) cmd.fail(`${cmd.args[0]}: get must be a pattern or an array of patterns`);
  else for (const pattern of gets) cmd.arg("GET").arg(pattern);
  if (o.desc) cmd.arg("DESC");
  if (o.alpha) cmd.arg("ALPHA");
}

/** Splits a flat reply into rows of `size` (SORT ... GET a GET b with groups). */
function chunks<T>(reply: RespValue, size: number): T[][] {
  const flat = reply as T[];
  const rows: T[][] = [];
  for (let i = 0; i < flat.length; i += size) rows.push(flat.slice(i, i + size));
  return rows;
}
