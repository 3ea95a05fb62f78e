/**
 * Property tests of the decoder on generated input.
 *
 * A seeded generator writes valid RESP2/RESP3 streams (every type, nesting,
 * attributes, pushes, binary and UTF-8 bulks) with the values they must
 * decode to; each stream is fed whole and at random splits. Mutated streams
 * (bytes flipped, inserted, deleted, duplicated, lengths inflated) must end
 * in values or a `ProtocolError`, never another exception, quickly and with
 * bounded buffering.
 *
 * Sized for CI (a few seconds). For a longer run:
 *
 * ```sh
 * UNIREDIS_FUZZ_ITERATIONS=20000 deno test -A lib/protocol/fuzz_test.ts
 * ```
 *
 * A failure names its seed; `UNIREDIS_FUZZ_SEED=<seed> UNIREDIS_FUZZ_ITERATIONS=1`
 * replays exactly that case.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { ProtocolError, RedisError } from "../errors.ts";
import { Decoder } from "./decoder.ts";
import type { RespValue } from "./types.ts";

const ITERATIONS = Number(process.env.UNIREDIS_FUZZ_ITERATIONS ?? 2000);
const FIRST_SEED = Number(process.env.UNIREDIS_FUZZ_SEED ?? 1);
/** maxBulkLength of the mutation runs: bounds what a mutated length can make the decoder buffer. */
const MUTATION_MAX_BULK = 1 << 20;

const te = new TextEncoder();

type Rand = () => number;

/** mulberry32: small, fast and deterministic. */
function prng(seed: number): Rand {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (rand: Rand, n: number) => Math.floor(rand() * n);
const pick = <T>(rand: Rand, items: readonly T[]): T => items[int(rand, items.length)];

/** Bytes of the frame being written, and the value it decodes to. */
class Writer {
  parts: Uint8Array[] = [];
  text(s: string): void {
    this.parts.push(te.encode(s));
  }
  bytes(b: Uint8Array): void {
    this.parts.push(b);
  }
  done(): Uint8Array {
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

const TEXTS = ["", "OK", "héllo", "日本語", "😀 emoji", "a b c", "x".repeat(40), "QUEUED", "\u00e9t\u00e9"];
const ERRORS = [
  "ERR bad thing",
  "WRONGTYPE Operation",
  "NOSCRIPT none",
  "LOADING wait",
  "MOVED 1 h:1",
  "OOM no",
];

function randomText(rand: Rand): string {
  if (rand() < 0.6) return pick(rand, TEXTS);
  let s = "";
  const n = int(rand, 30);
  for (let i = 0; i < n; i++) {
    s += String.fromCodePoint(pick(rand, [0x61 + int(rand, 26), 0xe9, 0x20ac, 0x1f600]));
  }
  return s;
}

function randomBytes(rand: Rand): Uint8Array {
  const n = rand() < 0.05 ? 1000 + int(rand, 70_000) : int(rand, 40);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = int(rand, 256);
  return b;
}

/** An error value as compared. */
const err = (message: string) => ({ error: message });

/** Writes one value; returns what it decodes to (errors as `{ error }`). */
function value(rand: Rand, w: Writer, depth: number, text: boolean): unknown {
  const kind = int(rand, depth > 3 ? 14 : 18);
  switch (kind) {
    case 0: {
      const s = randomText(rand).replace(/[\r\n]/g, "");
      w.text(`+${s}\r\n`);
      return s;
    }
    case 1: {
      const s = pick(rand, ERRORS);
      w.text(`-${s}\r\n`);
      return err(s);
    }
    case 2: {
      const n = pick(rand, [0, 1, -1, 42, 2 ** 53 - 1, -(2 ** 31), int(rand, 1e9)]);
      w.text(`:${n}\r\n`);
      return n;
    }
    case 3: {
      const n = pick(rand, [2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 7n]);
      w.text(`:${n}\r\n`);
      return n;
    }
    case 4:
    case 5: {
      if (text) {
        const s = randomText(rand);
        const b = te.encode(s);
        w.text(`$${b.length}\r\n`);
        w.bytes(b);
        w.text("\r\n");
        return s;
      }
      const b = randomBytes(rand);
      w.text(`$${b.length}\r\n`);
      w.bytes(b);
      w.text("\r\n");
      return b;
    }
    case 6: {
      const form = int(rand, 3);
      w.text(form === 0 ? "$-1\r\n" : form === 1 ? "*-1\r\n" : "_\r\n");
      return null;
    }
    case 7: {
      const b = rand() < 0.5;
      w.text(b ? "#t\r\n" : "#f\r\n");
      return b;
    }
    case 8: {
      const x = pick(rand, [1.5, -0.25, 1e300, 3e-200, rand() * 1e6, Infinity, -Infinity, NaN]);
      w.text(
        `,${Number.isNaN(x) ? "nan" : x === Infinity ? "inf" : x === -Infinity ? "-inf" : String(x)}\r\n`,
      );
      return x;
    }
    case 9: {
      const n = BigInt(int(rand, 1e9)) ** BigInt(1 + int(rand, 6)) * (rand() < 0.5 ? -1n : 1n);
      w.text(`(${n}\r\n`);
      return n;
    }
    case 10: {
      const s = pick(rand, ERRORS);
      w.text(`!${te.encode(s).length}\r\n${s}\r\n`);
      return err(s);
    }
    case 11: {
      const s = randomText(rand);
      const b = te.encode(s);
      w.text(`=${b.length + 4}\r\ntxt:`);
      w.bytes(b);
      w.text("\r\n");
      return text ? s : b;
    }
    case 12:
    case 13: {
      // An attribute before a value: dropped.
      w.text("|1\r\n+ttl\r\n");
      value(rand, w, depth + 1, text);
      return value(rand, w, depth + 1, text);
    }
    default: {
      const type = pick(rand, ["*", "~", "%"]);
      const n = int(rand, 5);
      w.text(`${type}${n}\r\n`);
      const out: unknown[] = [];
      for (let i = 0; i < (type === "%" ? 2 * n : n); i++) out.push(value(rand, w, depth + 1, text));
      return out;
    }
  }
}

interface Stream {
  bytes: Uint8Array;
  replies: unknown[];
  pushes: unknown[];
  modes: boolean[];
}

function stream(rand: Rand): Stream {
  const w = new Writer();
  const s: Stream = { bytes: new Uint8Array(0), replies: [], pushes: [], modes: [] };
  const frames = 1 + int(rand, 8);
  for (let i = 0; i < frames; i++) {
    if (rand() < 0.15) {
      const n = 1 + int(rand, 3);
      w.text(`>${n}\r\n`);
      const push: unknown[] = [];
      for (let j = 0; j < n; j++) push.push(value(rand, w, 1, true));
      s.pushes.push(push);
    } else {
      const text = rand() < 0.6;
      s.modes.push(text);
      s.replies.push(value(rand, w, 0, text));
    }
  }
  s.bytes = w.done();
  return s;
}

function norm(v: unknown): unknown {
  if (v instanceof RedisError) return err(v.message);
  if (Array.isArray(v)) return v.map(norm);
  return v;
}

function splits(bytes: Uint8Array, rand: Rand): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const n = rand() < 0.3 ? 1 + int(rand, 3) : 1 + int(rand, 4096);
    out.push(bytes.slice(at, at + n));
    at += n;
  }
  return out;
}

function decodeAll(chunks: Uint8Array[], modes: boolean[], maxBulkLength?: number) {
  const got = { replies: [] as unknown[], pushes: [] as unknown[] };
  let asked = 0;
  const d = new Decoder({
    onReply: (v: RespValue) => got.replies.push(norm(v)),
    onPush: (v: RespValue[]) => got.pushes.push(norm(v)),
    textReplies: () => modes[asked++] ?? true,
    maxBulkLength,
  });
  let maxBuffered = 0;
  let error: unknown;
  try {
    for (const c of chunks) {
      d.feed(c);
      maxBuffered = Math.max(maxBuffered, d.bufferedBytes);
    }
  } catch (e) {
    error = e;
  }
  return { got, error, maxBuffered };
}

/** Runs `check` for each seed, naming the seed of a failure. */
function forSeeds(check: (rand: Rand) => void): void {
  for (let i = 0; i < ITERATIONS; i++) {
    const seed = FIRST_SEED + i;
    try {
      check(prng(seed));
    } catch (e) {
      throw new Error(`fuzz failure with UNIREDIS_FUZZ_SEED=${seed}: ${e instanceof Error ? e.message : e}`, {
        cause: e,
      });
    }
  }
}

test("fuzz: generated valid streams decode to their values, whole and at random splits", () => {
  forSeeds((rand) => {
    const s = stream(rand);
    const want = { replies: s.replies, pushes: s.pushes };
    const whole = decodeAll([s.bytes], s.modes);
    assert.equal(whole.error, undefined);
    assert.deepStrictEqual(whole.got, want);
    for (let k = 0; k < 3; k++) {
      const split = decodeAll(splits(s.bytes, rand), s.modes);
      assert.equal(split.error, undefined);
      assert.deepStrictEqual(split.got, want);
    }
  });
});

function mutate(bytes: Uint8Array, rand: Rand): Uint8Array {
  const b = Array.from(bytes);
  const edits = 1 + int(rand, 4);
  for (let e = 0; e < edits && b.length > 0; e++) {
    const at = int(rand, b.length);
    switch (int(rand, 7)) {
      case 0:
        b[at] = int(rand, 256);
        break;
      case 1:
        b.splice(at, 0, pick(rand, [13, 10, 36, 42, 58, 44, 40, 43, 45, 62, 124, 48 + int(rand, 10)]));
        break;
      case 2:
        b.splice(at, 1 + int(rand, 3));
        break;
      case 3:
        b.length = at;
        break;
      case 4:
        b.splice(at, 0, ...b.slice(at, at + int(rand, 64)));
        break;
      case 5: // inflate a length or a number
        b.splice(at, 0, ...te.encode(String(int(rand, 2) ? 4_000_000_000 : int(rand, 1e6))));
        break;
      default: // a long run without a line end
        b.splice(at, 0, ...new Array(int(rand, 20_000)).fill(pick(rand, [49, 120, 255])));
    }
  }
  return Uint8Array.from(b);
}

test("fuzz: mutated streams end in values or a ProtocolError, quickly and with bounded buffering", () => {
  let slowest = 0;
  forSeeds((rand) => {
    const s = stream(rand);
    const bytes = mutate(s.bytes, rand);
    for (const chunks of [[bytes], splits(bytes, rand)]) {
      const t0 = performance.now();
      const r = decodeAll(chunks, s.modes, MUTATION_MAX_BULK);
      slowest = Math.max(slowest, performance.now() - t0);
      if (r.error !== undefined && !(r.error instanceof ProtocolError)) {
        throw new Error(`not a ProtocolError: ${r.error}`, { cause: r.error });
      }
      // Never more than the longest value allowed (and its CRLF) plus the growth step.
      assert.ok(r.maxBuffered <= 2 * MUTATION_MAX_BULK + 2, `buffered ${r.maxBuffered} bytes`);
    }
  });
  assert.ok(slowest < 1000, `slowest stream took ${slowest.toFixed(0)} ms`);
});
