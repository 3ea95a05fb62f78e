// Credential providers: the credentials of every new connection come from
// `credentialProvider`, and a streaming provider's push re-authenticates
// every live connection in place (AUTH, no reconnect), under load, with no
// command failing. Evidence is taken on the server: CLIENT LIST ids, the
// `auth` count of INFO commandstats, ACL WHOAMI.

import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  AuthenticationError,
  ConnectionPool,
  type Credentials,
  CredentialStream,
  DataError,
  Redis,
  RedisCluster,
  type RedisErrorEvent,
  Sentinel,
  UsernamePasswordCredentialProvider,
} from "../mod.ts";
import { type RedisServer, startRedis } from "./harness/mod.ts";
import { waitFor } from "./support/async.ts";

const OLD = "old-pw-N3ver-Sh0w";
const NEW = "new-pw-N3ver-Sh0w";
const WRONG = "wrong-pw-N3ver-Sh0w";
const SECRETS = [OLD, NEW, WRONG];

/** CLIENT LIST of the server, as `{ id, user, cmd, flags }` rows. */
async function clients(
  server: RedisServer,
): Promise<{ id: string; user: string; cmd: string; qbuf: number }[]> {
  const text = String(await server.command("CLIENT", "LIST"));
  return text.trim().split("\n").map((line) => {
    const fields = Object.fromEntries(line.split(" ").map((kv) => kv.split("=", 2) as [string, string]));
    return { id: fields.id, user: fields.user, cmd: fields.cmd, qbuf: Number(fields.qbuf) };
  });
}

/** Ids of the connections authenticated as `user`, sorted. */
async function idsOf(server: RedisServer, user: string): Promise<string[]> {
  return (await clients(server)).filter((c) => c.user === user).map((c) => c.id).sort();
}

/** Re-authentications seen by the server: AUTH, and HELLO (subscribed RESP3 connections re-authenticate with it). */
async function reauths(server: RedisServer): Promise<number> {
  return (await calls(server, "auth")) + (await calls(server, "hello"));
}

/** Calls of `command` from INFO commandstats. */
async function calls(server: RedisServer, command: string): Promise<number> {
  const text = String(await server.command("INFO", "commandstats"));
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(text)?.[1] ?? 0);
}

function assertNoSecret(text: string, what: string): void {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${what} shows a secret: ${text}`);
}

test("a static provider authenticates an ACL user on every new connection, RESP2 and RESP3", async () => {
  await using server = await startRedis({ aclUsers: [`app on >${OLD} ~* &* +@all`] });
  for (const protocol of [2, 3] as const) {
    let asked = 0;
    const base = new UsernamePasswordCredentialProvider("app", OLD);
    const provider = {
      getCredentials: () => {
        asked++;
        return base.getCredentials();
      },
    };
    await using r = new Redis({ port: server.port, protocol, credentialProvider: provider });
    assert.equal(await r.sendCommand("ACL", "WHOAMI"), "app", `RESP${protocol}`);
    // Three more connections: blocking commands borrow one each.
    await Promise.all([r.blpop("none:1", 0.05), r.blpop("none:2", 0.05), r.blpop("none:3", 0.05)]);
    assert.equal(asked, 4, `RESP${protocol}: once per connection`);
    assert.equal(r.connectionPool.liveCount, 4);
    assert.equal((await idsOf(server, "app")).length, 4);
  }
});

test("credentialProvider with password or username is a DataError, for every constructor", () => {
  const provider = new UsernamePasswordCredentialProvider("app", OLD);
  const attempts: [string, () => unknown][] = [
    ["Redis password", () => new Redis({ password: OLD, credentialProvider: provider })],
    ["Redis username", () => new Redis({ username: "app", credentialProvider: provider })],
    [
      "Redis.fromURL",
      () => Redis.fromURL(`redis://app:${OLD}@localhost:1`, { credentialProvider: provider }),
    ],
    ["ConnectionPool", () => new ConnectionPool({ password: OLD, credentialProvider: provider })],
    ["RedisCluster", () => new RedisCluster({ password: OLD, credentialProvider: provider })],
    [
      "Sentinel data",
      () => new Sentinel([{ host: "127.0.0.1", port: 1 }], { password: OLD, credentialProvider: provider }),
    ],
    [
      "Sentinel sentinel",
      () =>
        new Sentinel([{ host: "127.0.0.1", port: 1 }], {
          sentinel: { username: "s", credentialProvider: provider },
        }),
    ],
  ];
  for (const [what, attempt] of attempts) {
    assert.throws(attempt, (e: Error) => {
      assert.ok(e instanceof DataError, `${what}: ${e.name}: ${e.message}`);
      assert.match(e.message, /credentialProvider are exclusive/, what);
      assertNoSecret(e.message, what);
      return true;
    });
  }
  assert.throws(
    () => new Redis({ credentialProvider: {} as never }),
    (e: Error) => e instanceof DataError && /getCredentials/.test(e.message),
  );
});

test("a provider that fails, or gives no password, fails the connection with an AuthenticationError saying so", async () => {
  await using server = await startRedis({ aclUsers: [`app on >${OLD} ~* &* +@all`] });
  const failing = {
    getCredentials: (): Promise<Credentials> => Promise.reject(new Error("vault unreachable")),
  };
  await using r = new Redis({ port: server.port, credentialProvider: failing });
  await assert.rejects(r.ping(), (e: Error) => {
    assert.ok(e instanceof AuthenticationError, `${e.name}: ${e.message}`);
    assert.match(e.message, /credentialProvider\.getCredentials\(\) failed for \S+:\d+: vault unreachable/);
    return true;
  });
  const garbage = { getCredentials: () => Promise.resolve({ username: "app", pass: OLD } as never) };
  await using g = new Redis({ port: server.port, credentialProvider: garbage });
  await assert.rejects(g.ping(), (e: Error) => {
    assert.ok(e instanceof AuthenticationError, `${e.name}: ${e.message}`);
    assert.match(e.message, /gave no string password/);
    assertNoSecret(e.message, "the error");
    return true;
  });
  // Refused credentials name the provider, not the options, and never show the password.
  const refused = new UsernamePasswordCredentialProvider("app", WRONG);
  await using w = new Redis({ port: server.port, credentialProvider: refused });
  await assert.rejects(w.ping(), (e: Error) => {
    assert.ok(e instanceof AuthenticationError, `${e.name}: ${e.message}`);
    assert.match(e.message, /failed for user "app" with the credentials of credentialProvider/);
    assertNoSecret(`${e.message} ${inspect(e)}`, "the error");
    return true;
  });
});

test("a password change pushed under load: every live connection re-authenticates in place, no command fails", async () => {
  await using server = await startRedis({ aclUsers: [`app on >${OLD} ~* &* +@all`] });
  const stream = new CredentialStream({ username: "app", password: OLD });
  await using r = new Redis({ port: server.port, credentialProvider: stream });
  const refusals: RedisErrorEvent[] = [];
  r.addEventListener("credentialserror", (e) => refusals.push(e));

  await using p = r.pubsub({ ignoreSubscribeMessages: true });
  await p.subscribe("news");
  let running = true;
  const failures: unknown[] = [];
  let done = 0;
  let received = 0;
  const loop = async (body: (i: number) => Promise<unknown>) => {
    for (let i = 0; running; i++) {
      try {
        await body(i);
        done++;
      } catch (error) {
        failures.push(error);
      }
    }
  };
  const loops = [
    // Shared, multiplexed connection: several callers at once.
    ...[0, 1, 2, 3].map((n) => loop((i) => r.set(`k:${n}`, i).then(() => r.get(`k:${n}`)))),
    // Borrowed connections, busy in blocking commands when the push comes.
    ...[0, 1, 2].map((n) => loop(() => r.blpop(`q:${n}`, 0.05))),
    // The pubsub connection receives while its connection re-authenticates.
    loop(async () => {
      await r.publish("news", "x");
      const m = await p.getMessage({ timeout: 1_000 });
      if (m !== null) received++;
    }),
  ];
  // Every connection opened: shared, three borrowed, the pubsub's.
  assert.ok(await waitFor(async () => (await idsOf(server, "app")).length === 5, 10_000));
  const before = await idsOf(server, "app");
  const authBefore = await reauths(server);
  const doneBefore = done;
  let live = 0;
  try {
    await server.command("ACL", "SETUSER", "app", "resetpass", `>${NEW}`);
    assert.equal(stream.listenerCount, 1);
    stream.push({ username: "app", password: NEW });
    live = r.connectionPool.liveCount;
    assert.equal(live, 5);
    assert.ok(
      await waitFor(async () => (await reauths(server)) - authBefore >= live, 10_000),
      `re-authentications: ${(await reauths(server)) - authBefore} of ${live}`,
    );
    // Keep the load on a little after the last AUTH.
    const doneAtAuth = done;
    await waitFor(() => done > doneAtAuth + 20, 10_000);
  } finally {
    running = false;
    await Promise.all(loops);
  }

  assert.deepEqual(failures, [], "no command failed");
  assert.ok(done > doneBefore, "commands ran meanwhile");
  assert.ok(received > 0, "the subscriber received");
  assert.equal((await reauths(server)) - authBefore, live, "one AUTH (or HELLO) per live connection");
  assert.deepEqual(await idsOf(server, "app"), before, "same connections: none reconnected");
  assert.deepEqual(refusals, []);
  assert.equal(String(await server.command("ACL", "LOG")), "", "no refused authentication");

  // The pubsub still receives after its re-authentication.
  await r.publish("news", "after");
  let after = null;
  for (let i = 0; i < 10 && after?.data !== "after"; i++) after = await p.getMessage({ timeout: 1_000 });
  assert.equal(after?.data, "after");
  // A new connection authenticates with the new password; the old one is refused by the server now.
  const fresh = r.openConnection();
  try {
    await fresh.connect();
    const idsNow = await idsOf(server, "app");
    assert.equal(idsNow.length, 6);
  } finally {
    await fresh.close();
  }
  await using old = new Redis({ port: server.port, username: "app", password: OLD });
  await assert.rejects(old.ping(), AuthenticationError);
});

test("a refused push: credentialserror for each connection, which keeps working with its old credentials", async () => {
  await using server = await startRedis({ aclUsers: [`app on >${OLD} ~* &* +@all`] });
  const stream = new CredentialStream({ username: "app", password: OLD });
  await using r = new Redis({ port: server.port, credentialProvider: stream });
  const refusals: RedisErrorEvent[] = [];
  r.addEventListener("credentialserror", (e) => refusals.push(e));
  const errors: RedisErrorEvent[] = [];
  r.addEventListener("error", (e) => errors.push(e));
  await r.ping();
  await r.blpop("none", 0.05); // a second, idle connection
  const before = await idsOf(server, "app");
  assert.equal(before.length, 2);

  stream.push({ username: "app", password: WRONG });
  assert.ok(await waitFor(() => refusals.length === 2, 10_000), `${refusals.length} credentialserror events`);
  for (const event of refusals) {
    assert.equal(event.type, "credentialserror");
    assert.ok(event.error instanceof AuthenticationError, event.error.message);
    assert.match(event.error.message, /Re-authentication of a connection to \S+:\d+ failed for user "app"/);
    assert.match(event.error.message, /keeps its previous credentials \(WRONGPASS\)/);
    assertNoSecret(`${event.error.message} ${inspect(event)}`, "the event");
  }
  assert.deepEqual(errors, [], "no connection failed");
  // Both connections keep working as "app", on the same ids.
  assert.equal(await r.sendCommand("ACL", "WHOAMI"), "app");
  await r.blpop("none", 0.05);
  assert.deepEqual(await idsOf(server, "app"), before);
  // New connections take the newest credentials: refused too.
  const fresh = r.openConnection();
  await assert.rejects(fresh.connect(), AuthenticationError);
  // A good push again: accepted everywhere, no further event.
  stream.push({ username: "app", password: OLD });
  assert.ok(await waitFor(async () => (await calls(server, "auth")) >= 4, 10_000));
  assert.equal(refusals.length, 2);
});

test("a closed client leaves the streaming provider; a reconnecting one subscribes again", async () => {
  await using server = await startRedis({ aclUsers: [`app on >${OLD} ~* &* +@all`] });
  const stream = new CredentialStream({ username: "app", password: OLD });
  const r = new Redis({ port: server.port, credentialProvider: stream });
  assert.equal(stream.listenerCount, 0, "nothing connected yet");
  await r.ping();
  const p = r.pubsub();
  await p.subscribe("c");
  assert.equal(stream.listenerCount, 1, "one subscription per pool");
  await r.close();
  assert.equal(stream.listenerCount, 0);
  await r.ping();
  assert.equal(stream.listenerCount, 1);
  await r.disconnect();
  assert.equal(stream.listenerCount, 0);
});

test("a blocking command in progress: its connection re-authenticates when the command returns", async () => {
  await using server = await startRedis({ aclUsers: [`app on >${OLD} ~* &* +@all`] });
  const stream = new CredentialStream({ username: "app", password: OLD });
  await using r = new Redis({ port: server.port, credentialProvider: stream });
  await r.ping();
  const blocked = r.blpop("wake", 0);
  assert.ok(await waitFor(async () => (await clients(server)).some((c) => c.cmd === "blpop"), 10_000));
  await server.command("ACL", "SETUSER", "app", "resetpass", `>${NEW}`);
  stream.push({ username: "app", password: NEW });
  // The shared connection re-authenticates at once; the blocked one's AUTH waits in the server's
  // query buffer (qbuf) behind its BLPOP.
  assert.ok(await waitFor(async () => (await calls(server, "auth")) === 1, 10_000));
  assert.ok(
    await waitFor(async () => (await clients(server)).some((c) => c.cmd === "blpop" && c.qbuf > 0), 10_000),
    "the AUTH reached the blocked connection",
  );
  assert.equal(await calls(server, "auth"), 1);
  await server.command("RPUSH", "wake", "up");
  assert.deepEqual(await blocked, ["wake", "up"]);
  assert.ok(await waitFor(async () => (await calls(server, "auth")) === 2, 10_000));
  // The borrowed connection went back to the pool, still open, and serves the next blocking command.
  const ids = await idsOf(server, "app");
  await r.blpop("none", 0.05);
  assert.deepEqual(await idsOf(server, "app"), ids);
});

test("providers and clients using them never show the credentials when printed", async () => {
  await using server = await startRedis({ aclUsers: [`app on >${OLD} ~* &* +@all`] });
  const stream = new CredentialStream({ username: "app", password: OLD });
  const fixed = new UsernamePasswordCredentialProvider("app", OLD);
  await using r = new Redis({ port: server.port, credentialProvider: stream });
  await using f = new Redis({ port: server.port, credentialProvider: fixed });
  await r.ping();
  await f.ping();
  stream.push({ username: "app", password: NEW });
  const denoInspect = (globalThis as { Deno?: { inspect(v: unknown, o?: object): string } }).Deno?.inspect;
  const objects: Record<string, unknown> = {
    stream,
    fixed,
    r,
    f,
    options: r.options,
    pool: r.connectionPool,
    connectionOptions: r.connectionPool.connectionOptions,
    connection: r.connectionPool.currentSharedConnection,
  };
  for (const [name, value] of Object.entries(objects)) {
    const texts = [
      inspect(value, { depth: 8, showHidden: true, getters: true }),
      String(value),
      JSON.stringify(value) ?? "",
    ];
    if (denoInspect) texts.push(denoInspect(value, { depth: 8, showHidden: true, getters: true }));
    for (const text of texts) assertNoSecret(text, name);
  }
  assert.equal(r.options.credentialProvider as unknown, "<redacted>");
});

test("RESP2: the shared connection re-authenticates with AUTH; a subscribed one cannot (RESP2 refuses AUTH there) and keeps working", async () => {
  await using server = await startRedis({ aclUsers: [`app on >${OLD} ~* &* +@all`] });
  const stream = new CredentialStream({ username: "app", password: OLD });
  await using r = new Redis({ port: server.port, protocol: 2, credentialProvider: stream });
  const refusals: RedisErrorEvent[] = [];
  r.addEventListener("credentialserror", (e) => refusals.push(e));
  await r.ping();
  await using p = r.pubsub({ ignoreSubscribeMessages: true });
  await p.subscribe("news");
  const before = await idsOf(server, "app");
  assert.equal(before.length, 2, "shared and subscribed");
  const authBefore = await calls(server, "auth");
  await server.command("ACL", "SETUSER", "app", `>${NEW}`);
  stream.push({ username: "app", password: NEW });
  assert.ok(await waitFor(async () => (await calls(server, "auth")) - authBefore === 1, 10_000));
  await r.publish("news", "after");
  let after = null;
  for (let i = 0; i < 10 && after?.data !== "after"; i++) after = await p.getMessage({ timeout: 1_000 });
  assert.equal(after?.data, "after");
  assert.deepEqual(await idsOf(server, "app"), before);
  assert.equal((await calls(server, "auth")) - authBefore, 1, "the subscribed connection was not sent AUTH");
  assert.deepEqual(refusals, []);
});
