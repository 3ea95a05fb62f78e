// OpenTelemetry on a RedisCluster against a real 3×1 cluster: each command's span and measurement name the
// node that served it (server.address/server.port, checked against the slot owner), per-node duration
// counts agree with each node's INFO commandstats, a transaction is one MULTI span on the slot's owner and a
// cross-node pipeline one PIPELINE span per node.

import { test } from "node:test";
import assert from "node:assert/strict";
import { keySlot, RedisCluster } from "../mod.ts";
import { instrument } from "../otel.ts";
import { startCluster } from "./harness/mod.ts";
import { owns, probes } from "./support/cluster.ts";
import { type DataPoint, type Histogram, otelSdk } from "./support/otel.ts";

// One cluster for the whole file; the last test stops it.
const cluster = await startCluster();
const { calls } = probes(cluster);

/** 30 keys, at least one owned by each primary. */
const KEYS = Array.from({ length: 30 }, (_, i) => `otel:${i}`);

test("each command's span names the node that served it; per-node counts agree with INFO commandstats", async () => {
  const sdk = otelSdk();
  await using rc = new RedisCluster({ startupNodes: [cluster.seeds[0]], topologyRefreshInterval: 0 });
  const otel = instrument(rc, { tracer: sdk.tracer, meter: sdk.meter, redact: false });
  try {
    await rc.initialize();
    const before = await Promise.all(cluster.primaries.map((n) => calls(n, "set")));
    for (const key of KEYS) await rc.set(key, "v");
    const after = await Promise.all(cluster.primaries.map((n) => calls(n, "set")));

    const sets = sdk.spans().filter((s) => s.name === "SET");
    assert.equal(sets.length, KEYS.length);
    for (const span of sets) {
      const key = String(span.attributes["db.query.text"]).split(" ")[1];
      const owner = cluster.primaries.find((n) => owns(n, keySlot(key)));
      assert.ok(owner, key);
      assert.equal(span.attributes["server.address"], owner.host, key);
      assert.equal(span.attributes["server.port"], owner.port, key);
      assert.equal(span.attributes["db.namespace"], "0");
      assert.equal(span.attributes["db.system.name"], "redis");
    }
    assert.equal(new Set(sets.map((s) => s.attributes["server.port"])).size, cluster.primaries.length);

    const duration = await sdk.metric("db.client.operation.duration");
    const points = (duration?.dataPoints ?? []) as DataPoint<Histogram>[];
    for (const [j, node] of cluster.primaries.entries()) {
      const point = points.find((p) =>
        p.attributes["db.operation.name"] === "SET" && p.attributes["server.port"] === node.port
      );
      assert.equal(point?.value.count, after[j] - before[j], node.name);
    }
  } finally {
    otel.remove();
    await sdk.shutdown();
  }
});

test("a transaction is one MULTI span on the slot's owner, with db.operation.batch.size", async () => {
  const sdk = otelSdk();
  await using rc = new RedisCluster({ startupNodes: [cluster.seeds[0]], topologyRefreshInterval: 0 });
  const otel = instrument(rc, { tracer: sdk.tracer });
  try {
    await rc.initialize();
    await rc.pipeline().set("{otel}a", "1").incr("{otel}n").get("{otel}a").exec();
    const owner = cluster.primaries.find((n) => owns(n, keySlot("{otel}a")))!;
    const spans = sdk.spans().filter((s) => s.name !== "CLUSTER SHARDS" && s.name !== "CLUSTER SLOTS");
    assert.deepEqual(spans.map((s) => s.name), ["MULTI"]);
    assert.equal(spans[0].attributes["server.port"], owner.port);
    assert.equal(spans[0].attributes["db.operation.batch.size"], 3);
    assert.equal(spans[0].attributes["db.query.text"], "SET ? ?; INCR ?; GET ?");
  } finally {
    otel.remove();
    await sdk.shutdown();
  }
});

test("a cross-node pipeline is one PIPELINE span per node, the batch sizes adding up", async () => {
  const sdk = otelSdk();
  await using rc = new RedisCluster({ startupNodes: [cluster.seeds[0]], topologyRefreshInterval: 0 });
  const otel = instrument(rc, { tracer: sdk.tracer });
  try {
    await rc.initialize();
    const pipe = rc.pipeline({ transaction: false });
    for (const key of KEYS) pipe.set(key, "p");
    await pipe.exec();
    const pipelines = sdk.spans().filter((s) => s.name === "PIPELINE");
    const ports = pipelines.map((s) => s.attributes["server.port"]).sort();
    assert.deepEqual(ports, cluster.primaries.map((n) => n.port).sort());
    for (const span of pipelines) {
      const node = cluster.primaries.find((n) => n.port === span.attributes["server.port"])!;
      const mine = KEYS.filter((k) => owns(node, keySlot(k))).length;
      assert.equal(span.attributes["db.operation.batch.size"], mine >= 2 ? mine : undefined, node.name);
    }
    assert.equal(sdk.spans().filter((s) => s.name === "SET").length, 0);
  } finally {
    otel.remove();
    await sdk.shutdown();
  }
});

test("stop the cluster", async () => {
  await cluster.stop();
});
