// A command executor for unit tests of command definitions: it records every command instead of sending it
// and answers with a canned raw reply run through the command's transform, so argv, key positions,
// DataError cases and reply shapes can be checked without a server.

import assert from "node:assert/strict";
import { DataError } from "../../lib/errors.ts";
import type { RedisArgument, RespValue } from "../../lib/protocol/types.ts";
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

/** A call of one command method on a recorder. */
export type Call = (r: Recorder) => Promise<unknown>;

/** Each call builds exactly one valid command with this argv and these key positions (`undefined`: none). */
export async function expectArgv(
  table: readonly (readonly [Call, readonly RedisArgument[], (readonly number[] | undefined)?])[],
): Promise<void> {
  for (const [call, args, keys] of table) {
    const r = new Recorder();
    r.transform = false;
    await call(r);
    const what = args.map(String).join(" ");
    assert.equal(r.commands.length, 1, `${what}: exactly one command per call`);
    assert.equal(r.last.error, undefined, `${what}: ${r.last.error?.message}`);
    assert.deepEqual(r.last.args, args);
    assert.deepEqual(r.last.keys, keys, `key positions of ${what}`);
  }
}

/** Each call returns a Promise (never throws) that rejects with a DataError matching the message; nothing is sent. */
export async function expectDataErrors(table: readonly (readonly [Call, RegExp])[]): Promise<void> {
  for (const [call, message] of table) {
    const r = new Recorder();
    let promise: Promise<unknown> | undefined;
    assert.doesNotThrow(() => {
      promise = call(r);
    }, String(message));
    assert.ok(promise instanceof Promise, String(message));
    await assert.rejects(promise, (e: unknown) => {
      assert.ok(e instanceof DataError, `expected a DataError, got ${e}`);
      assert.match((e as Error).message, message);
      return true;
    });
    assert.ok(r.last.error instanceof DataError, "the executor saw the failed command");
  }
}

/** Each call's transform gives `expected` for both its RESP2 and its RESP3 raw reply. */
export async function expectSameReplies(
  table: readonly (readonly [Call, RespValue, RespValue, unknown])[],
): Promise<void> {
  for (const [call, resp2, resp3, expected] of table) {
    const r = new Recorder();
    r.reply = resp2;
    const v2 = await call(r);
    r.reply = resp3;
    const v3 = await call(r);
    assert.deepEqual(v2, expected, `${r.last.name} under RESP2`);
    assert.deepEqual(v3, expected, `${r.last.name} under RESP3`);
  }
}
