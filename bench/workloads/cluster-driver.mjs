// The child side of a cluster measurement, the same for every client and runtime; the conversation with
// the runner is driver.mjs's ("@@bench {...}" lines out, "run <label> <ops>" / "exit" lines in).
// Configuration: BENCH_NODES ("host:port,..." startup nodes), BENCH_WORKLOAD (C1..C4).
//
// A cluster adapter has: name, version, get(k), set(k, v), pipelineSet(keys, values) (resolves to the
// replies in order), mget(keys) (values in order), close(). `makeAdapter({ nodes, replicas })` builds it;
// `replicas` is true for C4 (reads from replicas). Replies are checked lightly, as in driver.mjs.

import process from "node:process";
import { createInterface } from "node:readline";
import { mgetSets, pipeKeys, PIPELINE, slotKeys, slotValue, value } from "./cluster-spec.mjs";
import { runtimeName } from "./driver.mjs";

export const config = {
  nodes: (process.env.BENCH_NODES ?? "127.0.0.1:7000").split(",").map((a) => {
    const i = a.lastIndexOf(":");
    return { host: a.slice(0, i), port: Number(a.slice(i + 1)) };
  }),
  workload: process.env.BENCH_WORKLOAD ?? "C1",
};
config.replicas = config.workload === "C4";

const KEYS = slotKeys();
const VALUES = KEYS.map((_, s) => slotValue(s));
const PIPE_KEYS = pipeKeys();
const PIPE_VALUES = PIPE_KEYS.map((_, i) => value(i));
const MGET_SETS = mgetSets();
const MGET_KEYS = MGET_SETS.map((set) => set.map((s) => KEYS[s]));
const SLOTS = KEYS.length;

function fail(message) {
  throw new Error(`verification failed: ${message}`);
}

function isOk(reply) {
  return reply === "OK" || reply === true;
}

async function pool(ops, concurrency, op) {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= ops) return;
      await op(i);
    }
  };
  const workers = [];
  for (let w = 0; w < Math.min(concurrency, ops); w++) workers.push(worker());
  await Promise.all(workers);
}

// Consecutive ops walk the slots with a stride, so 100 in flight spread over every primary.
const slotFor = (i) => (i * 7919) % SLOTS;

const WORKLOADS = {
  // 100 workers: even ops SET, odd ops GET, each op on another slot (values never change: GETs stay checkable).
  async C1(a, ops) {
    await pool(ops, 100, async (i) => {
      const s = slotFor(i >> 1);
      if ((i & 1) === 0) {
        const r = await a.set(KEYS[s], VALUES[s]);
        if (!isOk(r)) fail(`SET returned ${String(r)}`);
      } else {
        const v = await a.get(KEYS[s]);
        if (v !== VALUES[s]) fail(`GET ${KEYS[s]} returned ${String(v).slice(0, 40)}`);
      }
    });
  },
  // ops / PIPELINE pipelines of 1,000 SETs on ~1,000 slots (every primary), one after the other.
  async C2(a, ops) {
    const pipelines = Math.ceil(ops / PIPELINE);
    for (let p = 0; p < pipelines; p++) {
      const replies = await a.pipelineSet(PIPE_KEYS, PIPE_VALUES);
      if (replies.length !== PIPELINE) fail(`pipeline returned ${replies.length} replies`);
      if (!isOk(replies[0]) || !isOk(replies[PIPELINE - 1])) {
        fail(`pipeline SET returned ${String(replies[0])}`);
      }
    }
  },
  // 10 workers, each op one MGET of 100 keys on 100 slots; every value is checked.
  async C3(a, ops) {
    await pool(ops, 10, async (i) => {
      const n = i % MGET_SETS.length;
      const values = await a.mget(MGET_KEYS[n]);
      const slots = MGET_SETS[n];
      if (values.length !== slots.length) fail(`MGET returned ${values.length} values`);
      for (let j = 0; j < slots.length; j++) {
        if (values[j] !== VALUES[slots[j]]) fail(`MGET value ${j} is ${String(values[j]).slice(0, 40)}`);
      }
    });
  },
  // 100 workers of GETs on a client that reads from replicas (the runner counts where they landed).
  async C4(a, ops) {
    await pool(ops, 100, async (i) => {
      const s = slotFor(i);
      const v = await a.get(KEYS[s]);
      if (v !== VALUES[s]) fail(`GET ${KEYS[s]} returned ${String(v).slice(0, 40)}`);
    });
  },
};

function say(message) {
  process.stdout.write("@@bench " + JSON.stringify(message) + "\n");
}

/** Serves the runner's requests with the adapter `makeAdapter(config)` builds, until told to exit. */
export async function runClusterDriver(makeAdapter) {
  const workload = WORKLOADS[config.workload];
  if (workload === undefined) throw new Error(`unknown workload ${config.workload}`);
  let adapter;
  try {
    adapter = await makeAdapter(config);
  } catch (e) {
    say({ type: "error", message: `setup: ${e?.stack ?? e}` });
    process.exit(1);
  }
  say({ type: "ready", client: adapter.name, runtime: runtimeName(), version: adapter.version });
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    const [verb, label, count] = line.trim().split(/\s+/);
    if (verb === "exit") break;
    if (verb !== "run") continue;
    const ops = Number(count);
    try {
      const t0 = performance.now();
      await workload(adapter, ops);
      const ms = performance.now() - t0;
      say({ type: "result", label, ops, ms });
    } catch (e) {
      say({ type: "error", label, message: String(e?.stack ?? e) });
    }
  }
  lines.close();
  try {
    await adapter.close();
  } catch { /* closing errors do not matter here */ }
  process.exit(0);
}
