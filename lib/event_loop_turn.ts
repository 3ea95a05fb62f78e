/**
 * Notices work that keeps the event loop from turning.
 *
 * Cache hits settle as microtasks, so a loop of them never lets a socket be
 * read, and invalidations the server already sent would wait behind it for as
 * long as it runs. redis-py reads pending invalidations before every hit; a
 * promise cannot read a socket synchronously, so a hit that finds the loop
 * held for `limitMs` waits for its next turn instead (timers run in a later
 * turn than the I/O of the current one), then looks again.
 *
 * @module
 */

/** A timer queued at the first call; while it has not run for `limitMs`, callers are told to wait for it. */
export class EventLoopTurn {
  readonly #limitMs: number;
  #next: Promise<void> | undefined;
  #queuedAt = 0;

  /** `limitMs`: how long microtask-only work may hold the loop before callers wait. */
  constructor(limitMs = 1) {
    this.#limitMs = limitMs;
  }

  /** `undefined` when the loop turned recently, else a promise settled on its next turn. */
  starved(): Promise<void> | undefined {
    if (this.#next === undefined) {
      this.#queuedAt = Date.now();
      this.#next = new Promise((resolve) =>
        setTimeout(() => {
          this.#next = undefined;
          resolve();
        }, 0)
      );
      return undefined;
    }
    return Date.now() - this.#queuedAt >= this.#limitMs ? this.#next : undefined;
  }
}
