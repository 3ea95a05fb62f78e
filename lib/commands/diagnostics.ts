/**
 * Diagnostics: COMMAND INFO/DOCS/GETKEYS, LATENCY, MEMORY, MODULE and SLOWLOG.
 *
 * @module
 */

import { ServerCommands } from "./server.ts";
import { Command, type RedisValue } from "./command.ts";

import { toNumber, toText, toTexts, toTrue } from "./reply.ts";
import { integer, nonEmpty, optionKeys, optionsOf, pairsOf } from "./validate.ts";
import type { ModuleLoadexOptions } from "./admin_options.ts";
import {
  type CommandInfo,
  type DocValue,
  type SlowlogEntry,
  type TextValue,
  toCommandDocs,
  toCommandInfo,
  toKeysAndFlags,
  toLatencyHistogram,
  toLatencyHistory,
  toLatencyLatest,
  toMemoryStats,
  toModuleList,
  toSlowlog,
} from "./admin_reply.ts";

const MODULE_LOADEX_KEYS = optionKeys<ModuleLoadexOptions>({ config: true, args: true });
/**
 * Diagnostics and introspection commands, in redis-py's argument order.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * console.log(await r.slowlogLen()); // 0
 * ```
 */
export abstract class DiagnosticsCommands<D extends boolean = true> extends ServerCommands<D> {
  /**
   * Describes every command of the server, keyed by lower-case name (see
   * `CommandInfo`), as redis-py's `command()`.
   * {@link https://redis.io/docs/latest/commands/command/ COMMAND}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const { get } = await r.command();
   * console.log(get.arity, get.firstKeyPos); // 2 1
   * ```
   */
  command(): Promise<Record<string, CommandInfo>> {
    return this.execute(new Command<Record<string, CommandInfo>>("COMMAND", toCommandInfo));
  }

  /**
   * Describes the named commands, keyed by name (unknown names are left out).
   * {@link https://redis.io/docs/latest/commands/command-info/ COMMAND INFO}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const { get } = await r.commandInfo("get");
   * console.log(get.arity, get.flags); // 2 ["readonly", "fast"]
   * ```
   */
  commandInfo(...names: string[]): Promise<Record<string, CommandInfo>> {
    return this.execute(
      new Command<Record<string, CommandInfo>>(["COMMAND", "INFO"], toCommandInfo).argsOf(names),
    );
  }

  /**
   * Returns the documentation of the named commands (all without names),
   * keyed by name: `summary`, `since`, `group`, `complexity`, `arguments`...
   * {@link https://redis.io/docs/latest/commands/command-docs/ COMMAND DOCS}
   */
  commandDocs(...names: string[]): Promise<Record<string, Record<string, DocValue>>> {
    return this.execute(
      new Command<Record<string, Record<string, DocValue>>>(["COMMAND", "DOCS"], toCommandDocs).argsOf(names),
    );
  }

  /**
   * Returns the keys of a full command line, e.g. `commandGetkeys("MSET", "a", 1, "b", 2)`.
   * {@link https://redis.io/docs/latest/commands/command-getkeys/ COMMAND GETKEYS}
   */
  commandGetkeys(command: string, ...args: RedisValue[]): Promise<string[]> {
    return this.execute(new Command<string[]>(["COMMAND", "GETKEYS"], toTexts).arg(command).argsOf(args));
  }

  /**
   * Returns the keys of a full command line with their access flags, as `[key, flags]` pairs.
   * {@link https://redis.io/docs/latest/commands/command-getkeysandflags/ COMMAND GETKEYSANDFLAGS}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * console.log(await r.commandGetkeysandflags("LMOVE", "a", "b", "LEFT", "LEFT"));
   * // [["a", ["RW", "access", "delete"]], ["b", ["RW", "insert"]]]
   * ```
   */
  commandGetkeysandflags(command: string, ...args: RedisValue[]): Promise<[string, string[]][]> {
    return this.execute(
      new Command<[string, string[]][]>(["COMMAND", "GETKEYSANDFLAGS"], toKeysAndFlags).arg(command).argsOf(
        args,
      ),
    );
  }

  /**
   * Returns a human-readable analysis of latency problems.
   * {@link https://redis.io/docs/latest/commands/latency-doctor/ LATENCY DOCTOR}
   */
  latencyDoctor(): Promise<string> {
    return this.execute(new Command<string>(["LATENCY", "DOCTOR"], toText));
  }

  /**
   * Returns an ASCII-art graph of `event`'s latency samples.
   * {@link https://redis.io/docs/latest/commands/latency-graph/ LATENCY GRAPH}
   */
  latencyGraph(event: string): Promise<string> {
    return this.execute(new Command<string>(["LATENCY", "GRAPH"], toText).arg(event));
  }

  /**
   * Returns the latency histograms of the named commands (all without names):
   * `{ set: { calls, histogram_usec: { "1": 3, ... } } }`.
   * {@link https://redis.io/docs/latest/commands/latency-histogram/ LATENCY HISTOGRAM}
   */
  latencyHistogram(...commands: string[]): Promise<Record<string, unknown>> {
    return this.execute(
      new Command<Record<string, unknown>>(["LATENCY", "HISTOGRAM"], toLatencyHistogram).argsOf(commands),
    );
  }

  /**
   * Returns `event`'s latency samples as `[unixSeconds, milliseconds]` pairs.
   * {@link https://redis.io/docs/latest/commands/latency-history/ LATENCY HISTORY}
   */
  latencyHistory(event: string): Promise<[number, number][]> {
    return this.execute(new Command<[number, number][]>(["LATENCY", "HISTORY"], toLatencyHistory).arg(event));
  }

  /**
   * Returns the latest latency spike of each event as `[event, unixSeconds, latestMs, maxMs]`.
   * {@link https://redis.io/docs/latest/commands/latency-latest/ LATENCY LATEST}
   */
  latencyLatest(): Promise<[string, number, number, number][]> {
    return this.execute(
      new Command<[string, number, number, number][]>(["LATENCY", "LATEST"], toLatencyLatest),
    );
  }

  /**
   * Clears the latency samples of the named events (all without names); resolves to how many were reset.
   * {@link https://redis.io/docs/latest/commands/latency-reset/ LATENCY RESET}
   */
  latencyReset(...events: string[]): Promise<number> {
    return this.execute(new Command<number>(["LATENCY", "RESET"], toNumber).argsOf(events));
  }

  /**
   * Returns a human-readable analysis of memory problems.
   * {@link https://redis.io/docs/latest/commands/memory-doctor/ MEMORY DOCTOR}
   */
  memoryDoctor(): Promise<string> {
    return this.execute(new Command<string>(["MEMORY", "DOCTOR"], toText));
  }

  /**
   * Returns the allocator's internal statistics, as text.
   * {@link https://redis.io/docs/latest/commands/memory-malloc-stats/ MEMORY MALLOC-STATS}
   */
  memoryMallocStats(): Promise<string> {
    return this.execute(new Command<string>(["MEMORY", "MALLOC-STATS"], toText));
  }

  /**
   * Asks the allocator to release dirty pages; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/memory-purge/ MEMORY PURGE}
   */
  memoryPurge(): Promise<true> {
    return this.execute(new Command<true>(["MEMORY", "PURGE"], toTrue));
  }

  /**
   * Returns the server's memory usage as an object (`peak.allocated`,
   * `keys.count`, `db.0: { overhead.hashtable.main, ... }`), numbers as numbers.
   * {@link https://redis.io/docs/latest/commands/memory-stats/ MEMORY STATS}
   */
  memoryStats(): Promise<Record<string, unknown>> {
    return this.execute(new Command<Record<string, unknown>>(["MEMORY", "STATS"], toMemoryStats));
  }

  /**
   * Returns the loaded modules, one object each (`name`, `ver`, `path`, `args`).
   * {@link https://redis.io/docs/latest/commands/module-list/ MODULE LIST}
   */
  moduleList(): Promise<Record<string, TextValue>[]> {
    return this.execute(new Command<Record<string, TextValue>[]>(["MODULE", "LIST"], toModuleList));
  }

  /**
   * Loads the module at `path` (on the server) with `args`; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/module-load/ MODULE LOAD}
   */
  moduleLoad(path: string, ...args: RedisValue[]): Promise<true> {
    return this.execute(new Command<true>(["MODULE", "LOAD"], toTrue).arg(path).argsOf(args));
  }

  /**
   * Loads the module at `path` with configuration parameters and arguments; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/module-loadex/ MODULE LOADEX}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.moduleLoadex("/opt/redis/search.so", { config: { "search-timeout": 100 }, args: ["x"] });
   * ```
   */
  moduleLoadex(path: string, options?: ModuleLoadexOptions): Promise<true> {
    const cmd = new Command<true>(["MODULE", "LOADEX"], toTrue).arg(path);
    const o = optionsOf(cmd, options, MODULE_LOADEX_KEYS);
    if (o.config !== undefined) {
      for (const [k, v] of pairsOf<string, string | number>(cmd, "config", o.config, false)) {
        cmd.arg("CONFIG").arg(k).arg(v);
      }
    }
    if (o.args !== undefined) cmd.arg("ARGS").argsOf(nonEmpty(cmd, "args", o.args));
    return this.execute(cmd);
  }

  /**
   * Unloads the module `name`; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/module-unload/ MODULE UNLOAD}
   */
  moduleUnload(name: string): Promise<true> {
    return this.execute(new Command<true>(["MODULE", "UNLOAD"], toTrue).arg(name));
  }

  /**
   * Returns the slow log's entries, newest first (`num` of them; the server's default is 10, -1: all).
   * {@link https://redis.io/docs/latest/commands/slowlog-get/ SLOWLOG GET}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const [last] = await r.slowlogGet(1);
   * console.log(last?.command); // ["CONFIG", "SET", "slowlog-log-slower-than", "0"]
   * ```
   */
  slowlogGet(num?: number): Promise<SlowlogEntry[]> {
    const cmd = new Command<SlowlogEntry[]>(["SLOWLOG", "GET"], toSlowlog);
    if (num !== undefined) {
      integer(cmd, "num", num, -1);
      cmd.arg(num);
    }
    return this.execute(cmd);
  }

  /**
   * Returns the number of entries in the slow log.
   * {@link https://redis.io/docs/latest/commands/slowlog-len/ SLOWLOG LEN}
   */
  slowlogLen(): Promise<number> {
    return this.execute(new Command<number>(["SLOWLOG", "LEN"], toNumber));
  }

  /**
   * Empties the slow log; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/slowlog-reset/ SLOWLOG RESET}
   */
  slowlogReset(): Promise<true> {
    return this.execute(new Command<true>(["SLOWLOG", "RESET"], toTrue));
  }
}
