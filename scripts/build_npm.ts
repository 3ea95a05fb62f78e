/**
 * Builds the npm package into `npm/` from the same sources JSR publishes:
 * ESM JavaScript and `.d.ts` files compiled by the TypeScript compiler
 * (relative `.ts` imports rewritten to `.js`), a `package.json` with an
 * exports map, README and LICENSE. Tests are compiled too (into `npm/esm/`,
 * left out of the published files) so the suite runs against the build on
 * Node, as dnt does.
 *
 * Run: `deno task build:npm` (or `node_modules/.bin/deno run -A scripts/build_npm.ts`).
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
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

const tsconfig = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    lib: ["ESNext", "DOM"],
    types: ["node"],
    rewriteRelativeImportExtensions: true,
    allowImportingTsExtensions: false,
    declaration: true,
    sourceMap: false,
    strict: true,
    skipLibCheck: true,
    rootDir: "..",
    outDir: "esm",
    esModuleInterop: true,
  },
  include: [
    "../mod.ts",
    "../edge.ts",
    "../lib/**/*.ts",
    "../transports/**/*.ts",
    "../tests/**/*.ts",
    "../examples/**/*.ts",
  ],
  // tests/edge is bundled by esbuild and driven from Deno (the workerd pass), not run on Node.
  exclude: ["../lib/**/bench_*.ts", "../tests/edge/**"],
};
writeFileSync(join(out, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
// The package is ESM; tests and sources compile as such.
writeFileSync(join(out, "package.json"), JSON.stringify({ type: "module" }));

const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
try {
  execFileSync(process.execPath.endsWith("deno") ? "node" : process.execPath, [
    tsc,
    "-p",
    join(out, "tsconfig.json"),
  ], {
    stdio: "inherit",
    cwd: out,
  });
} catch {
  console.error("build_npm: the TypeScript compiler reported errors");
  process.exit(1);
}

const exportsMap: Record<string, { types: string; import: string }> = {};
for (const [name, path] of Object.entries(denoJson.exports as Record<string, string>)) {
  const js = path.replace(/^\.\//, "./esm/").replace(/\.ts$/, ".js");
  exportsMap[name] = { types: js.replace(/\.js$/, ".d.ts"), import: js };
}

const pkg = {
  name: "uniredis",
  version: denoJson.version,
  description: "A Redis client for Node, Bun, Deno and edge runtimes, with redis-py's feature set.",
  license: denoJson.license,
  type: "module",
  main: "./esm/mod.js",
  types: "./esm/mod.d.ts",
  exports: exportsMap,
  files: [
    "esm/",
    "!esm/tests/",
    "!esm/examples/",
    "!esm/**/*_test.js",
    "!esm/**/*_test.d.ts",
    "README.md",
    "LICENSE",
  ],
  sideEffects: ["./esm/mod.js"],
  engines: { node: ">=20" },
  keywords: ["redis", "client", "resp3", "deno", "bun", "node"],
};
writeFileSync(join(out, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
copyFileSync(join(root, "README.md"), join(out, "README.md"));
copyFileSync(join(root, "LICENSE"), join(out, "LICENSE"));
rmSync(join(out, "tsconfig.json"));
console.log(`build_npm: wrote npm/ (uniredis ${denoJson.version})`);
