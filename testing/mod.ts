/**
 * Throwaway Redis servers for your test suites: a standalone `redis-server` (with TLS, a unix socket, ACL
 * users, a replica), a sentinel topology and a cluster of N primaries with replicas, each on free ports of
 * 127.0.0.1 in its own temp directory, ready when the promise resolves. Handles kill, restart and fail over
 * nodes on the server side, and stop everything on `await using` (or `stop()`). Servers never outlive the
 * test process: a guardian shell SIGKILLs them by pid when it ends, however it ends. A TCP proxy injects
 * network faults (cuts, stalls, delays, black holes) between a client and a server.
 *
 * Needs `redis-server` on `PATH` (Debian/Ubuntu: `apt-get install redis-server`; macOS: `brew install
 * redis`), or `valkey-server`, or a `binary` option. Runs on Node, Bun and Deno (it uses `node:` APIs, so it
 * is not for edge runtimes).
 *
 * @example A server per test
 * ```ts
 * import { test } from "node:test";
 * import assert from "node:assert/strict";
 * import { Redis } from "@uniredis/redis";
 * import { startRedis } from "@uniredis/redis/testing";
 *
 * test("counts visits", async () => {
 *   await using server = await startRedis();
 *   await using r = new Redis({ port: server.port });
 *   assert.equal(await r.incr("visits"), 1);
 * });
 * ```
 *
 * @module
 */

export { freePort } from "./ports.ts";
export { type TestCerts, testCerts } from "./certs.ts";
export {
  type BinaryInfo,
  binaryInfo,
  binaryVersion,
  defaultServerBinary,
  processAlive,
  type RedisServer,
  type RedisServerOptions,
  type ReplicaOf,
  type ServerFlavour,
  ServerNotFoundError,
  type ServerProcess,
  type ServerProcessSpec,
  sharedRedis,
  type SharedRedisKind,
  startRedis,
  startServerProcess,
} from "./server.ts";
export {
  type ClusterNodeInfo,
  type ClusterOptions,
  type NodeCounters,
  type SlotRange,
  startCluster,
  type TestCluster,
} from "./cluster.ts";
export {
  type MasterSwitch,
  type SentinelNodeInfo,
  type SentinelOptions,
  startSentinel,
  type TestSentinel,
} from "./sentinel.ts";
export { type ProxyTarget, startProxy, TcpProxy } from "./proxy.ts";
export { rawCommand, rawCommands, RawErrorReply, type RawReply, type RawTarget } from "./raw.ts";
