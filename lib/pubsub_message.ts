/**
 * The messages a `PubSub` delivers, and how they are read from the
 * server's frames.
 *
 * @module
 */

import type { Str } from "./commands/command.ts";
import type { RespValue } from "./protocol/types.ts";
import { textOf } from "./key_text.ts";

/**
 * The kinds of message a `PubSub` delivers: published messages (`message`,
 * `pmessage` for a pattern, `smessage` for a shard channel), the server's
 * confirmations of (un)subscriptions, and `pong` answering `PubSub.ping()`.
 *
 * @example
 * ```ts
 * import type { PubSubMessageType } from "@uniredis/redis";
 * const t: PubSubMessageType = "pmessage";
 * console.log(t); // "pmessage"
 * ```
 */
export type PubSubMessageType =
  | "message"
  | "pmessage"
  | "smessage"
  | "subscribe"
  | "unsubscribe"
  | "psubscribe"
  | "punsubscribe"
  | "ssubscribe"
  | "sunsubscribe"
  | "pong";

/**
 * One message, as redis-py's dict: `channel` and `data` follow
 * `decodeResponses` (strings, or `Uint8Array`s); `pattern` is set for
 * `pmessage`; `data` is the subscription count for confirmations.
 *
 * @example
 * ```ts
 * import type { PubSubMessage } from "@uniredis/redis";
 * const m: PubSubMessage = { type: "message", pattern: null, channel: "news", data: "hello" };
 * console.log(m.data); // "hello"
 * ```
 */
export interface PubSubMessage<D extends boolean = true> {
  /** What kind of message this is. */
  type: PubSubMessageType;
  /** The pattern that matched (`pmessage`, `psubscribe`, `punsubscribe`), else `null`. */
  pattern: Str<D> | null;
  /** The channel (`null` in the confirmation of an UNSUBSCRIBE that had nothing to do). */
  channel: Str<D> | null;
  /** The payload; for confirmations, the number of subscriptions left. */
  data: Str<D> | number;
}

/**
 * Called with each message of the channel (or pattern) it was subscribed
 * with; such messages are not returned by `getMessage` or `listen`.
 *
 * @example
 * ```ts
 * import type { MessageHandler } from "@uniredis/redis";
 * const onNews: MessageHandler = (m) => console.log(m.channel, m.data);
 * console.log(typeof onNews); // "function"
 * ```
 */
export type MessageHandler<D extends boolean = true> = (message: PubSubMessage<D>) => void | Promise<void>;

/** A message from a push frame or RESP2 reply; `undefined` for frames that are not pubsub messages. */
export function toMessage<D extends boolean>(frame: RespValue[]): PubSubMessage<D> | undefined {
  const type = textOf(frame[0]);
  switch (type) {
    case "message":
    case "smessage":
      return { type, pattern: null, channel: frame[1] as Str<D>, data: frame[2] as Str<D> };
    case "pmessage":
      return { type, pattern: frame[1] as Str<D>, channel: frame[2] as Str<D>, data: frame[3] as Str<D> };
    case "subscribe":
    case "unsubscribe":
    case "ssubscribe":
    case "sunsubscribe":
      return { type, pattern: null, channel: frame[1] as Str<D> | null, data: Number(frame[2]) };
    case "psubscribe":
    case "punsubscribe":
      return { type, pattern: frame[1] as Str<D> | null, channel: null, data: Number(frame[2]) };
    case "pong":
      return { type, pattern: null, channel: null, data: frame[1] as Str<D> };
  }
  return undefined;
}

/**
 * The confirmation of an unsubscription that took something away (Redis answers an UNSUBSCRIBE with
 * nothing subscribed with a null channel; that one never kept `subscribed` true).
 */
export function isUnsubscribeConfirmation<D extends boolean>(message: PubSubMessage<D>): boolean {
  const t = message.type;
  if (t !== "unsubscribe" && t !== "punsubscribe" && t !== "sunsubscribe") return false;
  return (t === "punsubscribe" ? message.pattern : message.channel) !== null;
}
