/**
 * Argument checks shared by command definitions. They mark the command as
 * failed (see `Command.fail`) instead of throwing, so a method returns a
 * rejected promise and nothing is sent.
 *
 * @module
 */

import { type Command, describeValue } from "./command.ts";
import { DataError } from "../errors.ts";

/**
 * Fails `cmd` when more than one of `names` is set in `options` (a value other
 * than `undefined`, `false` or `null`).
 *
 * @example
 * ```ts
 * import { Command, exclusive } from "@uniredis/redis";
 * const cmd = new Command("SET");
 * exclusive(cmd, { ex: 1, px: 2 }, ["ex", "px"]);
 * console.log(cmd.error?.message); // "SET: ex and px are mutually exclusive"
 * ```
 */
export function exclusive<O extends object>(
  cmd: Command<unknown>,
  options: O,
  names: readonly (keyof O)[],
): void {
  let seen: keyof O | undefined;
  for (const name of names) {
    const v = options[name];
    if (v === undefined || v === false || v === null) continue;
    if (seen !== undefined) {
      cmd.fail(`${cmd.name}: ${String(seen)} and ${String(name)} are mutually exclusive`);
      return;
    }
    seen = name;
  }
}

/**
 * Fails `cmd` unless `value` is a finite number (or a bigint) — for counts,
 * timeouts and scores where `NaN` or `Infinity` would be rejected by Redis or
 * mean something unintended.
 *
 * @example
 * ```ts
 * import { Command, finite } from "@uniredis/redis";
 * const cmd = new Command("EXPIRE");
 * finite(cmd, "seconds", NaN);
 * console.log(cmd.error !== undefined); // true
 * ```
 */
export function finite(cmd: Command<unknown>, what: string, value: unknown): void {
  if (typeof value === "bigint") return;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    const got = typeof value === "number" ? String(value) : describeValue(value);
    cmd.fail(`${cmd.name}: ${what} must be a finite number, got ${got}`);
  }
}

/**
 * The option names an options interface accepts, built by `optionKeys`. The
 * phantom member ties the list to exactly the interface's keys, so
 * `optionsOf` refuses a list that misses a field or names one too many.
 *
 * @example
 * ```ts
 * import { optionKeys, type OptionKeys } from "@uniredis/redis";
 * const keys: OptionKeys<"ex" | "px"> = optionKeys<{ ex?: number; px?: number }>({ ex: true, px: true });
 * console.log([...keys]); // ["ex", "px"]
 * ```
 */
export type OptionKeys<K extends PropertyKey> = readonly string[] & {
  /** Never set: makes `OptionKeys<"a">` and `OptionKeys<"a" | "b">` incompatible. */
  readonly optionKeysOf?: (key: K) => K;
};

/**
 * Lists the keys of the options interface `O` once, next to it: the record
 * must name every key of `O` and nothing else (the compiler checks both), so
 * a field added to an interface without being listed fails type checking.
 *
 * @example
 * ```ts
 * import { optionKeys } from "@uniredis/redis";
 * interface PageOptions { offset?: number; count?: number }
 * const PAGE_KEYS = optionKeys<PageOptions>({ offset: true, count: true });
 * console.log(PAGE_KEYS.join(", ")); // "offset, count"
 * ```
 */
export function optionKeys<O extends object>(keys: { readonly [K in keyof O]-?: true }): OptionKeys<keyof O> {
  return Object.freeze(Object.keys(keys));
}

/**
 * Returns `options` when it is an object, `{}` when it is `undefined` or
 * `null`, and fails `cmd` (returning `{}`) for anything else, so a method can
 * read its options without risking a `TypeError`. A key not in `accepted`
 * fails `cmd` too, even when its value is `undefined`: plain JavaScript has no
 * compiler to catch `{ exx: 10 }`. Without `accepted`, keys are not checked.
 *
 * @example
 * ```ts
 * import { Command, optionKeys, optionsOf } from "@uniredis/redis";
 * interface PageOptions { match?: string; count?: number }
 * const KEYS = optionKeys<PageOptions>({ match: true, count: true });
 * const fromUser: PageOptions = JSON.parse('{ "cuont": 10 }'); // plain data: no compiler to catch it
 * const cmd = new Command("SCAN");
 * optionsOf(cmd, fromUser, KEYS);
 * console.log(cmd.error?.message); // 'SCAN: unknown option "cuont" (accepted: match, count)'
 * ```
 */
export function optionsOf<O extends object>(
  cmd: Command<unknown>,
  options: O | null | undefined,
  accepted?: OptionKeys<NoInfer<keyof O>>,
): Partial<O> {
  if (options === undefined || options === null) return {};
  if (typeof options !== "object" || Array.isArray(options) || options instanceof Uint8Array) {
    cmd.fail(`${cmd.name}: options must be an object, got ${describeValue(options)}`);
    return {};
  }
  if (accepted !== undefined) {
    for (const key in options) {
      if (accepted.includes(key)) continue;
      cmd.fail(unknownOption(cmd.name, key, accepted));
      break;
    }
  }
  return options;
}

/**
 * The message of an unknown option, shared by command methods and constructors.
 *
 * @example
 * ```ts
 * import { unknownOption } from "@uniredis/redis";
 * console.log(unknownOption("SET", "exx", ["ex", "px"])); // 'SET: unknown option "exx" (accepted: ex, px)'
 * ```
 */
export function unknownOption(owner: string, key: string, accepted: readonly string[]): string {
  return `${owner}: unknown option ${JSON.stringify(key)} (accepted: ${accepted.join(", ")})`;
}

/**
 * Throws a `DataError` when `options` (an object, `undefined` or `null`) has
 * a key not in `accepted`: the constructor-side twin of `optionsOf`.
 *
 * @example
 * ```ts
 * import { checkOptionKeys, optionKeys } from "@uniredis/redis";
 * interface LockLikeOptions { timeout?: number }
 * const KEYS = optionKeys<LockLikeOptions>({ timeout: true });
 * const fromUser: LockLikeOptions = JSON.parse('{ "timout": 5 }');
 * try {
 *   checkOptionKeys("Lock", fromUser, KEYS);
 * } catch (e) {
 *   console.log((e as Error).message); // 'Lock: unknown option "timout" (accepted: timeout)'
 * }
 * ```
 */
export function checkOptionKeys<O extends object>(
  owner: string,
  options: O | null | undefined,
  accepted: OptionKeys<NoInfer<keyof O>>,
): void {
  if (options === undefined || options === null) return;
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new DataError(`${owner}: options must be an object, got ${describeValue(options)}`);
  }
  for (const key in options) {
    if (!accepted.includes(key)) throw new DataError(unknownOption(owner, key, accepted));
  }
}

/**
 * Fails `cmd` unless `value` is an integer (a safe integer number or a
 * bigint), optionally no smaller than `min`. For counts, indexes, offsets,
 * database numbers and whole seconds.
 *
 * @example
 * ```ts
 * import { Command, integer } from "@uniredis/redis";
 * const cmd = new Command("LINDEX");
 * integer(cmd, "index", 1.5);
 * console.log(cmd.error?.message); // "LINDEX: index must be an integer, got 1.5"
 * ```
 */
export function integer(cmd: Command<unknown>, what: string, value: unknown, min?: number): void {
  const ok = typeof value === "bigint" || (typeof value === "number" && Number.isSafeInteger(value));
  if (!ok) {
    const got = typeof value === "number" ? String(value) : describeValue(value);
    cmd.fail(`${cmd.name}: ${what} must be an integer, got ${got}`);
  } else if (min !== undefined && (value as number | bigint) < min) {
    cmd.fail(`${cmd.name}: ${what} must be at least ${min}, got ${String(value)}`);
  }
}

/**
 * Fails `cmd` unless `value` is a number that is not `NaN` (`Infinity` is
 * allowed and sent as `inf`), a bigint, or — when `strings` is true — a
 * string such as `"-inf"` or `"(1.5"` for score ranges.
 *
 * @example
 * ```ts
 * import { Command, score } from "@uniredis/redis";
 * const cmd = new Command("ZADD");
 * score(cmd, "score", NaN);
 * console.log(cmd.error?.message); // "ZADD: score must be a number (not NaN), got NaN"
 * ```
 */
export function score(cmd: Command<unknown>, what: string, value: unknown, strings = false): void {
  if (typeof value === "bigint" || (typeof value === "number" && !Number.isNaN(value))) return;
  if (strings && (typeof value === "string" || value instanceof Uint8Array)) return;
  const expected = strings ? "a number (not NaN) or a string" : "a number (not NaN)";
  cmd.fail(`${cmd.name}: ${what} must be ${expected}, got ${describeValue(value)}`);
}

/**
 * Fails `cmd` unless `values` is an array with at least one element; returns
 * it (or `[]`) so it can be appended.
 *
 * @example
 * ```ts
 * import { Command, nonEmpty } from "@uniredis/redis";
 * const cmd = new Command("SADD");
 * nonEmpty(cmd, "values", []);
 * console.log(cmd.error?.message); // "SADD needs at least one of values"
 * ```
 */
export function nonEmpty<T>(cmd: Command<unknown>, what: string, values: readonly T[]): readonly T[] {
  if (!Array.isArray(values)) {
    cmd.fail(`${cmd.name}: ${what} must be an array, got ${describeValue(values)}`);
    return [];
  }
  if (values.length === 0) cmd.fail(`${cmd.name} needs at least one of ${what}`);
  return values;
}

/**
 * redis-py's `list_or_args`: the keys of `mget(keys, ...args)` and friends,
 * where `keys` is either one key or an array of keys.
 *
 * @example
 * ```ts
 * import { listOrArgs } from "@uniredis/redis";
 * console.log(listOrArgs(["a", "b"], ["c"])); // ["a", "b", "c"]
 * console.log(listOrArgs("a", ["b"])); // ["a", "b"]
 * ```
 */
export function listOrArgs<T>(first: T | readonly T[], rest: readonly T[]): T[] {
  const head = Array.isArray(first) ? [...first] : [first as T];
  return Array.isArray(rest) ? head.concat(rest) : head;
}

/**
 * A mapping argument (MSET, HSET, ZADD, ZINTERSTORE weights...): a plain
 * object, a `Map`, or an array of `[key, value]` pairs (which, like a `Map`,
 * can hold `Uint8Array` keys and keeps duplicates and order).
 *
 * @example
 * ```ts
 * import type { Mapping } from "@uniredis/redis";
 * const a: Mapping<string, number> = { x: 1 };
 * const b: Mapping<string, number> = new Map([["x", 1]]);
 * const c: Mapping<string, number> = [["x", 1]];
 * console.log([a, b, c].length); // 3
 * ```
 */
export type Mapping<K, V> =
  | { readonly [key: string]: V }
  | ReadonlyMap<K, V>
  | readonly (readonly [K, V])[];

/**
 * The pairs of a `Mapping`. Fails `cmd` (returning `[]`) when `mapping` is
 * not one of the accepted forms, or when it is empty and `required`.
 *
 * @example
 * ```ts
 * import { Command, pairsOf } from "@uniredis/redis";
 * const cmd = new Command("MSET");
 * console.log(pairsOf(cmd, "mapping", { a: 1, b: 2 })); // [["a", 1], ["b", 2]]
 * pairsOf(cmd, "mapping", null as never);
 * console.log(cmd.error !== undefined); // true
 * ```
 */
export function pairsOf<K, V>(
  cmd: Command<unknown>,
  what: string,
  mapping: Mapping<K, V>,
  required = true,
): [K | string, V][] {
  let pairs: [K | string, V][];
  if (mapping instanceof Map) {
    pairs = [...(mapping as ReadonlyMap<K, V>)];
  } else if (Array.isArray(mapping)) {
    pairs = [];
    for (const pair of mapping as readonly unknown[]) {
      if (!Array.isArray(pair) || pair.length !== 2) {
        cmd.fail(`${cmd.name}: ${what} must hold [key, value] pairs, got ${describeValue(pair)}`);
        return [];
      }
      pairs.push([pair[0], pair[1]]);
    }
  } else if (typeof mapping === "object" && mapping !== null && !(mapping instanceof Uint8Array)) {
    pairs = Object.entries(mapping as { [key: string]: V });
  } else {
    cmd.fail(
      `${cmd.name}: ${what} must be an object, a Map or an array of pairs, got ${describeValue(mapping)}`,
    );
    return [];
  }
  if (required && pairs.length === 0) cmd.fail(`${cmd.name}: ${what} must not be empty`);
  return pairs;
}

/**
 * Checks that `value` is one of `allowed` (case-insensitive) and returns it
 * upper-cased, for arguments such as `"LEFT"`/`"RIGHT"` or `"SUM"`/`"MIN"`/`"MAX"`.
 *
 * @example
 * ```ts
 * import { Command, oneOf } from "@uniredis/redis";
 * const cmd = new Command("LMOVE");
 * console.log(oneOf(cmd, "src", "left", ["LEFT", "RIGHT"])); // "LEFT"
 * ```
 */
export function oneOf<T extends string>(
  cmd: Command<unknown>,
  what: string,
  value: unknown,
  allowed: readonly T[],
): T {
  const upper = typeof value === "string" ? value.toUpperCase() : undefined;
  if (upper === undefined || !(allowed as readonly string[]).includes(upper)) {
    const got = typeof value === "string" ? JSON.stringify(value) : describeValue(value);
    cmd.fail(`${cmd.name}: ${what} must be one of ${allowed.join(", ")}, got ${got}`);
    return allowed[0];
  }
  return upper as T;
}

/**
 * A Unix time as an integer in seconds (`unit` `"s"`) or milliseconds
 * (`"ms"`): a `Date` is converted (seconds are rounded down), a number must be
 * an integer. Fails `cmd` (returning `0`) otherwise.
 *
 * @example
 * ```ts
 * import { Command, unixTime } from "@uniredis/redis";
 * const cmd = new Command("EXPIREAT");
 * console.log(unixTime(cmd, "when", new Date(1_700_000_000_500), "s")); // 1700000000
 * ```
 */
export function unixTime(
  cmd: Command<unknown>,
  what: string,
  value: unknown,
  unit: "s" | "ms",
): number | bigint {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) {
      cmd.fail(`${cmd.name}: ${what} is an invalid Date`);
      return 0;
    }
    return unit === "s" ? Math.floor(ms / 1000) : ms;
  }
  integer(cmd, what, value);
  return typeof value === "number" || typeof value === "bigint" ? value : 0;
}

/**
 * Options of the SCAN family (`scan`, `hscan`, `sscan`, `zscan` and their
 * iterators). `type` is only understood by `scan`.
 *
 * @example
 * ```ts
 * import type { ScanOptions } from "@uniredis/redis";
 * const o: ScanOptions = { match: "user:*", count: 100, type: "hash" };
 * console.log(o.count); // 100
 * ```
 */
export interface ScanOptions {
  /** Only the items matching this glob-style pattern. */
  match?: string | Uint8Array;
  /** How much work the server does per call (a hint, not a limit). */
  count?: number;
  /** Only the keys of this type (`string`, `hash`, `zset`, ... — SCAN only). */
  type?: string;
}

const SCAN_KEYS = optionKeys<ScanOptions>({ match: true, count: true, type: true });

/**
 * Appends a SCAN cursor and the options of the SCAN family to `cmd`,
 * checking both. The cursor is a non-negative integer or its decimal text
 * (cursors can exceed 2^53, so they travel as strings).
 *
 * @example
 * ```ts
 * import { Command, scanArgs } from "@uniredis/redis";
 * const cmd = new Command("SCAN");
 * scanArgs(cmd, "0", { match: "a*", count: 10 }, true);
 * console.log(cmd.args); // ["SCAN", "0", "MATCH", "a*", "COUNT", 10]
 * ```
 */
export function scanArgs(
  cmd: Command<unknown>,
  cursor: unknown,
  options: ScanOptions | undefined,
  withType: boolean,
  accepted: readonly string[] = SCAN_KEYS,
): void {
  const ok = typeof cursor === "string"
    ? /^\d+$/.test(cursor)
    : typeof cursor === "bigint"
    ? cursor >= 0n
    : typeof cursor === "number" && Number.isSafeInteger(cursor) && cursor >= 0;
  if (!ok) {
    cmd.fail(`${cmd.name}: cursor must be a non-negative integer or its text, got ${describeValue(cursor)}`);
  }
  cmd.arg(ok ? (cursor as string | number | bigint) : 0);
  const o = optionsOf(cmd, options, accepted as typeof SCAN_KEYS); // ZSCAN adds scoreCastFunc
  if (o.match !== undefined) cmd.arg("MATCH").arg(o.match);
  if (o.count !== undefined) {
    integer(cmd, "count", o.count, 1);
    cmd.arg("COUNT").arg(o.count);
  }
  if (o.type !== undefined) {
    if (withType) cmd.arg("TYPE").arg(o.type);
    else cmd.fail(`${cmd.name} has no type option`);
  }
}

/**
 * Fails `cmd` unless `value` is a finite, non-negative number: the timeout,
 * in seconds (fractions allowed), of a blocking command (0 blocks forever).
 *
 * @example
 * ```ts
 * import { Command, timeout } from "@uniredis/redis";
 * const cmd = new Command("BLPOP");
 * timeout(cmd, -1);
 * console.log(cmd.error?.message); // "BLPOP: timeout must be a finite number >= 0, got -1"
 * ```
 */
export function timeout(cmd: Command<unknown>, value: unknown): void {
  if (
    typeof value === "bigint" ? value < 0n : typeof value !== "number" || !Number.isFinite(value) || value < 0
  ) {
    const got = typeof value === "number" ? String(value) : describeValue(value);
    cmd.fail(`${cmd.name}: timeout must be a finite number >= 0, got ${got}`);
  }
}
