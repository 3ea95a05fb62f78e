// A credential provider through RedisCluster: every node's connections take
// their credentials from it, and a streaming provider's push reaches the
// connections of every node (a refused push: one credentialserror per
// connection, from each node; the connections keep working).

import { test } from "node:test";
import assert from "node:assert/strict";
import { CredentialStream, RedisCluster, type RedisErrorEvent } from "../mod.ts";
import { startCluster } from "./harness/mod.ts";
import { waitFor } from "./support/async.ts";

const PASSWORD = "cluster-pw-N3ver-Sh0w";
const NEW = "cluster-new-N3ver-Sh0w";
const cluster = await startCluster({ user: "app", password: PASSWORD });
/** The client's connections to a node: not the replication links, not the harness's own CLIENT LIST. */
async function clientConnections(
  node: (typeof cluster.nodes)[number],
): Promise<{ id: string; cmd: string }[]> {
  const text = String(await cluster.call(node, "CLIENT", "LIST"));
  return text.trim().split("\n").map((line) =>
    Object.fromEntries(line.split(" ").map((kv) => kv.split("=", 2) as [string, string]))
  ).filter((c) => !c.flags.includes("S") && c.cmd !== "client|list").map((c) => ({ id: c.id, cmd: c.cmd }));
}

const keys = Array.from({ length: 30 }, (_, i) => `k:${i}`);

test("RedisCluster: a streaming provider authenticates every node and its pushes reach them all", async () => {
  const stream = new CredentialStream({ username: "app", password: PASSWORD });
  await using rc = new RedisCluster({ startupNodes: cluster.seeds, credentialProvider: stream });
  const refusals: RedisErrorEvent[] = [];
  rc.addEventListener("credentialserror", (e) => refusals.push(e));
  for (const key of keys) await rc.set(key, key);
  assert.equal(await rc.sendCommand("ACL", "WHOAMI"), "app");
  // A wrong password: every live connection, on every primary, refuses it and stays.
  stream.push({ username: "app", password: "not-the-password" });
  assert.ok(await waitFor(() => refusals.length >= 3, 10_000), `${refusals.length} events`);
  const addresses = new Set(refusals.map((e) => e.address));
  for (const primary of cluster.primaries) assert.ok(addresses.has(`${primary.host}:${primary.port}`));
  for (const e of refusals) assert.ok(!e.error.message.includes("not-the-password"));
  for (const key of keys) assert.equal(await rc.get(key), key);
  // A new password added on every node, then pushed: accepted everywhere, no more events.
  for (const node of cluster.nodes) await cluster.call(node, "ACL", "SETUSER", "app", `>${NEW}`);
  const count = refusals.length;
  stream.push({ username: "app", password: NEW });
  // Server-side evidence: on every primary, the last command of each of the client's connections is AUTH.
  for (const primary of cluster.primaries) {
    assert.ok(
      await waitFor(async () => {
        const mine = await clientConnections(primary);
        return mine.length > 0 && mine.every((c) => c.cmd === "auth");
      }, 10_000),
      `${primary.host}:${primary.port}: ${JSON.stringify(await clientConnections(primary))}`,
    );
  }
  for (const key of keys) assert.equal(await rc.get(key), key);
  assert.equal(refusals.length, count);
  // Each node's pool listened while it had connections; closing the client leaves the provider.
  assert.ok(stream.listenerCount >= 3, `${stream.listenerCount} subscriptions`);
  await rc.close();
  assert.equal(stream.listenerCount, 0);
});

test("stop the cluster", async () => {
  await cluster.stop();
});
