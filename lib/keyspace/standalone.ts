/**
 * The pubsub of keyspace notifications on one server (a `Redis`).
 *
 * @module
 */

import type { PubSub, PubSubOptions } from "../pubsub.ts";
import type { KeyspacePlan } from "./channels.ts";
import { type ConfigClient, configureKeyspace } from "./configure.ts";
import type { FeedSink, KeyspaceFeeds } from "./notifications.ts";

/** What it needs of a `Redis`. */
export interface StandaloneHost<D extends boolean> extends ConfigClient {
  pubsub(options?: PubSubOptions): PubSub<D>;
}

/** Configures the server if asked, then subscribes one pubsub of the client. */
export function standaloneFeeds<D extends boolean>(client: StandaloneHost<D>): KeyspaceFeeds<D> {
  let pubsub: PubSub<D> | undefined;
  return {
    async open(plan: KeyspacePlan, sink: FeedSink<D>): Promise<void> {
      if (plan.configure !== undefined) await configureKeyspace(client, plan.configure);
      pubsub = client.pubsub({ ignoreSubscribeMessages: true });
      await subscribeAll(pubsub, plan);
      sink.add(pubsub);
    },
    async close(): Promise<void> {
      await pubsub?.close();
    },
  };
}

/** Subscribes `pubsub` to the plan's channels and patterns; closes it if that fails. */
export async function subscribeAll<D extends boolean>(pubsub: PubSub<D>, plan: KeyspacePlan): Promise<void> {
  try {
    if (plan.channels.length > 0) await pubsub.subscribe(...plan.channels);
    if (plan.patterns.length > 0) await pubsub.psubscribe(...plan.patterns);
  } catch (error) {
    await pubsub.close();
    throw error;
  }
}
