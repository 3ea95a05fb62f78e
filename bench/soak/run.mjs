#!/usr/bin/env node
// Soak test of uniredis under connection cuts. See bench/soak/README.md.
//
// Usage: node bench/soak/run.mjs [--minutes 10] [--runtime node|bun|deno] [--quick] [--no-build]
//
// Starts a throwaway redis-server (temp dir, free loopback port, no persistence), puts a cutting TCP proxy
// (bench/soak/proxy.mjs) in front of it, and runs bench/soak/worker.mjs in the runtime under test against
// the proxy: ~50 operations in flight for N minutes. Every 5 s the proxy cuts every connection (every 3rd
// time inside a reply instead). Every 10 s it samples the worker's memory (after a forced GC), the open
// sockets (the proxy's live connections and the server's connected_clients over a separate control
// connection that bypasses the proxy), the pool's counts, ops/s and failures. At the end: a table, a
// verdict, bench/soak/results/latest.md, and exit code 1 when a threshold is crossed.

import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startThrowawayRedis } from "../../scripts/throwaway_redis.mjs";
import { RawRedis } from "../lib/resp.mjs";
import { bin, converse, gitState, root, runtimeAvailable, RUNTIMES } from "../lib/harness.mjs";
import { startProxy } from "./proxy.mjs";

const soakDir = dirname(fileURLToPath(import.meta.url));
/** Private copy of the npm build for Node (bench/run.mjs keeps its own in bench/.cache/npm). */
const npmCopy = join(soakDir, ".cache", "npm");

// Thresholds (exit code 1 when crossed).
const HEAP_GROWTH_MAX = 1.5; // last window's mean heapUsed / first window's
const SOCKET_SLACK = 2; // last window's max open sockets may exceed the first window's max by this much
const CUT_EVERY_MS = 5_000;
const MID_REPLY_EVERY = 3; // every 3rd cut is a mid-reply cut
const SAMPLE_EVERY_MS = 10_000;
const SAMPLE_OFFSET_MS = 2_500; // samples fall between cuts, 2.5 s after one

const USAGE = `node bench/soak/run.mjs [options]
  --minutes N          how long the load runs (default 10)
  --quick              same as --minutes 1
  --runtime R          node, bun or deno (default node)
  --no-build           Node: reuse the npm build already in bench/soak/.cache/npm
  --inject-leak        self-test of the checks: the worker leaks sockets and heap and leaves a
                       promise unsettled, so the verdict must be FAIL
  --out DIR            where latest.md goes (default bench/soak/results)`;

function parseArgs(argv) {
  const o = { minutes: 10, runtime: "node", build: true, out: join(soakDir, "results") };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--minutes") o.minutes = Number(value());
    else if (a === "--quick") o.minutes = 1;
    else if (a === "--runtime") o.runtime = value();
    else if (a === "--no-build") o.build = false;
    else if (a === "--inject-leak") o.injectLeak = true;
    else if (a === "--out") o.out = value();
    else if (a === "--help" || a === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  if (!(o.minutes > 0)) throw new Error("--minutes must be > 0");
  if (!RUNTIMES.includes(o.runtime)) throw new Error(`unknown runtime ${o.runtime} (node, bun or deno)`);
  return o;
}

const log = (...a) => console.error(...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mb = (n) => (n / 1024 / 1024).toFixed(1);

function buildNpm() {
  log("building the npm package (scripts/build_npm.ts) ...");
  const r = spawnSync(bin("deno"), ["run", "-A", "scripts/build_npm.ts"], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`npm build failed:\n${(r.stdout ?? "") + (r.stderr ?? "")}`.trim());
  rmSync(npmCopy, { recursive: true, force: true });
  mkdirSync(npmCopy, { recursive: true });
  cpSync(join(root, "npm", "esm"), join(npmCopy, "esm"), { recursive: true });
  writeFileSync(join(npmCopy, "package.json"), JSON.stringify({ type: "module" }));
}

function childCommand(runtime) {
  const file = join(soakDir, "worker.mjs");
  if (runtime === "node") return [process.execPath, ["--expose-gc", file]];
  if (runtime === "bun") return [bin("bun"), [file]];
  return [bin("deno"), ["run", "-A", "--v8-flags=--expose-gc", file]];
}

/** The child and a line-oriented conversation with it. */
function startChild(runtime, port, injectLeak) {
  const [cmd, args] = childCommand(runtime);
  const child = spawn(cmd, args, {
    cwd: root,
    stdio: ["pipe", "pipe", "pipe"],
    env: {
      ...process.env,
      SOAK_PORT: String(port),
      SOAK_MODULE: runtime === "node" ? join(npmCopy, "esm", "mod.js") : join(root, "mod.ts"),
      NO_COLOR: "1",
      SOAK_INJECT_LEAK: injectLeak ? "1" : "",
    },
  });
  const talk = converse(child, "@@soak ");
  return {
    child,
    next: talk.next,
    exit: talk.exit,
    send: (line) => child.stdin.write(line + "\n"),
    get stderr() {
      return talk.stderr;
    },
    get exited() {
      return talk.exited;
    },
  };
}

/** The worker's open sockets and file descriptors, from /proc (Linux; undefined elsewhere). */
function processFds(pid) {
  let entries;
  try {
    entries = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return undefined;
  }
  let sockets = 0;
  for (const fd of entries) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith("socket:")) sockets++;
    } catch {
      // closed meanwhile
    }
  }
  return { fds: entries.length, sockets };
}

async function serverClients(control) {
  const info = await control.call("INFO", "clients");
  const n = Number(/connected_clients:(\d+)/.exec(info)?.[1]);
  return n - 1; // not counting the control connection itself
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

function windows(samples, durationMs) {
  // Warm-up: the first min(30 s, 1/6 of the run). Then the first and the last window of min(60 s, half of what
  // is left) each: for 10 minutes, 30-90 s against 540-600 s; for 1 minute, 10-35 s against 35-60 s.
  const warm = Math.min(30_000, durationMs / 6);
  const span = Math.min(60_000, (durationMs - warm) / 2);
  const first = samples.filter((s) => s.t >= warm && s.t < warm + span);
  const last = samples.filter((s) => s.t >= durationMs - span);
  return { warm, span, first, last };
}

function table(samples) {
  const header = [
    "t (s)",
    "rss MB",
    "heapUsed MB",
    "proxy conns",
    "server clients",
    "worker sockets/fds",
    "pool inUse/idle",
    "ops/s",
    "failed",
    "desyncs",
    "cuts",
  ];
  const rows = samples.map((s) => [
    (s.t / 1000).toFixed(1),
    mb(s.rss),
    mb(s.heapUsed),
    String(s.proxyConnections),
    String(s.serverClients),
    s.clientSockets === undefined ? "?" : `${s.clientSockets}/${s.clientFds}`,
    `${s.inUse}/${s.idle}`,
    Math.round(s.opsPerSec).toLocaleString("en-US"),
    String(s.failed),
    String(s.desyncs),
    String(s.cuts),
  ]);
  return { header, rows };
}

function plain({ header, rows }) {
  const all = [header, ...rows];
  const w = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((v, i) => v.padStart(w[i])).join("  ");
  return [line(header), w.map((n) => "-".repeat(n)).join("  "), ...rows.map(line)].join("\n");
}

function markdown({ header, rows }) {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---:").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const { runtime } = options;
  if (!runtimeAvailable(runtime)) throw new Error(`node_modules/.bin/${runtime} not found (npm install)`);
  const durationMs = options.minutes * 60_000;
  const git = gitState();
  let buildNote = "";
  if (runtime === "node") {
    const have = existsSync(join(npmCopy, "esm", "mod.js"));
    if (options.build) {
      try {
        buildNpm();
      } catch (e) {
        if (!have) throw e;
        // As bench/run.mjs: a tree that does not compile right now still gets soaked, on the last good build.
        buildNote = "npm build FAILED, so Node ran the previous build in bench/soak/.cache/npm";
        log(`${e.message}\n${buildNote}`);
      }
    } else if (!have) throw new Error("--no-build: no build in " + npmCopy);
    else buildNote = "reused bench/soak/.cache/npm (--no-build)";
  }

  const server = await startThrowawayRedis({ prefix: "uniredis-soak-" });
  const control = await RawRedis.open(server.port);
  const version = /redis_version:(\S+)/.exec(await control.call("INFO", "server"))?.[1];
  const proxy = await startProxy(server.port);
  log(`redis-server ${version} on 127.0.0.1:${server.port} (pid ${server.pid}), proxy on ${proxy.port}`);

  const samples = [];
  let final;
  let ready;
  let child;
  let cutTimer;
  try {
    child = startChild(runtime, proxy.port, options.injectLeak);
    ready = await child.next(60_000);
    log(
      `${ready.runtime}, uniredis ${ready.version}, ${ready.workers} workers, forced GC: ${
        ready.gc ? "yes" : "NO"
      }`,
    );
    log(
      `running ${options.minutes} min: a cut every ${
        CUT_EVERY_MS / 1000
      } s (every ${MID_REPLY_EVERY}rd mid-reply)`,
    );

    const t0 = Date.now();
    let cutNo = 0;
    cutTimer = setInterval(() => {
      cutNo++;
      if (cutNo % MID_REPLY_EVERY === 0) proxy.cutMidReply();
      else proxy.cutAll();
    }, CUT_EVERY_MS);

    let prev = { t: 0, settled: 0 };
    for (let k = 0;; k++) {
      const due = t0 + SAMPLE_OFFSET_MS + k * SAMPLE_EVERY_MS;
      if (due > t0 + durationMs) break;
      await sleep(Math.max(0, due - Date.now()));
      child.send("sample");
      const m = await child.next(30_000);
      const t = Date.now() - t0;
      const s = {
        ...m,
        t,
        proxyConnections: proxy.connections,
        serverClients: await serverClients(control),
        clientSockets: processFds(child.child.pid)?.sockets,
        clientFds: processFds(child.child.pid)?.fds,
        cuts: proxy.cuts,
        opsPerSec: ((m.settled - prev.settled) / (t - prev.t)) * 1000,
      };
      prev = { t, settled: m.settled };
      samples.push(s);
      log(
        `  ${(t / 1000).toFixed(0).padStart(4)} s  rss ${mb(s.rss)} MB  heap ${mb(s.heapUsed)} MB  ` +
          `proxy ${s.proxyConnections}  server ${s.serverClients}  worker sockets ${
            s.clientSockets ?? "?"
          }  ` +
          `pool ${s.inUse}/${s.idle}  ` +
          `${Math.round(s.opsPerSec)} ops/s  failed ${s.failed}  desyncs ${s.desyncs}`,
      );
    }
    await sleep(Math.max(0, t0 + durationMs - Date.now()));
    clearInterval(cutTimer);
    child.send("stop");
    final = await child.next(60_000);
    // After close(): give the server a moment to notice the closed sockets.
    let after;
    for (let i = 0; i < 20; i++) {
      after = { proxy: proxy.connections, server: await serverClients(control) };
      if (after.proxy === 0 && after.server === 0) break;
      await sleep(100);
    }
    after.worker = processFds(child.child.pid);
    final.socketsAfterClose = after;
    child.send("exit");
    await Promise.race([child.exit, sleep(5_000)]);
  } finally {
    clearInterval(cutTimer);
    if (child && !child.exited) {
      child.child.kill("SIGKILL");
      await child.exit;
    }
    await proxy.close();
    control.close();
    await server.stop();
  }

  // ---- verdict ----
  const { warm, span, first, last } = windows(samples, durationMs);
  const checks = [];
  const st = final.stats;
  checks.push({
    name: "desyncs",
    value: String(st.desyncs),
    limit: "must be 0",
    ok: st.desyncs === 0,
  });
  checks.push({
    name: "every promise settled",
    value: `issued ${st.issued.toLocaleString("en-US")}, settled ${st.settled.toLocaleString("en-US")}` +
      (final.settledInTime ? "" : " (workers still busy 30 s after stop)"),
    limit: "issued == settled",
    ok: final.unsettled === 0 && final.settledInTime,
  });
  let heapRatio, rssRatio;
  if (first.length && last.length) {
    heapRatio = mean(last.map((s) => s.heapUsed)) / mean(first.map((s) => s.heapUsed));
    rssRatio = mean(last.map((s) => s.rss)) / mean(first.map((s) => s.rss));
    const maxOf = (w, f) => Math.max(...w.map(f));
    const proxyFirst = maxOf(first, (s) => s.proxyConnections);
    const proxyLast = maxOf(last, (s) => s.proxyConnections);
    const serverFirst = maxOf(first, (s) => s.serverClients);
    const serverLast = maxOf(last, (s) => s.serverClients);
    checks.push({
      name: "heapUsed growth",
      value: `${heapRatio.toFixed(2)}× (${mb(mean(first.map((s) => s.heapUsed)))} → ${
        mb(mean(last.map((s) => s.heapUsed)))
      } MB)`,
      limit: `≤ ${HEAP_GROWTH_MAX}×`,
      ok: heapRatio <= HEAP_GROWTH_MAX,
    });
    checks.push({
      name: "rss growth (informational)",
      value: `${rssRatio.toFixed(2)}× (${mb(mean(first.map((s) => s.rss)))} → ${
        mb(mean(last.map((s) => s.rss)))
      } MB)`,
      limit: "not enforced",
      ok: true,
    });
    checks.push({
      name: "open sockets (proxy)",
      value: `max ${proxyLast} in the last window vs ${proxyFirst} in the first (at start: ${
        samples[0].proxyConnections
      })`,
      limit: `≤ first + ${SOCKET_SLACK}`,
      ok: proxyLast <= proxyFirst + SOCKET_SLACK,
    });
    if (first.every((s) => s.clientSockets !== undefined)) {
      const workerFirst = maxOf(first, (s) => s.clientSockets);
      const workerLast = maxOf(last, (s) => s.clientSockets);
      checks.push({
        name: "open sockets (worker process, /proc/<pid>/fd)",
        value: `max ${workerLast} in the last window vs ${workerFirst} in the first (at start: ${
          samples[0].clientSockets
        })`,
        limit: `≤ first + ${SOCKET_SLACK}`,
        ok: workerLast <= workerFirst + SOCKET_SLACK,
      });
    }
    checks.push({
      name: "open sockets (server connected_clients)",
      value: `max ${serverLast} in the last window vs ${serverFirst} in the first (at start: ${
        samples[0].serverClients
      })`,
      limit: `≤ first + ${SOCKET_SLACK}`,
      ok: serverLast <= serverFirst + SOCKET_SLACK,
    });
  } else {
    checks.push({ name: "windows", value: "too few samples", limit: "a run of ≥ 1 minute", ok: false });
  }
  const a = final.socketsAfterClose;
  checks.push({
    name: "sockets after close()",
    value: `proxy ${a.proxy}, server ${a.server}; pool inUse ${final.after.inUse}, idle ${final.after.idle}` +
      (a.worker ? `; worker process still holds ${a.worker.sockets} sockets (informational)` : "") +
      (final.closeError ? `; ${final.closeError}` : ""),
    limit: "all 0",
    ok: a.proxy === 0 && a.server === 0 && final.after.inUse === 0 && final.after.idle === 0 &&
      !final.closeError,
  });
  const passed = checks.every((c) => c.ok);

  const seconds = durationMs / 1000;
  const failedByClass = Object.entries(st.failedByClass).sort((x, y) => y[1] - x[1]);
  const summary = [
    `ops: ${st.issued.toLocaleString("en-US")} issued, ${st.ok.toLocaleString("en-US")} ok, ` +
    `${st.failed.toLocaleString("en-US")} failed (${
      (100 * st.failed / Math.max(1, st.issued)).toFixed(2)
    }%), ` +
    `${Math.round(st.settled / seconds).toLocaleString("en-US")} ops/s on average`,
    `ok by operation: ${
      Object.entries(st.okByOp).map(([k, v]) => `${k} ${v.toLocaleString("en-US")}`).join(", ")
    }`,
    `failed by class: ${
      failedByClass.map(([k, v]) => `${k} ${v.toLocaleString("en-US")}`).join(", ") || "none"
    }`,
    `failed by operation: ${
      Object.entries(st.failedByOp).sort((x, y) => y[1] - x[1]).map(([k, v]) =>
        `${k} ${v.toLocaleString("en-US")}`
      )
        .join(", ") || "none"
    }`,
    `cuts: ${proxy.cuts} (${proxy.midReplyCuts} connections cut mid-reply); proxy accepted ${proxy.accepted} connections; ` +
    `client events: ${Object.entries(final.events).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    `windows: warm-up ${(warm / 1000).toFixed(0)} s, first window ${(warm / 1000).toFixed(0)}–${
      ((warm + span) / 1000).toFixed(0)
    } s (${first.length} samples), last window ${((durationMs - span) / 1000).toFixed(0)}–${
      seconds.toFixed(0)
    } s (${last.length} samples)`,
  ];
  if (st.otherErrors) {
    summary.push(
      "other errors: " +
        Object.entries(st.otherErrors).sort((x, y) => y[1] - x[1]).slice(0, 10).map(([k, v]) => `${k} ×${v}`)
          .join("; "),
    );
  }
  if (st.desyncSamples.length) summary.push("desync samples:\n    " + st.desyncSamples.join("\n    "));

  const t = table(samples);
  const verdictLines = checks.map((c) =>
    `${c.ok ? "ok  " : "FAIL"}  ${c.name}: ${c.value} (limit: ${c.limit})`
  );
  const env =
    `${new Date().toISOString()}, ${ready.runtime}, uniredis ${ready.version}, redis-server ${version}, ` +
    `git ${git.head}${
      git.dirty.length ? ` (+${git.dirty.length} uncommitted)` : ""
    }, ${options.minutes} min, ` +
    `forced GC: ${ready.gc ? "yes" : "no"}${options.injectLeak ? ", SELF-TEST --inject-leak" : ""}` +
    (buildNote ? `, ${buildNote}` : "");
  console.log(
    `\n== soak: ${env}\n\n${plain(t)}\n\n${summary.join("\n")}\n\n${verdictLines.join("\n")}\n\n` +
      `verdict: ${passed ? "PASS" : "FAIL"}`,
  );

  const md = [
    "# uniredis soak",
    "",
    env + ".",
    "",
    `Load: ${ready.workers} workers (~50 operations in flight) through a proxy that cuts every connection every ` +
    `${
      CUT_EVERY_MS / 1000
    } s (every ${MID_REPLY_EVERY}rd cut inside a reply). Memory sampled after a forced GC; ` +
    `sockets = the proxy's live client connections, the server's \`connected_clients\` (control connection ` +
    `excluded) and the worker's socket descriptors (/proc/<pid>/fd). Thresholds: see bench/soak/README.md.`,
    "",
    markdown(t),
    "",
    ...summary.map((l) => `- ${l}`),
    "",
    ...verdictLines.map((l) => `- ${l}`),
    "",
    `Verdict: **${passed ? "PASS" : "FAIL"}**`,
    "",
  ];
  mkdirSync(options.out, { recursive: true });
  writeFileSync(join(options.out, "latest.md"), md.join("\n"));
  writeFileSync(join(options.out, `latest-${runtime}.md`), md.join("\n"));
  log(`wrote ${join(options.out, "latest.md")} (and latest-${runtime}.md)`);
  process.exitCode = passed ? 0 : 1;
}

main().catch((e) => {
  console.error(e?.stack ?? e);
  process.exit(1);
});
