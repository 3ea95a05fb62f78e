/**
 * `RedisCluster.onNodes`: the command methods sent to each of several
 * nodes, every one resolving to an object keyed by node name, so the reply
 * type can say so.
 *
 * @module
 */

import type { Command } from "../commands/command.ts";
import { RedisCommands } from "../commands/mod.ts";
import type { RedisArgument, RespValue } from "../protocol/types.ts";
import type { ClusterNode } from "./node.ts";

/**
 * The command methods of `RedisCommands<D>`, each resolving to one reply
 * per node name (`RedisCluster.onNodes`). Overloaded methods keep their
 * last (most general) signature.
 *
 * @example
 * ```ts
 * import { RedisCluster, type PerNodeCommands } from "@uniredis/redis";
 * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }] });
 * const everywhere: PerNodeCommands<true> = rc.onNodes(RedisCluster.PRIMARIES);
 * const sizes: Record<string, number> = await everywhere.dbsize();
 * ```
 */
export type PerNodeCommands<D extends boolean> =
  & {
    [K in keyof RedisCommands<D>]: RedisCommands<D>[K] extends (...args: infer A) => Promise<infer R>
      ? (...args: A) => Promise<Record<string, R>>
      : RedisCommands<D>[K];
  }
  & { sendCommand(...args: RedisArgument[]): Promise<Record<string, RespValue>> };

/** Sends every command to each node given by `nodes()`, one at a time per node, and keys the replies. */
export class PerNodeExecutor<D extends boolean> extends RedisCommands<D> {
  readonly #nodes: () => Promise<readonly ClusterNode[]>;
  readonly #send: <T>(command: Command<T>, node: ClusterNode) => Promise<T>;
  readonly #raw: (args: RedisArgument[]) => Command<RespValue>;

  constructor(
    nodes: () => Promise<readonly ClusterNode[]>,
    send: <T>(command: Command<T>, node: ClusterNode) => Promise<T>,
    raw: (args: RedisArgument[]) => Command<RespValue>,
  ) {
    super();
    this.#nodes = nodes;
    this.#send = send;
    this.#raw = raw;
  }

  execute<T>(command: Command<T>): Promise<T> {
    return this.#perNode(command) as Promise<T>;
  }

  sendCommand(...args: RedisArgument[]): Promise<RespValue> {
    return this.execute(this.#raw(args));
  }

  async #perNode<T>(command: Command<T>): Promise<Record<string, T>> {
    if (command.error) throw command.error;
    const nodes = await this.#nodes();
    const replies = await Promise.all(nodes.map((node) => this.#send(command, node)));
    const out: Record<string, T> = {};
    nodes.forEach((node, i) => out[node.name] = replies[i]);
    return out;
  }
}
