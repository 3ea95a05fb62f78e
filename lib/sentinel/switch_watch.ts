/**
 * Listens to the sentinels' `+switch-master` messages, on every sentinel at
 * once, and tells the master pools of the service that moved.
 *
 * @module
 */

import type { Redis } from "../client.ts";
import type { PubSub, PubSubWorker } from "../pubsub.ts";
import type { SentinelAddress } from "./state.ts";

/**
 * Told of a switch: the master `from` was replaced by `to`
 * (`Sentinel.followSwitches`).
 *
 * @example
 * ```ts
 * import type { SwitchListener } from "@uniredis/redis";
 * const log: SwitchListener = (from, to) => console.log(`${from.port} -> ${to.port}`);
 * log({ host: "127.0.0.1", port: 6379 }, { host: "127.0.0.1", port: 6380 }); // "6379 -> 6380"
 * ```
 */
export type SwitchListener = (from: SentinelAddress, to: SentinelAddress) => void;

/**
 * Told that a sentinel starts failing `master` over (`+try-failover`): a
 * switch may follow (`Sentinel.followSwitches`).
 *
 * @example
 * ```ts
 * import type { FailoverStartListener } from "@uniredis/redis";
 * const log: FailoverStartListener = (master) => console.log(`failing over ${master.port}`);
 * log({ host: "127.0.0.1", port: 6379 }); // "failing over 6379"
 * ```
 */
export type FailoverStartListener = (master: SentinelAddress) => void;

/** Pause before subscribing again to a sentinel that could not be reached. */
const RESUBSCRIBE_PAUSE = 1_000;

/**
 * A subscription to `+switch-master` on each sentinel. All of them, not one
 * at a time: sentinels announce a switch up to about 1 s apart (the leader
 * first), so the earliest one tells us first, and a dead sentinel leaves no
 * gap to detect and fill. Duplicates (one per sentinel) are for the
 * listeners to ignore. Started by the first `follow`, ended by `close`.
 */
export class SwitchWatch {
  readonly #clients: readonly Redis<true>[];
  readonly #listeners = new Map<string, Set<SwitchListener>>();
  readonly #startListeners = new Map<string, Set<FailoverStartListener>>();
  #started = false;
  #closed = false;
  #pubsubs: PubSub<true>[] = [];
  #workers: PubSubWorker[] = [];
  #timers = new Set<ReturnType<typeof setTimeout>>();

  /** `clients`: one client per sentinel. Nothing connects until `follow`. */
  constructor(clients: readonly Redis<true>[]) {
    this.#clients = clients;
  }

  /**
   * Calls `listener` on each switch of `serviceName`, and `onStart` when a
   * failover of it starts; returns their removal.
   */
  follow(serviceName: string, listener: SwitchListener, onStart?: FailoverStartListener): () => void {
    let set = this.#listeners.get(serviceName);
    if (!set) this.#listeners.set(serviceName, set = new Set());
    set.add(listener);
    let starts = this.#startListeners.get(serviceName);
    if (!starts) this.#startListeners.set(serviceName, starts = new Set());
    if (onStart) starts.add(onStart);
    if (!this.#started && !this.#closed) {
      this.#started = true;
      for (const client of this.#clients) this.#watch(client);
    }
    return () => {
      set.delete(listener);
      if (onStart) starts.delete(onStart);
    };
  }

  #watch(client: Redis<true>): void {
    if (this.#closed) return;
    const pubsub = client.pubsub();
    pubsub.subscribe({
      "+switch-master": (m) => this.#onSwitch(String(m.data)),
      "+try-failover": (m) => this.#onTryFailover(String(m.data)),
    }).then(() => {
      if (this.#closed) return void pubsub.close();
      this.#pubsubs.push(pubsub);
      // Once subscribed, the pubsub itself reconnects and subscribes again after a loss.
      this.#workers.push(pubsub.run({ exceptionHandler: () => {} }));
    }, () => {
      // This sentinel is unreachable now: try it again later (the others keep watching).
      void pubsub.close();
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#watch(client);
      }, RESUBSCRIBE_PAUSE);
      this.#timers.add(timer);
    });
  }

  /** `<name> <old-ip> <old-port> <new-ip> <new-port>` */
  #onSwitch(data: string): void {
    const [name, fromHost, fromPort, toHost, toPort] = data.split(" ");
    const listeners = this.#listeners.get(name);
    if (!listeners || toPort === undefined) return;
    const from = { host: fromHost, port: Number(fromPort) };
    const to = { host: toHost, port: Number(toPort) };
    for (const listener of [...listeners]) listener(from, to);
  }

  /** `master <name> <ip> <port>` */
  #onTryFailover(data: string): void {
    const [type, name, host, port] = data.split(" ");
    const listeners = this.#startListeners.get(name);
    if (type !== "master" || !listeners || port === undefined) return;
    for (const listener of [...listeners]) listener({ host, port: Number(port) });
  }

  /** Stops listening; closes the subscriptions. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await Promise.all(this.#workers.splice(0).map((w) => w.stop()));
    await Promise.all(this.#pubsubs.splice(0).map((p) => p.close()));
  }
}
