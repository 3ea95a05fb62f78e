// OpenTelemetry on the clients a Sentinel hands out, against a real topology (1 master, 2 replicas, 3
// sentinels, passwords on the data nodes): masterFor's spans name the master, slaveFor's a replica,
// and no span or measurement carries the password.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Sentinel } from "../mod.ts";
import { instrument } from "../otel.ts";
import { startSentinel } from "./harness/mod.ts";
import { otelSdk } from "./support/otel.ts";

const DATA_PW = "data-pw-0tel-N3ver-Sh0w";
const topo = await startSentinel({ password: DATA_PW });

test("masterFor and slaveFor clients: spans name the node that served them, never the password", async () => {
  const sdk = otelSdk();
  await using sentinel = new Sentinel(topo.sentinelAddresses, { password: DATA_PW });
  const master = sentinel.masterFor(topo.masterName);
  const replica = sentinel.slaveFor(topo.masterName);
  const instrumented = [master, replica].map((c) =>
    instrument(c, { tracer: sdk.tracer, meter: sdk.meter, redact: false })
  );
  try {
    await master.set("otel:s", "v");
    await replica.get("otel:s");
    const [set] = sdk.spans().filter((s) => s.name === "SET");
    assert.equal(set.attributes["server.port"], topo.master.port);
    assert.equal(set.attributes["db.query.text"], "SET otel:s v");
    const [get] = sdk.spans().filter((s) => s.name === "GET");
    const replicaPorts = topo.replicas.map((n) => n.port);
    assert.ok(
      replicaPorts.includes(Number(get.attributes["server.port"])),
      `${get.attributes["server.port"]}`,
    );
    const duration = await sdk.metric("db.client.operation.duration");
    const seen = JSON.stringify([
      sdk.spans().map((s) => [s.name, s.attributes, s.events, s.status]),
      duration?.dataPoints.map((p) => p.attributes),
    ]);
    assert.ok(!seen.includes(DATA_PW));
  } finally {
    for (const i of instrumented) i.remove();
    await master.close();
    await replica.close();
    await sdk.shutdown();
  }
});

test("stop the topology", async () => {
  await topo.stop();
});
