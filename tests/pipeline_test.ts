// Pipelines and MULTI/EXEC transactions against a real server, under RESP2 and RESP3.

import { test } from "node:test";
import assert from "node:assert/strict";
import { DataError, Redis, ResponseError } from "../mod.ts";
import { sharedRedis } from "./harness/mod.ts";

for (const protocol of [2, 3] as const) {
  const R = `RESP${protocol}`;
  const p = `pipe:${protocol}:`;
  const client = async () => {
    const s = await sharedRedis();
    return new Redis({ host: s.host, port: s.port, protocol });
  };

  for (const transaction of [false, true]) {
    const kind = transaction ? "transaction" : "pipeline";
    test(`${R}: a 10,000-command ${kind} returns typed replies in order`, async () => {
      await using r = await client();
      const key = `${p}${kind}`;
      await r.del(`${key}:n`, `${key}:h`, `${key}:z`, `${key}:s`);
      const pipe = r.pipeline({ transaction });
      const expected: unknown[] = [];
      for (let i = 0; i < 2500; i++) {
        pipe.incr(`${key}:n`).set(`${key}:s`, `v${i}`).get(`${key}:s`).zadd(`${key}:z`, { [`m${i}`]: i / 2 });
        expected.push(i + 1, true, `v${i}`, 1);
      }
      assert.equal(pipe.length, 10_000);
      const replies = await pipe.exec();
      assert.equal(pipe.length, 0, "exec empties the queue");
      assert.deepEqual(replies, expected);
      const [score, card, hash] = await r.pipeline({ transaction }).zscore(`${key}:z`, "m3").zcard(`${key}:z`)
        .hgetall(
          `${key}:h`,
        ).exec();
      assert.equal(score, 1.5);
      assert.equal(card, 2500);
      assert.deepEqual(hash, {});
    });
  }

  test(`${R}: a transaction whose middle command fails: the error in place, the others applied`, async () => {
    await using r = await client();
    await r.del(`${p}a`, `${p}b`);
    await r.set(`${p}text`, "not a list");
    // With raiseOnError: false an element may be an Error instead of its typed reply.
    const pipe = r.pipeline({ raiseOnError: false }).set(`${p}a`, "1").lpush(`${p}text`, "x").set(
      `${p}b`,
      "2",
    );
    const replies: unknown[] = await pipe.exec();
    assert.equal(replies[0], true);
    assert.ok(replies[1] instanceof ResponseError && replies[1].code === "WRONGTYPE", String(replies[1]));
    assert.equal(replies[2], true);
    assert.deepEqual([await r.get(`${p}a`), await r.get(`${p}b`)], ["1", "2"]);
    // raiseOnError (the default): the first error rejects exec(), and Redis still applied the rest.
    await r.del(`${p}a`, `${p}b`);
    await assert.rejects(
      r.pipeline().set(`${p}a`, "1").lpush(`${p}text`, "x").set(`${p}b`, "2").exec(),
      (e) => e instanceof ResponseError && e.code === "WRONGTYPE",
    );
    assert.deepEqual([await r.get(`${p}a`), await r.get(`${p}b`)], ["1", "2"]);
  });

  test(`${R}: a command refused when queued discards the whole transaction`, async () => {
    await using r = await client();
    await r.del(`${p}q`);
    const pipe = r.pipeline().set(`${p}q`, "1").sendCommand("NO-SUCH-COMMAND"); // refused when queued
    await assert.rejects(
      pipe.exec(),
      (e) => e instanceof ResponseError && /unknown command/i.test(e.message),
    );
    assert.equal(await r.get(`${p}q`), null, "EXECABORT: nothing was applied");
  });

  test(`${R}: a bad argument fails the batch before anything is sent`, async () => {
    await using r = await client();
    await r.del(`${p}never`);
    for (const transaction of [true, false]) {
      const pipe = r.pipeline({ transaction }).set(`${p}never`, "1").set(`${p}x`, undefined as never);
      await assert.rejects(pipe.exec(), DataError);
      assert.equal(await r.get(`${p}never`), null);
    }
  });

  test(`${R}: pipelines are reusable, resettable and disposable`, async () => {
    await using r = await client();
    const pipe = r.pipeline({ transaction: false });
    assert.deepEqual(await pipe.echo("a").echo("b").exec(), ["a", "b"]);
    assert.deepEqual(await pipe.echo("c").execute(), ["c"]); // redis-py's name
    pipe.echo("dropped");
    pipe.reset();
    assert.equal(pipe.length, 0);
    assert.deepEqual(await pipe.exec(), []);
    {
      await using scoped = r.pipeline();
      scoped.set(`${p}scoped`, "1");
    }
    assert.equal(await r.get(`${p}scoped`), null, "disposing a pipeline drops what it queued");
  });

  test(`${R}: binary replies in a pipeline follow decodeResponses`, async () => {
    const s = await sharedRedis();
    await using r = new Redis({ host: s.host, port: s.port, protocol, decodeResponses: false });
    const bytes = new Uint8Array([0, 255, 1]);
    const [, back] = await r.pipeline().set(`${p}bin`, bytes).get(`${p}bin`).exec();
    assert.deepEqual(back, bytes);
  });
}
