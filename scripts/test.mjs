#!/usr/bin/env node
// Runs the quality gates and the whole suite on Deno, Bun and Node (the npm
// build), then once more on Deno against Valkey (the `valkey` pass), then the
// edge smoke suite in workerd (the `workerd` pass), then the packed npm package
// in an empty project (the `package` pass), and prints one line:
// `N passed, N failed` over every run.
//
// Usage: node scripts/test.mjs [--only deno,bun,node,valkey,workerd,package] [--no-gates] [test files...]
// Written as plain JavaScript so a bare Node can run it before anything is built.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { extraNodePaths, runtimePath } from "./runtimes.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// Deno and Bun from their npm packages, found as scripts/runtimes.mjs says (not through node_modules/.bin).
const bin = runtimePath;
const tmp = join(root, ".tmp");
mkdirSync(tmp, { recursive: true });

const argv = process.argv.slice(2);
let only = ["deno", "bun", "node", "valkey", "workerd", "package"];
let gates = true;
const files = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--only") only = argv[++i].split(",");
  else if (argv[i] === "--no-gates") gates = false;
  else files.push(argv[i]);
}

/** Finds `*_test.ts` files under the given directories. */
function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === "node_modules" || name === "npm" || name.startsWith(".")) continue;
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith("_test.ts")) found.push(path);
  }
  return found;
}

const testFiles = (files.length ? files.map((f) => join(root, f)) : [
  ...findTests(join(root, "lib")),
  ...findTests(join(root, "tests")),
]).map((f) => relative(root, f)).sort();

function run(label, cmd, args, options = {}) {
  console.log(`\n=== ${label}: ${[cmd, ...args].map((a) => relative(root, a) || a).join(" ")}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NO_COLOR: "1" },
    ...options,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = r.status === 0;
  console.log(`=== ${label}: ${ok ? "ok" : `FAILED (exit ${r.status ?? r.signal})`} in ${seconds}s`);
  return ok;
}

/** Failed cases of every run, named at the end so a red run says which test failed without the whole log. */
const failures = [];

/** Reads an XML attribute of a tag's text, unescaping the common entities. */
function attribute(tag, name) {
  const m = new RegExp(`\\b${name}="([^"]*)"`).exec(tag);
  return m ? unescapeXML(m[1]) : "";
}

function unescapeXML(text) {
  return text.replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** Counts test cases in a JUnit report: [passed, failed, skipped]; failed ones are added to `failures`. */
function countJUnit(file, label = file) {
  if (!existsSync(file)) return undefined;
  const xml = readFileSync(file, "utf8");
  let passed = 0, failed = 0, skipped = 0;
  // Each case runs from its tag to the next case or suite boundary; its children say how it ended.
  // (Split rather than parse: some reporters leave ">" unescaped in attribute values.)
  for (const part of xml.split(/<testcase\b/).slice(1)) {
    const body = part.split(/<testcase\b|<\/testsuite>/)[0];
    if (/<(failure|error)\b/.test(body)) {
      failed++;
      const reason = /<(?:failure|error)\b([^>]*)>?([^<]*)/.exec(body);
      const message = reason
        ? (attribute(reason[1], "message") || unescapeXML(reason[2])).replace(/\s+/g, " ").trim().slice(
          0,
          400,
        )
        : "";
      failures.push(
        `[${label}] ${attribute(part, "file") || attribute(part, "classname")} > ${
          attribute(part, "name")
        }: ${message}`,
      );
    } else if (/<skipped\b/.test(body)) skipped++;
    else passed++;
  }
  return [passed, failed, skipped];
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const rows = [];
function record(label, counts, exitOk) {
  let [p, f, s] = counts ?? [0, 1, 0];
  if (!exitOk && f === 0) f = 1; // a crash or a failing gate with no failed case still fails
  totals.passed += p;
  totals.failed += f;
  totals.skipped += s;
  rows.push(
    `${label.padEnd(28)} ${String(p).padStart(5)} passed ${String(f).padStart(4)} failed ${
      String(s).padStart(4)
    } skipped`,
  );
}

if (gates) {
  const deno = bin("deno");
  const check = (label, cmd, args) => {
    const ok = run(label, cmd, args);
    record(`gate: ${label}`, ok ? [1, 0, 0] : [0, 1, 0], ok);
  };
  check("deno fmt --check", deno, ["fmt", "--check"]);
  check("deno lint", deno, ["lint"]);
  check("deno check", deno, [
    "check",
    "mod.ts",
    "edge.ts",
    "otel.ts",
    "transports/",
    "observers/",
    "tests/",
    "lib/",
    "scripts/build_npm.ts",
  ]);
  check("lib/ without runtime types", process.execPath, [
    join(root, "node_modules", "typescript", "bin", "tsc"),
    "-p",
    "scripts/tsconfig.lib.json",
  ]);
  check("layers", process.execPath, [join(root, "scripts", "check_layers.mjs")]);
  const sources = (dir) =>
    readdirSync(join(root, dir), { recursive: true })
      .filter((f) => f.endsWith(".ts") && !f.endsWith("_test.ts") && !f.split("/").pop().startsWith("bench_"))
      .map((f) => join(dir, f));
  check("doc examples type-check", deno, [
    "check",
    "--doc-only",
    "mod.ts",
    "edge.ts",
    "otel.ts",
    ...sources("lib"),
    ...sources("transports"),
    ...sources("observers"),
  ]);
  check("deno doc --lint", deno, [
    "doc",
    "--lint",
    "mod.ts",
    "edge.ts",
    "otel.ts",
    "transports/node.ts",
    "transports/deno.ts",
    "transports/bun.ts",
    "transports/web.ts",
    "observers/diagnostics_channel.ts",
  ]);
  check("deno publish --dry-run", deno, ["publish", "--dry-run", "--allow-dirty"]);
}

if (only.includes("deno")) {
  const report = join(tmp, "deno.xml");
  rmSync(report, { force: true });
  const ok = run("deno test", bin("deno"), [
    "test",
    "-A",
    "--no-check",
    `--junit-path=${report}`,
    ...testFiles,
  ]);
  record("deno", countJUnit(report, "deno"), ok);
}

if (only.includes("bun")) {
  const report = join(tmp, "bun.xml");
  rmSync(report, { force: true });
  const ok = run("bun test", bin("bun"), [
    "test",
    "--timeout=60000",
    "--reporter=junit",
    `--reporter-outfile=${report}`,
    ...testFiles.map((f) => `./${f}`),
  ]);
  record("bun", countJUnit(report, "bun"), ok);
}

if (only.includes("node")) {
  // Every Node at hand, once per version: this one, the machine's first on PATH (outside node_modules), and
  // the releases installed by scripts/nodes (Node 22 and 24).
  const candidates = [
    process.execPath,
    ...(process.env.PATH ?? "").split(":").filter((dir) => dir && !dir.includes("node_modules"))
      .map((dir) => join(dir, "node")),
    ...extraNodePaths(),
  ];
  const nodes = new Map();
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    const version = spawnSync(path, ["--version"], { encoding: "utf8" }).stdout?.trim();
    if (version && !nodes.has(version)) nodes.set(version, path);
  }
  const built = run("build npm package", bin("deno"), ["run", "-A", "scripts/build_npm.ts"]);
  const byVersion = [...nodes].sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }));
  for (const [version, node] of byVersion) {
    const label = `node ${version} (npm build)`;
    if (!built) {
      record(label, [0, 1, 0], false);
      continue;
    }
    const report = join(tmp, `node-${version}.xml`);
    rmSync(report, { force: true });
    const jsFiles = testFiles.map((f) => join("npm", "esm", f.replace(/\.ts$/, ".js")));
    const ok = run(`node ${version} --test`, node, [
      "--test",
      "--test-reporter=spec",
      "--test-reporter-destination=stdout",
      "--test-reporter=junit",
      `--test-reporter-destination=${report}`,
      ...jsFiles,
    ]);
    record(label, countJUnit(report, label), ok);
  }
}

if (only.includes("valkey")) {
  // The same suite with every harness server a valkey-server: differences between the two servers are found
  // here. Deno runs the sources as they are, without the npm build, and is the fastest runtime; the code under
  // test is the same on every runtime, the server is what changes.
  const binary = process.env.UNIREDIS_VALKEY_SERVER || "valkey-server";
  const probe = spawnSync(binary, ["--version"], { encoding: "utf8" });
  const version = /v=(\d+\.\d+\.\d+)/.exec(probe.stdout ?? "")?.[1];
  if (probe.status !== 0 || !version) {
    // Not a silent pass: the Valkey pass counts as failed until the server is installed.
    console.log(
      `\n=== valkey: ${binary} not found, so the suite did not run against Valkey: install it (.ci/run does, ` +
        "from Debian's bookworm-backports) or leave the pass out with --only deno,bun,node",
    );
    record("deno (valkey not installed)", [0, 1, 0], false);
  } else {
    const report = join(tmp, "deno-valkey.xml");
    rmSync(report, { force: true });
    const ok = run(`deno test (valkey ${version})`, bin("deno"), [
      "test",
      "-A",
      "--no-check",
      `--junit-path=${report}`,
      ...testFiles,
    ], { env: { ...process.env, NO_COLOR: "1", UNIREDIS_REDIS_SERVER: binary } });
    record(`deno (valkey ${version})`, countJUnit(report, `deno (valkey ${version})`), ok);
  }
}

if (only.includes("workerd")) {
  // A Worker bundled from edge.ts (esbuild, as wrangler does) served by workerd, checked over HTTP against a
  // test redis-server: tests/edge/workerd.ts, one case per check. Its harness is TypeScript, so Deno runs it.
  const modules = process.env.UNIREDIS_EDGE_MODULES || join(root, "node_modules");
  const missing = ["workerd", "esbuild"].filter((name) => !existsSync(join(modules, ".bin", name)));
  if (missing.length) {
    console.log(`\n=== workerd: ${missing.join(" and ")} not found in ${modules}: run npm install`);
    record("workerd (not installed)", [0, 1, 0], false);
  } else {
    const report = join(tmp, "workerd.xml");
    rmSync(report, { force: true });
    const ok = run("workerd (edge smoke suite)", bin("deno"), [
      "test",
      "-A",
      "--no-check",
      `--junit-path=${report}`,
      "tests/edge/workerd.ts",
    ], { env: { ...process.env, NO_COLOR: "1", UNIREDIS_EDGE_MODULES: modules } });
    record("workerd (edge)", countJUnit(report, "workerd (edge)"), ok);
  }
}

if (only.includes("package")) {
  // The npm package as a user installs it: `npm pack` into an empty project, import and require on every Node
  // and Bun, TypeScript consumers, a workerd bundle, the npm README's examples (scripts/package_test.mjs).
  const built = only.includes("node") ||
    run("build npm package", bin("deno"), ["run", "-A", "scripts/build_npm.ts"]);
  const report = join(tmp, "package.xml");
  rmSync(report, { force: true });
  const ok = built && run("package (npm pack)", process.execPath, [
    "--test",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=junit",
    `--test-reporter-destination=${report}`,
    "scripts/package_test.mjs",
  ]);
  record("package (npm pack)", countJUnit(report, "package (npm pack)"), ok);
}

if (failures.length > 0) console.log("\nfailed tests:\n" + failures.map((f) => `  ${f}`).join("\n"));
console.log("\n" + rows.join("\n"));
const skippedNote = totals.skipped ? `, ${totals.skipped} skipped` : "";
console.log(`${totals.passed} passed, ${totals.failed} failed${skippedNote}`);
process.exit(totals.failed === 0 ? 0 : 1);
