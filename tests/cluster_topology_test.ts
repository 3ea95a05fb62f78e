// Topology discovery against a real 3-primary cluster started here: a dead seed before live ones,
// the slot map agreeing with the servers, and every seed dead.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ConnectionError, Redis } from "../mod.ts";
import { discover, Topology, type TopologyQuery } from "../lib/cluster/topology.ts";
import { freePort, startRedis } from "./harness/mod.ts";
import { waitFor } from "./support/async.ts";

/** One command to one node over a short-lived client, as the cluster client's discovery will. */
const query: TopologyQuery = async (node, command) => {
  await using r = new Redis({ host: node.host, port: node.port, socketConnectTimeout: 1000 });
  return await r.sendCommand(...command);
};

test("discovery on a real cluster: dead seed skipped, map agrees with the servers", async () => {
  const servers = await Promise.all(
    [0, 1, 2].map(() => startRedis({ config: ["cluster-enabled yes", "cluster-node-timeout 1000"] })),
  );
  try {
    const addresses = servers.map((s) => `${s.host}:${s.port}`);
    await promisify(execFile)("redis-cli", ["--cluster", "create", ...addresses, "--cluster-yes"]);
    const ok = await waitFor(async () => {
      const infos = await Promise.all(servers.map((s) => s.command("CLUSTER", "INFO")));
      return infos.every((i) => String(i).includes("cluster_state:ok"));
    }, 10_000);
    assert.ok(ok, "cluster did not come up");
    const dead = { host: "127.0.0.1", port: await freePort() };
    const asked: string[] = [];
    const map = await discover([dead, servers[1]], (node, command) => {
      asked.push(`${node.port} ${command.join(" ")}`);
      return query(node, command);
    });
    assert.deepEqual(asked, [`${dead.port} CLUSTER SHARDS`, `${servers[1].port} CLUSTER SHARDS`]);
    assert.deepEqual(map.shards.map((s) => s.primary.port).sort(), servers.map((s) => s.port).sort());

    const topology = new Topology({ startupNodes: [dead, servers[0]], query });
    await topology.refresh();
    for (let i = 0; i < 50; i++) {
      const key = `key:${i}`;
      const slot = Number(await servers[0].command("CLUSTER", "KEYSLOT", key));
      const owner = topology.slotOwner(slot);
      assert.ok(owner !== undefined, `slot ${slot} has an owner`);
      const server = servers.find((s) => s.port === owner.port)!;
      // The owner takes the key; the others redirect.
      assert.equal(String(await server.command("SET", key, "v")), "OK");
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
});

test("discovery with every seed dead: one ConnectionError naming each seed", async () => {
  const seeds = [{ host: "127.0.0.1", port: await freePort() }, {
    host: "127.0.0.1",
    port: await freePort(),
  }];
  const started = Date.now();
  const error = await discover(seeds, query).then(() => assert.fail("resolved"), (e) => e);
  assert.ok(error instanceof ConnectionError);
  for (const seed of seeds) assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${seed.port}: `));
  assert.ok(Date.now() - started < 2 * 1000 + 500);
});
