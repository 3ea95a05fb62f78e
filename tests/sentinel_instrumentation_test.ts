// The instrumentation point on a real sentinel topology (1 master, 2 replicas, 3 sentinels): a
// sentinel-managed client's scope sees its commands and connects with the address the sentinels gave, and
// a SENTINEL FAILOVER as a sentinel-failover event naming the service and both masters.

import { test } from "node:test";
import assert from "node:assert/strict";
import { type CommandTrace, type ConnectTrace, type InstrumentationEvent, Sentinel } from "../mod.ts";
import { startSentinel } from "./harness/mod.ts";
import { waitFor } from "./support/async.ts";

const topo = await startSentinel();

test("a sentinel-managed client: commands at the master's address, then a failover event", async () => {
  await topo.waitReady();
  await using sentinel = new Sentinel(topo.sentinelAddresses);
  const master = sentinel.masterFor(topo.masterName, { socketTimeout: 2_000 });
  const commands: CommandTrace[] = [];
  const connects: ConnectTrace[] = [];
  const events: InstrumentationEvent[] = [];
  master.instrumentation.add({
    traceCommand: (trace, run) => (commands.push(trace), run()),
    traceConnect: (trace, run) => run().finally(() => connects.push(trace)),
    onEvent: (event) => events.push(event),
  });
  const old = topo.master;
  await master.set("instr:sentinel", "1");
  assert.equal(connects[0].serverPort, old.port, "the connect reports the address the sentinels gave");
  // Sent before the connect resolved the address: the trace has it by the end.
  assert.equal(commands.find((c) => c.command === "SET")!.serverPort, old.port);

  const { to } = await topo.failover();
  const failover = () =>
    events.find((e): e is Extract<InstrumentationEvent, { type: "sentinel-failover" }> =>
      e.type === "sentinel-failover"
    );
  assert.ok(
    await waitFor(async () => {
      await master.set("instr:sentinel", "2").catch(() => {});
      return failover() !== undefined;
    }, 15_000),
    "the switch was reported",
  );
  const event = failover()!;
  assert.equal(event.serviceName, topo.masterName);
  assert.equal(event.from, `${old.host}:${old.port}`);
  assert.equal(event.to, `${to.host}:${to.port}`);
});

test("stop the topology", async () => {
  await topo.stop();
});
