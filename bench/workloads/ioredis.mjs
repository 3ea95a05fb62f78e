// ioredis driver (RESP2 only). BENCH_VARIANT=autopipeline turns on enableAutoPipelining (off by default).
// W3 uses .pipeline().exec(). W6 closes with disconnect() and waits for "end" (quit() would add a round trip).

import process from "node:process";
import { createRequire } from "node:module";
import IORedis from "ioredis";
import { runDriver } from "./driver.mjs";

const version = createRequire(import.meta.url)("ioredis/package.json").version;
const autoPipelining = process.env.BENCH_VARIANT === "autopipeline";

function closed(c) {
  return new Promise((resolve) => {
    if (c.status === "end") return resolve();
    c.once("end", resolve);
    c.disconnect();
  });
}

await runDriver(async ({ host, port }) => {
  const options = { host, port, enableAutoPipelining: autoPipelining };
  const r = new IORedis(options);
  if ((await r.ping()) !== "PONG") throw new Error("PING failed");
  return {
    name: autoPipelining ? "ioredis autopipeline" : "ioredis",
    version,
    get: (k) => r.get(k),
    set: (k, v) => r.set(k, v),
    lrange: (k) => r.lrange(k, 0, -1),
    hgetall: (k) => r.hgetall(k),
    async pipelineSet(keys, values) {
      const p = r.pipeline();
      for (let i = 0; i < keys.length; i++) p.set(keys[i], values[i]);
      const results = await p.exec();
      return results.map(([error, reply]) => {
        if (error) throw error;
        return reply;
      });
    },
    async connectPingClose() {
      const c = new IORedis(options);
      if ((await c.ping()) !== "PONG") throw new Error("PING failed");
      await closed(c);
    },
    // Scaling "pool" curve: ioredis has no pool, so n clients are n IORedis connections.
    async pool(n) {
      const clients = Array.from({ length: n }, () => new IORedis(options));
      await Promise.all(clients.map((c) => c.ping()));
      return {
        get: (w, k) => clients[w].get(k),
        close: () => Promise.all(clients.map(closed)),
      };
    },
    close: () => closed(r),
  };
});
