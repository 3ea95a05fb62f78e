// The child side of a measurement, the same for every client and runtime. A client file (uniredis.mjs,
// ioredis.mjs, ...) builds an adapter and calls runDriver(adapter). The runner talks to the child over
// stdin/stdout, one line each way:
//   child  -> "@@bench {"type":"ready"}"                      connected, waiting
//   runner -> "run <label> <ops>"                              after it flushed the server and loaded data
//   child  -> "@@bench {"type":"result",label,ops,ms,bytes}"  (or {"type":"error",message})
//   runner -> "exit"
// Configuration comes from the environment: BENCH_HOST, BENCH_PORT, BENCH_WORKLOAD, BENCH_PROTOCOL.
//
// An adapter has: name, get(k), set(k, v), lrange(k), hgetall(k) (an object, or a list of { field, value }),
// pipelineSet(keys, values), connectPingClose(), close(). Replies are checked lightly (a GET returns the
// value that was set), so a client that drops or garbles replies fails instead of looking fast.

import process from "node:process";
import { createInterface } from "node:readline";
import {
  AGG_SIZE,
  BIG_KEY,
  BIG_SIZE,
  HASH_KEY,
  hashField,
  hashValue,
  key,
  KEYSPACE,
  LIST_KEY,
  listElement,
  pipeKey,
  PIPELINE,
  value,
} from "./spec.mjs";

export const config = {
  host: process.env.BENCH_HOST ?? "127.0.0.1",
  port: Number(process.env.BENCH_PORT ?? 6379),
  workload: process.env.BENCH_WORKLOAD ?? "W2",
  protocol: Number(process.env.BENCH_PROTOCOL ?? 3),
};

const KEYS = Array.from({ length: KEYSPACE }, (_, i) => key(i));
const VALUES = Array.from({ length: KEYSPACE }, (_, i) => value(i));
const PIPE_KEYS = Array.from({ length: PIPELINE }, (_, i) => pipeKey(i));
const PIPE_VALUES = Array.from({ length: PIPELINE }, (_, i) => value(i));
const LAST_ELEMENT = listElement(AGG_SIZE - 1);
const LAST_FIELD = hashField(AGG_SIZE - 1);
const LAST_HASH_VALUE = hashValue(AGG_SIZE - 1);

function fail(message) {
  throw new Error(`verification failed: ${message}`);
}

function isOk(reply) {
  return reply === "OK" || reply === true;
}

/** Runs `ops` operations through `concurrency` async workers; `op(i)` performs operation i. */
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

const WORKLOADS = {
  // 1 in flight: round-trip latency plus per-command overhead.
  async W1(a, ops) {
    for (let i = 0; i < ops; i++) {
      const k = i % KEYSPACE;
      const v = await a.get(KEYS[k]);
      if (v !== VALUES[k]) fail(`GET ${KEYS[k]} returned ${String(v).slice(0, 40)}`);
    }
    return 0;
  },
  // 100 workers on one connection: even ops SET, odd ops GET (values never change, so GETs stay checkable).
  async W2(a, ops) {
    await pool(ops, 100, async (i) => {
      const k = (i >> 1) % KEYSPACE;
      if ((i & 1) === 0) {
        const r = await a.set(KEYS[k], VALUES[k]);
        if (!isOk(r)) fail(`SET returned ${String(r)}`);
      } else {
        const v = await a.get(KEYS[k]);
        if (v !== VALUES[k]) fail(`GET ${KEYS[k]} returned ${String(v).slice(0, 40)}`);
      }
    });
    return 0;
  },
  // ops / PIPELINE pipelines, one after the other.
  async W3(a, ops) {
    const pipelines = Math.ceil(ops / PIPELINE);
    for (let p = 0; p < pipelines; p++) {
      const replies = await a.pipelineSet(PIPE_KEYS, PIPE_VALUES);
      if (replies.length !== PIPELINE) fail(`pipeline returned ${replies.length} replies`);
      if (!isOk(replies[0]) || !isOk(replies[PIPELINE - 1])) {
        fail(`pipeline SET returned ${String(replies[0])}`);
      }
    }
    return 0;
  },
  // 50 workers: even ops LRANGE the whole list, odd ops HGETALL the whole hash.
  async W4(a, ops) {
    await pool(ops, 50, async (i) => {
      if ((i & 1) === 0) {
        const l = await a.lrange(LIST_KEY);
        if (l.length !== AGG_SIZE || l[AGG_SIZE - 1] !== LAST_ELEMENT) {
          fail(`LRANGE returned ${l.length} elements`);
        }
      } else {
        const h = await a.hgetall(HASH_KEY);
        // An object, or a list of { field, value } (valkey-glide's shape).
        const got = Array.isArray(h)
          ? (h.length === AGG_SIZE ? h.find((e) => e.field === LAST_FIELD)?.value : undefined)
          : h[LAST_FIELD];
        if (got !== LAST_HASH_VALUE) fail(`HGETALL lacks ${LAST_FIELD}`);
      }
    });
    return 0;
  },
  // Sequential GETs of a 1 MiB value.
  async W5(a, ops) {
    for (let i = 0; i < ops; i++) {
      const v = await a.get(BIG_KEY);
      if (typeof v !== "string" || v.length !== BIG_SIZE) fail(`GET ${BIG_KEY} returned ${typeof v}`);
    }
    return ops * BIG_SIZE;
  },
  // A new client per op: connect (with the client's default handshake), PING, close.
  async W6(a, ops) {
    for (let i = 0; i < ops; i++) await a.connectPingClose();
    return 0;
  },
};

function say(message) {
  process.stdout.write("@@bench " + JSON.stringify(message) + "\n");
}

/** Serves the runner's requests with `adapter` until told to exit. */
export async function runDriver(makeAdapter) {
  // scaling:<curve> with BENCH_POINT: a point of a scaling curve (bench/workloads/scaling.mjs).
  const workload = config.workload.startsWith("scaling:")
    ? (await import("./scaling.mjs")).scalingWorkload(
      config.workload.slice(8),
      Number(process.env.BENCH_POINT),
    )
    : WORKLOADS[config.workload];
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
      const out = await workload(adapter, ops);
      const ms = performance.now() - t0;
      // A W workload returns its byte count; a scaling one { bytes?, p50, p99 }.
      say({ type: "result", label, ops, ms, ...(typeof out === "object" ? out : { bytes: out }) });
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

export function runtimeName() {
  if (typeof globalThis.Deno !== "undefined") return `deno ${globalThis.Deno.version.deno}`;
  if (typeof globalThis.Bun !== "undefined") return `bun ${globalThis.Bun.version}`;
  return `node ${process.versions.node}`;
}
