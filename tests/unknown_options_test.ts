// Unknown option names against a real server: constructors throw a DataError naming the key, methods reject,
// and nothing reaches the server (INFO commandstats is unchanged but for the INFO calls themselves).

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  BlockingConnectionPool,
  CacheConfig,
  Command,
  ConnectionPool,
  DataError,
  ExponentialBackoff,
  NoBackoff,
  Redis,
  Retry,
} from "../mod.ts";
import { sharedRedis, startRedis } from "./harness/mod.ts";
import { UNKNOWN_OPTION_CALLS } from "./support/option_calls.ts";
import type { Recorder } from "./support/recorder.ts";

/** Every `cmdstat_*` counter of the server, `info` left out. */
async function commandStats(r: Redis): Promise<Record<string, number>> {
  const stats = await r.info("commandstats") as Record<string, { calls?: number } | undefined>;
  const out: Record<string, number> = {};
  for (const [name, v] of Object.entries(stats)) {
    if (name !== "cmdstat_info") out[name] = Number(v?.calls ?? 0);
  }
  return out;
}

const unknown = (owner: string, key: string) =>
  new RegExp(`${owner.replace(".", "\\.")}: unknown option "${key}" \\(accepted: [a-zA-Z, ]+\\)$`);

test("every command method with an options object rejects an unknown key and sends nothing", async () => {
  // A server of its own: before the fix, these calls would really run (FLUSHALL, SHUTDOWN...).
  const server = await startRedis();
  try {
    await using r = new Redis({ host: server.host, port: server.port });
    const before = await commandStats(r);
    for (const [method, call] of UNKNOWN_OPTION_CALLS) {
      await assert.rejects(call(r as unknown as Recorder), (e: unknown) => {
        assert.ok(e instanceof DataError, `${method}: expected a DataError, got ${e}`);
        assert.match((e as Error).message, /unknown option "bogus"/, method);
        return true;
      }, method);
    }
    assert.deepEqual(await commandStats(r), before);
  } finally {
    await server.stop();
  }
});

test("constructors and factories throw a DataError for an unknown option", () => {
  const table: [string, () => unknown, RegExp][] = [
    ["Redis", () => new Redis({ sockettimeout: 10 } as never), unknown("Redis", "sockettimeout")],
    ["Redis timeout", () => new Redis({ timeout: 10 } as never), unknown("Redis", "timeout")],
    ["fromURL", () => Redis.fromURL("redis://127.0.0.1:1", { dbb: 1 } as never), unknown("Redis", "dbb")],
    [
      "ConnectionPool",
      () => new ConnectionPool({ timeout: 5 } as never),
      unknown("ConnectionPool", "timeout"),
    ],
    [
      "BlockingConnectionPool",
      () => new BlockingConnectionPool({ timeuot: 5 } as never),
      unknown("BlockingConnectionPool", "timeuot"),
    ],
    [
      "Retry",
      () => new Retry(new NoBackoff(), 1, { retryWrite: true } as never),
      unknown("Retry", "retryWrite"),
    ],
    ["CacheConfig", () => new CacheConfig({ maxsize: 5 } as never), unknown("CacheConfig", "maxsize")],
    ["Backoff", () => new ExponentialBackoff({ capp: 5 } as never), unknown("Backoff", "capp")],
  ];
  for (const [what, make, message] of table) {
    assert.throws(make, (e: unknown) => {
      assert.ok(e instanceof DataError, `${what}: ${e}`);
      assert.match((e as Error).message, message, what);
      return true;
    }, what);
  }
  // Known keys, inherited ones and the new ones still construct.
  const pool = new BlockingConnectionPool({ timeout: 5, maxConnections: 2, host: "127.0.0.1" });
  assert.equal(pool.timeout, 5);
  new Redis({ host: "127.0.0.1", retryOnTimeout: true, maxBulkLength: 1 } as never);
});

test("client helpers reject unknown options, and nothing runs", async () => {
  const s = await sharedRedis();
  await using r = new Redis({ host: s.host, port: s.port });
  assert.throws(() => r.pipeline({ transation: false } as never), unknown("Pipeline", "transation"));
  assert.throws(
    () => r.pubsub({ ignoreSubscribeMessage: true } as never),
    unknown("PubSub", "ignoreSubscribeMessage"),
  );
  assert.throws(() => r.lock("k", { timout: 5 } as never), unknown("Lock", "timout"));
  assert.throws(() => r.withOptions({ timout: 5 } as never), unknown("withOptions", "timout"));
  await assert.rejects(
    r.execute(new Command("PING"), { signl: undefined } as never),
    unknown("execute", "signl"),
  );
  await assert.rejects(r.lock("k").acquire({ blockng: false } as never), unknown("acquire", "blockng"));
  let called = false;
  await assert.rejects(
    r.transaction(
      () => {
        called = true;
      },
      "k",
      { watchdelay: 1 } as never,
    ),
    unknown("transaction", "watchdelay"),
  );
  assert.equal(called, false);
  const script = r.registerScript("return 1");
  await assert.rejects(
    script.run({ key: ["a"] } as unknown as { keys?: string[] }),
    unknown("Script.run", "key"),
  );
  assert.throws(
    () => script.run({ client: r.pipeline(), kyes: [] } as never),
    unknown("Script.run", "kyes"),
  );
  await using ps = r.pubsub();
  await assert.rejects(ps.getMessage({ timout: 1 } as never), unknown("getMessage", "timout"));
  await assert.rejects(ps.getShardedMessage({ timout: 1 } as never), unknown("getMessage", "timout"));
  await ps.subscribe({ ch: () => {} });
  assert.throws(() => ps.run({ sleeptime: 1 } as never), unknown("run", "sleeptime"));
  // Well-spelled options still work.
  assert.deepEqual(await r.pipeline({ transaction: false }).ping().exec(), [true]);
  assert.equal(await r.withOptions({ timeout: 1000 }).ping(), true);
});
