#!/usr/bin/env node
// Layer check: what each folder may import (CONTRIBUTING.md, "Layout and layers"). transports/ know nothing of
// Redis (only lib/transport.ts and lib/errors.ts of lib/); observers/ use lib/ and node: modules, never
// transports/. lib/ itself is checked by type-checking it without runtime types (tsconfig.lib.json).
// Exits 1 listing every import out of bounds.

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

const RULES = {
  transports: (spec) =>
    spec.startsWith("./") || spec === "../lib/transport.ts" || spec === "../lib/errors.ts" ||
    spec.startsWith("node:") || spec.startsWith("cloudflare:"),
  observers: (spec) => spec.startsWith("./") || spec.startsWith("../lib/") || spec.startsWith("node:"),
};

/** The module specifiers of a file's import and export statements (doc comments left out). */
function specifiers(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  return [...code.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"|^\s*import\s*"([^"]+)"/gm)]
    .map((m) => m[1] ?? m[2]);
}

const bad = [];
for (const [dir, allowed] of Object.entries(RULES)) {
  for (
    const file of readdirSync(join(root, dir)).filter((f) => f.endsWith(".ts") && !f.endsWith("_test.ts"))
  ) {
    for (const spec of specifiers(readFileSync(join(root, dir, file), "utf8"))) {
      if (!allowed(spec)) bad.push(`${dir}/${file} imports ${spec}`);
    }
  }
}
if (bad.length > 0) {
  console.error(`layers: ${bad.length} import(s) out of bounds:\n  ${bad.join("\n  ")}`);
  process.exit(1);
}
console.log("layers: transports/ and observers/ import only what they may");
