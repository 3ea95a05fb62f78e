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
  type OtelObservableResult,
  type OtelSpan,
  type OtelTracer,
  SPAN_KIND_CLIENT,
  SPAN_STATUS_ERROR,
} from "./api.ts";
import { createInstruments, type Instruments } from "./metrics.ts";
import { queryText, type Redact } from "./query_text.ts";

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

/** Connections by state, for `db.client.connection.count`. */
export interface ConnectionCounts {
  readonly pool: string;
  readonly idle: number;
  readonly used: number;
}

/** The observer and what it holds, so `instrument()` can detach it. */
export interface OtelObserver {
  readonly observer: InstrumentationObserver;
  /** Stops reporting connection counts. */
  readonly close: () => void;
}

const PUBLISH = new Set(["PUBLISH", "SPUBLISH"]);

/** `server.address:server.port`, the pool name the conventions fall back to. */
function poolName(target: ServerTarget): string {
  return target.serverPort === undefined
    ? target.serverAddress
    : `${target.serverAddress}:${target.serverPort}`;
}

/** The attributes every operation carries. */
function baseAttributes(target: ServerTarget, operation: string): OtelAttributes {
  const attributes: OtelAttributes = {
    "db.system.name": "redis",
    "db.operation.name": operation,
    "db.namespace": String(target.database),
    "server.address": target.serverAddress,
  };
  if (target.serverPort !== undefined) attributes["server.port"] = target.serverPort;
  return attributes;
}

/** The attributes an error adds: its class name, and the server's error prefix for an error reply. */
function errorAttributes(error: unknown): OtelAttributes {
  const type = error instanceof Error ? error.constructor.name || error.name : typeof error;
  const attributes: OtelAttributes = { "error.type": type };
  if (error instanceof ResponseError) attributes["db.response.status_code"] = error.code;
  return attributes;
}

/**
 * Builds the observer for `options`; `counts` gives the connection counts
 * when the client's pools are at hand, else they come from open and close
 * events.
 */
export function otelObserver(options: OtelOptions, counts?: () => ConnectionCounts[]): OtelObserver {
  const { tracer, meter } = options;
  const redact = options.redact ?? true;
  const metrics: Instruments | undefined = meter ? createInstruments(meter) : undefined;
  const openByPool = new Map<string, number>();

  const reportCounts = (result: OtelObservableResult) => {
    const list = counts ? counts() : [...openByPool].map(([pool, used]) => ({ pool, idle: 0, used }));
    for (const { pool, idle, used } of list) {
      result.observe(idle, { "db.client.connection.pool.name": pool, "db.client.connection.state": "idle" });
      result.observe(used, { "db.client.connection.pool.name": pool, "db.client.connection.state": "used" });
    }
  };
  metrics?.connectionCount.addCallback(reportCounts);

  /** Wraps one operation: span, pending count, duration and errors. */
  function wrap<T>(
    target: ServerTarget,
    name: string,
    attributes: OtelAttributes,
    text: string | undefined,
    run: () => Promise<T>,
  ): Promise<T> {
    const start = performance.now();
    let span: OtelSpan | undefined;
    if (tracer) {
      span = tracer.startSpan(name, {
        kind: SPAN_KIND_CLIENT,
        attributes: text === undefined ? attributes : { ...attributes, "db.query.text": text },
      });
    }
    const pool = { "db.client.connection.pool.name": poolName(target) };
    metrics?.pendingRequests.add(1, pool);
    const finish = (error: unknown, failed: boolean) => {
      const seconds = (performance.now() - start) / 1000;
      let recorded = attributes;
      // The address may be resolved after the trace began (sentinel): report where the operation went.
      if (
        target.serverAddress !== attributes["server.address"] ||
        target.serverPort !== attributes["server.port"]
      ) {
        recorded = {
          ...attributes,
          "server.address": target.serverAddress,
          "server.port": target.serverPort,
        };
        span?.setAttribute("server.address", target.serverAddress);
        if (target.serverPort !== undefined) span?.setAttribute("server.port", target.serverPort);
      }
      if (failed) {
        const added = errorAttributes(error);
        recorded = { ...recorded, ...added };
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
        metrics?.errors.add(1, { ...recorded, "redis.client.errors.internal": false });
      }
      metrics?.pendingRequests.add(-1, pool);
      metrics?.operationDuration.record(seconds, recorded);
      span?.end();
    };
    let promise: Promise<T>;
    try {
      promise = run();
    } catch (error) {
      finish(error, true);
      throw error;
    }
    return promise.then((value) => {
      finish(undefined, false);
      return value;
    }, (error) => {
      finish(error, true);
      throw error;
    });
  }

  const observer: InstrumentationObserver = {
    traceCommand<T>(trace: CommandTrace, run: () => Promise<T>): Promise<T> {
      // A batch's commands are covered by its span and measurement.
      if (trace.batchMode !== undefined) return run();
      const attributes = baseAttributes(trace, trace.command);
      if (metrics && PUBLISH.has(trace.command)) {
        metrics.pubsubMessages.add(1, {
          "db.system.name": "redis",
          "server.address": trace.serverAddress,
          "redis.client.pubsub.message.direction": "publish",
          "redis.client.pubsub.sharded": trace.command === "SPUBLISH",
          ...(redact === false && trace.args[1] !== undefined
            ? { "redis.client.pubsub.channel": String(trace.args[1]) }
            : {}),
        });
      }
      const text = tracer ? queryText(trace.command, trace.args, redact) : undefined;
      return wrap(trace, trace.command, attributes, text, run);
    },

    traceBatch<T>(trace: BatchTrace, run: () => Promise<T>): Promise<T> {
      const attributes = baseAttributes(trace, trace.mode);
      // The conventions count only two or more operations as a batch.
      if (trace.size >= 2) attributes["db.operation.batch.size"] = trace.size;
      const text = tracer
        ? trace.commands.map((args) => queryText(commandName(args), args, redact)).join("; ")
        : undefined;
      return wrap(trace, trace.mode, attributes, text, run);
    },

    async traceConnect<T>(trace: ServerTarget, run: () => Promise<T>): Promise<T> {
      if (!metrics) return await run();
      const start = performance.now();
      try {
        return await run();
      } finally {
        metrics.connectionCreateTime.record((performance.now() - start) / 1000, {
          "db.system.name": "redis",
          "db.client.connection.pool.name": poolName(trace),
        });
      }
    },

    onEvent(event: InstrumentationEvent): void {
      if (metrics) recordEvent(metrics, event, redact, openByPool);
    },
  };
  return { observer, close: () => metrics?.connectionCount.removeCallback(reportCounts) };
}

/** The command name of an argv as the traces spell it: upper case, with a subcommand for container commands. */
function commandName(args: readonly unknown[]): string {
  const first = String(args[0] ?? "").toUpperCase();
  const second = args[1];
  if (CONTAINERS.has(first) && typeof second === "string") return `${first} ${second.toUpperCase()}`;
  return first;
}

/** Commands whose first argument names a subcommand. */
const CONTAINERS = new Set([
  "ACL",
  "CLIENT",
  "CLUSTER",
  "COMMAND",
  "CONFIG",
  "FUNCTION",
  "LATENCY",
  "MEMORY",
  "MODULE",
  "OBJECT",
  "SCRIPT",
  "SLOWLOG",
  "XGROUP",
  "XINFO",
]);

/** Turns one point event into measurements. */
function recordEvent(
  metrics: Instruments,
  event: InstrumentationEvent,
  redact: Redact,
  openByPool: Map<string, number>,
): void {
  const system = { "db.system.name": "redis" };
  switch (event.type) {
    case "pool-wait":
      metrics.connectionWaitTime.record(event.durationMs / 1000, {
        ...system,
        "db.client.connection.pool.name": event.address,
      });
      break;
    case "connection-open":
      openByPool.set(event.address, (openByPool.get(event.address) ?? 0) + 1);
      break;
    case "connection-close": {
      const open = (openByPool.get(event.address) ?? 0) - 1;
      if (open > 0) openByPool.set(event.address, open);
      else openByPool.delete(event.address);
      metrics.connectionClosed.add(1, {
        ...system,
        "db.client.connection.pool.name": event.address,
        "redis.client.connection.close.reason": event.error ? "error" : "application_close",
        ...(event.error ? errorAttributes(event.error) : {}),
      });
      break;
    }
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
