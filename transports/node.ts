/**
 * The transport for Node.js (`node:net`, `node:tls`). It also runs on Deno and
 * Bun through their Node compatibility layers.
 *
 * @module
 */

import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { ConnectionError } from "../lib/errors.ts";
import type { ConnectOptions, Connector, Transport } from "../lib/transport.ts";

// How long close() lets already-accepted bytes drain before destroying.
const CLOSE_GRACE_MS = 1000;

function describeTarget(options: ConnectOptions): string {
  return options.path ?? `${options.host ?? "localhost"}:${options.port}`;
}

class NodeTransport implements Transport {
  readonly #socket: Socket;
  readonly #target: string;
  #onData: ((chunk: Uint8Array) => void) | undefined;
  #pending: Uint8Array[] | undefined;
  #onClose: ((error?: Error) => void) | undefined;
  #ended = false;
  #error: Error | undefined;
  #notified = false;
  #drain: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #resolveClosed: (() => void) | undefined;

  constructor(socket: Socket, target: string) {
    this.#socket = socket;
    this.#target = target;
    // Node allocates a fresh Buffer (a Uint8Array) per read and never
    // reuses it, so chunks are handed over without copying.
    socket.on("data", (chunk: Uint8Array) => {
      const handler = this.#onData;
      if (handler !== undefined) handler(chunk);
      else (this.#pending ??= []).push(chunk);
    });
    socket.on("error", (e: Error) => {
      this.#error ??= new ConnectionError(`connection to ${target} failed: ${e.message}`, { cause: e });
    });
    socket.on("close", () => this.#finish());
  }

  write(chunk: Uint8Array): void | Promise<void> {
    if (this.#ended || this.#closing !== undefined) return;
    if (this.#socket.write(chunk)) return;
    return this.#drain ??= new Promise<void>((resolve) => {
      const done = () => {
        this.#socket.off("drain", done);
        this.#socket.off("close", done);
        this.#drain = undefined;
        resolve();
      };
      this.#socket.on("drain", done);
      this.#socket.on("close", done);
    });
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
    const socket = this.#socket;
    if (socket.writableLength === 0) {
      socket.destroy();
    } else {
      // Let accepted bytes reach the OS (bounded), then FIN and release.
      const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
      socket.once("finish", () => {
        clearTimeout(timer);
        socket.destroy();
      });
      socket.end();
    }
    return this.#closing;
  }

  #finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    // A local close() is not a failure, whatever the socket reported.
    if (this.#closing !== undefined) this.#error = undefined;
    this.#resolveClosed?.();
    this.#notify();
  }

  #notify(): void {
    if (!this.#ended || this.#notified || this.#onClose === undefined || this.#pending !== undefined) return;
    this.#notified = true;
    this.#onClose(this.#error);
  }
}

/**
 * Connects with `node:net` (TCP or unix socket) or `node:tls`. Received
 * chunks are Node's own Buffers, handed over without a copy. `write` returns
 * a promise only when the socket's buffer is full (it resolves on `drain`).
 *
 * @example
 * ```ts
 * import { nodeConnector } from "@uniredis/redis/node";
 * const t = await nodeConnector({ host: "127.0.0.1", port: 6379 });
 * t.onData((chunk) => console.log(new TextDecoder().decode(chunk))); // "+PONG\r\n"
 * t.onClose((error) => console.log("closed", error));
 * t.write(new TextEncoder().encode("*1\r\n$4\r\nPING\r\n"));
 * ```
 */
export const nodeConnector: Connector = (options: ConnectOptions): Promise<Transport> => {
  const target = describeTarget(options);
  const signal = options.signal;
  if (signal?.aborted) {
    return Promise.reject(new ConnectionError(`connection to ${target} aborted`, { cause: signal.reason }));
  }
  if (options.path === undefined && options.port === undefined) {
    return Promise.reject(new ConnectionError(`cannot connect to ${target}: no port or path given`));
  }
  return new Promise<Transport>((resolve, reject) => {
    const where = options.path !== undefined
      ? { path: options.path }
      : { host: options.host ?? "localhost", port: options.port };
    const tls = options.tls;
    let socket: Socket;
    try {
      socket = tls === undefined ? netConnect(where as { port: number }) : tlsConnect({
        ...where,
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        // Node uses the host for SNI and the name check when this is absent.
        servername: tls.servername,
        rejectUnauthorized: tls.rejectUnauthorized ?? true,
      });
    } catch (e) {
      reject(new ConnectionError(`cannot connect to ${target}: ${(e as Error).message}`, { cause: e }));
      return;
    }
    const settle = () => {
      socket.off("error", onError);
      socket.off("close", onEarlyClose);
      socket.off(tls === undefined ? "connect" : "secureConnect", onConnect);
      signal?.removeEventListener("abort", onAbort);
    };
    const onError = (e: Error) => {
      settle();
      socket.destroy();
      reject(new ConnectionError(`cannot connect to ${target}: ${e.message}`, { cause: e }));
    };
    const onEarlyClose = () => onError(new Error("the connection closed before it was established"));
    const onAbort = () => {
      settle();
      socket.destroy();
      reject(new ConnectionError(`connection to ${target} aborted`, { cause: signal?.reason }));
    };
    const onConnect = () => {
      settle();
      if (options.path === undefined) {
        socket.setNoDelay(options.noDelay ?? true);
        if (options.keepAlive) socket.setKeepAlive(true, options.keepAlive);
      }
      resolve(new NodeTransport(socket, target));
    };
    socket.once("error", onError);
    socket.once("close", onEarlyClose);
    socket.once(tls === undefined ? "connect" : "secureConnect", onConnect);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
};
