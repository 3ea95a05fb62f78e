#!/usr/bin/env node
// Scaling curves: how throughput, latency and client memory grow with the size of the work (pipeline
// length, value size, commands in flight, clients on one pool, reply size), uniredis and its peers side by
// side. One child process per (client, curve, point), so each point's peak RSS is its own. See bench/README.md.
//
// Usage: node bench/scaling.mjs [--quick] [--runtime node] [--curves pipeline,inflight] [--clients a,b]
//                               [--reps 3] [--max N] [--points a,b] [--no-build] [--pin] [--out bench/results]
//        (also: node bench/run.mjs --scaling ..., npm run bench:scaling)

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { cpus } from "node:os";
import { join } from "node:path";
import {
  benchDir,
  buildNpm,
  CLIENTS,
  commandFor,
  converse,
  gitState,
  npmCopy,
  root,
  runtimeAvailable,
  RUNTIMES,
  startServer,
  uniredisModule,
} from "./lib/harness.mjs";
import { CURVES, scalingSetup } from "./workloads/scaling-spec.mjs";
import { cpuSnapshot, externalShare } from "./lib/cpu.mjs";
import { logLogChart } from "./lib/svg.mjs";
import { fmt, markdown, plain } from "./lib/table.mjs";

const USAGE = `node bench/scaling.mjs [options]
  --quick              smaller points and fewer units per run (smoke test)
  --runtime node       runtimes (node, bun, deno; default node)
  --curves a,b         curves (default all): ${Object.keys(CURVES).join(", ")}
  --clients a,b        client variants (default: the first variant of each client file for the runtime:
                       uniredis, ioredis, node-redis, ...); any of ${Object.keys(CLIENTS).join(", ")}
  --reps N             timed runs per point after a warm-up, median reported (default 3)
  --max N              skip points above N (e.g. --max 1048576 leaves out the 16 and 64 MiB values)
  --points a,b         only these points of each curve (e.g. --curves pool --points 1000)
  --no-build           use the npm build already in bench/.cache/npm (Node only)
  --pin                pin redis-server to CPU 0 and the clients to CPU 1
  --out DIR            where scaling.json, scaling.md and scaling-<curve>.svg go (default bench/results)`;

function parseArgs(argv) {
  const o = { quick: false, runtimes: ["node"], curves: Object.keys(CURVES), clients: undefined, reps: 3 };
  o.build = true;
  o.pin = false;
  o.max = Infinity;
  o.out = join(benchDir, "results");
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const list = () => value().split(",").map((s) => s.trim()).filter(Boolean);
    if (a === "--quick") o.quick = true;
    else if (a === "--runtime" || a === "--runtimes") o.runtimes = list();
    else if (a === "--curves" || a === "--only") o.curves = list();
    else if (a === "--clients" || a === "--client") o.clients = list();
    else if (a === "--reps") o.reps = Number(value());
    else if (a === "--max") o.max = Number(value());
    else if (a === "--points") o.points = list().map(Number);
    else if (a === "--no-build") o.build = false;
    else if (a === "--pin") o.pin = true;
    else if (a === "--out") o.out = value();
    else if (a === "--help" || a === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  for (const c of o.curves) if (!CURVES[c]) throw new Error(`unknown curve ${c}`);
  for (const r of o.runtimes) if (!RUNTIMES.includes(r)) throw new Error(`unknown runtime ${r}`);
  for (const c of o.clients ?? []) if (!CLIENTS[c]) throw new Error(`unknown client ${c}`);
  if (!(o.reps >= 1)) throw new Error("--reps must be at least 1");
  return o;
}

const log = (...a) => console.error(...a);

/** A point is flagged when other processes (or the hypervisor) took more than this share of the CPU. */
const BUSY_FLAG = 0.1;
const busy = (r) => r.external && r.external.other + r.external.steal > BUSY_FLAG;

/** By default one variant per client library: the first CLIENTS entry of each driver file and package (its default). */
function clientsFor(runtime, selected) {
  const runs = (c) => !c.runtimes || c.runtimes.includes(runtime);
  if (selected) return selected.filter((name) => runs(CLIENTS[name]));
  const seen = new Set();
  return Object.keys(CLIENTS).filter((name) => {
    const c = CLIENTS[name];
    // A driver file can serve several packages (node-redis 6 and 5): one default variant of each.
    const library = `${c.file}:${c.package ?? ""}`;
    if (c.optional || c.variant || !runs(c) || seen.has(library)) return false;
    seen.add(library);
    return true;
  });
}

/** A process's resident set (VmRSS) and its peak (VmHWM), in bytes, from /proc (Linux). */
function memory(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(s)?.[1]) * 1024;
    return { rss: kb("VmRSS"), peak: kb("VmHWM") };
  } catch {
    return {};
  }
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One curve point for one client in its own process: a warm-up run, then `reps` timed runs. */
async function measurePoint({ server, runtime, client, curve, point, quick, reps, pin }) {
  const spec = CURVES[curve];
  const c = CLIENTS[client];
  const [cmd, args] = commandFor(runtime, c.file);
  const child = spawn(pin ? "taskset" : cmd, pin ? ["-c", "1", cmd, ...args] : args, {
    cwd: root,
    stdio: ["pipe", "pipe", "pipe"],
    env: {
      ...process.env,
      BENCH_HOST: "127.0.0.1",
      BENCH_PORT: String(server.port),
      BENCH_WORKLOAD: `scaling:${curve}`,
      BENCH_POINT: String(point),
      BENCH_PROTOCOL: String(c.protocol),
      BENCH_VARIANT: c.variant ?? "",
      UNIREDIS_MODULE: uniredisModule(runtime),
      NO_COLOR: "1",
    },
  });
  const talk = converse(child, "@@bench ");
  const units = spec.units(point, quick);
  const result = { runtime, client, curve, point, units, reps: [] };
  try {
    // Data first, so the baseline RSS is the connected client's, before any work.
    await server.raw.call("FLUSHALL", "SYNC");
    const setup = scalingSetup(curve, point);
    for (let i = 0; i < setup.length; i += 100) await server.raw.pipeline(setup.slice(i, i + 100));
    const ready = await talk.next(60_000);
    result.clientVersion = ready.version;
    result.runtimeVersion = ready.runtime;
    result.baseRss = memory(child.pid).rss;
    const timeout = 600_000;
    child.stdin.write(`run warmup ${Math.max(1, Math.ceil(units / 5))}\n`);
    await talk.next(timeout);
    for (let i = 0; i < reps; i++) {
      child.stdin.write(`run rep${i + 1} ${units}\n`);
      const m = await talk.next(timeout);
      result.reps.push({ ms: m.ms, p50: m.p50, p99: m.p99, bytes: m.bytes });
    }
    result.peakRss = memory(child.pid).peak;
    const ms = median(result.reps.map((r) => r.ms));
    result.unitsPerSec = (units / ms) * 1000;
    result.ratePerSec = result.unitsPerSec * spec.perUnit(point);
    if (spec.bytes) result.mbPerSec = (result.unitsPerSec * spec.bytes(point)) / 1e6;
    result.p50 = median(result.reps.map((r) => r.p50));
    result.p99 = median(result.reps.map((r) => r.p99));
    child.stdin.write("exit\n");
    await Promise.race([talk.exit, sleep(10_000)]);
  } catch (e) {
    result.error = String(e?.message ?? e).split("\n").slice(0, 8).join("\n");
  } finally {
    if (!talk.exited) {
      child.kill("SIGKILL");
      await talk.exit;
    }
    talk.close();
  }
  return result;
}

const mbs = (v) => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toPrecision(2));
const mib = (b) => (b === undefined || Number.isNaN(b) ? "" : (b / 2 ** 20).toFixed(0));
const ms3 = (v) => (v === undefined ? "" : v < 1 ? v.toFixed(3) : v < 100 ? v.toFixed(2) : v.toFixed(0));

function xLabel(curve, point) {
  const binary = CURVES[curve].x === "value bytes";
  if (!binary) return fmt(point);
  if (point >= 2 ** 20) return `${point / 2 ** 20} MiB`;
  if (point >= 1024) return `${point / 1024} KiB`;
  return `${point} B`;
}

function curveTable(curve, rows, label) {
  const spec = CURVES[curve];
  const header = [
    spec.x,
    "client",
    spec.unit === "batch" ? "batches/s" : "ops/s",
    spec.rate === "ops/s" ? undefined : spec.rate,
    `p50 ms / ${spec.unit}`,
    `p99 ms / ${spec.unit}`,
    "peak RSS MiB",
    "RSS at start MiB",
  ].filter((h) => h !== undefined);
  const body = rows.map((r) => {
    const line = [xLabel(curve, r.point), label(r.client)];
    if (r.error) return [...line, "FAILED", ...header.slice(3).map(() => "")];
    line.push(fmt(r.unitsPerSec) + (busy(r) ? "*" : ""));
    if (spec.rate !== "ops/s") line.push(spec.rate === "MB/s" ? mbs(r.mbPerSec) : fmt(r.ratePerSec));
    line.push(ms3(r.p50), ms3(r.p99), mib(r.peakRss), mib(r.baseRss));
    return line;
  });
  return { header, body };
}

export async function main(argv = process.argv.slice(2)) {
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
  const server = await startServer({ pin: options.pin });
  log(`redis-server ${server.version} on 127.0.0.1:${server.port} (pid ${server.pid})`);
  const results = [];
  try {
    for (const curve of options.curves) {
      const spec = CURVES[curve];
      const points = (options.quick ? spec.quickPoints : spec.points).filter((p) =>
        p <= options.max && (!options.points || options.points.includes(p))
      );
      for (const point of points) {
        for (const runtime of runtimes) {
          // Clients alternate within a point, so a disturbance hits all of them alike.
          for (const client of clientsFor(runtime, options.clients)) {
            const t0 = Date.now();
            const before = cpuSnapshot(server.pid);
            const r = await measurePoint({
              server,
              runtime,
              client,
              curve,
              point,
              quick: options.quick,
              reps: options.reps,
              pin: options.pin,
            });
            r.external = externalShare(before, cpuSnapshot(server.pid));
            results.push(r);
            const took = ((Date.now() - t0) / 1000).toFixed(1);
            log(
              `  ${runtime} ${client} ${curve} ${xLabel(curve, point)}: ` +
                (r.error
                  ? `FAILED (${took}s)\n    ${r.error.replaceAll("\n", "\n    ")}`
                  : `${spec.rate === "MB/s" ? mbs(r.mbPerSec) : fmt(r.ratePerSec)} ${spec.rate}, p50 ${
                    ms3(r.p50)
                  } ms, p99 ${ms3(r.p99)} ms, ` +
                    `peak RSS ${mib(r.peakRss)} MiB (${took}s)`),
            );
          }
        }
      }
    }
  } finally {
    await server.stop();
  }

  const seconds = (Date.now() - started) / 1000;
  const versions = {};
  for (const r of results) {
    if (r.runtimeVersion) versions[r.runtime] = r.runtimeVersion;
    if (r.clientVersion) versions[`${r.runtime}/${r.client}`] = r.clientVersion;
  }
  const env = {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    redis: server.version,
    git: git.head + (git.dirty.length ? ` (+${git.dirty.length} uncommitted: ${git.dirty.join(", ")})` : ""),
    quick: options.quick,
    reps: options.reps,
    pinned: options.pin,
    npmBuild: runtimes.includes("node") ? build : undefined,
    seconds,
  };
  const multi = runtimes.length > 1;
  const label = (runtime) => (client) => (multi ? `${runtime} ` : "") + CLIENTS[client].label;
  const md = [
    "# uniredis scaling curves",
    "",
    `${env.date}, ${env.cores} × ${env.cpu}, redis-server ${env.redis} on loopback, git ${env.git}, ` +
    runtimes.map((r) => versions[r] ?? r).join(", ") + ".",
    `${options.quick ? "Quick run (--quick). " : ""}Median of ${options.reps} timed runs after a warm-up, ` +
    "one process per client and point; clients alternate within each point. Latency is per command, or per " +
    "pipeline for the pipeline curve (the unit is named in the column). Peak RSS is the client process's " +
    "VmHWM (runtime, client, data), RSS at start its VmRSS once connected.",
    "",
    "Pool curve: uniredis is n `Redis` clients on one `BlockingConnectionPool` (maxConnections n), each " +
    "holding one connection (`singleConnectionClient`); ioredis and valkey-glide, which have no pool, are n " +
    "`IORedis` or `GlideClient` connections; node-redis is one `createClientPool` of n connections; one worker per client, one " +
    "command in flight each.",
  ];
  const out = [];
  for (const curve of options.curves) {
    const spec = CURVES[curve];
    const rows = results.filter((r) => r.curve === curve);
    if (rows.length === 0) continue;
    const byRuntime = runtimes.flatMap((rt) => rows.filter((r) => r.runtime === rt));
    const t = curveTable(curve, byRuntime, (c) => c);
    const names = (r) => label(r.runtime)(r.client);
    t.body = byRuntime.map((r, i) => [t.body[i][0], names(r), ...t.body[i].slice(2)]);
    md.push("", `## ${spec.title}`, "", markdown(t), "", `![${curve}](scaling-${curve}.svg)`);
    out.push(`\n== ${spec.title}\n${plain(t)}`);
    const series = [];
    for (const runtime of runtimes) {
      for (const client of clientsFor(runtime, options.clients)) {
        const mine = rows.filter((r) => r.runtime === runtime && r.client === client && !r.error);
        const y = (r) => (spec.rate === "MB/s" ? r.mbPerSec : r.ratePerSec);
        series.push({ name: label(runtime)(client), points: mine.map((r) => [r.point, y(r)]) });
      }
    }
    mkdirSync(options.out, { recursive: true });
    writeFileSync(
      join(options.out, `scaling-${curve}.svg`),
      logLogChart({
        title: spec.title,
        xLabel: spec.x,
        yLabel: spec.rate,
        series,
        xBinary: spec.x === "value bytes",
      }),
    );
  }
  const flagged = results.filter((r) => !r.error && busy(r));
  if (flagged.length) {
    const share = (r) => `${(100 * (r.external.other + r.external.steal)).toFixed(0)}%`;
    md.push(
      "",
      `Marked *: other processes (or hypervisor steal) used more than ${
        100 * BUSY_FLAG
      }% of the CPU during the point ` +
        `(${flagged.length} of ${results.length} points; e.g. ${flagged.slice(0, 3).map(share).join(", ")}).`,
    );
  }
  const failed = results.filter((r) => r.error);
  if (failed.length) {
    md.push("", "Failures:", "");
    for (const r of failed) {
      md.push(`- ${r.runtime} / ${r.client} / ${r.curve} ${r.point}: ${r.error.split("\n")[0]}`);
    }
  }
  const clientVersions = Object.entries(versions).filter(([k]) => k.includes("/"));
  if (clientVersions.length) {
    const seen = new Map();
    for (const [k, v] of clientVersions) seen.set(CLIENTS[k.split("/")[1]].file.replace(".mjs", ""), v);
    md.push("", "Clients: " + [...seen].map(([k, v]) => `${k} ${v}`).join(", ") + ".");
  }
  console.log(out.join("\n"));
  console.log(`\n(${seconds.toFixed(0)} s)`);
  mkdirSync(options.out, { recursive: true });
  writeFileSync(join(options.out, "scaling.json"), JSON.stringify({ env, options, results }, null, 2) + "\n");
  writeFileSync(join(options.out, "scaling.md"), md.join("\n") + "\n");
  log(`wrote ${join(options.out, "scaling.json")}, scaling.md and scaling-<curve>.svg`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    console.error(e?.stack ?? e);
    process.exit(1);
  });
}
