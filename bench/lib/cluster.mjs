// A throwaway Redis Cluster for the cluster benchmark: 3 primaries + 3 replicas of redis-server on free
// loopback ports in a temp dir, created with `redis-cli --cluster create`, stopped by pid at the end.
// The runner loads data and checks counters over its own raw connections (resp.mjs), never through a client
// under test.

import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RawRedis } from "./resp.mjs";
import { freePort } from "../../scripts/throwaway_redis.mjs";
import { CLUSTER_WORKLOADS, slotKeys, slotValue } from "../workloads/cluster-spec.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function nodeConfig(port, busPort, dir) {
  return [
    `port ${port}`,
    "bind 127.0.0.1",
    `dir ${dir}`,
    'save ""',
    "appendonly no",
    "cluster-enabled yes",
    "cluster-config-file nodes.conf",
    "cluster-node-timeout 5000",
    `cluster-port ${busPort}`,
    "repl-diskless-sync-delay 0",
    `logfile ${join(dir, "redis.log")}`,
  ].join("\n") + "\n";
}

async function openWhenUp(port, child) {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server on ${port} exited (${child.exitCode})`);
    try {
      const raw = await RawRedis.open(port);
      if ((await raw.call("PING")) === "PONG") return raw;
      raw.close();
    } catch { /* not listening yet */ }
    await sleep(25);
  }
  throw new Error(`redis-server on ${port} did not answer PING`);
}

/**
 * Starts the cluster (`pin`: servers on CPU 0). Resolves to { nodes, primaries, replicas, version, pids,
 * prepare(workload), replicaGets(), stop() } once every node says `cluster_state:ok` and agrees on the map.
 */
export async function startCluster({ pin, primaries = 3, replicas = 1 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "uniredis-bench-cluster-"));
  const nodes = [];
  const stop = async () => {
    for (const n of nodes) n.raw?.close();
    await Promise.all(nodes.map(async (n) => {
      if (n.child.exitCode !== null || n.child.signalCode !== null) return;
      n.child.kill("SIGTERM");
      await Promise.race([n.exited, sleep(5000)]);
      if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill("SIGKILL");
    }));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const count = primaries * (1 + replicas);
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const busPort = await freePort();
      const nodeDir = join(dir, `node-${i}`);
      mkdirSync(nodeDir);
      const conf = join(nodeDir, "redis.conf");
      writeFileSync(conf, nodeConfig(port, busPort, nodeDir));
      const child = pin
        ? spawn("taskset", ["-c", "0", "redis-server", conf], { stdio: "ignore" })
        : spawn("redis-server", [conf], { stdio: "ignore" });
      child.once("error", () => {});
      nodes.push({ port, child, exited: new Promise((r) => child.once("exit", r)) });
    }
    for (const n of nodes) n.raw = await openWhenUp(n.port, n.child);
    const created = spawnSync("redis-cli", [
      "--cluster",
      "create",
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      "--cluster-replicas",
      String(replicas),
      "--cluster-yes",
    ], { encoding: "utf8", timeout: 60_000 });
    if (created.status !== 0) {
      throw new Error(`redis-cli --cluster create failed:\n${created.stdout}${created.stderr}`);
    }
    await waitStable(nodes, 30_000);
    for (const n of nodes) {
      const info = await n.raw.call("INFO", "replication");
      n.role = /role:master/.test(info) ? "primary" : "replica";
    }
  } catch (e) {
    await stop();
    throw e;
  }
  const info = await nodes[0].raw.call("INFO", "server");
  const version = /redis_version:(\S+)/.exec(info)?.[1];
  const prim = nodes.filter((n) => n.role === "primary");
  const repl = nodes.filter((n) => n.role === "replica");
  return {
    nodes,
    primaries: prim,
    replicas: repl,
    version,
    pids: nodes.map((n) => n.child.pid),
    /** Startup nodes for the clients: "host:port,..." of the primaries. */
    seeds: prim.map((n) => `127.0.0.1:${n.port}`).join(","),
    /** FLUSHALL every primary, load the workload's keys on their owners, wait until the replicas have them. */
    async prepare(workload) {
      await Promise.all(prim.map((n) => n.raw.call("FLUSHALL", "SYNC")));
      if (CLUSTER_WORKLOADS[workload].data) await loadSlotKeys(prim);
      // Every replica has the data (and the flush) before a run starts.
      await Promise.all(prim.map(async (n) => {
        const acked = await n.raw.call("WAIT", String(replicas), "10000");
        if (acked < replicas) throw new Error(`WAIT on ${n.port}: ${acked} of ${replicas} replicas`);
      }));
    },
    /** GET calls served by the primaries and by the replicas so far (INFO commandstats). */
    async getCalls() {
      const calls = async (list) => {
        let sum = 0;
        for (const n of list) {
          const stats = await n.raw.call("INFO", "commandstats");
          sum += Number(/cmdstat_get:calls=(\d+)/.exec(stats)?.[1] ?? 0);
        }
        return sum;
      };
      return { primaries: await calls(prim), replicas: await calls(repl) };
    },
    stop,
  };
}

/** Waits until every node says cluster_state:ok and they all report the same slot map. */
async function waitStable(nodes, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const states = await Promise.all(nodes.map((n) => n.raw.call("CLUSTER", "INFO")));
    const maps = await Promise.all(nodes.map((n) => n.raw.call("CLUSTER", "SLOTS")));
    const shape = (m) =>
      JSON.stringify(m.map((r) => [r[0], r[1], r[2][1], r.length]).sort((a, b) => a[0] - b[0]));
    const ok = states.every((s) => /cluster_state:ok/.test(s)) && maps.every((m) =>
      shape(m) === shape(maps[0])
    ) &&
      maps[0].every((r) => r.length === 4); // every shard has its replica
    if (ok) return;
    if (Date.now() > deadline) throw new Error("the cluster did not become stable");
    await sleep(100);
  }
}

/** SETs the key of every slot on the primary that owns it (one pipeline per primary). */
async function loadSlotKeys(primaries) {
  const map = await primaries[0].raw.call("CLUSTER", "SLOTS");
  const byPort = new Map(primaries.map((n) => [n.port, []]));
  const keys = slotKeys();
  for (const [from, to, [, port]] of map) {
    const list = byPort.get(port);
    if (list === undefined) throw new Error(`slot owner ${port} is not a known primary`);
    for (let s = from; s <= to; s++) list.push(["SET", keys[s], slotValue(s)]);
  }
  await Promise.all(primaries.map(async (n) => {
    const commands = byPort.get(n.port);
    for (let i = 0; i < commands.length; i += 2000) await n.raw.pipeline(commands.slice(i, i + 2000));
  }));
}
