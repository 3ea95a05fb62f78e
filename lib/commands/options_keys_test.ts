// Unknown option names: every command method that takes an options object rejects a key it does not know
// (a typo such as `{ exx: 10 }` would otherwise be ignored silently), asynchronously and without sending.

import { test } from "node:test";
import assert from "node:assert/strict";
import { DataError } from "../errors.ts";
import { Command } from "./command.ts";
import { optionKeys, optionsOf } from "./validate.ts";
import { Recorder } from "../../tests/support/recorder.ts";
import { UNKNOWN_OPTION_CALLS } from "../../tests/support/option_calls.ts";

test("every options object of a command method rejects an unknown key with a DataError, unsent", async () => {
  for (const [method, call] of UNKNOWN_OPTION_CALLS) {
    const r = new Recorder();
    let promise: Promise<unknown> | undefined;
    assert.doesNotThrow(() => {
      promise = call(r);
    }, method);
    await assert.rejects(promise!, (e: unknown) => {
      assert.ok(e instanceof DataError, `${method}: expected a DataError, got ${e}`);
      assert.match((e as Error).message, /unknown option "bogus" \(accepted: [a-zA-Z0-9, ]+\)$/, method);
      return true;
    }, method);
    assert.ok(r.commands.length > 0 && r.commands.every((c) => c.error instanceof DataError), method);
  }
});

test("the unknown-option message names the command, the key and the accepted keys", async () => {
  const r = new Recorder();
  await assert.rejects(
    r.set("k", "v", { exx: 10 } as never),
    new DataError('SET: unknown option "exx" (accepted: ex, px, exat, pxat, keepttl, nx, xx, get)'),
  );
  await assert.rejects(
    r.failover({ to: { host: "h", port: 1, forse: true } as never }),
    /FAILOVER: unknown option "forse" \(accepted: host, port, force\)/,
  );
});

test("a key whose value is undefined still counts as given (a typo is a typo)", async () => {
  const r = new Recorder();
  await assert.rejects(r.set("k", "v", { exx: undefined } as never), /SET: unknown option "exx"/);
  await assert.rejects(r.zrange("z", 0, -1, { scoreCast: undefined } as never), /ZRANGE: unknown option/);
});

test("known keys, inherited keys and no options at all still build the command", async () => {
  const r = new Recorder();
  r.transform = false;
  await r.set("k", "v");
  await r.set("k", "v", { ex: 1, nx: undefined, get: false });
  await r.xadd("s", { a: 1 }, { maxlen: 5, approximate: true, id: "*" }); // XTrimOptions keys via extends
  await r.georadius("g", 13, 38, 1, { unit: "km", store: "d" }); // GeoRadiusRoOptions keys via extends
  await r.scan(0, { match: "a*", count: 10, type: "string" });
  await r.set("k", "v", null as never);
  for (const c of r.commands) assert.equal(c.error, undefined, String(c.args[0]));
});

test("specific messages win over the unknown-key one where an option belongs to a sibling method", async () => {
  const r = new Recorder();
  await assert.rejects(
    r.geosearch("g", { member: "p", radius: 1, storedist: true } as never),
    /GEOSEARCH has no storedist option \(see geosearchstore\)/,
  );
  await assert.rejects(
    r.geosearchstore("d", "g", { member: "p", radius: 1, withdist: true } as never),
    /GEOSEARCHSTORE takes no withdist, withcoord or withhash/,
  );
  await assert.rejects(r.zrangestore("d", "z", 0, -1, { withscores: true } as never), /no withscores option/);
  await assert.rejects(r.hscan("h", 0, { type: "hash" }), /HSCAN has no type option/);
});

test("optionKeys lists an interface's keys; optionsOf without a list checks no keys", () => {
  const keys = optionKeys<{ a?: number; b?: string }>({ a: true, b: true });
  assert.deepEqual([...keys], ["a", "b"]);
  assert.ok(Object.isFrozen(keys));
  const cmd = new Command("X");
  assert.deepEqual(optionsOf(cmd, { c: 1 }), { c: 1 });
  assert.equal(cmd.error, undefined);
  optionsOf(cmd, { a: 1, c: 1 } as { a?: number; b?: string }, keys);
  assert.equal((cmd.error as DataError | undefined)?.message, 'X: unknown option "c" (accepted: a, b)');
});
