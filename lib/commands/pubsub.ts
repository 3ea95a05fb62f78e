/**
 * Pub/Sub publishing and introspection: PUBLISH, SPUBLISH, PUBSUB *.
 *
 * @module
 */

import { ScriptingCommands } from "./scripting.ts";

/**
 * Pub/Sub publishing and introspection, in redis-py's argument order.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * console.log(typeof r.ping); // "function"
 * ```
 */
export abstract class PubSubCommands<D extends boolean = true> extends ScriptingCommands<D> {}
