// uniredis driver. UNIREDIS_MODULE is the module to import: the npm build (npm/esm/mod.js, copied by the
// runner) on Node, the source mod.ts on Deno and Bun. BENCH_PROTOCOL picks RESP3 (the default) or RESP2.
// W3 is "issue 1,000 SETs in one tick and await Promise.all": automatic pipelining puts them in one write.

import process from "node:process";
import { pathToFileURL } from "node:url";
import { runDriver } from "./driver.mjs";

const modulePath = process.env.UNIREDIS_MODULE;
if (!modulePath) throw new Error("UNIREDIS_MODULE is not set");
const { Redis, VERSION } = await import(pathToFileURL(modulePath).href);

await runDriver(async ({ host, port, protocol }) => {
  const options = { host, port, protocol };
  const r = new Redis(options);
  const hello = await r.ping();
  if (hello !== true) throw new Error(`PING returned ${hello}`);
  return {
    name: `uniredis RESP${r.serverHello?.protocol ?? protocol}`,
    version: VERSION,
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
      const c = new Redis(options);
      if ((await c.ping()) !== true) throw new Error("PING failed");
      await c.close();
    },
    close: () => r.close(),
  };
});
