// OpenTelemetry on, as an application would run it, for the uniredis-otel variant: the SDK with the
// AsyncLocalStorage context manager, every span sampled and handed to a batch processor whose exporter
// discards, and a meter provider whose reader collects every 10 s (usually never within a run). The cost
// measured is uniredis/otel's plus the SDK's per span and measurement, not an exporter's.

import { pathToFileURL } from "node:url";
import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import {
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";

/** An exporter that drops what it is given. */
const discard = { export: (_items, done) => done({ code: 0 }), shutdown: () => Promise.resolve() };

export async function otelSetup(otelModulePath) {
  const { instrument } = await import(pathToFileURL(otelModulePath).href);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(discard)] });
  trace.setGlobalTracerProvider(tracerProvider);
  const meterProvider = new MeterProvider({
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new InMemoryMetricExporter(0),
        exportIntervalMillis: 10_000,
      }),
    ],
  });
  metrics.setGlobalMeterProvider(meterProvider);
  const options = { tracer: trace.getTracer("bench"), meter: metrics.getMeter("bench") };
  return { instrument: (client) => instrument(client, options) };
}
