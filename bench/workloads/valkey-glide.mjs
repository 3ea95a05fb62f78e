// Valkey GLIDE driver (@valkey/valkey-glide: a Rust core in the process via napi, its own thread pool).
// Documented defaults: RESP3, requestTimeout 250 ms, replies decoded to strings. W3 sends a non-atomic
// Batch (a pipeline, no MULTI/EXEC) with exec(batch, true). HGETALL answers a list of { field, value }
// (glide's documented shape; the driver checks it as it is, without building an object).

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Batch, GlideClient } from "@valkey/valkey-glide";
import { runDriver } from "./driver.mjs";

// package.json is not in the package's exports; it sits above build-ts/index.js.
const main = createRequire(import.meta.url).resolve("@valkey/valkey-glide");
const version = JSON.parse(readFileSync(join(dirname(main), "..", "package.json"), "utf8")).version;

await runDriver(async ({ host, port }) => {
  const options = { addresses: [{ host, port }] };
  const r = await GlideClient.createClient(options);
  if ((await r.ping()) !== "PONG") throw new Error("PING failed");
  return {
    name: "valkey-glide",
    version,
    get: (k) => r.get(k),
    set: (k, v) => r.set(k, v),
    lrange: (k) => r.lrange(k, 0, -1),
    hgetall: (k) => r.hgetall(k),
    async pipelineSet(keys, values) {
      const batch = new Batch(false);
      for (let i = 0; i < keys.length; i++) batch.set(keys[i], values[i]);
      return (await r.exec(batch, true)) ?? [];
    },
    async connectPingClose() {
      const c = await GlideClient.createClient(options);
      if ((await c.ping()) !== "PONG") throw new Error("PING failed");
      c.close();
    },
    // Scaling "pool" curve: glide has no pool (one client multiplexes), so n clients are n GlideClients, as
    // for ioredis.
    async pool(n) {
      const clients = await Promise.all(Array.from({ length: n }, () => GlideClient.createClient(options)));
      return {
        get: (w, k) => clients[w].get(k),
        close: () => clients.forEach((c) => c.close()),
      };
    },
    close: () => r.close(),
  };
});
