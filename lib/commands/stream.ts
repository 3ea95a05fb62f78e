/**
 * Stream commands: XADD, XREAD, consumer groups, XAUTOCLAIM, XINFO.
 *
 * An entry is `{ id, fields }`. Entry ids are always text; field names become
 * object keys, so they are decoded as UTF-8 text even with
 * `decodeResponses: false` (the values stay `Uint8Array`). Group and consumer
 * names in XINFO and XPENDING replies are text too. XINFO replies use
 * camelCase keys (`last-generated-id` becomes `lastGeneratedId`), with
 * numbers as numbers.
 *
 * @module
 */

import { SortedSetCommands } from "./sorted_set.ts";
import { Command, describeValue, type RedisKey, type RedisValue, type Str } from "./command.ts";
import type { RespValue } from "../protocol/types.ts";
import { InvalidResponse } from "../errors.ts";
import { camel, toNumber, toPairs, toRecord, toText, toTextOrNull, toTexts, toTrue } from "./reply.ts";
import {
  exclusive,
  integer,
  type Mapping,
  nonEmpty,
  optionKeys,
  optionsOf,
  pairsOf,
  unixTime,
} from "./validate.ts";

const XGROUP_SETID_KEYS = optionKeys<{ entriesRead?: number }>({ entriesRead: true });
const XINFO_STREAM_KEYS = optionKeys<{ full?: boolean; count?: number }>({ full: true, count: true });
/**
 * A stream entry id: `"1700000000000-0"`, a special id (`"*"`, `"$"`, `">"`,
 * `"-"`, `"+"`, `"0"`), or a millisecond time as a number.
 *
 * @example
 * ```ts
 * import type { StreamId } from "@uniredis/redis";
 * const ids: StreamId[] = ["1-0", "$", 0];
 * console.log(ids.length); // 3
 * ```
 */
export type StreamId = string | number | bigint | Uint8Array;

/**
 * A stream entry: its id and its fields (names as text, values as `V`).
 *
 * @example
 * ```ts
 * import type { StreamEntry } from "@uniredis/redis";
 * const e: StreamEntry<string> = { id: "1-0", fields: { temp: "21" } };
 * console.log(e.fields.temp); // "21"
 * ```
 */
export interface StreamEntry<V> {
  /** The entry id, e.g. `"1700000000000-0"`. */
  id: string;
  /** Field name to value. */
  fields: Record<string, V>;
}

/**
 * An entry read by `xreadgroup`: re-reading a consumer's pending entries
 * (id `"0"`) gives `fields: null` for entries deleted since delivery.
 *
 * @example
 * ```ts
 * import type { GroupStreamEntry } from "@uniredis/redis";
 * const gone: GroupStreamEntry<string> = { id: "1-0", fields: null };
 * console.log(gone.fields); // null
 * ```
 */
export interface GroupStreamEntry<V> {
  /** The entry id. */
  id: string;
  /** Field name to value; `null` when the entry was deleted. */
  fields: Record<string, V> | null;
}

/**
 * Trimming options of `xadd` and `xtrim`: `maxlen` and `minid` exclude each
 * other; `approximate` (the default, `~`) lets Redis trim whole nodes only;
 * `limit` caps the work of an approximate trim.
 *
 * @example
 * ```ts
 * import type { XTrimOptions } from "@uniredis/redis";
 * const o: XTrimOptions = { maxlen: 1000, approximate: true, limit: 100 };
 * console.log(o.maxlen); // 1000
 * ```
 */
export interface XTrimOptions {
  /** Keep at most this many entries (`MAXLEN`). */
  maxlen?: number;
  /** Trim with `~` (default `true`); `false` trims exactly (`=` is implied). */
  approximate?: boolean;
  /** Evict the entries with an id lower than this (`MINID`). */
  minid?: StreamId;
  /** Evict at most this many entries (`LIMIT`; needs `approximate`). */
  limit?: number;
}

const XTRIM_KEYS = optionKeys<XTrimOptions>({ maxlen: true, approximate: true, minid: true, limit: true });

/**
 * Options of `xadd`.
 *
 * @example
 * ```ts
 * import type { XAddOptions } from "@uniredis/redis";
 * const o: XAddOptions = { id: "*", maxlen: 100, nomkstream: true };
 * console.log(o.id); // "*"
 * ```
 */
export interface XAddOptions extends XTrimOptions {
  /** The new entry's id (default `"*"`: generated). */
  id?: StreamId;
  /** Do not create the stream when it does not exist (`NOMKSTREAM`). */
  nomkstream?: boolean;
}

const XADD_KEYS = optionKeys<XAddOptions>({
  maxlen: true,
  approximate: true,
  minid: true,
  limit: true,
  id: true,
  nomkstream: true,
});

/**
 * The streams to read and, for each, the id after which to read: an object,
 * a `Map` or `[name, id]` pairs (a `Map` or pairs can hold `Uint8Array` names).
 *
 * @example
 * ```ts
 * import type { StreamOffsets } from "@uniredis/redis";
 * const s: StreamOffsets = { orders: "0", events: "$" };
 * console.log(Object.keys(s)); // ["orders", "events"]
 * ```
 */
export type StreamOffsets = Mapping<RedisKey, StreamId>;

/**
 * Options of `xread`.
 *
 * @example
 * ```ts
 * import type { XReadOptions } from "@uniredis/redis";
 * const o: XReadOptions = { count: 10, block: 5000 };
 * console.log(o.block); // 5000
 * ```
 */
export interface XReadOptions {
  /** At most this many entries per stream. */
  count?: number;
  /** Wait up to this many milliseconds for data (0: forever). */
  block?: number;
}

const XREAD_KEYS = optionKeys<XReadOptions>({ count: true, block: true });

/**
 * Options of `xreadgroup`.
 *
 * @example
 * ```ts
 * import type { XReadGroupOptions } from "@uniredis/redis";
 * const o: XReadGroupOptions = { count: 1, noack: true };
 * console.log(o.noack); // true
 * ```
 */
export interface XReadGroupOptions extends XReadOptions {
  /** Do not add the delivered entries to the pending list (`NOACK`). */
  noack?: boolean;
}

const XREAD_GROUP_KEYS = optionKeys<XReadGroupOptions>({ count: true, block: true, noack: true });

/**
 * The reply of `xread`: `[stream name, entries]` per stream that had data,
 * in the server's order; `[]` when nothing came (including a block timeout).
 *
 * @example
 * ```ts
 * import type { XReadResult } from "@uniredis/redis";
 * const r: XReadResult = [["s", [{ id: "1-0", fields: { a: "1" } }]]];
 * console.log(r[0][1][0].id); // "1-0"
 * ```
 */
export type XReadResult<D extends boolean = true> = [Str<D>, StreamEntry<Str<D>>[]][];

/**
 * The reply of `xreadgroup` (see `XReadResult` and `GroupStreamEntry`).
 *
 * @example
 * ```ts
 * import type { XReadGroupResult } from "@uniredis/redis";
 * const r: XReadGroupResult = [["s", [{ id: "1-0", fields: null }]]];
 * console.log(r[0][1][0].fields); // null
 * ```
 */
export type XReadGroupResult<D extends boolean = true> = [Str<D>, GroupStreamEntry<Str<D>>[]][];

/**
 * Options of `xrange` and `xrevrange`: the id bounds (`"-"` and `"+"` by
 * default; `"(1-0"` is exclusive) and the number of entries.
 *
 * @example
 * ```ts
 * import type { XRangeOptions } from "@uniredis/redis";
 * const o: XRangeOptions = { min: "(1-0", count: 10 };
 * console.log(o.count); // 10
 * ```
 */
export interface XRangeOptions {
  /** The lowest id (default `"-"`). */
  min?: StreamId;
  /** The highest id (default `"+"`). */
  max?: StreamId;
  /** At most this many entries. */
  count?: number;
}

const XRANGE_KEYS = optionKeys<XRangeOptions>({ min: true, max: true, count: true });

/**
 * Options of `xgroupCreate`.
 *
 * @example
 * ```ts
 * import type { XGroupCreateOptions } from "@uniredis/redis";
 * const o: XGroupCreateOptions = { id: "0", mkstream: true };
 * console.log(o.mkstream); // true
 * ```
 */
export interface XGroupCreateOptions {
  /** The last delivered id of the new group (default `"$"`: only new entries). */
  id?: StreamId;
  /** Create the stream when it does not exist (`MKSTREAM`). */
  mkstream?: boolean;
  /** The group's entries-read counter (`ENTRIESREAD`, Redis 7.0+). */
  entriesRead?: number;
}

const XGROUP_CREATE_KEYS = optionKeys<XGroupCreateOptions>({ id: true, mkstream: true, entriesRead: true });

/**
 * Options of `xsetid`.
 *
 * @example
 * ```ts
 * import type { XSetIdOptions } from "@uniredis/redis";
 * const o: XSetIdOptions = { entriesAdded: 10, maxDeletedEntryId: "3-0" };
 * console.log(o.entriesAdded); // 10
 * ```
 */
export interface XSetIdOptions {
  /** The stream's entries-added counter (`ENTRIESADDED`, Redis 7.0+). */
  entriesAdded?: number;
  /** The stream's maximal deleted id (`MAXDELETEDID`, Redis 7.0+). */
  maxDeletedEntryId?: StreamId;
}

const XSETID_KEYS = optionKeys<XSetIdOptions>({ entriesAdded: true, maxDeletedEntryId: true });

/**
 * Options of `xclaim`.
 *
 * @example
 * ```ts
 * import type { XClaimOptions } from "@uniredis/redis";
 * const o: XClaimOptions = { idle: 0, retrycount: 3, force: true };
 * console.log(o.retrycount); // 3
 * ```
 */
export interface XClaimOptions {
  /** Set the entries' idle time, in milliseconds (`IDLE`). */
  idle?: number;
  /** Set the entries' last delivery time, a Unix time in milliseconds or a `Date` (`TIME`). */
  time?: number | Date;
  /** Set the entries' delivery counter (`RETRYCOUNT`). */
  retrycount?: number;
  /** Claim ids that are not pending too, if they exist (`FORCE`). */
  force?: boolean;
  /** Return the ids only, without incrementing the delivery counter (`JUSTID`). */
  justid?: boolean;
  /** Set the group's last delivered id (`LASTID`). */
  lastid?: StreamId;
}

const XCLAIM_KEYS = optionKeys<XClaimOptions>({
  idle: true,
  time: true,
  retrycount: true,
  force: true,
  justid: true,
  lastid: true,
});

/**
 * Options of `xautoclaim`.
 *
 * @example
 * ```ts
 * import type { XAutoClaimOptions } from "@uniredis/redis";
 * const o: XAutoClaimOptions = { startId: "0-0", count: 10 };
 * console.log(o.count); // 10
 * ```
 */
export interface XAutoClaimOptions {
  /** Scan the pending list from this id (default `"0-0"`). */
  startId?: StreamId;
  /** Claim at most this many entries (default 100 on the server). */
  count?: number;
  /** Return the ids only (`JUSTID`). */
  justid?: boolean;
}

const XAUTOCLAIM_KEYS = optionKeys<XAutoClaimOptions>({ startId: true, count: true, justid: true });

/**
 * The reply of `xautoclaim`: the id to continue from (`"0-0"` when done),
 * the claimed entries, and the pending ids that no longer exist (removed
 * from the pending list; always `[]` before Redis 7.0).
 *
 * @example
 * ```ts
 * import type { XAutoClaimResult } from "@uniredis/redis";
 * const r: XAutoClaimResult<string> = { next: "0-0", claimed: [], deleted: [] };
 * console.log(r.next); // "0-0"
 * ```
 */
export interface XAutoClaimResult<T> {
  /** The start id of the next call; `"0-0"` once the whole list was scanned. */
  next: string;
  /** The claimed entries (or their ids, with `justid`). */
  claimed: T[];
  /** Ids that were pending but deleted from the stream. */
  deleted: string[];
}

/**
 * The summary form of `xpending`.
 *
 * @example
 * ```ts
 * import type { XPendingSummary } from "@uniredis/redis";
 * const s: XPendingSummary = { pending: 2, min: "1-0", max: "2-0", consumers: [{ name: "c", pending: 2 }] };
 * console.log(s.consumers[0].pending); // 2
 * ```
 */
export interface XPendingSummary {
  /** How many entries are pending in the group. */
  pending: number;
  /** The smallest pending id, `null` when none is pending. */
  min: string | null;
  /** The greatest pending id, `null` when none is pending. */
  max: string | null;
  /** The consumers with pending entries and how many each has. */
  consumers: { name: string; pending: number }[];
}

/**
 * Options of `xpendingRange`: `count` is required.
 *
 * @example
 * ```ts
 * import type { XPendingRangeOptions } from "@uniredis/redis";
 * const o: XPendingRangeOptions = { count: 10, consumername: "c1", idle: 60000 };
 * console.log(o.idle); // 60000
 * ```
 */
export interface XPendingRangeOptions {
  /** The lowest id (default `"-"`). */
  min?: StreamId;
  /** The highest id (default `"+"`). */
  max?: StreamId;
  /** At most this many entries (required). */
  count?: number;
  /** Only this consumer's entries. */
  consumername?: RedisValue;
  /** Only entries idle for at least this many milliseconds (`IDLE`). */
  idle?: number;
}

const XPENDING_RANGE_KEYS = optionKeys<XPendingRangeOptions>({
  min: true,
  max: true,
  count: true,
  consumername: true,
  idle: true,
});

/**
 * One pending entry in the extended form of XPENDING (redis-py's keys, in camelCase).
 *
 * @example
 * ```ts
 * import type { XPendingEntry } from "@uniredis/redis";
 * const p: XPendingEntry = { messageId: "1-0", consumer: "c", timeSinceDelivered: 5, timesDelivered: 1 };
 * console.log(p.timesDelivered); // 1
 * ```
 */
export interface XPendingEntry {
  /** The entry id. */
  messageId: string;
  /** The consumer that owns it. */
  consumer: string;
  /** Milliseconds since its last delivery. */
  timeSinceDelivered: number;
  /** How many times it was delivered. */
  timesDelivered: number;
}

/**
 * The reply of `xinfoStream` (without `full`). Fields added by newer servers
 * (Redis 7.0: `maxDeletedEntryId`, `entriesAdded`, `recordedFirstEntryId`)
 * are absent on older ones.
 *
 * @example
 * ```ts
 * import type { XInfoStream } from "@uniredis/redis";
 * const i = { length: 0, groups: 0 } as XInfoStream;
 * console.log(i.length); // 0
 * ```
 */
export interface XInfoStream<D extends boolean = true> {
  /** The number of entries. */
  length: number;
  /** Keys in the underlying radix tree. */
  radixTreeKeys: number;
  /** Nodes in the underlying radix tree. */
  radixTreeNodes: number;
  /** The id of the last added entry. */
  lastGeneratedId: string;
  /** The greatest id deleted from the stream. */
  maxDeletedEntryId?: string;
  /** How many entries were ever added. */
  entriesAdded?: number;
  /** The first entry id recorded. */
  recordedFirstEntryId?: string;
  /** The number of consumer groups. */
  groups: number;
  /** The first entry, `null` for an empty stream. */
  firstEntry: StreamEntry<Str<D>> | null;
  /** The last entry, `null` for an empty stream. */
  lastEntry: StreamEntry<Str<D>> | null;
  /** Any other field a newer server sends, camelCased. */
  [field: string]: unknown;
}

/**
 * A consumer group in `xinfoGroups`. `entriesRead` and `lag` come with Redis
 * 7.0 and may be `null` (lag unknown).
 *
 * @example
 * ```ts
 * import type { XInfoGroup } from "@uniredis/redis";
 * const g: XInfoGroup = { name: "g", consumers: 1, pending: 0, lastDeliveredId: "0-0" };
 * console.log(g.name); // "g"
 * ```
 */
export interface XInfoGroup {
  /** The group name. */
  name: string;
  /** The number of consumers. */
  consumers: number;
  /** The number of pending entries. */
  pending: number;
  /** The last id delivered to the group. */
  lastDeliveredId: string;
  /** The logical read counter of the group. */
  entriesRead?: number | null;
  /** Entries not yet delivered to the group. */
  lag?: number | null;
  /** Any other field a newer server sends, camelCased. */
  [field: string]: unknown;
}

/**
 * A consumer in `xinfoConsumers` (`inactive` comes with Redis 7.2).
 *
 * @example
 * ```ts
 * import type { XInfoConsumer } from "@uniredis/redis";
 * const c: XInfoConsumer = { name: "c", pending: 1, idle: 10 };
 * console.log(c.pending); // 1
 * ```
 */
export interface XInfoConsumer {
  /** The consumer name. */
  name: string;
  /** The number of its pending entries. */
  pending: number;
  /** Milliseconds since its last attempted interaction. */
  idle: number;
  /** Milliseconds since its last successful interaction (-1: never). */
  inactive?: number;
  /** Any other field a newer server sends, camelCased. */
  [field: string]: unknown;
}

/**
 * The reply of `xinfoStream(name, { full: true })`: entries, and the groups
 * with their pending lists and consumers. Pending entries are objects:
 * `{ id, consumer, deliveryTime, deliveryCount }` for a group,
 * `{ id, deliveryTime, deliveryCount }` for a consumer.
 *
 * @example
 * ```ts
 * import type { XInfoStreamFull } from "@uniredis/redis";
 * const i = { length: 0, entries: [], groups: [] } as unknown as XInfoStreamFull;
 * console.log(i.entries.length); // 0
 * ```
 */
export interface XInfoStreamFull<D extends boolean = true> {
  /** The number of entries. */
  length: number;
  /** Keys in the underlying radix tree. */
  radixTreeKeys: number;
  /** Nodes in the underlying radix tree. */
  radixTreeNodes: number;
  /** The id of the last added entry. */
  lastGeneratedId: string;
  /** The entries (up to `count`). */
  entries: StreamEntry<Str<D>>[];
  /** The consumer groups in detail. */
  groups: {
    name: string;
    lastDeliveredId: string;
    pelCount: number;
    pending: { id: string; consumer: string; deliveryTime: number; deliveryCount: number }[];
    consumers: {
      name: string;
      seenTime: number;
      pelCount: number;
      pending: { id: string; deliveryTime: number; deliveryCount: number }[];
      [field: string]: unknown;
    }[];
    [field: string]: unknown;
  }[];
  /** Any other field (`maxDeletedEntryId`, `entriesAdded`, ...), camelCased. */
  [field: string]: unknown;
}

// ---- reply transforms --------------------------------------------------------------------------

/** `[id, [field, value, ...]]` as an entry; `null` fields (an entry deleted while pending) stay `null`. */
function toEntry(reply: RespValue): GroupStreamEntry<RespValue> {
  if (!Array.isArray(reply) || reply.length !== 2) {
    throw new InvalidResponse("Expected a stream entry [id, fields]");
  }
  return { id: toText(reply[0]), fields: reply[1] === null ? null : toRecord(reply[1]) };
}

/** An array of entries (XRANGE, XCLAIM, ...); `null` entries (deleted, Redis < 7) are skipped. */
function toEntries(reply: RespValue): StreamEntry<RespValue>[] {
  if (reply === null) return [];
  if (!Array.isArray(reply)) throw new InvalidResponse("Expected an array of stream entries");
  const out: StreamEntry<RespValue>[] = [];
  for (const item of reply) {
    if (item === null) continue;
    const e = toEntry(item);
    out.push({ id: e.id, fields: e.fields ?? {} });
  }
  return out;
}

/** XREAD/XREADGROUP: RESP2 `[[name, entries], ...]` or RESP3 flat map `[name, entries, ...]`; `null` is `[]`. */
function toReadResult(keepNull: boolean) {
  return (reply: RespValue): [RespValue, GroupStreamEntry<RespValue>[]][] => {
    if (reply === null) return [];
    return toPairs<RespValue, RespValue>(reply).map(([name, entries]) => [
      name,
      Array.isArray(entries)
        ? entries.map((e) => {
          const entry = toEntry(e);
          return keepNull ? entry : { id: entry.id, fields: entry.fields ?? {} };
        })
        : [],
    ]);
  };
}

/** An XINFO scalar: integers as numbers, strings as text, `null` kept. */
function infoScalar(value: RespValue): unknown {
  if (value === null || typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(infoScalar);
  return toText(value);
}

type Special = Record<string, (value: RespValue) => unknown>;

/** A flat XINFO map (RESP2 array or RESP3 map) with camelCase keys; `special` converts some values. */
function infoRecord(reply: RespValue, special: Special = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(reply)) return out;
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const key = camel(toText(reply[i]));
    if (key === "__proto__") continue;
    const convert = special[key];
    out[key] = convert ? convert(reply[i + 1]) : infoScalar(reply[i + 1]);
  }
  return out;
}

function infoList(special: Special = {}) {
  return (reply: RespValue): Record<string, unknown>[] =>
    Array.isArray(reply) ? reply.map((r) => infoRecord(r, special)) : [];
}

const entryOrNull = (v: RespValue): StreamEntry<RespValue> | null =>
  v === null ? null : toEntries([v])[0] ?? null;

/** `[a, b, ...]` tuples as objects with the given keys (numbers converted where asked). */
function tuples(names: readonly string[], numeric: readonly boolean[]) {
  return (reply: RespValue): Record<string, unknown>[] =>
    Array.isArray(reply)
      ? reply.map((t) => {
        const row: Record<string, unknown> = {};
        const values = Array.isArray(t) ? t : [];
        names.forEach((n, i) =>
          row[n] = numeric[i] ? toNumber(values[i] ?? null) : toText(values[i] ?? null)
        );
        return row;
      })
      : [];
}

const STREAM_SPECIAL: Special = { firstEntry: entryOrNull, lastEntry: entryOrNull, entries: toEntries };
const FULL_SPECIAL: Special = {
  entries: toEntries,
  groups: infoList({
    pending: tuples(["id", "consumer", "deliveryTime", "deliveryCount"], [false, false, true, true]),
    consumers: infoList({ pending: tuples(["id", "deliveryTime", "deliveryCount"], [false, true, true]) }),
  }),
};

function toXPendingSummary(reply: RespValue): XPendingSummary {
  const [count, min, max, consumers] = Array.isArray(reply) ? reply : [];
  return {
    pending: toNumber(count ?? null),
    min: toTextOrNull(min ?? null),
    max: toTextOrNull(max ?? null),
    consumers: Array.isArray(consumers)
      ? consumers.map((c) => {
        const [name, pending] = Array.isArray(c) ? c : [];
        return { name: toText(name ?? null), pending: toNumber(pending ?? null) };
      })
      : [],
  };
}

const toXPendingRange = tuples(
  ["messageId", "consumer", "timeSinceDelivered", "timesDelivered"],
  [false, false, true, true],
) as unknown as (reply: RespValue) => XPendingEntry[];

function toAutoClaim(justid: boolean) {
  return (reply: RespValue): XAutoClaimResult<unknown> => {
    const [next, claimed, deleted] = Array.isArray(reply) ? reply : [];
    return {
      next: toText(next ?? null),
      claimed: justid ? toTexts(claimed ?? []) : toEntries(claimed ?? []),
      deleted: deleted === undefined || deleted === null ? [] : toTexts(deleted),
    };
  };
}

// ---- argument checks ---------------------------------------------------------------------------

/** Fails `cmd` unless `id` is a stream id (text, bytes, or an integer); returns it for appending. */
function streamId(cmd: Command<unknown>, what: string, id: unknown): StreamId {
  if (typeof id === "string" || id instanceof Uint8Array || typeof id === "bigint") return id;
  if (typeof id === "number" && Number.isSafeInteger(id) && id >= 0) return id;
  cmd.fail(`${cmd.name}: ${what} must be a stream id (a string), got ${describeValue(id)}`);
  return "";
}

/** Appends stream ids (at least one). */
function streamIds(cmd: Command<unknown>, ids: readonly unknown[]): void {
  for (const id of nonEmpty(cmd, "ids", ids)) cmd.arg(streamId(cmd, "id", id));
}

/** Appends the trimming arguments shared by XADD and XTRIM, with redis-py's checks. */
function trimArgs(cmd: Command<unknown>, o: Partial<XTrimOptions>): void {
  exclusive(cmd, o, ["maxlen", "minid"]);
  const approximate = o.approximate ?? true;
  if (o.limit !== undefined && o.limit !== null && !approximate) {
    cmd.fail(`${cmd.name}: limit needs approximate trimming`);
  }
  if (o.maxlen !== undefined && o.maxlen !== null) {
    integer(cmd, "maxlen", o.maxlen, 0);
    cmd.arg("MAXLEN");
    if (approximate) cmd.arg("~");
    cmd.arg(o.maxlen);
  } else if (o.minid !== undefined && o.minid !== null) {
    cmd.arg("MINID");
    if (approximate) cmd.arg("~");
    cmd.arg(streamId(cmd, "minid", o.minid));
  }
  if (o.limit !== undefined && o.limit !== null) {
    integer(cmd, "limit", o.limit, 0);
    cmd.arg("LIMIT").arg(o.limit);
  }
}

/** Appends `COUNT n` after checking it. */
function countArg(cmd: Command<unknown>, count: unknown, min = 1): void {
  if (count === undefined || count === null) return;
  integer(cmd, "count", count, min);
  cmd.arg("COUNT").arg(count as number);
}

/** Appends COUNT/BLOCK of XREAD/XREADGROUP. */
function readArgs(cmd: Command<unknown>, o: Partial<XReadOptions>): void {
  countArg(cmd, o.count);
  if (o.block !== undefined && o.block !== null) {
    integer(cmd, "block", o.block, 0);
    cmd.arg("BLOCK").arg(o.block);
    cmd.block(o.block);
  }
}

/** Appends `STREAMS name... id...`, the names as keys. */
function streamsArgs(cmd: Command<unknown>, streams: StreamOffsets): void {
  const pairs = pairsOf(cmd, "streams", streams);
  cmd.arg("STREAMS");
  for (const [name] of pairs) cmd.key(name as RedisKey);
  for (const [, id] of pairs) cmd.arg(streamId(cmd, "stream id", id));
}

/**
 * Stream commands, in redis-py's argument order.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * const id = await r.xadd("events", { kind: "click" });
 * console.log(await r.xrange("events")); // [{ id, fields: { kind: "click" } }]
 * ```
 */
export abstract class StreamCommands<D extends boolean = true> extends SortedSetCommands<D> {
  /**
   * Acknowledges entries of the group `groupname`; resolves to how many were pending.
   * {@link https://redis.io/docs/latest/commands/xack/ XACK}
   */
  xack(name: RedisKey, groupname: RedisValue, ...ids: StreamId[]): Promise<number> {
    const cmd = new Command<number>("XACK", toNumber).key(name).arg(groupname);
    streamIds(cmd, ids);
    return this.execute(cmd);
  }

  /**
   * Appends an entry to the stream `name`; resolves to its id (`null` with
   * `nomkstream` when the stream does not exist). `maxlen` and `minid`
   * trim the stream in the same call (approximately unless `approximate: false`).
   * {@link https://redis.io/docs/latest/commands/xadd/ XADD}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const id = await r.xadd("s", { temp: 21 }, { maxlen: 1000 });
   * await r.xadd("s", new Map([["temp", 22]]), { id: "*", minid: id ?? "0", approximate: false });
   * ```
   */
  xadd(
    name: RedisKey,
    fields: Mapping<RedisValue, RedisValue>,
    options?: XAddOptions,
  ): Promise<string | null> {
    const cmd = new Command<string | null>("XADD", toTextOrNull).key(name);
    const o = optionsOf(cmd, options, XADD_KEYS);
    if (o.nomkstream) cmd.arg("NOMKSTREAM");
    trimArgs(cmd, o);
    cmd.arg(streamId(cmd, "id", o.id ?? "*"));
    for (const [f, v] of pairsOf(cmd, "fields", fields)) cmd.arg(f as RedisValue).arg(v);
    return this.execute(cmd);
  }

  /**
   * Claims the entries of the group `groupname` idle for at least
   * `minIdleTime` ms, scanning from `startId`, for `consumername`.
   * {@link https://redis.io/docs/latest/commands/xautoclaim/ XAUTOCLAIM}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const { next, claimed } = await r.xautoclaim("s", "g", "c2", 60000, { count: 10 });
   * const ids = await r.xautoclaim("s", "g", "c2", 60000, { justid: true });
   * console.log(next, claimed.length, ids.claimed);
   * ```
   */
  xautoclaim(
    name: RedisKey,
    groupname: RedisValue,
    consumername: RedisValue,
    minIdleTime: number,
    options: XAutoClaimOptions & { justid: true },
  ): Promise<XAutoClaimResult<string>>;
  /** Claims and returns whole entries. */
  xautoclaim(
    name: RedisKey,
    groupname: RedisValue,
    consumername: RedisValue,
    minIdleTime: number,
    options?: XAutoClaimOptions,
  ): Promise<XAutoClaimResult<StreamEntry<Str<D>>>>;
  xautoclaim(
    name: RedisKey,
    groupname: RedisValue,
    consumername: RedisValue,
    minIdleTime: number,
    options?: XAutoClaimOptions,
  ): Promise<XAutoClaimResult<unknown>> {
    const justid = typeof options === "object" && options !== null && options.justid === true;
    const cmd = new Command<XAutoClaimResult<unknown>>("XAUTOCLAIM", toAutoClaim(justid)).key(name);
    const o = optionsOf(cmd, options, XAUTOCLAIM_KEYS);
    integer(cmd, "minIdleTime", minIdleTime, 0);
    cmd.arg(groupname).arg(consumername).arg(minIdleTime).arg(streamId(cmd, "startId", o.startId ?? "0-0"));
    countArg(cmd, o.count);
    if (justid) cmd.arg("JUSTID");
    return this.execute(cmd);
  }

  /**
   * Changes the owner of pending entries to `consumername` when they have
   * been idle for at least `minIdleTime` ms; resolves to the claimed entries
   * (their ids with `justid`).
   * {@link https://redis.io/docs/latest/commands/xclaim/ XCLAIM}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const entries = await r.xclaim("s", "g", "c2", 0, ["1-0"], { retrycount: 2 });
   * const ids = await r.xclaim("s", "g", "c2", 0, ["1-0"], { justid: true });
   * ```
   */
  xclaim(
    name: RedisKey,
    groupname: RedisValue,
    consumername: RedisValue,
    minIdleTime: number,
    messageIds: readonly StreamId[],
    options: XClaimOptions & { justid: true },
  ): Promise<string[]>;
  /** Claims and returns whole entries. */
  xclaim(
    name: RedisKey,
    groupname: RedisValue,
    consumername: RedisValue,
    minIdleTime: number,
    messageIds: readonly StreamId[],
    options?: XClaimOptions,
  ): Promise<StreamEntry<Str<D>>[]>;
  xclaim(
    name: RedisKey,
    groupname: RedisValue,
    consumername: RedisValue,
    minIdleTime: number,
    messageIds: readonly StreamId[],
    options?: XClaimOptions,
  ): Promise<unknown> {
    const justid = typeof options === "object" && options !== null && options.justid === true;
    const cmd = new Command<unknown>("XCLAIM", justid ? toTexts : toEntries).key(name);
    const o = optionsOf(cmd, options, XCLAIM_KEYS);
    integer(cmd, "minIdleTime", minIdleTime, 0);
    cmd.arg(groupname).arg(consumername).arg(minIdleTime);
    streamIds(cmd, messageIds);
    if (o.idle !== undefined && o.idle !== null) {
      integer(cmd, "idle", o.idle, 0);
      cmd.arg("IDLE").arg(o.idle);
    }
    if (o.time !== undefined && o.time !== null) {
      cmd.arg("TIME").arg(unixTime(cmd, "time", o.time, "ms"));
    }
    if (o.retrycount !== undefined && o.retrycount !== null) {
      integer(cmd, "retrycount", o.retrycount, 0);
      cmd.arg("RETRYCOUNT").arg(o.retrycount);
    }
    if (o.force) cmd.arg("FORCE");
    if (justid) cmd.arg("JUSTID");
    if (o.lastid !== undefined && o.lastid !== null) cmd.arg("LASTID").arg(streamId(cmd, "lastid", o.lastid));
    return this.execute(cmd);
  }

  /**
   * Deletes entries of the stream `name`; resolves to how many existed.
   * {@link https://redis.io/docs/latest/commands/xdel/ XDEL}
   */
  xdel(name: RedisKey, ...ids: StreamId[]): Promise<number> {
    const cmd = new Command<number>("XDEL", toNumber).key(name);
    streamIds(cmd, ids);
    return this.execute(cmd);
  }

  /**
   * Creates the consumer group `groupname` on the stream `name`, delivering
   * entries after `id` (default `"$"`: only new ones); resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/xgroup-create/ XGROUP CREATE}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.xgroupCreate("s", "g", { id: "0", mkstream: true });
   * ```
   */
  xgroupCreate(name: RedisKey, groupname: RedisValue, options?: XGroupCreateOptions): Promise<true> {
    const cmd = new Command<true>(["XGROUP", "CREATE"], toTrue).key(name).arg(groupname);
    const o = optionsOf(cmd, options, XGROUP_CREATE_KEYS);
    cmd.arg(streamId(cmd, "id", o.id ?? "$"));
    if (o.mkstream) cmd.arg("MKSTREAM");
    if (o.entriesRead !== undefined && o.entriesRead !== null) {
      integer(cmd, "entriesRead", o.entriesRead);
      cmd.arg("ENTRIESREAD").arg(o.entriesRead);
    }
    return this.execute(cmd);
  }

  /**
   * Creates the consumer `consumername` in the group; resolves to 1 when created, 0 when it existed.
   * {@link https://redis.io/docs/latest/commands/xgroup-createconsumer/ XGROUP CREATECONSUMER}
   */
  xgroupCreateconsumer(name: RedisKey, groupname: RedisValue, consumername: RedisValue): Promise<number> {
    return this.execute(
      new Command<number>(["XGROUP", "CREATECONSUMER"], toNumber).key(name).arg(groupname).arg(consumername),
    );
  }

  /**
   * Deletes the consumer `consumername` from the group; resolves to the number of entries it had pending.
   * {@link https://redis.io/docs/latest/commands/xgroup-delconsumer/ XGROUP DELCONSUMER}
   */
  xgroupDelconsumer(name: RedisKey, groupname: RedisValue, consumername: RedisValue): Promise<number> {
    return this.execute(
      new Command<number>(["XGROUP", "DELCONSUMER"], toNumber).key(name).arg(groupname).arg(consumername),
    );
  }

  /**
   * Destroys the consumer group `groupname`; resolves to 1 when it existed, else 0.
   * {@link https://redis.io/docs/latest/commands/xgroup-destroy/ XGROUP DESTROY}
   */
  xgroupDestroy(name: RedisKey, groupname: RedisValue): Promise<number> {
    return this.execute(new Command<number>(["XGROUP", "DESTROY"], toNumber).key(name).arg(groupname));
  }

  /**
   * Sets the last delivered id of the group (and, Redis 7.0+, its entries-read counter); resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/xgroup-setid/ XGROUP SETID}
   */
  xgroupSetid(
    name: RedisKey,
    groupname: RedisValue,
    id: StreamId,
    options?: { entriesRead?: number },
  ): Promise<true> {
    const cmd = new Command<true>(["XGROUP", "SETID"], toTrue).key(name).arg(groupname);
    const o = optionsOf(cmd, options, XGROUP_SETID_KEYS);
    cmd.arg(streamId(cmd, "id", id));
    if (o.entriesRead !== undefined && o.entriesRead !== null) {
      integer(cmd, "entriesRead", o.entriesRead);
      cmd.arg("ENTRIESREAD").arg(o.entriesRead);
    }
    return this.execute(cmd);
  }

  /**
   * Returns the consumers of the group `groupname` (camelCase keys).
   * {@link https://redis.io/docs/latest/commands/xinfo-consumers/ XINFO CONSUMERS}
   */
  xinfoConsumers(name: RedisKey, groupname: RedisValue): Promise<XInfoConsumer[]> {
    const cmd = new Command(["XINFO", "CONSUMERS"], infoList()).key(name).arg(groupname);
    return this.execute(cmd as unknown as Command<XInfoConsumer[]>);
  }

  /**
   * Returns the consumer groups of the stream `name` (camelCase keys).
   * {@link https://redis.io/docs/latest/commands/xinfo-groups/ XINFO GROUPS}
   */
  xinfoGroups(name: RedisKey): Promise<XInfoGroup[]> {
    const cmd = new Command(["XINFO", "GROUPS"], infoList()).key(name);
    return this.execute(cmd as unknown as Command<XInfoGroup[]>);
  }

  /**
   * Returns information about the stream `name` (camelCase keys); with
   * `full`, every entry (up to `count`, server default 10, 0 for all) and
   * the groups' pending lists and consumers.
   * {@link https://redis.io/docs/latest/commands/xinfo-stream/ XINFO STREAM}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const info = await r.xinfoStream("s");
   * const full = await r.xinfoStream("s", { full: true, count: 0 });
   * console.log(info.length, full.groups.length);
   * ```
   */
  xinfoStream(name: RedisKey, options: { full: true; count?: number }): Promise<XInfoStreamFull<D>>;
  /** The summary form. */
  xinfoStream(name: RedisKey, options?: { full?: false }): Promise<XInfoStream<D>>;
  /** Either form, when `full` is only known at run time. */
  xinfoStream(
    name: RedisKey,
    options?: { full?: boolean; count?: number },
  ): Promise<XInfoStream<D> | XInfoStreamFull<D>>;
  xinfoStream(name: RedisKey, options?: { full?: boolean; count?: number }): Promise<unknown> {
    const full = typeof options === "object" && options !== null && options.full === true;
    const special = full ? FULL_SPECIAL : STREAM_SPECIAL;
    const cmd = new Command<unknown>(["XINFO", "STREAM"], (reply) => infoRecord(reply, special)).key(name);
    const o = optionsOf(cmd, options, XINFO_STREAM_KEYS);
    if (full) cmd.arg("FULL");
    if (o.count !== undefined && o.count !== null) {
      if (!full) cmd.fail(`${cmd.name}: count needs full`);
      countArg(cmd, o.count, 0);
    }
    return this.execute(cmd);
  }

  /**
   * Returns the number of entries of the stream `name`.
   * {@link https://redis.io/docs/latest/commands/xlen/ XLEN}
   */
  xlen(name: RedisKey): Promise<number> {
    return this.execute(new Command<number>("XLEN", toNumber).key(name));
  }

  /**
   * Summarizes the pending entries of the group `groupname`.
   * {@link https://redis.io/docs/latest/commands/xpending/ XPENDING}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const { pending, consumers } = await r.xpending("s", "g");
   * ```
   */
  xpending(name: RedisKey, groupname: RedisValue): Promise<XPendingSummary> {
    return this.execute(new Command<XPendingSummary>("XPENDING", toXPendingSummary).key(name).arg(groupname));
  }

  /**
   * Lists pending entries of the group `groupname` between `min` and `max`
   * (at most `count`, which is required), optionally of one consumer or idle
   * for at least `idle` ms.
   * {@link https://redis.io/docs/latest/commands/xpending/ XPENDING}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const rows = await r.xpendingRange("s", "g", { count: 10, consumername: "c1", idle: 1000 });
   * ```
   */
  xpendingRange(
    name: RedisKey,
    groupname: RedisValue,
    options: XPendingRangeOptions,
  ): Promise<XPendingEntry[]> {
    const cmd = new Command<XPendingEntry[]>("XPENDING", toXPendingRange).key(name).arg(groupname);
    const o = optionsOf(cmd, options, XPENDING_RANGE_KEYS);
    if (o.idle !== undefined && o.idle !== null) {
      integer(cmd, "idle", o.idle, 0);
      cmd.arg("IDLE").arg(o.idle);
    }
    cmd.arg(streamId(cmd, "min", o.min ?? "-")).arg(streamId(cmd, "max", o.max ?? "+"));
    if (o.count === undefined || o.count === null) cmd.fail(`${cmd.name}: count is required for a range`);
    else integer(cmd, "count", o.count, 0);
    cmd.arg(typeof o.count === "number" ? o.count : 0);
    if (o.consumername !== undefined && o.consumername !== null) cmd.arg(o.consumername);
    return this.execute(cmd);
  }

  /**
   * Returns the entries of the stream `name` from `min` to `max` (all by default).
   * {@link https://redis.io/docs/latest/commands/xrange/ XRANGE}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const page = await r.xrange("s", { min: "-", max: "+", count: 100 });
   * ```
   */
  xrange(name: RedisKey, options?: XRangeOptions): Promise<StreamEntry<Str<D>>[]> {
    const cmd = new Command("XRANGE", toEntries).key(name);
    const o = optionsOf(cmd, options, XRANGE_KEYS);
    cmd.arg(streamId(cmd, "min", o.min ?? "-")).arg(streamId(cmd, "max", o.max ?? "+"));
    countArg(cmd, o.count, 0);
    return this.execute(cmd as unknown as Command<StreamEntry<Str<D>>[]>);
  }

  /**
   * Returns the entries of the stream `name` from `max` down to `min`.
   * {@link https://redis.io/docs/latest/commands/xrevrange/ XREVRANGE}
   */
  xrevrange(name: RedisKey, options?: XRangeOptions): Promise<StreamEntry<Str<D>>[]> {
    const cmd = new Command("XREVRANGE", toEntries).key(name);
    const o = optionsOf(cmd, options, XRANGE_KEYS);
    cmd.arg(streamId(cmd, "max", o.max ?? "+")).arg(streamId(cmd, "min", o.min ?? "-"));
    countArg(cmd, o.count, 0);
    return this.execute(cmd as unknown as Command<StreamEntry<Str<D>>[]>);
  }

  /**
   * Reads the entries after the given id of each stream; with `block`,
   * waits up to that many milliseconds for one (0: forever). Resolves to
   * `[name, entries]` per stream with data, `[]` when none had any.
   * {@link https://redis.io/docs/latest/commands/xread/ XREAD}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * for (const [stream, entries] of await r.xread({ s: "0" }, { count: 10, block: 1000 })) {
   *   console.log(stream, entries.map((e) => e.id));
   * }
   * ```
   */
  xread(streams: StreamOffsets, options?: XReadOptions): Promise<XReadResult<D>> {
    const cmd = new Command("XREAD", toReadResult(false));
    readArgs(cmd, optionsOf(cmd, options, XREAD_KEYS));
    streamsArgs(cmd, streams);
    return this.execute(cmd as unknown as Command<XReadResult<D>>);
  }

  /**
   * Reads entries as `consumername` of the group `groupname`: id `">"` for
   * new entries, another id to re-read the consumer's pending ones (deleted
   * entries then come with `fields: null`).
   * {@link https://redis.io/docs/latest/commands/xreadgroup/ XREADGROUP}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const batch = await r.xreadgroup("g", "c1", { s: ">" }, { count: 10, block: 1000 });
   * ```
   */
  xreadgroup(
    groupname: RedisValue,
    consumername: RedisValue,
    streams: StreamOffsets,
    options?: XReadGroupOptions,
  ): Promise<XReadGroupResult<D>> {
    const cmd = new Command("XREADGROUP", toReadResult(true)).arg("GROUP").arg(groupname).arg(consumername);
    const o = optionsOf(cmd, options, XREAD_GROUP_KEYS);
    readArgs(cmd, o);
    if (o.noack) cmd.arg("NOACK");
    streamsArgs(cmd, streams);
    return this.execute(cmd as unknown as Command<XReadGroupResult<D>>);
  }

  /**
   * Sets the last id of the stream `name` (and, Redis 7.0+, its counters); resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/xsetid/ XSETID}
   */
  xsetid(name: RedisKey, lastid: StreamId, options?: XSetIdOptions): Promise<true> {
    const cmd = new Command<true>("XSETID", toTrue).key(name);
    const o = optionsOf(cmd, options, XSETID_KEYS);
    cmd.arg(streamId(cmd, "lastid", lastid));
    if (o.entriesAdded !== undefined && o.entriesAdded !== null) {
      integer(cmd, "entriesAdded", o.entriesAdded, 0);
      cmd.arg("ENTRIESADDED").arg(o.entriesAdded);
    }
    if (o.maxDeletedEntryId !== undefined && o.maxDeletedEntryId !== null) {
      cmd.arg("MAXDELETEDID").arg(streamId(cmd, "maxDeletedEntryId", o.maxDeletedEntryId));
    }
    return this.execute(cmd);
  }

  /**
   * Trims the stream `name` by `maxlen` or `minid` (one is required);
   * resolves to the number of entries removed.
   * {@link https://redis.io/docs/latest/commands/xtrim/ XTRIM}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.xtrim("s", { maxlen: 100, approximate: false });
   * ```
   */
  xtrim(name: RedisKey, options: XTrimOptions): Promise<number> {
    const cmd = new Command<number>("XTRIM", toNumber).key(name);
    const o = optionsOf(cmd, options, XTRIM_KEYS);
    if ((o.maxlen === undefined || o.maxlen === null) && (o.minid === undefined || o.minid === null)) {
      cmd.fail(`${cmd.name}: one of maxlen or minid must be given`);
    }
    trimArgs(cmd, o);
    return this.execute(cmd);
  }
}
