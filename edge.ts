/**
 * uniredis for edge runtimes (Cloudflare Workers and other workerd hosts):
 * the same API as the main entry, with the web transport over
 * `cloudflare:sockets` as the default connector. Nothing reachable from here
 * imports `node:` modules, so a Worker bundled without `nodejs_compat` loads.
 *
 * Cloudflare binds a socket to the request that opened it: create the client
 * inside the handler and close it before the response ends (or hand
 * `r.close()` to `ctx.waitUntil`).
 *
 * @example A Worker with one client per request
 * ```ts
 * import { Redis } from "@uniredis/redis/edge";
 *
 * export default {
 *   async fetch(_request: Request, env: { REDIS_URL: string }): Promise<Response> {
 *     const r = Redis.fromURL(env.REDIS_URL);
 *     try {
 *       return new Response(String(await r.incr("hits")));
 *     } finally {
 *       await r.close();
 *     }
 *   },
 * };
 * ```
 *
 * @module
 */

// @ts-ignore: a module of the Workers runtime, with no types outside it
import { connect } from "cloudflare:sockets";
import { setDefaultConnector } from "./lib/default_connector.ts";
import { webConnector } from "./transports/web.ts";

export * from "./lib/public_api.ts";

setDefaultConnector(webConnector(connect));
