/**
 * The OpenTelemetry observer: one CLIENT span per command and per batch
 * (parented by the tracer to the caller's active span), and the metrics of
 * `metrics.ts`, fed from the instrumentation interface.
 *
 * @module
 */

import { ResponseError } from "../errors.ts";
import type {
  BatchTrace,
  CommandTrace,
  InstrumentationEvent,
  InstrumentationObserver,
  ServerTarget,
} from "../instrumentation.ts";
import {
  type OtelAttributes,
  type OtelMeter,
  type OtelSpan,
  type OtelTracer,
  SPAN_KIND_CLIENT,
  SPAN_STATUS_ERROR,
} from "./api.ts";
import { bump, type ConnectionCounts, type MeterState, meterState } from "./meter_state.ts";
import { commandName, queryText, type Redact } from "./query_text.ts";

/**
 * What `instrument()` takes.
 *
 * @example
 * ```ts
 * import { metrics, trace } from "@opentelemetry/api";
 * import type { OtelOptions } from "@uniredis/redis/otel";
 * const options: OtelOptions = { tracer: trace.getTracer("app"), meter: metrics.getMeter("app"), redact: false };
 * ```
 */
export interface OtelOptions {
  /** Where spans go (`trace.getTracer("my-app")`); no spans without it. */
  readonly tracer?: OtelTracer;
  /** Where metrics go (`metrics.getMeter("my-app")`); no metrics without it. */
  readonly meter?: OtelMeter;
  /**
   * How `db.query.text` shows arguments: `true` (default) replaces each with
   * `?`, `false` shows them as sent, a function returns the whole text. The
   * arguments of AUTH, HELLO, ACL SETUSER, CONFIG SET and MIGRATE are always
   * replaced. `false` also adds pub/sub channel names to message metrics.
   */
  readonly redact?: Redact;
}

/** The observer and how to detach what it registered. */
export interface OtelObserver {
  readonly observer: InstrumentationObserver;
  /** Stops reading the client's pool for connection counts. */
  readonly close: () => void;
}

const PUBLISH = new Set(["PUBLISH", "SPUBLISH"]);

/** The clock, looked up once: Node serves the `performance` global through a getter on every access. */
const clock: { now(): number } = performance;

/** `server.address:server.port`, the pool name the conventions fall back to. */
function poolName(target: ServerTarget): string {
  return target.serverPort === undefined
    ? target.serverAddress
    : `${target.serverAddress}:${target.serverPort}`;
}

/**
 * The attributes of an operation: those every operation carries, the batch
 * size, and (spans only) the query text. Built as one object per use: V8
 * copies a spread of dotted keys slowly, microseconds per operation.
 */
function attributesOf(
  target: ServerTarget,
  operation: string,
  batchSize: number | undefined,
  text: string | undefined,
): OtelAttributes {
  const attributes: OtelAttributes = {
    "db.system.name": "redis",
    "db.operation.name": operation,
    "db.namespace": String(target.database),
    "server.address": target.serverAddress,
  };
  if (target.serverPort !== undefined) attributes["server.port"] = target.serverPort;
  // The conventions count only two or more operations as a batch.
  if (batchSize !== undefined && batchSize >= 2) attributes["db.operation.batch.size"] = batchSize;
  if (text !== undefined) attributes["db.query.text"] = text;
  return attributes;
}

/** The attributes an error adds: its class name, and the server's error prefix for an error reply. */
function errorAttributes(error: unknown): OtelAttributes {
  const type = error instanceof Error ? error.constructor.name || error.name : typeof error;
  const attributes: OtelAttributes = { "error.type": type };
  if (error instanceof ResponseError) attributes["db.response.status_code"] = error.code;
  return attributes;
}

/** One operation in flight: its span, its attributes and where it is counted as pending. */
class Operation {
  readonly #start = clock.now();
  readonly #target: ServerTarget;
  readonly #span: OtelSpan | undefined;
  readonly #state: MeterState | undefined;
  readonly #pool: string;
  readonly #name: string;
  readonly #batchSize: number | undefined;
  /** Where the operation was sent when it began, to notice an address resolved meanwhile. */
  readonly #address: string;
  readonly #port: number | undefined;

  constructor(
    target: ServerTarget,
    name: string,
    batchSize: number | undefined,
    text: string | undefined,
    tracer: OtelTracer | undefined,
    state: MeterState | undefined,
  ) {
    this.#target = target;
    this.#address = target.serverAddress;
    this.#port = target.serverPort;
    this.#name = name;
    this.#batchSize = batchSize;
    this.#state = state;
    this.#pool = poolName(target);
    if (state) bump(state.pending, this.#pool, 1);
    if (tracer) {
      this.#span = tracer.startSpan(name, {
        kind: SPAN_KIND_CLIENT,
        attributes: attributesOf(target, name, batchSize, text),
      });
    }
  }

  end(error: unknown, failed: boolean): void {
    const seconds = (clock.now() - this.#start) / 1000;
    const target = this.#target;
    const span = this.#span;
    // The address may be resolved after the trace began (sentinel): report where the operation went.
    if (span && (target.serverAddress !== this.#address || target.serverPort !== this.#port)) {
      span.setAttribute("server.address", target.serverAddress);
      if (target.serverPort !== undefined) span.setAttribute("server.port", target.serverPort);
    }
    let attributes = this.#state ? attributesOf(target, this.#name, this.#batchSize, undefined) : {};
    if (failed) {
      const added = errorAttributes(error);
      attributes = { ...attributes, ...added };
      if (span) {
        for (const [key, value] of Object.entries(added)) {
          if (value !== undefined) span.setAttribute(key, value);
        }
        if (error instanceof Error) span.recordException(error);
        span.setStatus({
          code: SPAN_STATUS_ERROR,
          message: error instanceof Error ? error.message : undefined,
        });
      }
    }
    const state = this.#state;
    if (state) {
      bump(state.pending, this.#pool, -1);
      state.instruments.operationDuration.record(seconds, attributes);
      if (failed) state.instruments.errors.add(1, { ...attributes, "redis.client.errors.internal": false });
    }
    span?.end();
  }
}

/** Runs `run` as `operation`, ending it with the outcome. */
function observe<T>(operation: Operation, run: () => Promise<T>): Promise<T> {
  let promise: Promise<T>;
  try {
    promise = run();
  } catch (error) {
    operation.end(error, true);
    throw error;
  }
  return promise.then((value) => {
    operation.end(undefined, false);
    return value;
  }, (error) => {
    operation.end(error, true);
    throw error;
  });
}

/**
 * Builds the observer for `options`; `pool` reads the client's own pool
 * for connection counts, when the client has one.
 */
export function otelObserver(options: OtelOptions, pool?: () => ConnectionCounts[]): OtelObserver {
  const { tracer, meter } = options;
  const redact = options.redact ?? true;
  const state = meter ? meterState(meter) : undefined;
  if (state && pool) state.pools.add(pool);

  const observer: InstrumentationObserver = {
    traceCommand<T>(trace: CommandTrace, run: () => Promise<T>): Promise<T> {
      // A batch's commands are covered by its span and measurement.
      if (trace.batchMode !== undefined) return run();
      if (state && PUBLISH.has(trace.command)) {
        state.instruments.pubsubMessages.add(1, {
          "db.system.name": "redis",
          "server.address": trace.serverAddress,
          "redis.client.pubsub.message.direction": "publish",
          "redis.client.pubsub.sharded": trace.command === "SPUBLISH",
          ...(redact === false ? { "redis.client.pubsub.channel": String(trace.args[1]) } : {}),
        });
      }
      const text = tracer ? queryText(trace.command, trace.args, redact) : undefined;
      return observe(new Operation(trace, trace.command, undefined, text, tracer, state), run);
    },

    traceBatch<T>(trace: BatchTrace, run: () => Promise<T>): Promise<T> {
      const text = tracer
        ? trace.commands.map((args) => queryText(commandName(args), args, redact)).join("; ")
        : undefined;
      return observe(new Operation(trace, trace.mode, trace.size, text, tracer, state), run);
    },

    async traceConnect<T>(trace: ServerTarget, run: () => Promise<T>): Promise<T> {
      if (!state) return await run();
      const start = clock.now();
      try {
        return await run();
      } finally {
        state.instruments.connectionCreateTime.record((clock.now() - start) / 1000, {
          "db.system.name": "redis",
          "db.client.connection.pool.name": poolName(trace),
        });
      }
    },

    onEvent(event: InstrumentationEvent): void {
      if (state) recordEvent(state, event, redact);
    },
  };
  return { observer, close: () => pool && state?.pools.delete(pool) };
}

/** Turns one point event into measurements. */
function recordEvent(state: MeterState, event: InstrumentationEvent, redact: Redact): void {
  const metrics = state.instruments;
  const system = { "db.system.name": "redis" };
  switch (event.type) {
    case "pool-wait":
      metrics.connectionWaitTime.record(event.durationMs / 1000, {
        ...system,
        "db.client.connection.pool.name": event.address,
        ...(event.error ? errorAttributes(event.error) : {}),
      });
      break;
    case "connection-open":
      bump(state.open, event.address, 1);
      break;
    case "connection-close":
      bump(state.open, event.address, -1);
      metrics.connectionClosed.add(1, {
        ...system,
        "db.client.connection.pool.name": event.address,
        "redis.client.connection.close.reason": event.error ? "error" : "application_close",
        ...(event.error ? errorAttributes(event.error) : {}),
      });
      break;
    case "retry":
      metrics.errors.add(1, {
        ...system,
        ...errorAttributes(event.error),
        "redis.client.errors.internal": true,
        "redis.client.operation.retry_attempts": event.attempt,
      });
      break;
    case "cluster-redirect":
      metrics.errors.add(1, { ...system, "error.type": event.kind, "redis.client.errors.internal": true });
      break;
    case "cluster-refresh":
      if (event.error) {
        metrics.errors.add(1, {
          ...system,
          ...errorAttributes(event.error),
          "redis.client.errors.internal": true,
        });
      }
      break;
    case "pubsub-message":
      metrics.pubsubMessages.add(1, {
        ...system,
        "redis.client.pubsub.message.direction": "receive",
        "redis.client.pubsub.sharded": event.kind === "smessage",
        ...(redact === false ? { "redis.client.pubsub.channel": event.channel } : {}),
      });
      break;
    case "cache":
      if (event.result === "invalidation") {
        metrics.cscEvictions.add(event.count, { ...system, "redis.client.csc.reason": "invalidation" });
      } else {
        metrics.cscRequests.add(event.count, { ...system, "redis.client.csc.result": event.result });
      }
      break;
    default:
      break;
  }
}
