/**
 * The `Redis` that `masterFor`/`slaveFor` hand out: it owns its sentinel
 * pool, so closing the client closes its connections.
 *
 * @module
 */

import { Redis } from "../client.ts";

/** A `Redis` on a pool made for it alone: closing or disconnecting it reaches the pool. */
export class SentinelManagedRedis<D extends boolean = true> extends Redis<D> {
  /** Closes gracefully, then the pool's connections. */
  override async close(): Promise<void> {
    await super.close();
    await this.connectionPool.close();
  }

  /** Drops the client's connections, the pool's included. */
  override async disconnect(): Promise<void> {
    await super.disconnect();
    await this.connectionPool.disconnect();
  }
}
