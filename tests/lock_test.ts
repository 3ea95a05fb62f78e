// Distributed locks against a real server: mutual exclusion under contention, token checks, expiry,
// blocking limits, extend/reacquire and `await using`.

import { test } from "node:test";
import assert from "node:assert/strict";
import { DataError, Lock, type LockClass, LockError, LockNotOwnedError, Redis } from "../mod.ts";
import { sharedRedis } from "./harness/mod.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const protocol of [2, 3] as const) {
  const R = `RESP${protocol}`;
  const p = `lock:${protocol}:`;
  const client = async () => {
    const s = await sharedRedis();
    return new Redis({ host: s.host, port: s.port, protocol });
  };

  test(`${R}: 50 contenders on one key never overlap inside the critical section`, async () => {
    const clients = await Promise.all(Array.from({ length: 5 }, client)); // several connections contend
    try {
      await clients[0].del(`${p}mutex`, `${p}counter`);
      let inside = 0;
      let most = 0;
      await Promise.all(Array.from({ length: 50 }, async (_, i) => {
        const r = clients[i % clients.length];
        const lock = r.lock(`${p}mutex`, { timeout: 5_000, sleep: 5 });
        assert.equal(await lock.acquire(), true);
        inside++;
        most = Math.max(most, inside);
        // A read-modify-write that loses updates unless the lock excludes the others.
        const n = Number(await r.get(`${p}counter`) ?? 0);
        await sleep(1);
        await r.set(`${p}counter`, n + 1);
        inside--;
        await lock.release();
      }));
      assert.equal(most, 1, "at most one holder at a time");
      assert.equal(await clients[0].get(`${p}counter`), "50", "no lost update");
      assert.equal(await clients[0].exists(`${p}mutex`), 0, "released at the end");
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  test(`${R}: an expired lock cannot be released by its old holder`, async () => {
    await using r = await client();
    await r.del(`${p}expiring`);
    const old = r.lock(`${p}expiring`, { timeout: 100 });
    assert.equal(await old.acquire(), true);
    await sleep(200);
    const next = r.lock(`${p}expiring`, { timeout: 5_000 });
    assert.equal(await next.acquire({ blocking: false }), true);
    assert.equal(await old.owned(), false);
    await assert.rejects(old.release(), LockNotOwnedError);
    assert.equal(await next.owned(), true, "the new holder's lock is untouched");
    await next.release();
    assert.equal(await next.locked(), false);
  });

  test(`${R}: a taken lock: non-blocking and blockingTimeout give up; acquireOrThrow rejects`, async () => {
    await using r = await client();
    await r.del(`${p}taken`);
    const holder = r.lock(`${p}taken`, { timeout: 5_000 });
    await holder.acquire();
    const other = r.lock(`${p}taken`, { sleep: 20 });
    assert.equal(await other.acquire({ blocking: false }), false);
    const started = Date.now();
    assert.equal(await other.acquire({ blockingTimeout: 150 }), false);
    const waited = Date.now() - started;
    assert.ok(waited >= 100 && waited < 1_000, `waited ${waited} ms`);
    await assert.rejects(other.acquireOrThrow({ blockingTimeout: 50 }), LockError);
    // Released meanwhile: a blocked acquire gets it.
    const waiting = other.acquire({ blockingTimeout: 2_000 });
    await sleep(50);
    await holder.release();
    assert.equal(await waiting, true);
    await other.release();
  });

  test(`${R}: extend, reacquire, owned, and await using`, async () => {
    await using r = await client();
    await r.del(`${p}ext`);
    {
      await using lock = await r.lock(`${p}ext`, { timeout: 1_000 }).acquireOrThrow();
      assert.equal(await lock.extend(10_000), true);
      const ttl = await r.pttl(`${p}ext`);
      assert.ok(ttl > 9_000 && ttl <= 11_000, `pttl ${ttl}`);
      assert.equal(await lock.extend(2_000, { replaceTtl: true }), true);
      assert.ok(await r.pttl(`${p}ext`) <= 2_000);
      await r.pexpire(`${p}ext`, 100);
      assert.equal(await lock.reacquire(), true);
      assert.ok(await r.pttl(`${p}ext`) > 500, "reacquire restores the timeout");
      assert.equal(await lock.owned(), true);
    }
    assert.equal(await r.exists(`${p}ext`), 0, "await using released it");
    const unlocked = r.lock(`${p}ext`, { timeout: 1_000 });
    await assert.rejects(unlocked.release(), LockError);
    await assert.rejects(unlocked.extend(10), LockError);
    assert.throws(() => r.lock(`${p}ext`, { timeout: -1 }), DataError);
    const noTimeout = r.lock(`${p}forever`);
    await noTimeout.acquire();
    await assert.rejects(noTimeout.extend(10), LockError);
    assert.equal(await r.pttl(`${p}forever`), -1, "a lock without timeout lives until released");
    await noTimeout.release();
  });

  test(`${R}: raiseOnReleaseError (default true): releasing a lost lock throws, from release() and await using`, async () => {
    await using r = await client();
    await r.del(`${p}lost`);
    const takeOver = async () => {
      await sleep(80); // the holder's lock expires...
      const next = r.lock(`${p}lost`, { timeout: 5_000 });
      assert.equal(await next.acquire({ blocking: false }), true); // ...and another holder takes it
      return next;
    };
    const old = r.lock(`${p}lost`, { timeout: 50 });
    await old.acquire();
    let next = await takeOver();
    await assert.rejects(old.release(), LockNotOwnedError);
    await next.release();

    // `await using` throws too, as redis-py's `with lock:` does.
    const disposal = (async () => {
      await using _held = await r.lock(`${p}lost`, { timeout: 50 }).acquireOrThrow();
      next = await takeOver();
    })();
    await assert.rejects(disposal, LockNotOwnedError);
    assert.equal(await next.owned(), true, "the new holder's lock is untouched");
    await next.release();
  });

  test(`${R}: raiseOnReleaseError: false: a lost lock is released quietly; an unlocked one still throws`, async () => {
    await using r = await client();
    await r.del(`${p}quiet`);
    const warnings: unknown[][] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args);
    try {
      const old = r.lock(`${p}quiet`, { timeout: 50, raiseOnReleaseError: false });
      assert.equal(await old.acquire(), true);
      await sleep(80);
      const next = r.lock(`${p}quiet`, { timeout: 5_000 });
      assert.equal(await next.acquire({ blocking: false }), true);
      assert.equal(await old.release(), undefined);
      {
        await using _held = await r.lock(`${p}quiet2`, { timeout: 50, raiseOnReleaseError: false })
          .acquireOrThrow();
        await sleep(80);
        await r.set(`${p}quiet2`, "someone else");
      }
      assert.equal(await r.get(`${p}quiet2`), "someone else", "the other holder's key is untouched");
      assert.equal(await next.owned(), true);
      await next.release();
      assert.equal(warnings.length, 2, "each lost lock is logged");
      assert.match(String(warnings[0][0]), /no longer owned/);
      await assert.rejects(old.release(), LockError, "releasing an unlocked lock is still an error");
    } finally {
      console.warn = warn;
    }
  });

  test(`${R}: lockClass: lock() instantiates the given Lock subclass`, async () => {
    await using r = await client();
    await r.del(`${p}custom`);
    class CountingLock extends Lock {
      acquisitions = 0;
      override async acquire(...args: Parameters<Lock["acquire"]>): Promise<boolean> {
        const ok = await super.acquire(...args);
        if (ok) this.acquisitions++;
        return ok;
      }
    }
    const lock = r.lock(`${p}custom`, { lockClass: CountingLock, timeout: 5_000 });
    assert.ok(lock instanceof CountingLock);
    assert.equal(await lock.acquire(), true);
    assert.equal(lock.acquisitions, 1);
    assert.equal(await r.get(`${p}custom`), lock.token, "the subclass holds the lock on the server");
    await lock.release();
    assert.equal(await r.exists(`${p}custom`), 0);
    const notALock = class {} as unknown as LockClass;
    assert.throws(() => r.lock(`${p}custom`, { lockClass: notALock }), DataError);
  });
}
