// The table of every command method that takes an options object, each called with an unknown key: shared by
// the unit test (lib/commands/options_keys_test.ts) and the server-backed one (tests/unknown_options_test.ts).

import type { Call } from "./recorder.ts";

/** A key no options interface has; `as never` stands for plain JavaScript, where nothing stops it. */
const bad = (options: object = {}): never => ({ ...options, bogus: 1 }) as never;

/**
 * [method, call with an unknown key `bogus`]: every method of lib/commands/ with an options object.
 */
export const UNKNOWN_OPTION_CALLS: readonly (readonly [string, Call])[] = [
  // acl
  ["aclLog", (r) => r.aclLog(bad())],
  ["aclSetuser", (r) => r.aclSetuser("u", bad({ enabled: true }))],
  // bitmap
  ["bitcount", (r) => r.bitcount("k", bad())],
  ["bitpos", (r) => r.bitpos("k", 1, bad())],
  // cluster
  ["clusterFailover", (r) => r.clusterFailover(bad())],
  ["clusterMeet", (r) => r.clusterMeet("127.0.0.1", 7000, bad())],
  ["clusterReset", (r) => r.clusterReset(bad())],
  ["clusterSetslot", (r) => r.clusterSetslot(1, bad({ stable: true }))],
  // connection
  ["clientList", (r) => r.clientList(bad())],
  ["clientTracking", (r) => r.clientTracking(true, bad({ bcast: true }))],
  ["clientTrackingOn", (r) => r.clientTrackingOn(bad())],
  ["clientKillFilter", (r) => r.clientKillFilter(bad({ id: 1 }))],
  ["clientPause", (r) => r.clientPause(10, bad())],
  ["clientUnblock", (r) => r.clientUnblock(1, bad())],
  ["lolwut", (r) => r.lolwut(bad({ version: 5 }))],
  // diagnostics
  ["moduleLoadex", (r) => r.moduleLoadex("/x.so", bad())],
  // generic
  ["expire", (r) => r.expire("k", 1, bad())],
  ["expireat", (r) => r.expireat("k", 1, bad())],
  ["pexpire", (r) => r.pexpire("k", 1, bad())],
  ["pexpireat", (r) => r.pexpireat("k", 1, bad())],
  ["copy", (r) => r.copy("a", "b", bad())],
  ["restore", (r) => r.restore("k", 0, new Uint8Array([1]), bad())],
  ["scan", (r) => r.scan(0, bad())],
  ["scanIter", (r) => r.scanIter(bad()).next()],
  // geo
  ["geoadd", (r) => r.geoadd("g", [[13, 38, "p"]], bad())],
  ["georadius", (r) => r.georadius("g", 13, 38, 1, bad())],
  ["georadiusRo", (r) => r.georadiusRo("g", 13, 38, 1, bad())],
  ["georadiusbymember", (r) => r.georadiusbymember("g", "p", 1, bad())],
  ["georadiusbymemberRo", (r) => r.georadiusbymemberRo("g", "p", 1, bad())],
  ["geosearch", (r) => r.geosearch("g", bad({ member: "p", radius: 1 }))],
  ["geosearchstore", (r) => r.geosearchstore("d", "g", bad({ member: "p", radius: 1 }))],
  // hash
  ["hset", (r) => r.hset("h", "f", "v", bad())],
  ["hscan", (r) => r.hscan("h", 0, bad())],
  ["hscanIter", (r) => r.hscanIter("h", bad()).next()],
  ["hexpire", (r) => r.hexpire("h", 1, ["f"], bad())],
  ["hpexpire", (r) => r.hpexpire("h", 1, ["f"], bad())],
  ["hexpireat", (r) => r.hexpireat("h", 1, ["f"], bad())],
  ["hpexpireat", (r) => r.hpexpireat("h", 1, ["f"], bad())],
  // list
  ["lpos", (r) => r.lpos("l", "v", bad())],
  // scripting
  ["scriptFlush", (r) => r.scriptFlush(bad())],
  ["functionLoad", (r) => r.functionLoad("#!lua name=x\n", bad())],
  ["functionFlush", (r) => r.functionFlush(bad())],
  ["functionList", (r) => r.functionList(bad())],
  ["functionRestore", (r) => r.functionRestore(new Uint8Array([1]), bad())],
  // server
  ["flushdb", (r) => r.flushdb(bad())],
  ["flushall", (r) => r.flushall(bad())],
  ["bgsave", (r) => r.bgsave(bad())],
  ["commandList", (r) => r.commandList(bad())],
  ["failover", (r) => r.failover(bad())],
  ["failover to", (r) => r.failover({ to: bad({ host: "h", port: 1 }) })],
  ["shutdown", (r) => r.shutdown(bad())],
  // set
  ["sscan", (r) => r.sscan("s", 0, bad())],
  ["sscanIter", (r) => r.sscanIter("s", bad()).next()],
  // sort
  ["sort", (r) => r.sort("k", bad())],
  ["sortRo", (r) => r.sortRo("k", bad())],
  ["migrate", (r) => r.migrate("h", 1, ["k"], 0, 10, bad())],
  // sorted sets
  ["zadd", (r) => r.zadd("z", { a: 1 }, bad())],
  ["zinter", (r) => r.zinter(["a"], bad())],
  ["zunion", (r) => r.zunion(["a"], bad())],
  ["zdiff", (r) => r.zdiff(["a"], bad())],
  ["zmpop", (r) => r.zmpop(["a"], bad({ min: true }))],
  ["bzmpop", (r) => r.bzmpop(0, ["a"], bad({ min: true }))],
  ["zpopmin", (r) => r.zpopmin("z", 1, bad())],
  ["zpopmax", (r) => r.zpopmax("z", undefined, bad())],
  ["bzpopmin", (r) => r.bzpopmin("z", 0.01, bad())],
  ["bzpopmax", (r) => r.bzpopmax(["z"], 0.01, bad())],
  ["zrandmember", (r) => r.zrandmember("z", 1, true, bad())],
  ["zscan", (r) => r.zscan("z", 0, bad())],
  ["zscanIter", (r) => r.zscanIter("z", bad()).next()],
  ["zrange", (r) => r.zrange("z", 0, -1, bad())],
  ["zrangestore", (r) => r.zrangestore("d", "z", 0, -1, bad())],
  ["zrangebylex", (r) => r.zrangebylex("z", "-", "+", bad())],
  ["zrevrangebylex", (r) => r.zrevrangebylex("z", "+", "-", bad())],
  ["zrangebyscore", (r) => r.zrangebyscore("z", 0, 1, bad())],
  ["zrevrangebyscore", (r) => r.zrevrangebyscore("z", 1, 0, bad())],
  ["zrevrange", (r) => r.zrevrange("z", 0, -1, bad())],
  ["zrank", (r) => r.zrank("z", "m", bad())],
  ["zrevrank", (r) => r.zrevrank("z", "m", bad())],
  // streams
  ["xadd", (r) => r.xadd("s", { a: 1 }, bad())],
  ["xautoclaim", (r) => r.xautoclaim("s", "g", "c", 0, bad())],
  ["xclaim", (r) => r.xclaim("s", "g", "c", 0, ["1-0"], bad())],
  ["xgroupCreate", (r) => r.xgroupCreate("s", "g", bad())],
  ["xgroupSetid", (r) => r.xgroupSetid("s", "g", "$", bad())],
  ["xinfoStream", (r) => r.xinfoStream("s", bad())],
  ["xpendingRange", (r) => r.xpendingRange("s", "g", bad({ min: "-", max: "+", count: 1 }))],
  ["xrange", (r) => r.xrange("s", bad())],
  ["xrevrange", (r) => r.xrevrange("s", bad())],
  ["xread", (r) => r.xread({ s: "0" }, bad())],
  ["xreadgroup", (r) => r.xreadgroup("g", "c", { s: ">" }, bad())],
  ["xsetid", (r) => r.xsetid("s", "1-0", bad())],
  ["xtrim", (r) => r.xtrim("s", bad({ maxlen: 1 }))],
  // strings
  ["getex", (r) => r.getex("k", bad())],
  ["lcs", (r) => r.lcs("a", "b", bad())],
  ["set", (r) => r.set("k", "v", bad())],
];
