/**
 * The edge smoke suite: bundles `tests/edge/worker.ts` (which imports
 * `edge.ts`) with esbuild as wrangler does, serves it with workerd (npm
 * `workerd`, no `nodejs_compat`), and checks over HTTP what the Worker does
 * against a test redis-server through `cloudflare:sockets`. One `test()` per
 * check; `scripts/test.mjs` runs it as the `workerd` pass.
 *
 * Run: `node_modules/.bin/deno test -A --no-check tests/edge/workerd.ts`
 * (`UNIREDIS_EDGE_MODULES=<dir>/node_modules` finds workerd and esbuild
 * elsewhere than in the project's node_modules).
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, startRedis } from "../harness/mod.ts";
import { sleep } from "../support/async.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const modules = process.env.UNIREDIS_EDGE_MODULES ?? join(root, "node_modules");
const binOf = (name: string) => join(modules, ".bin", name);

// The Worker's compiled source, the config and workerd's log live in one temp dir, removed at the end.
const dir = await mkdtemp(join(tmpdir(), "uniredis-edge-"));
const server = await startRedis({ tls: true });
const bundle = join(dir, "worker.js");
const logLines: string[] = [];
let workerd: ChildProcess | undefined;
let base = "";
let exampleBase = "";

/** Bundles as wrangler does: ESM, neutral platform, the Workers conditions, `cloudflare:*` left to the runtime. */
function build(entry: string, outfile: string): { ok: boolean; output: string } {
  const r = spawnSync(binOf("esbuild"), [
    join(here, entry),
    "--bundle",
    "--format=esm",
    "--platform=neutral",
    "--target=es2022",
    "--conditions=workerd,worker,browser",
    "--main-fields=workerd,worker,browser,module,main",
    "--external:cloudflare:*",
    // The example imports the package by name, as a user's Worker does.
    `--alias:@uniredis/redis=${root}`,
    `--outfile=${outfile}`,
  ], { encoding: "utf8" });
  return { ok: r.status === 0, output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ?? ""}` };
}

async function startWorkerd(): Promise<void> {
  const port = await freePort();
  const examplePort = await freePort();
  const template = await readFile(join(here, "workerd.capnp"), "utf8");
  const config = template
    .replaceAll("@HTTP_PORT@", String(port))
    .replaceAll("@EXAMPLE_PORT@", String(examplePort))
    .replaceAll("@REDIS_URL@", `redis://127.0.0.1:${server.port}/3`)
    .replaceAll("@REDIS_PORT@", String(server.port))
    .replaceAll("@REDIS_TLS_HOST@", "127.0.0.1")
    .replaceAll("@REDIS_TLS_PORT@", String(server.tlsPort));
  await writeFile(join(dir, "config.capnp"), config);
  await writeFile(join(dir, "ca.crt"), server.certs!.ca);
  workerd = spawn(binOf("workerd"), ["serve", join(dir, "config.capnp")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [workerd.stdout!, workerd.stderr!]) {
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => logLines.push(chunk));
  }
  base = `http://127.0.0.1:${port}`;
  exampleBase = `http://127.0.0.1:${examplePort}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (workerd.exitCode !== null) {
      throw new Error(`workerd exited (${workerd.exitCode}):\n${logLines.join("")}`);
    }
    try {
      await (await fetch(`${base}/`)).body?.cancel();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`workerd did not answer in 20 s:\n${logLines.join("")}`);
      await sleep(50);
    }
  }
}

interface Reply {
  ok: boolean;
  // deno-lint-ignore no-explicit-any
  result?: any;
  error?: string;
  message?: string;
}

let seq = 0;
async function call(path: string, params: Record<string, string> = {}): Promise<Reply> {
  const url = new URL(path, base);
  url.searchParams.set("id", `${Date.now()}-${seq++}`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const res = await fetch(url);
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${path}: HTTP ${res.status}: ${text}\n${logLines.join("")}`);
  }
}

/** The Worker's result, or a failure carrying its error and workerd's log. */
async function ok(path: string, params?: Record<string, string>) {
  const reply = await call(path, params);
  assert.ok(reply.ok, `${path}: ${reply.error}: ${reply.message}\n${logLines.join("")}`);
  return reply.result;
}

const missing = ["workerd", "esbuild"].filter((name) => !existsSync(binOf(name)));
const skip = missing.length > 0 ? `${missing.join(" and ")} not found in ${modules}: npm install` : false;

test("esbuild bundles the Worker from edge.ts with no node: import", { skip }, async () => {
  for (const [entry, outfile] of [["worker.ts", bundle], ["example_worker.ts", join(dir, "example.js")]]) {
    const { ok: built, output } = build(entry, outfile);
    assert.ok(built, output);
    const code = await readFile(outfile, "utf8");
    assert.deepEqual(code.match(/["']node:[a-z_/]+["']/g) ?? [], [], entry);
    assert.match(code, /from\s*"cloudflare:sockets"/, entry);
  }
});

test("the bundled Worker loads in workerd without nodejs_compat", { skip }, async () => {
  await startWorkerd();
  const res = await fetch(`${base}/nowhere`);
  assert.equal(res.status, 404);
  assert.equal(await res.text(), "no such route");
});

test("commands through cloudflare:sockets", { skip }, async () => {
  assert.deepEqual(await ok("/commands"), {
    ping: true,
    set: true,
    get: "hello",
    incr: 5,
    hset: 2,
    hgetall: { a: "1", b: "2" },
    del: 3,
  });
});

test("a pipeline of 102 commands in one write", { skip }, async () => {
  const result = await ok("/pipeline");
  assert.deepEqual(result, {
    count: 102,
    last: 100,
    range: Array.from({ length: 100 }, (_, i) => String(i)),
    deleted: 1,
  });
});

test("MULTI/EXEC and a WATCH transaction", { skip }, async () => {
  assert.deepEqual(await ok("/transaction"), { multi: [true, 2, "2"], after: "20" });
});

test("RESP3: HELLO 3 and a double reply", { skip }, async () => {
  assert.deepEqual(await ok("/resp3"), { proto: 3, double: 1.5, doubleType: "number" });
});

test("binary values byte for byte, from 256 bytes to 1 MiB", { skip }, async () => {
  for (const size of [256, 65_537, 1 << 20]) {
    assert.deepEqual(
      await ok("/binary", { size: String(size) }),
      { length: size, same: true },
      `size ${size}`,
    );
  }
});

for (const protocol of [2, 3]) {
  test(
    `pub/sub for the life of a request (RESP${protocol}): subscribe, psubscribe, messages`,
    { skip },
    async () => {
      const { receivers, messages } = await ok("/pubsub", { protocol: String(protocol) });
      assert.deepEqual(receivers, [1, 1]);
      assert.equal(messages.length, 2);
      const [channel] = messages.map((m: { channel: string }) => m.channel);
      assert.deepEqual(messages, [
        { type: "message", channel, pattern: null, data: "one" },
        { type: "pmessage", channel: `${channel}:x`, pattern: `${channel}:*`, data: "two" },
      ]);
    },
  );
}

test("TLS to the test server, its CA trusted by the workerd network service", { skip }, async () => {
  assert.deepEqual(await ok("/tls"), { ping: true, echo: "over tls" });
});

test("TLS options the Sockets API cannot honour are refused, not ignored", { skip }, async () => {
  const result = await ok("/tls-options");
  assert.equal(result.error, "ConnectionError");
  assert.match(result.message, /rejectUnauthorized/);
});

test("a client per request works across 60 requests, 20 at a time", { skip }, async () => {
  const id = `${Date.now()}`;
  const counts: number[] = [];
  for (let round = 0; round < 3; round++) {
    const replies = await Promise.all(Array.from({ length: 20 }, () => call("/per-request", { id })));
    for (const reply of replies) {
      assert.ok(reply.ok, `${reply.error}: ${reply.message}`);
      counts.push(reply.result.n);
    }
  }
  assert.deepEqual(counts.sort((a, b) => a - b), Array.from({ length: 60 }, (_, i) => i + 1));
});

test(
  "a module-scope client fails on the next request (why the client is made per request)",
  { skip },
  async () => {
    const id = `${Date.now()}`;
    const first = await call("/module-scope", { id });
    assert.deepEqual(first.result, { n: 1 });
    const second = await call("/module-scope", { id });
    assert.match(second.result?.message ?? "", /Cannot perform I\/O on behalf of a different request/);
  },
);

test(
  "the README's example Worker answers request after request, one client each",
  { skip },
  async () => {
    const path = `/example-${Date.now()}`;
    const replies = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${exampleBase}${path}`);
      assert.equal(res.status, 200, await res.clone().text());
      replies.push(await res.json());
    }
    assert.deepEqual(replies.map((r) => r.hits), [1, 2, 3, 4, 5]);
    assert.deepEqual(replies[4].recent, [path, path, path, path, path]);
  },
);

test("stop workerd and the test server", async () => {
  workerd?.kill("SIGTERM");
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});
