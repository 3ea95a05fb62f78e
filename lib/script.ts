/**
 * `Script`: a Lua script run by its digest (EVALSHA), loaded on demand, as
 * redis-py's `register_script`.
 *
 * @module
 */

import type { RedisKey, RedisValue } from "./commands/command.ts";
import type { RedisCommands } from "./commands/mod.ts";
import { NoScriptError } from "./errors.ts";
import type { Pipeline } from "./pipeline.ts";
import { PipelineImpl } from "./pipeline.ts";
import type { RespValue } from "./protocol/types.ts";
import { checkOptionKeys, optionKeys } from "./commands/validate.ts";
import { sha1Hex } from "./sha1.ts";

/**
 * Keys and arguments of one `Script.run`.
 *
 * @example
 * ```ts
 * import type { ScriptCall } from "@uniredis/redis";
 * const call: ScriptCall = { keys: ["counter"], args: [5] };
 * console.log(call.keys?.length); // 1
 * ```
 */
export interface ScriptCall {
  /** Keys the script touches (KEYS[1], ...). */
  keys?: readonly RedisKey[];
  /** Other arguments (ARGV[1], ...). */
  args?: readonly RedisValue[];
}

const SCRIPT_CALL_KEYS = optionKeys<ScriptCall & { client?: object }>({
  keys: true,
  args: true,
  client: true,
});

/**
 * A registered Lua script. `run()` sends EVALSHA; when the server does not
 * have the script (`NoScriptError`, e.g. after SCRIPT FLUSH or a restart), it
 * loads it and runs it again. On a pipeline, the script is queued, and the
 * pipeline loads it before sending the batch.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * const incrBy = r.registerScript("return redis.call('INCRBY', KEYS[1], ARGV[1])");
 * console.log(await incrBy.run({ keys: ["n"], args: [5] })); // 5
 * const [a, b] = await incrBy.run({ keys: ["n"], args: [1], client: r.pipeline() }).get("n").exec();
 * console.log(a, b); // 6 "6"
 * ```
 */
export class Script {
  /** The Lua source. */
  readonly source: string;
  /** Its SHA-1 digest, the key of Redis's script cache. */
  readonly sha: string;
  readonly #client: RedisCommands<boolean>;

  /** Registers `source` for `client` (any client or executor with the command methods). */
  constructor(client: RedisCommands<boolean>, source: string) {
    this.#client = client;
    this.source = source;
    this.sha = sha1Hex(source);
  }

  /** Queues the script on a pipeline; `exec()` loads it first when the server lacks it. */
  run<D extends boolean, R extends unknown[]>(
    call: ScriptCall & { client: Pipeline<D, R> },
  ): Pipeline<D, [...R, RespValue]>;
  /** Runs the script on this script's client, or on `call.client`. */
  run(call?: ScriptCall & { client?: RedisCommands<boolean> }): Promise<RespValue>;
  run(call: ScriptCall & { client?: object } = {}): unknown {
    const client = call?.client ?? this.#client;
    try {
      checkOptionKeys("Script.run", call, SCRIPT_CALL_KEYS);
    } catch (e) {
      if (client instanceof PipelineImpl) throw e; // a pipeline chains synchronously
      return Promise.reject(e);
    }
    if (client instanceof PipelineImpl) {
      client.useScript(this);
      return client.evalsha(this.sha, call.keys, call.args);
    }
    const commands = client as RedisCommands<boolean>;
    return commands.evalsha(this.sha, call.keys, call.args).catch(async (error) => {
      if (!(error instanceof NoScriptError)) throw error;
      await commands.scriptLoad(this.source);
      return commands.evalsha(this.sha, call.keys, call.args);
    });
  }
}
