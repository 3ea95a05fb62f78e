/**
 * Builds the npm package into `npm/` from the same sources JSR publishes:
 * ESM (`npm/esm/`) and CommonJS (`npm/cjs/`) JavaScript with `.d.ts` files
 * for both, compiled by the TypeScript compiler (relative `.ts` imports
 * rewritten to `.js`), a `package.json` whose exports map serves `import`,
 * `require` and edge bundlers, the npm README (scripts/npm_readme.md) and
 * LICENSE. Tests are compiled too (into `npm/esm/`, left out of the
 * published files) so the suite runs against the build on Node, as dnt does.
 *
 * Run: `deno task build:npm` (or `node_modules/.bin/deno run -A scripts/build_npm.ts`).
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "npm");
const denoJson = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));

const libVersion = /VERSION = "([^"]+)"/.exec(readFileSync(join(root, "lib", "version.ts"), "utf8"))?.[1];
if (libVersion !== denoJson.version) {
  console.error(
    `build_npm: lib/version.ts says ${libVersion}, deno.json says ${denoJson.version}: make them equal`,
  );
  process.exit(1);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const nodeBin = process.execPath.endsWith("deno") ? "node" : process.execPath;

/** Compiles with the given options into `npm/<outDir>/`; exits on a compiler error. */
function compile(
  outDir: string,
  options: Record<string, unknown>,
  include: string[],
  exclude: string[] = [],
): void {
  const tsconfig = {
    compilerOptions: {
      target: "ES2022",
      lib: ["ESNext", "DOM"],
      types: ["node"],
      rewriteRelativeImportExtensions: true,
      declaration: true,
      sourceMap: false,
      strict: true,
      skipLibCheck: true,
      rootDir: "..",
      outDir,
      esModuleInterop: true,
      ...options,
    },
    include,
    exclude: ["../lib/**/bench_*.ts", ...exclude],
  };
  const config = join(out, `tsconfig.${outDir}.json`);
  writeFileSync(config, JSON.stringify(tsconfig, null, 2));
  try {
    execFileSync(nodeBin, [tsc, "-p", config], { stdio: "inherit", cwd: out });
  } catch {
    console.error(`build_npm: the TypeScript compiler reported errors (${outDir}/)`);
    process.exit(1);
  } finally {
    rmSync(config);
  }
}

// For consumers whose `lib` has neither DOM nor esnext.disposable and who have no @types/node (a Workers
// project with `lib: ["es2022"]`): the few global names the declarations use, each written to merge with
// the full declaration where one exists, so `await using` keeps its real types there.
const GLOBALS =
  `// Global names uniredis's declarations use, for projects without DOM, esnext.disposable or @types/node.
// Each merges with the full declaration where the project has one.
interface SymbolConstructor {
  readonly asyncDispose: unique symbol;
}
interface AsyncDisposable {
  [Symbol.asyncDispose](): PromiseLike<void>;
}
interface AbortSignal {}
interface Event {}
interface EventTarget {}
interface ReadableStream<R = any> {}
interface WritableStream<W = any> {}
`;

/** Writes `globals.d.ts` into `dir` and references it from every declaration file that needs it. */
function addGlobalDeclarations(dir: string): void {
  writeFileSync(join(dir, "globals.d.ts"), GLOBALS);
  for (const file of readdirSync(dir, { recursive: true }) as string[]) {
    if (!file.endsWith(".d.ts") || file === "globals.d.ts") continue;
    const path = join(dir, file);
    let text = readFileSync(path, "utf8");
    if (!/AsyncDisposable|asyncDispose|AbortSignal|\bEvent\b|EventTarget/.test(text)) continue;
    // A class cannot extend an interface: name a constructor that works with or without the real `Event`.
    if (/\bextends Event \{/.test(text)) {
      text = text.replace(/\bextends Event \{/g, "extends EventBase {") +
        "declare const EventBase: new (type: string, eventInitDict?: object) => Event;\nexport {};\n";
    }
    const reference = relative(dirname(path), join(dir, "globals.d.ts"));
    writeFileSync(
      path,
      `/// <reference path="${reference.startsWith(".") ? "" : "./"}${reference}" />\n${text}`,
    );
  }
}

const entries = Object.entries(denoJson.exports as Record<string, string>);
// The published sources: every entry point's folder (mod.ts, edge.ts, lib/, transports/, testing/...).
const sources = [...new Set(entries.map(([, path]) => path.replace(/^\.\//, "").split("/")))]
  .map((parts) => parts.length === 1 ? `../${parts[0]}` : `../${parts[0]}/**/*.ts`);
const published = [...new Set([...sources, "../lib/**/*.ts"])];

// ESM, with the tests and examples (the suite runs on Node against this build).
writeFileSync(join(out, "package.json"), JSON.stringify({ type: "module" }));
// tests/edge is bundled by esbuild and driven from Deno (the workerd pass), not run on Node.
compile("esm", { module: "NodeNext", moduleResolution: "NodeNext" }, [
  ...published,
  "../tests/**/*.ts",
  "../examples/**/*.ts",
], ["../tests/edge/**"]);
// CommonJS for `require()`: the published sources only, marked as CommonJS for Node and TypeScript.
compile("cjs", { module: "CommonJS", moduleResolution: "Bundler" }, published, ["../**/*_test.ts"]);
writeFileSync(join(out, "cjs", "package.json"), JSON.stringify({ type: "commonjs" }) + "\n");
addGlobalDeclarations(join(out, "esm"));
addGlobalDeclarations(join(out, "cjs"));

/** The conditions for one entry: types beside each of the ESM and CommonJS files. */
function entry(path: string) {
  const base = path.replace(/^\.\//, "").replace(/\.ts$/, "");
  return {
    import: { types: `./esm/${base}.d.ts`, default: `./esm/${base}.js` },
    require: { types: `./cjs/${base}.d.ts`, default: `./cjs/${base}.js` },
  };
}

const exportsMap: Record<string, unknown> = {};
const edge = (denoJson.exports as Record<string, string>)["./edge"];
for (const [name, path] of entries) {
  const own = entry(path);
  // Edge runtimes get the entry that never references node:net/node:tls (as postgres.js maps them).
  const edgeConditions = name === "." && edge
    ? Object.fromEntries(["workerd", "worker", "browser", "edge-light"].map((c) => [c, entry(edge)]))
    : {};
  exportsMap[name] = {
    ...edgeConditions,
    ...(name === "." ? { deno: own, bun: own, node: own } : {}),
    ...own,
    default: own.import,
  };
}
exportsMap["./package.json"] = "./package.json";

const pkg = {
  name: "uniredis",
  version: denoJson.version,
  description: "A Redis client for Node, Bun, Deno and edge runtimes, with redis-py's feature set.",
  license: denoJson.license,
  type: "module",
  main: "./cjs/mod.js",
  module: "./esm/mod.js",
  types: "./cjs/mod.d.ts",
  exports: exportsMap,
  // uniredis/otel takes the caller's tracer and meter and imports nothing from the API package: the peer
  // only pins the API version those come from, and is optional.
  peerDependencies: { "@opentelemetry/api": "^1.9.0" },
  peerDependenciesMeta: { "@opentelemetry/api": { optional: true } },
  files: [
    "esm/",
    "cjs/",
    "!esm/tests/",
    "!esm/examples/",
    "!esm/**/*_test.js",
    "!esm/**/*_test.d.ts",
    "README.md",
    "LICENSE",
  ],
  // Only entry points may run code on load (mod and edge register the default connector); lib/ is pure.
  sideEffects: entries.flatMap(([, path]) => {
    const base = path.replace(/^\.\//, "").replace(/\.ts$/, "");
    return [`./esm/${base}.js`, `./cjs/${base}.js`];
  }),
  engines: { node: ">=20" },
  keywords: ["redis", "valkey", "client", "resp3", "cluster", "sentinel", "deno", "bun", "node", "workers"],
  repository: { type: "git", url: "git+https://github.com/uniredis/uniredis.git" },
  homepage: "https://jsr.io/@uniredis/redis",
  bugs: { url: "https://github.com/uniredis/uniredis/issues" },
};
writeFileSync(join(out, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
copyFileSync(join(root, "scripts", "npm_readme.md"), join(out, "README.md"));
copyFileSync(join(root, "LICENSE"), join(out, "LICENSE"));
console.log(`build_npm: wrote npm/ (uniredis ${denoJson.version}, ESM and CommonJS)`);
