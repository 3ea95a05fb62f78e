/**
 * Push-based, resumable RESP2/RESP3 decoder.
 *
 * Replies are parsed straight from each chunk; state survives between chunks
 * as an explicit stack of open aggregates (no recursion, so nesting is bounded
 * only by memory), the bytes of an unfinished line, or a buffer for a bulk
 * string that spans chunks.
 *
 * Nothing is allocated on the word of the peer: a bulk buffer starts at
 * 1 MiB at most; past it, the chunks that follow are kept as they arrive and
 * copied once into a buffer of the value's size when its last byte is in
 * (so every byte of a value is copied once, and the first MiB twice). Every
 * line has a bound, checked as it arrives, whether in one chunk or split:
 *
 * | Line                                              | Longest content accepted          |
 * | ------------------------------------------------- | --------------------------------- |
 * | lengths (`$ * % ~ > \| ! =`), `:`, `#`, `_`       | 64 bytes (lengths: 10 digits)      |
 * | double `,`                                        | `MAX_DOUBLE_LENGTH` (8 KiB)        |
 * | big number `(`                                    | `MAX_BIG_NUMBER_LENGTH` (64 KiB)   |
 * | simple string `+`, simple error `-`               | `maxBulkLength`, at least 64 KiB   |
 *
 * @module
 */

import { errorFromReply, InvalidResponse, ProtocolError, RedisError } from "../errors.ts";
import type { RespValue } from "./types.ts";
import { MAX_DOUBLE_LENGTH, parseDouble } from "./double.ts";

/** ASCII strings up to this many bytes are built by `shortAscii` (faster than TextDecoder, measured). */
const SHORT_ASCII_MAX = 16;
/** Digits allowed in a length header. */
const MAX_LENGTH_DIGITS = 10;
/** Longest content of a length, integer, boolean or null line. */
const MAX_SHORT_LINE = 64;
/**
 * Longest big number accepted, in characters: BigInt parsing is superlinear
 * (64 Ki digits take a few milliseconds, 1 Mi digits over 100).
 */
const MAX_BIG_NUMBER_LENGTH = 65536;
/**
 * Redis's own default `proto-max-bulk-len`, 512 MiB: the default
 * `maxBulkLength`.
 */
const DEFAULT_MAX_BULK_LENGTH = 512 * 1024 * 1024;
/** Simple strings and errors may be this long even under a smaller `maxBulkLength` (error messages). */
const MIN_SIMPLE_LINE = 65536;
/** First buffer of a bulk string spanning chunks: a 1 MiB value and its CRLF fit at once. */
const INITIAL_BULK_CAPACITY = (1 << 20) + 2;
/** Parts of a long bulk string shorter than this are copied into a staging buffer instead of kept as views:
 * a short view could pin a much larger read buffer (Deno reads into 64 KiB slabs). */
const SMALL_PART = 16 * 1024;
/** Size of that staging buffer. */
const STAGE_SIZE = 64 * 1024;
/** Text from this many bytes up goes to the transport's `asciiText` first (below, TextDecoder is as fast). */
const ASCII_TEXT_MIN = 4096;

/**
 * One bulk buffer kept for the next bulk string that spans chunks, once a text reply was decoded out of it:
 * a fresh 1 MiB buffer per large reply cost Bun about 150 µs of allocation and collection (measured). Only
 * text replies give their buffer back (a binary reply is a view of it), and only buffers of at most
 * INITIAL_BULK_CAPACITY, so the process keeps 1 MiB at most. Shared by all decoders: a buffer is either
 * here or owned by one decoder.
 */
let spareBulk: Uint8Array | null = null;

const BIG_RE = /^[+-]?\d+$/;

// Shared by every decoder, per label and strictness: a decode without `stream` keeps no state between
// calls, and making two per connection is a visible part of a short-lived connection's cost. The labels
// are those TextDecoder accepts, so the map stays small.
const textDecoders = new Map<string, TextDecoder>();

function textDecoder(label: string, fatal: boolean): TextDecoder {
  const key = fatal ? `${label}\0fatal` : label;
  let td = textDecoders.get(key);
  if (td === undefined) {
    td = new TextDecoder(label, { ignoreBOM: true, fatal });
    textDecoders.set(key, td);
  }
  return td;
}

/**
 * What to do with bytes that are not valid in the text encoding, as
 * redis-py's `encoding_errors`: `"strict"` makes the reply an
 * `InvalidResponse` value (the command fails, the stream goes on),
 * `"replace"` puts U+FFFD in their place, `"ignore"` drops them.
 *
 * @example
 * ```ts
 * import type { EncodingErrors } from "@uniredis/redis";
 * const mode: EncodingErrors = "replace";
 * console.log(mode); // "replace"
 * ```
 */
export type EncodingErrors = "strict" | "replace" | "ignore";

/**
 * Callbacks and text options of a {@link Decoder}.
 *
 * @example
 * ```ts
 * import type { DecoderOptions } from "@uniredis/redis";
 * const options: DecoderOptions = { onReply: (v) => console.log(v), textReplies: () => false };
 * console.log(typeof options.onReply); // "function"
 * ```
 */
export interface DecoderOptions {
  /** Called for every complete top-level reply, in order. */
  onReply(value: RespValue): void;
  /** Called for every complete top-level RESP3 push frame (`>`); if absent, pushes go to `onReply`. */
  onPush?(value: RespValue[]): void;
  /**
   * Asked once at the start of each top-level non-push reply (at its first
   * byte; a leading attribute does not count): true makes the reply's bulk
   * and verbatim strings `string`s (see `encoding`), false `Uint8Array`s.
   * Default: always true.
   */
  textReplies?: () => boolean;
  /** The same choice for push frames (default true). */
  textPush?: boolean;
  /** TextDecoder label for text mode (default `"utf-8"`). */
  encoding?: string;
  /**
   * A faster path for long UTF-8 text, from the transport (see
   * `Transport.asciiText`): the bytes as a string when all are ASCII, else
   * `undefined` (TextDecoder then decodes them). Settable later with
   * `setAsciiText`.
   */
  asciiText?: (bytes: Uint8Array) => string | undefined;
  /**
   * Longest bulk string, bulk error or verbatim string accepted, in bytes
   * (default 512 MiB, Redis's `proto-max-bulk-len`); a longer one is a
   * `ProtocolError`. Simple strings and errors get the same bound, but never
   * less than 64 KiB.
   */
  maxBulkLength?: number;
  /**
   * Invalid bytes in text-mode replies (default `"strict"`, as redis-py).
   * Binary-mode replies are not decoded; push frames, which answer no
   * command, are decoded with `"replace"` under `"strict"`.
   */
  encodingErrors?: EncodingErrors;
  /**
   * Asked only when a text-mode reply holds invalid text under `"strict"`:
   * true decodes it with U+FFFD instead of failing the reply (for replies
   * that answer no command, such as RESP2 pubsub messages).
   */
  replaceInvalidText?: () => boolean;
}

/**
 * Decodes a stream of RESP2/RESP3 bytes into {@link RespValue}s, delivering
 * each top-level reply as soon as its last byte arrives. Chunks may split
 * replies anywhere.
 *
 * Mapping: maps become flat `[k, v, ...]` arrays, sets arrays, attributes are
 * dropped, error replies become `RedisError` values (see `errorFromReply`),
 * integers beyond 2^53 and big numbers `bigint`s, and `_`, `$-1`, `*-1` null.
 *
 * @example
 * ```ts
 * import { Decoder } from "@uniredis/redis";
 * const replies: unknown[] = [];
 * const d = new Decoder({ onReply: (v) => replies.push(v) });
 * const bytes = new TextEncoder().encode("+OK\r\n*2\r\n:1\r\n$3\r\nfoo\r\n");
 * d.feed(bytes.subarray(0, 9));
 * d.feed(bytes.subarray(9));
 * console.log(replies); // ["OK", [1, "foo"]]
 * ```
 */
export class Decoder {
  // Callbacks are called as methods of the options object (`this` is kept).
  private options: DecoderOptions;
  private textPush: boolean;
  private td: TextDecoder;
  private asciiText: ((bytes: Uint8Array) => string | undefined) | undefined;
  private utf8: boolean;
  private maxBulk: number;
  private maxSimple: number;
  // Decodes text under "strict" and "ignore" (null under "replace").
  private tdFatal: TextDecoder | null;
  private ignore: boolean;
  // The reply in progress has invalid text (under "strict").
  private badText = false;
  // Bytes of a bulk string in the reply in progress too long for a string of this runtime (0: none).
  private tooLongText = 0;

  // The innermost open aggregate (null at top level), its missing element
  // count and whether it is an attribute; the enclosing ones are stacked.
  private cur: RespValue[] | null = null;
  private curLeft = 0;
  private curAttr = false;
  private outer: RespValue[][] = [];
  private outerLeft: number[] = [];
  private outerAttr: boolean[] = [];

  // The top-level reply in progress.
  private inReply = false;
  private isPush = false;
  private text = true;

  // A bulk payload spanning chunks: bulkTotal = length + 2 bytes (payload and
  // CRLF), of which bulkFill arrived. Up to the first buffer's size the bytes
  // are copied into `bulk`; past it, `bulk` becomes the first of `bulkParts`,
  // views of the chunks (small ones copied into `bulkStage`), joined at the end.
  private bulk: Uint8Array | null = null;
  private bulkFill = 0;
  private bulkTotal = 0;
  private bulkType = 0;
  private bulkParts: Uint8Array[] | null = null;
  private bulkStage: Uint8Array | null = null;
  private bulkStaged = 0;

  // An unfinished header line (from its type byte), completed by the next chunk.
  private pend: Uint8Array = new Uint8Array(64);
  private pendLen = 0;
  private pendOffset = 0;

  // Stream offsets, for error messages.
  private fed = 0;
  private base = 0;
  // Index after the line parsed by readLength / eol.
  private at = 0;

  private failure: string | null = null;
  // True while a callback runs: what it throws is its own, not a decoding failure.
  private calling = false;

  /** Creates a decoder that reports replies through `options`. */
  constructor(options: DecoderOptions) {
    this.options = options;
    this.textPush = options.textPush ?? true;
    this.td = textDecoder(options.encoding ?? "utf-8", false);
    this.utf8 = this.td.encoding === "utf-8";
    this.asciiText = options.asciiText;
    this.maxBulk = options.maxBulkLength ?? DEFAULT_MAX_BULK_LENGTH;
    this.maxSimple = Math.max(this.maxBulk, MIN_SIMPLE_LINE);
    const errors = options.encodingErrors ?? "strict";
    this.tdFatal = errors === "replace" ? null : textDecoder(this.td.encoding, true);
    this.ignore = errors === "ignore";
  }

  /**
   * Bytes held for the value in progress: the buffer of a bulk string that
   * spans chunks, or the unfinished line. It grows with the data received,
   * never with a length the peer merely announced.
   */
  get bufferedBytes(): number {
    const parts = this.bulkParts;
    if (parts !== null) {
      // The first buffer whole, the bytes kept after it, and the staging buffer's free room.
      const slack = this.bulkStage === null ? 0 : STAGE_SIZE - this.bulkStaged;
      return this.bulk!.length + this.bulkFill - parts[0].length + slack;
    }
    return this.bulk !== null ? this.bulk.length : this.pendLen;
  }

  /** Sets (or clears) the fast path for long ASCII text; see {@link DecoderOptions.asciiText}. */
  setAsciiText(asciiText: ((bytes: Uint8Array) => string | undefined) | undefined): void {
    this.asciiText = asciiText;
  }

  /**
   * Consumes a chunk, delivering every reply it completes. The decoder may
   * keep views into the chunk, so its bytes must not be reused. Throws
   * `ProtocolError` on malformed input; the decoder then refuses more input
   * until `reset()`. An exception thrown by a callback propagates and fails
   * the decoder the same way (the rest of the chunk is lost).
   */
  feed(chunk: Uint8Array): void {
    if (this.failure !== null) {
      throw new ProtocolError(`The decoder failed earlier (${this.failure}) and must be reset`);
    }
    try {
      const end = chunk.length;
      let pos = 0;
      if (this.pendLen !== 0) {
        const nl = chunk.indexOf(10);
        if (nl < 0) {
          this.base = this.fed;
          this.stash(chunk, 0, end);
          this.fed += end;
          return;
        }
        this.base = this.fed;
        this.stash(chunk, 0, nl + 1);
        const n = this.pendLen;
        this.pendLen = 0;
        this.base = this.pendOffset;
        // A complete line: parsing it never stashes again.
        this.run(this.pend, 0, n);
        if (n > 65536) this.pend = new Uint8Array(64); // an unusually long line: do not keep its buffer
        pos = nl + 1;
      }
      this.base = this.fed;
      this.run(chunk, pos, end);
      this.fed += end;
    } catch (e) {
      let failure = e;
      // A callback's exception is its own; anything else thrown while decoding
      // (an allocation or string too large for the runtime) is a RedisError.
      if (!this.calling && !(e instanceof RedisError)) {
        const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        failure = new ProtocolError(`Could not decode a reply near offset ${this.fed} (${detail})`, {
          cause: e,
        });
      }
      this.calling = false;
      this.failure = failure instanceof Error ? failure.message : String(failure);
      throw failure;
    }
  }

  /** Drops all partial state and any earlier failure (for a new connection). */
  reset(): void {
    this.cur = null;
    this.curLeft = 0;
    this.curAttr = false;
    this.outer = [];
    this.outerLeft = [];
    this.outerAttr = [];
    this.inReply = false;
    this.isPush = false;
    this.text = true;
    this.bulk = null;
    this.bulkFill = 0;
    this.bulkParts = null;
    this.bulkStage = null;
    this.bulkStaged = 0;
    this.badText = false;
    this.tooLongText = 0;
    this.pendLen = 0;
    if (this.pend.length > 4096) this.pend = new Uint8Array(64);
    this.fed = 0;
    this.base = 0;
    this.failure = null;
  }

  /** Parses `buf[pos, end)`, delivering what completes and keeping what does not. */
  private run(buf: Uint8Array, pos: number, end: number): void {
    if (this.bulk !== null) {
      pos = this.fill(buf, pos, end);
      if (this.bulk !== null) return;
    }
    while (pos < end) {
      const t = buf[pos];
      if (!this.inReply && this.cur === null && t !== 124) this.begin(t);
      switch (t) {
        case 36: // $ bulk string
        case 33: // ! bulk error
        case 61: { // = verbatim string
          const n = this.readLength(buf, pos, end);
          if (n === -2) return this.stash(buf, pos, end);
          if (n === -1) {
            if (t !== 36) throw this.error(`Null length in ${name(t)}`, pos);
            pos = this.at;
            this.emit(null);
            break;
          }
          if (n > this.maxBulk) {
            throw this.error(`${name(t)} length ${n} exceeds maxBulkLength ${this.maxBulk}`, pos);
          }
          const s = this.at;
          const e = s + n;
          if (e + 2 <= end) {
            if (buf[e] !== 13 || buf[e + 1] !== 10) {
              throw this.error(`Missing CRLF after ${name(t)} payload`, e);
            }
            pos = e + 2;
            this.emit(
              t !== 36 ? this.bulkValue(t, buf, s, e) : this.text ? this.str(buf, s, e) : copy(buf, s, e),
            );
            break;
          }
          // Sized by what arrived, not by what was announced.
          this.bulkTotal = n + 2;
          const size = Math.min(n + 2, Math.max(INITIAL_BULK_CAPACITY, 2 * (end - s)));
          if (this.text && spareBulk !== null && spareBulk.length >= size) {
            this.bulk = spareBulk;
            spareBulk = null;
          } else {
            this.bulk = new Uint8Array(size);
          }
          this.bulkFill = 0;
          this.bulkType = t;
          pos = this.fill(buf, s, end);
          break;
        }
        case 42: // * array
        case 37: // % map
        case 126: // ~ set
        case 62: // > push
        case 124: { // | attribute
          let n = this.readLength(buf, pos, end);
          if (n === -2) return this.stash(buf, pos, end);
          pos = this.at;
          if (n === -1) {
            if (t !== 42) throw this.error(`Null length in ${name(t)}`, pos);
            this.emit(null);
            break;
          }
          if (t === 37 || t === 124) n *= 2;
          if (n === 0) {
            if (t !== 124) this.emit([]);
            break;
          }
          if (this.cur !== null) {
            this.outer.push(this.cur);
            this.outerLeft.push(this.curLeft);
            this.outerAttr.push(this.curAttr);
          }
          this.cur = [];
          this.curLeft = n;
          this.curAttr = t === 124;
          break;
        }
        case 58: { // : integer
          let i = pos + 1;
          let neg = false;
          if (i < end) {
            const c = buf[i];
            if (c === 45) {
              neg = true;
              i++;
            } else if (c === 43) i++;
          }
          const ds = i;
          let v = 0;
          const stop = Math.min(end, pos + MAX_SHORT_LINE + 1);
          while (i < stop) {
            const c = buf[i];
            if (c < 48 || c > 57) break;
            v = v * 10 + c - 48;
            i++;
          }
          if (i === pos + MAX_SHORT_LINE + 1) throw this.tooLong(buf, pos, MAX_SHORT_LINE);
          if (i + 1 >= end) {
            if (i < end && buf[i] !== 13) throw this.badLine("integer", buf, pos, i);
            return this.stash(buf, pos, end);
          }
          if (buf[i] !== 13 || buf[i + 1] !== 10 || i === ds) throw this.badLine("integer", buf, pos, i);
          pos = i + 2;
          this.emit(i - ds > 15 ? bigInteger(ascii(buf, ds, i), neg) : neg ? 0 - v : v);
          break;
        }
        case 43: // + simple string
        case 45: { // - simple error
          const e = this.eol(buf, pos, end, this.maxSimple);
          if (e < 0) return this.stash(buf, pos, end);
          const s = this.str(buf, pos + 1, e);
          pos = this.at;
          this.emit(t === 43 ? s : errorFromReply(s));
          break;
        }
        case 44: { // , double
          const e = this.eol(buf, pos, end, MAX_DOUBLE_LENGTH);
          if (e < 0) return this.stash(buf, pos, end);
          const v = parseDouble(ascii(buf, pos + 1, e));
          if (v === undefined) throw this.badLine("double", buf, pos, e);
          pos = this.at;
          this.emit(v);
          break;
        }
        case 40: { // ( big number
          const e = this.eol(buf, pos, end, MAX_BIG_NUMBER_LENGTH);
          if (e < 0) return this.stash(buf, pos, end);
          const s = ascii(buf, pos + 1, e);
          if (!BIG_RE.test(s)) throw this.badLine("big number", buf, pos, e);
          pos = this.at;
          this.emit(BigInt(s));
          break;
        }
        case 35: { // # boolean
          const e = this.eol(buf, pos, end, MAX_SHORT_LINE);
          if (e < 0) return this.stash(buf, pos, end);
          const c = buf[pos + 1];
          if (e !== pos + 2 || (c !== 116 && c !== 102)) throw this.badLine("boolean", buf, pos, e);
          pos = this.at;
          this.emit(c === 116);
          break;
        }
        case 95: { // _ null
          const e = this.eol(buf, pos, end, MAX_SHORT_LINE);
          if (e < 0) return this.stash(buf, pos, end);
          if (e !== pos + 1) throw this.badLine("null", buf, pos, e);
          pos = this.at;
          this.emit(null);
          break;
        }
        default:
          throw this.error(
            `Unknown RESP type byte ${t} (${JSON.stringify(String.fromCharCode(t))})`,
            pos,
          );
      }
    }
  }

  /** Starts a top-level reply: decides text or binary mode once. */
  private begin(t: number): void {
    this.inReply = true;
    this.badText = false;
    this.tooLongText = 0;
    if (t === 62) {
      this.isPush = true;
      this.text = this.textPush;
    } else {
      this.isPush = false;
      const o = this.options;
      if (o.textReplies === undefined) this.text = true;
      else {
        this.calling = true;
        this.text = o.textReplies();
        this.calling = false;
      }
    }
  }

  /** Adds a finished value to the innermost aggregate, closing every aggregate it completes. */
  private emit(v: RespValue): void {
    let cur = this.cur;
    while (cur !== null) {
      cur.push(v);
      if (--this.curLeft !== 0) return;
      const attr = this.curAttr;
      if (this.outer.length === 0) {
        this.cur = null;
      } else {
        this.cur = this.outer.pop()!;
        this.curLeft = this.outerLeft.pop()!;
        this.curAttr = this.outerAttr.pop()!;
      }
      // An attribute is dropped: the value after it takes its place.
      if (attr) return;
      v = cur;
      cur = this.cur;
    }
    this.inReply = false;
    const o = this.options;
    if (this.badText) {
      v = new InvalidResponse(
        `Invalid ${this.td.encoding} in a reply (encodingErrors "strict"; ` +
          `"replace" or "ignore" accept it, binary replies keep its bytes)`,
      );
      this.badText = false;
    }
    if (this.tooLongText > 0) {
      // The bytes were read in full, so the connection stays in step: only this reply fails.
      v = new InvalidResponse(
        `A reply holds a bulk string of ${this.tooLongText} bytes, longer than the longest string this ` +
          "runtime can build; read it as bytes (decodeResponses: false)",
      );
      this.tooLongText = 0;
    }
    this.calling = true;
    if (this.isPush && o.onPush !== undefined) o.onPush(v as RespValue[]);
    else o.onReply(v);
    this.calling = false;
  }

  /** Copies payload bytes into the pending bulk buffer; returns the new position. */
  private fill(buf: Uint8Array, pos: number, end: number): number {
    let b = this.bulk!;
    const fill = this.bulkFill;
    const need = this.bulkTotal - fill;
    const take = end - pos < need ? end - pos : need;
    if (this.bulkParts === null && fill + take > b.length) this.bulkParts = [b.subarray(0, fill)];
    if (this.bulkParts !== null) {
      this.keepPart(buf.subarray(pos, pos + take));
      this.bulkFill = fill + take;
      if (take < need) return end;
      b = this.joinParts();
    } else if (take < need) {
      b.set(buf.subarray(pos, end), fill);
      this.bulkFill = fill + take;
      return end;
    } else {
      b.set(buf.subarray(pos, pos + need), fill);
    }
    this.bulk = null;
    // A spare buffer may be longer than the value.
    const len = this.bulkTotal - 2;
    const t = this.bulkType;
    if (b[len] !== 13 || b[len + 1] !== 10) {
      throw this.error(`Missing CRLF after ${name(t)} payload`, pos + need - 2);
    }
    if (!this.text) {
      this.emit(t !== 36 ? this.bulkValue(t, b, 0, len) : b.subarray(0, len));
      return pos + need;
    }
    const value = t !== 36 ? this.bulkValue(t, b, 0, len) : this.str(b, 0, len);
    // The value is a string (or an error built from one): nothing refers to the buffer any more.
    if (b.length <= INITIAL_BULK_CAPACITY) spareBulk = b;
    this.emit(value);
    return pos + need;
  }

  /** Keeps a part of a long bulk string: a view of the chunk, or a copy in the staging buffer if short. */
  private keepPart(part: Uint8Array): void {
    const parts = this.bulkParts!;
    let stage = this.bulkStage;
    if (part.length >= SMALL_PART) {
      if (stage !== null) parts.push(stage.subarray(0, this.bulkStaged));
      this.bulkStage = null;
      parts.push(part);
      return;
    }
    if (stage !== null && this.bulkStaged + part.length > STAGE_SIZE) {
      parts.push(stage.subarray(0, this.bulkStaged));
      stage = null;
    }
    if (stage === null) {
      this.bulkStage = stage = new Uint8Array(STAGE_SIZE);
      this.bulkStaged = 0;
    }
    stage.set(part, this.bulkStaged);
    this.bulkStaged += part.length;
  }

  /** The kept parts of a complete long bulk string, copied once into a buffer of its size. */
  private joinParts(): Uint8Array {
    const parts = this.bulkParts!;
    if (this.bulkStage !== null) parts.push(this.bulkStage.subarray(0, this.bulkStaged));
    this.bulkParts = null;
    this.bulkStage = null;
    const out = new Uint8Array(this.bulkTotal);
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    // The first buffer was copied too: the next long bulk string may start in it.
    const first = this.bulk!;
    if (first.length <= INITIAL_BULK_CAPACITY) spareBulk = first;
    return out;
  }

  /** The value of a bulk error or verbatim string payload. */
  private bulkValue(t: number, buf: Uint8Array, s: number, e: number): RespValue {
    if (t === 33) return errorFromReply(this.str(buf, s, e));
    // Verbatim: `fmt:` precedes the text.
    if (e - s < 4 || buf[s + 3] !== 58) throw this.error("Verbatim string without a `fmt:` prefix", s);
    return this.text ? this.str(buf, s + 4, e) : copy(buf, s + 4, e);
  }

  /**
   * Parses the length header at `pos` (type byte included): the length, -1
   * for `-1`, or -2 when the line is incomplete. Sets `at` past the CRLF.
   */
  private readLength(buf: Uint8Array, pos: number, end: number): number {
    let i = pos + 1;
    const neg = i < end && buf[i] === 45;
    if (neg) i++;
    const ds = i;
    let n = 0;
    while (i < end) {
      const c = buf[i];
      if (c < 48 || c > 57) break;
      n = n * 10 + c - 48;
      i++;
    }
    if (i - ds > MAX_LENGTH_DIGITS) throw this.badLine("length", buf, pos, i);
    if (i + 1 >= end) {
      if (i < end && buf[i] !== 13) throw this.badLine("length", buf, pos, i);
      return -2;
    }
    if (buf[i] !== 13 || buf[i + 1] !== 10 || i === ds) throw this.badLine("length", buf, pos, i);
    if (neg) {
      if (n !== 1) throw this.error(`Negative length -${n} in ${name(buf[pos])}`, pos);
      this.at = i + 2;
      return -1;
    }
    this.at = i + 2;
    return n;
  }

  /**
   * Finds the end of the line starting at `pos`, whose content may not
   * exceed `limit` bytes: the index of its CR, or -1 if incomplete. Sets `at`.
   */
  private eol(buf: Uint8Array, pos: number, end: number, limit: number): number {
    // The LF of the longest line allowed is at pos + limit + 2.
    const stop = end - pos > limit + 3 ? pos + limit + 3 : end;
    for (let i = pos + 1; i < stop; i++) {
      if (buf[i] === 10) {
        if (buf[i - 1] !== 13) throw this.error(`Line of ${name(buf[pos])} ends in LF without CR`, i);
        if (i - 2 - pos > limit) throw this.tooLong(buf, pos, limit);
        this.at = i + 1;
        return i - 1;
      }
    }
    if (stop !== end) throw this.tooLong(buf, pos, limit);
    return -1;
  }

  /** The longest content a line of type `t` may have. */
  private lineLimit(t: number): number {
    switch (t) {
      case 43:
      case 45:
        return this.maxSimple;
      case 44:
        return MAX_DOUBLE_LENGTH;
      case 40:
        return MAX_BIG_NUMBER_LENGTH;
      default:
        return MAX_SHORT_LINE;
    }
  }

  /** Keeps the unfinished line `buf[pos, end)` for the next chunk, within its type's bound. */
  private stash(buf: Uint8Array, pos: number, end: number): void {
    const n = end - pos;
    if (this.pendLen === 0) this.pendOffset = this.base + pos;
    const need = this.pendLen + n;
    // Type byte, content, CR and LF.
    const t = this.pendLen === 0 ? buf[pos] : this.pend[0];
    const limit = this.lineLimit(t);
    if (need > limit + 3) {
      if (this.pendLen === 0) throw this.tooLong(buf, pos, limit);
      this.pendLen = 0;
      this.base = this.pendOffset;
      throw this.tooLong(this.pend, 0, limit);
    }
    if (need > this.pend.length) {
      let cap = this.pend.length * 2;
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.pend.subarray(0, this.pendLen));
      this.pend = next;
    }
    this.pend.set(buf.subarray(pos, end), this.pendLen);
    this.pendLen = need;
  }

  /** Decodes text: one `fromCharCode` call for short ASCII, TextDecoder otherwise. */
  private str(buf: Uint8Array, s: number, e: number): string {
    if (e - s <= SHORT_ASCII_MAX && this.utf8) {
      let bits = 0;
      for (let i = s; i < e; i++) bits |= buf[i];
      if (bits < 128) return shortAscii(buf, s, e - s);
    }
    const bytes = buf.subarray(s, e);
    let text: string;
    try {
      // All ASCII is valid UTF-8 with the same characters: no check for U+FFFD needed.
      if (e - s >= ASCII_TEXT_MIN && this.asciiText !== undefined && this.utf8) {
        const ascii = this.asciiText(bytes);
        if (ascii !== undefined) return ascii;
      }
      text = this.td.decode(bytes);
    } catch (error) {
      // V8 strings stop short of 2^29 characters, under Redis's 512 MiB bulk limit. A command's reply
      // fails alone; a push has no caller to fail, so it stays a decoding failure of the connection.
      if (this.isPush || bytes.length < 1 << 24) throw error;
      this.tooLongText = bytes.length;
      return "";
    }
    // Binary replies and pushes keep U+FFFD: only command replies can fail.
    // Without a U+FFFD the bytes were valid (a fatal TextDecoder is several
    // times slower on Deno, so it only settles the rare doubtful case).
    if (this.tdFatal === null || !this.text || this.isPush || text.indexOf("\uFFFD") === -1) return text;
    try {
      return this.tdFatal.decode(bytes);
    } catch {
      if (!this.ignore && this.options.replaceInvalidText?.() === true) return text;
      if (this.ignore) {
        return this.utf8 ? this.td.decode(validUtf8(bytes)) : this.td.decode(bytes).replaceAll("\uFFFD", "");
      }
      this.badText = true;
      return "";
    }
  }

  /** An "Invalid <what>" error quoting the start of the offending line. */
  private badLine(what: string, buf: Uint8Array, pos: number, at: number): ProtocolError {
    let e = at < pos + 40 ? at : pos + 40;
    while (e < buf.length && e - pos < 40 && buf[e] !== 13 && buf[e] !== 10) e++;
    return this.error(`Invalid ${what} ${JSON.stringify(ascii(buf, pos, e))}`, pos);
  }

  /** A line (starting at `pos`) longer than its bound. */
  private tooLong(buf: Uint8Array, pos: number, limit: number): ProtocolError {
    return this.error(`Line of ${name(buf[pos])} longer than ${limit} bytes`, pos);
  }

  /** A ProtocolError at stream offset of `pos`. */
  private error(message: string, pos: number): ProtocolError {
    return new ProtocolError(`${message} at offset ${this.base + pos}`);
  }
}

function name(t: number): string {
  switch (t) {
    case 36:
      return "bulk string";
    case 33:
      return "bulk error";
    case 61:
      return "verbatim string";
    case 42:
      return "array";
    case 37:
      return "map";
    case 126:
      return "set";
    case 62:
      return "push";
    case 124:
      return "attribute";
    case 43:
      return "simple string";
    case 45:
      return "simple error";
    case 44:
      return "double";
    case 40:
      return "big number";
    case 58:
      return "integer";
    case 35:
      return "boolean";
    case 95:
      return "null";
    default:
      return JSON.stringify(String.fromCharCode(t));
  }
}

function ascii(buf: Uint8Array, s: number, e: number): string {
  let r = "";
  for (let i = s; i < e; i++) r += String.fromCharCode(buf[i]);
  return r;
}

/**
 * The valid UTF-8 sequences of `b`, without the rest (encodingErrors
 * "ignore"). A byte that starts no valid sequence is dropped alone: the
 * continuation bytes after it cannot start one either, so whole invalid
 * sequences go, as with Python's "ignore".
 */
function validUtf8(b: Uint8Array): Uint8Array {
  const n = b.length;
  const out = new Uint8Array(n);
  let o = 0;
  let i = 0;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) {
      out[o++] = c;
      i++;
      continue;
    }
    // Sequence length and the range of its second byte (no overlongs, surrogates or > U+10FFFF).
    let len = 0;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) len = 2;
    else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    }
    let ok = len !== 0 && i + len <= n && b[i + 1] >= lo && b[i + 1] <= hi;
    for (let k = 2; ok && k < len; k++) ok = b[i + k] >= 0x80 && b[i + k] <= 0xbf;
    if (!ok) {
      i++;
      continue;
    }
    for (let k = 0; k < len; k++) out[o++] = b[i + k];
    i += len;
  }
  return out.subarray(0, o);
}

function bigInteger(digits: string, neg: boolean): number | bigint {
  const b = neg ? -BigInt(digits) : BigInt(digits);
  return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
}

/**
 * Binary values are copied out of the chunk: a view would keep the whole
 * socket chunk alive for as long as the value lives, and would carry the
 * chunk's class (a Node `Buffer`) instead of a plain `Uint8Array`.
 */
function copy(buf: Uint8Array, s: number, e: number): Uint8Array {
  const out = new Uint8Array(e - s);
  out.set(buf.subarray(s, e));
  return out;
}

/**
 * A short ASCII string in one `String.fromCharCode` call with the bytes as
 * arguments: V8 builds it flat in one step, several times faster than
 * appending a character at a time or crossing into TextDecoder, and unlike a
 * substring of a decoded chunk it keeps no larger string alive.
 */
function shortAscii(b: Uint8Array, s: number, n: number): string {
  switch (n) {
    case 0:
      return "";
    case 1:
      return String.fromCharCode(b[s]);
    case 2:
      return String.fromCharCode(b[s], b[s + 1]);
    case 3:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2]);
    case 4:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3]);
    case 5:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4]);
    case 6:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5]);
    case 7:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6]);
    case 8:
      return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7]);
    case 9:
      return String.fromCharCode(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
      );
    case 10:
      return String.fromCharCode(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
        b[s + 9],
      );
    case 11:
      return String.fromCharCode(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
        b[s + 9],
        b[s + 10],
      );
    case 12:
      return String.fromCharCode(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
        b[s + 9],
        b[s + 10],
        b[s + 11],
      );
    case 13:
      return String.fromCharCode(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
        b[s + 9],
        b[s + 10],
        b[s + 11],
        b[s + 12],
      );
    case 14:
      return String.fromCharCode(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
        b[s + 9],
        b[s + 10],
        b[s + 11],
        b[s + 12],
        b[s + 13],
      );
    case 15:
      return String.fromCharCode(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
        b[s + 9],
        b[s + 10],
        b[s + 11],
        b[s + 12],
        b[s + 13],
        b[s + 14],
      );
    case 16:
      return String.fromCharCode(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
        b[s + 9],
        b[s + 10],
        b[s + 11],
        b[s + 12],
        b[s + 13],
        b[s + 14],
        b[s + 15],
      );
    default: {
      let r = "";
      for (let i = s; i < s + n; i++) r += String.fromCharCode(b[i]);
      return r;
    }
  }
}
