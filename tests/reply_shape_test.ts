// Replies of the wrong shape for their command are an InvalidResponse naming
// the command, from a real TCP peer that answers what the test scripts.

import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidResponse, Redis } from "../mod.ts";
import { deepArray, type ScriptedServer, startScripted } from "./support/scripted.ts";
import { outcome } from "./support/async.ts";

/** Runs `body` with a RESP2 client of a scripted server answering `replies[name]` (else +OK). */
async function withScripted(
  replies: Record<string, string>,
  body: (r: Redis, server: ScriptedServer) => Promise<void>,
): Promise<void> {
  const server = await startScripted((args) =>
    replies[args[0]] ?? (args[0] === "PING" ? "+PONG\r\n" : "+OK\r\n")
  );
  try {
    await using r = new Redis({ host: server.host, port: server.port, protocol: 2 });
    await body(r, server);
  } finally {
    await server.close();
  }
}

/** Asserts `error` is an InvalidResponse whose message starts with `prefix`. */
function assertInvalid(error: unknown, prefix: string): void {
  assert.ok(
    error instanceof InvalidResponse,
    `expected InvalidResponse, got ${Array.isArray(error) ? "an array" : String(error)}`,
  );
  assert.ok(
    error.message.startsWith(prefix),
    `message ${JSON.stringify(error.message)} should start with ${prefix}`,
  );
}

test("get() answered with an array is an InvalidResponse naming GET", async () => {
  await withScripted({ GET: "*1\r\n$1\r\nx\r\n" }, async (r) => {
    const error = await outcome(r.get("k"));
    assertInvalid(error, "GET: expected a bulk string or null, got an array");
    assert.equal(await r.ping(), true, "the connection stays usable");
  });
});

test("get() and role() answered with a 1e6-deep array reject with InvalidResponse, no stack overflow", async () => {
  const deep = deepArray(1_000_000);
  await withScripted({ GET: deep, ROLE: deep }, async (r) => {
    assertInvalid(await outcome(r.get("k")), "GET:");
    assertInvalid(await outcome(r.role()), "ROLE:");
    assert.equal(await r.ping(), true);
  });
});

test("integer, bulk-array and map commands reject replies of another shape", async () => {
  await withScripted({
    INCR: "*1\r\n:1\r\n",
    STRLEN: "$3\r\nabc\r\n",
    LRANGE: ":3\r\n",
    HKEYS: "*1\r\n*1\r\n$1\r\na\r\n",
    MGET: "$1\r\na\r\n",
    HGETALL: ":1\r\n",
    EXISTS: "*0\r\n",
    SMEMBERS: "$-1\r\n",
    HGET: ":7\r\n",
    EXPIRE: "*1\r\n:1\r\n",
    MSET: "*0\r\n",
  }, async (r) => {
    assertInvalid(await outcome(r.incr("k")), "INCR: expected a number, got an array");
    assertInvalid(await outcome(r.strlen("k")), "STRLEN: expected a number");
    assertInvalid(
      await outcome(r.lrange("k", 0, -1)),
      "LRANGE: expected an array of bulk strings, got a number",
    );
    assertInvalid(await outcome(r.hkeys("k")), "HKEYS: expected an array of bulk strings");
    assertInvalid(await outcome(r.mget(["a"])), "MGET: expected an array");
    assertInvalid(await outcome(r.hgetall("k")), "HGETALL: expected");
    assertInvalid(await outcome(r.exists("k")), "EXISTS: expected a number, got an array");
    assertInvalid(await outcome(r.smembers("k")), "SMEMBERS: expected an array of bulk strings, got null");
    assertInvalid(await outcome(r.hget("k", "f")), "HGET: expected a bulk string or null, got a number");
    assertInvalid(await outcome(r.expire("k", 1)), "EXPIRE: expected");
    assertInvalid(await outcome(r.mset({ a: "1" })), "MSET: expected");
  });
});

test("replies of the right shape still pass the checks (binary mode too)", async () => {
  await withScripted({
    GET: "$2\r\nhi\r\n",
    MGET: "*2\r\n$1\r\na\r\n$-1\r\n",
    LRANGE: "*2\r\n$1\r\na\r\n$1\r\nb\r\n",
    INCR: ":5\r\n",
    HGETALL: "*2\r\n$1\r\nf\r\n$1\r\nv\r\n",
  }, async (r) => {
    assert.equal(await r.get("k"), "hi");
    assert.deepEqual(await r.mget(["a", "b"]), ["a", null]);
    assert.deepEqual(await r.lrange("k", 0, -1), ["a", "b"]);
    assert.equal(await r.incr("k"), 5);
    assert.deepEqual(await r.hgetall("k"), { f: "v" });
  });
  const server = await startScripted(() => "$2\r\nhi\r\n");
  try {
    await using r = new Redis<false>({
      host: server.host,
      port: server.port,
      protocol: 2,
      decodeResponses: false,
    });
    assert.deepEqual(await r.get("k"), new TextEncoder().encode("hi"));
  } finally {
    await server.close();
  }
});

test("a transform that throws a TypeError becomes an InvalidResponse naming the command, with cause", async () => {
  await withScripted({ GET: "$-1\r\n" }, async (r) => {
    r.setResponseCallback("GET", (reply) => (reply as unknown as { a: { b: number } }).a.b);
    const error = await outcome(r.get("k"));
    assertInvalid(error, "GET:");
    assert.ok((error as Error).cause instanceof TypeError, `cause: ${String((error as Error).cause)}`);
  });
});

test("a wrong shape inside a transaction is an InvalidResponse naming the command, in place", async () => {
  await withScripted({
    MULTI: "+OK\r\n",
    SET: "+QUEUED\r\n",
    GET: "+QUEUED\r\n",
    INCR: "+QUEUED\r\n",
    EXEC: "*3\r\n+OK\r\n*1\r\n$1\r\nx\r\n" + deepArray(1_000_000),
  }, async (r) => {
    const [ok, got, n] = await r.pipeline({ raiseOnError: false }).set("a", "1").get("a").incr("n").exec();
    assert.equal(ok, true);
    assertInvalid(got, "GET: expected a bulk string or null, got an array");
    assertInvalid(n, "INCR:");
  });
});

test("a wrong shape in a plain pipeline is an InvalidResponse in place; the others keep their replies", async () => {
  await withScripted({ GET: "*0\r\n", INCR: ":2\r\n" }, async (r) => {
    const [got, n] = await r.pipeline({ transaction: false, raiseOnError: false }).get("a").incr("n").exec();
    assertInvalid(got, "GET: expected a bulk string or null, got an array");
    assert.equal(n, 2);
  });
});
