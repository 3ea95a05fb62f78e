/**
 * The transport for Deno (`Deno.connect`, `Deno.startTls`, `Deno.connectTls`).
 *
 * @module
 */

import { ConnectionError } from "../lib/errors.ts";
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

// Minimal shapes of the Deno APIs used here (no dependency on Deno's types).
interface DenoConn {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
  handshake?(): Promise<unknown>;
  setNoDelay?(noDelay?: boolean): void;
  setKeepAlive?(keepAlive?: boolean): void;
}
declare const Deno: {
  connect(
    options: { hostname?: string; port: number; transport?: "tcp"; signal?: AbortSignal } | {
      transport: "unix";
      path: string;
    },
  ): Promise<DenoConn>;
  connectTls(
    options: { hostname?: string; port: number; caCerts?: string[]; cert?: string; key?: string },
  ): Promise<DenoConn>;
  startTls(conn: DenoConn, options: { hostname?: string; caCerts?: string[] }): Promise<DenoConn>;
};

// Reads go into 64 KiB slabs: each read fills the slab's free tail, and a
// delivered range is never written again; a new slab is started when less
// than MIN_READ is left. So one allocation serves many small replies.
const SLAB = 64 * 1024;
const MIN_READ = 16 * 1024;
// write() returns a promise while more than this is queued.
const HIGH_WATER = 64 * 1024;
// Small queued chunks are merged into one write of at most this size.
const COALESCE = 64 * 1024;

function closeConn(conn: DenoConn): void {
  try {
    conn.close(); // also ends a pending read or write
  } catch { /* already closed */ }
}

class DenoTransport extends StreamTransport {
  readonly #conn: DenoConn;
  readonly #queue: Uint8Array[] = [];
  #queued = 0;
  #writing = false;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(conn: DenoConn, target: string) {
    super(target);
    this.#conn = conn;
    this.#readLoop();
  }

  async #readLoop(): Promise<void> {
    const conn = this.#conn;
    let slab = new Uint8Array(SLAB);
    let at = 0;
    try {
      for (;;) {
        if (SLAB - at < MIN_READ) {
          slab = new Uint8Array(SLAB);
          at = 0;
        }
        const n = await conn.read(at === 0 ? slab : slab.subarray(at));
        if (n === null) break;
        if (n === 0) continue;
        const chunk = slab.subarray(at, at + n);
        at += n;
        this.deliver(chunk);
      }
      this.finish();
    } catch (e) {
      this.finish(this.lost(e));
    }
  }

  write(chunk: Uint8Array): void | Promise<void> {
    if (this.ended || this.closing) return;
    this.#queue.push(chunk);
    this.#queued += chunk.length;
    if (!this.#writing) this.#flush();
    if (this.#queued <= HIGH_WATER) return;
    return this.waitDrain();
  }

  // The only writer: conn.write is async and may be partial, so writes are
  // serialized here, in order, each completed before the next.
  async #flush(): Promise<void> {
    this.#writing = true;
    const queue = this.#queue;
    try {
      while (queue.length > 0 && !this.ended) {
        coalesceHead(queue, COALESCE);
        const data = queue.shift()!;
        let written = 0;
        while (written < data.length) {
          written += await this.#conn.write(written === 0 ? data : data.subarray(written));
        }
        this.#queued -= data.length;
        if (this.#queued <= HIGH_WATER) this.releaseDrain();
      }
    } catch (e) {
      this.#writing = false;
      this.finish(this.lost(e));
      return;
    }
    this.#writing = false;
    if (this.closing) this.finish();
  }

  protected closeSocket(): void {
    if (!this.#writing) this.finish();
    else this.#closeTimer = setTimeout(() => this.finish(), CLOSE_GRACE_MS);
  }

  protected override teardown(): void {
    if (this.#closeTimer !== undefined) clearTimeout(this.#closeTimer);
    closeConn(this.#conn);
    this.#queue.length = 0;
    this.#queued = 0;
  }
}

// TLS requests Deno cannot honour fail before any connection is made.
function unsupportedTls(options: ConnectOptions, target: string): ConnectionError | undefined {
  const tls = options.tls;
  if (tls === undefined) return undefined;
  const host = options.host ?? "localhost";
  if (tls.rejectUnauthorized === false) {
    return new ConnectionError(
      `Error connecting to ${target}: Deno cannot turn off TLS certificate verification for one connection ` +
        "(tls.rejectUnauthorized: false). Pass the CA that signed the server's certificate as tls.ca (and " +
        "tls.servername if the certificate names another host), use the Node transport (nodeConnector) " +
        "whose node:tls honours rejectUnauthorized, or run Deno with --unsafely-ignore-certificate-errors " +
        "and leave rejectUnauthorized unset.",
    );
  }
  if (options.path !== undefined) {
    return new ConnectionError(
      `Error connecting to ${target}: Deno cannot run TLS over a unix socket; connect with host/port, ` +
        "or drop tls (the socket is local).",
    );
  }
  if (
    (tls.cert !== undefined || tls.key !== undefined) && tls.servername !== undefined &&
    tls.servername !== host
  ) {
    return new ConnectionError(
      `Error connecting to ${target}: Deno cannot send a client certificate (tls.cert) with a server name ` +
        `(tls.servername "${tls.servername}") other than the host: Deno.connectTls names the host it dials, ` +
        "and Deno.startTls takes no client certificate. Connect with host set to the certificate's name, " +
        "or use the Node transport (nodeConnector).",
    );
  }
  return undefined;
}

/**
 * Connects with Deno's own sockets: `Deno.connect` for TCP and unix sockets;
 * for TLS, `Deno.connect` then `Deno.startTls` (so `noDelay`, `keepAlive`
 * and a `servername` different from the host all work), or
 * `Deno.connectTls` when a client certificate is given (Deno.startTls takes
 * none; then `noDelay`/`keepAlive` cannot be set and `servername` must be
 * the host). The handshake completes before the promise resolves, so
 * certificate errors reject it.
 *
 * Deno limits, reported as a `ConnectionError` before connecting:
 * `rejectUnauthorized: false` (Deno always verifies; pass `ca` instead) and
 * TLS over a unix socket. `keepAlive` turns keepalive on with the OS's delay
 * (Deno cannot set the delay). An abort during the TLS handshake rejects at
 * once, but Deno finishes a handshake before it closes a TLS socket, so that
 * socket is released only when the peer answers or the OS gives up.
 *
 * @example
 * ```ts
 * import { denoConnector } from "@uniredis/redis/deno";
 * const t = await denoConnector({ host: "127.0.0.1", port: 6379 });
 * t.onData((chunk) => console.log(new TextDecoder().decode(chunk))); // "+PONG\r\n"
 * t.onClose((error) => console.log("closed", error));
 * t.write(new TextEncoder().encode("*1\r\n$4\r\nPING\r\n"));
 * ```
 */
export const denoConnector: Connector = async (options: ConnectOptions): Promise<Transport> => {
  const target = describeTarget(options);
  const signal = options.signal;
  const refused = checkConnect(options, target) ?? unsupportedTls(options, target);
  if (refused !== undefined) throw refused;

  // Every step races the signal; a connection that arrives after an abort
  // is closed at once.
  let abort: Promise<never> | undefined;
  let onAbort: (() => void) | undefined;
  if (signal !== undefined) {
    abort = new Promise<never>((_, reject) => {
      onAbort = () => reject(abortError(target, signal));
      signal.addEventListener("abort", onAbort, { once: true });
    });
    abort.catch(() => {});
  }
  const step = <T>(p: Promise<T>, late?: (value: T) => void): Promise<T> => {
    if (abort === undefined) return p;
    if (late !== undefined) p.then((v) => signal?.aborted && late(v), () => {});
    return Promise.race([p, abort]);
  };

  let conn: DenoConn | undefined;
  let handshaking = false; // a failure from here on is the TLS handshake's
  try {
    const host = options.host ?? "localhost";
    const tls = options.tls;
    if (options.path !== undefined) {
      conn = await step(Deno.connect({ transport: "unix", path: options.path }), closeConn);
    } else if (tls !== undefined && (tls.cert !== undefined || tls.key !== undefined)) {
      const caCerts = tls.ca === undefined ? undefined : Array.isArray(tls.ca) ? tls.ca : [tls.ca];
      conn = await step(
        Deno.connectTls({ hostname: host, port: options.port!, caCerts, cert: tls.cert, key: tls.key }),
        closeConn,
      );
    } else {
      conn = await step(Deno.connect({ hostname: host, port: options.port!, signal }), closeConn);
      conn.setNoDelay?.(options.noDelay ?? true);
      if (options.keepAlive) conn.setKeepAlive?.(true);
      if (tls !== undefined) {
        const caCerts = tls.ca === undefined ? undefined : Array.isArray(tls.ca) ? tls.ca : [tls.ca];
        const tcp = conn;
        conn = undefined;
        handshaking = true;
        conn = await step(Deno.startTls(tcp, { hostname: tls.servername ?? host, caCerts }), closeConn);
      }
    }
    // connectTls/startTls resolve before the handshake: finish it here so
    // certificate errors reject the connect.
    handshaking = tls !== undefined;
    if (conn.handshake !== undefined) await step(conn.handshake());
    return new DenoTransport(conn, target);
  } catch (e) {
    if (conn !== undefined) closeConn(conn);
    throw signal?.aborted ? abortError(target, signal) : connectError(target, e, handshaking);
  } finally {
    if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
  }
};
