/**
 * Prints how many user-facing commands of Redis's command table (the 7.4 table
 * in `../shared/data/redis-commands.json`, next to the repository) have a method
 * on `Redis.prototype`, and the missing ones by group. Uses the name rule and
 * exclusions of `tests/command_names.ts`. A script, not a test: the table is
 * not part of the repository.
 *
 *     deno run -A scripts/command_coverage.ts
 *
 * @module
 */

import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Redis } from "../mod.ts";
import {
  canonical,
  formatMissing,
  isCovered,
  isExcluded,
  methodName,
  methodsOf,
  type MissingCommand,
} from "../tests/command_names.ts";

interface TableEntry {
  group?: string;
  container?: string;
  since?: string;
}

/** True for a `since` of 7.4 or older: the table also holds commands of 8.0, which are not counted. */
function upTo74(since: string | undefined): boolean {
  const [major, minor] = (since ?? "0.0.0").split(".").map(Number);
  return major < 7 || (major === 7 && minor <= 4);
}

const tablePath = fileURLToPath(new URL("../../shared/data/redis-commands.json", import.meta.url));
if (!existsSync(tablePath)) {
  console.log(`skipped: no command table at ${tablePath}`);
} else {
  const table = JSON.parse(readFileSync(tablePath, "utf8")) as { commands: Record<string, TableEntry> };
  const entries = Object.entries(table.commands);
  // A container (CLIENT, CLUSTER, ...) is no command of its own: its subcommands are.
  const containers = new Set(entries.map(([, e]) => e.container).filter((c) => c !== undefined));
  const newer = entries.filter(([name, e]) => !containers.has(name) && !upTo74(e.since)).map(([n]) => n);
  const userFacing = entries
    .filter(([name, e]) => !containers.has(name) && !isExcluded(name) && upTo74(e.since))
    .map(([name, e]) => [canonical(name), e.group ?? "unknown"] as const);
  const methods = methodsOf(Redis.prototype);
  const missing: MissingCommand[] = userFacing
    .filter(([name]) => !isCovered(name, methods))
    .map(([command, group]) => ({ command, group, method: methodName(command) }));
  console.log(
    `covered ${
      userFacing.length - missing.length
    } of ${userFacing.length} user-facing commands of the 7.4 table`,
  );
  if (missing.length > 0) console.log(`missing (${missing.length}):\n${formatMissing(missing)}`);
  if (newer.length > 0) console.log(`not counted, newer than 7.4: ${newer.join(", ")}`);
}
