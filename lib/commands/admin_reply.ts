/**
 * Reply transforms of the administration commands (ACL, CLIENT, COMMAND,
 * SLOWLOG, LATENCY, MEMORY, MODULE). Each accepts the RESP2 and the RESP3
 * shape of its reply (maps arrive as flat arrays) and gives the same value.
 *
 * @module
 */

import type { RespValue } from "../protocol/types.ts";
import { InvalidResponse } from "../errors.ts";
import { camel, shapeOf, textDeep, type TextValue, toFloat, toNumber, toRecord, toText } from "./reply.ts";

export type { TextValue };

/** A flat [k, v, ...] map whose keys are text; a non-array is a malformed reply. */
export function mapOf(reply: RespValue, what: string): Record<string, RespValue> {
  if (!Array.isArray(reply)) {
    throw new InvalidResponse(`expected ${what}, got ${shapeOf(reply)}`);
  }
  return toRecord(reply);
}

/** An array reply; a non-array is a malformed reply. */
export function arrayOf(reply: RespValue, what: string): RespValue[] {
  if (!Array.isArray(reply)) {
    throw new InvalidResponse(`expected ${what}, got ${shapeOf(reply)}`);
  }
  return reply;
}

/** A text list (RESP2 array or RESP3 set), or a space-separated string split in words. */
function words(reply: RespValue | undefined): string[] {
  if (reply === undefined || reply === null) return [];
  if (Array.isArray(reply)) return reply.map(toText);
  return toText(reply).split(" ").filter((w) => w !== "");
}

/** A number reply that RESP2 sends as a string (a float or an integer). */
function num(reply: RespValue | undefined): number {
  return reply === undefined ? NaN : toFloat(reply) ?? NaN;
}

/**
 * A user's ACL rules as `aclGetuser` returns them.
 *
 * @example
 * ```ts
 * import type { AclUser } from "@uniredis/redis";
 * const u: Partial<AclUser> = { enabled: true, keys: ["~*"] };
 * console.log(u.enabled); // true
 * ```
 */
export interface AclUser {
  /** Flags such as `on`, `off`, `nopass`, `sanitize-payload`. */
  flags: string[];
  /** `on` is among the flags. */
  enabled: boolean;
  /** SHA-256 hashes of the user's passwords. */
  passwords: string[];
  /** Command rules without a category (`+get`, `-debug`). */
  commands: string[];
  /** Category rules (`+@all`, `-@dangerous`). */
  categories: string[];
  /** Key patterns (`~*`, `%R~cache:*`). */
  keys: string[];
  /** Channel patterns (`&*`). */
  channels: string[];
  /** Selectors, each with its `commands`, `keys` and `channels` rules. */
  selectors: Record<string, string>[];
}

/** ACL GETUSER (redis-py's `parse_acl_getuser`): `null` for an unknown user. */
export function toAclUser(reply: RespValue): AclUser | null {
  if (reply === null) return null;
  const m = mapOf(reply, "an ACL user map");
  const flags = words(m.flags);
  const rules = words(m.commands);
  const selectors = Array.isArray(m.selectors)
    ? m.selectors.map((s) => {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(mapOf(s, "a selector map"))) out[k] = v === null ? "" : toText(v);
      return out;
    })
    : [];
  return {
    flags,
    enabled: flags.includes("on"),
    passwords: words(m.passwords),
    commands: rules.filter((r) => !r.includes("@")),
    categories: rules.filter((r) => r.includes("@")),
    keys: words(m.keys),
    channels: words(m.channels),
    selectors,
  };
}

/**
 * One entry of `aclLog`: the reply's fields in camelCase (`ageSeconds`,
 * `clientInfo`, `entryId`, ...), numbers as numbers.
 *
 * @example
 * ```ts
 * import type { AclLogEntry } from "@uniredis/redis";
 * const e: Partial<AclLogEntry> = { reason: "auth", count: 1 };
 * console.log(e.reason); // "auth"
 * ```
 */
export interface AclLogEntry {
  /** How many times this event was seen. */
  count: number;
  /** `auth`, `command`, `key` or `channel`. */
  reason: string;
  /** `toplevel`, `multi` or `lua`. */
  context: string;
  /** The command, key or channel denied. */
  object: string;
  /** The user involved. */
  username: string;
  /** Seconds since the last occurrence. */
  ageSeconds: number;
  /** The client's CLIENT LIST line. */
  clientInfo: string;
  /** Any other field (`entryId`, `timestampCreated`, `timestampLastUpdated` in Redis 7.2+). */
  [field: string]: string | number;
}

const NUMERIC_LOG_FIELDS = new Set([
  "count",
  "ageSeconds",
  "entryId",
  "timestampCreated",
  "timestampLastUpdated",
]);

/** ACL LOG: one object per entry, RESP2 strings and RESP3 doubles alike. */
export function toAclLog(reply: RespValue): AclLogEntry[] {
  return arrayOf(reply, "an array of ACL log entries").map((entry) => {
    const out: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(mapOf(entry, "an ACL log entry"))) {
      const key = camel(k);
      out[key] = NUMERIC_LOG_FIELDS.has(key) ? num(v) : v === null ? "" : toText(v);
    }
    return out as AclLogEntry;
  });
}

/**
 * One SLOWLOG GET entry (redis-py's `parse_slowlog_get`).
 *
 * @example
 * ```ts
 * import type { SlowlogEntry } from "@uniredis/redis";
 * const e: Partial<SlowlogEntry> = { id: 1, command: ["GET", "k"] };
 * console.log(e.command); // ["GET", "k"]
 * ```
 */
export interface SlowlogEntry {
  /** The entry's unique id. */
  id: number;
  /** When the command ran, in seconds since the Unix epoch. */
  startTime: number;
  /** How long it took, in microseconds. */
  duration: number;
  /** The command's arguments (possibly truncated by the server). */
  command: string[];
  /** The client's `ip:port`. */
  clientAddress: string;
  /** The client's name (empty when it has none). */
  clientName: string;
}

/** SLOWLOG GET: one object per entry. */
export function toSlowlog(reply: RespValue): SlowlogEntry[] {
  return arrayOf(reply, "an array of slowlog entries").map((e) => {
    const [id, start, duration, command, address, name] = arrayOf(e, "a slowlog entry");
    return {
      id: toNumber(id),
      startTime: toNumber(start),
      duration: toNumber(duration),
      command: arrayOf(command, "a command").map(toText),
      clientAddress: address === undefined || address === null ? "" : toText(address),
      clientName: name === undefined || name === null ? "" : toText(name),
    };
  });
}

/**
 * One command of `command` and `commandInfo` (redis-py's `parse_command`, camelCase).
 *
 * @example
 * ```ts
 * import type { CommandInfo } from "@uniredis/redis";
 * const c: Partial<CommandInfo> = { name: "get", arity: 2 };
 * console.log(c.arity); // 2
 * ```
 */
export interface CommandInfo {
  /** The command's name, lower case. */
  name: string;
  /** Number of arguments, name included (negative: at least that many). */
  arity: number;
  /** Flags such as `readonly`, `fast`. */
  flags: string[];
  /** Position of the first key (0: none); redis-py's `first_key_pos`. */
  firstKeyPos: number;
  /** Position of the last key (negative: from the end); redis-py's `last_key_pos`. */
  lastKeyPos: number;
  /** Step between keys; redis-py's `step_count`. */
  stepCount: number;
  /** ACL categories (`@read`, `@string`). */
  aclCategories: string[];
  /** Request and response policies (`request_policy:all_shards`). */
  tips: string[];
  /** Key specifications, as text trees. */
  keySpecifications: TextValue[];
  /** Subcommands, described the same way. */
  subcommands: CommandInfo[];
}

/**
 * How deep subcommands and argument trees may nest: Redis's own go 3 levels
 * deep; a deeper reply is malformed (and must not recurse without bound).
 */
const MAX_NESTING = 32;

/** Throws when a recursive reply structure nests beyond `MAX_NESTING`. */
function checkDepth(depth: number, what: string): void {
  if (depth > MAX_NESTING) throw new InvalidResponse(`expected ${what} nested at most ${MAX_NESTING} deep`);
}

function commandInfoOf(entry: RespValue, depth = 0): CommandInfo {
  checkDepth(depth, "subcommands");
  const e = arrayOf(entry, "a command description");
  return {
    name: toText(e[0]),
    arity: toNumber(e[1]),
    flags: words(e[2]),
    firstKeyPos: toNumber(e[3]),
    lastKeyPos: toNumber(e[4]),
    stepCount: toNumber(e[5]),
    aclCategories: words(e[6]),
    tips: words(e[7]),
    keySpecifications: Array.isArray(e[8]) ? e[8].map(textDeep) : [],
    subcommands: Array.isArray(e[9]) ? e[9].map((sub) => commandInfoOf(sub, depth + 1)) : [],
  };
}

/** COMMAND and COMMAND INFO: an object per known name, keyed by name; unknown names are left out. */
export function toCommandInfo(reply: RespValue): Record<string, CommandInfo> {
  const out: Record<string, CommandInfo> = {};
  for (const entry of arrayOf(reply, "an array of command descriptions")) {
    if (entry === null) continue;
    const info = commandInfoOf(entry);
    out[info.name] = info;
  }
  return out;
}

/**
 * A documentation tree (COMMAND DOCS): maps become objects (keys as sent), arrays stay arrays.
 *
 * @example
 * ```ts
 * import type { DocValue } from "@uniredis/redis";
 * const doc: DocValue = { summary: "Returns the string value of a key.", since: "1.0.0", arguments: [] };
 * console.log(typeof doc); // "object"
 * ```
 */
export type DocValue = string | number | boolean | null | DocValue[] | { [field: string]: DocValue };

/** Fields of COMMAND DOCS whose values are maps (the rest are arrays or scalars). */
const DOC_MAPS = new Set(["subcommands"]);

function docOf(reply: RespValue, depth: number): { [field: string]: DocValue } {
  checkDepth(depth, "command docs");
  const out: { [field: string]: DocValue } = {};
  for (const [k, v] of Object.entries(mapOf(reply, "a command doc map"))) {
    if (k === "arguments" && Array.isArray(v)) out[k] = v.map((arg) => docOf(arg, depth + 1));
    else if (k === "history" && Array.isArray(v)) out[k] = v.map(textDeep);
    else if (DOC_MAPS.has(k)) out[k] = docsOf(v, depth + 1);
    else out[k] = textDeep(v);
  }
  return out;
}

function docsOf(reply: RespValue, depth: number): { [name: string]: { [field: string]: DocValue } } {
  const out: { [name: string]: { [field: string]: DocValue } } = {};
  for (const [name, doc] of Object.entries(mapOf(reply, "a map of command docs"))) {
    out[name] = docOf(doc, depth);
  }
  return out;
}

/** COMMAND DOCS: `{ name: { summary, since, group, complexity, arguments: [...], ... } }`. */
export function toCommandDocs(reply: RespValue): { [name: string]: { [field: string]: DocValue } } {
  return docsOf(reply, 0);
}

/** COMMAND GETKEYSANDFLAGS: `[key, flags][]`. */
export function toKeysAndFlags(reply: RespValue): [string, string[]][] {
  return arrayOf(reply, "an array of keys and flags").map((e) => {
    const [key, flags] = arrayOf(e, "a [key, flags] pair");
    return [toText(key), words(flags)];
  });
}

/** A flat map made an object of text trees (MODULE LIST entries, CLIENT TRACKINGINFO, ...). */
export function toTextTree(reply: RespValue): Record<string, TextValue> {
  const out: Record<string, TextValue> = {};
  for (const [k, v] of Object.entries(mapOf(reply, "a map"))) out[k] = textDeep(v);
  return out;
}

/**
 * CLIENT TRACKINGINFO as an object.
 *
 * @example
 * ```ts
 * import type { TrackingInfo } from "@uniredis/redis";
 * const t: TrackingInfo = { flags: ["off"], redirect: -1, prefixes: [] };
 * console.log(t.redirect); // -1
 * ```
 */
export interface TrackingInfo {
  /** `off`, `on`, `bcast`, `optin`, `optout`, `caching-yes`, `noloop`, `broken_redirect`, ... */
  flags: string[];
  /** The client id notifications go to (0: this connection, -1: tracking off). */
  redirect: number;
  /** The broadcast prefixes. */
  prefixes: string[];
}

/** CLIENT TRACKINGINFO. */
export function toTrackingInfo(reply: RespValue): TrackingInfo {
  const m = mapOf(reply, "a tracking info map");
  return { flags: words(m.flags), redirect: toNumber(m.redirect ?? -1), prefixes: words(m.prefixes) };
}

/** MODULE LIST: one object per module (`name`, `ver`, `path`, `args`). */
export function toModuleList(reply: RespValue): Record<string, TextValue>[] {
  return arrayOf(reply, "an array of modules").map(toTextTree);
}

/** One non-map value of MEMORY STATS: numeric text of RESP2 becomes a number. */
function statLeaf(v: RespValue): TextValue {
  if (typeof v === "string" || v instanceof Uint8Array) {
    const s = toText(v);
    const n = Number(s);
    return s !== "" && Number.isFinite(n) ? n : s;
  }
  return textDeep(v);
}

/** Sets `key` even when it is `"__proto__"` (a field name the server may send). */
function define(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    out[key] = value;
  }
}

/**
 * A number tree of MEMORY STATS: nested maps become objects, numeric strings
 * numbers. Iterative, so a hostile deeply nested reply cannot overflow the stack.
 */
function statValue(v: RespValue): TextValue | Record<string, TextValue> {
  if (!Array.isArray(v)) return statLeaf(v);
  const root: Record<string, unknown> = {};
  const stack: [RespValue[], Record<string, unknown>][] = [[v, root]];
  while (stack.length > 0) {
    const [from, to] = stack.pop()!;
    for (let i = 0; i + 1 < from.length; i += 2) {
      const x = from[i + 1];
      if (Array.isArray(x)) {
        const sub: Record<string, unknown> = {};
        define(to, toText(from[i]), sub);
        stack.push([x, sub]);
      } else {
        define(to, toText(from[i]), statLeaf(x));
      }
    }
  }
  return root as Record<string, TextValue>;
}

/** MEMORY STATS: an object (`db.0` is a nested object), numbers as numbers. */
export function toMemoryStats(reply: RespValue): Record<string, unknown> {
  return statValue(arrayOf(reply, "a memory stats map")) as Record<string, unknown>;
}

/** LATENCY HISTOGRAM: `{ command: { calls, histogram_usec: { bucket: count } } }`. */
export function toLatencyHistogram(reply: RespValue): Record<string, unknown> {
  return statValue(arrayOf(reply, "a latency histogram map")) as Record<string, unknown>;
}

/** LATENCY LATEST: `[event, timestamp, latest, max]` per event (7.4 adds nothing here). */
export function toLatencyLatest(reply: RespValue): [string, number, number, number][] {
  return arrayOf(reply, "an array of latency events").map((e) => {
    const [name, ts, latest, max] = arrayOf(e, "a latency event");
    return [toText(name), toNumber(ts), toNumber(latest), toNumber(max)];
  });
}

/** LATENCY HISTORY: `[timestamp, latency]` samples. */
export function toLatencyHistory(reply: RespValue): [number, number][] {
  return arrayOf(reply, "an array of latency samples").map((e) => {
    const [ts, latency] = arrayOf(e, "a latency sample");
    return [toNumber(ts), toNumber(latency)];
  });
}
