// Fault tolerance against a real server behind a real TCP proxy: connections
// cut mid-reply under a mixed concurrent load (with and without a retry
// policy), the server killed and restarted (pending commands fail fast,
// reconnects follow the backoff), and an idle connection silently dropped
// (the health check finds it before use).

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ConnectionError,
  ConstantBackoff,
  ExponentialBackoff,
  NoBackoff,
  ReadOnlyError,
  Redis,
  type RedisErrorEvent,
  type RedisReconnectingEvent,
  Retry,
  TimeoutError,
} from "../mod.ts";
import { startProxy, startRedis } from "./harness/mod.ts";
import { commandCalls, settle, sleep } from "./support/async.ts";

/** The value stored under read key `i`: it names its key, so a reply read for the wrong command shows. */
function valueOf(i: number): string {
  return `value-of-read:${i}:` + "x".repeat(40 + (i % 7) * 30);
}

const READ_KEYS = 50;

interface Tally {
  issued: number;
  settled: number;
  readsOk: number;
  readsFailed: number;
  desyncs: string[];
  writesOk: number;
  writesFailed: number;
  incrOk: number;
  incrFailed: number;
  otherErrors: unknown[];
}

/**
 * One round of the mixed load: GETs, MGET, HGETALL, a read-only pipeline,
 * SETs, INCRs and a MULTI/EXEC, all in flight at once, then a mid-reply cut.
 */
function round(r: Redis, n: number, tally: Tally): Promise<unknown>[] {
  const reads: [Promise<unknown>, (v: unknown) => string | undefined][] = [];
  for (let j = 0; j < 6; j++) {
    const i = (n * 7 + j * 11) % READ_KEYS;
    reads.push([r.get(`fault:read:${i}`), (v) => v === valueOf(i) ? undefined : `GET ${i} -> ${String(v)}`]);
  }
  const a = n % READ_KEYS, b = (n + 1) % READ_KEYS;
  reads.push([
    r.mget([`fault:read:${a}`, `fault:read:${b}`]),
    (v) => JSON.stringify(v) === JSON.stringify([valueOf(a), valueOf(b)]) ? undefined : `MGET -> ${v}`,
  ]);
  reads.push([
    r.hgetall("fault:hash"),
    (v) =>
      (v as Record<string, string>).owner === "fault:hash" ? undefined : `HGETALL -> ${JSON.stringify(v)}`,
  ]);
  reads.push([
    r.pipeline({ transaction: false }).get(`fault:read:${a}`).get(`fault:read:${b}`).exec(),
    (v) => JSON.stringify(v) === JSON.stringify([valueOf(a), valueOf(b)]) ? undefined : `pipeline -> ${v}`,
  ]);
  const all: Promise<unknown>[] = [];
  for (const [promise, check] of reads) {
    tally.issued++;
    all.push(
      settle(promise).then((s) => {
        tally.settled++;
        if (s.ok) {
          tally.readsOk++;
          const problem = check(s.value);
          if (problem) tally.desyncs.push(problem);
        } else {
          tally.readsFailed++;
          if (!(s.error instanceof ConnectionError)) tally.otherErrors.push(s.error);
        }
      }),
    );
  }
  for (
    const write of [
      r.set(`fault:write:${n % 20}`, String(n)),
      r.pipeline().set("fault:tx", n).exec(),
    ] as Promise<unknown>[]
  ) {
    tally.issued++;
    all.push(
      settle(write).then((s) => {
        tally.settled++;
        if (s.ok) tally.writesOk++;
        else {
          tally.writesFailed++;
          if (!(s.error instanceof ConnectionError)) tally.otherErrors.push(s.error);
        }
      }),
    );
  }
  tally.issued++;
  all.push(
    settle(r.incr("fault:counter")).then((s) => {
      tally.settled++;
      if (s.ok) tally.incrOk++;
      else {
        tally.incrFailed++;
        if (!(s.error instanceof ConnectionError)) tally.otherErrors.push(s.error);
      }
    }),
  );
  return all;
}

async function cutMidReplyRun(retry: Retry | undefined, rounds: number) {
  const server = await startRedis();
  const proxy = await startProxy({ port: server.port });
  const setup = new Redis({ port: server.port });
  const r = new Redis({ host: proxy.host, port: proxy.port, socketTimeout: 5_000, retry });
  try {
    await setup.mset(
      Object.fromEntries(Array.from({ length: READ_KEYS }, (_, i) => [`fault:read:${i}`, valueOf(i)])),
    );
    await setup.hset("fault:hash", { owner: "fault:hash", size: "2" });
    const tally: Tally = {
      issued: 0,
      settled: 0,
      readsOk: 0,
      readsFailed: 0,
      desyncs: [],
      writesOk: 0,
      writesFailed: 0,
      incrOk: 0,
      incrFailed: 0,
      otherErrors: [],
    };
    const acceptedBefore = proxy.accepted.length;
    for (let n = 0; n < rounds; n++) {
      // Connected first, so the cut armed below finds the connection.
      await r.connectionPool.sharedConnection().connect().catch(() => {});
      const pending = round(r, n, tally);
      // The next chunk the server sends on the current connection is cut in two.
      proxy.cutMidReply();
      await Promise.all(pending);
    }
    const counter = Number(await setup.get("fault:counter"));
    return { tally, counter, connections: proxy.accepted.length - acceptedBefore };
  } finally {
    await r.close();
    await setup.close();
    await proxy.close();
    await server.stop();
  }
}

test("cut mid-reply 1,000 times without retries: every promise settles, no reply is misattributed", async () => {
  const { tally, counter, connections } = await cutMidReplyRun(undefined, 1000);
  assert.equal(tally.settled, tally.issued, "every promise settled");
  assert.deepEqual(tally.desyncs, [], "every successful read got its own reply");
  assert.deepEqual(tally.otherErrors, [], "failures are ConnectionErrors");
  assert.ok(connections >= 1000, `each cut forced a new connection (${connections})`);
  assert.ok(tally.readsFailed > 0, "without retries, reads caught by a cut fail");
  // Nothing is lost that was promised: every acknowledged INCR is in the counter,
  // and at most the failed ones (which may have run) add to it.
  assert.ok(counter >= tally.incrOk && counter <= tally.incrOk + tally.incrFailed, `counter ${counter}`);
});

test("cut mid-reply 1,000 times with a retry policy: no read fails, writes are never re-sent", async () => {
  const retry = new Retry(new NoBackoff(), 3);
  const { tally, counter, connections } = await cutMidReplyRun(retry, 1000);
  assert.equal(tally.settled, tally.issued, "every promise settled");
  assert.deepEqual(tally.desyncs, [], "every successful read got its own reply");
  assert.deepEqual(tally.otherErrors, [], "failures are ConnectionErrors");
  assert.ok(connections >= 1000, `each cut forced a new connection (${connections})`);
  assert.equal(tally.readsFailed, 0, "idempotent reads were retried and all succeeded");
  assert.ok(tally.writesFailed + tally.incrFailed > 0, "writes whose reply was lost were not re-sent");
  // A re-sent INCR would push the counter past acknowledged + failed.
  assert.ok(counter >= tally.incrOk && counter <= tally.incrOk + tally.incrFailed, `counter ${counter}`);
});

test("with retryWrites, writes are re-sent too (and may run twice, as documented)", async () => {
  const retry = new Retry(new NoBackoff(), 3, { retryWrites: true });
  const { tally, counter } = await cutMidReplyRun(retry, 200);
  assert.equal(tally.settled, tally.issued);
  assert.deepEqual(tally.desyncs, []);
  assert.equal(tally.readsFailed + tally.writesFailed + tally.incrFailed, 0, "everything recovered");
  assert.ok(counter >= tally.incrOk, `counter ${counter} >= ${tally.incrOk}`);
});

test("server killed and restarted: pending commands fail fast, reconnects back off, later commands succeed", async () => {
  const server = await startRedis();
  const proxy = await startProxy({ port: server.port });
  const backoff = new ExponentialBackoff({ base: 20, cap: 320 });
  const r = new Redis({
    host: proxy.host,
    port: proxy.port,
    socketTimeout: 2_000,
    retry: new Retry(backoff, 6),
  });
  const reconnecting: RedisReconnectingEvent[] = [];
  const errors: RedisErrorEvent[] = [];
  r.addEventListener("reconnecting", (e) => reconnecting.push(e));
  r.addEventListener("error", (e) => errors.push(e));
  try {
    await r.set("fault:k", "before");
    // Writes in flight when the server dies: they may have run, so they fail (no retry).
    proxy.stall(true);
    const writes = Array.from({ length: 10 }, (_, i) => settle(r.set(`fault:pending:${i}`, "v")));
    await sleep(20);
    const killedAt = Date.now();
    await server.kill();
    proxy.stall(false);
    const settled = await Promise.all(writes);
    const failedAfter = Date.now() - killedAt;
    for (const s of settled) {
      assert.equal(s.ok, false);
      assert.ok(!s.ok && s.error instanceof ConnectionError, String(!s.ok && s.error));
    }
    assert.ok(
      failedAfter < 2_000,
      `pending commands rejected ${failedAfter} ms after the kill (timeout 2,000)`,
    );
    assert.ok(
      errors.length >= 1 && errors[0].error instanceof ConnectionError,
      "an error event was dispatched",
    );

    // While the server is down, a read retries with the policy's backoff, observed at the proxy.
    proxy.accepted.length = 0;
    reconnecting.length = 0;
    const down = await settle(r.get("fault:k"));
    assert.equal(down.ok, false, "the server stayed down for the whole policy");
    assert.ok(!down.ok && down.error instanceof ConnectionError);
    assert.equal(proxy.accepted.length, 7, "one attempt plus six retries reached the proxy");
    assert.deepEqual(reconnecting.map((e) => e.delay), [40, 80, 160, 320, 320, 320]);
    assert.deepEqual(reconnecting.map((e) => e.attempt), [1, 2, 3, 4, 5, 6]);
    const gaps = proxy.accepted.slice(1).map((t, i) => t - proxy.accepted[i]);
    for (const [i, gap] of gaps.entries()) {
      // Timers may fire a little early on some runtimes; the spacing is the backoff, not back-to-back.
      assert.ok(
        gap >= reconnecting[i].delay - 5,
        `gap ${i + 1} was ${gap} ms, backoff ${reconnecting[i].delay} ms`,
      );
    }

    // The server comes back while a read is retrying: the read succeeds.
    proxy.accepted.length = 0;
    const during = settle(r.get("fault:k"));
    await sleep(150);
    await server.restart();
    const back = await during;
    assert.ok(back.ok, `read during the restart: ${!back.ok && back.error}`);
    assert.equal(back.ok && back.value, null, "the restarted server (no persistence) is empty");
    assert.ok(proxy.accepted.length >= 2, "it took more than one attempt");
    assert.equal(await r.set("fault:k", "after"), true);
    assert.equal(await r.get("fault:k"), "after");
  } finally {
    await r.close();
    await proxy.close();
    await server.stop();
  }
});

test("without a retry policy, a command after the server returns reconnects on its own", async () => {
  const server = await startRedis();
  const r = new Redis({ port: server.port, socketTimeout: 2_000 });
  try {
    assert.equal(await r.ping(), true);
    await server.kill();
    const down = await settle(r.ping());
    assert.ok(!down.ok && down.error instanceof ConnectionError, "no server: ConnectionError");
    await server.restart();
    assert.equal(await r.ping(), true);
  } finally {
    await r.close();
    await server.stop();
  }
});

test("an idle connection dropped silently is found by the health check before use", async () => {
  const server = await startRedis();
  const proxy = await startProxy({ port: server.port });
  const r = new Redis({ host: proxy.host, port: proxy.port, healthCheckInterval: 200, socketTimeout: 500 });
  const control = new Redis({ port: server.port }); // counts PINGs, bypassing the proxy
  const pingCalls = () => commandCalls(control, "ping");
  const errors: RedisErrorEvent[] = [];
  r.addEventListener("error", (e) => errors.push(e));
  try {
    await r.set("fault:hc", "alive");
    const pingsBefore = await pingCalls();
    // Busy connections are not checked: these commands come closer together than the interval.
    for (let i = 0; i < 5; i++) {
      assert.equal(await r.get("fault:hc"), "alive");
      await sleep(20);
    }
    assert.equal(await pingCalls(), pingsBefore, "no health check while in use");

    // Idle past the interval, then a load balancer forgets the connection without a word.
    await sleep(300);
    proxy.dropSilently();
    const accepted = proxy.accepted.length;
    const started = Date.now();
    assert.equal(await r.get("fault:hc"), "alive", "the command went out on a fresh connection");
    const took = Date.now() - started;
    assert.equal(proxy.accepted.length, accepted + 1, "one new connection replaced the dead one");
    assert.ok(took >= 450, `the check waited for its PING (${took} ms)`);
    assert.ok(errors.some((e) => /Health check/.test(e.error.message)), "the failed check was reported");

    // An idle but healthy connection just answers the PING and carries on.
    await sleep(300);
    const pings = await pingCalls();
    assert.equal(await r.get("fault:hc"), "alive");
    assert.equal(await pingCalls(), pings + 1, "one health-check PING reached the server");
    assert.equal(proxy.accepted.length, accepted + 1, "and no new connection was needed");
  } finally {
    await r.close();
    await control.close();
    await proxy.close();
    await server.stop();
  }
});

test("without a health check, the same silent drop costs the command a timeout", async () => {
  const server = await startRedis();
  const proxy = await startProxy({ port: server.port });
  const r = new Redis({ host: proxy.host, port: proxy.port, socketTimeout: 300 });
  try {
    await r.set("fault:hc", "alive");
    proxy.dropSilently();
    const lost = await settle(r.get("fault:hc"));
    assert.ok(!lost.ok && lost.error instanceof TimeoutError, String(!lost.ok && lost.error));
    assert.equal(await r.get("fault:hc"), "alive", "the next command reconnects");
  } finally {
    await r.close();
    await proxy.close();
    await server.stop();
  }
});

test("retryOnError: a write refused by a replica (READONLY) is retried until the replica is promoted", async () => {
  const primary = await startRedis();
  const replica = await startRedis({ config: [`replicaof 127.0.0.1 ${primary.port}`] });
  const r = new Redis({
    port: replica.port,
    retryOnError: [ReadOnlyError],
    retry: new Retry(new ConstantBackoff(50), 20),
  });
  const attempts: number[] = [];
  r.addEventListener("reconnecting", (e) => attempts.push(e.attempt));
  try {
    await using plain = new Redis({ port: replica.port });
    const refused = await settle(plain.set("fault:ro", "x"));
    assert.ok(!refused.ok && refused.error instanceof ReadOnlyError, "without retries: READONLY");
    const write = settle(r.set("fault:ro", "written"));
    await sleep(180);
    await replica.command("REPLICAOF", "NO", "ONE");
    const done = await write;
    assert.ok(done.ok, `the write succeeded after the promotion: ${!done.ok && done.error}`);
    assert.ok(attempts.length >= 2, `it was retried (${attempts.length} times)`);
    assert.equal(await r.get("fault:ro"), "written");
  } finally {
    await r.close();
    await replica.stop();
    await primary.stop();
  }
});

test("a connection lost while watching is a WatchError: transaction() starts over and succeeds", async () => {
  const server = await startRedis();
  const proxy = await startProxy({ port: server.port });
  const r = new Redis({ host: proxy.host, port: proxy.port });
  try {
    await r.set("fault:tx:n", "1");
    let attempts = 0;
    const result = await r.transaction(
      async (pipe) => {
        attempts++;
        if (attempts === 1) proxy.cutAll(); // the WATCH connection dies before the read
        const n = Number(await pipe.get("fault:tx:n"));
        pipe.multi().set("fault:tx:n", n + 1);
        return n + 1;
      },
      "fault:tx:n",
      { valueFromCallable: true },
    );
    assert.equal(attempts, 2, "the first attempt ended with a WatchError and was retried");
    assert.equal(result, 2);
    assert.equal(await r.get("fault:tx:n"), "2", "applied exactly once");
  } finally {
    await r.close();
    await proxy.close();
    await server.stop();
  }
});
