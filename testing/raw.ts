/**
 * A minimal RESP client over `node:net`/`node:tls` for the harness and for
 * tests that must talk to Redis without the client under development.
 *
 * @module
 */

import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";

/** A decoded reply; error replies are `RawErrorReply` values (not thrown). */
export type RawReply = string | number | boolean | bigint | null | Uint8Array | RawErrorReply | RawReply[];

/** An error reply (`-ERR ...`). */
export class RawErrorReply extends Error {}

/** Where the raw client connects. */
export interface RawTarget {
  /** Default `"127.0.0.1"`. */
  host?: string;
  /** TCP (or TLS) port. */
  port?: number;
  /** Unix socket path, instead of `host`/`port`. */
  path?: string;
  /** Connect with TLS (PEM strings); `rejectUnauthorized` defaults to verifying against `ca`. */
  tls?: { ca?: string; cert?: string; key?: string; servername?: string; rejectUnauthorized?: boolean };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Encodes one command as a RESP array of bulk strings.
 *
 * @example
 * ```ts
 * import { encodeCommand } from "./raw.ts";
 * console.log(new TextDecoder().decode(encodeCommand(["PING"]))); // "*1\r\n$4\r\nPING\r\n"
 * ```
 */
export function encodeCommand(args: readonly (string | Uint8Array)[]): Uint8Array {
  const parts: Uint8Array[] = [encoder.encode(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === "string" ? encoder.encode(arg) : arg;
    parts.push(encoder.encode(`$${bytes.length}\r\n`), bytes, encoder.encode("\r\n"));
  }
  return concat(parts);
}

/** Concatenates byte arrays into a new one. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Incremental RESP2/RESP3 reader: `push` bytes, then `next()` until it returns
 * `undefined` (needs more bytes). Bulk strings decode to text, or to
 * `Uint8Array` when `binary` is set.
 *
 * @example
 * ```ts
 * import { ReplyReader } from "./raw.ts";
 * const r = new ReplyReader();
 * r.push(new TextEncoder().encode("+PONG\r\n"));
 * console.log(r.next()); // "PONG"
 * ```
 */
export class ReplyReader {
  #buf: Uint8Array = new Uint8Array(0);
  #at = 0;
  // Bytes pushed but not yet merged into #buf, and how many bytes #buf must
  // hold before parsing can succeed (so a large bulk is merged once).
  #chunks: Uint8Array[] = [];
  #size = 0;
  #need = 0;

  constructor(readonly binary = false) {}

  /** Appends received bytes. */
  push(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
  }

  /** The next complete reply, or `undefined` when more bytes are needed. */
  next(): RawReply | undefined {
    if (this.#buf.length - this.#at + this.#size < this.#need) return undefined;
    if (this.#chunks.length > 0) {
      this.#buf = concat([this.#buf.subarray(this.#at), ...this.#chunks]);
      this.#at = 0;
      this.#chunks = [];
      this.#size = 0;
    }
    this.#need = 0;
    const parsed = this.#parse(this.#at);
    if (parsed === undefined) return undefined;
    this.#at = parsed[1];
    return parsed[0];
  }

  #line(from: number): [string, number] | undefined {
    const buf = this.#buf;
    for (let i = from; i + 1 < buf.length; i++) {
      if (buf[i] === 13 && buf[i + 1] === 10) return [decoder.decode(buf.subarray(from, i)), i + 2];
    }
    return undefined;
  }

  #parse(at: number): [RawReply, number] | undefined {
    if (at >= this.#buf.length) return undefined;
    const type = String.fromCharCode(this.#buf[at]);
    const line = this.#line(at + 1);
    if (line === undefined) return undefined;
    const [text, after] = line;
    switch (type) {
      case "+":
        return [text, after];
      case "-":
        return [new RawErrorReply(text), after];
      case ":":
        return [Number(text), after];
      case "(":
        return [BigInt(text), after];
      case ",":
        return [Number(text.replace("inf", "Infinity")), after];
      case "#":
        return [text === "t", after];
      case "_":
        return [null, after];
      case "$":
      case "=":
      case "!": {
        const n = Number(text);
        if (n < 0) return [null, after];
        if (after + n + 2 > this.#buf.length) {
          this.#need = Math.max(this.#need, after + n + 2 - this.#at);
          return undefined;
        }
        const bytes = this.#buf.subarray(after, after + n);
        const value = type === "!"
          ? new RawErrorReply(decoder.decode(bytes))
          : this.binary
          ? bytes.slice()
          : decoder.decode(type === "=" ? bytes.subarray(4) : bytes);
        return [value, after + n + 2];
      }
      case "*":
      case "~":
      case ">":
      case "%":
      case "|": {
        const n = Number(text);
        if (n < 0) return [null, after];
        const count = type === "%" || type === "|" ? n * 2 : n;
        const items: RawReply[] = [];
        let pos = after;
        for (let i = 0; i < count; i++) {
          const item = this.#parse(pos);
          if (item === undefined) return undefined;
          items.push(item[0]);
          pos = item[1];
        }
        // An attribute precedes the reply it describes: skip it.
        return type === "|" ? this.#parse(pos) : [items, pos];
      }
      default:
        throw new Error(`raw RESP reader: unexpected type byte ${JSON.stringify(type)}`);
    }
  }
}

function open(target: RawTarget): Socket {
  if (target.path !== undefined) return netConnect({ path: target.path });
  const host = target.host ?? "127.0.0.1";
  const port = target.port;
  if (port === undefined) throw new Error("raw RESP: a target needs `port` or `path`");
  if (target.tls) {
    return tlsConnect({
      host,
      port,
      ca: target.tls.ca,
      cert: target.tls.cert,
      key: target.tls.key,
      servername: target.tls.servername ?? (host === "127.0.0.1" ? "localhost" : host),
      rejectUnauthorized: target.tls.rejectUnauthorized ?? true,
    });
  }
  return netConnect({ host, port });
}

function describe(target: RawTarget): string {
  return target.path ?? `${target.host ?? "127.0.0.1"}:${target.port}`;
}

/**
 * Sends commands on a fresh connection and returns their replies (error
 * replies included as `RawErrorReply` values). Rejects when the connection
 * fails, closes early, or `timeoutMs` passes.
 *
 * @example
 * ```ts
 * import { rawCommands } from "@uniredis/redis/testing";
 * const [pong] = await rawCommands({ port: 7000 }, [["PING"]]);
 * ```
 */
export function rawCommands(
  target: RawTarget,
  commands: readonly (readonly (string | Uint8Array)[])[],
  options: { timeoutMs?: number; binary?: boolean } = {},
): Promise<RawReply[]> {
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const socket = open(target);
    const reader = new ReplyReader(options.binary);
    const replies: RawReply[] = [];
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(replies);
    };
    const timer = setTimeout(
      () => finish(new Error(`raw RESP: no reply from ${describe(target)} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on("error", (e) => finish(new Error(`raw RESP: ${describe(target)}: ${e.message}`, { cause: e })));
    socket.on("close", () => finish(new Error(`raw RESP: ${describe(target)} closed the connection`)));
    socket.on("data", (chunk: Uint8Array) => {
      reader.push(chunk);
      for (let r = reader.next(); r !== undefined; r = reader.next()) {
        replies.push(r);
        if (replies.length === commands.length) return finish();
      }
    });
    socket.write(concat(commands.map(encodeCommand)));
  });
}

/**
 * Sends one command and returns its reply.
 *
 * @example
 * ```ts
 * import { rawCommand } from "@uniredis/redis/testing";
 * console.log(await rawCommand({ port: 7000 }, "PING")); // "PONG"
 * ```
 */
export async function rawCommand(target: RawTarget, ...args: (string | Uint8Array)[]): Promise<RawReply> {
  const [reply] = await rawCommands(target, [args]);
  return reply;
}
