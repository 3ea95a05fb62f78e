// scoreCastFunc (redis-py's score_cast_func) on the sorted set commands that return scores, under RESP2 and
// RESP3: the cast receives each score as text, and its result is what the reply carries.

import { test } from "node:test";
import assert from "node:assert/strict";
import { DataError, InvalidResponse, Redis } from "../mod.ts";
import { sharedRedis } from "./harness/mod.ts";

const raw = (s: string): string => s;

for (const protocol of [2, 3] as const) {
  const R = `RESP${protocol}`;
  const z = `scorecast:${protocol}:z`;

  test(`${R}: zrange, zrevrange, zrangebyscore and zrevrangebyscore hand the score text to scoreCastFunc`, async () => {
    const s = await sharedRedis();
    await using r = new Redis({ host: s.host, port: s.port, protocol });
    await r.del(z);
    await r.zadd(z, { a: 1.5, b: 3, c: -2.25 });
    const seen: string[] = [];
    const rounded = await r.zrange(z, 0, -1, {
      withscores: true,
      scoreCastFunc: (text) => {
        seen.push(text);
        return Math.round(Number(text));
      },
    });
    assert.deepEqual(rounded, [["c", -2], ["a", 2], ["b", 3]]);
    assert.deepEqual(seen, ["-2.25", "1.5", "3"]);
    assert.deepEqual(await r.zrange(z, 0, -1, { withscores: true, desc: true, scoreCastFunc: raw }), [
      ["b", "3"],
      ["a", "1.5"],
      ["c", "-2.25"],
    ]);
    assert.deepEqual(
      await r.zrange(z, "(0", "+inf", { byscore: true, withscores: true, scoreCastFunc: raw }),
      [
        ["a", "1.5"],
        ["b", "3"],
      ],
    );
    assert.deepEqual(await r.zrevrange(z, 0, 0, { withscores: true, scoreCastFunc: raw }), [["b", "3"]]);
    assert.deepEqual(await r.zrangebyscore(z, "-inf", 2, { withscores: true, scoreCastFunc: raw }), [
      ["c", "-2.25"],
      ["a", "1.5"],
    ]);
    const big = await r.zrevrangebyscore(z, "+inf", 0, {
      withscores: true,
      scoreCastFunc: (text) => BigInt(Math.round(Number(text) * 100)),
    });
    const typed: [string, bigint][] = big; // the cast's return type flows into the reply's type
    assert.deepEqual(typed, [["b", 300n], ["a", 150n]]);
    // Without withscores the cast has nothing to do; without a cast, scores stay floats.
    assert.deepEqual(await r.zrange(z, 0, 0, { scoreCastFunc: raw }), ["c"]);
    assert.deepEqual(await r.zrange(z, 0, 0, { withscores: true }), [["c", -2.25]]);
  });

  test(`${R}: infinite scores reach scoreCastFunc as Redis spells them`, async () => {
    const s = await sharedRedis();
    await using r = new Redis({ host: s.host, port: s.port, protocol });
    await r.del(z);
    await r.zadd(z, { lo: -Infinity, hi: Infinity });
    assert.deepEqual(await r.zrange(z, 0, -1, { withscores: true, scoreCastFunc: raw }), [
      ["lo", "-inf"],
      ["hi", "inf"],
    ]);
  });

  test(`${R}: zscan and zscanIter take scoreCastFunc`, async () => {
    const s = await sharedRedis();
    await using r = new Redis({ host: s.host, port: s.port, protocol });
    await r.del(z);
    await r.zadd(z, { a: 1.5, b: 3 });
    const [cursor, pairs] = await r.zscan(z, 0, { scoreCastFunc: raw });
    assert.equal(cursor, "0");
    assert.deepEqual(pairs.sort(), [["a", "1.5"], ["b", "3"]]);
    const seen: [string, string][] = [];
    for await (const pair of r.zscanIter(z, { match: "*", scoreCastFunc: raw })) seen.push(pair);
    assert.deepEqual(seen.sort(), [["a", "1.5"], ["b", "3"]]);
  });

  test(`${R}: zunion, zinter and zdiff with withscores hand the score text to scoreCastFunc`, async () => {
    const s = await sharedRedis();
    await using r = new Redis({ host: s.host, port: s.port, protocol });
    const [a, b] = [`${z}:a`, `${z}:b`];
    await r.del(a, b);
    await r.zadd(a, { x: 1.5, y: 2 });
    await r.zadd(b, { x: 10, w: -0.25 });
    assert.deepEqual(await r.zunion([a, b], { withscores: true, scoreCastFunc: raw }), [
      ["w", "-0.25"],
      ["y", "2"],
      ["x", "11.5"],
    ]);
    assert.deepEqual(
      await r.zunion({ [a]: 2, [b]: 1 }, { aggregate: "MAX", withscores: true, scoreCastFunc: raw }),
      [["w", "-0.25"], ["y", "4"], ["x", "10"]],
    );
    const inter = await r.zinter([a, b], { withscores: true, scoreCastFunc: (t) => BigInt(Number(t) * 2) });
    const typed: [string, bigint][] = inter; // the cast's return type flows into the reply's type
    assert.deepEqual(typed, [["x", 23n]]);
    assert.deepEqual(await r.zdiff([a, b], { withscores: true, scoreCastFunc: raw }), [["y", "2"]]);
    // Without withscores the cast has nothing to do; without a cast, scores stay floats.
    assert.deepEqual(await r.zinter([a, b], { scoreCastFunc: raw }), ["x"]);
    assert.deepEqual(await r.zdiff([a, b], { scoreCastFunc: raw }), ["y"]);
    assert.deepEqual(await r.zdiff([a, b], { withscores: true }), [["y", 2]]);
  });

  test(`${R}: zpopmin and zpopmax take scoreCastFunc, with and without a count`, async () => {
    const s = await sharedRedis();
    await using r = new Redis({ host: s.host, port: s.port, protocol });
    await r.del(z);
    await r.zadd(z, { a: 1.5, b: 3, c: -2.25, d: 7 });
    // Without a count RESP3 sends one flat [member, score]; with one, nested pairs.
    assert.deepEqual(await r.zpopmin(z, undefined, { scoreCastFunc: raw }), [["c", "-2.25"]]);
    assert.deepEqual(await r.zpopmax(z, undefined, { scoreCastFunc: raw }), [["d", "7"]]);
    const big = await r.zpopmax(z, 1, { scoreCastFunc: (t) => BigInt(t) });
    const typed: [string, bigint][] = big;
    assert.deepEqual(typed, [["b", 3n]]);
    assert.deepEqual(await r.zpopmin(z, 5, { scoreCastFunc: raw }), [["a", "1.5"]]);
    assert.deepEqual(await r.zpopmin(z, 5, { scoreCastFunc: raw }), []);
    await r.zadd(z, { a: 1.5 });
    assert.deepEqual(await r.zpopmin(z, 1), [["a", 1.5]]);
  });

  test(`${R}: bzpopmin and bzpopmax take scoreCastFunc on their [key, member, score] triple`, async () => {
    const s = await sharedRedis();
    await using r = new Redis({ host: s.host, port: s.port, protocol });
    const empty = `${z}:empty`;
    await r.del(z, empty);
    await r.zadd(z, { a: 1.5, b: 3 });
    assert.deepEqual(await r.bzpopmin([empty, z], 1, { scoreCastFunc: raw }), [z, "a", "1.5"]);
    const big = await r.bzpopmax(z, 1, { scoreCastFunc: (t) => BigInt(t) });
    const typed: [string, string, bigint] | null = big;
    assert.deepEqual(typed, [z, "b", 3n]);
    // A timeout is still null: the cast is not called.
    let called = false;
    const none = await r.bzpopmax(empty, 0.01, {
      scoreCastFunc: (t) => {
        called = true;
        return t;
      },
    });
    assert.equal(none, null);
    assert.equal(called, false);
    await r.zadd(z, { c: -2.25 });
    assert.deepEqual(await r.bzpopmin(z, 1), [z, "c", -2.25]);
  });

  test(`${R}: zmpop and bzmpop take scoreCastFunc in their options`, async () => {
    const s = await sharedRedis();
    await using r = new Redis({ host: s.host, port: s.port, protocol });
    const empty = `${z}:empty`;
    await r.del(z, empty);
    await r.zadd(z, { a: 1.5, b: 3, c: -2.25, d: 7 });
    assert.deepEqual(await r.zmpop([empty, z], { min: true, count: 2, scoreCastFunc: raw }), [z, [
      ["c", "-2.25"],
      ["a", "1.5"],
    ]]);
    const big = await r.bzmpop(1, [z], { max: true, scoreCastFunc: (t) => BigInt(t) });
    const typed: [string, [string, bigint][]] | null = big;
    assert.deepEqual(typed, [z, [["d", 7n]]]);
    assert.equal(await r.zmpop([empty], { max: true, scoreCastFunc: raw }), null);
    assert.equal(await r.bzmpop(0.01, [empty], { max: true, scoreCastFunc: raw }), null);
    assert.deepEqual(await r.zmpop([z], { max: true }), [z, [["b", 3]]]);
  });

  test(`${R}: zrandmember with withscores takes scoreCastFunc`, async () => {
    const s = await sharedRedis();
    await using r = new Redis({ host: s.host, port: s.port, protocol });
    await r.del(z);
    await r.zadd(z, { a: 1.5, b: 3 });
    const pairs = await r.zrandmember(z, 2, true, { scoreCastFunc: raw });
    assert.deepEqual(pairs.sort(), [["a", "1.5"], ["b", "3"]]);
    await r.zadd(z, { a: 1 });
    const big = await r.zrandmember(z, -3, true, { scoreCastFunc: (t) => BigInt(t) });
    const typed: [string, bigint][] = big;
    assert.equal(typed.length, 3);
    for (const [member, score] of typed) assert.equal(score, member === "a" ? 1n : 3n);
    // Without withscores the cast has nothing to do.
    assert.deepEqual((await r.zrandmember(z, 2, false, { scoreCastFunc: raw })).sort(), ["a", "b"]);
  });

  test(`${R}: a scoreCastFunc that is not a function, or on a lex range, is a DataError, unsent`, async () => {
    const s = await sharedRedis();
    await using r = new Redis({ host: s.host, port: s.port, protocol });
    await assert.rejects(
      r.zrange(z, 0, -1, { withscores: true, scoreCastFunc: "x" as never }),
      new DataError("ZRANGE: scoreCastFunc must be a function, got a string"),
    );
    await assert.rejects(
      r.zscan(z, 0, { scoreCastFunc: 1 as never }),
      /ZSCAN: scoreCastFunc must be a function/,
    );
    await assert.rejects(
      r.zrangebylex(z, "-", "+", { scoreCastFunc: raw } as never),
      /ZRANGEBYLEX: scoreCastFunc is not supported/,
    );
    await assert.rejects(
      r.zrangestore(`${z}:dst`, z, 0, -1, { scoreCastFunc: raw } as never),
      /ZRANGESTORE: unknown option "scoreCastFunc"/,
    );
    await r.del(z);
    await r.zadd(z, { a: 1, b: 2 });
    const notCast = 1 as never;
    const refused: [string, () => Promise<unknown>][] = [
      ["ZUNION", () => r.zunion([z], { withscores: true, scoreCastFunc: notCast })],
      ["ZINTER", () => r.zinter([z], { withscores: true, scoreCastFunc: notCast })],
      ["ZDIFF", () => r.zdiff([z], { withscores: true, scoreCastFunc: notCast })],
      ["ZPOPMIN", () => r.zpopmin(z, 1, { scoreCastFunc: notCast })],
      ["ZPOPMAX", () => r.zpopmax(z, undefined, { scoreCastFunc: notCast })],
      ["BZPOPMIN", () => r.bzpopmin(z, 0.01, { scoreCastFunc: notCast })],
      ["BZPOPMAX", () => r.bzpopmax(z, 0.01, { scoreCastFunc: notCast })],
      ["ZMPOP", () => r.zmpop([z], { min: true, scoreCastFunc: notCast })],
      ["BZMPOP", () => r.bzmpop(0.01, [z], { min: true, scoreCastFunc: notCast })],
      ["ZRANDMEMBER", () => r.zrandmember(z, 1, true, { scoreCastFunc: notCast })],
    ];
    for (const [name, call] of refused) {
      await assert.rejects(call(), new DataError(`${name}: scoreCastFunc must be a function, got a number`));
    }
    // Nothing was sent: the popping commands above would have emptied z.
    assert.deepEqual(await r.zrange(z, 0, -1), ["a", "b"]);
  });

  test(`${R}: an error thrown by scoreCastFunc rejects that command only, as an InvalidResponse with the cause`, async () => {
    const s = await sharedRedis();
    await using r = new Redis({ host: s.host, port: s.port, protocol });
    await r.del(z);
    await r.zadd(z, { a: 1 });
    const boom = new Error("cast failed");
    const [bad, good] = await Promise.allSettled([
      r.zrange(z, 0, -1, {
        withscores: true,
        scoreCastFunc: () => {
          throw boom;
        },
      }),
      r.zrange(z, 0, -1, { withscores: true }),
    ]);
    // Like any failing reply transform: an InvalidResponse naming the command, the cast's error as its cause.
    assert.equal(bad.status, "rejected");
    const reason = (bad as PromiseRejectedResult).reason;
    assert.ok(reason instanceof InvalidResponse, String(reason));
    assert.match(reason.message, /^ZRANGE: cast failed/);
    assert.equal(reason.cause, boom);
    assert.deepEqual(good, { status: "fulfilled", value: [["a", 1]] });
  });
}
