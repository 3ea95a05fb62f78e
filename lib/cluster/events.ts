/**
 * The events of a `RedisCluster`: those of `Redis` (`connect`, `ready`,
 * `error`, `end`), dispatched for the connections of every node's pool;
 * each event's `address` is the node's name (`"host:port"`).
 *
 * @module
 */

import type { Connection, ConnectionEventKind } from "../connection.ts";
import { RedisConnectionEvent, RedisErrorEvent } from "../events.ts";
import type { ConnectionPool } from "../pool.ts";

/** Dispatches the events of one cluster client, watching each node's pool. */
export class ClusterEvents {
  readonly target: EventTarget = new EventTarget();
  /** Event types that ever had a listener: events nobody listens to are not created. */
  readonly #listened = new Set<string>();
  readonly #watched = new Map<ConnectionPool<boolean>, () => void>();

  /** Remembers that `type` has a listener. */
  listen(type: string): void {
    this.#listened.add(type);
  }

  /** Starts relaying the events of one node's pool (idempotent). */
  watch(pool: ConnectionPool<boolean>): void {
    if (this.#watched.has(pool)) return;
    this.#watched.set(pool, pool.observe((kind, connection, error) => this.#relay(kind, connection, error)));
  }

  /** Stops relaying a pool's events (its node left, or the client closed). */
  unwatch(pool: ConnectionPool<boolean>): void {
    this.#watched.get(pool)?.();
    this.#watched.delete(pool);
  }

  /** The client was closed: `end`, once. */
  end(): void {
    if (this.#listened.has("end")) this.target.dispatchEvent(new Event("end"));
  }

  #relay(kind: ConnectionEventKind, connection: Connection, error?: Error): void {
    if (!this.#listened.has(kind)) return;
    if (kind === "connect" || kind === "ready") {
      this.target.dispatchEvent(new RedisConnectionEvent(kind, connection.address));
    } else if ((kind === "error" || kind === "credentialserror") && error) {
      this.target.dispatchEvent(new RedisErrorEvent(error, connection.address, kind));
    }
  }
}
