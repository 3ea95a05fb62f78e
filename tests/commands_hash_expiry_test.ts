// Hash field expiration commands (Redis 7.4+, Valkey 9.0+) against a real server, under RESP2 and RESP3:
// per-field codes, TTLs and expiry times, and the same values whatever the protocol. The feature tests run
// on the first installed server that has the commands and are skipped when none has (the reason names the
// servers found); when the default server lacks them, one test checks that the argv reaches it and its
// "unknown command" error surfaces as a ResponseError.
//
// Uses a shared plain server; every test works under its own key prefix.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Redis, ResponseError } from "../mod.ts";
import { binaryInfo, hasFeature, serverWith, sharedRedis } from "./harness/mod.ts";

const PROTOCOLS = [2, 3] as const;
type Protocol = (typeof PROTOCOLS)[number];

const run = Math.random().toString(36).slice(2, 8);
let counter = 0;
/** A key prefix no other test (or run) uses. */
const prefix = (what: string): string => `hash-expiry-test:${run}:${what}:${counter++}:`;

// Decided before the tests are declared, so every runtime reports a skip as a skip.
const picked = await serverWith("hash-field-expiry");
const skip = picked.skip;
const defaultServer = await binaryInfo();
const defaultHasIt = hasFeature(defaultServer, "hash-field-expiry");

/** A client of the shared server that has the commands (`feature`), or of the default one. */
async function connect(protocol: Protocol, feature = true): Promise<Redis> {
  const s = await (feature ? sharedRedis("plain", picked.binary) : sharedRedis());
  return new Redis({ host: s.host, port: s.port, protocol });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const protocol of PROTOCOLS) {
  const R = `RESP${protocol}`;

  test(`${R}: hexpire and the condition flags give one code per field`, { skip }, async () => {
    await using r = await connect(protocol);
    const h = `${prefix("hexpire")}h`;
    await r.hset(h, { a: "1", b: "2", c: "3" });
    assert.deepEqual(await r.hexpire(h, 100, ["a", "missing"]), [1, -2]);
    assert.deepEqual(await r.hexpire(h, 100, ["a", "b"], { nx: true }), [0, 1]);
    assert.deepEqual(await r.hexpire(h, 50, ["a", "c"], { xx: true }), [1, 0]);
    assert.deepEqual(await r.hexpire(h, 10, ["a"], { gt: true }), [0]);
    assert.deepEqual(await r.hexpire(h, 200, ["a"], { gt: true }), [1]);
    assert.deepEqual(await r.hexpire(h, 20, ["b"], { lt: true }), [1]);
    const [ta, tb, tc] = await r.httl(h, ["a", "b", "c"]);
    assert.ok(ta > 190 && ta <= 200, `ttl of a: ${ta}`);
    assert.ok(tb > 10 && tb <= 20, `ttl of b: ${tb}`);
    assert.equal(tc, -1);
    // 0 seconds deletes the field at once (code 2).
    assert.deepEqual(await r.hexpire(h, 0, ["c"]), [2]);
    assert.equal(await r.hexists(h, "c"), false);
    await r.del(h);
  });

  test(`${R}: hpexpire, hpttl and a field expiring on its own`, { skip }, async () => {
    await using r = await connect(protocol);
    const h = `${prefix("hpexpire")}h`;
    await r.hset(h, { a: "1", b: "2" });
    assert.deepEqual(await r.hpexpire(h, 100, ["a"]), [1]);
    const [pa, pb, pc] = await r.hpttl(h, ["a", "b", "c"]);
    assert.ok(pa > 0 && pa <= 100, `pttl of a: ${pa}`);
    assert.deepEqual([pb, pc], [-1, -2]);
    await sleep(250);
    assert.equal(await r.hget(h, "a"), null);
    assert.deepEqual(await r.hkeys(h), ["b"]);
    await r.del(h);
  });

  test(
    `${R}: hexpireat and hpexpireat with numbers and Dates, read back by *expiretime`,
    { skip },
    async () => {
      await using r = await connect(protocol);
      const h = `${prefix("expireat")}h`;
      await r.hset(h, { a: "1", b: "2", c: "3", d: "4" });
      const inAnHour = Math.floor(Date.now() / 1000) + 3600;
      assert.deepEqual(await r.hexpireat(h, inAnHour, ["a"]), [1]);
      const date = new Date((inAnHour + 60) * 1000 + 789);
      assert.deepEqual(await r.hexpireat(h, date, ["b"], { nx: true }), [1]);
      assert.deepEqual(await r.hpexpireat(h, date, ["c"]), [1]);
      assert.deepEqual(await r.hpexpireat(h, inAnHour * 1000, ["c"], { lt: true }), [1]);
      assert.deepEqual(await r.hexpiretime(h, ["a", "b", "c", "d", "e"]), [
        inAnHour,
        inAnHour + 60,
        inAnHour,
        -1,
        -2,
      ]);
      assert.deepEqual(await r.hpexpiretime(h, ["a", "b", "d"]), [
        inAnHour * 1000,
        (inAnHour + 60) * 1000,
        -1,
      ]);
      // A time in the past deletes the field at once (code 2).
      assert.deepEqual(await r.hexpireat(h, new Date(Date.now() - 60_000), ["d"]), [2]);
      assert.equal(await r.hexists(h, "d"), false);
      await r.del(h);
    },
  );

  test(`${R}: hpersist removes expiries; a missing key answers -2 per field`, { skip }, async () => {
    await using r = await connect(protocol);
    const p = prefix("persist");
    const h = `${p}h`;
    await r.hset(h, { a: "1", b: "2" });
    await r.hexpire(h, 100, ["a"]);
    assert.deepEqual(await r.hpersist(h, ["a", "b", "c"]), [1, -1, -2]);
    assert.deepEqual(await r.httl(h, ["a"]), [-1]);
    const missing = `${p}missing`;
    assert.deepEqual(await r.httl(missing, ["a", "b"]), [-2, -2]);
    assert.deepEqual(await r.hexpire(missing, 10, ["a"]), [-2]);
    await r.del(h);
  });

  test(`${R}: a key holding another type is a WRONGTYPE error`, { skip }, async () => {
    await using r = await connect(protocol);
    const p = prefix("edge");
    await r.set(`${p}s`, "x");
    await assert.rejects(r.httl(`${p}s`, ["a"]), (e: unknown) => {
      assert.ok(e instanceof ResponseError);
      assert.equal(e.code, "WRONGTYPE");
      return true;
    });
    await r.del(`${p}s`);
  });

  test(`${R}: before 7.4, hexpire is an unknown command and rejects with a ResponseError`, {
    skip: defaultHasIt
      ? `the default server (${defaultServer.flavour} ${defaultServer.version.join(".")}) knows HEXPIRE`
      : false,
  }, async () => {
    await using r = await connect(protocol, false);
    const h = `${prefix("old")}h`;
    await assert.rejects(r.hexpire(h, 10, ["a"], { nx: true }), (e: unknown) => {
      assert.ok(e instanceof ResponseError, `expected a ResponseError, got ${e}`);
      assert.equal(e.code, "ERR");
      assert.match(e.message, /unknown command/i);
      assert.match(e.message, /hexpire/i);
      return true;
    });
    // The connection is still usable afterwards.
    assert.equal(await r.ping(), true);
    await assert.rejects(r.httl(h, ["a"]), ResponseError);
  });
}
