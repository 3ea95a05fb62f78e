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
