/**
 * Pub/Sub publishing and introspection: PUBLISH, SPUBLISH, PUBSUB *.
 * Subscribing needs a dedicated connection and is not part of this group.
 *
 * @module
 */

import { ScriptingCommands } from "./scripting.ts";
import { Command, type RedisKey, type RedisValue, type Str } from "./command.ts";
import type { RespValue } from "../protocol/types.ts";
import { toNumber, toPairs } from "./reply.ts";

/** `[channel, count, ...]` (or RESP3-style `[[channel, count], ...]`) as pairs with numeric counts. */
function toCounts<C>(reply: RespValue): [C, number][] {
  return toPairs<C, RespValue>(reply).map(([channel, count]) => [channel, toNumber(count)]);
}

/** Appends the optional pattern of PUBSUB CHANNELS / SHARDCHANNELS. */
function withPattern<T>(cmd: Command<T>, pattern: RedisValue | undefined | null): Command<T> {
  return pattern === undefined || pattern === null ? cmd : cmd.arg(pattern);
}

/**
 * Pub/Sub publishing and introspection, in redis-py's argument order.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * console.log(await r.publish("news", "hello")); // 0 (nobody listens)
 * console.log(await r.pubsubNumsub("news")); // [["news", 0]]
 * ```
 */
export abstract class PubSubCommands<D extends boolean = true> extends ScriptingCommands<D> {
  /**
   * Posts `message` on `channel`; resolves to how many clients received it
   * (in a cluster, only those connected to the node that took the message).
   * {@link https://redis.io/docs/latest/commands/publish/ PUBLISH}
   */
  publish(channel: RedisValue, message: RedisValue): Promise<number> {
    return this.execute(new Command<number>("PUBLISH", toNumber).arg(channel).arg(message));
  }

  /**
   * Posts `message` on the shard channel `shardchannel` (Redis 7.0+); resolves
   * to how many clients received it. The channel is marked as a key: a
   * cluster client sends the message to the node owning its slot.
   * {@link https://redis.io/docs/latest/commands/spublish/ SPUBLISH}
   */
  spublish(shardchannel: RedisKey, message: RedisValue): Promise<number> {
    return this.execute(new Command<number>("SPUBLISH", toNumber).key(shardchannel).arg(message));
  }

  /**
   * Lists the channels with at least one subscriber (pattern subscriptions
   * not counted), optionally only those matching the glob-style `pattern`.
   * {@link https://redis.io/docs/latest/commands/pubsub-channels/ PUBSUB CHANNELS}
   */
  pubsubChannels(pattern?: RedisValue): Promise<Str<D>[]> {
    return this.execute(withPattern(new Command<Str<D>[]>(["PUBSUB", "CHANNELS"]), pattern));
  }

  /**
   * Counts the subscribers of each channel (pattern subscriptions not
   * counted); resolves to `[channel, count]` pairs in the order asked.
   * {@link https://redis.io/docs/latest/commands/pubsub-numsub/ PUBSUB NUMSUB}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * console.log(await r.pubsubNumsub("a", "b")); // [["a", 0], ["b", 0]]
   * ```
   */
  pubsubNumsub(...channels: RedisValue[]): Promise<[Str<D>, number][]> {
    const cmd = new Command<[Str<D>, number][]>(["PUBSUB", "NUMSUB"], toCounts);
    return this.execute(cmd.argsOf(channels));
  }

  /**
   * Counts the pattern subscriptions of all clients.
   * {@link https://redis.io/docs/latest/commands/pubsub-numpat/ PUBSUB NUMPAT}
   */
  pubsubNumpat(): Promise<number> {
    return this.execute(new Command<number>(["PUBSUB", "NUMPAT"], toNumber));
  }

  /**
   * Lists the shard channels with at least one subscriber (Redis 7.0+),
   * optionally only those matching the glob-style `pattern`.
   * {@link https://redis.io/docs/latest/commands/pubsub-shardchannels/ PUBSUB SHARDCHANNELS}
   */
  pubsubShardchannels(pattern?: RedisValue): Promise<Str<D>[]> {
    return this.execute(withPattern(new Command<Str<D>[]>(["PUBSUB", "SHARDCHANNELS"]), pattern));
  }

  /**
   * Counts the subscribers of each shard channel (Redis 7.0+); resolves to
   * `[shardchannel, count]` pairs in the order asked.
   * {@link https://redis.io/docs/latest/commands/pubsub-shardnumsub/ PUBSUB SHARDNUMSUB}
   */
  pubsubShardnumsub(...shardchannels: RedisValue[]): Promise<[Str<D>, number][]> {
    const cmd = new Command<[Str<D>, number][]>(["PUBSUB", "SHARDNUMSUB"], toCounts);
    return this.execute(cmd.argsOf(shardchannels));
  }
}
