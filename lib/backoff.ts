/**
 * Backoff strategies for `Retry`: redis-py's `redis.backoff`, with durations
 * in milliseconds instead of seconds.
 *
 * @module
 */

import { DataError } from "./errors.ts";
import { checkOptionKeys, optionKeys } from "./commands/validate.ts";

/**
 * The default upper bound of a computed backoff: 512 ms (redis-py's 0.512 s).
 *
 * @example
 * ```ts
 * import { DEFAULT_CAP } from "@uniredis/redis";
 * console.log(DEFAULT_CAP); // 512
 * ```
 */
export const DEFAULT_CAP = 512;

/**
 * The default base of a computed backoff: 8 ms (redis-py's 0.008 s).
 *
 * @example
 * ```ts
 * import { DEFAULT_BASE } from "@uniredis/redis";
 * console.log(DEFAULT_BASE); // 8
 * ```
 */
export const DEFAULT_BASE = 8;

/**
 * How long to wait before the next attempt, given how many attempts failed.
 *
 * @example A backoff of your own
 * ```ts
 * import type { Backoff } from "@uniredis/redis";
 * const linear: Backoff = { compute: (failures) => 100 * failures, reset: () => {} };
 * console.log(linear.compute(3)); // 300
 * ```
 */
export interface Backoff {
  /** Milliseconds to wait after `failures` failed attempts (1 after the first failure). */
  compute(failures: number): number;
  /** Forgets any state kept between attempts; called before each new operation. */
  reset(): void;
}

/**
 * Options of the exponential and jittered backoffs.
 *
 * @example
 * ```ts
 * import { type BackoffOptions, ExponentialBackoff } from "@uniredis/redis";
 * const options: BackoffOptions = { cap: 1_000, base: 10 };
 * console.log(new ExponentialBackoff(options).compute(3)); // 80
 * ```
 */
export interface BackoffOptions {
  /** Upper bound in milliseconds (default `DEFAULT_CAP`, 512). */
  cap?: number;
  /** Base in milliseconds, doubled for every failure (default `DEFAULT_BASE`, 8). */
  base?: number;
  /** Source of numbers in [0, 1) for the jitter (default `Math.random`); set it to make tests repeatable. */
  random?: () => number;
}

const BACKOFF_KEYS = optionKeys<BackoffOptions>({ cap: true, base: true, random: true });

/**
 * Validates a duration argument: a constructor is the only place a bad one can be caught.
 */
function duration(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new DataError(`Backoff ${name} must be a finite number >= 0 (milliseconds), got ${String(value)}`);
  }
  return value;
}

/** Reads and validates the shared options, applying redis-py's defaults. */
function readOptions(options: BackoffOptions | undefined): Required<BackoffOptions> {
  checkOptionKeys("Backoff", options, BACKOFF_KEYS);
  const o = options ?? {};
  const random = o.random ?? Math.random;
  if (typeof random !== "function") throw new DataError("Backoff random must be a function");
  return {
    cap: duration("cap", o.cap ?? DEFAULT_CAP),
    base: duration("base", o.base ?? DEFAULT_BASE),
    random,
  };
}

/**
 * `min(cap, base * 2 ** failures)`. A zero base stays zero: after ~1,000
 * failures `2 ** failures` is Infinity, and `0 * Infinity` would be NaN.
 */
function exponential(cap: number, base: number, failures: number): number {
  return base === 0 ? 0 : Math.min(cap, base * 2 ** failures);
}

/**
 * Waits the same time after every failure.
 *
 * @example
 * ```ts
 * import { ConstantBackoff, Redis, Retry } from "@uniredis/redis";
 * const r = new Redis({ retry: new Retry(new ConstantBackoff(100), 3) });
 * await r.close();
 * ```
 */
export class ConstantBackoff implements Backoff {
  /** The wait in milliseconds. */
  readonly backoff: number;

  /** Creates the backoff; `backoff` is in milliseconds. */
  constructor(backoff: number) {
    this.backoff = duration("backoff", backoff);
  }

  /** Always `backoff`. */
  compute(_failures: number): number {
    return this.backoff;
  }

  /** Nothing to forget. */
  reset(): void {}
}

/**
 * Retries at once, without waiting.
 *
 * @example
 * ```ts
 * import { NoBackoff } from "@uniredis/redis";
 * console.log(new NoBackoff().compute(5)); // 0
 * ```
 */
export class NoBackoff extends ConstantBackoff {
  /** Creates the backoff. */
  constructor() {
    super(0);
  }
}

/**
 * What the exponential backoffs share: a `cap` and a `base` in milliseconds,
 * a random source, and nothing to forget on `reset()` unless a subclass keeps
 * state. Extend it for a backoff of your own.
 *
 * @example
 * ```ts
 * import { CappedBackoff } from "@uniredis/redis";
 * class Linear extends CappedBackoff {
 *   compute(failures: number): number {
 *     return Math.min(this.cap, this.base * failures);
 *   }
 * }
 * console.log(new Linear({ base: 10, cap: 25 }).compute(3)); // 25
 * ```
 */
export abstract class CappedBackoff implements Backoff {
  /** Upper bound in milliseconds. */
  readonly cap: number;
  /** Base in milliseconds. */
  readonly base: number;
  /** A number in [0, 1) (default `Math.random`). */
  protected readonly random: () => number;

  /** Reads the options (defaults: cap 512 ms, base 8 ms, `Math.random`); a bad one is a `DataError`. */
  constructor(options: BackoffOptions = {}) {
    const o = readOptions(options);
    this.cap = o.cap;
    this.base = o.base;
    this.random = o.random;
  }

  /** Milliseconds to wait after `failures` consecutive failures. */
  abstract compute(failures: number): number;

  /** Nothing to forget. */
  reset(): void {}
}

/**
 * Doubles the wait after every failure: `min(cap, base * 2 ** failures)`.
 *
 * @example
 * ```ts
 * import { ExponentialBackoff } from "@uniredis/redis";
 * const b = new ExponentialBackoff({ cap: 100, base: 10 });
 * console.log(b.compute(1), b.compute(2), b.compute(5)); // 20 40 100
 * ```
 */
export class ExponentialBackoff extends CappedBackoff {
  /** `min(cap, base * 2 ** failures)`. */
  compute(failures: number): number {
    return exponential(this.cap, this.base, failures);
  }
}

/**
 * A random wait up to the exponential one: `random() * min(cap, base * 2 ** failures)`.
 * Spreads the retries of many clients that failed together.
 *
 * @example
 * ```ts
 * import { FullJitterBackoff } from "@uniredis/redis";
 * const b = new FullJitterBackoff({ cap: 1_000, base: 10 });
 * console.log(b.compute(3) < 80); // true
 * ```
 */
export class FullJitterBackoff extends CappedBackoff {
  /** `random() * min(cap, base * 2 ** failures)`. */
  compute(failures: number): number {
    return this.random() * exponential(this.cap, this.base, failures);
  }
}

/**
 * At least half the exponential wait, plus a random part of the other half:
 * `t = min(cap, base * 2 ** failures) / 2; t + random() * t`. The default
 * backoff of redis-py (see `defaultBackoff`).
 *
 * @example
 * ```ts
 * import { EqualJitterBackoff } from "@uniredis/redis";
 * const w = new EqualJitterBackoff({ cap: 1_000, base: 10 }).compute(3);
 * console.log(w >= 40 && w < 80); // true
 * ```
 */
export class EqualJitterBackoff extends CappedBackoff {
  /** `t + random() * t` with `t = min(cap, base * 2 ** failures) / 2`. */
  compute(failures: number): number {
    const half = exponential(this.cap, this.base, failures) / 2;
    return half + this.random() * half;
  }
}

/**
 * A random wait between `base` and three times the previous wait, bounded by
 * `cap`; it grows from the last wait rather than from the failure count.
 *
 * @example
 * ```ts
 * import { DecorrelatedJitterBackoff } from "@uniredis/redis";
 * const b = new DecorrelatedJitterBackoff({ cap: 1_000, base: 10, random: () => 0.5 });
 * console.log(b.compute(1), b.compute(2)); // 10 20
 * b.reset();
 * console.log(b.compute(1)); // 10
 * ```
 */
export class DecorrelatedJitterBackoff extends CappedBackoff {
  #previous = 0;

  /** `previous = min(cap, base + random() * (max(base, previous * 3) - base))`; `failures` is not used. */
  compute(_failures: number): number {
    const max = Math.max(this.base, this.#previous * 3);
    const wait = this.base + this.random() * (max - this.base);
    this.#previous = Math.min(this.cap, wait);
    return this.#previous;
  }

  /** Starts again from `base`. */
  override reset(): void {
    this.#previous = 0;
  }
}

/**
 * A random part of the uncapped exponential wait, then bounded:
 * `min(cap, random() * base * 2 ** failures)`.
 *
 * @example
 * ```ts
 * import { ExponentialWithJitterBackoff } from "@uniredis/redis";
 * const b = new ExponentialWithJitterBackoff({ cap: 1_000, base: 10 });
 * console.log(b.compute(3) < 80); // true
 * ```
 */
export class ExponentialWithJitterBackoff extends CappedBackoff {
  /** `min(cap, random() * base * 2 ** failures)`. */
  compute(failures: number): number {
    return exponential(this.cap, this.random() * this.base, failures);
  }
}

/**
 * redis-py's default backoff: `EqualJitterBackoff` with a 512 ms cap and an 8 ms base.
 *
 * @example
 * ```ts
 * import { defaultBackoff, Redis, Retry } from "@uniredis/redis";
 * const r = new Redis({ retry: new Retry(defaultBackoff(), 3) });
 * await r.close();
 * ```
 */
export function defaultBackoff(): Backoff {
  return new EqualJitterBackoff();
}
