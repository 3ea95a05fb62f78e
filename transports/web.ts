/**
 * The transport for runtimes with the Sockets API (`connect()` returning
 * readable/writable Web Streams), such as Cloudflare Workers'
 * `cloudflare:sockets`.
 *
 * @module
 */

import { ConnectionError } from "../lib/errors.ts";
import type { ConnectOptions, Connector, Transport } from "../lib/transport.ts";

/**
 * A socket as returned by the Sockets API `connect()`.
 *
 * @example
 * ```ts
 * import type { SocketsApiSocket } from "@uniredis/redis/web";
 * const isOpen = async (s: SocketsApiSocket) => s.opened.then(() => true, () => false);
 * ```
 */
export interface SocketsApiSocket {
  /** Bytes from the peer. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer. */
  readonly writable: WritableStream<Uint8Array>;
  /** Settles when the connection is established (rejects when it cannot be). */
  readonly opened: Promise<unknown>;
  /** Settles when the socket is closed (rejects on error). */
  readonly closed: Promise<unknown>;
  /** Closes the socket. */
  close(): Promise<unknown> | void;
}

/**
 * The Sockets API `connect` function (`import { connect } from "cloudflare:sockets"`).
 *
 * @example
 * ```ts
 * import type { SocketsApiConnect } from "@uniredis/redis/web";
 * import { connect } from "cloudflare:sockets";
 * const c: SocketsApiConnect = connect;
 * ```
 */
export type SocketsApiConnect = (
  address: { hostname: string; port: number },
  options?: { secureTransport?: "on" | "off" | "starttls"; allowHalfOpen?: boolean },
) => SocketsApiSocket;

// write() returns a promise while the writable's queue holds more than this.
const HIGH_WATER = 64 * 1024;
// How long close() lets queued bytes drain before closing anyway.
const CLOSE_GRACE_MS = 1000;

const ignore = () => {};

class WebTransport implements Transport {
  readonly #socket: SocketsApiSocket;
  readonly #target: string;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  #onData: ((chunk: Uint8Array) => void) | undefined;
  #pending: Uint8Array[] | undefined;
  #onClose: ((error?: Error) => void) | undefined;
  #ended = false;
  #error: Error | undefined;
  #notified = false;
  #queued = 0;
  #drain: Promise<void> | undefined;
  #resolveDrain: (() => void) | undefined;
  #closing: Promise<void> | undefined;
  #resolveClosed: (() => void) | undefined;

  constructor(socket: SocketsApiSocket, target: string) {
    this.#socket = socket;
    this.#target = target;
    this.#reader = socket.readable.getReader();
    this.#writer = socket.writable.getWriter();
    this.#readLoop();
  }

  async #readLoop(): Promise<void> {
    const reader = this.#reader;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        // The stream hands over a new chunk per read; ArrayBuffers are wrapped, not copied.
        const chunk = value instanceof Uint8Array ? value : new Uint8Array(value as ArrayBuffer);
        if (chunk.length === 0) continue;
        const handler = this.#onData;
        if (handler !== undefined) handler(chunk);
        else (this.#pending ??= []).push(chunk);
      }
      this.#teardown(undefined);
    } catch (e) {
      this.#teardown(this.#lost(e));
    }
  }

  #lost(e: unknown): ConnectionError {
    return new ConnectionError(`connection to ${this.#target} lost: ${(e as Error)?.message ?? e}`, {
      cause: e,
    });
  }

  write(chunk: Uint8Array): void | Promise<void> {
    if (this.#ended || this.#closing !== undefined) return;
    // The writer queues in order; each promise settles once the chunk is sent.
    const size = chunk.length;
    this.#queued += size;
    this.#writer.write(chunk).then(() => {
      this.#queued -= size;
      if (this.#resolveDrain !== undefined && this.#queued <= HIGH_WATER) this.#releaseDrain();
    }, (e) => this.#teardown(this.#lost(e)));
    if (this.#queued <= HIGH_WATER) return;
    return this.#drain ??= new Promise<void>((resolve) => this.#resolveDrain = resolve);
  }

  #releaseDrain(): void {
    const resolve = this.#resolveDrain;
    this.#drain = undefined;
    this.#resolveDrain = undefined;
    resolve?.();
  }

  onData(handler: (chunk: Uint8Array) => void): void {
    this.#onData = handler;
    const pending = this.#pending;
    if (pending !== undefined) {
      this.#pending = undefined;
      for (const chunk of pending) handler(chunk);
    }
    this.#notify();
  }

  onClose(handler: (error?: Error) => void): void {
    this.#onClose = handler;
    this.#notify();
  }

  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    if (this.#ended) return this.#closing = Promise.resolve();
    this.#closing = new Promise<void>((resolve) => this.#resolveClosed = resolve);
    if (this.#queued === 0) {
      this.#teardown(undefined);
    } else {
      // Let queued writes go out (bounded), then close.
      const timer = setTimeout(() => this.#teardown(undefined), CLOSE_GRACE_MS);
      this.#writer.ready.then(() => this.#writer.close()).catch(ignore).finally(() => {
        clearTimeout(timer);
        this.#teardown(undefined);
      });
    }
    return this.#closing;
  }

  #teardown(error: Error | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    // A local close() is not a failure, whatever the socket reported.
    if (this.#closing === undefined) this.#error = error;
    this.#reader.cancel().catch(ignore);
    try {
      const closing = this.#socket.close();
      if (closing instanceof Promise) closing.catch(ignore);
    } catch { /* already closed */ }
    this.#releaseDrain();
    this.#resolveClosed?.();
    this.#notify();
  }

  #notify(): void {
    if (!this.#ended || this.#notified || this.#onClose === undefined || this.#pending !== undefined) return;
    this.#notified = true;
    this.#onClose(this.#error);
  }
}

// What the Sockets API cannot express fails before connecting, rather than
// silently weakening or changing the TLS setup.
function unsupported(options: ConnectOptions, target: string): ConnectionError | undefined {
  const no = (what: string) => new ConnectionError(`cannot connect to ${target}: the Sockets API ${what}`);
  if (options.path !== undefined) return no("has no unix sockets");
  const tls = options.tls;
  if (tls === undefined) return undefined;
  if (tls.rejectUnauthorized === false) {
    return no("always verifies certificates (tls.rejectUnauthorized: false)");
  }
  if (tls.ca !== undefined) return no("trusts only the platform's CAs (tls.ca cannot be set)");
  if (tls.cert !== undefined || tls.key !== undefined) {
    return no("cannot send a client certificate (tls.cert/key)");
  }
  if (tls.servername !== undefined && tls.servername !== options.host) {
    return no("checks the certificate against the host it dials (tls.servername must be the host)");
  }
  return undefined;
}

/**
 * Makes a `Connector` from a Sockets API `connect` function (Cloudflare
 * Workers' `cloudflare:sockets`, or any implementation of that shape).
 * TLS uses `secureTransport: "on"` with the platform's verification; `ca`,
 * client certificates, `rejectUnauthorized: false`, a `servername` other
 * than the host and unix sockets cannot be expressed and reject with a
 * `ConnectionError`. `noDelay` and `keepAlive` are left to the platform.
 *
 * @example
 * ```ts
 * import { connect } from "cloudflare:sockets";
 * import { Redis } from "@uniredis/redis";
 * import { webConnector } from "@uniredis/redis/web";
 * const r = new Redis({ host: "redis.example.com", port: 6380, tls: {}, connector: webConnector(connect) });
 * ```
 */
export function webConnector(connect: SocketsApiConnect): Connector {
  return async (options: ConnectOptions): Promise<Transport> => {
    const host = options.host ?? "localhost";
    const target = options.path ?? `${host}:${options.port}`;
    const signal = options.signal;
    const aborted = () => new ConnectionError(`connection to ${target} aborted`, { cause: signal?.reason });
    if (signal?.aborted) throw aborted();
    if (options.path === undefined && options.port === undefined) {
      throw new ConnectionError(`cannot connect to ${target}: no port or path given`);
    }
    const refused = unsupported(options, target);
    if (refused !== undefined) throw refused;

    let socket: SocketsApiSocket;
    try {
      socket = connect({ hostname: host, port: options.port! }, {
        secureTransport: options.tls === undefined ? "off" : "on",
        allowHalfOpen: false,
      });
    } catch (e) {
      throw new ConnectionError(`cannot connect to ${target}: ${(e as Error)?.message ?? e}`, { cause: e });
    }
    socket.closed.catch(ignore); // failures are reported through `opened` and the streams
    let onAbort: (() => void) | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        if (signal !== undefined) {
          onAbort = () => reject(aborted());
          signal.addEventListener("abort", onAbort, { once: true });
        }
        socket.opened.then(() => resolve(), (e) => {
          reject(
            new ConnectionError(`cannot connect to ${target}: ${(e as Error)?.message ?? e}`, { cause: e }),
          );
        });
      });
    } catch (e) {
      try {
        const closing = socket.close();
        if (closing instanceof Promise) closing.catch(ignore);
      } catch { /* already closed */ }
      throw e;
    } finally {
      if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
    }
    return new WebTransport(socket, target);
  };
}
