#!/usr/bin/env node
// CPU-profiles one client on one workload and prints where the time goes (self and inclusive time per
// function, and self time per file), with the same harness as run.mjs (own server, warm-up, flushes).
//
// Usage: node bench/profile.mjs [--runtime node|bun] [--client uniredis] [--workload W2] [--ops N]
//                               [--reps 1] [--top 30] [--interval 100] [--no-build] [--pin]
// --workload C1..C4 profiles a cluster workload against a throwaway cluster (bench/cluster.mjs).
// The .cpuprofile is kept in bench/profiles/ (open it in Chrome DevTools or speedscope).

import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { benchDir, buildNpm, CLIENTS, measure, root, startServer } from "./lib/harness.mjs";
import { WORKLOADS } from "./workloads/spec.mjs";
import { CLUSTER_WORKLOADS } from "./workloads/cluster-spec.mjs";
import { CLUSTER_CLIENTS, measureCluster } from "./cluster.mjs";
import { startCluster } from "./lib/cluster.mjs";

const o = {
  runtime: "node",
  client: "uniredis",
  workload: "W2",
  ops: undefined,
  reps: 1,
  top: 30,
  interval: 100,
};
o.build = true;
o.pin = false;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === "--no-build") o.build = false;
  else if (a === "--pin") o.pin = true;
  else if (a.startsWith("--") && argv[i + 1] !== undefined) o[a.slice(2)] = argv[++i];
  else throw new Error(`unknown option ${a}`);
}
o.reps = Number(o.reps);
o.top = Number(o.top);
// C1..C4 run against a throwaway cluster (bench/cluster.mjs), W1..W6 against one server.
const clustered = CLUSTER_WORKLOADS[o.workload] !== undefined;
if (!(clustered ? CLUSTER_CLIENTS : CLIENTS)[o.client]) throw new Error(`unknown client ${o.client}`);
if (!clustered && !WORKLOADS[o.workload]) throw new Error(`unknown workload ${o.workload}`);
if (o.runtime !== "node" && o.runtime !== "bun") throw new Error("profiling supports node and bun");
const spec = clustered ? CLUSTER_WORKLOADS[o.workload] : WORKLOADS[o.workload];
const ops = o.ops === undefined ? spec.ops : Number(o.ops);

const dir = join(benchDir, "profiles", `${o.runtime}-${o.client}-${o.workload}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
if (o.runtime === "node" && o.build) buildNpm((m) => console.error(m));

const server = clustered ? await startCluster({ pin: o.pin }) : await startServer({ pin: o.pin });
let r;
try {
  r = await (clustered ? measureCluster : measure)({
    server,
    cluster: server,
    runtime: o.runtime,
    client: o.client,
    workload: o.workload,
    ops,
    warmup: spec.warmup,
    reps: o.reps,
    pin: o.pin,
    timeoutMs: 600_000,
    flags: ["--cpu-prof", `--cpu-prof-dir=${dir}`, `--cpu-prof-interval=${o.interval}`],
  });
} finally {
  await server.stop();
}
if (r.error) {
  console.error(r.error);
  process.exit(1);
}
console.log(
  `${o.runtime} ${o.client} ${o.workload}: ${Math.round(r.opsPerSec).toLocaleString("en-US")} ops/s ` +
    `while profiled (warm-up included in the profile)`,
);

const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
if (!file) throw new Error(`no .cpuprofile written in ${dir}`);
const profile = JSON.parse(readFileSync(join(dir, file), "utf8"));

// Self time per node from samples and time deltas.
const self = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const total = [...self.values()].reduce((a, b) => a + b, 0);

function shortUrl(url) {
  if (!url) return "";
  const path = url.replace(/^file:\/\//, "");
  let rel = path.startsWith(root) ? relative(root, path) : path;
  rel = rel.replace(/^bench\/\.cache\/npm\/esm\//, "npm:"); // the Node build of uniredis
  return rel;
}
function keyOf(n) {
  const f = n.callFrame;
  const url = shortUrl(f.url);
  return `${f.functionName || "(anonymous)"}  ${url}${url ? `:${f.lineNumber + 1}` : ""}`;
}

const selfBy = new Map();
const fileBy = new Map();
const inclBy = new Map();
// Inclusive: walk the tree; a function counts once per stack even when it recurses.
function walk(id, onStack) {
  const n = nodes.get(id);
  const k = keyOf(n);
  const s = self.get(id) ?? 0;
  selfBy.set(k, (selfBy.get(k) ?? 0) + s);
  const fk = shortUrl(n.callFrame.url) || n.callFrame.functionName;
  fileBy.set(fk, (fileBy.get(fk) ?? 0) + s);
  const fresh = !onStack.has(k);
  if (fresh) onStack.add(k);
  let sum = s;
  for (const c of n.children ?? []) sum += walk(c, onStack);
  if (fresh) {
    onStack.delete(k);
    inclBy.set(k, (inclBy.get(k) ?? 0) + sum);
  }
  return sum;
}
walk(profile.nodes[0].id, new Set());

// Percentages are of the busy time: everything sampled except "(idle)" (waiting for the socket).
const idle = [...self].filter(([id]) => nodes.get(id).callFrame.functionName === "(idle)").reduce(
  (a, [, t]) => a + t,
  0,
);
const busy = total - idle;
const pct = (t) => ((100 * t) / busy).toFixed(1).padStart(5) + "%";
const top = (m, n, filter = () => true) =>
  [...m].filter(([k]) => filter(k) && !k.startsWith("(idle)")).sort((a, b) => b[1] - a[1]).slice(0, n).map((
    [k, t],
  ) => `  ${pct(t)}  ${k}`);
const ours = (k) => /(npm:|^|\s)(lib|transports|mod)/.test(k) && !k.includes("node_modules");

console.log(`\nprofile: ${relative(process.cwd(), join(dir, file))}`);
console.log(
  `${(total / 1000).toFixed(0)} ms sampled, ${(busy / 1000).toFixed(0)} ms busy; % below are of busy time`,
);
console.log(`\nself time, top ${o.top}:`);
console.log(top(selfBy, o.top).join("\n"));
console.log(`\nself time per file:`);
console.log(top(fileBy, 20).join("\n"));
console.log(`\ninclusive time, uniredis functions (lib/, transports/, mod):`);
console.log(top(inclBy, o.top, ours).join("\n"));
