// The runner's machinery: a throwaway redis-server, the client/runtime matrix, one child process per
// (runtime, client, workload), and redis-benchmark ceilings. Used by run.mjs and profile.mjs.

import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { processCpuSeconds } from "./cpu.mjs";
import { RawRedis } from "./resp.mjs";
import { startThrowawayRedis } from "../../scripts/throwaway_redis.mjs";
import { runtimePath } from "../../scripts/runtimes.mjs";
import { ceilingSpec, setupCommands } from "../workloads/spec.mjs";

export const benchDir = join(dirname(fileURLToPath(import.meta.url)), "..");
export const root = join(benchDir, "..");
/** A runtime's binary (`deno`, `bun`) from its npm package, as scripts/runtimes.mjs finds it. */
export const bin = (name) => runtimePath(name);
const workloadsDir = join(benchDir, "workloads");
/** Private copy of the npm build, so a rebuild by someone else mid-run cannot pull it from under us. */
export const npmCopy = join(benchDir, ".cache", "npm");

/**
 * Client variants. `role` is "uniredis" or "peer"; `runtimes` limits where a variant runs by default.
 * `protocol` is the RESP version the variant asks for (ioredis only speaks RESP2, Bun's client only RESP3).
 * `package` is the npm package the driver loads when one driver serves several. `optional` variants run only
 * when named in --clients.
 */
export const CLIENTS = {
  "uniredis": { label: "uniredis (RESP3)", file: "uniredis.mjs", protocol: 3, role: "uniredis" },
  "uniredis-resp2": { label: "uniredis (RESP2)", file: "uniredis.mjs", protocol: 2, role: "uniredis" },
  // uniredis with OpenTelemetry on (uniredis/otel, the SDK with discarding exporters); only with --clients.
  "uniredis-otel": {
    label: "uniredis + OTel (RESP3)",
    file: "uniredis.mjs",
    protocol: 3,
    variant: "otel",
    role: "uniredis",
    optional: true,
  },
  "ioredis": { label: "ioredis 6 (RESP2)", file: "ioredis.mjs", protocol: 2, role: "peer" },
  "ioredis-ap": {
    label: "ioredis 6 autopipeline (RESP2)",
    file: "ioredis.mjs",
    protocol: 2,
    variant: "autopipeline",
    role: "peer",
  },
  // node-redis 6 (`redis`) and 5 (`redis5`, an npm alias of redis@5), each at its default RESP version
  // everywhere and at the other one on Node.
  "node-redis": { label: "node-redis 6 (RESP3)", file: "node-redis.mjs", protocol: 3, role: "peer" },
  "node-redis-resp2": {
    label: "node-redis 6 (RESP2)",
    file: "node-redis.mjs",
    protocol: 2,
    role: "peer",
    runtimes: ["node"],
  },
  "node-redis5": {
    label: "node-redis 5 (RESP2)",
    file: "node-redis.mjs",
    package: "redis5",
    protocol: 2,
    role: "peer",
  },
  "node-redis5-resp3": {
    label: "node-redis 5 (RESP3)",
    file: "node-redis.mjs",
    package: "redis5",
    protocol: 3,
    role: "peer",
    runtimes: ["node"],
  },
  // W3 as Promise.all of 1,000 set() calls instead of execAsPipeline(); only with --clients.
  "node-redis-promiseall": {
    label: "node-redis 6 Promise.all (RESP3)",
    file: "node-redis.mjs",
    protocol: 3,
    variant: "promiseall",
    role: "peer",
    optional: true,
  },
  // node-redis 6 without its default 5 s per-command timeout (an AbortSignal.timeout() per command, which
  // node-redis 5 does not set); only with --clients.
  "node-redis-notimeout": {
    label: "node-redis 6 no timeout (RESP3)",
    file: "node-redis.mjs",
    protocol: 3,
    variant: "notimeout",
    role: "peer",
    optional: true,
  },
  "bun": { label: "Bun RedisClient (RESP3)", file: "bun.mjs", protocol: 3, role: "peer", runtimes: ["bun"] },
  // RESP3 is glide's default; its napi core (linux-x64-gnu from npm) loads on Node, Bun and Deno.
  "valkey-glide": {
    label: "valkey-glide 2 (RESP3)",
    file: "valkey-glide.mjs",
    protocol: 3,
    role: "peer",
  },
};

export const RUNTIMES = ["node", "bun", "deno"];

/** The command line that runs `file` on `runtime`, plus extra runtime flags (e.g. a CPU profiler). */
export function commandFor(runtime, file, flags = []) {
  const path = join(workloadsDir, file);
  if (runtime === "node") return [process.execPath, [...flags, path]];
  if (runtime === "bun") return [bin("bun"), [...flags, path]];
  if (runtime === "deno") return [bin("deno"), ["run", "-A", ...flags, path]];
  throw new Error(`unknown runtime ${runtime}`);
}

/** Builds the npm package (Node runs uniredis from it) and copies it to bench/.cache/npm. */
export function buildNpm(log) {
  log("building the npm package (scripts/build_npm.ts) ...");
  const r = spawnSync(bin("deno"), ["run", "-A", "scripts/build_npm.ts"], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) {
    throw new Error(`npm build failed:\n${(r.stdout ?? "") + (r.stderr ?? "")}`.trim());
  }
  rmSync(npmCopy, { recursive: true, force: true });
  mkdirSync(npmCopy, { recursive: true });
  cpSync(join(root, "npm", "esm"), join(npmCopy, "esm"), { recursive: true });
  writeFileSync(join(npmCopy, "package.json"), JSON.stringify({ type: "module" }));
}

export function uniredisModule(runtime) {
  return runtime === "node" ? join(npmCopy, "esm", "mod.js") : join(root, "mod.ts");
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts redis-server on a free loopback port in a temp dir, persistence off (`pin`: on CPU 0). */
export async function startServer({ pin } = {}) {
  const server = await startThrowawayRedis({ prefix: "uniredis-bench-", cpu: pin ? 0 : undefined });
  const raw = await RawRedis.open(server.port);
  const info = await raw.call("INFO", "server");
  const version = /redis_version:(\S+)/.exec(info)?.[1];
  return {
    port: server.port,
    pid: server.pid,
    version,
    raw,
    /** FLUSHALL, then load the data `workload` reads. */
    async prepare(workload) {
      await raw.call("FLUSHALL", "SYNC");
      const commands = setupCommands(workload);
      if (commands.length > 0) await raw.pipeline(commands);
    },
    async stop() {
      raw.close();
      await server.stop();
    },
  };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? undefined : s[Math.floor(s.length / 2)];
}

/**
 * A line-oriented conversation with a child process: its stdout lines that
 * start with `prefix` carry JSON messages. `next(ms)` resolves to the next
 * message (rejecting on an `error` message, an early exit or the deadline);
 * `exit` resolves when the child exits; `close()` stops reading.
 */
export function converse(child, prefix) {
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr = (stderr + d).slice(-8000);
  });
  const messages = [];
  let wake;
  const lines = createInterface({ input: child.stdout });
  lines.on("line", (line) => {
    if (!line.startsWith(prefix)) return;
    messages.push(JSON.parse(line.slice(prefix.length)));
    wake?.();
  });
  let exited = false;
  const exit = new Promise((r) =>
    child.once("exit", (code, signal) => {
      exited = true;
      wake?.();
      r({ code, signal });
    })
  );
  const next = async (ms) => {
    const deadline = Date.now() + ms;
    while (messages.length === 0) {
      if (exited) throw new Error(`child exited early. stderr:\n${stderr.trim()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no answer within ${ms} ms. stderr:\n${stderr.trim()}`);
      await new Promise((r) => {
        wake = r;
        setTimeout(r, Math.min(left, 500));
      });
    }
    const m = messages.shift();
    if (m.type === "error") throw new Error(m.message);
    return m;
  };
  return {
    next,
    exit,
    /** Stops reading the child's output. */
    close: () => lines.close(),
    get stderr() {
      return stderr;
    },
    get exited() {
      return exited;
    },
  };
}

/**
 * Runs one (runtime, client, workload) measurement in its own child process: connect, a warm-up run, then
 * `reps` timed runs, the server flushed and reloaded before each. Resolves to the per-rep figures and their
 * median, or to { error } (a failed verification, a crash, a timeout).
 */
export async function measure(
  { server, runtime, client, workload, ops, warmup, reps, flags, env, pin, timeoutMs },
) {
  const c = CLIENTS[client];
  const [cmd, args] = commandFor(runtime, c.file, flags);
  const child = spawn(pin ? "taskset" : cmd, pin ? ["-c", "1", cmd, ...args] : args, {
    cwd: root,
    stdio: ["pipe", "pipe", "pipe"],
    env: {
      ...process.env,
      BENCH_HOST: "127.0.0.1",
      BENCH_PORT: String(server.port),
      BENCH_WORKLOAD: workload,
      BENCH_PROTOCOL: String(c.protocol),
      BENCH_VARIANT: c.variant ?? "",
      BENCH_PACKAGE: c.package ?? "",
      UNIREDIS_MODULE: uniredisModule(runtime),
      NO_COLOR: "1",
      ...env,
    },
  });
  const talk = converse(child, "@@bench ");
  const { next, exit } = talk;

  const result = { runtime, client, workload, reps: [], msPerRep: [] };
  try {
    const ready = await next(60_000);
    result.clientVersion = ready.version;
    result.runtimeVersion = ready.runtime;
    const runs = [["warmup", warmup], ...Array.from({ length: reps }, (_, i) => [`rep${i + 1}`, ops])];
    for (const [label, n] of runs) {
      if (n <= 0) continue;
      await server.prepare(workload);
      const cpu0 = processCpuSeconds(child.pid);
      child.stdin.write(`run ${label} ${n}\n`);
      const m = await next(timeoutMs);
      const cpu1 = processCpuSeconds(child.pid);
      if (label === "warmup") continue;
      if (cpu0 !== undefined && cpu1 !== undefined) (result.cpuPerRep ??= []).push(cpu1 - cpu0);
      const opsPerSec = (m.ops / m.ms) * 1000;
      result.reps.push(opsPerSec);
      result.msPerRep.push(m.ms);
      if (m.bytes) (result.mbPerSecReps ??= []).push((m.bytes / m.ms) * 1000 / 1e6);
    }
    result.opsPerSec = median(result.reps);
    if (result.cpuPerRep) result.cpuPerMOps = median(result.cpuPerRep.map((c) => (c / ops) * 1e6));
    if (result.mbPerSecReps) result.mbPerSec = median(result.mbPerSecReps);
    child.stdin.write("exit\n");
    await Promise.race([exit, sleep(10_000)]);
  } catch (e) {
    result.error = String(e?.message ?? e).split("\n").slice(0, 12).join("\n");
  } finally {
    if (!talk.exited) {
      child.kill("SIGKILL");
      await exit;
    }
    talk.close();
  }
  return result;
}

function parseCsv(stdout) {
  // "test","rps",... then one line per test.
  const out = [];
  for (const line of stdout.split("\n").slice(1)) {
    const m = /^"([^"]*)","([0-9.]+)"/.exec(line.trim());
    if (m) out.push({ test: m[1], rps: Number(m[2]) });
  }
  return out;
}

function combine(rates) {
  // Equal op counts of each: total ops / total time.
  return rates.length / rates.reduce((s, r) => s + 1 / r, 0);
}

/** redis-benchmark's figure for a workload (median of `reps` runs), or { error }. */
export async function ceiling({ server, workload, quick, reps, pin }) {
  const spec = ceilingSpec(workload, quick);
  const runOnce = (args) => {
    const full = ["-h", "127.0.0.1", "-p", String(server.port), "--csv", ...args];
    const r = pin
      ? spawnSync("taskset", ["-c", "1", "redis-benchmark", ...full], { encoding: "utf8" })
      : spawnSync("redis-benchmark", full, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`redis-benchmark failed: ${r.stderr}`);
    const rows = parseCsv(r.stdout);
    if (rows.length === 0) throw new Error(`redis-benchmark printed no figures: ${r.stdout}${r.stderr}`);
    return rows.map((x) => x.rps);
  };
  try {
    const figures = [];
    for (let i = 0; i < reps; i++) {
      await server.prepare(workload);
      const rates = spec.multi ? spec.multi.flatMap((a) => runOnce(a)) : runOnce(spec.args);
      figures.push(combine(rates));
    }
    return { workload, opsPerSec: median(figures), reps: figures, note: spec.note };
  } catch (e) {
    return { workload, error: String(e?.message ?? e), note: spec.note };
  }
}

export function gitState() {
  const head = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).stdout
    ?.trim();
  const dirty = spawnSync("git", ["status", "--porcelain", "--untracked-files=no"], {
    cwd: root,
    encoding: "utf8",
  })
    .stdout?.trim();
  return { head, dirty: dirty ? dirty.split("\n").map((l) => l.trim()) : [] };
}

export function runtimeAvailable(runtime) {
  if (runtime === "node") return true;
  return existsSync(bin(runtime));
}
