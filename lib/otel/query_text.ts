/**
 * `db.query.text` for a command: its name, then each argument as `?`
 * (the default), as sent (`redact: false`), or as a function says. The
 * arguments of commands that carry credentials are never shown.
 *
 * @module
 */

import type { RedisArgument } from "../protocol/types.ts";

/**
 * How `db.query.text` shows arguments: `true` (`?`), `false` (as sent) or a
 * function of the command name and the whole argv (name first).
 *
 * @example
 * ```ts
 * import type { Redact } from "@uniredis/redis/otel";
 * const keysOnly: Redact = (command, args) => `${command} ${String(args[1] ?? "")}`;
 * ```
 */
export type Redact = boolean | ((command: string, args: readonly RedisArgument[]) => string);

/** Commands whose arguments may hold a password: redacted whatever the option says. */
const SECRET_COMMANDS = new Set(["AUTH", "HELLO", "ACL SETUSER", "CONFIG SET", "MIGRATE"]);

const decoder = new TextDecoder();

/** One argument as text; quoted when it has spaces or quotes so the text stays unambiguous. */
function argText(arg: RedisArgument): string {
  const text = arg instanceof Uint8Array ? decoder.decode(arg) : String(arg);
  return text === "" || /[\s"'\\]/.test(text) ? JSON.stringify(text) : text;
}

/** The query text of `args` (name words first) sent as `command` (`"GET"`, `"CLIENT SETNAME"`). */
export function queryText(command: string, args: readonly RedisArgument[], redact: Redact): string {
  const nameWords = command.split(" ").length;
  const secret = SECRET_COMMANDS.has(command);
  if (typeof redact === "function" && !secret) return redact(command, args);
  let text = command;
  for (let i = nameWords; i < args.length; i++) {
    text += redact === false && !secret ? ` ${argText(args[i])}` : " ?";
  }
  return text;
}
