/**
 * The public API, listed once: `mod.ts` (Deno, Bun, Node) and `edge.ts`
 * (Workers) both re-export it and differ only in the connector they register.
 *
 * @module
 */

export { type CommandOptions, Redis, type RedisEventListener, type TransactionOptions } from "./client.ts";
export {
  BlockingConnectionPool,
  type ConnectionClass,
  ConnectionPool,
  type ConnectionPoolOptions,
  type PoolObserver,
} from "./pool.ts";
export { type ErrorClass, Retry, type RetryOptions } from "./retry.ts";
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
} from "./backoff.ts";
export {
  RedisConnectionEvent,
  RedisErrorEvent,
  type RedisEventMap,
  RedisReconnectingEvent,
} from "./events.ts";
export { WatchedPipeline } from "./watch.ts";
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
} from "./cache.ts";
export { keyText, textOf } from "./key_text.ts";
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
} from "./pubsub.ts";
export { type PubSubRouter, type SubscriptionKind } from "./pubsub_link.ts";
export { type ClusterPubSubOptions } from "./cluster/pubsub.ts";
export {
  type KeyNotification,
  type KeyspaceNotificationsOptions,
  mergeKeyspaceFlags,
  parseKeyNotification,
} from "./keyspace/channels.ts";
export { KeyspaceNotifications } from "./keyspace/notifications.ts";
export { Monitor, type MonitorEntry, parseMonitorLine } from "./monitor.ts";
export { type ConnectionSettings, parseURL, type RedisOptions } from "./options.ts";
export { REDACTED } from "./redact.ts";
export {
  type CredentialProvider,
  type Credentials,
  CredentialStream,
  type StreamingCredentialProvider,
  UsernamePasswordCredentialProvider,
} from "./credentials.ts";
export { Script, type ScriptCall } from "./script.ts";
export { type AcquireOptions, Lock, type LockClass, type LockOptions } from "./lock.ts";
export {
  type Pipeline,
  type PipelineCommands,
  type PipelineControls,
  PipelineImpl,
  type PipelineOptions,
} from "./pipeline.ts";
export { getDefaultConnector, setDefaultConnector } from "./default_connector.ts";
export {
  Connection,
  type ConnectionEventKind,
  type ConnectionOptions,
  type SendBatchOptions,
  type SendOptions,
  type ServerHello,
} from "./connection.ts";
export * from "./errors.ts";
export { Sentinel, type SentinelClientOptions } from "./sentinel/sentinel.ts";
export {
  SentinelConnectionPool,
  type SentinelConnectionPoolOptions,
  type SentinelSource,
} from "./sentinel/pool.ts";
export type { FailoverStartListener, SwitchListener } from "./sentinel/switch_watch.ts";
export { SentinelManagedConnection, type SentinelTarget } from "./sentinel/connection.ts";
export type { SentinelConnectionOptions, SentinelOptions } from "./sentinel/options.ts";
export type { SentinelAddress } from "./sentinel/state.ts";
export { RedisFailoverEvent } from "./sentinel/failover_event.ts";
export { crc16, keySlot, SLOT_COUNT, slotsOf } from "./cluster/slots.ts";
export { RedisCluster, type RedisClusterOptions } from "./cluster/client.ts";
export type { LoadBalancingStrategy } from "./cluster/topology.ts";
export type { ClusterCommandOptions, TargetNodes } from "./cluster/router.ts";
export type { PerNodeCommands } from "./cluster/per_node.ts";
export { type AddressRemap, ClusterNode, type NodeAddress, type ServerType } from "./cluster/node.ts";
export { ClusterScript, type ScriptHost } from "./cluster/script.ts";
export {
  type DefaultTarget,
  defaultTarget,
  type RequestPolicy,
  requestPolicy,
  type ResponsePolicy,
  responsePolicy,
} from "./cluster/policies.ts";
export * from "./commands/mod.ts";
export type { RedisArgument, RespValue } from "./protocol/types.ts";
export { checkArguments, encodeCommand, Encoder } from "./protocol/encoder.ts";
export { Decoder, type DecoderOptions, type EncodingErrors } from "./protocol/decoder.ts";
export type { ConnectOptions, Connector, TlsConnectOptions, Transport } from "./transport.ts";
export { LIB_NAME, VERSION } from "./version.ts";
export {
  addObserver,
  type BatchTrace,
  type CommandTrace,
  type ConnectTrace,
  type InstrumentationEvent,
  type InstrumentationObserver,
  InstrumentationScope,
  type ServerTarget,
} from "./instrumentation.ts";
export { CHANNELS } from "./diagnostics_names.ts";
