/**
 * SENTINEL * as plain methods (to be sent to a sentinel).
 *
 * @module
 */

import { ClusterCommands } from "./cluster.ts";

/**
 * SENTINEL * as plain methods (to be sent to a sentinel)., in redis-py's argument order.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * console.log(typeof r.ping); // "function"
 * ```
 */
export abstract class SentinelCommands<D extends boolean = true> extends ClusterCommands<D> {}
