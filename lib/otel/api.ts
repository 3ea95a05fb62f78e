/**
 * The slice of `@opentelemetry/api` 1.x that the instrumentation calls,
 * written structurally so the module needs nothing from that package at
 * runtime: the caller passes the `Tracer` and `Meter` of their own copy, and
 * those fit these types.
 *
 * @module
 */

/**
 * An attribute value (`@opentelemetry/api`'s `AttributeValue`, scalars only).
 *
 * @example
 * ```ts
 * import type { OtelAttributeValue } from "@uniredis/redis/otel";
 * const port: OtelAttributeValue = 6379;
 * ```
 */
export type OtelAttributeValue = string | number | boolean;

/**
 * Attributes of a span or a measurement.
 *
 * @example
 * ```ts
 * import type { OtelAttributes } from "@uniredis/redis/otel";
 * const attributes: OtelAttributes = { "db.system.name": "redis", "server.port": 6379 };
 * ```
 */
export type OtelAttributes = Record<string, OtelAttributeValue | undefined>;

/** `SpanKind.CLIENT` of `@opentelemetry/api`. */
export const SPAN_KIND_CLIENT = 2;
/** `SpanStatusCode.ERROR` of `@opentelemetry/api`. */
export const SPAN_STATUS_ERROR = 2;

/**
 * The span methods used here (`@opentelemetry/api`'s `Span`).
 *
 * @example
 * ```ts
 * import { trace } from "@opentelemetry/api";
 * import type { OtelSpan } from "@uniredis/redis/otel";
 * const span: OtelSpan = trace.getTracer("app").startSpan("work");
 * span.end();
 * ```
 */
export interface OtelSpan {
  /** Sets one attribute. */
  setAttribute(key: string, value: OtelAttributeValue): unknown;
  /** Sets the status; `code` 2 is `ERROR`. */
  setStatus(status: { code: number; message?: string }): unknown;
  /** Records an exception event on the span. */
  recordException(exception: Error): void;
  /** Ends the span. */
  end(): void;
}

/**
 * What `trace.getTracer(...)` returns (`@opentelemetry/api`'s `Tracer`), as far as used here.
 *
 * @example
 * ```ts
 * import { trace } from "@opentelemetry/api";
 * import type { OtelTracer } from "@uniredis/redis/otel";
 * const tracer: OtelTracer = trace.getTracer("app");
 * ```
 */
export interface OtelTracer {
  /** Starts a span, parented to the active context when none is given. */
  startSpan(name: string, options?: { kind?: number; attributes?: OtelAttributes }): OtelSpan;
}

/**
 * Options of an instrument (`MetricOptions`).
 *
 * @example
 * ```ts
 * import type { OtelMetricOptions } from "@uniredis/redis/otel";
 * const options: OtelMetricOptions = { unit: "s", advice: { explicitBucketBoundaries: [0.001, 0.01] } };
 * ```
 */
export interface OtelMetricOptions {
  /** What the instrument measures. */
  description?: string;
  /** The unit, in UCUM (`"s"`, `"{connection}"`). */
  unit?: string;
  /** Hints to the SDK, such as histogram bucket boundaries. */
  advice?: { explicitBucketBoundaries?: number[] };
}

/**
 * A histogram (`Histogram`).
 *
 * @example
 * ```ts
 * import { metrics } from "@opentelemetry/api";
 * import type { OtelHistogram } from "@uniredis/redis/otel";
 * const h: OtelHistogram = metrics.getMeter("app").createHistogram("work.duration", { unit: "s" });
 * h.record(0.002, { "db.operation.name": "GET" });
 * ```
 */
export interface OtelHistogram {
  /** Records one value. */
  record(value: number, attributes?: OtelAttributes): void;
}

/**
 * A counter or an up-down counter (`Counter`, `UpDownCounter`).
 *
 * @example
 * ```ts
 * import { metrics } from "@opentelemetry/api";
 * import type { OtelCounter } from "@uniredis/redis/otel";
 * const c: OtelCounter = metrics.getMeter("app").createCounter("work.count");
 * c.add(1);
 * ```
 */
export interface OtelCounter {
  /** Adds to the sum. */
  add(value: number, attributes?: OtelAttributes): void;
}

/**
 * The result an observable callback reports into (`ObservableResult`).
 *
 * @example
 * ```ts
 * import type { OtelObservableResult } from "@uniredis/redis/otel";
 * const report = (result: OtelObservableResult) => result.observe(3, { "db.client.connection.state": "idle" });
 * ```
 */
export interface OtelObservableResult {
  /** Reports one value. */
  observe(value: number, attributes?: OtelAttributes): void;
}

/**
 * An asynchronous instrument (`Observable`).
 *
 * @example
 * ```ts
 * import { metrics } from "@opentelemetry/api";
 * import type { OtelObservable } from "@uniredis/redis/otel";
 * const o: OtelObservable = metrics.getMeter("app").createObservableUpDownCounter("queue.size");
 * o.addCallback((result) => result.observe(0));
 * ```
 */
export interface OtelObservable {
  /** Adds a callback run at each collection. */
  addCallback(callback: (result: OtelObservableResult) => void): void;
  /** Removes a callback. */
  removeCallback(callback: (result: OtelObservableResult) => void): void;
}

/**
 * What `metrics.getMeter(...)` returns (`@opentelemetry/api`'s `Meter`), as far as used here.
 *
 * @example
 * ```ts
 * import { metrics } from "@opentelemetry/api";
 * import type { OtelMeter } from "@uniredis/redis/otel";
 * const meter: OtelMeter = metrics.getMeter("app");
 * ```
 */
export interface OtelMeter {
  /** Creates a histogram. */
  createHistogram(name: string, options?: OtelMetricOptions): OtelHistogram;
  /** Creates a monotonic counter. */
  createCounter(name: string, options?: OtelMetricOptions): OtelCounter;
  /** Creates an up-down counter. */
  createUpDownCounter(name: string, options?: OtelMetricOptions): OtelCounter;
  /** Creates an observable up-down counter. */
  createObservableUpDownCounter(name: string, options?: OtelMetricOptions): OtelObservable;
}
