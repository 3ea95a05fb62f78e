// The instrumentation point on a real 3×1 cluster: one scope for the whole client (every node's commands,
// with each node's address), a plain pipeline as one batch per node, MOVED and ASK as redirect events,
// topology refreshes as events.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type BatchTrace,
  type CommandTrace,
  type InstrumentationEvent,
  type InstrumentationObserver,
  keySlot,
  RedisCluster,
} from "../mod.ts";
import { startCluster } from "./harness/mod.ts";
import { keyInSlot, owns } from "./support/cluster.ts";

// One cluster for the whole file; the last test stops it.
const cluster = await startCluster();

function seed(): RedisCluster {
  return new RedisCluster({ startupNodes: [cluster.seeds[0]], topologyRefreshInterval: 0 });
}

function recorder(): {
  observer: InstrumentationObserver;
  commands: CommandTrace[];
  batches: BatchTrace[];
  events: InstrumentationEvent[];
} {
  const commands: CommandTrace[] = [];
  const batches: BatchTrace[] = [];
  const events: InstrumentationEvent[] = [];
  return {
    commands,
    batches,
    events,
    observer: {
      traceCommand: (trace, run) => (commands.push(trace), run()),
      traceBatch: (trace, run) => (batches.push(trace), run()),
      onEvent: (event) => events.push(event),
    },
  };
}

test("one scope sees every node's commands, each with its node's address; discovery is a refresh event", async () => {
  await using rc = seed();
  const seen = recorder();
  rc.instrumentation.add(seen.observer);
  await rc.initialize();
  const refresh = seen.events.find((e) => e.type === "cluster-refresh");
  assert.ok(refresh, "the discovery was reported");
  assert.equal(refresh.type === "cluster-refresh" && refresh.error, undefined);
  // One key per primary.
  const keys = cluster.primaries.map((node) => keyInSlot(node.slots[0][0], ":instr"));
  for (const key of keys) await rc.set(key, "v");
  const sets = seen.commands.filter((c) => c.command === "SET");
  assert.deepEqual(
    sets.map((c) => c.serverPort),
    keys.map((k) => cluster.primaries.find((n) => owns(n, keySlot(k)))!.port),
  );
});

test("a plain pipeline is one batch per node; its commands carry the pipeline's size", async () => {
  await using rc = seed();
  await rc.initialize();
  const seen = recorder();
  rc.instrumentation.add(seen.observer);
  const keys = cluster.primaries.flatMap((node) => [
    keyInSlot(node.slots[0][0], ":p1"),
    keyInSlot(node.slots[0][0], ":p2"),
  ]);
  const pipe = rc.pipeline({ transaction: false });
  for (const key of keys) pipe.set(key, "1");
  await pipe.exec();
  assert.equal(seen.batches.length, cluster.primaries.length);
  for (const batch of seen.batches) {
    assert.equal(batch.mode, "PIPELINE");
    assert.equal(batch.size, 2, "two commands went to each node");
    const node = cluster.primaries.find((n) => n.port === batch.serverPort)!;
    assert.ok(batch.commands.every((args) => owns(node, keySlot(String(args[1])))));
  }
  const tagged = seen.commands.filter((c) => c.command === "SET");
  assert.ok(tagged.every((c) => c.batchMode === "PIPELINE" && c.batchSize === keys.length));
});

test("MOVED after a reshard and ASK during a migration are redirect events", async () => {
  await using rc = seed();
  await rc.initialize();
  const seen = recorder();
  rc.instrumentation.add(seen.observer);
  const from = cluster.primaries[0];
  const to = cluster.primaries[1];
  const slot = from.slots[0][0] + 11;
  const key = keyInSlot(slot, ":moved");
  await rc.set(key, "1");
  await cluster.migrateSlot(slot, from, to);
  try {
    assert.equal(await rc.get(key), "1");
  } finally {
    await cluster.migrateSlot(slot, to, from);
  }
  const moved = seen.events.filter((e) => e.type === "cluster-redirect" && e.kind === "MOVED");
  assert.deepEqual(moved.map((e) => e.type === "cluster-redirect" && [e.slot, e.to]), [[
    slot,
    `${to.host}:${to.port}`,
  ]]);

  const askSlot = from.slots[0][0] + 12;
  const migrated = keyInSlot(askSlot, ":a");
  await rc.set(migrated, "2");
  await cluster.migrateSlot(askSlot, from, to, { finish: false, keys: [migrated] });
  try {
    assert.equal(await rc.get(migrated), "2");
  } finally {
    await cluster.finishMigration(askSlot);
    await cluster.migrateSlot(askSlot, to, from);
  }
  const ask = seen.events.filter((e) => e.type === "cluster-redirect" && e.kind === "ASK");
  assert.deepEqual(ask.map((e) => e.type === "cluster-redirect" && [e.slot, e.to]), [[
    askSlot,
    `${to.host}:${to.port}`,
  ]]);
});

test("stop the cluster", async () => {
  await cluster.stop();
});
