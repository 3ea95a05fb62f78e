// TCP keepalive is on by default, so a peer that vanished without a word is
// eventually noticed even with no socketTimeout. Checked on the kernel's side:
// Linux lists an armed keepalive timer (`tr` 2) and its countdown for each
// socket in /proc/net/tcp.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { type Connector, getDefaultConnector, Redis, type RedisOptions } from "../mod.ts";
import { nodeConnector } from "../transports/node.ts";
import { sharedRedis } from "./harness/mod.ts";
import { sleep } from "./support/async.ts";

const skip = existsSync("/proc/net/tcp") ? false : "needs Linux's /proc/net/tcp";
const onDeno = "Deno" in globalThis;

const CONNECTORS: [string, () => Connector, boolean][] = [
  // Deno's own sockets can turn keepalive on but not set its delay (the OS's is used).
  ["the runtime's connector", () => getDefaultConnector(), !onDeno],
  ["nodeConnector", () => nodeConnector, true],
];

/** The kernel's timer on the client socket of `r`: its kind (0 none, 2 keepalive) and seconds left. */
async function socketTimer(r: Redis): Promise<{ kind: number; seconds: number }> {
  const info = String(await r.sendCommand("CLIENT", "INFO"));
  const port = Number(/\baddr=127\.0\.0\.1:(\d+)/.exec(info)?.[1]);
  const serverPort = Number(/\bladdr=127\.0\.0\.1:(\d+)/.exec(info)?.[1]);
  assert.ok(port > 0 && serverPort > 0, info);
  const hex = (n: number) => `0100007F:${n.toString(16).toUpperCase().padStart(4, "0")}`;
  // The full pair: other processes may use the same local port towards other servers.
  const local = hex(port);
  const remote = hex(serverPort);
  const line = readFileSync("/proc/net/tcp", "utf8").split("\n").find((l) => {
    const fields = l.trim().split(/\s+/);
    return fields[1] === local && fields[2] === remote && fields[3] === "01"; // established, not in TIME_WAIT
  });
  assert.ok(line, `no socket ${local} in /proc/net/tcp`);
  const [kind, when] = line.trim().split(/\s+/)[5].split(":");
  return { kind: parseInt(kind, 16), seconds: parseInt(when, 16) / 100 }; // clock ticks (USER_HZ 100)
}

async function timerOf(options: RedisOptions<true>) {
  const server = await sharedRedis("plain");
  await using r = new Redis({ host: "127.0.0.1", port: server.port, ...options });
  let timer = await socketTimer(r);
  // Bytes not acknowledged yet show the retransmit timer (1) instead: wait for an idle socket.
  for (let i = 0; i < 20 && timer.kind !== 0 && timer.kind !== 2; i++) {
    await sleep(50);
    timer = await socketTimer(r);
  }
  return timer;
}

for (const [name, connector, setsDelay] of CONNECTORS) {
  test(`${name}: TCP keepalive is on by default, after 30 s idle`, { skip }, async () => {
    const timer = await timerOf({ connector: connector() });
    assert.equal(timer.kind, 2, `a keepalive timer is armed on the socket (timer ${timer.kind})`);
    if (setsDelay) assert.ok(timer.seconds <= 30, `first probe in ${timer.seconds} s`);
  });

  test(`${name}: socketKeepalive sets the delay; false turns keepalive off`, { skip }, async () => {
    const custom = await timerOf({ connector: connector(), socketKeepalive: 5_000 });
    assert.equal(custom.kind, 2, `a keepalive timer (timer ${custom.kind})`);
    if (setsDelay) assert.ok(custom.seconds <= 5, `first probe in ${custom.seconds} s`);
    const off = await timerOf({ connector: connector(), socketKeepalive: false });
    assert.equal(off.kind, 0, `no timer when keepalive is off (timer ${off.kind})`);
  });
}
