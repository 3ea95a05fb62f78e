// A sentinel-managed client over TLS: sentinels and data nodes listen on TLS
// ports only, and the client's `sentinel: { tls }` and data `tls` options are
// applied separately (each side fails without its own).

import { test } from "node:test";
import assert from "node:assert/strict";
import { ConnectionError, MasterNotFoundError, Sentinel } from "../mod.ts";
import { startSentinel } from "./harness/mod.ts";
import { outcome } from "./support/async.ts";

const topo = await startSentinel({ tls: true });
const NAME = topo.masterName;
const tls = { ca: topo.certs!.ca };

test("TLS to the sentinels and to the data nodes: masterFor and slaveFor work", async () => {
  await using sentinel = new Sentinel(topo.sentinelAddresses, { sentinel: { tls }, tls });
  const master = sentinel.masterFor(NAME);
  assert.equal(await master.set("tls:k", "v"), true);
  assert.equal((await master.role())[0], "master");
  assert.equal(master.connectionPool.currentSharedConnection?.address, topo.master.name);
  await master.wait(2, 2_000);
  const replica = sentinel.slaveFor(NAME);
  assert.equal(await replica.get("tls:k"), "v");
  assert.equal((await replica.role())[0], "slave");
  assert.match(await sentinel.sentinelCkquorum(NAME), /^OK/);
});

test("TLS only towards the data nodes: discovery fails naming the sentinels", async () => {
  await using sentinel = new Sentinel(topo.sentinelAddresses, { tls, socketConnectTimeout: 1_000 });
  const sentinelOptions = sentinel.options.sentinel;
  assert.equal(sentinelOptions?.tls, undefined, "data TLS options do not leak to the sentinels");
  const error = await outcome(sentinel.masterFor(NAME, { socketTimeout: 1_000 }).ping());
  assert.ok(error instanceof MasterNotFoundError, String(error));
  for (const s of topo.sentinels) assert.ok(error.message.includes(s.name), error.message);
});

test("TLS only towards the sentinels: discovery works, the data connection fails", async () => {
  await using sentinel = new Sentinel(topo.sentinelAddresses, {
    sentinel: { tls },
    socketConnectTimeout: 1_000,
    socketTimeout: 1_000,
  });
  assert.deepEqual(await sentinel.discoverMaster(NAME), { host: topo.master.host, port: topo.master.port });
  const error = await outcome(sentinel.masterFor(NAME).ping());
  assert.ok(error instanceof ConnectionError, String(error));
});

test("stop the topology", async () => {
  await topo.stop();
});
