/**
 * Server commands: INFO, CONFIG, FLUSHDB, persistence, replication and shutdown.
 *
 * @module
 */

import { ConnectionCommands } from "./connection.ts";
import { Command, type RedisKey, type RedisValue } from "./command.ts";
import { InvalidResponse } from "../errors.ts";
import type { RespValue } from "../protocol/types.ts";
import {
  type InfoValue,
  shapeOf,
  textDeep,
  toDate,
  toInfo,
  toInteger,
  toNumber,
  toText,
  toTextRecord,
  toTexts,
  toTrue,
} from "./reply.ts";
import { exclusive, integer, type Mapping, optionKeys, optionsOf, pairsOf } from "./validate.ts";
import type { FailoverOptions, ShutdownOptions } from "./admin_options.ts";

const LOLWUT_KEYS = optionKeys<{ version?: number }>({ version: true });
const BGSAVE_KEYS = optionKeys<{ schedule?: boolean }>({ schedule: true });
const FAILOVER_KEYS = optionKeys<FailoverOptions>({ to: true, abort: true, timeout: true });
const FAILOVER_TO_KEYS = optionKeys<NonNullable<FailoverOptions["to"]>>({
  host: true,
  port: true,
  force: true,
});
const SHUTDOWN_KEYS = optionKeys<ShutdownOptions>({
  nosave: true,
  save: true,
  now: true,
  force: true,
  abort: true,
});
/**
 * Options of `flushdb` and `flushall`.
 *
 * @example
 * ```ts
 * import type { FlushOptions } from "@uniredis/redis";
 * const o: FlushOptions = { asynchronous: true };
 * console.log(o.asynchronous); // true
 * ```
 */
export interface FlushOptions {
  /** Free the memory in the background (`ASYNC`). */
  asynchronous?: boolean;
}

const FLUSH_KEYS = optionKeys<FlushOptions>({ asynchronous: true });

/**
 * Options of `commandList`: at most one filter.
 *
 * @example
 * ```ts
 * import type { CommandListOptions } from "@uniredis/redis";
 * const o: CommandListOptions = { category: "hash" };
 * console.log(o.category); // "hash"
 * ```
 */
export interface CommandListOptions {
  /** Only the commands of this module. */
  module?: string;
  /** Only the commands of this ACL category. */
  category?: string;
  /** Only the commands whose name matches this glob-style pattern. */
  pattern?: string;
}

/** ROLE: an array led by the role's name, made text throughout. */
function toRole(reply: RespValue): RoleReply {
  if (!Array.isArray(reply) || (typeof reply[0] !== "string" && !(reply[0] instanceof Uint8Array))) {
    const got = Array.isArray(reply) ? `an array led by ${shapeOf(reply[0])}` : shapeOf(reply);
    throw new InvalidResponse(`expected an array led by a role name, got ${got}`);
  }
  return textDeep(reply) as RoleReply;
}

const COMMAND_LIST_KEYS = optionKeys<CommandListOptions>({ module: true, category: true, pattern: true });

/**
 * The reply of `role`: the instance's role first, then its replication state.
 *
 * @example
 * ```ts
 * import type { RoleReply } from "@uniredis/redis";
 * const role: RoleReply = ["master", 0, []];
 * console.log(role[0]); // "master"
 * ```
 */
export type RoleReply =
  | [role: "master", offset: number, replicas: [ip: string, port: string, offset: string][]]
  | [role: "slave", masterIp: string, masterPort: number, state: string, offset: number]
  | [role: "sentinel", masters: string[]];

/**
 * Server commands, in redis-py's argument order.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * const info = await r.info("server");
 * console.log(typeof info.redis_version); // "string"
 * ```
 */
export abstract class ServerCommands<D extends boolean = true> extends ConnectionCommands<D> {
  /**
   * Returns the number of keys in the current database.
   * {@link https://redis.io/docs/latest/commands/dbsize/ DBSIZE}
   */
  dbsize(): Promise<number> {
    return this.execute(new Command<number>("DBSIZE", toNumber));
  }

  /**
   * Deletes every key of the current database; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/flushdb/ FLUSHDB}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.flushdb({ asynchronous: true });
   * ```
   */
  flushdb(options?: FlushOptions): Promise<true> {
    const cmd = new Command<true>("FLUSHDB", toTrue);
    if (optionsOf(cmd, options, FLUSH_KEYS).asynchronous) cmd.arg("ASYNC");
    return this.execute(cmd);
  }

  /**
   * Deletes every key of every database; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/flushall/ FLUSHALL}
   */
  flushall(options?: FlushOptions): Promise<true> {
    const cmd = new Command<true>("FLUSHALL", toTrue);
    if (optionsOf(cmd, options, FLUSH_KEYS).asynchronous) cmd.arg("ASYNC");
    return this.execute(cmd);
  }

  /**
   * Returns server information as one flat object (all requested sections
   * merged), values converted like redis-py's `parse_info`: numbers as
   * numbers, `k=v,...` values (`db0`, `slave0`, `cmdstat_*`) as objects.
   * {@link https://redis.io/docs/latest/commands/info/ INFO}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const info = await r.info("keyspace", "clients");
   * console.log(info.connected_clients, info.db0); // 1 { keys: 3, expires: 0, avg_ttl: 0 }
   * ```
   */
  info(section?: string, ...sections: string[]): Promise<Record<string, InfoValue>> {
    const cmd = new Command<Record<string, InfoValue>>("INFO", toInfo);
    if (section !== undefined) cmd.arg(section).argsOf(sections);
    return this.execute(cmd);
  }

  /**
   * Returns the server's clock as `[seconds, microseconds]` since the Unix epoch.
   * {@link https://redis.io/docs/latest/commands/time/ TIME}
   */
  time(): Promise<[number, number]> {
    return this.execute(
      new Command<[number, number]>("TIME", (r) => {
        const [s, us] = Array.isArray(r) ? r : [];
        return [toNumber(s), toNumber(us)];
      }),
    );
  }

  /**
   * Returns when the database was last saved to disk, as a `Date`.
   * {@link https://redis.io/docs/latest/commands/lastsave/ LASTSAVE}
   */
  lastsave(): Promise<Date> {
    return this.execute(new Command<Date>("LASTSAVE", toDate));
  }

  /**
   * Returns the configuration parameters matching `pattern` (and `patterns`,
   * Redis 7+) as an object of text values.
   * {@link https://redis.io/docs/latest/commands/config-get/ CONFIG GET}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * console.log(await r.configGet("maxmemory")); // { maxmemory: "0" }
   * ```
   */
  configGet(pattern: string = "*", ...patterns: string[]): Promise<Record<string, string>> {
    return this.execute(
      new Command<Record<string, string>>(["CONFIG", "GET"], toTextRecord).arg(pattern).argsOf(patterns),
    );
  }

  /**
   * Sets configuration parameter `name` to `value`, or several parameters at
   * once (Redis 7+, atomically); resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/config-set/ CONFIG SET}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.configSet({ "slowlog-log-slower-than": 0, "slowlog-max-len": 64 });
   * ```
   */
  configSet(name: string | Mapping<string, RedisValue>, value?: RedisValue): Promise<true> {
    const cmd = new Command<true>(["CONFIG", "SET"], toTrue);
    if (typeof name === "string") return this.execute(cmd.arg(name).arg(value as RedisValue));
    for (const [k, v] of pairsOf(cmd, "parameters", name)) cmd.arg(k).arg(v);
    return this.execute(cmd);
  }

  /**
   * Resets the statistics reported by INFO; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/config-resetstat/ CONFIG RESETSTAT}
   */
  configResetstat(): Promise<true> {
    return this.execute(new Command<true>(["CONFIG", "RESETSTAT"], toTrue));
  }

  /**
   * Rewrites the configuration file with the running configuration; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/config-rewrite/ CONFIG REWRITE}
   */
  configRewrite(): Promise<true> {
    return this.execute(new Command<true>(["CONFIG", "REWRITE"], toTrue));
  }

  /**
   * Returns the bytes used by `key` and its value, or `null` when it does not
   * exist. `samples` is the number of nested elements sampled (0: all).
   * {@link https://redis.io/docs/latest/commands/memory-usage/ MEMORY USAGE}
   */
  memoryUsage(key: RedisKey, samples?: number): Promise<number | null> {
    const cmd = new Command<number | null>(["MEMORY", "USAGE"], toInteger).key(key);
    if (samples !== undefined) {
      integer(cmd, "samples", samples, 0);
      cmd.arg("SAMPLES").arg(samples);
    }
    return this.execute(cmd);
  }

  /**
   * Swaps two databases; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/swapdb/ SWAPDB}
   */
  swapdb(first: number, second: number): Promise<true> {
    const cmd = new Command<true>("SWAPDB", toTrue).arg(first).arg(second);
    integer(cmd, "first", first, 0);
    integer(cmd, "second", second, 0);
    return this.execute(cmd);
  }

  /**
   * Saves the dataset to disk, blocking the server until done; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/save/ SAVE}
   */
  save(): Promise<true> {
    return this.execute(new Command<true>("SAVE", toTrue));
  }

  /**
   * Saves the dataset in the background; resolves to `true`. With `schedule`
   * (the default, as in redis-py) a save is scheduled when an AOF rewrite is
   * running instead of failing.
   * {@link https://redis.io/docs/latest/commands/bgsave/ BGSAVE}
   */
  bgsave(options?: { schedule?: boolean }): Promise<true> {
    const cmd = new Command<true>("BGSAVE", toTrue);
    if (optionsOf(cmd, options, BGSAVE_KEYS).schedule ?? true) cmd.arg("SCHEDULE");
    return this.execute(cmd);
  }

  /**
   * Rewrites the append-only file in the background; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/bgrewriteaof/ BGREWRITEAOF}
   */
  bgrewriteaof(): Promise<true> {
    return this.execute(new Command<true>("BGREWRITEAOF", toTrue));
  }

  /**
   * Returns the replication role of the instance and its state (see `RoleReply`).
   * {@link https://redis.io/docs/latest/commands/role/ ROLE}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const [role] = await r.role();
   * console.log(role); // "master"
   * ```
   */
  role(): Promise<RoleReply> {
    return this.execute(new Command<RoleReply>("ROLE", toRole));
  }

  /**
   * Blocks until the writes of this connection reach `numreplicas` replicas
   * or `timeout` milliseconds pass (0: forever); resolves to the number of
   * replicas that acknowledged them.
   * {@link https://redis.io/docs/latest/commands/wait/ WAIT}
   */
  wait(numreplicas: number, timeout: number): Promise<number> {
    const cmd = new Command<number>("WAIT", toNumber).arg(numreplicas).arg(timeout);
    integer(cmd, "numreplicas", numreplicas, 0);
    integer(cmd, "timeout", timeout, 0);
    return this.execute(cmd.block(timeout));
  }

  /**
   * Returns the number of commands the server knows.
   * {@link https://redis.io/docs/latest/commands/command-count/ COMMAND COUNT}
   */
  commandCount(): Promise<number> {
    return this.execute(new Command<number>(["COMMAND", "COUNT"], toNumber));
  }

  /**
   * Returns the names of the server's commands, optionally filtered by one of
   * `module`, `category` (ACL category) or `pattern`.
   * {@link https://redis.io/docs/latest/commands/command-list/ COMMAND LIST}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * console.log((await r.commandList({ pattern: "zrange*" })).sort()); // ["zrange", "zrangebylex", ...]
   * ```
   */
  commandList(options?: CommandListOptions): Promise<string[]> {
    const cmd = new Command<string[]>(["COMMAND", "LIST"], toTexts);
    const o = optionsOf(cmd, options, COMMAND_LIST_KEYS);
    exclusive(cmd, o, ["module", "category", "pattern"]);
    if (o.module !== undefined) cmd.arg("FILTERBY").arg("MODULE").arg(o.module);
    else if (o.category !== undefined) cmd.arg("FILTERBY").arg("ACLCAT").arg(o.category);
    else if (o.pattern !== undefined) cmd.arg("FILTERBY").arg("PATTERN").arg(o.pattern);
    return this.execute(cmd);
  }

  /**
   * Makes the server a replica of `host:port`, or a master again without
   * arguments (`REPLICAOF NO ONE`); resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/replicaof/ REPLICAOF}
   */
  replicaof(host?: string, port?: number): Promise<true> {
    return this.execute(replicaCommand("REPLICAOF", host, port));
  }

  /**
   * The former name of `replicaof`; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/slaveof/ SLAVEOF}
   */
  slaveof(host?: string, port?: number): Promise<true> {
    return this.execute(replicaCommand("SLAVEOF", host, port));
  }

  /**
   * Hands the master role over to a replica (see `FailoverOptions`); resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/failover/ FAILOVER}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.failover({ to: { host: "127.0.0.1", port: 6380 }, timeout: 5000 });
   * ```
   */
  failover(options?: FailoverOptions): Promise<true> {
    const cmd = new Command<true>("FAILOVER", toTrue);
    const o = optionsOf(cmd, options, FAILOVER_KEYS);
    if (o.to !== undefined) {
      const to = optionsOf(cmd, o.to, FAILOVER_TO_KEYS);
      integer(cmd, "to.port", to.port, 0);
      if (typeof to.host !== "string") cmd.fail(`${cmd.name}: to.host must be a string`);
      cmd.arg("TO").arg(to.host ?? "").arg(to.port ?? 0);
      if (to.force) cmd.arg("FORCE");
    }
    if (o.abort) cmd.arg("ABORT");
    if (o.timeout !== undefined) {
      integer(cmd, "timeout", o.timeout, 0);
      cmd.arg("TIMEOUT").arg(o.timeout);
    }
    return this.execute(cmd);
  }

  /**
   * Returns the server's art and version, as text. As redis-py's
   * `lolwut(*version_numbers)`: the first number is the art's version, the
   * others its parameters (`lolwut(5, 1, 2, 3)` sends `LOLWUT VERSION 5 1 2 3`).
   * {@link https://redis.io/docs/latest/commands/lolwut/ LOLWUT}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * console.log(await r.lolwut(5, 1, 2, 3));
   * ```
   */
  lolwut(...versionNumbers: number[]): Promise<string>;
  /** The `{ version }` form: `lolwut({ version: 5 })` is `lolwut(5)`. */
  lolwut(options?: { version?: number }): Promise<string>;
  lolwut(...args: (number | { version?: number } | undefined)[]): Promise<string> {
    const cmd = new Command<string>("LOLWUT", toText);
    let numbers: unknown[] = args;
    if (args.length === 1 && typeof args[0] !== "number") {
      const o = optionsOf(cmd, args[0], LOLWUT_KEYS);
      numbers = o.version === undefined ? [] : [o.version];
    }
    numbers.forEach((n, i) =>
      integer(cmd, i === 0 ? "version" : `versionNumbers[${i}]`, n, i === 0 ? 0 : undefined)
    );
    if (numbers.length > 0) cmd.arg("VERSION").argsOf(numbers as number[]);
    return this.execute(cmd);
  }

  /**
   * Blocks until this connection's writes are fsynced to the local AOF
   * (`numlocal`: 0 or 1) and by `numreplicas` replicas, or `timeout`
   * milliseconds pass (0: forever); resolves to `[local, replicas]` (Redis 7.2+).
   * {@link https://redis.io/docs/latest/commands/waitaof/ WAITAOF}
   */
  waitaof(numlocal: number, numreplicas: number, timeout: number): Promise<[number, number]> {
    const cmd = new Command<[number, number]>("WAITAOF", (r) => {
      const [local, replicas] = Array.isArray(r) ? r : [];
      return [toNumber(local), toNumber(replicas)];
    }).arg(numlocal).arg(numreplicas).arg(timeout);
    integer(cmd, "numlocal", numlocal, 0);
    integer(cmd, "numreplicas", numreplicas, 0);
    integer(cmd, "timeout", timeout, 0);
    return this.execute(cmd.block(timeout));
  }

  /**
   * Stops the server. On success the server closes the connection, so the
   * promise rejects with a `ConnectionError`; `{ abort: true }` resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/shutdown/ SHUTDOWN}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.shutdown({ nosave: true, now: true }).catch(() => {});
   * ```
   */
  shutdown(options?: ShutdownOptions): Promise<true> {
    const cmd = new Command<true>("SHUTDOWN", toTrue);
    const o = optionsOf(cmd, options, SHUTDOWN_KEYS);
    exclusive(cmd, o, ["nosave", "save"]);
    if (o.nosave) cmd.arg("NOSAVE");
    if (o.save) cmd.arg("SAVE");
    if (o.now) cmd.arg("NOW");
    if (o.force) cmd.arg("FORCE");
    if (o.abort) cmd.arg("ABORT");
    return this.execute(cmd);
  }
}

/** REPLICAOF/SLAVEOF `host port`, or `NO ONE` when both are left out. */
function replicaCommand(name: string, host: unknown, port: unknown): Command<true> {
  const cmd = new Command<true>(name, toTrue);
  if (host === undefined && port === undefined) return cmd.arg("NO").arg("ONE");
  if (typeof host !== "string") cmd.fail(`${name}: host must be a string`);
  integer(cmd, "port", port, 0);
  return cmd.arg(String(host)).arg(port as number);
}
