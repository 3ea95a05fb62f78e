import { test } from "node:test";
import assert from "node:assert/strict";
import { healthyReplicas, masterStateProblem, roleOf } from "./state.ts";
import { splitSentinelOptions } from "./options.ts";
import { DataError } from "../errors.ts";
import { Sentinel } from "./sentinel.ts";

const healthy = { ip: "10.0.0.1", port: 6379, flags: "master", isMaster: true, "num-other-sentinels": 2 };

test("masterStateProblem accepts a sane master and names what is wrong otherwise", () => {
  assert.equal(masterStateProblem(healthy, 0), undefined);
  assert.equal(masterStateProblem(healthy, 2), undefined);
  assert.match(masterStateProblem(healthy, 3)!, /sees 2 other sentinels, fewer than minOtherSentinels \(3\)/);
  assert.match(masterStateProblem({ ...healthy, flags: "master,s_down", isSdown: true }, 0)!, /down/);
  assert.match(masterStateProblem({ ...healthy, flags: "master,o_down", isOdown: true }, 0)!, /down/);
  assert.match(masterStateProblem({ ...healthy, flags: "slave", isMaster: false }, 0)!, /"slave"/);
});

test("healthyReplicas drops replicas that are down or disconnected", () => {
  const replicas = healthyReplicas([
    { ip: "a", port: 1, isSlave: true },
    { ip: "b", port: 2, isSlave: true, isSdown: true },
    { ip: "c", port: 3, isSlave: true, isOdown: true },
    { ip: "d", port: 4, isSlave: true, isDisconnected: true },
    { ip: "e", port: 5, isSlave: true },
  ]);
  assert.deepEqual(replicas, [{ host: "a", port: 1 }, { host: "e", port: 5 }]);
});

test("roleOf reads the role of a ROLE reply, text or bytes", () => {
  assert.equal(roleOf(["master", 0, []]), "master");
  assert.equal(roleOf([new TextEncoder().encode("slave"), "h", 1]), "slave");
  assert.equal(roleOf("OK"), undefined);
});

test("splitSentinelOptions: sentinel options apart, socket options inherited, bad options are DataErrors", () => {
  const connector = () => Promise.reject(new Error("unused"));
  const split = splitSentinelOptions([{ host: "h", port: 26379 }], {
    sentinel: { password: "s" },
    password: "d",
    socketTimeout: 500,
    connector,
    minOtherSentinels: 1,
  });
  assert.deepEqual(split.sentinel, { password: "s", socketTimeout: 500, connector, decodeResponses: true });
  assert.equal(split.data.password, "d");
  assert.equal(split.minOtherSentinels, 1);
  // Socket options set for the sentinels: none inherited.
  const own = splitSentinelOptions([{ host: "h", port: 1 }], {
    socketTimeout: 500,
    sentinel: { socketConnectTimeout: 9 },
  });
  assert.equal(own.sentinel.socketTimeout, undefined);
  const bad = [
    () => splitSentinelOptions([], {}),
    () => splitSentinelOptions([{ host: "h", port: 0 }], {}),
    () => splitSentinelOptions([{ host: "h", port: 1 }], { host: "x" } as never),
    () => splitSentinelOptions([{ host: "h", port: 1 }], { sentinl: {} } as never),
    () => splitSentinelOptions([{ host: "h", port: 1 }], { sentinel: { db: 1 } } as never),
    () => splitSentinelOptions([{ host: "h", port: 1 }], { sentinel: { passwrd: "x" } } as never),
    () => splitSentinelOptions([{ host: "h", port: 1 }], { minOtherSentinels: -1 }),
  ];
  for (const f of bad) assert.throws(f, DataError);
});

test("new Sentinel never connects and keeps passwords out of its options", async () => {
  const connector = () => Promise.reject(new Error("must not connect"));
  const sentinel = new Sentinel([{ host: "h", port: 1 }], {
    sentinel: { password: "s3" },
    password: "d3",
    connector,
  });
  assert.ok(!JSON.stringify(sentinel.options).includes("s3"));
  assert.ok(!JSON.stringify(sentinel.options).includes("d3"));
  assert.throws(() => sentinel.masterFor("m", { port: 1 } as never), DataError);
  await sentinel.close();
});
