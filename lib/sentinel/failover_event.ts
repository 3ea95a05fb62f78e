/**
 * The `failover` event of a sentinel-managed master client.
 *
 * @module
 */

import type { SentinelAddress } from "./state.ts";

/**
 * The master of a sentinel-managed client moved (`failover`): the sentinels
 * announced `+switch-master`, or the periodic check found another master.
 * By then new commands already go to `to`, and the connections to `from`
 * were dropped (what was in flight there rejected with a `ConnectionError`).
 *
 * @example
 * ```ts
 * import { Sentinel } from "@uniredis/redis";
 * await using sentinel = new Sentinel([{ host: "127.0.0.1", port: 26379 }]);
 * await using master = sentinel.masterFor("mymaster");
 * master.addEventListener("failover", (e) => console.log(e.serviceName, e.from, "->", e.to));
 * ```
 */
export class RedisFailoverEvent extends Event {
  /** The monitored service's name. */
  readonly serviceName: string;
  /** The master before the switch. */
  readonly from: SentinelAddress;
  /** The master now. */
  readonly to: SentinelAddress;

  /** Creates a `failover` event. */
  constructor(serviceName: string, from: SentinelAddress, to: SentinelAddress) {
    super("failover");
    this.serviceName = serviceName;
    this.from = from;
    this.to = to;
  }
}
