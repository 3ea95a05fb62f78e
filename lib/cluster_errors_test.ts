import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AskError,
  ClusterCrossSlotError,
  ClusterDownError,
  ClusterError,
  errorFromReply,
  MasterDownError,
  MovedError,
  RedisClusterException,
  RedisError,
  ResponseError,
  SlotNotCoveredError,
  TryAgainError,
} from "./errors.ts";

test("cluster errors: errorFromReply maps the server's codes", () => {
  const cases: [string, new (...args: never[]) => Error, string][] = [
    ["CLUSTERDOWN The cluster is down", ClusterDownError, "CLUSTERDOWN"],
    ["CLUSTERDOWN Hash slot not served", ClusterDownError, "CLUSTERDOWN"],
    [
      "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
      MasterDownError,
      "MASTERDOWN",
    ],
    ["TRYAGAIN Multiple keys request during rehashing of slot", TryAgainError, "TRYAGAIN"],
    ["CROSSSLOT Keys in request don't hash to the same slot", ClusterCrossSlotError, "CROSSSLOT"],
    ["MOVED 3999 127.0.0.1:6381", MovedError, "MOVED"],
    ["ASK 3999 127.0.0.1:6381", AskError, "ASK"],
  ];
  for (const [message, cls, code] of cases) {
    const error = errorFromReply(message);
    assert.ok(error instanceof cls, `${message} -> ${error.name}`);
    assert.equal(error.constructor, cls, message);
    assert.ok(error instanceof ResponseError, message);
    assert.equal((error as ResponseError).code, code);
    assert.equal(error.message, message);
    assert.equal(error.name, cls.name);
  }
});

test("cluster errors: the hierarchy follows redis-py's", () => {
  const down = errorFromReply("CLUSTERDOWN The cluster is down");
  const masterDown = errorFromReply("MASTERDOWN x");
  assert.ok(masterDown instanceof ClusterDownError);
  // redis-py's ClusterDownError is also a ClusterError: `catch ClusterError` sees it
  assert.ok(down instanceof ClusterError);
  assert.ok(masterDown instanceof ClusterError);
  assert.ok(!(new ClusterError("x") instanceof ClusterDownError));
  assert.ok(!(errorFromReply("TRYAGAIN x") instanceof ClusterError));
  assert.ok(!(down instanceof SlotNotCoveredError));
  // MovedError is an AskError (redis-py), never the other way round
  assert.ok(errorFromReply("MOVED 1 h:1") instanceof AskError);
  assert.ok(!(errorFromReply("ASK 1 h:1") instanceof MovedError));
  // client-side cluster errors
  const exhausted = new ClusterError("TTL exhausted");
  assert.ok(exhausted instanceof RedisClusterException && exhausted instanceof RedisError);
  const uncovered = new SlotNotCoveredError("Slot 12182 is not covered by the cluster");
  assert.ok(uncovered instanceof RedisClusterException && !(uncovered instanceof ClusterError));
  assert.equal(uncovered.name, "SlotNotCoveredError");
  // a CROSSSLOT raised by the client itself keeps the server's code
  assert.equal(
    new ClusterCrossSlotError("CROSSSLOT Keys in request don't hash to the same slot").code,
    "CROSSSLOT",
  );
  assert.ok(!(new ClusterCrossSlotError("CROSSSLOT x") instanceof RedisClusterException));
});

test("cluster errors: MOVED and ASK carry slot, host, port and node name", () => {
  const moved = errorFromReply("MOVED 3999 127.0.0.1:6381") as MovedError;
  assert.deepEqual([moved.slot, moved.host, moved.port, moved.nodeName], [
    3999,
    "127.0.0.1",
    6381,
    "127.0.0.1:6381",
  ]);
  const ask = errorFromReply("ASK 16383 redis-3.example.com:7002") as AskError;
  assert.deepEqual([ask.slot, ask.host, ask.port, ask.nodeName], [
    16383,
    "redis-3.example.com",
    7002,
    "redis-3.example.com:7002",
  ]);
  // the server writes IPv6 addresses without brackets; accept both forms
  for (const message of ["MOVED 0 ::1:6381", "MOVED 0 [::1]:6381"]) {
    const e = errorFromReply(message) as MovedError;
    assert.deepEqual([e.slot, e.host, e.port, e.nodeName], [0, "::1", 6381, "::1:6381"], message);
  }
  // an empty endpoint (cluster-preferred-endpoint-type unknown-endpoint): the node the command went to
  const here = errorFromReply("MOVED 12182 :6381") as MovedError;
  assert.deepEqual([here.slot, here.host, here.port, here.nodeName], [12182, "", 6381, ":6381"]);
  // "?" (hostname preferred but none set) stays as sent
  const unknown = errorFromReply("ASK 5 ?:7000") as AskError;
  assert.deepEqual([unknown.host, unknown.port], ["?", 7000]);
  assert.equal(new MovedError("MOVED 3999 127.0.0.1:6381").port, 6381);
});

test("cluster errors: a malformed MOVED or ASK stays a plain ResponseError", () => {
  for (
    const message of [
      "MOVED",
      "MOVED 1",
      "MOVED x h:1",
      "MOVED 1 h",
      "MOVED 1 h:x",
      "MOVED 99999 h:1",
      "ASK 1 h:1 extra",
      "MOVED -1 h:1",
    ]
  ) {
    const error = errorFromReply(message);
    assert.equal(error.constructor, ResponseError, message);
    assert.equal((error as ResponseError).code, message.split(" ")[0]);
  }
});
