/**
 * The root of the command method chain: every command group extends it, and
 * every executor (client, pipeline, cluster) implements `execute`.
 *
 * @module
 */

import type { Command } from "./command.ts";

/**
 * Holds `execute`, which the command methods of every group call.
 *
 * `D` is `true` for a client that decodes replies to strings, `false` for one
 * that returns `Uint8Array` (see `Str`).
 *
 * @example
 * ```ts
 * import { Command, CommandsBase } from "@uniredis/redis";
 * class Recorder extends CommandsBase {
 *   sent: unknown[][] = [];
 *   execute<T>(command: Command<T>): Promise<T> {
 *     this.sent.push(command.args);
 *     return Promise.resolve(undefined as T);
 *   }
 * }
 * const rec = new Recorder();
 * await rec.execute(new Command("PING"));
 * console.log(rec.sent); // [["PING"]]
 * ```
 */
export abstract class CommandsBase<D extends boolean = true> {
  /** Phantom marker of the reply string mode; never set at run time. */
  declare readonly decodeResponsesMode?: D;
  /** Runs a prepared command and resolves to its transformed reply. */
  abstract execute<T>(command: Command<T>): Promise<T>;
}
