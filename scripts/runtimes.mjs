#!/usr/bin/env node
// Where the dev runtimes installed by `npm install` live, found without relying on the packages'
// postinstall scripts (npm may skip them: `--ignore-scripts`, `allowScripts`) and without
// node_modules/.bin: Deno's task runner runs every entry there as JavaScript, and the `deno` and `bun`
// entries are native binaries once those scripts have run.
//
// As a command, runs a runtime with the given arguments; the deno tasks call Deno this way:
//   node scripts/runtimes.mjs deno run -A scripts/build_npm.ts
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { arch, platform } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const exe = platform() === "win32" ? ".exe" : "";

/** Whether `path` is a program that runs (the `bun` package ships a placeholder until its postinstall). */
function runs(path) {
  return existsSync(path) && spawnSync(path, ["--version"], { stdio: "ignore" }).status === 0;
}

/** The first candidate that runs, else the last one (so a failure names a real path); asked once. */
const found = new Map();
function first(candidates) {
  const key = candidates.join("\n");
  if (!found.has(key)) found.set(key, candidates.find(runs) ?? candidates.at(-1));
  return found.get(key);
}

/** The folder of `pkg` as the package `from` (a dependency of the root) sees it, if installed. */
function packageDir(from, pkg) {
  try {
    return dirname(createRequire(join(modules, from, "package.json")).resolve(`${pkg}/package.json`));
  } catch {
    return undefined;
  }
}

/** Deno from its platform package (`@deno/linux-x64-glibc`...), else the copy its postinstall made. */
export function denoPath() {
  const target = platform() === "linux" ? `linux-${arch()}-glibc` : `${platform()}-${arch()}`;
  const pkg = packageDir("deno", `@deno/${target}`);
  return first([
    ...(pkg ? [join(pkg, `deno${exe}`)] : []),
    join(modules, "deno", `deno${exe}`),
  ]);
}

/** Bun from its platform package (`@oven/bun-linux-x64`...), else where its postinstall moved it. */
export function bunPath() {
  const os = platform() === "win32" ? "windows" : platform();
  const cpu = arch() === "arm64" ? "aarch64" : arch();
  const pkgs = [`bun-${os}-${cpu}`, `bun-${os}-${cpu}-musl`].map((name) =>
    packageDir("bun", `@oven/${name}`)
  );
  return first([
    ...pkgs.filter(Boolean).map((pkg) => join(pkg, "bin", `bun${exe}`)),
    join(modules, "bun", "bin", "bun.exe"), // the name on every platform
  ]);
}

/**
 * The extra Node releases of scripts/nodes (Node 22 and 24), those installed; also where installs made
 * before scripts/nodes existed put them, until the next `npm ci`.
 */
export function extraNodePaths() {
  return ["node22", "node24"]
    .map((name) =>
      [join(modules, "uniredis-dev-nodes", "node_modules", name), join(modules, name)]
        .map((dir) => join(dir, "bin", "node"))
        .find((path) => existsSync(path))
    )
    .filter(Boolean);
}

/**
 * The path of a dev tool: `deno`, `bun`, `node` (the one running this script), or any other entry of
 * node_modules/.bin (JavaScript launchers such as `tsc`, which need no postinstall).
 */
export function runtimePath(name) {
  if (name === "deno") return denoPath();
  if (name === "bun") return bunPath();
  if (name === "node") return process.execPath;
  return join(modules, ".bin", name);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [name, ...args] = process.argv.slice(2);
  const r = spawnSync(runtimePath(name), args, { stdio: "inherit" });
  if (r.error) console.error(`${name}: ${r.error.message} (run \`npm install\`)`);
  process.exit(r.status ?? 1);
}
