/**
 * Scripting and functions: EVAL, EVALSHA, their _RO forms, SCRIPT *, FUNCTION *, FCALL, FCALL_RO.
 *
 * Scripts and functions take their keys and arguments as two arrays,
 * `eval(script, keys, args)`, where redis-py has `eval(script, numkeys,
 * *keys_and_args)`: `r.eval(s, 2, "a", "b", "x")` in Python is
 * `r.eval(s, ["a", "b"], ["x"])` here. The client sends `numkeys` itself and
 * marks the keys as keys, so a cluster client routes the call by them.
 *
 * `SCRIPT DEBUG` is not offered: it switches the connection into the Lua
 * debugger's protocol, which a pooled, multiplexed client cannot follow.
 *
 * @module
 */

import { BitmapCommands } from "./bitmap.ts";
import { Command, describeValue, type RedisKey, type RedisValue } from "./command.ts";
import type { RespValue } from "../protocol/types.ts";
import { toBooleans, toNumber, toRecord, toText, toTextOrNull, toTexts, toTrue } from "./reply.ts";
import { nonEmpty, oneOf, optionKeys, optionsOf } from "./validate.ts";

/**
 * Options of `scriptFlush` and `functionFlush`: flush in the background
 * (`ASYNC`) or before replying (`SYNC`); the server's default when omitted.
 *
 * @example
 * ```ts
 * import type { ScriptFlushOptions } from "@uniredis/redis";
 * const o: ScriptFlushOptions = { mode: "ASYNC" };
 * console.log(o.mode); // "ASYNC"
 * ```
 */
export interface ScriptFlushOptions {
  /** `"ASYNC"` or `"SYNC"` (case-insensitive). */
  mode?: "ASYNC" | "SYNC";
}

const SCRIPT_FLUSH_KEYS = optionKeys<ScriptFlushOptions>({ mode: true });

/**
 * Options of `functionLoad`.
 *
 * @example
 * ```ts
 * import type { FunctionLoadOptions } from "@uniredis/redis";
 * const o: FunctionLoadOptions = { replace: true };
 * console.log(o.replace); // true
 * ```
 */
export interface FunctionLoadOptions {
  /** Replace a library of the same name instead of failing. */
  replace?: boolean;
}

const FUNCTION_LOAD_KEYS = optionKeys<FunctionLoadOptions>({ replace: true });

/**
 * Options of `functionList`.
 *
 * @example
 * ```ts
 * import type { FunctionListOptions } from "@uniredis/redis";
 * const o: FunctionListOptions = { libraryname: "my*", withcode: true };
 * console.log(o.withcode); // true
 * ```
 */
export interface FunctionListOptions {
  /** Only the libraries whose name matches this glob-style pattern. */
  libraryname?: string;
  /** Include each library's source code (`libraryCode`). */
  withcode?: boolean;
}

const FUNCTION_LIST_KEYS = optionKeys<FunctionListOptions>({ libraryname: true, withcode: true });

/**
 * Options of `functionRestore`: what to do with the libraries already loaded
 * (`APPEND`, the server's default, fails on a name clash).
 *
 * @example
 * ```ts
 * import type { FunctionRestoreOptions } from "@uniredis/redis";
 * const o: FunctionRestoreOptions = { policy: "REPLACE" };
 * console.log(o.policy); // "REPLACE"
 * ```
 */
export interface FunctionRestoreOptions {
  /** `"FLUSH"`, `"APPEND"` or `"REPLACE"` (case-insensitive). */
  policy?: "FLUSH" | "APPEND" | "REPLACE";
}

const FUNCTION_RESTORE_KEYS = optionKeys<FunctionRestoreOptions>({ policy: true });

/**
 * One function of a library, as listed by `functionList`.
 *
 * @example
 * ```ts
 * import type { LibraryFunction } from "@uniredis/redis";
 * const f: LibraryFunction = { name: "get", description: null, flags: ["no-writes"] };
 * console.log(f.flags); // ["no-writes"]
 * ```
 */
export interface LibraryFunction {
  /** The function's name (what `fcall` takes). */
  name: string;
  /** Its description, `null` when it has none. */
  description: string | null;
  /** Its flags (`no-writes`, `allow-oom`, ...). */
  flags: string[];
}

/**
 * One library of `functionList`: the same object under RESP2 and RESP3.
 *
 * @example
 * ```ts
 * import type { FunctionLibrary } from "@uniredis/redis";
 * const lib: FunctionLibrary = { libraryName: "mylib", engine: "LUA", functions: [] };
 * console.log(lib.engine); // "LUA"
 * ```
 */
export interface FunctionLibrary {
  /** The library's name. */
  libraryName: string;
  /** Its engine (`"LUA"`). */
  engine: string;
  /** Its functions. */
  functions: LibraryFunction[];
  /** Its source code, with `withcode` only. */
  libraryCode?: string;
}

/**
 * The reply of `functionStats`.
 *
 * @example
 * ```ts
 * import type { FunctionStats } from "@uniredis/redis";
 * const s: FunctionStats = { runningScript: null, engines: { LUA: { librariesCount: 1, functionsCount: 2 } } };
 * console.log(s.engines.LUA.functionsCount); // 2
 * ```
 */
export interface FunctionStats {
  /** The function running now, or `null`. */
  runningScript: {
    /** The function's name. */
    name: string;
    /** The command that called it, with its arguments. */
    command: string[];
    /** How long it has been running, in milliseconds. */
    durationMs: number;
  } | null;
  /** Per engine: how many libraries and functions are loaded. */
  engines: Record<string, { librariesCount: number; functionsCount: number }>;
}

/** Appends `numkeys`, the keys (marked as keys) and the arguments of EVAL/FCALL and their forms. */
function keysAndArgs(
  cmd: Command<unknown>,
  keys: readonly RedisKey[],
  args: readonly RedisValue[],
): void {
  if (!Array.isArray(keys)) {
    cmd.fail(`${cmd.name}: keys must be an array, got ${describeValue(keys)}`);
    keys = [];
  }
  cmd.arg(keys.length);
  for (const k of keys) cmd.key(k);
  cmd.argsOf(args);
}

/** Appends the optional ASYNC/SYNC of SCRIPT FLUSH and FUNCTION FLUSH. */
function flushMode(cmd: Command<unknown>, options: ScriptFlushOptions | undefined): void {
  const o = optionsOf(cmd, options, SCRIPT_FLUSH_KEYS);
  if (o.mode !== undefined && o.mode !== null) cmd.arg(oneOf(cmd, "mode", o.mode, ["ASYNC", "SYNC"]));
}

/** A list reply (RESP2 array, RESP3 array or set) of text; anything else is `[]`. */
function textList(reply: RespValue | undefined): string[] {
  return Array.isArray(reply) ? toTexts(reply) : [];
}

/** One entry of FUNCTION LIST's `functions` (a flat map under both protocols). */
function toLibraryFunction(reply: RespValue): LibraryFunction {
  const f = toRecord(reply);
  return {
    name: toText(f.name ?? null),
    description: toTextOrNull(f.description ?? null),
    flags: textList(f.flags),
  };
}

/** The FUNCTION LIST reply as `FunctionLibrary` objects. */
function toFunctionList(reply: RespValue): FunctionLibrary[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((entry) => {
    const lib = toRecord(entry);
    const out: FunctionLibrary = {
      libraryName: toText(lib.library_name ?? null),
      engine: toText(lib.engine ?? null),
      functions: Array.isArray(lib.functions) ? lib.functions.map(toLibraryFunction) : [],
    };
    if (lib.library_code !== undefined && lib.library_code !== null) {
      out.libraryCode = toText(lib.library_code);
    }
    return out;
  });
}

/** The FUNCTION STATS reply as a `FunctionStats` object. */
function toFunctionStats(reply: RespValue): FunctionStats {
  const stats = toRecord(reply);
  const running = stats.running_script;
  let runningScript: FunctionStats["runningScript"] = null;
  if (Array.isArray(running)) {
    const r = toRecord(running);
    runningScript = {
      name: toText(r.name ?? null),
      command: textList(r.command),
      durationMs: toNumber(r.duration_ms ?? null),
    };
  }
  const engines: FunctionStats["engines"] = {};
  for (const [name, value] of Object.entries(toRecord(stats.engines ?? null))) {
    const e = toRecord(value);
    engines[name] = {
      librariesCount: toNumber(e.libraries_count ?? null),
      functionsCount: toNumber(e.functions_count ?? null),
    };
  }
  return { runningScript, engines };
}

/** A bulk string that must stay bytes (FUNCTION DUMP), even if it arrived as text. */
function toBytes(reply: RespValue): Uint8Array {
  if (reply instanceof Uint8Array) return reply;
  return new TextEncoder().encode(toText(reply));
}

/**
 * Scripting and functions (see the module docs for the `keys`/`args` form).
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * console.log(await r.eval("return {KEYS[1], ARGV[1]}", ["k"], ["v"])); // ["k", "v"]
 * ```
 */
export abstract class ScriptingCommands<D extends boolean = true> extends BitmapCommands<D> {
  /**
   * Runs a Lua script with `keys` (its `KEYS`, sent as keys) and `args` (its
   * `ARGV`); resolves to the script's raw reply. redis-py's
   * `eval(script, numkeys, *keys_and_args)` becomes `eval(script, keys, args)`.
   * A script error rejects with a `ResponseError`.
   * {@link https://redis.io/docs/latest/commands/eval/ EVAL}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.eval("return redis.call('SET', KEYS[1], ARGV[1])", ["k"], ["v"]);
   * console.log(await r.eval("return redis.call('GET', KEYS[1])", ["k"])); // "v"
   * ```
   */
  eval(
    script: string | Uint8Array,
    keys: readonly RedisKey[] = [],
    args: readonly RedisValue[] = [],
  ): Promise<RespValue> {
    const cmd = new Command<RespValue>("EVAL").arg(script);
    keysAndArgs(cmd, keys, args);
    return this.execute(cmd);
  }

  /**
   * Like `eval`, for a script refused if it writes (it may run on a replica).
   * {@link https://redis.io/docs/latest/commands/eval_ro/ EVAL_RO}
   */
  evalRo(
    script: string | Uint8Array,
    keys: readonly RedisKey[] = [],
    args: readonly RedisValue[] = [],
  ): Promise<RespValue> {
    const cmd = new Command<RespValue>("EVAL_RO").arg(script);
    keysAndArgs(cmd, keys, args);
    return this.execute(cmd);
  }

  /**
   * Runs the cached script whose SHA1 is `sha` (see `scriptLoad`); rejects with
   * `NoScriptError` when the server does not have it.
   * {@link https://redis.io/docs/latest/commands/evalsha/ EVALSHA}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const sha = await r.scriptLoad("return ARGV[1]");
   * console.log(await r.evalsha(sha, [], ["hi"])); // "hi"
   * ```
   */
  evalsha(sha: string, keys: readonly RedisKey[] = [], args: readonly RedisValue[] = []): Promise<RespValue> {
    const cmd = new Command<RespValue>("EVALSHA").arg(sha);
    keysAndArgs(cmd, keys, args);
    return this.execute(cmd);
  }

  /**
   * Like `evalsha`, for a script refused if it writes.
   * {@link https://redis.io/docs/latest/commands/evalsha_ro/ EVALSHA_RO}
   */
  evalshaRo(
    sha: string,
    keys: readonly RedisKey[] = [],
    args: readonly RedisValue[] = [],
  ): Promise<RespValue> {
    const cmd = new Command<RespValue>("EVALSHA_RO").arg(sha);
    keysAndArgs(cmd, keys, args);
    return this.execute(cmd);
  }

  /**
   * Resolves to whether each SHA1 is in the script cache, in order.
   * {@link https://redis.io/docs/latest/commands/script-exists/ SCRIPT EXISTS}
   */
  scriptExists(...shas: string[]): Promise<boolean[]> {
    const cmd = new Command<boolean[]>(["SCRIPT", "EXISTS"], toBooleans);
    return this.execute(cmd.argsOf(nonEmpty(cmd, "shas", shas)));
  }

  /**
   * Empties the script cache; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/script-flush/ SCRIPT FLUSH}
   */
  scriptFlush(options?: ScriptFlushOptions): Promise<true> {
    const cmd = new Command<true>(["SCRIPT", "FLUSH"], toTrue);
    flushMode(cmd, options);
    return this.execute(cmd);
  }

  /**
   * Stops the running script (if it has not written); resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/script-kill/ SCRIPT KILL}
   */
  scriptKill(): Promise<true> {
    return this.execute(new Command<true>(["SCRIPT", "KILL"], toTrue));
  }

  /**
   * Caches a script without running it; resolves to its SHA1 (for `evalsha`).
   * {@link https://redis.io/docs/latest/commands/script-load/ SCRIPT LOAD}
   */
  scriptLoad(script: string | Uint8Array): Promise<string> {
    return this.execute(new Command<string>(["SCRIPT", "LOAD"], toText).arg(script));
  }

  /**
   * Loads a function library (Lua code starting with `#!lua name=...`);
   * resolves to the library's name.
   * {@link https://redis.io/docs/latest/commands/function-load/ FUNCTION LOAD}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const code = "#!lua name=mylib\nredis.register_function('hello', function() return 'hi' end)";
   * console.log(await r.functionLoad(code, { replace: true })); // "mylib"
   * console.log(await r.fcall("hello")); // "hi"
   * ```
   */
  functionLoad(code: string | Uint8Array, options?: FunctionLoadOptions): Promise<string> {
    const cmd = new Command<string>(["FUNCTION", "LOAD"], toText);
    if (optionsOf(cmd, options, FUNCTION_LOAD_KEYS).replace) cmd.arg("REPLACE");
    return this.execute(cmd.arg(code));
  }

  /**
   * Deletes the library `library` and its functions; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/function-delete/ FUNCTION DELETE}
   */
  functionDelete(library: string): Promise<true> {
    return this.execute(new Command<true>(["FUNCTION", "DELETE"], toTrue).arg(library));
  }

  /**
   * Deletes every library; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/function-flush/ FUNCTION FLUSH}
   */
  functionFlush(options?: ScriptFlushOptions): Promise<true> {
    const cmd = new Command<true>(["FUNCTION", "FLUSH"], toTrue);
    flushMode(cmd, options);
    return this.execute(cmd);
  }

  /**
   * Lists the loaded libraries and their functions (the same objects under
   * RESP2 and RESP3; names are always text).
   * {@link https://redis.io/docs/latest/commands/function-list/ FUNCTION LIST}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * for (const lib of await r.functionList({ libraryname: "my*" })) {
   *   console.log(lib.libraryName, lib.functions.map((f) => f.name));
   * }
   * ```
   */
  functionList(options?: FunctionListOptions): Promise<FunctionLibrary[]> {
    const cmd = new Command<FunctionLibrary[]>(["FUNCTION", "LIST"], toFunctionList);
    const o = optionsOf(cmd, options, FUNCTION_LIST_KEYS);
    if (o.libraryname !== undefined && o.libraryname !== null) cmd.arg("LIBRARYNAME").arg(o.libraryname);
    if (o.withcode) cmd.arg("WITHCODE");
    return this.execute(cmd);
  }

  /**
   * Serializes every loaded library (always bytes, whatever the client's
   * decoding); see `functionRestore`.
   * {@link https://redis.io/docs/latest/commands/function-dump/ FUNCTION DUMP}
   */
  functionDump(): Promise<Uint8Array> {
    const cmd = new Command<Uint8Array>(["FUNCTION", "DUMP"], toBytes);
    cmd.binaryReply = true;
    return this.execute(cmd);
  }

  /**
   * Loads the libraries of a `functionDump` payload; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/function-restore/ FUNCTION RESTORE}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const payload = await r.functionDump();
   * await r.functionRestore(payload, { policy: "REPLACE" });
   * ```
   */
  functionRestore(payload: Uint8Array | string, options?: FunctionRestoreOptions): Promise<true> {
    const cmd = new Command<true>(["FUNCTION", "RESTORE"], toTrue).arg(payload);
    const o = optionsOf(cmd, options, FUNCTION_RESTORE_KEYS);
    if (o.policy !== undefined && o.policy !== null) {
      cmd.arg(oneOf(cmd, "policy", o.policy, ["FLUSH", "APPEND", "REPLACE"]));
    }
    return this.execute(cmd);
  }

  /**
   * Describes the running function (if any) and the loaded engines.
   * {@link https://redis.io/docs/latest/commands/function-stats/ FUNCTION STATS}
   */
  functionStats(): Promise<FunctionStats> {
    return this.execute(new Command<FunctionStats>(["FUNCTION", "STATS"], toFunctionStats));
  }

  /**
   * Stops the running function (if it has not written); resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/function-kill/ FUNCTION KILL}
   */
  functionKill(): Promise<true> {
    return this.execute(new Command<true>(["FUNCTION", "KILL"], toTrue));
  }

  /**
   * Calls the function `fn` with `keys` (sent as keys) and `args`; resolves to
   * its raw reply. redis-py's `fcall(function, numkeys, *keys_and_args)`
   * becomes `fcall(fn, keys, args)`.
   * {@link https://redis.io/docs/latest/commands/fcall/ FCALL}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.functionLoad(
   *   "#!lua name=kv\nredis.register_function('kvset', function(keys, args) return redis.call('SET', keys[1], args[1]) end)",
   *   { replace: true },
   * );
   * console.log(await r.fcall("kvset", ["k"], ["v"])); // "OK"
   * ```
   */
  fcall(fn: string, keys: readonly RedisKey[] = [], args: readonly RedisValue[] = []): Promise<RespValue> {
    const cmd = new Command<RespValue>("FCALL").arg(fn);
    keysAndArgs(cmd, keys, args);
    return this.execute(cmd);
  }

  /**
   * Like `fcall`, for a function registered with the `no-writes` flag.
   * {@link https://redis.io/docs/latest/commands/fcall_ro/ FCALL_RO}
   */
  fcallRo(fn: string, keys: readonly RedisKey[] = [], args: readonly RedisValue[] = []): Promise<RespValue> {
    const cmd = new Command<RespValue>("FCALL_RO").arg(fn);
    keysAndArgs(cmd, keys, args);
    return this.execute(cmd);
  }
}
