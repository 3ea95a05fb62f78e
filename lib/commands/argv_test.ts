// Command definitions without a server: exact argv and key positions, DataError
// cases (always asynchronous), and reply transforms fed RESP2- and RESP3-shaped replies.

import { test } from "node:test";
import assert from "node:assert/strict";
import { DataError, InvalidResponse } from "../errors.ts";
import type { RedisArgument, RespValue } from "../protocol/types.ts";
import { type Command, CommandsBase, RedisCommands } from "./mod.ts";
import { expectArgv, expectDataErrors, expectSameReplies, Recorder } from "../../tests/support/recorder.ts";

type Call = (r: Recorder) => Promise<unknown>;

const bytes = new Uint8Array([0xff, 0x00]);

/** [call, argv, key positions (omitted: none)] */
const ARGV: [Call, RedisArgument[], number[]?][] = [
  // connection
  [(r) => r.ping(), ["PING"]],
  [(r) => r.echo("hi"), ["ECHO", "hi"]],
  [(r) => r.select(2), ["SELECT", 2]],
  [(r) => r.auth("pw"), ["AUTH", "pw"]],
  [(r) => r.auth("pw", "user"), ["AUTH", "user", "pw"]],
  [(r) => r.clientSetname("n"), ["CLIENT", "SETNAME", "n"]],
  [(r) => r.clientGetname(), ["CLIENT", "GETNAME"]],
  [(r) => r.clientId(), ["CLIENT", "ID"]],
  [(r) => r.clientInfo(), ["CLIENT", "INFO"]],
  [(r) => r.clientList(), ["CLIENT", "LIST"]],
  [(r) => r.clientList({ type: "pubsub" }), ["CLIENT", "LIST", "TYPE", "pubsub"]],
  [(r) => r.clientList({ clientId: [1, 2] }), ["CLIENT", "LIST", "ID", 1, 2]],
  [(r) => r.clientList({ clientId: 7 }), ["CLIENT", "LIST", "ID", 7]],
  [(r) => r.clientSetinfo("lib-name" as never, "x"), ["CLIENT", "SETINFO", "LIB-NAME", "x"]],
  // server
  [(r) => r.dbsize(), ["DBSIZE"]],
  [(r) => r.flushdb(), ["FLUSHDB"]],
  [(r) => r.flushdb({ asynchronous: true }), ["FLUSHDB", "ASYNC"]],
  [(r) => r.flushall({ asynchronous: true }), ["FLUSHALL", "ASYNC"]],
  [(r) => r.info(), ["INFO"]],
  [(r) => r.info("server", "clients"), ["INFO", "server", "clients"]],
  [(r) => r.time(), ["TIME"]],
  [(r) => r.lastsave(), ["LASTSAVE"]],
  [(r) => r.configGet(), ["CONFIG", "GET", "*"]],
  [(r) => r.configGet("maxmemory", "port"), ["CONFIG", "GET", "maxmemory", "port"]],
  [(r) => r.configSet("maxmemory", 100), ["CONFIG", "SET", "maxmemory", 100]],
  [(r) => r.configResetstat(), ["CONFIG", "RESETSTAT"]],
  [(r) => r.configRewrite(), ["CONFIG", "REWRITE"]],
  [(r) => r.memoryUsage("k"), ["MEMORY", "USAGE", "k"], [2]],
  [(r) => r.memoryUsage("k", 0), ["MEMORY", "USAGE", "k", "SAMPLES", 0], [2]],
  [(r) => r.swapdb(0, 1), ["SWAPDB", 0, 1]],
  [(r) => r.save(), ["SAVE"]],
  [(r) => r.bgsave(), ["BGSAVE", "SCHEDULE"]],
  [(r) => r.bgsave({ schedule: false }), ["BGSAVE"]],
  [(r) => r.bgrewriteaof(), ["BGREWRITEAOF"]],
  [(r) => r.role(), ["ROLE"]],
  [(r) => r.wait(1, 100), ["WAIT", 1, 100]],
  [(r) => r.commandCount(), ["COMMAND", "COUNT"]],
  [(r) => r.commandList(), ["COMMAND", "LIST"]],
  [(r) => r.commandList({ pattern: "z*" }), ["COMMAND", "LIST", "FILTERBY", "PATTERN", "z*"]],
  [(r) => r.commandList({ category: "hash" }), ["COMMAND", "LIST", "FILTERBY", "ACLCAT", "hash"]],
  // generic
  [(r) => r.delete("a", "b"), ["DEL", "a", "b"], [1, 2]],
  [(r) => r.del("a", bytes), ["DEL", "a", bytes], [1, 2]],
  [(r) => r.exists("a"), ["EXISTS", "a"], [1]],
  [(r) => r.expire("k", 10), ["EXPIRE", "k", 10], [1]],
  [(r) => r.expire("k", 10, { xx: true, gt: true }), ["EXPIRE", "k", 10, "XX", "GT"], [1]],
  [(r) => r.expire("k", 10, { nx: true }), ["EXPIRE", "k", 10, "NX"], [1]],
  [(r) => r.expireat("k", new Date(1_700_000_000_500)), ["EXPIREAT", "k", 1_700_000_000], [1]],
  [(r) => r.expireat("k", 1_700_000_000, { lt: true }), ["EXPIREAT", "k", 1_700_000_000, "LT"], [1]],
  [(r) => r.expiretime("k"), ["EXPIRETIME", "k"], [1]],
  [(r) => r.pexpire("k", 1500, { lt: true }), ["PEXPIRE", "k", 1500, "LT"], [1]],
  [(r) => r.pexpireat("k", new Date(1_700_000_000_500)), ["PEXPIREAT", "k", 1_700_000_000_500], [1]],
  [(r) => r.pexpiretime("k"), ["PEXPIRETIME", "k"], [1]],
  [(r) => r.persist("k"), ["PERSIST", "k"], [1]],
  [(r) => r.ttl("k"), ["TTL", "k"], [1]],
  [(r) => r.pttl("k"), ["PTTL", "k"], [1]],
  [(r) => r.keys(), ["KEYS", "*"]],
  [(r) => r.keys("a*"), ["KEYS", "a*"]],
  [(r) => r.randomkey(), ["RANDOMKEY"]],
  [(r) => r.rename("a", "b"), ["RENAME", "a", "b"], [1, 2]],
  [(r) => r.renamenx("a", "b"), ["RENAMENX", "a", "b"], [1, 2]],
  [(r) => r.type("k"), ["TYPE", "k"], [1]],
  [(r) => r.unlink("a", "b"), ["UNLINK", "a", "b"], [1, 2]],
  [(r) => r.touch("a"), ["TOUCH", "a"], [1]],
  [(r) => r.copy("a", "b"), ["COPY", "a", "b"], [1, 2]],
  [(r) => r.copy("a", "b", { destinationDb: 2, replace: true }), ["COPY", "a", "b", "DB", 2, "REPLACE"], [
    1,
    2,
  ]],
  [(r) => r.dump("k"), ["DUMP", "k"], [1]],
  [(r) => r.restore("k", 0, bytes), ["RESTORE", "k", 0, bytes], [1]],
  [
    (r) => r.restore("k", 10, bytes, { replace: true, absttl: true, idletime: 5, frequency: 3 }),
    ["RESTORE", "k", 10, bytes, "REPLACE", "ABSTTL", "IDLETIME", 5, "FREQ", 3],
    [1],
  ],
  [(r) => r.move("k", 1), ["MOVE", "k", 1], [1]],
  [(r) => r.objectEncoding("k"), ["OBJECT", "ENCODING", "k"], [2]],
  [(r) => r.objectFreq("k"), ["OBJECT", "FREQ", "k"], [2]],
  [(r) => r.objectIdletime("k"), ["OBJECT", "IDLETIME", "k"], [2]],
  [(r) => r.objectRefcount("k"), ["OBJECT", "REFCOUNT", "k"], [2]],
  [(r) => r.scan(), ["SCAN", 0]],
  [
    (r) => r.scan("123", { match: "a*", count: 10, type: "hash" }),
    ["SCAN", "123", "MATCH", "a*", "COUNT", 10, "TYPE", "hash"],
  ],
  // strings
  [(r) => r.append("k", "v"), ["APPEND", "k", "v"], [1]],
  [(r) => r.decr("k"), ["DECR", "k"], [1]],
  [(r) => r.decr("k", 3), ["DECRBY", "k", 3], [1]],
  [(r) => r.decrby("k"), ["DECRBY", "k", 1], [1]],
  [(r) => r.get(bytes), ["GET", bytes], [1]],
  [(r) => r.getdel("k"), ["GETDEL", "k"], [1]],
  [(r) => r.getex("k"), ["GETEX", "k"], [1]],
  [(r) => r.getex("k", { ex: 5 }), ["GETEX", "k", "EX", 5], [1]],
  [(r) => r.getex("k", { px: 5 }), ["GETEX", "k", "PX", 5], [1]],
  [(r) => r.getex("k", { exat: new Date(2_000_000_000_999) }), ["GETEX", "k", "EXAT", 2_000_000_000], [1]],
  [(r) => r.getex("k", { pxat: 2_000_000_000_999 }), ["GETEX", "k", "PXAT", 2_000_000_000_999], [1]],
  [(r) => r.getex("k", { persist: true }), ["GETEX", "k", "PERSIST"], [1]],
  [(r) => r.getrange("k", 0, -1), ["GETRANGE", "k", 0, -1], [1]],
  [(r) => r.getset("k", "v"), ["GETSET", "k", "v"], [1]],
  [(r) => r.incr("k"), ["INCR", "k"], [1]],
  [(r) => r.incr("k", 5), ["INCRBY", "k", 5], [1]],
  [(r) => r.incrby("k"), ["INCRBY", "k", 1], [1]],
  [(r) => r.incrbyfloat("k", 1.5), ["INCRBYFLOAT", "k", 1.5], [1]],
  [(r) => r.lcs("a", "b"), ["LCS", "a", "b"], [1, 2]],
  [(r) => r.lcs("a", "b", { len: true }), ["LCS", "a", "b", "LEN"], [1, 2]],
  [
    (r) => r.lcs("a", "b", { idx: true, minmatchlen: 4, withmatchlen: true }),
    ["LCS", "a", "b", "IDX", "MINMATCHLEN", 4, "WITHMATCHLEN"],
    [1, 2],
  ],
  [(r) => r.mget(["a", "b"]), ["MGET", "a", "b"], [1, 2]],
  [(r) => r.mget("a", "b"), ["MGET", "a", "b"], [1, 2]],
  [(r) => r.mget(["a"], "b"), ["MGET", "a", "b"], [1, 2]],
  [(r) => r.mset({ a: 1, b: "2" }), ["MSET", "a", 1, "b", "2"], [1, 3]],
  [(r) => r.mset(new Map([[bytes, "x"]])), ["MSET", bytes, "x"], [1]],
  [(r) => r.mset([["a", "1"], ["a", "2"]]), ["MSET", "a", "1", "a", "2"], [1, 3]],
  [(r) => r.msetnx({ a: 1 }), ["MSETNX", "a", 1], [1]],
  [(r) => r.psetex("k", 1500, "v"), ["PSETEX", "k", 1500, "v"], [1]],
  [(r) => r.set("k", "v"), ["SET", "k", "v"], [1]],
  [(r) => r.set("k", "v", { ex: 10, nx: true }), ["SET", "k", "v", "EX", 10, "NX"], [1]],
  [
    (r) => r.set("k", "v", { keepttl: true, xx: true, get: true }),
    ["SET", "k", "v", "KEEPTTL", "XX", "GET"],
    [1],
  ],
  [(r) => r.set("k", "v", { exat: new Date(2_000_000_000_000) }), ["SET", "k", "v", "EXAT", 2_000_000_000], [
    1,
  ]],
  [(r) => r.set("k", "v", { pxat: 5, ex: undefined }), ["SET", "k", "v", "PXAT", 5], [1]],
  [(r) => r.setex("k", 10, "v"), ["SETEX", "k", 10, "v"], [1]],
  [(r) => r.setnx("k", "v"), ["SETNX", "k", "v"], [1]],
  [(r) => r.setrange("k", 2, "x"), ["SETRANGE", "k", 2, "x"], [1]],
  [(r) => r.strlen("k"), ["STRLEN", "k"], [1]],
  [(r) => r.substr("k", 1), ["SUBSTR", "k", 1, -1], [1]],
  // hashes
  [(r) => r.hdel("h", "a", "b"), ["HDEL", "h", "a", "b"], [1]],
  [(r) => r.hexists("h", "f"), ["HEXISTS", "h", "f"], [1]],
  [(r) => r.hget("h", "f"), ["HGET", "h", "f"], [1]],
  [(r) => r.hgetall("h"), ["HGETALL", "h"], [1]],
  [(r) => r.hincrby("h", "f"), ["HINCRBY", "h", "f", 1], [1]],
  [(r) => r.hincrbyfloat("h", "f", 2.5), ["HINCRBYFLOAT", "h", "f", 2.5], [1]],
  [(r) => r.hkeys("h"), ["HKEYS", "h"], [1]],
  [(r) => r.hlen("h"), ["HLEN", "h"], [1]],
  [(r) => r.hmget("h", ["a", "b"]), ["HMGET", "h", "a", "b"], [1]],
  [(r) => r.hmget("h", "a", "b"), ["HMGET", "h", "a", "b"], [1]],
  [(r) => r.hset("h", "f", "v"), ["HSET", "h", "f", "v"], [1]],
  [(r) => r.hset("h", { a: 1, b: 2 }), ["HSET", "h", "a", 1, "b", 2], [1]],
  [(r) => r.hset("h", [[bytes, 1]]), ["HSET", "h", bytes, 1], [1]],
  [
    (r) => r.hset("h", "f", "v", { mapping: { m: 1 }, items: ["i", 2] }),
    ["HSET", "h", "i", 2, "f", "v", "m", 1],
    [1],
  ],
  [(r) => r.hset("h", undefined, undefined, { mapping: new Map([["a", "1"]]) }), ["HSET", "h", "a", "1"], [
    1,
  ]],
  [(r) => r.hsetnx("h", "f", "v"), ["HSETNX", "h", "f", "v"], [1]],
  [(r) => r.hvals("h"), ["HVALS", "h"], [1]],
  [(r) => r.hstrlen("h", "f"), ["HSTRLEN", "h", "f"], [1]],
  [(r) => r.hrandfield("h"), ["HRANDFIELD", "h"], [1]],
  [(r) => r.hrandfield("h", 2), ["HRANDFIELD", "h", 2], [1]],
  [(r) => r.hrandfield("h", -2, true), ["HRANDFIELD", "h", -2, "WITHVALUES"], [1]],
  [(r) => r.hscan("h"), ["HSCAN", "h", 0], [1]],
  [(r) => r.hscan("h", "5", { match: "f*", count: 10 }), ["HSCAN", "h", "5", "MATCH", "f*", "COUNT", 10], [
    1,
  ]],
  // lists
  [(r) => r.blpop(["a", "b"], 1.5), ["BLPOP", "a", "b", 1.5], [1, 2]],
  [(r) => r.blpop("a"), ["BLPOP", "a", 0], [1]],
  [(r) => r.brpop(["a"], 2), ["BRPOP", "a", 2], [1]],
  [(r) => r.blmove("a", "b", 0.5), ["BLMOVE", "a", "b", "LEFT", "RIGHT", 0.5], [1, 2]],
  [(r) => r.blmove("a", "b", 1, "right" as never, "LEFT"), ["BLMOVE", "a", "b", "RIGHT", "LEFT", 1], [1, 2]],
  [(r) => r.brpoplpush("a", "b"), ["BRPOPLPUSH", "a", "b", 0], [1, 2]],
  [(r) => r.lindex("l", -1), ["LINDEX", "l", -1], [1]],
  [(r) => r.linsert("l", "after" as never, "p", "v"), ["LINSERT", "l", "AFTER", "p", "v"], [1]],
  [(r) => r.llen("l"), ["LLEN", "l"], [1]],
  [(r) => r.lmove("a", "b"), ["LMOVE", "a", "b", "LEFT", "RIGHT"], [1, 2]],
  [(r) => r.lmpop(["a", "b"], "LEFT"), ["LMPOP", 2, "a", "b", "LEFT"], [2, 3]],
  [(r) => r.lmpop(["a"], "RIGHT", 3), ["LMPOP", 1, "a", "RIGHT", "COUNT", 3], [2]],
  [(r) => r.blmpop(1, ["a"], "LEFT", 2), ["BLMPOP", 1, 1, "a", "LEFT", "COUNT", 2], [3]],
  [(r) => r.lpop("l"), ["LPOP", "l"], [1]],
  [(r) => r.lpop("l", 2), ["LPOP", "l", 2], [1]],
  [(r) => r.rpop("l", 0), ["RPOP", "l", 0], [1]],
  [(r) => r.lpos("l", "v"), ["LPOS", "l", "v"], [1]],
  [
    (r) => r.lpos("l", "v", { rank: -1, count: 0, maxlen: 10 }),
    ["LPOS", "l", "v", "RANK", -1, "COUNT", 0, "MAXLEN", 10],
    [1],
  ],
  [(r) => r.lpush("l", "a", "b"), ["LPUSH", "l", "a", "b"], [1]],
  [(r) => r.lpushx("l", "a"), ["LPUSHX", "l", "a"], [1]],
  [(r) => r.rpush("l", 1, bytes), ["RPUSH", "l", 1, bytes], [1]],
  [(r) => r.rpushx("l", "a", "b"), ["RPUSHX", "l", "a", "b"], [1]],
  [(r) => r.lrange("l", 0, -1), ["LRANGE", "l", 0, -1], [1]],
  [(r) => r.lrem("l", -2, "v"), ["LREM", "l", -2, "v"], [1]],
  [(r) => r.lset("l", 0, "v"), ["LSET", "l", 0, "v"], [1]],
  [(r) => r.ltrim("l", 0, 9), ["LTRIM", "l", 0, 9], [1]],
  [(r) => r.rpoplpush("a", "b"), ["RPOPLPUSH", "a", "b"], [1, 2]],
  // sets
  [(r) => r.sadd("s", "a", "b"), ["SADD", "s", "a", "b"], [1]],
  [(r) => r.scard("s"), ["SCARD", "s"], [1]],
  [(r) => r.sdiff(["a", "b"]), ["SDIFF", "a", "b"], [1, 2]],
  [(r) => r.sdiff("a", "b"), ["SDIFF", "a", "b"], [1, 2]],
  [(r) => r.sdiffstore("d", ["a", "b"]), ["SDIFFSTORE", "d", "a", "b"], [1, 2, 3]],
  [(r) => r.sinter("a"), ["SINTER", "a"], [1]],
  [(r) => r.sintercard(["a", "b"]), ["SINTERCARD", 2, "a", "b", "LIMIT", 0], [2, 3]],
  [(r) => r.sintercard(["a"], 5), ["SINTERCARD", 1, "a", "LIMIT", 5], [2]],
  [(r) => r.sinterstore("d", "a", "b"), ["SINTERSTORE", "d", "a", "b"], [1, 2, 3]],
  [(r) => r.sismember("s", "m"), ["SISMEMBER", "s", "m"], [1]],
  [(r) => r.smembers("s"), ["SMEMBERS", "s"], [1]],
  [(r) => r.smismember("s", ["a", "b"]), ["SMISMEMBER", "s", "a", "b"], [1]],
  [(r) => r.smismember("s", "a", "b"), ["SMISMEMBER", "s", "a", "b"], [1]],
  [(r) => r.smove("a", "b", "m"), ["SMOVE", "a", "b", "m"], [1, 2]],
  [(r) => r.spop("s"), ["SPOP", "s"], [1]],
  [(r) => r.spop("s", 2), ["SPOP", "s", 2], [1]],
  [(r) => r.srandmember("s", -3), ["SRANDMEMBER", "s", -3], [1]],
  [(r) => r.srem("s", "a"), ["SREM", "s", "a"], [1]],
  [(r) => r.sunion(["a", "b"]), ["SUNION", "a", "b"], [1, 2]],
  [(r) => r.sunionstore("d", ["a"]), ["SUNIONSTORE", "d", "a"], [1, 2]],
  [(r) => r.sscan("s", "0", { match: "x*" }), ["SSCAN", "s", "0", "MATCH", "x*"], [1]],
  // sorted sets
  [(r) => r.zadd("z", { a: 1, b: 2 }), ["ZADD", "z", 1, "a", 2, "b"], [1]],
  [
    (r) => r.zadd("z", [["a", Infinity]], { xx: true, gt: true, ch: true }),
    ["ZADD", "z", "XX", "GT", "CH", Infinity, "a"],
    [1],
  ],
  [(r) => r.zadd("z", new Map([["a", -Infinity]]), { lt: true }), ["ZADD", "z", "LT", -Infinity, "a"], [1]],
  [(r) => r.zadd("z", { a: 1 }, { incr: true, nx: true }), ["ZADD", "z", "NX", "INCR", 1, "a"], [1]],
  [(r) => r.zcard("z"), ["ZCARD", "z"], [1]],
  [(r) => r.zcount("z", "-inf", "(5"), ["ZCOUNT", "z", "-inf", "(5"], [1]],
  [(r) => r.zincrby("z", 2, "m"), ["ZINCRBY", "z", 2, "m"], [1]],
  [(r) => r.zinter(["a", "b"]), ["ZINTER", 2, "a", "b"], [2, 3]],
  [
    (r) => r.zinter({ a: 1, b: 2 }, { aggregate: "max" as never, withscores: true }),
    ["ZINTER", 2, "a", "b", "WEIGHTS", 1, 2, "AGGREGATE", "MAX", "WITHSCORES"],
    [2, 3],
  ],
  [(r) => r.zinterstore("d", ["a", "b"], "MIN"), ["ZINTERSTORE", "d", 2, "a", "b", "AGGREGATE", "MIN"], [
    1,
    3,
    4,
  ]],
  [(r) => r.zunion(new Map([["a", 2]])), ["ZUNION", 1, "a", "WEIGHTS", 2], [2]],
  [
    (r) => r.zunionstore("d", [["a", 1], ["b", 3]]),
    ["ZUNIONSTORE", "d", 2, "a", "b", "WEIGHTS", 1, 3],
    [1, 3, 4],
  ],
  [(r) => r.zdiff(["a", "b"], { withscores: true }), ["ZDIFF", 2, "a", "b", "WITHSCORES"], [2, 3]],
  [(r) => r.zdiffstore("d", ["a"]), ["ZDIFFSTORE", "d", 1, "a"], [1, 3]],
  [(r) => r.zlexcount("z", "[a", "+"), ["ZLEXCOUNT", "z", "[a", "+"], [1]],
  [(r) => r.zmscore("z", ["a", "b"]), ["ZMSCORE", "z", "a", "b"], [1]],
  [(r) => r.zpopmax("z"), ["ZPOPMAX", "z"], [1]],
  [(r) => r.zpopmin("z", 2), ["ZPOPMIN", "z", 2], [1]],
  [(r) => r.bzpopmax(["a", "b"], 1), ["BZPOPMAX", "a", "b", 1], [1, 2]],
  [(r) => r.bzpopmin("a"), ["BZPOPMIN", "a", 0], [1]],
  [(r) => r.zmpop(["a", "b"], { min: true }), ["ZMPOP", 2, "a", "b", "MIN"], [2, 3]],
  [(r) => r.zmpop(["a"], { max: true, count: 2 }), ["ZMPOP", 1, "a", "MAX", "COUNT", 2], [2]],
  [(r) => r.bzmpop(0.5, ["a"], { max: true }), ["BZMPOP", 0.5, 1, "a", "MAX"], [3]],
  [(r) => r.zrandmember("z"), ["ZRANDMEMBER", "z"], [1]],
  [(r) => r.zrandmember("z", 2, true), ["ZRANDMEMBER", "z", 2, "WITHSCORES"], [1]],
  [(r) => r.zrem("z", "a", "b"), ["ZREM", "z", "a", "b"], [1]],
  [(r) => r.zscore("z", "a"), ["ZSCORE", "z", "a"], [1]],
  [(r) => r.zscan("z"), ["ZSCAN", "z", 0], [1]],
  [(r) => r.zrange("z", 0, -1), ["ZRANGE", "z", 0, -1], [1]],
  [(r) => r.zrange("z", 0, -1, { desc: true }), ["ZRANGE", "z", 0, -1, "REV"], [1]],
  [
    (r) => r.zrange("z", "(1", "+inf", { byscore: true, desc: true, offset: 0, num: 5, withscores: true }),
    ["ZRANGE", "z", "(1", "+inf", "BYSCORE", "REV", "LIMIT", 0, 5, "WITHSCORES"],
    [1],
  ],
  [(r) => r.zrange("z", "[a", "(c", { bylex: true }), ["ZRANGE", "z", "[a", "(c", "BYLEX"], [1]],
  [(r) => r.zrangestore("d", "z", 0, -1), ["ZRANGESTORE", "d", "z", 0, -1], [1, 2]],
  [
    (r) => r.zrangestore("d", "z", 1, 5, { byscore: true, offset: 1, num: 2 }),
    ["ZRANGESTORE", "d", "z", 1, 5, "BYSCORE", "LIMIT", 1, 2],
    [1, 2],
  ],
  [(r) => r.zrangebylex("z", "-", "+", { start: 0, num: 2 }), ["ZRANGEBYLEX", "z", "-", "+", "LIMIT", 0, 2], [
    1,
  ]],
  [(r) => r.zrevrangebylex("z", "+", "-"), ["ZREVRANGEBYLEX", "z", "+", "-"], [1]],
  [
    (r) => r.zrangebyscore("z", 0, 10, { start: 1, num: 2, withscores: true }),
    ["ZRANGEBYSCORE", "z", 0, 10, "LIMIT", 1, 2, "WITHSCORES"],
    [1],
  ],
  [(r) => r.zrevrangebyscore("z", "+inf", "-inf"), ["ZREVRANGEBYSCORE", "z", "+inf", "-inf"], [1]],
  [(r) => r.zrevrange("z", 0, 1, { withscores: true }), ["ZREVRANGE", "z", 0, 1, "WITHSCORES"], [1]],
  [(r) => r.zrank("z", "m"), ["ZRANK", "z", "m"], [1]],
  [(r) => r.zrank("z", "m", { withscore: true }), ["ZRANK", "z", "m", "WITHSCORE"], [1]],
  [(r) => r.zrevrank("z", "m"), ["ZREVRANK", "z", "m"], [1]],
  [(r) => r.zremrangebylex("z", "[a", "[b"), ["ZREMRANGEBYLEX", "z", "[a", "[b"], [1]],
  [(r) => r.zremrangebyrank("z", 0, 1), ["ZREMRANGEBYRANK", "z", 0, 1], [1]],
  [(r) => r.zremrangebyscore("z", "-inf", 5), ["ZREMRANGEBYSCORE", "z", "-inf", 5], [1]],
];

test("argv and key positions of every command form", async () => {
  await expectArgv(ARGV);
});

test("blocking and binary-reply flags", async () => {
  const r = new Recorder();
  r.transform = false;
  const blocking: Call[] = [
    (r) => r.blpop(["a"], 1),
    (r) => r.brpop(["a"], 1),
    (r) => r.blmove("a", "b", 1),
    (r) => r.brpoplpush("a", "b", 1),
    (r) => r.blmpop(1, ["a"], "LEFT"),
    (r) => r.bzpopmin(["a"], 1),
    (r) => r.bzpopmax(["a"], 1),
    (r) => r.bzmpop(1, ["a"], { min: true }),
    (r) => r.wait(0, 10),
  ];
  for (const call of blocking) {
    await call(r);
    assert.equal(r.last.blocking, true, `${r.last.name} is blocking`);
  }
  await r.lpop("a");
  assert.equal(r.last.blocking, false);
  await r.dump("k");
  assert.equal(r.last.binaryReply, true);
  await r.get("k");
  assert.equal(r.last.binaryReply, false);
});

/** [call, expected message fragment] — each must reject with a DataError and send nothing. */
const DATA_ERRORS: [Call, RegExp][] = [
  [(r) => r.set("k", "v", { ex: 1, px: 2 }), /ex and px are mutually exclusive/],
  [(r) => r.set("k", "v", { nx: true, xx: true }), /nx and xx/],
  [(r) => r.set("k", "v", { ex: 1.5 }), /ex must be an integer/],
  [(r) => r.set("k", "v", { ex: 0 }), /ex must be at least 1/],
  [(r) => r.set("k", "v", { exat: new Date(NaN) }), /invalid Date/],
  [(r) => r.set(undefined as never, "v"), /Invalid key/],
  [(r) => r.set("k", "v", 5 as never), /options must be an object/],
  [(r) => r.getex("k", { ex: 1, persist: true }), /mutually exclusive/],
  [(r) => r.getex("k", { pxat: 1, exat: 1 }), /mutually exclusive/],
  [(r) => r.zadd("z", { a: 1 }, { nx: true, xx: true }), /nx and xx/],
  [(r) => r.zadd("z", { a: 1 }, { gt: true, lt: true }), /gt and lt/],
  [(r) => r.zadd("z", { a: 1 }, { nx: true, gt: true }), /nx and gt/],
  [(r) => r.zadd("z", { a: 1 }, { nx: true, lt: true }), /nx and lt/],
  [(r) => r.zadd("z", { a: NaN }), /score must be a number \(not NaN\)/],
  [(r) => r.zadd("z", { a: "1" as never }), /score must be a number/],
  [(r) => r.zadd("z", {}), /mapping must not be empty/],
  [(r) => r.zadd("z", null as never), /mapping must be an object/],
  [(r) => r.zadd("z", { a: 1, b: 2 }, { incr: true }), /single member/],
  [(r) => r.zincrby("z", NaN, "m"), /amount/],
  [(r) => r.expire("k", 1, { nx: true, xx: true }), /nx and xx/],
  [(r) => r.expire("k", 1, { gt: true, lt: true }), /gt and lt/],
  [(r) => r.expire("k", NaN), /time must be an integer/],
  [(r) => r.expire("k", 1.5), /time must be an integer/],
  [(r) => r.pexpireat("k", "soon" as never), /when must be an integer/],
  [(r) => r.mget(undefined as never), /Invalid key/],
  [(r) => r.delete(), /non-empty array of keys/],
  [(r) => r.exists(null as never), /Invalid key/],
  [(r) => r.mset(null as never), /mapping must be an object/],
  [(r) => r.mset({}), /must not be empty/],
  [(r) => r.mset([["a"]] as never), /\[key, value\] pairs/],
  [(r) => r.mset(new Map([[1 as never, 1]])), /Invalid key/],
  [(r) => r.msetnx(undefined as never), /mapping/],
  [(r) => r.hset("h" as never, undefined as never, undefined as never), /no field\/value pairs/],
  [(r) => r.hset("h", "f", undefined as never), /value is required/],
  [(r) => r.hset("h", { a: 1 } as never, "x" as never), /takes no value/],
  [(r) => r.hset("h", undefined, undefined, { items: ["a"] }), /even length/],
  [(r) => r.hset("h", undefined, undefined, { mapping: null as never }), /mapping must be an object/],
  [(r) => r.hdel("h"), /at least one of fields/],
  [(r) => r.hmget("h", []), /at least one of fields/],
  [(r) => r.hrandfield("h", undefined as never, true), /withvalues needs a count/],
  [(r) => r.hincrbyfloat("h", "f", Infinity), /finite/],
  [(r) => r.incrbyfloat("k", NaN), /finite/],
  [(r) => r.incrby("k", 1.5), /integer/],
  [(r) => r.lpush("l"), /at least one of values/],
  [(r) => r.linsert("l", "middle" as never, "a", "b"), /where must be one of BEFORE, AFTER/],
  [(r) => r.lmove("a", "b", "UP" as never), /src must be one of LEFT, RIGHT/],
  [(r) => r.blpop(["a"], -1), /timeout must be a finite number >= 0/],
  [(r) => r.blpop(["a"], NaN), /timeout/],
  [(r) => r.blpop([], 0), /non-empty array of keys/],
  [(r) => r.lmpop([], "LEFT"), /non-empty array of keys/],
  [(r) => r.lmpop(["a"], "LEFT", 0), /count must be at least 1/],
  [(r) => r.lpos("l", "v", { rank: 0 }), /rank must not be 0/],
  [(r) => r.lrange("l", 0, 1.5), /end must be an integer/],
  [(r) => r.zrange("z", 0, 1, { byscore: true, bylex: true }), /byscore and bylex/],
  [(r) => r.zrange("z", 0, 1, { byscore: true, offset: 0 }), /offset and num must both be specified/],
  [
    (r) => r.zrange("z", "[a", "[b", { bylex: true, withscores: true }),
    /withscores is not supported with bylex/,
  ],
  [(r) => r.zrange("z", 0, 1, { offset: 0, num: 1 }), /need byscore or bylex/],
  [(r) => r.zrange("z", "a", 1), /start must be an integer/],
  [(r) => r.zrange("z", 0, 1, { bylex: true }), /lexicographical bound/],
  [(r) => r.zrangestore("d", "z", 0, 1, { withscores: true } as never), /no withscores/],
  [(r) => r.zrangebyscore("z", 0, 1, { start: 1 }), /start and num must both be specified/],
  [(r) => r.zrangebyscore("z", NaN, 1), /min must be a number/],
  [(r) => r.zrangebylex("z", "-", "+", { withscores: true }), /withscores is not supported/],
  [(r) => r.zmpop(["a"], {}), /exactly one of min and max/],
  [(r) => r.zmpop(["a"], { min: true, max: true }), /exactly one of min and max/],
  [(r) => r.zinterstore("d", ["a"], "AVG" as never), /aggregate must be one of SUM, MIN, MAX/],
  [(r) => r.zinterstore("d", {}), /keys must not be empty/],
  [(r) => r.zinterstore("d", []), /non-empty array of keys/],
  [(r) => r.zunion({ a: NaN }), /weight must be a finite number/],
  [(r) => r.zmscore("z", []), /at least one of members/],
  [(r) => r.zrandmember("z", undefined as never, true), /withscores needs a count/],
  [(r) => r.scan(-1), /cursor must be a non-negative integer/],
  [(r) => r.scan("abc"), /cursor/],
  [(r) => r.scan(0, { count: 0 }), /count must be at least 1/],
  [(r) => r.hscan("h", 0, { type: "hash" }), /HSCAN has no type option/],
  [(r) => r.lcs("a", "b", { len: true, idx: true }), /len and idx/],
  [(r) => r.copy("a", "b", { destinationDb: -1 }), /destinationDb must be at least 0/],
  [(r) => r.restore("k", 0, bytes, { idletime: 1.5 }), /idletime must be an integer/],
  [(r) => r.clientSetinfo("foo" as never, "x"), /attr must be one of LIB-NAME, LIB-VER/],
  [(r) => r.clientList({ type: "robot" as never }), /type must be one of/],
  [(r) => r.clientList({ clientId: [] }), /at least one of clientId/],
  [(r) => r.commandList({ module: "a", pattern: "b" }), /module and pattern/],
  [(r) => r.select(-1), /index must be at least 0/],
  [(r) => r.sintercard([], 0), /non-empty array of keys/],
  [(r) => r.sintercard(["a"], -1), /limit must be at least 0/],
  [(r) => r.sdiffstore(undefined as never, ["a"]), /Invalid key/],
  [(r) => r.wait(-1, 0), /numreplicas/],
];

test("bad arguments reject with a DataError, asynchronously, and nothing is sent", async () => {
  await expectDataErrors(DATA_ERRORS);
});

/** Every method name of the command chain (RedisCommands down to CommandsBase). */
function commandMethods(): string[] {
  const names = new Set<string>();
  for (
    let proto = RedisCommands.prototype;
    proto !== CommandsBase.prototype && proto !== null;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, name);
      if (name !== "constructor" && typeof d?.value === "function") names.add(name);
    }
  }
  return [...names].sort();
}

/** Methods that return a command builder (its `execute()` sends) rather than a Promise. */
const BUILDERS = new Set(["bitfield"]);

test("sweep: every method survives garbage arguments without a synchronous throw", async () => {
  const methods = commandMethods();
  assert.ok(methods.length > 150, `found ${methods.length} methods`);
  const garbage: unknown[][] = [
    [],
    [undefined],
    [null],
    [{}],
    [undefined, undefined, undefined, undefined],
    [null, null, null, null],
    [{}, {}, {}, {}],
    ["k", null, null, null],
    ["k", {}, {}, {}],
    ["k", "v", 5, 5],
    [NaN, NaN, NaN],
    [[], [], []],
    ["k", "v", "x", { nx: null, ex: {}, count: "x", mapping: 5, items: {} }],
  ];
  const r = new Recorder();
  r.transform = false;
  for (const name of methods) {
    const method = (r as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
    for (const args of garbage) {
      let result: unknown;
      try {
        result = method.apply(r, args);
      } catch (e) {
        assert.fail(`${name}(${args.map(String).join(", ")}) threw synchronously: ${e}`);
      }
      if (name.endsWith("Iter")) {
        const it = result as AsyncGenerator<unknown>;
        assert.equal(typeof it[Symbol.asyncIterator], "function", `${name} returns an async iterable`);
        await it.return(undefined);
        continue;
      }
      if (BUILDERS.has(name)) {
        // A builder defers every check to its execute(), which must reject, not throw.
        const builder = result as { execute(): Promise<unknown> };
        await builder.execute().catch((e) => {
          assert.ok(
            e instanceof DataError,
            `${name}(${args.map(String).join(", ")}).execute() rejected with ${e}`,
          );
        });
        continue;
      }
      assert.ok(result instanceof Promise, `${name} returns a Promise`);
      await (result as Promise<unknown>).catch((e) => {
        assert.ok(e instanceof DataError, `${name}(${args.map(String).join(", ")}) rejected with ${e}`);
      });
    }
  }
});

/** [call, RESP2 raw reply, RESP3 raw reply, expected value] */
const REPLIES: [Call, RespValue, RespValue, unknown][] = [
  [(r) => r.ping(), "PONG", "PONG", true],
  [(r) => r.zscore("z", "a"), "1.5", 1.5, 1.5],
  [(r) => r.zscore("z", "a"), "inf", Infinity, Infinity],
  [(r) => r.zscore("z", "a"), "-inf", -Infinity, -Infinity],
  [(r) => r.zscore("z", "a"), null, null, null],
  [(r) => r.zincrby("z", 1, "a"), "3", 3, 3],
  [(r) => r.zadd("z", { a: 1 }, { incr: true }), "2.5", 2.5, 2.5],
  [(r) => r.zadd("z", { a: 1 }, { incr: true, xx: true }), null, null, null],
  [(r) => r.zadd("z", { a: 1 }), 1, 1, 1],
  [(r) => r.incrbyfloat("k", 0.5), "10.5", "10.5", 10.5],
  [(r) => r.hincrbyfloat("h", "f", 0.5), "1.5", "1.5", 1.5],
  [(r) => r.incr("k"), 9007199254740993n as unknown as RespValue, 9007199254740993n, 9007199254740992],
  [(r) => r.zrange("z", 0, -1, { withscores: true }), ["a", "1", "b", "2"], [["a", 1], ["b", 2]], [["a", 1], [
    "b",
    2,
  ]]],
  [(r) => r.zrange("z", 0, -1), ["a", "b"], ["a", "b"], ["a", "b"]],
  [(r) => r.zrangebyscore("z", 0, 1, { withscores: true }), ["a", "1"], [["a", 1]], [["a", 1]]],
  [(r) => r.zrevrange("z", 0, 1, { withscores: true }), ["b", "2"], [["b", 2]], [["b", 2]]],
  [(r) => r.zinter(["a"], { withscores: true }), ["a", "3"], [["a", 3]], [["a", 3]]],
  [(r) => r.zdiff(["a"], { withscores: true }), [], [], []],
  [(r) => r.zpopmin("z"), ["a", "1"], ["a", 1], [["a", 1]]],
  [(r) => r.zpopmin("z"), [], [], []],
  [(r) => r.zpopmax("z", 2), ["b", "2", "a", "1"], [["b", 2], ["a", 1]], [["b", 2], ["a", 1]]],
  [(r) => r.zrandmember("z", 1, true), ["a", "1"], [["a", 1]], [["a", 1]]],
  [(r) => r.hrandfield("h", 2, true), ["f", "v", "g", "w"], [["f", "v"], ["g", "w"]], [["f", "v"], [
    "g",
    "w",
  ]]],
  [(r) => r.zmscore("z", ["a", "b"]), ["1", null], [1, null], [1, null]],
  [(r) => r.bzpopmin("z"), ["z", "a", "1"], ["z", "a", 1], ["z", "a", 1]],
  [(r) => r.bzpopmin("z"), null, null, null],
  [(r) => r.zmpop(["z"], { min: true }), ["z", [["a", "1"]]], ["z", [["a", 1]]], ["z", [["a", 1]]]],
  [(r) => r.zmpop(["z"], { min: true }), null, null, null],
  [(r) => r.zrank("z", "a", { withscore: true }), [0, "1.5"], [0, 1.5], [0, 1.5]],
  [(r) => r.zrank("z", "a", { withscore: true }), null, null, null],
  [(r) => r.zrank("z", "a"), 2, 2, 2],
  [(r) => r.zrank("z", "a"), null, null, null],
  [(r) => r.zscan("z"), ["0", ["a", "1"]], ["0", ["a", "1"]], ["0", [["a", 1]]]],
  [(r) => r.hgetall("h"), ["a", "1", "b", "2"], ["a", "1", "b", "2"], { a: "1", b: "2" }],
  [(r) => r.hgetall("h"), [], [], {}],
  [(r) => r.hscan("h"), ["7", ["a", "1"]], ["7", ["a", "1"]], ["7", { a: "1" }]],
  [(r) => r.scan(), ["0", ["k"]], ["0", ["k"]], ["0", ["k"]]],
  [(r) => r.configGet("maxmemory"), ["maxmemory", "0"], ["maxmemory", "0"], { maxmemory: "0" }],
  [(r) => r.smembers("s"), ["a"], ["a"], ["a"]],
  [(r) => r.sismember("s", "a"), 1, 1, true],
  [(r) => r.smismember("s", ["a", "b"]), [1, 0], [1, 0], [true, false]],
  [(r) => r.smove("a", "b", "m"), 0, 0, false],
  [(r) => r.expire("k", 1), 1, 1, true],
  [(r) => r.hsetnx("h", "f", "v"), 0, 0, false],
  [(r) => r.msetnx({ a: 1 }), 1, 1, true],
  [(r) => r.set("k", "v"), "OK", "OK", true],
  [(r) => r.set("k", "v", { nx: true }), null, null, null],
  [(r) => r.set("k", "v", { get: true }), "old", "old", "old"],
  [(r) => r.mset({ a: 1 }), "OK", "OK", true],
  [(r) => r.time(), ["1700000000", "123456"], ["1700000000", "123456"], [1700000000, 123456]],
  [(r) => r.lastsave(), 1700000000, 1700000000, new Date(1700000000000)],
  [(r) => r.type("k"), "string", "string", "string"],
  [(r) => r.objectEncoding("k"), "listpack", "listpack", "listpack"],
  [(r) => r.objectEncoding("k"), null, null, null],
  [(r) => r.objectFreq("k"), 3, 3, 3],
  [(r) => r.lpos("l", "a"), 2, 2, 2],
  [(r) => r.lpos("l", "a"), null, null, null],
  [(r) => r.lpos("l", "a", { count: 0 }), [0, 2], [0, 2], [0, 2]],
  [(r) => r.lpop("l", 2), null, null, null],
  [(r) => r.lmpop(["l"], "LEFT"), ["l", ["a"]], ["l", ["a"]], ["l", ["a"]]],
  [(r) => r.blpop("l"), ["l", "a"], ["l", "a"], ["l", "a"]],
  [(r) => r.blpop("l"), null, null, null],
  [(r) => r.lcs("a", "b", { len: true }), 6, 6, 6],
  [
    (r) => r.lcs("a", "b", { idx: true, withmatchlen: true }),
    ["matches", [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]], "len", 6],
    ["matches", [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]], "len", 6],
    { matches: [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]], len: 6 },
  ],
  [
    (r) => r.lcs("a", "b", { idx: true }),
    ["matches", [[[4, 7], [5, 8]]], "len", 6],
    ["matches", [[[4, 7], [5, 8]]], "len", 6],
    { matches: [[[4, 7], [5, 8]]], len: 6 },
  ],
  [(r) => r.memoryUsage("k"), null, null, null],
  [(r) => r.clientId(), 12, 12, 12],
  [
    (r) => r.clientInfo(),
    "id=3 addr=127.0.0.1:50000 laddr=127.0.0.1:6379 fd=8 name=w age=0 idle=0 flags=N db=2 cmd=client|info lib-name= resp=2\n",
    "id=3 addr=127.0.0.1:50000 laddr=127.0.0.1:6379 fd=8 name=w age=0 idle=0 flags=N db=2 cmd=client|info lib-name= resp=2\n",
    {
      id: 3,
      addr: "127.0.0.1:50000",
      laddr: "127.0.0.1:6379",
      fd: 8,
      name: "w",
      age: 0,
      idle: 0,
      flags: "N",
      db: 2,
      cmd: "client|info",
      "lib-name": "",
      resp: 2,
    },
  ],
  [
    (r) => r.clientList(),
    "id=3 name=a db=0\nid=4 name=b=c db=1\n",
    "id=3 name=a db=0\nid=4 name=b=c db=1\n",
    [{ id: 3, name: "a", db: 0 }, { id: 4, name: "b=c", db: 1 }],
  ],
  [
    (r) => r.role(),
    ["master", 10, [["127.0.0.1", "6380", "10"]]],
    ["master", 10, [["127.0.0.1", "6380", "10"]]],
    ["master", 10, [["127.0.0.1", "6380", "10"]]],
  ],
  [(r) => r.commandList(), ["get", "set"], ["get", "set"], ["get", "set"]],
];

test("reply transforms give the same value for RESP2 and RESP3 replies", async () => {
  await expectSameReplies(REPLIES);
});

test("INFO is parsed like redis-py's parse_info", async () => {
  const r = new Recorder();
  r.reply = [
    "# Server",
    "redis_version:7.2.4",
    "redis_mode:standalone",
    "process_id:42",
    "executable:",
    "mem_fragmentation_ratio:1.25",
    "run_id:0x12",
    "# Keyspace",
    "db0:keys=2,expires=1,avg_ttl=100",
    "slave0:ip=127.0.0.1,port=6380,state=online,offset=10,lag=0",
    "cmdstat_host:calls=1,usec=2",
    "module:name=search,ver=20000",
    "module:name=json,ver=10000",
    "io_threads_active:-1",
    "some_list:a,b,,c",
    "flagged:x,y=1",
    "garbage line",
    "",
  ].join("\r\n");
  const info = await r.info();
  assert.deepEqual(info, {
    redis_version: "7.2.4",
    redis_mode: "standalone",
    process_id: 42,
    executable: "",
    mem_fragmentation_ratio: 1.25,
    run_id: "0x12",
    db0: { keys: 2, expires: 1, avg_ttl: 100 },
    slave0: { ip: "127.0.0.1", port: 6380, state: "online", offset: 10, lag: 0 },
    cmdstat_host: { calls: 1, usec: 2 },
    modules: [{ name: "search", ver: 20000 }, { name: "json", ver: 10000 }],
    io_threads_active: -1,
    some_list: ["a", "b", "c"],
    flagged: { x: true, y: 1 },
    __raw__: ["garbage line"],
  });
});

test("decodeResponses: false keeps values as bytes but text replies as text", async () => {
  const r = new Recorder<false>();
  const enc = (s: string) => new TextEncoder().encode(s);
  r.reply = [enc("f1"), enc("v1"), enc("__proto__"), enc("v2")];
  const h = await r.hgetall("h");
  assert.deepEqual(Object.keys(h), ["f1", "__proto__"]);
  assert.deepEqual(h.f1, enc("v1"));
  assert.deepEqual(
    Object.getPrototypeOf(h),
    Object.prototype,
    "a __proto__ field does not replace the prototype",
  );
  r.reply = [enc("42"), [enc("a"), enc("1.5")]];
  assert.deepEqual(await r.zscan("z"), ["42", [[enc("a"), 1.5]]]);
  r.reply = enc("2.5");
  assert.equal(await r.zscore("z", "a"), 2.5);
  r.reply = enc("hash");
  assert.equal(await r.type("k"), "hash");
  r.reply = enc("# Keyspace\r\ndb0:keys=1,expires=0\r\n");
  assert.deepEqual(await r.info("keyspace"), { db0: { keys: 1, expires: 0 } });
  r.reply = [enc("maxmemory"), enc("0")];
  assert.deepEqual(await r.configGet("maxmemory"), { maxmemory: "0" });
  r.reply = enc("PONG");
  assert.equal(await r.ping(), true);
});

test("malformed replies reject with InvalidResponse", async () => {
  const r = new Recorder();
  r.reply = "not a number";
  await assert.rejects(r.zscore("z", "a"), InvalidResponse);
  r.reply = null;
  await assert.rejects(r.scan(), InvalidResponse);
  await assert.rejects(r.strlen("k"), InvalidResponse);
  r.reply = ["a", "b", "c"];
  await assert.rejects(r.bzpopmin("z"), InvalidResponse);
});

test("scanIter, hscanIter, sscanIter and zscanIter follow the cursor", async () => {
  const pages: RespValue[] = [["5", ["a", "1"]], ["0", ["b", "2"]]];
  const run = async (collect: (r: Recorder) => AsyncIterable<unknown>) => {
    const r = new Recorder();
    let page = 0;
    r.execute = function <T>(command: Command<T>): Promise<T> {
      this.commands.push(command as Command<unknown>);
      return Promise.resolve(command.transform!(pages[page++]) as T);
    };
    const out: unknown[] = [];
    for await (const item of collect(r)) out.push(item);
    return { out, cursors: r.commands.map((c) => c.args[c.args[0] === "SCAN" ? 1 : 2]) };
  };
  assert.deepEqual(await run((r) => r.scanIter({ match: "*" })), {
    out: ["a", "1", "b", "2"],
    cursors: ["0", "5"],
  });
  assert.deepEqual(await run((r) => r.hscanIter("h")), {
    out: [["a", "1"], ["b", "2"]],
    cursors: ["0", "5"],
  });
  assert.deepEqual(await run((r) => r.sscanIter("s")), { out: ["a", "1", "b", "2"], cursors: ["0", "5"] });
  assert.deepEqual(await run((r) => r.zscanIter("z")), { out: [["a", 1], ["b", 2]], cursors: ["0", "5"] });
});
