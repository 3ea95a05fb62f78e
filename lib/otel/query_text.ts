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
  let nameWords = 1;
  for (let i = command.indexOf(" "); i >= 0; i = command.indexOf(" ", i + 1)) nameWords++;
  const secret = SECRET_COMMANDS.has(command);
  if (typeof redact === "function" && !secret) return redact(command, args);
  let text = command;
  for (let i = nameWords; i < args.length; i++) {
    text += redact === false && !secret ? ` ${argText(args[i])}` : " ?";
  }
  return text;
}

/** The command name of an argv as the traces spell it: upper case, with the subcommand of a container. */
export function commandName(args: readonly RedisArgument[]): string {
  const first = String(args[0] ?? "").toUpperCase();
  const second = args[1];
  if (CONTAINERS.has(first) && typeof second === "string") return `${first} ${second.toUpperCase()}`;
  return first;
}

/** Commands whose first argument names a subcommand. */
const CONTAINERS = new Set([
  "ACL",
  "CLIENT",
  "CLUSTER",
  "COMMAND",
  "CONFIG",
  "FUNCTION",
  "LATENCY",
  "MEMORY",
  "MODULE",
  "OBJECT",
  "SCRIPT",
  "SLOWLOG",
  "XGROUP",
  "XINFO",
]);
