// Cluster slots and command policies against a real server: one standalone node with
// `cluster-enabled yes` (CLUSTER KEYSLOT and COMMAND answer without any slot assigned).
// The server is the oracle: keySlot must agree with CLUSTER KEYSLOT, and the derived
// policy table (lib/cluster/command_tips.ts) with the tips the server reports.

import { test } from "node:test";
import assert from "node:assert/strict";
import { keySlot } from "../mod.ts";
import { COMMAND_TIPS } from "../lib/cluster/command_tips.ts";
import { rawCommands, type RawReply, type RedisServer, startRedis } from "./harness/mod.ts";

let node: Promise<RedisServer> | undefined;
/** A private cluster-enabled node, started on first use; it ends with the test process. */
function clusterNode(): Promise<RedisServer> {
  return node ??= startRedis({ config: ["cluster-enabled yes", "cluster-config-file nodes.conf"] });
}

/** A small seeded generator (mulberry32), so a failing key can be reproduced from the seed. */
function generator(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 10,000 keys: ASCII, non-ASCII text and raw bytes, most of them with braces in odd places. */
function randomKeys(seed: number, count: number): (string | Uint8Array)[] {
  const random = generator(seed);
  const int = (n: number) => Math.floor(random() * n);
  const ascii = "abcxyz019:_-{}{}{}";
  const wide = ["é", "ü", "ключ", "日本", "🔑", "{", "}", "a"];
  const keys: (string | Uint8Array)[] = [
    "123456789",
    "foo",
    "",
    "{}",
    "{",
    "}",
    "}{",
    "{{}}",
    "{a}{b}",
    "{{a}}",
  ];
  while (keys.length < count) {
    const length = int(24);
    switch (int(3)) {
      case 0: {
        let key = "";
        for (let i = 0; i < length; i++) key += ascii[int(ascii.length)];
        keys.push(key);
        break;
      }
      case 1: {
        let key = "";
        for (let i = 0; i < length; i++) key += wide[int(wide.length)];
        keys.push(key);
        break;
      }
      default: {
        const bytes = new Uint8Array(length);
        // a third of the bytes are braces, so tags of every shape occur
        for (let i = 0; i < length; i++) bytes[i] = int(3) === 0 ? (int(2) ? 0x7b : 0x7d) : int(256);
        keys.push(bytes);
      }
    }
  }
  return keys;
}

test("keySlot equals CLUSTER KEYSLOT for 10,000 random, binary and braced keys", async () => {
  const server = await clusterNode();
  const seed = Date.now() % 1_000_000;
  const keys = randomKeys(seed, 10_000);
  const started = performance.now();
  // one write, one connection: the server's answers for every key
  const replies = await rawCommands(server, keys.map((key) => ["CLUSTER", "KEYSLOT", key]), {
    timeoutMs: 10_000,
  });
  const elapsed = performance.now() - started;
  assert.equal(replies.length, keys.length);
  let mismatches = 0;
  for (let i = 0; i < keys.length; i++) {
    if (keySlot(keys[i]) !== replies[i]) {
      mismatches++;
      assert.equal(
        keySlot(keys[i]),
        replies[i],
        `seed ${seed}, key ${JSON.stringify(String(keys[i]))} (${keys[i]})`,
      );
    }
  }
  assert.equal(mismatches, 0);
  assert.ok(elapsed < 2000, `10,000 CLUSTER KEYSLOT took ${elapsed.toFixed(0)} ms`);
});

/** Every command and subcommand the server knows (`Command.name` form), with its policy tips. */
async function serverTips(server: RedisServer): Promise<Map<string, string[]>> {
  const [all] = await rawCommands(server, [["COMMAND"]], { timeoutMs: 10_000 });
  const tips = new Map<string, string[]>();
  // COMMAND's entries (7.0+): [name, arity, flags, first, last, step, acl categories, tips, key specs, subcommands]
  const walk = (entry: RawReply) => {
    const fields = entry as RawReply[];
    const name = String(fields[0]).toUpperCase().replace("|", " ");
    tips.set(name, (fields[7] as string[]).filter((tip) => /^(request|response)_policy:/.test(tip)).sort());
    for (const sub of (fields[9] as RawReply[] | undefined) ?? []) walk(sub);
  };
  for (const entry of all as RawReply[]) walk(entry);
  return tips;
}

function tableTips(name: string): string[] {
  const tips = COMMAND_TIPS[name];
  if (tips === undefined) return [];
  const [request, response] = tips;
  return [
    ...(request === null ? [] : [`request_policy:${request}`]),
    ...(response === undefined ? [] : [`response_policy:${response}`]),
  ].sort();
}

/**
 * Where a server's tips legitimately differ from the table (Redis's current command table):
 * the server's tips for those commands, and the table's commands it does not have. Any other
 * difference means the table drifted: regenerate it (scripts/derive_cluster_policies.ts).
 */
function knownDifferences(server: RedisServer): { tips: Record<string, string[]>; missing: string[] } {
  if (
    server.flavour === "redis" &&
    (server.version[0] < 7 || (server.version[0] === 7 && server.version[1] < 2))
  ) {
    // Redis 7.2 added the tips of CONFIG/ACL/CLIENT SETNAME and SCAN's and RANDOMKEY's response policies,
    // made LATENCY RESET a sum, and dropped MSETNX's split (it is atomic: it cannot be split per slot).
    const allNodes = ["request_policy:all_nodes", "response_policy:all_succeeded"];
    return {
      tips: {
        "ACL DELUSER": [],
        "ACL SAVE": [],
        "ACL SETUSER": [],
        "CLIENT SETNAME": [],
        "CONFIG RESETSTAT": [],
        "CONFIG REWRITE": [],
        "LATENCY RESET": allNodes,
        "MSETNX": ["request_policy:multi_shard", "response_policy:agg_min"],
        "RANDOMKEY": ["request_policy:all_shards"],
        "SCAN": ["request_policy:special"],
      },
      missing: ["CLIENT SETINFO", "WAITAOF"],
    };
  }
  if (server.flavour === "valkey" && server.flavourVersion[0] === 8 && server.flavourVersion[1] === 0) {
    // A Valkey-only command (slot statistics of a range, from every primary).
    return { tips: { "CLUSTER SLOT-STATS": ["request_policy:all_shards"] }, missing: [] };
  }
  return { tips: {}, missing: [] };
}

test("the cluster policy table matches the running server's command tips", async () => {
  const server = await clusterNode();
  const live = await serverTips(server);
  assert.ok(live.size > 200, `COMMAND listed ${live.size} commands`);
  const known = knownDifferences(server);
  const names = new Set([...live.keys(), ...Object.keys(COMMAND_TIPS)]);
  const drift: string[] = [];
  for (const name of [...names].sort()) {
    const expected = Object.hasOwn(known.tips, name) ? [...known.tips[name]].sort() : tableTips(name);
    if (!live.has(name)) {
      if (!known.missing.includes(name)) drift.push(`${name}: in the table, unknown to ${server.label}`);
      continue;
    }
    const actual = live.get(name)!;
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      drift.push(`${name}: ${server.label} says [${actual}], expected [${expected}]`);
    }
  }
  for (const name of known.missing) if (live.has(name)) drift.push(`${name}: ${server.label} has it now`);
  assert.deepEqual(drift, [], `the table drifted from ${server.label}:\n${drift.join("\n")}`);
});
