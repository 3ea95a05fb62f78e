/**
 * CLUSTER * and READONLY/READWRITE/ASKING as plain methods.
 *
 * @module
 */

import { AclCommands } from "./acl.ts";

/**
 * CLUSTER * and READONLY/READWRITE/ASKING as plain methods., in redis-py's argument order.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * console.log(typeof r.ping); // "function"
 * ```
 */
export abstract class ClusterCommands<D extends boolean = true> extends AclCommands<D> {}
