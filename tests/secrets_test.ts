// Secrets never show when an object is printed or serialised: passwords
// (option or URL), the TLS private key. Checked with node:util's inspect (on
// all three runtimes), Deno.inspect on Deno, JSON.stringify and String(), on
// every object a user can reach: client, options, pool, connection, pubsub,
// monitor, pipeline. The client still authenticates with them.

import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { AuthenticationError, ConnectionPool, REDACTED, Redis } from "../mod.ts";
import { startRedis } from "./harness/mod.ts";
import { outcome } from "./support/async.ts";

const PASSWORD = "pw-Sh0uld-N3ver-Sh0w";
const URL_PASSWORD = "url-pw-N3ver-Sh0w";

const denoInspect = (globalThis as { Deno?: { inspect(v: unknown, o?: object): string } }).Deno?.inspect;

/** Every way of printing `value`, labelled. */
function printed(value: unknown): [string, string][] {
  const out: [string, string][] = [
    ["util.inspect", inspect(value, { depth: 8, showHidden: true, getters: true })],
    ["util.inspect (default)", inspect(value)],
    ["String", String(value)],
  ];
  try {
    out.push(["JSON.stringify", JSON.stringify(value) ?? ""]);
  } catch (e) {
    out.push(["JSON.stringify threw", String(e)]);
  }
  if (denoInspect) {
    out.push(["Deno.inspect", denoInspect(value, { depth: 8, showHidden: true, getters: true })]);
  }
  return out;
}

function assertHidden(objects: Record<string, unknown>, secrets: string[]): void {
  for (const [name, value] of Object.entries(objects)) {
    for (const [how, text] of printed(value)) {
      for (const secret of secrets) {
        assert.ok(!text.includes(secret), `${how}(${name}) shows a secret:\n${text.slice(0, 3000)}`);
      }
    }
  }
}

test("passwords and the TLS key never show when client, pool, connection, pubsub, monitor or pipeline are printed", async () => {
  const server = await startRedis({
    tls: true,
    requirePass: PASSWORD,
    aclUsers: [`alice on >${URL_PASSWORD} ~* +@all`],
  });
  const certs = server.certs!;
  // A line from the middle of the private key's PEM body.
  const keyLines = certs.clientKey.trim().split("\n");
  const keyPart = keyLines[Math.floor(keyLines.length / 2)];
  const secrets = [PASSWORD, URL_PASSWORD, keyPart];
  try {
    const r = new Redis({ host: server.host, port: server.port, password: PASSWORD });
    const u = Redis.fromURL(`rediss://alice:${URL_PASSWORD}@localhost:${server.tlsPort}/1`, {
      tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey },
    });
    const pool = new ConnectionPool({ host: server.host, port: server.port, password: PASSWORD });
    const shared = new Redis({ connectionPool: pool });
    try {
      assert.equal(await r.ping(), true, "the client still authenticates");
      assert.equal(await u.sendCommand("ACL", "WHOAMI"), "alice");
      assert.equal(await shared.ping(), true);
      const p = r.pubsub();
      await p.subscribe("secrets:news");
      const monitor = await u.monitor();
      const pipe = r.pipeline().ping();
      const failed = new Redis({ host: server.host, port: server.port, password: PASSWORD + "x" });
      const authError = await outcome(failed.ping());
      assert.ok(authError instanceof AuthenticationError);
      await failed.disconnect();
      assertHidden({
        client: r,
        "client.options": r.options,
        "URL client": u,
        "URL client.options": u.options,
        "client.connectionPool": r.connectionPool,
        "pool.options": r.connectionPool.options,
        "pool.connectionOptions": r.connectionPool.connectionOptions,
        "shared-pool client": shared,
        "shared pool": pool,
        connection: r.connectionPool.currentSharedConnection,
        "connection.options": r.connectionPool.currentSharedConnection?.options,
        "TLS connection": u.connectionPool.currentSharedConnection,
        "a new connection": r.openConnection(),
        pubsub: p,
        monitor,
        pipeline: pipe,
        "AuthenticationError": authError,
        "AuthenticationError.message": (authError as Error).message,
      }, secrets);
      await p.close();
      await monitor.close();
    } finally {
      await r.close();
      await u.close();
      await pool.disconnect();
    }
  } finally {
    await server.stop();
  }
});

test("the options keep their non-secret values; a redacted password is marked, not dropped", () => {
  const r = new Redis({ host: "127.0.0.1", port: 1, username: "alice", password: PASSWORD, db: 3 });
  assert.equal(r.options.host, "127.0.0.1");
  assert.equal(r.options.username, "alice");
  assert.equal(r.options.db, 3);
  assert.equal(r.options.password, REDACTED);
  assert.equal(r.connectionPool.options.password, REDACTED);
  assert.equal(r.connectionPool.connectionOptions.password, REDACTED);
  const none = new Redis({ port: 1 });
  assert.equal(none.options.password, undefined);
});
