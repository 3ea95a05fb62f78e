// The scaling curves: what each point measures, how many units a run takes, and the data it reads.
// Pure data and helpers, shared by the runner (bench/scaling.mjs, Node) and the drivers (Node, Bun, Deno).

const KiB = 1024;
const MiB = 1024 * KiB;

/** Keys read by the in-flight and pool curves. */
export const SCALING_KEYS = 1000;
/** Bytes of the small values (pipeline, in-flight and pool curves). */
export const SMALL_VALUE = 16;

export const scalingKey = (i) => "s:k:" + i;
export const pipelineKey = (i) => "s:p:" + i;
export const VALUE_KEY = "s:v";
export const listKey = (n) => "s:l:" + n;
export const hashKey = (n) => "s:h:" + n;
export const element = (i) => "e" + String(i).padStart(9, "0");
export const field = (i) => "f" + i;

/** `size` ASCII bytes, the same on every runtime (a GET is checked against its length). */
export function sizedValue(size) {
  const unit = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/";
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

const clamp = (n, lo, hi) => Math.max(lo, Math.min(hi, n));

/**
 * The curves. `points` (and `quickPoints` under --quick) are the x values; `units(point, quick)` is how many
 * units one timed run takes (the warm-up takes a fifth); `unit` names what a latency figure times;
 * `rate` names what the throughput counts (per unit, times `perUnit(point)`); `bytes(point)` is the payload
 * of one unit when MB/s is meaningful.
 */
export const CURVES = {
  pipeline: {
    title: "Pipeline length (SET, 16 B values)",
    x: "commands per pipeline",
    points: [1, 10, 100, 1000, 10_000, 100_000],
    quickPoints: [1, 10, 100, 1000, 10_000],
    unit: "batch",
    rate: "commands/s",
    perUnit: (n) => n,
    units: (n, quick) => clamp(Math.ceil((quick ? 20_000 : 200_000) / n), 5, 2000),
  },
  "value-get": {
    title: "Value size, GET (1 in flight)",
    x: "value bytes",
    points: [16, 256, 4 * KiB, 64 * KiB, MiB, 16 * MiB, 64 * MiB],
    quickPoints: [16, 4 * KiB, 64 * KiB, MiB],
    unit: "op",
    rate: "MB/s",
    perUnit: () => 1,
    bytes: (n) => n,
    units: (n, quick) => clamp(Math.floor((quick ? 16 * MiB : 256 * MiB) / n), 3, quick ? 2000 : 10_000),
  },
  "value-set": {
    title: "Value size, SET (1 in flight)",
    x: "value bytes",
    points: [16, 256, 4 * KiB, 64 * KiB, MiB, 16 * MiB, 64 * MiB],
    quickPoints: [16, 4 * KiB, 64 * KiB, MiB],
    unit: "op",
    rate: "MB/s",
    perUnit: () => 1,
    bytes: (n) => n,
    units: (n, quick) => clamp(Math.floor((quick ? 16 * MiB : 256 * MiB) / n), 3, quick ? 2000 : 10_000),
  },
  inflight: {
    title: "Commands in flight on one client (GET, 16 B values)",
    x: "commands in flight",
    points: [1, 10, 100, 1000, 10_000],
    quickPoints: [1, 10, 100, 1000],
    unit: "op",
    rate: "ops/s",
    perUnit: () => 1,
    units: (n, quick) => Math.max(quick ? 5000 : 50_000, 5 * n),
  },
  pool: {
    title: "Clients sharing one pool (GET, 16 B values, one command in flight per client)",
    x: "clients",
    points: [1, 10, 100, 1000],
    quickPoints: [1, 10, 100],
    unit: "op",
    rate: "ops/s",
    perUnit: () => 1,
    units: (n, quick) => Math.max(quick ? 5000 : 50_000, 20 * n),
  },
  lrange: {
    title: "Reply size, LRANGE 0 -1 (10-byte elements, 1 in flight)",
    x: "elements per reply",
    points: [10, 100, 1000, 10_000, 100_000],
    quickPoints: [10, 100, 1000, 10_000],
    unit: "op",
    rate: "elements/s",
    perUnit: (n) => n,
    units: (n, quick) => clamp(Math.floor((quick ? 200_000 : 2_000_000) / n), 5, quick ? 2000 : 10_000),
  },
  hgetall: {
    title: "Reply size, HGETALL (field/value pairs, 1 in flight)",
    x: "fields per reply",
    points: [10, 100, 1000, 10_000, 100_000],
    quickPoints: [10, 100, 1000, 10_000],
    unit: "op",
    rate: "fields/s",
    perUnit: (n) => n,
    units: (n, quick) => clamp(Math.floor((quick ? 200_000 : 2_000_000) / n), 5, quick ? 2000 : 10_000),
  },
};

/** The commands (arrays of strings) that load what point `n` of `curve` reads, after a FLUSHALL. */
export function scalingSetup(curve, n) {
  const out = [];
  const chunked = (cmd, key, count, args) => {
    for (let i = 0; i < count; i += 1000) {
      const c = [cmd, key];
      for (let j = i; j < Math.min(count, i + 1000); j++) c.push(...args(j));
      out.push(c);
    }
  };
  if (curve === "value-get") out.push(["SET", VALUE_KEY, sizedValue(n)]);
  else if (curve === "inflight" || curve === "pool") {
    for (let i = 0; i < SCALING_KEYS; i++) out.push(["SET", scalingKey(i), sizedValue(SMALL_VALUE)]);
  } else if (curve === "lrange") chunked("RPUSH", listKey(n), n, (j) => [element(j)]);
  else if (curve === "hgetall") chunked("HSET", hashKey(n), n, (j) => [field(j), element(j)]);
  return out;
}
