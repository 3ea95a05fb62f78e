// Reply helpers over hostile reply structure: deeply nested arrays neither
// overflow the stack nor pass as a valid shape.

import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidResponse } from "../errors.ts";
import type { RespValue } from "../protocol/types.ts";
import { textDeep, toBulkOrNull, toBulks, toBulksOrNull, toNumber, transformError } from "./reply.ts";
import { castScoredPairs } from "./score_cast.ts";
import {
  toCommandDocs,
  toCommandInfo,
  toLatencyHistogram,
  toMemoryStats,
  toTextTree,
} from "./admin_reply.ts";

/** An array nested `depth` levels deep around `leaf`, built without recursion. */
function nested(depth: number, leaf: RespValue = 1): RespValue {
  let v: RespValue = leaf;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** The depth of a nested array, measured without recursion. */
function depthOf(v: unknown): number {
  let d = 0;
  while (Array.isArray(v)) {
    v = v[0];
    d++;
  }
  return d;
}

const DEEP = 1_000_000;

test("textDeep converts a 1e6-deep array without overflowing the stack", () => {
  const out = textDeep(nested(DEEP, new TextEncoder().encode("x")));
  assert.equal(depthOf(out), DEEP);
  let leaf: unknown = out;
  while (Array.isArray(leaf)) leaf = leaf[0];
  assert.equal(leaf, "x");
  assert.deepEqual(textDeep(["a", 1n, [new Uint8Array([98])]]), ["a", 1, ["b"]]);
});

test("map-tree helpers (MEMORY STATS, LATENCY HISTOGRAM, module lists) survive a 1e6-deep value", () => {
  let map: RespValue = ["leaf", "1"];
  for (let i = 0; i < DEEP; i++) map = ["k", map];
  const stats = toMemoryStats(["db.0", map]) as Record<string, unknown>;
  let at: unknown = stats["db.0"];
  let depth = 0;
  while (typeof at === "object" && at !== null && "k" in at) {
    at = (at as { k: unknown }).k;
    depth++;
  }
  assert.equal(depth, DEEP);
  assert.deepEqual(at, { leaf: 1 });
  assert.ok(toLatencyHistogram(["get", map]));
  assert.ok(toTextTree(["args", nested(DEEP)]));
  assert.deepEqual(toMemoryStats(["peak.allocated", "10", "db.0", ["overhead.hashtable.main", 72]]), {
    "peak.allocated": 10,
    "db.0": { "overhead.hashtable.main": 72 },
  });
});

test("COMMAND DOCS and COMMAND INFO nested 1e6 deep are an InvalidResponse, not a stack overflow", () => {
  let docs: RespValue = ["summary", "leaf"];
  for (let i = 0; i < DEEP; i++) docs = ["x", ["subcommands", docs]];
  assert.throws(() => toCommandDocs(docs), InvalidResponse);
  let info: RespValue = ["leaf", 1, [], 0, 0, 0, [], [], [], []];
  for (let i = 0; i < DEEP; i++) info = ["x", 1, [], 0, 0, 0, [], [], [], [info]];
  assert.throws(() => toCommandInfo([info]), InvalidResponse);
});

test("scalar shape checks name what they expected and what came", () => {
  assert.throws(() => toBulkOrNull([]), {
    name: "InvalidResponse",
    message: "expected a bulk string or null, got an array",
  });
  assert.throws(() => toBulks(["a", ["b"]]), {
    name: "InvalidResponse",
    message: "expected an array of bulk strings, got an array holding an array",
  });
  assert.throws(() => toBulksOrNull(3), {
    message: "expected an array of bulk strings or nulls, got a number",
  });
  assert.throws(() => toNumber(nested(DEEP)), { message: "expected a number, got an array" });
  assert.equal(toBulkOrNull(null), null);
  assert.deepEqual(toBulksOrNull(["a", null]), ["a", null]);
});

test("transformError names the command, keeps the cause, and leaves error replies alone", () => {
  const cause = new TypeError("x is undefined");
  const e = transformError("GET", cause);
  assert.ok(e instanceof InvalidResponse);
  assert.equal(e.message, "GET: x is undefined");
  assert.equal(e.cause, cause);
  const overflow = transformError("ROLE", new RangeError("Maximum call stack size exceeded"));
  assert.equal(overflow.message, "ROLE: Maximum call stack size exceeded");
});

test("castScoredPairs rejects a reply that is not an array, as toScoredPairs does", () => {
  const toPairs = castScoredPairs<string, string>((s) => s);
  assert.deepEqual(toPairs(["a", "1.5"]), [["a", "1.5"]]);
  for (const bad of ["a", 1, null] as RespValue[]) {
    assert.throws(() => toPairs(bad), InvalidResponse);
  }
});
