// Pipeline error labels: the command text is shortened exactly as redis-py's truncate_text
// (Python's textwrap.shorten, width 100, "..."); the expected strings come from CPython.

import { test } from "node:test";
import assert from "node:assert/strict";
import { annotatePipelineError, shortenCommand } from "./pipeline_error.ts";
import { ResponseError } from "./errors.ts";
import type { RedisArgument } from "./protocol/types.ts";

const cases: [RedisArgument[], string][] = [
  [["LPUSH", "c", 3], "LPUSH c 3"],
  [["SET", "k", "x".repeat(200)], "SET k..."],
  [
    ["SET", "k", ..."ab ".repeat(50).trim().split(" ")],
    "SET k ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab...",
  ],
  [["SET", "key:with:a:long:name", "x".repeat(90)], "SET key:with:a:long:name..."],
  [["x".repeat(150)], "..."],
  [
    ["LPUSH", "a-".repeat(60)],
    "LPUSH a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-...",
  ],
  [
    ["SET", "user-session-cache", "value-".repeat(30)],
    "SET user-session-cache value-value-value-value-value-value-value-value-value-value-value-value-...",
  ],
  [["HSET", "h", "f1", "v1", "f2", "v2\tf3  v3\n"], "HSET h f1 v1 f2 v2 f3 v3"],
  [["SET", "k", "é".repeat(120)], "SET k..."],
  [
    ["SET", "k", "well--known ".repeat(12)],
    "SET k well--known well--known well--known well--known well--known well--known well--known well--...",
  ],
  [
    ["SET", "k", "y".repeat(94)],
    "SET k yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy",
  ],
  [["SET", "k", "y".repeat(95)], "SET k..."],
  [["SET", "k".repeat(96), "v"], "SET..."],
  [
    ["EVAL", "return redis.call('get', KEYS[1])", 1, "key-".repeat(25)],
    "EVAL return redis.call('get', KEYS[1]) 1 key-key-key-key-key-key-key-key-key-key-key-key-key-key-...",
  ],
  [["A", "1-", "-2", "x--y", "b".repeat(200)], "A 1- -2 x--y..."],
  [["ZADD", "z", Infinity, "m", 1.5, new TextEncoder().encode("bytes")], "ZADD z inf m 1.5 bytes"],
  [["GET", new Uint8Array([0x66, 0xff])], "GET f\uFFFD"],
  [[], ""],
];

test("shortenCommand cuts long commands as Python's textwrap.shorten(width=100, placeholder='...')", () => {
  for (const [args, expected] of cases) assert.equal(shortenCommand(args), expected, String(args[0]));
});

test("annotatePipelineError prefixes the position and command, keeping the class, code and stack", () => {
  const error = new ResponseError("WRONGTYPE Operation against a key holding the wrong kind of value");
  const same = annotatePipelineError(error, 3, ["LPUSH", "c", 3]);
  assert.equal(same, error);
  assert.equal(
    error.message,
    "Command # 3 (LPUSH c 3) of pipeline caused error: WRONGTYPE Operation against a key holding the wrong kind of value",
  );
  assert.ok(error instanceof ResponseError);
  assert.equal(error.code, "WRONGTYPE");
  assert.ok(!String(error.stack).includes(": WRONGTYPE") || String(error.stack).includes("Command # 3"));
});
