// The instrumentation point against a real server: observers added globally (`addObserver`) and to one
// client's scope (`client.instrumentation`) see commands (name, key count, address, db, error class),
// pipelines and transactions (one batch trace, each command tagged with the batch), connects (failed ones
// too), and the point events: pool wait, retry, reconnect, pub/sub message, cache hit/miss/invalidation.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  addObserver,
  type BatchTrace,
  BlockingConnectionPool,
  CacheConfig,
  type CommandTrace,
  ConnectionError,
  type ConnectTrace,
  DataError,
  type InstrumentationEvent,
  type InstrumentationObserver,
  InstrumentationScope,
  MaxConnectionsError,
  NoBackoff,
  Redis,
  ResponseError,
  Retry,
} from "../mod.ts";
import { freePort, sharedRedis } from "./harness/mod.ts";
import { waitFor } from "./support/async.ts";

interface Seen {
  commands: { trace: CommandTrace; outcome: "ok" | string }[];
  batches: { trace: BatchTrace; outcome: "ok" | string }[];
  connects: { trace: ConnectTrace; outcome: "ok" | string }[];
  events: InstrumentationEvent[];
}

/** An observer that records what it sees, with each outcome (`"ok"` or the error's class name). */
function recorder(): { observer: InstrumentationObserver; seen: Seen } {
  const seen: Seen = { commands: [], batches: [], connects: [], events: [] };
  const wrap = <R, T>(list: { trace: R; outcome: string }[], trace: R, run: () => Promise<T>) => {
    const entry = { trace, outcome: "pending" };
    list.push(entry);
    return run().then((value) => {
      entry.outcome = "ok";
      return value;
    }, (error) => {
      entry.outcome = (error as Error).constructor.name;
      throw error;
    });
  };
  return {
    seen,
    observer: {
      traceCommand: (trace, run) => wrap(seen.commands, trace, run),
      traceBatch: (trace, run) => wrap(seen.batches, trace, run),
      traceConnect: (trace, run) => wrap(seen.connects, trace, run),
      onEvent: (event) => seen.events.push(event),
    },
  };
}

test("a client's scope sees each command with its name, keys, server, db and outcome", async () => {
  const s = await sharedRedis("plain");
  await using r = new Redis({ host: s.host, port: s.port, db: 3 });
  const { observer, seen } = recorder();
  const remove = r.instrumentation.add(observer);
  await r.set("instr:a", "1");
  await r.mget(["instr:a", "instr:b"]);
  await assert.rejects(r.incr("instr:a:x").then(() => r.lpush("instr:a", "v")), ResponseError);
  remove();
  await r.get("instr:a"); // after removal: not seen

  const names = seen.commands.map((c) => c.trace.command).filter((n) => n !== "HELLO");
  assert.deepEqual(names, ["SET", "MGET", "INCR", "LPUSH"]);
  const set = seen.commands.find((c) => c.trace.command === "SET")!;
  assert.equal(set.trace.keyCount, 1);
  assert.equal(set.trace.serverAddress, s.host);
  assert.equal(set.trace.serverPort, s.port);
  assert.equal(set.trace.database, 3);
  assert.equal(set.trace.batchMode, undefined);
  assert.equal(set.outcome, "ok");
  assert.deepEqual(set.trace.args, ["SET", "instr:a", "1"]);
  assert.equal(seen.commands.find((c) => c.trace.command === "MGET")!.trace.keyCount, 2);
  // The server's WRONGTYPE reply ends the command's trace with the error.
  assert.equal(seen.commands.find((c) => c.trace.command === "LPUSH")!.outcome, "ResponseError");
  // The first command connected: one connect trace, with the server and TLS off.
  assert.equal(seen.connects.length, 1);
  assert.equal(seen.connects[0].trace.serverPort, s.port);
  assert.equal(seen.connects[0].trace.tls, false);
  assert.equal(seen.connects[0].outcome, "ok");
  assert.ok(seen.events.some((e) => e.type === "connection-open"));
});

test("a scope does not see other clients; a global observer sees every client", async () => {
  const s = await sharedRedis("plain");
  await using a = new Redis({ host: s.host, port: s.port });
  await using b = new Redis({ host: s.host, port: s.port });
  const own = recorder();
  const global = recorder();
  const removeOwn = a.instrumentation.add(own.observer);
  const removeGlobal = addObserver(global.observer);
  try {
    await a.echo("from-a");
    await b.echo("from-b");
  } finally {
    removeOwn();
    removeGlobal();
  }
  const echoed = (seen: Seen) =>
    seen.commands.filter((c) => c.trace.command === "ECHO").map((c) => c.trace.args[1]);
  assert.deepEqual(echoed(own.seen), ["from-a"]);
  assert.deepEqual(echoed(global.seen), ["from-a", "from-b"]);
  assert.notEqual(a.instrumentation, b.instrumentation);
});

test("an inactive observer is skipped; a shared scope given as an option observes several clients", async () => {
  const s = await sharedRedis("plain");
  const scope = new InstrumentationScope();
  await using a = new Redis({ host: s.host, port: s.port, instrumentation: scope });
  await using b = new Redis({ host: s.host, port: s.port, instrumentation: scope });
  assert.equal(a.instrumentation, scope);
  const { observer, seen } = recorder();
  let active = false;
  scope.add({
    get active() {
      return active;
    },
    traceCommand: observer.traceCommand,
  });
  assert.equal(scope.active, false);
  await a.echo("quiet");
  active = true;
  assert.equal(scope.active, true);
  await a.echo("a");
  await b.echo("b");
  const echoed = seen.commands.filter((c) => c.trace.command === "ECHO").map((c) => c.trace.args[1]);
  assert.deepEqual(echoed, ["a", "b"]);
});

test("a pipeline and a transaction are one batch each; their commands carry the batch", async () => {
  const s = await sharedRedis("plain");
  await using r = new Redis({ host: s.host, port: s.port });
  const { observer, seen } = recorder();
  r.instrumentation.add(observer);
  await r.pipeline({ transaction: false }).set("instr:p", "1").get("instr:p").incr("instr:n").exec();
  await r.pipeline().set("instr:t", "1").get("instr:t").exec();

  assert.equal(seen.batches.length, 2);
  const [plain, multi] = seen.batches;
  assert.equal(plain.trace.mode, "PIPELINE");
  assert.equal(plain.trace.size, 3);
  assert.deepEqual(plain.trace.commands.map((c) => c[0]), ["SET", "GET", "INCR"]);
  assert.equal(plain.trace.serverPort, s.port);
  assert.equal(plain.outcome, "ok");
  assert.equal(multi.trace.mode, "MULTI");
  assert.equal(multi.trace.size, 2);
  const inPlain = seen.commands.filter((c) => c.trace.batchMode === "PIPELINE");
  assert.deepEqual(inPlain.map((c) => [c.trace.command, c.trace.batchSize]), [["SET", 3], ["GET", 3], [
    "INCR",
    3,
  ]]);
  const inMulti = seen.commands.filter((c) => c.trace.batchMode === "MULTI").map((c) => c.trace.command);
  assert.deepEqual(inMulti, ["MULTI", "SET", "GET", "EXEC"]);
});

test("a failed connect is traced with its error", async () => {
  const port = await freePort(); // nothing listens there
  await using r = new Redis({ host: "127.0.0.1", port, socketConnectTimeout: 2_000 });
  const { observer, seen } = recorder();
  r.instrumentation.add(observer);
  await assert.rejects(r.ping(), ConnectionError);
  assert.equal(seen.connects.length, 1);
  assert.equal(seen.connects[0].trace.serverAddress, "127.0.0.1");
  assert.equal(seen.connects[0].trace.serverPort, port);
  assert.equal(seen.connects[0].outcome, "ConnectionError");
  assert.equal(seen.commands[0].outcome, "ConnectionError");
});

/** The events of `type` seen so far. */
function eventsOf<K extends InstrumentationEvent["type"]>(
  seen: Seen,
  type: K,
): Extract<InstrumentationEvent, { type: K }>[] {
  return seen.events.filter((e): e is Extract<InstrumentationEvent, { type: K }> => e.type === type);
}

test("pool wait: a borrower that waited, and one that gave up", async () => {
  const s = await sharedRedis("plain");
  const pool = new BlockingConnectionPool({ host: s.host, port: s.port, maxConnections: 1, timeout: 10_000 });
  const { observer, seen } = recorder();
  pool.instrumentation.add(observer);
  try {
    const first = await pool.getConnection();
    assert.equal(eventsOf(seen, "pool-wait").length, 0, "a free connection is no wait");
    const waiting = pool.getConnection();
    pool.release(first);
    pool.release(await waiting);
    const [waited] = eventsOf(seen, "pool-wait");
    assert.equal(waited.address, `${s.host}:${s.port}`);
    assert.equal(waited.error, undefined);
    assert.ok(waited.durationMs >= 0);

    const short = new BlockingConnectionPool({ host: s.host, port: s.port, maxConnections: 1, timeout: 50 });
    short.instrumentation.add(observer);
    const held = await short.getConnection();
    await assert.rejects(short.getConnection(), MaxConnectionsError);
    short.release(held);
    await short.disconnect();
    const gaveUp = eventsOf(seen, "pool-wait")[1];
    assert.ok(gaveUp.error instanceof MaxConnectionsError);
  } finally {
    await pool.disconnect();
  }
});

test("retry: each attempt is a new command trace, each retry an event", async () => {
  const s = await sharedRedis("plain");
  await using r = new Redis({
    host: s.host,
    port: s.port,
    retry: new Retry(new NoBackoff(), 2),
    retryOnError: [ResponseError],
  });
  await r.del("instr:retry");
  await r.lpush("instr:retry", "x");
  const { observer, seen } = recorder();
  r.instrumentation.add(observer);
  await assert.rejects(r.get("instr:retry"), ResponseError); // WRONGTYPE, a read: re-sent twice
  const gets = seen.commands.filter((c) => c.trace.command === "GET");
  assert.deepEqual(gets.map((c) => c.outcome), ["ResponseError", "ResponseError", "ResponseError"]);
  const retries = eventsOf(seen, "retry");
  assert.deepEqual(retries.map((e) => [e.attempt, e.delayMs]), [[1, 0], [2, 0]]);
  assert.ok(retries[0].error instanceof ResponseError);
});

test("reconnect: the shared connection killed by the server is replaced, and said so", async () => {
  const s = await sharedRedis("plain");
  await using r = new Redis({ host: s.host, port: s.port, clientName: "instr-reconnect" });
  await using admin = new Redis({ host: s.host, port: s.port });
  const { observer, seen } = recorder();
  r.instrumentation.add(observer);
  const id = await r.sendCommand("CLIENT", "ID");
  await admin.sendCommand("CLIENT", "KILL", "ID", String(id));
  console.log(seen.events);
  assert.ok(await waitFor(() => eventsOf(seen, "connection-close").length > 0), "the loss was noticed");
  assert.ok(eventsOf(seen, "connection-close")[0].error instanceof ConnectionError);
  assert.equal(await r.echo("again"), "again");
  const [reconnect] = eventsOf(seen, "reconnect");
  assert.equal(reconnect.address, `${s.host}:${s.port}`);
  assert.equal(eventsOf(seen, "connection-open").length, 2);
});

test("pub/sub: each message received is an event with its channel", async () => {
  const s = await sharedRedis("plain");
  await using r = new Redis({ host: s.host, port: s.port });
  await using publisher = new Redis({ host: s.host, port: s.port });
  const { observer, seen } = recorder();
  r.instrumentation.add(observer);
  await using p = r.pubsub({ ignoreSubscribeMessages: true });
  await p.subscribe("instr:news");
  await p.psubscribe("instr:p:*");
  await publisher.publish("instr:news", "hello");
  await publisher.publish("instr:p:1", "hi");
  assert.ok(await waitFor(() => eventsOf(seen, "pubsub-message").length === 2));
  const messages = eventsOf(seen, "pubsub-message").map((e) => [e.kind, e.channel]);
  assert.deepEqual(messages, [["message", "instr:news"], ["pmessage", "instr:p:1"]]);
});

test("client-side cache: a miss, a hit, then the server's invalidation", async () => {
  const s = await sharedRedis("plain");
  await using r = new Redis({ host: s.host, port: s.port, cache: new CacheConfig() });
  await using writer = new Redis({ host: s.host, port: s.port });
  await writer.set("instr:cached", "v1");
  const { observer, seen } = recorder();
  r.instrumentation.add(observer);
  assert.equal(await r.get("instr:cached"), "v1");
  assert.equal(await r.get("instr:cached"), "v1");
  assert.deepEqual(eventsOf(seen, "cache").map((e) => e.result), ["miss", "hit"]);
  assert.equal(seen.commands.filter((c) => c.trace.command === "GET").length, 1, "the hit sent nothing");
  await writer.set("instr:cached", "v2");
  assert.ok(await waitFor(() => eventsOf(seen, "cache").some((e) => e.result === "invalidation")));
  const invalidation = eventsOf(seen, "cache").find((e) => e.result === "invalidation")!;
  assert.equal(invalidation.count, 1);
});

test("the instrumentation option must be an InstrumentationScope: a DataError before anything is sent", () => {
  assert.throws(
    () => new Redis({ instrumentation: {} as InstrumentationScope }),
    (e) => e instanceof DataError && /instrumentation/.test(e.message),
  );
});
