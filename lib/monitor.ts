/**
 * MONITOR: every command the server processes, as an async iterable of
 * parsed entries, on a connection of its own.
 *
 * @module
 */

import { Command } from "./commands/command.ts";
import type { Connection } from "./connection.ts";
import { InvalidResponse } from "./errors.ts";
import type { RespValue } from "./protocol/types.ts";

/**
 * One command seen by MONITOR (the fields of redis-py's `Monitor.next_command`).
 *
 * @example
 * ```ts
 * import type { MonitorEntry } from "@uniredis/redis";
 * const e: MonitorEntry = {
 *   time: 1700000000.5, db: 0, clientAddress: "127.0.0.1", clientPort: "50000", clientType: "tcp",
 *   command: "SET k v", args: ["SET", "k", "v"],
 * };
 * console.log(e.args[0]); // "SET"
 * ```
 */
export interface MonitorEntry {
  /** Unix time of the command, in seconds with microseconds. */
  time: number;
  /** The database it ran in. */
  db: number;
  /** The client's address (`"lua"` for a script, `"unix"` for a unix socket). */
  clientAddress: string;
  /** The client's port (or socket path; empty for Lua). */
  clientPort: string;
  /** How the command arrived: `"tcp"`, `"unix"` or `"lua"`. */
  clientType: "tcp" | "unix" | "lua";
  /** The command and its arguments joined by spaces, as redis-py gives it. */
  command: string;
  /** The command and its arguments, unescaped. */
  args: string[];
}

/**
 * A running MONITOR. Iterate it with `for await`; `close()` (or `await using`)
 * stops it and closes its connection, which ends the iteration.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * await using monitor = await r.monitor();
 * for await (const entry of monitor) {
 *   console.log(entry.clientAddress, entry.args);
 *   if (entry.args[0] === "QUIT") break;
 * }
 * ```
 */
export class Monitor implements AsyncIterable<MonitorEntry>, AsyncDisposable {
  readonly #connection: Connection;
  #buffered: MonitorEntry[] = [];
  #waiting: ((result: IteratorResult<MonitorEntry>) => void) | undefined;
  #failure: Error | undefined;
  #ended = false;

  /** Wraps a connection on which MONITOR will be started by `start()`. */
  constructor(connection: Connection) {
    this.#connection = connection;
    connection.streamReplies((reply) => this.#push(reply));
    connection.whenClosed().then(() => this.#end());
  }

  /** Sends MONITOR; resolves once the server started streaming. */
  async start(): Promise<this> {
    await this.#connection.send(new Command("MONITOR"));
    return this;
  }

  #push(reply: RespValue): void {
    let entry: MonitorEntry;
    try {
      entry = parseMonitorLine(typeof reply === "string" ? reply : String(reply));
    } catch (error) {
      this.#failure = error as Error;
      this.#end();
      return;
    }
    const waiting = this.#waiting;
    if (waiting) {
      this.#waiting = undefined;
      waiting({ value: entry, done: false });
    } else {
      this.#buffered.push(entry);
    }
  }

  #end(): void {
    this.#ended = true;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.({ value: undefined, done: true });
  }

  /** The next entry; resolves `done` once the monitor is closed. */
  next(): Promise<IteratorResult<MonitorEntry>> {
    const entry = this.#buffered.shift();
    if (entry) return Promise.resolve({ value: entry, done: false });
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.#waiting = resolve);
  }

  /** Iterates over the entries; breaking out of the loop closes the monitor. */
  [Symbol.asyncIterator](): AsyncIterator<MonitorEntry> {
    return {
      next: () => this.next(),
      return: async () => {
        await this.close();
        return { value: undefined, done: true };
      },
    };
  }

  /** Stops monitoring and closes the connection. */
  async close(): Promise<void> {
    this.#connection.disconnect();
    await this.#connection.whenClosed();
    this.#end();
  }

  /** Same as `close()` (`await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

const LINE = /^(\d+(?:\.\d+)?) \[(\d+) ([^\]]*)\] (.*)$/s;

/**
 * Parses one MONITOR line: `1700000000.123456 [0 127.0.0.1:50000] "SET" "k" "v"`.
 *
 * @example
 * ```ts
 * import { parseMonitorLine } from "@uniredis/redis";
 * console.log(parseMonitorLine('1.5 [2 lua] "GET" "a\\"b"').args); // ["GET", 'a"b']
 * ```
 */
export function parseMonitorLine(line: string): MonitorEntry {
  const m = LINE.exec(line);
  if (!m) throw new InvalidResponse(`Unexpected MONITOR line: ${JSON.stringify(line.slice(0, 80))}`);
  const [, time, db, client, rest] = m;
  let clientAddress: string, clientPort: string, clientType: MonitorEntry["clientType"];
  if (client === "lua") {
    [clientAddress, clientPort, clientType] = ["lua", "", "lua"];
  } else if (client.startsWith("unix")) {
    [clientAddress, clientPort, clientType] = ["unix", client.slice(5), "unix"];
  } else {
    const colon = client.lastIndexOf(":");
    [clientAddress, clientPort, clientType] = [client.slice(0, colon), client.slice(colon + 1), "tcp"];
  }
  const args = quotedArgs(rest);
  return {
    time: Number(time),
    db: Number(db),
    clientAddress,
    clientPort,
    clientType,
    command: args.join(" "),
    args,
  };
}

/** Splits Redis's `"a" "b\"c" "\x00"` argument list, undoing its escapes. */
function quotedArgs(text: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '"') {
      i++;
      continue;
    }
    let arg = "";
    i++;
    while (i < text.length && text[i] !== '"') {
      const c = text[i++];
      if (c !== "\\") {
        arg += c;
        continue;
      }
      const e = text[i++];
      if (e === "x") {
        arg += String.fromCharCode(parseInt(text.slice(i, i + 2), 16));
        i += 2;
      } else {
        arg += ESCAPES[e] ?? e;
      }
    }
    args.push(arg);
    i++;
  }
  return args;
}

const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", a: "\x07", b: "\b" };
