// Pipelines and MULTI/EXEC transactions against a real server, under RESP2 and RESP3.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Command, DataError, ExecAbortError, PipelineImpl, Redis, ResponseError } from "../mod.ts";
import { freePort, sharedRedis } from "./harness/mod.ts";
import { commandCalls } from "./support/async.ts";

for (const protocol of [2, 3] as const) {
  const R = `RESP${protocol}`;
  const p = `pipe:${protocol}:`;
  const client = async () => {
    const s = await sharedRedis();
    return new Redis({ host: s.host, port: s.port, protocol });
  };

  for (const transaction of [false, true]) {
    const kind = transaction ? "transaction" : "pipeline";
    test(`${R}: a ${kind} applies response callbacks to the replies, never to QUEUED`, async () => {
      await using r = await client();
      const seen: unknown[] = [];
      r.setResponseCallback("GET", (reply) => {
        seen.push(reply);
        return reply === null ? 0 : Number(reply);
      });
      await r.set(`${p}cb:${kind}`, "41");
      const [n, missing] = await r.pipeline({ transaction }).get(`${p}cb:${kind}`).get(`${p}cb:none`).exec();
      assert.deepEqual([n, missing], [41, 0]);
      assert.deepEqual(seen, ["41", null], "the callback saw the two GET replies and nothing else");
    });
  }

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

  for (const transaction of [true, false]) {
    const kind = transaction ? "transaction" : "pipeline";
    test(`${R}: a ${kind} error raised by exec() names the command and its position, as redis-py`, async () => {
      await using r = await client();
      await r.set(`${p}label`, "not a list");
      const wrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
      await assert.rejects(
        r.pipeline({ transaction }).set(`${p}ok`, "1").echo("x").lpush(`${p}label`, "c", 3).exec(),
        (e) => {
          assert.ok(e instanceof ResponseError, String(e));
          assert.equal(e.message, `Command # 3 (LPUSH ${p}label c 3) of pipeline caused error: ${wrongType}`);
          assert.equal(e.code, "WRONGTYPE");
          return true;
        },
      );
      // A long argument is shortened as redis-py's truncate_text does.
      await assert.rejects(
        r.pipeline({ transaction }).lpush(`${p}label`, "v".repeat(500)).exec(),
        (e) =>
          e instanceof ResponseError &&
          e.message === `Command # 1 (LPUSH ${p}label...) of pipeline caused error: ${wrongType}`,
      );
      // raiseOnError: false leaves the errors in place with the server's text (redis-py annotates only what it raises).
      const replies: unknown[] = await r.pipeline({ transaction, raiseOnError: false }).lpush(
        `${p}label`,
        "x",
      ).exec();
      assert.ok(replies[0] instanceof ResponseError);
      assert.equal(replies[0].message, wrongType);
    });
  }

  test(`${R}: a command refused inside MULTI (EXECABORT) is raised with its position`, async () => {
    await using r = await client();
    await assert.rejects(
      r.pipeline().set(`${p}q`, "1").sendCommand("NO-SUCH-COMMAND", "a").exec(),
      (e) => {
        assert.ok(e instanceof ResponseError && !(e instanceof ExecAbortError), String(e));
        assert.match(
          e.message,
          /^Command # 2 \(NO-SUCH-COMMAND a\) of pipeline caused error: ERR unknown command/,
        );
        assert.equal(e.code, "ERR");
        return true;
      },
    );
  });

  for (const transaction of [true, false]) {
    const kind = transaction ? "transaction" : "pipeline";
    test(`${R}: a command answered locally in a ${kind} is not sent; its value keeps its place`, async () => {
      await using r = await client();
      await using stats = await client();
      await r.set(`${p}local`, "server");
      const [gets, sets] = [await commandCalls(stats, "get"), await commandCalls(stats, "set")];
      const pipe = new PipelineImpl(r, { transaction });
      pipe.set(`${p}local:w`, "1");
      // Its argument could not even be encoded: it is never sent, so the batch is still valid.
      pipe.execute(new Command<string>("GET").key(`${p}local`).arg(undefined as never).answer("local"));
      pipe.get(`${p}local`);
      assert.deepEqual(await pipe.exec(), [true, "local", "server"]);
      assert.equal(await commandCalls(stats, "get"), gets + 1, "only the other GET reached the server");
      assert.equal(await commandCalls(stats, "set"), sets + 1);
    });
  }

  test(`${R}: a batch of only local replies needs no server at all`, async () => {
    await using r = new Redis({ port: await freePort(), protocol }); // nothing listens there
    for (const transaction of [true, false]) {
      const pipe = new PipelineImpl(r, { transaction });
      pipe.execute(new Command<unknown[]>("MGET").answer([]));
      pipe.execute(new Command<string>("GET").key("k").answer("v"));
      assert.deepEqual(await pipe.exec(), [[], "v"]);
    }
  });

  test(`${R}: the queued phase of a watched transaction splices local replies into the EXEC replies`, async () => {
    await using r = await client();
    await using stats = await client();
    await r.set(`${p}wlocal`, "server");
    const gets = await commandCalls(stats, "get");
    await using watched = await r.pipeline().watch(`${p}wlocal`);
    const queued = watched.multi() as unknown as PipelineImpl;
    queued.execute(new Command<string>("GET").key(`${p}wlocal`).answer("local"));
    queued.get(`${p}wlocal`);
    queued.execute(new Command<number>("INCR").key(`${p}wlocal`).answer(7));
    assert.deepEqual(await queued.exec(), ["local", "server", 7]);
    assert.equal(await commandCalls(stats, "get"), gets + 1);
  });
}
