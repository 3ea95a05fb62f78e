/**
 * uniredis: a Redis client for Deno, Bun, Node and edge runtimes, with
 * redis-py's feature set in TypeScript idiom.
 *
 * @example Quick start
 * ```ts
 * import { Redis } from "@uniredis/redis";
 *
 * await using r = new Redis({ host: "127.0.0.1", port: 6379 });
 * await r.set("greeting", "hello", { ex: 60 });
 * console.log(await r.get("greeting")); // "hello"
 * ```
 *
 * @module
 */

import { setDefaultConnector } from "./lib/default_connector.ts";
import { runtimeConnector } from "./transports/auto.ts";
// Diagnostics channels (node:diagnostics_channel: Deno, Bun, Node); edge.ts leaves them out.
import "./observers/diagnostics_channel.ts";

export * from "./lib/public_api.ts";

setDefaultConnector(runtimeConnector);
