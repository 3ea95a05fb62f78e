/**
 * The contract between the Redis core and a runtime's sockets. `lib/` only
 * sees these types; each file in `transports/` adapts one runtime family.
 *
 * @module
 */

/**
 * Where and how to connect. Exactly one of `host`/`port` or `path` is used.
 *
 * @example
 * ```ts
 * import type { ConnectOptions } from "@uniredis/redis";
 * const o: ConnectOptions = { host: "127.0.0.1", port: 6379, noDelay: true };
 * console.log(o.port); // 6379
 * ```
 */
export interface ConnectOptions {
  /** Host name or IP address (TCP). */
  host?: string;
  /** TCP port. */
  port?: number;
  /** Unix domain socket path; when set, `host`/`port` are ignored. */
  path?: string;
  /** TLS settings; absent means plain TCP. */
  tls?: TlsConnectOptions;
  /** Disable Nagle's algorithm (default true in every transport). */
  noDelay?: boolean;
  /** TCP keepalive initial delay in milliseconds; absent or 0 disables it. */
  keepAlive?: number;
  /** Aborts the connection attempt (the client uses it for its connect timeout). */
  signal?: AbortSignal;
}

/**
 * TLS settings. Certificate and host name verification are on unless
 * `rejectUnauthorized` is `false`.
 *
 * @example
 * ```ts
 * import type { TlsConnectOptions } from "@uniredis/redis";
 * const tls: TlsConnectOptions = { ca: "-----BEGIN CERTIFICATE-----\n...", servername: "redis.local" };
 * console.log(tls.rejectUnauthorized ?? true); // true
 * ```
 */
export interface TlsConnectOptions {
  /** PEM CA certificate(s) to trust instead of the system store. */
  ca?: string | string[];
  /** PEM client certificate, for mutual TLS. */
  cert?: string;
  /** PEM private key of `cert`. */
  key?: string;
  /** Verify the server's certificate and name (default `true`). */
  rejectUnauthorized?: boolean;
  /** Name sent in SNI and checked against the certificate (default: the host). */
  servername?: string;
}

/**
 * One connected, bidirectional byte stream.
 *
 * The handlers are set once, right after connecting; bytes that arrive
 * before `onData` is called are buffered by the transport and delivered then.
 *
 * @example A transport over an in-memory pair (for illustration)
 * ```ts
 * import type { Transport } from "@uniredis/redis";
 * const sink: Uint8Array[] = [];
 * const t: Transport = {
 *   write(chunk) { sink.push(chunk); },
 *   onData() {},
 *   onClose() {},
 *   async close() {},
 * };
 * t.write(new Uint8Array([42]));
 * console.log(sink.length); // 1
 * ```
 */
export interface Transport {
  /**
   * Queues bytes for sending, in order. The transport takes ownership of the
   * chunk: the caller never modifies it afterwards. A returned promise
   * resolves when the socket can take more (backpressure).
   */
  write(chunk: Uint8Array): void | Promise<void>;
  /** Sets the handler for every received chunk (chunks are never reused by the transport). */
  onData(handler: (chunk: Uint8Array) => void): void;
  /** Sets the handler called once when the stream ends, with the error if it failed. */
  onClose(handler: (error?: Error) => void): void;
  /** Closes the stream; resolves once it is closed. Safe to call twice. */
  close(): Promise<void>;
  /**
   * Optional: the bytes as a string when every byte is ASCII, else
   * `undefined`. Offered where the runtime has a native routine faster than
   * `TextDecoder` for long text (Node's `buffer.isAscii` with an ASCII or
   * Latin-1 slice: 1 MiB in 0.13–0.22 ms against 0.4–1 ms). Called without
   * `this`.
   */
  readonly asciiText?: (bytes: Uint8Array) => string | undefined;
}

/**
 * Opens a transport. Rejects with the underlying error when the connection
 * cannot be made or `signal` aborts.
 *
 * @example Using the Node transport explicitly
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * import { nodeConnector } from "@uniredis/redis/node";
 * const r = new Redis({ connector: nodeConnector });
 * await r.close();
 * ```
 */
export type Connector = (options: ConnectOptions) => Promise<Transport>;
