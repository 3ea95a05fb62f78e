/**
 * The background worker of `PubSub.run` (redis-py's `run_in_thread`).
 *
 * @module
 */

import type { PubSub, RunOptions } from "./pubsub.ts";

/**
 * A background worker started by `PubSub.run` (redis-py's
 * `run_in_thread`): it feeds every message to its handler until `stop()`.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * await using p = r.pubsub();
 * await p.subscribe({ news: (m) => console.log(m.data) });
 * const worker = p.run();
 * await worker.stop();
 * ```
 */
export interface PubSubWorker extends AsyncDisposable {
  /** Stops the worker; resolves when it has. */
  stop(): Promise<void>;
  /** Settles when the worker ends: resolves after `stop()`, rejects with an unhandled handler error. */
  readonly done: Promise<void>;
  /** True until the worker ends. */
  readonly running: boolean;
}

/** Feeds every message to its handler until stopped. */
export class Worker<D extends boolean> implements PubSubWorker {
  readonly done: Promise<void>;
  #running = true;
  readonly #pubsub: PubSub<D>;

  constructor(
    pubsub: PubSub<D>,
    readonly sleepTime: number,
    readonly exceptionHandler: RunOptions<D>["exceptionHandler"],
  ) {
    this.#pubsub = pubsub;
    this.done = this.#loop();
    // A rejection is reported through `done`; nobody awaiting it must not crash the process.
    this.done.catch(() => {});
  }

  get running(): boolean {
    return this.#running;
  }

  async #loop(): Promise<void> {
    try {
      while (this.#running) {
        try {
          await this.#pubsub.getMessage({ timeout: 0, ignoreSubscribeMessages: true });
          if (this.#running) await this.#pubsub.waitForMessage(this.sleepTime);
        } catch (error) {
          if (!this.exceptionHandler) throw error;
          this.exceptionHandler(error, this.#pubsub, this);
        }
      }
    } finally {
      this.#running = false;
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#pubsub.wake();
    await this.done.catch(() => {});
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}
