/**
 * A prepared command: its arguments, which of them are keys, and how its
 * reply becomes a JavaScript value. Every executor (client, pipeline,
 * cluster) runs the same `Command` objects, so a command is defined once.
 *
 * @module
 */

import { DataError } from "../errors.ts";
import type { RedisArgument, RespValue } from "../protocol/types.ts";

/**
 * Turns a raw reply into the value a command method resolves to. It sees the
 * same shape under RESP2 and RESP3 (maps arrive as flat arrays), except that
 * RESP3 may send numbers and booleans where RESP2 sends strings and integers.
 *
 * @example
 * ```ts
 * import type { ReplyTransform } from "@uniredis/redis";
 * const toLength: ReplyTransform<number> = (reply) => Number(reply);
 * console.log(toLength("3")); // 3
 * ```
 */
export type ReplyTransform<T> = (reply: RespValue) => T;

/**
 * A key: a string (UTF-8) or raw bytes.
 *
 * @example
 * ```ts
 * import type { RedisKey } from "@uniredis/redis";
 * const keys: RedisKey[] = ["user:1", new Uint8Array([0xff])];
 * console.log(keys.length); // 2
 * ```
 */
export type RedisKey = string | Uint8Array;

/**
 * A value argument: strings (UTF-8), numbers, bigints or raw bytes.
 *
 * @example
 * ```ts
 * import type { RedisValue } from "@uniredis/redis";
 * const v: RedisValue = 42;
 * console.log(v); // 42
 * ```
 */
export type RedisValue = RedisArgument;

/**
 * The string type of replies: `string` when the client decodes responses
 * (the default), `Uint8Array` with `decodeResponses: false`.
 *
 * @example
 * ```ts
 * import type { Str } from "@uniredis/redis";
 * const text: Str<true> = "hello";
 * const bytes: Str<false> = new Uint8Array([104, 105]);
 * console.log(text.length + bytes.length); // 7
 * ```
 */
export type Str<D extends boolean> = D extends false ? Uint8Array : string;

/**
 * A command ready to run. Built with the name's words, then `key()` for every
 * key and `arg()` for everything else, in the order they are sent, so the
 * key positions (used for cluster routing) can never drift from the argv.
 *
 * @example
 * ```ts
 * import { Command, Redis } from "@uniredis/redis";
 * const r = new Redis();
 * const cmd = new Command<number>(["OBJECT", "FREQ"], Number).key("counter");
 * console.log(cmd.args); // ["OBJECT", "FREQ", "counter"]
 * console.log(cmd.keys); // [2]
 * await r.close();
 * ```
 */
export class Command<T = RespValue> {
  /** The full argv, command name first. */
  readonly args: RedisArgument[];
  /** Positions in `args` that hold keys; `undefined` when the command has none. */
  keys: number[] | undefined = undefined;
  /** Converts the reply; `undefined` means the raw reply is the result. */
  readonly transform: ReplyTransform<T> | undefined;
  /**
   * When true, bulk strings in the reply stay `Uint8Array` even for a client
   * that decodes responses (DUMP payloads, for instance).
   */
  binaryReply = false;
  /**
   * When true, the command is a copy queued inside MULTI: its reply is
   * `QUEUED`, so executors apply no response callback to it (its real reply
   * comes with EXEC).
   */
  queued = false;
  /** When true, the command may block the connection (BLPOP, XREAD BLOCK, WAIT, ...). */
  blocking = false;
  /**
   * How long a blocking command may block, in ms (0: forever), when known;
   * it extends the socket timeout for this command.
   */
  blockTimeout: number | undefined = undefined;
  /**
   * The first problem found while building (a bad key, a bad option). An
   * executor rejects such a command with this error and sends nothing, so a
   * command method never throws synchronously.
   */
  error: DataError | undefined = undefined;
  /**
   * Set when the reply is known without asking the server (`mget([])` is
   * `[]`, as in redis-py): every executor resolves to `value` and sends
   * nothing, so there is no round trip and a pipeline keeps its other replies.
   */
  localReply: { value: T } | undefined = undefined;

  /** Starts a command from its name, e.g. `"GET"` or `["CLIENT", "SETNAME"]`. */
  constructor(name: string | readonly string[], transform?: ReplyTransform<T>) {
    this.args = typeof name === "string" ? [name] : [...name];
    this.transform = transform;
  }

  /** The command's name as Redis knows it, upper case, with its subcommand (`"CLIENT SETNAME"`). */
  get name(): string {
    const first = String(this.args[0]).toUpperCase();
    return CONTAINERS.has(first) && this.args.length > 1
      ? `${first} ${String(this.args[1]).toUpperCase()}`
      : first;
  }

  /** Appends one key (a bad one marks the command as failed, see `error`). */
  key(key: RedisKey): this {
    if (typeof key !== "string" && !(key instanceof Uint8Array)) {
      return this.fail(`Invalid key for ${this.args[0]}: ${describe(key)} (expected a string or Uint8Array)`);
    }
    (this.keys ??= []).push(this.args.length);
    this.args.push(key);
    return this;
  }

  /** Marks the command as blocking for up to `ms` milliseconds (0: forever). */
  block(ms: number): this {
    this.blocking = true;
    this.blockTimeout = ms;
    return this;
  }

  /** Marks the command as invalid: it will be rejected with a `DataError` carrying `message`, unsent. */
  fail(message: string): this {
    this.error ??= new DataError(message);
    return this;
  }

  /** Answers the command locally with `value` (see `localReply`): nothing is sent. */
  answer(value: T): this {
    this.localReply = { value };
    return this;
  }

  /** Appends several keys; `keys` must be a non-empty array. */
  keysOf(keys: readonly RedisKey[]): this {
    if (!Array.isArray(keys) || keys.length === 0) {
      return this.fail(`${this.args[0]} needs a non-empty array of keys, got ${describe(keys)}`);
    }
    for (const k of keys) this.key(k);
    return this;
  }

  /** Appends how many keys follow, then the keys (the `numkeys key ...` of LMPOP, ZINTERCARD, ...). */
  countedKeys(keys: readonly RedisKey[]): this {
    return this.arg(Array.isArray(keys) ? keys.length : 0).keysOf(keys);
  }

  /** Appends one argument (a value, a flag, a number). */
  arg(value: RedisArgument): this {
    this.args.push(value);
    return this;
  }

  /** Appends several arguments (their types are checked by the encoder). */
  argsOf(values: readonly RedisArgument[]): this {
    if (!Array.isArray(values)) return this.fail(`${this.args[0]} needs an array, got ${describe(values)}`);
    for (const v of values) this.args.push(v);
    return this;
  }
}

/** Commands whose second word is a subcommand (for `Command.name`). */
const CONTAINERS = new Set([
  "ACL",
  "CLIENT",
  "CLUSTER",
  "COMMAND",
  "CONFIG",
  "DEBUG",
  "FUNCTION",
  "LATENCY",
  "MEMORY",
  "MODULE",
  "OBJECT",
  "PUBSUB",
  "SCRIPT",
  "SLOWLOG",
  "XGROUP",
  "XINFO",
]);

/**
 * Names a value for error messages without dumping its content.
 *
 * @example
 * ```ts
 * import { describeValue } from "@uniredis/redis";
 * console.log(describeValue(undefined)); // "undefined"
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number" && Number.isNaN(value)) return "NaN";
  if (typeof value === "object") return `an object (${(value as object).constructor?.name ?? "Object"})`;
  if (typeof value === "string") return "a string";
  return typeof value === "undefined" ? "undefined" : `a ${typeof value}`;
}
const describe = describeValue;

/**
 * Anything that can run a prepared command: the client, a pipeline, a cluster.
 *
 * @example
 * ```ts
 * import { Command, type CommandExecutor, Redis } from "@uniredis/redis";
 * const exec: CommandExecutor = new Redis();
 * console.log(await exec.execute(new Command("PING"))); // "PONG"
 * ```
 */
export interface CommandExecutor {
  /** Sends the command and resolves to its transformed reply. */
  execute<T>(command: Command<T>): Promise<T>;
  /**
   * Optional: sends the commands in order, in one synchronous run, and
   * resolves once to their transformed replies, each Error a command got in
   * its place (it never rejects). Pipelines use it when there, `execute` per
   * command otherwise.
   */
  executeMany?(commands: readonly Command<unknown>[]): Promise<unknown[]>;
}
