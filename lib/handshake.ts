/**
 * The commands that set a new connection up: HELLO (or AUTH on RESP2),
 * CLIENT SETNAME, CLIENT SETINFO, SELECT and READONLY, sent in one write
 * (CLIENT SETINFO left out for a server known to refuse it).
 *
 * @module
 */

import type { Connection, ConnectionOptions, ServerHello } from "./connection.ts";
import { authFailure } from "./auth_error.ts";
import { badCredentials, type Credentials } from "./credentials.ts";
import { AuthenticationError, ConnectionError, RedisError, ResponseError } from "./errors.ts";
import type { RedisArgument, RespValue } from "./protocol/types.ts";
import { toRecord } from "./commands/reply.ts";
import {
  forgetRefusal,
  isUnknownCommand,
  knownRefusal,
  rememberRefusal,
  serverIdentity,
} from "./setinfo_refusals.ts";

/**
 * Runs the handshake on a connection whose transport is open, and returns
 * what the server said about itself. Errors of CLIENT SETINFO are ignored
 * (servers before 7.2 lack it, and later connections to such a server leave
 * it out); any other error fails the connection.
 */
export async function handshake(conn: Connection, o: ConnectionOptions): Promise<ServerHello> {
  const setinfo: RedisArgument[][] = [];
  if (o.libName) setinfo.push(["CLIENT", "SETINFO", "LIB-NAME", o.libName]);
  if (o.libVersion) setinfo.push(["CLIENT", "SETINFO", "LIB-VER", o.libVersion]);
  const rest: RedisArgument[][] = [];
  if (o.db) rest.push(["SELECT", o.db]);
  // Cluster reads from replicas: every new connection, reconnects included, is read-only.
  if (o.readOnly) rest.push(["READONLY"]);

  // Asked once per connection, before anything is sent (its wait counts against the connect timeout).
  const given = o.credentialProvider === undefined ? undefined : await fromProvider(conn, o);
  const attempt = given ?? o;
  if ((o.protocol ?? 3) === 3) {
    const known = setinfo.length > 0 ? knownRefusal(conn.address, 3) : undefined;
    const setup = known ? [...rest] : [...setinfo, ...rest];
    const hello: RedisArgument[] = ["HELLO", 3];
    const auth = credentials(attempt);
    if (auth) hello.push("AUTH", auth[0], auth[1]);
    if (o.clientName) hello.push("SETNAME", o.clientName);
    // Client-side caching: invalidations come as push frames on this connection.
    if (o.tracking) setup.push(["CLIENT", "TRACKING", "ON"]);
    const [reply, ...replies] = await conn.sendRaw([hello, ...setup]);
    if (!(reply instanceof RedisError)) {
      checkSetup(conn, o, setup, replies);
      const info = toRecord(reply);
      const identity = serverIdentity(info);
      if (!known) noteSetinfo(conn.address, setup, replies, identity);
      // Left out for a server that refused it, but another one answers there now: this connection sends it.
      else if (known.identity !== identity) {
        noteSetinfo(conn.address, setinfo, await conn.sendRaw(setinfo), identity);
      }
      return {
        protocol: 3,
        version: info.version as string | undefined,
        mode: info.mode as string | undefined,
        role: info.role as string | undefined,
        id: info.id as number | undefined,
      };
    }
    if (!refusesHello(reply)) throw authOrConnectionError(conn, attempt, reply, given !== undefined);
    // The setup ran after the refused HELLO: its SETINFO replies already tell whether to send it again.
    if (!known) noteSetinfo(conn.address, setup, replies, undefined);
    // An old server or one limited to RESP2: redo the setup the RESP2 way.
    if (o.tracking) {
      throw new ConnectionError(
        `Client-side caching needs RESP3, but ${conn.address} refused HELLO 3: ${reply.message}`,
        { cause: reply },
      );
    }
  }

  const resp2: RedisArgument[][] = [];
  const auth = credentials(attempt);
  if (auth) resp2.push(attempt.username !== undefined ? ["AUTH", ...auth] : ["AUTH", auth[1]]);
  if (o.clientName) resp2.push(["CLIENT", "SETNAME", o.clientName]);
  // Never an empty handshake: its round trip proves the server answers before the connection counts as
  // ready (socketConnectTimeout bounds it), so SETINFO stays when nothing else would be sent.
  const known = setinfo.length > 0 && resp2.length + rest.length > 0
    ? knownRefusal(conn.address, 2)
    : undefined;
  const setup = known ? rest : [...setinfo, ...rest];
  const replies = await conn.sendRaw([...resp2, ...setup]);
  for (let i = 0; i < resp2.length; i++) {
    if (replies[i] instanceof RedisError) {
      throw authOrConnectionError(conn, attempt, replies[i] as RedisError, given !== undefined);
    }
  }
  checkSetup(conn, o, setup, replies.slice(resp2.length));
  if (!known) noteSetinfo(conn.address, setup, replies.slice(resp2.length), undefined);
  return { protocol: 2 };
}

/**
 * Remembers whether the server at `address` took the CLIENT SETINFO among
 * `sent` (its first one decides: both stand or fall with the command).
 */
function noteSetinfo(
  address: string,
  sent: RedisArgument[][],
  replies: RespValue[],
  identity: string | undefined,
): void {
  const i = sent.findIndex((c) => c[0] === "CLIENT" && c[1] === "SETINFO");
  if (i < 0) return;
  const reply = replies[i];
  if (!(reply instanceof RedisError)) forgetRefusal(address);
  else if (isUnknownCommand(reply.message)) rememberRefusal(address, identity);
}

/**
 * User and password to authenticate with, as redis-py: a username without a
 * password is sent with an empty one, so the server decides (a `nopass` user
 * gets in, any other is refused) and the connection never silently runs as
 * the default user.
 */
function credentials(o: { username?: string; password?: string }): [string, string] | undefined {
  if (o.password === undefined && o.username === undefined) return undefined;
  return [o.username ?? "default", o.password ?? ""];
}

/**
 * The credentials of `credentialProvider`, if set. A provider that fails or
 * gives something unusable fails the connection with an
 * `AuthenticationError` that carries its message, never the value.
 */
async function fromProvider(conn: Connection, o: ConnectionOptions): Promise<Credentials | undefined> {
  const provider = o.credentialProvider;
  if (provider === undefined) return undefined;
  let given: unknown;
  try {
    given = await provider.getCredentials();
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new AuthenticationError(
      `credentialProvider.getCredentials() failed for ${conn.address}: ${detail}`,
      { cause: error },
    );
  }
  const bad = badCredentials(given);
  if (bad !== undefined) {
    throw new AuthenticationError(
      `credentialProvider.getCredentials() ${bad} for ${conn.address} (expected { username?: string, password: string })`,
    );
  }
  return given as Credentials;
}

/** HELLO unknown (Redis < 6) or RESP3 refused (NOPROTO). */
function refusesHello(error: RedisError): boolean {
  const m = error.message;
  return m.startsWith("NOPROTO") || m.startsWith("ERR unknown command") ||
    m.includes("unknown command 'HELLO'") ||
    m.startsWith("ERR unknown or unsupported command");
}

function checkSetup(
  conn: Connection,
  o: ConnectionOptions,
  setup: RedisArgument[][],
  replies: RespValue[],
): void {
  for (let i = 0; i < setup.length; i++) {
    const reply = replies[i];
    if (!(reply instanceof RedisError)) continue;
    if (setup[i][0] === "CLIENT" && setup[i][1] === "SETINFO") continue;
    throw authOrConnectionError(conn, o, reply, false, `${String(setup[i][0])} failed during the handshake`);
  }
}

function authOrConnectionError(
  conn: Connection,
  attempt: { username?: string; password?: string },
  error: RedisError,
  provided: boolean,
  what = "Handshake failed",
): RedisError {
  if (error instanceof AuthenticationError) {
    return authFailure(
      conn.address,
      { username: attempt.username, password: attempt.password, provided },
      error,
    );
  }
  if (error instanceof ResponseError || !(error instanceof ConnectionError)) {
    return new ConnectionError(`${what} on ${conn.address}: ${error.message}`, { cause: error });
  }
  return error;
}
