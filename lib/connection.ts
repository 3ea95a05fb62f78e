/**
 * One connection to one Redis server: handshake, automatic pipelining, the
 * reply FIFO, push routing and timeouts. Runtime-neutral: bytes move through
 * a `Transport` obtained from a `Connector`.
 *
 * @module
 */

import { Command, type ReplyTransform } from "./commands/command.ts";
import { transformError } from "./commands/reply.ts";
import { authFailure, reauthFailure } from "./auth_error.ts";
import { badCredentials, type CredentialProvider, type Credentials } from "./credentials.ts";
import {
  AuthenticationError,
  ConnectionError,
  DataError,
  ProtocolError,
  RedisError,
  TimeoutError,
} from "./errors.ts";
import { Decoder, type EncodingErrors } from "./protocol/decoder.ts";
import { encodeCommand, Encoder } from "./protocol/encoder.ts";
import type { RedisArgument, RespValue } from "./protocol/types.ts";
import type { Connector, TlsConnectOptions, Transport } from "./transport.ts";
import { handshake } from "./handshake.ts";
import { ReplyQueue } from "./reply_queue.ts";
import { textOf } from "./key_text.ts";
import { redactOptions } from "./redact.ts";
import { type CommandTrace, type ConnectTrace, InstrumentationScope } from "./instrumentation.ts";

/**
 * Everything one connection needs: where to connect and how to set the
 * session up. The client derives it from `RedisOptions`.
 *
 * @example
 * ```ts
 * import { Connection } from "@uniredis/redis";
 * import { nodeConnector } from "@uniredis/redis/node";
 * const c = new Connection({ connector: nodeConnector, host: "127.0.0.1", port: 6379 });
 * await c.connect();
 * await c.close();
 * ```
 */
export interface ConnectionOptions {
  /** Opens the byte stream. */
  connector: Connector;
  /** Server host (default `"localhost"`). */
  host?: string;
  /** Server port (default 6379). */
  port?: number;
  /** Unix socket path (instead of host and port). */
  path?: string;
  /** TLS settings; absent means plain TCP. */
  tls?: TlsConnectOptions;
  /** ACL user name. */
  username?: string;
  /** Password (of `username`, or of the default user). */
  password?: string;
  /** Gives user and password at each connect, instead of `username` and `password`. */
  credentialProvider?: CredentialProvider;
  /** Database to SELECT after connecting (default 0). */
  db?: number;
  /** Name given with CLIENT SETNAME. */
  clientName?: string;
  /** RESP version to ask for (default 3; falls back to 2 when the server refuses HELLO). */
  protocol?: 2 | 3;
  /** Decode bulk replies to strings (default true). */
  decodeResponses?: boolean;
  /** TextDecoder label used when decoding (default `"utf-8"`). */
  encoding?: string;
  /** Invalid bytes in text replies: `"strict"` (default), `"replace"` or `"ignore"`. */
  encodingErrors?: EncodingErrors;
  /** Longest bulk or simple string reply accepted, in bytes (default 512 MiB); longer is a `ProtocolError`. */
  maxBulkLength?: number;
  /** Milliseconds a command may wait for its reply before the connection is dropped. */
  socketTimeout?: number;
  /** Milliseconds the connection and handshake may take. */
  socketConnectTimeout?: number;
  /**
   * TCP keepalive: on by default (a 30 s initial delay); `false` turns it
   * off; a number sets the initial delay in milliseconds.
   */
  socketKeepalive?: boolean | number;
  /**
   * Milliseconds `close()` waits for the replies of commands already sent
   * (default 2,000); then the connection is dropped and what is still
   * pending rejects with a `ConnectionError`.
   */
  closeTimeout?: number;
  /**
   * Library name and version sent with CLIENT SETINFO. A server without the
   * command (before 7.2) refuses it, which is ignored; later connections to
   * the same address leave it out until HELLO shows another server there.
   */
  libName?: string;
  /** Library version sent with CLIENT SETINFO. */
  libVersion?: string;
  /** Milliseconds idle after which the next use first checks the connection with a PING (0: never). */
  healthCheckInterval?: number;
  /** Turn on `CLIENT TRACKING` in the handshake (client-side caching; needs RESP3). */
  tracking?: boolean;
  /**
   * Send `READONLY` in the handshake: a cluster replica then serves reads of
   * its primary's slots instead of answering `MOVED` (harmless on a primary).
   */
  readOnly?: boolean;
  /**
   * Asked for the server's address at each connect, before the socket opens
   * (instead of `host` and `port`): a pool whose address comes from elsewhere
   * (the sentinels) plugs in here. `attempt` counts from 1; it grows when
   * the previous server was unreachable or refused by `verify` (3 attempts
   * in all). A rejection fails the connect.
   */
  resolveAddress?: (attempt: number) => Promise<{ host: string; port: number }>;
  /**
   * Checks the server after the handshake, before any command goes out (it
   * may talk to it with `connection.sendRaw`). Resolving to a reason refuses
   * the server: that socket is closed and, with `resolveAddress`, another
   * address is asked for (3 attempts in all, unreachable servers counted), else the connect fails with a
   * `ConnectionError` giving the reason. A rejection fails the connect.
   */
  verify?: (connection: Connection) => Promise<string | undefined>;
  /** Receives RESP3 push frames (invalidations, pubsub messages). */
  onPush?: (push: RespValue[]) => void;
  /** Told when the socket opens, the handshake ends, the connection fails, and it closes. */
  onEvent?: (kind: ConnectionEventKind, connection: Connection, error?: Error) => void;
  /**
   * The observers of this connection's commands and connects (its pool's
   * scope); a connection made without one gets its own, which still sees
   * the global observers.
   */
  instrumentation?: InstrumentationScope;
}

/**
 * The lifecycle moments a connection reports through `onEvent`: its socket
 * opened (`connect`), its handshake ended (`ready`), it failed or was lost
 * (`error`), it closed for whatever reason (`close`), the server refused the
 * credentials of a `reauthenticate()` (`credentialserror`: the connection
 * stays open, with its previous credentials).
 *
 * @example
 * ```ts
 * import type { ConnectionEventKind } from "@uniredis/redis";
 * const kind: ConnectionEventKind = "ready";
 * console.log(kind); // "ready"
 * ```
 */
export type ConnectionEventKind = "connect" | "ready" | "error" | "close" | "credentialserror";

/**
 * What the server said about itself in the handshake.
 *
 * @example
 * ```ts
 * import type { ServerHello } from "@uniredis/redis";
 * const hello: ServerHello = { protocol: 3, version: "7.0.15" };
 * console.log(hello.version); // "7.0.15"
 * ```
 */
export interface ServerHello {
  /** The negotiated protocol. */
  protocol: 2 | 3;
  /** The server's version, when it said (HELLO replies carry it). */
  version?: string;
  /** `standalone`, `cluster` or `sentinel`, when known. */
  mode?: string;
  /** `master` or `replica`, when known. */
  role?: string;
  /** The connection's id on the server, when known. */
  id?: number;
}

/**
 * Per-call settings of `Connection.send`.
 *
 * @example
 * ```ts
 * import type { SendOptions } from "@uniredis/redis";
 * const o: SendOptions = { timeout: 500 };
 * console.log(o.timeout); // 500
 * ```
 */
export interface SendOptions {
  /** Overrides the transform of the command (a per-client response callback). */
  transform?: ReplyTransform<unknown>;
  /** Milliseconds to wait for the reply (default: the connection's `socketTimeout`). */
  timeout?: number;
  /** Aborts the command; once written, aborting closes the connection. */
  signal?: AbortSignal;
  /**
   * Set to `sent: true` once the command is handed to the socket. A command
   * that fails while `sent` is still false never reached the server, so it is
   * safe to send again.
   */
  trace?: { sent: boolean };
  /** Set for a command sent as part of a pipeline or transaction: observers see it on the command's trace. */
  batch?: { readonly mode: "PIPELINE" | "MULTI"; readonly size: number };
}

/** A command waiting to be written or answered. */
interface Pending {
  command: Command<unknown>;
  transform: ReplyTransform<unknown> | undefined;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** Encoded bytes, kept only while the connection is not ready yet. */
  bytes: Uint8Array | undefined;
  /** When the reply is due (ms since epoch), or 0 for no deadline. */
  deadline: number;
  /** The timeout that set `deadline`, for the error message. */
  timeout: number;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** A handshake command: its error reply is a value, not a rejection. */
  raw: boolean;
  trace: { sent: boolean } | undefined;
  /** Set for a command of `sendBatch`: where its reply goes (`resolve`/`reject` are then `settleSlot`). */
  sink: BatchSink | undefined;
  /** Its position in the batch. */
  index: number;
}

/** The replies of one `sendBatch`, filled in as they arrive; `done` runs once the last one is in. */
interface BatchSink {
  readonly results: unknown[];
  left: number;
  readonly done: (results: unknown[]) => void;
}

/** Marks a batch slot not settled yet: any value, `undefined` included, may be a reply, and a slot counts once. */
const UNSETTLED: unique symbol = Symbol("unsettled");

/**
 * `resolve` and `reject` of every batch entry, called as a method of the entry: one shared function instead
 * of a promise and two resolving functions per command. A rejection that is not an Error becomes one, as the
 * pipeline reports it. Settling twice (a reply after a timeout) keeps the first.
 */
function settleSlot(this: Pending, value: unknown): void {
  const sink = this.sink!;
  if (sink.results[this.index] !== UNSETTLED) return;
  sink.results[this.index] = value;
  if (--sink.left === 0) sink.done(sink.results);
}
function failSlot(this: Pending, error: unknown): void {
  settleSlot.call(this, error instanceof Error ? error : new DataError(String(error)));
}

/** Options of `Connection.sendBatch`: those of `send`, with the transform chosen per command. */
export interface SendBatchOptions extends Omit<SendOptions, "transform"> {
  /** Overrides a command's transform when it returns one (per-client response callbacks). */
  transformOf?: (command: Command<unknown>) => ReplyTransform<unknown> | undefined;
}

/** `checking`: ready, but a health check PING must answer before commands go out. */
type State = "idle" | "connecting" | "ready" | "checking" | "closed";

/** Keepalive delay by default and for `socketKeepalive: true`: 30 s, as redis-py, well under common idle-kill limits. */
const DEFAULT_KEEPALIVE = 30_000;
/** How long `close()` waits for replies in flight by default. */
const DEFAULT_CLOSE_TIMEOUT = 2_000;
/** Servers a connection tries when `verify` refuses them, with `resolveAddress`. */
const VERIFY_ATTEMPTS = 3;
/** How long a health check PING may take when no socket timeout is set. */
const DEFAULT_HEALTH_CHECK_TIMEOUT = 10_000;

/**
 * One connection to one Redis server. Commands sent in the same tick leave in
 * one write; replies are matched to commands in order. A command that times
 * out or is aborted after being written closes the connection, so its late
 * reply can never be taken for another command's.
 *
 * Most users never touch this class: `Redis` manages connections.
 *
 * @example
 * ```ts
 * import { Command, Connection } from "@uniredis/redis";
 * import { nodeConnector } from "@uniredis/redis/node";
 * const c = new Connection({ connector: nodeConnector, port: 6379 });
 * console.log(await c.send(new Command("PING"))); // "PONG"
 * await c.close();
 * ```
 */
export class Connection {
  /** The options this connection was made with, secrets (password, TLS key) redacted. */
  readonly options: Readonly<ConnectionOptions>;
  /** The options as given, secrets included: never exposed. */
  readonly #options: Readonly<ConnectionOptions>;
  // Between the transport opening and the handshake's replies (HELLO, AUTH, ...).
  #handshaking = false;
  #address: string;
  #host: string | undefined;
  #port: number | undefined;
  /** What the server said in the handshake (set once ready). */
  hello: ServerHello | undefined = undefined;

  #state: State = "idle";
  #transport: Transport | undefined;
  #connecting: Promise<void> | undefined;
  /** Aborts the connect in progress (the connection failed or was dropped meanwhile). */
  #connectAbort: AbortController | undefined;
  #encoder = new Encoder();
  #decoder: Decoder;
  /** Commands written (or to be written in the scheduled flush), awaiting replies. */
  #inFlight = new ReplyQueue<Pending>();
  /** User commands issued before the handshake finished. */
  #waiting: Pending[] = [];
  #flushScheduled = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = 0;
  #closed: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #onDrained: (() => void) | undefined;
  /** False once close() was called: new commands are refused. */
  #accepting = true;
  #error: Error | undefined;
  #streamHandler: ((reply: RespValue) => void) | undefined;
  #pushHandler: ((push: RespValue[]) => void) | undefined;
  #closeWaiters: (() => void)[] = [];
  /** When bytes last went out or came in (ms since epoch), for health checks. */
  #lastIO = 0;
  #healthCheckFailed = false;
  readonly #scope: InstrumentationScope;
  /** Set when the connection failed or was lost, as opposed to closed or dropped by the client. */
  #lostWith: Error | undefined;
  /** The trace of the connect in progress, when observed: its address is set once resolved. */
  #connectTrace: { -readonly [K in keyof ConnectTrace]: ConnectTrace[K] } | undefined;
  /** Re-authentications queued and not answered: not the caller's commands, so not in `pendingCount`. */
  #reauths = 0;
  /** Streamed replies may carry a HELLO re-authentication's (RESP3 pubsub): see `streamReplies`. */
  #helloReauth = false;
  /** HELLO re-authentications sent one-way on a streamed connection, awaiting their reply, in order. */
  #streamReauths: { resolve(value: RespValue): void; reject(error: unknown): void }[] = [];

  /** Creates an unconnected connection; `connect()` or the first `send()` opens it. */
  constructor(options: ConnectionOptions) {
    this.#options = options;
    this.options = redactOptions(options);
    this.#host = options.host;
    this.#port = options.port;
    this.#address = options.path ?? `${options.host ?? "localhost"}:${options.port ?? 6379}`;
    this.#scope = options.instrumentation ?? new InstrumentationScope();
    const decodeResponses = options.decodeResponses ?? true;
    const queue = this.#inFlight;
    this.#decoder = new Decoder({
      onReply: (value) => this.#onReply(value),
      onPush: (push) => (this.#pushHandler ?? this.#options.onPush)?.(push),
      textReplies: decodeResponses ? () => !(queue.peek()?.command.binaryReply ?? false) : () => false,
      textPush: decodeResponses,
      encoding: options.encoding,
      encodingErrors: options.encodingErrors,
      // A streamed reply (RESP2 pubsub, MONITOR) has no command to fail: keep it, with U+FFFD.
      replaceInvalidText: () => queue.length === 0 && this.#streamHandler !== undefined,
      maxBulkLength: options.maxBulkLength,
    });
  }

  /** `host:port` or the socket path, for messages (with `resolveAddress`: the last address resolved). */
  get address(): string {
    return this.#address;
  }

  /** The observers of this connection (shared with its pool and client). */
  get instrumentation(): InstrumentationScope {
    return this.#scope;
  }

  /** Host name or IP (or the socket path), as observers report it. */
  get #serverAddress(): string {
    return this.#options.path ?? this.#host ?? "localhost";
  }

  /** TCP port, `undefined` for a Unix socket. */
  get #serverPort(): number | undefined {
    return this.#options.path === undefined ? this.#port ?? 6379 : undefined;
  }

  /** True once the handshake is done and until the connection closes. */
  get ready(): boolean {
    return this.#state === "ready";
  }

  /** True once the connection has closed (it is then never reused). */
  get closed(): boolean {
    return this.#state === "closed";
  }

  /**
   * True when the connection closed because its health check failed: it
   * looked usable but the server (or a load balancer) had dropped it. Commands
   * that waited for the check were never sent.
   */
  get healthCheckFailed(): boolean {
    return this.#healthCheckFailed;
  }

  /** The error the connection failed or was lost with; `undefined` while open or when the client closed it. */
  get lostWith(): Error | undefined {
    return this.#lostWith;
  }

  /** Milliseconds since bytes last went out or came in (0 before the connection is ready). */
  get idleTime(): number {
    return this.#lastIO === 0 ? 0 : Date.now() - this.#lastIO;
  }

  /**
   * Routes replies that no command waits for to `handler` instead of failing
   * the connection: for commands that make the server stream (MONITOR).
   * `helloReauth` (a subscribed connection) lets `reauthenticate()` send a
   * one-way `HELLO 3 AUTH` over RESP3 and take its reply out of the stream:
   * an AUTH waiting in the reply queue could take the reply of a one-way
   * PING instead, but a HELLO's map reply cannot be mistaken.
   */
  streamReplies(handler: (reply: RespValue) => void, helloReauth = false): void {
    this.#streamHandler = handler;
    this.#helloReauth = helloReauth;
  }

  /**
   * Routes RESP3 push frames to `handler` instead of the `onPush` option
   * (pubsub takes over its connection's pushes); `undefined` restores it.
   */
  setPushHandler(handler: ((push: RespValue[]) => void) | undefined): void {
    this.#pushHandler = handler;
  }

  /**
   * Writes a command whose answer does not come as a reply to it (SUBSCRIBE
   * and its family: the server answers with messages, which reach the push
   * or stream handler). The connection must be ready. Rejects with a
   * `DataError` for bad arguments, before anything is sent.
   */
  sendOneWay(command: Command<unknown>): Promise<void> {
    if (command.error) return Promise.reject(command.error);
    // No reply is expected, so a health check in progress need not hold it back.
    if (this.#state !== "ready" && this.#state !== "checking") {
      return Promise.reject(
        new ConnectionError(`Connection to ${this.address} is not ready`, { cause: this.#error }),
      );
    }
    try {
      this.#encoder.push(command.args);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#scheduleFlush();
    return Promise.resolve();
  }

  /** Resolves once the connection has closed, for whatever reason (never rejects). */
  whenClosed(): Promise<void> {
    if (this.#state === "closed") return Promise.resolve();
    return new Promise((resolve) => this.#closeWaiters.push(resolve));
  }

  /** Commands sent and not yet answered (re-authentications not counted). */
  get pendingCount(): number {
    return this.#inFlight.length + this.#waiting.length - this.#reauths;
  }

  /**
   * Authenticates again with new credentials, in place (`AUTH`, queued in
   * order behind the commands already sent, so none of them is disturbed;
   * behind a blocking command, the server runs it when that command
   * returns). Resolves to `true` once the server accepted them, `false`
   * when not attempted or cut short: the connection is not open, or its
   * replies are a stream (MONITOR, RESP2 pubsub) where AUTH's reply could
   * not be told apart. A refusal rejects with an `AuthenticationError`,
   * reported as `credentialserror` through `onEvent` too; the connection
   * keeps its previous credentials.
   */
  reauthenticate(credentials: Credentials): Promise<boolean> {
    if (this.#state === "idle" || this.#state === "closed" || !this.#accepting) return Promise.resolve(false);
    const streamed = this.#streamHandler !== undefined;
    // RESP2 pubsub refuses AUTH once subscribed; MONITOR's stream is not for commands.
    if (streamed && !(this.#helloReauth && this.hello?.protocol === 3)) return Promise.resolve(false);
    const bad = badCredentials(credentials);
    if (bad !== undefined) {
      const error = new AuthenticationError(
        `credentialProvider pushed unusable credentials: it ${bad} (expected { username?: string, password: string }); ` +
          `the connection to ${this.address} keeps its previous credentials`,
      );
      this.#options.onEvent?.("credentialserror", this, error);
      return Promise.reject(error);
    }
    const { username, password } = credentials;
    if (streamed) return this.#streamReauth(username, password);
    const args: RedisArgument[] = username === undefined ? ["AUTH", password] : ["AUTH", username, password];
    const reply = new Promise<RespValue>((resolve, reject) => {
      let counted = true;
      const uncount = () => {
        if (counted) this.#reauths--;
        counted = false;
      };
      const entry: Pending = {
        command: new Command<unknown>("AUTH").argsOf(args.slice(1)),
        transform: undefined,
        resolve: (value) => {
          uncount();
          resolve(value as RespValue);
        },
        reject: (error) => {
          uncount();
          reject(error);
        },
        bytes: undefined,
        // No deadline of its own: what is in flight ahead of it (a blocking command) may take long.
        deadline: 0,
        timeout: 0,
        signal: undefined,
        onAbort: undefined,
        raw: true,
        trace: undefined,
        sink: undefined,
        index: 0,
      };
      this.#reauths++;
      if (this.#state === "ready") {
        this.#encoder.push(args);
        this.#inFlight.push(entry);
        this.#scheduleFlush();
      } else {
        // Connecting, or a health check holds commands back: it goes out after them, in order.
        entry.bytes = encodeCommand(args);
        this.#waiting.push(entry);
      }
    });
    return this.#reauthOutcome(reply, username);
  }

  /** Re-authenticates a subscribed RESP3 connection with a one-way HELLO (see `streamReplies`). */
  #streamReauth(username: string | undefined, password: string): Promise<boolean> {
    const reply = new Promise<RespValue>((resolve, reject) => {
      this.#streamReauths.push({ resolve, reject });
    });
    const sent = this.sendOneWay(
      new Command<unknown>("HELLO").argsOf([3, "AUTH", username ?? "default", password]),
    );
    sent.catch((error) => this.#streamReauths.shift()?.reject(error));
    return this.#reauthOutcome(reply, username);
  }

  async #reauthOutcome(reply: Promise<RespValue>, username: string | undefined): Promise<boolean> {
    let value: RespValue;
    try {
      value = await reply;
    } catch {
      return false; // the connection was lost meanwhile: its own error says so
    }
    if (!(value instanceof RedisError)) return true;
    const error = reauthFailure(this.address, username, value);
    this.#options.onEvent?.("credentialserror", this, error);
    throw error;
  }

  /** A streamed reply that answers a one-way HELLO re-authentication: its map, or an authentication error. */
  #isReauthReply(value: RespValue): boolean {
    if (this.#streamReauths.length === 0) return false;
    if (value instanceof AuthenticationError) return true;
    return Array.isArray(value) && textOf(value[0] as RespValue) === "server" &&
      value.some((v, i) => i % 2 === 0 && textOf(v as RespValue) === "proto");
  }

  /** Opens the socket and runs the handshake; resolves when ready. Idempotent. */
  connect(): Promise<void> {
    if (this.#state === "ready") return Promise.resolve();
    if (this.#state === "closed" || !this.#accepting) {
      return Promise.reject(
        new ConnectionError(`Connection to ${this.address} is closed`, { cause: this.#error }),
      );
    }
    return this.#connecting ??= this.#scope.active ? this.#openTraced() : this.#open();
  }

  #openTraced(): Promise<void> {
    const trace = this.#connectTrace = {
      serverAddress: this.#serverAddress,
      serverPort: this.#serverPort,
      database: this.#options.db ?? 0,
      tls: this.#options.tls !== undefined,
    };
    return this.#scope.traceConnect(trace, () => this.#open()).finally(() => {
      this.#connectTrace = undefined;
    });
  }

  async #open(): Promise<void> {
    this.#state = "connecting";
    const o = this.#options;
    const limit = o.socketConnectTimeout;
    const abort = this.#connectAbort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Set when the limit passes: whatever the transport rejects with once
    // aborted (each runtime words it its own way), the failure is this.
    let timedOut: TimeoutError | undefined;
    const timeout = limit && limit > 0
      ? new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          // Still inside the connector with TLS on: most often a plain port that waits for a command.
          const hint = o.tls && this.#transport === undefined
            ? " (no TLS reply: does this port serve TLS?)"
            : "";
          timedOut = new TimeoutError(`Timed out connecting to ${this.address} after ${limit} ms${hint}`);
          reject(timedOut);
          abort.abort(timedOut);
        }, limit);
      })
      : undefined;
    const race = <T>(step: Promise<T>): Promise<T> => timeout ? Promise.race([step, timeout]) : step;
    try {
      // On unless turned off: a peer gone without a word is then noticed even with no socketTimeout.
      const keepAlive = o.socketKeepalive === undefined || o.socketKeepalive === true
        ? DEFAULT_KEEPALIVE
        : o.socketKeepalive || undefined;
      for (let attempt = 1;; attempt++) {
        if (o.resolveAddress) {
          const at = await race(o.resolveAddress(attempt));
          if (this.#state !== "connecting") {
            throw new ConnectionError(`Connection to ${this.address} was closed while connecting`);
          }
          this.#host = at.host;
          this.#port = at.port;
          this.#address = `${at.host}:${at.port}`;
          if (this.#connectTrace) {
            this.#connectTrace.serverAddress = at.host;
            this.#connectTrace.serverPort = at.port;
          }
        }
        const opening = o.connector({
          host: this.#host ?? "localhost",
          port: this.#port ?? 6379,
          path: o.path,
          tls: o.tls,
          noDelay: true,
          keepAlive,
          signal: abort.signal,
        });
        let transport: Transport;
        try {
          transport = await race(opening);
        } catch (error) {
          // Unreachable: a resolved address may have another server to offer.
          if (!o.resolveAddress || attempt >= VERIFY_ATTEMPTS || timedOut || this.#state !== "connecting") {
            throw error;
          }
          continue;
        }
        if (this.#state !== "connecting") {
          await transport.close();
          throw new ConnectionError(`Connection to ${this.address} was closed while connecting`);
        }
        this.#transport = transport;
        this.#decoder.setAsciiText(transport.asciiText);
        // A socket refused by `verify` is dropped quietly: only the current one speaks.
        transport.onData((chunk) => {
          if (this.#transport === transport) this.#onData(chunk);
        });
        transport.onClose((error) => {
          if (this.#transport === transport) this.#onTransportClose(error);
        });
        o.onEvent?.("connect", this);
        this.#handshaking = true;
        this.hello = await race(handshake(this, o));
        this.#handshaking = false;
        const refused = o.verify ? await race(o.verify(this)) : undefined;
        if (refused === undefined) break;
        if (!o.resolveAddress || attempt >= VERIFY_ATTEMPTS) {
          throw new ConnectionError(`Connection to ${this.address} refused: ${refused}`);
        }
        // Everything sent so far was the handshake and the check, all answered.
        this.#transport = undefined;
        this.#inFlight.clear();
        this.#decoder.reset();
        this.hello = undefined;
        await transport.close().catch(() => {});
      }
    } catch (error) {
      // Dropped meanwhile (disconnect, close): the reason it was dropped.
      const dropped = (this.#state as State) === "closed" ? this.#error : undefined;
      const failure = timedOut ?? dropped ?? this.#wrapConnectError(error);
      this.#fail(failure);
      throw failure;
    } finally {
      this.#handshaking = false;
      if (timer !== undefined) clearTimeout(timer);
      this.#connectAbort = undefined;
    }
    if (this.#state !== "connecting") {
      throw new ConnectionError(`Connection to ${this.address} was closed while connecting`, {
        cause: this.#error,
      });
    }
    this.#state = "ready";
    this.#lastIO = Date.now();
    o.onEvent?.("ready", this);
    this.#releaseWaiting();
  }

  #wrapConnectError(error: unknown): Error {
    if (error instanceof RedisError) return error;
    return new ConnectionError(`Error connecting to ${this.address}: ${(error as Error)?.message ?? error}`, {
      cause: error,
    });
  }

  /**
   * Sends a command and resolves to its (transformed) reply. Rejects with a
   * `DataError` for bad arguments before anything is sent, with the server's
   * error reply as a `ResponseError`, or with a `ConnectionError` when the
   * connection is lost first.
   */
  send<T>(command: Command<T>, options?: SendOptions): Promise<T> {
    // Observed: one trace per command actually sent (a retry is a new send, so a new trace).
    if (this.#scope.active && !command.error && !command.localReply) {
      return this.#scope.traceCommand(
        this.#commandTrace(command, options?.batch),
        () => this.#send(command, options),
      );
    }
    return this.#send(command, options);
  }

  #commandTrace(command: Command<unknown>, batch: SendOptions["batch"]): CommandTrace {
    // Not connected yet with an address to resolve (sentinels): the address is the one resolved by the end.
    if (this.#options.resolveAddress !== undefined && this.#state !== "ready") {
      const address = () => this.#serverAddress;
      const port = () => this.#serverPort;
      return {
        command: command.name,
        args: command.args,
        keyCount: command.keys?.length ?? 0,
        keyPositions: command.keys,
        batchMode: batch?.mode,
        batchSize: batch?.size,
        get serverAddress() {
          return address();
        },
        get serverPort() {
          return port();
        },
        database: this.#options.db ?? 0,
      };
    }
    return {
      command: command.name,
      args: command.args,
      keyCount: command.keys?.length ?? 0,
      keyPositions: command.keys,
      batchMode: batch?.mode,
      batchSize: batch?.size,
      serverAddress: this.#serverAddress,
      serverPort: this.#serverPort,
      database: this.#options.db ?? 0,
    };
  }

  /**
   * Runs `run`, which sends a pipeline or transaction on this connection, as
   * one batch for the observers (`commands`: the caller's queue, MULTI and
   * EXEC not counted).
   */
  traceBatch<T>(
    mode: "PIPELINE" | "MULTI",
    commands: readonly Command<unknown>[],
    run: () => Promise<T>,
  ): Promise<T> {
    if (!this.#scope.active) return run();
    return this.#scope.traceBatch({
      mode,
      size: commands.length,
      commands: commands.map((c) => c.args),
      serverAddress: this.#serverAddress,
      serverPort: this.#serverPort,
      database: this.#options.db ?? 0,
    }, run);
  }

  #send<T>(command: Command<T>, options?: SendOptions): Promise<T> {
    if (command.error) return Promise.reject(command.error);
    if (command.localReply) return Promise.resolve(command.localReply.value);
    if (!this.#accepting || this.#state === "closed") {
      return Promise.reject(
        new ConnectionError(`Connection to ${this.address} is closed`, { cause: this.#error }),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = {
        command: command as Command<unknown>,
        transform: options?.transform ?? (command.transform as ReplyTransform<unknown> | undefined),
        resolve: resolve as (value: unknown) => void,
        reject,
        bytes: undefined,
        deadline: 0,
        timeout: 0,
        signal: options?.signal,
        onAbort: undefined,
        raw: false,
        trace: options?.trace,
        sink: undefined,
        index: 0,
      };
      this.#enqueue(entry, options?.timeout);
    });
  }

  /**
   * Sends the commands in order, each as `send` would, and resolves once to
   * their replies in order: a (transformed) value, or the Error that command
   * got. It never rejects. One promise for the whole batch instead of one per
   * command: pipelines and transactions use it.
   *
   * @example
   * ```ts
   * import { Command, Connection, getDefaultConnector } from "@uniredis/redis";
   * const c = new Connection({ connector: getDefaultConnector(), host: "127.0.0.1", port: 6379 });
   * console.log(await c.sendBatch([new Command("PING"), new Command("ECHO").arg("hi")])); // ["PONG", "hi"]
   * await c.close();
   * ```
   */
  sendBatch(commands: readonly Command<unknown>[], options?: SendBatchOptions): Promise<unknown[]> {
    const n = commands.length;
    if (n === 0) return Promise.resolve([]);
    const transformOf = options?.transformOf;
    // Observed: each command keeps its own trace, through `send`.
    if (this.#scope.active) {
      return Promise.all(
        commands.map((command) =>
          this.send(command, { ...options, transform: transformOf?.(command) }).then(
            (value) => value,
            (error) => error instanceof Error ? error : new DataError(String(error)),
          )
        ),
      );
    }
    let done!: (results: unknown[]) => void;
    const promise = new Promise<unknown[]>((resolve) => done = resolve);
    const sink: BatchSink = { results: new Array(n).fill(UNSETTLED), left: n, done };
    const closed = !this.#accepting || this.#state === "closed";
    for (let i = 0; i < n; i++) {
      const command = commands[i];
      if (command.error || command.localReply || closed) {
        sink.results[i] = command.error ??
          (command.localReply
            ? command.localReply.value
            : new ConnectionError(`Connection to ${this.address} is closed`, { cause: this.#error }));
        sink.left--;
        continue;
      }
      this.#enqueue({
        command,
        transform: transformOf?.(command) ?? command.transform as ReplyTransform<unknown> | undefined,
        resolve: settleSlot,
        reject: failSlot,
        bytes: undefined,
        deadline: 0,
        timeout: 0,
        signal: options?.signal,
        onAbort: undefined,
        raw: false,
        trace: options?.trace,
        sink,
        index: i,
      }, options?.timeout);
    }
    if (sink.left === 0) done(sink.results);
    return promise;
  }

  /** Queues a new entry for writing (or for after the connect), with its deadline and abort signal. */
  #enqueue(entry: Pending, timeout: number | undefined): void {
    const command = entry.command;
    if (timeout === undefined) {
      timeout = this.#options.socketTimeout;
      // A blocking command may legitimately wait its own blocking time first.
      if (timeout && command.blocking && command.blockTimeout !== undefined) {
        timeout = command.blockTimeout === 0 ? 0 : timeout + command.blockTimeout;
      }
    }
    entry.deadline = timeout && timeout > 0 ? Date.now() + timeout : 0;
    entry.timeout = timeout ?? 0;
    if (entry.signal) {
      if (entry.signal.aborted) return entry.reject(abortReason(entry.signal));
      entry.onAbort = () => this.#abort(entry);
      entry.signal.addEventListener("abort", entry.onAbort, { once: true });
    }
    try {
      if (this.#state === "ready" && this.#options.healthCheckInterval && this.#healthCheckDue()) {
        this.#startHealthCheck();
      }
      if (this.#state === "ready") {
        this.#encoder.push(command.args);
        this.#inFlight.push(entry);
        if (entry.trace) entry.trace.sent = true;
        this.#scheduleFlush();
      } else {
        entry.bytes = encodeCommand(command.args);
        this.#waiting.push(entry);
        if (this.#state === "idle") this.connect().catch(() => {});
      }
    } catch (error) {
      this.#settle(entry);
      return entry.reject(error);
    }
    if (entry.deadline) this.#armTimer(entry.deadline);
  }

  /**
   * Writes raw commands ahead of everything else and resolves to their raw
   * replies (errors included as values). Used by the handshake only.
   */
  sendRaw(commands: readonly (readonly RedisArgument[])[]): Promise<RespValue[]> {
    const transport = this.#transport;
    if (!transport) return Promise.reject(new ConnectionError(`Not connected to ${this.address}`));
    const replies = commands.map((args) =>
      new Promise<RespValue>((resolve, reject) => {
        this.#inFlight.push({
          command: new Command<unknown>(String(args[0])).argsOf(args.slice(1)),
          transform: undefined,
          resolve: resolve as (value: unknown) => void,
          reject,
          bytes: undefined,
          deadline: 0,
          timeout: 0,
          signal: undefined,
          onAbort: undefined,
          raw: true,
          trace: undefined,
          sink: undefined,
          index: 0,
        });
      })
    );
    for (const args of commands) this.#encoder.push(args);
    this.#flush();
    return Promise.all(replies);
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    this.#flushScheduled = false;
    const transport = this.#transport;
    if (!transport || this.#encoder.length === 0) return;
    const bytes = this.#encoder.take();
    this.#lastIO = Date.now();
    const pending = transport.write(bytes);
    if (pending) pending.catch((error) => this.#fail(this.#lost(error)));
  }

  #releaseWaiting(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    if (waiting.length === 0) return;
    const parts: Uint8Array[] = [];
    let size = 0;
    for (const entry of waiting) {
      parts.push(entry.bytes!);
      size += entry.bytes!.length;
      entry.bytes = undefined;
      if (entry.trace) entry.trace.sent = true;
      this.#inFlight.push(entry);
    }
    const all = new Uint8Array(size);
    let at = 0;
    for (const part of parts) {
      all.set(part, at);
      at += part.length;
    }
    this.#flush(); // anything the encoder holds goes first (it was queued first)
    this.#lastIO = Date.now();
    const pending = this.#transport!.write(all);
    if (pending) pending.catch((error) => this.#fail(this.#lost(error)));
  }

  /** Idle for a health check interval with nothing in flight: the socket may be long dead. */
  #healthCheckDue(): boolean {
    return this.#inFlight.length === 0 && Date.now() - this.#lastIO >= this.#options.healthCheckInterval!;
  }

  /**
   * PINGs before anything else goes out; commands wait meanwhile. No answer
   * within the limit closes the connection with its waiting commands unsent,
   * so the client can safely send them on a fresh one.
   */
  #startHealthCheck(): void {
    this.#state = "checking";
    const o = this.#options;
    const limit = o.socketTimeout || o.socketConnectTimeout || DEFAULT_HEALTH_CHECK_TIMEOUT;
    const failed = (detail: string, cause?: unknown) => {
      if (this.#state !== "checking") return;
      this.#healthCheckFailed = true;
      this.#fail(new ConnectionError(`Health check of ${this.address} failed: ${detail}`, { cause }));
    };
    const timer = setTimeout(() => failed(`no reply to PING within ${limit} ms`), limit);
    this.sendRaw([["PING"]]).then(([reply]) => {
      clearTimeout(timer);
      if (reply instanceof Error) return failed(reply.message, reply);
      if (this.#state !== "checking") return;
      this.#state = "ready";
      const held = this.#waiting;
      this.#releaseWaiting();
      // Their deadlines were paused during the check.
      for (const entry of held) if (entry.deadline) this.#armTimer(entry.deadline);
      if (this.#inFlight.length === 0) this.#onDrained?.();
    }, () => clearTimeout(timer));
  }

  #onData(chunk: Uint8Array): void {
    this.#lastIO = Date.now();
    try {
      this.#decoder.feed(chunk);
    } catch (error) {
      // A handler's exception still drops the connection, as a RedisError.
      const failure = error instanceof ProtocolError
        ? new ProtocolError(`${error.message} (from ${this.address})`, { cause: error })
        : error instanceof RedisError
        ? error
        : new ConnectionError(`Handling a reply from ${this.address} failed: ${describe(error)}`, {
          cause: error,
        });
      this.#fail(failure);
    }
  }

  #onReply(value: RespValue): void {
    const entry = this.#inFlight.shift();
    if (!entry) {
      if (this.#isReauthReply(value)) return this.#streamReauths.shift()!.resolve(value);
      if (this.#streamHandler) return this.#streamHandler(value);
      this.#fail(new ProtocolError(`Unexpected reply from ${this.address} with no command waiting for it`));
      return;
    }
    this.#settle(entry);
    if (this.#inFlight.length === 0) this.#onDrained?.();
    if (entry.raw) {
      entry.resolve(value);
      return;
    }
    if (value instanceof RedisError) {
      // NOAUTH on a command: no credentials were sent (RESP2 without a password); say which to set.
      const noAuth = value instanceof AuthenticationError && value.message.startsWith("NOAUTH");
      entry.reject(noAuth ? authFailure(this.address, this.#options, value) : value);
      return;
    }
    const transform = entry.transform;
    if (transform === undefined) {
      entry.resolve(value);
      return;
    }
    let result: unknown;
    try {
      result = transform(value);
    } catch (error) {
      // A reply of the wrong shape (or a transform that trips on it) names its command.
      entry.reject(transformError(entry.command.name, error));
      return;
    }
    entry.resolve(result);
  }

  /** Detaches an entry from its abort signal (it is done, one way or another). */
  #settle(entry: Pending): void {
    if (entry.onAbort) {
      entry.signal!.removeEventListener("abort", entry.onAbort);
      entry.onAbort = undefined;
    }
  }

  #abort(entry: Pending): void {
    entry.onAbort = undefined;
    const reason = abortReason(entry.signal!);
    const waitingAt = this.#waiting.indexOf(entry);
    if (waitingAt >= 0) {
      // Never written: drop it and keep the connection.
      this.#waiting.splice(waitingAt, 1);
      entry.reject(reason);
      return;
    }
    if (!this.#inFlight.includes(entry)) return;
    // Its bytes are (or are about to be) on the wire: the reply would arrive
    // later and be misread, so this connection must go.
    entry.reject(reason);
    this.#fail(
      new ConnectionError(`Connection to ${this.address} closed: a command was aborted after it was sent`, {
        cause: reason,
      }),
      entry,
    );
  }

  #armTimer(deadline: number): void {
    if (this.#timer !== undefined && this.#timerAt <= deadline) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = deadline;
    this.#timer = setTimeout(() => this.#checkDeadlines(), Math.max(0, deadline - Date.now()));
  }

  /** Fires at the earliest deadline; replies are in order, so only unanswered entries matter. */
  #checkDeadlines(): void {
    this.#timer = undefined;
    const now = Date.now();
    let next = 0;
    // Commands not written yet (waiting for the connect) time out alone: no
    // reply can come for them, so the connection stays. Held back by a
    // health check, they are not late: the check has its own limit.
    if (this.#state !== "checking") {
      for (const entry of [...this.#waiting]) {
        if (!entry.deadline) continue;
        if (entry.deadline <= now) this.#expire(entry);
        else if (next === 0 || entry.deadline < next) next = entry.deadline;
      }
    }
    for (const entry of this.#inFlight.values()) {
      if (!entry.deadline) continue;
      if (entry.deadline <= now) {
        // A late reply must never be read as another command's: the
        // connection goes, and the commands behind fail with it.
        const error = this.#expire(entry);
        this.#fail(
          new ConnectionError(`Connection to ${this.address} closed after a command timed out`, {
            cause: error,
          }),
        );
        return;
      }
      if (next === 0 || entry.deadline < next) next = entry.deadline;
    }
    if (next) this.#armTimer(next);
  }

  /** Rejects one command with its `TimeoutError` and forgets it. */
  #expire(entry: Pending): TimeoutError {
    const error = new TimeoutError(
      `Timeout reading from ${this.address}: no reply to ${
        describeCommand(entry.command)
      } within ${entry.timeout} ms`,
    );
    this.#settle(entry);
    this.#removeEntry(entry);
    entry.reject(error);
    return error;
  }

  #removeEntry(entry: Pending): void {
    const i = this.#waiting.indexOf(entry);
    if (i >= 0) this.#waiting.splice(i, 1);
    else this.#inFlight.remove(entry);
  }

  #onTransportClose(error?: Error): void {
    if (this.#state === "closed") return;
    this.#fail(this.#handshaking && !this.#options.tls ? this.#closedInHandshake(error) : this.#lost(error));
  }

  // A TLS-only port hangs up on plain text: the likeliest reason a server
  // closes before it answers HELLO, so the message says what to set.
  #closedInHandshake(error?: Error): ConnectionError {
    const text = error?.message.replace(/^connection to \S+ (?:lost|failed): /i, "");
    return new ConnectionError(
      `Error connecting to ${this.address}: the server closed the connection during the handshake ` +
        `(if it expects TLS, set tls or use rediss://)${text ? `: ${text}` : ""}`,
      { cause: error },
    );
  }

  #lost(error?: unknown): ConnectionError {
    if (error instanceof ConnectionError && error.message.includes(this.address)) return error;
    const detail = error instanceof Error ? `: ${error.message}` : "";
    return new ConnectionError(`Connection to ${this.address} lost${detail}`, { cause: error });
  }

  /**
   * Closes at once and rejects every pending command with `error` (except
   * `skip`, already settled). The connection is never used again.
   */
  #fail(error: Error | undefined, skip?: Pending, quiet = false): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#error = error;
    if (!quiet) this.#lostWith = error;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const pending = [...this.#inFlight.values(), ...this.#waiting];
    this.#inFlight.clear();
    this.#waiting = [];
    // Made only when someone is told: a close with nothing pending (the common one) builds no error.
    let closed: Error | undefined = error;
    const reason = () => closed ??= new ConnectionError(`Connection to ${this.address} closed`);
    for (const waiter of this.#streamReauths.splice(0)) waiter.reject(reason());
    for (const entry of pending) {
      if (entry === skip) continue;
      this.#settle(entry);
      entry.reject(reason());
    }
    this.#decoder.reset();
    this.#connectAbort?.abort(reason());
    const transport = this.#transport;
    this.#transport = undefined;
    this.#closed = transport ? transport.close().catch(() => {}) : Promise.resolve();
    this.#onDrained?.();
    const onEvent = this.#options.onEvent;
    if (onEvent) {
      if (error && !quiet) onEvent("error", this, error);
      onEvent("close", this);
    }
    for (const resolve of this.#closeWaiters.splice(0)) resolve();
  }

  /**
   * Closes gracefully: waits for the replies of commands already sent (and
   * for a connect in progress), then closes the socket. Commands sent
   * afterwards are rejected. Idempotent.
   */
  close(): Promise<void> {
    return this.#closing ??= this.#closeGracefully();
  }

  async #closeGracefully(): Promise<void> {
    this.#accepting = false;
    if (this.#state === "idle") {
      this.#fail(undefined, undefined, true);
      return;
    }
    // Nothing to wait for (the common case): closed at once, with no closeTimeout timer to set and clear.
    if (this.#state === "ready" && this.#inFlight.length === 0) {
      this.#fail(undefined);
      await this.#closed;
      return;
    }
    // A silent server must not keep close() waiting forever.
    const limit = this.#options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT;
    const timer = setTimeout(() => {
      this.#fail(
        new ConnectionError(
          `Connection to ${this.address} closed: still waiting for replies ${limit} ms after close() (closeTimeout)`,
        ),
      );
    }, limit);
    try {
      if (this.#state === "connecting") {
        await Promise.race([this.#connecting!.catch(() => {}), this.whenClosed()]);
      }
      // A health check in progress holds commands back: wait for them too.
      while (this.#state === "checking" || (this.#state === "ready" && this.#inFlight.length > 0)) {
        await new Promise<void>((resolve) => this.#onDrained = resolve);
      }
    } finally {
      clearTimeout(timer);
    }
    this.#fail(undefined);
    await this.#closed;
  }

  /** Drops the connection at once, rejecting every pending command with a `ConnectionError`. */
  disconnect(): void {
    this.#fail(
      new ConnectionError(`Connection to ${this.address} was disconnected by the client`),
      undefined,
      true,
    );
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The command was aborted", "AbortError");
}

function describeCommand(command: Command<unknown>): string {
  const name = String(command.args[0]);
  return name.slice(0, 32).toUpperCase();
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
