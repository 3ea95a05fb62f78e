/**
 * Keyspace notifications without I/O: the options checked, the channels to
 * subscribe to, the `notify-keyspace-events` flags they need (merged with a
 * server's current value), and notifications parsed from messages.
 *
 * @module
 */

import type { RedisKey, Str } from "../commands/command.ts";
import { DataError } from "../errors.ts";
import { checkOptionKeys, optionKeys } from "../commands/validate.ts";
import { textOf } from "../key_text.ts";

/**
 * Options of `Redis.keyspaceNotifications()` and
 * `RedisCluster.keyspaceNotifications()`. With `keys` or `patterns`, the
 * key-space channels of those keys are subscribed (`__keyspace@<db>__:<key>`)
 * and `events`, if given, filters what is yielded; with only `events`, the
 * key-event channel of each event (`__keyevent@<db>__:<event>`); with none of
 * them, every event of every key (`__keyevent@<db>__:*`).
 *
 * @example
 * ```ts
 * import type { KeyspaceNotificationsOptions } from "@uniredis/redis";
 * const o: KeyspaceNotificationsOptions = { patterns: ["user:*"], events: ["set", "del"], configure: true };
 * console.log(o.events); // ["set", "del"]
 * ```
 */
export interface KeyspaceNotificationsOptions {
  /** Keys to watch, exactly (strings or bytes). */
  keys?: RedisKey[];
  /** Glob-style key patterns to watch (`user:*`). */
  patterns?: RedisKey[];
  /** Event names to yield (`"set"`, `"del"`, `"expired"`...); default: every event. */
  events?: string[];
  /** The database (default: the client's; a cluster has only 0). */
  db?: number;
  /** Yield only keys starting with this prefix, and strip it (redis-py's `key_prefix`). */
  keyPrefix?: RedisKey;
  /**
   * Enables the notifications on the server (every primary of a cluster)
   * with CONFIG SET before subscribing: `true` computes the flags the
   * subscription needs, a string gives them (`"Kx"`). Either way they are
   * added to the server's current `notify-keyspace-events`, never replacing
   * it, and nothing is written when it already has them. Default false: the
   * server's configuration is left alone.
   */
  configure?: boolean | string;
}

const OPTION_KEYS = optionKeys<KeyspaceNotificationsOptions>({
  keys: true,
  patterns: true,
  events: true,
  db: true,
  keyPrefix: true,
  configure: true,
});

/**
 * One keyspace notification, as redis-py's `KeyNotification`: the key, the
 * event, the database, the channel it came on and whether that was a
 * key-space channel (else a key-event one). `key` and `channel` follow
 * `decodeResponses` (bytes when it is false); `eventType` is always text.
 *
 * @example
 * ```ts
 * import type { KeyNotification } from "@uniredis/redis";
 * const n: KeyNotification = {
 *   key: "user:1", eventType: "set", database: 0, channel: "__keyspace@0__:user:1", isKeyspace: true,
 * };
 * console.log(n.eventType); // "set"
 * ```
 */
export interface KeyNotification<D extends boolean = true> {
  /** The key the event happened to (without `keyPrefix`). */
  key: Str<D>;
  /** The event: `"set"`, `"del"`, `"expired"`... */
  eventType: string;
  /** The database it happened in. */
  database: number;
  /** The channel the message came on. */
  channel: Str<D>;
  /** True for a key-space channel (`__keyspace@…`), false for a key-event one (`__keyevent@…`). */
  isKeyspace: boolean;
}

/** The flags of `notify-keyspace-events` (Redis 8.2 added `o` and `c`). */
const FLAGS = "KEg$lshzxetdmnAoc";
/** What `A` stands for. */
const ALL = "g$lshzxetd";

/** The class flag of each event Redis sends; an event not listed needs `A`. */
const EVENT_CLASS: Record<string, string> = {};
for (
  const [flag, events] of [
    ["g", "del rename_from rename_to move_from move_to copy_to restore expire persist sortstore"],
    ["$", "set setrange incrby incrbyfloat append"],
    ["l", "lpush rpush lpop rpop linsert lset lrem ltrim"],
    ["s", "sadd srem spop sinterstore sunionstore sdiffstore"],
    ["h", "hset hsetnx hincrby hincrbyfloat hdel hexpire hpersist hexpired"],
    [
      "z",
      "zadd zincr zrem zremrangebyscore zremrangebyrank zremrangebylex zinterstore zunionstore zdiffstore " +
      "zpopmin zpopmax zrangestore",
    ],
    [
      "t",
      "xadd xtrim xdel xsetid xgroup-create xgroup-createconsumer xgroup-delconsumer xgroup-destroy " +
      "xgroup-setid",
    ],
    ["x", "expired"],
    ["e", "evicted"],
    ["n", "new"],
    ["m", "keymiss"],
  ] as const
) {
  for (const event of events.split(" ")) EVENT_CLASS[event] = flag;
}

/** What to subscribe to, and how to read and filter what arrives. */
export interface KeyspacePlan {
  /** Exact channels (SUBSCRIBE). */
  channels: RedisKey[];
  /** Channel patterns (PSUBSCRIBE). */
  patterns: RedisKey[];
  /** Events yielded; undefined: all. */
  events: Set<string> | undefined;
  /** Prefix kept and stripped; undefined: none. */
  keyPrefix: Uint8Array | undefined;
  /** Flags to merge into `notify-keyspace-events`; undefined: leave the server alone. */
  configure: string | undefined;
}

const encoder = new TextEncoder();

function bytesOf(name: RedisKey): Uint8Array {
  return typeof name === "string" ? encoder.encode(name) : name;
}

/** `prefix` then `name`: text when `name` is text, else bytes (binary keys stay exact). */
function join(prefix: string, name: RedisKey): RedisKey {
  if (typeof name === "string") return prefix + name;
  const head = encoder.encode(prefix);
  const out = new Uint8Array(head.length + name.length);
  out.set(head);
  out.set(name, head.length);
  return out;
}

function nameList(what: string, value: unknown): RedisKey[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new DataError(`keyspaceNotifications: ${what} must be an array`);
  for (const name of value) {
    if (typeof name !== "string" && !(name instanceof Uint8Array) || name.length === 0) {
      throw new DataError(
        `keyspaceNotifications: ${what} must hold non-empty strings or Uint8Arrays, got ${String(name)}`,
      );
    }
  }
  return value;
}

/**
 * Checks the options and computes the plan; `defaultDb` is the client's
 * database. Throws a `DataError` for a bad option.
 */
export function keyspacePlan(
  options: KeyspaceNotificationsOptions,
  defaultDb: number,
  cluster: boolean,
): KeyspacePlan {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new DataError("keyspaceNotifications: options must be an object");
  }
  checkOptionKeys("keyspaceNotifications", options, OPTION_KEYS);
  const keys = nameList("keys", options.keys);
  const patterns = nameList("patterns", options.patterns);
  let events: string[] | undefined;
  if (options.events !== undefined) {
    if (!Array.isArray(options.events) || options.events.length === 0) {
      throw new DataError("keyspaceNotifications: events must be a non-empty array of event names");
    }
    for (const event of options.events) {
      if (typeof event !== "string" || !/^[a-z0-9_-]+$/i.test(event)) {
        throw new DataError(`keyspaceNotifications: invalid event ${String(event)}`);
      }
    }
    events = options.events;
  }
  const db = options.db ?? defaultDb;
  if (!Number.isInteger(db) || db < 0) {
    throw new DataError(`keyspaceNotifications: invalid db ${String(options.db)} (expected an integer >= 0)`);
  }
  if (cluster && db !== 0) {
    throw new DataError(`keyspaceNotifications: a cluster has only database 0, got ${db}`);
  }
  const prefix = options.keyPrefix;
  if (prefix !== undefined && typeof prefix !== "string" && !(prefix instanceof Uint8Array)) {
    throw new DataError("keyspaceNotifications: keyPrefix must be a string or Uint8Array");
  }
  const configure = options.configure ?? false;
  if (typeof configure === "string") {
    if (configure === "" || [...configure].some((c) => !FLAGS.includes(c))) {
      throw new DataError(
        `keyspaceNotifications: configure must be true or flags of notify-keyspace-events (${FLAGS}), ` +
          `got "${configure}"`,
      );
    }
  } else if (typeof configure !== "boolean") {
    throw new DataError("keyspaceNotifications: configure must be a boolean or a string of flags");
  }

  const keyspace = keys.length + patterns.length > 0;
  const space = `__keyspace@${db}__:`;
  const event = `__keyevent@${db}__:`;
  const plan: KeyspacePlan = {
    channels: keyspace ? keys.map((k) => join(space, k)) : (events ?? []).map((e) => event + e),
    patterns: keyspace ? patterns.map((p) => join(space, p)) : events ? [] : [event + "*"],
    events: events && new Set(events),
    keyPrefix: prefix === undefined || prefix.length === 0 ? undefined : bytesOf(prefix),
    configure: undefined,
  };
  if (configure === true) {
    const classes = events === undefined
      ? ALL
      : events.map((e) => EVENT_CLASS[e.toLowerCase()] ?? ALL).join("");
    plan.configure = unique((keyspace ? "K" : "E") + classes);
  } else if (typeof configure === "string") {
    plan.configure = unique(configure);
  }
  return plan;
}

function unique(flags: string): string {
  return [...new Set(flags)].join("");
}

/**
 * `current` (a server's `notify-keyspace-events`) with the flags of
 * `needed` it lacks appended; `current` itself when it lacks none (`A` in
 * it covers the classes it stands for).
 *
 * @example
 * ```ts
 * import { mergeKeyspaceFlags } from "@uniredis/redis";
 * console.log(mergeKeyspaceFlags("Ex", "K$x")); // "ExK$"
 * console.log(mergeKeyspaceFlags("AKE", "K$x")); // "AKE"
 * ```
 */
export function mergeKeyspaceFlags(current: string, needed: string): string {
  const has = (flag: string) => current.includes(flag) || (current.includes("A") && ALL.includes(flag));
  let out = current;
  for (const flag of needed) {
    if (flag === "A") {
      for (const member of ALL) if (!has(member) && !out.includes(member)) out += member;
    } else if (!has(flag) && !out.includes(flag)) {
      out += flag;
    }
  }
  return out;
}

const SPACE = encoder.encode("__keyspace@");
const EVENT = encoder.encode("__keyevent@");

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

/**
 * Reads a keyspace notification from a message's channel and payload
 * (redis-py's `KeyNotification.try_parse`): `undefined` when the channel is
 * no key-space or key-event channel, or when `keyPrefix` is given and the
 * key does not start with it (the prefix is stripped otherwise). Strings
 * in, strings out; bytes in, bytes out (binary keys stay exact).
 *
 * @example
 * ```ts
 * import { parseKeyNotification } from "@uniredis/redis";
 * console.log(parseKeyNotification("__keyevent@2__:expired", "session:9"));
 * // { key: "session:9", eventType: "expired", database: 2, channel: "__keyevent@2__:expired", isKeyspace: false }
 * ```
 */
export function parseKeyNotification<C extends RedisKey>(
  channel: C,
  data: C,
  keyPrefix?: RedisKey,
): KeyNotification<C extends string ? true : false> | undefined {
  type N = KeyNotification<C extends string ? true : false>;
  const bytes = bytesOf(channel);
  const isKeyspace = startsWith(bytes, SPACE);
  if (!isKeyspace && !startsWith(bytes, EVENT)) return undefined;
  // `__keyspace@` and `__keyevent@` have the same length; then digits, then `__:`.
  let i = SPACE.length;
  let database = 0;
  const start = i;
  while (i < bytes.length && bytes[i] >= 0x30 && bytes[i] <= 0x39) {
    database = database * 10 + bytes[i++] - 0x30;
  }
  if (i === start || bytes[i] !== 0x5f || bytes[i + 1] !== 0x5f || bytes[i + 2] !== 0x3a) return undefined;
  const rest = bytes.subarray(i + 3);
  const keyBytes = isKeyspace ? rest : bytesOf(data);
  const eventText = textOf(isKeyspace ? data : rest);
  if (eventText === undefined) return undefined;
  let key = keyBytes;
  if (keyPrefix !== undefined && keyPrefix.length > 0) {
    const prefix = bytesOf(keyPrefix);
    if (!startsWith(key, prefix)) return undefined;
    key = key.subarray(prefix.length);
  }
  const text = typeof channel === "string";
  return {
    key: (text ? new TextDecoder().decode(key) : key.slice()) as N["key"],
    eventType: eventText,
    database,
    channel: channel as N["channel"],
    isKeyspace,
  };
}
