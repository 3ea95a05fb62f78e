import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDouble } from "./double.ts";

test("parseDouble: the forms Redis prints", () => {
  const cases: [string, number][] = [
    ["0", 0],
    ["-0", -0],
    ["1.5", 1.5],
    ["+2", 2],
    ["5.", 5],
    [".5", 0.5],
    ["-.25", -0.25],
    ["1e10", 1e10],
    ["1.5E-3", 1.5e-3],
    ["-2.5e+300", -2.5e300],
    ["inf", Infinity],
    ["+INF", Infinity],
    ["-inf", -Infinity],
    ["nan", NaN],
    ["-nan", NaN],
  ];
  for (const [text, want] of cases) assert.equal(parseDouble(text), want, text);
});

test("parseDouble: anything else is undefined", () => {
  for (
    const text of [
      "",
      ".",
      "+",
      "-",
      "e5",
      "1e",
      "1e+",
      "1.2.3",
      "0x10",
      " 1",
      "1 ",
      "1x",
      "infinity",
      "1_000",
    ]
  ) {
    assert.equal(parseDouble(text), undefined, JSON.stringify(text));
  }
});

test("parseDouble: a long run of digits ending in a bad character is refused in linear time", () => {
  // A backtracking pattern needs seconds for this (quadratic in the digits).
  for (const n of [8000, 100_000]) {
    const t0 = performance.now();
    assert.equal(parseDouble("1".repeat(n) + "x"), undefined);
    assert.equal(parseDouble("1".repeat(n) + "e"), undefined);
    const ms = performance.now() - t0;
    assert.ok(ms < 100, `${n} digits took ${ms.toFixed(0)} ms`);
  }
});

test("parseDouble: text longer than MAX_DOUBLE_LENGTH is refused, shorter is parsed", () => {
  assert.equal(parseDouble("1" + "0".repeat(8000)), Infinity);
  assert.equal(parseDouble("0." + "0".repeat(8188) + "1"), 0); // 8191 characters
  assert.equal(parseDouble("0." + "0".repeat(8190) + "1"), undefined); // 8193
});
