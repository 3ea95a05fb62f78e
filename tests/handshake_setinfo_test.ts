// CLIENT SETINFO in the handshake: a server that refuses it (Redis before
// 7.2) is sent it once, and later connections to its address leave it out; a
// server that has it gets the library name on every connection, including the
// first one after another server took over a remembered address. Evidence is
// taken on the server: INFO errorstats, INFO commandstats, CLIENT INFO.

import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { Command, Connection, getDefaultConnector, Redis } from "../mod.ts";
import { binaryInfo, hasFeature, type RedisServer, serverWith, startRedis } from "./harness/mod.ts";

const DEFAULT_BINARY = process.env.UNIREDIS_REDIS_SERVER || "redis-server";
const defaultInfo = await binaryInfo(DEFAULT_BINARY);
const withSetinfo = await serverWith("client-setinfo");
const refuses = hasFeature(defaultInfo, "client-setinfo")
  ? `${DEFAULT_BINARY} has CLIENT SETINFO (needs a server before Redis 7.2)`
  : false;

/** Error replies the server has sent (INFO errorstats `ERR` count). */
async function errReplies(server: RedisServer): Promise<number> {
  const text = String(await server.command("INFO", "errorstats"));
  return Number(/errorstat_ERR:count=(\d+)/.exec(text)?.[1] ?? 0);
}

/** Calls of `command` from INFO commandstats. */
async function calls(server: RedisServer, command: string): Promise<number> {
  const text = String(await server.command("INFO", "commandstats"));
  return Number(new RegExp(`cmdstat_${command.replace("|", "\\|")}:calls=(\\d+)`).exec(text)?.[1] ?? 0);
}

/** Opens a client, runs one command so the handshake is done, and closes it. */
async function connectOnce(port: number, protocol: 2 | 3, db = 0): Promise<void> {
  await using r = new Redis({ port, protocol, db });
  assert.equal(await r.ping(), true);
}

// RESP2 with a database: SELECT keeps the handshake a round trip without CLIENT SETINFO.
for (const [protocol, db] of [[3, 0], [2, 1]] as const) {
  test(`RESP${protocol}: a server without CLIENT SETINFO is sent it by the first connection only`, {
    skip: refuses,
  }, async () => {
    await using server = await startRedis();
    const pings = await calls(server, "ping");
    await connectOnce(server.port, protocol, db);
    // LIB-NAME and LIB-VER, both refused.
    assert.equal(await errReplies(server), 2);
    for (let i = 0; i < 3; i++) await connectOnce(server.port, protocol, db);
    assert.equal(await errReplies(server), 2, "later connections sent no CLIENT SETINFO");
    assert.equal(await calls(server, "ping") - pings, 4, "four connections were made");
  });
}

test("RESP2 with nothing else to send keeps CLIENT SETINFO: a handshake is never empty", {
  skip: refuses,
}, async () => {
  // Its round trip is what proves a new connection's server answers (within socketConnectTimeout).
  await using server = await startRedis();
  for (let i = 1; i <= 3; i++) {
    await connectOnce(server.port, 2);
    assert.equal(await errReplies(server), 2 * i, "every connection sent both CLIENT SETINFO");
  }
});

test("a server with CLIENT SETINFO gets the library name on every connection", {
  skip: withSetinfo.skip,
}, async () => {
  await using server = await startRedis({ binary: withSetinfo.binary });
  for (let i = 0; i < 3; i++) {
    await using r = new Redis({ port: server.port });
    assert.equal((await r.clientInfo())["lib-name"], "uniredis");
  }
  assert.equal(await calls(server, "client|setinfo"), 6);
  assert.equal(await errReplies(server), 0);
});

test("another server at a remembered address is sent CLIENT SETINFO on its first connection", {
  skip: refuses || withSetinfo.skip,
}, async () => {
  const old = await startRedis();
  const port = old.port;
  await connectOnce(port, 3);
  assert.equal(await errReplies(old), 2);
  await old.stop();
  // Same address, a server that has the command (an upgrade in place).
  await using upgraded = await startRedis({ binary: withSetinfo.binary, port });
  await using r = new Redis({ port });
  assert.equal((await r.clientInfo())["lib-name"], "uniredis");
  await using again = new Redis({ port });
  assert.equal((await again.clientInfo())["lib-name"], "uniredis");
  assert.equal(await calls(upgraded, "client|setinfo"), 4);
});

test("a connection without libName sends no CLIENT SETINFO", async () => {
  await using server = await startRedis();
  const conn = new Connection({ connector: getDefaultConnector(), host: server.host, port: server.port });
  await conn.connect();
  assert.equal(await conn.send(new Command("PING")), "PONG");
  await conn.close();
  assert.equal(await errReplies(server), 0);
  assert.equal(await calls(server, "client|setinfo"), 0);
});
