/**
 * Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO.
 *
 * @module
 */

import { HyperLogLogCommands } from "./hyperloglog.ts";
import { Command, type CommandExecutor, describeValue, type RedisKey, type RedisValue } from "./command.ts";
import type { RespValue } from "../protocol/types.ts";
import { toInteger, toNumber } from "./reply.ts";
import { integer, oneOf, optionKeys, optionsOf } from "./validate.ts";

/**
 * Options of `bitcount` and `bitpos`: a range in bytes (default) or bits.
 *
 * @example
 * ```ts
 * import type { BitRangeOptions } from "@uniredis/redis";
 * const o: BitRangeOptions = { start: 0, end: 7, mode: "BIT" };
 * console.log(o.mode); // "BIT"
 * ```
 */
export interface BitRangeOptions {
  /** First byte (or bit) of the range; negative counts from the end. */
  start?: number;
  /** Last byte (or bit) of the range, inclusive. */
  end?: number;
  /** Whether `start`/`end` count bytes (the default) or bits; needs `end` (and `start`). */
  mode?: "BYTE" | "BIT";
}

const BIT_RANGE_KEYS = optionKeys<BitRangeOptions>({ start: true, end: true, mode: true });

/**
 * What BITFIELD does when an INCRBY or SET goes out of range: wrap around,
 * saturate, or fail (the operation resolves to `null`).
 *
 * @example
 * ```ts
 * import type { BitFieldOverflow } from "@uniredis/redis";
 * const o: BitFieldOverflow = "SAT";
 * console.log(o); // "SAT"
 * ```
 */
export type BitFieldOverflow = "WRAP" | "SAT" | "FAIL";

/**
 * A BITFIELD encoding: `i` (signed, 1-64 bits) or `u` (unsigned, 1-63 bits) and a width.
 *
 * @example
 * ```ts
 * import type { BitFieldFormat } from "@uniredis/redis";
 * const f: BitFieldFormat = "u8";
 * console.log(f); // "u8"
 * ```
 */
export type BitFieldFormat = `${"i" | "u"}${number}`;

/**
 * A BITFIELD offset: a bit offset, or `"#N"` for the N-th field of the format's width.
 *
 * @example
 * ```ts
 * import type { BitFieldOffset } from "@uniredis/redis";
 * const offsets: BitFieldOffset[] = [0, "#1"];
 * console.log(offsets.length); // 2
 * ```
 */
export type BitFieldOffset = number | `#${number}`;

/** Checks a BITFIELD encoding (`i1`-`i64`, `u1`-`u63`). */
function checkFormat(cmd: Command<unknown>, fmt: unknown): void {
  const m = typeof fmt === "string" ? /^([iu])(\d{1,2})$/.exec(fmt) : null;
  const bits = m ? Number(m[2]) : 0;
  if (!m || bits < 1 || bits > (m[1] === "i" ? 64 : 63)) {
    const got = typeof fmt === "string" ? JSON.stringify(fmt) : describeValue(fmt);
    cmd.fail(`${cmd.name}: format must be i1-i64 or u1-u63, got ${got}`);
  }
}

/** Checks a BITFIELD offset (a non-negative integer or `"#N"`). */
function checkOffset(cmd: Command<unknown>, offset: unknown): void {
  if (typeof offset === "string") {
    if (!/^#\d+$/.test(offset)) {
      cmd.fail(`${cmd.name}: offset must be an integer or "#N", got ${JSON.stringify(offset)}`);
    }
  } else {
    integer(cmd, "offset", offset, 0);
  }
}

/** BITFIELD's reply: an integer, or `null` for a FAIL overflow, per operation. */
function toFieldValues(reply: RespValue): (number | null)[] {
  return Array.isArray(reply) ? reply.map(toInteger) : [];
}

/** Appends `start [end [mode]]` of BITCOUNT/BITPOS, checked. */
function rangeArgs(
  cmd: Command<unknown>,
  options: BitRangeOptions | undefined,
  startNeedsEnd: boolean,
): void {
  const o = optionsOf(cmd, options, BIT_RANGE_KEYS);
  const has = (v: unknown): boolean => v !== undefined && v !== null;
  if (has(o.end) && !has(o.start)) cmd.fail(`${cmd.name}: end needs start`);
  if (startNeedsEnd && has(o.start) && !has(o.end)) cmd.fail(`${cmd.name}: start and end go together`);
  if (has(o.mode) && !has(o.end)) cmd.fail(`${cmd.name}: mode needs start and end`);
  if (has(o.start)) {
    integer(cmd, "start", o.start);
    cmd.arg(o.start as number);
  }
  if (has(o.end)) {
    integer(cmd, "end", o.end);
    cmd.arg(o.end as number);
  }
  if (has(o.mode)) cmd.arg(oneOf(cmd, "mode", o.mode, ["BYTE", "BIT"]));
}

/**
 * Builds one BITFIELD command from chained operations, like redis-py's
 * `BitFieldOperation`; `execute()` sends it and resolves to one value per
 * GET/SET/INCRBY (`null` for an INCRBY or SET stopped by `FAIL` overflow).
 * Bad arguments make `execute()` reject with a `DataError`; nothing throws
 * while chaining. Get one from `bitfield(key)` on a client or pipeline.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * const result = await r.bitfield("bits")
 *   .set("u8", 0, 255)
 *   .get("u8", 0)
 *   .incrby("u8", 0, 10, "SAT")
 *   .overflow("FAIL")
 *   .incrby("u8", "#0", 1)
 *   .execute();
 * console.log(result); // [0, 255, 255, null]
 * ```
 */
export class BitField {
  readonly #executor: CommandExecutor;
  readonly #key: RedisKey;
  readonly #defaultOverflow: BitFieldOverflow | undefined;
  #cmd!: Command<(number | null)[]>;
  #lastOverflow: string = "WRAP";

  /** Starts an empty BITFIELD on `key`, run by `executor`, with an optional default overflow policy. */
  constructor(executor: CommandExecutor, key: RedisKey, defaultOverflow?: BitFieldOverflow) {
    this.#executor = executor;
    this.#key = key;
    this.#defaultOverflow = defaultOverflow;
    this.reset();
  }

  /** Drops every queued operation (the default overflow policy is kept). */
  reset(): this {
    this.#cmd = new Command<(number | null)[]>("BITFIELD", toFieldValues).key(this.#key);
    this.#lastOverflow = "WRAP";
    if (this.#defaultOverflow !== undefined && this.#defaultOverflow !== null) {
      this.overflow(this.#defaultOverflow);
    }
    return this;
  }

  /** The argv built so far (command name first). */
  get args(): readonly RedisValue[] {
    return this.#cmd.args;
  }

  /** Sets the overflow policy of the following SET and INCRBY operations (sent only when it changes). */
  overflow(overflow: BitFieldOverflow): this {
    const policy = oneOf(this.#cmd, "overflow", overflow, ["WRAP", "SAT", "FAIL"]);
    if (policy !== this.#lastOverflow) {
      this.#lastOverflow = policy;
      this.#cmd.arg("OVERFLOW").arg(policy);
    }
    return this;
  }

  /** Adds `increment` to the field; `overflow` sets the policy first (see `overflow`). */
  incrby(fmt: BitFieldFormat, offset: BitFieldOffset, increment: number, overflow?: BitFieldOverflow): this {
    if (overflow !== undefined && overflow !== null) this.overflow(overflow);
    checkFormat(this.#cmd, fmt);
    checkOffset(this.#cmd, offset);
    integer(this.#cmd, "increment", increment);
    this.#cmd.arg("INCRBY").arg(fmt).arg(offset).arg(increment);
    return this;
  }

  /** Reads the field. */
  get(fmt: BitFieldFormat, offset: BitFieldOffset): this {
    checkFormat(this.#cmd, fmt);
    checkOffset(this.#cmd, offset);
    this.#cmd.arg("GET").arg(fmt).arg(offset);
    return this;
  }

  /** Writes `value` to the field; its result is the previous value. */
  set(fmt: BitFieldFormat, offset: BitFieldOffset, value: number): this {
    checkFormat(this.#cmd, fmt);
    checkOffset(this.#cmd, offset);
    integer(this.#cmd, "value", value);
    this.#cmd.arg("SET").arg(fmt).arg(offset).arg(value);
    return this;
  }

  /**
   * Sends the queued operations as one BITFIELD and clears the queue; resolves
   * to one value per GET/SET/INCRBY.
   */
  execute(): Promise<(number | null)[]> {
    const cmd = this.#cmd;
    this.reset();
    return this.#executor.execute(cmd);
  }
}

/**
 * Bitmap commands, in redis-py's argument order.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * await r.setbit("flags", 7, 1);
 * console.log(await r.getbit("flags", 7), await r.bitcount("flags")); // 1 1
 * ```
 */
export abstract class BitmapCommands<D extends boolean = true> extends HyperLogLogCommands<D> {
  /**
   * Resolves to the number of set bits in `name`, optionally within a range
   * of bytes (or bits, with `mode: "BIT"`).
   * {@link https://redis.io/docs/latest/commands/bitcount/ BITCOUNT}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.set("s", "foobar");
   * console.log(await r.bitcount("s"), await r.bitcount("s", { start: 1, end: 1 })); // 26 6
   * console.log(await r.bitcount("s", { start: 5, end: 30, mode: "BIT" })); // 17
   * ```
   */
  bitcount(name: RedisKey, options?: BitRangeOptions): Promise<number> {
    const cmd = new Command<number>("BITCOUNT", toNumber).key(name);
    rangeArgs(cmd, options, true);
    return this.execute(cmd);
  }

  /**
   * `bitfield(name, defaultOverflow?)` returns a `BitField` builder for `name`: chain `set`/`get`/`incrby`/`overflow`, then `execute()`.
   * {@link https://redis.io/docs/latest/commands/bitfield/ BITFIELD}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * console.log(await r.bitfield("b", "SAT").incrby("i4", 0, 100).execute()); // [7]
   * ```
   */
  bitfield(name: RedisKey, defaultOverflow?: BitFieldOverflow): BitField {
    return new BitField(this, name, defaultOverflow);
  }

  /**
   * Reads fields of `name` (each `[fmt, offset]`) with the read-only BITFIELD_RO.
   * {@link https://redis.io/docs/latest/commands/bitfield_ro/ BITFIELD_RO}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.set("b", "A");
   * console.log(await r.bitfieldRo("b", [["u8", 0], ["u4", "#1"]])); // [65, 1]
   * ```
   */
  bitfieldRo(
    name: RedisKey,
    items: readonly (readonly [BitFieldFormat, BitFieldOffset])[],
  ): Promise<number[]> {
    const cmd = new Command<number[]>("BITFIELD_RO", toFieldValues as (r: RespValue) => number[]).key(name);
    if (!Array.isArray(items)) {
      cmd.fail(`BITFIELD_RO: items must be an array of [fmt, offset] pairs, got ${describeValue(items)}`);
    } else {
      for (const item of items) {
        if (!Array.isArray(item) || item.length !== 2) {
          cmd.fail(`BITFIELD_RO: items must be [fmt, offset] pairs, got ${describeValue(item)}`);
          continue;
        }
        checkFormat(cmd, item[0]);
        checkOffset(cmd, item[1]);
        cmd.arg("GET").arg(item[0]).arg(item[1]);
      }
    }
    return this.execute(cmd);
  }

  /**
   * Stores in `dest` the bitwise `operation` of the strings `keys` (NOT takes
   * exactly one); resolves to the length of the result.
   * {@link https://redis.io/docs/latest/commands/bitop/ BITOP}
   */
  bitop(operation: "AND" | "OR" | "XOR" | "NOT", dest: RedisKey, ...keys: RedisKey[]): Promise<number> {
    const cmd = new Command<number>("BITOP", toNumber);
    const op = oneOf(cmd, "operation", operation, ["AND", "OR", "XOR", "NOT"]);
    cmd.arg(op).key(dest).keysOf(keys);
    if (op === "NOT" && Array.isArray(keys) && keys.length !== 1) cmd.fail("BITOP NOT takes exactly one key");
    return this.execute(cmd);
  }

  /**
   * Resolves to the position of the first `bit` (0 or 1) in `name`,
   * optionally within a range; -1 when there is none.
   * {@link https://redis.io/docs/latest/commands/bitpos/ BITPOS}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.set("s", new Uint8Array([0x00, 0xff]));
   * console.log(await r.bitpos("s", 1), await r.bitpos("s", 0, { start: 1 })); // 8 16 (past the end: missing bits count as 0)
   * ```
   */
  bitpos(name: RedisKey, bit: 0 | 1, options?: BitRangeOptions): Promise<number> {
    const cmd = new Command<number>("BITPOS", toNumber).key(name);
    if (bit !== 0 && bit !== 1) cmd.fail(`BITPOS: bit must be 0 or 1, got ${describeValue(bit)}`);
    cmd.arg(bit);
    rangeArgs(cmd, options, false);
    return this.execute(cmd);
  }

  /**
   * Resolves to the bit at `offset` of `name` (0 when out of range).
   * {@link https://redis.io/docs/latest/commands/getbit/ GETBIT}
   */
  getbit(name: RedisKey, offset: number): Promise<0 | 1> {
    const cmd = new Command<0 | 1>("GETBIT", toNumber as (r: RespValue) => 0 | 1).key(name).arg(offset);
    integer(cmd, "offset", offset, 0);
    return this.execute(cmd);
  }

  /**
   * Sets the bit at `offset` of `name` to `value`; resolves to its previous value.
   * {@link https://redis.io/docs/latest/commands/setbit/ SETBIT}
   */
  setbit(name: RedisKey, offset: number, value: 0 | 1 | boolean): Promise<0 | 1> {
    const cmd = new Command<0 | 1>("SETBIT", toNumber as (r: RespValue) => 0 | 1).key(name).arg(offset);
    integer(cmd, "offset", offset, 0);
    if (value !== 0 && value !== 1 && value !== true && value !== false) {
      cmd.fail(`SETBIT: value must be 0, 1 or a boolean, got ${describeValue(value)}`);
    }
    cmd.arg(value === true || value === 1 ? 1 : 0);
    return this.execute(cmd);
  }
}
