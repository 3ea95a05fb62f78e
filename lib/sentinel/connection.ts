/**
 * `SentinelManagedConnection`: a connection whose address comes from the
 * sentinels when it connects, and whose server must hold the expected role
 * (`ROLE`) before any command goes out.
 *
 * @module
 */

import type { Command } from "../commands/command.ts";
import { Connection, type ConnectionOptions, type SendOptions } from "../connection.ts";
import { ConnectionError, ReadOnlyError } from "../errors.ts";
import { roleOf, type SentinelAddress } from "./state.ts";
import type { SentinelConnectionPool } from "./pool.ts";

/** Pause before asking the sentinels again when the master they named was refused. */
const WRONG_ROLE_PAUSE = 250;

/**
 * What a `SentinelConnectionPool` gives its connections: where to connect
 * next and the role the server there must have.
 */
export interface SentinelTarget {
  /** The address to connect to. */
  address: SentinelAddress;
  /** `"master"` or `"slave"`, as `ROLE` says. */
  role: "master" | "slave";
}

/**
 * A connection of a `SentinelConnectionPool` (redis-py's
 * `SentinelManagedConnection`). Each time it connects it asks its pool for
 * an address (the master, or the next replica), and after the handshake
 * checks with `ROLE` that the server is what the pool wants: a server with
 * the wrong role (an old master restarted as master, a replica promoted
 * meanwhile) is dropped and the pool asked again, before any command is
 * sent. On a master pool, a `READONLY` reply (the master was demoted) drops
 * the connection and rejects with a `ConnectionError` (the `ReadOnlyError`
 * as its cause), so the next command finds the new master.
 *
 * @example
 * ```ts
 * import { Sentinel, SentinelConnectionPool, SentinelManagedConnection } from "@uniredis/redis";
 * const sentinel = new Sentinel([{ host: "127.0.0.1", port: 26379 }]);
 * const pool = new SentinelConnectionPool("mymaster", sentinel, { connectionClass: SentinelManagedConnection });
 * const conn = await pool.getConnection();
 * console.log(conn.address); // the master's host:port
 * pool.release(conn);
 * await pool.disconnect();
 * await sentinel.close();
 * ```
 */
export class SentinelManagedConnection extends Connection {
  /** The pool this connection serves; its pool sets it when creating it. */
  connectionPool: SentinelConnectionPool<boolean> | undefined = undefined;
  /** The role the server being connected must have. */
  #role: "master" | "slave" = "master";
  /** Where this connect may go, in order (from the pool's `targets()`). */
  #targets: SentinelTarget[] = [];

  /** Creates an unconnected connection; its pool gives it an address when it connects. */
  constructor(options: ConnectionOptions) {
    const self: { connection?: SentinelManagedConnection } = {};
    super({
      ...options,
      resolveAddress: (attempt) => self.connection!.#resolve(attempt),
      verify: (connection) => self.connection!.#verify(connection),
    });
    self.connection = this;
  }

  async #resolve(attempt: number): Promise<SentinelAddress> {
    const pool = this.connectionPool;
    if (pool === undefined) {
      throw new ConnectionError("A SentinelManagedConnection must be created by a SentinelConnectionPool");
    }
    if (pool.isMaster && attempt > 1) {
      // The master named had the wrong role or was unreachable: give the sentinels a moment.
      await new Promise((resolve) => setTimeout(resolve, WRONG_ROLE_PAUSE));
    }
    if (attempt === 1 || pool.isMaster || attempt > this.#targets.length) {
      this.#targets = await pool.targets(attempt);
    }
    const target = this.#targets[pool.isMaster ? 0 : (attempt - 1) % this.#targets.length];
    this.#role = target.role;
    return target.address;
  }

  async #verify(connection: Connection): Promise<string | undefined> {
    const [reply] = await connection.sendRaw([["ROLE"]]);
    if (reply instanceof Error) {
      throw new ConnectionError(`Role check of ${connection.address} failed: ${reply.message}`, {
        cause: reply,
      });
    }
    const role = roleOf(reply);
    if (role === this.#role) return undefined;
    this.connectionPool?.wrongRole(connection.address);
    return `${connection.address} is a ${role ?? "server of unknown role"}, not a ${this.#role}`;
  }

  /** Sends as `Connection.send`; on a master pool a `READONLY` reply drops the connection (see the class). */
  override send<T>(command: Command<T>, options?: SendOptions): Promise<T> {
    const sent = super.send(command, options);
    if (!this.connectionPool?.isMaster) return sent;
    return sent.catch((error) => {
      if (!(error instanceof ReadOnlyError)) throw error;
      this.disconnect();
      this.connectionPool?.wrongRole(this.address);
      throw new ConnectionError(
        `${this.address} is no longer the master of ${
          JSON.stringify(this.connectionPool?.serviceName)
        }: ${error.message}`,
        { cause: error },
      );
    });
  }
}
