// The same fault gives the same error class on every runtime and transport:
// a connect or handshake that exceeds socketConnectTimeout (TCP handshake
// answered but nothing after it, a TLS handshake stalled, HELLO stalled) is a
// TimeoutError, and so is a command whose reply is overdue. Faults come from
// a real TCP proxy that stalls.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ConnectionError, type Connector, getDefaultConnector, Redis, TimeoutError } from "../mod.ts";
import { nodeConnector } from "../transports/node.ts";
import { sharedRedis, startProxy } from "./harness/mod.ts";
import { outcome } from "./support/async.ts";

const CONNECTORS: [string, () => Connector][] = [
  ["the runtime's connector", () => getDefaultConnector()],
  ["nodeConnector", () => nodeConnector],
];

/** Every outcome is a TimeoutError, within `limit` ms of `started`. */
function assertTimeouts(results: unknown[], started: number, limit: number, what: string): void {
  for (const e of results) {
    assert.ok(e instanceof TimeoutError, `${what}: ${(e as Error)?.name}: ${(e as Error)?.message ?? e}`);
  }
  const took = Date.now() - started;
  assert.ok(took < limit, `${what}: took ${took} ms`);
}

for (const [name, connector] of CONNECTORS) {
  for (const protocol of [2, 3] as const) {
    test(`${name}, RESP${protocol}: a stalled handshake (HELLO/AUTH unanswered) is a TimeoutError`, async () => {
      const server = await sharedRedis("plain");
      const proxy = await startProxy({ host: server.host, port: server.port });
      proxy.stall(true);
      try {
        const r = new Redis({
          host: proxy.host,
          port: proxy.port,
          protocol,
          password: protocol === 2 ? "unused" : undefined,
          socketConnectTimeout: 300,
          connector: connector(),
        });
        const started = Date.now();
        const results = await Promise.all([outcome(r.ping()), outcome(r.get("k")), outcome(r.echo("e"))]);
        assertTimeouts(results, started, 2000, "stalled handshake");
        await r.disconnect();
      } finally {
        await proxy.close();
      }
    });
  }

  test(`${name}: a stalled TLS handshake is a TimeoutError`, async () => {
    const server = await sharedRedis("tls");
    const proxy = await startProxy({ host: server.host, port: server.tlsPort! });
    proxy.stall(true);
    try {
      const r = new Redis({
        host: proxy.host,
        port: proxy.port,
        tls: { ca: server.certs!.ca, servername: "localhost" },
        socketConnectTimeout: 300,
        connector: connector(),
      });
      const started = Date.now();
      const results = await Promise.all([outcome(r.ping()), outcome(r.get("k"))]);
      assertTimeouts(results, started, 2000, "stalled TLS handshake");
      await r.disconnect();
    } finally {
      await proxy.close();
    }
  });

  test(`${name}: socketTimeout equal to socketConnectTimeout: a stalled connect is still a TimeoutError`, async () => {
    const server = await sharedRedis("plain");
    const proxy = await startProxy({ host: server.host, port: server.port });
    proxy.stall(true);
    try {
      for (let i = 0; i < 5; i++) {
        const r = new Redis({
          host: proxy.host,
          port: proxy.port,
          socketTimeout: 200,
          socketConnectTimeout: 200,
          connector: connector(),
        });
        const started = Date.now();
        const results = await Promise.all(Array.from({ length: 5 }, (_, j) => outcome(r.echo(`m${j}`))));
        assertTimeouts(results, started, 2000, `attempt ${i}`);
        await r.disconnect();
      }
    } finally {
      await proxy.close();
    }
  });

  test(`${name}: a command whose reply is overdue is a TimeoutError; the commands behind it fail with the connection`, async () => {
    const server = await sharedRedis("plain");
    const proxy = await startProxy({ host: server.host, port: server.port });
    try {
      const r = new Redis({ host: proxy.host, port: proxy.port, socketTimeout: 300, connector: connector() });
      assert.equal(await r.ping(), true);
      proxy.stall(true);
      const started = Date.now();
      const [first, behind] = await Promise.all([outcome(r.get("a")), outcome(r.get("b"))]);
      assertTimeouts([first], started, 2000, "overdue reply");
      assert.ok(behind instanceof ConnectionError && behind.cause instanceof TimeoutError, String(behind));
      await r.disconnect();
    } finally {
      await proxy.close();
    }
  });
}
