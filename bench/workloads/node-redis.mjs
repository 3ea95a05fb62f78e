// node-redis driver, for both majors: BENCH_PACKAGE names the package to load (`redis` is 6.x, `redis5` an
// npm alias of redis@5), each with its own @redis/client. BENCH_PROTOCOL sets its RESP option (the default
// is RESP3 in 6.x, @redis/client DEFAULT_RESP = 3, and RESP2 in 5.x). W3 uses multi().execAsPipeline()
// (no MULTI/EXEC), or Promise.all of 1,000 set() calls in one tick with BENCH_VARIANT=promiseall
// (node-redis batches the writes of one tick as well). node-redis 6 gives every command a 5 s timeout by
// default (DEFAULT_COMMAND_TIMEOUT in @redis/client, an AbortSignal.timeout() per command); with
// BENCH_VARIANT=notimeout it runs with commandOptions.timeout 0, as 5.x does by default.

import process from "node:process";
import { createRequire } from "node:module";
import { runDriver } from "./driver.mjs";

const pkg = process.env.BENCH_PACKAGE || "redis";
const { createClient, createClientPool } = await import(pkg);
const version = createRequire(import.meta.url)(`${pkg}/package.json`).version;
const promiseAll = process.env.BENCH_VARIANT === "promiseall";
const noTimeout = process.env.BENCH_VARIANT === "notimeout";

await runDriver(async ({ host, port, protocol }) => {
  const options = { socket: { host, port }, RESP: protocol };
  if (noTimeout) options.commandOptions = { timeout: 0 };
  const r = createClient(options);
  r.on("error", () => {}); // errors surface on the commands
  await r.connect();
  if ((await r.ping()) !== "PONG") throw new Error("PING failed");
  return {
    name: `node-redis ${version} RESP${protocol}${promiseAll ? " promiseall" : ""}${
      noTimeout ? " notimeout" : ""
    }`,
    version,
    get: (k) => r.get(k),
    set: (k, v) => r.set(k, v),
    lrange: (k) => r.lRange(k, 0, -1),
    hgetall: (k) => r.hGetAll(k),
    pipelineSet(keys, values) {
      if (promiseAll) {
        const replies = new Array(keys.length);
        for (let i = 0; i < keys.length; i++) replies[i] = r.set(keys[i], values[i]);
        return Promise.all(replies);
      }
      const m = r.multi();
      for (let i = 0; i < keys.length; i++) m.set(keys[i], values[i]);
      return m.execAsPipeline();
    },
    async connectPingClose() {
      const c = createClient(options);
      c.on("error", () => {});
      await c.connect();
      if ((await c.ping()) !== "PONG") throw new Error("PING failed");
      await c.close();
    },
    // Scaling "pool" curve: one createClientPool of n connections; each command takes a free one.
    async pool(n) {
      const p = createClientPool(options, { minimum: n, maximum: n });
      p.on("error", () => {});
      await p.connect();
      return { get: (_w, k) => p.get(k), close: () => p.close() };
    },
    close: () => r.close(),
  };
});
