/**
 * `SentinelConnectionPool`: a `ConnectionPool` whose connections get their
 * address from the sentinels when they connect: the master, or the replicas
 * in turn.
 *
 * @module
 */

import type { Connection } from "../connection.ts";
import { ConnectionPool, type ConnectionPoolOptions } from "../pool.ts";
import { DataError, SlaveNotFoundError } from "../errors.ts";
import { SentinelManagedConnection, type SentinelTarget } from "./connection.ts";
import type { Sentinel } from "./sentinel.ts";
import { addressName, type SentinelAddress } from "./state.ts";

/**
 * Options of `new SentinelConnectionPool(serviceName, sentinel, options)`:
 * the pool options without an address, plus `isMaster`.
 *
 * @example
 * ```ts
 * import type { SentinelConnectionPoolOptions } from "@uniredis/redis";
 * const o: SentinelConnectionPoolOptions = { isMaster: false, password: "data-pw" };
 * console.log(o.isMaster); // false
 * ```
 */
export interface SentinelConnectionPoolOptions<D extends boolean = boolean>
  extends Omit<ConnectionPoolOptions<D>, "host" | "port" | "path"> {
  /** Connect to the master (default `true`) or to the replicas, round-robin. */
  isMaster?: boolean;
}

/**
 * A connection pool for a service monitored by Redis Sentinel (redis-py's
 * `SentinelConnectionPool`). Its connections are `SentinelManagedConnection`s
 * that ask the pool for their address each time they connect: the master
 * (`isMaster`, the default), or the next healthy replica, round-robin,
 * falling back to the master when no replica is healthy. A replica pool
 * spreads ordinary commands over one shared connection per replica.
 *
 * @example
 * ```ts
 * import { Redis, Sentinel, SentinelConnectionPool } from "@uniredis/redis";
 * await using sentinel = new Sentinel([{ host: "127.0.0.1", port: 26379 }]);
 * const pool = new SentinelConnectionPool("mymaster", sentinel, { isMaster: false });
 * const replica = new Redis({ connectionPool: pool });
 * console.log(await replica.get("k"));
 * await pool.disconnect();
 * ```
 */
export class SentinelConnectionPool<D extends boolean = true> extends ConnectionPool<D> {
  /** The monitored service's name (`sentinel monitor <name> ...`). */
  readonly serviceName: string;
  /** Master pool (`true`) or replica pool. */
  readonly isMaster: boolean;
  /** The sentinels the addresses come from (a `Sentinel`). */
  readonly sentinelManager: Pick<Sentinel<boolean>, "discoverMaster" | "discoverSlaves">;
  /** The master address last discovered. */
  #masterAddress: SentinelAddress | undefined;
  /** Round-robin position over the replicas (random start, as redis-py). */
  #replicaTurn = -1;
  /** Healthy replicas at the last discovery (at least 1): how many shared connections a replica pool keeps. */
  #replicaCount = 1;
  /** A replica pool's shared connections, one per replica. */
  #shared: Connection[] = [];
  #sharedTurn = 0;

  /** Creates the pool; nothing connects until used. Throws a `DataError` for bad options. */
  constructor(
    serviceName: string,
    sentinelManager: Pick<Sentinel<boolean>, "discoverMaster" | "discoverSlaves">,
    options: SentinelConnectionPoolOptions<D> = {},
  ) {
    if (typeof serviceName !== "string" || serviceName === "") {
      throw new DataError("SentinelConnectionPool needs the service name (a non-empty string)");
    }
    if (typeof sentinelManager?.discoverMaster !== "function") {
      throw new DataError("SentinelConnectionPool needs a Sentinel");
    }
    const { isMaster = true, ...rest } = options ?? {};
    for (const key of ["host", "port", "path", "connectionPool"]) {
      if (key in rest) {
        throw new DataError(
          `SentinelConnectionPool: option ${key} is not accepted (the sentinels give the address)`,
        );
      }
    }
    const cls = rest.connectionClass ?? SentinelManagedConnection;
    if (
      typeof cls !== "function" ||
      (cls !== SentinelManagedConnection && !(cls.prototype instanceof SentinelManagedConnection))
    ) {
      throw new DataError(
        "Invalid option connectionClass (expected SentinelManagedConnection or a subclass of it)",
      );
    }
    super({ ...rest, connectionClass: cls } as ConnectionPoolOptions<D>);
    this.serviceName = serviceName;
    this.isMaster = isMaster === true;
    this.sentinelManager = sentinelManager;
  }

  /** Creates a connection that asks this pool for its address (see `ConnectionPool.createConnection`). */
  override createConnection(): Connection {
    const connection = super.createConnection();
    (connection as SentinelManagedConnection).connectionPool = this as SentinelConnectionPool<boolean>;
    return connection;
  }

  /**
   * A master pool: the one shared connection. A replica pool: one shared
   * connection per healthy replica, taken in turn, so reads spread over them.
   */
  override sharedConnection(): Connection {
    if (this.isMaster) return super.sharedConnection();
    this.#shared = this.#shared.filter((c) => !c.closed);
    if (this.#shared.length < this.#replicaCount) {
      const connection = this.createConnection();
      this.#shared.push(connection);
      return connection;
    }
    return this.#shared[this.#sharedTurn++ % this.#shared.length];
  }

  /** The shared connection last handed out, if still open. */
  override get currentSharedConnection(): Connection | undefined {
    if (this.isMaster) return super.currentSharedConnection;
    return this.#shared.findLast((c) => !c.closed);
  }

  /** The master's address, from the sentinels (redis-py's `get_master_address`). */
  async getMasterAddress(): Promise<SentinelAddress> {
    const address = await this.sentinelManager.discoverMaster(this.serviceName);
    this.#masterAddress = address;
    return address;
  }

  /**
   * The replicas to try, next one first, then the master as the fallback
   * (redis-py's `rotate_slaves`). Rejects with a `SlaveNotFoundError` when
   * there is neither.
   */
  async rotateSlaves(): Promise<SentinelAddress[]> {
    const replicas = await this.sentinelManager.discoverSlaves(this.serviceName);
    this.#replicaCount = Math.max(1, replicas.length);
    const out: SentinelAddress[] = [];
    if (replicas.length > 0) {
      if (this.#replicaTurn < 0) this.#replicaTurn = Math.floor(Math.random() * replicas.length);
      // One step per call: each new connection starts at the next replica.
      const start = this.#replicaTurn = (this.#replicaTurn + 1) % replicas.length;
      for (let i = 0; i < replicas.length; i++) out.push(replicas[(start + i) % replicas.length]);
    }
    try {
      out.push(await this.getMasterAddress());
    } catch (error) {
      if (out.length === 0) {
        throw new SlaveNotFoundError(`No replica found for ${JSON.stringify(this.serviceName)}`, {
          cause: error,
        });
      }
    }
    return out;
  }

  /**
   * Where a connection may connect, in order, with the role it must find
   * there: the master for a master pool; for a replica pool the replicas
   * (next one first) and then the master as the fallback.
   */
  async targets(): Promise<SentinelTarget[]> {
    if (this.isMaster) return [{ address: await this.getMasterAddress(), role: "master" }];
    const all = await this.rotateSlaves();
    const master = this.#masterAddress;
    return all.map((address, i) => ({
      address,
      role: i === all.length - 1 && master !== undefined && addressName(address) === addressName(master)
        ? "master"
        : "slave",
    }));
  }

  /** Told by a connection that the server at `address` had the wrong role: forget what was discovered. */
  wrongRole(address: string): void {
    if (this.#masterAddress && addressName(this.#masterAddress) === address) this.#masterAddress = undefined;
  }

  /** Forgets what was discovered (redis-py's `reset`). */
  reset(): void {
    this.#masterAddress = undefined;
    this.#replicaTurn = -1;
  }

  /** Drops every connection at once, a replica pool's shared ones included (see `ConnectionPool.disconnect`). */
  override async disconnect(options: { inUse?: boolean } = {}): Promise<void> {
    const shared = this.#shared.splice(0);
    for (const c of shared) c.disconnect();
    await Promise.all([super.disconnect(options), ...shared.map((c) => c.whenClosed())]);
  }

  /** Closes every connection gracefully, a replica pool's shared ones included (see `ConnectionPool.close`). */
  override async close(): Promise<void> {
    const shared = this.#shared.splice(0);
    await Promise.all([super.close(), ...shared.map((c) => c.close())]);
  }
}
