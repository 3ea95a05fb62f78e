/**
 * ACL commands: ACL SETUSER, GETUSER, LIST, WHOAMI, LOG, ...
 *
 * @module
 */

import { PubSubCommands } from "./pubsub.ts";

/**
 * ACL commands, in redis-py's argument order.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * console.log(typeof r.ping); // "function"
 * ```
 */
export abstract class AclCommands<D extends boolean = true> extends PubSubCommands<D> {}
