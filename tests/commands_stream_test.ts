// Stream commands against a real server, under RESP2 and RESP3: real ids, entries, pending counts and
// group info, XREAD BLOCK woken by another client, and the same values whatever the protocol.
//
// Uses the shared plain server; every test works under its own key prefix.

import { test } from "node:test";
import assert from "node:assert/strict";
import { DataError, Redis, ResponseError } from "../mod.ts";
import { sharedRedis } from "./harness/mod.ts";

const PROTOCOLS = [2, 3] as const;
type Protocol = (typeof PROTOCOLS)[number];

const run = Math.random().toString(36).slice(2, 8);
let counter = 0;
/** A key prefix no other test (or run) uses. */
const prefix = (what: string): string => `stream-test:${run}:${what}:${counter++}:`;

async function connect<D extends boolean = true>(
  protocol: Protocol,
  options: { decodeResponses?: D } = {},
): Promise<Redis<D>> {
  const s = await sharedRedis();
  return new Redis<D>({ host: s.host, port: s.port, protocol, ...options });
}

async function atLeast(major: number, minor: number): Promise<boolean> {
  const [a, b] = (await sharedRedis()).version;
  return a > major || (a === major && b >= minor);
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fixed scenario whose replies (minus timings) must not depend on the protocol. */
async function scenario(protocol: Protocol): Promise<unknown[]> {
  await using r = await connect(protocol);
  const s = `${prefix("same")}s`;
  const out: unknown[] = [];
  out.push(await r.xadd(s, { a: "1", b: "x" }, { id: "1-1" }));
  out.push(await r.xadd(s, { a: "2" }, { id: "2-1" }));
  out.push(await r.xgroupCreate(s, "g", { id: "0" }));
  out.push(await r.xreadgroup("g", "c1", { [s]: ">" }, { count: 1 }));
  out.push(await r.xread({ [s]: "0" }));
  out.push(await r.xrange(s));
  out.push(await r.xpending(s, "g"));
  const pending = await r.xpendingRange(s, "g", { count: 10 });
  out.push(
    pending.map(({ messageId, consumer, timesDelivered }) => ({ messageId, consumer, timesDelivered })),
  );
  out.push(await r.xautoclaim(s, "g", "c2", 0));
  const groups = await r.xinfoGroups(s);
  out.push(groups);
  const consumers = await r.xinfoConsumers(s, "g");
  out.push(consumers.map(({ name, pending }) => ({ name, pending })));
  const info = await r.xinfoStream(s);
  out.push(info);
  const full = await r.xinfoStream(s, { full: true });
  out.push(
    full.entries,
    full.groups.map((g) => ({ name: g.name, pelCount: g.pelCount, pelIds: g.pending.map((p) => p.id) })),
  );
  await r.del(s);
  // Key names differ by prefix: name the stream "S" before comparing.
  return JSON.parse(JSON.stringify(out).replaceAll(JSON.stringify(s), '"S"'));
}

for (const protocol of PROTOCOLS) {
  const R = `RESP${protocol}`;

  test(`${R}: xadd, xlen, xrange, xrevrange, xdel, xtrim, xsetid`, async () => {
    await using r = await connect(protocol);
    const p = prefix("basic");
    const s = `${p}s`;
    assert.equal(await r.xadd(s, { temp: 21, unit: "C" }, { id: "1-0" }), "1-0");
    assert.equal(await r.xadd(s, new Map([["temp", 22]]), { id: "2-0" }), "2-0");
    assert.equal(await r.xadd(s, [["temp", "23"], ["temp", "dup"]], { id: "3-0" }), "3-0");
    const auto = await r.xadd(s, { temp: 24 });
    assert.match(auto!, /^\d+-\d+$/);
    assert.equal(await r.xlen(s), 4);
    assert.deepEqual(await r.xrange(s, { max: "2-0" }), [
      { id: "1-0", fields: { temp: "21", unit: "C" } },
      { id: "2-0", fields: { temp: "22" } },
    ]);
    assert.deepEqual((await r.xrange(s, { min: "(1-0", count: 2 })).map((e) => e.id), ["2-0", "3-0"]);
    assert.deepEqual(
      (await r.xrange(s, { min: "3-0", max: "3-0" }))[0].fields,
      { temp: "dup" },
      "a repeated field keeps its last value",
    );
    assert.deepEqual((await r.xrevrange(s, { count: 2 })).map((e) => e.id), [auto, "3-0"]);
    assert.deepEqual((await r.xrevrange(s, { max: "2-0", min: "-" })).map((e) => e.id), ["2-0", "1-0"]);
    assert.deepEqual(await r.xrange(`${p}missing`), []);

    assert.equal(await r.xdel(s, "2-0", "9-0"), 1);
    assert.equal(await r.xlen(s), 3);
    assert.equal(await r.xtrim(s, { maxlen: 1, approximate: false }), 2);
    assert.deepEqual((await r.xrange(s)).map((e) => e.id), [auto]);
    assert.equal(
      await r.xadd(s, { x: 1 }, { maxlen: 1, approximate: false }),
      await r.xrevrange(s).then((e) => e[0].id),
    );
    assert.equal(await r.xlen(s), 1);
    assert.equal(await r.xtrim(s, { minid: "9999999999999-0", approximate: false }), 1);
    assert.equal(await r.xlen(s), 0);
    assert.equal(await r.xtrim(s, { maxlen: 100, limit: 10 }), 0);

    assert.equal(await r.xadd(`${p}none`, { a: 1 }, { nomkstream: true }), null);
    assert.equal(await r.exists(`${p}none`), 0);

    const t = `${p}t`;
    await r.xadd(t, { a: 1 }, { id: "5-0" });
    assert.equal(await r.xsetid(t, "10-0"), true);
    assert.equal((await r.xinfoStream(t)).lastGeneratedId, "10-0");
    await assert.rejects(r.xadd(t, { a: 1 }, { id: "9-0" }), ResponseError);
    if (await atLeast(7, 0)) {
      assert.equal(await r.xsetid(t, "11-0", { entriesAdded: 5, maxDeletedEntryId: "4-0" }), true);
      const info = await r.xinfoStream(t);
      assert.equal(info.entriesAdded, 5);
      assert.equal(info.maxDeletedEntryId, "4-0");
    }
    await assert.rejects(r.xadd(s, {}), DataError);
    await assert.rejects(r.xadd(s, { a: 1 }, { maxlen: 1, minid: "1" }), DataError);
    await assert.rejects(r.xtrim(s, { maxlen: 1, approximate: false, limit: 5 }), DataError);
    await r.del(s, t);
  });

  test(`${R}: consumer groups: xreadgroup, xpending, xack, xclaim, xautoclaim`, async () => {
    await using r = await connect(protocol);
    const p = prefix("group");
    const s = `${p}s`;
    assert.equal(await r.xgroupCreate(s, "g", { id: "0", mkstream: true }), true);
    await assert.rejects(r.xgroupCreate(s, "g"), ResponseError, "BUSYGROUP");
    for (let i = 1; i <= 3; i++) await r.xadd(s, { n: i }, { id: `${i}-0` });

    assert.deepEqual(await r.xreadgroup("g", "c1", { [s]: ">" }, { count: 2 }), [[s, [
      { id: "1-0", fields: { n: "1" } },
      { id: "2-0", fields: { n: "2" } },
    ]]]);
    assert.deepEqual(await r.xreadgroup("g", "c2", { [s]: ">" }), [[s, [{ id: "3-0", fields: { n: "3" } }]]]);
    assert.deepEqual(await r.xreadgroup("g", "c2", { [s]: ">" }), [], "nothing new");

    assert.deepEqual(await r.xpending(s, "g"), {
      pending: 3,
      min: "1-0",
      max: "3-0",
      consumers: [{ name: "c1", pending: 2 }, { name: "c2", pending: 1 }],
    });
    const rows = await r.xpendingRange(s, "g", { count: 10 });
    assert.deepEqual(rows.map((row) => [row.messageId, row.consumer, row.timesDelivered]), [
      ["1-0", "c1", 1],
      ["2-0", "c1", 1],
      ["3-0", "c2", 1],
    ]);
    assert.ok(rows.every((row) => typeof row.timeSinceDelivered === "number" && row.timeSinceDelivered >= 0));
    assert.deepEqual(
      (await r.xpendingRange(s, "g", { min: "2-0", count: 10, consumername: "c1" })).map((x) => x.messageId),
      ["2-0"],
    );
    assert.deepEqual(await r.xpendingRange(s, "g", { count: 10, idle: 3_600_000 }), []);

    assert.equal(await r.xack(s, "g", "1-0", "9-0"), 1);
    assert.equal((await r.xpending(s, "g")).pending, 2);

    // Re-reading c1's history after deleting its pending entry: fields null.
    await r.xdel(s, "2-0");
    assert.deepEqual(await r.xreadgroup("g", "c1", { [s]: "0" }), [[s, [{ id: "2-0", fields: null }]]]);

    // XCLAIM moves 3-0 to c1, with options.
    assert.deepEqual(await r.xclaim(s, "g", "c1", 0, ["3-0"], { retrycount: 5 }), [
      { id: "3-0", fields: { n: "3" } },
    ]);
    const [row3] = await r.xpendingRange(s, "g", { min: "3-0", max: "3-0", count: 1 });
    assert.equal(row3.consumer, "c1");
    assert.equal(row3.timesDelivered, 5);
    assert.deepEqual(await r.xclaim(s, "g", "c2", 0, ["3-0"], { justid: true, idle: 1000 }), ["3-0"]);
    assert.deepEqual(await r.xclaim(s, "g", "c2", 3_600_000, ["3-0"]), [], "not idle long enough");

    // XAUTOCLAIM takes everything idle; the deleted 2-0 is reported (Redis 7+) and dropped.
    const claimed = await r.xautoclaim(s, "g", "c3", 0, { count: 10 });
    assert.equal(claimed.next, "0-0");
    assert.deepEqual(claimed.claimed, [{ id: "3-0", fields: { n: "3" } }]);
    if (await atLeast(7, 0)) assert.deepEqual(claimed.deleted, ["2-0"]);
    assert.deepEqual(await r.xautoclaim(s, "g", "c4", 0, { justid: true }), {
      next: "0-0",
      claimed: ["3-0"],
      deleted: [],
    });

    // NOACK: delivered but not pending.
    await r.xadd(s, { n: 4 }, { id: "4-0" });
    assert.deepEqual(
      (await r.xreadgroup("g", "c1", { [s]: ">" }, { noack: true }))[0][1].map((e) => e.id),
      ["4-0"],
    );
    assert.equal((await r.xpending(s, "g")).pending, 1);

    await assert.rejects(r.xreadgroup("nogroup", "c", { [s]: ">" }), ResponseError, "NOGROUP");
    await assert.rejects(r.xpendingRange(s, "g", {}), DataError);
    await r.del(s);
  });

  test(`${R}: xgroup management and xinfo`, async () => {
    await using r = await connect(protocol);
    const p = prefix("info");
    const s = `${p}s`;
    await r.xadd(s, { a: "1" }, { id: "1-0" });
    await r.xadd(s, { b: "2" }, { id: "2-0" });
    assert.equal(await r.xgroupCreate(s, "g"), true);
    assert.equal(await r.xgroupCreate(s, "h", { id: "0" }), true);
    assert.equal(await r.xgroupCreateconsumer(s, "g", "c1"), 1);
    assert.equal(await r.xgroupCreateconsumer(s, "g", "c1"), 0);
    await r.xreadgroup("g", "c1", { [s]: "0" });
    assert.equal(await r.xgroupSetid(s, "g", "0"), true);
    await r.xreadgroup("g", "c1", { [s]: ">" }, { count: 1 });

    const groups = await r.xinfoGroups(s);
    assert.deepEqual(groups.map((g) => [g.name, g.consumers, g.pending, g.lastDeliveredId]), [
      ["g", 1, 1, "1-0"],
      ["h", 0, 0, "0-0"],
    ]);
    if (await atLeast(7, 0)) {
      assert.equal(groups[0].entriesRead, 1);
      assert.equal(groups[0].lag, 1);
    }

    const consumers = await r.xinfoConsumers(s, "g");
    assert.equal(consumers.length, 1);
    assert.equal(consumers[0].name, "c1");
    assert.equal(consumers[0].pending, 1);
    assert.equal(typeof consumers[0].idle, "number");

    const info = await r.xinfoStream(s);
    assert.equal(info.length, 2);
    assert.equal(info.groups, 2);
    assert.equal(info.lastGeneratedId, "2-0");
    assert.equal(typeof info.radixTreeKeys, "number");
    assert.deepEqual(info.firstEntry, { id: "1-0", fields: { a: "1" } });
    assert.deepEqual(info.lastEntry, { id: "2-0", fields: { b: "2" } });

    const full = await r.xinfoStream(s, { full: true, count: 1 });
    assert.equal(full.length, 2);
    assert.deepEqual(full.entries, [{ id: "1-0", fields: { a: "1" } }]);
    assert.deepEqual(full.groups.map((g) => g.name), ["g", "h"]);
    const g = full.groups[0];
    assert.equal(g.pelCount, 1);
    assert.equal(g.pending[0].id, "1-0");
    assert.equal(g.pending[0].consumer, "c1");
    assert.equal(g.pending[0].deliveryCount, 1);
    assert.equal(typeof g.pending[0].deliveryTime, "number");
    assert.equal(g.consumers[0].name, "c1");
    assert.equal(g.consumers[0].pelCount, 1);
    assert.deepEqual(g.consumers[0].pending.map((e) => [e.id, e.deliveryCount]), [["1-0", 1]]);
    assert.equal(typeof g.consumers[0].seenTime, "number");

    assert.equal(await r.xgroupDelconsumer(s, "g", "c1"), 1);
    assert.deepEqual(await r.xinfoConsumers(s, "g"), []);
    assert.equal(await r.xgroupDestroy(s, "g"), 1);
    assert.equal(await r.xgroupDestroy(s, "g"), 0);
    assert.equal((await r.xinfoGroups(s)).length, 1);

    const empty = `${p}empty`;
    await r.xgroupCreate(empty, "g", { mkstream: true });
    const emptyInfo = await r.xinfoStream(empty);
    assert.equal(emptyInfo.length, 0);
    assert.equal(emptyInfo.firstEntry, null);
    assert.equal(emptyInfo.lastEntry, null);
    await assert.rejects(r.xinfoStream(`${p}missing`), ResponseError);
    await r.del(s, empty);
  });

  test(`${R}: xread, and XREAD BLOCK woken by another client's XADD`, async () => {
    await using r = await connect(protocol);
    await using writer = await connect(protocol);
    const p = prefix("read");
    const a = `${p}a`;
    const b = `${p}b`;
    await r.xadd(a, { x: "1" }, { id: "1-0" });
    await r.xadd(b, { y: "2" }, { id: "1-0" });
    await r.xadd(b, { y: "3" }, { id: "2-0" });
    assert.deepEqual(await r.xread({ [a]: "0", [b]: "1-0" }), [
      [a, [{ id: "1-0", fields: { x: "1" } }]],
      [b, [{ id: "2-0", fields: { y: "3" } }]],
    ]);
    assert.deepEqual(await r.xread(new Map([[b, "0"]]), { count: 1 }), [[b, [{
      id: "1-0",
      fields: { y: "2" },
    }]]]);
    assert.deepEqual(await r.xread({ [a]: "1-0" }), [], "nothing after the last id");

    const started = Date.now();
    assert.deepEqual(await r.xread({ [a]: "$" }, { block: 100 }), [], "a timeout is an empty result");
    assert.ok(Date.now() - started >= 90);

    const waiting = r.xread({ [a]: "$", [b]: "$" }, { block: 5000 });
    await sleep(50);
    await writer.xadd(b, { wake: "up" }, { id: "3-0" });
    assert.deepEqual(await waiting, [[b, [{ id: "3-0", fields: { wake: "up" } }]]]);

    await r.xgroupCreate(a, "g", { id: "$" });
    const group = r.xreadgroup("g", "c", { [a]: ">" }, { block: 5000 });
    await sleep(50);
    await writer.xadd(a, { hello: "group" }, { id: "5-0" });
    assert.deepEqual(await group, [[a, [{ id: "5-0", fields: { hello: "group" } }]]]);
    assert.equal(await r.ping(), true, "the connection is usable after blocking");
    await r.del(a, b);
  });

  test(`${R}: decodeResponses: false keeps values as bytes, ids and field names as text`, async () => {
    await using r = await connect(protocol, { decodeResponses: false });
    const p = prefix("bytes");
    const s = `${p}s`;
    const id = await r.xadd(s, { f: new Uint8Array([0xff, 0x00]) }, { id: "1-0" });
    assert.equal(id, "1-0");
    assert.deepEqual(await r.xrange(s), [{ id: "1-0", fields: { f: new Uint8Array([0xff, 0x00]) } }]);
    assert.deepEqual(await r.xread({ [s]: "0" }), [[enc(s), [{
      id: "1-0",
      fields: { f: new Uint8Array([0xff, 0]) },
    }]]]);
    const info = await r.xinfoStream(s);
    assert.equal(info.lastGeneratedId, "1-0");
    assert.deepEqual(info.firstEntry?.fields.f, new Uint8Array([0xff, 0x00]));
    await r.del(s);
  });
}

test("stream replies are identical under RESP2 and RESP3", async () => {
  const [two, three] = [await scenario(2), await scenario(3)];
  assert.deepEqual(two, three);
  assert.equal((two[3] as unknown[]).length, 1, "the scenario read something");
});
