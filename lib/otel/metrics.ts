/**
 * The metric instruments: the database client conventions
 * (`db.client.operation.duration`, `db.client.connection.*`) and redis-py's
 * groups (`redis.client.errors`, `redis.client.connection.closed`,
 * `redis.client.pubsub.messages`, `redis.client.csc.*`), named as redis-py
 * 7 names them.
 *
 * @module
 */

import type { OtelCounter, OtelHistogram, OtelMeter, OtelObservable } from "./api.ts";

/**
 * The bucket boundaries the conventions give for `db.client.operation.duration`
 * (seconds), used for every duration histogram here.
 *
 * @example
 * ```ts
 * import { DURATION_BUCKETS } from "@uniredis/redis/otel";
 * console.log(DURATION_BUCKETS[0]); // 0.001
 * ```
 */
export const DURATION_BUCKETS: readonly number[] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

/** Every instrument, created once per `instrument()` call. */
export interface Instruments {
  readonly operationDuration: OtelHistogram;
  readonly connectionCreateTime: OtelHistogram;
  readonly connectionWaitTime: OtelHistogram;
  readonly connectionCount: OtelObservable;
  readonly pendingRequests: OtelObservable;
  readonly connectionClosed: OtelCounter;
  readonly errors: OtelCounter;
  readonly pubsubMessages: OtelCounter;
  readonly cscRequests: OtelCounter;
  readonly cscEvictions: OtelCounter;
}

/** Creates the instruments on `meter`. */
export function createInstruments(meter: OtelMeter): Instruments {
  const seconds = (description: string) => ({
    description,
    unit: "s",
    advice: { explicitBucketBoundaries: [...DURATION_BUCKETS] },
  });
  return {
    operationDuration: meter.createHistogram(
      "db.client.operation.duration",
      seconds("Duration of database client operations."),
    ),
    connectionCreateTime: meter.createHistogram(
      "db.client.connection.create_time",
      seconds("The time it took to create a new connection (socket, TLS and handshake)."),
    ),
    connectionWaitTime: meter.createHistogram(
      "db.client.connection.wait_time",
      seconds("The time it took to obtain an open connection from the pool."),
    ),
    connectionCount: meter.createObservableUpDownCounter("db.client.connection.count", {
      description:
        "The number of connections that are currently in the state described by the state attribute.",
      unit: "{connection}",
    }),
    pendingRequests: meter.createObservableUpDownCounter("db.client.connection.pending_requests", {
      description: "The number of operations sent and waiting for their reply.",
      unit: "{request}",
    }),
    connectionClosed: meter.createCounter("redis.client.connection.closed", {
      description: "Total number of closed connections.",
      unit: "{connection}",
    }),
    errors: meter.createCounter("redis.client.errors", {
      description:
        "Errors, both returned to the caller and handled inside the client (retries, redirections).",
      unit: "{error}",
    }),
    pubsubMessages: meter.createCounter("redis.client.pubsub.messages", {
      description: "Pub/sub messages published and received.",
      unit: "{message}",
    }),
    cscRequests: meter.createCounter("redis.client.csc.requests", {
      description: "Reads served by the client-side cache (hit) or sent to the server (miss).",
      unit: "{request}",
    }),
    cscEvictions: meter.createCounter("redis.client.csc.evictions", {
      description: "Client-side cache entries dropped on invalidation.",
      unit: "{eviction}",
    }),
  };
}
