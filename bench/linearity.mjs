#!/usr/bin/env node
// Linearity checks of the RESP decoder and encoder (lib/protocol/), in-process, no server: the cost per byte,
// per reply or per command of a big input must stay about that of 1/10th and 1/100th of it, and memory must
// return to its baseline after a burst. Not a timed test: it prints a table and writes
// bench/results/linearity.md. See bench/README.md.
//
// Usage: node bench/linearity.mjs [--quick] [--bulk-mib N] [--out DIR]
//   full: one 512 MiB bulk reply (needs ~2 GiB free), 1,000,000 tiny replies in one chunk, a 1,000,000-command
//   pipeline; --quick: a tenth of each; --bulk-mib N: the big bulk reply's size in MiB.

import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { benchDir, gitState, root } from "./lib/harness.mjs";
import { markdown, plain } from "./lib/table.mjs";

// Node needs --expose-gc for the memory checks: re-run under it.
if (typeof globalThis.gc !== "function") {
  const r = spawnSync(process.execPath, ["--expose-gc", ...process.argv.slice(1)], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const outDir = argv.includes("--out") ? argv[argv.indexOf("--out") + 1] : join(benchDir, "results");
/**
 * The largest size's per-unit cost this much above 1/10 of it is flagged. A quadratic term shows as ~10; GC
 * and cache steps (a heap or buffer that outgrows the young generation or the caches) stay well below 3.
 */
const TOLERANCE = 3;

// The decoder and encoder from source, bundled for Node (which does not run TypeScript).
const cache = join(benchDir, ".cache", "linearity");
mkdirSync(cache, { recursive: true });
const bundle = join(cache, "protocol.mjs");
await build({
  stdin: {
    contents:
      `export { Decoder } from "./lib/protocol/decoder.ts"; export { Encoder } from "./lib/protocol/encoder.ts";`,
    resolveDir: root,
    loader: "ts",
  },
  bundle: true,
  format: "esm",
  platform: "neutral",
  outfile: bundle,
  logLevel: "error",
});
const { Decoder, Encoder } = await import(bundle);

const te = new TextEncoder();
const MiB = 2 ** 20;

function settle() {
  for (let i = 0; i < 3; i++) globalThis.gc();
  const m = process.memoryUsage();
  // external includes the ArrayBuffers.
  return { rss: m.rss, heap: m.heapUsed, buffers: m.external };
}

/** A bulk string reply of `size` bytes ("$size\r\n" xxx... "\r\n"). */
function bulkReply(size) {
  const head = te.encode(`$${size}\r\n`);
  const out = new Uint8Array(head.length + size + 2);
  out.set(head);
  out.fill(120, head.length, head.length + size);
  out[out.length - 2] = 13;
  out[out.length - 1] = 10;
  return out;
}

/** `count` copies of `reply` back to back, one buffer. */
function repeated(reply, count) {
  const one = te.encode(reply);
  const out = new Uint8Array(one.length * count);
  for (let i = 0; i < count; i++) out.set(one, i * one.length);
  return out;
}

/** One timed run; its result lives only in this frame, so the next run's baseline does not hold it. */
function timeOnce(run, input, size) {
  const before = settle();
  const t0 = performance.now();
  const kept = run(input, size);
  const ms = performance.now() - t0;
  const after = settle();
  if (kept === undefined) throw new Error("a run must return its result");
  return { ms, held: after.heap + after.buffers - before.heap - before.buffers };
}

/**
 * Times `run(size)` for each size (smallest first, after a warm-up at the smallest), best of `reps`;
 * `run` returns what it keeps alive (its result), so the memory held after it can be measured.
 */
function series(name, unit, sizes, reps, prepare, run) {
  const rows = [];
  // Warm-up (the JIT's tiers), up to the middle size.
  for (const size of sizes.slice(0, -1)) {
    const warm = prepare(size);
    for (let i = 0; i < 3; i++) run(warm, size);
  }
  for (const size of sizes) {
    const input = prepare(size);
    let best = Infinity;
    let held = 0;
    for (let r = 0; r < reps(size); r++) {
      const once = timeOnce(run, input, size);
      held = Math.max(held, once.held);
      best = Math.min(best, once.ms);
    }
    rows.push({ name, unit, size, ms: best, nsPerUnit: (best * 1e6) / size, heldPerUnit: held / size });
  }
  const base = rows[0].nsPerUnit;
  rows.forEach((r, i) => {
    r.ratio = r.nsPerUnit / base;
    r.ratioPrev = i === 0 ? 1 : r.nsPerUnit / rows[i - 1].nsPerUnit;
    r.last = i === rows.length - 1;
  });
  return rows;
}

const scale = quick ? 10 : 1;
const results = [];

// 1. One big bulk reply, binary (a 512 MiB string is over V8's string limit), fed as a socket would:
//    64 KiB chunks.
{
  const top = argv.includes("--bulk-mib")
    ? Number(argv[argv.indexOf("--bulk-mib") + 1]) * MiB
    : 512 * MiB / scale;
  const sizes = [top / 100, top / 10, top].map(Math.floor);
  results.push(
    ...series(
      "decoder: one bulk reply, 64 KiB chunks",
      "byte",
      sizes,
      (s) => (s > 64 * MiB ? 1 : s > 8 * MiB ? 3 : 10),
      bulkReply,
      (input) => {
        let got;
        const d = new Decoder({ onReply: (v) => (got = v), textReplies: () => false });
        for (let i = 0; i < input.length; i += 65536) d.feed(input.subarray(i, i + 65536));
        if (got?.length !== input.length - String(input.length).length - 5) {
          throw new Error("bulk not decoded");
        }
        return got;
      },
    ),
  );
}

// 2. Many tiny replies in one chunk: +OK (SET) and a 5-byte bulk (GET), text mode.
for (const [label, reply] of [["+OK", "+OK\r\n"], ["$5 bulk", "$5\r\nvalue\r\n"]]) {
  const top = 1_000_000 / scale;
  const sizes = [top / 100, top / 10, top];
  results.push(
    ...series(
      `decoder: ${label} replies, one chunk`,
      "reply",
      sizes,
      (n) => (n > 100_000 ? 3 : 10),
      (n) => repeated(reply, n),
      (input, n) => {
        const out = [];
        const d = new Decoder({
          onReply: (v) => out.push(v),
        });
        d.feed(input);
        if (out.length !== n) {
          throw new Error(`decoded ${out.length} of ${n}`);
        }
        return out;
      },
    ),
  );
}

// 3. One array reply of many 10-byte bulks (an LRANGE), fed in 64 KiB chunks.
{
  const top = 1_000_000 / scale;
  const sizes = [top / 100, top / 10, top];
  const arrayReply = (n) => {
    const parts = [`*${n}\r\n`];
    for (let i = 0; i < n; i++) parts.push(`$10\r\ne${String(i).padStart(9, "0")}\r\n`);
    return te.encode(parts.join(""));
  };
  results.push(
    ...series(
      "decoder: one array reply, 64 KiB chunks",
      "element",
      sizes,
      (n) => (n > 100_000 ? 3 : 10),
      arrayReply,
      (input, n) => {
        let got;
        const d = new Decoder({ onReply: (v) => (got = v) });
        for (let i = 0; i < input.length; i += 65536) d.feed(input.subarray(i, i + 65536));
        if (got?.length !== n) throw new Error(`decoded ${got?.length} of ${n} elements`);
        return got;
      },
    ),
  );
}

// 4. A pipeline of SET commands encoded into one buffer.
{
  const top = 1_000_000 / scale;
  const sizes = [top / 100, top / 10, top];
  results.push(
    ...series(
      "encoder: SET pipeline",
      "command",
      sizes,
      (n) => (n > 100_000 ? 3 : 10),
      (n) => Array.from({ length: n }, (_, i) => "key:" + i),
      (keys, n) => {
        const e = new Encoder();
        for (let i = 0; i < n; i++) e.push(["SET", keys[i], "value-0123456789"]);
        const bytes = e.take();
        if (bytes.length < n * 30) throw new Error("short encoding");
        return bytes;
      },
    ),
  );
}

// 5. Memory after bursts: decode a big reply and many small ones and encode a pipeline, drop it all, collect;
//    compare with before, and the third burst with the first (growth between them would be a leak).
const BURST_BIG = Math.floor(64 * MiB / scale);
const BURST_TINY = 1_000_000 / scale;
function burst(text) {
  const big = bulkReply(BURST_BIG);
  const tiny = repeated("$5\r\nvalue\r\n", BURST_TINY);
  const out = [];
  const d = new Decoder({ onReply: (v) => out.push(v), textReplies: () => text });
  for (let i = 0; i < big.length; i += 65536) d.feed(big.subarray(i, i + 65536));
  d.feed(tiny);
  const e = new Encoder();
  for (let i = 0; i < 100_000; i++) e.push(["SET", "k" + i, "v"]);
  return out.length + e.take().length;
}
const baseline = settle();
burst(true);
const afterFirst = settle();
burst(false);
burst(true);
const afterBurst = settle();

// Report.
const fmtN = (v, d = 1) => v.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const sizeLabel = (r) =>
  r.unit === "byte" ? `${+(r.size / MiB).toFixed(2)} MiB` : r.size.toLocaleString("en-US");
const t = {
  header: [
    "check",
    "size",
    "ms",
    "ns / unit",
    "vs 1/10 size",
    "vs 1/100 size",
    "held bytes / unit",
    "verdict",
  ],
  body: results.map((r) => [
    r.name,
    sizeLabel(r),
    fmtN(r.ms),
    fmtN(r.nsPerUnit, r.unit === "byte" ? 3 : 1),
    r.ratioPrev === 1 ? "" : fmtN(r.ratioPrev, 2),
    r.ratio === 1 ? "" : fmtN(r.ratio, 2),
    fmtN(r.heldPerUnit, 1),
    r.last ? (r.ratioPrev > TOLERANCE ? "SUPER-LINEAR?" : "linear") : "",
  ]),
};
const mem = {
  header: ["memory after GC", "heap MiB", "external (ArrayBuffers) MiB", "RSS MiB"],
  body: [
    ["baseline", baseline.heap, baseline.buffers, baseline.rss],
    ["after 1 burst", afterFirst.heap, afterFirst.buffers, afterFirst.rss],
    ["after 3 bursts", afterBurst.heap, afterBurst.buffers, afterBurst.rss],
  ].map(([l, ...v]) => [l, ...v.map((b) => fmtN(b / MiB, 1))]),
};
const held = (m) => m.heap + m.buffers - baseline.heap - baseline.buffers;
const memVerdict = held(afterBurst) < 4 * MiB
  ? `heap and buffers back to baseline (${fmtN(held(afterBurst) / MiB)} MiB above)`
  : `NOT back to baseline: ${fmtN(held(afterBurst) / MiB)} MiB still held after 3 bursts, ` +
    `${fmtN(held(afterFirst) / MiB)} MiB after 1`;
const git = gitState();
const header = [
  "# RESP decoder / encoder linearity",
  "",
  `${new Date().toISOString()}, node ${process.versions.node}, git ${git.head}${
    git.dirty.length ? " (+uncommitted)" : ""
  }` +
  `${
    quick ? ", --quick (a tenth of the full sizes)" : ""
  }. In-process, no server. ns / unit: best of 3 runs (1 above ` +
  `64 MiB, 10 below 8 MiB or 100,000); "vs 1/10 size" and "vs 1/100 size": that over the smaller sizes' ` +
  `(about 1 when linear, about 10 and 100 when quadratic; the largest size > ${TOLERANCE} vs 1/10 is flagged). The smallest sizes ` +
  "can look cheaper per unit because their input fits in the CPU caches. " +
  "Held: heap + external (ArrayBuffers) still allocated after the run with its result alive, after GC, per unit.",
];
console.log(`\n${plain(t)}\n\n${plain(mem)}\n${memVerdict}`);
mkdirSync(outDir, { recursive: true });
writeFileSync(
  join(outDir, "linearity.md"),
  [
    ...header,
    "",
    markdown(t),
    "",
    `Memory after a burst (a ${+(BURST_BIG / MiB).toFixed(1)} MiB bulk reply, then ${
      BURST_TINY.toLocaleString("en-US")
    } ` +
    "small ones and a 100,000-command pipeline, three times, all dropped), after GC:",
    "",
    markdown(mem),
    "",
    memVerdict + ".",
  ].join("\n") + "\n",
);
console.error(`wrote ${join(outDir, "linearity.md")}`);
