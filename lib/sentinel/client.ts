/**
 * The `Redis` that `masterFor`/`slaveFor` hand out: it owns its sentinel
 * pool, so closing the client closes its connections.
 *
 * @module
 */

import { Redis } from "../client.ts";
import type { RedisOptions } from "../options.ts";
import { RedisFailoverEvent } from "./failover_event.ts";
import { SentinelConnectionPool } from "./pool.ts";

/**
 * A `Redis` on a pool made for it alone: closing or disconnecting it reaches
 * the pool; the pool's switches of master become `failover` events.
 */
export class SentinelManagedRedis<D extends boolean = true> extends Redis<D> {
  /** Creates the client on its sentinel pool (`options.connectionPool`). */
  constructor(options: RedisOptions<D>) {
    super(options);
    const pool = this.connectionPool;
    if (pool instanceof SentinelConnectionPool) {
      pool.onSwitch((from, to) => this.dispatchEvent(new RedisFailoverEvent(pool.serviceName, from, to)));
    }
  }

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
