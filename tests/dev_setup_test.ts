// The dev setup itself: deno tasks and npm scripts that work after `npm install` with or without the
// packages' postinstall scripts. scripts/test.mjs runs every runtime from the repository root, so paths are
// taken from the working directory (the npm build has no copy of deno.json or scripts/).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = process.cwd();
const json = (file: string) => JSON.parse(readFileSync(join(root, file), "utf8"));
const tasks: Record<string, string> = json("deno.json").tasks;
const scripts: Record<string, string> = json("package.json").scripts;

/** The programs a task line runs: the first word of each `&&`/`||`/`;`/`|` segment. */
function programs(line: string): string[] {
  return line.split(/&&|\|\||;|\|/).map((part) => part.trim().split(/\s+/)[0]).filter(Boolean);
}

test("deno tasks and npm scripts run no program by bare name but node", () => {
  // Deno's task runner runs node_modules/.bin entries as JavaScript; `deno` and `bun` there are native.
  for (const [name, line] of [...Object.entries(tasks), ...Object.entries(scripts)]) {
    assert.deepEqual(
      programs(line).filter((p) => p !== "node"),
      [],
      `${name}: ${line}`,
    );
  }
});

test("every deno task is an npm script with the same command", () => {
  assert.deepEqual(scripts, { ...scripts, ...tasks });
  assert.deepEqual(Object.keys(tasks).sort(), Object.keys(scripts).sort());
});

test("scripts/runtimes.mjs finds Deno and Bun that run, at the versions package.json pins", async () => {
  const { runtimePath } = await import(pathToFileURL(join(root, "scripts", "runtimes.mjs")).href);
  const pinned: Record<string, string> = json("package.json").devDependencies;
  for (const name of ["deno", "bun"]) {
    const r = spawnSync(runtimePath(name), ["--version"], { encoding: "utf8" });
    assert.equal(r.status, 0, `${name} at ${runtimePath(name)}: ${r.error ?? r.stderr}`);
    assert.match(r.stdout, new RegExp(pinned[name].replaceAll(".", "\\.")), name);
  }
});
