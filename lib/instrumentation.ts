/**
 * The one instrumentation point of the library: observers see every
 * command, batch and connection attempt, and the point events (pool wait,
 * retry, reconnect, pub/sub message, cache, cluster redirect and refresh,
 * sentinel failover). Diagnostics channels and OpenTelemetry are observers;
 * `lib/` itself uses no runtime global.
 *
 * Observers are global (`addObserver`, for diagnostics channels) or per
 * client (`InstrumentationScope.add`, for `instrument(client, ...)`). When no
 * observer is active an operation costs one array length check.
 *
 * @module
 */

import type { RedisArgument } from "./protocol/types.ts";

/** The server an operation went to. */
export interface ServerTarget {
  /** Host name or IP, or the socket path for a Unix socket. */
  readonly serverAddress: string;
  /** TCP port; `undefined` for a Unix socket. */
  readonly serverPort: number | undefined;
  /** The selected database. */
  readonly database: number;
}

/**
 * One command sent to one server. The same object travels from start to end,
 * so observers may keep state on it through a `WeakMap`.
 */
export interface CommandTrace extends ServerTarget {
  /** The command's name as sent, upper case: `"GET"`, `"CLIENT SETNAME"` words joined by a space. */
  readonly command: string;
  /** The whole argv as sent, name first. Values are the caller's data: redact before recording. */
  readonly args: readonly RedisArgument[];
  /** How many of `args` are keys. */
  readonly keyCount: number;
  /** Where the keys are in `args` (so an observer can keep keys and redact values); absent when none. */
  readonly keyPositions?: readonly number[];
  /** Set when the command is part of a pipeline or transaction. */
  readonly batchMode: "PIPELINE" | "MULTI" | undefined;
  /** The size of that batch, when `batchMode` is set. */
  readonly batchSize: number | undefined;
}

/** A pipeline or transaction sent to one server. */
export interface BatchTrace extends ServerTarget {
  /** `"MULTI"` for a transaction, `"PIPELINE"` otherwise. */
  readonly mode: "PIPELINE" | "MULTI";
  /** The commands of the batch, as the caller queued them (MULTI/EXEC not counted). */
  readonly size: number;
  /** The argv of each command, name first. Values are the caller's data: redact before recording. */
  readonly commands: readonly (readonly RedisArgument[])[];
}

/** A connection attempt (socket, TLS and handshake). */
export interface ConnectTrace extends ServerTarget {
  /** Whether the connection uses TLS. */
  readonly tls: boolean;
}

/** The point events, each a plain object with a `type`. */
export type InstrumentationEvent =
  | {
    readonly type: "pool-wait";
    readonly address: string;
    readonly durationMs: number;
    /** Set when no connection came in time (a `MaxConnectionsError`). */
    readonly error?: Error | undefined;
  }
  | { readonly type: "connection-open"; readonly address: string }
  | { readonly type: "connection-close"; readonly address: string; readonly error: Error | undefined }
  | {
    readonly type: "retry";
    readonly attempt: number;
    readonly delayMs: number;
    readonly error: Error;
  }
  | { readonly type: "reconnect"; readonly address: string }
  | {
    readonly type: "pubsub-message";
    readonly kind: "message" | "pmessage" | "smessage";
    readonly channel: string;
    readonly address: string;
  }
  | {
    readonly type: "cache";
    readonly result: "hit" | "miss" | "invalidation";
    readonly count: number;
  }
  | {
    readonly type: "cluster-redirect";
    readonly kind: "MOVED" | "ASK";
    readonly slot: number;
    readonly to: string;
  }
  | {
    readonly type: "cluster-refresh";
    readonly durationMs: number;
    readonly error: Error | undefined;
  }
  | {
    readonly type: "sentinel-failover";
    readonly serviceName: string;
    readonly from: string | undefined;
    readonly to: string;
  };

/**
 * Something that watches operations. Each `trace*` method wraps the
 * operation: it must call `run` exactly once and return (or pass through)
 * its promise, so the observer sees the start, the end and the outcome.
 *
 * @example Count commands per name
 * ```ts
 * import { addObserver, type InstrumentationObserver } from "@uniredis/redis";
 * const counts = new Map<string, number>();
 * const observer: InstrumentationObserver = {
 *   traceCommand(trace, run) {
 *     counts.set(trace.command, (counts.get(trace.command) ?? 0) + 1);
 *     return run();
 *   },
 * };
 * const remove = addObserver(observer);
 * remove();
 * ```
 */
export interface InstrumentationObserver {
  /**
   * Whether the observer wants anything now (e.g. "a channel has
   * subscribers"). Read at most once per microtask turn: a change is seen
   * from the next turn on (after the next `await`), so a busy client pays
   * for the check once per turn, not per command.
   */
  readonly active?: boolean;
  /** Wraps one command on one connection. */
  traceCommand?<T>(trace: CommandTrace, run: () => Promise<T>): Promise<T>;
  /** Wraps one pipeline or transaction on one connection. */
  traceBatch?<T>(trace: BatchTrace, run: () => Promise<T>): Promise<T>;
  /** Wraps one connection attempt, handshake included. */
  traceConnect?<T>(trace: ConnectTrace, run: () => Promise<T>): Promise<T>;
  /** Receives a point event. */
  onEvent?(event: InstrumentationEvent): void;
}

let globalObservers: readonly InstrumentationObserver[] = [];
let globalVersion = 0;

/**
 * Adds an observer of every client in this process; returns the function
 * that removes it.
 *
 * @example
 * ```ts
 * import { addObserver } from "@uniredis/redis";
 * const remove = addObserver({ onEvent: (e) => console.log(e.type) });
 * remove();
 * ```
 */
export function addObserver(observer: InstrumentationObserver): () => void {
  globalObservers = [...globalObservers, observer];
  globalVersion++;
  return () => {
    globalObservers = globalObservers.filter((o) => o !== observer);
    globalVersion++;
  };
}

/**
 * The observers of one client (and of its pools and connections): the
 * global ones plus the client's own.
 *
 * @example
 * ```ts
 * import { InstrumentationScope } from "@uniredis/redis";
 * const scope = new InstrumentationScope();
 * const remove = scope.add({ onEvent: (e) => console.log(e.type) });
 * console.log(scope.observers.length >= 1); // true
 * remove();
 * ```
 */
export class InstrumentationScope {
  #own: readonly InstrumentationObserver[] = [];
  #merged: readonly InstrumentationObserver[] = globalObservers;
  #version = globalVersion;

  /** Adds an observer of this scope only; returns the function that removes it. */
  add(observer: InstrumentationObserver): () => void {
    this.#own = [...this.#own, observer];
    this.#version = -1;
    return () => {
      this.#own = this.#own.filter((o) => o !== observer);
      this.#version = -1;
    };
  }

  /** Every observer that applies here; empty (length 0) on the fast path. */
  get observers(): readonly InstrumentationObserver[] {
    if (this.#version !== globalVersion) {
      this.#merged = this.#own.length === 0 ? globalObservers : [...globalObservers, ...this.#own];
      this.#version = globalVersion;
    }
    return this.#merged;
  }

  /**
   * True when some observer wants something now (not `active: false`).
   * Callers check it before building a trace or an event, so an
   * unobserved client allocates nothing. The observers' `active` is read
   * once per microtask turn (see `InstrumentationObserver.active`).
   */
  get active(): boolean {
    const observers = this.observers;
    return observers.length !== 0 && (observers === checkedFor ? checkedActive : check(observers));
  }

  /** Runs `run` wrapped by every active observer's `traceCommand` (the first observer outermost). */
  traceCommand<T>(trace: CommandTrace, run: () => Promise<T>): Promise<T> {
    return traceThrough(this.observers, "traceCommand", trace, run);
  }

  /** Runs `run` wrapped by every active observer's `traceBatch`. */
  traceBatch<T>(trace: BatchTrace, run: () => Promise<T>): Promise<T> {
    return traceThrough(this.observers, "traceBatch", trace, run);
  }

  /** Runs `run` wrapped by every active observer's `traceConnect`. */
  traceConnect<T>(trace: ConnectTrace, run: () => Promise<T>): Promise<T> {
    return traceThrough(this.observers, "traceConnect", trace, run);
  }

  /** Hands `event` to every active observer's `onEvent`; an observer's exception is not the caller's. */
  emit(event: InstrumentationEvent): void {
    for (const observer of this.observers) {
      if (observer.active === false || observer.onEvent === undefined) continue;
      try {
        observer.onEvent(event);
      } catch {
        // An observer's bug must not fail a command or a reconnect.
      }
    }
  }
}

// The last observer list checked this microtask turn and its answer: the commands of one turn (a pipeline,
// replies read in one chunk) share one check; the cache is dropped at the end of the turn.
let checkedFor: readonly InstrumentationObserver[] | undefined;
let checkedActive = false;

function check(observers: readonly InstrumentationObserver[]): boolean {
  let active = false;
  for (let i = 0; i < observers.length; i++) {
    if (observers[i].active !== false) {
      active = true;
      break;
    }
  }
  if (checkedFor === undefined) queueMicrotask(forget);
  checkedFor = observers;
  checkedActive = active;
  return active;
}

function forget(): void {
  checkedFor = undefined;
}

/** Tells `scope` of a cluster redirection of `slot` to `to` (a no-op when nothing observes). */
export function redirected(
  scope: InstrumentationScope,
  kind: "MOVED" | "ASK",
  slot: number,
  to: { readonly host: string; readonly port: number },
): void {
  if (scope.active) scope.emit({ type: "cluster-redirect", kind, slot, to: `${to.host}:${to.port}` });
}

function traceThrough<T>(
  observers: readonly InstrumentationObserver[],
  method: "traceCommand" | "traceBatch" | "traceConnect",
  trace: CommandTrace | BatchTrace | ConnectTrace,
  run: () => Promise<T>,
): Promise<T> {
  let next = run;
  for (let i = observers.length - 1; i >= 0; i--) {
    const observer = observers[i];
    const wrap = observer[method] as
      | ((trace: unknown, run: () => Promise<T>) => Promise<T>)
      | undefined;
    if (observer.active === false || wrap === undefined) continue;
    const inner = next;
    next = () => wrap.call(observer, trace, inner);
  }
  return next();
}
