// WATCH transactions against a real server: the immediate and queued phases, WatchError on a concurrent
// write, and transaction() retrying under contention.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Redis, WatchError } from "../mod.ts";
import { sharedRedis } from "./harness/mod.ts";

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
}
