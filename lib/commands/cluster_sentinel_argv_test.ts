// CLUSTER, READONLY/READWRITE/ASKING and SENTINEL definitions without a server:
// exact argv, DataError cases (always asynchronous), and reply transforms fed
// RESP2- and RESP3-shaped replies (which must give identical values).

import { test } from "node:test";
import assert from "node:assert/strict";
import type { RedisArgument, RespValue } from "../protocol/types.ts";
import { expectArgv, expectDataErrors, Recorder } from "../../tests/support/recorder.ts";

type Call = (r: Recorder) => Promise<unknown>;

const ID = "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca";

const ARGV: [Call, RedisArgument[]][] = [
  // cluster
  [(r) => r.clusterAddslots(1, 2, 3), ["CLUSTER", "ADDSLOTS", 1, 2, 3]],
  [(r) => r.clusterAddslotsrange([0, 100], [200, 300]), ["CLUSTER", "ADDSLOTSRANGE", 0, 100, 200, 300]],
  [(r) => r.clusterBumpepoch(), ["CLUSTER", "BUMPEPOCH"]],
  [(r) => r.clusterCountFailureReports(ID), ["CLUSTER", "COUNT-FAILURE-REPORTS", ID]],
  [(r) => r.clusterCountkeysinslot(7), ["CLUSTER", "COUNTKEYSINSLOT", 7]],
  [(r) => r.clusterDelslots(5), ["CLUSTER", "DELSLOTS", 5]],
  [(r) => r.clusterDelslotsrange([0, 10]), ["CLUSTER", "DELSLOTSRANGE", 0, 10]],
  [(r) => r.clusterFailover(), ["CLUSTER", "FAILOVER"]],
  [(r) => r.clusterFailover({ force: true }), ["CLUSTER", "FAILOVER", "FORCE"]],
  [(r) => r.clusterFailover({ takeover: true }), ["CLUSTER", "FAILOVER", "TAKEOVER"]],
  [(r) => r.clusterFlushslots(), ["CLUSTER", "FLUSHSLOTS"]],
  [(r) => r.clusterForget(ID), ["CLUSTER", "FORGET", ID]],
  [(r) => r.clusterGetkeysinslot(7, 10), ["CLUSTER", "GETKEYSINSLOT", 7, 10]],
  [(r) => r.clusterInfo(), ["CLUSTER", "INFO"]],
  [(r) => r.clusterKeyslot("user:1"), ["CLUSTER", "KEYSLOT", "user:1"]],
  [(r) => r.clusterLinks(), ["CLUSTER", "LINKS"]],
  [(r) => r.clusterMeet("127.0.0.1", 7001), ["CLUSTER", "MEET", "127.0.0.1", 7001]],
  [(r) => r.clusterMeet("10.0.0.1", 7001, { clusterBusPort: 17001 }), [
    "CLUSTER",
    "MEET",
    "10.0.0.1",
    7001,
    17001,
  ]],
  [(r) => r.clusterMyid(), ["CLUSTER", "MYID"]],
  [(r) => r.clusterMyshardid(), ["CLUSTER", "MYSHARDID"]],
  [(r) => r.clusterNodes(), ["CLUSTER", "NODES"]],
  [(r) => r.clusterReplicas(ID), ["CLUSTER", "REPLICAS", ID]],
  [(r) => r.clusterReplicate(ID), ["CLUSTER", "REPLICATE", ID]],
  [(r) => r.clusterReset(), ["CLUSTER", "RESET"]],
  [(r) => r.clusterReset({ hard: true }), ["CLUSTER", "RESET", "HARD"]],
  [(r) => r.clusterReset({ soft: true }), ["CLUSTER", "RESET", "SOFT"]],
  [(r) => r.clusterSaveconfig(), ["CLUSTER", "SAVECONFIG"]],
  [(r) => r.clusterSetConfigEpoch(3), ["CLUSTER", "SET-CONFIG-EPOCH", 3]],
  [(r) => r.clusterSetslot(42, { importing: ID }), ["CLUSTER", "SETSLOT", 42, "IMPORTING", ID]],
  [(r) => r.clusterSetslot(42, { migrating: ID }), ["CLUSTER", "SETSLOT", 42, "MIGRATING", ID]],
  [(r) => r.clusterSetslot(42, { node: ID }), ["CLUSTER", "SETSLOT", 42, "NODE", ID]],
  [(r) => r.clusterSetslot(42, { stable: true }), ["CLUSTER", "SETSLOT", 42, "STABLE"]],
  [(r) => r.clusterShards(), ["CLUSTER", "SHARDS"]],
  [(r) => r.clusterSlaves(ID), ["CLUSTER", "SLAVES", ID]],
  [(r) => r.clusterSlots(), ["CLUSTER", "SLOTS"]],
  [(r) => r.readonly(), ["READONLY"]],
  [(r) => r.readwrite(), ["READWRITE"]],
  [(r) => r.asking(), ["ASKING"]],
  // sentinel
  [(r) => r.sentinelCkquorum("m"), ["SENTINEL", "CKQUORUM", "m"]],
  [(r) => r.sentinelConfigGet(), ["SENTINEL", "CONFIG", "GET", "*"]],
  [(r) => r.sentinelConfigGet("a", "b"), ["SENTINEL", "CONFIG", "GET", "a", "b"]],
  [(r) => r.sentinelConfigSet("loglevel", "notice"), ["SENTINEL", "CONFIG", "SET", "loglevel", "notice"]],
  [(r) => r.sentinelDebug(), ["SENTINEL", "DEBUG"]],
  [(r) => r.sentinelDebug({ "info-period": 5000 }), ["SENTINEL", "DEBUG", "info-period", 5000]],
  [(r) => r.sentinelFailover("m"), ["SENTINEL", "FAILOVER", "m"]],
  [(r) => r.sentinelFlushconfig(), ["SENTINEL", "FLUSHCONFIG"]],
  [(r) => r.sentinelGetMasterAddrByName("m"), ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "m"]],
  [(r) => r.sentinelInfoCache(), ["SENTINEL", "INFO-CACHE"]],
  [(r) => r.sentinelInfoCache("a", "b"), ["SENTINEL", "INFO-CACHE", "a", "b"]],
  [(r) => r.sentinelMaster("m"), ["SENTINEL", "MASTER", "m"]],
  [(r) => r.sentinelMasters(), ["SENTINEL", "MASTERS"]],
  [(r) => r.sentinelMonitor("m", "127.0.0.1", 6380, 2), ["SENTINEL", "MONITOR", "m", "127.0.0.1", 6380, 2]],
  [(r) => r.sentinelMyid(), ["SENTINEL", "MYID"]],
  [(r) => r.sentinelPendingScripts(), ["SENTINEL", "PENDING-SCRIPTS"]],
  [(r) => r.sentinelRemove("m"), ["SENTINEL", "REMOVE", "m"]],
  [(r) => r.sentinelReplicas("m"), ["SENTINEL", "REPLICAS", "m"]],
  [(r) => r.sentinelReset("m*"), ["SENTINEL", "RESET", "m*"]],
  [(r) => r.sentinelSentinels("m"), ["SENTINEL", "SENTINELS", "m"]],
  [(r) => r.sentinelSet("m", "quorum", 3), ["SENTINEL", "SET", "m", "quorum", 3]],
  [(r) => r.sentinelSimulateFailure("crash-after-election"), [
    "SENTINEL",
    "SIMULATE-FAILURE",
    "crash-after-election",
  ]],
  [(r) => r.sentinelSlaves("m"), ["SENTINEL", "SLAVES", "m"]],
];

test("cluster/sentinel: argv of every command form, no key positions", async () => {
  await expectArgv(ARGV);
});

const DATA_ERRORS: [Call, RegExp][] = [
  [(r) => r.clusterAddslots(), /at least one of slots/],
  [(r) => r.clusterAddslots(1.5), /slot must be an integer/],
  [(r) => r.clusterDelslots(-1), /slot must be at least 0/],
  [(r) => r.clusterAddslotsrange(), /at least one of ranges/],
  [(r) => r.clusterAddslotsrange([1] as never), /\[start, end\] pair/],
  [(r) => r.clusterDelslotsrange([0, NaN]), /end must be an integer/],
  [(r) => r.clusterFailover({ force: true, takeover: true }), /force and takeover are mutually exclusive/],
  [(r) => r.clusterFailover(5 as never), /options must be an object/],
  [(r) => r.clusterReset({ hard: true, soft: true }), /hard and soft/],
  [(r) => r.clusterSetslot(1, {}), /needs one of importing, migrating, node or stable/],
  [(r) => r.clusterSetslot(1, { node: ID, stable: true }), /node and stable/],
  [(r) => r.clusterSetslot(-1, { stable: true }), /slot must be at least 0/],
  [(r) => r.clusterCountkeysinslot("a" as never), /slot must be an integer/],
  [(r) => r.clusterGetkeysinslot(1, -1), /count must be at least 0/],
  [(r) => r.clusterKeyslot(undefined as never), /key must be a string or Uint8Array/],
  [(r) => r.clusterMeet("h", 1.5), /port must be an integer/],
  [(r) => r.clusterMeet("h", 1, { clusterBusPort: "x" as never }), /clusterBusPort must be an integer/],
  [(r) => r.clusterSetConfigEpoch(-1), /epoch must be at least 0/],
  [(r) => r.sentinelMonitor("m", "h", NaN, 1), /port must be an integer/],
  [(r) => r.sentinelMonitor("m", "h", 1, 0), /quorum must be at least 1/],
  [(r) => r.sentinelDebug(5 as never), /params must be an object/],
  [(r) => r.sentinelSimulateFailure("boom" as never), /mode must be one of/],
];

test("cluster/sentinel: bad arguments reject with a DataError, asynchronously, and nothing is sent", async () => {
  await expectDataErrors(DATA_ERRORS);
});

const te = new TextEncoder();
const b = (s: string): Uint8Array => te.encode(s);

/** [call, RESP2 raw reply, RESP3 raw reply, expected value] */
const REPLIES: [Call, RespValue, RespValue, unknown][] = [
  [(r) => r.readonly(), "OK", "OK", true],
  [(r) => r.clusterAddslots(1), "OK", "OK", true],
  [(r) => r.clusterKeyslot("a"), 15495, 15495, 15495],
  [(r) => r.clusterMyid(), b(ID), b(ID), ID],
  [(r) => r.clusterBumpepoch(), "BUMPED 3", "BUMPED 3", "BUMPED 3"],
  [(r) => r.clusterCountFailureReports(ID), 0, 0, 0],
  [
    (r) => r.clusterNodes(),
    b(`${ID} 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-16383\n`),
    b(
      `${ID} 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-16383\n`,
    ),
    `${ID} 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-16383\n`,
  ],
  [(r) => r.clusterReplicas(ID), [b("x 127.0.0.1:7001@17001 slave")], [b("x 127.0.0.1:7001@17001 slave")], [
    "x 127.0.0.1:7001@17001 slave",
  ]],
  [
    (r) => r.clusterInfo(),
    b("cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_stats_messages_sent:12\r\n"),
    b("cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_stats_messages_sent:12\r\n"),
    { cluster_state: "ok", cluster_slots_assigned: 16384, cluster_stats_messages_sent: 12 },
  ],
  [
    (r) => r.clusterSlots(),
    [[0, 5460, [b("127.0.0.1"), 7000, b(ID), []], [b("127.0.0.1"), 7003, b("r1"), [b("hostname"), b("h")]]]],
    [[0, 5460, [b("127.0.0.1"), 7000, b(ID), []], [b("127.0.0.1"), 7003, b("r1"), [b("hostname"), b("h")]]]],
    [{
      start: 0,
      end: 5460,
      master: { host: "127.0.0.1", port: 7000, id: ID, metadata: {} },
      replicas: [{ host: "127.0.0.1", port: 7003, id: "r1", metadata: { hostname: "h" } }],
    }],
  ],
  [
    (r) => r.clusterSlots(),
    [[0, 16383, [null, 7000, b(ID)]]],
    [[0, 16383, [null, 7000, b(ID)]]],
    [{ start: 0, end: 16383, master: { host: null, port: 7000, id: ID, metadata: {} }, replicas: [] }],
  ],
  [
    (r) => r.clusterShards(),
    [[b("slots"), [0, 16383], b("nodes"), [[
      b("id"),
      b(ID),
      b("port"),
      7000,
      b("ip"),
      b("127.0.0.1"),
      b("role"),
      b("master"),
      b("replication-offset"),
      0,
      b("health"),
      b("online"),
    ]]]],
    [["slots", [0, 16383], "nodes", [[
      "id",
      b(ID),
      "port",
      7000,
      "ip",
      b("127.0.0.1"),
      "role",
      b("master"),
      "replication-offset",
      0,
      "health",
      b("online"),
    ]]]],
    [{
      slots: [[0, 16383]],
      nodes: [{
        id: ID,
        port: 7000,
        ip: "127.0.0.1",
        role: "master",
        "replication-offset": 0,
        health: "online",
      }],
    }],
  ],
  [
    (r) => r.clusterLinks(),
    [[b("direction"), b("to"), b("node"), b(ID), b("create-time"), 1700000000000, b("events"), b("rw")]],
    [["direction", b("to"), "node", b(ID), "create-time", 1700000000000, "events", b("rw")]],
    [{ direction: "to", node: ID, "create-time": 1700000000000, events: "rw" }],
  ],
  [(r) => r.sentinelGetMasterAddrByName("m"), [b("127.0.0.1"), b("6380")], [b("127.0.0.1"), b("6380")], [
    "127.0.0.1",
    6380,
  ]],
  [(r) => r.sentinelGetMasterAddrByName("m"), null, null, null],
  [(r) => r.sentinelCkquorum("m"), "OK 1 usable Sentinels", "OK 1 usable Sentinels", "OK 1 usable Sentinels"],
  [(r) => r.sentinelReset("*"), 1, 1, 1],
  [
    (r) => r.sentinelMaster("m"),
    [
      b("name"),
      b("m"),
      b("port"),
      b("6380"),
      b("flags"),
      b("master,s_down"),
      b("quorum"),
      b("1"),
      b("runid"),
      b(
        "123",
      ),
    ],
    [
      b("name"),
      b("m"),
      b("port"),
      b("6380"),
      b("flags"),
      b("master,s_down"),
      b("quorum"),
      b("1"),
      b("runid"),
      b(
        "123",
      ),
    ],
    {
      name: "m",
      port: 6380,
      flags: "master,s_down",
      quorum: 1,
      runid: "123",
      isMaster: true,
      isSlave: false,
      isSdown: true,
      isOdown: false,
      isSentinel: false,
      isDisconnected: false,
      isMasterDown: false,
    },
  ],
  [
    (r) => r.sentinelMasters(),
    [[b("name"), b("m"), b("flags"), b("master")]],
    [[b("name"), b("m"), b("flags"), b("master")]],
    [{
      name: "m",
      flags: "master",
      isMaster: true,
      isSlave: false,
      isSdown: false,
      isOdown: false,
      isSentinel: false,
      isDisconnected: false,
      isMasterDown: false,
    }],
  ],
  [
    (r) => r.sentinelConfigGet("resolve-hostnames"),
    [b("resolve-hostnames"), b("no")],
    [b("resolve-hostnames"), b("no")],
    { "resolve-hostnames": "no" },
  ],
  [(r) => r.sentinelDebug(), [b("info-period"), b("10000")], [b("info-period"), b("10000")], {
    "info-period": "10000",
  }],
  [(r) => r.sentinelDebug({ "info-period": 1 }), "OK", "OK", true],
  [
    (r) => r.sentinelInfoCache(),
    [b("m"), [[12, b("# Server\r\n")], [3, null]]],
    [b("m"), [[12, b("# Server\r\n")], [3, null]]],
    { m: [{ age: 12, info: "# Server\r\n" }, { age: 3, info: null }] },
  ],
  [
    (r) => r.sentinelPendingScripts(),
    [[b("argv"), [b("/bin/true"), b("x")], b("flags"), b("running"), b("pid"), b("42")]],
    [["argv", [b("/bin/true"), b("x")], "flags", b("running"), "pid", b("42")]],
    [{ argv: ["/bin/true", "x"], flags: "running", pid: "42" }],
  ],
];

test("cluster/sentinel: reply transforms give the same value for RESP2 and RESP3 replies", async () => {
  for (const [call, resp2, resp3, expected] of REPLIES) {
    for (const reply of [resp2, resp3]) {
      const r = new Recorder();
      r.reply = reply;
      assert.deepEqual(await call(r), expected, `${r.last?.args.join(" ")}`);
    }
  }
});
