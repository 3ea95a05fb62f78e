// ACL, CLIENT administration and server introspection commands without a server:
// exact argv, DataError cases (always asynchronous), and reply transforms fed
// RESP2- and RESP3-shaped replies.

import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidResponse } from "../errors.ts";
import type { RedisArgument, RespValue } from "../protocol/types.ts";
import { expectArgv, expectDataErrors, expectSameReplies, Recorder } from "../../tests/support/recorder.ts";

type Call = (r: Recorder) => Promise<unknown>;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** [call, argv] */
const ARGV: [Call, RedisArgument[], number[]?][] = [
  // acl
  [(r) => r.aclCat(), ["ACL", "CAT"]],
  [(r) => r.aclCat("hash"), ["ACL", "CAT", "hash"]],
  [(r) => r.aclDeluser("a", "b"), ["ACL", "DELUSER", "a", "b"]],
  [(r) => r.aclDryrun("u", "SET", "k", 1), ["ACL", "DRYRUN", "u", "SET", "k", 1]],
  [(r) => r.aclGenpass(), ["ACL", "GENPASS"]],
  [(r) => r.aclGenpass(64), ["ACL", "GENPASS", 64]],
  [(r) => r.aclGetuser("u"), ["ACL", "GETUSER", "u"]],
  [(r) => r.aclList(), ["ACL", "LIST"]],
  [(r) => r.aclLoad(), ["ACL", "LOAD"]],
  [(r) => r.aclLog(), ["ACL", "LOG"]],
  [(r) => r.aclLog({ count: 3 }), ["ACL", "LOG", 3]],
  [(r) => r.aclLogReset(), ["ACL", "LOG", "RESET"]],
  [(r) => r.aclSave(), ["ACL", "SAVE"]],
  [(r) => r.aclSetuser("u"), ["ACL", "SETUSER", "u", "off"]],
  [(r) => r.aclSetuser("u", ["on", ">pw", "~*"]), ["ACL", "SETUSER", "u", "on", ">pw", "~*"]],
  [
    (r) =>
      r.aclSetuser("u", {
        enabled: true,
        reset: true,
        resetKeys: true,
        resetChannels: true,
        resetPasswords: true,
        passwords: ["+a", "-b"],
        hashedPasswords: "+abcd",
        categories: ["+@read", "-write", "+hash"],
        commands: ["+get", "-set"],
        keys: ["k*", "~x", "%R~r*"],
        channels: ["c*", "&d"],
        selectors: [["+get", "o*"], ["-set", "%W~w*"]],
      }),
    [
      "ACL",
      "SETUSER",
      "u",
      "reset",
      "resetkeys",
      "resetchannels",
      "resetpass",
      "on",
      ">a",
      "<b",
      "#abcd",
      "+@read",
      "-@write",
      "+@hash",
      "+get",
      "-set",
      "~k*",
      "~x",
      "%R~r*",
      "&c*",
      "&d",
      "(+get ~o*)",
      "(-set %W~w*)",
    ],
  ],
  [(r) => r.aclSetuser("u", { nopass: true }), ["ACL", "SETUSER", "u", "off", "nopass"]],
  [(r) => r.aclUsers(), ["ACL", "USERS"]],
  [(r) => r.aclWhoami(), ["ACL", "WHOAMI"]],
  // client
  [(r) => r.clientKill("127.0.0.1:5000"), ["CLIENT", "KILL", "127.0.0.1:5000"]],
  [
    (r) =>
      r.clientKillFilter({
        id: 3,
        type: "normal",
        addr: "a:1",
        skipme: false,
        laddr: "b:2",
        user: "u",
        maxage: 9,
      }),
    [
      "CLIENT",
      "KILL",
      "ID",
      3,
      "TYPE",
      "normal",
      "ADDR",
      "a:1",
      "SKIPME",
      "no",
      "LADDR",
      "b:2",
      "USER",
      "u",
      "MAXAGE",
      9,
    ],
  ],
  [(r) => r.clientKillFilter({ skipme: true }), ["CLIENT", "KILL", "SKIPME", "yes"]],
  [(r) => r.clientPause(100), ["CLIENT", "PAUSE", 100]],
  [(r) => r.clientPause(100, { all: true }), ["CLIENT", "PAUSE", 100, "ALL"]],
  [(r) => r.clientPause(100, { write: true }), ["CLIENT", "PAUSE", 100, "WRITE"]],
  [(r) => r.clientUnpause(), ["CLIENT", "UNPAUSE"]],
  [(r) => r.clientCaching(true), ["CLIENT", "CACHING", "YES"]],
  [(r) => r.clientCaching(false), ["CLIENT", "CACHING", "NO"]],
  [(r) => r.clientGetredir(), ["CLIENT", "GETREDIR"]],
  [(r) => r.clientTrackinginfo(), ["CLIENT", "TRACKINGINFO"]],
  [(r) => r.clientTracking(false), ["CLIENT", "TRACKING", "OFF"]],
  [
    (r) => r.clientTracking(true, { clientId: 5, prefix: ["a", "b"], bcast: true, noloop: true }),
    ["CLIENT", "TRACKING", "ON", "REDIRECT", 5, "PREFIX", "a", "PREFIX", "b", "BCAST", "NOLOOP"],
  ],
  [(r) => r.clientTracking(true, { optin: true }), ["CLIENT", "TRACKING", "ON", "OPTIN"]],
  [(r) => r.clientTracking(true, { optout: true }), ["CLIENT", "TRACKING", "ON", "OPTOUT"]],
  [(r) => r.clientNoEvict(true), ["CLIENT", "NO-EVICT", "ON"]],
  [(r) => r.clientNoTouch(false), ["CLIENT", "NO-TOUCH", "OFF"]],
  [(r) => r.clientUnblock(7), ["CLIENT", "UNBLOCK", 7]],
  [(r) => r.clientUnblock(7, { error: true }), ["CLIENT", "UNBLOCK", 7, "ERROR"]],
  // server
  [(r) => r.configSet({ a: 1, b: "x" }), ["CONFIG", "SET", "a", 1, "b", "x"]],
  [(r) => r.configSet(new Map([["a", 1]])), ["CONFIG", "SET", "a", 1]],
  [(r) => r.configSet([["a", 1], ["b", 2]]), ["CONFIG", "SET", "a", 1, "b", 2]],
  [(r) => r.commandInfo(), ["COMMAND", "INFO"]],
  [(r) => r.commandInfo("get", "set"), ["COMMAND", "INFO", "get", "set"]],
  [(r) => r.commandDocs("get"), ["COMMAND", "DOCS", "get"]],
  [(r) => r.commandGetkeys("MSET", "a", 1), ["COMMAND", "GETKEYS", "MSET", "a", 1]],
  [(r) => r.commandGetkeysandflags("SET", "a", 1), ["COMMAND", "GETKEYSANDFLAGS", "SET", "a", 1]],
  [(r) => r.latencyDoctor(), ["LATENCY", "DOCTOR"]],
  [(r) => r.latencyGraph("command"), ["LATENCY", "GRAPH", "command"]],
  [(r) => r.latencyHistogram(), ["LATENCY", "HISTOGRAM"]],
  [(r) => r.latencyHistogram("set", "get"), ["LATENCY", "HISTOGRAM", "set", "get"]],
  [(r) => r.latencyHistory("command"), ["LATENCY", "HISTORY", "command"]],
  [(r) => r.latencyLatest(), ["LATENCY", "LATEST"]],
  [(r) => r.latencyReset(), ["LATENCY", "RESET"]],
  [(r) => r.latencyReset("command", "fork"), ["LATENCY", "RESET", "command", "fork"]],
  [(r) => r.memoryDoctor(), ["MEMORY", "DOCTOR"]],
  [(r) => r.memoryMallocStats(), ["MEMORY", "MALLOC-STATS"]],
  [(r) => r.memoryPurge(), ["MEMORY", "PURGE"]],
  [(r) => r.memoryStats(), ["MEMORY", "STATS"]],
  [(r) => r.moduleList(), ["MODULE", "LIST"]],
  [(r) => r.moduleLoad("/m.so", "a", 1), ["MODULE", "LOAD", "/m.so", "a", 1]],
  [(r) => r.moduleLoadex("/m.so"), ["MODULE", "LOADEX", "/m.so"]],
  [
    (r) => r.moduleLoadex("/m.so", { config: { x: 1, y: "z" }, args: ["a", 2] }),
    ["MODULE", "LOADEX", "/m.so", "CONFIG", "x", 1, "CONFIG", "y", "z", "ARGS", "a", 2],
  ],
  [(r) => r.moduleUnload("m"), ["MODULE", "UNLOAD", "m"]],
  [(r) => r.slowlogGet(), ["SLOWLOG", "GET"]],
  [(r) => r.slowlogGet(-1), ["SLOWLOG", "GET", -1]],
  [(r) => r.slowlogLen(), ["SLOWLOG", "LEN"]],
  [(r) => r.slowlogReset(), ["SLOWLOG", "RESET"]],
  [(r) => r.replicaof("h", 6380), ["REPLICAOF", "h", 6380]],
  [(r) => r.replicaof(), ["REPLICAOF", "NO", "ONE"]],
  [(r) => r.slaveof("h", 6380), ["SLAVEOF", "h", 6380]],
  [(r) => r.slaveof(), ["SLAVEOF", "NO", "ONE"]],
  [(r) => r.failover(), ["FAILOVER"]],
  [
    (r) => r.failover({ to: { host: "h", port: 1, force: true }, timeout: 50 }),
    ["FAILOVER", "TO", "h", 1, "FORCE", "TIMEOUT", 50],
  ],
  [(r) => r.failover({ abort: true }), ["FAILOVER", "ABORT"]],
  [(r) => r.lolwut(), ["LOLWUT"]],
  [(r) => r.lolwut({ version: 5 }), ["LOLWUT", "VERSION", 5]],
  [(r) => r.waitaof(1, 0, 100), ["WAITAOF", 1, 0, 100]],
  [(r) => r.shutdown(), ["SHUTDOWN"]],
  [(r) => r.shutdown({ nosave: true, now: true, force: true }), ["SHUTDOWN", "NOSAVE", "NOW", "FORCE"]],
  [(r) => r.shutdown({ save: true }), ["SHUTDOWN", "SAVE"]],
  [(r) => r.shutdown({ abort: true }), ["SHUTDOWN", "ABORT"]],
];

test("argv of every ACL, CLIENT and server administration command form", async () => {
  await expectArgv(ARGV);
});

test("WAITAOF is a blocking command", async () => {
  const r = new Recorder();
  r.transform = false;
  await r.waitaof(1, 0, 0);
  assert.equal(r.last.blocking, true);
  await r.clientPause(10);
  assert.equal(r.last.blocking, false);
});

const DATA_ERRORS: [Call, RegExp][] = [
  [(r) => r.aclSetuser("u", { passwords: ["pw"] }), /bad passwords entry "pw"/],
  [(r) => r.aclSetuser("u", { hashedPasswords: ["abc"] }), /bad hashedPasswords/],
  [(r) => r.aclSetuser("u", { nopass: true, passwords: ["+pw"] }), /nopass cannot be combined/],
  [(r) => r.aclSetuser("u", { categories: ["read"] }), /bad categories entry "read"/],
  [(r) => r.aclSetuser("u", { commands: ["get"] }), /bad commands entry "get"/],
  [(r) => r.aclSetuser("u", { keys: 5 as never }), /keys must be an array/],
  [(r) => r.aclSetuser("u", { selectors: [["get", "k"]] }), /selectors must be/],
  [(r) => r.aclSetuser("u", [1 as never]), /rules must be strings/],
  [(r) => r.aclSetuser("u", "on" as never), /options must be an object/],
  [(r) => r.aclGenpass(0), /bits must be at least 1/],
  [(r) => r.aclLog({ count: -1 }), /count must be at least 0/],
  [(r) => r.clientKillFilter({}), /at least one filter/],
  [(r) => r.clientKillFilter({ type: "bogus" as never }), /type must be one of/],
  [(r) => r.clientKillFilter({ id: 1.5 }), /id must be an integer/],
  [(r) => r.clientKillFilter({ skipme: "yes" as never }), /skipme must be a boolean/],
  [(r) => r.clientPause(-1), /timeout must be at least 0/],
  [(r) => r.clientPause(10, { all: true, write: true }), /mutually exclusive/],
  [(r) => r.clientCaching("yes" as never), /must be a boolean/],
  [(r) => r.clientTracking("on" as never), /must be a boolean/],
  [(r) => r.clientTracking(true, { optin: true, optout: true }), /mutually exclusive/],
  [(r) => r.clientTracking(true, { prefix: "p" as never }), /prefix must be an array/],
  [(r) => r.clientNoEvict(1 as never), /must be a boolean/],
  [(r) => r.clientUnblock(NaN), /clientId must be an integer/],
  [(r) => r.configSet({}), /parameters must not be empty/],
  [(r) => r.configSet(5 as never), /parameters must be an object/],
  [(r) => r.slowlogGet(1.5), /num must be an integer/],
  [(r) => r.slowlogGet(-2), /num must be at least -1/],
  [(r) => r.moduleLoadex("/m.so", { args: [] }), /at least one of args/],
  [(r) => r.replicaof("h"), /port must be an integer/],
  [(r) => r.slaveof(undefined, 1), /host must be a string/],
  [(r) => r.failover({ to: { host: "h", port: "x" as never } }), /to.port must be an integer/],
  [(r) => r.failover({ timeout: -5 }), /timeout must be at least 0/],
  [(r) => r.lolwut({ version: "5" as never }), /version must be an integer/],
  [(r) => r.waitaof(1, 0, 1.5), /timeout must be an integer/],
  [(r) => r.shutdown({ nosave: true, save: true }), /mutually exclusive/],
];

test("bad arguments reject with a DataError, asynchronously, and nothing is sent", async () => {
  await expectDataErrors(DATA_ERRORS);
});

const ACL_USER = {
  flags: ["on", "sanitize-payload"],
  enabled: true,
  passwords: ["5e88"],
  commands: ["-debug"],
  categories: ["+@all", "-@dangerous"],
  keys: ["~*", "%R~r*"],
  channels: ["&*"],
  selectors: [{ commands: "-@all +get", keys: "~o*", channels: "" }],
};

const SELECTOR: RespValue = ["commands", "-@all +get", "keys", "~o*", "channels", ""];

/** [call, RESP2 raw reply, RESP3 raw reply, expected value] */
const REPLIES: [Call, RespValue, RespValue, unknown][] = [
  [
    (r) => r.aclGetuser("u"),
    [
      "flags",
      ["on", "sanitize-payload"],
      "passwords",
      ["5e88"],
      "commands",
      "+@all -@dangerous -debug",
      "keys",
      "~* %R~r*",
      "channels",
      "&*",
      "selectors",
      [SELECTOR],
    ],
    [
      enc("flags"),
      [enc("on"), enc("sanitize-payload")],
      "passwords",
      [enc("5e88")],
      "commands",
      enc("+@all -@dangerous -debug"),
      "keys",
      enc("~* %R~r*"),
      "channels",
      "&*",
      "selectors",
      [SELECTOR],
    ],
    ACL_USER,
  ],
  [(r) => r.aclGetuser("u"), null, null, null],
  [
    (r) => r.aclGetuser("u"),
    ["flags", ["off"], "passwords", [], "commands", "-@all", "keys", "", "channels", ""],
    ["flags", ["off"], "passwords", [], "commands", "-@all", "keys", "", "channels", ""],
    {
      flags: ["off"],
      enabled: false,
      passwords: [],
      commands: [],
      categories: ["-@all"],
      keys: [],
      channels: [],
      selectors: [],
    },
  ],
  [
    (r) => r.aclLog(),
    [[
      "count",
      1,
      "reason",
      "auth",
      "context",
      "toplevel",
      "object",
      "AUTH",
      "username",
      "x",
      "age-seconds",
      "0.25",
      "client-info",
      "id=3 addr=127.0.0.1:1",
      "entry-id",
      0,
      "timestamp-created",
      1700000000000,
    ]],
    [[
      "count",
      1,
      "reason",
      "auth",
      "context",
      "toplevel",
      "object",
      "AUTH",
      "username",
      enc("x"),
      "age-seconds",
      0.25,
      "client-info",
      "id=3 addr=127.0.0.1:1",
      "entry-id",
      0,
      "timestamp-created",
      1700000000000,
    ]],
    [{
      count: 1,
      reason: "auth",
      context: "toplevel",
      object: "AUTH",
      username: "x",
      ageSeconds: 0.25,
      clientInfo: "id=3 addr=127.0.0.1:1",
      entryId: 0,
      timestampCreated: 1700000000000,
    }],
  ],
  [(r) => r.aclCat(), ["read", "write"], ["read", "write"], ["read", "write"]],
  [(r) => r.aclDeluser("a"), 1, 1, 1],
  [(r) => r.aclDryrun("u", "GET", "k"), "OK", "OK", "OK"],
  [(r) => r.aclWhoami(), "default", enc("default"), "default"],
  [
    (r) => r.clientTrackinginfo(),
    ["flags", ["on", "bcast"], "redirect", 5, "prefixes", ["a:"]],
    ["flags", [enc("on"), enc("bcast")], "redirect", 5, "prefixes", [enc("a:")]],
    { flags: ["on", "bcast"], redirect: 5, prefixes: ["a:"] },
  ],
  [(r) => r.clientUnblock(1), 1, 1, true],
  [(r) => r.clientUnblock(1), 0, 0, false],
  [(r) => r.clientKillFilter({ id: 1 }), 1, 1, 1],
  [(r) => r.clientGetredir(), -1, -1, -1],
  [
    (r) => r.slowlogGet(),
    [[3, 1700000000, 12, ["SET", "k", "v"], "127.0.0.1:5000", "app"], [2, 1700000000, 1, ["PING"]]],
    [[3, 1700000000, 12, [enc("SET"), enc("k"), enc("v")], enc("127.0.0.1:5000"), enc("app")], [
      2,
      1700000000,
      1,
      ["PING"],
    ]],
    [
      {
        id: 3,
        startTime: 1700000000,
        duration: 12,
        command: ["SET", "k", "v"],
        clientAddress: "127.0.0.1:5000",
        clientName: "app",
      },
      { id: 2, startTime: 1700000000, duration: 1, command: ["PING"], clientAddress: "", clientName: "" },
    ],
  ],
  [
    (r) => r.commandInfo("get", "nope"),
    [["get", 2, ["readonly", "fast"], 1, 1, 1, ["@read", "@string", "@fast"], [], [[
      "flags",
      ["RO", "access"],
      "begin_search",
      ["type", "index", "spec", ["index", 1]],
    ]], []], null],
    [["get", 2, ["readonly", "fast"], 1, 1, 1, ["@read", "@string", "@fast"], [], [[
      "flags",
      ["RO", "access"],
      "begin_search",
      ["type", "index", "spec", ["index", 1]],
    ]], []], null],
    {
      get: {
        name: "get",
        arity: 2,
        flags: ["readonly", "fast"],
        firstKeyPos: 1,
        lastKeyPos: 1,
        stepCount: 1,
        aclCategories: ["@read", "@string", "@fast"],
        tips: [],
        keySpecifications: [["flags", ["RO", "access"], "begin_search", ["type", "index", "spec", [
          "index",
          1,
        ]]]],
        subcommands: [],
      },
    },
  ],
  [
    (r) => r.commandDocs("get"),
    ["get", [
      "summary",
      "Get",
      "since",
      "1.0.0",
      "arguments",
      [["name", "key", "type", "key", "key_spec_index", 0]],
      "subcommands",
      ["x|y", ["summary", "Sub"]],
    ]],
    [enc("get"), [
      "summary",
      enc("Get"),
      "since",
      "1.0.0",
      "arguments",
      [["name", "key", "type", "key", "key_spec_index", 0]],
      "subcommands",
      ["x|y", ["summary", "Sub"]],
    ]],
    {
      get: {
        summary: "Get",
        since: "1.0.0",
        arguments: [{ name: "key", type: "key", key_spec_index: 0 }],
        subcommands: { "x|y": { summary: "Sub" } },
      },
    },
  ],
  [(r) => r.commandGetkeys("MSET", "a", 1), ["a"], [enc("a")], ["a"]],
  [
    (r) => r.commandGetkeysandflags("LMOVE", "a", "b"),
    [["a", ["RW", "access"]], ["b", ["RW", "insert"]]],
    [[enc("a"), [enc("RW"), enc("access")]], [enc("b"), ["RW", "insert"]]],
    [["a", ["RW", "access"]], ["b", ["RW", "insert"]]],
  ],
  [(r) => r.configSet({ a: 1 }), "OK", "OK", true],
  [
    (r) => r.latencyLatest(),
    [["command", 1700000000, 51, 60]],
    [[enc("command"), 1700000000, 51, 60]],
    [["command", 1700000000, 51, 60]],
  ],
  [(r) => r.latencyHistory("command"), [[1700000000, 51]], [[1700000000, 51]], [[1700000000, 51]]],
  [
    (r) => r.latencyHistogram("set"),
    ["set", ["calls", 3, "histogram_usec", [1, 2, 4, 3]]],
    ["set", ["calls", 3, "histogram_usec", [1, 2, 4, 3]]],
    { set: { calls: 3, histogram_usec: { "1": 2, "4": 3 } } },
  ],
  [(r) => r.latencyReset(), 2, 2, 2],
  [(r) => r.latencyDoctor(), "Dave, no latency", enc("Dave, no latency"), "Dave, no latency"],
  [
    (r) => r.memoryStats(),
    [
      "peak.allocated",
      1000,
      "dataset.percentage",
      "12.5",
      "db.0",
      ["overhead.hashtable.main", 72],
      "x",
      null,
    ],
    ["peak.allocated", 1000, "dataset.percentage", 12.5, "db.0", ["overhead.hashtable.main", 72], "x", null],
    {
      "peak.allocated": 1000,
      "dataset.percentage": 12.5,
      "db.0": { "overhead.hashtable.main": 72 },
      x: null,
    },
  ],
  [(r) => r.moduleList(), [], [], []],
  [
    (r) => r.moduleList(),
    [["name", "search", "ver", 20000, "path", "/m.so", "args", []]],
    [[enc("name"), enc("search"), "ver", 20000, "path", enc("/m.so"), "args", []]],
    [{ name: "search", ver: 20000, path: "/m.so", args: [] }],
  ],
  [
    (r) => r.lolwut(),
    "art\nRedis ver. 7.0.15\n",
    enc("art\nRedis ver. 7.0.15\n"),
    "art\nRedis ver. 7.0.15\n",
  ],
  [(r) => r.waitaof(1, 0, 0), [1, 0], [1, 0], [1, 0]],
  [(r) => r.replicaof(), "OK", "OK", true],
  [(r) => r.failover(), "OK", "OK", true],
];

test("reply transforms give the same value for RESP2 and RESP3 replies", async () => {
  await expectSameReplies(REPLIES);
});

test("malformed replies reject with InvalidResponse", async () => {
  const r = new Recorder();
  r.reply = "not a map";
  await assert.rejects(r.aclGetuser("u"), InvalidResponse);
  await assert.rejects(r.aclLog(), InvalidResponse);
  await assert.rejects(r.slowlogGet(), InvalidResponse);
  await assert.rejects(r.commandInfo("get"), InvalidResponse);
  await assert.rejects(r.commandDocs("get"), InvalidResponse);
  await assert.rejects(r.clientTrackinginfo(), InvalidResponse);
  await assert.rejects(r.memoryStats(), InvalidResponse);
  await assert.rejects(r.latencyLatest(), InvalidResponse);
  r.reply = [["not", "enough"]];
  await assert.rejects(r.latencyLatest(), InvalidResponse);
  r.reply = null;
  await assert.rejects(r.moduleList(), InvalidResponse);
  await assert.rejects(r.waitaof(1, 0, 0), InvalidResponse);
});
