// node-redis `createCluster` driver (RESP3, its default).
// C2: a node-redis cluster multi() is sent to the node of its first key, so it cannot span nodes; the
//     1,000 set() calls are issued in one tick and awaited with Promise.all (node-redis writes each node's
//     commands of one tick together).
// C3: `cluster.mGet` across slots fails with CROSSSLOT, so the keys are grouped per slot (cluster-key-slot,
//     node-redis's own dependency), one mGet per slot with Promise.all, values put back in input order.
// C4: useReplicas: true: node-redis cycles each slot's reads over its primary and replicas (it has no
//     replicas-only mode).

import { createRequire } from "node:module";
import { createCluster } from "redis";
import calculateSlot from "cluster-key-slot";
import { runClusterDriver } from "./cluster-driver.mjs";

const version = createRequire(import.meta.url)("redis/package.json").version;

await runClusterDriver(async ({ nodes, replicas }) => {
  const cluster = createCluster({
    rootNodes: nodes.map(({ host, port }) => ({ socket: { host, port } })),
    useReplicas: replicas,
  });
  cluster.on("error", () => {}); // errors surface on the commands
  await cluster.connect();
  return {
    name: "node-redis cluster",
    version,
    get: (k) => cluster.get(k),
    set: (k, v) => cluster.set(k, v),
    pipelineSet(keys, values) {
      const replies = new Array(keys.length);
      for (let i = 0; i < keys.length; i++) replies[i] = cluster.set(keys[i], values[i]);
      return Promise.all(replies);
    },
    async mget(keys) {
      const groups = new Map();
      for (let i = 0; i < keys.length; i++) {
        const slot = calculateSlot(keys[i]);
        let list = groups.get(slot);
        if (list === undefined) groups.set(slot, list = []);
        list.push(i);
      }
      const out = new Array(keys.length);
      await Promise.all([...groups.values()].map(async (indexes) => {
        const values = await cluster.mGet(indexes.map((i) => keys[i]));
        for (let j = 0; j < indexes.length; j++) out[indexes[j]] = values[j];
      }));
      return out;
    },
    close: () => cluster.close(),
  };
});
