/**
 * The rule that maps a Redis command to its method name, and the commands
 * that deliberately have no method. Shared by `tests/command_coverage_test.ts`
 * (against the running test server) and `scripts/command_coverage.ts`
 * (against Redis's command table).
 *
 * @module
 */

/**
 * The method name of a command: lower case, words after the first
 * capitalized, `-`, `_`, `|` and spaces dropped. `"CLIENT LIST"` gives
 * `clientList`, `"client|no-evict"` gives `clientNoEvict`, `"GEORADIUS_RO"`
 * gives `georadiusRo`, `"DEL"` gives `del`.
 *
 * @example
 * ```ts
 * import { methodName } from "./command_names.ts";
 * console.log(methodName("XGROUP CREATECONSUMER")); // "xgroupCreateconsumer"
 * ```
 */
export function methodName(command: string): string {
  const words = command.toLowerCase().split(/[\s|_-]+/).filter((w) => w !== "");
  return words.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join("");
}

/** `"client|list"` or `"client list"` as `"CLIENT LIST"`. */
export function canonical(command: string): string {
  return command.replace(/\|/g, " ").trim().toUpperCase();
}

/**
 * Commands covered by methods that do not follow the name rule: any one of
 * the listed methods counts.
 */
export const ALTERNATIVES: ReadonlyMap<string, readonly string[]> = new Map([
  // One method per action of `SENTINEL CONFIG GET|SET` (like `configGet`/`configSet`).
  ["SENTINEL CONFIG", ["sentinelConfigGet", "sentinelConfigSet"]],
]);

/**
 * Commands without a method, on purpose, each with its reason. Keys are
 * canonical names (`"CLUSTER HELP"`); every `<container> HELP` subcommand is
 * excluded by `isExcluded` without being listed.
 */
export const EXCLUDED: ReadonlyMap<string, string> = new Map([
  // Internal: replication and cluster plumbing between servers, not for clients.
  ["PSYNC", "replication internal"],
  ["SYNC", "replication internal"],
  ["REPLCONF", "replication internal"],
  ["RESTORE-ASKING", "cluster migration internal (MIGRATE sends it)"],
  ["SENTINEL IS-MASTER-DOWN-BY-ADDR", "sentinel-to-sentinel internal"],
  // Debugging aids of the server's own test suite.
  ["PFSELFTEST", "server self-test"],
  ["PFDEBUG", "server debugging"],
  ["DEBUG", "server debugging (sendCommand when needed)"],
  // Connection state the client owns (protocol, database, authentication): it issues them itself.
  ["HELLO", "issued by the client's handshake"],
  ["RESET", "would desynchronize the client's connection state"],
  ["QUIT", "the client's close() ends the connection"],
  ["CLIENT REPLY", "OFF/SKIP suppress replies the client's reply queue waits for"],
  ["SCRIPT DEBUG", "turns the connection into an interactive Lua debugger session"],
  // Subscriptions take over a connection: they are methods of PubSub (r.pubsub()), not of the client.
  ["SUBSCRIBE", "PubSub.subscribe()"],
  ["UNSUBSCRIBE", "PubSub.unsubscribe()"],
  ["PSUBSCRIBE", "PubSub.psubscribe()"],
  ["PUNSUBSCRIBE", "PubSub.punsubscribe()"],
  ["SSUBSCRIBE", "PubSub.ssubscribe()"],
  ["SUNSUBSCRIBE", "PubSub.sunsubscribe()"],
  // Transactions and MONITOR take over a connection: pipelines, WatchedPipeline and Monitor issue them.
  ["MULTI", "pipeline() (a transaction) and WatchedPipeline.multi()"],
  ["EXEC", "Pipeline.exec()"],
  ["DISCARD", "a pipeline is discarded by reset() before anything is sent"],
  ["WATCH", "pipeline().watch() and transaction()"],
  ["UNWATCH", "WatchedPipeline.reset()"],
  ["MONITOR", "r.monitor()"],
  // Valkey 8.0's own commands: Redis has none of them and redis-py no method (sendCommand reaches them).
  ["CLIENT CAPA", "Valkey only: client capabilities (redirect of reads to a replica)"],
  ["CLUSTER SLOT-STATS", "Valkey only: per-slot statistics"],
  ["SCRIPT SHOW", "Valkey only: a cached script's source by SHA1"],
]);

/**
 * True when `command` (any spelling, see `canonical`) has no method on purpose.
 *
 * @example
 * ```ts
 * import { isExcluded } from "./command_names.ts";
 * console.log(isExcluded("cluster|help"), isExcluded("GET")); // true false
 * ```
 */
export function isExcluded(command: string): boolean {
  const name = canonical(command);
  return EXCLUDED.has(name) || (name.includes(" ") && name.endsWith(" HELP"));
}

/**
 * True when `methods` has a method for `command` (by the name rule or an alternative).
 *
 * @example
 * ```ts
 * import { isCovered } from "./command_names.ts";
 * console.log(isCovered("CLIENT LIST", new Set(["clientList"]))); // true
 * ```
 */
export function isCovered(command: string, methods: ReadonlySet<string>): boolean {
  const name = canonical(command);
  if (methods.has(methodName(name))) return true;
  return (ALTERNATIVES.get(name) ?? []).some((m) => methods.has(m));
}

/**
 * Every function-valued property name on `proto` and its prototypes (up to `Object.prototype`).
 *
 * @example
 * ```ts
 * import { Redis } from "../mod.ts";
 * import { methodsOf } from "./command_names.ts";
 * console.log(methodsOf(Redis.prototype).has("get")); // true
 * ```
 */
export function methodsOf(proto: object): Set<string> {
  const names = new Set<string>();
  for (let p: object | null = proto; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const name of Object.getOwnPropertyNames(p)) {
      const d = Object.getOwnPropertyDescriptor(p, name);
      if (name !== "constructor" && typeof d?.value === "function") names.add(name);
    }
  }
  return names;
}

/** A command without a method: its canonical name, group and expected method name. */
export interface MissingCommand {
  /** Canonical name, `"CLIENT LIST"`. */
  command: string;
  /** Redis's command group (`"stream"`, `"server"`, ...). */
  group: string;
  /** The method the name rule expects. */
  method: string;
}

/**
 * The missing commands as text, one line per group, groups sorted.
 *
 * @example
 * ```ts
 * import { formatMissing } from "./command_names.ts";
 * console.log(formatMissing([{ command: "XADD", group: "stream", method: "xadd" }])); // "  stream (1): XADD→xadd"
 * ```
 */
export function formatMissing(missing: readonly MissingCommand[]): string {
  const byGroup = new Map<string, MissingCommand[]>();
  for (const m of missing) {
    const list = byGroup.get(m.group) ?? [];
    list.push(m);
    byGroup.set(m.group, list);
  }
  return [...byGroup.keys()].sort().map((group) => {
    const list = byGroup.get(group)!.sort((a, b) => a.command.localeCompare(b.command));
    return `  ${group} (${list.length}): ${list.map((m) => `${m.command}→${m.method}`).join(", ")}`;
  }).join("\n");
}
