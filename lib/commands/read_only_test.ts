import { test } from "node:test";
import assert from "node:assert/strict";
import { isReadOnly, isReadOnlyCommand } from "./read_only.ts";
import { Command } from "./command.ts";

test("isReadOnlyCommand: reads, introspection and _RO variants are read-only", () => {
  for (
    const name of [
      "GET",
      "MGET",
      "HGETALL",
      "XREAD",
      "EVAL_RO",
      "EVALSHA_RO",
      "FCALL_RO",
      "SORT_RO",
      "CLIENT LIST",
      "XINFO STREAM",
      "PING",
      "COMMAND",
      "HTTL",
      "SENTINEL MASTERS",
    ]
  ) {
    assert.equal(isReadOnlyCommand(name), true, name);
  }
});

test("isReadOnlyCommand: any case is accepted", () => {
  assert.equal(isReadOnlyCommand("config get"), true);
  assert.equal(isReadOnlyCommand("Get"), true);
  assert.equal(isReadOnlyCommand("config set"), false);
});

test("isReadOnlyCommand: writes, pops, publishes, scripts and admin actions are not", () => {
  for (
    const name of [
      "SET",
      "INCR",
      "BLPOP",
      "XREADGROUP",
      "EVAL",
      "EVALSHA",
      "FCALL",
      "PUBLISH",
      "SPUBLISH",
      "MULTI",
      "EXEC",
      "FLUSHALL",
      "CLIENT KILL",
      "CLIENT PAUSE",
      "CONFIG SET",
      "SCRIPT LOAD",
      "ACL LOG",
      "SORT",
      "SENTINEL CONFIG",
      "SENTINEL IS-MASTER-DOWN-BY-ADDR",
      "CLIENT", // a container alone is not a command that can run
      "",
      "NOSUCHCOMMAND",
    ]
  ) {
    assert.equal(isReadOnlyCommand(name), false, name);
  }
});

test("isReadOnly: judges a prepared command by its name", () => {
  assert.equal(isReadOnly(new Command("GET").key("k")), true);
  assert.equal(isReadOnly(new Command("get").key("k")), true);
  assert.equal(isReadOnly(new Command(["CLIENT", "LIST"])), true);
  assert.equal(isReadOnly(new Command(["client", "kill"]).arg("ID").arg(1)), false);
  assert.equal(isReadOnly(new Command("SET").key("k").arg("v")), false);
  assert.equal(isReadOnly(new Command(["XREAD", "BLOCK"]).arg(0)), true);
  // SENTINEL is not one of Command's containers; its subcommand still counts
  assert.equal(isReadOnly(new Command(["SENTINEL", "MASTERS"])), true);
  assert.equal(isReadOnly(new Command(["SENTINEL", "CONFIG", "SET"]).arg("x").arg("y")), false);
  assert.equal(isReadOnly(new Command("SENTINEL")), false);
});
