import { test } from "node:test";
import assert from "node:assert/strict";
import { Command } from "../commands/command.ts";
import { defaultTarget, requestPolicy, responsePolicy } from "./policies.ts";

test("requestPolicy / responsePolicy: Redis's command tips by Command.name", () => {
  assert.equal(requestPolicy("DBSIZE"), "all_shards");
  assert.equal(responsePolicy("DBSIZE"), "agg_sum");
  assert.equal(requestPolicy("SCRIPT LOAD"), "all_nodes");
  assert.equal(requestPolicy("script load"), "all_nodes");
  assert.equal(responsePolicy("SCRIPT EXISTS"), "agg_logical_and");
  assert.equal(requestPolicy("MGET"), "multi_shard");
  assert.equal(responsePolicy("MGET"), undefined);
  assert.equal(requestPolicy("KEYS"), "all_shards");
  assert.equal(responsePolicy("KEYS"), undefined);
  assert.equal(responsePolicy("WAIT"), "agg_min");
  assert.equal(responsePolicy("SCRIPT KILL"), "one_succeeded");
  assert.equal(requestPolicy("SCAN"), "special");
  for (const name of ["GET", "CLIENT LIST", "FUNCTION LIST", "toString", "__proto__", ""]) {
    assert.equal(requestPolicy(name), undefined, name);
    assert.equal(responsePolicy(name), undefined, name);
  }
});

test("requestPolicy: the names Command builds", () => {
  assert.equal(requestPolicy(new Command(["SCRIPT", "LOAD"]).arg("return 1").name), "all_nodes");
  assert.equal(requestPolicy(new Command(["config", "set"]).arg("x").arg("y").name), "all_nodes");
  assert.equal(requestPolicy(new Command(["FLUSHALL"]).name), "all_shards");
});

test("defaultTarget: keyless commands after the tips, handshake state stays on the connection", () => {
  const keyless = (name: string) => defaultTarget({ name, keys: undefined });
  for (
    const name of [
      "PING",
      "DBSIZE",
      "KEYS",
      "FLUSHALL",
      "FLUSHDB",
      "FUNCTION LOAD",
      "SCRIPT EXISTS",
      "WAIT",
      "SCAN",
    ]
  ) {
    assert.equal(keyless(name), "primaries", name);
  }
  for (
    const name of [
      "SCRIPT LOAD",
      "SCRIPT FLUSH",
      "CONFIG SET",
      "ACL SETUSER",
      "SLOWLOG GET",
      "SLOWLOG LEN",
      "LATENCY RESET",
    ]
  ) {
    assert.equal(keyless(name), "all_nodes", name);
  }
  for (
    const name of [
      "INFO",
      "RANDOMKEY",
      "MEMORY STATS",
      "LATENCY LATEST",
      "FUNCTION STATS",
      "CLIENT LIST",
      "TIME",
      "FUNCTION LIST",
      "EVAL",
    ]
  ) {
    assert.equal(keyless(name), "default_node", name);
  }
  for (
    const name of ["AUTH", "HELLO", "SELECT", "CLIENT SETNAME", "CLIENT SETINFO", "READONLY", "READWRITE"]
  ) {
    assert.equal(keyless(name), "connection", name);
  }
  assert.equal(keyless("CLUSTER COUNTKEYSINSLOT"), "slot_owner");
  assert.equal(keyless("CLUSTER GETKEYSINSLOT"), "slot_owner");
});

test("defaultTarget: commands with keys go by their keys", () => {
  assert.equal(defaultTarget(new Command(["GET"]).key("k")), "keys");
  assert.equal(defaultTarget(new Command(["MGET"]).keysOf(["a", "b"])), "keys");
  assert.equal(defaultTarget(new Command(["EVAL"]).arg("return 1").countedKeys(["k"])), "keys");
  assert.equal(defaultTarget(new Command(["EVAL"]).arg("return 1").arg(0)), "default_node");
});
