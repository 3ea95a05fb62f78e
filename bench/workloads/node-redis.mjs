// node-redis (`redis` package) driver. BENCH_PROTOCOL sets its RESP option (redis@6's own default is RESP3:
// @redis/client DEFAULT_RESP = 3). W3 uses multi().execAsPipeline() (no MULTI/EXEC), or
// Promise.all of 1,000 set() calls in one tick with BENCH_VARIANT=promiseall (node-redis batches the
// writes of one tick as well).

import process from "node:process";
import { createRequire } from "node:module";
import { createClient, createClientPool } from "redis";
import { runDriver } from "./driver.mjs";

const version = createRequire(import.meta.url)("redis/package.json").version;
const promiseAll = process.env.BENCH_VARIANT === "promiseall";

await runDriver(async ({ host, port, protocol }) => {
  const options = { socket: { host, port }, RESP: protocol };
  const r = createClient(options);
  r.on("error", () => {}); // errors surface on the commands
  await r.connect();
  if ((await r.ping()) !== "PONG") throw new Error("PING failed");
  return {
    name: `node-redis RESP${protocol}${promiseAll ? " promiseall" : ""}`,
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
