#!/usr/bin/env node
// Side-by-side benchmark of uniredis and other Redis clients on Node, Bun and Deno. See bench/README.md.
//
// Usage: node bench/run.mjs --cluster [...]: the cluster workloads (see bench/cluster.mjs)
//        node bench/run.mjs --scaling [...]: the scaling curves (see bench/scaling.mjs)
//        node bench/run.mjs [--quick] [--only W2,W3] [--runtime node,bun] [--clients uniredis,ioredis]
//                           [--reps 3] [--no-ceiling] [--no-build] [--pin] [--out bench/results]

import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import {
  benchDir,
  buildNpm,
  ceiling,
  CLIENTS,
  gitState,
  measure,
  npmCopy,
  runtimeAvailable,
  RUNTIMES,
  startServer,
} from "./lib/harness.mjs";
import { cpuSnapshot, externalShare } from "./lib/cpu.mjs";
import { WORKLOADS } from "./workloads/spec.mjs";
import { fmt, markdown, plain } from "./lib/table.mjs";

/** A measurement is flagged when other processes (or the hypervisor) took more than this share of the CPU. */
const BUSY_FLAG = 0.1;

const USAGE = `node bench/run.mjs [options]
  --cluster            the cluster workloads C1..C4 instead (see node bench/run.mjs --cluster --help)
  --scaling            the scaling curves instead (see node bench/run.mjs --scaling --help)
  --quick              fewer ops per run (about a quarter)
  --only W2,W3         workloads to run (W1..W6; default all)
  --runtime node,bun   runtimes to run (node, bun, deno; default all)
  --clients a,b        client variants (default: every non-optional variant the runtime loads):
${
  Object.entries(CLIENTS).map(([name, c]) =>
    `                       ${name.padEnd(22)} ${c.label}${c.runtimes ? ` [${c.runtimes.join(", ")}]` : ""}${
      c.optional ? " (optional)" : ""
    }`
  ).join("\n")
}
  --reps N             timed runs per measurement, median reported (default 3)
  --no-ceiling         skip redis-benchmark
  --no-build           use the npm build already in bench/.cache/npm (Node only)
  --pin                pin redis-server to CPU 0 and clients/redis-benchmark to CPU 1
  --out DIR            where latest.json and latest.md go (default bench/results)`;

function parseArgs(argv) {
  const o = { quick: false, only: Object.keys(WORKLOADS), runtimes: RUNTIMES, clients: undefined, reps: 3 };
  o.ceiling = true;
  o.build = true;
  o.pin = false;
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
    else if (a === "--only") o.only = list().map((w) => w.toUpperCase());
    else if (a === "--runtime" || a === "--runtimes") o.runtimes = list();
    else if (a === "--clients" || a === "--client") o.clients = list();
    else if (a === "--reps") o.reps = Number(value());
    else if (a === "--no-ceiling") o.ceiling = false;
    else if (a === "--no-build") o.build = false;
    else if (a === "--pin") o.pin = true;
    else if (a === "--out") o.out = value();
    else if (a === "--help" || a === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  for (const w of o.only) if (!WORKLOADS[w]) throw new Error(`unknown workload ${w}`);
  for (const r of o.runtimes) if (!RUNTIMES.includes(r)) throw new Error(`unknown runtime ${r}`);
  for (const c of o.clients ?? []) if (!CLIENTS[c]) throw new Error(`unknown client ${c}`);
  if (!(o.reps >= 1)) throw new Error("--reps must be at least 1");
  return o;
}

const log = (...a) => console.error(...a);

function clientsFor(runtime, selected) {
  return Object.keys(CLIENTS).filter((name) => {
    const c = CLIENTS[name];
    if (selected !== undefined) {
      return selected.includes(name) && (!c.runtimes || c.runtimes.includes(runtime));
    }
    return !c.optional && (!c.runtimes || c.runtimes.includes(runtime));
  });
}

function disturbed(r) {
  const e = r.external;
  if (!e || e.other + e.steal <= BUSY_FLAG) return undefined;
  return `other processes used ${(100 * e.other).toFixed(0)}% and steal ${
    (100 * e.steal).toFixed(0)
  }% of the CPU`;
}

function cell(r) {
  if (r === undefined) return "–";
  if (r.error) return "FAILED";
  const s = fmt(r.opsPerSec) + (disturbed(r) ? "*" : "");
  return r.mbPerSec !== undefined ? `${s} (${fmt(r.mbPerSec)} MB/s)` : s;
}

/** uniredis's median over the best peer's median on the same runtime and workload. */
function ratio(rows, uniClient) {
  const uni = rows.find((r) => r.client === uniClient && !r.error);
  const peers = rows.filter((r) => CLIENTS[r.client].role === "peer" && !r.error);
  if (!uni || peers.length === 0) return undefined;
  const best = peers.reduce((a, b) => (b.opsPerSec > a.opsPerSec ? b : a));
  return { value: uni.opsPerSec / best.opsPerSec, vs: best.client };
}

function table(runtime, clients, results, ceilings, options) {
  const header = ["workload", ...clients.map((c) => CLIENTS[c].label), "uniredis / best peer"];
  const hasR2 = clients.includes("uniredis-resp2");
  if (hasR2) header.push("RESP2 / best peer");
  if (options.ceiling) header.push("redis-benchmark");
  const body = [];
  for (const w of options.only) {
    const rows = results.filter((r) => r.runtime === runtime && r.workload === w);
    const line = [WORKLOADS[w].title];
    for (const c of clients) line.push(cell(rows.find((r) => r.client === c)));
    const r3 = ratio(rows, "uniredis");
    line.push(r3 ? `${r3.value.toFixed(2)} (vs ${r3.vs})` : "–");
    if (hasR2) {
      const r2 = ratio(rows, "uniredis-resp2");
      line.push(r2 ? `${r2.value.toFixed(2)}` : "–");
    }
    if (options.ceiling) {
      const c = ceilings.find((x) => x.workload === w);
      line.push(c === undefined ? "–" : c.error ? "FAILED" : fmt(c.opsPerSec));
    }
    body.push(line);
  }
  return { header, body };
}

/** Workloads whose client CPU per operation gets its own table (per-command cost, not payload size). */
const CPU_WORKLOADS = ["W1", "W2", "W3"];

/** Client CPU seconds per million ops; peers also show peer / uniredis (> 1: uniredis uses less CPU). */
function cpuTable(runtime, clients, results, options) {
  const header = ["client CPU s / 1M ops", ...clients.map((c) => CLIENTS[c].label)];
  const body = [];
  for (const w of options.only.filter((x) => CPU_WORKLOADS.includes(x))) {
    const rows = results.filter((r) => r.runtime === runtime && r.workload === w);
    const uni = rows.find((r) => r.client === "uniredis" && !r.error)?.cpuPerMOps;
    const line = [WORKLOADS[w].title];
    for (const c of clients) {
      const r = rows.find((x) => x.client === c);
      if (r === undefined || r.cpuPerMOps === undefined) line.push(r?.error ? "FAILED" : "–");
      else if (CLIENTS[c].role !== "peer" || !uni) line.push(r.cpuPerMOps.toFixed(2));
      else line.push(`${r.cpuPerMOps.toFixed(2)} (${(r.cpuPerMOps / uni).toFixed(2)})`);
    }
    body.push(line);
  }
  return body.length ? { header, body } : undefined;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const runtimes = options.runtimes.filter((r) => {
    if (runtimeAvailable(r)) return true;
    log(`skipping ${r}: node_modules/.bin/${r} not found (npm install)`);
    return false;
  });
  const git = gitState(); // before the build: the tree the figures are for
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
  const ceilings = [];
  const notes = [];
  try {
    if (options.ceiling) {
      for (const w of options.only) {
        const c = await ceiling({
          server,
          workload: w,
          quick: options.quick,
          reps: options.reps,
          pin: options.pin,
        });
        ceilings.push(c);
        log(
          `  ceiling ${w}: ${
            c.error ? "FAILED " + c.error : fmt(c.opsPerSec) + " ops/s"
          } (redis-benchmark ${c.note})`,
        );
      }
    }
    for (const runtime of runtimes) {
      for (const client of clientsFor(runtime, options.clients)) {
        for (const w of options.only) {
          const spec = WORKLOADS[w];
          const counts = options.quick ? spec.quick : spec;
          const t0 = Date.now();
          const before = cpuSnapshot(server.pid);
          const r = await measure({
            server,
            runtime,
            client,
            workload: w,
            ops: counts.ops,
            warmup: counts.warmup,
            reps: options.reps,
            pin: options.pin,
            timeoutMs: 180_000,
          });
          r.external = externalShare(before, cpuSnapshot(server.pid));
          results.push(r);
          const took = ((Date.now() - t0) / 1000).toFixed(1);
          const busy = disturbed(r);
          if (busy) notes.push(`${runtime} / ${CLIENTS[client].label} / ${w}: ${busy}`);
          if (r.error) {
            log(`  ${runtime} ${client} ${w}: FAILED (${took}s)\n    ${r.error.replaceAll("\n", "\n    ")}`);
            notes.push(`${runtime} / ${CLIENTS[client].label} / ${w} failed: ${r.error.split("\n")[0]}`);
          } else {
            log(
              `  ${runtime} ${client} ${w}: ${fmt(r.opsPerSec)} ops/s [${
                r.reps.map(fmt).join(", ")
              }] (${took}s)` +
                (busy ? ` ⚠ ${busy}` : ""),
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

  const md = [
    `# uniredis benchmark`,
    "",
    `${env.date}, ${env.cores} × ${env.cpu}, redis-server ${env.redis} on loopback, git ${env.git}.` +
    (env.npmBuild && env.npmBuild !== "fresh" ? ` npm build: ${env.npmBuild}.` : ""),
    `${options.quick ? "Quick run (--quick). " : ""}ops/s, median of ${options.reps} runs after a warm-up; ` +
    `each client and workload in its own process.${
      options.pin
        ? " Server pinned to CPU 0, clients to CPU 1."
        : " Server and client share the CPUs (not pinned)."
    }`,
    "Ratio: uniredis (RESP3, its default) / the fastest peer on the same runtime; > 1 means uniredis is faster.",
    "Client CPU: user + system seconds of the client's process (all its threads) per million ops over the " +
    "timed runs, median; in brackets peer / uniredis, > 1 means uniredis uses less CPU.",
  ];
  const out = [];
  for (const runtime of runtimes) {
    const clients = clientsFor(runtime, options.clients);
    const t = table(runtime, clients, results, ceilings, options);
    const version = versions[runtime] ?? runtime;
    out.push(`\n== ${version}\n${plain(t)}`);
    md.push("", `## ${version}`, "", markdown(t));
    const c = cpuTable(runtime, clients, results, options);
    if (c) {
      out.push(`\n${plain(c)}`);
      md.push("", markdown(c));
    }
  }
  if (options.ceiling) {
    md.push(
      "",
      "Ceiling: redis-benchmark, " + ceilings.map((c) => `${c.workload}: \`${c.note}\``).join("; ") + ".",
    );
  }
  const clientVersions = Object.entries(versions).filter(([k]) => k.includes("/"));
  if (clientVersions.length) {
    // One entry per driver and version (node-redis runs as 6 and as 5).
    const seen = new Set(
      clientVersions.map(([k, v]) => `${CLIENTS[k.split("/")[1]].file.replace(".mjs", "")} ${v}`),
    );
    md.push("", "Clients: " + [...seen].join(", ") + ".");
  }
  const flagged = notes.length ? "\n\nNotes (* marks a figure measured while other work used the CPU):" : "";
  if (notes.length) md.push("", flagged.trim(), "", ...notes.map((n) => `- ${n}`));

  console.log(out.join("\n"));
  if (notes.length) console.log(flagged + "\n" + notes.map((n) => `  ${n}`).join("\n"));
  console.log(`\n(${seconds.toFixed(0)} s)`);

  mkdirSync(options.out, { recursive: true });
  writeFileSync(
    join(options.out, "latest.json"),
    JSON.stringify({ env, options, ceilings, results }, null, 2) + "\n",
  );
  writeFileSync(join(options.out, "latest.md"), md.join("\n") + "\n");
  log(`wrote ${join(options.out, "latest.json")} and latest.md`);
}

// --cluster: the cluster workloads (bench/cluster.mjs), with their own options and results file.
const argv = process.argv.slice(2);
const entry = argv.includes("--cluster")
  ? import("./cluster.mjs").then((m) => m.main(argv.filter((a) => a !== "--cluster")))
  : argv.includes("--scaling")
  ? import("./scaling.mjs").then((m) => m.main(argv.filter((a) => a !== "--scaling")))
  : main();
entry.catch((e) => {
  console.error(e?.stack ?? e);
  process.exit(1);
});
