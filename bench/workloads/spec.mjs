// What each workload is: its data, its op counts, and the redis-benchmark command that approximates it.
// Pure data and helpers, shared by the runner (Node) and every driver (Node, Bun, Deno).

/** Number of string keys W1/W2 read and write. Named like redis-benchmark's `-r 1000` keys. */
export const KEYSPACE = 1000;
/** Bytes of each W1/W2/W3 value (redis-benchmark `-d 32`). */
export const VALUE_SIZE = 32;
/** W4: elements of the list and fields of the hash. */
export const AGG_SIZE = 1000;
/** W5: bytes of the big value. */
export const BIG_SIZE = 1024 * 1024;
/** W3: SETs per pipeline. */
export const PIPELINE = 1000;

export const LIST_KEY = "bench:list";
export const HASH_KEY = "bench:hash";
export const BIG_KEY = "bench:big";

/** redis-benchmark's key for `__rand_int__` = i (12 digits, zero padded). */
export function key(i) {
  return "key:" + String(i).padStart(12, "0");
}

/** The value stored under key(i): exactly VALUE_SIZE ASCII bytes, different per key. */
export function value(i) {
  return ("v" + i + ":").padEnd(VALUE_SIZE, "x");
}

/** The W3 pipeline keys (distinct from W1/W2's so nothing is read back by accident). */
export function pipeKey(i) {
  return "bench:p:" + i;
}

export function listElement(i) {
  return "element-" + String(i).padStart(6, "0");
}

export function hashField(i) {
  return "f" + i;
}

export function hashValue(i) {
  return "value-" + String(i).padStart(6, "0");
}

let big;
/** The W5 value: 1 MiB of ASCII. */
export function bigValue() {
  if (big === undefined) {
    const unit = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/";
    big = unit.repeat(BIG_SIZE / unit.length);
  }
  return big;
}

/**
 * The workloads. `ops` is the measured op count, `warmup` the untimed op count run first in the same process,
 * `quick` the counts under --quick. For W3 an op is one SET (a pipeline is PIPELINE ops).
 */
export const WORKLOADS = {
  W1: {
    title: "W1 GET, sequential (1 in flight)",
    ops: 20_000,
    warmup: 3_000,
    quick: { ops: 5_000, warmup: 1_000 },
  },
  W2: {
    title: "W2 GET/SET 50/50, 100 in flight",
    ops: 200_000,
    warmup: 100_000,
    quick: { ops: 50_000, warmup: 10_000 },
  },
  W3: {
    title: "W3 pipelines of 1,000 SETs",
    ops: 100 * PIPELINE,
    warmup: 20 * PIPELINE,
    quick: { ops: 30 * PIPELINE, warmup: 10 * PIPELINE },
  },
  W4: {
    title: "W4 LRANGE 1k / HGETALL 1k, 50 in flight",
    ops: 2_000,
    warmup: 400,
    quick: { ops: 600, warmup: 200 },
  },
  W5: {
    title: "W5 GET 1 MiB, sequential",
    ops: 200,
    warmup: 30,
    quick: { ops: 60, warmup: 10 },
  },
  W6: {
    title: "W6 connect + PING + close, sequential",
    ops: 500,
    warmup: 50,
    quick: { ops: 150, warmup: 20 },
  },
};

/** Commands (for the runner's raw connection) that load the data a workload reads. */
export function setupCommands(workload) {
  const out = [];
  if (workload === "W1" || workload === "W2") {
    for (let i = 0; i < KEYSPACE; i += 100) {
      const args = ["MSET"];
      for (let j = i; j < i + 100 && j < KEYSPACE; j++) args.push(key(j), value(j));
      out.push(args);
    }
  } else if (workload === "W4") {
    for (let i = 0; i < AGG_SIZE; i += 100) {
      const list = ["RPUSH", LIST_KEY];
      const hash = ["HSET", HASH_KEY];
      for (let j = i; j < i + 100 && j < AGG_SIZE; j++) {
        list.push(listElement(j));
        hash.push(hashField(j), hashValue(j));
      }
      out.push(list, hash);
    }
  } else if (workload === "W5") {
    out.push(["SET", BIG_KEY, bigValue()]);
  }
  return out;
}

/**
 * The redis-benchmark arguments (after -h/-p) whose figure is the ceiling of a workload, and a note on how
 * close the approximation is. For W2, redis-benchmark reports GET and SET separately; the runner combines
 * them as total ops / total time (harmonic mean), as a 50/50 mix would see.
 */
export function ceilingSpec(workload, quick) {
  const w = WORKLOADS[workload];
  const ops = quick ? w.quick.ops : w.ops;
  const r = ["-r", String(KEYSPACE), "-d", String(VALUE_SIZE)];
  switch (workload) {
    case "W1":
      return { args: ["-c", "1", "-n", String(ops), ...r, "-t", "get"], note: "-c 1 -P 1 -t get" };
    case "W2":
      return {
        args: ["-c", "1", "-P", "100", "-n", String(ops / 2), ...r, "-t", "get,set"],
        note: "-c 1 -P 100 -t get,set (harmonic mean of GET and SET)",
      };
    case "W3":
      return {
        args: ["-c", "1", "-P", String(PIPELINE), "-n", String(ops), ...r, "-t", "set"],
        note: `-c 1 -P ${PIPELINE} -t set`,
      };
    case "W4":
      return {
        // Two custom-command runs, combined like W2.
        multi: [
          ["-c", "1", "-P", "50", "-n", String(ops / 2), "LRANGE", LIST_KEY, "0", "-1"],
          ["-c", "1", "-P", "50", "-n", String(ops / 2), "HGETALL", HASH_KEY],
        ],
        note: "-c 1 -P 50 LRANGE bench:list 0 -1 / HGETALL bench:hash (harmonic mean)",
      };
    case "W5":
      return { args: ["-c", "1", "-n", String(ops), "GET", BIG_KEY], note: "-c 1 GET bench:big" };
    case "W6":
      return {
        args: ["-c", "1", "-k", "0", "-n", String(ops), "PING"],
        note: "-c 1 -k 0 PING (reconnect per request)",
      };
  }
  return undefined;
}
