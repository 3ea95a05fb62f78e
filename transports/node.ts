/**
 * The transport for Node.js (`node:net`, `node:tls`). It also runs on Deno and
 * Bun through their Node compatibility layers.
 *
 * @module
 */

import * as buffer from "node:buffer";
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { ConnectOptions, Connector, Transport } from "../lib/transport.ts";
import {
  abortError,
  checkConnect,
  CLOSE_GRACE_MS,
  connectError,
  describeTarget,
  StreamTransport,
} from "./stream_transport.ts";

// `isAscii` is Node 18.15+ (and Bun's, and Deno's node:buffer); without it, TextDecoder decodes everything.
const isAscii = (buffer as { isAscii?: (bytes: Uint8Array) => boolean }).isAscii;

/**
 * Long ASCII text through Node's native routines: on Node 20 and 22, 1 MiB takes about 0.15 ms, against 1 ms
 * with TextDecoder (measured).
 */
const nodeAsciiText = isAscii === undefined
  ? undefined
  : (bytes: Uint8Array): string | undefined =>
    isAscii(bytes)
      ? buffer.Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("ascii")
      : undefined;

class NodeTransport extends StreamTransport {
  readonly #socket: Socket;
  readonly asciiText: ((bytes: Uint8Array) => string | undefined) | undefined = nodeAsciiText;

  constructor(socket: Socket, target: string) {
    super(target);
    this.#socket = socket;
    // Node allocates a fresh Buffer (a Uint8Array) per read and never
    // reuses it, so chunks are handed over without copying.
    socket.on("data", (chunk: Uint8Array) => this.deliver(chunk));
    socket.on("error", (e: Error) => this.recordError(this.failed(e)));
    socket.on("drain", () => this.releaseDrain());
    socket.on("close", () => this.finish());
  }

  write(chunk: Uint8Array): void | Promise<void> {
    if (this.ended || this.closing) return;
    if (this.#socket.write(chunk)) return;
    return this.waitDrain(); // settled on "drain", or on "close"
  }

  protected closeSocket(): void {
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
  const refused = checkConnect(options, target);
  if (refused !== undefined) return Promise.reject(refused);
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
      reject(connectError(target, e));
      return;
    }
    const settle = () => {
      socket.off("error", onError);
      socket.off("close", onEarlyClose);
      socket.off(tls === undefined ? "connect" : "secureConnect", onConnect);
      socket.off("connect", onTcpConnect);
      signal?.removeEventListener("abort", onAbort);
    };
    // For TLS, "connect" is the TCP connect: any failure after it is the handshake's.
    let handshaking = false;
    const onTcpConnect = () => handshaking = true;
    const onError = (e: Error) => {
      settle();
      socket.destroy();
      reject(connectError(target, e, handshaking));
    };
    const onEarlyClose = () =>
      onError(
        new Error(
          `the connection closed ${handshaking ? "during the handshake" : "before it was established"}`,
        ),
      );
    const onAbort = () => {
      settle();
      socket.destroy();
      reject(abortError(target, signal));
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
    if (tls !== undefined) socket.once("connect", onTcpConnect);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
};
