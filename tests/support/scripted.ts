// A scripted RESP server on 127.0.0.1 for reply-shape and decoder-limit tests:
// it answers the connection handshake itself (like a Redis without HELLO, so
// the client speaks RESP2, or with HELLO 3), then answers every other command
// with the raw bytes `script` returns.

import { createServer, type Server, type Socket } from "node:net";
import { type RawReply, ReplyReader } from "../harness/mod.ts";

/** A running scripted server. */
export interface ScriptedServer {
  readonly host: string;
  readonly port: number;
  /** Every command received after the handshake, upper-cased name first. */
  readonly received: string[][];
  close(): Promise<void>;
}

/**
 * Starts a server whose reply to each command (after the handshake) is
 * `script(args)`: raw RESP bytes, written as given. With `protocol: 3` it
 * accepts HELLO 3, so replies may use RESP3 types.
 */
export async function startScripted(
  script: (args: string[]) => string | Uint8Array,
  options: { protocol?: 2 | 3 } = {},
): Promise<ScriptedServer> {
  const hello = options.protocol === 3
    ? "%2\r\n+proto\r\n:3\r\n+version\r\n+7.0.0\r\n"
    : "-ERR unknown command 'HELLO'\r\n";
  const received: string[][] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    const reader = new ReplyReader();
    socket.on("data", (chunk: Uint8Array) => {
      reader.push(chunk);
      for (let r: RawReply | undefined = reader.next(); r !== undefined; r = reader.next()) {
        const args = (r as RawReply[]).map(String);
        args[0] = args[0].toUpperCase();
        if (args[0] === "HELLO") socket.write(hello);
        else if (args[0] === "CLIENT" && /^(SETINFO|SETNAME)$/i.test(args[1] ?? "")) socket.write("+OK\r\n");
        else {
          received.push(args);
          socket.write(script(args));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    host: "127.0.0.1",
    port,
    received,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A RESP array nested `depth` levels deep around one integer (built without recursion). */
export function deepArray(depth: number): string {
  return "*1\r\n".repeat(depth) + ":1\r\n";
}
