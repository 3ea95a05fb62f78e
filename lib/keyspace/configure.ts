/**
 * Enables keyspace notifications on one server: its `notify-keyspace-events`
 * with the flags a subscription needs added, never replaced.
 *
 * @module
 */

import { mergeKeyspaceFlags } from "./channels.ts";

/** The commands it needs of a client bound to one server. */
export interface ConfigClient {
  configGet(pattern: string): Promise<Record<string, string>>;
  configSet(name: string, value: string): Promise<unknown>;
}

const PARAMETER = "notify-keyspace-events";

/**
 * Adds `flags` to the server's `notify-keyspace-events`; writes nothing when
 * it has them. The read and the write are two commands: another client
 * changing the value in between could undo ours, so it reads again and, if a
 * flag went missing, merges once more (a few times at most).
 */
export async function configureKeyspace(client: ConfigClient, flags: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = (await client.configGet(PARAMETER))[PARAMETER] ?? "";
    const merged = mergeKeyspaceFlags(current, flags);
    if (merged === current) return;
    await client.configSet(PARAMETER, merged);
  }
}
