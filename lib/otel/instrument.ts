/**
 * `instrument(client, options)`: attaches the OpenTelemetry observer to one
 * client's instrumentation scope (a `Redis`, a `RedisCluster`, a sentinel's
 * `masterFor`/`slaveFor` client); `instrumentAll(options)` to every client.
 *
 * @module
 */

import { DataError } from "../errors.ts";
import { addObserver, InstrumentationScope } from "../instrumentation.ts";
import type { ConnectionCounts } from "./meter_state.ts";
import { otelObserver, type OtelOptions } from "./observer.ts";

/**
 * What `instrument()` returns: `remove()` detaches the instrumentation.
 *
 * @example
 * ```ts
 * import { trace } from "@opentelemetry/api";
 * import { Redis } from "@uniredis/redis";
 * import { instrument, type OtelInstrumentation } from "@uniredis/redis/otel";
 * const r = new Redis();
 * const otel: OtelInstrumentation = instrument(r, { tracer: trace.getTracer("app") });
 * otel.remove();
 * await r.close();
 * ```
 */
export interface OtelInstrumentation {
  /** Stops the spans and measurements of this instrumentation; idempotent. */
  remove(): void;
}

/** The pool fields read for connection counts (`ConnectionPool`). */
interface PoolView {
  readonly idleCount: number;
  readonly inUseCount: number;
  readonly currentSharedConnection: unknown;
  readonly options: { readonly host?: string; readonly port?: number; readonly path?: string };
}

/** The scope of a client, wherever the client keeps it. */
function scopeOf(client: object): InstrumentationScope | undefined {
  const scope = (client as { instrumentation?: unknown }).instrumentation;
  return scope instanceof InstrumentationScope ? scope : undefined;
}

/** Connection counts from the client's own pool, when it has one (`Redis` and sentinel clients). */
function poolCounts(client: object): (() => ConnectionCounts[]) | undefined {
  const pool = (client as { connectionPool?: PoolView }).connectionPool;
  if (!pool || typeof pool.idleCount !== "number" || typeof pool.inUseCount !== "number") return undefined;
  return () => {
    const { host, port, path } = pool.options;
    const name = path ?? `${host ?? "127.0.0.1"}:${port ?? 6379}`;
    // The shared, multiplexed connection is in use by every client of the pool.
    const shared = pool.currentSharedConnection ? 1 : 0;
    return [{ pool: name, idle: pool.idleCount, used: pool.inUseCount + shared }];
  };
}

function checkOptions(options: OtelOptions, caller: string): void {
  if (typeof options !== "object" || options === null) {
    throw new DataError(`${caller}: options must be an object ({ tracer, meter, redact })`);
  }
  const { tracer, meter, redact } = options;
  if (tracer !== undefined && typeof tracer?.startSpan !== "function") {
    throw new DataError(`${caller}: tracer must be an OpenTelemetry Tracer (trace.getTracer(...))`);
  }
  if (meter !== undefined && typeof meter?.createHistogram !== "function") {
    throw new DataError(`${caller}: meter must be an OpenTelemetry Meter (metrics.getMeter(...))`);
  }
  if (redact !== undefined && typeof redact !== "boolean" && typeof redact !== "function") {
    throw new DataError(`${caller}: redact must be a boolean or a function`);
  }
}

/**
 * Instruments one client with OpenTelemetry: a CLIENT span per command
 * (`GET`) and per pipeline or transaction (`PIPELINE`, `MULTI`), following
 * the database semantic conventions and parented to the caller's active
 * span, and the `db.client.*` and `redis.client.*` metrics. Needs nothing
 * from `@opentelemetry/api` at runtime: pass your tracer and meter.
 *
 * @example
 * ```ts
 * import { metrics, trace } from "@opentelemetry/api";
 * import { Redis } from "@uniredis/redis";
 * import { instrument } from "@uniredis/redis/otel";
 *
 * const r = new Redis({ host: "127.0.0.1", port: 6379 });
 * const otel = instrument(r, { tracer: trace.getTracer("app"), meter: metrics.getMeter("app") });
 * await r.set("k", "v"); // a span "SET" with db.query.text "SET ? ?"
 * otel.remove();
 * await r.close();
 * ```
 */
export function instrument(client: object, options: OtelOptions = {}): OtelInstrumentation {
  checkOptions(options, "instrument");
  const scope = typeof client === "object" && client !== null ? scopeOf(client) : undefined;
  if (!scope) {
    throw new DataError("instrument: expected a Redis, RedisCluster or sentinel client");
  }
  const { observer, close } = otelObserver(options, poolCounts(client));
  const removeObserver = scope.add(observer);
  return { remove: once(() => (removeObserver(), close())) };
}

/**
 * Instruments every client of this process (as `instrument()` does for
 * one), for applications that create clients in many places.
 *
 * @example
 * ```ts
 * import { metrics, trace } from "@opentelemetry/api";
 * import { instrumentAll } from "@uniredis/redis/otel";
 *
 * const otel = instrumentAll({ tracer: trace.getTracer("app"), meter: metrics.getMeter("app") });
 * otel.remove();
 * ```
 */
export function instrumentAll(options: OtelOptions = {}): OtelInstrumentation {
  checkOptions(options, "instrumentAll");
  const { observer, close } = otelObserver(options);
  const removeObserver = addObserver(observer);
  return { remove: once(() => (removeObserver(), close())) };
}

function once(f: () => void): () => void {
  let done = false;
  return () => {
    if (!done) (done = true, f());
  };
}
