/**
 * Where a cluster client sends a command that is not routed by one key, and
 * how it merges the replies, after Redis's own command tips
 * (`request_policy` / `response_policy`, see
 * https://redis.io/docs/latest/develop/reference/command-tips/). The tips
 * live in `command_tips.ts`, generated from Redis's command table by
 * `scripts/derive_cluster_policies.ts` and checked against the running
 * server by `tests/cluster_slots_test.ts`.
 *
 * @module
 */

import { COMMAND_TIPS } from "./command_tips.ts";

/**
 * A command tip's `request_policy`: `all_nodes` (every primary and replica),
 * `all_shards` (every primary), `multi_shard` (split the keys per slot),
 * `special` (the client knows what to do: SCAN).
 *
 * @example
 * ```ts
 * import { type RequestPolicy, requestPolicy } from "@uniredis/redis";
 * const policy: RequestPolicy | undefined = requestPolicy("DBSIZE");
 * console.log(policy); // "all_shards"
 * ```
 */
export type RequestPolicy = "all_nodes" | "all_shards" | "multi_shard" | "special";

/**
 * A command tip's `response_policy`: how the replies of several nodes become
 * one. `one_succeeded` / `all_succeeded`: the first success / an error if
 * any node failed; `agg_logical_and` / `agg_logical_or`, `agg_min`,
 * `agg_max`, `agg_sum`: element-wise aggregation; `special`: no generic
 * merge (INFO, RANDOMKEY, LATENCY ...).
 *
 * @example
 * ```ts
 * import { type ResponsePolicy, responsePolicy } from "@uniredis/redis";
 * const policy: ResponsePolicy | undefined = responsePolicy("DBSIZE");
 * console.log(policy); // "agg_sum"
 * ```
 */
export type ResponsePolicy =
  | "one_succeeded"
  | "all_succeeded"
  | "agg_logical_and"
  | "agg_logical_or"
  | "agg_min"
  | "agg_max"
  | "agg_sum"
  | "special";

/**
 * The request policy Redis's command tips give a command (`Command.name`
 * form, `"SCRIPT LOAD"`; case-insensitive), or `undefined` when it has none
 * (a command routed by its keys, or sent to one node).
 *
 * @example
 * ```ts
 * import { requestPolicy } from "@uniredis/redis";
 * console.log(requestPolicy("SCRIPT LOAD"), requestPolicy("MGET"), requestPolicy("GET"));
 * // "all_nodes" "multi_shard" undefined
 * ```
 */
export function requestPolicy(name: string): RequestPolicy | undefined {
  return tipsOf(name)?.[0] ?? undefined;
}

/**
 * The response policy Redis's command tips give a command, or `undefined`
 * when it has none (for a keyless multi-node command, such as KEYS or
 * SLOWLOG GET, the replies are concatenated).
 *
 * @example
 * ```ts
 * import { responsePolicy } from "@uniredis/redis";
 * console.log(responsePolicy("SCRIPT EXISTS"), responsePolicy("KEYS")); // "agg_logical_and" undefined
 * ```
 */
export function responsePolicy(name: string): ResponsePolicy | undefined {
  return tipsOf(name)?.[1];
}

function tipsOf(name: string): readonly [RequestPolicy | null, ResponsePolicy?] | undefined {
  const upper = name.toUpperCase();
  return Object.hasOwn(COMMAND_TIPS, upper) ? COMMAND_TIPS[upper] : undefined;
}

/**
 * Where a cluster client sends a command when the caller names no
 * `targetNodes`:
 *
 * | target         | commands                                                                 |
 * | -------------- | ------------------------------------------------------------------------ |
 * | `keys`         | every command with keys: the owner of their slot (`multi_shard` ones may be split per slot) |
 * | `primaries`    | `all_shards` tips with a mergeable reply (PING, DBSIZE, KEYS, FLUSHALL, FUNCTION LOAD, SCRIPT EXISTS, WAIT) and SCAN (every primary's cursor) |
 * | `all_nodes`    | `all_nodes` tips with a mergeable reply (SCRIPT LOAD, SCRIPT FLUSH, CONFIG SET, ACL SETUSER, SLOWLOG GET) |
 * | `default_node` | keyless commands without a tip, and tips whose reply has no generic merge (`special`: INFO, RANDOMKEY, MEMORY STATS, LATENCY ...): one node, so the reply keeps the shape it has on `Redis`; name `targetNodes` for a reply per node |
 * | `slot_owner`   | CLUSTER COUNTKEYSINSLOT and CLUSTER GETKEYSINSLOT: the owner of the slot they name (as redis-py) |
 * | `connection`   | handshake state (AUTH, HELLO, SELECT, CLIENT SETNAME, CLIENT SETINFO, READONLY, READWRITE): a connection option of every node connection, never a broadcast |
 *
 * redis-py sends most keyless commands to its default node; this follows
 * the tips instead wherever the replies can be merged, so PING checks every
 * primary and DBSIZE counts the whole cluster.
 *
 * @example
 * ```ts
 * import { defaultTarget } from "@uniredis/redis";
 * console.log(defaultTarget({ name: "DBSIZE", keys: undefined })); // "primaries"
 * console.log(defaultTarget({ name: "INFO", keys: undefined })); // "default_node"
 * console.log(defaultTarget({ name: "GET", keys: [1] })); // "keys"
 * ```
 */
export function defaultTarget(
  command: { readonly name: string; readonly keys: readonly number[] | undefined },
): DefaultTarget {
  const name = command.name.toUpperCase();
  if (CONNECTION_STATE.has(name)) return "connection";
  if (command.keys !== undefined && command.keys.length > 0) return "keys";
  if (SLOT_ARGUMENT.has(name)) return "slot_owner";
  const tips = tipsOf(name);
  if (tips === undefined) return "default_node";
  const [request, response] = tips;
  if (request === "special") return name === "SCAN" ? "primaries" : "default_node";
  if (response === "special") return "default_node";
  if (request === "all_shards") return "primaries";
  if (request === "all_nodes") return "all_nodes";
  return "default_node"; // multi_shard without keys (MGET of nothing): answered locally anyway
}

/**
 * The default destination of a command in a cluster (see `defaultTarget`).
 *
 * @example
 * ```ts
 * import type { DefaultTarget } from "@uniredis/redis";
 * const target: DefaultTarget = "primaries";
 * console.log(target);
 * ```
 */
export type DefaultTarget = "keys" | "primaries" | "all_nodes" | "default_node" | "slot_owner" | "connection";

/** Commands that set state of the connection they run on: cluster connection options, not routed commands. */
const CONNECTION_STATE = new Set([
  "AUTH",
  "HELLO",
  "SELECT",
  "CLIENT SETNAME",
  "CLIENT SETINFO",
  "READONLY",
  "READWRITE",
]);

/** Commands whose argument after the subcommand is a slot number, sent to that slot's owner. */
const SLOT_ARGUMENT = new Set(["CLUSTER COUNTKEYSINSLOT", "CLUSTER GETKEYSINSLOT"]);
