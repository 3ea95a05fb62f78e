/**
 * What every transport does the same way, whatever the runtime: buffering
 * chunks that arrive before `onData`, calling `onClose` exactly once after
 * them, the idempotent `close()`, the backpressure promise and the wording of
 * connection errors. Each file in `transports/` extends {@linkcode StreamTransport}
 * and keeps only its runtime's sockets. Not re-exported by the package.
 *
 * @module
 */

import { ConnectionError } from "../lib/errors.ts";
import type { ConnectOptions, Transport } from "../lib/transport.ts";

/**
 * How long `close()` lets already-accepted bytes drain before closing the
 * socket anyway, in milliseconds.
 *
 * @example
 * ```ts
 * import { CLOSE_GRACE_MS } from "./stream_transport.ts";
 * console.log(CLOSE_GRACE_MS); // 1000
 * ```
 */
export const CLOSE_GRACE_MS = 1000;

/**
 * Names the connection's target in error messages: the unix socket path, or
 * `host:port`.
 *
 * @example
 * ```ts
 * import { describeTarget } from "./stream_transport.ts";
 * console.log(describeTarget({ port: 6380 })); // "localhost:6380"
 * ```
 */
export function describeTarget(options: ConnectOptions): string {
  return options.path ?? `${options.host ?? "localhost"}:${options.port}`;
}

// OS error codes in words; the code itself is kept in brackets to search for.
const REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOENT: "no such socket file",
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "host name lookup failed for now",
  ECONNRESET: "connection reset by the peer",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  EACCES: "permission denied",
  EADDRNOTAVAIL: "address not available",
  ECONNABORTED: "connection aborted",
};

// Deno reports a failed lookup without a code; its text (getaddrinfo's) says which.
const LOOKUP_FAILED =
  /failed to lookup address|Name or service not known|nodename nor servname|No address associated/i;
const LOOKUP_AGAIN = /Temporary failure in name resolution/i;
// Certificate and handshake failures of every runtime (Node's codes, Deno's and Bun's texts).
const TLS_FAILURE = /certificate|\bSSL\b|\bTLS\b|handshake|UnknownIssuer|NotValidForName/i;

function codeOf(cause: unknown): string | undefined {
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code !== "") return code;
  const message = String((cause as Error)?.message ?? "");
  if (LOOKUP_AGAIN.test(message)) return "EAI_AGAIN";
  if (LOOKUP_FAILED.test(message)) return "ENOTFOUND";
  return undefined;
}

/**
 * The cause of a failed connect in a few words, the same on every runtime:
 * `connection refused (ECONNREFUSED)` whether Deno, Bun or Node said it, or
 * `TLS handshake failed: <what the TLS library said>`.
 *
 * @example
 * ```ts
 * import { connectReason } from "./stream_transport.ts";
 * const refused = Object.assign(new Error("Failed to connect"), { code: "ECONNREFUSED" });
 * console.log(connectReason(refused)); // "connection refused (ECONNREFUSED)"
 * ```
 */
export function connectReason(cause: unknown, tls = false): string {
  const code = codeOf(cause);
  const text = describeCause(cause);
  if (text.startsWith("TLS handshake failed")) return text;
  if (tls) return `TLS handshake failed: ${text}`;
  // Without the phase known, only a message that says so is a TLS failure (not "connection refused").
  if (code !== undefined && REASONS[code] !== undefined) return text;
  return TLS_FAILURE.test(text) ? `TLS handshake failed: ${text}` : text;
}

// An OS error in words with its code, else the error's own message (plus its code).
function describeCause(cause: unknown): string {
  const code = codeOf(cause);
  const message = String((cause as Error)?.message ?? cause);
  if (code === undefined) return message;
  const known = REASONS[code];
  if (known !== undefined) return `${known} (${code})`;
  return message.includes(code) ? message : `${message} (${code})`;
}

/**
 * The error a connect attempt rejects with: `Error connecting to <target>: <reason>`
 * (see {@linkcode connectReason}), keeping the cause. `tls` says the failure
 * came after the TCP connect, during the TLS handshake.
 *
 * @example
 * ```ts
 * import { connectError } from "./stream_transport.ts";
 * const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
 * console.log(connectError("127.0.0.1:6380", refused).message);
 * // "Error connecting to 127.0.0.1:6380: connection refused (ECONNREFUSED)"
 * ```
 */
export function connectError(target: string, cause: unknown, tls = false): ConnectionError {
  return new ConnectionError(`Error connecting to ${target}: ${connectReason(cause, tls)}`, { cause });
}

/**
 * The error a connect attempt rejects with when its signal aborts; the
 * signal's reason is the cause.
 *
 * @example
 * ```ts
 * import { abortError } from "./stream_transport.ts";
 * console.log(abortError("127.0.0.1:6380", AbortSignal.abort()).message); // "connection to 127.0.0.1:6380 aborted"
 * ```
 */
export function abortError(target: string, signal: AbortSignal | undefined): ConnectionError {
  return new ConnectionError(`connection to ${target} aborted`, { cause: signal?.reason });
}

/**
 * What fails a connect before anything is attempted, in every runtime: an
 * already aborted signal, or neither a port nor a path.
 *
 * @example
 * ```ts
 * import { checkConnect } from "./stream_transport.ts";
 * console.log(checkConnect({ host: "redis.local" }, "redis.local")?.message);
 * // "Error connecting to redis.local: no port or path given"
 * ```
 */
export function checkConnect(options: ConnectOptions, target: string): ConnectionError | undefined {
  if (options.signal?.aborted) return abortError(target, options.signal);
  if (options.path === undefined && options.port === undefined) {
    return new ConnectionError(`Error connecting to ${target}: no port or path given`);
  }
  return undefined;
}

/**
 * Merges the small chunks at the head of a write queue into one chunk of at
 * most `limit` bytes, in place, so that a backlog of many small commands
 * costs one socket write rather than one each. Chunks are never modified.
 *
 * @example
 * ```ts
 * import { coalesceHead } from "./stream_transport.ts";
 * const queue = [new Uint8Array(2), new Uint8Array(3), new Uint8Array(10)];
 * coalesceHead(queue, 8);
 * console.log(queue.map((c) => c.length)); // [5, 10]
 * ```
 */
export function coalesceHead(queue: Uint8Array[], limit: number): void {
  if (queue.length < 2 || queue[0].length >= limit) return;
  let count = 0;
  let size = 0;
  while (count < queue.length && size + queue[count].length <= limit) size += queue[count++].length;
  if (count <= 1) return;
  const merged = new Uint8Array(size);
  let at = 0;
  for (let i = 0; i < count; i++) {
    merged.set(queue[i], at);
    at += queue[i].length;
  }
  queue.splice(0, count, merged);
}

/**
 * The runtime-independent half of a {@linkcode Transport}. It keeps the
 * handlers and the stream's state; a subclass adapts one runtime's socket:
 *
 * - it passes every received chunk to `deliver` (buffered until `onData` is
 *   set, then handed over in order);
 * - it calls `finish(error?)` when the socket is gone, for whatever reason:
 *   once the buffered chunks are delivered, `onClose` is called exactly once,
 *   without an error if `close()` was called, and `teardown()` frees what the
 *   runtime still holds;
 * - its `write` returns `waitDrain()` on backpressure and calls
 *   `releaseDrain()` when the socket takes more (`finish` releases it too);
 * - `closeSocket()` starts closing on the first `close()`, which resolves
 *   when `finish` is called.
 *
 * @example A loopback transport: what is written comes back
 * ```ts
 * import { StreamTransport } from "./stream_transport.ts";
 * class Loopback extends StreamTransport {
 *   write(chunk: Uint8Array): void {
 *     if (!this.ended && !this.closing) this.deliver(chunk);
 *   }
 *   protected closeSocket(): void {
 *     this.finish();
 *   }
 * }
 * const t = new Loopback("loopback");
 * t.write(new Uint8Array([42])); // buffered: no onData yet
 * t.onData((chunk) => console.log(chunk)); // Uint8Array(1) [ 42 ]
 * t.onClose((error) => console.log("closed", error)); // "closed undefined", after close()
 * await t.close();
 * ```
 */
export abstract class StreamTransport implements Transport {
  /** The target as error messages name it (see {@linkcode describeTarget}). */
  protected readonly target: string;
  #onData: ((chunk: Uint8Array) => void) | undefined;
  // Chunks received before onData was set, oldest first; onClose waits for them.
  #pending: Uint8Array[] | undefined;
  #onClose: ((error?: Error) => void) | undefined;
  #ended = false;
  #error: Error | undefined;
  #notified = false;
  #closing: Promise<void> | undefined;
  #resolveClosed: (() => void) | undefined;
  #drain: Promise<void> | undefined;
  #resolveDrain: (() => void) | undefined;

  /** `target` names the peer in error messages. */
  constructor(target: string) {
    this.target = target;
  }

  /** See {@linkcode Transport.write}; writes after the end or after `close()` are dropped. */
  abstract write(chunk: Uint8Array): void | Promise<void>;

  /** Starts closing the socket; called once, on the first `close()` of a live stream. */
  protected abstract closeSocket(): void;

  /** Frees what the runtime still holds once the stream ended; called once, by `finish`. */
  protected teardown(): void {}

  /** Whether the stream has ended (`finish` was called). */
  protected get ended(): boolean {
    return this.#ended;
  }

  /** Whether `close()` was called. */
  protected get closing(): boolean {
    return this.#closing !== undefined;
  }

  /** Hands a received chunk to `onData`, or buffers it until a handler is set. The hot path. */
  protected deliver(chunk: Uint8Array): void {
    const handler = this.#onData;
    if (handler !== undefined) handler(chunk);
    else (this.#pending ??= []).push(chunk);
  }

  /** Records why the stream is failing, before it ends; the first error recorded wins. */
  protected recordError(error: Error): void {
    this.#error ??= error;
  }

  /**
   * Ends the stream (later calls do nothing): frees the socket through
   * `teardown`, settles the drain and `close()` promises and calls `onClose`
   * with the first error recorded, or none after a local `close()`.
   */
  protected finish(error?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    // A local close() is not a failure, whatever the socket reported.
    this.#error = this.#closing === undefined ? this.#error ?? error : undefined;
    this.teardown();
    this.releaseDrain();
    this.#resolveClosed?.();
    this.#notify();
  }

  /** The promise `write` returns on backpressure; one at a time, settled by `releaseDrain` or the end. */
  protected waitDrain(): Promise<void> {
    if (this.#ended) return Promise.resolve();
    return this.#drain ??= new Promise<void>((resolve) => this.#resolveDrain = resolve);
  }

  /** Settles the pending `waitDrain()` promise, if any. */
  protected releaseDrain(): void {
    const resolve = this.#resolveDrain;
    if (resolve === undefined) return;
    this.#drain = undefined;
    this.#resolveDrain = undefined;
    resolve();
  }

  /** A `ConnectionError` for a stream that broke: `connection to <target> lost: <reason>`. */
  protected lost(cause: unknown): ConnectionError {
    return new ConnectionError(`connection to ${this.target} lost: ${describeCause(cause)}`, { cause });
  }

  /** A `ConnectionError` for a socket error: `connection to <target> failed: <reason>`. */
  protected failed(cause: unknown): ConnectionError {
    return new ConnectionError(`connection to ${this.target} failed: ${describeCause(cause)}`, { cause });
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
    this.closeSocket();
    return this.#closing;
  }

  #notify(): void {
    if (!this.#ended || this.#notified || this.#onClose === undefined || this.#pending !== undefined) return;
    this.#notified = true;
    this.#onClose(this.#error);
  }
}
