/**
 * The one parser of Redis's textual floats, shared by the decoder (RESP3
 * doubles) and the reply transforms (RESP2 bulk strings holding scores).
 *
 * @module
 */

const DOUBLE_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses `1.5`, `-2e10`, `inf`, `-inf`, `nan` (any case, optional sign) to a
 * number; anything else (including `""` and hex) is `undefined`.
 *
 * @example
 * ```ts
 * import { parseDouble } from "./double.ts";
 * console.log(parseDouble("-inf"), parseDouble("1e3"), parseDouble("x")); // -Infinity 1000 undefined
 * ```
 */
export function parseDouble(s: string): number | undefined {
  if (DOUBLE_RE.test(s)) return Number(s);
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
