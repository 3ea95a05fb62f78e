// Scripting and pub/sub command definitions without a server: exact argv and key positions,
// DataError cases (always asynchronous), and reply transforms fed RESP2- and RESP3-shaped replies.

import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidResponse } from "../errors.ts";
import type { RedisArgument, RespValue } from "../protocol/types.ts";
import { expectArgv, expectDataErrors, Recorder } from "../../tests/support/recorder.ts";

type Call = (r: Recorder) => Promise<unknown>;

const bytes = new Uint8Array([0xff, 0x00]);
const SHA = "e0e1f9fabfc9d4800c877a703b823ac0578ff8db";

/** [call, argv, key positions (omitted: none)] */
const ARGV: [Call, RedisArgument[], number[]?][] = [
  // scripting
  [(r) => r.eval("return 1"), ["EVAL", "return 1", 0]],
  [(r) => r.eval("return 1", []), ["EVAL", "return 1", 0]],
  [(r) => r.eval("s", ["a", bytes], ["x", 1]), ["EVAL", "s", 2, "a", bytes, "x", 1], [3, 4]],
  [(r) => r.eval("s", [], ["x"]), ["EVAL", "s", 0, "x"]],
  [(r) => r.evalRo("s", ["a"], ["x"]), ["EVAL_RO", "s", 1, "a", "x"], [3]],
  [(r) => r.evalsha(SHA, ["a", "b"]), ["EVALSHA", SHA, 2, "a", "b"], [3, 4]],
  [(r) => r.evalshaRo(SHA, [], [1, 2n]), ["EVALSHA_RO", SHA, 0, 1, 2n]],
  [(r) => r.scriptLoad("return 1"), ["SCRIPT", "LOAD", "return 1"]],
  [(r) => r.scriptExists(SHA), ["SCRIPT", "EXISTS", SHA]],
  [(r) => r.scriptExists(SHA, "x"), ["SCRIPT", "EXISTS", SHA, "x"]],
  [(r) => r.scriptFlush(), ["SCRIPT", "FLUSH"]],
  [(r) => r.scriptFlush({ mode: "ASYNC" }), ["SCRIPT", "FLUSH", "ASYNC"]],
  [(r) => r.scriptFlush({ mode: "sync" as never }), ["SCRIPT", "FLUSH", "SYNC"]],
  [(r) => r.scriptKill(), ["SCRIPT", "KILL"]],
  [(r) => r.functionLoad("code"), ["FUNCTION", "LOAD", "code"]],
  [(r) => r.functionLoad("code", { replace: true }), ["FUNCTION", "LOAD", "REPLACE", "code"]],
  [(r) => r.functionLoad("code", { replace: false }), ["FUNCTION", "LOAD", "code"]],
  [(r) => r.functionDelete("lib"), ["FUNCTION", "DELETE", "lib"]],
  [(r) => r.functionFlush(), ["FUNCTION", "FLUSH"]],
  [(r) => r.functionFlush({ mode: "SYNC" }), ["FUNCTION", "FLUSH", "SYNC"]],
  [(r) => r.functionList(), ["FUNCTION", "LIST"]],
  [(r) => r.functionList({ libraryname: "my*" }), ["FUNCTION", "LIST", "LIBRARYNAME", "my*"]],
  [
    (r) => r.functionList({ libraryname: "my*", withcode: true }),
    ["FUNCTION", "LIST", "LIBRARYNAME", "my*", "WITHCODE"],
  ],
  [(r) => r.functionList({ withcode: true }), ["FUNCTION", "LIST", "WITHCODE"]],
  [(r) => r.functionDump(), ["FUNCTION", "DUMP"]],
  [(r) => r.functionRestore(bytes), ["FUNCTION", "RESTORE", bytes]],
  [(r) => r.functionRestore(bytes, { policy: "REPLACE" }), ["FUNCTION", "RESTORE", bytes, "REPLACE"]],
  [(r) => r.functionRestore(bytes, { policy: "flush" as never }), ["FUNCTION", "RESTORE", bytes, "FLUSH"]],
  [(r) => r.functionRestore(bytes, { policy: "APPEND" }), ["FUNCTION", "RESTORE", bytes, "APPEND"]],
  [(r) => r.functionStats(), ["FUNCTION", "STATS"]],
  [(r) => r.functionKill(), ["FUNCTION", "KILL"]],
  [(r) => r.fcall("f"), ["FCALL", "f", 0]],
  [(r) => r.fcall("f", ["a", "b"], ["x"]), ["FCALL", "f", 2, "a", "b", "x"], [3, 4]],
  [(r) => r.fcallRo("f", [bytes], [1]), ["FCALL_RO", "f", 1, bytes, 1], [3]],
  // pub/sub
  [(r) => r.publish("ch", "msg"), ["PUBLISH", "ch", "msg"]],
  [(r) => r.publish(bytes, 5), ["PUBLISH", bytes, 5]],
  [(r) => r.spublish("sch", "msg"), ["SPUBLISH", "sch", "msg"], [1]],
  [(r) => r.pubsubChannels(), ["PUBSUB", "CHANNELS"]],
  [(r) => r.pubsubChannels("news.*"), ["PUBSUB", "CHANNELS", "news.*"]],
  [(r) => r.pubsubNumsub(), ["PUBSUB", "NUMSUB"]],
  [(r) => r.pubsubNumsub("a", "b"), ["PUBSUB", "NUMSUB", "a", "b"]],
  [(r) => r.pubsubNumpat(), ["PUBSUB", "NUMPAT"]],
  [(r) => r.pubsubShardchannels(), ["PUBSUB", "SHARDCHANNELS"]],
  [(r) => r.pubsubShardchannels("s*"), ["PUBSUB", "SHARDCHANNELS", "s*"]],
  [(r) => r.pubsubShardnumsub("a"), ["PUBSUB", "SHARDNUMSUB", "a"]],
];

test("scripting/pubsub: argv and key positions", async () => {
  await expectArgv(ARGV);
});

test("scripting/pubsub: command names, binary replies and blocking flags", async () => {
  const r = new Recorder();
  r.reply = bytes;
  await r.functionDump();
  assert.equal(r.last.name, "FUNCTION DUMP");
  assert.equal(r.last.binaryReply, true);
  await r.scriptFlush();
  assert.equal(r.last.name, "SCRIPT FLUSH");
  assert.equal(r.last.binaryReply, false);
  r.reply = 0;
  await r.pubsubNumpat();
  assert.equal(r.last.name, "PUBSUB NUMPAT");
  for (const call of [(x: Recorder) => x.eval("s"), (x: Recorder) => x.fcall("f")]) {
    await call(r);
    assert.equal(r.last.blocking, false);
  }
});

/** [call, expected message fragment] — each must reject with a DataError and send nothing. */
const DATA_ERRORS: [Call, RegExp][] = [
  [(r) => r.eval("s", "k" as never), /EVAL: keys must be an array/],
  [(r) => r.eval("s", null as never), /keys must be an array/],
  [(r) => r.eval("s", [undefined as never]), /Invalid key/],
  [(r) => r.eval("s", [], "x" as never), /needs an array/],
  [(r) => r.evalRo("s", [1 as never]), /Invalid key/],
  [(r) => r.evalsha(SHA, {} as never), /EVALSHA: keys must be an array/],
  [(r) => r.evalshaRo(SHA, ["k"], null as never), /needs an array/],
  [(r) => r.fcall("f", "k" as never), /FCALL: keys must be an array/],
  [(r) => r.fcallRo("f", [null as never]), /Invalid key/],
  [(r) => r.scriptExists(), /at least one of shas/],
  [(r) => r.scriptFlush({ mode: "LATER" as never }), /mode must be one of ASYNC, SYNC/],
  [(r) => r.scriptFlush("ASYNC" as never), /options must be an object/],
  [(r) => r.functionFlush({ mode: 1 as never }), /mode must be one of ASYNC, SYNC/],
  [(r) => r.functionLoad("code", 5 as never), /options must be an object/],
  [(r) => r.functionList([] as never), /options must be an object/],
  [
    (r) => r.functionRestore(bytes, { policy: "MERGE" as never }),
    /policy must be one of FLUSH, APPEND, REPLACE/,
  ],
  [(r) => r.spublish(undefined as never, "m"), /Invalid key/],
];

test("scripting/pubsub: bad arguments reject with a DataError, asynchronously", async () => {
  await expectDataErrors(DATA_ERRORS);
});

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A FUNCTION LIST entry as RESP2 sends it (maps are flat arrays under both protocols). */
const LIBRARY_RESP2: RespValue = [
  "library_name",
  "mylib",
  "engine",
  "LUA",
  "functions",
  [
    ["name", "get", "description", null, "flags", ["no-writes"]],
    ["name", "set", "description", "sets a key", "flags", []],
  ],
  "library_code",
  "#!lua name=mylib\n...",
];
/** The same as a RESP3 reply read in binary mode (values as bytes, field names as text). */
const LIBRARY_RESP3: RespValue = [
  "library_name",
  enc("mylib"),
  "engine",
  enc("LUA"),
  "functions",
  [
    ["name", enc("get"), "description", null, "flags", [enc("no-writes")]],
    ["name", enc("set"), "description", enc("sets a key"), "flags", []],
  ],
  "library_code",
  enc("#!lua name=mylib\n..."),
];
const LIBRARY = {
  libraryName: "mylib",
  engine: "LUA",
  functions: [
    { name: "get", description: null, flags: ["no-writes"] },
    { name: "set", description: "sets a key", flags: [] },
  ],
  libraryCode: "#!lua name=mylib\n...",
};
const { libraryCode: _code, ...LIBRARY_NO_CODE } = LIBRARY;

/** [call, RESP2 raw reply, RESP3 raw reply, expected value] */
const REPLIES: [Call, RespValue, RespValue, unknown][] = [
  [(r) => r.eval("return {1, 'a'}"), [1, "a"], [1, "a"], [1, "a"]],
  [(r) => r.eval("return nil"), null, null, null],
  [(r) => r.fcall("f"), "OK", "OK", "OK"],
  [(r) => r.scriptLoad("return 1"), SHA, enc(SHA), SHA],
  [(r) => r.scriptExists(SHA, "x"), [1, 0], [1, 0], [true, false]],
  [(r) => r.scriptExists(SHA), [1], [true], [true]],
  [(r) => r.scriptFlush(), "OK", "OK", true],
  [(r) => r.scriptKill(), "OK", "OK", true],
  [(r) => r.functionLoad("code"), "mylib", enc("mylib"), "mylib"],
  [(r) => r.functionDelete("mylib"), "OK", "OK", true],
  [(r) => r.functionFlush(), "OK", "OK", true],
  [(r) => r.functionKill(), "OK", "OK", true],
  [(r) => r.functionRestore(bytes), "OK", "OK", true],
  [(r) => r.functionList(), [], [], []],
  [(r) => r.functionList({ withcode: true }), [LIBRARY_RESP2], [LIBRARY_RESP3], [LIBRARY]],
  [
    (r) => r.functionList(),
    [LIBRARY_RESP2.slice(0, 6)],
    [LIBRARY_RESP3.slice(0, 6)],
    [LIBRARY_NO_CODE],
  ],
  [(r) => r.functionDump(), bytes, bytes, bytes],
  [(r) => r.functionDump(), "ab", "ab", enc("ab")],
  [
    (r) => r.functionStats(),
    ["running_script", null, "engines", ["LUA", ["libraries_count", 1, "functions_count", 2]]],
    ["running_script", null, "engines", ["LUA", ["libraries_count", 1, "functions_count", 2]]],
    { runningScript: null, engines: { LUA: { librariesCount: 1, functionsCount: 2 } } },
  ],
  [
    (r) => r.functionStats(),
    [
      "running_script",
      ["name", "slow", "command", ["fcall", "slow", "0"], "duration_ms", 1500],
      "engines",
      [],
    ],
    [
      "running_script",
      ["name", enc("slow"), "command", [enc("fcall"), enc("slow"), enc("0")], "duration_ms", 1500],
      "engines",
      [],
    ],
    { runningScript: { name: "slow", command: ["fcall", "slow", "0"], durationMs: 1500 }, engines: {} },
  ],
  [(r) => r.publish("ch", "m"), 3, 3, 3],
  [(r) => r.spublish("ch", "m"), 0, 0, 0],
  [(r) => r.pubsubChannels(), ["a", "b"], ["a", "b"], ["a", "b"]],
  [(r) => r.pubsubNumsub("a", "b"), ["a", 2, "b", 0], ["a", 2, "b", 0], [["a", 2], ["b", 0]]],
  [(r) => r.pubsubNumsub("a"), ["a", "7"], [["a", 7]], [["a", 7]]],
  [(r) => r.pubsubNumsub(), [], [], []],
  [(r) => r.pubsubNumpat(), 4, 4, 4],
  [(r) => r.pubsubShardchannels(), [], [], []],
  [(r) => r.pubsubShardnumsub("s"), ["s", 1], [["s", 1]], [["s", 1]]],
];

test("scripting/pubsub: reply transforms give the same value for RESP2 and RESP3 replies", async () => {
  for (const [call, resp2, resp3, expected] of REPLIES) {
    for (const raw of [resp2, resp3]) {
      const r = new Recorder();
      r.reply = raw;
      assert.deepEqual(await call(r), expected, `${r.last?.args.join(" ")} <- ${JSON.stringify(raw)}`);
    }
  }
});

test("scripting/pubsub: malformed replies reject with InvalidResponse", async () => {
  const r = new Recorder();
  r.reply = null;
  await assert.rejects(r.pubsubNumsub("a"), InvalidResponse);
  await assert.rejects(r.scriptLoad("s"), InvalidResponse);
  r.reply = ["running_script", ["name", "x", "command", [], "duration_ms", null], "engines", []];
  await assert.rejects(r.functionStats(), InvalidResponse);
  r.reply = "oops";
  await assert.rejects(r.scriptExists(SHA), InvalidResponse);
});
