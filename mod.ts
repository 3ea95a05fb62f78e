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

export {
  type CommandOptions,
  Redis,
  type RedisEventListener,
  type TransactionOptions,
} from "./lib/client.ts";
export {
  BlockingConnectionPool,
  type ConnectionClass,
  ConnectionPool,
  type ConnectionPoolOptions,
  type PoolObserver,
} from "./lib/pool.ts";
export { type ErrorClass, Retry, type RetryOptions } from "./lib/retry.ts";
export {
  type Backoff,
  type BackoffOptions,
  CappedBackoff,
  ConstantBackoff,
  DecorrelatedJitterBackoff,
  DEFAULT_BASE,
  DEFAULT_CAP,
  defaultBackoff,
  EqualJitterBackoff,
  ExponentialBackoff,
  ExponentialWithJitterBackoff,
  FullJitterBackoff,
  NoBackoff,
} from "./lib/backoff.ts";
export {
  RedisConnectionEvent,
  RedisErrorEvent,
  type RedisEventMap,
  RedisReconnectingEvent,
} from "./lib/events.ts";
export { WatchedPipeline } from "./lib/watch.ts";
export {
  CacheConfig,
  type CacheConfigOptions,
  type CacheEntry,
  type CacheInterface,
  cacheKey,
  type CacheStats,
  DefaultCache,
  isCacheable,
  TrackingCache,
} from "./lib/cache.ts";
export { keyText, textOf } from "./lib/key_text.ts";
export {
  type GetMessageOptions,
  type MessageHandler,
  PubSub,
  type PubSubHost,
  type PubSubMessage,
  type PubSubMessageType,
  type PubSubOptions,
  type PubSubWorker,
  type RunOptions,
  type Subscribable,
} from "./lib/pubsub.ts";
export { type PubSubRouter, type SubscriptionKind } from "./lib/pubsub_link.ts";
export { type ClusterPubSubOptions } from "./lib/cluster/pubsub.ts";
export { Monitor, type MonitorEntry, parseMonitorLine } from "./lib/monitor.ts";
export { type ConnectionSettings, parseURL, type RedisOptions } from "./lib/options.ts";
export { REDACTED } from "./lib/redact.ts";
export { Script, type ScriptCall } from "./lib/script.ts";
export { type AcquireOptions, Lock, type LockClass, type LockOptions } from "./lib/lock.ts";
export {
  type Pipeline,
  type PipelineCommands,
  type PipelineControls,
  PipelineImpl,
  type PipelineOptions,
} from "./lib/pipeline.ts";
export { getDefaultConnector, setDefaultConnector } from "./lib/default_connector.ts";
export {
  Connection,
  type ConnectionEventKind,
  type ConnectionOptions,
  type SendOptions,
  type ServerHello,
} from "./lib/connection.ts";
export * from "./lib/errors.ts";
export { Sentinel, type SentinelClientOptions } from "./lib/sentinel/sentinel.ts";
export {
  SentinelConnectionPool,
  type SentinelConnectionPoolOptions,
  type SentinelSource,
} from "./lib/sentinel/pool.ts";
export type { FailoverStartListener, SwitchListener } from "./lib/sentinel/switch_watch.ts";
export { SentinelManagedConnection, type SentinelTarget } from "./lib/sentinel/connection.ts";
export type { SentinelConnectionOptions, SentinelOptions } from "./lib/sentinel/options.ts";
export type { SentinelAddress } from "./lib/sentinel/state.ts";
export { RedisFailoverEvent } from "./lib/sentinel/failover_event.ts";
export { crc16, keySlot, SLOT_COUNT, slotsOf } from "./lib/cluster/slots.ts";
export { RedisCluster, type RedisClusterOptions } from "./lib/cluster/client.ts";
export type { LoadBalancingStrategy } from "./lib/cluster/topology.ts";
export type { ClusterCommandOptions, TargetNodes } from "./lib/cluster/router.ts";
export type { PerNodeCommands } from "./lib/cluster/per_node.ts";
export { type AddressRemap, ClusterNode, type NodeAddress, type ServerType } from "./lib/cluster/node.ts";
export { ClusterScript, type ScriptHost } from "./lib/cluster/script.ts";
export {
  type DefaultTarget,
  defaultTarget,
  type RequestPolicy,
  requestPolicy,
  type ResponsePolicy,
  responsePolicy,
} from "./lib/cluster/policies.ts";
export * from "./lib/commands/mod.ts";
export type { RedisArgument, RespValue } from "./lib/protocol/types.ts";
export { checkArguments, encodeCommand, Encoder } from "./lib/protocol/encoder.ts";
export { Decoder, type DecoderOptions, type EncodingErrors } from "./lib/protocol/decoder.ts";
export type { ConnectOptions, Connector, TlsConnectOptions, Transport } from "./lib/transport.ts";
export { LIB_NAME, VERSION } from "./lib/version.ts";

setDefaultConnector(runtimeConnector);
