// uniredis driver. UNIREDIS_MODULE is the module to import: the npm build (npm/esm/mod.js, copied by the
// runner) on Node, the source mod.ts on Deno and Bun. BENCH_PROTOCOL picks RESP3 (the default) or RESP2.
// W3 uses the explicit pipeline API, r.pipeline({ transaction: false }), which sends the batch in one write.

import process from "node:process";
import { pathToFileURL } from "node:url";
import { runDriver } from "./driver.mjs";

const modulePath = process.env.UNIREDIS_MODULE;
if (!modulePath) throw new Error("UNIREDIS_MODULE is not set");
const { BlockingConnectionPool, Redis, VERSION } = await import(pathToFileURL(modulePath).href);
// BENCH_VARIANT=otel: every command and batch traced and measured (bench/workloads/otel_sdk.mjs).
const otel = process.env.BENCH_VARIANT === "otel"
  ? await (await import("./otel_sdk.mjs")).otelSetup(modulePath.replace(/mod\.(js|ts)$/, "otel.$1"))
  : undefined;

await runDriver(async ({ host, port, protocol }) => {
  const options = { host, port, protocol };
  const r = new Redis(options);
  otel?.instrument(r);
  const hello = await r.ping();
  if (hello !== true) throw new Error(`PING returned ${hello}`);
  return {
    name: `uniredis RESP${r.serverHello?.protocol ?? protocol}${otel ? " + OTel" : ""}`,
    version: VERSION,
    get: (k) => r.get(k),
    set: (k, v) => r.set(k, v),
    lrange: (k) => r.lrange(k, 0, -1),
    hgetall: (k) => r.hgetall(k),
    // The explicit pipeline API (no MULTI/EXEC, like the peers' pipelines).
    pipelineSet(keys, values) {
      const pipe = r.pipeline({ transaction: false });
      for (let i = 0; i < keys.length; i++) pipe.set(keys[i], values[i]);
      return pipe.exec();
    },
    async connectPingClose() {
      const c = new Redis(options);
      const instrumented = otel?.instrument(c);
      if ((await c.ping()) !== true) throw new Error("PING failed");
      await c.close();
      instrumented?.remove();
    },
    // Scaling "pool" curve: n clients on one BlockingConnectionPool of n connections, each client
    // holding one for its lifetime (singleConnectionClient), so n commands are on n sockets at once.
    async pool(n) {
      const shared = new BlockingConnectionPool({ host, port, protocol, maxConnections: n });
      const clients = Array.from(
        { length: n },
        () => new Redis({ connectionPool: shared, singleConnectionClient: true }),
      );
      await Promise.all(clients.map((c) => c.ping()));
      return {
        get: (w, k) => clients[w].get(k),
        close: async () => {
          await Promise.all(clients.map((c) => c.close()));
          await shared.disconnect();
        },
      };
    },
    close: () => r.close(),
  };
});
