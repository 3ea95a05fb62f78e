/**
 * Micro-benchmark of the RESP decoder and encoder (not a test). Runs on any runtime:
 *
 * ```sh
 * deno run lib/protocol/bench_decoder.ts
 * bun lib/protocol/bench_decoder.ts
 * ```
 *
 * @module
 */

import { Decoder } from "./decoder.ts";
import { Encoder } from "./encoder.ts";

const te = new TextEncoder();

function bulkArray(count: number, value: string): Uint8Array {
  let s = `*${count}\r\n`;
  for (let i = 0; i < count; i++) s += `$${value.length}\r\n${value}\r\n`;
  return te.encode(s);
}

function bigBulk(size: number): Uint8Array {
  const head = te.encode(`$${size}\r\n`);
  const out = new Uint8Array(head.length + size + 2);
  out.set(head);
  out.fill(120, head.length, head.length + size);
  out[out.length - 2] = 13;
  out[out.length - 1] = 10;
  return out;
}

function split(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.slice(i, i + size));
  return chunks;
}

/** Runs `fn` (one pass over `bytes` bytes) for ~`ms` milliseconds after warm-up; returns MB/s. */
function measure(label: string, bytes: number, fn: () => void, ms = 1000): void {
  for (let i = 0; i < 50; i++) fn();
  let runs = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 20; i++) fn();
    runs += 20;
    t = performance.now();
  }
  const secs = (t - t0) / 1000;
  const mbs = (bytes * runs) / secs / 1e6;
  const us = (secs / runs) * 1e6;
  console.log(`${label.padEnd(52)} ${mbs.toFixed(0).padStart(6)} MB/s  ${us.toFixed(1).padStart(9)} us/op`);
}

let sink = 0;
const onReply = (v: unknown) => {
  sink += Array.isArray(v) ? v.length : 1;
};

for (const text of [true, false]) {
  const mode = text ? "text" : "binary";
  const d = new Decoder({ onReply, textReplies: () => text });

  const arr = bulkArray(1000, "value:1234");
  measure(`array of 1000 x 10-byte bulks, one chunk (${mode})`, arr.length, () => d.feed(arr));

  const arrChunks = split(bulkArray(1000, "value:1234"), 1024);
  measure(`array of 1000 x 10-byte bulks, 1 KiB chunks (${mode})`, arr.length, () => {
    for (const c of arrChunks) d.feed(c);
  });

  const arr100 = bulkArray(1000, "x".repeat(100));
  measure(`array of 1000 x 100-byte bulks, one chunk (${mode})`, arr100.length, () => d.feed(arr100));

  const big = bigBulk(1 << 20);
  const bigChunks = split(big, 65536);
  measure(`1 MiB bulk in 64 KiB chunks (${mode})`, big.length, () => {
    for (const c of bigChunks) d.feed(c);
  });
}

{
  const d = new Decoder({ onReply });
  const many = te.encode("+OK\r\n:12345\r\n$5\r\nhello\r\n".repeat(1000));
  measure("3000 small replies (+OK, :int, $5), one chunk", many.length, () => d.feed(many));
}

{
  const enc = new Encoder();
  const value = "v".repeat(16);
  let n = 0;
  enc.push(["SET", "key:000000", value]);
  const per = enc.take().length;
  measure("encode 1000 x SET key:NNNNNN <16 bytes> + take()", per * 1000, () => {
    for (let i = 0; i < 1000; i++) enc.push(["SET", "key:000000", value]);
    n += enc.take().length;
  });
  const big = "x".repeat(1 << 20);
  measure("encode SET with a 1 MiB string + take()", (1 << 20) + 30, () => {
    enc.push(["SET", "k", big]);
    n += enc.take().length;
  });
  sink += n;
}

if (sink < 0) console.log(sink);
