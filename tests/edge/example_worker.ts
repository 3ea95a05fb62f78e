// The README's example Worker, verbatim: tests/edge/workerd.ts bundles it (with `@uniredis/redis/edge`
// aliased to edge.ts) and serves it beside the suite's Worker.
import { Redis } from "@uniredis/redis/edge";

interface Env {
  REDIS_URL: string; // e.g. "rediss://default:secret@redis.example.com:6380"
}

export default {
  async fetch(request: Request, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<Response> {
    // One client per request: Workers tie a socket to the request that opened it.
    const r = Redis.fromURL(env.REDIS_URL);
    try {
      const path = new URL(request.url).pathname;
      const [hits, , recent] = await r.pipeline({ transaction: false })
        .incr(`hits:${path}`)
        .lpush("recent", path)
        .lrange("recent", 0, 4)
        .exec();
      return Response.json({ hits, recent });
    } finally {
      ctx.waitUntil(r.close()); // closes after the response is sent
    }
  },
};
