/**
 * SENTINEL * as plain methods, to be sent to a sentinel (`redis-server --sentinel`).
 *
 * SENTINEL IS-MASTER-DOWN-BY-ADDR is left out: sentinels send it to each
 * other during a failover, it is no command for a client.
 *
 * @module
 */

import { ClusterCommands } from "./cluster.ts";
import { Command } from "./command.ts";
import type { RespValue } from "../protocol/types.ts";
import { toNumber, toRecord, toText, toTextRecord, toTrue } from "./reply.ts";
import { integer, oneOf, pairsOf } from "./validate.ts";
import type { Mapping } from "./validate.ts";

/**
 * The state of a master, replica or sentinel as a sentinel reports it:
 * Redis's field names (`name`, `ip`, `port`, `flags`, `quorum`,
 * `down-after-milliseconds`, ...), the numeric ones as numbers (like
 * redis-py's `parse_sentinel_state`), plus `flags` decoded into booleans.
 *
 * @example
 * ```ts
 * import type { SentinelState } from "@uniredis/redis";
 * const s: SentinelState = { name: "mymaster", ip: "127.0.0.1", port: 6380, flags: "master", isMaster: true };
 * console.log(s.isMaster); // true
 * ```
 */
export interface SentinelState {
  /** The instance's name (`ip:port` for replicas and sentinels). */
  name?: string;
  /** Its address. */
  ip?: string;
  /** Its port. */
  port?: number;
  /** The raw comma-separated flags (`master`, `s_down`, `disconnected`, ...). */
  flags?: string;
  /** `flags` has `master`. */
  isMaster?: boolean;
  /** `flags` has `slave`. */
  isSlave?: boolean;
  /** `flags` has `s_down` (subjectively down). */
  isSdown?: boolean;
  /** `flags` has `o_down` (objectively down). */
  isOdown?: boolean;
  /** `flags` has `sentinel`. */
  isSentinel?: boolean;
  /** `flags` has `disconnected`. */
  isDisconnected?: boolean;
  /** `flags` has `master_down`. */
  isMasterDown?: boolean;
  /** Every other field. */
  [field: string]: string | number | boolean | undefined;
}

/**
 * One entry of `sentinelInfoCache`: how old the cached INFO is (milliseconds)
 * and its text (`null` when none is cached). The master comes first, then its replicas.
 *
 * @example
 * ```ts
 * import type { SentinelInfoCacheEntry } from "@uniredis/redis";
 * const e: SentinelInfoCacheEntry = { age: 120, info: "# Server\r\nredis_version:7.2.4\r\n" };
 * console.log(e.age); // 120
 * ```
 */
export interface SentinelInfoCacheEntry {
  /** Milliseconds since the INFO was cached. */
  age: number;
  /** The cached INFO text, or `null`. */
  info: string | null;
}

/** Fields of sentinel state that are numbers (redis-py's SENTINEL_STATE_TYPES and newer ones). */
const SENTINEL_NUMERIC = new Set([
  "can-failover-its-master",
  "config-epoch",
  "down-after-milliseconds",
  "failover-timeout",
  "info-refresh",
  "last-hello-message",
  "last-ok-ping-reply",
  "last-ping-reply",
  "last-ping-sent",
  "leader-epoch",
  "link-pending-commands",
  "link-refcount",
  "master-link-down-time",
  "master-port",
  "num-other-sentinels",
  "num-slaves",
  "o-down-time",
  "parallel-syncs",
  "pending-commands",
  "port",
  "quorum",
  "replica-announced",
  "role-reported-time",
  "s-down-time",
  "slave-priority",
  "slave-repl-offset",
  "voted-leader-epoch",
]);

const FLAGS: [keyof SentinelState, string][] = [
  ["isMaster", "master"],
  ["isSlave", "slave"],
  ["isSdown", "s_down"],
  ["isOdown", "o_down"],
  ["isSentinel", "sentinel"],
  ["isDisconnected", "disconnected"],
  ["isMasterDown", "master_down"],
];

const INT = /^[+-]?\d+$/;

/** One state reply (a flat field/value array or RESP3 map) as a `SentinelState`. */
function toSentinelState(reply: RespValue): SentinelState {
  const out: SentinelState = {};
  for (const [k, v] of Object.entries(toRecord(reply))) {
    if (v === null || v === undefined) continue;
    const text = typeof v === "number" ? String(v) : toText(v);
    out[k] = SENTINEL_NUMERIC.has(k) && INT.test(text) ? Number(text) : text;
  }
  const flags = new Set(typeof out.flags === "string" ? out.flags.split(",") : []);
  for (const [name, flag] of FLAGS) out[name] = flags.has(flag);
  return out;
}

function toSentinelStates(reply: RespValue): SentinelState[] {
  return Array.isArray(reply) ? reply.map(toSentinelState) : [];
}

/** `[host, port]` with a numeric port; `null` for an unknown master. */
function toMasterAddr(reply: RespValue): [host: string, port: number] | null {
  if (!Array.isArray(reply) || reply.length < 2) return null;
  return [toText(reply[0]), toNumber(reply[1])];
}

function toInfoCache(reply: RespValue): Record<string, SentinelInfoCacheEntry[]> {
  const out: Record<string, SentinelInfoCacheEntry[]> = {};
  for (const [name, entries] of Object.entries(toRecord(reply))) {
    out[name] = (Array.isArray(entries) ? entries : []).map((entry) => {
      const [age, info] = Array.isArray(entry) ? entry : [];
      return { age: toNumber(age ?? null), info: info === null || info === undefined ? null : toText(info) };
    });
  }
  return out;
}

/** Text values at every depth, field/value replies as objects (PENDING-SCRIPTS). */
function toScripts(reply: RespValue): Record<string, string | string[]>[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((script) => {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(toRecord(script))) {
      out[k] = Array.isArray(v) ? v.map(toText) : v === null ? "" : toText(v);
    }
    return out;
  });
}

/**
 * SENTINEL * as plain methods, in redis-py's argument order. Send them to a
 * sentinel: `new Redis({ host, port: 26379 })`.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using sentinel = new Redis({ port: 26379 });
 * console.log(await sentinel.sentinelGetMasterAddrByName("mymaster")); // ["127.0.0.1", 6379]
 * ```
 */
export abstract class SentinelCommands<D extends boolean = true> extends ClusterCommands<D> {
  /**
   * Checks that the sentinels can reach the quorum and the majority needed to
   * fail over master `name`; resolves to the sentinel's text
   * (`"OK 3 usable Sentinels. ..."`) and rejects (`NOQUORUM`) when they cannot.
   * {@link https://redis.io/docs/latest/commands/sentinel-ckquorum/ SENTINEL CKQUORUM}
   */
  sentinelCkquorum(name: string): Promise<string> {
    return this.execute(new Command<string>(["SENTINEL", "CKQUORUM"], toText).arg(name));
  }

  /**
   * Returns the sentinel's own configuration parameters matching `name` (and
   * `names`, Redis 7.2+), as an object of text values.
   * {@link https://redis.io/docs/latest/commands/sentinel-config/ SENTINEL CONFIG}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using sentinel = new Redis({ port: 26379 });
   * console.log(await sentinel.sentinelConfigGet("resolve-hostnames")); // { "resolve-hostnames": "no" }
   * ```
   */
  sentinelConfigGet(name: string = "*", ...names: string[]): Promise<Record<string, string>> {
    return this.execute(
      new Command<Record<string, string>>(["SENTINEL", "CONFIG", "GET"], toTextRecord).arg(name).argsOf(
        names,
      ),
    );
  }

  /**
   * Sets the sentinel's own configuration parameter `name` to `value`; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/sentinel-config/ SENTINEL CONFIG}
   */
  sentinelConfigSet(name: string, value: string | number): Promise<true> {
    return this.execute(new Command<true>(["SENTINEL", "CONFIG", "SET"], toTrue).arg(name).arg(value));
  }

  /**
   * Without `params`, returns the sentinel's tunable timing parameters
   * (milliseconds, as text); with them, sets those parameters and resolves to `true` (Redis 7+).
   * {@link https://redis.io/docs/latest/commands/sentinel-debug/ SENTINEL DEBUG}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using sentinel = new Redis({ port: 26379 });
   * await sentinel.sentinelDebug({ "info-period": 5000 });
   * ```
   */
  sentinelDebug(params?: Mapping<string, string | number>): Promise<Record<string, string> | true> {
    const cmd = new Command<Record<string, string> | true>(
      ["SENTINEL", "DEBUG"],
      (r) => (Array.isArray(r) ? toTextRecord(r) : true),
    );
    if (params !== undefined && params !== null) {
      for (const [k, v] of pairsOf(cmd, "params", params)) cmd.arg(k).arg(v);
    }
    return this.execute(cmd);
  }

  /**
   * Forces a failover of master `name` without asking the other sentinels; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/sentinel-failover/ SENTINEL FAILOVER}
   */
  sentinelFailover(name: string): Promise<true> {
    return this.execute(new Command<true>(["SENTINEL", "FAILOVER"], toTrue).arg(name));
  }

  /**
   * Rewrites the sentinel's configuration file; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/sentinel-flushconfig/ SENTINEL FLUSHCONFIG}
   */
  sentinelFlushconfig(): Promise<true> {
    return this.execute(new Command<true>(["SENTINEL", "FLUSHCONFIG"], toTrue));
  }

  /**
   * Returns `[host, port]` of master `name`'s current address, or `null` when
   * the sentinel does not know it.
   * {@link https://redis.io/docs/latest/commands/sentinel-get-master-addr-by-name/ SENTINEL GET-MASTER-ADDR-BY-NAME}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using sentinel = new Redis({ port: 26379 });
   * const addr = await sentinel.sentinelGetMasterAddrByName("mymaster");
   * if (addr) console.log(addr[1]); // 6379
   * ```
   */
  sentinelGetMasterAddrByName(name: string): Promise<[host: string, port: number] | null> {
    return this.execute(
      new Command<[string, number] | null>(["SENTINEL", "GET-MASTER-ADDR-BY-NAME"], toMasterAddr).arg(name),
    );
  }

  /**
   * Returns the INFO replies the sentinel cached for masters `names` (all
   * masters when none is given) and their replicas, keyed by master name.
   * {@link https://redis.io/docs/latest/commands/sentinel-info-cache/ SENTINEL INFO-CACHE}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using sentinel = new Redis({ port: 26379 });
   * const cache = await sentinel.sentinelInfoCache("mymaster");
   * console.log(cache.mymaster[0].age >= 0); // true
   * ```
   */
  sentinelInfoCache(...names: string[]): Promise<Record<string, SentinelInfoCacheEntry[]>> {
    return this.execute(
      new Command<Record<string, SentinelInfoCacheEntry[]>>(["SENTINEL", "INFO-CACHE"], toInfoCache)
        .argsOf(names),
    );
  }

  /**
   * Returns the state of master `name` (see `SentinelState`).
   * {@link https://redis.io/docs/latest/commands/sentinel-master/ SENTINEL MASTER}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using sentinel = new Redis({ port: 26379 });
   * const m = await sentinel.sentinelMaster("mymaster");
   * console.log(m.isMaster, m.quorum); // true 2
   * ```
   */
  sentinelMaster(name: string): Promise<SentinelState> {
    return this.execute(new Command<SentinelState>(["SENTINEL", "MASTER"], toSentinelState).arg(name));
  }

  /**
   * Returns the state of every monitored master, one `SentinelState` each
   * (redis-py keys them by name: `Object.fromEntries(masters.map((m) => [m.name, m]))`).
   * {@link https://redis.io/docs/latest/commands/sentinel-masters/ SENTINEL MASTERS}
   */
  sentinelMasters(): Promise<SentinelState[]> {
    return this.execute(new Command<SentinelState[]>(["SENTINEL", "MASTERS"], toSentinelStates));
  }

  /**
   * Starts monitoring the master at `ip`:`port` as `name`, failing it over
   * when `quorum` sentinels agree it is down; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/sentinel-monitor/ SENTINEL MONITOR}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using sentinel = new Redis({ port: 26379 });
   * await sentinel.sentinelMonitor("cache", "127.0.0.1", 6380, 2);
   * ```
   */
  sentinelMonitor(name: string, ip: string, port: number, quorum: number): Promise<true> {
    const cmd = new Command<true>(["SENTINEL", "MONITOR"], toTrue).arg(name).arg(ip).arg(port).arg(quorum);
    integer(cmd, "port", port, 0);
    integer(cmd, "quorum", quorum, 1);
    return this.execute(cmd);
  }

  /**
   * Returns the sentinel's id.
   * {@link https://redis.io/docs/latest/commands/sentinel-myid/ SENTINEL MYID}
   */
  sentinelMyid(): Promise<string> {
    return this.execute(new Command<string>(["SENTINEL", "MYID"], toText));
  }

  /**
   * Returns the notification and reconfiguration scripts waiting to run, one
   * object each (`argv`, `flags`, `pid`, `run-time`, `run-delay`, `retry-num`, as text).
   * {@link https://redis.io/docs/latest/commands/sentinel-pending-scripts/ SENTINEL PENDING-SCRIPTS}
   */
  sentinelPendingScripts(): Promise<Record<string, string | string[]>[]> {
    return this.execute(
      new Command<Record<string, string | string[]>[]>(["SENTINEL", "PENDING-SCRIPTS"], toScripts),
    );
  }

  /**
   * Stops monitoring master `name`; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/sentinel-remove/ SENTINEL REMOVE}
   */
  sentinelRemove(name: string): Promise<true> {
    return this.execute(new Command<true>(["SENTINEL", "REMOVE"], toTrue).arg(name));
  }

  /**
   * Returns the state of master `name`'s replicas, one `SentinelState` each.
   * {@link https://redis.io/docs/latest/commands/sentinel-replicas/ SENTINEL REPLICAS}
   */
  sentinelReplicas(name: string): Promise<SentinelState[]> {
    return this.execute(new Command<SentinelState[]>(["SENTINEL", "REPLICAS"], toSentinelStates).arg(name));
  }

  /**
   * Resets the masters whose name matches the glob-style `pattern` (forgets
   * their replicas and sentinels); resolves to how many were reset.
   * {@link https://redis.io/docs/latest/commands/sentinel-reset/ SENTINEL RESET}
   */
  sentinelReset(pattern: string): Promise<number> {
    return this.execute(new Command<number>(["SENTINEL", "RESET"], toNumber).arg(pattern));
  }

  /**
   * Returns the state of the other sentinels monitoring master `name`, one `SentinelState` each.
   * {@link https://redis.io/docs/latest/commands/sentinel-sentinels/ SENTINEL SENTINELS}
   */
  sentinelSentinels(name: string): Promise<SentinelState[]> {
    return this.execute(new Command<SentinelState[]>(["SENTINEL", "SENTINELS"], toSentinelStates).arg(name));
  }

  /**
   * Sets monitoring parameter `option` of master `name` to `value`; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/sentinel-set/ SENTINEL SET}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using sentinel = new Redis({ port: 26379 });
   * await sentinel.sentinelSet("mymaster", "down-after-milliseconds", 5000);
   * ```
   */
  sentinelSet(name: string, option: string, value: string | number): Promise<true> {
    return this.execute(new Command<true>(["SENTINEL", "SET"], toTrue).arg(name).arg(option).arg(value));
  }

  /**
   * Makes the sentinel crash at a point of its next failover, for testing
   * (`"crash-after-election"`, `"crash-after-promotion"`); resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/sentinel-simulate-failure/ SENTINEL SIMULATE-FAILURE}
   */
  sentinelSimulateFailure(...modes: ("crash-after-election" | "crash-after-promotion")[]): Promise<true> {
    const cmd = new Command<true>(["SENTINEL", "SIMULATE-FAILURE"], toTrue);
    for (const mode of modes) {
      cmd.arg(oneOf(cmd, "mode", mode, ["CRASH-AFTER-ELECTION", "CRASH-AFTER-PROMOTION"]).toLowerCase());
    }
    return this.execute(cmd);
  }

  /**
   * Deprecated alias of `sentinelReplicas` (as the sentinel keeps it).
   * {@link https://redis.io/docs/latest/commands/sentinel-slaves/ SENTINEL SLAVES}
   *
   * @deprecated Use `sentinelReplicas`.
   */
  sentinelSlaves(name: string): Promise<SentinelState[]> {
    return this.execute(new Command<SentinelState[]>(["SENTINEL", "SLAVES"], toSentinelStates).arg(name));
  }
}
