// uniredis `RedisCluster` driver (RESP3, its default). UNIREDIS_MODULE as in uniredis.mjs (the npm build on
// Node, mod.ts on Deno and Bun).
// C2: rc.pipeline({ transaction: false }): one write per node, replies in the caller's order.
// C3: rc.mget(keys): split per slot by the client, one MGET per slot, values back in input order.
// C4: loadBalancingStrategy "round_robin_replicas": reads go to the slot's replicas only.

import process from "node:process";
import { pathToFileURL } from "node:url";
import { runClusterDriver } from "./cluster-driver.mjs";

const modulePath = process.env.UNIREDIS_MODULE;
if (!modulePath) throw new Error("UNIREDIS_MODULE is not set");
const { RedisCluster, VERSION } = await import(pathToFileURL(modulePath).href);

await runClusterDriver(async ({ nodes, replicas }) => {
  const rc = new RedisCluster({
    startupNodes: nodes,
    ...(replicas ? { loadBalancingStrategy: "round_robin_replicas" } : {}),
  });
  await rc.initialize();
  if ((await rc.ping()) !== true) throw new Error("PING failed");
  return {
    name: "uniredis RedisCluster",
    version: VERSION,
    get: (k) => rc.get(k),
    set: (k, v) => rc.set(k, v),
    pipelineSet(keys, values) {
      const pipe = rc.pipeline({ transaction: false });
      for (let i = 0; i < keys.length; i++) pipe.set(keys[i], values[i]);
      return pipe.exec();
    },
    mget: (keys) => rc.mget(keys),
    close: () => rc.close(),
  };
});
