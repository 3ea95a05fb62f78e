/**
 * HyperLogLog commands: PFADD, PFCOUNT, PFMERGE.
 *
 * @module
 */

import { GeoCommands } from "./geo.ts";
import { Command, type RedisKey, type RedisValue } from "./command.ts";
import { toBoolean, toNumber, toTrue } from "./reply.ts";

/**
 * HyperLogLog commands, in redis-py's argument order.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * await r.pfadd("visitors", "ada", "bob", "ada");
 * console.log(await r.pfcount("visitors")); // 2
 * ```
 */
export abstract class HyperLogLogCommands<D extends boolean = true> extends GeoCommands<D> {
  /**
   * Adds `values` to the HyperLogLog `name`; resolves to whether its
   * estimate changed (or the key was created).
   * {@link https://redis.io/docs/latest/commands/pfadd/ PFADD}
   */
  pfadd(name: RedisKey, ...values: RedisValue[]): Promise<boolean> {
    return this.execute(new Command<boolean>("PFADD", toBoolean).key(name).argsOf(values));
  }

  /**
   * Resolves to the estimated number of distinct elements in the union of
   * the HyperLogLogs `names`.
   * {@link https://redis.io/docs/latest/commands/pfcount/ PFCOUNT}
   */
  pfcount(...names: RedisKey[]): Promise<number> {
    return this.execute(new Command<number>("PFCOUNT", toNumber).keysOf(names));
  }

  /**
   * Merges the HyperLogLogs `sources` (and `dest` itself) into `dest`.
   * {@link https://redis.io/docs/latest/commands/pfmerge/ PFMERGE}
   */
  pfmerge(dest: RedisKey, ...sources: RedisKey[]): Promise<true> {
    const cmd = new Command<true>("PFMERGE", toTrue).key(dest);
    for (const s of Array.isArray(sources) ? sources : []) cmd.key(s);
    return this.execute(cmd);
  }
}
