/**
 * One text form for a key or channel name given as a string or as bytes,
 * so names can index maps whichever way they arrive (bytes with
 * `decodeResponses: false`).
 *
 * @module
 */

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The name as text: a string as is, bytes decoded as UTF-8, and bytes that
 * are not UTF-8 as a form no string can collide with.
 *
 * @example
 * ```ts
 * import { keyText } from "@uniredis/redis";
 * console.log(keyText(new TextEncoder().encode("user:1")) === keyText("user:1")); // true
 * ```
 */
export function keyText(name: string | Uint8Array): string {
  if (typeof name === "string") return name;
  try {
    return utf8.decode(name);
  } catch {
    let text = "\u0000";
    for (const byte of name) text += String.fromCharCode(byte);
    return text;
  }
}

/**
 * A reply element as text when it is text (a string, or bytes holding
 * UTF-8); `undefined` otherwise.
 *
 * @example
 * ```ts
 * import { textOf } from "@uniredis/redis";
 * console.log(textOf(new TextEncoder().encode("message"))); // "message"
 * ```
 */
export function textOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) {
    try {
      return utf8.decode(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
