// The cluster benchmark: uniredis's RedisCluster against ioredis's Cluster (with and without
// enableAutoPipelining) and node-redis's createCluster on Node, Bun and Deno, against a throwaway cluster
// of 3 primaries + 3 replicas. Run by `node bench/run.mjs --cluster` (`npm run bench:cluster`); see
// bench/README.md. Results go to bench/results/cluster.{json,md}.

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import {
  benchDir,
  buildNpm,
  commandFor,
  converse,
  gitState,
  npmCopy,
  root,
  runtimeAvailable,
  RUNTIMES,
  uniredisModule,
} from "./lib/harness.mjs";
import { startCluster } from "./lib/cluster.mjs";
import { cpuSnapshot, externalShare } from "./lib/cpu.mjs";
import { fmt, markdown, plain } from "./lib/table.mjs";
import { CLUSTER_WORKLOADS as WORKLOADS } from "./workloads/cluster-spec.mjs";

const BUSY_FLAG = 0.1;

/** Client variants (all run on every runtime). `role` as in harness.mjs's CLIENTS. */
export const CLUSTER_CLIENTS = {
  "uniredis": { label: "uniredis RedisCluster (RESP3)", file: "cluster-uniredis.mjs", role: "uniredis" },
  "ioredis": { label: "ioredis Cluster (RESP2)", file: "cluster-ioredis.mjs", role: "peer" },
  "ioredis-ap": {
    label: "ioredis Cluster autopipeline (RESP2)",
    file: "cluster-ioredis.mjs",
    variant: "autopipeline",
    role: "peer",
  },
  "node-redis": { label: "node-redis createCluster (RESP3)", file: "cluster-node-redis.mjs", role: "peer" },
};

const USAGE = `node bench/run.mjs --cluster [options]   (npm run bench:cluster)
  --quick              fewer ops per run (about a third)
  --only C1,C3         workloads to run (C1..C4; default all)
  --runtime node,bun   runtimes to run (node, bun, deno; default all)
  --clients a,b        client variants (default all): ${Object.keys(CLUSTER_CLIENTS).join(", ")}
  --reps N             timed runs per measurement, median reported (default 3)
  --no-build           use the npm build already in bench/.cache/npm (Node only)
  --pin                pin the redis-servers to CPU 0 and the clients to CPU 1
  --cpu-prof DIR       run each client under --cpu-prof (Node and Bun), profiles in DIR (see profile.mjs)
  --out DIR            where cluster.json and cluster.md go (default bench/results)`;

function parseArgs(argv) {
  const o = {
    quick: false,
    only: Object.keys(WORKLOADS),
    runtimes: RUNTIMES,
    clients: Object.keys(CLUSTER_CLIENTS),
    reps: 3,
    build: true,
    pin: false,
    cpuProf: undefined,
    out: join(benchDir, "results"),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const list = () => value().split(",").map((s) => s.trim()).filter(Boolean);
    if (a === "--quick") o.quick = true;
    else if (a === "--only") o.only = list().map((w) => w.toUpperCase());
    else if (a === "--runtime" || a === "--runtimes") o.runtimes = list();
    else if (a === "--clients" || a === "--client") o.clients = list();
    else if (a === "--reps") o.reps = Number(value());
    else if (a === "--no-build") o.build = false;
    else if (a === "--pin") o.pin = true;
    else if (a === "--cpu-prof") o.cpuProf = value();
    else if (a === "--out") o.out = value();
    else if (a === "--help" || a === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  for (const w of o.only) if (!WORKLOADS[w]) throw new Error(`unknown workload ${w}`);
  for (const r of o.runtimes) if (!RUNTIMES.includes(r)) throw new Error(`unknown runtime ${r}`);
  for (const c of o.clients) if (!CLUSTER_CLIENTS[c]) throw new Error(`unknown client ${c}`);
  if (!(o.reps >= 1)) throw new Error("--reps must be at least 1");
  return o;
}

const log = (...a) => console.error(...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** Peak resident set size of a live process in bytes (Linux: VmHWM), or undefined. */
function peakRss(pid) {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/**
 * One (runtime, client, workload) in its own child process: connect, a warm-up run, then `reps` timed
 * runs, the cluster flushed and reloaded before each; the child's peak RSS is read before it exits.
 */
export async function measureCluster(
  { cluster, runtime, client, workload, ops, warmup, reps, pin, flags = [], timeoutMs = 180_000 },
) {
  const c = CLUSTER_CLIENTS[client];
  const [cmd, args] = commandFor(runtime, c.file, flags);
  const child = spawn(pin ? "taskset" : cmd, pin ? ["-c", "1", cmd, ...args] : args, {
    cwd: root,
    stdio: ["pipe", "pipe", "pipe"],
    env: {
      ...process.env,
      BENCH_NODES: cluster.seeds,
      BENCH_WORKLOAD: workload,
      BENCH_VARIANT: c.variant ?? "",
      UNIREDIS_MODULE: uniredisModule(runtime),
      NO_COLOR: "1",
    },
  });
  const talk = converse(child, "@@bench ");
  const result = { runtime, client, workload, reps: [], msPerRep: [] };
  try {
    const ready = await talk.next(60_000);
    result.clientVersion = ready.version;
    result.runtimeVersion = ready.runtime;
    const runs = [["warmup", warmup], ...Array.from({ length: reps }, (_, i) => [`rep${i + 1}`, ops])];
    const before = WORKLOADS[workload].replicas ? await cluster.getCalls() : undefined;
    for (const [label, n] of runs) {
      await cluster.prepare(workload);
      child.stdin.write(`run ${label} ${n}\n`);
      const m = await talk.next(timeoutMs);
      if (label === "warmup") continue;
      result.reps.push((m.ops / m.ms) * 1000);
      result.msPerRep.push(m.ms);
    }
    if (before) {
      // Where the GETs went (the runner's own loading sends none): the share served by replicas.
      const after = await cluster.getCalls();
      const p = after.primaries - before.primaries;
      const r = after.replicas - before.replicas;
      result.replicaShare = r / (p + r);
    }
    result.opsPerSec = median(result.reps);
    result.peakRss = peakRss(child.pid);
    child.stdin.write("exit\n");
    await Promise.race([talk.exit, sleep(10_000)]);
  } catch (e) {
    result.error = String(e?.message ?? e).split("\n").slice(0, 12).join("\n");
  } finally {
    if (!talk.exited) {
      child.kill("SIGKILL");
      await talk.exit;
    }
    talk.close();
  }
  return result;
}

function disturbed(r) {
  const e = r.external;
  if (!e || e.other + e.steal <= BUSY_FLAG) return undefined;
  return `other processes used ${(100 * e.other).toFixed(0)}% and steal ${
    (100 * e.steal).toFixed(0)
  }% of the CPU`;
}

const mb = (bytes) => (bytes === undefined ? "?" : `${Math.round(bytes / 1e6)} MB`);

function cell(r) {
  if (r === undefined) return "–";
  if (r.error) return "FAILED";
  return `${fmt(r.opsPerSec)}${disturbed(r) ? "*" : ""} (${mb(r.peakRss)})`;
}

function ratio(rows) {
  const uni = rows.find((r) => CLUSTER_CLIENTS[r.client].role === "uniredis" && !r.error);
  const peers = rows.filter((r) => CLUSTER_CLIENTS[r.client].role === "peer" && !r.error);
  if (!uni || peers.length === 0) return undefined;
  const best = peers.reduce((a, b) => (b.opsPerSec > a.opsPerSec ? b : a));
  return { value: uni.opsPerSec / best.opsPerSec, vs: best.client };
}

function table(runtime, results, options) {
  const header = [
    "workload",
    ...options.clients.map((c) => CLUSTER_CLIENTS[c].label),
    "uniredis / best peer",
  ];
  const body = [];
  for (const w of options.only) {
    const rows = results.filter((r) => r.runtime === runtime && r.workload === w);
    const line = [WORKLOADS[w].title];
    for (const c of options.clients) line.push(cell(rows.find((r) => r.client === c)));
    const q = ratio(rows);
    line.push(q ? `${q.value.toFixed(2)} (vs ${q.vs})` : "–");
    body.push(line);
  }
  return { header, body };
}

/** Runs the cluster benchmark with the command-line arguments `argv` (without --cluster). */
export async function main(argv) {
  const options = parseArgs(argv);
  const started = Date.now();
  const runtimes = options.runtimes.filter((r) => {
    if (runtimeAvailable(r)) return true;
    log(`skipping ${r}: node_modules/.bin/${r} not found (npm install)`);
    return false;
  });
  const git = gitState();
  let build = options.build ? "fresh" : "reused bench/.cache/npm (--no-build)";
  if (runtimes.includes("node") && options.build) {
    try {
      buildNpm(log);
    } catch (e) {
      if (!existsSync(join(npmCopy, "esm", "mod.js"))) throw e;
      build = "FAILED, so Node ran the previous build in bench/.cache/npm";
      log(`${e.message}\n${build}`);
    }
  }
  if (options.cpuProf) mkdirSync(options.cpuProf, { recursive: true });

  const cluster = await startCluster({ pin: options.pin });
  log(
    `cluster of redis-server ${cluster.version}: primaries ${
      cluster.primaries.map((n) => n.port).join(", ")
    }, ` +
      `replicas ${cluster.replicas.map((n) => n.port).join(", ")} (${
        ((Date.now() - started) / 1000).toFixed(1)
      }s)`,
  );
  const results = [];
  const notes = [];
  try {
    for (const runtime of runtimes) {
      for (const client of options.clients) {
        for (const w of options.only) {
          const spec = WORKLOADS[w];
          const counts = options.quick ? spec.quick : spec;
          const t0 = Date.now();
          const before = cpuSnapshot(cluster.pids);
          const r = await measureCluster({
            cluster,
            runtime,
            client,
            workload: w,
            ops: counts.ops,
            warmup: counts.warmup,
            reps: options.reps,
            pin: options.pin,
            flags: options.cpuProf && runtime !== "deno"
              ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProf}`]
              : [],
          });
          // The cluster's six servers are ours too: their CPU is not "other work".
          r.external = externalShare(before, cpuSnapshot(cluster.pids));
          results.push(r);
          const took = ((Date.now() - t0) / 1000).toFixed(1);
          const busy = disturbed(r);
          const label = CLUSTER_CLIENTS[client].label;
          if (busy) notes.push(`${runtime} / ${label} / ${w}: ${busy}`);
          if (r.error) {
            log(`  ${runtime} ${client} ${w}: FAILED (${took}s)\n    ${r.error.replaceAll("\n", "\n    ")}`);
            notes.push(`${runtime} / ${label} / ${w} failed: ${r.error.split("\n")[0]}`);
          } else {
            const share = r.replicaShare === undefined
              ? ""
              : `, ${(100 * r.replicaShare).toFixed(0)}% on replicas`;
            log(
              `  ${runtime} ${client} ${w}: ${fmt(r.opsPerSec)} ops/s [${r.reps.map(fmt).join(", ")}], ` +
                `peak RSS ${mb(r.peakRss)}${share} (${took}s)` + (busy ? ` ⚠ ${busy}` : ""),
            );
          }
        }
      }
    }
  } finally {
    await cluster.stop();
  }

  const seconds = (Date.now() - started) / 1000;
  const versions = {};
  for (const r of results) {
    if (r.runtimeVersion) versions[r.runtime] = r.runtimeVersion;
    if (r.clientVersion) {
      versions[CLUSTER_CLIENTS[r.client].file.replace(/^cluster-|\.mjs$/g, "")] = r.clientVersion;
    }
  }
  const env = {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    redis: cluster.version,
    topology: "3 primaries + 3 replicas",
    git: git.head + (git.dirty.length ? ` (+${git.dirty.length} uncommitted: ${git.dirty.join(", ")})` : ""),
    quick: options.quick,
    reps: options.reps,
    pinned: options.pin,
    npmBuild: runtimes.includes("node") ? build : undefined,
    seconds,
  };
  const md = [
    "# uniredis cluster benchmark",
    "",
    `${env.date}, ${env.cores} × ${env.cpu}, a cluster of 3 primaries + 3 replicas of redis-server ${env.redis} ` +
    `on loopback, git ${env.git}.` +
    (env.npmBuild && env.npmBuild !== "fresh" ? ` npm build: ${env.npmBuild}.` : ""),
    `${
      options.quick ? "Quick run (--quick). " : ""
    }ops/s, median of ${options.reps} runs after a warm-up, and ` +
    "the client process's peak RSS in parentheses; each client and workload in its own process.",
    "Ratio: uniredis / the fastest peer on the same runtime; > 1 means uniredis is faster.",
  ];
  const out = [];
  for (const runtime of runtimes) {
    const t = table(runtime, results, options);
    const version = versions[runtime] ?? runtime;
    out.push(`\n== ${version}\n${plain(t)}`);
    md.push("", `## ${version}`, "", markdown(t));
  }
  const shares = results.filter((r) => r.replicaShare !== undefined && !r.error);
  if (shares.length) {
    md.push(
      "",
      "C4, share of the GETs served by replicas: " +
        shares.map((r) => `${r.runtime} ${r.client} ${(100 * r.replicaShare).toFixed(0)}%`).join(", ") + ".",
    );
  }
  const clientVersions = Object.entries(versions).filter(([k]) => !RUNTIMES.includes(k));
  if (clientVersions.length) {
    md.push(
      "",
      "Clients: " + clientVersions.map(([k, v]) => `${k} ${v}`).join(", ") + ".",
    );
  }
  if (notes.length) {
    md.push(
      "",
      "Notes (* marks a figure measured while other work used the CPU):",
      "",
      ...notes.map((n) => `- ${n}`),
    );
  }

  console.log(out.join("\n"));
  if (notes.length) console.log("\nNotes:\n" + notes.map((n) => `  ${n}`).join("\n"));
  console.log(`\n(${seconds.toFixed(0)} s)`);
  mkdirSync(options.out, { recursive: true });
  writeFileSync(join(options.out, "cluster.json"), JSON.stringify({ env, options, results }, null, 2) + "\n");
  writeFileSync(join(options.out, "cluster.md"), md.join("\n") + "\n");
  log(`wrote ${join(options.out, "cluster.json")} and cluster.md`);
}
