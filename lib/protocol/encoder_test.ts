import { test } from "node:test";
import assert from "node:assert/strict";
import { DataError } from "../errors.ts";
import { Decoder } from "./decoder.ts";
import { encodeCommand, Encoder } from "./encoder.ts";
import type { RedisArgument, RespValue } from "./types.ts";

const te = new TextEncoder();
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Decodes encoder output (arrays of bulk strings) back into byte arguments. */
function parse(bytes: Uint8Array): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  const d = new Decoder({ onReply: (v: RespValue) => out.push(v as Uint8Array[]), textReplies: () => false });
  d.feed(bytes);
  return out;
}

/** The bytes Redis should receive for `args`, built the slow and obvious way. */
function reference(args: (string | Uint8Array)[]): Uint8Array {
  const parts: Uint8Array[] = [te.encode(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === "string" ? te.encode(a) : a;
    parts.push(te.encode(`$${b.length}\r\n`), b, te.encode("\r\n"));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const EXACT: [RedisArgument[], string][] = [
  [["PING"], "*1\r\n$4\r\nPING\r\n"],
  [["SET", "key", "value"], "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n"],
  [["GET", ""], "*2\r\n$3\r\nGET\r\n$0\r\n\r\n"],
  [["SET", "k", "a\r\nb"], "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\na\r\nb\r\n"],
  [["INCRBY", "n", 5], "*3\r\n$6\r\nINCRBY\r\n$1\r\nn\r\n$1\r\n5\r\n"],
  [["X", new Uint8Array([0, 13, 10, 255])], "*2\r\n$1\r\nX\r\n$4\r\n\x00\r\n\xff\r\n"],
];

for (const [args, want] of EXACT) {
  test(`encoder: exact bytes of ${JSON.stringify(args.map(String))}`, () => {
    const got = encodeCommand(args);
    // Compare as latin1 so byte 255 stays one char.
    assert.equal(String.fromCharCode(...got), want);
  });
}

const NUMBERS: [number | bigint, string][] = [
  [0, "0"],
  [-0, "0"],
  [42, "42"],
  [-1, "-1"],
  [1.5, "1.5"],
  [-0.1, "-0.1"],
  [0.1 + 0.2, "0.30000000000000004"],
  [1e-7, "1e-7"],
  [2 ** 53, "9007199254740992"],
  [999999999999999900000, "999999999999999900000"],
  [1e21, "1e+21"],
  [-1e21, "-1e+21"],
  [1.7976931348623157e308, "1.7976931348623157e+308"],
  [Number.MAX_SAFE_INTEGER, "9007199254740991"],
  [Infinity, "inf"],
  [-Infinity, "-inf"],
  [123n, "123"],
  [-5n, "-5"],
  [2n ** 64n, "18446744073709551616"],
];

test("encoder: numbers and bigints", () => {
  for (const [n, want] of NUMBERS) {
    assert.equal(
      text(encodeCommand(["ECHO", n])),
      `*2\r\n$4\r\nECHO\r\n$${want.length}\r\n${want}\r\n`,
      String(n),
    );
  }
});

test("encoder: UTF-8 strings of every size class match TextEncoder", () => {
  const strings = [
    "é",
    "héllo",
    "€".repeat(3), // 9 bytes: header length unchanged
    "€".repeat(4), // 12 bytes: one more header digit than the 4 units
    "😀", // surrogate pair: 2 units, 4 bytes
    "a".repeat(47) + "é",
    "a".repeat(48) + "é",
    "€".repeat(40), // past the ASCII loop, 3 -> 120 bytes
    "€".repeat(400), // 1200 bytes: 3 -> 4 digits
    "日本語".repeat(1000),
    "\uD800", // lone surrogate: U+FFFD, 3 bytes
    "mixed ascii then ü at the end of a long-ish string....",
  ];
  for (const s of strings) {
    assert.deepStrictEqual(encodeCommand(["SET", s, s]), reference(["SET", s, s]), s.slice(0, 20));
  }
  const e = new Encoder(64);
  for (const s of strings) e.push(["SET", s]);
  assert.deepStrictEqual(
    parse(e.take()).map((args) => args.map(text)),
    strings.map((s) => ["SET", s.replace("\uD800", "\uFFFD")]),
  );
});

test("encoder: Uint8Array arguments are copied verbatim (every byte value)", () => {
  const all = new Uint8Array(256).map((_, i) => i);
  class Bytes extends Uint8Array {}
  const sub = new Bytes([1, 2, 3]);
  const view = all.subarray(10, 20);
  const got = encodeCommand(["SET", all, sub, view]);
  assert.deepStrictEqual(got, reference(["SET", all, new Uint8Array([1, 2, 3]), view]));
  assert.deepStrictEqual(parse(got)[0].slice(1), [all, new Uint8Array([1, 2, 3]), view]);
});

const BAD: [unknown[], RegExp][] = [
  [
    ["SET", "k", undefined],
    /^Invalid argument 2 of SET: undefined \(expected string, number, bigint or Uint8Array\)$/,
  ],
  [["SET", null, "v"], /^Invalid argument 1 of SET: null /],
  [["SET", "k", true], /^Invalid argument 2 of SET: boolean true /],
  [["SET", "k", NaN], /^Invalid argument 2 of SET: NaN /],
  [["SET", "k", {}], /^Invalid argument 2 of SET: object \(Object\) /],
  [["SET", "k", ["v"]], /^Invalid argument 2 of SET: object \(Array\) /],
  [["SET", "k", new Date(0)], /^Invalid argument 2 of SET: object \(Date\) /],
  [["SET", "k", Object.create(null)], /^Invalid argument 2 of SET: object /],
  [["SET", "k", new Int8Array(2)], /^Invalid argument 2 of SET: object \(Int8Array\) /],
  [["SET", "k", Symbol("s")], /^Invalid argument 2 of SET: symbol /],
  [["SET", "k", () => 1], /^Invalid argument 2 of SET: function /],
  [[undefined, "k"], /^Invalid argument 0 of command: undefined /],
  [[te.encode("HSET"), "k", "f", null], /^Invalid argument 3 of HSET: null /],
  [[], /^Cannot encode an empty command$/],
];

test("encoder: bad arguments throw DataError naming position, command and type", () => {
  for (const [args, message] of BAD) {
    assert.throws(() => encodeCommand(args as RedisArgument[]), (e: unknown) => {
      assert.ok(e instanceof DataError, String(e));
      assert.match(e.message, message);
      return true;
    });
  }
});

test("encoder: a rejected command appends nothing and keeps earlier ones", () => {
  const e = new Encoder(64);
  e.push(["PING"]);
  e.push(["SET", "k", "v"]);
  const before = e.length;
  for (const [args] of BAD) {
    assert.throws(() => e.push(args as RedisArgument[]), DataError);
    assert.equal(e.length, before);
  }
  // A bad argument after a long valid one: nothing of the long one is written either.
  assert.throws(() => e.push(["SET", "x".repeat(100_000), undefined as never]), DataError);
  assert.equal(e.length, before);
  e.push(["GET", "k"]);
  assert.deepStrictEqual(
    e.take(),
    new Uint8Array([...reference(["PING"]), ...reference(["SET", "k", "v"]), ...reference(["GET", "k"])]),
  );
});

test("encoder: take() returns an owned copy and empties the encoder", () => {
  const e = new Encoder();
  assert.equal(e.length, 0);
  const empty = e.take();
  assert.ok(empty instanceof Uint8Array);
  assert.equal(empty.length, 0);

  e.push(["GET", "a"]);
  assert.equal(e.length, reference(["GET", "a"]).length);
  const first = e.take();
  assert.equal(e.length, 0);
  assert.equal(first.byteLength, first.buffer.byteLength, "a tight copy, not a view of the 16 KiB buffer");
  assert.deepStrictEqual(first, reference(["GET", "a"]));

  // Reusing the internal buffer must not change what was taken.
  e.push(["DEL", "b"]);
  const second = e.take();
  assert.deepStrictEqual(first, reference(["GET", "a"]));
  assert.deepStrictEqual(second, reference(["DEL", "b"]));
  assert.equal(e.take().length, 0);
});

test("encoder: many commands batch into one take()", () => {
  const e = new Encoder(16);
  const cmds: string[][] = [];
  for (let i = 0; i < 5000; i++) {
    const c = ["SET", `key:${i}`, "v".repeat(i % 50), String(i)];
    cmds.push(c);
    e.push(c);
  }
  const got = parse(e.take());
  assert.deepStrictEqual(got.map((args) => args.map(text)), cmds);
});

test("encoder: 1 MiB arguments and growth from a tiny buffer", () => {
  const big = "x".repeat(1 << 20);
  const bigUtf8 = "é".repeat(1 << 19); // 1 MiB of UTF-8
  const bytes = new Uint8Array(1 << 20).map((_, i) => i & 255);
  const e = new Encoder(1);
  e.push(["SET", "a", big]);
  e.push(["SET", "b", bigUtf8]);
  e.push(["SET", "c", bytes]);
  e.push(["PING"]);
  const got = parse(e.take());
  assert.equal(got.length, 4);
  assert.equal(got[0][2].length, 1 << 20);
  assert.equal(text(got[0][2]), big);
  assert.equal(text(got[1][2]), bigUtf8);
  assert.deepStrictEqual(got[2][2], bytes);
  assert.deepStrictEqual(got[3].map(text), ["PING"]);
  // Still usable after shrinking back.
  e.push(["GET", "a"]);
  assert.deepStrictEqual(e.take(), reference(["GET", "a"]));
});

test("encoder: more than 32 arguments and lengths past the header caches", () => {
  const args = Array.from({ length: 1000 }, (_, i) => "k".repeat(i * 3));
  const cmd = ["MSET", ...args];
  assert.deepStrictEqual(encodeCommand(cmd), reference(cmd));
});

test("encoder: long strings (past 64 KiB) with non-ASCII text anywhere match TextEncoder", () => {
  const n = 100_000;
  const ascii = "a".repeat(n);
  const cases = [
    ascii,
    "é" + ascii, // non-ASCII first
    ascii.slice(0, n / 2) + "€" + ascii.slice(n / 2), // in the middle
    ascii + "😀", // a surrogate pair at the very end
    ascii.slice(0, 99_000) + "é".repeat(990), // 99,990 units but 100,980 bytes: the length gains a digit
    "😀".repeat(n / 2), // 4 bytes per pair all the way
    ascii + "\ud800" + ascii, // a lone surrogate becomes U+FFFD
    "é".repeat(n), // 2 bytes per unit
  ];
  for (const s of cases) {
    const e = new Encoder(64);
    e.push(["SET", "k", s]);
    e.push(["PING"]);
    assert.deepStrictEqual(e.take(), concat(reference(["SET", "k", s]), reference(["PING"])));
  }
});

test("encoder: a command past 4 MiB is handed over whole and the encoder starts small again", () => {
  const big = "v".repeat(5 << 20);
  const e = new Encoder();
  e.push(["SET", "k", big]);
  const out = e.take();
  assert.deepStrictEqual(out, reference(["SET", "k", big]));
  // ASCII is encoded with room for one byte per unit, not three.
  assert.ok(
    out.buffer.byteLength < out.length * 1.25,
    `${out.buffer.byteLength} bytes held for ${out.length}`,
  );
  e.push(["GET", "k"]);
  const small = e.take();
  assert.deepStrictEqual(small, reference(["GET", "k"]));
  assert.deepStrictEqual(out, reference(["SET", "k", big]), "the handed-over bytes are not reused");
});

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
