// The sentinel harness with passwords on both sides: data nodes need an ACL user (the default user is off),
// sentinels need their own password. The sentinels authenticate to the data nodes (auth-user/auth-pass) and
// to each other (sentinel-pass): the topology only becomes ready, and only fails over, if they do.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { processAlive, rawCommands, RawErrorReply, type RawReply, startSentinel } from "./harness/mod.ts";

const topology = await startSentinel({ user: "app", password: "data-pw", sentinelPassword: "sentinel-pw" });

function errorText(reply: RawReply): string {
  assert.ok(reply instanceof RawErrorReply, `expected an error reply, got ${JSON.stringify(reply)}`);
  return reply.message;
}

test("password variant: ready with authenticated sentinels; call() authenticates per kind of node", async () => {
  console.log(`sentinel topology startup with passwords: ${topology.startupMs} ms`);
  assert.equal(topology.user, "app");
  assert.equal(topology.password, "data-pw");
  assert.equal(topology.sentinelPassword, "sentinel-pw");
  assert.equal(await topology.call(topology.master, "ACL", "WHOAMI"), "app");
  assert.equal(await topology.call(topology.master, "SET", "auth:k", "v"), "OK");
  assert.equal(await topology.call(topology.master, "WAIT", "2", "2000"), 2); // replicas use masteruser
  for (const s of topology.sentinels) {
    const master = await topology.call(s, "SENTINEL", "MASTER", "mymaster");
    assert.ok(Array.isArray(master));
    assert.equal(master[master.indexOf("num-slaves") + 1], "2");
    assert.equal(master[master.indexOf("num-other-sentinels") + 1], "2");
  }
});

test("password variant: a missing or wrong password is refused by data nodes and sentinels", async () => {
  for (const node of [topology.master, topology.replicas[0], topology.sentinels[0]]) {
    const target = topology.target(node);
    // PING: a sentinel answers a command it lacks (GET) with "unknown command" before asking for auth.
    const [noAuth] = await rawCommands(target, [["PING"]]);
    assert.match(errorText(noAuth), /^NOAUTH/, `${node.name}: ${errorText(noAuth)}`);
    const [wrong] = await rawCommands(target, [["AUTH", "wrong-pw"]]);
    assert.match(errorText(wrong), /^WRONGPASS/, node.name);
  }
  // The data password does not open a sentinel, nor the sentinel password a data node.
  const [crossed] = await rawCommands(topology.target(topology.sentinels[0]), [["AUTH", "data-pw"]]);
  assert.match(errorText(crossed), /^WRONGPASS/);
  const [crossed2] = await rawCommands(topology.target(topology.master), [["AUTH", "app", "sentinel-pw"]]);
  assert.match(errorText(crossed2), /^WRONGPASS/);
  // The default user is off on data nodes: only the ACL user gets in.
  const [defaultUser] = await rawCommands(topology.target(topology.master), [["AUTH", "data-pw"]]);
  assert.match(errorText(defaultUser), /^WRONGPASS/);
});

test("password variant: kill(master) fails over (sentinels authenticate to promote and reconfigure)", async () => {
  const master = topology.master;
  const started = Date.now();
  await topology.kill(master);
  const { to, at } = await topology.waitForSwitch(master);
  console.log(`kill → +switch-master with passwords: ${at - started} ms`);
  assert.notEqual(to, master);
  const role = await topology.call(to, "ROLE");
  assert.ok(Array.isArray(role));
  assert.equal(role[0], "master");
  assert.equal(await topology.call(to, "GET", "auth:k"), "v");
});

test("password variant: stop() removes everything", async () => {
  const nodes = [...topology.dataNodes, ...topology.sentinels];
  await topology.stop();
  for (const node of nodes) {
    assert.equal(processAlive(node.pid), false);
    assert.equal(existsSync(node.dir), false);
  }
});
