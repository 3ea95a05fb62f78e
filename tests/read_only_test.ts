// The read-only set (lib/commands/read_only.ts) against the live server's
// command table: everything the server flags `readonly` is in it, and nothing
// it flags `write` is.

import { test } from "node:test";
import assert from "node:assert/strict";
import { isReadOnlyCommand } from "../lib/commands/read_only.ts";
import { type RawReply, startRedis } from "./harness/mod.ts";

/** A command or subcommand of the `COMMAND` reply: name as `Command.name` spells it, and flags. */
interface CommandEntry {
  name: string;
  flags: Set<string>;
}

/**
 * Walks the RESP2 `COMMAND` reply: each entry is `[name, arity, flags, first,
 * last, step, ...]` and, since 7.0, subcommands (same shape) at index 9.
 * Containers themselves are skipped: only their subcommands can be sent.
 */
function entriesOf(reply: RawReply): CommandEntry[] {
  assert.ok(Array.isArray(reply), "COMMAND replies with an array");
  const out: CommandEntry[] = [];
  for (const entry of reply) {
    assert.ok(Array.isArray(entry));
    const subcommands = entry[9];
    if (Array.isArray(subcommands) && subcommands.length > 0) {
      out.push(...entriesOf(subcommands));
      continue;
    }
    const flags = Array.isArray(entry[2]) ? entry[2].map((f) => String(f).toLowerCase()) : [];
    out.push({ name: String(entry[0]).replace("|", " ").toUpperCase(), flags: new Set(flags) });
  }
  return out;
}

test("read-only set: matches the readonly and write flags of the test server's command table", async () => {
  const server = await startRedis();
  try {
    const entries = entriesOf(await server.command("COMMAND"));
    assert.ok(entries.length > 200, `the server listed ${entries.length} commands`);
    const version = server.version.join(".");

    const readonly = entries.filter((e) => e.flags.has("readonly"));
    assert.ok(readonly.length > 50, `${readonly.length} readonly commands`);
    const missing = readonly.filter((e) => !isReadOnlyCommand(e.name)).map((e) => e.name);
    assert.deepEqual(missing, [], `redis ${version} flags these readonly, but the set lacks them`);

    const writes = entries.filter((e) => e.flags.has("write"));
    assert.ok(writes.length > 50, `${writes.length} write commands`);
    const wrong = writes.filter((e) => isReadOnlyCommand(e.name)).map((e) => e.name);
    assert.deepEqual(wrong, [], `redis ${version} flags these write, but the set has them`);

    // A few that carry neither flag must still be judged on their effects.
    for (const name of ["PUBLISH", "EXEC", "SCRIPT LOAD", "CLIENT KILL", "XREADGROUP", "EVAL", "FCALL"]) {
      assert.ok(entries.some((e) => e.name === name), `${name} is in the server's table`);
      assert.equal(isReadOnlyCommand(name), false, name);
    }
  } finally {
    await server.stop();
  }
});
