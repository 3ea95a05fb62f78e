/**
 * `setResponseCallback` for a cluster client: the callback stands in for
 * the command's own transform, so the router applies it to each node's
 * reply and to merged replies alike.
 *
 * @module
 */

import type { Command, ReplyTransform } from "../commands/command.ts";

/** A copy of `command` whose reply goes through `transform` (the original is left as it is). */
export function withTransform<T>(command: Command<T>, transform: ReplyTransform<unknown>): Command<T> {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(command)), command) as Command<T>;
  Object.defineProperty(copy, "transform", { value: transform, enumerable: true });
  return copy;
}
