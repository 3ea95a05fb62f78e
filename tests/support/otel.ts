// The OpenTelemetry SDK wired for tests: spans into an in-memory exporter, metrics collected on demand,
// and the AsyncLocalStorage context manager so an active span parents the client's spans.

import { context, type Meter, type Tracer } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import {
  type DataPoint,
  type Histogram,
  MeterProvider,
  type MetricData,
  MetricReader,
} from "@opentelemetry/sdk-metrics";

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

/** A reader that collects only when asked. */
class OnDemandReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** One SDK setup: its tracer, meter, finished spans and collected metrics. */
export interface OtelSdk {
  readonly tracer: Tracer;
  readonly meter: Meter;
  spans(): ReadableSpan[];
  metric(name: string): Promise<MetricData | undefined>;
  shutdown(): Promise<void>;
}

/** A fresh SDK (no global providers: each test owns its tracer and meter). */
export function otelSdk(): OtelSdk {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new OnDemandReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    tracer: provider.getTracer("uniredis-test"),
    meter: meterProvider.getMeter("uniredis-test"),
    spans: () => exporter.getFinishedSpans(),
    async metric(name) {
      const { resourceMetrics } = await reader.collect();
      for (const scope of resourceMetrics.scopeMetrics) {
        const found = scope.metrics.find((m) => m.descriptor.name === name);
        if (found) return found;
      }
      return undefined;
    },
    async shutdown() {
      await provider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

export type { DataPoint, Histogram, MetricData, ReadableSpan };
