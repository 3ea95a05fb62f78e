// redis-py conformance of individual commands against a real server: empty
// key lists, client-side checks of CLIENT TRACKING, plain COMMAND and LOLWUT
// with version arguments.

import { test } from "node:test";
import assert from "node:assert/strict";
import { DataError, Redis } from "../mod.ts";
import { sharedRedis } from "./harness/mod.ts";
import { commandCalls } from "./support/async.ts";

const PROTOCOLS = [2, 3] as const;

async function client(protocol: 2 | 3 = 2): Promise<Redis> {
  const s = await sharedRedis("plain");
  return new Redis({ host: s.host, port: s.port, protocol });
}

const key = (name: string) => `conformance:${name}:${Math.random().toString(36).slice(2)}`;

test("mget([]) is [] without a round trip, as redis-py", async () => {
  await using r = await client();
  const before = await commandCalls(r, "mget");
  assert.deepEqual(await r.mget([]), []);
  assert.equal(await commandCalls(r, "mget"), before, "MGET was not sent");
});

test("mget([]) in a plain pipeline is [] in place; the other replies are kept", async () => {
  await using r = await client();
  const k = key("mget");
  await r.set(k, "v");
  const before = await commandCalls(r, "mget");
  const [none, got, both] = await r.pipeline({ transaction: false }).mget([]).get(k).mget([k, k]).exec();
  assert.deepEqual(none, []);
  assert.equal(got, "v");
  assert.deepEqual(both, ["v", "v"]);
  assert.equal(await commandCalls(r, "mget"), before + 1, "only the non-empty MGET was sent");
  await r.del(k);
});

test("commands that redis-py sends with no key (and the server refuses) are a DataError, unsent", async () => {
  await using r = await client();
  const calls = [
    () => r.del(),
    () => r.exists(),
    () => r.unlink(),
    () => r.touch(),
    () => r.sinter([]),
    () => r.sunion([]),
    () => r.sdiff([]),
    () => r.mset({}),
    () => r.msetnx({}),
    () => r.hmget("h", []),
  ];
  for (const call of calls) await assert.rejects(call(), DataError, String(call));
});

for (const protocol of PROTOCOLS) {
  test(`RESP${protocol}: clientTracking with a prefix but no bcast is a DataError, unsent (as redis-py)`, async () => {
    await using r = await client(protocol);
    const before = await commandCalls(r, "client|tracking");
    await assert.rejects(r.clientTracking(true, { prefix: ["user:"] }), DataError);
    await assert.rejects(r.clientTracking(false, { prefix: ["user:"] }), DataError);
    assert.equal(await commandCalls(r, "client|tracking"), before, "CLIENT TRACKING was not sent");
    // An empty prefix list needs no bcast, as in redis-py.
    if (protocol === 3) {
      assert.equal(await r.clientTracking(true, { prefix: [] }), true);
      assert.equal(await r.clientTracking(false), true);
    }
  });

  test(`RESP${protocol}: command() is every command keyed by lower-case name, parsed as redis-py`, async () => {
    await using r = await client(protocol);
    const all = await r.command();
    const count = await r.commandCount();
    assert.equal(Object.keys(all).length, count);
    const get = all.get;
    assert.equal(get.name, "get");
    assert.equal(get.arity, 2);
    assert.ok(get.flags.includes("readonly"), `flags: ${get.flags}`);
    assert.deepEqual([get.firstKeyPos, get.lastKeyPos, get.stepCount], [1, 1, 1]);
    assert.ok(get.aclCategories.includes("@read"), `categories: ${get.aclCategories}`);
    assert.ok(Array.isArray(get.tips));
    assert.ok(get.keySpecifications.length > 0);
    assert.deepEqual(get.subcommands, []);
    assert.ok(all.client.subcommands.some((s) => s.name === "client|list"));
    assert.ok(Object.keys(all).every((name) => name === name.toLowerCase()));
  });

  test(`RESP${protocol}: lolwut(...versionNumbers) sends LOLWUT VERSION with every number`, async () => {
    await using r = await client(protocol);
    assert.match(await r.lolwut(), /ver\. \d/);
    const v5 = await r.lolwut(5, 1, 2, 3);
    assert.match(v5, /ver\. \d/);
    // Version 5 draws `1` column of squares: a much smaller picture than the default 66.
    assert.ok(v5.length < (await r.lolwut(5)).length, "the extra numbers reached the server");
    assert.match(await r.lolwut(6), /ver\. \d/);
    await assert.rejects(r.lolwut(5, 1.5), DataError);
  });
}
