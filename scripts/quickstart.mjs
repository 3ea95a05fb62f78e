#!/usr/bin/env node
// Runs examples/quickstart.ts on Deno, Bun and Node (the npm build) against REDIS_URL, or against a
// throwaway redis-server started on a free port in a temp dir when REDIS_URL is not set.
//
// Usage: node scripts/quickstart.mjs [--runtime deno|bun|node]
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runtimePath } from "./runtimes.mjs";
import { startThrowawayRedis } from "./throwaway_redis.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = runtimePath;
const at = process.argv.indexOf("--runtime");
const runtimes = at > 0 ? [process.argv[at + 1]] : ["deno", "bun", "node"];

let server;
let url = process.env.REDIS_URL;
if (!url) {
  if (spawnSync("redis-server", ["--version"]).status !== 0) {
    console.error(
      "Set REDIS_URL (e.g. redis://127.0.0.1:6379) or install redis-server to run the quick start.",
    );
    process.exit(1);
  }
  server = await startThrowawayRedis({ prefix: "uniredis-quickstart-" });
  url = `redis://127.0.0.1:${server.port}`;
  console.log(`started a throwaway redis-server on port ${server.port} (pid ${server.pid})`);
}

let failed = 0;
try {
  for (const runtime of runtimes) {
    console.log(`\n--- quick start on ${runtime}`);
    let cmd;
    if (runtime === "deno") cmd = [bin("deno"), ["run", "-A", "examples/quickstart.ts"]];
    else if (runtime === "bun") cmd = [bin("bun"), ["examples/quickstart.ts"]];
    else {
      if (
        spawnSync(bin("deno"), ["run", "-A", "scripts/build_npm.ts"], { cwd: root, stdio: "inherit" })
          .status !== 0
      ) {
        failed++;
        continue;
      }
      cmd = [process.execPath, ["npm/esm/examples/quickstart.js"]];
    }
    const r = spawnSync(cmd[0], cmd[1], {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, REDIS_URL: url },
    });
    if (r.status !== 0) failed++;
  }
} finally {
  await server?.stop();
}
process.exit(failed ? 1 : 0);
