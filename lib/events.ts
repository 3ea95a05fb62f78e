/**
 * Events a client dispatches about its connections: `connect`, `ready`,
 * `error`, `reconnecting` and `end`.
 *
 * @module
 */

import type { RedisFailoverEvent } from "./sentinel/failover_event.ts";

/**
 * A connection opened its socket (`connect`) or finished its handshake
 * (`ready`).
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * const r = new Redis();
 * r.addEventListener("ready", (event) => console.log("ready:", event.address));
 * await r.ping();
 * await r.close();
 * ```
 */
export class RedisConnectionEvent extends Event {
  /** `host:port` or the socket path of the connection. */
  readonly address: string;

  /** Creates the event; `type` is `"connect"` or `"ready"`. */
  constructor(type: "connect" | "ready", address: string) {
    super(type);
    this.address = address;
  }
}

/**
 * A connection failed to open or was lost (`error`). Commands that were
 * waiting on it are rejected with the same error; a client never throws
 * because nobody listens to this event. The same class carries
 * `credentialserror`: credentials pushed by a streaming provider were
 * refused on a connection that stays open.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * const r = new Redis({ port: 1 });
 * r.addEventListener("error", (event) => console.log(event.error.message));
 * await r.ping().catch(() => {});
 * await r.close();
 * ```
 */
export class RedisErrorEvent extends Event {
  /** What went wrong. */
  readonly error: Error;
  /** `host:port` or the socket path of the connection. */
  readonly address: string;

  /** Creates an `error` event (or, with `type`, a `credentialserror` one). */
  constructor(error: Error, address: string, type: "error" | "credentialserror" = "error") {
    super(type);
    this.error = error;
    this.address = address;
  }
}

/**
 * The client is about to try again after a failure (`reconnecting`): it
 * waits `delay` ms (the retry policy's backoff), then reconnects if needed
 * and re-sends the command.
 *
 * @example
 * ```ts
 * import { ExponentialBackoff, Redis, Retry } from "@uniredis/redis";
 * const r = new Redis({ retry: new Retry(new ExponentialBackoff(), 3) });
 * r.addEventListener("reconnecting", (e) => console.log(`attempt ${e.attempt} in ${e.delay} ms`));
 * await r.close();
 * ```
 */
export class RedisReconnectingEvent extends Event {
  /** 1 for the first retry, then 2, 3... */
  readonly attempt: number;
  /** Milliseconds until the attempt. */
  readonly delay: number;
  /** The failure that caused it. */
  readonly error: Error;

  /** Creates a `reconnecting` event. */
  constructor(attempt: number, delay: number, error: Error) {
    super("reconnecting");
    this.attempt = attempt;
    this.delay = delay;
    this.error = error;
  }
}

/**
 * The events of a `Redis` client, by type:
 * - `connect`: a connection opened its socket;
 * - `ready`: a connection finished its handshake and carries commands;
 * - `error`: a connection failed to open or was lost;
 * - `reconnecting`: a retry is scheduled after a failure;
 * - `end`: the client was closed (`close()` or `disconnect()`);
 * - `failover`: the master of a sentinel-managed client moved (`Sentinel.masterFor`).
 *
 * @example
 * ```ts
 * import type { RedisEventMap } from "@uniredis/redis";
 * const onError = (event: RedisEventMap["error"]) => console.error(event.error);
 * console.log(typeof onError); // "function"
 * ```
 */
export interface RedisEventMap {
  /** A connection opened its socket. */
  connect: RedisConnectionEvent;
  /** A connection finished its handshake. */
  ready: RedisConnectionEvent;
  /** A connection failed to open or was lost. */
  error: RedisErrorEvent;
  /**
   * The server refused credentials pushed by a streaming `credentialProvider`
   * on a live connection (an `AuthenticationError`); that connection stays
   * open with its previous credentials.
   */
  credentialserror: RedisErrorEvent;
  /** A retry is scheduled. */
  reconnecting: RedisReconnectingEvent;
  /** The client was closed. */
  end: Event;
  /** The master moved (sentinel-managed master clients only). */
  failover: RedisFailoverEvent;
}
