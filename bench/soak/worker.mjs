// The soak's client side, run by bench/soak/run.mjs in the runtime under test (Node, Bun or Deno). It drives
// uniredis through the runner's cutting proxy with ~50 operations in flight and answers the runner over
// stdin/stdout, one line each way:
//   child  -> "@@soak {"type":"ready",...}"
//   runner -> "sample"   child -> "@@soak {"type":"sample",...}"   (after a forced GC when available)
//   runner -> "stop"     child -> "@@soak {"type":"final",...}"    (workers stopped, client closed)
//   runner -> "exit"
// Configuration from the environment: SOAK_MODULE (the uniredis module), SOAK_PORT (the proxy's port).

import { connect } from "node:net";
import process from "node:process";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const modulePath = process.env.SOAK_MODULE;
if (!modulePath) throw new Error("SOAK_MODULE is not set");
const { BlockingConnectionPool, ExponentialBackoff, Redis, Retry, VERSION } = await import(
  pathToFileURL(modulePath).href
);
const port = Number(process.env.SOAK_PORT);
const GENERAL_WORKERS = Number(process.env.SOAK_WORKERS ?? 44);
const BRPOP_WORKERS = Number(process.env.SOAK_BRPOP_WORKERS ?? 4);
/** Self-test of the checks (`run.mjs --inject-leak`): leak sockets and heap, leave one promise unsettled. */
const INJECT_LEAK = process.env.SOAK_INJECT_LEAK === "1";

const send = (msg) => process.stdout.write(`@@soak ${JSON.stringify(msg)}\n`);

const runtime = typeof Deno !== "undefined"
  ? `deno ${Deno.version.deno}`
  : typeof Bun !== "undefined"
  ? `bun ${Bun.version}`
  : `node ${process.version}`;

function forceGc() {
  if (typeof Bun !== "undefined") {
    Bun.gc(true);
    return true;
  }
  if (typeof globalThis.gc === "function") {
    globalThis.gc();
    return true;
  }
  return false;
}

// ---- the client ----------------------------------------------------------------------------------------

// Blocking commands (BRPOP) and WATCH transactions borrow from this pool; ordinary commands share its
// multiplexed connection. Connection settings live in the pool when one is given.
const pool = new BlockingConnectionPool({
  host: "127.0.0.1",
  port,
  maxConnections: 12,
  timeout: 5_000,
  socketTimeout: 2_000,
  socketConnectTimeout: 2_000,
  healthCheckInterval: 1_000,
});
const r = new Redis({
  connectionPool: pool,
  retry: new Retry(new ExponentialBackoff({ cap: 200, base: 5 }), 20),
});
const events = { error: 0, reconnecting: 0, connect: 0, ready: 0 };
for (const kind of Object.keys(events)) r.addEventListener(kind, () => events[kind]++);

// ---- bookkeeping ---------------------------------------------------------------------------------------

const stats = {
  issued: 0,
  settled: 0,
  ok: 0,
  failed: 0,
  desyncs: 0,
  failedByClass: {},
  failedByOp: {},
  okByOp: {},
  desyncSamples: [],
};
let stopping = false;

function errorClass(e) {
  return e?.constructor?.name ?? typeof e;
}

/** Runs one operation (a command, a pipeline, a transaction) and books it as ok or failed by error class. */
async function op(name, fn) {
  stats.issued++;
  try {
    const v = await fn();
    stats.ok++;
    stats.okByOp[name] = (stats.okByOp[name] ?? 0) + 1;
    return { ok: true, value: v };
  } catch (e) {
    stats.failed++;
    const cls = `${errorClass(e)}`;
    stats.failedByClass[cls] = (stats.failedByClass[cls] ?? 0) + 1;
    stats.failedByOp[name] = (stats.failedByOp[name] ?? 0) + 1;
    if (cls !== "ConnectionError" && cls !== "TimeoutError" && cls !== "MaxConnectionsError") {
      const key = `${name}: ${cls}: ${String(e?.message).slice(0, 120)}`;
      (stats.otherErrors ??= {})[key] = ((stats.otherErrors ??= {})[key] ?? 0) + 1;
    }
    return { ok: false, error: e };
  } finally {
    stats.settled++;
  }
}

function desync(what) {
  stats.desyncs++;
  if (stats.desyncSamples.length < 20) stats.desyncSamples.push(what.slice(0, 300));
}

const show = (v) => {
  try {
    return JSON.stringify(v)?.slice(0, 120);
  } catch {
    return String(v).slice(0, 120);
  }
};

// ---- workload ------------------------------------------------------------------------------------------

const PREFIX = `soak:${process.pid}`;
const QUEUE = `${PREFIX}:queue`;

async function generalWorker(id) {
  const key = `${PREFIX}:w${id}:str`;
  const counter = `${PREFIX}:w${id}:ctr`;
  const hash = `${PREFIX}:w${id}:hash`;
  const txKey = `${PREFIX}:w${id}:tx`;
  const pipeKeys = Array.from({ length: 5 }, (_, i) => `${PREFIX}:w${id}:p${i}`);
  // Values the key may hold: the last confirmed one plus writes whose outcome is unknown (cut before the reply).
  let possible = new Set([null]);
  let lastCounter = -Infinity;
  let txLast = 0; // highest tx value known to be committed
  let seq = 0;
  while (!stopping) {
    seq++;
    const dice = Math.random();
    if (dice < 0.35) {
      const v = `${key}=${seq}`;
      const s = await op("set", () => r.set(key, v));
      if (s.ok) {
        if (s.value !== true && s.value !== "OK") desync(`SET ${key} returned ${show(s.value)}`);
        possible = new Set([v]);
      } else possible.add(v);
      const g = await op("get", () => r.get(key));
      if (g.ok) {
        if (!possible.has(g.value)) {
          desync(`GET ${key} returned ${show(g.value)}, expected one of ${show([...possible])}`);
        }
        possible = new Set([g.value]);
      }
    } else if (dice < 0.5) {
      const n = await op("incr", () => r.incr(counter));
      if (n.ok) {
        if (typeof n.value !== "number" || !(n.value > lastCounter)) {
          desync(`INCR ${counter} returned ${show(n.value)} after ${lastCounter}`);
        } else lastCounter = n.value;
      }
    } else if (dice < 0.7) {
      const h = await op("hset", () => r.hset(hash, { owner: String(id), seq: String(seq) }));
      if (h.ok && typeof h.value !== "number") desync(`HSET ${hash} returned ${show(h.value)}`);
      const all = await op("hgetall", () => r.hgetall(hash));
      if (all.ok && (typeof all.value !== "object" || all.value === null || all.value.owner !== String(id))) {
        // An HSET that never applied leaves the hash absent ({}) only before the first success.
        if (!(h.ok === false && all.value && Object.keys(all.value).length === 0)) {
          desync(`HGETALL ${hash} returned ${show(all.value)} (owner should be ${id})`);
        }
      }
    } else if (dice < 0.97) {
      // A pipeline of 10 commands without MULTI: 5 SETs then 5 GETs of the same keys, one batch on one connection.
      const values = pipeKeys.map((k) => `${k}=${seq}`);
      const p = await op("pipeline", () => {
        const pipe = r.pipeline({ transaction: false });
        for (let i = 0; i < 5; i++) pipe.set(pipeKeys[i], values[i]);
        for (let i = 0; i < 5; i++) pipe.get(pipeKeys[i]);
        return pipe.exec();
      });
      if (p.ok) {
        const replies = p.value;
        if (!Array.isArray(replies) || replies.length !== 10) {
          desync(`pipeline returned ${show(replies)}`);
        } else {
          for (let i = 0; i < 5; i++) {
            if (replies[i] !== true && replies[i] !== "OK") {
              desync(`pipeline SET ${i} returned ${show(replies[i])}`);
            }
            if (replies[5 + i] !== values[i]) {
              desync(`pipeline GET ${pipeKeys[i]} returned ${show(replies[5 + i])}, expected ${values[i]}`);
            }
          }
        }
      }
    } else {
      // An optimistic transaction: WATCH, read, MULTI/SET/EXEC on a borrowed connection.
      let seen;
      const t = await op("transaction", () =>
        r.transaction(async (pipe) => {
          const cur = await pipe.get(txKey);
          seen = cur === null ? 0 : Number(cur);
          pipe.multi().set(txKey, String(seen + 1));
        }, txKey));
      if (t.ok) {
        if (!Array.isArray(t.value) || t.value.length !== 1 || (t.value[0] !== true && t.value[0] !== "OK")) {
          desync(`transaction returned ${show(t.value)}`);
        }
        if (!Number.isInteger(seen) || seen < txLast) {
          desync(`transaction read ${show(seen)} after ${txLast}`);
        } else txLast = seen + 1;
      }
    }
  }
}

let produced = 0;
async function producer() {
  while (!stopping) {
    const item = `job:${++produced}`;
    await op("lpush", () => r.lpush(QUEUE, item));
    await new Promise((res) => setTimeout(res, 5));
  }
}

async function brpopWorker() {
  while (!stopping) {
    const p = await op("brpop", () => r.brpop(QUEUE, 1));
    if (!p.ok) {
      // Failures here are usually a cut; do not spin while the pool reconnects.
      await new Promise((res) => setTimeout(res, 10));
      continue;
    }
    const v = p.value;
    if (v === null) continue;
    if (!Array.isArray(v) || v[0] !== QUEUE || typeof v[1] !== "string" || !v[1].startsWith("job:")) {
      desync(`BRPOP returned ${show(v)}`);
    }
  }
}

// ---- control -------------------------------------------------------------------------------------------

const workers = [];
const leaked = [];
function start() {
  for (let i = 0; i < GENERAL_WORKERS; i++) workers.push(generalWorker(i));
  for (let i = 0; i < BRPOP_WORKERS; i++) workers.push(brpopWorker());
  workers.push(producer());
  if (INJECT_LEAK) {
    op("never-settles", () => new Promise(() => {}));
    const leak = setInterval(() => {
      if (stopping) return clearInterval(leak);
      // A socket never closed after the peer hangs up (half-open): the proxy forgets it at the next cut, the
      // process keeps its file descriptor.
      const s = connect({ host: "127.0.0.1", port, allowHalfOpen: true });
      s.on("error", () => {});
      s.on("end", () => {});
      leaked.push(s, Array.from({ length: 50_000 }, (_, i) => `leak ${i} ${Math.random()}`)); // ~3 MB of heap
    }, 2_000);
  }
}

function sample() {
  const gc = forceGc();
  const m = process.memoryUsage();
  return {
    type: "sample",
    gc,
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    inUse: pool.inUseCount,
    idle: pool.idleCount,
    waiting: pool.waitingCount,
    issued: stats.issued,
    settled: stats.settled,
    ok: stats.ok,
    failed: stats.failed,
    desyncs: stats.desyncs,
    events: { ...events },
  };
}

async function stop() {
  stopping = true;
  const all = Promise.all(workers).then(() => true);
  const settledInTime = await Promise.race([all, new Promise((res) => setTimeout(() => res(false), 30_000))]);
  let closeError;
  try {
    // The client leaves a pool it was given open, so the pool is closed too.
    const closing = r.close().then(() => pool.close());
    await Promise.race([
      closing,
      new Promise((_, rej) => setTimeout(() => rej(new Error("close() hung 10 s")), 10_000)),
    ]);
  } catch (e) {
    closeError = String(e?.message ?? e);
  }
  // A sample after close: sockets and pool counts should be back to nothing.
  const after = sample();
  send({
    type: "final",
    settledInTime,
    closeError,
    unsettled: stats.issued - stats.settled,
    stats,
    events,
    produced,
    after,
  });
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const cmd = line.trim();
  if (cmd === "sample") send(sample());
  else if (cmd === "stop") {
    stop().catch((e) => send({ type: "error", message: String(e?.stack ?? e) }));
  } else if (cmd === "exit") {
    lines.close();
    process.exit(0);
  }
});

// Connect once before reporting ready, so warm-up starts from a working client.
await r.set(`${PREFIX}:hello`, "1");
start();
send({ type: "ready", runtime, version: VERSION, gc: forceGc(), workers: workers.length });
