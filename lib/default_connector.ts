/**
 * The connector used when a client is given none. `lib/` cannot know the
 * runtime, so the entry point (`mod.ts`) registers the native one here.
 *
 * @module
 */

import { ConnectionError } from "./errors.ts";
import type { Connector } from "./transport.ts";

let registered: Connector | undefined;

/**
 * Sets the connector clients use when their options name none.
 *
 * @example Route every client through Node's sockets, even on Bun
 * ```ts
 * import { setDefaultConnector } from "@uniredis/redis";
 * import { nodeConnector } from "@uniredis/redis/node";
 * setDefaultConnector(nodeConnector);
 * ```
 */
export function setDefaultConnector(connector: Connector): void {
  registered = connector;
}

/**
 * The registered default connector.
 *
 * @example
 * ```ts
 * import { getDefaultConnector } from "@uniredis/redis";
 * console.log(typeof getDefaultConnector()); // "function"
 * ```
 */
export function getDefaultConnector(): Connector {
  if (!registered) {
    throw new ConnectionError(
      "No transport for this runtime: pass `connector` in the options (e.g. webConnector(connect) on edge runtimes)",
    );
  }
  return registered;
}
