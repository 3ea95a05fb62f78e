/**
 * How a cluster client splits a multi-key command per slot and merges the
 * replies of several nodes into one (the command tips' response policies).
 * Pure: no I/O.
 *
 * @module
 */

import { Command, type RedisKey } from "../commands/command.ts";
import type { RespValue } from "../protocol/types.ts";
import type { ResponsePolicy } from "./policies.ts";
import { keySlot } from "./slots.ts";

/** Multi-key commands split per slot: MSET's keys each carry one value after them. */
const SPLIT = new Map<string, "values" | "count" | "ok">([
  ["MGET", "values"],
  ["DEL", "count"],
  ["EXISTS", "count"],
  ["TOUCH", "count"],
  ["UNLINK", "count"],
  ["MSET", "ok"],
]);

/** One slot's share of a split command, and where its keys sat in the original. */
export interface SlotPart {
  /** The slot every key of `command` hashes to. */
  readonly slot: number;
  /** The sub-command (no transform: its raw reply is merged). */
  readonly command: Command<RespValue>;
  /** Index of each of its keys among the original command's keys. */
  readonly indexes: number[];
}

/** True when the cluster client splits `command` per slot (MGET, MSET, DEL, EXISTS, TOUCH, UNLINK). */
export function isSplit(command: Command<unknown>): boolean {
  return SPLIT.has(command.name);
}

/** Cuts a splittable command into one sub-command per slot, slots in order of first appearance. */
export function splitBySlot(command: Command<unknown>): SlotPart[] {
  const parts = new Map<number, SlotPart>();
  const withValue = command.name === "MSET";
  (command.keys ?? []).forEach((position, index) => {
    const key = command.args[position] as RedisKey;
    const slot = keySlot(key);
    let part = parts.get(slot);
    if (part === undefined) {
      const sub = new Command<RespValue>(String(command.args[0]));
      sub.binaryReply = command.binaryReply;
      part = { slot, command: sub, indexes: [] };
      parts.set(slot, part);
    }
    part.command.key(key);
    if (withValue) part.command.arg(command.args[position + 1]);
    part.indexes.push(index);
  });
  return [...parts.values()];
}

/** Puts the raw replies of the parts back together as the unsplit command's raw reply. */
export function joinParts(
  command: Command<unknown>,
  parts: readonly SlotPart[],
  replies: RespValue[],
): RespValue {
  const kind = SPLIT.get(command.name);
  if (kind === "count") return replies.reduce<number>((sum, r) => sum + Number(r), 0);
  if (kind === "ok") return replies[0];
  const values: RespValue[] = new Array(command.keys?.length ?? 0);
  parts.forEach((part, i) => {
    const got = replies[i] as RespValue[];
    part.indexes.forEach((index, j) => values[index] = got[j]);
  });
  return values;
}

/**
 * Merges the raw replies of several nodes under a response policy:
 * `agg_*` element-wise (on arrays) or on scalars, `all_succeeded` the first
 * reply, `one_succeeded` the first reply, no policy: arrays concatenated
 * (KEYS). Failed nodes are handled by the caller.
 */
export function mergeReplies(policy: ResponsePolicy | undefined, replies: RespValue[]): RespValue {
  switch (policy) {
    case "agg_sum":
      return aggregate(replies, (a, b) => a + b);
    case "agg_min":
      return aggregate(replies, Math.min);
    case "agg_max":
      return aggregate(replies, Math.max);
    case "agg_logical_and":
      return aggregate(replies, (a, b) => (a && b ? 1 : 0));
    case "agg_logical_or":
      return aggregate(replies, (a, b) => (a || b ? 1 : 0));
    case undefined:
      return replies.every(Array.isArray) ? (replies as RespValue[][]).flat() : replies[0];
    default:
      return replies[0];
  }
}

function aggregate(replies: RespValue[], op: (a: number, b: number) => number): RespValue {
  const toNumber = (v: RespValue) => (typeof v === "boolean" ? (v ? 1 : 0) : Number(v));
  if (replies.every(Array.isArray)) {
    const arrays = replies as RespValue[][];
    return arrays[0].map((_, i) => arrays.map((a) => toNumber(a[i])).reduce(op));
  }
  return replies.map(toNumber).reduce(op);
}
