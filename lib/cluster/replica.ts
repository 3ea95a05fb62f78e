/**
 * Reads from replicas: which load-balancing strategy the cluster options
 * ask for, and the connections that make replicas serve reads.
 *
 * @module
 */

import { Connection, type ConnectionOptions } from "../connection.ts";
import { DataError } from "../errors.ts";
import type { ConnectionClass } from "../pool.ts";
import type { LoadBalancingStrategy } from "./topology.ts";

const STRATEGIES: readonly LoadBalancingStrategy[] = [
  "round_robin",
  "round_robin_replicas",
  "random_replica",
];

/**
 * The strategy of `RedisCluster`'s options, or `undefined` (every command to
 * the primaries). `loadBalancingStrategy` wins over `readFromReplicas`;
 * `readFromReplicas: true` alone is `"round_robin"`, as redis-py's docs say
 * ("assigned between the primary and its replicas in a Round-Robin manner").
 * Anything else is a `DataError`.
 *
 * @example
 * ```ts
 * import { loadBalancingOf } from "./replica.ts";
 * console.log(loadBalancingOf({ readFromReplicas: true })); // "round_robin"
 * console.log(loadBalancingOf({})); // undefined
 * ```
 */
export function loadBalancingOf(
  options: { loadBalancingStrategy?: unknown; readFromReplicas?: unknown },
): LoadBalancingStrategy | undefined {
  const { loadBalancingStrategy: strategy, readFromReplicas } = options;
  if (readFromReplicas !== undefined && typeof readFromReplicas !== "boolean") {
    throw new DataError(`Invalid option readFromReplicas: ${String(readFromReplicas)} (expected a boolean)`);
  }
  if (strategy !== undefined) {
    if (!STRATEGIES.includes(strategy as LoadBalancingStrategy)) {
      throw new DataError(
        `Invalid option loadBalancingStrategy: ${JSON.stringify(strategy)} (expected ${
          STRATEGIES.map((s) => `"${s}"`).join(", ")
        })`,
      );
    }
    return strategy as LoadBalancingStrategy;
  }
  return readFromReplicas ? "round_robin" : undefined;
}

/**
 * `base` whose connections send `READONLY` in their handshake, so each one,
 * reconnects included, may read from a replica. Every node's pool uses it
 * when reads go to replicas (redis-py does the same): a node changes role in
 * a failover while its pool stays, and `READONLY` does not affect a primary.
 *
 * @example
 * ```ts
 * import { readOnlyConnections } from "./replica.ts";
 * const ReadOnly = readOnlyConnections();
 * console.log(typeof ReadOnly); // "function"
 * ```
 */
export function readOnlyConnections(base: ConnectionClass = Connection): ConnectionClass {
  return class ReadOnlyConnection extends base {
    constructor(options: ConnectionOptions) {
      super({ ...options, readOnly: true });
    }
  };
}
