/**
 * Test harness: real `redis-server` processes, clusters and sentinel topologies, TLS material, free ports, a
 * fault-injecting TCP proxy and a raw RESP helper. Uses only `node:` APIs, so
 * it runs unchanged on Deno, Bun and Node.
 *
 * @module
 */

export { freePort } from "./ports.ts";
export { type TestCerts, testCerts } from "./certs.ts";
export {
  type BinaryInfo,
  binaryInfo,
  binaryVersion,
  processAlive,
  type RedisServer,
  type RedisServerOptions,
  type ServerFlavour,
  type ServerProcess,
  type ServerProcessSpec,
  sharedRedis,
  type SharedRedisKind,
  startRedis,
  startServerProcess,
} from "./server.ts";
export {
  featureReleases,
  FEATURES,
  type FeatureServer,
  hasFeature,
  type ServerFeature,
  serverWith,
} from "./features.ts";
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
export {
  concat,
  encodeCommand,
  rawCommand,
  rawCommands,
  RawErrorReply,
  type RawReply,
  type RawTarget,
  ReplyReader,
} from "./raw.ts";
