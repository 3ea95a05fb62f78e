/**
 * A real TCP proxy on 127.0.0.1 (node:net) for fault injection: cut, stall,
 * delay or black-hole the connections between a client and a server.
 *
 * @module
 */

import { connect, createServer, type Server, type Socket } from "node:net";

/** Where the proxy forwards to. */
export interface ProxyTarget {
  host?: string;
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

  constructor(readonly proxy: TcpProxy, readonly pair: Pair, readonly from: Socket, readonly to: Socket) {
    from.on("data", (chunk: Uint8Array) => {
      if (pair.dropped) return; // black hole: swallowed, never answered
      this.queue.push({ chunk, due: Date.now() + proxy.delayMs });
      this.queuedBytes += chunk.length;
      if (proxy.stalled && this.queuedBytes >= STALL_BUFFER && !this.stallPaused) {
        this.stallPaused = true;
        from.pause();
      }
      this.pump();
    });
    from.on("end", () => {
      if (pair.dropped) return;
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
      if (!this.to.write(head.chunk) && !this.from.isPaused()) {
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
  readonly up: Pipe;
  readonly down: Pipe;

  constructor(readonly proxy: TcpProxy, readonly client: Socket, readonly server: Socket) {
    this.up = new Pipe(proxy, this, client, server);
    this.down = new Pipe(proxy, this, server, client);
    for (const s of [client, server]) {
      s.setNoDelay(true);
      s.on("error", () => {}); // reported through 'close'
      s.on("close", () => {
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
}

/**
 * A TCP proxy in front of `target`. Start it with `startProxy`.
 *
 * @example
 * ```ts
 * import { startProxy } from "./proxy.ts";
 * const proxy = await startProxy({ port: server.port });
 * // connect the client to proxy.host:proxy.port, then inject faults:
 * proxy.cutAll();
 * await proxy.close();
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
  #server: Server;
  #target: ProxyTarget;

  constructor(target: ProxyTarget) {
    this.#target = target;
    this.#server = createServer({ allowHalfOpen: true }, (client) => {
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

  /** Stops listening and destroys every connection. */
  close(): Promise<void> {
    for (const pair of [...this.pairs]) pair.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/**
 * Starts a proxy on a free port of 127.0.0.1 (or `port`) forwarding to `target`.
 *
 * @example
 * ```ts
 * import { startProxy } from "./proxy.ts";
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
