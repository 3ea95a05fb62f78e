// Command coverage: every user-facing command of the running test server has a
// method on `Redis.prototype` (name rule and exclusions in ./command_names.ts).
// The failure lists what is missing, grouped by command group.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Redis, type RespValue, toRecord, toText } from "../mod.ts";
import { sharedRedis } from "./harness/mod.ts";
import {
  canonical,
  formatMissing,
  isCovered,
  isExcluded,
  methodName,
  methodsOf,
  type MissingCommand,
} from "./command_names.ts";

/** `COMMAND DOCS` as [canonical name, group] for every command and subcommand (containers skipped). */
function commandsOf(docs: RespValue): [string, string][] {
  const out: [string, string][] = [];
  const walk = (reply: RespValue) => {
    for (const [name, doc] of Object.entries(toRecord(reply))) {
      const fields = toRecord(doc);
      const group = fields.group === undefined || fields.group === null ? "unknown" : toText(fields.group);
      if (fields.subcommands !== undefined && fields.subcommands !== null) walk(fields.subcommands);
      else out.push([canonical(name), group]);
    }
  };
  walk(docs);
  return out;
}

test("coverage: every user-facing command of the test server has a method on Redis.prototype", async () => {
  const server = await sharedRedis("plain");
  await using r = new Redis({ host: server.host, port: server.port, protocol: 2 });
  const commands = commandsOf(await r.sendCommand("COMMAND", "DOCS"));
  assert.ok(commands.length > 200, `the server listed ${commands.length} commands`);
  const methods = methodsOf(Redis.prototype);
  const userFacing = commands.filter(([name]) => !isExcluded(name));
  const missing: MissingCommand[] = userFacing
    .filter(([name]) => !isCovered(name, methods))
    .map(([command, group]) => ({ command, group, method: methodName(command) }));
  assert.equal(
    missing.length,
    0,
    `${missing.length} of ${userFacing.length} user-facing commands of ${server.label} ` +
      `have no method:\n${formatMissing(missing)}`,
  );
});

test("coverage: the name rule", () => {
  assert.equal(methodName("CLIENT LIST"), "clientList");
  assert.equal(methodName("xgroup|createconsumer"), "xgroupCreateconsumer");
  assert.equal(methodName("GEORADIUS_RO"), "georadiusRo");
  assert.equal(methodName("client|no-evict"), "clientNoEvict");
  assert.equal(methodName("DEL"), "del");
  assert.equal(methodName("CLUSTER COUNT-FAILURE-REPORTS"), "clusterCountFailureReports");
  assert.ok(isExcluded("cluster|help") && isExcluded("PSYNC") && !isExcluded("GET"));
  assert.ok(isCovered("SENTINEL CONFIG", new Set(["sentinelConfigGet"])));
});
