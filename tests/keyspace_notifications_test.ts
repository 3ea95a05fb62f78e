// Keyspace notifications on a real server (RESP2 and RESP3): set, del, expire and expired events of
// chosen keys arrive parsed, with the database they happened in; other keys and other events are not
// yielded; key-event channels; binary keys with decodeResponses false; a killed connection is replaced;
// `configure` adds the flags the subscription needs to the server's own, writes nothing when they are
// there, and is never done unasked; closing the client ends the iteration; bad options are DataErrors
// before any byte is sent.
//
// One private server for the file (the tests change its configuration); each test sets the
// notify-keyspace-events it starts from.

import { test } from "node:test";
import assert from "node:assert/strict";
import { DataError, type KeyNotification, type KeyspaceNotifications, PubSubError, Redis } from "../mod.ts";
import { freePort, startRedis } from "./harness/mod.ts";
import { commandCalls, waitFor } from "./support/async.ts";

const server = await startRedis();

async function flags(): Promise<string> {
  const reply = await server.command("CONFIG", "GET", "notify-keyspace-events") as string[];
  return reply[1];
}

async function setFlags(value: string): Promise<void> {
  await server.command("CONFIG", "SET", "notify-keyspace-events", value);
}

/** The flags as a sorted set of letters (the server writes them in an order of its own). */
function letters(value: string): string {
  return [...new Set(value)].sort().join("");
}

function client<D extends boolean = true>(options: ConstructorParameters<typeof Redis<D>>[0] = {}): Redis<D> {
  return new Redis<D>({ host: server.host, port: server.port, ...options });
}

/** The next notification, failing the test when none comes within 5 s (not a timing assertion: a bound). */
async function next<D extends boolean>(kn: KeyspaceNotifications<D>): Promise<KeyNotification<D>> {
  const n = await kn.getMessage({ timeout: 5_000 });
  assert.ok(n !== null, "no notification within 5 s");
  return n;
}

for (const protocol of [2, 3] as const) {
  test(`RESP${protocol}: set, expire, del and expired of chosen keys arrive parsed, with their database`, async () => {
    await setFlags("");
    await using r = client({ protocol, db: 4 });
    const key = `ks:${protocol}:a`;
    await using kn = await r.keyspaceNotifications({
      keys: [key],
      events: ["set", "expire", "del", "expired"],
      configure: true,
    });
    await r.set(key, "1");
    assert.deepEqual(await next(kn), {
      key,
      eventType: "set",
      database: 4,
      channel: `__keyspace@4__:${key}`,
      isKeyspace: true,
    });
    await r.expire(key, 100);
    assert.equal((await next(kn)).eventType, "expire");
    await r.del(key);
    assert.equal((await next(kn)).eventType, "del");
    await r.set(key, "2", { px: 20 });
    // SET with PX notifies both.
    assert.equal((await next(kn)).eventType, "set");
    assert.equal((await next(kn)).eventType, "expire");
    // The expiry of the key itself, whether found by the server's cycle or on access.
    const expired = await kn.getMessage({ timeout: 5_000 }) ?? (await r.get(key), await next(kn));
    assert.deepEqual([expired.key, expired.eventType, expired.database], [key, "expired", 4]);
  });
}

test("other keys and events not asked for are not yielded; patterns match keys", async () => {
  await setFlags("AKE");
  await using r = client();
  await using kn = await r.keyspaceNotifications({
    keys: ["ks:f:a"],
    patterns: ["ks:f:p:*"],
    events: ["set"],
  });
  // Published in this order on one connection: none before the last SET may come first.
  await r.set("ks:f:other", "1");
  await r.del("ks:f:a");
  await r.set("ks:f:a", "1");
  await r.incr("ks:f:a");
  await r.lpush("ks:f:p:list", "x");
  await r.set("ks:f:p:1", "1");
  await r.set("ks:f:q:1", "1");
  await r.set("ks:f:last", "1");
  await r.set("ks:f:a", "end");
  const got: string[] = [];
  for await (const n of kn) {
    got.push(`${n.key} ${n.eventType}`);
    if (got.length === 3) break;
  }
  assert.deepEqual(got, ["ks:f:a set", "ks:f:p:1 set", "ks:f:a set"]);
  assert.equal(await kn.getMessage(), null);
});

test("events alone: key-event channels; binary keys stay exact with decodeResponses false", async () => {
  await setFlags("");
  await using r = client<false>({ decodeResponses: false, db: 2 });
  const key = new Uint8Array([0x6b, 0xff, 0x00, 0x3a, 0x01]);
  await using kn = await r.keyspaceNotifications({ events: ["del"], configure: true });
  assert.equal(letters(await flags()), letters("Eg"));
  await r.set(key, "v");
  await r.set("ks:plain", "v");
  await r.del("ks:plain");
  await r.del(key);
  const first = await next(kn);
  assert.deepEqual(first.key, new TextEncoder().encode("ks:plain"));
  const second = await next(kn);
  assert.ok(second.key instanceof Uint8Array);
  assert.deepEqual([...second.key], [...key]);
  assert.equal(second.eventType, "del");
  assert.equal(second.database, 2);
  assert.equal(second.isKeyspace, false);
  assert.deepEqual(second.channel, new TextEncoder().encode("__keyevent@2__:del"));
});

test("keyPrefix keeps the keys under it and strips it", async () => {
  await setFlags("KEA");
  await using r = client();
  await using kn = await r.keyspaceNotifications({ events: ["set"], keyPrefix: "ks:pre:" });
  await r.set("ks:elsewhere", "1");
  await r.set("ks:pre:7", "1");
  const n = await next(kn);
  assert.deepEqual([n.key, n.eventType, n.isKeyspace], ["7", "set", false]);
  // Opened once, by the factory.
  await assert.rejects(kn.open(), PubSubError);
});

test("configure adds what is missing to the server's flags and writes nothing when all are there", async () => {
  await setFlags("Ex");
  await using r = client();
  const before = await commandCalls(r, "config|set");
  const kn = await r.keyspaceNotifications({ keys: ["ks:c"], events: ["set", "lpush"], configure: true });
  await kn.close();
  // E and x stay; K, $ (set) and l (lpush) are added.
  assert.equal(letters(await flags()), letters("ExK$l"));
  const once = await commandCalls(r, "config|set");
  assert.equal(once, before + 1);
  await (await r.keyspaceNotifications({ keys: ["ks:c"], events: ["set"], configure: true })).close();
  await (await r.keyspaceNotifications({ keys: ["ks:c"], configure: "Kx" })).close();
  assert.equal(await commandCalls(r, "config|set"), once);
  // An explicit string is merged too.
  await (await r.keyspaceNotifications({ keys: ["ks:c"], configure: "Kn" })).close();
  assert.equal(letters(await flags()), letters("ExK$ln"));
});

test("without configure, the server's configuration is left alone", async () => {
  await setFlags("");
  await using r = client();
  await using kn = await r.keyspaceNotifications({ keys: ["ks:n"] });
  assert.equal(await flags(), "");
  await r.set("ks:n", "1");
  // Published on the same channel after the SET: it comes first, so the SET notified nothing.
  await server.command("PUBLISH", "__keyspace@0__:ks:n", "sentinel");
  assert.equal((await next(kn)).eventType, "sentinel");
});

test("after its connection is killed it subscribes again and events arrive anew", async () => {
  await setFlags("KEA");
  await using r = client();
  await using kn = await r.keyspaceNotifications({ keys: ["ks:kill"], events: ["set"] });
  const channel = "__keyspace@0__:ks:kill";
  const numsub = async () => ((await server.command("PUBSUB", "NUMSUB", channel)) as [string, number])[1];
  assert.equal(await numsub(), 1);
  assert.equal(await server.command("CLIENT", "KILL", "TYPE", "pubsub"), 1);
  assert.ok(await waitFor(async () => await numsub() === 1, 10_000), "subscribed again");
  await r.set("ks:kill", "1");
  const n = await next(kn);
  assert.deepEqual([n.key, n.eventType], ["ks:kill", "set"]);
  assert.equal(kn.subscribed, true);
});

test("closing the client closes the notifications and ends the iteration", async () => {
  await setFlags("KEA");
  const r = client();
  const kn = await r.keyspaceNotifications({ keys: ["ks:close"] });
  const seen: KeyNotification[] = [];
  const loop = (async () => {
    for await (const n of kn) seen.push(n);
  })();
  await r.set("ks:close", "1");
  while (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await r.close();
  await loop;
  assert.equal(kn.subscribed, false);
  assert.equal(seen[0].eventType, "set");
});

test("bad options are DataErrors, before anything is sent", async () => {
  // Nothing listens there: a ConnectionError would mean something was sent.
  await using r = new Redis({ port: await freePort() });
  const bad: unknown[] = [
    { keys: "k" },
    { keys: [5] },
    { events: [] },
    { events: ["not an event"] },
    { db: -1 },
    { configure: "Kz!" },
    { keyPrefix: 1 },
    { unknown: 1 },
    "keys",
  ];
  for (const options of bad) {
    await assert.rejects(r.keyspaceNotifications(options as never), DataError, JSON.stringify(options));
  }
});

test("stop the server", async () => {
  await server.stop();
});
