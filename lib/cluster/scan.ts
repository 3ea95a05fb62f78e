/**
 * Cluster-wide SCAN (redis-py's cluster `scan_iter`): every primary's
 * cursor is walked to the end. A walk counts only for the slots its node
 * owned both before and after it; slots it lost (a reshard, a failover) or
 * a walk cut short by an error are walked again on their owner of the
 * moment, so every key present for the whole scan is yielded at least once
 * (some may be yielded twice).
 *
 * @module
 */

import type { ScanOptions } from "../commands/validate.ts";
import {
  ClusterDownError,
  ClusterError,
  ConnectionError,
  RedisClusterException,
  TryAgainError,
} from "../errors.ts";
import type { ClusterNode } from "./node.ts";

const SLOTS = 16384;

/** What the scan needs from the cluster client. */
export interface ScanHost<K> {
  /** The current owner of `slot`, if known. */
  owner(slot: number): ClusterNode | undefined;
  /** Refreshes the slot map (single-flight, rate-limited). */
  refresh(): Promise<unknown>;
  /** SCAN on one node. */
  scanNode(node: ClusterNode, cursor: string, options: ScanOptions | undefined): Promise<[string, K[]]>;
}

/** Errors a failover or a reshard produces: the walk is retried once the topology settles. */
function transient(error: unknown): boolean {
  return error instanceof ConnectionError || error instanceof ClusterDownError ||
    error instanceof TryAgainError || error instanceof RedisClusterException;
}

/** Gives up after this long without one successful walk (ms). */
const STALL_LIMIT = 30_000;

/** Iterates over every key of the cluster (see the module comment). */
export async function* clusterScan<K>(
  host: ScanHost<K>,
  options: ScanOptions | undefined,
): AsyncGenerator<K, void, undefined> {
  const pending = new Set<number>(Array.from({ length: SLOTS }, (_, i) => i));
  let lastProgress = Date.now();
  let pause = 0;
  await host.refresh();
  while (pending.size > 0) {
    if (pause > 0) {
      await new Promise((resolve) => setTimeout(resolve, pause));
      await host.refresh().catch(() => {});
    }
    // The pending slots grouped by their current owner.
    const byNode = new Map<string, { node: ClusterNode; slots: number[] }>();
    for (const slot of pending) {
      const node = host.owner(slot);
      if (node === undefined) continue;
      const group = byNode.get(node.name) ?? { node, slots: [] };
      group.slots.push(slot);
      byNode.set(node.name, group);
    }
    let failed: unknown;
    for (const { node, slots } of byNode.values()) {
      let cursor = "0";
      try {
        do {
          const [next, keys] = await host.scanNode(node, cursor, options);
          cursor = next;
          yield* keys;
        } while (cursor !== "0");
      } catch (error) {
        if (!transient(error)) throw error;
        failed = error;
        continue;
      }
      // Only the slots the node still owns after its walk were covered by it.
      await host.refresh().catch(() => {});
      for (const slot of slots) {
        if (host.owner(slot)?.name === node.name) pending.delete(slot);
      }
      lastProgress = Date.now();
    }
    if (pending.size === 0) return;
    if (Date.now() - lastProgress > STALL_LIMIT) {
      throw failed ??
        new ClusterError(`scanIter: ${pending.size} slots have had no owner for ${STALL_LIMIT} ms`);
    }
    pause = failed === undefined && byNode.size > 0 ? 0 : 200;
  }
}
