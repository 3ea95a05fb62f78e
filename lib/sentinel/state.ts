/**
 * What a sentinel's view must look like before it is trusted: the sanity
 * check of a master's state, the healthy replicas, a server's `ROLE`.
 * Pure: no I/O.
 *
 * @module
 */

import type { SentinelState } from "../commands/sentinel.ts";
import type { RespValue } from "../protocol/types.ts";
import { textOf } from "../key_text.ts";

/**
 * Where a sentinel, master or replica listens.
 *
 * @example
 * ```ts
 * import type { SentinelAddress } from "@uniredis/redis";
 * const at: SentinelAddress = { host: "127.0.0.1", port: 26379 };
 * console.log(at.port); // 26379
 * ```
 */
export interface SentinelAddress {
  /** Host name or IP. */
  host: string;
  /** TCP port. */
  port: number;
}

/**
 * Why a sentinel's view of a master cannot be trusted, or `undefined` when
 * it can (redis-py's `check_master_state`): the instance must be flagged
 * master, be neither subjectively nor objectively down, and the sentinel
 * must see at least `minOtherSentinels` other sentinels (one cut off from
 * its peers may report a master they already replaced).
 */
export function masterStateProblem(state: SentinelState, minOtherSentinels: number): string | undefined {
  if (!state.isMaster) return `reports it as ${state.flags ? `"${state.flags}"` : "no master"}`;
  if (state.isSdown || state.isOdown) return `reports the master down (${state.flags})`;
  const others = typeof state["num-other-sentinels"] === "number" ? state["num-other-sentinels"] : 0;
  if (others < minOtherSentinels) {
    return `sees ${others} other sentinels, fewer than minOtherSentinels (${minOtherSentinels})`;
  }
  if (typeof state.ip !== "string" || typeof state.port !== "number") return "gives no address for it";
  return undefined;
}

/**
 * The replicas worth reading from: not down (`s_down`, `o_down`) and not
 * disconnected from the sentinel, in the sentinel's order.
 */
export function healthyReplicas(states: readonly SentinelState[]): SentinelAddress[] {
  const out: SentinelAddress[] = [];
  for (const s of states) {
    if (s.isSdown || s.isOdown || s.isDisconnected) continue;
    if (typeof s.ip !== "string" || typeof s.port !== "number") continue;
    out.push({ host: s.ip, port: s.port });
  }
  return out;
}

/** The role in a raw `ROLE` reply (`"master"`, `"slave"`, `"sentinel"`), or `undefined`. */
export function roleOf(reply: RespValue): string | undefined {
  return Array.isArray(reply) ? textOf(reply[0]) : undefined;
}

/** `host:port`, for messages. */
export function addressName(at: SentinelAddress): string {
  return at.host.includes(":") ? `[${at.host}]:${at.port}` : `${at.host}:${at.port}`;
}
