// How busy the machine was with work that is not ours during a measurement. Latency-bound workloads
// (W1, W6) change a lot when other processes run (vCPUs that never idle wake up faster), so the runner
// records this and flags measurements taken while something else was using the CPU. Linux only
// (/proc); elsewhere it reports nothing.

import { readdirSync, readFileSync } from "node:fs";

function read(path) {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Busy and total jiffies of the whole machine. */
function machine() {
  const line = read("/proc/stat")?.split("\n")[0];
  if (!line) return undefined;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(
    Number,
  );
  // Interrupt time is left out: our own loopback traffic is processed there, and it is charged to no process.
  const busy = user + nice + system;
  return { busy, steal: steal ?? 0, total: busy + idle + iowait + irq + softirq + (steal ?? 0) };
}

/** utime+stime (+ reaped children's cutime+cstime) of a process, in jiffies. */
function proc(pid, withChildren) {
  const s = read(`/proc/${pid}/stat`);
  if (!s) return 0;
  const f = s.slice(s.lastIndexOf(")") + 2).split(" ").map(Number);
  // After the ")": state is f[0], so utime (field 14) is f[11].
  return f[11] + f[12] + (withChildren ? f[13] + f[14] : 0);
}

/**
 * A snapshot; `serverPid` is redis-server (not our child's child, so counted on its own), or a list of them
 * (the cluster's nodes).
 */
export function cpuSnapshot(serverPid) {
  const m = machine();
  if (!m) return undefined;
  const servers = [serverPid ?? []].flat().reduce((sum, pid) => sum + proc(pid, false), 0);
  return { ...m, ours: proc("self", true) + servers };
}

/**
 * Shares of the machine's CPU capacity between two snapshots (0..1): `other` used by processes that are
 * not ours, `steal` taken by the hypervisor for other guests.
 */
export function externalShare(before, after) {
  if (!before || !after) return undefined;
  const total = after.total - before.total;
  if (total <= 0) return undefined;
  const other = after.busy - before.busy - (after.ours - before.ours);
  return { other: Math.max(0, other / total), steal: (after.steal - before.steal) / total };
}

/**
 * CPU time (user + system, seconds) the threads of process `pid` have run so far: the sum of each thread's
 * /proc/<pid>/task/<tid>/schedstat (nanoseconds, unlike the 10 ms ticks of /proc/<pid>/stat). Counts every
 * thread (a runtime's helpers, a native client's thread pool) alive when read; a thread that exits between
 * two readings drops out, so compare readings over a span in which none does. undefined off Linux.
 */
export function processCpuSeconds(pid) {
  let tids;
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  let ns = 0;
  for (const tid of tids) {
    const s = read(`/proc/${pid}/task/${tid}/schedstat`);
    if (s) ns += Number(s.split(" ")[0]);
  }
  return ns / 1e9;
}
