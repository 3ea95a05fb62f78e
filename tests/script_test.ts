// Registered Lua scripts (EVALSHA with transparent reload) against a real server, on clients and pipelines.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Redis, ResponseError } from "../mod.ts";
import { startRedis } from "./harness/mod.ts";

// A private server: these tests flush the script cache.
const server = startRedis();

for (const protocol of [2, 3] as const) {
  const R = `RESP${protocol}`;
  const p = `script:${protocol}:`;
  const client = async () => {
    const s = await server;
    return new Redis({ host: s.host, port: s.port, protocol });
  };

  test(`${R}: a registered script runs by digest and survives SCRIPT FLUSH`, async () => {
    await using r = await client();
    const incrBy = r.registerScript("return redis.call('INCRBY', KEYS[1], ARGV[1])");
    assert.match(incrBy.sha, /^[0-9a-f]{40}$/);
    await r.del(`${p}n`);
    assert.equal(await incrBy.run({ keys: [`${p}n`], args: [5] }), 5);
    assert.deepEqual(await r.scriptExists(incrBy.sha), [true], "the digest is the one Redis computed");
    assert.equal(await r.scriptFlush(), true);
    assert.deepEqual(await r.scriptExists(incrBy.sha), [false]);
    assert.equal(await incrBy.run({ keys: [`${p}n`], args: [2] }), 7, "reloaded transparently");
    assert.deepEqual(await r.scriptExists(incrBy.sha), [true]);
  });

  test(`${R}: a script on a pipeline is loaded before the batch is sent`, async () => {
    await using r = await client();
    const setAndGet = r.registerScript(
      "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])",
    );
    await r.scriptFlush();
    for (const transaction of [true, false]) {
      const [first, length, second] = await setAndGet.run({
        keys: [`${p}k`],
        args: [`v-${transaction}`],
        client: r.pipeline({ transaction }),
      })
        .strlen(`${p}k`)
        .sendCommand("GET", `${p}k`)
        .exec();
      assert.equal(first, `v-${transaction}`);
      assert.equal(length, `v-${transaction}`.length);
      assert.equal(second, `v-${transaction}`);
      await r.scriptFlush();
    }
  });

  test(`${R}: a script error rejects with the server's error; another client can run the script`, async () => {
    await using r = await client();
    await using other = await client();
    const failing = r.registerScript("return redis.error_reply('ERR custom failure')");
    await assert.rejects(
      failing.run(),
      (e) => e instanceof ResponseError && /custom failure/.test(e.message),
    );
    const echo = r.registerScript("return ARGV[1]");
    assert.equal(await echo.run({ args: ["from other"], client: other }), "from other");
  });
}
