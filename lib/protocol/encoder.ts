/**
 * RESP command encoder: each command becomes an array of bulk strings
 * (`*N\r\n$len\r\narg\r\n...`), appended to one growable buffer.
 *
 * @module
 */

import { DataError } from "../errors.ts";
import type { RedisArgument } from "./types.ts";

const textEncoder = new TextEncoder();

/** Strings up to this many UTF-16 units are tried as ASCII with a plain loop (beats encodeInto). */
const ASCII_LOOP_MAX = 48;
/** Capacity above which take() hands the buffer over instead of copying it, so one huge command does not pin
 * its memory and is not copied once more. */
const SHRINK_ABOVE = 4 * 1024 * 1024;
/** Strings of more UTF-16 units than this are encoded as ASCII first: room for 3 bytes per unit is only made
 * if a non-ASCII one turns up (a 64 MiB value would otherwise need a 192 MiB buffer). */
const ASCII_FIRST_MIN = 64 * 1024;

function header(prefix: number, n: number): Uint8Array {
  const s = String(n);
  const h = new Uint8Array(s.length + 3);
  h[0] = prefix;
  for (let i = 0; i < s.length; i++) h[i + 1] = s.charCodeAt(i);
  h[s.length + 1] = 13;
  h[s.length + 2] = 10;
  return h;
}

const ARRAY_HEADERS: Uint8Array[] = [];
for (let n = 0; n <= 32; n++) ARRAY_HEADERS.push(header(42, n));
const BULK_HEADERS: Uint8Array[] = [];
for (let n = 0; n < 1024; n++) BULK_HEADERS.push(header(36, n));

/** Bytes of `$n\r\n`. */
function bulkHeaderLength(n: number): number {
  return n < 10 ? 4 : n < 100 ? 5 : n < 1000 ? 6 : String(n).length + 3;
}

/** Writes `<prefix>n\r\n` at pos; returns the position after it. */
function writeHeader(buf: Uint8Array, pos: number, prefix: number, n: number): number {
  const cache = prefix === 36 ? BULK_HEADERS : ARRAY_HEADERS;
  const h = n < cache.length ? cache[n] : header(prefix, n);
  for (let i = 0; i < h.length; i++) buf[pos + i] = h[i];
  return pos + h.length;
}

function describe(a: unknown): string {
  if (a === null) return "null";
  switch (typeof a) {
    case "number":
      return "NaN";
    case "boolean":
      return `boolean ${a}`;
    case "object": {
      const name = (a as { constructor?: { name?: unknown } }).constructor?.name;
      return typeof name === "string" && name !== "" ? `object (${name})` : "object";
    }
    default:
      return typeof a;
  }
}

function commandName(args: readonly unknown[]): string {
  const c = args[0];
  if (typeof c === "string") return c;
  if (c instanceof Uint8Array) return new TextDecoder().decode(c);
  if (typeof c === "number" || typeof c === "bigint") return String(c);
  return "command";
}

/** The decimal text of a valid non-string scalar argument. */
function scalarText(a: number | bigint): string {
  if (typeof a === "bigint") return a.toString();
  // String() is the shortest round-trip form: plain digits for integers below
  // 1e21, exponent form beyond (no int64 is that large; Redis parses it as a float).
  return a === Infinity ? "inf" : a === -Infinity ? "-inf" : String(a);
}

/**
 * Appends commands as RESP arrays of bulk strings to one reusable buffer;
 * `take()` hands out everything appended since the previous call.
 *
 * Every argument is checked before anything is written, so a rejected
 * command leaves the buffer exactly as it was.
 *
 * @example Batch two commands into one write
 * ```ts
 * import { Encoder } from "@uniredis/redis";
 * const enc = new Encoder();
 * enc.push(["SET", "k", "v"]);
 * enc.push(["INCRBY", "n", 5]);
 * const bytes = enc.take(); // *3\r\n$3\r\nSET\r\n... *3\r\n$6\r\nINCRBY\r\n...
 * console.log(bytes.length, enc.length); // 57 0
 * ```
 */
export class Encoder {
  #buf: Uint8Array;
  #pos = 0;
  #initial: number;

  /** Creates an encoder whose buffer starts at `initialCapacity` bytes (default 2 KiB: connections are cheap to open) and doubles as needed. */
  constructor(initialCapacity = 2048) {
    this.#initial = Math.max(64, Math.floor(initialCapacity) || 0);
    this.#buf = new Uint8Array(this.#initial);
  }

  /** Number of bytes appended and not yet taken. */
  get length(): number {
    return this.#pos;
  }

  /**
   * Appends one command (`args[0]` is the command name). Throws `DataError`
   * on an empty command or an argument that is not a string, number (NaN
   * excluded), bigint or Uint8Array; nothing is appended then.
   */
  push(args: readonly RedisArgument[]): void {
    checkArguments(args);
    const n = args.length;

    let buf = this.#buf;
    let pos = this.#pos;
    if (pos + 16 > buf.length) buf = this.#grow(pos, 16);
    pos = writeHeader(buf, pos, 42, n);
    for (let i = 0; i < n; i++) {
      const a = args[i];
      if (typeof a === "string") {
        const len = a.length;
        if (len > ASCII_FIRST_MIN) {
          pos = this.#pushLongText(pos, a);
          buf = this.#buf;
          continue;
        }
        // Worst case: 3 bytes per UTF-16 unit, a header for that length, CRLF.
        const need = 3 * len + 16;
        if (pos + need > buf.length) buf = this.#grow(pos, need);
        if (len <= ASCII_LOOP_MAX) {
          // Optimistic ASCII: header for `len` bytes, then one byte per unit.
          let j = writeHeader(buf, pos, 36, len);
          let k = 0;
          for (; k < len; k++) {
            const c = a.charCodeAt(k);
            if (c > 127) break;
            buf[j++] = c;
          }
          if (k === len) {
            buf[j] = 13;
            buf[j + 1] = 10;
            pos = j + 2;
            continue;
          }
        }
        // Encode after a header sized for `len` bytes (UTF-8 is never shorter),
        // then shift right if the real length needs one more digit.
        const guess = bulkHeaderLength(len);
        const start = pos + guess;
        const written = textEncoder.encodeInto(a, buf.subarray(start, start + 3 * len)).written;
        const real = bulkHeaderLength(written);
        if (real !== guess) buf.copyWithin(pos + real, start, start + written);
        pos = writeHeader(buf, pos, 36, written) + written;
        buf[pos] = 13;
        buf[pos + 1] = 10;
        pos += 2;
      } else if (typeof a === "object") {
        const len = a.length;
        if (pos + len + 16 > buf.length) buf = this.#grow(pos, len + 16);
        pos = writeHeader(buf, pos, 36, len);
        buf.set(a, pos);
        pos += len;
        buf[pos] = 13;
        buf[pos + 1] = 10;
        pos += 2;
      } else {
        const s = scalarText(a);
        const len = s.length;
        if (pos + len + 16 > buf.length) buf = this.#grow(pos, len + 16);
        pos = writeHeader(buf, pos, 36, len);
        for (let k = 0; k < len; k++) buf[pos + k] = s.charCodeAt(k);
        pos += len;
        buf[pos] = 13;
        buf[pos + 1] = 10;
        pos += 2;
      }
    }
    this.#pos = pos;
  }

  /**
   * Returns the bytes appended since the last call as a new array the caller
   * owns (empty when there are none), and empties the encoder.
   */
  take(): Uint8Array {
    const pos = this.#pos;
    if (pos === 0) return new Uint8Array(0);
    this.#pos = 0;
    if (this.#buf.length > SHRINK_ABOVE) {
      const out = this.#buf.subarray(0, pos);
      this.#buf = new Uint8Array(this.#initial);
      return out;
    }
    return this.#buf.slice(0, pos);
  }

  /**
   * Appends a long string as a bulk string and returns the position after it. Room for one byte per UTF-16
   * unit first; only the part after the first non-ASCII unit gets room for three.
   */
  #pushLongText(pos: number, a: string): number {
    const len = a.length;
    const guess = bulkHeaderLength(len);
    if (pos + guess + len + 2 > this.#buf.length) this.#grow(pos, guess + len + 2);
    const start = pos + guess;
    let { read, written } = textEncoder.encodeInto(a, this.#buf.subarray(start, start + len));
    if (read < len) {
      const rest = len - read;
      // The bytes written so far are kept: grow from their end.
      if (start + written + 3 * rest + 16 > this.#buf.length) this.#grow(start + written, 3 * rest + 16);
      const more = textEncoder.encodeInto(a.substring(read), this.#buf.subarray(start + written));
      written += more.written;
    }
    const buf = this.#buf;
    const real = bulkHeaderLength(written);
    if (real !== guess) buf.copyWithin(pos + real, start, start + written);
    pos = writeHeader(buf, pos, 36, written) + written;
    buf[pos] = 13;
    buf[pos + 1] = 10;
    return pos + 2;
  }

  /** Grows the buffer to hold `need` more bytes after `pos`: doubling, or straight to the size one huge
   * argument needs. */
  #grow(pos: number, need: number): Uint8Array {
    let cap = this.#buf.length * 2;
    if (cap < pos + need) cap = pos + need;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, pos));
    this.#buf = next;
    return next;
  }
}

/**
 * Throws the `DataError` that encoding `args` would throw, without encoding:
 * an empty command, or an argument that is not a string, number (NaN
 * excluded), bigint or Uint8Array. Lets a batch be checked whole before any
 * of it is sent.
 *
 * @example
 * ```ts
 * import { checkArguments, DataError } from "@uniredis/redis";
 * try {
 *   checkArguments(["SET", "k", undefined as never]);
 * } catch (e) {
 *   console.log(e instanceof DataError); // true
 * }
 * ```
 */
export function checkArguments(args: readonly RedisArgument[]): void {
  const n = args.length;
  if (n === 0) throw new DataError("Cannot encode an empty command");
  for (let i = 0; i < n; i++) {
    const a: unknown = args[i];
    switch (typeof a) {
      case "string":
      case "bigint":
        continue;
      case "number":
        if (a === a) continue;
        break;
      case "object":
        if (a instanceof Uint8Array) continue;
    }
    throw new DataError(
      `Invalid argument ${i} of ${commandName(args)}: ${describe(a)} ` +
        "(expected string, number, bigint or Uint8Array)",
    );
  }
}

/**
 * Encodes one command to its RESP bytes.
 *
 * @example
 * ```ts
 * import { encodeCommand } from "@uniredis/redis";
 * const bytes = encodeCommand(["GET", "key"]);
 * console.log(new TextDecoder().decode(bytes)); // "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"
 * ```
 */
export function encodeCommand(args: readonly RedisArgument[]): Uint8Array {
  const enc = new Encoder(256);
  enc.push(args);
  return enc.take();
}
