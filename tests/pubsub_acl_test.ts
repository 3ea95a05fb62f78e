// Subscriptions the server refuses (an ACL user without the channel permission: Redis 7's default
// `acl-pubsub-default resetchannels`): the call rejects with the server's NoPermissionError instead of
// waiting forever, nothing is recorded for the refused names, the connection keeps serving the other
// subscriptions, and a reconnect does not send the refused names again (which would get the whole
// re-subscription refused). RESP2 and RESP3, a standalone server and a cluster.
//
// Each step is guarded by a deadline that FAILS the test: before the fix, the refused subscribe hung.

import { test } from "node:test";
import assert from "node:assert/strict";
import { NoPermissionError, type PubSub, type PubSubMessage, Redis, RedisCluster } from "../mod.ts";
import { startCluster, startRedis } from "./harness/mod.ts";
import { waitFor } from "./support/async.ts";

const PROTOCOLS = [2, 3] as const;
/** May touch channels (and patterns spelled) `a*` only; everything else is refused. */
const USER = "sub on nopass ~* +@all resetchannels &a*";
/** As USER, but may not run UNSUBSCRIBE. */
const NO_UNSUB_USER = "nounsub on nopass ~* +@all -unsubscribe resetchannels &a*";

/** As USER, but may not run PING. */
const NO_PING_USER = "noping on nopass ~* +@all -ping resetchannels &a*";

/** `promise`, or a rejection when it has not settled within `ms`: a hang fails the test. */
function guarded<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: never settled (hung)`)), ms);
  });
  return Promise.race([promise, hung]).finally(() => clearTimeout(timer));
}

/** Asserts that `promise` rejects with a NoPermissionError (not a hang). */
async function refused(promise: Promise<unknown>, what: string): Promise<void> {
  await assert.rejects(guarded(promise, what), (e: Error) => {
    assert.ok(e instanceof NoPermissionError, `${what}: ${e.name}: ${e.message}`);
    assert.equal((e as NoPermissionError).code, "NOPERM");
    return true;
  });
}

/** The next message that is not a (un)subscribe confirmation, within `ms`. */
async function nextMessage(p: PubSub, ms = 5_000): Promise<PubSubMessage | null> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const m = await p.getMessage({ timeout: Math.max(1, deadline - Date.now()) });
    if (m !== null && (m.type === "message" || m.type === "pmessage" || m.type === "smessage")) return m;
  }
  return null;
}

test("standalone: refused subscribe/psubscribe/ssubscribe reject with NOPERM, record nothing; the connection stays usable; a reconnect does not resend them (RESP2, RESP3)", async () => {
  const server = await startRedis({ aclUsers: [USER] });
  const admin = new Redis({ host: server.host, port: server.port });
  try {
    for (const protocol of PROTOCOLS) {
      const R = `RESP${protocol}`;
      await using r = new Redis({ host: server.host, port: server.port, protocol, username: "sub" });
      await using p = r.pubsub({ ignoreSubscribeMessages: true });

      // Refused before anything was subscribed (the connection is not yet in subscribed mode).
      await refused(p.subscribe("b:first"), `${R} subscribe(b:first)`);
      assert.deepEqual(p.channels, [], R);
      assert.equal(p.subscribed, false, R);

      await guarded(p.subscribe("a:ok"), `${R} subscribe(a:ok)`);
      // One refused name refuses the whole command: neither is subscribed.
      await refused(p.subscribe("a:also", "b:no"), `${R} subscribe(a:also, b:no)`);
      await refused(p.psubscribe("b*"), `${R} psubscribe(b*)`);
      await refused(p.ssubscribe("b:shard"), `${R} ssubscribe(b:shard)`);
      assert.deepEqual(p.channels, ["a:ok"], R);
      assert.deepEqual(p.patterns, [], R);
      assert.deepEqual(p.shardChannels, [], R);
      assert.equal(p.subscribed, true, R);
      assert.deepEqual(await admin.pubsubNumsub("a:ok", "a:also"), [["a:ok", 1], ["a:also", 0]], R);

      // Still usable: more subscriptions, and messages flow.
      await guarded(p.subscribe("a:more"), `${R} subscribe(a:more)`);
      await admin.publish("a:ok", "one");
      const m = await nextMessage(p);
      assert.deepEqual(m && [m.channel, m.data], ["a:ok", "one"], R);

      // A reconnect re-subscribes the accepted names only (with the refused ones, the server would
      // refuse the whole re-subscription and a:ok would stay lost).
      const killed = await admin.sendCommand("CLIENT", "KILL", "USER", "sub");
      assert.ok(Number(killed) >= 1, R);
      const back = await waitFor(async () => {
        const counts = await admin.pubsubNumsub("a:ok", "a:more");
        return counts.every(([, n]) => Number(n) === 1);
      }, 10_000);
      assert.ok(back, `${R}: a:ok and a:more subscribed again after the reconnect`);
      await admin.publish("a:more", "two");
      const m2 = await nextMessage(p);
      assert.deepEqual(m2 && [m2.channel, m2.data], ["a:more", "two"], R);
      assert.deepEqual(p.channels.sort(), ["a:more", "a:ok"], R);
    }
  } finally {
    await admin.close();
    await server.stop();
  }
});

test("standalone: a refused unsubscribe rejects with NOPERM instead of hanging (RESP2, RESP3)", async () => {
  const server = await startRedis({ aclUsers: [NO_UNSUB_USER] });
  try {
    for (const protocol of PROTOCOLS) {
      const R = `RESP${protocol}`;
      await using r = new Redis({ host: server.host, port: server.port, protocol, username: "nounsub" });
      await using p = r.pubsub({ ignoreSubscribeMessages: true });
      await guarded(p.subscribe("a:x"), `${R} subscribe(a:x)`);
      await refused(p.unsubscribe("a:x"), `${R} unsubscribe(a:x)`);
      // The connection still answers: a further subscribe is confirmed.
      await guarded(p.subscribe("a:y"), `${R} subscribe(a:y)`);
      assert.ok(p.channels.some((c) => c === "a:y"), R);
    }
  } finally {
    await server.stop();
  }
});

test("standalone: concurrent calls each get their own answer: a refusal goes to the refused call, not to a PING or another subscribe sent around it (RESP2, RESP3)", async () => {
  const server = await startRedis({ aclUsers: [USER, NO_PING_USER] });
  try {
    for (const protocol of PROTOCOLS) {
      const R = `RESP${protocol}`;
      await using r = new Redis({ host: server.host, port: server.port, protocol, username: "sub" });
      await using p = r.pubsub();
      await guarded(p.subscribe("a:first"), `${R} subscribe(a:first)`);
      // Sent back to back, answered in order: pong, NOPERM, confirmation, NOPERM, confirmation.
      const ping = p.ping("hello");
      const calls = [
        p.subscribe("b:1"),
        p.subscribe("a:2"),
        p.psubscribe("b:*"),
        p.psubscribe("a*"), // a pattern must be one the user was given, literally
      ].map((c) => guarded(c, `${R} concurrent`).then(() => "ok", (e) => (e as Error).name));
      await ping;
      assert.deepEqual(await Promise.all(calls), ["NoPermissionError", "ok", "NoPermissionError", "ok"], R);
      assert.deepEqual(p.channels.sort(), ["a:2", "a:first"], R);
      assert.deepEqual(p.patterns, ["a*"], R);
      const messages: string[] = [];
      for (let m = await p.getMessage(); m !== null; m = await p.getMessage()) {
        messages.push(`${m.type}:${m.type === "pong" ? m.data : m.pattern ?? m.channel}`);
      }
      assert.deepEqual(messages, ["subscribe:a:first", "pong:hello", "subscribe:a:2", "psubscribe:a*"], R);
    }
    // A health-check PING the user may not run: refused at once, not taken for a dead connection.
    for (const protocol of PROTOCOLS) {
      const R = `RESP${protocol}`;
      await using r = new Redis({ host: server.host, port: server.port, protocol, username: "noping" });
      await using p = r.pubsub();
      await guarded(p.subscribe("a:h"), `${R} subscribe(a:h)`);
      const connection = p.connection;
      await refused(p.checkHealth(), `${R} checkHealth()`);
      assert.equal(p.connection, connection, `${R}: the connection was kept`);
      await guarded(p.subscribe("a:h2"), `${R} subscribe(a:h2) after the refused PING`);
    }
  } finally {
    await server.stop();
  }
});

test("cluster: refused subscribe and ssubscribe reject with NOPERM and record nothing; accepted ones work (RESP2, RESP3)", async () => {
  const cluster = await startCluster({ replicas: 0, config: [`user ${USER}`] });
  try {
    for (const protocol of PROTOCOLS) {
      const R = `RESP${protocol}`;
      await using rc = new RedisCluster({ startupNodes: cluster.seeds, protocol, username: "sub" });
      await using p = rc.pubsub({ ignoreSubscribeMessages: true });
      await refused(p.subscribe("b:c"), `${R} subscribe(b:c)`);
      await refused(p.ssubscribe("b:s"), `${R} ssubscribe(b:s)`);
      assert.deepEqual(p.channels, [], R);
      assert.deepEqual(p.shardChannels, [], R);
      await guarded(p.ssubscribe("a:s"), `${R} ssubscribe(a:s)`);
      await guarded(p.subscribe("a:c"), `${R} subscribe(a:c)`);
      await rc.spublish("a:s", "s1");
      const m = await nextMessage(p);
      assert.deepEqual(m && [m.type, m.channel, m.data], ["smessage", "a:s", "s1"], R);
      await rc.publish("a:c", "c1");
      const m2 = await nextMessage(p);
      assert.deepEqual(m2 && [m2.type, m2.channel, m2.data], ["message", "a:c", "c1"], R);
      assert.deepEqual(p.shardChannels, ["a:s"], R);
      assert.deepEqual(p.channels, ["a:c"], R);
    }
  } finally {
    await cluster.stop();
  }
});
