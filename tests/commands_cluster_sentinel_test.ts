// CLUSTER and SENTINEL commands against real servers, under RESP2 and RESP3:
// a private cluster-enabled node that owns every slot, and a private sentinel
// monitoring a private master. Servers end with the test process (the
// harness's guardian), so no test is a teardown.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis, ResponseError } from "../mod.ts";
import { freePort, type RedisServer, serverWith, startRedis, startServerProcess } from "./harness/mod.ts";

// Decided up front, so every runtime reports the skip as a skip: CLUSTER MYSHARDID runs on the first
// installed server that has it (Valkey 8.0 when redis-server is 7.0).
const MYSHARDID = await serverWith("cluster-myshardid");

const PROTOCOLS = [2, 3] as const;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls CLUSTER INFO until the node reports `cluster_state:ok`. */
async function waitClusterOk(r: Redis): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if ((await r.clusterInfo()).cluster_state === "ok") return;
    await sleep(20);
  }
  assert.fail("the cluster node never reached cluster_state:ok");
}

const clusters = new Map<string, Promise<RedisServer>>();
/** A private single-node cluster owning slots 0-16383, started (and filled) on first use, one per binary. */
function clusterNode(binary?: string): Promise<RedisServer> {
  const key = binary ?? "";
  let cluster = clusters.get(key);
  if (!cluster) clusters.set(key, cluster = startClusterNode(binary));
  return cluster;
}

async function startClusterNode(binary: string | undefined): Promise<RedisServer> {
  const server = await startRedis({
    binary,
    config: ["cluster-enabled yes", "cluster-config-file nodes.conf"],
  });
  await using r = new Redis({ host: server.host, port: server.port });
  assert.equal(await r.clusterAddslotsrange([0, 16383]), true);
  await waitClusterOk(r);
  return server;
}

interface Sentinel {
  master: RedisServer;
  host: string;
  port: number;
}

let sentinel: Promise<Sentinel> | undefined;
/** A private master and a sentinel monitoring it as `mymaster` (quorum 1). */
function sentinelSetup(): Promise<Sentinel> {
  return sentinel ??= (async () => {
    const master = await startRedis();
    const dir = await mkdtemp(join(tmpdir(), "uniredis-sentinel-"));
    const port = await freePort();
    await startServerProcess({
      dir,
      config: [
        `port ${port}`,
        "bind 127.0.0.1",
        `dir ${JSON.stringify(dir)}`,
        `logfile ${JSON.stringify(join(dir, "redis.log"))}`,
        "daemonize no",
        `sentinel monitor mymaster 127.0.0.1 ${master.port} 1`,
        "sentinel down-after-milliseconds mymaster 60000",
      ],
      args: ["--sentinel"],
      ready: { host: "127.0.0.1", port },
    });
    return { master, host: "127.0.0.1", port };
  })();
}

async function clusterClient(protocol: 2 | 3, binary?: string): Promise<Redis> {
  const s = await clusterNode(binary);
  return new Redis({ host: s.host, port: s.port, protocol });
}

async function sentinelClient(protocol: 2 | 3): Promise<Redis> {
  const s = await sentinelSetup();
  return new Redis({ host: s.host, port: s.port, protocol });
}

for (const protocol of PROTOCOLS) {
  const R = `RESP${protocol}`;

  test(`${R}: cluster info, myid, keyslot, nodes, slots, shards, links`, async () => {
    const s = await clusterNode();
    await using r = await clusterClient(protocol);
    const info = await r.clusterInfo();
    assert.equal(info.cluster_state, "ok");
    assert.equal(info.cluster_slots_assigned, 16384);
    assert.equal(info.cluster_known_nodes, 1);
    assert.equal(typeof info.cluster_current_epoch, "number");

    const id = await r.clusterMyid();
    assert.match(id, /^[0-9a-f]{40}$/);
    assert.equal(await r.clusterKeyslot("a"), 15495);
    assert.equal(
      await r.clusterKeyslot(new TextEncoder().encode("{user1}.x")),
      await r.clusterKeyslot("user1"),
    );

    const nodes = await r.clusterNodes();
    assert.equal(typeof nodes, "string");
    const self = nodes.split("\n").find((l) => l.includes("myself"));
    assert.ok(self?.startsWith(id), nodes);
    assert.match(self!, / 0-16383$/);

    const slots = await r.clusterSlots();
    assert.equal(slots.length, 1);
    assert.equal(slots[0].start, 0);
    assert.equal(slots[0].end, 16383);
    assert.equal(slots[0].master.port, s.port);
    assert.equal(slots[0].master.id, id);
    // A node that never met another does not know its own IP yet: it reports "".
    assert.ok(["127.0.0.1", ""].includes(slots[0].master.host ?? "?"), String(slots[0].master.host));
    assert.deepEqual(slots[0].replicas, []);

    const shards = await r.clusterShards();
    assert.equal(shards.length, 1);
    assert.deepEqual(shards[0].slots, [[0, 16383]]);
    assert.equal(shards[0].nodes.length, 1);
    assert.equal(shards[0].nodes[0].id, id);
    assert.equal(shards[0].nodes[0].port, s.port);
    assert.equal(shards[0].nodes[0].role, "master");
    assert.equal(shards[0].nodes[0].health, "online");
    assert.equal(typeof shards[0].nodes[0]["replication-offset"], "number");

    assert.deepEqual(await r.clusterLinks(), []); // a lone node has no bus links
    assert.deepEqual(await r.clusterReplicas(id), []);
    assert.deepEqual(await r.clusterSlaves(id), []);
    assert.equal(await r.clusterCountFailureReports(id), 0);
  });

  test(`${R}: cluster keys in slots`, async () => {
    await using r = await clusterClient(protocol);
    const tag = `{cs${protocol}}`;
    const slot = await r.clusterKeyslot(tag);
    await r.set(`${tag}a`, "1");
    await r.set(`${tag}b`, "2");
    assert.equal(await r.clusterCountkeysinslot(slot), 2);
    assert.deepEqual((await r.clusterGetkeysinslot(slot, 10)).sort(), [`${tag}a`, `${tag}b`]);
    assert.equal((await r.clusterGetkeysinslot(slot, 1)).length, 1);
  });

  test(`${R}: cluster slot assignment, setslot, epochs, saveconfig, connection modes`, async () => {
    await using r = await clusterClient(protocol);
    const slot = 100 + protocol; // free of keys
    assert.equal(await r.clusterDelslots(slot), true);
    assert.equal((await r.clusterInfo()).cluster_slots_assigned, 16383);
    assert.equal(await r.clusterAddslots(slot), true);
    assert.equal(await r.clusterDelslotsrange([slot, slot + 10]), true);
    assert.equal((await r.clusterInfo()).cluster_slots_assigned, 16384 - 11);
    assert.equal(await r.clusterAddslotsrange([slot, slot + 10]), true);
    await waitClusterOk(r);
    assert.equal((await r.clusterInfo()).cluster_slots_assigned, 16384);

    assert.equal(await r.clusterSetslot(slot, { stable: true }), true);
    await assert.rejects(r.clusterSetslot(slot, { node: "0".repeat(40) }), ResponseError);
    assert.match(await r.clusterBumpepoch(), /^(BUMPED|STILL) \d+$/);
    assert.equal(await r.clusterSaveconfig(), true);
    // A node that already has an epoch refuses a new one.
    await assert.rejects(r.clusterSetConfigEpoch(1), ResponseError);
    await assert.rejects(r.clusterForget(await r.clusterMyid()), ResponseError); // cannot forget itself
    await assert.rejects(r.clusterReplicate(await r.clusterMyid()), ResponseError);
    await assert.rejects(r.clusterFailover(), ResponseError); // only a replica fails over
    assert.equal(await r.readonly(), true);
    assert.equal(await r.readwrite(), true);
    assert.equal(await r.asking(), true);
  });

  test(`${R}: cluster myshardid (Redis 7.2+)`, { skip: MYSHARDID.skip }, async () => {
    await using r = await clusterClient(protocol, MYSHARDID.isDefault ? undefined : MYSHARDID.binary);
    assert.match(await r.clusterMyshardid(), /^[0-9a-f]{40}$/);
  });

  test(`${R}: sentinel masters, master, addr, ckquorum, myid, sentinels, replicas`, async () => {
    const s = await sentinelSetup();
    await using r = await sentinelClient(protocol);
    assert.deepEqual(await r.sentinelGetMasterAddrByName("mymaster"), ["127.0.0.1", s.master.port]);
    assert.equal(await r.sentinelGetMasterAddrByName("nosuchmaster"), null);

    const master = await r.sentinelMaster("mymaster");
    assert.equal(master.name, "mymaster");
    assert.equal(master.ip, "127.0.0.1");
    assert.equal(master.port, s.master.port);
    assert.equal(master.quorum, 1);
    assert.equal(master.isMaster, true);
    assert.equal(master.isSlave, false);
    assert.equal(master.isOdown, false);
    assert.equal(typeof master["down-after-milliseconds"], "number");
    assert.equal(typeof master.runid, "string");

    const masters = await r.sentinelMasters();
    assert.ok(masters.some((m) => m.name === "mymaster" && m.port === s.master.port));

    assert.match(await r.sentinelCkquorum("mymaster"), /^OK 1 usable Sentinels/);
    assert.match(await r.sentinelMyid(), /^[0-9a-f]{40}$/);
    assert.deepEqual(await r.sentinelSentinels("mymaster"), []);
    assert.deepEqual(await r.sentinelReplicas("mymaster"), []);
    assert.deepEqual(await r.sentinelSlaves("mymaster"), []);
    assert.deepEqual(await r.sentinelPendingScripts(), []);
    await assert.rejects(r.sentinelMaster("nosuchmaster"), ResponseError);
    await assert.rejects(r.sentinelFailover("mymaster"), ResponseError); // no replica to promote
  });

  test(`${R}: sentinel config, debug, info-cache, set, flushconfig`, async () => {
    await using r = await sentinelClient(protocol);
    const config = await r.sentinelConfigGet("resolve-hostnames");
    assert.ok(config["resolve-hostnames"] === "no" || config["resolve-hostnames"] === "yes");
    assert.equal(await r.sentinelConfigSet("resolve-hostnames", "no"), true);
    assert.deepEqual(await r.sentinelConfigGet("resolve-hostnames"), { "resolve-hostnames": "no" });

    const debug = await r.sentinelDebug();
    // The sentinel names its parameters in upper case.
    assert.ok(debug !== true, "without params, the parameters");
    assert.match(debug["INFO-PERIOD"], /^\d+$/, JSON.stringify(debug));
    assert.equal(await r.sentinelDebug({ "info-period": debug["INFO-PERIOD"] }), true);

    const cache = await r.sentinelInfoCache("mymaster");
    assert.ok(Array.isArray(cache.mymaster));
    assert.equal(typeof cache.mymaster[0].age, "number");

    assert.equal(await r.sentinelSet("mymaster", "down-after-milliseconds", 50000 + protocol), true);
    assert.equal((await r.sentinelMaster("mymaster"))["down-after-milliseconds"], 50000 + protocol);
    await assert.rejects(r.sentinelSet("mymaster", "no-such-option", 1), ResponseError);
    assert.equal(await r.sentinelFlushconfig(), true);
  });

  test(`${R}: sentinel monitor, reset, remove`, async () => {
    const s = await sentinelSetup();
    await using r = await sentinelClient(protocol);
    const name = `other${protocol}`;
    assert.equal(await r.sentinelMonitor(name, "127.0.0.1", s.master.port, 1), true);
    assert.equal((await r.sentinelMaster(name)).port, s.master.port);
    await assert.rejects(r.sentinelMonitor(name, "127.0.0.1", s.master.port, 1), ResponseError); // duplicate
    assert.equal(await r.sentinelReset(name), 1);
    assert.equal(await r.sentinelReset("nosuch*"), 0);
    assert.equal(await r.sentinelRemove(name), true);
    assert.equal(await r.sentinelGetMasterAddrByName(name), null);
  });
}
