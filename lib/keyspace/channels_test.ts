// The pure half of keyspace notifications: channels planned from the options, the flags `configure`
// computes and merges, notifications parsed from channels (binary keys included), bad options.

import { test } from "node:test";
import assert from "node:assert/strict";
import { keyspacePlan, mergeKeyspaceFlags, parseKeyNotification } from "./channels.ts";
import { DataError } from "../errors.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

test("keys and patterns become key-space channels of the database; events filter; flags K + classes", () => {
  const plan = keyspacePlan(
    { keys: ["a"], patterns: ["u:*"], events: ["set", "expired"], configure: true },
    3,
    false,
  );
  assert.deepEqual(plan.channels, ["__keyspace@3__:a"]);
  assert.deepEqual(plan.patterns, ["__keyspace@3__:u:*"]);
  assert.deepEqual([...plan.events!], ["set", "expired"]);
  assert.equal(plan.configure, "K$x");
});

test("events alone become key-event channels; nothing at all: every event of the database", () => {
  const plan = keyspacePlan({ events: ["del", "lpush"], configure: true }, 0, false);
  assert.deepEqual(plan.channels, ["__keyevent@0__:del", "__keyevent@0__:lpush"]);
  assert.deepEqual(plan.patterns, []);
  assert.equal(plan.configure, "Egl");
  const all = keyspacePlan({ configure: true }, 0, false);
  assert.deepEqual(all.patterns, ["__keyevent@0__:*"]);
  assert.equal(all.configure, "Eg$lshzxetd");
  assert.equal(keyspacePlan({}, 0, false).configure, undefined);
  // An event of no known class needs every class.
  assert.equal(
    keyspacePlan({ keys: ["k"], events: ["somenewevent"], configure: true }, 0, false).configure,
    "Kg$lshzxetd",
  );
  assert.equal(keyspacePlan({ keys: ["k"], configure: "Kx" }, 0, false).configure, "Kx");
});

test("a binary key gives a binary channel, byte for byte", () => {
  const key = new Uint8Array([0xff, 0x00, 0x41]);
  const [channel] = keyspacePlan({ keys: [key] }, 0, false).channels as Uint8Array[];
  assert.deepEqual([...channel], [...bytes("__keyspace@0__:"), 0xff, 0x00, 0x41]);
});

test("merging adds only missing flags, A covering its classes, and keeps the current order", () => {
  assert.equal(mergeKeyspaceFlags("", "K$x"), "K$x");
  assert.equal(mergeKeyspaceFlags("Ex", "K$x"), "ExK$");
  assert.equal(mergeKeyspaceFlags("AKE", "K$x"), "AKE");
  assert.equal(mergeKeyspaceFlags("AK", "Kn"), "AKn");
  assert.equal(mergeKeyspaceFlags("Kx", "KA"), "Kxg$lshzetd");
});

test("parsing: key-space and key-event channels, text and bytes, prefix filtered and stripped", () => {
  assert.deepEqual(parseKeyNotification("__keyspace@12__:user:1", "del"), {
    key: "user:1",
    eventType: "del",
    database: 12,
    channel: "__keyspace@12__:user:1",
    isKeyspace: true,
  });
  assert.deepEqual(parseKeyNotification("__keyevent@0__:expired", "s:1", "s:"), {
    key: "1",
    eventType: "expired",
    database: 0,
    channel: "__keyevent@0__:expired",
    isKeyspace: false,
  });
  assert.equal(parseKeyNotification("__keyevent@0__:expired", "t:1", "s:"), undefined);
  const channel = new Uint8Array([...bytes("__keyspace@0__:"), 0xff, 0x3a]);
  const n = parseKeyNotification(channel, bytes("set"))!;
  assert.deepEqual([...(n.key as Uint8Array)], [0xff, 0x3a]);
  assert.equal(n.eventType, "set");
  assert.equal(parseKeyNotification("news", "x"), undefined);
  assert.equal(parseKeyNotification("__keyspace@x__:k", "set"), undefined);
  assert.equal(parseKeyNotification("__keyspace@0_k", "set"), undefined);
});

test("bad options are DataErrors", () => {
  const bad: unknown[] = [
    null,
    [],
    { keys: "k" },
    { keys: [""] },
    { keys: [1] },
    { patterns: [null] },
    { events: [] },
    { events: ["a b"] },
    { events: "set" },
    { db: -1 },
    { db: 1.5 },
    { keyPrefix: 3 },
    { configure: "Kq" },
    { configure: "" },
    { configure: 1 },
    { kyes: ["k"] },
  ];
  for (const options of bad) {
    assert.throws(() => keyspacePlan(options as never, 0, false), DataError, JSON.stringify(options));
  }
  assert.throws(() => keyspacePlan({ db: 1 }, 0, true), /only database 0/);
});
