/**
 * The transport for Bun (`Bun.connect` with shared socket handlers).
 *
 * @module
 */

import type { ConnectOptions, Connector, Transport } from "../lib/transport.ts";
import {
  abortError,
  checkConnect,
  CLOSE_GRACE_MS,
  coalesceHead,
  connectError,
  describeTarget,
  StreamTransport,
} from "./stream_transport.ts";

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

interface BunBufferModule {
  isAscii?(bytes: Uint8Array): boolean;
  Buffer: {
    from(buffer: ArrayBufferLike, offset: number, length: number): { toString(encoding: string): string };
  };
}
// Looked up at run time: a static `node:buffer` import would load on Deno too, through transports/auto.ts.
const bunBuffer = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process
  ?.getBuiltinModule?.("node:buffer") as BunBufferModule | undefined;

/**
 * Long ASCII text through Bun's native routines (`isAscii`, then a Latin-1 slice, the fastest of Bun's
 * decoders for it): 1 MiB in about 0.09 ms, against 0.1–0.2 ms with TextDecoder (measured).
 */
const bunAsciiText = bunBuffer?.isAscii === undefined
  ? undefined
  : (bytes: Uint8Array): string | undefined =>
    bunBuffer.isAscii!(bytes)
      ? bunBuffer.Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1")
      : undefined;

// Small chunks queued behind a backlog are merged into writes of at most this size.
const COALESCE = 64 * 1024;

class BunTransport extends StreamTransport {
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
      socket.data.deliver(chunk);
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

  readonly asciiText: ((bytes: Uint8Array) => string | undefined) | undefined = bunAsciiText;
  readonly #options: ConnectOptions;
  #socket: BunSocket | undefined;
  // Pending connect: settled once (resolve on open/handshake, else reject).
  #resolve: ((t: Transport) => void) | undefined;
  #reject: ((e: Error) => void) | undefined;
  #onAbort: (() => void) | undefined;
  #connectError: Error | undefined;

  // Unsent bytes (Bun's write may take only part of a chunk), oldest first.
  readonly #queue: Uint8Array[] = [];
  #closeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: ConnectOptions, resolve: (t: Transport) => void, reject: (e: Error) => void) {
    super(describeTarget(options));
    this.#options = options;
    this.#resolve = resolve;
    this.#reject = reject;
    const signal = options.signal;
    if (signal !== undefined) {
      this.#onAbort = () => this.#fail(abortError(this.target, signal));
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
      this.#fail(connectError(this.target, e));
      return;
    }
    // Failures arrive through connectError/close; this only silences the promise.
    pending.catch(() => {});
  }

  // Rejects a pending connect and tears down whatever socket exists.
  #fail(error: Error): void {
    const reject = this.#reject;
    if (reject === undefined) return;
    this.#settled();
    this.finish(); // nobody listens yet: this only marks the stream ended
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
      this.#fail(
        connectError(this.target, authorizationError ?? new Error("certificate verification failed"), true),
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
    this.#fail(connectError(this.target, error));
  }

  #failed(error: Error): void {
    if (this.#reject !== undefined) {
      this.#connectError ??= error; // reported when the close follows
      return;
    }
    // A handler threw, or the TLS session broke: the stream is unusable.
    this.recordError(this.failed(error));
    this.#socket?.terminate();
  }

  #closed(error?: Error): void {
    if (this.#reject !== undefined) {
      const cause = error ?? this.#connectError;
      this.#fail(
        cause !== undefined
          ? connectError(this.target, cause)
          : connectError(this.target, new Error("the connection closed during the handshake"), true),
      );
      return;
    }
    this.finish(error === undefined || this.closing ? undefined : this.lost(error));
  }

  protected override teardown(): void {
    if (this.#closeTimer !== undefined) clearTimeout(this.#closeTimer);
    this.#queue.length = 0;
  }

  write(chunk: Uint8Array): void | Promise<void> {
    if (this.ended || this.closing) return;
    if (this.#queue.length === 0) {
      const written = this.#socket!.write(chunk);
      if (written === chunk.length) return;
      this.#queue.push(written > 0 ? chunk.subarray(written) : chunk);
    } else {
      this.#queue.push(chunk); // behind the backlog, to keep the order
    }
    return this.waitDrain(); // settled by #flush once the backlog is out
  }

  #flush(): void {
    const queue = this.#queue;
    const socket = this.#socket;
    if (socket === undefined || this.ended) return;
    while (queue.length > 0) {
      coalesceHead(queue, COALESCE);
      const chunk = queue[0];
      const written = socket.write(chunk);
      if (written !== chunk.length) {
        if (written > 0) queue[0] = chunk.subarray(written);
        return; // wait for the next drain
      }
      queue.shift();
    }
    this.releaseDrain();
    if (this.closing) socket.end();
  }

  protected closeSocket(): void {
    const socket = this.#socket!;
    if (this.#queue.length === 0) {
      socket.end(); // Bun closes at once and calls the close handler
    } else {
      this.#closeTimer = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
    }
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
  const refused = checkConnect(options, describeTarget(options));
  if (refused !== undefined) return Promise.reject(refused);
  return new Promise<Transport>((resolve, reject) => new BunTransport(options, resolve, reject).start());
};
