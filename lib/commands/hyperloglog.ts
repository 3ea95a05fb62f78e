/**
 * HyperLogLog commands: PFADD, PFCOUNT, PFMERGE.
 *
 * @module
 */

import { GeoCommands } from "./geo.ts";

/**
 * HyperLogLog commands, in redis-py's argument order.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * console.log(typeof r.ping); // "function"
 * ```
 */
export abstract class HyperLogLogCommands<D extends boolean = true> extends GeoCommands<D> {}
