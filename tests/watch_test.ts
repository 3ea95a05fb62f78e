// WATCH transactions against a real server: the immediate and queued phases, WatchError on a concurrent
// write, and transaction() retrying under contention.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Redis, RedisError, ResponseError, WatchError } from "../mod.ts";
import { sharedRedis } from "./harness/mod.ts";
import { commandCalls } from "./support/async.ts";

for (const protocol of [2, 3] as const) {
  const R = `RESP${protocol}`;
  const p = `watch:${protocol}:`;
  const client = async () => {
    const s = await sharedRedis();
    return new Redis({ host: s.host, port: s.port, protocol });
  };

  test(`${R}: immediate reads, a queued transaction, and its typed replies`, async () => {
    await using r = await client();
    await r.set(`${p}balance`, "100");
    await using pipe = await r.pipeline().watch(`${p}balance`);
    const balance: string | null = await pipe.get(`${p}balance`); // immediate: a real reply
    assert.equal(balance, "100");
    const [set, value] = await pipe.multi().set(`${p}balance`, Number(balance) + 10).get(`${p}balance`)
      .exec();
    assert.equal(set, true);
    assert.equal(value, "110");
    assert.equal(await r.get(`${p}balance`), "110");
  });

  test(`${R}: a write to a watched key by another client makes EXEC fail with WatchError`, async () => {
    await using r = await client();
    await using writer = await client();
    await r.set(`${p}k`, "1");
    await using pipe = await r.pipeline().watch(`${p}k`);
    const v = await pipe.get(`${p}k`);
    await writer.set(`${p}k`, "changed");
    await assert.rejects(pipe.multi().set(`${p}k`, `${v}+1`).exec(), WatchError);
    assert.equal(await r.get(`${p}k`), "changed", "the transaction was discarded");
  });

  test(`${R}: transaction() retries until it succeeds under 20 concurrent incrementers`, async () => {
    const clients = await Promise.all(Array.from({ length: 4 }, client));
    try {
      await clients[0].set(`${p}counter`, "0");
      let attempts = 0;
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          clients[i % clients.length].transaction(async (pipe) => {
            attempts++;
            const n = Number(await pipe.get(`${p}counter`));
            await new Promise((resolve) => setTimeout(resolve, 1)); // widen the race window
            pipe.multi().set(`${p}counter`, n + 1);
          }, `${p}counter`)),
      );
      assert.equal(await clients[0].get(`${p}counter`), "20", "every increment applied exactly once");
      assert.ok(attempts > 20, `contention caused retries (${attempts} attempts)`);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  test(`${R}: transaction() with valueFromCallable; its WATCH connection goes back to the pool and is reused`, async () => {
    await using r = await client();
    await r.set(`${p}v`, "5");
    const before = (await r.clientList()).length;
    const doubled = await r.transaction(
      async (pipe) => {
        const n = Number(await pipe.get(`${p}v`));
        pipe.multi().set(`${p}v`, n * 2);
        return n * 2;
      },
      `${p}v`,
      { valueFromCallable: true },
    );
    assert.equal(doubled, 10);
    const replies = await r.transaction((pipe) => {
      pipe.multi().incr(`${p}v`);
    }, `${p}v`);
    assert.deepEqual(replies, [11]);
    assert.equal(
      (await r.clientList()).length,
      before + 1,
      "both transactions used the same pooled connection",
    );
    assert.equal(r.connectionPool.inUseCount, 0);
    assert.equal(r.connectionPool.idleCount, 1);
    const watching = (await r.clientList()).filter((c) =>
      String(c.flags).includes("x") || Number(c.watch ?? 0) > 0
    );
    assert.deepEqual(watching, [], "the idle connection watches nothing");
  });

  test(`${R}: an empty transaction after watch() still sends MULTI/EXEC and sees the conflict`, async () => {
    await using r = await client();
    await using writer = await client();
    await r.set(`${p}empty`, "1");
    {
      await using pipe = await r.pipeline().watch(`${p}empty`);
      await writer.set(`${p}empty`, "2");
      await assert.rejects(pipe.multi().exec(), WatchError, "multi() with nothing queued");
    }
    {
      await using pipe = await r.pipeline().watch(`${p}empty`);
      await writer.set(`${p}empty`, "3");
      await assert.rejects(pipe.exec(), WatchError, "exec() without multi()");
    }
    // Without a conflict the empty transaction succeeds: EXEC was sent and replied [].
    const execs = await commandCalls(writer, "exec");
    {
      await using pipe = await r.pipeline().watch(`${p}empty`);
      assert.deepEqual(await pipe.multi().exec(), []);
    }
    assert.equal(await commandCalls(writer, "exec"), execs + 1, "one EXEC reached the server");
  });

  test(`${R}: transaction() whose callback queues nothing retries after a conflict`, async () => {
    await using r = await client();
    await using writer = await client();
    await r.set(`${p}nothing`, "1");
    let attempts = 0;
    const replies = await r.transaction(async (pipe) => {
      attempts++;
      await pipe.get(`${p}nothing`);
      if (attempts === 1) await writer.set(`${p}nothing`, "changed");
    }, `${p}nothing`);
    assert.deepEqual(replies, []);
    assert.equal(attempts, 2, "the write between WATCH and EXEC was seen");
  });

  test(`${R}: an empty plain pipeline resolves to [] without a round trip`, async () => {
    await using r = await client();
    await using stats = await client();
    const [multis, execs] = [await commandCalls(stats, "multi"), await commandCalls(stats, "exec")];
    assert.deepEqual(await r.pipeline().exec(), []);
    assert.deepEqual(await r.pipeline({ transaction: false }).exec(), []);
    assert.deepEqual([await commandCalls(stats, "multi"), await commandCalls(stats, "exec")], [
      multis,
      execs,
    ]);
  });

  test(`${R}: transaction() sends no UNWATCH after EXEC, committed or discarded`, async () => {
    await using r = await client();
    await using writer = await client();
    await r.set(`${p}nounwatch`, "0");
    const [unwatches, execs] = [await commandCalls(writer, "unwatch"), await commandCalls(writer, "exec")];
    for (let i = 0; i < 3; i++) {
      await r.transaction(async (pipe) => {
        const n = Number(await pipe.get(`${p}nounwatch`));
        pipe.multi().set(`${p}nounwatch`, n + 1);
      }, `${p}nounwatch`);
    }
    let attempts = 0;
    await r.transaction(async (pipe) => {
      attempts++;
      const n = Number(await pipe.get(`${p}nounwatch`));
      if (attempts === 1) await writer.set(`${p}nounwatch`, "100"); // the first EXEC is discarded
      pipe.multi().set(`${p}nounwatch`, n + 1);
    }, `${p}nounwatch`);
    assert.equal(attempts, 2);
    assert.equal(await r.get(`${p}nounwatch`), "101");
    assert.equal(
      await commandCalls(writer, "exec"),
      execs + 5,
      "five EXECs: three commits, one discarded, one commit",
    );
    assert.equal(await commandCalls(writer, "unwatch"), unwatches, "EXEC unwatched: no UNWATCH was sent");
  });

  test(`${R}: a callback that throws before EXEC, or reset() while watching, sends UNWATCH and leaves a clean connection`, async () => {
    await using r = await client();
    await using writer = await client();
    await r.set(`${p}thrown`, "1");
    const unwatches = await commandCalls(writer, "unwatch");
    await assert.rejects(
      r.transaction(async (pipe) => {
        await pipe.get(`${p}thrown`);
        throw new RangeError("callback failed");
      }, `${p}thrown`),
      RangeError,
    );
    assert.equal(await commandCalls(writer, "unwatch"), unwatches + 1, "UNWATCH after the callback threw");
    const pipe = await r.pipeline().watch(`${p}thrown`);
    await pipe.reset();
    assert.equal(await commandCalls(writer, "unwatch"), unwatches + 2, "UNWATCH on reset() while watching");
    assert.equal(r.connectionPool.inUseCount, 0);
    assert.equal(r.connectionPool.idleCount, 1);
    // The pooled connection watches nothing: a write to the old key does not discard its next transaction.
    await using again = await r.pipeline().watch(`${p}other`);
    await writer.set(`${p}thrown`, "2");
    assert.deepEqual(await again.multi().set(`${p}other`, "x").exec(), [true], "the old key is not watched");
  });

  test(`${R}: a transaction aborted by EXECABORT sends no UNWATCH and leaves a clean connection`, async () => {
    await using r = await client();
    await using writer = await client();
    await r.set(`${p}abort`, "1");
    const unwatches = await commandCalls(writer, "unwatch");
    {
      await using pipe = await r.pipeline().watch(`${p}abort`);
      await assert.rejects(
        pipe.multi().set(`${p}abort`, "2").sendCommand("NO-SUCH-COMMAND").exec(),
        ResponseError,
      );
    }
    assert.equal(
      await commandCalls(writer, "unwatch"),
      unwatches,
      "EXECABORT unwatched: no UNWATCH was sent",
    );
    assert.equal(r.connectionPool.idleCount, 1);
    await using again = await r.pipeline().watch(`${p}abort:other`);
    await writer.set(`${p}abort`, "3");
    assert.deepEqual(
      await again.multi().set(`${p}abort:other`, "x").exec(),
      [true],
      "the old key is not watched",
    );
  });

  test(`${R}: a second multi() is refused (nested MULTI, as redis-py) and keeps what the first one queued`, async () => {
    await using r = await client();
    await using pipe = await r.pipeline().watch(`${p}nested`);
    const queued = pipe.multi().set(`${p}nested`, "1");
    assert.throws(
      () => pipe.multi(),
      (e) => e instanceof RedisError && /nested calls to MULTI/.test(e.message),
    );
    assert.deepEqual(await queued.get(`${p}nested`).exec(), [true, "1"]);
  });

  test(`${R}: watching is true from watch() until EXEC or reset(), false on a plain pipeline`, async () => {
    await using r = await client();
    const plain = r.pipeline();
    assert.equal(plain.watching, false);
    const pipe = await r.pipeline().watch(`${p}w`);
    assert.equal(pipe.watching, true);
    await pipe.get(`${p}w`);
    assert.equal(pipe.watching, true, "immediate commands keep the WATCH");
    const queued = pipe.multi().set(`${p}w`, "1");
    assert.equal(pipe.watching, true, "multi() keeps the keys watched until EXEC (as redis-py)");
    assert.equal(queued.watching, true, "the queued pipeline reports the same state");
    await queued.exec();
    assert.equal(pipe.watching, false, "EXEC unwatched");
    assert.equal(queued.watching, false);
    const reset = await r.pipeline().watch(`${p}w`);
    await reset.reset();
    assert.equal(reset.watching, false, "reset() unwatched");
  });

  test(`${R}: a watched pipeline refuses commands once its connection went back to the pool`, async () => {
    await using r = await client();
    await r.set(`${p}done`, "1");
    const pipe = await r.pipeline().watch(`${p}done`);
    assert.deepEqual(await pipe.multi().set(`${p}done`, "2").exec(), [true]);
    assert.equal(r.connectionPool.inUseCount, 0, "EXEC gave the connection back");
    await assert.rejects(pipe.get(`${p}done`), RedisError);
    await assert.rejects(pipe.multi().set(`${p}done`, "3").exec(), RedisError);
    assert.equal(
      await r.get(`${p}done`),
      "2",
      "nothing was sent on a connection the pipeline no longer owns",
    );
  });
}
