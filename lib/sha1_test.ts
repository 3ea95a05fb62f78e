import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { sha1Hex } from "./sha1.ts";

test("sha1Hex matches node:crypto for empty, ASCII, UTF-8, block-boundary and long inputs", () => {
  const inputs = [
    "",
    "abc",
    "return 1",
    "é✓𝄞",
    "a".repeat(55),
    "a".repeat(56),
    "a".repeat(64),
    "x".repeat(10_000),
  ];
  for (const text of inputs) {
    assert.equal(
      sha1Hex(text),
      createHash("sha1").update(text, "utf8").digest("hex"),
      `length ${text.length}`,
    );
  }
  const bytes = new Uint8Array(300).map((_, i) => i);
  assert.equal(sha1Hex(bytes), createHash("sha1").update(bytes).digest("hex"));
});
