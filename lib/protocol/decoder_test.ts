import { test } from "node:test";
import assert from "node:assert/strict";
import {
  BusyLoadingError,
  InvalidResponse,
  NoScriptError,
  ProtocolError,
  RedisError,
  ResponseError,
} from "../errors.ts";
import { Decoder, type DecoderOptions } from "./decoder.ts";
import type { RespValue } from "./types.ts";

const te = new TextEncoder();

/** Deterministic PRNG (mulberry32), so a failing split can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bytes(...parts: (string | Uint8Array)[]): Uint8Array {
  const arrays = parts.map((p) => typeof p === "string" ? te.encode(p) : p);
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

/** An error value as the tests compare it. */
function err(name: string, message: string): { error: string; message: string } {
  return { error: name, message };
}

/** Makes decoded values comparable: errors become `{ error, message }` (with a class check). */
function norm(v: unknown): unknown {
  if (v instanceof RedisError) return { error: v.constructor.name, message: v.message };
  if (Array.isArray(v)) return v.map(norm);
  return v;
}

interface Case {
  name: string;
  input: Uint8Array;
  replies: unknown[];
  pushes?: unknown[];
  /** Binary mode for the replies of this case. */
  binary?: boolean;
}

const ALL_BYTES = new Uint8Array(256).map((_, i) => i);

const CASES: Case[] = [
  // RESP2
  { name: "simple string", input: bytes("+OK\r\n"), replies: ["OK"] },
  { name: "empty simple string", input: bytes("+\r\n"), replies: [""] },
  { name: "simple string UTF-8", input: bytes("+héllo wörld ☃\r\n"), replies: ["héllo wörld ☃"] },
  {
    name: "simple error",
    input: bytes("-ERR unknown command 'foo'\r\n"),
    replies: [err("ResponseError", "ERR unknown command 'foo'")],
  },
  {
    name: "typed errors",
    input: bytes("-NOSCRIPT No matching script\r\n-LOADING loading\r\n-WRONGTYPE Operation\r\n"),
    replies: [
      err("NoScriptError", "NOSCRIPT No matching script"),
      err("BusyLoadingError", "LOADING loading"),
      err("ResponseError", "WRONGTYPE Operation"),
    ],
  },
  { name: "integer zero", input: bytes(":0\r\n"), replies: [0] },
  { name: "integer", input: bytes(":1000\r\n"), replies: [1000] },
  { name: "negative integer", input: bytes(":-42\r\n"), replies: [-42] },
  { name: "plus-signed integer", input: bytes(":+7\r\n"), replies: [7] },
  { name: "negative zero integer", input: bytes(":-0\r\n"), replies: [0] },
  { name: "max safe integer", input: bytes(":9007199254740991\r\n"), replies: [9007199254740991] },
  { name: "min safe integer", input: bytes(":-9007199254740991\r\n"), replies: [-9007199254740991] },
  { name: "integer beyond 2^53", input: bytes(":9007199254740992\r\n"), replies: [9007199254740992n] },
  {
    name: "int64 extremes",
    input: bytes(":9223372036854775807\r\n:-9223372036854775808\r\n"),
    replies: [9223372036854775807n, -9223372036854775808n],
  },
  { name: "long integer with leading zeros", input: bytes(":00000000000000000001\r\n"), replies: [1] },
  { name: "bulk string", input: bytes("$5\r\nhello\r\n"), replies: ["hello"] },
  { name: "empty bulk string", input: bytes("$0\r\n\r\n"), replies: [""] },
  { name: "null bulk string", input: bytes("$-1\r\n"), replies: [null] },
  { name: "bulk with CRLF inside", input: bytes("$6\r\na\r\nb\r\n\r\n"), replies: ["a\r\nb\r\n"] },
  {
    name: "long bulk string",
    input: bytes(`$300\r\n${"abc".repeat(100)}\r\n`),
    replies: ["abc".repeat(100)],
  },
  {
    name: "bulk UTF-8 multibyte",
    input: bytes(`$${te.encode("héllo €😀").length}\r\nhéllo €😀\r\n`),
    replies: ["héllo €😀"],
  },
  {
    name: "bulk UTF-8 long",
    input: bytes(`$${te.encode("日本語テキスト".repeat(10)).length}\r\n${"日本語テキスト".repeat(10)}\r\n`),
    replies: ["日本語テキスト".repeat(10)],
  },
  { name: "bulk keeps a leading BOM", input: bytes("$6\r\n\uFEFFabc\r\n"), replies: ["\uFEFFabc"] },
  { name: "empty array", input: bytes("*0\r\n"), replies: [[]] },
  { name: "null array", input: bytes("*-1\r\n"), replies: [null] },
  { name: "array of integers", input: bytes("*3\r\n:1\r\n:2\r\n:3\r\n"), replies: [[1, 2, 3]] },
  {
    name: "array of bulks",
    input: bytes("*3\r\n$3\r\nfoo\r\n$-1\r\n$3\r\nbar\r\n"),
    replies: [["foo", null, "bar"]],
  },
  {
    name: "nested arrays",
    input: bytes("*3\r\n*2\r\n:1\r\n*1\r\n+a\r\n*0\r\n*-1\r\n"),
    replies: [[[1, ["a"]], [], null]],
  },
  {
    name: "errors inside arrays",
    input: bytes("*3\r\n-ERR first\r\n:1\r\n!9\r\nOOM nope!\r\n"),
    replies: [[err("ResponseError", "ERR first"), 1, err("OutOfMemoryError", "OOM nope!")]],
  },
  // RESP3
  { name: "null", input: bytes("_\r\n"), replies: [null] },
  { name: "booleans", input: bytes("#t\r\n#f\r\n"), replies: [true, false] },
  {
    name: "doubles",
    input: bytes(",1.5\r\n,-0.25\r\n,10\r\n,0\r\n,-0\r\n,.5\r\n"),
    replies: [1.5, -0.25, 10, 0, -0, 0.5],
  },
  {
    name: "double exponents",
    input: bytes(",1e10\r\n,1.5E-3\r\n,-2.5e+300\r\n,1.7976931348623157e308\r\n"),
    replies: [1e10, 1.5e-3, -2.5e300, 1.7976931348623157e308],
  },
  {
    name: "double inf and nan",
    input: bytes(",inf\r\n,-inf\r\n,+inf\r\n,nan\r\n,-nan\r\n"),
    replies: [Infinity, -Infinity, Infinity, NaN, NaN],
  },
  {
    name: "big numbers",
    input: bytes("(3492890328409238509324850943850943825024385\r\n(-1\r\n(0\r\n(+12\r\n"),
    replies: [3492890328409238509324850943850943825024385n, -1n, 0n, 12n],
  },
  {
    name: "bulk error",
    input: bytes("!21\r\nSYNTAX invalid syntax\r\n"),
    replies: [err("ResponseError", "SYNTAX invalid syntax")],
  },
  {
    name: "bulk error typed",
    input: bytes("!11\r\nNOSCRIPT no\r\n"),
    replies: [err("NoScriptError", "NOSCRIPT no")],
  },
  { name: "verbatim string", input: bytes("=15\r\ntxt:Some string\r\n"), replies: ["Some string"] },
  { name: "empty verbatim string", input: bytes("=4\r\nmkd:\r\n"), replies: [""] },
  {
    name: "verbatim UTF-8",
    input: bytes(`=${4 + te.encode("ünïcode").length}\r\ntxt:ünïcode\r\n`),
    replies: ["ünïcode"],
  },
  {
    name: "map (flat)",
    input: bytes("%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n"),
    replies: [["first", 1, "second", 2]],
  },
  { name: "empty map", input: bytes("%0\r\n"), replies: [[]] },
  {
    name: "nested map",
    input: bytes("%1\r\n$4\r\nconf\r\n%2\r\n+a\r\n#t\r\n+b\r\n_\r\n"),
    replies: [["conf", ["a", true, "b", null]]],
  },
  { name: "set", input: bytes("~3\r\n+a\r\n:1\r\n,2.5\r\n"), replies: [["a", 1, 2.5]] },
  { name: "empty set", input: bytes("~0\r\n"), replies: [[]] },
  {
    name: "top-level attribute dropped",
    input: bytes(
      "|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n",
    ),
    replies: [[2039123, 9543892]],
  },
  {
    name: "attribute inside an array",
    input: bytes("*3\r\n:1\r\n|1\r\n+ttl\r\n:3600\r\n:2\r\n|0\r\n:3\r\n"),
    replies: [[1, 2, 3]],
  },
  {
    name: "attribute before the last element closes the array",
    input: bytes("*1\r\n|1\r\n+a\r\n*1\r\n:1\r\n+v\r\n"),
    replies: [["v"]],
  },
  {
    name: "push",
    input: bytes(">3\r\n$7\r\nmessage\r\n$7\r\nchannel\r\n$5\r\nhello\r\n"),
    replies: [],
    pushes: [["message", "channel", "hello"]],
  },
  {
    name: "push between replies",
    input: bytes("+OK\r\n>2\r\n+invalidate\r\n*1\r\n$3\r\nkey\r\n:5\r\n"),
    replies: ["OK", 5],
    pushes: [["invalidate", ["key"]]],
  },
  {
    name: "everything nested",
    input: bytes(
      "*4\r\n%1\r\n~2\r\n:1\r\n:2\r\n*1\r\n=7\r\ntxt:abc\r\n#f\r\n(99999999999999999999\r\n|1\r\n+x\r\n+y\r\n,3.25\r\n",
    ),
    replies: [[[[1, 2], ["abc"]], false, 99999999999999999999n, 3.25]],
  },
  // Binary mode
  { name: "binary bulk", input: bytes("$5\r\nhello\r\n"), replies: [te.encode("hello")], binary: true },
  {
    name: "binary bulk with every byte value",
    input: bytes("$256\r\n", ALL_BYTES, "\r\n"),
    replies: [ALL_BYTES],
    binary: true,
  },
  { name: "binary empty bulk", input: bytes("$0\r\n\r\n"), replies: [new Uint8Array(0)], binary: true },
  {
    name: "binary array mixes bytes and scalars",
    input: bytes(
      "*5\r\n$2\r\n",
      new Uint8Array([0xff, 0xfe]),
      "\r\n+OK\r\n:3\r\n$-1\r\n=6\r\ntxt:\x00\x01\r\n",
    ),
    replies: [[new Uint8Array([0xff, 0xfe]), "OK", 3, null, new Uint8Array([0, 1])]],
    binary: true,
  },
  {
    name: "binary mode keeps errors as errors",
    input: bytes("!7\r\nERR bin\r\n"),
    replies: [err("ResponseError", "ERR bin")],
    binary: true,
  },
  {
    name: "binary bytes are not UTF-8 decoded",
    input: bytes("$3\r\n", new Uint8Array([0xc3, 0x28, 0x80]), "\r\n"),
    replies: [new Uint8Array([0xc3, 0x28, 0x80])],
    binary: true,
  },
];

interface Result {
  replies: unknown[];
  pushes: unknown[];
  modeCalls: number;
}

/** Decodes `chunks` with a fresh decoder; `modes` gives text (true) or binary per top-level reply. */
function decode(chunks: Uint8Array[], modes: boolean[] | boolean = true): Result {
  const r: Result = { replies: [], pushes: [], modeCalls: 0 };
  const d = new Decoder({
    onReply: (v) => r.replies.push(norm(v)),
    onPush: (v) => r.pushes.push(norm(v)),
    textReplies: () => {
      const mode = typeof modes === "boolean" ? modes : modes[r.modeCalls];
      r.modeCalls++;
      assert.equal(typeof mode, "boolean", "textReplies called more often than there are replies");
      return mode;
    },
  });
  for (const c of chunks) d.feed(c);
  return r;
}

function bytewise(input: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < input.length; i++) out.push(input.slice(i, i + 1));
  return out;
}

function randomSplit(input: Uint8Array, rand: () => number): Uint8Array[] {
  const cuts = new Set<number>();
  const n = 1 + Math.floor(rand() * Math.min(12, input.length));
  for (let i = 0; i < n; i++) cuts.add(Math.floor(rand() * (input.length + 1)));
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...sorted, input.length]) {
    out.push(input.slice(prev, c)); // empty chunks included on purpose
    prev = c;
  }
  return out;
}

function expected(c: Case): Result {
  return { replies: c.replies.map(norm), pushes: (c.pushes ?? []).map(norm), modeCalls: c.replies.length };
}

for (const c of CASES) {
  test(`decoder: ${c.name}`, () => {
    const mode = !c.binary;
    const want = expected(c);
    assert.deepStrictEqual(decode([c.input], mode), want, "whole");
    assert.deepStrictEqual(decode(bytewise(c.input), mode), want, "byte by byte");
    const rand = prng(c.input.length * 7919 + c.name.length);
    for (let i = 0; i < 60; i++) {
      const chunks = randomSplit(c.input, rand);
      assert.deepStrictEqual(decode(chunks, mode), want, `split at ${chunks.map((x) => x.length)}`);
    }
    // Twice in one chunk: state is clean after each reply.
    const twice = bytes(c.input, c.input);
    const both = decode([twice], mode);
    assert.deepStrictEqual(both.replies, [...want.replies, ...want.replies]);
    assert.deepStrictEqual(both.pushes, [...want.pushes, ...want.pushes]);
  });
}

test("decoder: every case concatenated, whole and split at random points", () => {
  const input = bytes(...CASES.map((c) => c.input));
  const modes = CASES.flatMap((c) => c.replies.map(() => !c.binary));
  const want: Result = {
    replies: CASES.flatMap((c) => c.replies.map(norm)),
    pushes: CASES.flatMap((c) => (c.pushes ?? []).map(norm)),
    modeCalls: modes.length,
  };
  assert.deepStrictEqual(decode([input], modes), want);
  assert.deepStrictEqual(decode(bytewise(input), modes), want);
  const rand = prng(12345);
  for (let i = 0; i < 300; i++) {
    const chunks = randomSplit(input, rand);
    assert.deepStrictEqual(decode(chunks, modes), want, `iteration ${i}`);
  }
});

test("decoder: error values keep their class and code", () => {
  const got: RespValue[] = [];
  const d = new Decoder({ onReply: (v) => got.push(v) });
  d.feed(bytes("-NOSCRIPT No matching script\r\n-LOADING x\r\n!14\r\nWRONGTYPE bad!\r\n"));
  assert.ok(got[0] instanceof NoScriptError);
  assert.ok(got[1] instanceof BusyLoadingError);
  assert.ok(got[2] instanceof ResponseError);
  assert.equal((got[2] as ResponseError).code, "WRONGTYPE");
});

test("decoder: textReplies is asked once per top-level non-push reply, at its first byte", () => {
  const input = bytes("*2\r\n$1\r\na\r\n$1\r\nb\r\n>1\r\n+p\r\n+OK\r\n|1\r\n+k\r\n+v\r\n:1\r\n");
  const events: string[] = [];
  const d = new Decoder({
    onReply: (v) => events.push(`reply ${JSON.stringify(v)}`),
    onPush: (v) => events.push(`push ${JSON.stringify(v)}`),
    textReplies: () => {
      events.push("ask");
      return true;
    },
  });
  for (const c of bytewise(input)) d.feed(c);
  assert.deepStrictEqual(events, [
    "ask",
    'reply ["a","b"]',
    'push ["p"]',
    "ask",
    'reply "OK"',
    "ask",
    "reply 1",
  ]);
});

test("decoder: the mode is chosen per reply", () => {
  const input = bytes("$1\r\na\r\n$1\r\nb\r\n*1\r\n$1\r\nc\r\n");
  assert.deepStrictEqual(decode([input], [true, false, false]).replies, ["a", te.encode("b"), [
    te.encode("c"),
  ]]);
  assert.deepStrictEqual(decode(bytewise(input), [false, true, true]).replies, [te.encode("a"), "b", ["c"]]);
});

test("decoder: pushes go to onReply without onPush; textPush picks their mode", () => {
  const got: RespValue[] = [];
  const d = new Decoder({ onReply: (v) => got.push(v), textReplies: () => true, textPush: false });
  d.feed(bytes(">2\r\n$7\r\nmessage\r\n$2\r\nhi\r\n$2\r\nok\r\n"));
  assert.deepStrictEqual(got, [[te.encode("message"), te.encode("hi")], "ok"]);
});

test("decoder: binary bulks are plain Uint8Array copies, independent of the chunk", () => {
  const chunk = bytes("*2\r\n$3\r\nabc\r\n$2\r\nde\r\n");
  let got: RespValue = null;
  new Decoder({ onReply: (v) => (got = v), textReplies: () => false }).feed(chunk);
  const [a, b] = got as unknown as Uint8Array[];
  assert.notEqual(a.buffer, chunk.buffer);
  assert.equal(Object.getPrototypeOf(a), Uint8Array.prototype);
  chunk.fill(0); // the transport's chunk may be reused or retained elsewhere: values stay intact
  assert.deepStrictEqual([a, b], [te.encode("abc"), te.encode("de")]);
});

test("decoder: deep nesting (100,000 levels) whole and in small chunks", () => {
  const depth = 100_000;
  const input = bytes("*1\r\n".repeat(depth), ":7\r\n", "+after\r\n");
  for (
    const chunks of [
      [input],
      Array.from({ length: Math.ceil(input.length / 7) }, (_, i) => input.slice(i * 7, i * 7 + 7)),
    ]
  ) {
    const got: RespValue[] = [];
    const d = new Decoder({ onReply: (v) => got.push(v) });
    for (const c of chunks) d.feed(c);
    assert.equal(got.length, 2);
    let v = got[0];
    for (let i = 0; i < depth; i++) {
      assert.ok(Array.isArray(v) && v.length === 1, `level ${i}`);
      v = v[0];
    }
    assert.equal(v, 7);
    assert.equal(got[1], "after");
  }
});

test("decoder: deep nesting that closes many levels at once", () => {
  const depth = 50_000;
  // [[[...[1, 1]..., 1], 1], 1]
  const input = bytes("*2\r\n".repeat(depth), ":1\r\n".repeat(depth + 1));
  const got: RespValue[] = [];
  new Decoder({ onReply: (v) => got.push(v) }).feed(input);
  assert.equal(got.length, 1);
  let v = got[0];
  for (let i = 0; i < depth; i++) {
    assert.ok(Array.isArray(v) && v.length === 2 && v[1] === 1, `level ${i}`);
    v = v[0];
  }
  assert.equal(v, 1);
});

test("decoder: 1 MiB bulk in 64 KiB chunks (text and binary)", () => {
  const size = 1 << 20;
  const payload = new Uint8Array(size).map((_, i) => 97 + (i % 26));
  const input = bytes(`$${size}\r\n`, payload, "\r\n:1\r\n");
  for (const binary of [false, true]) {
    const got: RespValue[] = [];
    const d = new Decoder({ onReply: (v) => got.push(v), textReplies: () => !binary });
    for (let i = 0; i < input.length; i += 65536) d.feed(input.slice(i, i + 65536));
    assert.equal(got.length, 2);
    assert.equal(got[1], 1);
    if (binary) assert.deepStrictEqual(got[0], payload);
    else assert.equal(got[0], new TextDecoder().decode(payload));
  }
});

test("decoder: 64 KiB binary bulk byte by byte", () => {
  const size = 65536;
  const payload = new Uint8Array(size).map((_, i) => (i * 31) & 255);
  const input = bytes(`$${size}\r\n`, payload, "\r\n");
  const got: RespValue[] = [];
  const d = new Decoder({ onReply: (v) => got.push(v), textReplies: () => false });
  for (let i = 0; i < input.length; i++) d.feed(input.subarray(i, i + 1));
  assert.deepStrictEqual(got, [payload]);
});

test("decoder: custom encoding", () => {
  const got: RespValue[] = [];
  const d = new Decoder({ onReply: (v) => got.push(v), encoding: "latin1" });
  d.feed(bytes("$2\r\n", new Uint8Array([0xe9, 0x41]), "\r\n"));
  assert.deepStrictEqual(got, ["éA"]);
});

test("decoder: empty chunks are harmless", () => {
  const got: RespValue[] = [];
  const d = new Decoder({ onReply: (v) => got.push(v) });
  d.feed(new Uint8Array(0));
  d.feed(bytes("$3\r"));
  d.feed(new Uint8Array(0));
  d.feed(bytes("\nab"));
  d.feed(new Uint8Array(0));
  d.feed(bytes("c\r\n"));
  assert.deepStrictEqual(got, ["abc"]);
});

test("decoder: reset drops partial state and a failure", () => {
  const got: RespValue[] = [];
  const d = new Decoder({ onReply: (v) => got.push(v) });
  d.feed(bytes("*3\r\n:1\r\n$10\r\nabc"));
  d.reset();
  d.feed(bytes("+OK\r\n"));
  d.feed(bytes("*2\r\n:1"));
  d.reset();
  d.feed(bytes(":2\r\n"));
  assert.throws(() => d.feed(bytes("?\r\n")), ProtocolError);
  assert.throws(() => d.feed(bytes("+OK\r\n")), ProtocolError);
  d.reset();
  d.feed(bytes("+again\r\n"));
  assert.deepStrictEqual(got, ["OK", 2, "again"]);
});

test("decoder: an exception from a callback propagates and fails the decoder", () => {
  const d = new Decoder({
    onReply: () => {
      throw new Error("boom");
    },
  });
  assert.throws(() => d.feed(bytes("+OK\r\n+more\r\n")), /boom/);
  assert.throws(() => d.feed(bytes("+OK\r\n")), ProtocolError);
});

const MALFORMED: [string, string | Uint8Array, RegExp][] = [
  ["unknown type byte", "?\r\n", /Unknown RESP type byte 63 \("\?"\) at offset 0/],
  ["unknown type byte after a reply", "+OK\r\nA", /Unknown RESP type byte 65 \("A"\) at offset 5/],
  ["unknown type byte inside an array", "*2\r\n:1\r\n\x00", /Unknown RESP type byte 0 .* at offset 8/],
  ["bulk length not a number", "$abc\r\nxyz\r\n", /Invalid length "\$abc"/],
  ["bulk length empty", "$\r\n\r\n", /Invalid length/],
  ["bulk length too long", "$123456789012\r\n", /Invalid length/],
  ["negative bulk length", "$-2\r\n", /Negative length -2 in bulk string/],
  ["negative array length", "*-5\r\n", /Negative length -5 in array/],
  ["null map", "%-1\r\n", /Null length in map/],
  ["null bulk error", "!-1\r\n", /Null length in bulk error/],
  ["length with a plus", "*+1\r\n:1\r\n", /Invalid length/],
  ["length with junk", "*1x\r\n", /Invalid length "\*1x"/],
  ["CR without LF in a length", "$3\rXabc\r\n", /Invalid length/],
  ["missing CRLF after bulk", "$3\r\nabcXY", /Missing CRLF after bulk string payload at offset 7/],
  ["missing CRLF after spanning bulk", "$3\r\nabc\rX:1\r\n", /Missing CRLF after bulk string payload/],
  ["bad integer", ":12a\r\n", /Invalid integer ":12a"/],
  ["empty integer", ":\r\n", /Invalid integer/],
  ["sign-only integer", ":-\r\n", /Invalid integer/],
  ["LF without CR", "+OK\n", /ends in LF without CR/],
  ["bad boolean", "#x\r\n", /Invalid boolean/],
  ["long boolean", "#tt\r\n", /Invalid boolean/],
  ["bad null", "_x\r\n", /Invalid null/],
  ["bad double", ",abc\r\n", /Invalid double ",abc"/],
  ["empty double", ",\r\n", /Invalid double/],
  ["bad big number", "(12x\r\n", /Invalid big number/],
  ["empty big number", "(\r\n", /Invalid big number/],
  ["short verbatim", "=3\r\nabc\r\n", /Verbatim string without a `fmt:` prefix/],
  ["verbatim without colon", "=5\r\nabcde\r\n", /Verbatim string without a `fmt:` prefix/],
];

for (const [name, input, message] of MALFORMED) {
  test(`decoder: malformed input -> ProtocolError: ${name}`, () => {
    const data = typeof input === "string" ? bytes(input) : input;
    for (const chunks of [[data], bytewise(data)]) {
      const d = new Decoder({ onReply: () => {} });
      const err = (() => {
        try {
          for (const c of chunks) d.feed(c);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      assert.ok(err instanceof ProtocolError, `expected ProtocolError, got ${err}`);
      assert.match(err.message, message);
      // The decoder refuses further input.
      assert.throws(() => d.feed(bytes("+OK\r\n")), ProtocolError);
    }
  });
}

test("decoder: callbacks are called as methods of the options object", () => {
  const options = {
    got: [] as RespValue[],
    onReply(v: RespValue) {
      this.got.push(v);
    },
    onPush(v: RespValue[]) {
      this.got.push(["push", ...v]);
    },
  };
  new Decoder(options).feed(bytes("+OK\r\n>1\r\n+p\r\n"));
  assert.deepStrictEqual(options.got, ["OK", ["push", "p"]]);
});

/** Feeds `chunks` to a fresh decoder; the replies and whatever the decoder threw. */
function attempt(
  chunks: Uint8Array[],
  options: Partial<DecoderOptions> = {},
): { replies: RespValue[]; error: unknown; fedChunks: number } {
  const replies: RespValue[] = [];
  const d = new Decoder({ onReply: (v) => replies.push(v), ...options });
  let fedChunks = 0;
  try {
    for (const c of chunks) {
      fedChunks++;
      d.feed(c);
    }
  } catch (error) {
    return { replies, error, fedChunks };
  }
  return { replies, error: undefined, fedChunks };
}

function chunked(input: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < input.length; i += size) out.push(input.subarray(i, i + size));
  return out;
}

test("decoder: a double of 100,000 digits ending in a bad byte is a ProtocolError at once", () => {
  const input = bytes(",", "1".repeat(100_000), "x\r\n", "+OK\r\n");
  for (const chunks of [[input], chunked(input, 4096)]) {
    const t0 = performance.now();
    const r = attempt(chunks);
    const ms = performance.now() - t0;
    assert.ok(r.error instanceof ProtocolError, `expected ProtocolError, got ${r.error}`);
    assert.match(r.error.message, /double/);
    assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
  }
});

test("decoder: maxBulkLength refuses longer bulk strings, bulk errors and verbatim strings, whole and split", () => {
  for (const head of ["$", "!", "="]) {
    const ok = bytes(`${head}10\r\ntxt:567890\r\n`);
    assert.equal(attempt([ok], { maxBulkLength: 10 }).error, undefined);
    const long = bytes(`${head}11\r\ntxt:5678901\r\n`);
    for (const chunks of [[long], bytewise(long)]) {
      const r = attempt(chunks, { maxBulkLength: 10 });
      assert.ok(r.error instanceof ProtocolError, `${head}: expected ProtocolError, got ${r.error}`);
      assert.match(r.error.message, /length 11 exceeds maxBulkLength 10/);
      assert.ok(r.fedChunks <= 6, "refused at its header");
    }
  }
});

test("decoder: the default maxBulkLength is 512 MiB (Redis's proto-max-bulk-len)", () => {
  const r = attempt([bytes(`$${512 * 1024 * 1024 + 1}\r\n`)]);
  assert.ok(r.error instanceof ProtocolError, `expected ProtocolError, got ${r.error}`);
  assert.match(r.error.message, /exceeds maxBulkLength 536870912/);
  assert.equal(attempt([bytes(`$${512 * 1024 * 1024}\r\nabc`)]).error, undefined);
});

test("decoder: a bulk header does not allocate its declared length before the data arrives", () => {
  const d = new Decoder({ onReply: () => {} });
  d.feed(bytes("$536870912\r\nabc"));
  assert.ok(d.bufferedBytes <= 2 << 20, `holds ${d.bufferedBytes} bytes for 3 received`);
  const chunk = new Uint8Array(65536).fill(97);
  let received = 3;
  for (let i = 0; i < 64; i++) {
    d.feed(chunk);
    received += chunk.length;
    // Grows with the data, geometrically.
    assert.ok(d.bufferedBytes >= received && d.bufferedBytes <= Math.max(2 * received, 2 << 20));
  }
});

test("decoder: a bulk grown across many odd-sized chunks keeps every byte (text and binary)", () => {
  const size = 5 * 1024 * 1024 + 3;
  const payload = new Uint8Array(size).map((_, i) => 97 + (i % 26));
  const input = bytes(`$${size}\r\n`, payload, "\r\n:1\r\n");
  for (const binary of [false, true]) {
    for (const step of [100_003, 1 << 20, 3 << 20]) {
      const r = attempt(chunked(input, step), { textReplies: () => !binary });
      assert.equal(r.error, undefined);
      assert.equal(r.replies.length, 2);
      if (binary) assert.deepStrictEqual(r.replies[0], payload);
      else assert.equal(r.replies[0], new TextDecoder().decode(payload));
      assert.equal(r.replies[1], 1);
    }
  }
});

test("decoder: a long bulk in chunks of every size, small ones staged, keeps every byte", () => {
  const size = 3 * 1024 * 1024 + 7;
  const payload = new Uint8Array(size).map((_, i) => (i * 7919) & 255);
  const text = new Uint8Array(size).map((_, i) => 97 + (i % 26));
  // Sizes around the 16 KiB staging threshold, tiny ones, and ones past the 64 KiB staging buffer.
  const steps = [1000, 16383, 16384, 16385, 70_000, 5, 65536, 40_000];
  const varied = (input: Uint8Array) => {
    const out: Uint8Array[] = [];
    for (let i = 0, k = 0; i < input.length; k++) {
      const n = steps[k % steps.length];
      out.push(input.subarray(i, i + n));
      i += n;
    }
    return out;
  };
  for (const binary of [false, true]) {
    const value = binary ? payload : text;
    const input = bytes(`$${size}\r\n`, value, "\r\n", `$${size}\r\n`, value, "\r\n:1\r\n");
    for (const chunks of [chunked(input, 1000), varied(input)]) {
      const r = attempt(chunks, { textReplies: () => !binary });
      assert.equal(r.error, undefined);
      assert.equal(r.replies.length, 3);
      // The second value is decoded after the first was delivered: a buffer given back for reuse must not be
      // one the first value still refers to.
      for (const got of r.replies.slice(0, 2)) {
        if (binary) assert.deepStrictEqual(got, payload);
        else assert.equal(got, new TextDecoder().decode(text));
      }
      assert.equal(r.replies[2], 1);
    }
  }
});

test("decoder: a missing CRLF after a long bulk in many chunks is a ProtocolError", () => {
  const size = 2 * 1024 * 1024;
  const input = bytes(`$${size}\r\n`, new Uint8Array(size).fill(97), "xx");
  const r = attempt(chunked(input, 30_000));
  assert.ok(r.error instanceof ProtocolError, `expected ProtocolError, got ${r.error}`);
  assert.match(String(r.error), /Missing CRLF/);
});

test("decoder: a header split across chunks is bounded as in one chunk", () => {
  const junk = new Uint8Array(1 << 20).fill(49); // "1111...", no line feed
  for (const head of ["$1", "*1", "%1", ">1", ":1", "#", "_", "(1", ",1", "=1"]) {
    const whole = attempt([bytes(head, junk)]);
    assert.ok(whole.error instanceof ProtocolError, `${head} whole: got ${whole.error}`);
    const split = attempt([bytes(head), junk, junk]);
    assert.ok(split.error instanceof ProtocolError, `${head} split: got ${split.error}`);
    assert.equal(split.fedChunks, 2, `${head}: refused within the first long chunk`);
    if (head[0] === "(" || head[0] === ",") continue; // longer bounds: see below
    const slow = attempt(bytewise(bytes(head, junk.subarray(0, 100))));
    assert.ok(slow.error instanceof ProtocolError, `${head} byte by byte: got ${slow.error}`);
    assert.ok(slow.fedChunks <= 70, `${head}: refused after ${slow.fedChunks} bytes`);
  }
});

test("decoder: simple strings and errors are bounded by maxBulkLength (at least 64 KiB), whole and split", () => {
  for (const head of ["+", "-"]) {
    const fits = bytes(head, "x".repeat(100_000), "\r\n");
    for (const chunks of [[fits], chunked(fits, 7)]) {
      const r = attempt(chunks, { maxBulkLength: 100_000 });
      assert.equal(r.error, undefined, `${head}: ${r.error}`);
      assert.equal(r.replies.length, 1);
    }
    const long = bytes(head, "x".repeat(100_001), "\r\n");
    for (const chunks of [[long], chunked(long, 7), chunked(long, 100_003)]) {
      const r = attempt(chunks, { maxBulkLength: 100_000 });
      assert.ok(r.error instanceof ProtocolError, `${head}: expected ProtocolError, got ${r.error}`);
      assert.match(r.error.message, /longer than 100000 bytes/);
    }
    const floor = bytes(head, "x".repeat(65536), "\r\n", head, "x".repeat(65537), "\r\n");
    const r = attempt([floor], { maxBulkLength: 10 });
    assert.equal(r.replies.length, 1);
    assert.match(String(r.error), /longer than 65536 bytes/);
  }
});

test("decoder: doubles and big numbers have their own line bounds", () => {
  const cases: [string, number, boolean][] = [
    [",", 8192, true],
    [",", 8193, false],
    ["(", 65536, true],
    ["(", 65537, false],
  ];
  for (const [head, n, accepted] of cases) {
    const input = bytes(head, "1".repeat(n), "\r\n");
    for (const chunks of [[input], chunked(input, 1000)]) {
      const r = attempt(chunks);
      if (accepted) assert.equal(r.error, undefined, `${head}${n}: ${r.error}`);
      else {
        assert.ok(r.error instanceof ProtocolError, `${head}${n}: got ${r.error}`);
        assert.match(r.error.message, /longer than/);
      }
    }
  }
});

const BAD_UTF8 = bytes(
  "*3\r\n$3\r\na",
  new Uint8Array([0xff]),
  "b\r\n+ok\r\n$8\r\nx",
  new Uint8Array([0xe2, 0x82]),
  "y\u{1F600}\r\n",
);

test('decoder: encodingErrors "strict" (the default) turns a reply with invalid UTF-8 into an InvalidResponse value', () => {
  const input = bytes(BAD_UTF8, "+next\r\n", "-ERR bad ", new Uint8Array([0xc3]), "\r\n");
  for (const options of [{}, { encodingErrors: "strict" as const }]) {
    for (const chunks of [[input], bytewise(input)]) {
      const r = attempt(chunks, options);
      assert.equal(r.error, undefined, "the decoder goes on");
      assert.equal(r.replies.length, 3);
      assert.ok(r.replies[0] instanceof InvalidResponse && !(r.replies[0] instanceof ProtocolError));
      assert.match(r.replies[0].message, /invalid utf-8.*encodingErrors/i);
      assert.equal(r.replies[1], "next");
      assert.ok(r.replies[2] instanceof InvalidResponse);
    }
  }
});

test('decoder: encodingErrors "replace" puts U+FFFD for invalid UTF-8', () => {
  const r = attempt([BAD_UTF8], { encodingErrors: "replace" });
  assert.deepStrictEqual(r.replies, [["a\uFFFDb", "ok", "x\uFFFDy\u{1F600}"]]);
});

test('decoder: encodingErrors "ignore" drops invalid UTF-8 bytes', () => {
  for (const chunks of [[BAD_UTF8], bytewise(BAD_UTF8)]) {
    const r = attempt(chunks, { encodingErrors: "ignore" });
    assert.deepStrictEqual(r.replies, [["ab", "ok", "xy\u{1F600}"]]);
  }
  // Overlong forms, surrogates and code points past U+10FFFF are invalid too.
  const tricky = bytes(
    "$21\r\n",
    new Uint8Array([
      0xc0,
      0xaf,
      0x41,
      0xed,
      0xa0,
      0x80,
      0x42,
      0xf4,
      0x90,
      0x80,
      0x80,
      0x43,
      0xe0,
      0x80,
      0xaf,
    ]),
    "é\u{10FFFF}\r\n",
  );
  assert.deepStrictEqual(attempt([tricky], { encodingErrors: "ignore" }).replies, ["ABCé\u{10FFFF}"]);
});

test("decoder: encodingErrors leaves binary replies and push frames alone", () => {
  const bin = attempt([BAD_UTF8], { textReplies: () => false });
  assert.equal(bin.error, undefined);
  assert.deepStrictEqual((bin.replies[0] as RespValue[])[0], bytes("a", new Uint8Array([0xff]), "b"));
  // A push frame answers no command: under "strict" it keeps U+FFFD rather than being lost.
  const pushes: RespValue[][] = [];
  const d = new Decoder({ onReply: () => {}, onPush: (p) => pushes.push(p) });
  d.feed(bytes(">2\r\n$7\r\nmessage\r\n$1\r\n", new Uint8Array([0xff]), "\r\n"));
  assert.deepStrictEqual(pushes, [["message", "\uFFFD"]]);
});

const IS_BUN = "Bun" in globalThis;

test(
  "decoder: a text bulk longer than the runtime's longest string is an InvalidResponse for that reply alone",
  {
    // About 1 GiB for a second; not applicable where strings are longer than the default maxBulkLength.
    skip: IS_BUN ? "Bun's strings hold 2^31-1 characters: a 512 MiB text is decoded" : false,
  },
  () => {
    // V8 strings hold at most 2^29-24 characters, less than the default maxBulkLength.
    const n = 512 * 1024 * 1024 - 12;
    const replies: unknown[] = [];
    const d = new Decoder({ onReply: (v) => replies.push(v) });
    d.feed(bytes(`$${n}\r\n`));
    const chunk = new Uint8Array(1 << 20).fill(120);
    for (let left = n; left > 0; left -= chunk.length) {
      d.feed(left >= chunk.length ? chunk : chunk.subarray(0, left));
    }
    d.feed(bytes("\r\n+OK\r\n"));
    assert.equal(replies.length, 2);
    const error = replies[0];
    assert.ok(error instanceof InvalidResponse, `expected InvalidResponse, got ${error}`);
    assert.match(error.message, new RegExp(`bulk string of ${n} bytes`));
    assert.equal(replies[1], "OK", "the decoder stays in step");
  },
);

test("decoder: asciiText decodes long text only, and only when it answers; binary replies never reach it", () => {
  const seen: number[] = [];
  // Answers for pure ASCII, as the transports' routines do; counts what it is asked.
  const asciiText = (b: Uint8Array) => {
    seen.push(b.length);
    return b.every((c) => c < 128) ? `ascii:${b.length}` : undefined;
  };
  const long = "a".repeat(5000);
  const utf8 = "é".repeat(3000); // 6,000 bytes, not ASCII
  const invalid = bytes(`$5000\r\n`, new Uint8Array(4999).fill(97), new Uint8Array([0xff]), "\r\n");
  const input = bytes(`$5000\r\n${long}\r\n$4095\r\n${"b".repeat(4095)}\r\n$6000\r\n${utf8}\r\n`, invalid);
  const text = attempt([input], { asciiText });
  assert.equal(text.error, undefined);
  assert.equal(text.replies[0], "ascii:5000"); // what the hook returned is the reply
  assert.equal(text.replies[1], "b".repeat(4095)); // under 4 KiB: TextDecoder, the hook not asked
  assert.equal(text.replies[2], utf8); // the hook declined: TextDecoder
  assert.ok(text.replies[3] instanceof InvalidResponse, "invalid UTF-8 is still refused under strict");
  assert.deepStrictEqual(seen, [5000, 6000, 5000]);
  seen.length = 0;
  const binary = attempt([input], { asciiText, textReplies: () => false });
  assert.deepStrictEqual(binary.replies[0], te.encode(long));
  assert.deepStrictEqual(seen, []);
  // Set after construction, as a connection does once its transport is open.
  const later: RespValue[] = [];
  const d = new Decoder({ onReply: (v) => later.push(v) });
  d.setAsciiText(asciiText);
  d.feed(bytes(`$5000\r\n${long}\r\n`));
  d.setAsciiText(undefined);
  d.feed(bytes(`$5000\r\n${long}\r\n`));
  assert.deepStrictEqual(later, ["ascii:5000", long]);
});

test("decoder: a bulk buffer reused after a text reply never changes a reply already delivered", () => {
  // Bulks spanning chunks, text and binary interleaved on two decoders, with shorter values after longer
  // ones: each reply must stay what was sent, whichever buffer it was assembled in.
  const text: RespValue[] = [];
  const text2: RespValue[] = [];
  const binary: RespValue[] = [];
  const a = new Decoder({ onReply: (v) => text.push(v) });
  const b = new Decoder({ onReply: (v) => binary.push(v), textReplies: () => false });
  const c = new Decoder({ onReply: (v) => text2.push(v) });
  const values = [900_000, 1_000_000, 300_000, 1_048_576, 70_000, 2_000_000].map((n, i) =>
    new Uint8Array(n).fill(97 + i)
  );
  for (const value of values) {
    const input = bytes(`$${value.length}\r\n`, value, "\r\n");
    const other = chunked(input, 100_003);
    chunked(input, 65_536).forEach((piece, i) => {
      a.feed(piece);
      b.feed(piece.slice());
      if (i < other.length) c.feed(other[i]);
    });
    for (const piece of other.slice(Math.ceil(input.length / 65_536))) c.feed(piece);
  }
  values.forEach((value, i) => {
    assert.equal(text[i], new TextDecoder().decode(value), `text reply ${i}`);
    assert.equal(text2[i], text[i], `text reply ${i} of the second decoder`);
    assert.deepStrictEqual(binary[i], value, `binary reply ${i}`);
  });
});
