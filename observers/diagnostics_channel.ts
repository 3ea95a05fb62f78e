/**
 * Diagnostics channels: publishes every client's commands, batches,
 * connects and point events on `node:diagnostics_channel`, as node-redis
 * (`node-redis:command`...) and ioredis (`ioredis:command`...) do, with the
 * same context field names, so APM agents that subscribe to theirs can
 * subscribe to ours (see `CHANNELS` for the names).
 *
 * The main entry loads this module on Deno, Bun and Node. Edge bundles do
 * not (a Worker without `nodejs_compat` has no `node:` modules): on workerd
 * with `nodejs_compat`, import it once beside the edge entry. Loading it
 * again (through another entry) registers nothing more.
 *
 * Nothing is built or published while no channel has a subscriber: the
 * observer says it is inactive, and the client takes its fast path.
 *
 * @example On workerd with nodejs_compat
 * ```ts
 * import "@uniredis/redis/diagnostics";
 * import { Redis } from "@uniredis/redis/edge";
 * console.log(typeof Redis); // "function"
 * ```
 *
 * @example Subscribing (any runtime with node:diagnostics_channel)
 * ```ts
 * import dc from "node:diagnostics_channel";
 * import { Redis } from "@uniredis/redis";
 * type Ctx = { command: string; error?: Error };
 * dc.subscribe("tracing:uniredis:command:start", (ctx) => console.log("start", (ctx as Ctx).command));
 * dc.subscribe("tracing:uniredis:command:asyncEnd", (ctx) => console.log("done", (ctx as Ctx).command));
 * dc.subscribe("tracing:uniredis:command:error", (ctx) => console.log("failed", (ctx as Ctx).error?.message));
 * await using r = new Redis();
 * await r.ping();
 * ```
 *
 * @module
 */

import dc from "node:diagnostics_channel";
import {
  addObserver,
  type BatchTrace,
  type CommandTrace,
  type ConnectTrace,
  type InstrumentationEvent,
  type InstrumentationObserver,
} from "../lib/instrumentation.ts";
import { CHANNELS } from "../lib/diagnostics_names.ts";
import { keyText } from "../lib/key_text.ts";
import type { RedisArgument } from "../lib/protocol/types.ts";

export { CHANNELS };

/** What `tracePromise` needs of a tracing channel, and its five sub-channels (Bun lacks `hasSubscribers`). */
interface Traced {
  readonly start: { readonly hasSubscribers: boolean };
  readonly end: { readonly hasSubscribers: boolean };
  readonly asyncStart: { readonly hasSubscribers: boolean };
  readonly asyncEnd: { readonly hasSubscribers: boolean };
  readonly error: { readonly hasSubscribers: boolean };
  tracePromise<T>(fn: () => Promise<T>, context: object): Promise<T>;
}

const commandChannel = dc.tracingChannel(CHANNELS.COMMAND) as unknown as Traced;
const batchChannel = dc.tracingChannel(CHANNELS.BATCH) as unknown as Traced;
const connectChannel = dc.tracingChannel(CHANNELS.CONNECT) as unknown as Traced;

/** The plain channel of each point event. */
const pointChannels: Record<InstrumentationEvent["type"], dc.Channel> = {
  "pool-wait": dc.channel(CHANNELS.POOL_CONNECTION_WAIT),
  "connection-open": dc.channel(CHANNELS.CONNECTION_READY),
  "connection-close": dc.channel(CHANNELS.CONNECTION_CLOSED),
  "retry": dc.channel(CHANNELS.RETRY),
  "reconnect": dc.channel(CHANNELS.RECONNECT),
  "pubsub-message": dc.channel(CHANNELS.PUBSUB),
  "cache": dc.channel(CHANNELS.CACHE_REQUEST),
  "cluster-redirect": dc.channel(CHANNELS.CLUSTER_REDIRECT),
  "cluster-refresh": dc.channel(CHANNELS.CLUSTER_REFRESH),
  "sentinel-failover": dc.channel(CHANNELS.SENTINEL_FAILOVER),
};
const cacheInvalidation = dc.channel(CHANNELS.CACHE_INVALIDATION);
const points = [...Object.values(pointChannels), cacheInvalidation];

function subscribed(channel: Traced): boolean {
  return channel.start.hasSubscribers || channel.end.hasSubscribers || channel.asyncStart.hasSubscribers ||
    channel.asyncEnd.hasSubscribers || channel.error.hasSubscribers;
}

/**
 * The context published on `uniredis:command`: node-redis's and ioredis's
 * field names. `args` keeps the name and the keys; every other value is
 * `"?"` (values may be secrets or personal data). A command queued on a
 * sentinel-managed connection before its first connect ends has the
 * master's address by `asyncEnd`, not yet at `start`.
 *
 * @example
 * ```ts
 * import type { CommandContext } from "@uniredis/redis/diagnostics";
 * const ctx: CommandContext = {
 *   command: "SET", args: ["SET", "user:1", "?"], keyCount: 1, database: 0,
 *   serverAddress: "127.0.0.1", serverPort: 6379,
 * };
 * console.log(ctx.args.join(" ")); // "SET user:1 ?"
 * ```
 */
export interface CommandContext {
  /** The command's name, upper case (`"GET"`, `"CLIENT SETNAME"`). */
  command: string;
  /** The argv as text, name first, values other than keys replaced by `"?"`. */
  args: string[];
  /** How many arguments are keys. */
  keyCount: number;
  /** The selected database. */
  database: number;
  /** Host name or IP (or the socket path). */
  serverAddress: string;
  /** TCP port; `undefined` for a Unix socket. */
  serverPort: number | undefined;
  /** `"PIPELINE"` or `"MULTI"` inside a batch (absent otherwise). */
  batchMode?: "PIPELINE" | "MULTI";
  /** The batch's size inside a batch (absent otherwise). */
  batchSize?: number;
  /** Set by `tracePromise` when the command fails. */
  error?: unknown;
  /** Set by `tracePromise` when the command succeeds. */
  result?: unknown;
}

/**
 * The context published on `uniredis:batch` (node-redis's batch fields).
 *
 * @example
 * ```ts
 * import type { BatchContext } from "@uniredis/redis/diagnostics";
 * const ctx: BatchContext = { batchMode: "MULTI", batchSize: 2, database: 0, serverAddress: "127.0.0.1", serverPort: 6379 };
 * console.log(ctx.batchSize); // 2
 * ```
 */
export interface BatchContext {
  /** `"PIPELINE"` or `"MULTI"`. */
  batchMode: "PIPELINE" | "MULTI";
  /** The commands queued by the caller (MULTI and EXEC not counted). */
  batchSize: number;
  /** The selected database. */
  database: number;
  /** Host name or IP (or the socket path). */
  serverAddress: string;
  /** TCP port; `undefined` for a Unix socket. */
  serverPort: number | undefined;
  /** Set by `tracePromise` when the batch fails. */
  error?: unknown;
  /** Set by `tracePromise` when the batch succeeds. */
  result?: unknown;
}

/**
 * The context published on `uniredis:connect`. With a sentinel-managed
 * client the address is the one the sentinels gave, known by `asyncEnd`.
 *
 * @example
 * ```ts
 * import type { ConnectContext } from "@uniredis/redis/diagnostics";
 * const ctx: ConnectContext = { serverAddress: "127.0.0.1", serverPort: 6379, database: 0, tls: false };
 * console.log(ctx.tls); // false
 * ```
 */
export interface ConnectContext {
  /** Host name or IP (or the socket path). */
  serverAddress: string;
  /** TCP port; `undefined` for a Unix socket. */
  serverPort: number | undefined;
  /** The database selected in the handshake. */
  database: number;
  /** Whether the connection uses TLS. */
  tls: boolean;
  /** Set by `tracePromise` when the connect fails. */
  error?: unknown;
}

function text(arg: RedisArgument): string {
  return typeof arg === "string" ? arg : arg instanceof Uint8Array ? keyText(arg) : String(arg);
}

/** The name (one or two words) and the keys as text; every other argument `"?"`. */
function redactedArgs(trace: CommandTrace): string[] {
  const args = trace.args;
  const out = new Array<string>(args.length).fill("?");
  out[0] = text(args[0]);
  if (trace.command.includes(" ") && args.length > 1) out[1] = text(args[1]);
  for (const at of trace.keyPositions ?? []) if (at < args.length) out[at] = text(args[at]);
  return out;
}

function commandContext(trace: CommandTrace): CommandContext {
  const context: CommandContext = {
    command: trace.command,
    args: redactedArgs(trace),
    keyCount: trace.keyCount,
    database: trace.database,
    // Read through: a sentinel-managed connection learns its address while the command waits.
    get serverAddress() {
      return trace.serverAddress;
    },
    get serverPort() {
      return trace.serverPort;
    },
  };
  if (trace.batchMode !== undefined) {
    context.batchMode = trace.batchMode;
    context.batchSize = trace.batchSize;
  }
  return context;
}

/**
 * The observer that publishes on the channels; `active` while any channel
 * has a subscriber. The module registers it once, globally, when loaded.
 *
 * @example
 * ```ts
 * import { diagnosticsObserver } from "@uniredis/redis/diagnostics";
 * console.log(diagnosticsObserver.active); // false: nobody subscribed
 * ```
 */
export const diagnosticsObserver: InstrumentationObserver = {
  get active(): boolean {
    if (subscribed(commandChannel) || subscribed(batchChannel) || subscribed(connectChannel)) return true;
    for (let i = 0; i < points.length; i++) if (points[i].hasSubscribers) return true;
    return false;
  },
  traceCommand<T>(trace: CommandTrace, run: () => Promise<T>): Promise<T> {
    if (!subscribed(commandChannel)) return run();
    return commandChannel.tracePromise(run, commandContext(trace));
  },
  traceBatch<T>(trace: BatchTrace, run: () => Promise<T>): Promise<T> {
    if (!subscribed(batchChannel)) return run();
    const context: BatchContext = {
      batchMode: trace.mode,
      batchSize: trace.size,
      database: trace.database,
      serverAddress: trace.serverAddress,
      serverPort: trace.serverPort,
    };
    return batchChannel.tracePromise(run, context);
  },
  traceConnect<T>(trace: ConnectTrace, run: () => Promise<T>): Promise<T> {
    if (!subscribed(connectChannel)) return run();
    const context: ConnectContext = {
      serverAddress: trace.serverAddress,
      serverPort: trace.serverPort,
      database: trace.database,
      tls: trace.tls,
    };
    // A sentinel-resolved address is known only once connected: report the final one.
    const settle = () => {
      context.serverAddress = trace.serverAddress;
      context.serverPort = trace.serverPort;
    };
    return connectChannel.tracePromise(() => run().finally(settle), context);
  },
  onEvent(event: InstrumentationEvent): void {
    const channel = event.type === "cache" && event.result === "invalidation"
      ? cacheInvalidation
      : pointChannels[event.type];
    if (channel.hasSubscribers) channel.publish(event);
  },
};

// Registered once per copy of the library: ESM and CommonJS copies each observe their own clients.
addObserver(diagnosticsObserver);
