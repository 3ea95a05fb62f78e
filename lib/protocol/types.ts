/**
 * The values of the RESP2 and RESP3 protocols as JavaScript sees them.
 *
 * One shape for both protocols, so reply transforms need not know which one
 * is in use:
 *
 * | RESP type                      | JavaScript                                           |
 * | ------------------------------ | ---------------------------------------------------- |
 * | simple string `+`              | `string`                                             |
 * | bulk string `$`, verbatim `=`  | `string` (text mode) or `Uint8Array` (binary mode)   |
 * | integer `:`                    | `number`, or `bigint` beyond 2^53                    |
 * | double `,`                     | `number` (`Infinity`, `-Infinity`, `NaN` included)   |
 * | big number `(`                 | `bigint`                                             |
 * | boolean `#`                    | `boolean`                                            |
 * | null `_`, `$-1`, `*-1`         | `null`                                               |
 * | array `*`, set `~`             | `RespValue[]`                                        |
 * | map `%`                        | flat `RespValue[]` of key, value, key, value (RESP2's shape) |
 * | error `-`, bulk error `!`      | a `RedisError` (see `errorFromReply`)                |
 * | attribute `\|`                 | skipped; the value that follows it is delivered      |
 * | push `>`                       | `RespValue[]`, handed to the push handler            |
 *
 * @module
 */

import type { RedisError } from "../errors.ts";

/**
 * One decoded RESP value (see the module docs for the mapping).
 *
 * @example
 * ```ts
 * import type { RespValue } from "@uniredis/redis";
 * const reply: RespValue = ["field", "value"];
 * console.log(Array.isArray(reply)); // true
 * ```
 */
export type RespValue =
  | string
  | Uint8Array
  | number
  | bigint
  | boolean
  | null
  | RedisError
  | RespValue[];

/**
 * A command argument as the encoder accepts it. Numbers are written in their
 * shortest decimal form (`Infinity` as `inf`); `NaN`, `undefined`, `null`,
 * booleans and objects are rejected with a `DataError`.
 *
 * @example
 * ```ts
 * import type { RedisArgument } from "@uniredis/redis";
 * const args: RedisArgument[] = ["SET", "k", new Uint8Array([1, 2]), 10, 5n];
 * console.log(args.length); // 5
 * ```
 */
export type RedisArgument = string | number | bigint | Uint8Array;
