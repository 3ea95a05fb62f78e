// No failure path of the public API leaves a rejected promise unobserved: Deno and Node end the process
// with status 1 on an unhandled rejection, so one leaked by the library would crash its users' programs.
// Each test watches for unhandled rejections while it drives failure paths (an unreachable server, a server
// killed mid-command, a server stalled behind the proxy with timeouts, abort signals, closing with commands
// pending), observing every promise the API returns, and asserts that nothing was reported. A first test
// proves the watcher sees a rejection deliberately left unobserved, on the runtime at hand.

import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NoBackoff, type PubSubMessage, Redis, type RedisOptions, Retry } from "../mod.ts";
import { freePort, startProxy, startRedis } from "./harness/mod.ts";
import { outcome, sleep } from "./support/async.ts";

type Listener = (...args: unknown[]) => void;

/**
 * Records unhandled rejections until `stop()`. Deno reports them as an `unhandledrejection` event (cancelled
 * here, so the runner does not fail the file); Node and Bun through `process`, whose other listeners (the
 * test runner's) are set aside meanwhile, so the rejection is seen by this watcher only.
 */
function watchRejections(): { seen: unknown[]; stop(): void } {
  const seen: unknown[] = [];
  if ("Deno" in globalThis) {
    const onEvent = (event: Event) => {
      event.preventDefault();
      seen.push((event as PromiseRejectionEvent).reason);
    };
    globalThis.addEventListener("unhandledrejection", onEvent);
    return { seen, stop: () => globalThis.removeEventListener("unhandledrejection", onEvent) };
  }
  const others = process.listeners("unhandledRejection") as Listener[];
  for (const other of others) process.off("unhandledRejection", other);
  const onRejection = (reason: unknown) => void seen.push(reason);
  process.on("unhandledRejection", onRejection);
  return {
    seen,
    stop: () => {
      process.off("unhandledRejection", onRejection);
      for (const other of others) process.on("unhandledRejection", other);
    },
  };
}

/** A few macrotask turns, so the runtime reports any rejection left unobserved. */
async function letRejectionsSurface(): Promise<void> {
  for (let i = 0; i < 5; i++) await sleep(0);
  await sleep(30);
}

/** Runs `scenario` with the watcher on and asserts that no rejection went unobserved. */
async function noUnhandledRejection(scenario: () => Promise<void>): Promise<void> {
  const watcher = watchRejections();
  try {
    await scenario();
    await letRejectionsSurface();
  } finally {
    watcher.stop();
  }
  assert.deepEqual(watcher.seen.map(describe), [], "unhandled rejections");
}

function describe(reason: unknown): string {
  return reason instanceof Error ? `${reason.name}: ${reason.message}\n${reason.stack}` : String(reason);
}

/** Every outcome, checked to be an error (the scenario is a failure path). */
async function allFail(label: string, promises: Promise<unknown>[]): Promise<void> {
  const results = await Promise.all(promises.map(outcome));
  results.forEach((result, i) =>
    assert.ok(result instanceof Error, `${label} #${i}: expected an error, got ${result}`)
  );
}

/** Drives pubsub through its failure paths; nothing it returns is left unobserved. */
async function pubsubFailures(r: Redis): Promise<void> {
  const p = r.pubsub();
  await allFail("subscribe", [p.subscribe("ur:a"), p.psubscribe("ur:*"), p.ssubscribe("ur:s")]);
  await outcome(p.unsubscribe("ur:a"));
  await outcome(p.getMessage({ timeout: 20 }));
  await outcome(p.checkHealth());
  await outcome(p.ping("ur:ping"));
  const reading = outcome((async () => {
    for await (const _ of p.listen()) break;
  })());
  const q = r.pubsub();
  await outcome(q.subscribe({ "ur:h": () => {} }));
  const worker = q.run({ sleepTime: 10 });
  await sleep(30);
  await outcome(worker.stop());
  await outcome(q.close());
  await outcome(p.close());
  await reading;
  await outcome(p.subscribe("ur:after-close"));
}

/** Every kind of call a client offers, against whatever state its server is in. */
async function everyCall(r: Redis): Promise<void> {
  const calls: Promise<unknown>[] = [
    r.get("ur:k"),
    r.set("ur:k", "v"),
    r.sendCommand("PING"),
    r.withOptions({ timeout: 100 }).get("ur:k"),
    r.blpop("ur:list", 0.2),
    r.pipeline().set("ur:k", "1").incr("ur:k").exec(),
    r.pipeline({ transaction: false }).get("ur:k").exec(),
    r.transaction((pipe) => void pipe.multi().set("ur:k", "2"), "ur:k"),
    r.pipeline().watch("ur:k"),
    r.monitor(),
    r.lock("ur:lock", { timeout: 1_000 }).acquire(),
    r.lock("ur:lock", { timeout: 1_000 }).acquireOrThrow({ blocking: false }),
    r.lock("ur:lock").release(),
    (async () => {
      await using _held = await r.lock("ur:lock", { raiseOnReleaseError: false }).acquireOrThrow();
    })(),
    r.registerScript("return 1").run(),
    (async () => {
      for await (const _ of r.scanIter({ match: "ur:*" })) break;
    })(),
  ];
  await Promise.all(calls.map(outcome));
  await pubsubFailures(r);
}

/** Leaves a rejection unobserved on purpose and checks that the watcher saw it, then handles it. */
async function watcherSelfTest(): Promise<void> {
  const watcher = watchRejections();
  const deliberate = new Error("deliberately unobserved");
  const leaked = Promise.reject(deliberate);
  try {
    await letRejectionsSurface();
  } finally {
    watcher.stop();
    leaked.catch(() => {}); // Handled now, so the runner does not count it.
  }
  assert.deepEqual(watcher.seen, [deliberate]);
}

/**
 * Bun's test runner fails the running test on any unhandled rejection before `process` listeners can handle
 * it, so the runner is the watcher there: a test file that leaks one, run by `bun test`, must fail with it.
 */
function bunRunnerSelfTest(): void {
  const dir = mkdtempSync(join(tmpdir(), "uniredis-leak-"));
  try {
    const file = join(dir, "leak_test.ts");
    writeFileSync(
      file,
      `import { test } from "node:test";
test("leaks", async () => {
  Promise.reject(new Error("deliberately unobserved"));
  await new Promise((resolve) => setTimeout(resolve, 20));
});
`,
    );
    const run = spawnSync(process.execPath, ["test", file], { encoding: "utf8", timeout: 30_000 });
    assert.equal(run.status, 1, `bun test exit status (${run.stderr})`);
    assert.match(run.stdout + run.stderr, /deliberately unobserved/);
    assert.match(run.stdout + run.stderr, /1 fail/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Deno's node:test fails the running test on any unhandled rejection before other listeners can handle it (a
// watcher of its own, in effect); a Deno.test is not watched that way, so the self-test runs as one there.
const deno = (globalThis as { Deno?: { test(name: string, fn: () => Promise<void>): void } }).Deno;
const selfTestName = "the watcher sees a rejection left unobserved (self-test)";
if (deno) deno.test(selfTestName, watcherSelfTest);
else if ("Bun" in globalThis) test(`${selfTestName}: Bun's runner is the watcher`, bunRunnerSelfTest);
else test(selfTestName, watcherSelfTest);

test("a failed subscribe, then closing the pubsub and the client: no unhandled rejection", async () => {
  await noUnhandledRejection(async () => {
    const r = new Redis({ host: "127.0.0.1", port: await freePort() });
    const p = r.pubsub();
    await assert.rejects(p.subscribe("ur:a"), { name: "ConnectionError" });
    assert.equal(p.subscribed, false, "nothing subscribed after a failed subscribe");
    assert.deepEqual(p.channels, []);
    await p.close();
    const q = r.pubsub();
    await assert.rejects(q.psubscribe("ur:*"), { name: "ConnectionError" });
    await r.close();
  });
});

for (const protocol of [2, 3] as const) {
  const options: RedisOptions<true> = { host: "127.0.0.1", protocol, socketConnectTimeout: 500 };

  test(`RESP${protocol}: unreachable server: every API fails without unhandled rejections`, async () => {
    await noUnhandledRejection(async () => {
      const port = await freePort();
      for (
        const extra of [
          {},
          { singleConnectionClient: true },
          { retry: new Retry(new NoBackoff(), 2) },
          { healthCheckInterval: 10 },
        ] as RedisOptions<true>[]
      ) {
        const r = new Redis({ ...options, ...extra, port });
        await everyCall(r);
        await outcome(r.close());
        await everyCall(r);
        await outcome(r.disconnect());
      }
    });
  });

  test(`RESP${protocol}: server stalled behind the proxy, with timeouts: no unhandled rejections`, async () => {
    const server = await startRedis();
    const proxy = await startProxy({ host: server.host, port: server.port });
    try {
      await noUnhandledRejection(async () => {
        const r = new Redis({ ...options, port: proxy.port, socketTimeout: 150 });
        const p = r.pubsub();
        await p.subscribe("ur:stall");
        assert.equal(await r.ping(), true);
        proxy.stall(true);
        // Observed at once (outcome), as a caller awaiting them would.
        const pending =
          ([r.get("ur:k"), p.subscribe("ur:more"), p.unsubscribe("ur:stall"), p.checkHealth()] as Promise<
            unknown
          >[]).map(outcome);
        await everyCall(r);
        // Confirmations never come through a stalled proxy: closing the pubsub ends the waits.
        await outcome(p.close());
        await Promise.all(pending);
        // Commands pending when the client is closed, then disconnected.
        const inFlight =
          ([r.get("ur:k"), r.pipeline().get("ur:k").exec(), r.lock("ur:l").acquire()] as Promise<
            unknown
          >[]).map(outcome);
        const closing = outcome(r.close());
        await outcome(r.disconnect());
        await closing;
        await Promise.all(inFlight);
        proxy.stall(false);
        await outcome(r.close());
      });
    } finally {
      await proxy.close();
      await server.stop();
    }
  });

  test(`RESP${protocol}: server killed mid-command, abort signals: no unhandled rejections`, async () => {
    const server = await startRedis();
    try {
      await noUnhandledRejection(async () => {
        const r = new Redis({ ...options, port: server.port, socketTimeout: 1_000 });
        const p = r.pubsub();
        const got: PubSubMessage[] = [];
        await p.subscribe({ "ur:killed": (m) => void got.push(m) });
        const worker = p.run({ sleepTime: 10 });
        const listening = r.pubsub();
        await listening.subscribe("ur:listen");
        const reading = outcome((async () => {
          for await (const _ of listening.listen()) continue;
        })());
        const ac = new AbortController();
        const pending = ([
          r.sendCommand("DEBUG", "SLEEP", "0.5"),
          r.blpop("ur:never", 0),
          r.withOptions({ signal: ac.signal }).blpop("ur:never2", 0),
          r.withOptions({ signal: AbortSignal.abort() }).get("ur:k"),
          r.pipeline().get("ur:k").exec(),
          r.lock("ur:killed-lock").acquire({ blockingTimeout: 50 }),
        ] as Promise<unknown>[]).map(outcome);
        await sleep(50);
        ac.abort();
        await server.kill();
        await Promise.all(pending);
        // Reconnecting subscribers, commands and a close while the server is down.
        await sleep(100);
        await everyCall(r);
        await outcome(worker.stop());
        await outcome(r.close());
        await reading;
      });
    } finally {
      await server.stop();
    }
  });
}
