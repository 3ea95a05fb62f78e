// PubSub against real servers, under RESP2 and RESP3: 10,000 messages over channels and patterns with
// nothing lost, duplicated or reordered; handlers and ignored confirmations; the run() worker and its
// error handling; re-subscription after CLIENT KILL; shard channels; unsubscribing from everything; binary
// channels and payloads; raw RESP3 pushes (pubsub and client tracking); health checks that find a silently
// dropped subscriber; close() and `await using`; bad arguments.
//
// Every test uses channel names of its own (`ps:<test>:<protocol>:...`). Tests that kill connections or drop
// them through a proxy run on a private server, so they never disturb other subscribers.

import { test } from "node:test";
import assert from "node:assert/strict";
import { DataError, type PubSub, PubSubError, type PubSubMessage, Redis, type RespValue } from "../mod.ts";
import { sharedRedis, startProxy, startRedis } from "./harness/mod.ts";
import { outcome, sleep, waitFor } from "./support/async.ts";

const PROTOCOLS = [2, 3] as const;

async function plainClient<D extends boolean = true>(
  options: ConstructorParameters<typeof Redis<D>>[0] = {},
): Promise<Redis<D>> {
  const server = await sharedRedis("plain");
  return new Redis<D>({ host: server.host, port: server.port, ...options });
}

/** Reads with getMessage until `count` messages (nulls not counted) arrived or `ms` passed. */
async function collect<D extends boolean>(
  p: PubSub<D>,
  count: number,
  ms = 3000,
): Promise<PubSubMessage<D>[]> {
  const out: PubSubMessage<D>[] = [];
  const deadline = Date.now() + ms;
  while (out.length < count && Date.now() < deadline) {
    const m = await p.getMessage({ timeout: Math.max(1, deadline - Date.now()) });
    if (m !== null) out.push(m);
  }
  return out;
}

/** Subscriber counts of `channels` (PUBSUB NUMSUB), in order. */
async function numsub(r: Redis, ...channels: string[]): Promise<number[]> {
  return (await r.pubsubNumsub(...channels)).map(([, n]) => n);
}

for (const protocol of PROTOCOLS) {
  const R = `RESP${protocol}`;

  test(`${R}: 3 channels and 2 patterns receive exactly the 10,000 published messages, in order`, async () => {
    await using pub = await plainClient({ protocol });
    await using sub = await plainClient({ protocol });
    await using p = sub.pubsub({ ignoreSubscribeMessages: true });
    const pre = `ps:order:${protocol}:`;
    const channels = [`${pre}a.1`, `${pre}a.2`, `${pre}b.1`];
    const patterns = [`${pre}a.*`, `${pre}*.1`];
    // Which patterns match which channel, and so how many receivers each PUBLISH reaches.
    const matching: Record<string, string[]> = {
      [channels[0]]: [patterns[0], patterns[1]],
      [channels[1]]: [patterns[0]],
      [channels[2]]: [patterns[1]],
    };
    await p.subscribe(...channels);
    await p.psubscribe(...patterns);
    assert.deepEqual(p.channels, channels);
    assert.deepEqual(p.patterns, patterns);

    const N = 10_000;
    const sent = Array.from({ length: N }, (_, i) => ({ channel: channels[i % 3], data: `m${i}` }));
    const expectedMessages = new Map(
      channels.map((c) => [c, sent.filter((s) => s.channel === c).map((s) => s.data)]),
    );
    const expectedPmessages = new Map(
      patterns.map((
        pat,
      ) => [pat, sent.filter((s) => matching[s.channel].includes(pat)).map((s) => `${s.channel}|${s.data}`)]),
    );
    const total = N + [...expectedPmessages.values()].reduce((n, l) => n + l.length, 0);

    const gotMessages = new Map<string, string[]>(channels.map((c) => [c, []]));
    const gotPmessages = new Map<string, string[]>(patterns.map((pat) => [pat, []]));
    const other: PubSubMessage[] = [];
    // The subscriber reads while the messages are published.
    const reading = outcome((async () => {
      let n = 0;
      const deadline = Date.now() + 30_000;
      while (n < total && Date.now() < deadline) {
        const m = await p.getMessage({ timeout: 1000 });
        if (m === null) continue;
        n++;
        if (m.type === "message" && gotMessages.has(m.channel as string)) {
          gotMessages.get(m.channel as string)!.push(m.data as string);
        } else if (m.type === "pmessage" && gotPmessages.has(m.pattern as string)) {
          gotPmessages.get(m.pattern as string)!.push(`${m.channel}|${m.data}`);
        } else other.push(m);
      }
      return n;
    })());

    const receivers: number[] = [];
    for (let i = 0; i < N; i += 500) {
      receivers.push(...await Promise.all(sent.slice(i, i + 500).map((s) => pub.publish(s.channel, s.data))));
    }
    assert.equal(await reading, total, "every message arrived");
    assert.deepEqual(other, [], "nothing else arrived");
    for (const c of channels) {
      assert.deepEqual(gotMessages.get(c), expectedMessages.get(c), `messages of ${c}`);
    }
    for (const pat of patterns) {
      assert.deepEqual(gotPmessages.get(pat), expectedPmessages.get(pat), `pmessages of ${pat}`);
    }
    assert.deepEqual(receivers, sent.map((s) => 1 + matching[s.channel].length), "receivers of each PUBLISH");
    assert.equal(await p.getMessage({ timeout: 100 }), null, "no duplicate afterwards");
  });

  test(`${R}: handlers take their channel's messages; confirmations returned or ignored`, async () => {
    await using pub = await plainClient({ protocol });
    await using sub = await plainClient({ protocol });
    const pre = `ps:handlers:${protocol}:`;
    const handled: PubSubMessage[] = [];
    {
      await using p = sub.pubsub();
      await p.subscribe({ [`${pre}h`]: (m) => void handled.push(m) }, `${pre}plain`);
      await p.psubscribe({ [`${pre}p.*`]: (m) => void handled.push(m) });
      // Without ignoreSubscribeMessages, confirmations come back with the subscription count as data.
      assert.deepEqual(await p.getMessage(), {
        type: "subscribe",
        pattern: null,
        channel: `${pre}h`,
        data: 1,
      });
      // The per-call override suppresses one.
      assert.equal(await p.getMessage({ ignoreSubscribeMessages: true }), null);
      assert.deepEqual(await p.getMessage(), {
        type: "psubscribe",
        pattern: `${pre}p.*`,
        channel: null,
        data: 3,
      });
      assert.equal(await p.getMessage(), null, "nothing more has arrived");

      assert.equal(await pub.publish(`${pre}h`, "to-handler"), 1);
      assert.equal(await pub.publish(`${pre}plain`, "to-caller"), 1);
      assert.equal(await pub.publish(`${pre}p.x`, "to-pattern-handler"), 1);
      assert.equal(await p.getMessage({ timeout: 2000 }), null, "the handler's message is not returned");
      assert.deepEqual(handled, [{ type: "message", pattern: null, channel: `${pre}h`, data: "to-handler" }]);
      assert.deepEqual(await p.getMessage({ timeout: 2000 }), {
        type: "message",
        pattern: null,
        channel: `${pre}plain`,
        data: "to-caller",
      });
      assert.equal(await p.getMessage({ timeout: 2000 }), null);
      assert.deepEqual(handled[1], {
        type: "pmessage",
        pattern: `${pre}p.*`,
        channel: `${pre}p.x`,
        data: "to-pattern-handler",
      });
      assert.equal(handled.length, 2);

      // Unsubscribe confirmations count down.
      await p.unsubscribe(`${pre}plain`);
      assert.deepEqual(await p.getMessage({ timeout: 1000 }), {
        type: "unsubscribe",
        pattern: null,
        channel: `${pre}plain`,
        data: 2,
      });
    }
    {
      // ignoreSubscribeMessages on the pubsub, overridden per call.
      await using p = sub.pubsub({ ignoreSubscribeMessages: true });
      await p.subscribe(`${pre}a`);
      assert.deepEqual(await p.getMessage({ ignoreSubscribeMessages: false }), {
        type: "subscribe",
        pattern: null,
        channel: `${pre}a`,
        data: 1,
      });
      await p.subscribe(`${pre}b`);
      assert.equal(await pub.publish(`${pre}b`, "hello"), 1);
      const got = await collect(p, 1);
      assert.deepEqual(got, [{ type: "message", pattern: null, channel: `${pre}b`, data: "hello" }]);
      await p.unsubscribe();
      assert.equal(await p.getMessage({ timeout: 200 }), null, "unsubscribe confirmations ignored too");
    }
  });

  test(`${R}: run() needs handlers, runs them in the background, and handles their errors`, async () => {
    await using pub = await plainClient({ protocol });
    await using sub = await plainClient({ protocol });
    await using p = sub.pubsub();
    const pre = `ps:run:${protocol}:`;

    await p.subscribe(`${pre}nohandler`);
    assert.throws(() => p.run(), PubSubError, "a channel without handler");
    await p.unsubscribe(`${pre}nohandler`);
    await p.psubscribe(`${pre}nohandler.*`);
    assert.throws(() => p.run(), PubSubError, "a pattern without handler");
    await p.punsubscribe();

    const seen: string[] = [];
    await p.subscribe({
      [`${pre}c`]: (m) => {
        if (m.data === "boom") throw new Error("boom");
        seen.push(`c:${m.data}`);
      },
    });
    await p.psubscribe({
      [`${pre}p.*`]: async (m) => {
        await sleep(1);
        if (m.data === "reject") throw new Error("rejected");
        seen.push(`p:${m.channel}:${m.data}`);
      },
    });
    const errors: unknown[] = [];
    let handlerArgs: [unknown, unknown] | undefined;
    const worker = p.run({
      sleepTime: 50,
      exceptionHandler: (error, ps, w) => {
        errors.push(error);
        handlerArgs = [ps, w];
      },
    });
    assert.equal(worker.running, true);
    assert.throws(() => p.run(), PubSubError, "one worker at a time");

    assert.equal(await pub.publish(`${pre}c`, "1"), 1);
    assert.equal(await pub.publish(`${pre}p.x`, "2"), 1);
    assert.equal(await pub.publish(`${pre}c`, "boom"), 1);
    assert.equal(await pub.publish(`${pre}p.x`, "reject"), 1);
    assert.equal(await pub.publish(`${pre}c`, "3"), 1);
    assert.ok(await waitFor(() => seen.length === 3), `handled: ${seen}`);
    assert.deepEqual(seen, ["c:1", `p:${pre}p.x:2`, "c:3"]);
    assert.deepEqual(errors.map((e) => (e as Error).message), ["boom", "rejected"]);
    assert.equal(handlerArgs?.[0], p);
    assert.equal(handlerArgs?.[1], worker);
    assert.equal(worker.running, true, "the worker went on after the errors");

    await worker.stop();
    assert.equal(worker.running, false);
    assert.equal(await outcome(worker.done), undefined, "done resolves after stop()");

    // Without an exceptionHandler, a handler's error stops the worker and rejects `done`.
    const w2 = p.run({ sleepTime: 50 });
    assert.equal(w2.running, true);
    assert.equal(await pub.publish(`${pre}c`, "boom"), 1);
    const failed = await outcome(w2.done);
    assert.ok(failed instanceof Error && failed.message === "boom", String(failed));
    assert.equal(w2.running, false);
    await w2.stop(); // harmless once ended

    // `await using` stops a worker too.
    {
      await using w3 = p.run({ sleepTime: 50 });
      assert.equal(await pub.publish(`${pre}c`, "4"), 1);
      assert.ok(await waitFor(() => seen.length === 4));
      assert.equal(w3.running, true);
    }
    assert.equal(seen[3], "c:4");
  });

  test(`${R}: after CLIENT KILL the subscriber reconnects and subscribes to everything again`, async () => {
    const server = await startRedis();
    try {
      await using admin = new Redis({ port: server.port });
      await using sub = new Redis({ port: server.port, protocol, clientName: `ps-resub-${protocol}` });
      await using p = sub.pubsub({ ignoreSubscribeMessages: true });
      const pre = `ps:resub:${protocol}:`;
      const [c1, c2, s1] = [`${pre}c1`, `${pre}c2`, `${pre}s1`];
      await p.subscribe(c1, c2);
      await p.psubscribe(`${pre}p.*`);
      await p.ssubscribe(s1);
      assert.deepEqual(await numsub(admin, c1, c2), [1, 1]);
      const before = p.connection;
      const oldIds = (await admin.clientList()).filter((c) => c.name === `ps-resub-${protocol}`).map((c) =>
        c.id
      );
      assert.equal(oldIds.length, 1);

      assert.equal(await admin.clientKillFilter({ type: "pubsub" }), 1, "the subscriber is of type pubsub");
      // Published while disconnected: may be lost (not asserted either way).
      await admin.publish(c1, "meanwhile");

      const back = await waitFor(async () => {
        if (p.connection === before || !p.connection?.ready) return false;
        const [n1, n2] = await numsub(admin, c1, c2);
        const [[, ns]] = await admin.pubsubShardnumsub(s1);
        return n1 === 1 && n2 === 1 && ns === 1 && await admin.pubsubNumpat() === 1;
      });
      assert.ok(back, "subscribed again within 3 s");
      const newIds = (await admin.clientList()).filter((c) => c.name === `ps-resub-${protocol}`).map((c) =>
        c.id
      );
      assert.equal(newIds.length, 1);
      assert.notEqual(newIds[0], oldIds[0], "on a new connection");
      assert.equal(p.subscribed, true);

      assert.equal(await admin.publish(c1, "after-1"), 1);
      assert.equal(await admin.publish(c2, "after-2"), 1);
      assert.equal(await admin.publish(`${pre}p.x`, "after-3"), 1);
      assert.equal(await admin.spublish(s1, "after-4"), 1);
      const got: PubSubMessage[] = [];
      const deadline = Date.now() + 3000;
      while (got.length < 4 && Date.now() < deadline) {
        const m = await p.getMessage({ timeout: 500 });
        if (m !== null && String(m.data).startsWith("after")) got.push(m);
      }
      assert.deepEqual(got, [
        { type: "message", pattern: null, channel: c1, data: "after-1" },
        { type: "message", pattern: null, channel: c2, data: "after-2" },
        { type: "pmessage", pattern: `${pre}p.*`, channel: `${pre}p.x`, data: "after-3" },
        { type: "smessage", pattern: null, channel: s1, data: "after-4" },
      ]);
    } finally {
      await server.stop();
    }
  });

  test(`${R}: shard channels on a standalone server`, async () => {
    await using pub = await plainClient({ protocol });
    await using sub = await plainClient({ protocol });
    await using p = sub.pubsub();
    const pre = `ps:shard:${protocol}:`;
    const [s1, s2] = [`${pre}s1`, `${pre}s2`];
    await p.ssubscribe(s1, { [s2]: () => {} });
    assert.deepEqual(p.shardChannels, [s1, s2]);
    assert.deepEqual(await p.getShardedMessage(), {
      type: "ssubscribe",
      pattern: null,
      channel: s1,
      data: 1,
    });
    assert.deepEqual(await p.getShardedMessage(), {
      type: "ssubscribe",
      pattern: null,
      channel: s2,
      data: 2,
    });

    assert.equal(await pub.spublish(s1, "sharded"), 1);
    assert.deepEqual(await p.getShardedMessage({ timeout: 2000 }), {
      type: "smessage",
      pattern: null,
      channel: s1,
      data: "sharded",
    });
    assert.deepEqual((await pub.pubsubShardchannels(`${pre}*`)).sort(), [s1, s2]);
    assert.deepEqual(await pub.pubsubShardnumsub(s1, s2), [[s1, 1], [s2, 1]]);
    assert.deepEqual(await pub.pubsubNumsub(s1), [[s1, 0]], "not an ordinary channel");

    await p.sunsubscribe();
    assert.deepEqual(p.shardChannels, []);
    assert.equal(p.subscribed, true, "until the confirmations are read");
    assert.deepEqual(await pub.pubsubShardnumsub(s1, s2), [[s1, 0], [s2, 0]]);
    assert.deepEqual(await pub.pubsubShardchannels(`${pre}*`), []);
    const confirmations = await collect(p, 2, 1000);
    assert.deepEqual(
      confirmations.map((m) => [m.type, m.channel]).sort(),
      [["sunsubscribe", s1], ["sunsubscribe", s2]],
    );
    assert.deepEqual(confirmations.map((m) => m.data).sort(), [0, 1]);
    assert.equal(p.subscribed, false);
    assert.equal(await pub.spublish(s1, "nobody"), 0);
  });

  test(`${R}: unsubscribe() with no arguments unsubscribes everything and listen() ends`, async () => {
    await using pub = await plainClient({ protocol });
    await using sub = await plainClient({ protocol });
    await using p = sub.pubsub({ ignoreSubscribeMessages: true });
    const pre = `ps:unsub:${protocol}:`;
    const channels = [`${pre}a`, `${pre}b`, `${pre}c`];
    await p.subscribe(...channels);
    await p.psubscribe(`${pre}p.*`);
    assert.deepEqual(await numsub(pub, ...channels), [1, 1, 1]);

    const received: string[] = [];
    let ended = false;
    const loop = outcome((async () => {
      for await (const m of p) received.push(`${m.type}:${m.data}`);
      ended = true;
    })());

    assert.equal(await pub.publish(channels[1], "one"), 1);
    assert.ok(await waitFor(() => received.length === 1));
    await p.unsubscribe();
    assert.deepEqual(p.channels, []);
    assert.deepEqual(await numsub(pub, ...channels), [0, 0, 0]);
    assert.equal(await pub.publish(channels[0], "lost"), 0);
    // A pattern remains: the loop goes on.
    assert.equal(p.subscribed, true);
    assert.equal(await pub.publish(`${pre}p.x`, "two"), 1);
    assert.ok(await waitFor(() => received.length === 2));
    assert.equal(ended, false);

    await p.punsubscribe();
    // The loop reads the last confirmation (ignored), and only then is nothing subscribed.
    assert.ok(await waitFor(() => !p.subscribed, 2000));
    assert.ok(await waitFor(() => ended, 2000), "the for await loop ended after the last unsubscribe");
    assert.equal(await loop, undefined);
    assert.deepEqual(received, ["message:one", "pmessage:two"]);
  });

  test(`${R}: subscribed stays true until the last unsubscribe confirmation has been read`, async () => {
    await using sub = await plainClient({ protocol });
    const pre = `ps:subscribed:${protocol}:`;
    {
      await using p = sub.pubsub();
      assert.equal(p.subscribed, false);
      await p.subscribe(`${pre}a`, `${pre}b`);
      assert.equal(p.subscribed, true);
      await p.unsubscribe();
      assert.deepEqual(p.channels, []);
      assert.equal(p.subscribed, true, "true until the confirmations are read");
      // redis-py's idiom: the loop sees every confirmation, the last unsubscribe included.
      const seen: string[] = [];
      while (p.subscribed) {
        const m = await p.getMessage({ timeout: 1_000 });
        assert.notEqual(m, null, "a confirmation was left unread");
        seen.push(`${m!.type}:${m!.channel}:${m!.data}`);
      }
      // The server unsubscribes in an order of its own; the counts go down to 0 last.
      assert.deepEqual(seen.slice(0, 2), [`subscribe:${pre}a:1`, `subscribe:${pre}b:2`]);
      assert.deepEqual(seen.slice(2).map((m) => m.split(":").at(-1)), ["1", "0"]);
      assert.deepEqual(seen.slice(2).map((m) => m.replace(/:\d$/, "")).sort(), [
        `unsubscribe:${pre}a`,
        `unsubscribe:${pre}b`,
      ]);
      // Unsubscribing from one of two keeps it subscribed once read; nothing subscribed: no confirmation.
      await p.subscribe(`${pre}a`, `${pre}b`);
      await p.unsubscribe(`${pre}a`);
      while (await p.getMessage({ timeout: 100 }) !== null);
      assert.equal(p.subscribed, true);
      await p.unsubscribe();
      assert.equal(p.subscribed, true);
      assert.equal((await p.getMessage({ timeout: 1_000 }))?.type, "unsubscribe");
      assert.equal(p.subscribed, false);
      await p.unsubscribe();
      assert.equal(p.subscribed, false, "UNSUBSCRIBE with nothing subscribed does not flip it");
    }
    {
      // With ignoreSubscribeMessages the confirmation is consumed (null), and only that flips it.
      await using p = sub.pubsub({ ignoreSubscribeMessages: true });
      await p.psubscribe(`${pre}p*`);
      await p.punsubscribe();
      assert.equal(p.subscribed, true);
      assert.equal(await p.getMessage({ timeout: 100 }), null); // the psubscribe confirmation
      assert.equal(p.subscribed, true);
      assert.equal(await p.getMessage({ timeout: 1_000 }), null); // the punsubscribe confirmation
      assert.equal(p.subscribed, false);
      // listen() yields the final confirmation, then ends.
      await p.subscribe(`${pre}c`);
      await p.unsubscribe();
      const listened: string[] = [];
      const q = sub.pubsub();
      await q.subscribe(`${pre}d`);
      await q.unsubscribe();
      for await (const m of q.listen()) listened.push(m.type);
      assert.deepEqual(listened, ["subscribe", "unsubscribe"]);
      assert.equal(q.subscribed, false);
      await q.close();
    }
  });

  test(`${R}: ping() is answered by a pong message, subscribed or not, as redis-py`, async () => {
    await using sub = await plainClient({ protocol });
    const pre = `ps:ping:${protocol}:`;
    const pong = (data: string): PubSubMessage => ({ type: "pong", pattern: null, channel: null, data });
    {
      await using p = sub.pubsub({ ignoreSubscribeMessages: true });
      // Nothing subscribed yet: the plain PONG reply becomes a pong message with empty data.
      await p.ping();
      assert.deepEqual(await p.getMessage({ timeout: 1_000 }), pong(""));
      await p.ping("hello");
      assert.deepEqual(await p.getMessage({ timeout: 1_000 }), pong("hello"));
      // Subscribed: pongs are never ignored as confirmations are, and keep their order with messages.
      await p.subscribe(`${pre}a`);
      await p.ping("one");
      await sub.publish(`${pre}a`, "between");
      await p.ping();
      await p.checkHealth(); // its pong is not delivered
      const got = await collect(p, 3, 2_000);
      assert.deepEqual(got, [
        pong("one"),
        { type: "message", pattern: null, channel: `${pre}a`, data: "between" },
        pong(""),
      ]);
      assert.equal(await p.getMessage({ timeout: 50 }), null);
    }
    {
      await using raw = await plainClient({ protocol, decodeResponses: false });
      await using p = raw.pubsub();
      await p.ping("bytes");
      const m = await p.getMessage({ timeout: 1_000 });
      assert.equal(m?.type, "pong");
      assert.deepEqual(m?.data, new TextEncoder().encode("bytes"));
      await p.ping();
      assert.deepEqual((await p.getMessage({ timeout: 1_000 }))?.data, new Uint8Array(0));
    }
    const closed = sub.pubsub();
    await closed.close();
    await assert.rejects(closed.ping(), PubSubError);
    await assert.rejects(sub.pubsub().ping({} as unknown as string), DataError);
  });

  test(`${R}: binary channel names and payloads round-trip byte for byte`, async () => {
    await using pub = await plainClient({ protocol, decodeResponses: false });
    await using sub = await plainClient({ protocol, decodeResponses: false });
    await using p = sub.pubsub({ ignoreSubscribeMessages: true });
    const channel = new Uint8Array([
      0xff,
      0xfe,
      0x00,
      0x80,
      ...new TextEncoder().encode(`ps:bin:${protocol}`),
      0xc3,
    ]);
    const payload = new Uint8Array([
      ...Array.from({ length: 256 }, (_, i) => i),
      0xc3,
      0x28,
      0xed,
      0xa0,
      0x80,
    ]);
    await p.subscribe(channel);
    assert.equal(await pub.publish(channel, payload), 1);
    const [m] = await collect(p, 1);
    assert.ok(m !== undefined, "the message arrived");
    assert.equal(m.type, "message");
    assert.ok(m.channel instanceof Uint8Array && m.data instanceof Uint8Array);
    assert.deepEqual(m.channel, channel);
    assert.deepEqual(m.data, payload);
    assert.deepEqual((await pub.pubsubNumsub(channel))[0], [channel, 1]);

    // A handler registered by name takes the messages that arrive as bytes.
    const handled: PubSubMessage<false>[] = [];
    const named = `ps:bin:${protocol}:handled:é`;
    await p.subscribe({ [named]: (msg) => void handled.push(msg) });
    assert.equal(await pub.publish(named, payload), 1);
    // Its confirmation (ignored) and its message (handled): nothing is returned.
    assert.deepEqual(await collect(p, 1, 500), []);
    assert.equal(handled.length, 1);
    assert.deepEqual(handled[0].channel, new TextEncoder().encode(named));
    assert.deepEqual(handled[0].data, payload);

    await p.unsubscribe(channel);
    assert.deepEqual(p.channels, [named]);
    assert.deepEqual((await pub.pubsubNumsub(channel))[0], [channel, 0]);
  });

  test(`${R}: checkHealth() resolves on a healthy subscriber and delivers no pong`, async () => {
    await using pub = await plainClient({ protocol });
    await using sub = await plainClient({ protocol });
    await using p = sub.pubsub({ ignoreSubscribeMessages: true });
    const ch = `ps:health:${protocol}:c`;
    await p.checkHealth(); // nothing subscribed yet: nothing to check
    await p.subscribe(ch);
    await p.checkHealth();
    await p.checkHealth();
    assert.equal(await p.getMessage({ timeout: 200 }), null);
    assert.equal(await p.getMessage({ timeout: 200 }), null, "the health-check pong is not a message");
    assert.equal(await pub.publish(ch, "still here"), 1);
    assert.deepEqual(await collect(p, 1), [{
      type: "message",
      pattern: null,
      channel: ch,
      data: "still here",
    }]);
  });

  test(`${R}: a subscriber dropped silently is found by the health check and subscribes again`, async () => {
    const server = await startRedis();
    const proxy = await startProxy({ port: server.port });
    try {
      await using pub = new Redis({ port: server.port });
      await using sub = new Redis({
        host: proxy.host,
        port: proxy.port,
        protocol,
        healthCheckInterval: 100,
        socketTimeout: 300,
      });
      await using p = sub.pubsub({ ignoreSubscribeMessages: true });
      const ch = `ps:drop:${protocol}:c`;
      await p.subscribe(ch);
      assert.equal(await pub.publish(ch, "before"), 1);
      assert.deepEqual(await collect(p, 1), [{
        type: "message",
        pattern: null,
        channel: ch,
        data: "before",
      }]);

      await sleep(200); // idle past the interval
      proxy.dropSilently();
      const accepted = proxy.accepted.length;
      const started = Date.now();
      assert.equal(await p.getMessage(), null);
      const took = Date.now() - started;
      assert.ok(took >= 250, `the getMessage waited for the health check (${took} ms)`);

      // The dead connection still counts on the server (the proxy keeps it open): wait for the new one.
      const back = await waitFor(async () =>
        proxy.accepted.length > accepted && (await numsub(pub, ch))[0] >= 2 && p.connection?.ready === true
      );
      assert.ok(back, "reconnected and subscribed again");
      assert.equal(proxy.accepted.length, accepted + 1, "one new connection");
      assert.ok(await pub.publish(ch, "after") >= 1);
      assert.deepEqual(await collect(p, 1), [{ type: "message", pattern: null, channel: ch, data: "after" }]);
    } finally {
      await proxy.close();
      await server.stop();
    }
  });

  test(`${R}: close() ends pending reads and gives the connection up; await using closes`, async () => {
    const name = `ps-close-${protocol}`;
    await using admin = await plainClient();
    await using sub = await plainClient({ protocol, clientName: name });
    const subscribers = async () => (await admin.clientList()).filter((c) => c.name === name).length;
    const ch = `ps:close:${protocol}:c`;

    const p = sub.pubsub();
    await p.subscribe(ch);
    assert.equal((await p.getMessage())?.type, "subscribe");
    assert.equal(await subscribers(), 1);
    assert.deepEqual(await numsub(admin, ch), [1]);

    let settled = false;
    const pending = outcome(p.getMessage({ timeout: Infinity }).finally(() => settled = true));
    const received: unknown[] = [];
    const loop = outcome((async () => {
      for await (const m of p) received.push(m);
      return "ended";
    })());
    await sleep(100);
    assert.equal(settled, false, "getMessage waits");
    await p.close();
    assert.equal(await pending, null);
    assert.equal(await loop, "ended");
    assert.deepEqual(received, []);
    assert.equal(p.subscribed, false);
    assert.ok(await waitFor(async () => await subscribers() === 0), "the connection is gone");
    assert.deepEqual(await numsub(admin, ch), [0]);
    await p.close(); // idempotent
    assert.equal(await p.getMessage({ timeout: Infinity }), null);
    assert.ok(await outcome(p.subscribe(ch)) instanceof PubSubError);

    {
      await using q = sub.pubsub();
      await q.subscribe(ch);
      assert.equal(await subscribers(), 1);
      assert.deepEqual(await numsub(admin, ch), [1]);
    }
    assert.ok(await waitFor(async () => await subscribers() === 0), "await using closed it");
    assert.deepEqual(await numsub(admin, ch), [0]);
  });
}

test("RESP2: checkHealth() after unsubscribing from everything resolves and keeps the connection", async () => {
  // Unsubscribed, a RESP2 connection answers PING with a plain reply, not a ["pong", payload] message.
  await using sub = await plainClient({ protocol: 2, socketTimeout: 500 });
  await using p = sub.pubsub({ ignoreSubscribeMessages: true });
  await p.subscribe("ps:health-unsub:c");
  await p.unsubscribe();
  const connection = p.connection;
  assert.ok(connection?.ready);
  const result = await outcome(p.checkHealth());
  assert.equal(result, undefined, `checkHealth: ${result}`);
  assert.equal(connection.closed, false, "a healthy connection is not dropped");
});

test("a non-UTF-8 binary name and a string name are distinct subscriptions", async () => {
  await using pub = await plainClient();
  await using sub = await plainClient<false>({ decodeResponses: false });
  await using p = sub.pubsub({ ignoreSubscribeMessages: true });
  const binary = new Uint8Array([0xff, ...new TextEncoder().encode("ps:collide")]);
  // The text form of the binary name inside PubSub (a marker, then its bytes as Latin-1), as a string name.
  const lookalike = "\uffff\u00ffps:collide";
  const handled: unknown[] = [];
  await p.subscribe(binary);
  await p.subscribe({ [lookalike]: (m) => void handled.push(m) });
  assert.equal(p.channels.length, 2, "both subscriptions are remembered");
  // Asked by the binary client: the reply names a non-UTF-8 channel, which strict text decoding refuses.
  assert.deepEqual((await sub.pubsubNumsub(binary, lookalike)).map(([, n]) => n), [1, 1]);
  assert.equal(await pub.publish(binary, "to-binary"), 1);
  const got = await collect(p, 1, 1000);
  assert.deepEqual(handled, [], "the lookalike's handler does not get the binary channel's message");
  assert.deepEqual(got.map((m) => [m.channel, m.data]), [[binary, new TextEncoder().encode("to-binary")]]);
});

test("a handler registered in a Map under a non-UTF-8 binary name gets that channel's messages", async () => {
  await using pub = await plainClient();
  await using sub = await plainClient<false>({ decodeResponses: false });
  await using p = sub.pubsub({ ignoreSubscribeMessages: true });
  const binary = new Uint8Array([0xfe, 0x00, ...new TextEncoder().encode("ps:map")]);
  const handled: Uint8Array[] = [];
  await p.subscribe(new Map([[binary, (m) => void handled.push(m.data as Uint8Array)]]));
  assert.equal(await pub.publish(binary, new Uint8Array([1, 2, 255])), 1);
  for (let i = 0; i < 100 && handled.length === 0; i++) await p.getMessage({ timeout: 20 });
  assert.deepEqual(handled, [new Uint8Array([1, 2, 255])]);
});

test("RESP3: the pubsub pushHandler sees raw push frames", async () => {
  await using pub = await plainClient({ protocol: 3 });
  await using sub = await plainClient({ protocol: 3 });
  const frames: RespValue[][] = [];
  await using p = sub.pubsub({ pushHandler: (frame) => void frames.push(frame) });
  const ch = "ps:push:c";
  await p.subscribe(ch);
  assert.equal(await pub.publish(ch, "raw"), 1);
  assert.deepEqual(await collect(p, 2), [
    { type: "subscribe", pattern: null, channel: ch, data: 1 },
    { type: "message", pattern: null, channel: ch, data: "raw" },
  ]);
  assert.deepEqual(frames, [["subscribe", ch, 1], ["message", ch, "raw"]]);
});

test("RESP3: the client's pushHandler sees invalidations after CLIENT TRACKING ON", async () => {
  const frames: RespValue[][] = [];
  await using r = await plainClient({
    protocol: 3,
    singleConnectionClient: true,
    pushHandler: (frame) => void frames.push(frame),
  });
  await using other = await plainClient();
  const key = "ps:tracking:k";
  await other.set(key, "v1");
  assert.equal(await r.clientTracking(true), true);
  assert.equal(await r.get(key), "v1");
  await other.set(key, "v2");
  assert.ok(await waitFor(() => frames.length > 0), "an invalidation arrived");
  assert.deepEqual(frames[0], ["invalidate", [key]]);
  assert.equal(await r.get(key), "v2", "the connection still works");
});

test("bad arguments reject with DataError and subscribe nothing", async () => {
  await using sub = await plainClient();
  await using admin = await plainClient();
  await using p = sub.pubsub();
  const ch = "ps:bad:c";
  // deno-lint-ignore no-explicit-any
  const anyP = p as any;
  for (
    const attempt of [
      () => p.subscribe(),
      () => p.psubscribe(),
      () => p.ssubscribe(),
      () => anyP.subscribe(42),
      () => anyP.subscribe(ch, 42),
      () => anyP.subscribe(null),
      () => anyP.subscribe({ [ch]: "not a function" }),
      () => anyP.psubscribe({ [ch]: 1 }),
      () => anyP.ssubscribe({ [ch]: undefined }),
      () => p.subscribe({}),
      () => anyP.unsubscribe(42),
      () => p.getMessage({ timeout: -1 }),
      () => p.getMessage({ timeout: Number.NaN }),
    ]
  ) {
    const error = await outcome(attempt());
    assert.ok(error instanceof DataError, `${attempt}: ${error}`);
  }
  assert.equal(p.subscribed, false);
  assert.deepEqual(p.channels, []);
  assert.deepEqual(p.patterns, []);
  assert.deepEqual(p.shardChannels, []);
  assert.equal(p.connection, undefined, "no connection was even borrowed");
  assert.deepEqual(await numsub(admin, ch), [0]);
  assert.deepEqual(await admin.pubsubShardnumsub(ch), [[ch, 0]]);
  // Still usable afterwards.
  await p.subscribe(ch);
  assert.deepEqual(await numsub(admin, ch), [1]);
});

test("closing the client closes its pubsubs: they do not reconnect", async () => {
  await using watcher = await plainClient();
  const r = await plainClient();
  const p = r.pubsub();
  await p.subscribe("ps:owned:a");
  assert.deepEqual(await watcher.pubsubNumsub("ps:owned:a"), [["ps:owned:a", 1]]);
  await r.close();
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(await watcher.pubsubNumsub("ps:owned:a"), [["ps:owned:a", 0]], "no subscriber came back");
  assert.equal(p.subscribed, false);
  assert.equal(await p.getMessage({ timeout: 10 }), null);
});
