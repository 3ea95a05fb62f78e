// Small helpers shared by the cluster test files: keys in a chosen slot, slot ownership, and the servers'
// own counters of a test cluster.

import { keySlot } from "../../mod.ts";
import type { ClusterNodeInfo, TestCluster } from "../harness/mod.ts";

/** A key hashing to `slot`: `{tag}suffix` with a tag found by search. */
export function keyInSlot(slot: number, suffix = ""): string {
  for (let i = 0;; i++) {
    const tag = `t${i}`;
    if (keySlot(tag) === slot) return `{${tag}}${suffix}`;
  }
}

/** Whether `node` served `slot` when the harness last read the topology. */
export function owns(node: ClusterNodeInfo, slot: number): boolean {
  return node.slots.some(([a, b]) => slot >= a && slot <= b);
}

/** Readers of one test cluster's counters (INFO commandstats / errorstats) and a FLUSHALL on every primary. */
export function probes(cluster: TestCluster): {
  calls(node: ClusterNodeInfo, command: string): Promise<number>;
  errors(node: ClusterNodeInfo, prefix: string): Promise<number>;
  flushAll(): Promise<void>;
} {
  return {
    calls: async (node, command) => (await cluster.counters(node)).commands[command]?.calls ?? 0,
    errors: async (node, prefix) => (await cluster.counters(node)).errors[prefix] ?? 0,
    flushAll: async () => {
      for (const node of cluster.primaries) await cluster.call(node, "FLUSHALL");
    },
  };
}
