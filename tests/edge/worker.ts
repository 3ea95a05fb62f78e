/**
 * The Worker of the workerd smoke suite: bundled from `edge.ts` with esbuild
 * as wrangler does (no `nodejs_compat`), it answers one route per check with
 * JSON the driver (`tests/edge/workerd.ts`) asserts on. Every client is made
 * and closed inside the request that uses it, the pattern Workers support;
 * `/module-scope` shows what happens otherwise.
 *
 * @module
 */

import { Redis, type RedisOptions } from "../../edge.ts";

/** Text bindings from the workerd config. */
interface Env {
  REDIS_HOST: string;
  REDIS_PORT: string;
  REDIS_TLS_HOST: string;
  REDIS_TLS_PORT: string;
}

type Handler = (env: Env, url: URL) => Promise<unknown>;

function plain(env: Env, options: RedisOptions<true> = {}): Redis {
  return new Redis({ host: env.REDIS_HOST, port: Number(env.REDIS_PORT), ...options });
}

// `await using` would do, but the bundle targets what workerd parses today without relying on it.
async function withClient<C extends { close(): Promise<void> }, T>(
  r: C,
  fn: (r: C) => Promise<T>,
): Promise<T> {
  try {
    return await fn(r);
  } finally {
    await r.close();
  }
}

const routes: Record<string, Handler> = {
  "/commands": (env, url) =>
    withClient(plain(env), async (r) => {
      const key = `edge:cmd:${url.searchParams.get("id")}`;
      return {
        ping: await r.ping(),
        set: await r.set(key, "hello", { ex: 60 }),
        get: await r.get(key),
        incr: await r.incrby(`${key}:n`, 5),
        hset: await r.hset(`${key}:h`, { a: "1", b: "2" }),
        hgetall: await r.hgetall(`${key}:h`),
        del: await r.delete(key, `${key}:n`, `${key}:h`),
      };
    }),

  "/pipeline": (env, url) =>
    withClient(plain(env), async (r) => {
      const key = `edge:pipe:${url.searchParams.get("id")}`;
      const pipe = r.pipeline({ transaction: false });
      for (let i = 0; i < 100; i++) pipe.rpush(key, String(i));
      const pushed = await pipe.lrange(key, 0, -1).delete(key).exec() as unknown[];
      return { count: pushed.length, last: pushed[99], range: pushed[100], deleted: pushed[101] };
    }),

  "/transaction": (env, url) =>
    withClient(plain(env), async (r) => {
      const key = `edge:tx:${url.searchParams.get("id")}`;
      const multi = await r.pipeline().set(key, "1").incr(key).get(key).exec();
      // An optimistic transaction: WATCH, read, MULTI/EXEC.
      await r.transaction(async (pipe) => {
        const n = Number(await pipe.get(key) ?? 0);
        pipe.multi().set(key, String(n * 10));
      }, key);
      const after = await r.get(key);
      await r.delete(key);
      return { multi, after };
    }),

  "/resp3": (env) =>
    withClient(plain(env, { protocol: 3 }), async (r) => {
      // sendCommand flattens maps into [key, value, ...], as redis-py's execute_command does.
      const hello = await r.sendCommand("HELLO") as unknown[];
      const proto = hello[hello.indexOf("proto") + 1];
      // A Lua double is a RESP3 double (a number); RESP2 would give the bulk string "1.5".
      const double = await r.eval("return {double=1.5}");
      return { proto, double, doubleType: typeof double };
    }),

  "/binary": (env, url) =>
    withClient(
      new Redis({ host: env.REDIS_HOST, port: Number(env.REDIS_PORT), decodeResponses: false }),
      async (r) => {
        const key = `edge:bin:${url.searchParams.get("id")}`;
        const size = Number(url.searchParams.get("size"));
        const value = new Uint8Array(size);
        for (let i = 0; i < size; i++) value[i] = (i * 7 + (i >> 8)) & 0xff;
        await r.set(key, value);
        const back = await r.get(key);
        await r.delete(key);
        let same = back instanceof Uint8Array && back.length === size;
        for (let i = 0; same && i < size; i++) same = back![i] === value[i];
        return { length: back?.length ?? null, same };
      },
    ),

  "/pubsub": (env, url) =>
    withClient(plain(env, { protocol: Number(url.searchParams.get("protocol")) as 2 | 3 }), async (r) => {
      const channel = `edge:news:${url.searchParams.get("id")}`;
      const p = r.pubsub({ ignoreSubscribeMessages: true });
      try {
        await p.subscribe(channel);
        await p.psubscribe(`${channel}:*`);
        const receivers = [await r.publish(channel, "one"), await r.publish(`${channel}:x`, "two")];
        const messages = [];
        // With ignoreSubscribeMessages, getMessage answers null for a confirmation it skips: read on.
        const deadline = Date.now() + 5_000;
        while (messages.length < 2 && Date.now() < deadline) {
          const m = await p.getMessage({ timeout: 1_000 });
          if (m) messages.push({ type: m.type, channel: m.channel, pattern: m.pattern, data: m.data });
        }
        await p.unsubscribe();
        await p.punsubscribe();
        return { receivers, messages };
      } finally {
        await p.close();
      }
    }),

  "/tls": (env) =>
    withClient(
      new Redis({ host: env.REDIS_TLS_HOST, port: Number(env.REDIS_TLS_PORT), tls: {} }),
      async (r) => ({ ping: await r.ping(), echo: await r.echo("over tls") }),
    ),

  "/tls-options": async (env) => {
    // Options the Sockets API cannot honour are refused rather than ignored.
    const r = new Redis({
      host: env.REDIS_TLS_HOST,
      port: Number(env.REDIS_TLS_PORT),
      tls: { rejectUnauthorized: false },
    });
    try {
      await r.ping();
      return { error: null };
    } catch (e) {
      return { error: (e as Error).name, message: (e as Error).message };
    } finally {
      await r.disconnect();
    }
  },

  "/per-request": (env, url) =>
    withClient(plain(env), async (r) => ({ n: await r.incr(`edge:hits:${url.searchParams.get("id")}`) })),

  "/module-scope": async (env, url) => {
    moduleClient ??= plain(env);
    try {
      return { n: await moduleClient.incr(`edge:module:${url.searchParams.get("id")}`) };
    } catch (e) {
      return { error: (e as Error).name, message: (e as Error).message };
    }
  },
};

// The unsupported pattern: a client shared by every request.
let moduleClient: Redis | undefined;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const handler = routes[url.pathname];
    if (handler === undefined) return new Response("no such route", { status: 404 });
    try {
      return Response.json({ ok: true, result: await handler(env, url) });
    } catch (e) {
      const error = e as Error;
      return Response.json({ ok: false, error: error.name, message: error.message }, { status: 500 });
    }
  },
};
