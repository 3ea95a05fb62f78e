/**
 * The library's name and version, sent to servers with CLIENT SETINFO.
 * `scripts/build_npm.ts` refuses to build when it differs from deno.json's version.
 *
 * @module
 */

/**
 * The version of uniredis.
 *
 * @example
 * ```ts
 * import { VERSION } from "@uniredis/redis";
 * console.log(typeof VERSION); // "string"
 * ```
 */
export const VERSION = "0.1.0";

/**
 * The library name reported to the server (`CLIENT SETINFO LIB-NAME`).
 *
 * @example
 * ```ts
 * import { LIB_NAME } from "@uniredis/redis";
 * console.log(LIB_NAME); // "uniredis"
 * ```
 */
export const LIB_NAME = "uniredis";
