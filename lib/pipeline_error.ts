/**
 * Labels the error of a pipelined command with its position and the command
 * itself, as redis-py does: `Command # 3 (LPUSH c 3) of pipeline caused
 * error: WRONGTYPE ...`.
 *
 * @module
 */

import type { RedisArgument } from "./protocol/types.ts";

/** Longest command text in a label, as redis-py's `truncate_text`. */
const MAX_LABEL = 100;
const PLACEHOLDER = "...";

/**
 * Prefixes `error.message` with the 1-based `position` of the command in its
 * pipeline and the command's text (shortened to 100 characters at a word
 * boundary, as redis-py). The error keeps its class and fields (`code`), as
 * redis-py rewrites `args[0]` of the exception it raises.
 *
 * @example
 * ```ts
 * import { annotatePipelineError } from "./pipeline_error.ts";
 * import { ResponseError } from "./errors.ts";
 * const e = annotatePipelineError(new ResponseError("WRONGTYPE Operation against a key"), 3, ["LPUSH", "c", 3]);
 * console.log(e.message); // "Command # 3 (LPUSH c 3) of pipeline caused error: WRONGTYPE Operation against a key"
 * console.log((e as ResponseError).code); // "WRONGTYPE"
 * ```
 */
export function annotatePipelineError<E extends Error>(
  error: E,
  position: number,
  args: readonly RedisArgument[],
): E {
  const before = error.message;
  const message = `Command # ${position} (${shortenCommand(args)}) of pipeline caused error: ${before}`;
  error.message = message;
  // V8 froze the old message into `stack`; keep the two in step where it did.
  const head = `${error.name}: ${before}`;
  if (typeof error.stack === "string" && error.stack.startsWith(head)) {
    error.stack = `${error.name}: ${message}${error.stack.slice(head.length)}`;
  }
  return error;
}

/**
 * The command as text for an error label: arguments joined by spaces (bytes
 * decoded as UTF-8), whitespace collapsed, and cut to at most 100 characters
 * at a word or hyphen boundary with `...`, as Python's
 * `textwrap.shorten(text, 100, placeholder="...", break_long_words=True)`,
 * which redis-py uses.
 *
 * @example
 * ```ts
 * import { shortenCommand } from "./pipeline_error.ts";
 * console.log(shortenCommand(["SET", "k", "x".repeat(200)])); // "SET k..."
 * ```
 */
export function shortenCommand(args: readonly RedisArgument[]): string {
  const text = args.map(argumentText).join(" ").trim().split(/\s+/).join(" ");
  return shorten(text);
}

const utf8 = new TextDecoder();

function argumentText(arg: RedisArgument): string {
  if (arg instanceof Uint8Array) return utf8.decode(arg);
  if (arg === Infinity) return "inf";
  if (arg === -Infinity) return "-inf";
  return String(arg);
}

// Python's TextWrapper.wordsep_re: whitespace, em-dashes, and words split after their hyphens.
const WS = "[\\t\\n\\v\\f\\r ]";
const NWS = "[^\\t\\n\\v\\f\\r ]";
const WORD = "[\\p{L}\\p{N}_]";
const WP = "[\\p{L}\\p{N}_!\"'&.,?]";
const LT = "[\\p{L}\\p{Nl}\\p{No}_]";
const WORDSEP = new RegExp(
  `(${WS}+|(?<=${WP})-{2,}(?=${WORD})|${NWS}+?(?:-(?:(?<=${LT}{2}-)|(?<=${LT}-${LT}-))(?=${LT}-?${LT})` +
    `|(?=${WS}|$)|(?<=${WP})(?=-{2,}${WORD})))`,
  "u",
);

/** Length in code points, as Python's `len`. */
const length = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** One line of Python's TextWrapper with `max_lines=1`: the words that fit, then the placeholder. */
function shorten(text: string): string {
  if (text === "") return "";
  const chunks = text.split(WORDSEP).filter((c) => c !== "").reverse();
  const line: string[] = [];
  let used = 0;
  while (chunks.length > 0 && used + length(chunks[chunks.length - 1]) <= MAX_LABEL) {
    const chunk = chunks.pop()!;
    line.push(chunk);
    used += length(chunk);
  }
  if (chunks.length > 0 && length(chunks[chunks.length - 1]) > MAX_LABEL) {
    // A word longer than the whole width is broken (after a hyphen when it has one).
    const chars = [...chunks[chunks.length - 1]];
    const room = MAX_LABEL - used;
    let end = room;
    const hyphen = chars.slice(0, room).lastIndexOf("-");
    if (hyphen > 0 && chars.slice(0, hyphen).some((c) => c !== "-")) end = hyphen + 1;
    line.push(chars.slice(0, end).join(""));
    chunks[chunks.length - 1] = chars.slice(end).join("");
    used = length(line.join(""));
  }
  if (line.length > 0 && line[line.length - 1].trim() === "") used -= length(line.pop()!);
  const rest = chunks.length === 0 || (chunks.length === 1 && chunks[0].trim() === "");
  if (line.length > 0 && rest && used <= MAX_LABEL) return line.join("");
  while (line.length > 0) {
    const last = line[line.length - 1];
    if (last.trim() !== "" && used + PLACEHOLDER.length <= MAX_LABEL) return line.join("") + PLACEHOLDER;
    used -= length(last);
    line.pop();
  }
  return PLACEHOLDER;
}
