/**
 * A real TCP proxy on 127.0.0.1 (node:net) for fault injection: cut, stall,
 * delay, truncate or black-hole the connections between a client and a
 * server, or refuse new ones.
 *
 * @module
 */

import { connect, createServer, type Server, type Socket } from "node:net";

/** Where the proxy forwards to. */
export interface ProxyTarget {
  /** Default `"127.0.0.1"`. */
  host?: string;
  /** The server's port. */
  port: number;
}

interface Queued {
  chunk: Uint8Array;
  due: number;
}

/** One direction of one proxied connection. */
// While stalled, a direction buffers up to this much, then stops reading so
// that TCP backpressure reaches the sender.
const STALL_BUFFER = 1024 * 1024;

class Pipe {
  queue: Queued[] = [];
  queuedBytes = 0;
  ended = false;
  stallPaused = false;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** `truncate`: bytes still forwarded before the pair is cut. */
  budget: number | undefined;
  /** `cutMidReply`: cut within the next chunk, after `after` bytes (default: half). */
  cutNext: { after?: number } | undefined;

  constructor(
    readonly proxy: TcpProxy,
    readonly pair: Pair,
    readonly from: Socket,
    readonly to: Socket,
    readonly toClient: boolean,
  ) {
    from.on("data", (chunk: Uint8Array) => {
      if (pair.dropped || pair.cutting) return; // black hole or being cut: swallowed
      this.queue.push({ chunk, due: Date.now() + proxy.delayMs });
      this.queuedBytes += chunk.length;
      if (proxy.stalled && this.queuedBytes >= STALL_BUFFER && !this.stallPaused) {
        this.stallPaused = true;
        from.pause();
      }
      this.pump();
    });
    from.on("end", () => {
      if (pair.dropped || pair.cutting) return;
      this.ended = true;
      this.pump();
    });
  }

  pump(): void {
    if (this.proxy.stalled || this.pair.dropped || this.timer !== undefined) return;
    if (this.stallPaused) {
      this.stallPaused = false;
      this.from.resume();
    }
    while (this.queue.length > 0) {
      const head = this.queue[0];
      const wait = head.due - Date.now();
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, wait);
        return;
      }
      this.queue.shift();
      this.queuedBytes -= head.chunk.length;
      if (this.to.destroyed) continue;
      const chunk = head.chunk;
      // Truncation applies when a chunk is written, after any stall or delay.
      if (this.cutNext !== undefined) {
        const after = this.cutNext.after ?? Math.floor(chunk.length / 2);
        this.budget = Math.min(this.budget ?? Infinity, Math.max(0, Math.min(after, chunk.length - 1)));
        this.cutNext = undefined;
      }
      if (this.budget !== undefined) {
        if (chunk.length >= this.budget) {
          const last = chunk.subarray(0, this.budget);
          this.proxy.forwardedToClient += last.length;
          this.pair.cut(last);
          return;
        }
        this.budget -= chunk.length;
      }
      if (this.toClient) this.proxy.forwardedToClient += chunk.length;
      if (!this.to.write(chunk) && !this.from.isPaused()) {
        this.from.pause();
        this.to.once("drain", () => this.from.resume());
      }
    }
    if (this.ended && !this.to.destroyed) this.to.end();
  }

  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.queuedBytes = 0;
  }
}

class Pair {
  dropped = false;
  /** Being cut by a truncation: the server side is gone, the client side is flushing. */
  cutting = false;
  readonly up: Pipe;
  readonly down: Pipe;

  constructor(readonly proxy: TcpProxy, readonly client: Socket, readonly server: Socket) {
    this.up = new Pipe(proxy, this, client, server, false);
    this.down = new Pipe(proxy, this, server, client, true);
    for (const s of [client, server]) {
      s.setNoDelay(true);
      s.on("error", () => {}); // reported through 'close'
      s.on("close", () => {
        if (this.cutting && s === server) return; // let the client side flush
        if (!this.dropped) this.destroy();
        else if (s === client) proxy.pairs.delete(this);
      });
    }
  }

  destroy(): void {
    this.up.clear();
    this.down.clear();
    this.client.destroy();
    this.server.destroy();
    this.proxy.pairs.delete(this);
  }

  /**
   * Ends a truncation: drops the server side at once, writes `last` to the
   * client, then closes the client side once it is flushed (destroying it
   * right away could discard the bytes still being written).
   */
  cut(last: Uint8Array): void {
    if (this.cutting) return;
    this.cutting = true;
    this.up.clear();
    this.down.clear();
    this.server.destroy();
    if (this.client.destroyed) return this.destroy();
    const done = () => this.destroy();
    if (last.length > 0) this.client.end(last, done);
    else this.client.end(done);
  }
}

/**
 * A TCP proxy in front of `target`. Start it with `startProxy`.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * import { startProxy, startRedis } from "@uniredis/redis/testing";
 * await using server = await startRedis();
 * await using proxy = await startProxy({ port: server.port });
 * await using r = new Redis({ host: proxy.host, port: proxy.port });
 * await r.ping();
 * proxy.cutAll(); // the client sees its connection drop, and reconnects
 * console.log(await r.ping()); // true
 * ```
 */
export class TcpProxy {
  /** Always `"127.0.0.1"`. */
  readonly host = "127.0.0.1";
  /** The port clients connect to. */
  port = 0;
  /** @internal */
  readonly pairs = new Set<Pair>();
  /** @internal */
  stalled = false;
  /** @internal */
  delayMs = 0;
  /**
   * `Date.now()` of every client connection the proxy accepted, refused ones
   * included, in order: lets tests observe reconnect attempts and their
   * backoff. Tests may clear it (`proxy.accepted.length = 0`).
   */
  readonly accepted: number[] = [];
  /** @internal */
  forwardedToClient = 0;
  #refusing = false;
  #server: Server;
  #target: ProxyTarget;

  /** A proxy to `target`, not yet listening: use `startProxy`. */
  constructor(target: ProxyTarget) {
    this.#target = target;
    this.#server = createServer({ allowHalfOpen: true }, (client) => {
      this.accepted.push(Date.now());
      if (this.#refusing) {
        client.on("error", () => {});
        client.destroy();
        return;
      }
      const server = connect({
        host: this.#target.host ?? "127.0.0.1",
        port: this.#target.port,
        allowHalfOpen: true,
      });
      this.pairs.add(new Pair(this, client, server));
    });
    this.#server.unref();
  }

  /** @internal */
  listen(port = 0): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, "127.0.0.1", () => {
        const address = this.#server.address();
        this.port = typeof address === "object" && address !== null ? address.port : 0;
        resolve();
      });
    });
  }

  /** Number of client connections currently open through the proxy. */
  get connections(): number {
    return this.pairs.size;
  }

  /** Total bytes forwarded server→client over all connections so far (truncated parts included). */
  get bytesToClient(): number {
    return this.forwardedToClient;
  }

  /** Forwards new connections to another target (existing ones are untouched). */
  retarget(target: ProxyTarget): void {
    this.#target = target;
  }

  /** Destroys every proxied connection on both sides (new connections still work). */
  cutAll(): void {
    for (const pair of [...this.pairs]) pair.destroy();
  }

  /**
   * While on, nothing is forwarded in either direction: up to 1 MiB per
   * direction is buffered, then the proxy stops reading (the sender feels TCP
   * backpressure). Turning it off flushes the buffer in order.
   */
  stall(on: boolean): void {
    this.stalled = on;
    if (!on) {
      for (const pair of this.pairs) {
        pair.up.pump();
        pair.down.pump();
      }
    }
  }

  /** Delays data forwarded from now on by `ms` in each direction (order is kept). */
  delay(ms: number): void {
    this.delayMs = ms;
  }

  /**
   * Turns the current connections into black holes: nothing more is
   * forwarded and neither side is ever closed by the proxy, like a load
   * balancer that silently forgets idle connections. Connections made
   * afterwards work normally.
   */
  dropSilently(): void {
    for (const pair of this.pairs) {
      pair.dropped = true;
      pair.up.clear();
      pair.down.clear();
    }
  }

  /**
   * Lets at most `after` more bytes through server→client on each current
   * connection, then destroys it on both sides, so a reply spanning several
   * chunks can be cut at an exact byte offset. The cut happens when server
   * data is forwarded (after any `stall` or `delay`): `truncate(0)` cuts on
   * the next server data without forwarding any of it (the command ran, its
   * reply is lost); connections that get no more data stay armed.
   */
  truncate(after: number): void {
    for (const pair of this.pairs) {
      pair.down.budget = Math.min(pair.down.budget ?? Infinity, Math.max(0, after));
    }
  }

  /**
   * Cuts each current connection in the middle of the next chunk the server
   * sends it: only its first `after` bytes (default: half of it) are
   * forwarded, always a strict prefix (a 1-byte chunk forwards nothing), then
   * the connection is destroyed on both sides. Applies when the chunk is
   * forwarded (after any `stall` or `delay`); connections that get no more
   * data stay armed.
   */
  cutMidReply(after?: number): void {
    for (const pair of this.pairs) pair.down.cutNext = { after };
  }

  /**
   * While on, every new client connection is accepted, logged in `accepted`
   * and destroyed at once without dialing the target, like a server that is
   * down behind a port that still accepts. Existing connections are untouched.
   */
  refuse(on: boolean): void {
    this.#refusing = on;
  }

  /** Stops listening and destroys every connection. */
  close(): Promise<void> {
    for (const pair of [...this.pairs]) pair.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  /** `await using` support: `close()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Starts a proxy on a free port of 127.0.0.1 (or `port`) forwarding to `target`.
 *
 * @example
 * ```ts
 * import { startProxy } from "@uniredis/redis/testing";
 * const proxy = await startProxy({ host: "127.0.0.1", port: 7000 });
 * console.log(proxy.connections); // 0
 * await proxy.close();
 * ```
 */
export async function startProxy(target: ProxyTarget, port?: number): Promise<TcpProxy> {
  const proxy = new TcpProxy(target);
  await proxy.listen(port);
  return proxy;
}
