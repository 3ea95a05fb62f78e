import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ConstantBackoff,
  DecorrelatedJitterBackoff,
  DEFAULT_BASE,
  DEFAULT_CAP,
  defaultBackoff,
  EqualJitterBackoff,
  ExponentialBackoff,
  ExponentialWithJitterBackoff,
  FullJitterBackoff,
  NoBackoff,
} from "./backoff.ts";
import { DataError } from "./errors.ts";

const fixed = (value: number) => () => value;
const RANDOMS = [0, 0.5, 0.999];

test("backoff: defaults are redis-py's, in milliseconds", () => {
  assert.equal(DEFAULT_CAP, 512);
  assert.equal(DEFAULT_BASE, 8);
  const b = new ExponentialBackoff();
  assert.equal(b.cap, 512);
  assert.equal(b.base, 8);
  assert.ok(defaultBackoff() instanceof EqualJitterBackoff);
  const d = defaultBackoff() as EqualJitterBackoff;
  assert.equal(d.cap, 512);
  assert.equal(d.base, 8);
});

test("ConstantBackoff and NoBackoff: the same wait after every failure", () => {
  const c = new ConstantBackoff(250);
  for (const failures of [0, 1, 5, 100]) assert.equal(c.compute(failures), 250);
  c.reset();
  assert.equal(c.compute(1), 250);
  const n = new NoBackoff();
  assert.ok(n instanceof ConstantBackoff);
  for (const failures of [0, 1, 5, 100]) assert.equal(n.compute(failures), 0);
});

test("ExponentialBackoff: min(cap, base * 2 ** failures)", () => {
  const b = new ExponentialBackoff({ cap: 100, base: 10 });
  assert.deepEqual([0, 1, 2, 3, 4].map((f) => b.compute(f)), [10, 20, 40, 80, 100]);
  assert.equal(b.compute(5_000), 100, "a huge exponent is capped");
  assert.equal(new ExponentialBackoff().compute(2), 32);
  assert.equal(new ExponentialBackoff().compute(10), 512);
  assert.equal(new ExponentialBackoff({ base: 0 }).compute(5_000), 0, "no NaN from 0 * Infinity");
});

test("FullJitterBackoff: random() * min(cap, base * 2 ** failures)", () => {
  for (const r of RANDOMS) {
    const b = new FullJitterBackoff({ cap: 100, base: 10, random: fixed(r) });
    assert.equal(b.compute(2), r * 40);
    assert.equal(b.compute(10), r * 100, "capped before the jitter");
  }
});

test("EqualJitterBackoff: t + random() * t with t = min(cap, base * 2 ** failures) / 2", () => {
  for (const r of RANDOMS) {
    const b = new EqualJitterBackoff({ cap: 100, base: 10, random: fixed(r) });
    assert.equal(b.compute(2), 20 + r * 20);
    assert.equal(b.compute(10), 50 + r * 50);
  }
  const d = new EqualJitterBackoff({ random: fixed(0.999) });
  assert.ok(d.compute(50) < 512);
});

test("ExponentialWithJitterBackoff: min(cap, random() * base * 2 ** failures)", () => {
  for (const r of RANDOMS) {
    const b = new ExponentialWithJitterBackoff({ cap: 100, base: 10, random: fixed(r) });
    assert.equal(b.compute(2), r * 40);
    // capped after the jitter: 0.5 * 160 = 80, 0.999 * 160 > 100
    assert.equal(b.compute(4), Math.min(100, r * 160));
  }
  const zero = new ExponentialWithJitterBackoff({ random: fixed(0) });
  assert.equal(zero.compute(5_000), 0, "no NaN from 0 * Infinity");
  assert.equal(new ExponentialWithJitterBackoff({ random: fixed(0.5) }).compute(5_000), 512);
});

test("DecorrelatedJitterBackoff: grows from the previous wait, capped, reset starts over", () => {
  // random 0: always base
  const low = new DecorrelatedJitterBackoff({ cap: 100, base: 10, random: fixed(0) });
  assert.deepEqual([1, 2, 3].map((f) => low.compute(f)), [10, 10, 10]);

  // random 0.5: previous 0 -> max(10, 0) = 10 -> 10; then max(10, 30) -> 10 + 0.5 * 20 = 20;
  // then max(10, 60) -> 10 + 0.5 * 50 = 35; then 10 + 0.5 * 95 = 57.5; then capped at 100
  const mid = new DecorrelatedJitterBackoff({ cap: 100, base: 10, random: fixed(0.5) });
  assert.deepEqual([1, 2, 3, 4, 5].map((f) => mid.compute(f)), [10, 20, 35, 57.5, 91.25]);
  assert.equal(mid.compute(6), 100);
  assert.equal(mid.compute(7), 100, "the capped wait is the next previous");

  mid.reset();
  assert.equal(mid.compute(1), 10);
  assert.equal(mid.compute(2), 20);

  const high = new DecorrelatedJitterBackoff({ cap: 100, base: 10, random: fixed(0.999) });
  assert.equal(high.compute(1), 10);
  assert.equal(high.compute(2), 10 + 0.999 * 20);
});

test("backoffs with the default random stay within their bounds", () => {
  for (let i = 0; i < 200; i++) {
    const f = new FullJitterBackoff({ cap: 100, base: 10 }).compute(3);
    assert.ok(f >= 0 && f < 80);
    const e = new EqualJitterBackoff({ cap: 100, base: 10 }).compute(3);
    assert.ok(e >= 40 && e < 80);
    const x = new ExponentialWithJitterBackoff({ cap: 50, base: 10 }).compute(3);
    assert.ok(x >= 0 && x <= 50);
  }
  const d = new DecorrelatedJitterBackoff({ cap: 100, base: 10 });
  for (let i = 1; i < 50; i++) {
    const w = d.compute(i);
    assert.ok(w >= 10 && w <= 100);
  }
});

test("backoff: a negative or non-finite duration is a DataError", () => {
  for (const bad of [-1, NaN, Infinity, "5" as unknown as number]) {
    assert.throws(() => new ConstantBackoff(bad), DataError);
    assert.throws(() => new ExponentialBackoff({ cap: bad }), DataError);
    assert.throws(() => new FullJitterBackoff({ base: bad }), DataError);
    assert.throws(() => new EqualJitterBackoff({ cap: bad }), DataError);
    assert.throws(() => new DecorrelatedJitterBackoff({ base: bad }), DataError);
    assert.throws(() => new ExponentialWithJitterBackoff({ cap: bad }), DataError);
  }
  assert.throws(() => new FullJitterBackoff({ random: 0.5 as unknown as () => number }), DataError);
  assert.doesNotThrow(() => new ExponentialBackoff({ cap: 0, base: 0 }));
});
