/**
 * The transport for runtimes with the Sockets API (`connect()` returning
 * readable/writable Web Streams), such as Cloudflare Workers'
 * `cloudflare:sockets`.
 *
 * @module
 */

import { ConnectionError } from "../lib/errors.ts";
import type { ConnectOptions, Connector, Transport } from "../lib/transport.ts";
import {
  abortError,
  checkConnect,
  CLOSE_GRACE_MS,
  connectError,
  describeTarget,
  StreamTransport,
} from "./stream_transport.ts";

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

const ignore = () => {};

function closeQuietly(socket: SocketsApiSocket): void {
  try {
    const closing = socket.close();
    if (closing instanceof Promise) closing.catch(ignore);
  } catch { /* already closed */ }
}

class WebTransport extends StreamTransport {
  readonly #socket: SocketsApiSocket;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  #queued = 0;

  constructor(socket: SocketsApiSocket, target: string) {
    super(target);
    this.#socket = socket;
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
        this.deliver(chunk);
      }
      this.finish();
    } catch (e) {
      this.finish(this.lost(e));
    }
  }

  write(chunk: Uint8Array): void | Promise<void> {
    if (this.ended || this.closing) return;
    // The writer queues in order; each promise settles once the chunk is sent.
    const size = chunk.length;
    this.#queued += size;
    this.#writer.write(chunk).then(() => {
      this.#queued -= size;
      if (this.#queued <= HIGH_WATER) this.releaseDrain();
    }, (e) => this.finish(this.lost(e)));
    if (this.#queued <= HIGH_WATER) return;
    return this.waitDrain();
  }

  protected closeSocket(): void {
    if (this.#queued === 0) {
      this.finish();
      return;
    }
    // Let queued writes go out (bounded), then close.
    const timer = setTimeout(() => this.finish(), CLOSE_GRACE_MS);
    this.#writer.ready.then(() => this.#writer.close()).catch(ignore).finally(() => {
      clearTimeout(timer);
      this.finish();
    });
  }

  protected override teardown(): void {
    this.#reader.cancel().catch(ignore);
    closeQuietly(this.#socket);
  }
}

// What the Sockets API cannot express fails before connecting, rather than
// silently weakening or changing the TLS setup.
function unsupported(options: ConnectOptions, target: string): ConnectionError | undefined {
  const no = (what: string) => new ConnectionError(`Error connecting to ${target}: the Sockets API ${what}`);
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
    const target = describeTarget(options);
    const signal = options.signal;
    const refused = checkConnect(options, target) ?? unsupported(options, target);
    if (refused !== undefined) throw refused;

    let socket: SocketsApiSocket;
    try {
      socket = connect({ hostname: options.host ?? "localhost", port: options.port! }, {
        secureTransport: options.tls === undefined ? "off" : "on",
        allowHalfOpen: false,
      });
    } catch (e) {
      throw connectError(target, e);
    }
    socket.closed.catch(ignore); // failures are reported through `opened` and the streams
    let onAbort: (() => void) | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        if (signal !== undefined) {
          onAbort = () => reject(abortError(target, signal));
          signal.addEventListener("abort", onAbort, { once: true });
        }
        socket.opened.then(() => resolve(), (e) => reject(connectError(target, e)));
      });
    } catch (e) {
      closeQuietly(socket);
      throw e;
    } finally {
      if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
    }
    return new WebTransport(socket, target);
  };
}
