/**
 * The one parser of Redis's textual floats, shared by the decoder (RESP3
 * doubles) and the reply transforms (RESP2 bulk strings holding scores).
 *
 * @module
 */

/**
 * Longest text `parseDouble` accepts. Redis prints a long double in at most
 * 5 KiB (`MAX_LONG_DOUBLE_CHARS`, INCRBYFLOAT); anything longer is not one of
 * its numbers, and is refused before any work is spent on it.
 *
 * @example
 * ```ts
 * import { MAX_DOUBLE_LENGTH, parseDouble } from "./double.ts";
 * console.log(parseDouble("1".repeat(MAX_DOUBLE_LENGTH + 1))); // undefined
 * ```
 */
export const MAX_DOUBLE_LENGTH = 8192;

/**
 * Parses `1.5`, `-2e10`, `inf`, `-inf`, `nan` (any case, optional sign) to a
 * number; anything else (including `""`, hex and text longer than
 * `MAX_DOUBLE_LENGTH`) is `undefined`. Runs in time linear in the length.
 *
 * @example
 * ```ts
 * import { parseDouble } from "./double.ts";
 * console.log(parseDouble("-inf"), parseDouble("1e3"), parseDouble("x")); // -Infinity 1000 undefined
 * ```
 */
export function parseDouble(s: string): number | undefined {
  const n = s.length;
  if (n > MAX_DOUBLE_LENGTH) return undefined;
  if (isDecimal(s, n)) return Number(s);
  switch (s.toLowerCase()) {
    case "inf":
    case "+inf":
      return Infinity;
    case "-inf":
      return -Infinity;
    case "nan":
    case "-nan":
    case "+nan":
      return NaN;
  }
  return undefined;
}

/**
 * `[+-]?(digits[.digits?] | .digits)([eE][+-]?digits)?` by a single forward
 * scan: a backtracking regular expression for it is quadratic on a long run
 * of digits that ends in a bad character.
 */
function isDecimal(s: string, n: number): boolean {
  let i = 0;
  let c = s.charCodeAt(0);
  if (c === 43 || c === 45) c = s.charCodeAt(++i);
  let digits = 0;
  while (c >= 48 && c <= 57) {
    digits++;
    c = s.charCodeAt(++i);
  }
  if (c === 46) {
    c = s.charCodeAt(++i);
    while (c >= 48 && c <= 57) {
      digits++;
      c = s.charCodeAt(++i);
    }
  }
  if (digits === 0) return false;
  if (c === 101 || c === 69) {
    c = s.charCodeAt(++i);
    if (c === 43 || c === 45) c = s.charCodeAt(++i);
    const start = i;
    while (c >= 48 && c <= 57) c = s.charCodeAt(++i);
    if (i === start) return false;
  }
  return i === n;
}
