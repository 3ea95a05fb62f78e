/**
 * Geo commands: GEOADD, GEOSEARCH, GEOSEARCHSTORE, GEORADIUS and friends.
 *
 * @module
 */

import { StreamCommands } from "./stream.ts";

/**
 * Geo commands, in redis-py's argument order.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * console.log(typeof r.ping); // "function"
 * ```
 */
export abstract class GeoCommands<D extends boolean = true> extends StreamCommands<D> {}
