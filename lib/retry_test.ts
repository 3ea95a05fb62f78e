import { test } from "node:test";
import assert from "node:assert/strict";
import { type Backoff, ConstantBackoff, DecorrelatedJitterBackoff, NoBackoff } from "./backoff.ts";
import { Retry } from "./retry.ts";
import {
  AuthenticationError,
  ConnectionError,
  DataError,
  ReadOnlyError,
  ResponseError,
  TimeoutError,
} from "./errors.ts";

/** A function that throws `error` for its first `failures` calls, then returns "ok". */
function flaky(failures: number, error: () => Error = () => new ConnectionError("lost")) {
  const fn = async () => {
    fn.calls++;
    await Promise.resolve();
    if (fn.calls <= failures) throw error();
    return "ok";
  };
  fn.calls = 0;
  return fn;
}

test("Retry: defaults are ConnectionError and TimeoutError, no retryWrites", () => {
  const retry = new Retry(new NoBackoff(), 3);
  assert.deepEqual(retry.supportedErrors, [ConnectionError, TimeoutError]);
  assert.equal(retry.retryWrites, false);
  assert.equal(retry.retries, 3);
  assert.ok(retry.isSupported(new ConnectionError("x")));
  assert.ok(retry.isSupported(new TimeoutError("x")));
  assert.ok(retry.isSupported(new AuthenticationError("x")), "subclasses count");
  assert.ok(!retry.isSupported(new ResponseError("ERR x")));
  assert.ok(!retry.isSupported(new Error("x")));
  assert.ok(!retry.isSupported("not an error"));
  assert.equal(new Retry(new NoBackoff(), 0, { retryWrites: true }).retryWrites, true);
});

test("Retry: allows() counts retries after the first attempt; -1 is forever", () => {
  const none = new Retry(new NoBackoff(), 0);
  assert.equal(none.allows(1), false);
  const two = new Retry(new NoBackoff(), 2);
  assert.deepEqual([1, 2, 3].map((f) => two.allows(f)), [true, true, false]);
  const forever = new Retry(new NoBackoff(), -1);
  assert.ok(forever.allows(1) && forever.allows(1_000_000));
});

test("Retry: retries 0 tries once and rethrows", async () => {
  const fn = flaky(1);
  const failures: unknown[] = [];
  await assert.rejects(
    new Retry(new NoBackoff(), 0).callWithRetry(fn, (e) => void failures.push(e)),
    ConnectionError,
  );
  assert.equal(fn.calls, 1);
  assert.equal(failures.length, 1, "onFailure runs for the last failure too, as in redis-py");
});

test("Retry: retries 2 succeeds after two failures, fails after three", async () => {
  const retry = new Retry(new NoBackoff(), 2);
  const ok = flaky(2);
  assert.equal(await retry.callWithRetry(ok), "ok");
  assert.equal(ok.calls, 3);

  const bad = flaky(3);
  const failures: unknown[] = [];
  await assert.rejects(retry.callWithRetry(bad, (e) => void failures.push(e)), ConnectionError);
  assert.equal(bad.calls, 3);
  assert.equal(failures.length, 3);
  assert.ok(failures.every((e) => e instanceof ConnectionError));
});

test("Retry: retries -1 keeps trying until the call succeeds", async () => {
  const fn = flaky(10, () => new TimeoutError("slow"));
  let failures = 0;
  assert.equal(await new Retry(new NoBackoff(), -1).callWithRetry(fn, () => void failures++), "ok");
  assert.equal(fn.calls, 11);
  assert.equal(failures, 10);
});

test("Retry: an unsupported error is thrown at once, without onFailure", async () => {
  const fn = flaky(5, () => new ResponseError("WRONGTYPE x"));
  let failures = 0;
  await assert.rejects(
    new Retry(new NoBackoff(), 5).callWithRetry(fn, () => void failures++),
    (e) => e instanceof ResponseError && e.code === "WRONGTYPE",
  );
  assert.equal(fn.calls, 1);
  assert.equal(failures, 0);
});

test("Retry: onFailure is awaited before the next attempt; its error ends the retries", async () => {
  const fn = flaky(2);
  const events: string[] = [];
  const retry = new Retry(new NoBackoff(), 5);
  await retry.callWithRetry(
    async () => {
      events.push("call");
      return await fn();
    },
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push("failed");
    },
  );
  assert.deepEqual(events, ["call", "failed", "call", "failed", "call"]);

  const reconnectFailed = new Error("cannot reconnect");
  await assert.rejects(
    retry.callWithRetry(flaky(1), () => {
      throw reconnectFailed;
    }),
    (e) => e === reconnectFailed,
  );
});

test("Retry: waits backoff.compute(failures) ms between attempts", async () => {
  const fn = flaky(2);
  const started = performance.now();
  assert.equal(await new Retry(new ConstantBackoff(20), 2).callWithRetry(fn), "ok");
  const elapsed = performance.now() - started;
  // a lower bound (two 20 ms waits), with 2 ms of slack for timer rounding
  assert.ok(elapsed >= 38, `elapsed ${elapsed} ms`);
});

test("Retry: passes the failure count to the backoff and resets it first", async () => {
  const seen: number[] = [];
  let resets = 0;
  const backoff: Backoff = {
    compute: (failures) => {
      seen.push(failures);
      return 0;
    },
    reset: () => void resets++,
  };
  const retry = new Retry(backoff, 3);
  await retry.callWithRetry(flaky(3));
  assert.deepEqual(seen, [1, 2, 3]);
  assert.equal(resets, 1);
  await retry.callWithRetry(flaky(0));
  assert.equal(resets, 2);

  // a stateful backoff starts from its base again on every call
  const decorrelated = new DecorrelatedJitterBackoff({ cap: 1_000, base: 1, random: () => 0.5 });
  decorrelated.compute(1);
  decorrelated.compute(2);
  const waits: number[] = [];
  const spy: Backoff = {
    compute: (f) => {
      const w = decorrelated.compute(f);
      waits.push(w);
      return w;
    },
    reset: () => decorrelated.reset(),
  };
  await new Retry(spy, 1).callWithRetry(flaky(1));
  assert.deepEqual(waits, [1]);
});

test("Retry: updateSupportedErrors adds classes without duplicates", async () => {
  const retry = new Retry(new NoBackoff(), 1);
  retry.updateSupportedErrors([ReadOnlyError, ConnectionError, ReadOnlyError]);
  assert.deepEqual(retry.supportedErrors, [ConnectionError, TimeoutError, ReadOnlyError]);
  assert.ok(retry.isSupported(new ReadOnlyError("READONLY x")));
  assert.equal(await retry.callWithRetry(flaky(1, () => new ReadOnlyError("READONLY x"))), "ok");

  const custom = new Retry(new NoBackoff(), 1, { supportedErrors: [TypeError, TypeError] });
  assert.deepEqual(custom.supportedErrors, [TypeError]);
  assert.ok(!custom.isSupported(new ConnectionError("x")));

  // the getter hands out a copy
  (retry.supportedErrors as unknown[]).length = 0;
  assert.equal(retry.supportedErrors.length, 3);
});

test("Retry: copy() shares the backoff and copies retries, errors and retryWrites", () => {
  const backoff = new ConstantBackoff(5);
  const retry = new Retry(backoff, 4, { retryWrites: true, supportedErrors: [TimeoutError] });
  const copy = retry.copy();
  assert.notEqual(copy, retry);
  assert.equal(copy.backoff, backoff);
  assert.equal(copy.retries, 4);
  assert.equal(copy.retryWrites, true);
  assert.deepEqual(copy.supportedErrors, [TimeoutError]);

  copy.retries = 0;
  copy.updateSupportedErrors([ReadOnlyError]);
  assert.equal(retry.retries, 4);
  assert.deepEqual(retry.supportedErrors, [TimeoutError]);
});

test("Retry: bad retries, backoff or options are a DataError", () => {
  for (const bad of [-2, 1.5, NaN, Infinity, "3" as unknown as number]) {
    assert.throws(() => new Retry(new NoBackoff(), bad), DataError);
  }
  const retry = new Retry(new NoBackoff(), 1);
  assert.throws(() => (retry.retries = -5), DataError);
  assert.equal(retry.retries, 1);
  assert.throws(() => new Retry(null as unknown as Backoff, 1), DataError);
  assert.throws(() => new Retry({ compute: () => 0 } as unknown as Backoff, 1), DataError);
  assert.throws(
    () => new Retry(new NoBackoff(), 1, { supportedErrors: ["x"] as unknown as [] }),
    DataError,
  );
  assert.throws(() => retry.updateSupportedErrors([42] as unknown as []), DataError);
  assert.throws(
    () => new Retry(new NoBackoff(), 1, { retryWrites: "yes" as unknown as boolean }),
    DataError,
  );
});
