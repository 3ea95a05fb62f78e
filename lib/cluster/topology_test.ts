// Discovery, the Topology's lookups, MOVED patches, single-flight rate-limited refreshes and replica
// load balancing, with `query` answering the replies captured from a real cluster
// (tests/fixtures/cluster_replies.ts).

import { test } from "node:test";
import assert from "node:assert/strict";
import { ConnectionError, DataError, ResponseError } from "../errors.ts";
import type { RespValue } from "../protocol/types.ts";
import type { NodeAddress } from "./node.ts";
import { coveredSlots, parseClusterSlots } from "./slot_map.ts";
import { discover, Topology, type TopologyQuery } from "./topology.ts";
import * as replies from "../../tests/fixtures/cluster_replies.ts";
import { decodeReply as decode } from "../../tests/fixtures/cluster_replies.ts";

const seed = (port: number): NodeAddress => ({ host: "127.0.0.1", port });
const refused = (port: number) =>
  new ConnectionError(`Error connecting to 127.0.0.1:${port}: connection refused`);

/** A query answering per node name; every call is logged as "name COMMAND". */
function scripted(
  answer: (name: string, command: string) => RespValue | Error | Promise<RespValue>,
): { query: TopologyQuery; calls: string[] } {
  const calls: string[] = [];
  const query: TopologyQuery = async (node, command) => {
    const name = `${node.host}:${node.port}`;
    calls.push(`${name} ${command.join(" ")}`);
    const out = await answer(name, command.join(" "));
    if (out instanceof Error && !(out instanceof ResponseError)) throw out;
    return out as RespValue;
  };
  return { query, calls };
}

const shards = decode(replies.shardsResp3);

test("discover: dead seeds are skipped, CLUSTER SHARDS answers", async () => {
  const { query, calls } = scripted((name) =>
    name.endsWith(":31702") ? shards : refused(Number(name.split(":")[1]))
  );
  const map = await discover([seed(31790), seed(31791), seed(31702), seed(31700)], query);
  assert.equal(coveredSlots(map), 16384);
  assert.deepEqual(calls, [
    "127.0.0.1:31790 CLUSTER SHARDS",
    "127.0.0.1:31791 CLUSTER SHARDS",
    "127.0.0.1:31702 CLUSTER SHARDS",
  ]);
});

test("discover: CLUSTER SLOTS where CLUSTER SHARDS is unknown (error thrown or returned)", async () => {
  for (const returned of [false, true]) {
    const unknown = new ResponseError("ERR unknown subcommand 'SHARDS'. Try CLUSTER HELP.");
    const { query, calls } = scripted((_name, command) => {
      if (command === "CLUSTER SLOTS") return decode(replies.slotsResp2);
      if (returned) return unknown;
      throw unknown;
    });
    const map = await discover([seed(31700)], query);
    assert.equal(map.shards[map.slots[0]].primary.name, "127.0.0.1:31700");
    assert.deepEqual(calls, ["127.0.0.1:31700 CLUSTER SHARDS", "127.0.0.1:31700 CLUSTER SLOTS"]);
  }
});

test("discover: all seeds failing is one ConnectionError naming each seed and its cause", async () => {
  const disabled = new ResponseError("ERR This instance has cluster support disabled");
  const { query } = scripted((name) => {
    if (name.endsWith(":31790")) return refused(31790);
    if (name.endsWith(":31791")) return disabled;
    if (name.endsWith(":31792")) return []; // joined no cluster yet
    return "garbage";
  });
  const error = await discover([seed(31790), seed(31791), seed(31792), seed(31793)], query).then(
    () => assert.fail("resolved"),
    (e) => e,
  );
  assert.ok(error instanceof ConnectionError);
  assert.match(error.message, /^Redis Cluster cannot be connected/);
  assert.match(
    error.message,
    /127\.0\.0\.1:31790: Error connecting to 127\.0\.0\.1:31790: connection refused/,
  );
  assert.match(error.message, /127\.0\.0\.1:31791: ERR This instance has cluster support disabled/);
  assert.match(error.message, /127\.0\.0\.1:31792: the node serves no slot/);
  assert.match(error.message, /127\.0\.0\.1:31793: Unexpected cluster topology reply/);
  assert.ok(error.cause instanceof AggregateError);
  assert.equal(error.cause.errors.length, 4);
  assert.equal(error.cause.errors[1], disabled);
  await assert.rejects(discover([], query), DataError);
});

function topology(
  answer: (name: string, command: string) => RespValue | Error | Promise<RespValue>,
  extra: { now?: () => number; minRefreshInterval?: number; random?: () => number } = {},
) {
  const { query, calls } = scripted(answer);
  const left: string[][] = [];
  const t = new Topology({
    startupNodes: [seed(31790), seed(31700)],
    query,
    onNodesLeft: (nodes) => left.push(nodes.map((n) => n.name)),
    ...extra,
  });
  return { t, calls, left };
}

test("Topology lookups after a refresh", async () => {
  const { t } = topology(() => shards);
  assert.equal(t.ready, false);
  assert.equal(t.slotOwner(0), undefined);
  await t.refresh();
  assert.equal(t.ready, true);
  assert.equal(t.slotOwner(0)?.name, "127.0.0.1:31700");
  assert.equal(t.slotOwner(16383)?.name, "127.0.0.1:31702");
  assert.deepEqual(t.replicasOf(5461).map((n) => n.name), ["127.0.0.1:31705"]);
  assert.deepEqual(t.primaries().map((n) => n.port), [31700, 31701, 31702]);
  assert.deepEqual(t.replicas().map((n) => n.port).sort(), [31703, 31704, 31705]);
  assert.equal(t.nodes().length, 6);
  assert.equal(t.nodeByName("127.0.0.1:31703")?.serverType, "replica");
  assert.equal(t.nodeByName("127.0.0.1:31799"), undefined);
});

test("Topology: uncovered slots have no owner", async () => {
  const { t } = topology(() => decode(replies.shardsUncoveredResp3));
  await t.refresh();
  assert.equal(t.slotOwner(100), undefined);
  assert.deepEqual(t.replicasOf(250), []);
  assert.equal(t.pickNode(299, "round_robin"), undefined);
  assert.equal(t.slotOwner(300)?.port, 31700);
});

test("refresh: concurrent callers share one discovery", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  const { t, calls } = topology(async () => {
    await gate;
    return shards;
  });
  const all = Promise.all(Array.from({ length: 20 }, () => t.refresh()));
  release();
  const maps = await all;
  assert.equal(calls.length, 1);
  assert.ok(maps.every((m) => m.shards === maps[0].shards));
});

test("refresh: rate-limited by minRefreshInterval on an injected clock", async () => {
  let clock = 1000;
  const { t, calls } = topology(() => shards, { now: () => clock, minRefreshInterval: 500 });
  await t.refresh();
  assert.equal(calls.length, 1);
  clock += 499;
  await t.refresh();
  assert.equal(calls.length, 1);
  clock += 1;
  await t.refresh();
  assert.equal(calls.length, 2);
  // A reshard of 100 slots, a MOVED every 10 ms over a second, each asking for a refresh.
  for (let slot = 0; slot < 100; slot++) {
    clock += 10;
    t.patchSlot(slot, seed(31701));
    await t.refresh();
  }
  assert.ok(calls.length - 2 <= 2, `${calls.length - 2} refreshes`);
});

test("refresh: until the first success every call asks; failures reject every waiter", async () => {
  let up = false;
  const { t, calls } = topology(() => up ? shards : refused(0), { now: () => 0 });
  const waiters = [t.refresh(), t.refresh()];
  for (const w of waiters) await assert.rejects(w, ConnectionError);
  assert.equal(calls.length, 2); // one discovery: both seeds once
  up = true;
  await t.refresh();
  assert.equal(t.ready, true);
});

test("refresh: known nodes first (down ones last), seeds last, each once", async () => {
  const { t, calls } = topology(() => refused(0), { now: () => 0 });
  t.replace(parseClusterSlots(decode(replies.slotsResp2), { from: seed(31700) }));
  t.markDown("127.0.0.1:31701");
  await assert.rejects(t.refresh(), ConnectionError);
  assert.deepEqual(calls.map((c) => c.split(" ")[0]), [
    "127.0.0.1:31700",
    "127.0.0.1:31702",
    "127.0.0.1:31704",
    "127.0.0.1:31705",
    "127.0.0.1:31703",
    "127.0.0.1:31701",
    "127.0.0.1:31790",
  ]);
});

test("replace and refresh report the nodes that left, and asked seeds the map does not name", async () => {
  let reply: RespValue = shards;
  let clock = 0;
  const { t, left } = topology(() => reply, { now: () => clock });
  await t.refresh();
  // The dead seed asked first is not in the map: its connection is to be closed too.
  assert.deepEqual(left, [["127.0.0.1:31790"]]);
  reply = decode(replies.shardsFailedResp3); // replica 31705 failed
  clock += 10_000;
  await t.refresh();
  assert.deepEqual(left, [["127.0.0.1:31790"], ["127.0.0.1:31705"]]);
  assert.deepEqual(
    t.replace(parseClusterSlots([[0, 16383, ["127.0.0.1", 31700]]], { from: seed(31700) })).map((n) => n.port)
      .sort(),
    [31701, 31702, 31703, 31704],
  );
  assert.equal(t.nodes().length, 1);
});

test("patchSlot: a known primary takes the slot; the map given to replace is not changed", () => {
  const { t } = topology(() => shards);
  const map = slotsMap();
  t.replace(map);
  const owner = t.patchSlot(0, seed(31702));
  assert.equal(owner, t.slotOwner(10923));
  assert.equal(t.slotOwner(0)?.name, "127.0.0.1:31702");
  assert.equal(t.slotOwner(1)?.name, "127.0.0.1:31700");
  assert.equal(map.shards[map.slots[0]].primary.name, "127.0.0.1:31700");
  assert.throws(() => t.patchSlot(16384, seed(31702)), DataError);
});

function slotsMap() {
  return parseClusterSlots(decode(replies.slotsResp3), { from: seed(31700) });
}

test("patchSlot after a failover: the promoted replica leads, the old primary becomes its replica", () => {
  const { t } = topology(() => shards);
  t.replace(slotsMap());
  const owner = t.patchSlot(5461, seed(31705));
  assert.equal(owner.serverType, "primary");
  assert.equal(t.slotOwner(5461)?.name, "127.0.0.1:31705");
  assert.deepEqual(t.replicasOf(5461).map((n) => `${n.name} ${n.serverType}`), ["127.0.0.1:31701 replica"]);
  assert.equal(t.nodeByName("127.0.0.1:31705")?.serverType, "primary");
  // A failover hands over every slot of the shard: they all follow at once.
  assert.equal(t.slotOwner(5462)?.name, "127.0.0.1:31705");
  assert.equal(t.slotOwner(10922)?.name, "127.0.0.1:31705");
  assert.equal(t.slotOwner(5460)?.name, "127.0.0.1:31700");
  assert.equal(t.nodeByName("127.0.0.1:31701")?.serverType, "replica");
  assert.equal(t.patchSlot(5462, seed(31705)), owner);
});

test("patchSlot: an unknown node becomes a new shard; addressRemap applies to the address", () => {
  const { query } = scripted(() => shards);
  const t = new Topology({
    startupNodes: [seed(31700)],
    query,
    addressRemap: { "10.0.0.9:6379": { host: "127.0.0.1", port: 31799 } },
  });
  t.replace(slotsMap());
  const owner = t.patchSlot(7, { host: "10.0.0.9", port: 6379 });
  assert.equal(owner.name, "127.0.0.1:31799");
  assert.equal(t.slotOwner(7), owner);
  assert.deepEqual(t.replicasOf(7), []);
  assert.equal(t.nodeByName("127.0.0.1:31799"), owner);
  assert.deepEqual(t.remap({ host: "10.0.0.9", port: 6379 }), { host: "127.0.0.1", port: 31799 });
});

/** One shard with two replicas. */
function twoReplicas(random?: () => number): Topology {
  const t = new Topology({ startupNodes: [], query: () => Promise.resolve([]), random });
  t.replace(parseClusterSlots([[0, 16383, ["h", 1], ["h", 2], ["h", 3]]], { from: seed(1) }));
  return t;
}

const ports = (t: Topology, n: number, ...args: Parameters<Topology["pickNode"]>) =>
  Array.from({ length: n }, () => t.pickNode(...args)?.port);

test("pickNode: writes and no strategy go to the primary", () => {
  const t = twoReplicas();
  assert.deepEqual(ports(t, 3, 0, "round_robin", false), [1, 1, 1]);
  assert.deepEqual(ports(t, 3, 0, undefined, true), [1, 1, 1]);
});

test("pickNode: redis-py's LoadBalancer orders", () => {
  assert.deepEqual(ports(twoReplicas(), 7, 0, "round_robin"), [1, 2, 3, 1, 2, 3, 1]);
  assert.deepEqual(ports(twoReplicas(), 5, 0, "round_robin_replicas"), [2, 3, 2, 3, 2]);
  const draws = [0, 0.49, 0.5, 0.99];
  assert.deepEqual(ports(twoReplicas(() => draws.shift()!), 4, 0, "random_replica"), [2, 2, 3, 3]);
  // Without replicas every strategy reads from the primary.
  const t = new Topology({ startupNodes: [], query: () => Promise.resolve([]) });
  t.replace(parseClusterSlots([[0, 16383, ["h", 1]]], { from: seed(1) }));
  for (const s of ["round_robin", "round_robin_replicas", "random_replica"] as const) {
    assert.deepEqual(ports(t, 2, 0, s), [1, 1]);
  }
});

test("pickNode: nodes marked down are skipped; all replicas down falls back to the primary", () => {
  const t = twoReplicas(() => 0);
  t.markDown("h:2");
  assert.deepEqual(ports(t, 4, 0, "round_robin"), [1, 3, 1, 3]);
  assert.deepEqual(ports(t, 3, 0, "round_robin_replicas"), [3, 3, 3]);
  assert.deepEqual(ports(t, 2, 0, "random_replica"), [3, 3]);
  t.markDown({ host: "h", port: 3 });
  assert.ok(t.isDown("h:3"));
  assert.deepEqual(ports(t, 2, 0, "round_robin_replicas"), [1, 1]);
  assert.deepEqual(ports(t, 2, 0, "random_replica"), [1, 1]);
  t.markDown("h:1");
  assert.deepEqual(ports(t, 2, 0, "round_robin"), [1, 1]);
  t.markUp("h:2");
  assert.deepEqual(ports(t, 2, 0, "round_robin_replicas"), [2, 2]);
});

test("pickNode: replicas the server reports down are never picked; a refresh clears client marks", async () => {
  const reply = decode(replies.shardsResp3);
  // 31701's shard: its primary reported failed.
  for (const shard of reply as RespValue[][]) {
    for (const node of shard[shard.indexOf("nodes") + 1] as RespValue[][]) {
      if (node[node.indexOf("port") + 1] === 31701) node[node.indexOf("health") + 1] = "fail";
    }
  }
  let clock = 0;
  const { t } = topology(() => reply, { now: () => clock });
  await t.refresh();
  assert.ok(t.isDown("127.0.0.1:31701"));
  assert.deepEqual(ports(t, 3, 5461, "round_robin"), [31705, 31705, 31705]);
  t.markDown("127.0.0.1:31704");
  clock += 10_000;
  await t.refresh();
  assert.equal(t.isDown("127.0.0.1:31704"), false);
});

test("patchSlot applies addressRemap once: not again to a node already remapped (MOVED with an empty host)", () => {
  const t = new Topology({
    startupNodes: [],
    query: () => Promise.resolve([]),
    addressRemap: ({ host, port }) => ({ host, port: port + 10000 }),
  });
  assert.equal(t.patchSlot(7, seed(7001)).name, "127.0.0.1:17001");
  assert.equal(t.patchSlot(8, seed(17001), true).name, "127.0.0.1:17001");
  assert.equal(t.slotOwner(8)?.name, "127.0.0.1:17001");
});

test("onOwnersChanged: the slots whose primary changed, from MOVED patches and from refreshes", () => {
  const moves: number[][] = [];
  const { query } = scripted(() => shards);
  const t = new Topology({
    startupNodes: [seed(31700)],
    query,
    onOwnersChanged: (slots) => moves.push(slots),
  });
  t.replace(slotsMap());
  assert.deepEqual(moves, [], "a first map moves nothing");
  t.patchSlot(0, seed(31702));
  t.patchSlot(0, seed(31702));
  assert.deepEqual(moves, [[0]], "a patch naming the current owner moves nothing");
  t.patchSlot(5461, seed(31705));
  const shard = Array.from({ length: 10922 - 5461 + 1 }, (_, i) => 5461 + i);
  assert.deepEqual(moves[1], shard, "a promoted replica takes its whole shard");
  t.replace(slotsMap());
  assert.deepEqual(moves[2], [0, ...shard], "a refresh reports every slot whose owner differs");
  assert.equal(moves.length, 3);
});
