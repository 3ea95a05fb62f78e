// Micro-benchmark of what W4 spends its time on: decoding a 1,000-element LRANGE reply and a 1,000-field
// HGETALL reply (RESP3 map and RESP2 array) with uniredis's Decoder, then toRecord. Variants of the
// decoder's short-string path and of toRecord are patched in at run time (nothing in lib/ is edited), so
// a proposed change can be measured on every runtime before it is made:
//
//   node bench/micro/decode_w4.mjs        (needs the npm build: node bench/run.mjs or build_npm.ts first)
//   node_modules/.bin/bun bench/micro/decode_w4.mjs
//   node_modules/.bin/deno run -A bench/micro/decode_w4.mjs

import { Buffer } from "node:buffer";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const isNode = typeof globalThis.Deno === "undefined" && typeof globalThis.Bun === "undefined";
const lib = isNode ? join(root, "bench", ".cache", "npm", "esm", "lib") : join(root, "lib");
const ext = isNode ? ".js" : ".ts";
if (!existsSync(join(lib, "protocol", "decoder" + ext))) {
  console.error(`no ${join(lib, "protocol", "decoder" + ext)}: run node bench/run.mjs (it builds) first`);
  process.exit(1);
}
const { Decoder } = await import(pathToFileURL(join(lib, "protocol", "decoder" + ext)).href);
const { toRecord } = await import(pathToFileURL(join(lib, "commands", "reply" + ext)).href);

const te = new TextEncoder();
const bulk = (s) => `$${te.encode(s).length}\r\n${s}\r\n`;
const N = 1000;
const elements = Array.from({ length: N }, (_, i) => "element-" + String(i).padStart(6, "0"));
const fields = Array.from({ length: N }, (_, i) => ["f" + i, "value-" + String(i).padStart(6, "0")]).flat();
const lrange = te.encode(`*${N}\r\n` + elements.map(bulk).join(""));
const hgetall3 = te.encode(`%${N}\r\n` + fields.map(bulk).join(""));
const hgetall2 = te.encode(`*${2 * N}\r\n` + fields.map(bulk).join(""));
// As the socket delivers them: Buffers on Node and Bun (64 KiB reads), plain Uint8Arrays on Deno.
const asChunk = (u8) => (isNode || globalThis.Bun ? Buffer.from(u8) : u8);

const original = Decoder.prototype.str;
const fcc = String.fromCharCode;
const STR = {
  current: original,
  // Eight bytes per fromCharCode call: 1/8 of the intermediate strings of the per-byte loop.
  chunks8(buf, s, e) {
    if (e - s > 16 || !this.utf8) return original.call(this, buf, s, e);
    let bad = 0;
    for (let i = s; i < e; i++) bad |= buf[i];
    if (bad > 127) return this.td.decode(buf.subarray(s, e));
    let r = "";
    let i = s;
    for (; i + 8 <= e; i += 8) {
      r += fcc(buf[i], buf[i + 1], buf[i + 2], buf[i + 3], buf[i + 4], buf[i + 5], buf[i + 6], buf[i + 7]);
    }
    for (; i < e; i++) r += fcc(buf[i]);
    return r;
  },
  // Decode each chunk once (native TextDecoder), then cut every string out with substring(). Valid when
  // the decoded text has exactly one UTF-16 unit per byte (all ASCII, or isolated invalid bytes that
  // decode to U+FFFD either way); otherwise falls back. Note: in V8 a substring of 13+ characters is a
  // slice that keeps the whole chunk's text alive.
  chunkText(buf, s, e) {
    if (!this.utf8) return original.call(this, buf, s, e);
    if (this._textOf !== buf) {
      this._textOf = buf;
      const text = this.td.decode(buf);
      this._text = text.length === buf.length ? text : undefined;
    }
    return this._text === undefined ? original.call(this, buf, s, e) : this._text.substring(s, e);
  },
  // What a transport could inject: the runtime's native slice (Buffer#utf8Slice on Node and Bun).
  nativeSlice(buf, s, e) {
    if (!this.utf8 || typeof buf.utf8Slice !== "function") return original.call(this, buf, s, e);
    return buf.utf8Slice(s, e);
  },
};

function toRecordNullProto(reply) {
  const out = Object.create(null);
  for (let i = 0; i + 1 < reply.length; i += 2) out[reply[i]] = reply[i + 1];
  return out;
}
const RECORD = { current: toRecord, nullProto: toRecordNullProto };

function run(payload, transform, ms = 700) {
  let last;
  const d = new Decoder({ onReply: (v) => (last = transform ? transform(v) : v) });
  const chunk = asChunk(payload);
  // A new view per feed, as each socket read is a new chunk (chunkText caches per chunk object).
  const once = () => d.feed(chunk.subarray(0));
  for (let i = 0; i < 200; i++) once();
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 50; i++) once();
    n += 50;
    t = performance.now();
  }
  if (last === undefined) throw new Error("no reply");
  return (n / (t - t0)) * 1000;
}

const runtime = globalThis.Deno
  ? `deno ${Deno.version.deno}`
  : globalThis.Bun
  ? `bun ${Bun.version}`
  : `node ${process.versions.node}`;
console.log(`${runtime}: replies decoded per second (higher is better)`);
console.log(
  `${"variant".padEnd(30)} ${"LRANGE".padStart(9)} ${"HGETALL3".padStart(9)} ${"HGETALL2".padStart(9)}`,
);
for (const [sname, fn] of Object.entries(STR)) {
  Decoder.prototype.str = fn;
  for (const [rname, rec] of Object.entries(RECORD)) {
    if (sname !== "current" && rname !== "current" && sname !== "chunkText") continue;
    const a = run(lrange);
    const b = run(hgetall3, rec);
    const c = run(hgetall2, rec);
    const f = (x) => Math.round(x).toLocaleString("en-US").padStart(9);
    console.log(`${(`str=${sname} toRecord=${rname}`).padEnd(30)} ${f(a)} ${f(b)} ${f(c)}`);
  }
}
Decoder.prototype.str = original;
