// OpenTelemetry (`@uniredis/redis/otel`) against a real server, recorded by the SDK's in-memory exporter and
// an on-demand metric reader: span attributes per the database semantic conventions, parenting to the
// active span, error and batch spans, redaction, and the duration histogram's counts against the server's
// own INFO commandstats for the same run.

import { test } from "node:test";
import assert from "node:assert/strict";
import { CacheConfig, DataError, Redis } from "../mod.ts";
import { DURATION_BUCKETS, instrument, type Redact } from "../otel.ts";
import { rawCommand, startRedis } from "./harness/mod.ts";
import { type DataPoint, type Histogram, otelSdk, type ReadableSpan } from "./support/otel.ts";

const server = await startRedis();
const SPAN_KIND_CLIENT = 2;
const STATUS_ERROR = 2;

/** A client on the test server with its own SDK and instrumentation. */
function setup(options: { db?: number; redact?: Redact } = {}) {
  const sdk = otelSdk();
  const r = new Redis({ host: server.host, port: server.port, db: options.db ?? 0 });
  const otel = instrument(r, { tracer: sdk.tracer, meter: sdk.meter, redact: options.redact });
  return {
    sdk,
    r,
    async [Symbol.asyncDispose]() {
      otel.remove();
      await r.close();
      await sdk.shutdown();
    },
  };
}

/** The finished spans named `name`. */
function named(spans: ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((s) => s.name === name);
}

/** `calls` per command (lower case) from INFO commandstats, read over a raw connection. */
async function commandCalls(): Promise<Map<string, number>> {
  const info = String(await rawCommand({ host: server.host, port: server.port }, "INFO", "commandstats"));
  const calls = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1], Number(m[2]));
  return calls;
}

test("a command is a CLIENT span named by the command, with the database conventions' attributes", async () => {
  await using t = setup({ db: 3 });
  await t.r.set("otel:k", "v");
  assert.equal(await t.r.get("otel:k"), "v");
  const [set] = named(t.sdk.spans(), "SET");
  const [get] = named(t.sdk.spans(), "GET");
  assert.ok(set && get, `spans: ${t.sdk.spans().map((s) => s.name)}`);
  assert.equal(get.kind, SPAN_KIND_CLIENT);
  assert.deepEqual(get.attributes, {
    "db.system.name": "redis",
    "db.operation.name": "GET",
    "db.namespace": "3",
    "server.address": server.host,
    "server.port": server.port,
    "db.query.text": "GET ?",
  });
  assert.equal(set.attributes["db.query.text"], "SET ? ?");
  assert.notEqual(get.status.code, STATUS_ERROR);
});

test("a command's span is a child of the caller's active span", async () => {
  await using t = setup();
  await t.sdk.tracer.startActiveSpan("request", async (parent) => {
    try {
      await t.r.set("otel:parent", "1");
      await t.r.get("otel:parent");
    } finally {
      parent.end();
    }
  });
  const [request] = named(t.sdk.spans(), "request");
  for (const name of ["SET", "GET"]) {
    const [span] = named(t.sdk.spans(), name);
    assert.ok(span, name);
    assert.equal(span.spanContext().traceId, request.spanContext().traceId, name);
    assert.equal(span.parentSpanContext?.spanId, request.spanContext().spanId, name);
  }
  // Outside any active span, a command starts its own trace.
  await t.r.get("otel:parent");
  const lone = named(t.sdk.spans(), "GET").at(-1)!;
  assert.equal(lone.parentSpanContext, undefined);
  assert.notEqual(lone.spanContext().traceId, request.spanContext().traceId);
});

test("an error reply ends the span with status ERROR, error.type, the status code and the exception", async () => {
  await using t = setup();
  await t.r.set("otel:str", "text");
  const error = await t.r.lpush("otel:str", "x").then(() => undefined, (e: Error) => e);
  assert.ok(error);
  const [span] = named(t.sdk.spans(), "LPUSH");
  assert.equal(span.status.code, STATUS_ERROR);
  assert.equal(span.status.message, error.message);
  assert.equal(span.attributes["error.type"], error.constructor.name);
  assert.equal(span.attributes["db.response.status_code"], "WRONGTYPE");
  assert.equal(span.events.filter((e) => e.name === "exception").length, 1);
  const duration = await t.sdk.metric("db.client.operation.duration");
  const failed = duration?.dataPoints.find((p) => p.attributes["db.operation.name"] === "LPUSH");
  assert.equal(failed?.attributes["error.type"], error.constructor.name);
  const errors = await t.sdk.metric("redis.client.errors");
  assert.equal(
    errors?.dataPoints.find((p) => p.attributes["error.type"] === error.constructor.name)?.value,
    1,
  );
});

test("a pipeline is one PIPELINE span and a transaction one MULTI span, with db.operation.batch.size", async () => {
  await using t = setup();
  await t.r.pipeline({ transaction: false }).set("otel:p", "1").get("otel:p").incr("otel:n").exec();
  await t.r.pipeline().set("otel:m", "1").incr("otel:m").exec();
  const spans = t.sdk.spans();
  assert.deepEqual(spans.map((s) => s.name).sort(), ["MULTI", "PIPELINE"]);
  const [pipeline] = named(spans, "PIPELINE");
  assert.equal(pipeline.kind, SPAN_KIND_CLIENT);
  assert.equal(pipeline.attributes["db.operation.name"], "PIPELINE");
  assert.equal(pipeline.attributes["db.operation.batch.size"], 3);
  assert.equal(pipeline.attributes["db.query.text"], "SET ? ?; GET ?; INCR ?");
  assert.equal(pipeline.attributes["server.port"], server.port);
  const [multi] = named(spans, "MULTI");
  assert.equal(multi.attributes["db.operation.batch.size"], 2);
  assert.equal(multi.attributes["db.query.text"], "SET ? ?; INCR ?");
});

test("redaction: values shown with redact: false, a function's text, credentials never", async () => {
  {
    await using t = setup({ redact: false });
    await t.r.set("otel:r", "two words");
    await t.r.sendCommand("AUTH", "someone", "hunter2").catch(() => {});
    assert.equal(named(t.sdk.spans(), "SET")[0].attributes["db.query.text"], 'SET otel:r "two words"');
    const [auth] = named(t.sdk.spans(), "AUTH");
    assert.equal(auth.attributes["db.query.text"], "AUTH ? ?");
    assert.ok(
      !JSON.stringify(t.sdk.spans().map((s) => [s.attributes, s.events, s.status])).includes("hunter2"),
    );
  }
  {
    await using t = setup({ redact: (command, args) => `${command} ${args.length - 1} args` });
    await t.r.set("otel:r", "v");
    assert.equal(named(t.sdk.spans(), "SET")[0].attributes["db.query.text"], "SET 2 args");
  }
});

test("db.client.operation.duration counts agree with INFO commandstats for the same run", async () => {
  await using t = setup();
  await t.r.ping(); // connected: the handshake is not part of the run
  const before = await commandCalls();
  const runs = { set: 5, get: 7, incr: 3, del: 2 };
  for (let i = 0; i < runs.set; i++) await t.r.set(`otel:c${i}`, i);
  await Promise.all(Array.from({ length: runs.get }, (_, i) => t.r.get(`otel:c${i}`)));
  for (let i = 0; i < runs.incr; i++) await t.r.incr("otel:counter");
  for (let i = 0; i < runs.del; i++) await t.r.del(`otel:c${i}`);
  const after = await commandCalls();
  const duration = await t.sdk.metric("db.client.operation.duration");
  assert.ok(duration);
  assert.equal(duration.descriptor.unit, "s");
  const points = duration.dataPoints as DataPoint<Histogram>[];
  for (const [name, n] of Object.entries(runs)) {
    const point = points.find((p) => p.attributes["db.operation.name"] === name.toUpperCase());
    assert.ok(point, name);
    const serverCalls = (after.get(name) ?? 0) - (before.get(name) ?? 0);
    assert.equal(serverCalls, n, `server ${name}`);
    assert.equal(point.value.count, serverCalls, `client ${name}`);
    assert.deepEqual(point.value.buckets.boundaries, DURATION_BUCKETS);
    assert.equal(point.attributes["db.system.name"], "redis");
    assert.equal(point.attributes["server.port"], server.port);
    assert.equal(point.attributes["db.query.text"], undefined); // high cardinality: spans only
  }
  // Nothing left pending, and the pool reports its connection.
  const pending = await t.sdk.metric("db.client.connection.pending_requests");
  assert.deepEqual(
    pending?.dataPoints.map((p) => [p.attributes["db.client.connection.pool.name"], p.value]),
    [[`${server.host}:${server.port}`, 0]],
  );
  const count = await t.sdk.metric("db.client.connection.count");
  const used = count?.dataPoints.find((p) => p.attributes["db.client.connection.state"] === "used");
  assert.equal(used?.value, 1);
  assert.equal(used?.attributes["db.client.connection.pool.name"], `${server.host}:${server.port}`);
});

test("client-side cache: csc requests by hit and miss (misses = the server's GETs), evictions on invalidation", async () => {
  const sdk = otelSdk();
  const cached = new Redis({ host: server.host, port: server.port, cache: new CacheConfig() });
  const writer = new Redis({ host: server.host, port: server.port });
  const otel = instrument(cached, { meter: sdk.meter });
  try {
    await cached.set("otel:csc", "1");
    const before = (await commandCalls()).get("get") ?? 0;
    for (let i = 0; i < 3; i++) assert.equal(await cached.get("otel:csc"), "1"); // a miss, then two hits
    await writer.set("otel:csc", "2");
    // The invalidation push reaches the cached client's connection before the reply to its next command.
    await cached.ping();
    assert.equal(await cached.get("otel:csc"), "2"); // a miss
    const serverGets = ((await commandCalls()).get("get") ?? 0) - before;
    const requests = await sdk.metric("redis.client.csc.requests");
    const count = (result: string) =>
      requests?.dataPoints.find((p) => p.attributes["redis.client.csc.result"] === result)?.value;
    assert.equal(count("hit"), 2);
    assert.equal(count("miss"), 2);
    assert.equal(serverGets, 2);
    const evictions = await sdk.metric("redis.client.csc.evictions");
    const invalidated = evictions?.dataPoints.find((p) =>
      p.attributes["redis.client.csc.reason"] === "invalidation"
    );
    assert.ok(Number(invalidated?.value) >= 1);
  } finally {
    await writer.close();
    await cached.close();
    otel.remove();
  }
  // Closing the client closed its connection, as the application asked.
  const closed = await sdk.metric("redis.client.connection.closed");
  const reasons = closed?.dataPoints.map((p) => p.attributes["redis.client.connection.close.reason"]);
  assert.deepEqual(reasons, ["application_close"]);
  await sdk.shutdown();
});

test("pub/sub: messages published and received are counted, channel names only with redact: false", async () => {
  for (const redact of [true, false]) {
    const sdk = otelSdk();
    const r = new Redis({ host: server.host, port: server.port });
    const otel = instrument(r, { meter: sdk.meter, redact });
    const ps = r.pubsub();
    try {
      await ps.subscribe("otel:chan");
      for (let i = 0; i < 3; i++) await r.publish("otel:chan", `m${i}`);
      let received = 0;
      while (received < 3) if ((await ps.getMessage({ timeout: 5 }))?.type === "message") received++;
      const messages = await sdk.metric("redis.client.pubsub.messages");
      const by = (direction: string) =>
        messages?.dataPoints.find((p) => p.attributes["redis.client.pubsub.message.direction"] === direction);
      for (const direction of ["publish", "receive"]) {
        const point = by(direction);
        assert.equal(point?.value, 3, `${direction}, redact ${redact}`);
        assert.equal(point?.attributes["redis.client.pubsub.channel"], redact ? undefined : "otel:chan");
        assert.equal(point?.attributes["redis.client.pubsub.sharded"], false);
      }
    } finally {
      await ps.close();
      otel.remove();
      await r.close();
      await sdk.shutdown();
    }
  }
});

test("remove() stops spans and metrics; bad options are a DataError", async () => {
  const sdk = otelSdk();
  const r = new Redis({ host: server.host, port: server.port });
  try {
    const otel = instrument(r, { tracer: sdk.tracer, meter: sdk.meter });
    await r.ping();
    otel.remove();
    otel.remove();
    await r.ping();
    assert.equal(named(sdk.spans(), "PING").length, 1);
    assert.throws(() => instrument({}, { tracer: sdk.tracer }), DataError);
    assert.throws(() => instrument(r, { tracer: {} as never }), DataError);
    assert.throws(() => instrument(r, { redact: "yes" as never }), DataError);
  } finally {
    await r.close();
    await sdk.shutdown();
  }
});

test("stop the server", async () => {
  await server.stop();
});
