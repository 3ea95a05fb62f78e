/**
 * What every instrumentation on one meter shares: the instruments (made
 * once), the operations in flight and the open connections per pool, and
 * the pools whose idle/used counts are read at collection. The asynchronous
 * instruments read them through one callback each, so instrumenting many
 * clients on one meter sums per pool instead of reporting one client's
 * figure over another's; and an operation costs a map update, not a
 * measurement.
 *
 * @module
 */

import type { OtelMeter, OtelObservableResult } from "./api.ts";
import { createInstruments, type Instruments } from "./metrics.ts";

/** Connections by state of one pool, for `db.client.connection.count`. */
export interface ConnectionCounts {
  readonly pool: string;
  readonly idle: number;
  readonly used: number;
}

/** The shared state of one meter. */
export interface MeterState {
  readonly instruments: Instruments;
  /** Operations sent and not yet answered, per pool name. */
  readonly pending: Map<string, number>;
  /** Connections opened and not closed (from events), per pool name. */
  readonly open: Map<string, number>;
  /** Readers of pools the client exposes (`Redis`): idle and used counts. */
  readonly pools: Set<() => ConnectionCounts[]>;
}

const states = new WeakMap<OtelMeter, MeterState>();

/** Adds `by` to `map[key]`; a pool at zero stays, so its zero is reported. */
export function bump(map: Map<string, number>, key: string, by: number): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** The state of `meter`, created (with its instruments and callbacks) on first use. */
export function meterState(meter: OtelMeter): MeterState {
  const state = states.get(meter);
  if (state) return state;
  const created: MeterState = {
    instruments: createInstruments(meter),
    pending: new Map(),
    open: new Map(),
    pools: new Set(),
  };
  created.instruments.pendingRequests.addCallback((result: OtelObservableResult) => {
    for (const [pool, n] of created.pending) result.observe(n, { "db.client.connection.pool.name": pool });
  });
  created.instruments.connectionCount.addCallback((result: OtelObservableResult) => {
    const counts = new Map<string, { idle: number; used: number }>();
    for (const read of created.pools) {
      for (const { pool, idle, used } of read()) {
        const sum = counts.get(pool) ?? { idle: 0, used: 0 };
        counts.set(pool, { idle: sum.idle + idle, used: sum.used + used });
      }
    }
    // Pools not at hand (a cluster's nodes): connections open, all in use (each is multiplexed).
    for (const [pool, n] of created.open) if (!counts.has(pool)) counts.set(pool, { idle: 0, used: n });
    for (const [pool, { idle, used }] of counts) {
      result.observe(idle, { "db.client.connection.pool.name": pool, "db.client.connection.state": "idle" });
      result.observe(used, { "db.client.connection.pool.name": pool, "db.client.connection.state": "used" });
    }
  });
  states.set(meter, created);
  return created;
}
