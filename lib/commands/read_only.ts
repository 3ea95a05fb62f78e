/**
 * Which commands are safe to send again after the connection dropped before
 * their reply arrived: those that change nothing, however often they run.
 *
 * @module
 */

import type { Command } from "./command.ts";

/**
 * Commands (and container subcommands, as `Command.name` spells them) that
 * never change anything when run twice. The first groups are what the Redis
 * command table flags `readonly` (up to 7.4); the rest carry no such flag but
 * only report state. Nothing flagged `write` belongs here, nor anything that
 * publishes, runs arbitrary scripts, pops, or claims stream entries
 * (XREADGROUP writes the pending entries list).
 */
const READ_ONLY: ReadonlySet<string> = new Set([
  // string
  "GET",
  "GETRANGE",
  "LCS",
  "MGET",
  "STRLEN",
  "SUBSTR",
  // bitmap
  "BITCOUNT",
  "BITFIELD_RO",
  "BITPOS",
  "GETBIT",
  // generic (TOUCH only updates the access time, which a retry may update again)
  "DUMP",
  "EXISTS",
  "EXPIRETIME",
  "KEYS",
  "OBJECT ENCODING",
  "OBJECT FREQ",
  "OBJECT IDLETIME",
  "OBJECT REFCOUNT",
  "PEXPIRETIME",
  "PTTL",
  "RANDOMKEY",
  "SCAN",
  "SORT_RO",
  "TOUCH",
  "TTL",
  "TYPE",
  // hash (the H*TTL / H*EXPIRETIME family is 7.4+)
  "HEXISTS",
  "HEXPIRETIME",
  "HGET",
  "HGETALL",
  "HKEYS",
  "HLEN",
  "HMGET",
  "HPEXPIRETIME",
  "HPTTL",
  "HRANDFIELD",
  "HSCAN",
  "HSTRLEN",
  "HTTL",
  "HVALS",
  // list
  "LINDEX",
  "LLEN",
  "LPOS",
  "LRANGE",
  // set
  "SCARD",
  "SDIFF",
  "SINTER",
  "SINTERCARD",
  "SISMEMBER",
  "SMEMBERS",
  "SMISMEMBER",
  "SRANDMEMBER",
  "SSCAN",
  "SUNION",
  // sorted set
  "ZCARD",
  "ZCOUNT",
  "ZDIFF",
  "ZINTER",
  "ZINTERCARD",
  "ZLEXCOUNT",
  "ZMSCORE",
  "ZRANDMEMBER",
  "ZRANGE",
  "ZRANGEBYLEX",
  "ZRANGEBYSCORE",
  "ZRANK",
  "ZREVRANGE",
  "ZREVRANGEBYLEX",
  "ZREVRANGEBYSCORE",
  "ZREVRANK",
  "ZSCAN",
  "ZSCORE",
  "ZUNION",
  // hyperloglog
  "PFCOUNT",
  // geo
  "GEODIST",
  "GEOHASH",
  "GEOPOS",
  "GEORADIUSBYMEMBER_RO",
  "GEORADIUS_RO",
  "GEOSEARCH",
  // stream (XREAD, even with BLOCK, only reads; XREADGROUP is not here)
  "XINFO CONSUMERS",
  "XINFO GROUPS",
  "XINFO STREAM",
  "XLEN",
  "XPENDING",
  "XRANGE",
  "XREAD",
  "XREVRANGE",
  // scripting: the _RO variants are refused by the server if the script writes
  "EVALSHA_RO",
  "EVAL_RO",
  "FCALL_RO",
  // server, flagged readonly
  "DBSIZE",
  "LOLWUT",
  "MEMORY USAGE",

  // Not flagged readonly, but they only report state.
  // connection and server
  "PING",
  "ECHO",
  "TIME",
  "INFO",
  "LASTSAVE",
  "ROLE",
  "CLIENT GETNAME",
  "CLIENT GETREDIR",
  "CLIENT ID",
  "CLIENT INFO",
  "CLIENT LIST",
  "CLIENT TRACKINGINFO",
  "CONFIG GET",
  "COMMAND",
  "COMMAND COUNT",
  "COMMAND DOCS",
  "COMMAND GETKEYS",
  "COMMAND GETKEYSANDFLAGS",
  "COMMAND INFO",
  "COMMAND LIST",
  "MEMORY DOCTOR",
  "MEMORY MALLOC-STATS",
  "MEMORY STATS",
  "SLOWLOG GET",
  "SLOWLOG LEN",
  "LATENCY DOCTOR",
  "LATENCY GRAPH",
  "LATENCY HISTOGRAM",
  "LATENCY HISTORY",
  "LATENCY LATEST",
  // ACL (not ACL LOG: `ACL LOG RESET` clears the log)
  "ACL CAT",
  "ACL DRYRUN",
  "ACL GETUSER",
  "ACL LIST",
  "ACL USERS",
  "ACL WHOAMI",
  // functions and scripts
  "FUNCTION DUMP",
  "FUNCTION LIST",
  "FUNCTION STATS",
  "SCRIPT EXISTS",
  // pub/sub introspection
  "PUBSUB CHANNELS",
  "PUBSUB NUMPAT",
  "PUBSUB NUMSUB",
  "PUBSUB SHARDCHANNELS",
  "PUBSUB SHARDNUMSUB",
  // cluster introspection
  "CLUSTER COUNT-FAILURE-REPORTS",
  "CLUSTER COUNTKEYSINSLOT",
  "CLUSTER GETKEYSINSLOT",
  "CLUSTER INFO",
  "CLUSTER KEYSLOT",
  "CLUSTER LINKS",
  "CLUSTER MYID",
  "CLUSTER MYSHARDID",
  "CLUSTER NODES",
  "CLUSTER SHARDS",
  "CLUSTER SLOTS",
  // sentinel introspection (not SENTINEL CONFIG, whose SET writes, nor
  // IS-MASTER-DOWN-BY-ADDR, which can start a leader election)
  "SENTINEL CKQUORUM",
  "SENTINEL GET-MASTER-ADDR-BY-NAME",
  "SENTINEL INFO-CACHE",
  "SENTINEL MASTER",
  "SENTINEL MASTERS",
  "SENTINEL MYID",
  "SENTINEL REPLICAS",
  "SENTINEL SENTINELS",
  "SENTINEL SLAVES",
]);

/**
 * Whether the command `name` changes nothing when run twice, so it can be
 * re-sent after a lost reply without `retryWrites`. `name` is spelled as
 * `Command.name` (`"GET"`, `"CLIENT LIST"`, `"XINFO STREAM"`), in any case.
 *
 * @example
 * ```ts
 * import { isReadOnlyCommand } from "@uniredis/redis";
 * console.log(isReadOnlyCommand("GET"), isReadOnlyCommand("client list"), isReadOnlyCommand("INCR"));
 * // true true false
 * ```
 */
export function isReadOnlyCommand(name: string): boolean {
  return READ_ONLY.has(name.toUpperCase());
}

/**
 * Whether a prepared command changes nothing when run twice (see `isReadOnlyCommand`).
 *
 * @example
 * ```ts
 * import { Command, isReadOnly } from "@uniredis/redis";
 * console.log(isReadOnly(new Command("GET").key("k"))); // true
 * console.log(isReadOnly(new Command("SET").key("k").arg("v"))); // false
 * ```
 */
export function isReadOnly(command: Command<unknown>): boolean {
  const name = command.name;
  if (READ_ONLY.has(name)) return true;
  // `Command.name` does not treat SENTINEL as a container, so its subcommand is looked up here.
  return name === "SENTINEL" && command.args.length > 1 &&
    READ_ONLY.has(`SENTINEL ${String(command.args[1]).toUpperCase()}`);
}
