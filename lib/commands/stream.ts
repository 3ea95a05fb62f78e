/**
 * Stream commands: XADD, XREAD, consumer groups, XAUTOCLAIM, XINFO.
 *
 * @module
 */

import { SortedSetCommands } from "./sorted_set.ts";

/**
 * Stream commands, in redis-py's argument order.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * console.log(typeof r.ping); // "function"
 * ```
 */
export abstract class StreamCommands<D extends boolean = true> extends SortedSetCommands<D> {}
