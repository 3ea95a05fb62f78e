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
  /**
   * A master pool asks the sentinels this often (ms, default 5,000; 0: never)
   * whether the master moved, in case a `+switch-master` message was missed
   * (the subscription to the sentinels was down).
   */
  masterCheckInterval?: number;
}

/**
 * Where a `SentinelConnectionPool` learns the addresses: a `Sentinel`, or
 * any object with its `discoverMaster`/`discoverSlaves` (`followSwitches`
 * is optional: without it, only the periodic check notices a switch early).
 *
 * @example
 * ```ts
 * import { Sentinel, SentinelConnectionPool, type SentinelSource } from "@uniredis/redis";
 * await using sentinel = new Sentinel([{ host: "127.0.0.1", port: 26379 }]);
 * const source: SentinelSource = {
 *   discoverMaster: (name) => sentinel.discoverMaster(name),
 *   discoverSlaves: (name) => sentinel.discoverSlaves(name),
 * };
 * const pool = new SentinelConnectionPool("mymaster", source, { masterCheckInterval: 1_000 });
 * await pool.disconnect();
 * ```
 */
export type SentinelSource =
  & Pick<Sentinel<boolean>, "discoverMaster" | "discoverSlaves">
  & Partial<Pick<Sentinel<boolean>, "followSwitches">>;

/** Default of `masterCheckInterval`. */
const DEFAULT_MASTER_CHECK = 5_000;
/**
 * After a switch the sentinels agree within about 1 s: until then a lagging
 * one may still name the old master, which the periodic check must not
 * take for a move back.
 */
const SWITCH_SETTLE = 2_000;
/**
 * Longest hold of new connections after a failover started (`+try-failover`)
 * without a switch: then the sentinels are asked again. A manual failover
 * switches about 1.1 s after it starts here, a dead master's about 1.2 s.
 */
const FAILOVER_HOLD = 5_000;

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
  readonly sentinelManager: SentinelSource;
  /** Milliseconds between periodic checks of the master (0: none). */
  readonly masterCheckInterval: number;
  /** The master address last discovered. */
  #masterAddress: SentinelAddress | undefined;
  /**
   * The master a `+switch-master` named: used without asking the sentinels
   * (a lagging one may still name the old master, which stays a writable
   * master for seconds) until a connection to it fails.
   */
  #switchedTo: SentinelAddress | undefined;
  #switchedAt = 0;
  /** Following switches: the removal of the switch listener, and the periodic check's timer. */
  #unfollow: (() => void) | undefined;
  #checkTimer: ReturnType<typeof setInterval> | undefined;
  #checking = false;
  /** While a failover is in progress: new connections wait for its switch (or `FAILOVER_HOLD`). */
  #hold: { done: Promise<void>; release: () => void } | undefined;
  #switchListeners = new Set<(from: SentinelAddress, to: SentinelAddress) => void>();
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
    sentinelManager: SentinelSource,
    options: SentinelConnectionPoolOptions<D> = {},
  ) {
    if (typeof serviceName !== "string" || serviceName === "") {
      throw new DataError("SentinelConnectionPool needs the service name (a non-empty string)");
    }
    if (typeof sentinelManager?.discoverMaster !== "function") {
      throw new DataError("SentinelConnectionPool needs a Sentinel");
    }
    const { isMaster = true, masterCheckInterval = DEFAULT_MASTER_CHECK, ...rest } = options ?? {};
    if (typeof masterCheckInterval !== "number" || !(masterCheckInterval >= 0)) {
      throw new DataError(
        `Invalid option masterCheckInterval: ${masterCheckInterval} (expected milliseconds >= 0)`,
      );
    }
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
    this.masterCheckInterval = masterCheckInterval;
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
  async targets(attempt = 1): Promise<SentinelTarget[]> {
    if (this.isMaster) {
      this.#follow();
      if (this.#hold !== undefined) await this.#hold.done;
      // The announced master, unless connecting to it just failed.
      if (attempt > 1) this.#switchedTo = undefined;
      const switched = this.#switchedTo;
      if (switched !== undefined) return [{ address: switched, role: "master" }];
      return [{ address: await this.getMasterAddress(), role: "master" }];
    }
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
    if (this.#switchedTo && addressName(this.#switchedTo) === address) this.#switchedTo = undefined;
  }

  /** Forgets what was discovered (redis-py's `reset`). */
  reset(): void {
    this.#masterAddress = undefined;
    this.#switchedTo = undefined;
    this.#replicaTurn = -1;
  }

  /**
   * The master moved from `from` to `to` (a `+switch-master`, or the
   * periodic check): new connections go to `to` at once (still checked with
   * `ROLE`), and every connection of the pool is dropped, so nothing more
   * is written to the old master; commands in flight there reject with a
   * `ConnectionError` (whether a write ran is unknown: it is not re-sent
   * unless the retry policy says `retryWrites`). A repeated announcement
   * (each sentinel sends one) does nothing. A master pool does this by
   * itself; this is for tests and custom discovery sources.
   */
  switchMaster(from: SentinelAddress, to: SentinelAddress): void {
    if (!this.isMaster) return;
    const last = this.#switchedTo ?? this.#masterAddress;
    const connected = this.#connectedAddress();
    const target = addressName(to);
    const held = this.#hold;
    if (
      held === undefined && last !== undefined && addressName(last) === target &&
      (connected ?? target) === target
    ) return;
    this.#switchedTo = { host: to.host, port: to.port };
    this.#masterAddress = this.#switchedTo;
    this.#switchedAt = Date.now();
    // Held since the failover started: nothing is connected to the old master any more, and the
    // connections opened meanwhile wait to be pointed at the new one.
    if (held !== undefined) held.release();
    else void super.disconnect();
    if (this.instrumentation.active) {
      this.instrumentation.emit({
        type: "sentinel-failover",
        serviceName: this.serviceName,
        from: addressName(from),
        to: target,
      });
    }
    for (const listener of [...this.#switchListeners]) listener(from, to);
  }

  /**
   * A sentinel started failing `master` over (`+try-failover`): from now on
   * an acknowledgment from it may be lost (the replica being promoted stops
   * replicating it), so its connections are dropped and new ones wait for
   * the switch (at most 5 s, then the sentinels are asked again). Ignored
   * when `master` is not the master this pool knows.
   */
  failoverStarted(master: SentinelAddress): void {
    if (!this.isMaster || this.#hold !== undefined) return;
    const known = this.#switchedTo ?? this.#masterAddress;
    if (known !== undefined && addressName(known) !== addressName(master)) return;
    let release!: () => void;
    const done = new Promise<void>((resolve) => release = resolve);
    const timer = setTimeout(() => hold.release(), FAILOVER_HOLD);
    const hold = {
      done,
      release: () => {
        clearTimeout(timer);
        if (this.#hold === hold) this.#hold = undefined;
        release();
      },
    };
    this.#hold = hold;
    void super.disconnect();
  }

  /**
   * Where the shared connection is connected, once its handshake is done. One still connecting names no
   * master yet (its address is a placeholder until resolved), and resolves to the latest one anyway.
   */
  #connectedAddress(): string | undefined {
    const current = super.currentSharedConnection;
    return current?.ready ? current.address : undefined;
  }

  /** Calls `listener` after each switch of master (`switchMaster`); returns its removal. */
  onSwitch(listener: (from: SentinelAddress, to: SentinelAddress) => void): () => void {
    this.#switchListeners.add(listener);
    return () => this.#switchListeners.delete(listener);
  }

  /** Starts following switches: the sentinels' announcements and the periodic check. */
  #follow(): void {
    if (this.#unfollow !== undefined) return;
    const stop = this.sentinelManager.followSwitches?.(
      this.serviceName,
      (from, to) => this.switchMaster(from, to),
      (master) => this.failoverStarted(master),
    );
    const interval = this.masterCheckInterval;
    if (interval > 0) this.#checkTimer = setInterval(() => void this.#check(), interval);
    this.#unfollow = () => {
      stop?.();
      if (this.#checkTimer !== undefined) clearInterval(this.#checkTimer);
      this.#checkTimer = undefined;
    };
  }

  #stopFollowing(): void {
    this.#unfollow?.();
    this.#unfollow = undefined;
    this.#hold?.release();
  }

  /** The periodic check: asks the sentinels, and switches when they name another master. */
  async #check(): Promise<void> {
    if (this.#checking || this.#hold !== undefined || Date.now() - this.#switchedAt < SWITCH_SETTLE) return;
    const known = this.#switchedTo ?? this.#masterAddress;
    const connected = this.#connectedAddress();
    if (known === undefined && connected === undefined) return;
    this.#checking = true;
    let found: SentinelAddress;
    try {
      found = await this.sentinelManager.discoverMaster(this.serviceName);
    } catch {
      return; // No sane master now (being failed over): the announcement or a later check will tell.
    } finally {
      this.#checking = false;
    }
    if (this.#unfollow === undefined || Date.now() - this.#switchedAt < SWITCH_SETTLE) return;
    const name = addressName(found);
    const stale = (connected !== undefined && connected !== name) ||
      (known !== undefined && addressName(known) !== name);
    if (stale) this.switchMaster(known ?? found, found);
  }

  /** Drops every connection at once, a replica pool's shared ones included (see `ConnectionPool.disconnect`). */
  override async disconnect(options: { inUse?: boolean } = {}): Promise<void> {
    this.#stopFollowing();
    const shared = this.#shared.splice(0);
    for (const c of shared) c.disconnect();
    await Promise.all([super.disconnect(options), ...shared.map((c) => c.whenClosed())]);
  }

  /** Closes every connection gracefully, a replica pool's shared ones included (see `ConnectionPool.close`). */
  override async close(): Promise<void> {
    this.#stopFollowing();
    const shared = this.#shared.splice(0);
    await Promise.all([super.close(), ...shared.map((c) => c.close())]);
  }
}
