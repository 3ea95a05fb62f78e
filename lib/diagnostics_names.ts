/**
 * The names of the diagnostics channels uniredis publishes on (the
 * `@uniredis/redis/diagnostics` module, loaded by the main entry), in one
 * place so subscribers need not spell them.
 *
 * @module
 */

/**
 * Channel names. `COMMAND`, `BATCH` and `CONNECT` are `TracingChannel`s
 * (subscribe to `tracing:uniredis:command:start`, `...:asyncEnd`,
 * `...:error`, or with `tracingChannel(name).subscribe({...})`); the others
 * are plain channels, one per point event.
 *
 * @example
 * ```ts
 * import { CHANNELS } from "@uniredis/redis";
 * import dc from "node:diagnostics_channel";
 * dc.subscribe(`tracing:${CHANNELS.COMMAND}:start`, (ctx) => console.log((ctx as { command: string }).command));
 * ```
 */
export const CHANNELS = {
  /** One command on one connection: context `command`, `args` (values redacted), `database`, `serverAddress`... */
  COMMAND: "uniredis:command",
  /** One pipeline or transaction on one connection: `batchMode`, `batchSize`, `database`, `serverAddress`... */
  BATCH: "uniredis:batch",
  /** One connection attempt, handshake included: `serverAddress`, `serverPort`, `database`, `tls`. */
  CONNECT: "uniredis:connect",
  /** A connection is ready (handshake done). */
  CONNECTION_READY: "uniredis:connection:ready",
  /** A connection closed (`error` set when it was lost). */
  CONNECTION_CLOSED: "uniredis:connection:closed",
  /** A borrower waited for a pool connection (`BlockingConnectionPool`). */
  POOL_CONNECTION_WAIT: "uniredis:pool:connection-wait",
  /** A failed command (or batch) is about to run again after `delayMs`. */
  RETRY: "uniredis:retry",
  /** A lost connection is being replaced (shared connection, pub/sub). */
  RECONNECT: "uniredis:reconnect",
  /** A pub/sub message was received. */
  PUBSUB: "uniredis:pubsub",
  /** A read of the client-side cache: `result` is `"hit"` or `"miss"`. */
  CACHE_REQUEST: "uniredis:cache:request",
  /** The server invalidated cached keys (`count` of them). */
  CACHE_INVALIDATION: "uniredis:cache:invalidation",
  /** A cluster node answered `MOVED` or `ASK`. */
  CLUSTER_REDIRECT: "uniredis:cluster:redirect",
  /** The cluster topology was asked again (`durationMs`, `error`). */
  CLUSTER_REFRESH: "uniredis:cluster:refresh",
  /** The sentinels switched a service's master. */
  SENTINEL_FAILOVER: "uniredis:sentinel:failover",
} as const;
