/**
 * Every command method, defined once on a linear chain of abstract classes
 * (connection, server, diagnostics, generic, sort, string, hash, list, set, sorted set, stream, geo,
 * hyperloglog, bitmap, scripting, pubsub, acl, cluster, sentinel), and the
 * helpers they are built with. The client, pipelines and the cluster client
 * extend `RedisCommands` and implement `execute`.
 *
 * @module
 */

import { SentinelCommands } from "./sentinel.ts";

/**
 * All the command groups. An executor extends it and implements `execute`;
 * `D` is `false` for a client created with `decodeResponses: false`.
 *
 * @example A recording executor (no server involved)
 * ```ts
 * import { type Command, RedisCommands } from "@uniredis/redis";
 * class Recorder extends RedisCommands {
 *   sent: unknown[][] = [];
 *   execute<T>(command: Command<T>): Promise<T> {
 *     if (command.error) return Promise.reject(command.error);
 *     this.sent.push(command.args);
 *     return Promise.resolve(command.transform ? command.transform(1) : (1 as T));
 *   }
 * }
 * const rec = new Recorder();
 * await rec.incr("hits");
 * console.log(rec.sent); // [["INCR", "hits"]]
 * ```
 */
export abstract class RedisCommands<D extends boolean = true> extends SentinelCommands<D> {}

export { CommandsBase } from "./base.ts";
export {
  Command,
  type CommandExecutor,
  describeValue,
  type RedisKey,
  type RedisValue,
  type ReplyTransform,
  type Str,
} from "./command.ts";
export { type ClientListOptions, ConnectionCommands } from "./connection.ts";
export { type CommandListOptions, type FlushOptions, type RoleReply, ServerCommands } from "./server.ts";
export { type CopyOptions, type ExpireOptions, GenericCommands, type RestoreOptions } from "./generic.ts";
export { type GetExOptions, type LcsOptions, type SetOptions, StringCommands } from "./string.ts";
export { HashCommands, type HSetOptions } from "./hash.ts";
export { ListCommands, type ListEnd, type LPosOptions } from "./list.ts";
export { SetCommands } from "./set.ts";
export {
  type Aggregate,
  SortedSetBaseCommands,
  type WeightedKeys,
  type ZAddOptions,
  type ZCombineOptions,
  type ZDiffOptions,
  type ZMPopOptions,
  type ZScanOptions,
} from "./sorted_set_base.ts";
export {
  type RangeBound,
  SortedSetCommands,
  type ZRangeByOptions,
  type ZRangeOptions,
  type ZRevRangeOptions,
} from "./sorted_set.ts";
export {
  type ClientInfo,
  type InfoValue,
  type LcsIdxResult,
  type LcsMatch,
  toBoolean,
  toBooleans,
  toBulk,
  toBulkOrNull,
  toBulks,
  toBulksOrNull,
  toClientInfo,
  toClientList,
  toDate,
  toFloat,
  toFloats,
  toInfo,
  toInteger,
  toKeyMemberScore,
  toKeyScoredPairs,
  toLcsIdx,
  toNumber,
  toOkOrNull,
  toPairs,
  toRecord,
  toScan,
  toScoredPairs,
  toText,
  toTextOrNull,
  toTextRecord,
  toTexts,
  toTrue,
} from "./reply.ts";
export {
  checkOptionKeys,
  exclusive,
  finite,
  integer,
  listOrArgs,
  type Mapping,
  nonEmpty,
  oneOf,
  type OptionKeys,
  optionKeys,
  optionsOf,
  pairsOf,
  scanArgs,
  type ScanOptions,
  score,
  timeout,
  unixTime,
  unknownOption,
} from "./validate.ts";
export * from "./score_cast.ts";
export * from "./stream.ts";
export * from "./geo.ts";
export * from "./hyperloglog.ts";
export * from "./bitmap.ts";
export * from "./scripting.ts";
export * from "./pubsub.ts";
export * from "./acl.ts";
export * from "./cluster.ts";
export * from "./sentinel.ts";
export * from "./sort.ts";
export * from "./diagnostics.ts";
export * from "./hash_expiry.ts";
export type {
  AclLogEntry,
  AclUser,
  CommandInfo,
  DocValue,
  SlowlogEntry,
  TextValue,
  TrackingInfo,
} from "./admin_reply.ts";
export type {
  ClientKillFilter,
  ClientTrackingOptions,
  FailoverOptions,
  ModuleLoadexOptions,
  ShutdownOptions,
} from "./admin_options.ts";
export { isReadOnly, isReadOnlyCommand } from "./read_only.ts";
