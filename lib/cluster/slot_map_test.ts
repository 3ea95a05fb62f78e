// CLUSTER SHARDS / CLUSTER SLOTS parsing, on replies captured from a real redis-server 7.0.15
// cluster (tests/fixtures/cluster_replies.ts) decoded by the project's decoder.

import { test } from "node:test";
import assert from "node:assert/strict";
import type { RespValue } from "../protocol/types.ts";
import { DataError, InvalidResponse } from "../errors.ts";
import { ClusterNode, nodeName, remapAddress } from "./node.ts";
import { coveredSlots, parseClusterShards, parseClusterSlots, type SlotMap } from "./slot_map.ts";
import * as replies from "../../tests/fixtures/cluster_replies.ts";
import { decodeReply } from "../../tests/fixtures/cluster_replies.ts";

const decode = decodeReply;

const from = { host: "seed.example", port: 31700 };

/** A map as plain data: per shard its primary, replicas and slot ranges; the down set. */
function summary(map: SlotMap): { shards: string[]; down: string[] } {
  const ranges = map.shards.map(() => [] as string[]);
  let start = 0;
  for (let slot = 1; slot <= map.slots.length; slot++) {
    if (slot === map.slots.length || map.slots[slot] !== map.slots[start]) {
      if (map.slots[start] >= 0) ranges[map.slots[start]].push(`${start}-${slot - 1}`);
      start = slot;
    }
  }
  return {
    shards: map.shards.map((s, i) =>
      `${s.primary.name} [${s.replicas.map((r) => r.name).join(",")}] ${ranges[i].join(",")}`
    ),
    down: [...map.down].sort(),
  };
}

const PLAIN = {
  shards: [
    "127.0.0.1:31700 [127.0.0.1:31704] 0-5460",
    "127.0.0.1:31701 [127.0.0.1:31705] 5461-10922",
    "127.0.0.1:31702 [127.0.0.1:31703] 10923-16383",
  ],
  down: [],
};

test("CLUSTER SHARDS and CLUSTER SLOTS, RESP2 and RESP3, text and bytes, give one map", () => {
  for (const binary of [false, true]) {
    for (const raw of [replies.shardsResp2, replies.shardsResp3]) {
      assert.deepEqual(summary(parseClusterShards(decode(raw, binary), { from })), PLAIN);
    }
    for (const raw of [replies.slotsResp2, replies.slotsResp3]) {
      assert.deepEqual(summary(parseClusterSlots(decode(raw, binary), { from })), PLAIN);
    }
  }
  const map = parseClusterShards(decode(replies.shardsResp3), { from });
  assert.equal(coveredSlots(map), 16384);
  assert.equal(map.slots.length, 16384);
  const first = map.shards[map.slots[0]];
  assert.equal(first.primary.id, "0199ead496758e21acef6f70bb05a40387d87387");
  assert.equal(first.primary.serverType, "primary");
  assert.equal(first.replicas[0].serverType, "replica");
  assert.equal(first.replicas[0].id, "2c5c90c63e149ded741097a24faac3379287e134");
  const slots = parseClusterSlots(decode(replies.slotsResp2), { from });
  assert.equal(slots.shards[0].replicas[0].id, "2c5c90c63e149ded741097a24faac3379287e134");
});

test("hostname endpoints are used; a node without a hostname ('?') is reached at its ip", () => {
  const expected = {
    shards: [
      "node-31700.test:31700 [node-31704.test:31704] 0-5460",
      "node-31701.test:31701 [127.0.0.1:31705] 5461-10922",
      "node-31702.test:31702 [node-31703.test:31703] 10923-16383",
    ],
    down: [],
  };
  assert.deepEqual(summary(parseClusterShards(decode(replies.shardsHostnameResp3), { from })), expected);
  assert.deepEqual(summary(parseClusterSlots(decode(replies.slotsHostnameResp2), { from })), expected);
  assert.deepEqual(summary(parseClusterSlots(decode(replies.slotsHostnameResp3), { from })), expected);
});

test("unknown endpoints (SHARDS '', SLOTS null) are the answering host with the announced port", () => {
  const expected = {
    shards: [
      "seed.example:31700 [seed.example:31704] 0-5460",
      "seed.example:31701 [seed.example:31705] 5461-10922",
      "seed.example:31702 [seed.example:31703] 10923-16383",
    ],
    down: [],
  };
  assert.deepEqual(summary(parseClusterShards(decode(replies.shardsUnknownResp3), { from })), expected);
  assert.deepEqual(summary(parseClusterSlots(decode(replies.slotsUnknownResp2), { from })), expected);
});

test("a failed replica is left out (SHARDS health fail; SLOTS omits it)", () => {
  const expected = {
    shards: [
      "127.0.0.1:31700 [127.0.0.1:31704] 0-5460",
      "127.0.0.1:31701 [] 5461-10922",
      "127.0.0.1:31702 [127.0.0.1:31703] 10923-16383",
    ],
    down: [],
  };
  assert.deepEqual(summary(parseClusterShards(decode(replies.shardsFailedResp3), { from })), expected);
  assert.deepEqual(summary(parseClusterSlots(decode(replies.slotsFailedResp2), { from })), expected);
});

/** Sets a SHARDS node's field (found by port) in a decoded reply. */
function setField(reply: RespValue, port: number, field: string, value: RespValue): void {
  for (const shard of reply as RespValue[][]) {
    const nodes = shard[shard.indexOf("nodes") + 1] as RespValue[][];
    for (const node of nodes) {
      if (node[node.indexOf("port") + 1] !== port) continue;
      const at = node.indexOf(field);
      if (at >= 0) node[at + 1] = value;
      else node.push(field, value);
    }
  }
}

test("a loading replica and a failed or loading primary are kept and marked down", () => {
  // Redis 7.0 says "loading" for a synced replica of a fresh cluster (offset 0): it must stay a node.
  const reply = decode(replies.shardsResp3);
  setField(reply, 31704, "health", "loading");
  setField(reply, 31701, "health", "failed");
  setField(reply, 31702, "health", "loading");
  const map = parseClusterShards(reply, { from });
  assert.deepEqual(summary(map), {
    shards: [
      "127.0.0.1:31700 [127.0.0.1:31704] 0-5460",
      "127.0.0.1:31701 [127.0.0.1:31705] 5461-10922",
      "127.0.0.1:31702 [127.0.0.1:31703] 10923-16383",
    ],
    down: ["127.0.0.1:31701", "127.0.0.1:31702", "127.0.0.1:31704"],
  });
});

test("after a failover, an online primary listed after the failed old one owns the shard (Valkey's order)", () => {
  const reply = decode(replies.shardsResp3);
  setField(reply, 31701, "health", "fail"); // the old primary, still "master", listed first
  setField(reply, 31705, "role", "master"); // its promoted replica, listed after it
  const map = parseClusterShards(reply, { from });
  assert.deepEqual(summary(map).shards[1], "127.0.0.1:31705 [] 5461-10922");
  assert.deepEqual(summary(map).down, []);
});

test("TLS clients use CLUSTER SHARDS' tls-port; others the plain port", () => {
  const reply = decode(replies.shardsResp3);
  for (const port of [31700, 31701, 31702, 31703, 31704, 31705]) {
    setField(reply, port, "tls-port", port + 1000);
  }
  assert.deepEqual(summary(parseClusterShards(reply, { from })), PLAIN);
  assert.deepEqual(summary(parseClusterShards(reply, { from, tls: true })).shards, [
    "127.0.0.1:32700 [127.0.0.1:32704] 0-5460",
    "127.0.0.1:32701 [127.0.0.1:32705] 5461-10922",
    "127.0.0.1:32702 [127.0.0.1:32703] 10923-16383",
  ]);
  // A node announcing only a TLS port (port 0 is left out by the server) is reached there.
  const tlsOnly = decode(replies.shardsResp3);
  setField(tlsOnly, 31700, "tls-port", 32700);
  const shard = (tlsOnly as RespValue[][])[0];
  const node = (shard[shard.indexOf("nodes") + 1] as RespValue[][])[0];
  node.splice(node.indexOf("port"), 2);
  assert.equal(parseClusterShards(tlsOnly, { from }).shards[0].primary.name, "127.0.0.1:32700");
});

test("unassigned slots map to no shard", () => {
  for (
    const map of [
      parseClusterShards(decode(replies.shardsUncoveredResp3), { from }),
      parseClusterShards(decode(replies.shardsUncoveredResp2), { from }),
      parseClusterSlots(decode(replies.slotsUncoveredResp2), { from }),
    ]
  ) {
    assert.equal(coveredSlots(map), 16384 - 103);
    for (const slot of [100, 101, 102, 200, 250, 299]) assert.equal(map.slots[slot], -1, `slot ${slot}`);
    for (const slot of [0, 99, 103, 199, 300, 5460]) {
      assert.equal(map.shards[map.slots[slot]].primary.port, 31700);
    }
    assert.equal(map.shards.length, 3);
  }
});

test("addressRemap (function or map) applies to every announced address", () => {
  const viaFunction = parseClusterShards(decode(replies.shardsResp3), {
    from,
    addressRemap: ({ port }) => ({ host: "nat.example", port: port - 1000 }),
  });
  assert.deepEqual(summary(viaFunction).shards, [
    "nat.example:30700 [nat.example:30704] 0-5460",
    "nat.example:30701 [nat.example:30705] 5461-10922",
    "nat.example:30702 [nat.example:30703] 10923-16383",
  ]);
  const viaMap = parseClusterSlots(decode(replies.slotsHostnameResp2), {
    from,
    addressRemap: {
      "node-31700.test:31700": { host: "127.0.0.1", port: 1 },
      "127.0.0.1:31705": { host: "h", port: 2 },
    },
  });
  assert.deepEqual(summary(viaMap).shards, [
    "127.0.0.1:1 [node-31704.test:31704] 0-5460",
    "node-31701.test:31701 [h:2] 5461-10922",
    "node-31702.test:31702 [node-31703.test:31703] 10923-16383",
  ]);
  assert.throws(
    () => parseClusterSlots(decode(replies.slotsResp2), { from, addressRemap: () => ({}) as never }),
    DataError,
  );
  // A map key must be the name itself, not an inherited property.
  assert.deepEqual(remapAddress({}, { host: "constructor", port: 1 }), { host: "constructor", port: 1 });
});

test("malformed topology replies are an InvalidResponse", () => {
  const cases: RespValue[] = [
    "OK",
    [["slots", [0], "nodes", []]],
    [["slots", [0, 16384], "nodes", [["port", 1, "ip", "h", "endpoint", "h", "role", "master"]]]],
    [["slots", [0, 1], "nodes", [["ip", "h", "endpoint", "h", "role", "master"]]]],
  ];
  for (const reply of cases) assert.throws(() => parseClusterShards(reply, { from }), InvalidResponse);
  for (const reply of [[[0, 1]], [[5, 1, ["h", 1]]], [[0, 1, ["h"]]], [[0, 1, ["h", "x"]]]]) {
    assert.throws(() => parseClusterSlots(reply, { from }), InvalidResponse);
  }
});

test("ClusterNode: immutable, named as redis-py's get_node_name", () => {
  const node = new ClusterNode("::1", 7000, "replica", "id1");
  assert.equal(node.name, "::1:7000");
  assert.equal(nodeName("127.0.0.1", 7000), "127.0.0.1:7000");
  assert.equal(String(node), "::1:7000");
  assert.ok(Object.isFrozen(node));
  assert.throws(() => {
    (node as { port: number }).port = 1;
  }, TypeError);
  const promoted = node.withServerType("primary");
  assert.deepEqual([promoted.name, promoted.serverType, promoted.id], ["::1:7000", "primary", "id1"]);
  assert.equal(node.withServerType("replica"), node);
  assert.equal(new ClusterNode("h", 1).serverType, "primary");
});
