/**
 * Free TCP ports on 127.0.0.1 for test servers.
 *
 * @module
 */

import { createServer } from "node:net";

// A port handed out once is never handed out again by this process, so two
// servers started back to back cannot race for the same number.
const given = new Set<number>();

/**
 * Returns a TCP port on `127.0.0.1` that was free a moment ago (the OS picks
 * it). Another process can still take it before it is bound: `startRedis`
 * retries with fresh ports when that happens.
 *
 * @example
 * ```ts
 * import { freePort } from "@uniredis/redis/testing";
 * const port = await freePort();
 * console.log(port > 0); // true
 * ```
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.unref();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        const p = typeof address === "object" && address !== null ? address.port : 0;
        server.close(() => resolve(p));
      });
    });
    if (port > 0 && port !== 6379 && !given.has(port)) {
      given.add(port);
      return port;
    }
  }
  throw new Error("freePort: the OS kept returning ports already handed out");
}
