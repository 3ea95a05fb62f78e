// A credential provider through Sentinel: the data connections of
// `masterFor` and the connections to the sentinels (`sentinel: {...}`) each
// take theirs from their own provider; a push re-authenticates the master
// client's connections.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CredentialStream,
  type RedisErrorEvent,
  Sentinel,
  UsernamePasswordCredentialProvider,
} from "../mod.ts";
import { startSentinel } from "./harness/mod.ts";
import { waitFor } from "./support/async.ts";

const PASSWORD = "data-pw-N3ver-Sh0w";
const SENTINEL_PASSWORD = "sentinel-pw-N3ver-Sh0w";
const topology = await startSentinel({
  replicas: 1,
  user: "app",
  password: PASSWORD,
  sentinelPassword: SENTINEL_PASSWORD,
});

test("Sentinel: providers for the sentinels and the data nodes; a push re-authenticates the master client", async () => {
  let sentinelAsked = 0;
  const sentinelCredentials = new UsernamePasswordCredentialProvider(undefined, SENTINEL_PASSWORD);
  const stream = new CredentialStream({ username: "app", password: PASSWORD });
  await using sentinel = new Sentinel(topology.sentinelAddresses, {
    sentinel: {
      credentialProvider: {
        getCredentials: () => {
          sentinelAsked++;
          return sentinelCredentials.getCredentials();
        },
      },
    },
    credentialProvider: stream,
  });
  await using master = sentinel.masterFor(topology.masterName);
  await master.set("k", "v");
  assert.equal(await master.sendCommand("ACL", "WHOAMI"), "app");
  assert.ok(sentinelAsked > 0, "the sentinels' connections used their provider");
  const refusals: RedisErrorEvent[] = [];
  master.addEventListener("credentialserror", (e) => refusals.push(e));
  stream.push({ username: "app", password: "not-the-password" });
  assert.ok(await waitFor(() => refusals.length >= 1, 10_000));
  assert.equal(refusals[0].address, `${topology.master.host}:${topology.master.port}`);
  assert.equal(await master.get("k"), "v", "the connection stays, with its old credentials");
  stream.push({ username: "app", password: PASSWORD });
  assert.equal(await master.get("k"), "v");
  await master.close();
  assert.equal(stream.listenerCount, 0, "a closed client leaves the provider");
});

test("stop the topology", async () => {
  await topology.stop();
});
