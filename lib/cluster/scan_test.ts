import { test } from "node:test";
import assert from "node:assert/strict";
import { ownSlots } from "./scan.ts";

const NODES = [
  "aaa 127.0.0.1:7001@17001 master - 0 1 2 connected 5461-10922",
  "bbb 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-3 7 [2->-ccc] [9-<-ccc] 11-12",
  "",
].join("\n");

test("ownSlots: the myself line's ranges and single slots, less migrating and importing ones", () => {
  assert.deepEqual([...ownSlots(NODES)].sort((a, b) => a - b), [0, 1, 3, 7, 11, 12]);
  assert.deepEqual([...ownSlots(new TextEncoder().encode(NODES))].length, 6);
});

test("ownSlots: a replica or an unknown reply owns nothing", () => {
  assert.equal(ownSlots("ccc 127.0.0.1:7003@17003 myself,slave aaa 0 0 2 connected\n").size, 0);
  assert.equal(ownSlots("").size, 0);
});
