/**
 * `Sentinel`: finds the master and replicas of a monitored service through
 * a list of sentinels, hands out clients that follow them, and runs the
 * `SENTINEL *` commands against the sentinels.
 *
 * @module
 */

import { Command } from "../commands/command.ts";
import { RedisCommands } from "../commands/mod.ts";
import { Redis } from "../client.ts";
import { AuthenticationError, ConnectionError, MasterNotFoundError, RedisError } from "../errors.ts";
import type { RedisArgument, RespValue } from "../protocol/types.ts";
import { redactOptions } from "../redact.ts";
import type { RedisOptions } from "../options.ts";
import { type SentinelOptions, splitSentinelOptions } from "./options.ts";
import { addressName, healthyReplicas, masterStateProblem, type SentinelAddress } from "./state.ts";
import { SentinelConnectionPool, type SentinelConnectionPoolOptions } from "./pool.ts";
import { SentinelManagedRedis } from "./client.ts";
import { type FailoverStartListener, type SwitchListener, SwitchWatch } from "./switch_watch.ts";

/**
 * Sentinel subcommands that change a sentinel's own configuration: sent to
 * every sentinel, or the sentinels would disagree.
 */
const EVERY_SENTINEL = new Set(["MONITOR", "REMOVE", "SET", "RESET", "FLUSHCONFIG", "CONFIG SET"]);

/** One sentinel and the client that talks to it. */
interface SentinelLink {
  address: SentinelAddress;
  name: string;
  client: Redis<true>;
}

/**
 * Redis Sentinel (redis-py's `Sentinel`): discovers the master and replicas
 * of a service from a list of sentinels, and creates clients that follow
 * them (`masterFor`, `slaveFor`). Construction never connects. The
 * `SENTINEL *` command methods run against the sentinels: one at a time,
 * the next one when a sentinel cannot be reached; those that change a
 * sentinel's configuration (`sentinelMonitor`, `sentinelRemove`,
 * `sentinelSet`, `sentinelReset`, `sentinelFlushconfig`,
 * `sentinelConfigSet`) reach every sentinel.
 *
 * @example
 * ```ts
 * import { Sentinel } from "@uniredis/redis";
 * await using sentinel = new Sentinel([{ host: "127.0.0.1", port: 26379 }, { host: "127.0.0.1", port: 26380 }], {
 *   sentinel: { password: "sentinel-pw" }, // the connections to the sentinels
 *   password: "data-pw", // the connections to the master and replicas
 * });
 * console.log(await sentinel.discoverMaster("mymaster")); // { host: "127.0.0.1", port: 6379 }
 * const master = sentinel.masterFor("mymaster");
 * await master.set("k", "v");
 * const replica = sentinel.slaveFor("mymaster");
 * console.log(await replica.get("k")); // "v" (once replicated)
 * ```
 */
export class Sentinel<D extends boolean = true> extends RedisCommands<true> implements AsyncDisposable {
  /** The options as given, secrets redacted (those of `sentinel` too). */
  readonly options: Readonly<SentinelOptions<D>>;
  /** A master is accepted only from a sentinel seeing at least this many others. */
  readonly minOtherSentinels: number;
  /** Sentinels in the order they are asked: the last one that answered first. */
  #links: SentinelLink[];
  /** Options of the master/replica connections, secrets included. */
  readonly #data: RedisOptions<D>;
  /** Pools of the clients handed out: `close()` closes them. */
  readonly #pools = new Set<SentinelConnectionPool<D>>();
  /** Discoveries in progress, by service: connections opening together share one. */
  readonly #discovering = new Map<string, Promise<SentinelAddress>>();
  /** `masterCheckInterval` of the master pools (their default when unset). */
  readonly #masterCheckInterval: number | undefined;
  /** The `+switch-master` subscriptions, started by the first master client. */
  #switchWatch: SwitchWatch | undefined;

  /**
   * Creates the sentinel manager; nothing is connected until used. Throws a
   * `DataError` for an empty or malformed sentinel list or a bad option.
   */
  constructor(sentinels: readonly SentinelAddress[], options: SentinelOptions<D> = {}) {
    super();
    const split = splitSentinelOptions(sentinels, options);
    this.options = { ...redactOptions(options), sentinel: redactOptions(options.sentinel ?? {}) };
    this.minOtherSentinels = split.minOtherSentinels;
    this.#data = split.data;
    this.#masterCheckInterval = split.masterCheckInterval;
    this.#links = sentinels.map((at) => ({
      address: { host: at.host, port: at.port },
      name: addressName(at),
      client: new Redis<true>({ ...split.sentinel, host: at.host, port: at.port }),
    }));
  }

  /** The sentinels, in the order they are asked next. */
  get sentinels(): SentinelAddress[] {
    return this.#links.map((link) => ({ ...link.address }));
  }

  /**
   * Asks the sentinels in turn for the master of `serviceName` and resolves
   * to its address. A sentinel's answer is accepted only when its view is
   * sane (flagged master, not down, enough other sentinels); the sentinel
   * that answered is asked first next time. Rejects with a
   * `MasterNotFoundError` naming each sentinel and why it gave no master
   * (an `AuthenticationError` when sentinels refused the credentials).
   *
   * @example
   * ```ts
   * import { Sentinel } from "@uniredis/redis";
   * await using sentinel = new Sentinel([{ host: "127.0.0.1", port: 26379 }]);
   * const { host, port } = await sentinel.discoverMaster("mymaster");
   * console.log(`${host}:${port}`);
   * ```
   */
  discoverMaster(serviceName: string): Promise<SentinelAddress> {
    const pending = this.#discovering.get(serviceName);
    if (pending) return pending;
    const discovery = this.#discoverMaster(serviceName).finally(() => this.#discovering.delete(serviceName));
    this.#discovering.set(serviceName, discovery);
    return discovery;
  }

  async #discoverMaster(serviceName: string): Promise<SentinelAddress> {
    const failures: string[] = [];
    const causes: unknown[] = [];
    for (const link of [...this.#links]) {
      try {
        const state = await link.client.sentinelMaster(serviceName);
        const problem = masterStateProblem(state, this.minOtherSentinels);
        if (problem === undefined) {
          this.#toFront(link);
          return { host: state.ip as string, port: state.port as number };
        }
        failures.push(`${link.name} ${problem}`);
        causes.push(new RedisError(problem));
      } catch (error) {
        failures.push(`${link.name}: ${describe(error)}`);
        causes.push(error);
      }
    }
    // Bad credentials will not get better on retry: say so with the error's own class.
    const Failure = causes.some((e) => e instanceof AuthenticationError) &&
        causes.every((e) => e instanceof ConnectionError)
      ? AuthenticationError
      : MasterNotFoundError;
    throw new Failure(`No master found for ${JSON.stringify(serviceName)} (${failures.join("; ")})`, {
      cause: new AggregateError(causes, "sentinel discovery failures"),
    });
  }

  /**
   * The healthy replicas of `serviceName` (not down, not disconnected), from
   * the first sentinel that lists any; `[]` when none does (redis-py's
   * `discover_slaves`).
   *
   * @example
   * ```ts
   * import { Sentinel } from "@uniredis/redis";
   * await using sentinel = new Sentinel([{ host: "127.0.0.1", port: 26379 }]);
   * console.log(await sentinel.discoverSlaves("mymaster")); // [{ host: "127.0.0.1", port: 6380 }, ...]
   * ```
   */
  async discoverSlaves(serviceName: string): Promise<SentinelAddress[]> {
    for (const link of [...this.#links]) {
      try {
        const replicas = healthyReplicas(await link.client.sentinelReplicas(serviceName));
        if (replicas.length > 0) return replicas;
      } catch {
        // This sentinel cannot say: ask the next.
      }
    }
    return [];
  }

  /**
   * A `Redis` client on the master of `serviceName`: each new connection
   * asks the sentinels where the master is and checks with `ROLE` that it
   * is one before any command; a lost connection, or a `READONLY` reply
   * (the master was demoted), makes the next one ask again. `options`
   * override the data options given to the constructor. Closing the client
   * closes its connections.
   *
   * @example
   * ```ts
   * import { Sentinel } from "@uniredis/redis";
   * await using sentinel = new Sentinel([{ host: "127.0.0.1", port: 26379 }], { password: "data-pw" });
   * await using master = sentinel.masterFor("mymaster", { socketTimeout: 1_000 });
   * await master.incr("hits");
   * ```
   */
  masterFor(serviceName: string, options: SentinelClientOptions<D> = {}): Redis<D> {
    return this.#clientFor(serviceName, options, true);
  }

  /**
   * A `Redis` client reading from the replicas of `serviceName`, round-robin
   * over the healthy ones (each checked with `ROLE`), or from the master when
   * none is healthy. Writes sent to it fail with `READONLY`.
   *
   * @example
   * ```ts
   * import { Sentinel } from "@uniredis/redis";
   * await using sentinel = new Sentinel([{ host: "127.0.0.1", port: 26379 }]);
   * await using replica = sentinel.slaveFor("mymaster");
   * console.log(await replica.get("k"));
   * ```
   */
  slaveFor(serviceName: string, options: SentinelClientOptions<D> = {}): Redis<D> {
    return this.#clientFor(serviceName, options, false);
  }

  #clientFor(serviceName: string, options: SentinelClientOptions<D>, isMaster: boolean): Redis<D> {
    const merged = { ...this.#data, ...options } as SentinelConnectionPoolOptions<D> & RedisOptions<D>;
    const {
      retry: _retry,
      retryOnError: _retryOnError,
      retryOnTimeout: _retryOnTimeout,
      singleConnectionClient: _single,
      ...poolOptions
    } = merged;
    const pool = new SentinelConnectionPool<D>(serviceName, this, {
      ...poolOptions,
      isMaster,
      ...(this.#masterCheckInterval === undefined ? {} : { masterCheckInterval: this.#masterCheckInterval }),
    });
    const client = new SentinelManagedRedis<D>({ ...merged, connectionPool: pool });
    this.#pools.add(pool);
    return client;
  }

  /**
   * Calls `listener` each time a sentinel announces that the master of
   * `serviceName` moved (`+switch-master`: once per sentinel, so usually
   * several times per switch), and `onStart` when a sentinel starts a
   * failover of it (`+try-failover`); returns their removal. The first call
   * subscribes to every sentinel (one connection each, re-established after
   * a loss); `close()` ends them. Master clients use it to move at once.
   *
   * @example
   * ```ts
   * import { Sentinel } from "@uniredis/redis";
   * await using sentinel = new Sentinel([{ host: "127.0.0.1", port: 26379 }]);
   * const stop = sentinel.followSwitches("mymaster", (from, to) => console.log(from, "->", to));
   * stop();
   * ```
   */
  followSwitches(serviceName: string, listener: SwitchListener, onStart?: FailoverStartListener): () => void {
    this.#switchWatch ??= new SwitchWatch(this.#links.map((link) => link.client));
    return this.#switchWatch.follow(serviceName, listener, onStart);
  }

  /**
   * Runs a command on the sentinels: those that change a sentinel's
   * configuration on every sentinel (resolving to the first one's reply once
   * all succeeded), any other on one sentinel, the next one when it cannot
   * be reached. Rejects with a `ConnectionError` naming each sentinel when
   * none answered.
   */
  execute<T>(command: Command<T>): Promise<T> {
    if (command.error) return Promise.reject(command.error);
    if (command.localReply) return Promise.resolve(command.localReply.value);
    if (EVERY_SENTINEL.has(sentinelSubcommand(command))) return this.#onEvery(command);
    return this.#onOne(command);
  }

  /**
   * Sends any command as given to a sentinel and resolves to its raw reply.
   *
   * @example
   * ```ts
   * import { Sentinel } from "@uniredis/redis";
   * await using sentinel = new Sentinel([{ host: "127.0.0.1", port: 26379 }]);
   * console.log(await sentinel.sendCommand("SENTINEL", "MYID"));
   * ```
   */
  sendCommand(...args: RedisArgument[]): Promise<RespValue> {
    if (args.length === 0) {
      return this.execute(new Command<RespValue>("").fail("sendCommand needs a command name"));
    }
    return this.execute(new Command<RespValue>(String(args[0])).argsOf(args.slice(1)));
  }

  async #onOne<T>(command: Command<T>): Promise<T> {
    const failures: string[] = [];
    const causes: unknown[] = [];
    for (const link of [...this.#links]) {
      try {
        const reply = await link.client.execute(command);
        this.#toFront(link);
        return reply;
      } catch (error) {
        // An answer (even an error reply) is the answer; only an unreachable sentinel sends us on.
        if (!(error instanceof ConnectionError)) throw error;
        failures.push(`${link.name}: ${describe(error)}`);
        causes.push(error);
      }
    }
    const Failure = causes.every((e) => e instanceof AuthenticationError)
      ? AuthenticationError
      : ConnectionError;
    throw new Failure(`No sentinel answered ${command.name} (${failures.join("; ")})`, {
      cause: new AggregateError(causes, "sentinel failures"),
    });
  }

  async #onEvery<T>(command: Command<T>): Promise<T> {
    const links = [...this.#links];
    const results = await Promise.allSettled(links.map((link) => link.client.execute(command)));
    const failed = results.flatMap((r, i) => r.status === "rejected" ? [[links[i], r.reason] as const] : []);
    if (failed.length === 0) return (results[0] as PromiseFulfilledResult<T>).value;
    const [, first] = failed[0];
    const Failure = first instanceof RedisError ? first.constructor as typeof RedisError : RedisError;
    throw new Failure(
      `${command.name} succeeded on ${links.length - failed.length} of ${links.length} sentinels (${
        failed.map(([link, error]) => `${link.name}: ${describe(error)}`).join("; ")
      })`,
      { cause: new AggregateError(failed.map(([, e]) => e), "sentinel failures") },
    );
  }

  #toFront(link: SentinelLink): void {
    const i = this.#links.indexOf(link);
    if (i > 0) this.#links = [link, ...this.#links.slice(0, i), ...this.#links.slice(i + 1)];
  }

  /**
   * Closes the connections to the sentinels and those of every client
   * `masterFor`/`slaveFor` handed out (gracefully, as `Redis.close`).
   */
  async close(): Promise<void> {
    const watch = this.#switchWatch;
    this.#switchWatch = undefined;
    await watch?.close();
    await Promise.all([
      ...this.#links.map((link) => link.client.close()),
      ...[...this.#pools].map((pool) => pool.close()),
    ]);
  }

  /** Closes the sentinel (`await using sentinel = new Sentinel(...)`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Options of `masterFor`/`slaveFor`: `Redis` options overriding those given
 * to the `Sentinel` (the address comes from the sentinels).
 *
 * @example
 * ```ts
 * import type { SentinelClientOptions } from "@uniredis/redis";
 * const o: SentinelClientOptions = { socketTimeout: 1_000, db: 1 };
 * console.log(o.db); // 1
 * ```
 */
export type SentinelClientOptions<D extends boolean = boolean> = Omit<
  RedisOptions<D>,
  "host" | "port" | "path" | "connectionPool"
>;

/**
 * `SENTINEL <sub>` (`"CONFIG SET"` for `SENTINEL CONFIG SET`), or `""` for
 * another command. Read from the arguments: `Command.name` does not split
 * SENTINEL's subcommands.
 */
function sentinelSubcommand(command: Command<unknown>): string {
  const [first, sub, third] = command.args.map((a) => typeof a === "string" ? a.toUpperCase() : "");
  if (first !== "SENTINEL" || sub === undefined) return "";
  return sub === "CONFIG" ? `${sub} ${third ?? ""}` : sub;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
