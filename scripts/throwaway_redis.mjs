// Starts a throwaway redis-server for the quick start and the benchmark: a free loopback port, a fresh temp
// dir, persistence off; resolves once it answers PING; stop() ends it by pid and removes the dir.
// Plain JavaScript (node: APIs only) so a bare Node, Deno or Bun can run it. The test suite has its own,
// richer harness in tests/harness/.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function ping(port) {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1", () => s.write("*1\r\n$4\r\nPING\r\n"));
    s.on("data", (d) => {
      s.destroy();
      resolve(String(d).startsWith("+PONG"));
    });
    s.on("error", () => resolve(false));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts redis-server. `cpu` pins it to one CPU with taskset (steadier benchmark figures).
 * Resolves to { port, pid, dir, stop() }.
 */
export async function startThrowawayRedis({ prefix = "uniredis-", cpu } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
  ];
  const child = cpu === undefined
    ? spawn("redis-server", args, { stdio: "ignore" })
    : spawn("taskset", ["-c", String(cpu), "redis-server", ...args], { stdio: "ignore" });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.once("error", () => {});
  let up = false;
  for (let i = 0; i < 200 && !up && child.exitCode === null; i++) {
    up = await ping(port);
    if (!up) await sleep(25);
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(5000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  };
  if (!up) {
    await stop();
    throw new Error(`redis-server did not answer PING on port ${port}`);
  }
  return { port, pid: child.pid, dir, stop };
}
