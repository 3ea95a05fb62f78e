/**
 * Scripting and functions: EVAL, EVALSHA, their _RO forms, SCRIPT *, FUNCTION *, FCALL, FCALL_RO.
 *
 * @module
 */

import { BitmapCommands } from "./bitmap.ts";

/**
 * Scripting and functions, in redis-py's argument order.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * console.log(typeof r.ping); // "function"
 * ```
 */
export abstract class ScriptingCommands<D extends boolean = true> extends BitmapCommands<D> {}
