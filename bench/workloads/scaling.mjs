// The child side of the scaling curves (bench/scaling.mjs): one curve point per process, chosen by
// BENCH_WORKLOAD=scaling:<curve> and BENCH_POINT=<n>. driver.mjs runs these like the W workloads; each run
// returns the latency of every unit (a pipeline for the pipeline curve, a command otherwise) as p50/p99.
//
// Beyond the W adapter (get, set, lrange, hgetall, pipelineSet), the pool curve needs an optional
// `pool(n)` that resolves to { get(worker, key), close() }: n clients sharing one pool, worker w (0..n-1)
// issuing its commands through it. A driver without `pool` fails that curve with "not supported".

import {
  CURVES,
  element,
  field,
  hashKey,
  listKey,
  pipelineKey,
  SCALING_KEYS,
  scalingKey,
  sizedValue,
  SMALL_VALUE,
  VALUE_KEY,
} from "./scaling-spec.mjs";

function fail(message) {
  throw new Error(`verification failed: ${message}`);
}

const isOk = (reply) => reply === "OK" || reply === true;

function percentiles(lat) {
  const s = Float64Array.from(lat).sort();
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { p50: at(0.5), p99: at(0.99) };
}

/** `units` calls of `op(i, worker)` through `concurrency` async workers, each call timed. */
async function timed(units, concurrency, op) {
  const lat = new Float64Array(units);
  let next = 0;
  const worker = async (w) => {
    for (;;) {
      const i = next++;
      if (i >= units) return;
      const t0 = performance.now();
      await op(i, w);
      lat[i] = performance.now() - t0;
    }
  };
  const workers = [];
  for (let w = 0; w < Math.min(concurrency, units); w++) workers.push(worker(w));
  await Promise.all(workers);
  return percentiles(lat);
}

const SMALL = sizedValue(SMALL_VALUE);
const KEYS = Array.from({ length: SCALING_KEYS }, (_, i) => scalingKey(i));

/** The run function (adapter, units) => { p50, p99, bytes } of point `n` of `curve`. */
export function scalingWorkload(curve, n) {
  if (!CURVES[curve]) throw new Error(`unknown scaling curve ${curve}`);
  if (curve === "pipeline") {
    const keys = Array.from({ length: n }, (_, i) => pipelineKey(i));
    const values = keys.map(() => SMALL);
    return (a, units) =>
      timed(units, 1, async () => {
        const replies = await a.pipelineSet(keys, values);
        if (replies.length !== n || !isOk(replies[0]) || !isOk(replies[n - 1])) {
          fail(`pipeline of ${n} returned ${replies.length} replies, first ${String(replies[0])}`);
        }
      });
  }
  if (curve === "value-get") {
    return async (a, units) => ({
      ...await timed(units, 1, async () => {
        const v = await a.get(VALUE_KEY);
        if (typeof v !== "string" || v.length !== n) fail(`GET returned ${typeof v} of ${v?.length}`);
      }),
      bytes: units * n,
    });
  }
  if (curve === "value-set") {
    const value = sizedValue(n);
    return async (a, units) => ({
      ...await timed(units, 1, async () => {
        const r = await a.set(VALUE_KEY, value);
        if (!isOk(r)) fail(`SET returned ${String(r)}`);
      }),
      bytes: units * n,
    });
  }
  if (curve === "inflight") {
    return (a, units) =>
      timed(units, n, async (i) => {
        const v = await a.get(KEYS[i % SCALING_KEYS]);
        if (v !== SMALL) fail(`GET returned ${String(v).slice(0, 40)}`);
      });
  }
  if (curve === "pool") {
    let pool;
    return async (a, units) => {
      if (typeof a.pool !== "function") throw new Error(`pool curve not supported by ${a.name}`);
      pool ??= await a.pool(n); // opened by the warm-up run, kept for the timed ones
      return timed(units, n, async (i, w) => {
        const v = await pool.get(w, KEYS[i % SCALING_KEYS]);
        if (v !== SMALL) fail(`GET returned ${String(v).slice(0, 40)}`);
      });
    };
  }
  if (curve === "lrange") {
    const key = listKey(n);
    const last = element(n - 1);
    return (a, units) =>
      timed(units, 1, async () => {
        const l = await a.lrange(key);
        if (l.length !== n || l[n - 1] !== last) fail(`LRANGE returned ${l.length} elements`);
      });
  }
  // hgetall
  const key = hashKey(n);
  const lastField = field(n - 1);
  const lastValue = element(n - 1);
  return (a, units) =>
    timed(units, 1, async () => {
      const h = await a.hgetall(key);
      // An object, a Map, or a list of { field, value } (valkey-glide's shape).
      const v = h instanceof Map
        ? h.get(lastField)
        : Array.isArray(h)
        ? (h.length === n ? h.find((e) => e.field === lastField)?.value : undefined)
        : h[lastField];
      if (v !== lastValue) fail(`HGETALL lacks ${lastField}`);
    });
}
