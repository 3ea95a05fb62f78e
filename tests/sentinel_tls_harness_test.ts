// The sentinel harness over TLS only: data nodes and sentinels listen on TLS ports (port 0), replication and
// sentinel links use TLS (tls-replication yes), and the topology still becomes ready and fails over.

import { test } from "node:test";
import assert from "node:assert/strict";
import { rawCommands, startSentinel } from "./harness/mod.ts";

const topology = await startSentinel({ tls: true });

test("TLS variant: ready over TLS; a plain-text client gets no reply", async () => {
  console.log(`sentinel topology startup over TLS: ${topology.startupMs} ms`);
  assert.ok(topology.certs);
  assert.ok(topology.target(topology.master).tls);
  const role = await topology.call(topology.replicas[0], "ROLE");
  assert.ok(Array.isArray(role));
  assert.equal(role[0], "slave");
  assert.deepEqual(
    await topology.call(topology.sentinels[0], "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"),
    [
      "127.0.0.1",
      String(topology.master.port),
    ],
  );
  const plain = { host: topology.master.host, port: topology.master.port };
  await assert.rejects(rawCommands(plain, [["PING"]], { timeoutMs: 1000 }));
});

test("TLS variant: kill(master) fails over; stop() cleans up", async () => {
  const master = topology.master;
  const started = Date.now();
  await topology.kill(master);
  const { to, at } = await topology.waitForSwitch(master);
  console.log(`kill → +switch-master over TLS: ${at - started} ms`);
  const role = await topology.call(to, "ROLE");
  assert.ok(Array.isArray(role));
  assert.equal(role[0], "master");
  await topology.stop();
});
