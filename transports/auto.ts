/**
 * Picks the current runtime's native transport: Deno's and Bun's own socket
 * APIs where they exist, else Node's `node:net`/`node:tls`, loaded on first
 * use so that bundles for edge runtimes never see a `node:` import.
 *
 * @module
 */

import type { ConnectOptions, Connector, Transport } from "../lib/transport.ts";
import { bunConnector } from "./bun.ts";
import { denoConnector } from "./deno.ts";

let nodeModule: Promise<{ nodeConnector: Connector }> | undefined;

const g = globalThis as { Deno?: { connect?: unknown }; Bun?: { connect?: unknown } };

/**
 * The connector for the runtime this code runs on.
 *
 * @example It is the default connector that `mod.ts` registers
 * ```ts
 * import { getDefaultConnector } from "@uniredis/redis";
 * const transport = await getDefaultConnector()({ host: "127.0.0.1", port: 6379 });
 * await transport.close();
 * ```
 */
export const runtimeConnector: Connector = (options: ConnectOptions): Promise<Transport> => {
  if (typeof g.Deno?.connect === "function") return denoConnector(options);
  if (typeof g.Bun?.connect === "function") return bunConnector(options);
  nodeModule ??= import("./node.ts");
  return nodeModule.then((m) => m.nodeConnector(options));
};
