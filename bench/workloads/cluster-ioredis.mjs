// ioredis `Cluster` driver (RESP2 only). BENCH_VARIANT=autopipeline turns on enableAutoPipelining.
// C2: an ioredis cluster pipeline must keep its keys on one node ("All keys in the pipeline should belong
//     to the same slots allocation group"), so the keys are grouped by the owner ioredis's own slot table
//     (`cluster.slots`) names, one `cluster.pipeline()` per node, sent together with Promise.all; with
//     autopipelining, 1,000 set() calls in one tick and Promise.all (ioredis batches them per node).
// C3: `cluster.mget` across slots fails with CROSSSLOT, so the keys are grouped per slot (cluster-key-slot,
//     ioredis's own dependency), one mget per slot with Promise.all, values put back in input order.
// C4: scaleReads: "slave": reads go to the replicas only.

import process from "node:process";
import { createRequire } from "node:module";
import { Cluster } from "ioredis";
import calculateSlot from "cluster-key-slot";
import { runClusterDriver } from "./cluster-driver.mjs";

const version = createRequire(import.meta.url)("ioredis/package.json").version;
const autoPipelining = process.env.BENCH_VARIANT === "autopipeline";

/** Groups key indexes by `groupOf(key)`; resolves to the results of `run(indexes)` put back in order. */
async function grouped(keys, groupOf, run) {
  const groups = new Map();
  for (let i = 0; i < keys.length; i++) {
    const g = groupOf(keys[i]);
    let list = groups.get(g);
    if (list === undefined) groups.set(g, list = []);
    list.push(i);
  }
  const out = new Array(keys.length);
  await Promise.all([...groups.values()].map(async (indexes) => {
    const replies = await run(indexes);
    for (let j = 0; j < indexes.length; j++) out[indexes[j]] = replies[j];
  }));
  return out;
}

await runClusterDriver(async ({ nodes, replicas }) => {
  const cluster = new Cluster(nodes, {
    enableAutoPipelining: autoPipelining,
    ...(replicas ? { scaleReads: "slave" } : {}),
  });
  if ((await cluster.ping()) !== "PONG") throw new Error("PING failed");
  const ownerOf = (k) => cluster.slots[calculateSlot(k)][0];
  return {
    name: autoPipelining ? "ioredis Cluster autopipeline" : "ioredis Cluster",
    version,
    get: (k) => cluster.get(k),
    set: (k, v) => cluster.set(k, v),
    pipelineSet(keys, values) {
      if (autoPipelining) {
        const replies = new Array(keys.length);
        for (let i = 0; i < keys.length; i++) replies[i] = cluster.set(keys[i], values[i]);
        return Promise.all(replies);
      }
      return grouped(keys, ownerOf, async (indexes) => {
        const p = cluster.pipeline();
        for (const i of indexes) p.set(keys[i], values[i]);
        const results = await p.exec();
        return results.map(([error, reply]) => {
          if (error) throw error;
          return reply;
        });
      });
    },
    mget: (keys) => grouped(keys, calculateSlot, (indexes) => cluster.mget(indexes.map((i) => keys[i]))),
    close: () =>
      new Promise((resolve) => {
        if (cluster.status === "end") return resolve();
        cluster.once("end", resolve);
        cluster.disconnect();
      }),
  };
});
