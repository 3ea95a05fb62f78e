/**
 * OpenTelemetry for uniredis: spans per command and per batch following the
 * database semantic conventions, and the `db.client.*` and redis-py's
 * `redis.client.*` metrics. `@opentelemetry/api` is an optional peer
 * dependency: this module imports nothing from it, you pass the tracer and
 * meter of your own copy.
 *
 * @example
 * ```ts
 * import { metrics, trace } from "@opentelemetry/api";
 * import { Redis } from "@uniredis/redis";
 * import { instrument } from "@uniredis/redis/otel";
 *
 * await using r = new Redis({ host: "127.0.0.1", port: 6379 });
 * instrument(r, { tracer: trace.getTracer("app"), meter: metrics.getMeter("app") });
 * await r.get("greeting"); // a CLIENT span "GET", db.query.text "GET ?"
 * ```
 *
 * @module
 */

export { instrument, instrumentAll, type OtelInstrumentation } from "./lib/otel/instrument.ts";
export { type OtelOptions } from "./lib/otel/observer.ts";
export { type Redact } from "./lib/otel/query_text.ts";
export { DURATION_BUCKETS } from "./lib/otel/metrics.ts";
export type {
  OtelAttributes,
  OtelAttributeValue,
  OtelCounter,
  OtelHistogram,
  OtelMeter,
  OtelMetricOptions,
  OtelObservable,
  OtelObservableResult,
  OtelSpan,
  OtelTracer,
} from "./lib/otel/api.ts";
export type { RedisArgument } from "./lib/protocol/types.ts";
