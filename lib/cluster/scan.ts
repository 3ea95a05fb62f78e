/**
 * Cluster-wide SCAN (redis-py's cluster `scan_iter`): every primary's
 * cursor is walked to its end. A walk counts only for the slots its node
 * owned, by its own `CLUSTER NODES` view, both before and after it, and
 * that were not migrating then; slots it lost (a reshard, a failover), or
 * a walk cut short by an error, are walked again on their owner of the
 * moment. So every key present for the whole scan is yielded at least once
 * (some twice).
 *
 * @module
 */

import type { ScanOptions } from "../commands/validate.ts";
import type { RespValue } from "../protocol/types.ts";
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
  /** The current owner of `slot` in the client's map, if known. */
  owner(slot: number): ClusterNode | undefined;
  /** Refreshes the slot map (single-flight, rate-limited). */
  refresh(): Promise<unknown>;
  /** SCAN on one node. */
  scanNode(node: ClusterNode, cursor: string, options: ScanOptions | undefined): Promise<[string, K[]]>;
  /** `CLUSTER NODES` on one node. */
  clusterNodes(node: ClusterNode): Promise<RespValue>;
}

/** Errors a failover or a reshard produces: the walk is retried once the topology settles. */
function transient(error: unknown): boolean {
  return error instanceof ConnectionError || error instanceof ClusterDownError ||
    error instanceof TryAgainError || error instanceof RedisClusterException;
}

/**
 * The slots a node serves by its own `CLUSTER NODES` reply (the `myself`
 * line), less those it is migrating away or importing (their keys are in
 * flight).
 *
 * @example
 * ```ts
 * import { ownSlots } from "./scan.ts";
 * const line = "abc 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-2 5 [3->-def]";
 * console.log([...ownSlots(line)]); // [0, 1, 2, 5]
 * ```
 */
export function ownSlots(reply: RespValue): Set<number> {
  const text = reply instanceof Uint8Array ? new TextDecoder().decode(reply) : String(reply);
  const owned = new Set<number>();
  const self = text.split("\n").find((line) => line.split(" ")[2]?.split(",").includes("myself"));
  if (self === undefined) return owned;
  const moving = new Set<number>();
  for (const field of self.trim().split(" ").slice(8)) {
    if (field.startsWith("[")) {
      moving.add(Number(field.slice(1).split("-")[0]));
      continue;
    }
    const [from, to] = field.split("-").map(Number);
    for (let slot = from; slot <= (to ?? from); slot++) owned.add(slot);
  }
  for (const slot of moving) owned.delete(slot);
  return owned;
}

/** Gives up after this long without one successful walk (ms). */
const STALL_LIMIT = 30_000;
/** Pause before trying again when a round made no progress (ms). */
const PAUSE = 200;

/** Iterates over every key of the cluster (see the module comment). */
export async function* clusterScan<K>(
  host: ScanHost<K>,
  options: ScanOptions | undefined,
): AsyncGenerator<K, void, undefined> {
  const pending = new Set<number>(Array.from({ length: SLOTS }, (_, i) => i));
  let lastProgress = Date.now();
  await host.refresh();
  for (let round = 0; pending.size > 0; round++) {
    if (round > 0) await host.refresh().catch(() => {});
    // The pending slots grouped by their owner in the client's map.
    const byNode = new Map<string, ClusterNode>();
    for (const slot of pending) {
      const node = host.owner(slot);
      if (node !== undefined && !byNode.has(node.name)) byNode.set(node.name, node);
    }
    let failed: unknown;
    let progress = false;
    for (const node of byNode.values()) {
      let before: Set<number>;
      try {
        before = ownSlots(await host.clusterNodes(node));
        let cursor = "0";
        do {
          const [next, keys] = await host.scanNode(node, cursor, options);
          cursor = next;
          yield* keys;
        } while (cursor !== "0");
        const after = ownSlots(await host.clusterNodes(node));
        for (const slot of before) {
          if (after.has(slot) && pending.delete(slot)) progress = true;
        }
      } catch (error) {
        if (!transient(error)) throw error;
        failed = error;
      }
    }
    if (pending.size === 0) return;
    if (progress) {
      lastProgress = Date.now();
      continue;
    }
    if (Date.now() - lastProgress > STALL_LIMIT) {
      throw failed ??
        new ClusterError(`scanIter: ${pending.size} slots left unscanned for ${STALL_LIMIT} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, PAUSE));
  }
}
