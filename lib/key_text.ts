/**
 * One text form for a key or channel name given as a string or as bytes,
 * so names can index maps whichever way they arrive (bytes with
 * `decodeResponses: false`).
 *
 * @module
 */

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Starts the text of bytes that are not UTF-8; a string starting with it gets it twice. */
const BYTES = "\uffff";

/**
 * The name as text: a string as is, bytes decoded as UTF-8 (so equal names
 * match whichever way they come), and bytes that are not UTF-8 in a form no
 * string maps to.
 *
 * @example
 * ```ts
 * import { keyText } from "@uniredis/redis";
 * console.log(keyText(new TextEncoder().encode("user:1")) === keyText("user:1")); // true
 * ```
 */
export function keyText(name: string | Uint8Array): string {
  let text: string;
  if (typeof name === "string") text = name;
  else {
    try {
      text = utf8.decode(name);
    } catch {
      // One marker, then Latin-1 (which never yields the marker): unlike any string's form.
      text = BYTES;
      for (const byte of name) text += String.fromCharCode(byte);
      return text;
    }
  }
  return text.startsWith(BYTES) ? BYTES + text : text;
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
