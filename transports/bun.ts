/**
 * The transport for Bun (`Bun.connect` with shared socket handlers).
 *
 * @module
 */

import { ConnectionError } from "../lib/errors.ts";
import type { ConnectOptions, Connector, Transport } from "../lib/transport.ts";

// Minimal shapes of the Bun APIs used here (no dependency on bun-types).
interface BunSocket {
  data: BunTransport;
  write(data: Uint8Array, byteOffset?: number, byteLength?: number): number;
  end(): unknown;
  terminate(): void;
  setNoDelay?(noDelay?: boolean): boolean;
  setKeepAlive?(enable?: boolean, initialDelay?: number): boolean;
}
interface BunHandlers {
  open(socket: BunSocket): void;
  handshake(socket: BunSocket, success: boolean, authorizationError: Error | null): void;
  data(socket: BunSocket, chunk: Uint8Array): void;
  drain(socket: BunSocket): void;
  close(socket: BunSocket, error?: Error): void;
  error(socket: BunSocket, error: Error): void;
  connectError(socket: BunSocket, error: Error): void;
  end(socket: BunSocket): void;
}
interface BunTlsOptions {
  ca?: string | string[];
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
  serverName?: string;
}
declare const Bun: {
  connect(
    options: ({ hostname: string; port: number } | { unix: string }) & {
      data: BunTransport;
      socket: BunHandlers;
      tls?: BunTlsOptions;
    },
  ): Promise<BunSocket>;
};

// Small chunks queued behind a backlog are merged into writes of at most this size.
const COALESCE = 64 * 1024;
// How long close() lets queued bytes drain before terminating.
const CLOSE_GRACE_MS = 1000;

function describeTarget(options: ConnectOptions): string {
  return options.path ?? `${options.host ?? "localhost"}:${options.port}`;
}

class BunTransport implements Transport {
  // One handler set shared by every socket (Bun's fast path); the socket's
  // `data` slot points back at its transport.
  static readonly handlers: BunHandlers = {
    open(socket) {
      socket.data.#opened(socket);
    },
    handshake(socket, success, authorizationError) {
      socket.data.#handshake(socket, success, authorizationError);
    },
    data(socket, chunk) {
      // Bun hands each read over in a fresh Buffer (a Uint8Array) that it
      // never reuses: delivered without copying.
      const self = socket.data;
      const handler = self.#onData;
      if (handler !== undefined) handler(chunk);
      else (self.#pending ??= []).push(chunk);
    },
    drain(socket) {
      socket.data.#flush();
    },
    close(socket, error) {
      socket.data.#closed(error);
    },
    error(socket, error) {
      socket.data.#failed(error);
    },
    connectError(socket, error) {
      socket.data.#connectFailed(error);
    },
    end() {
      // The peer sent FIN: Bun closes the socket (no half-open), and the
      // close handler reports it.
    },
  };

  readonly #target: string;
  readonly #options: ConnectOptions;
  #socket: BunSocket | undefined;
  // Pending connect: settled once (resolve on open/handshake, else reject).
  #resolve: ((t: Transport) => void) | undefined;
  #reject: ((e: Error) => void) | undefined;
  #onAbort: (() => void) | undefined;
  #connectError: Error | undefined;

  #onData: ((chunk: Uint8Array) => void) | undefined;
  #pending: Uint8Array[] | undefined;
  #onClose: ((error?: Error) => void) | undefined;
  #ended = false;
  #error: Error | undefined;
  #notified = false;
  // Unsent bytes (Bun's write may take only part of a chunk), oldest first.
  #queue: Uint8Array[] = [];
  #drain: Promise<void> | undefined;
  #resolveDrain: (() => void) | undefined;
  #closing: Promise<void> | undefined;
  #resolveClosed: (() => void) | undefined;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: ConnectOptions, resolve: (t: Transport) => void, reject: (e: Error) => void) {
    this.#options = options;
    this.#target = describeTarget(options);
    this.#resolve = resolve;
    this.#reject = reject;
    const signal = options.signal;
    if (signal !== undefined) {
      this.#onAbort = () => {
        this.#fail(new ConnectionError(`connection to ${this.#target} aborted`, { cause: signal.reason }));
      };
      signal.addEventListener("abort", this.#onAbort, { once: true });
    }
  }

  start(): void {
    const options = this.#options;
    const tls = options.tls;
    const where = options.path !== undefined
      ? { unix: options.path }
      : { hostname: options.host ?? "localhost", port: options.port! };
    let pending: Promise<BunSocket>;
    try {
      pending = Bun.connect({
        ...where,
        data: this,
        socket: BunTransport.handlers,
        // Always a non-empty object: Bun treats `tls: {}` as no TLS at all.
        tls: tls === undefined ? undefined : {
          ca: tls.ca,
          cert: tls.cert,
          key: tls.key,
          rejectUnauthorized: tls.rejectUnauthorized ?? true,
          serverName: tls.servername,
        },
      });
    } catch (e) {
      this.#fail(this.#cannot(e));
      return;
    }
    // Failures arrive through connectError/close; this only silences the promise.
    pending.catch(() => {});
  }

  #cannot(e: unknown): ConnectionError {
    return new ConnectionError(`cannot connect to ${this.#target}: ${(e as Error)?.message ?? e}`, {
      cause: e,
    });
  }

  // Rejects a pending connect and tears down whatever socket exists.
  #fail(error: Error): void {
    const reject = this.#reject;
    if (reject === undefined) return;
    this.#settled();
    this.#ended = true;
    this.#socket?.terminate();
    reject(error);
  }

  #settled(): void {
    this.#resolve = undefined;
    this.#reject = undefined;
    if (this.#onAbort !== undefined) this.#options.signal?.removeEventListener("abort", this.#onAbort);
    this.#onAbort = undefined;
  }

  #opened(socket: BunSocket): void {
    this.#socket = socket;
    if (this.#reject === undefined) {
      socket.terminate(); // aborted while connecting
      return;
    }
    // With a handshake handler, Bun calls open once TCP is up: TLS waits for the handshake.
    if (this.#options.tls === undefined) this.#ready(socket);
  }

  #handshake(socket: BunSocket, success: boolean, authorizationError: Error | null): void {
    if (this.#reject === undefined) return;
    const verify = this.#options.tls?.rejectUnauthorized ?? true;
    if (verify && (!success || authorizationError !== null)) {
      const reason = authorizationError?.message ?? "certificate verification failed";
      this.#fail(
        new ConnectionError(`cannot connect to ${this.#target}: TLS handshake failed: ${reason}`, {
          cause: authorizationError ?? undefined,
        }),
      );
      return;
    }
    this.#ready(socket);
  }

  #ready(socket: BunSocket): void {
    const resolve = this.#resolve!;
    this.#settled();
    if (this.#options.path === undefined) {
      socket.setNoDelay?.(this.#options.noDelay ?? true);
      if (this.#options.keepAlive) socket.setKeepAlive?.(true, this.#options.keepAlive);
    }
    resolve(this);
  }

  #connectFailed(error: Error): void {
    this.#fail(this.#cannot(error));
  }

  #failed(error: Error): void {
    if (this.#reject !== undefined) {
      this.#connectError ??= error; // reported when the close follows
      return;
    }
    // A handler threw, or the TLS session broke: the stream is unusable.
    this.#error ??= new ConnectionError(`connection to ${this.#target} failed: ${error.message}`, {
      cause: error,
    });
    this.#socket?.terminate();
  }

  #closed(error?: Error): void {
    if (this.#reject !== undefined) {
      const cause = error ?? this.#connectError;
      this.#fail(
        cause !== undefined ? this.#cannot(cause) : new ConnectionError(
          `cannot connect to ${this.#target}: the connection closed during the TLS handshake`,
        ),
      );
      return;
    }
    if (this.#ended) return;
    this.#ended = true;
    if (this.#closing === undefined && error !== undefined) {
      this.#error ??= new ConnectionError(`connection to ${this.#target} lost: ${error.message}`, {
        cause: error,
      });
    }
    // A local close() is not a failure, whatever the socket reported.
    if (this.#closing !== undefined) this.#error = undefined;
    if (this.#closeTimer !== undefined) clearTimeout(this.#closeTimer);
    this.#queue = [];
    this.#releaseDrain();
    this.#resolveClosed?.();
    this.#notify();
  }

  write(chunk: Uint8Array): void | Promise<void> {
    if (this.#ended || this.#closing !== undefined) return;
    if (this.#queue.length === 0) {
      const written = this.#socket!.write(chunk);
      if (written === chunk.length) return;
      this.#queue.push(written > 0 ? chunk.subarray(written) : chunk);
    } else {
      this.#queue.push(chunk); // behind the backlog, to keep the order
    }
    return this.#drain ??= new Promise<void>((resolve) => this.#resolveDrain = resolve);
  }

  #flush(): void {
    const queue = this.#queue;
    const socket = this.#socket;
    if (socket === undefined || this.#ended) return;
    while (queue.length > 0) {
      if (queue.length > 1 && queue[0].length < COALESCE) this.#coalesce();
      const chunk = queue[0];
      const written = socket.write(chunk);
      if (written !== chunk.length) {
        if (written > 0) queue[0] = chunk.subarray(written);
        return; // wait for the next drain
      }
      queue.shift();
    }
    this.#releaseDrain();
    if (this.#closing !== undefined) socket.end();
  }

  // Merges small chunks at the head of the backlog into one, so a backlog of
  // many small commands costs one write call rather than one each.
  #coalesce(): void {
    const queue = this.#queue;
    let count = 0;
    let size = 0;
    while (count < queue.length && size + queue[count].length <= COALESCE) size += queue[count++].length;
    if (count <= 1) return;
    const merged = new Uint8Array(size);
    let at = 0;
    for (let i = 0; i < count; i++) {
      merged.set(queue[i], at);
      at += queue[i].length;
    }
    queue.splice(0, count, merged);
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
    const socket = this.#socket!;
    if (this.#queue.length === 0) {
      socket.end(); // Bun closes at once and calls the close handler
    } else {
      this.#closeTimer = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
    }
    return this.#closing;
  }

  #notify(): void {
    if (!this.#ended || this.#notified || this.#onClose === undefined || this.#pending !== undefined) return;
    this.#notified = true;
    this.#onClose(this.#error);
  }
}

/**
 * Connects with `Bun.connect` (TCP, unix socket or TLS). Received chunks are
 * Bun's own Buffers, handed over without a copy. Bun's `write` may take only
 * part of a chunk: the rest is queued in order and flushed on `drain`, and
 * `write` returns a promise while such a backlog exists. For TLS the promise
 * resolves only after the handshake and certificate check.
 *
 * @example
 * ```ts
 * import { bunConnector } from "@uniredis/redis/bun";
 * const t = await bunConnector({ host: "127.0.0.1", port: 6379 });
 * t.onData((chunk) => console.log(new TextDecoder().decode(chunk))); // "+PONG\r\n"
 * t.onClose((error) => console.log("closed", error));
 * t.write(new TextEncoder().encode("*1\r\n$4\r\nPING\r\n"));
 * ```
 */
export const bunConnector: Connector = (options: ConnectOptions): Promise<Transport> => {
  const target = describeTarget(options);
  if (options.signal?.aborted) {
    return Promise.reject(
      new ConnectionError(`connection to ${target} aborted`, { cause: options.signal.reason }),
    );
  }
  if (options.path === undefined && options.port === undefined) {
    return Promise.reject(new ConnectionError(`cannot connect to ${target}: no port or path given`));
  }
  return new Promise<Transport>((resolve, reject) => new BunTransport(options, resolve, reject).start());
};
