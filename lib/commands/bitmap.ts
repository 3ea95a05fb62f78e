/**
 * Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO.
 *
 * @module
 */

import { HyperLogLogCommands } from "./hyperloglog.ts";

/**
 * Bitmap commands, in redis-py's argument order.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * console.log(typeof r.ping); // "function"
 * ```
 */
export abstract class BitmapCommands<D extends boolean = true> extends HyperLogLogCommands<D> {}
