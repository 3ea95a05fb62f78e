// The README's quick start: connect, write, read, and clean up.
// Run with `npm run quickstart` (starts a throwaway redis-server when REDIS_URL is not set),
// or directly: REDIS_URL=redis://127.0.0.1:6379 deno run -A examples/quickstart.ts
import { Redis } from "../mod.ts";

const url =
  (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.REDIS_URL ??
    "redis://127.0.0.1:6379";

await using r = Redis.fromURL(url);

await r.set("quickstart:greeting", "hello from uniredis", { ex: 60 });
console.log("GET  ->", await r.get("quickstart:greeting"));

await r.hset("quickstart:user:1", { mapping: { name: "Ada", lang: "TypeScript" } });
console.log("HGETALL ->", await r.hgetall("quickstart:user:1"));

await r.del("quickstart:visits");
const visits = await Promise.all([
  r.incr("quickstart:visits"),
  r.incr("quickstart:visits"),
  r.incr("quickstart:visits"),
]);
console.log("INCR x3 (one round trip) ->", visits);

await r.zadd("quickstart:scores", { ada: 3.5, alan: 2 });
console.log("ZRANGE WITHSCORES ->", await r.zrange("quickstart:scores", 0, -1, { withscores: true }));

await r.del("quickstart:greeting", "quickstart:user:1", "quickstart:visits", "quickstart:scores");
console.log(
  `connected over RESP${r.serverHello?.protocol} to Redis ${
    r.serverHello?.version ?? "(version not reported)"
  }`,
);
