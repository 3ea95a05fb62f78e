// MONITOR against a real server: it sees another client's commands, parsed, and stops cleanly.

import { test } from "node:test";
import assert from "node:assert/strict";
import { type MonitorEntry, parseMonitorLine, Redis } from "../mod.ts";
import { startRedis } from "./harness/mod.ts";

// A private server, so only this file's commands are seen.
const server = startRedis({ unixSocket: true });

for (const protocol of [2, 3] as const) {
  test(`RESP${protocol}: MONITOR sees commands sent by another client, parsed`, async () => {
    const s = await server;
    await using r = new Redis({ host: s.host, port: s.port, protocol });
    await using other = new Redis({ host: s.host, port: s.port, db: 3 });
    await using viaSocket = new Redis({ path: s.socketPath });
    const monitor = await r.monitor();
    const seen: MonitorEntry[] = [];
    const reading = (async () => {
      for await (const entry of monitor) {
        seen.push(entry);
        if (entry.args[0] === "ECHO" && entry.args[1] === "done") break; // break closes the monitor
      }
    })();
    await other.set("mon:key", 'quote " and \\ backslash');
    await other.eval("return redis.call('GET', KEYS[1])", ["mon:key"]);
    await viaSocket.get("mon:unix");
    await other.echo("done");
    await reading;
    const set = seen.find((e) => e.args[0] === "SET")!;
    assert.deepEqual(set.args, ["SET", "mon:key", 'quote " and \\ backslash']);
    assert.equal(set.db, 3);
    assert.equal(set.clientType, "tcp");
    assert.equal(set.clientAddress, "127.0.0.1");
    assert.match(set.clientPort, /^\d+$/);
    assert.ok(Math.abs(set.time - Date.now() / 1000) < 60, "time is the command's Unix time");
    const fromLua = seen.find((e) => e.clientType === "lua")!;
    assert.deepEqual(fromLua.args, ["GET", "mon:key"]);
    const fromUnix = seen.find((e) => e.clientType === "unix" && e.args[0] === "GET")!;
    assert.deepEqual(fromUnix.args, ["GET", "mon:unix"]);
    // Stopped: the monitor's connection is gone, the iterator is done.
    assert.deepEqual(await monitor.next(), { value: undefined, done: true });
  });
}

test("parseMonitorLine: escapes, lua and unix clients", () => {
  assert.deepEqual(parseMonitorLine('1700000000.123456 [0 10.0.0.1:6000] "SET" "a\\x00b" "line\\nbreak"'), {
    time: 1700000000.123456,
    db: 0,
    clientAddress: "10.0.0.1",
    clientPort: "6000",
    clientType: "tcp",
    command: "SET a\x00b line\nbreak",
    args: ["SET", "a\x00b", "line\nbreak"],
  });
  assert.equal(parseMonitorLine('1 [5 lua] "GET" "k"').clientType, "lua");
  assert.deepEqual(parseMonitorLine('1 [0 unix:/tmp/r.sock] "PING"').clientPort, "/tmp/r.sock");
  assert.throws(() => parseMonitorLine("OK"), /Unexpected MONITOR line/);
});
