// Diagnostics channels against a real server: a subscriber of the tracing channels uniredis:command,
// uniredis:batch and uniredis:connect sees start/end/asyncStart/asyncEnd (and error) with node-redis's
// context field names, values other than keys redacted; point events arrive on their plain channels; and
// nothing is published while nobody subscribes (the observer is inactive, a later subscriber sees only
// later commands).

import { test } from "node:test";
import assert from "node:assert/strict";
import dc from "node:diagnostics_channel";
import { CHANNELS, ConnectionError, Redis, ResponseError } from "../mod.ts";
import { type CommandContext, diagnosticsObserver } from "../observers/diagnostics_channel.ts";
import { freePort, sharedRedis } from "./harness/mod.ts";

type Phase = "start" | "end" | "asyncStart" | "asyncEnd" | "error";
const PHASES: Phase[] = ["start", "end", "asyncStart", "asyncEnd", "error"];

/** Subscribes to every phase of a tracing channel; returns what it saw and the unsubscribe. */
function watch(name: string): { seen: { phase: Phase; ctx: Record<string, unknown> }[]; stop: () => void } {
  const seen: { phase: Phase; ctx: Record<string, unknown> }[] = [];
  const handlers = PHASES.map((phase) => {
    const handler = (ctx: unknown) => seen.push({ phase, ctx: ctx as Record<string, unknown> });
    dc.subscribe(`tracing:${name}:${phase}`, handler);
    return [phase, handler] as const;
  });
  return {
    seen,
    stop: () => {
      for (const [phase, handler] of handlers) dc.unsubscribe(`tracing:${name}:${phase}`, handler);
    },
  };
}

test("nobody subscribed: the observer is inactive and a later subscriber sees only later commands", async () => {
  const s = await sharedRedis("plain");
  await using r = new Redis({ host: s.host, port: s.port });
  assert.equal(diagnosticsObserver.active, false);
  await r.set("dc:before", "1");
  const w = watch(CHANNELS.COMMAND);
  try {
    assert.equal(diagnosticsObserver.active, true);
    await r.get("dc:after");
  } finally {
    w.stop();
  }
  assert.equal(diagnosticsObserver.active, false);
  await r.get("dc:after-stop");
  const commands = w.seen.filter((e) => e.phase === "start").map((e) => e.ctx.args);
  assert.deepEqual(commands, [["GET", "dc:after"]]);
});

test("uniredis:command: start, end, asyncStart, asyncEnd with node-redis's fields; error on failure", async () => {
  const s = await sharedRedis("plain");
  await using r = new Redis({ host: s.host, port: s.port, db: 2 });
  await r.ping(); // connected before watching
  const w = watch(CHANNELS.COMMAND);
  try {
    await r.set("dc:k", "secret-value", { ex: 60 });
    await r.lpush("dc:list", "a");
    await assert.rejects(r.incr("dc:list"), ResponseError);
  } finally {
    w.stop();
  }
  const set = w.seen.filter((e) => e.ctx.command === "SET");
  assert.deepEqual(set.map((e) => e.phase), ["start", "end", "asyncStart", "asyncEnd"]);
  const ctx = set[0].ctx as unknown as CommandContext;
  assert.equal(set[3].ctx, set[0].ctx, "one context object from start to asyncEnd");
  assert.deepEqual(ctx.args, ["SET", "dc:k", "?", "?", "?"], "the value is never published");
  assert.equal(ctx.database, 2);
  assert.equal(ctx.serverAddress, s.host);
  assert.equal(ctx.serverPort, s.port);
  assert.equal(ctx.keyCount, 1);
  assert.equal(ctx.batchMode, undefined);
  assert.equal(ctx.result, true);
  const incr = w.seen.filter((e) => e.ctx.command === "INCR");
  assert.deepEqual(incr.map((e) => e.phase), ["start", "end", "error", "asyncStart", "asyncEnd"]);
  assert.ok(incr[2].ctx.error instanceof ResponseError);
});

test("uniredis:batch: one transaction; its commands carry batchMode and batchSize", async () => {
  const s = await sharedRedis("plain");
  await using r = new Redis({ host: s.host, port: s.port });
  await r.ping();
  const batches = watch(CHANNELS.BATCH);
  const commands = watch(CHANNELS.COMMAND);
  try {
    await r.pipeline().set("dc:t1", "x").incr("dc:t2").exec();
    await r.pipeline({ transaction: false }).get("dc:t1").exec();
  } finally {
    batches.stop();
    commands.stop();
  }
  const starts = batches.seen.filter((e) => e.phase === "start").map((e) => e.ctx);
  assert.deepEqual(starts.map((c) => [c.batchMode, c.batchSize]), [["MULTI", 2], ["PIPELINE", 1]]);
  assert.equal(starts[0].serverPort, s.port);
  assert.deepEqual(
    batches.seen.filter((e) => e.ctx === starts[0]).map((e) => e.phase),
    ["start", "end", "asyncStart", "asyncEnd"],
  );
  const inBatch = commands.seen.filter((e) => e.phase === "start").map((e) => [
    e.ctx.command,
    e.ctx.batchMode,
    e.ctx.batchSize,
  ]);
  assert.deepEqual(inBatch, [
    ["MULTI", "MULTI", 2],
    ["SET", "MULTI", 2],
    ["INCR", "MULTI", 2],
    ["EXEC", "MULTI", 2],
    ["GET", "PIPELINE", 1],
  ]);
});

test("uniredis:connect: a connect and a failed connect", async () => {
  const s = await sharedRedis("plain");
  const port = await freePort(); // nothing listens there
  const w = watch(CHANNELS.CONNECT);
  try {
    await using ok = new Redis({ host: s.host, port: s.port });
    await ok.ping();
    await using down = new Redis({ host: "127.0.0.1", port, socketConnectTimeout: 2_000 });
    await assert.rejects(down.ping(), ConnectionError);
  } finally {
    w.stop();
  }
  const good = w.seen.filter((e) => e.ctx.serverPort === s.port).map((e) => e.phase);
  assert.deepEqual(good, ["start", "end", "asyncStart", "asyncEnd"]);
  const bad = w.seen.filter((e) => e.ctx.serverPort === port);
  assert.deepEqual(bad.map((e) => e.phase), ["start", "end", "error", "asyncStart", "asyncEnd"]);
  assert.ok(bad[2].ctx.error instanceof ConnectionError);
  assert.equal(bad[0].ctx.tls, false);
  assert.equal(bad[0].ctx.database, 0);
});

test("point events: connection ready and closed on their plain channels", async () => {
  const s = await sharedRedis("plain");
  const seen: [string, unknown][] = [];
  const ready = (m: unknown) => seen.push(["ready", m]);
  const closed = (m: unknown) => seen.push(["closed", m]);
  dc.subscribe(CHANNELS.CONNECTION_READY, ready);
  dc.subscribe(CHANNELS.CONNECTION_CLOSED, closed);
  try {
    const r = new Redis({ host: s.host, port: s.port });
    await r.ping();
    await r.close();
  } finally {
    dc.unsubscribe(CHANNELS.CONNECTION_READY, ready);
    dc.unsubscribe(CHANNELS.CONNECTION_CLOSED, closed);
  }
  const mine = seen.filter(([, m]) => (m as { address: string }).address === `${s.host}:${s.port}`);
  assert.deepEqual(mine.map(([kind]) => kind), ["ready", "closed"]);
  assert.equal((mine[1][1] as { error: unknown }).error, undefined, "closed by the client: no error");
});
