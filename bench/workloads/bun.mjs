// Bun's built-in client (`import { RedisClient } from "bun"`): RESP3 only, automatic pipelining on by
// default. W3 issues 1,000 set() calls in one tick and awaits Promise.all, as for uniredis.
// close() is synchronous; W6 does not wait for the socket to be released.

import { RedisClient } from "bun";
import { runDriver } from "./driver.mjs";

await runDriver(async ({ host, port }) => {
  const url = `redis://${host}:${port}`;
  const r = new RedisClient(url);
  await r.connect();
  if ((await r.ping()) !== "PONG") throw new Error("PING failed");
  return {
    name: "bun RedisClient",
    version: Bun.version,
    get: (k) => r.get(k),
    set: (k, v) => r.set(k, v),
    lrange: (k) => r.lrange(k, 0, -1),
    hgetall: (k) => r.hgetall(k),
    pipelineSet(keys, values) {
      const n = keys.length;
      const replies = new Array(n);
      for (let i = 0; i < n; i++) replies[i] = r.set(keys[i], values[i]);
      return Promise.all(replies);
    },
    async connectPingClose() {
      const c = new RedisClient(url);
      if ((await c.ping()) !== "PONG") throw new Error("PING failed");
      c.close();
    },
    // Scaling "pool" curve: Bun's client has no pool, so n clients are n RedisClient connections.
    async pool(n) {
      const clients = Array.from({ length: n }, () => new RedisClient(url));
      await Promise.all(clients.map((c) => c.connect()));
      return { get: (w, k) => clients[w].get(k), close: () => clients.forEach((c) => c.close()) };
    },
    close: () => r.close(),
  };
});
