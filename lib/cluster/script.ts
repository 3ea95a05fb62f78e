/**
 * `ClusterScript`: a `Script` of `RedisCluster`. EVALSHA goes to the owner
 * of the keys' slot (a random primary when there are none, as redis-py);
 * on `NOSCRIPT` the script is loaded on that same node only, so a node
 * that is down elsewhere in the cluster does not fail the run.
 *
 * @module
 */

import type { RedisCommands } from "../commands/mod.ts";
import { DataError, NoScriptError } from "../errors.ts";
import type { Pipeline } from "../pipeline.ts";
import type { RespValue } from "../protocol/types.ts";
import { Script, type ScriptCall } from "../script.ts";
import type { ClusterNode } from "./node.ts";
import { keySlot } from "./slots.ts";
import { checkOptionKeys, optionKeys } from "../commands/validate.ts";

const RUN_KEYS = optionKeys<ScriptCall & { client?: object }>({ keys: true, args: true, client: true });

/** What a cluster script needs from its client. */
export interface ScriptHost {
  /** The client's commands, routed as usual (by keys). */
  readonly commands: RedisCommands<boolean>;
  /** The commands of one node. */
  on(node: ClusterNode): RedisCommands<boolean>;
  /** The current owner of `slot`, discovering the cluster first when needed. */
  owner(slot: number): Promise<ClusterNode>;
  /** A primary picked at random, discovering the cluster first when needed. */
  randomPrimary(): Promise<ClusterNode>;
}

/** How many NOSCRIPT → load → retry rounds before the error is returned (the slot may move meanwhile). */
const LOAD_ROUNDS = 3;

/**
 * A Lua script registered on a `RedisCluster` (`rc.registerScript(source)`):
 * it runs on its keys' node, and a `NOSCRIPT` reply loads it there and runs
 * it again. Keys in several slots are a `DataError`, nothing sent.
 *
 * @example
 * ```ts
 * import { RedisCluster } from "@uniredis/redis";
 * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }] });
 * const incrBy = rc.registerScript("return redis.call('INCRBY', KEYS[1], ARGV[1])");
 * console.log(await incrBy.run({ keys: ["n"], args: [5] })); // 5
 * ```
 */
export class ClusterScript extends Script {
  readonly #host: ScriptHost;

  /** Registers `source` for the cluster behind `host`. */
  constructor(host: ScriptHost, source: string) {
    super(host.commands, source);
    this.#host = host;
  }

  /** Queues the script on a pipeline; `exec()` loads it first when the server lacks it. */
  override run<D extends boolean, R extends unknown[]>(
    call: ScriptCall & { client: Pipeline<D, R> },
  ): Pipeline<D, [...R, RespValue]>;
  /** Runs the script on its keys' node, or on `call.client`. */
  override run(call?: ScriptCall & { client?: RedisCommands<boolean> }): Promise<RespValue>;
  override run(call: ScriptCall & { client?: object } = {}): unknown {
    if (typeof call === "object" && call !== null && call.client !== undefined) {
      return super.run(call as ScriptCall & { client?: RedisCommands<boolean> });
    }
    return this.#runOnCluster(call ?? {});
  }

  async #runOnCluster(call: ScriptCall & { client?: object }): Promise<RespValue> {
    checkOptionKeys("Script.run", call, RUN_KEYS);
    const keys = Array.isArray(call.keys) ? call.keys : [];
    const slots = [...new Set(keys.map((k) => keySlot(k)))];
    if (slots.length > 1) {
      throw new DataError(
        `Script.run: keys in different slots (${slots.join(", ")}); ` +
          `a script's keys must share one slot (use a hash tag such as {user1})`,
      );
    }
    // Keyless: one primary for both the run and the load.
    const fixed = slots.length === 0 ? await this.#host.randomPrimary() : undefined;
    const commands = fixed === undefined ? this.#host.commands : this.#host.on(fixed);
    for (let round = 1;; round++) {
      try {
        return await commands.evalsha(this.sha, call.keys, call.args);
      } catch (error) {
        if (!(error instanceof NoScriptError) || round > LOAD_ROUNDS) throw error;
        const node = fixed ?? await this.#host.owner(slots[0]);
        await this.#host.on(node).scriptLoad(this.source);
      }
    }
  }
}
