// The cluster workloads (C1..C4): their keys, op counts and data. Pure data and helpers, shared by the
// runner (Node) and every cluster driver (Node, Bun, Deno), so every client reads and writes the same keys.

import { PIPELINE, value } from "./spec.mjs";

export { PIPELINE, value };

/** Hash slots of a Redis Cluster. */
export const SLOTS = 16384;
/** C3: keys per MGET. */
export const MGET_KEYS = 100;
/** C3: distinct key sets the MGETs cycle through (built once, so no client pays for building them). */
export const MGET_SETS = 64;

// CRC16-XMODEM, as the cluster spec hashes keys (the generated keys are ASCII and have no hash tag).
const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    t[i] = crc & 0xffff;
  }
  return t;
})();

/** The slot of an ASCII key without a hash tag. */
export function slotOf(key) {
  let crc = 0;
  for (let i = 0; i < key.length; i++) {
    crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ key.charCodeAt(i)) & 0xff];
  }
  return crc & (SLOTS - 1);
}

let cachedKeys;
/** One key per slot: `slotKeys()[s]` hashes to slot s (the first `c:<n>` that does). Deterministic. */
export function slotKeys() {
  if (cachedKeys !== undefined) return cachedKeys;
  const keys = new Array(SLOTS);
  let left = SLOTS;
  for (let n = 0; left > 0; n++) {
    const k = "c:" + n;
    const s = slotOf(k);
    if (keys[s] === undefined) {
      keys[s] = k;
      left--;
    }
  }
  cachedKeys = keys;
  return keys;
}

/** The value stored under the key of slot s (32 bytes, as in the single-node workloads). */
export const slotValue = (s) => value(s);

/** C2's pipeline keys: 1,000 keys on 1,000 different slots, so every pipeline spans every primary. */
export function pipeKeys() {
  const keys = slotKeys();
  return Array.from({ length: PIPELINE }, (_, i) => "p" + keys[(i * 16381) % SLOTS]);
}

/** C3's key sets: set i holds MGET_KEYS slot indexes, spread over the slot range (so over every primary). */
export function mgetSets() {
  return Array.from(
    { length: MGET_SETS },
    (_, i) => Array.from({ length: MGET_KEYS }, (_, j) => (i * 257 + j * 163) % SLOTS),
  );
}

/**
 * The workloads. `ops`, `warmup` and `quick` as in spec.mjs. An op is one GET or SET (C1, C4), one SET of
 * a pipeline (C2) or one MGET of 100 keys (C3).
 */
export const CLUSTER_WORKLOADS = {
  C1: {
    title: "C1 GET/SET 50/50 over every slot, 100 in flight",
    ops: 50_000,
    warmup: 20_000,
    quick: { ops: 20_000, warmup: 10_000 },
    data: true,
  },
  C2: {
    title: "C2 cross-node pipelines of 1,000 SETs",
    ops: 40 * PIPELINE,
    warmup: 20 * PIPELINE,
    quick: { ops: 15 * PIPELINE, warmup: 10 * PIPELINE },
    data: false,
  },
  C3: {
    title: "C3 MGET of 100 keys across slots, 10 in flight",
    ops: 1_000,
    warmup: 500,
    quick: { ops: 300, warmup: 200 },
    data: true,
  },
  C4: {
    title: "C4 GET from replicas, 100 in flight",
    ops: 50_000,
    warmup: 20_000,
    quick: { ops: 20_000, warmup: 10_000 },
    data: true,
    replicas: true,
  },
};
