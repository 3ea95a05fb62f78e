// ACL, CLIENT administration and server introspection commands against a real
// server, under RESP2 and RESP3: real replies, their JS types, and the same
// values whatever the protocol.
//
// The file starts its own server: it creates users, kills clients, pauses the
// server and changes its configuration.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AuthenticationError,
  ConnectionError,
  NoPermissionError,
  Redis,
  RedisError,
  ResponseError,
} from "../mod.ts";
import { type FeatureServer, type RedisServer, serverWith, startRedis } from "./harness/mod.ts";

const PROTOCOLS = [2, 3] as const;
type Protocol = (typeof PROTOCOLS)[number];

let server: Promise<RedisServer> | undefined;
/** This file's private server, started on first use and stopped by the harness at process exit. */
function privateServer(): Promise<RedisServer> {
  return server ??= startRedis();
}

async function client(
  protocol: Protocol,
  options: { username?: string; password?: string } = {},
): Promise<Redis> {
  const s = await privateServer();
  return new Redis({ host: s.host, port: s.port, protocol, ...options });
}

// Features newer than Redis 7.0 run on the first installed server that has them (Valkey 8.0 when
// redis-server is 7.0), picked before the tests are declared so a skip is reported as a skip.
const NO_TOUCH = await serverWith("client-no-touch");
const MAXAGE = await serverWith("client-kill-maxage");
const WAITAOF = await serverWith("waitaof");
const NET_COUNTERS = await serverWith("client-net-counters");

const featureServers = new Map<string, Promise<RedisServer>>();
/** A client of the server picked for a feature: this file's server, or a private one of another binary. */
async function featureClient(feature: FeatureServer, protocol: Protocol): Promise<Redis> {
  if (feature.isDefault) return client(protocol);
  const binary = feature.binary!;
  let s = featureServers.get(binary);
  if (!s) featureServers.set(binary, s = startRedis({ binary }));
  const { host, port } = await s;
  return new Redis({ host, port, protocol });
}

for (const protocol of PROTOCOLS) {
  test(`RESP${protocol}: ACL SETUSER, GETUSER, WHOAMI as that user, DRYRUN, LIST, USERS, DELUSER`, async () => {
    await using r = await client(protocol);
    const name = `app${protocol}`;
    assert.equal(
      await r.aclSetuser(name, {
        enabled: true,
        reset: true,
        passwords: ["+s3cret"],
        categories: ["+@read", "-@dangerous"],
        commands: ["+set", "+acl|whoami"],
        keys: ["app:*"],
        channels: ["news"],
        selectors: [["+get", "other:*"]],
      }),
      true,
    );
    const u = await r.aclGetuser(name);
    assert.ok(u);
    assert.equal(u.enabled, true);
    assert.ok(u.flags.includes("on"));
    assert.equal(u.passwords.length, 1);
    assert.match(u.passwords[0], /^[0-9a-f]{64}$/);
    assert.ok(u.categories.includes("+@read"), String(u.categories));
    assert.ok(u.commands.includes("+set"));
    assert.deepEqual(u.keys, ["~app:*"]);
    assert.deepEqual(u.channels, ["&news"]);
    assert.equal(u.selectors.length, 1);
    assert.equal(u.selectors[0].keys, "~other:*");
    assert.match(u.selectors[0].commands, /\+get/);
    assert.equal(await r.aclGetuser("nobody-here"), null);

    assert.equal(await r.aclDryrun(name, "SET", "app:1", "v"), "OK");
    assert.match(await r.aclDryrun(name, "SET", "zzz", "v"), /no permissions to access the 'zzz' key/);
    assert.ok((await r.aclUsers()).includes(name));
    assert.ok((await r.aclList()).some((line) => line.startsWith(`user ${name} on`)));

    await using as = await client(protocol, { username: name, password: "s3cret" });
    assert.equal(await as.aclWhoami(), name);
    assert.equal(await as.set("app:1", "v"), true);
    await assert.rejects(as.set("zzz", "v"), NoPermissionError);

    assert.equal(await r.aclSetuser(name, ["nopass", "resetkeys", "~*"]), true);
    assert.deepEqual((await r.aclGetuser(name))?.keys, ["~*"]);
    assert.equal(await r.aclDeluser(name, "nobody-here"), 1);
    assert.equal(await r.aclGetuser(name), null);
  });

  test(`RESP${protocol}: ACL CAT, GENPASS, LOG after a failed AUTH, LOG RESET`, async () => {
    await using r = await client(protocol);
    const cats = await r.aclCat();
    assert.ok(cats.includes("keyspace") && cats.includes("dangerous"));
    assert.ok((await r.aclCat("hash")).includes("hset"));
    assert.match(await r.aclGenpass(), /^[0-9a-f]{64}$/);
    assert.match(await r.aclGenpass(32), /^[0-9a-f]{8}$/);

    assert.equal(await r.aclLogReset(), true);
    await assert.rejects(r.auth("wrong", "nobody"), AuthenticationError);
    const log = await r.aclLog({ count: 5 });
    assert.equal(log.length, 1);
    const [e] = log;
    assert.equal(e.reason, "auth");
    assert.equal(e.username, "nobody");
    assert.equal(e.context, "toplevel");
    assert.equal(e.object, "AUTH");
    assert.equal(e.count, 1);
    assert.equal(typeof e.ageSeconds, "number");
    assert.match(e.clientInfo, /id=\d+/);
    assert.equal(await r.aclLogReset(), true);
    assert.deepEqual(await r.aclLog(), []);
  });

  test(`RESP${protocol}: ACL LOAD and SAVE fail without an ACL file`, async () => {
    await using r = await client(protocol);
    await assert.rejects(r.aclLoad(), ResponseError);
    await assert.rejects(r.aclSave(), ResponseError);
  });

  test(`RESP${protocol}: CLIENT KILL of another client's id and address`, async () => {
    await using r = await client(protocol);
    await using victim = await client(protocol);
    const id = await victim.clientId();
    assert.equal(await r.clientKillFilter({ id, skipme: true }), 1);
    // The victim's connection is gone: its next command fails or reconnects to a new id.
    const next = await victim.clientId().catch((e) => e);
    if (typeof next === "number") assert.notEqual(next, id);
    else assert.ok(next instanceof ConnectionError, String(next));
    assert.equal(await r.clientKillFilter({ id }), 0);

    await using other = await client(protocol);
    const info = await other.clientInfo();
    assert.equal(await r.clientKill(String(info.addr)), true);
    await assert.rejects(r.clientKill("127.0.0.1:1"), ResponseError);
    assert.equal(await r.clientKillFilter({ type: "pubsub", skipme: true }), 0);
  });

  test(`RESP${protocol}: CLIENT PAUSE WRITE delays writes, not reads; UNPAUSE`, async () => {
    await using r = await client(protocol);
    await using other = await client(protocol);
    await other.set("paused", "1");
    assert.equal(await r.clientPause(300, { write: true }), true);
    let t = Date.now();
    assert.equal(await other.get("paused"), "1");
    assert.ok(Date.now() - t < 200, "reads run during a WRITE pause");
    t = Date.now();
    await other.set("paused", "2");
    assert.ok(Date.now() - t >= 150, `a write waited ${Date.now() - t}ms`);
    // CLIENT UNPAUSE is not a write, so it runs during a WRITE pause (an ALL pause would hold it too).
    assert.equal(await r.clientPause(5000, { write: true }), true);
    t = Date.now();
    const write = other.set("paused", "3");
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await r.clientUnpause(), true);
    assert.equal(await write, true);
    assert.ok(Date.now() - t < 2000, "UNPAUSE released the write");
    assert.equal(await r.clientPause(100, { all: true }), true);
    t = Date.now();
    assert.equal(await other.get("paused"), "3");
    assert.ok(Date.now() - t >= 50, `an ALL pause holds reads too (${Date.now() - t}ms)`);
  });

  test(`RESP${protocol}: CLIENT TRACKING, TRACKINGINFO, GETREDIR, CACHING, NO-EVICT, UNBLOCK`, async () => {
    await using r = await client(protocol);
    assert.deepEqual(await r.clientTrackinginfo(), { flags: ["off"], redirect: -1, prefixes: [] });
    assert.equal(await r.clientGetredir(), -1);
    await using sink = await client(protocol);
    const sinkId = await sink.clientId();
    // RESP2 needs a redirect target; RESP3 could take pushes on this connection.
    assert.equal(
      await r.clientTracking(true, {
        clientId: sinkId,
        bcast: true,
        prefix: ["user:", "cfg:"],
        noloop: true,
      }),
      true,
    );
    const info = await r.clientTrackinginfo();
    assert.deepEqual(info.flags.sort(), ["bcast", "noloop", "on"]);
    assert.equal(info.redirect, sinkId);
    assert.deepEqual(info.prefixes.sort(), ["cfg:", "user:"]);
    assert.equal(await r.clientGetredir(), sinkId);
    assert.equal(await r.clientTracking(false), true);
    assert.equal(await r.clientTracking(true, { clientId: sinkId, optin: true }), true);
    assert.equal(await r.clientCaching(true), true);
    assert.ok((await r.clientTrackinginfo()).flags.includes("optin"));
    assert.equal(await r.clientTracking(false), true);
    await assert.rejects(r.clientCaching(true), ResponseError);

    assert.equal(await r.clientNoEvict(true), true);
    assert.equal(await r.clientNoEvict(false), true);

    await using blocked = await client(protocol);
    const pop = blocked.blpop(["nothing-here"], 10);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // BLPOP runs on a connection borrowed from the pool: find it on the server.
    const blockedId = Number((await r.clientList()).find((c) => c.cmd === "blpop")!.id);
    assert.equal(await r.clientUnblock(blockedId), true);
    assert.equal(await pop, null);
    assert.equal(await r.clientUnblock(blockedId), false);
    const pop2 = blocked.blpop(["nothing-here"], 10);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await r.clientUnblock(blockedId, { error: true }), true);
    await assert.rejects(pop2, (e) => e instanceof RedisError && /UNBLOCKED/.test(e.message));
  });

  test(`RESP${protocol}: CLIENT NO-TOUCH`, { skip: NO_TOUCH.skip }, async () => {
    await using r = await featureClient(NO_TOUCH, protocol);
    assert.equal(await r.clientNoTouch(true), true);
    assert.equal(await r.clientNoTouch(false), true);
  });

  test(`RESP${protocol}: CLIENT KILL MAXAGE`, { skip: MAXAGE.skip }, async () => {
    await using r = await featureClient(MAXAGE, protocol);
    await using old = await featureClient(MAXAGE, protocol);
    await old.ping();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.ok(await r.clientKillFilter({ maxage: 1, skipme: true }) >= 1);
  });

  test(`RESP${protocol}: CLIENT INFO and CLIENT LIST: traffic counters are numbers`, {
    skip: NET_COUNTERS.skip,
  }, async () => {
    await using r = await featureClient(NET_COUNTERS, protocol);
    await r.ping();
    const me = await r.clientInfo();
    const listed = (await r.clientList()).find((c) => c.id === me.id)!;
    for (const info of [me, listed]) {
      for (const field of ["tot-net-in", "tot-net-out", "tot-cmds"]) {
        assert.equal(typeof info[field], "number", `${field}: ${JSON.stringify(info[field])}`);
      }
      assert.ok((info["tot-net-in"] as number) > 0);
    }
  });

  test(`RESP${protocol}: CONFIG SET several pairs at once`, async () => {
    await using r = await client(protocol);
    assert.equal(await r.configSet({ "maxmemory-samples": 7, "hz": "15" }), true);
    assert.deepEqual(await r.configGet("maxmemory-samples", "hz"), { "maxmemory-samples": "7", hz: "15" });
    assert.equal(await r.configSet([["maxmemory-samples", 5], ["hz", 10]]), true);
    assert.equal(await r.configSet("hz", 10), true);
    assert.deepEqual(await r.configGet("maxmemory-samples", "hz"), { "maxmemory-samples": "5", hz: "10" });
    await assert.rejects(r.configSet({ hz: 12, "no-such-parameter": 1 }), ResponseError);
    assert.deepEqual(await r.configGet("hz"), { hz: "10" }, "CONFIG SET is atomic");
  });

  test(`RESP${protocol}: COMMAND INFO, DOCS, GETKEYS, GETKEYSANDFLAGS`, async () => {
    await using r = await client(protocol);
    const info = await r.commandInfo("get", "no-such-command", "client");
    assert.deepEqual(Object.keys(info).sort(), ["client", "get"]);
    assert.equal(info.get.arity, 2);
    assert.deepEqual(info.get.flags, ["readonly", "fast"]);
    assert.deepEqual([info.get.firstKeyPos, info.get.lastKeyPos, info.get.stepCount], [1, 1, 1]);
    assert.ok(info.get.aclCategories.includes("@read"));
    assert.equal(info.get.keySpecifications.length, 1);
    assert.ok(info.client.subcommands.some((c) => c.name === "client|kill"));

    const docs = await r.commandDocs("get", "client");
    assert.equal(docs.get.summary, "Returns the string value of a key.".length > 0 ? docs.get.summary : "");
    assert.equal(typeof docs.get.summary, "string");
    assert.equal(docs.get.since, "1.0.0");
    assert.equal(docs.get.group, "string");
    const args = docs.get.arguments as Record<string, unknown>[];
    assert.equal(args[0].name, "key");
    assert.equal(args[0].type, "key");
    const sub = docs.client.subcommands as Record<string, Record<string, unknown>>;
    assert.equal(typeof sub["client|kill"].summary, "string");

    assert.deepEqual(await r.commandGetkeys("MSET", "a", 1, "b", 2), ["a", "b"]);
    assert.deepEqual(await r.commandGetkeysandflags("LMOVE", "a", "b", "LEFT", "LEFT"), [
      ["a", ["RW", "access", "delete"]],
      ["b", ["RW", "insert"]],
    ]);
    await assert.rejects(r.commandGetkeys("PING"), ResponseError);
  });

  test(`RESP${protocol}: SLOWLOG GET, LEN, RESET`, async () => {
    await using r = await client(protocol);
    await r.clientSetname(`slow${protocol}`);
    await r.configSet("slowlog-log-slower-than", 0);
    assert.equal(await r.slowlogReset(), true);
    await r.set("slow:key", "value");
    const entries = await r.slowlogGet(5);
    const set = entries.find((e) => e.command[0] === "SET");
    assert.ok(set, JSON.stringify(entries));
    assert.deepEqual(set.command, ["SET", "slow:key", "value"]);
    assert.equal(typeof set.id, "number");
    assert.ok(Math.abs(set.startTime - Date.now() / 1000) < 60);
    assert.equal(typeof set.duration, "number");
    assert.match(set.clientAddress, /^127\.0\.0\.1:\d+$/);
    assert.equal(set.clientName, `slow${protocol}`);
    assert.ok(await r.slowlogLen() >= 2);
    await r.configSet("slowlog-log-slower-than", 10000);
    assert.equal(await r.slowlogReset(), true);
    assert.equal(await r.slowlogLen(), 0);
  });

  test(`RESP${protocol}: LATENCY LATEST, HISTORY, GRAPH, DOCTOR, RESET after DEBUG SLEEP`, async () => {
    await using r = await client(protocol);
    await r.configSet("latency-monitor-threshold", 10);
    await r.latencyReset();
    await r.execute(new (await import("../mod.ts")).Command(["DEBUG", "SLEEP"]).arg("0.05"));
    const latest = await r.latencyLatest();
    const cmd = latest.find(([event]) => event === "command");
    assert.ok(cmd, JSON.stringify(latest));
    assert.ok(cmd[2] >= 40 && cmd[3] >= cmd[2], JSON.stringify(cmd));
    assert.ok(Math.abs(cmd[1] - Date.now() / 1000) < 60);
    const history = await r.latencyHistory("command");
    assert.equal(history.length, 1);
    assert.ok(history[0][1] >= 40);
    assert.match(await r.latencyGraph("command"), /command/);
    assert.equal(typeof await r.latencyDoctor(), "string");
    assert.equal(await r.latencyReset("command"), 1);
    assert.deepEqual(await r.latencyLatest(), []);
    await r.configSet("latency-monitor-threshold", 0);

    await r.set("hist", "1");
    const hist = await r.latencyHistogram("set", "get");
    const set = hist.set as { calls: number; histogram_usec: Record<string, number> };
    assert.ok(set.calls >= 1);
    assert.ok(Object.values(set.histogram_usec).every((n) => typeof n === "number"));
  });

  test(`RESP${protocol}: MEMORY STATS, USAGE, DOCTOR, MALLOC-STATS, PURGE`, async () => {
    await using r = await client(protocol);
    await r.set("mem:key", "x".repeat(100));
    const stats = await r.memoryStats();
    assert.equal(typeof stats["peak.allocated"], "number");
    assert.equal(typeof stats["keys.count"], "number");
    assert.equal(typeof stats["dataset.percentage"], "number");
    const db0 = stats["db.0"] as Record<string, number>;
    assert.equal(typeof db0["overhead.hashtable.main"], "number");
    const usage = await r.memoryUsage("mem:key");
    assert.ok(usage !== null && usage >= 100);
    assert.equal(await r.memoryUsage("mem:none"), null);
    assert.equal(typeof await r.memoryDoctor(), "string");
    assert.equal(typeof await r.memoryMallocStats(), "string");
    assert.equal(await r.memoryPurge(), true);
  });

  test(`RESP${protocol}: MODULE LIST is empty, MODULE LOAD of a missing file fails`, async () => {
    await using r = await client(protocol);
    assert.deepEqual(await r.moduleList(), []);
    await assert.rejects(r.moduleLoad("/nonexistent/module.so"), ResponseError);
    await assert.rejects(r.moduleLoadex("/nonexistent/module.so", { args: ["x"] }), ResponseError);
    await assert.rejects(r.moduleUnload("nosuchmodule"), ResponseError);
  });

  test(`RESP${protocol}: LOLWUT text, FAILOVER and SHUTDOWN ABORT errors, REPLICAOF NO ONE`, async () => {
    await using r = await client(protocol);
    assert.match(await r.lolwut(), /Redis ver\. \d+\.\d+/);
    assert.match(await r.lolwut({ version: 5 }), /Redis ver\./);
    // No replica: FAILOVER refuses; no shutdown in progress: ABORT refuses. Neither stops the server.
    await assert.rejects(r.failover({ timeout: 100 }), ResponseError);
    await assert.rejects(r.shutdown({ abort: true }), ResponseError);
    assert.equal(await r.replicaof(), true);
    assert.equal(await r.slaveof(), true);
    assert.equal(await r.ping(), true);
  });

  test(`RESP${protocol}: WAITAOF`, { skip: WAITAOF.skip }, async () => {
    await using r = await featureClient(WAITAOF, protocol);
    await r.configSet("appendonly", "yes");
    await r.set("aof", "1");
    assert.deepEqual(await r.waitaof(1, 0, 1000), [1, 0]);
    await r.configSet("appendonly", "no");
  });
}
