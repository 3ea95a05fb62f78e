/**
 * Reply transforms shared by command definitions. Each accepts both the RESP2
 * and the RESP3 form of its reply, so a command has one JavaScript shape
 * whatever the protocol.
 *
 * @module
 */

import { InvalidResponse, RedisError } from "../errors.ts";
import type { RespValue } from "../protocol/types.ts";
import { parseDouble } from "../protocol/double.ts";

const textDecoder = new TextDecoder();

/** Reads a bulk string, simple string or number as text (for parsing numbers). */
function asText(reply: RespValue): string {
  if (typeof reply === "string") return reply;
  if (reply instanceof Uint8Array) return textDecoder.decode(reply);
  return String(reply);
}

/**
 * A float reply (`"1.5"`, `"inf"`, RESP3 double) as a number; `null` stays `null`.
 *
 * @example
 * ```ts
 * import { toFloat } from "@uniredis/redis";
 * console.log(toFloat("1.5"), toFloat("-inf")); // 1.5 -Infinity
 * ```
 */
export function toFloat(reply: RespValue): number | null {
  if (typeof reply === "number") return reply;
  if (reply === null) return null;
  if (typeof reply === "bigint") return Number(reply);
  // Anything else but text is the wrong shape (String() of a deep array would overflow the stack).
  if (typeof reply !== "string" && !(reply instanceof Uint8Array)) return unexpected("a number", reply);
  const s = asText(reply);
  const n = parseDouble(s);
  if (n === undefined) throw new InvalidResponse(`expected a number, got ${JSON.stringify(s)}`);
  return n;
}

/**
 * An integer reply as a number (a RESP2 bulk string is parsed too); `null` stays `null`.
 *
 * @example
 * ```ts
 * import { toInteger } from "@uniredis/redis";
 * console.log(toInteger("42"), toInteger(7)); // 42 7
 * ```
 */
export function toInteger(reply: RespValue): number | null {
  if (typeof reply === "number") return reply;
  if (reply === null) return null;
  if (typeof reply === "bigint") return Number(reply);
  return toFloat(reply);
}

/**
 * `1`/`0`, `true`/`false` or `"OK"` as a boolean.
 *
 * @example
 * ```ts
 * import { toBoolean } from "@uniredis/redis";
 * console.log(toBoolean(1), toBoolean(0), toBoolean("OK")); // true false true
 * ```
 */
export function toBoolean(reply: RespValue): boolean {
  if (typeof reply === "boolean") return reply;
  if (typeof reply === "number") return reply !== 0;
  if (reply === null || Array.isArray(reply) || reply instanceof Error) {
    return unexpected("an integer or OK", reply);
  }
  return reply === "OK";
}

/**
 * `"OK"` as `true`, a null reply (a condition not met) as `null`.
 *
 * @example
 * ```ts
 * import { toOkOrNull } from "@uniredis/redis";
 * console.log(toOkOrNull("OK"), toOkOrNull(null)); // true null
 * ```
 */
export function toOkOrNull(reply: RespValue): true | null {
  if (reply === null) return null;
  return Array.isArray(reply) || reply instanceof Error ? unexpected("OK or null", reply) : true;
}

/**
 * `"OK"` (or any other scalar reply) as `true`; an array or a null reply is
 * the wrong shape.
 *
 * @example
 * ```ts
 * import { toTrue } from "@uniredis/redis";
 * console.log(toTrue("OK")); // true
 * ```
 */
export function toTrue(reply: RespValue): true {
  return reply === null || Array.isArray(reply) || reply instanceof Error ? unexpected("OK", reply) : true;
}

/**
 * A bulk string reply, or `null` (GET, HGET, LINDEX, ...): anything else is
 * the wrong shape for such a command and throws `InvalidResponse`.
 *
 * @example
 * ```ts
 * import { toBulkOrNull } from "@uniredis/redis";
 * console.log(toBulkOrNull("v"), toBulkOrNull(null)); // "v" null
 * ```
 */
export function toBulkOrNull<S extends string | Uint8Array = string | Uint8Array>(
  reply: RespValue,
): S | null {
  if (typeof reply === "string" || reply === null || reply instanceof Uint8Array) return reply as S | null;
  return unexpected("a bulk string or null", reply);
}

/**
 * A bulk string reply that is never null (GETRANGE); anything else throws `InvalidResponse`.
 *
 * @example
 * ```ts
 * import { toBulk } from "@uniredis/redis";
 * console.log(toBulk("abc")); // "abc"
 * ```
 */
export function toBulk<S extends string | Uint8Array = string | Uint8Array>(reply: RespValue): S {
  if (typeof reply === "string" || reply instanceof Uint8Array) return reply as S;
  return unexpected("a bulk string", reply);
}

/**
 * An array of bulk strings (LRANGE, SMEMBERS, HKEYS, KEYS, ...); anything
 * else, nested arrays and nulls included, throws `InvalidResponse`.
 *
 * @example
 * ```ts
 * import { toBulks } from "@uniredis/redis";
 * console.log(toBulks(["a", "b"])); // ["a", "b"]
 * ```
 */
export function toBulks<S extends string | Uint8Array = string | Uint8Array>(reply: RespValue): S[] {
  if (!Array.isArray(reply)) return unexpected("an array of bulk strings", reply);
  for (const item of reply) {
    if (typeof item !== "string" && !(item instanceof Uint8Array)) {
      return unexpectedItem("an array of bulk strings", item);
    }
  }
  return reply as S[];
}

/**
 * An array of bulk strings or nulls (MGET, HMGET); anything else throws `InvalidResponse`.
 *
 * @example
 * ```ts
 * import { toBulksOrNull } from "@uniredis/redis";
 * console.log(toBulksOrNull(["a", null])); // ["a", null]
 * ```
 */
export function toBulksOrNull<S extends string | Uint8Array = string | Uint8Array>(
  reply: RespValue,
): (S | null)[] {
  if (!Array.isArray(reply)) return unexpected("an array of bulk strings or nulls", reply);
  for (const item of reply) {
    if (typeof item !== "string" && item !== null && !(item instanceof Uint8Array)) {
      return unexpectedItem("an array of bulk strings or nulls", item);
    }
  }
  return reply as (S | null)[];
}

/**
 * A flat `[field, value, ...]` reply (RESP2 array or RESP3 map) as an object.
 *
 * @example
 * ```ts
 * import { toRecord } from "@uniredis/redis";
 * console.log(toRecord(["a", "1", "b", "2"])); // { a: "1", b: "2" }
 * ```
 */
export function toRecord<V = RespValue>(reply: RespValue): Record<string, V> {
  const out: Record<string, V> = {};
  if (reply === null) return out;
  if (!Array.isArray(reply)) return unexpected("a map", reply);
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const k = reply[i];
    const key = typeof k === "string" ? k : asText(k);
    // A hash field may be named "__proto__": define it rather than set the prototype.
    if (key === "__proto__") {
      Object.defineProperty(out, key, {
        value: reply[i + 1],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      out[key] = reply[i + 1] as V;
    }
  }
  return out;
}

/**
 * A flat `[member, score, ...]` reply (or RESP3 `[[member, score], ...]`) as
 * `[member, score]` pairs with numeric scores.
 *
 * @example
 * ```ts
 * import { toScoredPairs } from "@uniredis/redis";
 * console.log(toScoredPairs(["a", "1", "b", "2.5"])); // [["a", 1], ["b", 2.5]]
 * ```
 */
export function toScoredPairs<M = RespValue>(reply: RespValue): [M, number][] {
  const out: [M, number][] = [];
  if (!Array.isArray(reply)) return unexpected("an array of members and scores", reply);
  if (reply.length > 0 && Array.isArray(reply[0])) {
    for (const pair of reply) {
      if (!Array.isArray(pair)) return unexpected("a [member, score] pair", pair);
      out.push([pair[0] as M, toNumber(pair[1] ?? null)]);
    }
    return out;
  }
  for (let i = 0; i + 1 < reply.length; i += 2) out.push([reply[i] as M, toFloat(reply[i + 1]) as number]);
  return out;
}

/** Names the shape of a reply for error messages, without its content. */
export function shapeOf(reply: RespValue | undefined): string {
  if (reply === null) return "null";
  if (reply === undefined) return "nothing";
  if (Array.isArray(reply)) return "an array";
  if (reply instanceof Uint8Array) return "a bulk string";
  if (reply instanceof Error) return "an error";
  return typeof reply === "string" ? "a string" : `a ${typeof reply}`;
}

/** Throws the error used when a reply does not have the expected shape; the executor prefixes the command's name. */
function unexpected(what: string, reply: RespValue | undefined): never {
  throw new InvalidResponse(`expected ${what}, got ${shapeOf(reply)}`);
}

/** Like `unexpected`, for an array reply with a wrong element. */
function unexpectedItem(what: string, item: RespValue): never {
  throw new InvalidResponse(`expected ${what}, got an array holding ${shapeOf(item)}`);
}

/**
 * The error a command rejects with when its reply transform throws: an
 * `InvalidResponse` naming the command (`GET: expected a bulk string or null,
 * got an array`) with the transform's error as `cause`. A `RedisError` other
 * than `InvalidResponse` (an error reply met inside the reply) is kept.
 */
export function transformError(command: string, error: unknown): Error {
  if (error instanceof RedisError && !(error instanceof InvalidResponse)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new InvalidResponse(`${command}: ${message}`, { cause: error });
}

/**
 * An integer or float reply that is never null, as a number.
 *
 * @example
 * ```ts
 * import { toNumber } from "@uniredis/redis";
 * console.log(toNumber(3), toNumber("2.5")); // 3 2.5
 * ```
 */
export function toNumber(reply: RespValue): number {
  const n = toInteger(reply);
  return n === null ? unexpected("a number", reply) : n;
}

/**
 * A string reply as text, whatever the client's decoding mode: for replies
 * that are always text (a type name, a cursor, a command name).
 *
 * @example
 * ```ts
 * import { toText } from "@uniredis/redis";
 * console.log(toText(new Uint8Array([111, 107]))); // "ok"
 * ```
 */
export function toText(reply: RespValue): string {
  if (reply === null || Array.isArray(reply)) return unexpected("a string", reply);
  return asText(reply);
}

/**
 * Like `toText`, but a null reply stays `null`.
 *
 * @example
 * ```ts
 * import { toTextOrNull } from "@uniredis/redis";
 * console.log(toTextOrNull(null), toTextOrNull("raw")); // null "raw"
 * ```
 */
export function toTextOrNull(reply: RespValue): string | null {
  return reply === null ? null : toText(reply);
}

/**
 * An array reply of strings as text (see `toText`).
 *
 * @example
 * ```ts
 * import { toTexts } from "@uniredis/redis";
 * console.log(toTexts(["get", new Uint8Array([115, 101, 116])])); // ["get", "set"]
 * ```
 */
export function toTexts(reply: RespValue): string[] {
  return Array.isArray(reply) ? reply.map(toText) : unexpected("an array", reply);
}

/**
 * An array of `1`/`0` (or RESP3 booleans) as booleans.
 *
 * @example
 * ```ts
 * import { toBooleans } from "@uniredis/redis";
 * console.log(toBooleans([1, 0])); // [true, false]
 * ```
 */
export function toBooleans(reply: RespValue): boolean[] {
  return Array.isArray(reply) ? reply.map(toBoolean) : unexpected("an array", reply);
}

/**
 * An array of float replies (bulk strings or RESP3 doubles) as numbers, nulls kept.
 *
 * @example
 * ```ts
 * import { toFloats } from "@uniredis/redis";
 * console.log(toFloats(["1.5", null, 2])); // [1.5, null, 2]
 * ```
 */
export function toFloats(reply: RespValue): (number | null)[] {
  return Array.isArray(reply) ? reply.map(toFloat) : unexpected("an array", reply);
}

/**
 * A flat `[a, b, a, b, ...]` reply (RESP2), or RESP3's `[[a, b], ...]`, as
 * `[a, b]` pairs, values untouched.
 *
 * @example
 * ```ts
 * import { toPairs } from "@uniredis/redis";
 * console.log(toPairs(["f1", "v1", "f2", "v2"])); // [["f1", "v1"], ["f2", "v2"]]
 * console.log(toPairs([["f1", "v1"]])); // [["f1", "v1"]]
 * ```
 */
export function toPairs<A = RespValue, B = RespValue>(reply: RespValue): [A, B][] {
  if (!Array.isArray(reply)) return unexpected("an array", reply);
  const out: [A, B][] = [];
  if (reply.length > 0 && Array.isArray(reply[0])) {
    for (const pair of reply as RespValue[][]) out.push([pair[0] as A, pair[1] as B]);
    return out;
  }
  for (let i = 0; i + 1 < reply.length; i += 2) out.push([reply[i] as A, reply[i + 1] as B]);
  return out;
}

/**
 * A flat `[key, value, ...]` reply as an object with text keys and text values
 * (CONFIG GET, whose names and values are always text).
 *
 * @example
 * ```ts
 * import { toTextRecord } from "@uniredis/redis";
 * console.log(toTextRecord(["maxmemory", "0"])); // { maxmemory: "0" }
 * ```
 */
export function toTextRecord(reply: RespValue): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(toRecord(reply))) out[k] = v === null ? "" : toText(v);
  return out;
}

/**
 * A SCAN-family reply `[cursor, items]` with the cursor as text (it may
 * exceed 2^53, so it is not made a number).
 *
 * @example
 * ```ts
 * import { toScan } from "@uniredis/redis";
 * console.log(toScan(["17", ["a", "b"]])); // ["17", ["a", "b"]]
 * ```
 */
export function toScan<T = RespValue>(reply: RespValue): [string, T[]] {
  if (!Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[1])) {
    return unexpected("a [cursor, items] array", reply);
  }
  return [toText(reply[0]), reply[1] as T[]];
}

/**
 * A Unix time in seconds (LASTSAVE) as a `Date`.
 *
 * @example
 * ```ts
 * import { toDate } from "@uniredis/redis";
 * console.log(toDate(0).toISOString()); // "1970-01-01T00:00:00.000Z"
 * ```
 */
export function toDate(reply: RespValue): Date {
  return new Date(toNumber(reply) * 1000);
}

/**
 * A value of the `INFO` reply: numbers where the text is a number, `k=v,...`
 * lists as objects and `a,b` lists as arrays (like redis-py's `parse_info`).
 *
 * @example
 * ```ts
 * import type { InfoValue } from "@uniredis/redis";
 * const v: InfoValue = { keys: 1, expires: 0 };
 * console.log(typeof v); // "object"
 * ```
 */
export type InfoValue = string | number | boolean | InfoValue[] | { [key: string]: InfoValue };

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** One INFO value, converted as redis-py's `parse_info.get_value` does. */
function infoValue(value: string): InfoValue {
  if (!value.includes(",") && !value.includes("=")) {
    if (value.includes(".") ? FLOAT.test(value) : INT.test(value)) return Number(value);
    return value;
  }
  if (!value.includes("=")) return value.split(",").filter((v) => v !== "").map(infoValue);
  const sub: { [key: string]: InfoValue } = {};
  for (const item of value.split(",")) {
    if (item === "") continue;
    const eq = item.lastIndexOf("=");
    if (eq < 0) sub[item] = true;
    else sub[item.slice(0, eq)] = infoValue(item.slice(eq + 1));
  }
  return sub;
}

/**
 * The `INFO` text as one flat object (sections merged), like redis-py:
 * `"redis_version:7.2.4"` gives `{ redis_version: "7.2.4" }`, `"connected_clients:1"`
 * gives `{ connected_clients: 1 }`, `"db0:keys=1,expires=0"` gives
 * `{ db0: { keys: 1, expires: 0 } }`; `module:` lines are collected in `modules`
 * and lines without a colon in `__raw__`.
 *
 * @example
 * ```ts
 * import { toInfo } from "@uniredis/redis";
 * console.log(toInfo("# Keyspace\r\ndb0:keys=2,expires=0\r\n")); // { db0: { keys: 2, expires: 0 } }
 * ```
 */
export function toInfo(reply: RespValue): Record<string, InfoValue> {
  const info: Record<string, InfoValue> = {};
  for (const line of toText(reply).split(/\r?\n/)) {
    if (line === "" || line.startsWith("#")) continue;
    const colon = line.indexOf(":");
    if (colon < 0) {
      ((info.__raw__ ??= []) as InfoValue[]).push(line);
      continue;
    }
    // The value may contain ':'; only the "cmdstat_host" key does (see redis-py).
    let key = line.slice(0, colon);
    let value = line.slice(colon + 1);
    if (key === "cmdstat_host") {
      const last = line.lastIndexOf(":");
      key = line.slice(0, last);
      value = line.slice(last + 1);
    }
    if (key === "module") ((info.modules ??= []) as InfoValue[]).push(infoValue(value));
    else info[key] = infoValue(value);
  }
  return info;
}

/**
 * One client of `CLIENT LIST` / `CLIENT INFO`: every `field=value` of the
 * server's line, text except the numeric fields, which are numbers.
 *
 * @example
 * ```ts
 * import type { ClientInfo } from "@uniredis/redis";
 * const c: ClientInfo = { id: 7, addr: "127.0.0.1:50000", name: "", db: 0 };
 * console.log(c.id); // 7
 * ```
 */
export interface ClientInfo {
  /** The client's unique id. */
  id?: number;
  /** Its address, `ip:port`. */
  addr?: string;
  /** Its name, `""` when unset. */
  name?: string;
  /** Its selected database. */
  db?: number;
  /** Every other field (`age`, `idle`, `flags`, `cmd`, `lib-name`, ...). */
  [field: string]: string | number | undefined;
}

const CLIENT_NUMERIC = new Set([
  "id",
  "fd",
  "age",
  "idle",
  "db",
  "sub",
  "psub",
  "ssub",
  "multi",
  "watch",
  "qbuf",
  "qbuf-free",
  "argv-mem",
  "multi-mem",
  "rbs",
  "rbp",
  "obl",
  "oll",
  "omem",
  "tot-mem",
  "redir",
  "resp",
  // Valkey 8.0's traffic counters.
  "tot-net-in",
  "tot-net-out",
  "tot-cmds",
]);

/** Parses one `k=v k=v` line; values may contain `=`, never spaces. */
function clientLine(line: string): ClientInfo {
  const out: ClientInfo = {};
  for (const pair of line.trim().split(" ")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const k = eq < 0 ? pair : pair.slice(0, eq);
    const v = eq < 0 ? "" : pair.slice(eq + 1);
    out[k] = CLIENT_NUMERIC.has(k) && INT.test(v) ? Number(v) : v;
  }
  return out;
}

/**
 * The `CLIENT INFO` line as an object (see `ClientInfo`).
 *
 * @example
 * ```ts
 * import { toClientInfo } from "@uniredis/redis";
 * console.log(toClientInfo("id=3 addr=127.0.0.1:5000 name=w db=0\n")); // { id: 3, addr: "127.0.0.1:5000", name: "w", db: 0 }
 * ```
 */
export function toClientInfo(reply: RespValue): ClientInfo {
  return clientLine(toText(reply));
}

/**
 * The `CLIENT LIST` text as one object per client (see `ClientInfo`).
 *
 * @example
 * ```ts
 * import { toClientList } from "@uniredis/redis";
 * console.log(toClientList("id=3 db=0\nid=4 db=1\n").length); // 2
 * ```
 */
export function toClientList(reply: RespValue): ClientInfo[] {
  return toText(reply).split(/\r?\n/).filter((l) => l.trim() !== "").map(clientLine);
}

/**
 * One match of `LCS ... IDX`: the range in the first string, the range in
 * the second, and (with `withmatchlen`) the match's length.
 *
 * @example
 * ```ts
 * import type { LcsMatch } from "@uniredis/redis";
 * const m: LcsMatch = [[4, 7], [5, 8], 4];
 * console.log(m[2]); // 4
 * ```
 */
export type LcsMatch = [a: [number, number], b: [number, number], len?: number];

/**
 * The reply of `LCS ... IDX`: the matches (longest first) and the length of
 * the common subsequence.
 *
 * @example
 * ```ts
 * import type { LcsIdxResult } from "@uniredis/redis";
 * const r: LcsIdxResult = { matches: [[[4, 7], [5, 8]]], len: 6 };
 * console.log(r.len); // 6
 * ```
 */
export interface LcsIdxResult {
  /** The matching ranges, longest first. */
  matches: LcsMatch[];
  /** The length of the longest common subsequence. */
  len: number;
}

/** A `[start, end]` range of integers. */
function range(reply: RespValue): [number, number] {
  const [a, b] = Array.isArray(reply) ? reply : [];
  return [toNumber(a), toNumber(b)];
}

/**
 * The `LCS ... IDX` reply (a RESP3 map or a RESP2 flat array) as an `LcsIdxResult`.
 *
 * @example
 * ```ts
 * import { toLcsIdx } from "@uniredis/redis";
 * console.log(toLcsIdx(["matches", [[[4, 7], [5, 8]]], "len", 6])); // { matches: [[[4, 7], [5, 8]]], len: 6 }
 * ```
 */
export function toLcsIdx(reply: RespValue): LcsIdxResult {
  const record = toRecord(reply);
  const matches = Array.isArray(record.matches) ? record.matches : [];
  return {
    matches: matches.map((m): LcsMatch => {
      const parts = Array.isArray(m) ? m : [];
      return parts.length > 2
        ? [range(parts[0]), range(parts[1]), toNumber(parts[2])]
        : [range(parts[0]), range(parts[1])];
    }),
    len: toNumber(record.len ?? null),
  };
}

/**
 * `[key, member, score]` of BZPOPMIN/BZPOPMAX with a numeric score; `null` (timeout) stays `null`.
 *
 * @example
 * ```ts
 * import { toKeyMemberScore } from "@uniredis/redis";
 * console.log(toKeyMemberScore(["z", "a", "1.5"])); // ["z", "a", 1.5]
 * ```
 */
export function toKeyMemberScore<K = RespValue, M = RespValue>(reply: RespValue): [K, M, number] | null {
  if (reply === null) return null;
  if (!Array.isArray(reply) || reply.length !== 3) return unexpected("a [key, member, score] array", reply);
  return [reply[0] as K, reply[1] as M, toNumber(reply[2])];
}

/**
 * `[key, [[member, score], ...]]` of ZMPOP/BZMPOP with numeric scores; `null` stays `null`.
 *
 * @example
 * ```ts
 * import { toKeyScoredPairs } from "@uniredis/redis";
 * console.log(toKeyScoredPairs(["z", [["a", "1"]]])); // ["z", [["a", 1]]]
 * ```
 */
export function toKeyScoredPairs<K = RespValue, M = RespValue>(reply: RespValue): [K, [M, number][]] | null {
  if (reply === null) return null;
  if (!Array.isArray(reply) || reply.length !== 2) return unexpected("a [key, members] array", reply);
  return [reply[0] as K, toScoredPairs<M>(reply[1])];
}

/**
 * A reply value with every string made text and every number kept a number.
 *
 * @example
 * ```ts
 * import type { TextValue } from "@uniredis/redis";
 * const v: TextValue = ["master", 0, ["127.0.0.1", "6380"]];
 * console.log(v.length); // 3
 * ```
 */
export type TextValue = string | number | boolean | null | TextValue[];

/** One non-array reply made text (see `textDeep`). */
function textLeaf(reply: RespValue): TextValue {
  if (reply instanceof Uint8Array) return toText(reply);
  if (typeof reply === "bigint") return Number(reply);
  if (reply instanceof Error) throw reply;
  return reply as TextValue;
}

/**
 * A reply made text at every depth (bytes to strings, bigints to numbers), for
 * replies whose strings are Redis's own words (ROLE, COMMAND DOCS, ...).
 * Iterative, so a hostile deeply nested reply cannot overflow the stack.
 */
export function textDeep(reply: RespValue): TextValue {
  if (!Array.isArray(reply)) return textLeaf(reply);
  const root: TextValue[] = new Array(reply.length);
  const stack: [RespValue[], TextValue[]][] = [[reply, root]];
  while (stack.length > 0) {
    const [from, to] = stack.pop()!;
    for (let i = 0; i < from.length; i++) {
      const v = from[i];
      if (Array.isArray(v)) {
        const sub: TextValue[] = new Array(v.length);
        to[i] = sub;
        stack.push([v, sub]);
      } else {
        to[i] = textLeaf(v);
      }
    }
  }
  return root;
}

/** camelCase of a dashed, underscored or spaced reply field name (`age-seconds` -> `ageSeconds`). */
export function camel(name: string): string {
  return name.replace(/[-_ ]([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}
