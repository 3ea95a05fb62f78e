// The cluster cache's tags: a node's entries and a slot's entries go on their own, through reads of the
// router and through a node's view (what a node's pool and `nodeClient` use), binary keys included.

import { test } from "node:test";
import assert from "node:assert/strict";
import { CacheConfig } from "../cache.ts";
import { Command } from "../commands/command.ts";
import { keyText } from "../key_text.ts";
import { ClusterCache } from "./cache.ts";
import { keySlot } from "./slots.ts";

const get = (key: string | Uint8Array) => new Command("GET").key(key);

test("ClusterCache: dropNode and dropSlots drop only their entries; reads in flight are not stored", async () => {
  const cc = new ClusterCache(new CacheConfig());
  await cc.read(get("a"), "n1", keySlot("a"), () => Promise.resolve("A"));
  await cc.read(get("b"), "n1", keySlot("b"), () => Promise.resolve("B"));
  await cc.read(get("c"), "n2", keySlot("c"), () => Promise.resolve("C"));
  assert.equal(cc.cache.size, 3);
  cc.dropSlots([keySlot("b")]);
  assert.equal(cc.cache.size, 2);
  // Awaited: a hit may wait for the event loop to turn (EventLoopTurn); a send would reject.
  assert.equal(await cc.read(get("a"), "n1", keySlot("a"), () => Promise.reject(new Error("unsent"))), "A");
  cc.dropNode("n1");
  assert.equal(cc.cache.size, 1, "n2's entry stays");
  let answer!: (v: string) => void;
  const inFlight = cc.read(get("d"), "n3", keySlot("d"), () => new Promise((resolve) => answer = resolve));
  cc.dropNode("n3");
  answer("D");
  assert.equal(await inFlight, "D");
  assert.equal(cc.cache.size, 1, "a reply from a node whose connection was lost meanwhile is not stored");
});

test("ClusterCache: a node's view tags what it stores (binary keys too); its flush drops only that node", () => {
  const cc = new ClusterCache(new CacheConfig());
  const view = cc.nodeView("n1");
  const bytes = new Uint8Array([0xff, 0x00, 0x80]);
  for (const key of [bytes, "\uffffodd", "plain"]) {
    view.set(`k ${keyText(key)}`, { value: "v", redisKeys: [keyText(key)] });
    assert.equal(cc.cache.size, 1);
    cc.dropSlots([keySlot(key)]);
    assert.equal(cc.cache.size, 0, `the slot of ${String(key)} was found from its text`);
  }
  view.set("x", { value: "v", redisKeys: ["x"] });
  cc.nodeView("n2").set("y", { value: "v", redisKeys: ["y"] });
  view.flush();
  assert.equal(cc.cache.size, 1);
  assert.ok(cc.cache.get("y"), "n2's entry stays");
  view.deleteByRedisKeys(["y"]);
  assert.equal(cc.cache.size, 0, "an invalidation a node reports drops the key whoever served it");
  assert.equal(view.stats, cc.cache.stats);
});
