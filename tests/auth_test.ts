// Authentication as redis-py does it: a username without a password is
// still sent (with an empty password), so the server decides, and the client
// never silently runs as the default user.

import { test } from "node:test";
import assert from "node:assert/strict";
import { AuthenticationError, Redis } from "../mod.ts";
import { startRedis } from "./harness/mod.ts";

const PROTOCOLS = [2, 3] as const;

test("username without password: a nopass user is authenticated as itself, RESP2 and RESP3, option and URL", async () => {
  const server = await startRedis({
    aclUsers: ["guest on nopass ~guest:* +@all", "locked on >secret-pw ~* +@all"],
  });
  try {
    for (const protocol of PROTOCOLS) {
      const clients = [
        new Redis({ host: server.host, port: server.port, protocol, username: "guest" }),
        Redis.fromURL(`redis://guest@${server.host}:${server.port}?protocol=${protocol}`),
      ];
      for (const r of clients) {
        try {
          assert.equal(await r.sendCommand("ACL", "WHOAMI"), "guest", `RESP${protocol}`);
          assert.equal(r.serverHello?.protocol, protocol);
        } finally {
          await r.close();
        }
      }
    }
  } finally {
    await server.stop();
  }
});

test("username without password: a user with a password is an AuthenticationError, RESP2 and RESP3, option and URL", async () => {
  const server = await startRedis({ aclUsers: ["locked on >secret-pw ~* +@all"] });
  try {
    for (const protocol of PROTOCOLS) {
      const clients = [
        new Redis({ host: server.host, port: server.port, protocol, username: "locked" }),
        Redis.fromURL(`redis://locked@${server.host}:${server.port}?protocol=${protocol}`),
      ];
      for (const r of clients) {
        try {
          await assert.rejects(r.sendCommand("ACL", "WHOAMI"), (e: Error) => {
            assert.ok(e instanceof AuthenticationError, `RESP${protocol}: ${e.name}: ${e.message}`);
            return true;
          });
        } finally {
          await r.disconnect();
        }
      }
    }
  } finally {
    await server.stop();
  }
});
