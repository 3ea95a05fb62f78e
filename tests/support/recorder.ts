// A command executor for unit tests of command definitions: it records every command instead of sending it
// and answers with a canned raw reply run through the command's transform, so argv, key positions,
// DataError cases and reply shapes can be checked without a server.

import type { RespValue } from "../../lib/protocol/types.ts";
import { type Command, RedisCommands } from "../../lib/commands/mod.ts";

/** Records commands; resolves each with `reply` through its transform (or `undefined` when `transform` is off). */
export class Recorder<D extends boolean = true> extends RedisCommands<D> {
  /** Every command executed, in order. */
  commands: Command<unknown>[] = [];
  /** The raw reply every command gets. */
  reply: RespValue = null;
  /** When false, commands resolve to `undefined` without running their transform. */
  transform = true;

  execute<T>(command: Command<T>): Promise<T> {
    this.commands.push(command as Command<unknown>);
    if (command.error) return Promise.reject(command.error);
    if (!this.transform) return Promise.resolve(undefined as T);
    try {
      return Promise.resolve(command.transform ? command.transform(this.reply) : (this.reply as T));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** The last command executed. */
  get last(): Command<unknown> {
    return this.commands[this.commands.length - 1];
  }
}
