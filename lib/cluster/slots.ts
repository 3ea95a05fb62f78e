/**
 * Redis Cluster hash slots: which of the 16,384 slots a key belongs to,
 * computed exactly as the server does (CRC16-XMODEM of the key's hash tag,
 * modulo 16,384), so the client routes a key to the node that owns it.
 *
 * @module
 */

import { DataError } from "../errors.ts";
import type { Command, RedisKey } from "../commands/command.ts";

/**
 * The number of hash slots of a Redis Cluster.
 *
 * @example
 * ```ts
 * import { keySlot, SLOT_COUNT } from "@uniredis/redis";
 * console.log(keySlot("foo") < SLOT_COUNT); // true
 * ```
 */
export const SLOT_COUNT = 16384;

// CRC16-XMODEM (polynomial 0x1021, initial value 0), the CRC the cluster spec names.
const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    table[i] = crc & 0xffff;
  }
  return table;
})();

const OPEN = 0x7b; // "{"
const CLOSE = 0x7d; // "}"
const encoder = new TextEncoder();

/**
 * The CRC16-XMODEM of `bytes[start, end)` (the Redis Cluster spec's CRC16).
 *
 * @example
 * ```ts
 * import { crc16 } from "@uniredis/redis";
 * console.log(crc16(new TextEncoder().encode("123456789")).toString(16)); // "31c3"
 * ```
 */
export function crc16(bytes: Uint8Array, start = 0, end: number = bytes.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ bytes[i]) & 0xff];
  return crc;
}

// The same CRC over a string's UTF-16 code units, valid only when they are all ASCII.
function crc16Ascii(text: string, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ text.charCodeAt(i)) & 0xff];
  }
  return crc;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * The hash slot of a key, as `CLUSTER KEYSLOT` answers it. When the key
 * holds a `{`, and a `}` follows it with at least one byte between them,
 * only those bytes (up to the first `}` after the first `{`) are hashed, so
 * `"{user:1}:name"` and `"{user:1}:email"` share a slot; `"{}x"`, `"x{"`
 * and `"x}{"` hash whole. Strings are hashed as UTF-8.
 *
 * @example
 * ```ts
 * import { keySlot } from "@uniredis/redis";
 * console.log(keySlot("123456789")); // 12739
 * console.log(keySlot("foo") === keySlot("{foo}:bar")); // true
 * ```
 */
export function keySlot(key: RedisKey): number {
  if (typeof key === "string") {
    // ASCII keys (the common case) are hashed without encoding them.
    const text = key;
    if (isAscii(text)) {
      const [start, end] = hashRange(text.indexOf("{"), (from) => text.indexOf("}", from), text.length);
      return crc16Ascii(text, start, end) & (SLOT_COUNT - 1);
    }
    key = encoder.encode(key);
  } else if (!(key instanceof Uint8Array)) {
    throw new DataError(`Invalid key for keySlot: expected a string or Uint8Array, got ${typeof key}`);
  }
  const bytes = key;
  const [start, end] = hashRange(bytes.indexOf(OPEN), (from) => bytes.indexOf(CLOSE, from), bytes.length);
  return crc16(bytes, start, end) & (SLOT_COUNT - 1);
}

// The part of a key that is hashed, given the first "{" and a way to find the next "}".
function hashRange(open: number, closeAfter: (from: number) => number, length: number): [number, number] {
  if (open < 0) return [0, length];
  const close = closeAfter(open + 1);
  if (close < 0 || close === open + 1) return [0, length];
  return [open + 1, close];
}

/**
 * The distinct hash slots of a command's keys (the positions `command.keys`
 * marks in `command.args`), in order of first appearance; empty for a
 * keyless command.
 *
 * @example
 * ```ts
 * import { Command, slotsOf } from "@uniredis/redis";
 * const mget = new Command(["MGET"]).keysOf(["{u}a", "{u}b", "foo"]);
 * console.log(slotsOf(mget)); // [ 11826, 12182 ]
 * ```
 */
export function slotsOf(command: Pick<Command<unknown>, "args" | "keys">): number[] {
  const keys = command.keys;
  // Most commands have one key: no Set to build.
  if (keys?.length === 1) return [keySlot(command.args[keys[0]] as RedisKey)];
  const slots = new Set<number>();
  for (const position of command.keys ?? []) slots.add(keySlot(command.args[position] as RedisKey));
  return [...slots];
}
