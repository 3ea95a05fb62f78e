// A minimal RESP2 client on node:net for the runner's own chores (FLUSHALL, loading data, checks).
// It is deliberately independent of every client under test, so setup can never favour one of them.

import { connect } from "node:net";

function encode(args) {
  const parts = [`*${args.length}\r\n`];
  for (const a of args) {
    const s = String(a);
    parts.push(`$${Buffer.byteLength(s)}\r\n`, s, "\r\n");
  }
  return parts.join("");
}

// Parses one reply at buf[pos]; returns [value, next] or undefined when incomplete.
function parse(buf, pos) {
  if (pos >= buf.length) return undefined;
  const nl = buf.indexOf(10, pos);
  if (nl < 0) return undefined;
  const type = buf[pos];
  const line = buf.toString("latin1", pos + 1, nl - 1);
  const next = nl + 1;
  switch (type) {
    case 43: // +
      return [line, next];
    case 45: // -
      return [new Error(line), next];
    case 58: // :
      return [Number(line), next];
    case 36: { // $
      const n = Number(line);
      if (n < 0) return [null, next];
      if (next + n + 2 > buf.length) return undefined;
      return [buf.toString("utf8", next, next + n), next + n + 2];
    }
    case 42: { // *
      const n = Number(line);
      if (n < 0) return [null, next];
      const out = [];
      let at = next;
      for (let i = 0; i < n; i++) {
        const r = parse(buf, at);
        if (r === undefined) return undefined;
        out.push(r[0]);
        at = r[1];
      }
      return [out, at];
    }
    default:
      throw new Error(`resp.mjs: unexpected reply type ${String.fromCharCode(type)}`);
  }
}

export class RawRedis {
  #socket;
  #buf = Buffer.alloc(0);
  #waiting = [];

  static open(port, host = "127.0.0.1") {
    return new Promise((resolve, reject) => {
      const s = connect(port, host, () => {
        s.off("error", reject);
        resolve(new RawRedis(s));
      });
      s.once("error", reject);
    });
  }

  constructor(socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on("data", (chunk) => {
      this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
      let pos = 0;
      while (this.#waiting.length > 0) {
        const r = parse(this.#buf, pos);
        if (r === undefined) break;
        pos = r[1];
        const w = this.#waiting.shift();
        if (r[0] instanceof Error) w.reject(r[0]);
        else w.resolve(r[0]);
      }
      this.#buf = pos === this.#buf.length ? Buffer.alloc(0) : this.#buf.subarray(pos);
    });
    socket.on("error", (e) => {
      for (const w of this.#waiting.splice(0)) w.reject(e);
    });
  }

  /** Sends one command; resolves to its reply (error replies reject). */
  call(...args) {
    return this.pipeline([args]).then((r) => r[0]);
  }

  /** Sends many commands in one write; resolves to all replies. */
  pipeline(commands) {
    const replies = commands.map(() =>
      new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }))
    );
    this.#socket.write(commands.map(encode).join(""));
    return Promise.all(replies);
  }

  close() {
    this.#socket.destroy();
  }
}
