// node-redis `createCluster` driver (RESP3, its default).
// C2: a node-redis cluster multi() is sent to the node of its first key, so it cannot span nodes; the
//     1,000 set() calls are issued in one tick and awaited with Promise.all (node-redis writes each node's
//     commands of one tick together).
// C3: cluster.mGet(keys): node-redis 6 splits a cross-slot MGET itself (one MGET per slot, values in order).
// C4: useReplicas: true: node-redis cycles each slot's reads over its primary and replicas (it has no
//     replicas-only mode).

import { createRequire } from "node:module";
import { createCluster } from "redis";
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
    mget: (keys) => cluster.mGet(keys),
    close: () => cluster.close(),
  };
});
