/**
 * Connection commands: PING, ECHO, SELECT, AUTH and the CLIENT family.
 *
 * HELLO, RESET and QUIT are left out on purpose: they change the state the
 * client keeps for its connection (protocol, database, authentication), so
 * the client issues them itself.
 *
 * @module
 */

import { CommandsBase } from "./base.ts";
import { Command, type RedisValue, type Str } from "./command.ts";
import { type ClientInfo, toBoolean, toClientInfo, toClientList, toNumber, toText, toTrue } from "./reply.ts";
import type { RespValue } from "../protocol/types.ts";
import { exclusive, integer, nonEmpty, oneOf, optionKeys, optionsOf } from "./validate.ts";
import type { ClientKillFilter, ClientTrackingOptions } from "./admin_options.ts";
import { toTrackingInfo, type TrackingInfo } from "./admin_reply.ts";

/** `ON`/`OFF` for a boolean switch; anything else marks the command failed. */
function onOff(
  cmd: Command<unknown>,
  what: string,
  on: unknown,
  words: [string, string] = ["ON", "OFF"],
): string {
  if (typeof on !== "boolean") cmd.fail(`${cmd.name}: ${what} must be a boolean, got ${typeof on}`);
  return on ? words[0] : words[1];
}

/** PONG (a simple string in both protocols) as `true`. */
const isPong = (reply: RespValue): boolean =>
  (typeof reply === "string" || reply instanceof Uint8Array) && toText(reply) === "PONG";

const CLIENT_KILL_FILTER_KEYS = optionKeys<ClientKillFilter>({
  id: true,
  type: true,
  addr: true,
  laddr: true,
  user: true,
  skipme: true,
  maxage: true,
});
const CLIENT_PAUSE_KEYS = optionKeys<{ all?: boolean; write?: boolean }>({ all: true, write: true });
const CLIENT_UNBLOCK_KEYS = optionKeys<{ error?: boolean }>({ error: true });
/**
 * Options of `clientList`.
 *
 * @example
 * ```ts
 * import type { ClientListOptions } from "@uniredis/redis";
 * const o: ClientListOptions = { type: "pubsub" };
 * console.log(o.type); // "pubsub"
 * ```
 */
export interface ClientListOptions {
  /** Only clients of this type. */
  type?: "normal" | "master" | "replica" | "pubsub";
  /** Only the clients with these ids. */
  clientId?: number | readonly number[];
}

const CLIENT_TRACKING_KEYS = optionKeys<ClientTrackingOptions>({
  clientId: true,
  prefix: true,
  bcast: true,
  optin: true,
  optout: true,
  noloop: true,
});
const CLIENT_LIST_KEYS = optionKeys<ClientListOptions>({ type: true, clientId: true });

/**
 * Connection commands, in redis-py's argument order.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * console.log(await r.ping()); // true
 * ```
 */
export abstract class ConnectionCommands<D extends boolean = true> extends CommandsBase<D> {
  /**
   * Pings the server; resolves to `true` when it answers PONG (like redis-py).
   * {@link https://redis.io/docs/latest/commands/ping/ PING}
   */
  ping(): Promise<boolean> {
    return this.execute(new Command<boolean>("PING", isPong));
  }

  /**
   * Returns `value`, echoed by the server.
   * {@link https://redis.io/docs/latest/commands/echo/ ECHO}
   */
  echo(value: RedisValue): Promise<Str<D>> {
    return this.execute(new Command<Str<D>>("ECHO").arg(value));
  }

  /**
   * Switches this connection to database `index`; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/select/ SELECT}
   *
   * Prefer the client's `db` option: a database chosen here is not restored
   * when the client reconnects, and a pooled client may run the next command
   * on another connection.
   */
  select(index: number): Promise<true> {
    const cmd = new Command<true>("SELECT", toTrue).arg(index);
    integer(cmd, "index", index, 0);
    return this.execute(cmd);
  }

  /**
   * Authenticates this connection (with `username`, the ACL form); resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/auth/ AUTH}
   *
   * Credentials given here are not replayed on reconnect: pass `password`
   * (and `username`) in the client's options for that.
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.auth("s3cret", "app").catch((e) => console.log(e.name)); // "AuthenticationError"
   * ```
   */
  auth(password: string, username?: string): Promise<true> {
    const cmd = new Command<true>("AUTH", toTrue);
    if (username !== undefined && username !== null) cmd.arg(username);
    return this.execute(cmd.arg(password));
  }

  /**
   * Names this connection; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/client-setname/ CLIENT SETNAME}
   *
   * Prefer the client's `clientName` option: a name set here is lost on reconnect.
   */
  clientSetname(name: string): Promise<true> {
    return this.execute(new Command<true>(["CLIENT", "SETNAME"], toTrue).arg(name));
  }

  /**
   * Returns this connection's name, or `null` when it has none.
   * {@link https://redis.io/docs/latest/commands/client-getname/ CLIENT GETNAME}
   */
  clientGetname(): Promise<Str<D> | null> {
    return this.execute(new Command<Str<D> | null>(["CLIENT", "GETNAME"]));
  }

  /**
   * Returns this connection's id.
   * {@link https://redis.io/docs/latest/commands/client-id/ CLIENT ID}
   */
  clientId(): Promise<number> {
    return this.execute(new Command<number>(["CLIENT", "ID"], toNumber));
  }

  /**
   * Describes this connection, parsed to an object (numeric fields as numbers).
   * {@link https://redis.io/docs/latest/commands/client-info/ CLIENT INFO}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const me = await r.clientInfo();
   * console.log(typeof me.id, me.db); // "number" 0
   * ```
   */
  clientInfo(): Promise<ClientInfo> {
    return this.execute(new Command<ClientInfo>(["CLIENT", "INFO"], toClientInfo));
  }

  /**
   * Lists the connected clients, one object per client (see `clientInfo`).
   * {@link https://redis.io/docs/latest/commands/client-list/ CLIENT LIST}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const normal = await r.clientList({ type: "normal" });
   * console.log(normal.length > 0); // true
   * ```
   */
  clientList(options?: ClientListOptions): Promise<ClientInfo[]> {
    const cmd = new Command<ClientInfo[]>(["CLIENT", "LIST"], toClientList);
    const o = optionsOf(cmd, options, CLIENT_LIST_KEYS);
    if (o.type !== undefined) {
      cmd.arg("TYPE").arg(
        oneOf(cmd, "type", o.type, ["NORMAL", "MASTER", "REPLICA", "PUBSUB"]).toLowerCase(),
      );
    }
    if (o.clientId !== undefined) {
      const ids = nonEmpty(cmd, "clientId", Array.isArray(o.clientId) ? o.clientId : [o.clientId]);
      for (const id of ids) integer(cmd, "clientId", id);
      cmd.arg("ID").argsOf(ids);
    }
    return this.execute(cmd);
  }

  /**
   * Sets the library name or version reported in `CLIENT LIST` (Redis 7.2+); resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/client-setinfo/ CLIENT SETINFO}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.clientSetinfo("LIB-NAME", "my-app");
   * ```
   */
  clientSetinfo(attr: "LIB-NAME" | "LIB-VER", value: string): Promise<true> {
    const cmd = new Command<true>(["CLIENT", "SETINFO"], toTrue);
    return this.execute(cmd.arg(oneOf(cmd, "attr", attr, ["LIB-NAME", "LIB-VER"])).arg(value));
  }

  /**
   * Closes the connection of the client at `address` (`ip:port`); resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/client-kill/ CLIENT KILL}
   */
  clientKill(address: string): Promise<true> {
    return this.execute(new Command<true>(["CLIENT", "KILL"], toTrue).arg(address));
  }

  /**
   * Closes the connections of the clients matching every given filter;
   * resolves to how many were closed.
   * {@link https://redis.io/docs/latest/commands/client-kill/ CLIENT KILL}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * console.log(await r.clientKillFilter({ type: "pubsub", skipme: true })); // 0
   * ```
   */
  clientKillFilter(filter: ClientKillFilter): Promise<number> {
    const cmd = new Command<number>(["CLIENT", "KILL"], toNumber);
    const o = optionsOf(cmd, filter, CLIENT_KILL_FILTER_KEYS);
    if (o.id !== undefined) {
      integer(cmd, "id", o.id);
      cmd.arg("ID").arg(o.id);
    }
    if (o.type !== undefined) {
      cmd.arg("TYPE").arg(
        oneOf(cmd, "type", o.type, ["NORMAL", "MASTER", "REPLICA", "PUBSUB"]).toLowerCase(),
      );
    }
    if (o.addr !== undefined) cmd.arg("ADDR").arg(o.addr);
    if (o.skipme !== undefined) cmd.arg("SKIPME").arg(onOff(cmd, "skipme", o.skipme, ["yes", "no"]));
    if (o.laddr !== undefined) cmd.arg("LADDR").arg(o.laddr);
    if (o.user !== undefined) cmd.arg("USER").arg(o.user);
    if (o.maxage !== undefined) {
      integer(cmd, "maxage", o.maxage, 0);
      cmd.arg("MAXAGE").arg(o.maxage);
    }
    if (cmd.args.length === 2) cmd.fail(`${cmd.name}: clientKillFilter needs at least one filter`);
    return this.execute(cmd);
  }

  /**
   * Suspends the clients' commands (all of them, or only writes with
   * `{ write: true }`) for `timeout` milliseconds; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/client-pause/ CLIENT PAUSE}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.clientPause(100, { write: true });
   * ```
   */
  clientPause(timeout: number, options?: { all?: boolean; write?: boolean }): Promise<true> {
    const cmd = new Command<true>(["CLIENT", "PAUSE"], toTrue).arg(timeout);
    integer(cmd, "timeout", timeout, 0);
    const o = optionsOf(cmd, options, CLIENT_PAUSE_KEYS);
    exclusive(cmd, o, ["all", "write"]);
    if (o.all) cmd.arg("ALL");
    else if (o.write) cmd.arg("WRITE");
    return this.execute(cmd);
  }

  /**
   * Ends a pause started by `clientPause`; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/client-unpause/ CLIENT UNPAUSE}
   */
  clientUnpause(): Promise<true> {
    return this.execute(new Command<true>(["CLIENT", "UNPAUSE"], toTrue));
  }

  /**
   * Tracks (or not) the keys read by the next command, in OPTIN (`yes`) or
   * OPTOUT (`no`) tracking mode; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/client-caching/ CLIENT CACHING}
   */
  clientCaching(yes: boolean): Promise<true> {
    const cmd = new Command<true>(["CLIENT", "CACHING"], toTrue);
    return this.execute(cmd.arg(onOff(cmd, "yes", yes, ["YES", "NO"])));
  }

  /**
   * Returns the client id tracking invalidations are redirected to
   * (0: none, -1: tracking is off).
   * {@link https://redis.io/docs/latest/commands/client-getredir/ CLIENT GETREDIR}
   */
  clientGetredir(): Promise<number> {
    return this.execute(new Command<number>(["CLIENT", "GETREDIR"], toNumber));
  }

  /**
   * Returns this connection's tracking state (see `TrackingInfo`).
   * {@link https://redis.io/docs/latest/commands/client-trackinginfo/ CLIENT TRACKINGINFO}
   */
  clientTrackinginfo(): Promise<TrackingInfo> {
    return this.execute(new Command<TrackingInfo>(["CLIENT", "TRACKINGINFO"], toTrackingInfo));
  }

  /**
   * Turns server-assisted client-side caching on or off for this connection;
   * resolves to `true`. Invalidations arrive as RESP3 pushes on this
   * connection, or on the client `clientId` (RESP2 clients redirect them to a
   * subscribed connection).
   * {@link https://redis.io/docs/latest/commands/client-tracking/ CLIENT TRACKING}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis({ protocol: 3 });
   * await r.clientTracking(true, { bcast: true, prefix: ["user:"], noloop: true });
   * ```
   */
  clientTracking(on: boolean, options?: ClientTrackingOptions): Promise<true> {
    const cmd = new Command<true>(["CLIENT", "TRACKING"], toTrue);
    cmd.arg(onOff(cmd, "on", on));
    const o = optionsOf(cmd, options, CLIENT_TRACKING_KEYS);
    if (o.clientId !== undefined) {
      integer(cmd, "clientId", o.clientId);
      cmd.arg("REDIRECT").arg(o.clientId);
    }
    if (o.prefix !== undefined) {
      if (!Array.isArray(o.prefix)) cmd.fail(`${cmd.name}: prefix must be an array of strings`);
      // As redis-py: the server would refuse it, so it is refused before sending.
      else if (o.prefix.length > 0 && !o.bcast) cmd.fail(`${cmd.name}: prefix can only be used with bcast`);
      else for (const p of o.prefix) cmd.arg("PREFIX").arg(p);
    }
    exclusive(cmd, o, ["optin", "optout"]);
    if (o.bcast) cmd.arg("BCAST");
    if (o.optin) cmd.arg("OPTIN");
    if (o.optout) cmd.arg("OPTOUT");
    if (o.noloop) cmd.arg("NOLOOP");
    return this.execute(cmd);
  }

  /**
   * `clientTracking(true, options)`, as redis-py's `client_tracking_on`.
   * {@link https://redis.io/docs/latest/commands/client-tracking/ CLIENT TRACKING}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis({ protocol: 3 });
   * await r.clientTrackingOn({ bcast: true, prefix: ["user:"] });
   * ```
   */
  clientTrackingOn(options?: ClientTrackingOptions): Promise<true> {
    return this.clientTracking(true, options);
  }

  /**
   * `clientTracking(false, options)`, as redis-py's `client_tracking_off`.
   * {@link https://redis.io/docs/latest/commands/client-tracking/ CLIENT TRACKING}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis({ protocol: 3 });
   * await r.clientTrackingOff();
   * ```
   */
  clientTrackingOff(options?: ClientTrackingOptions): Promise<true> {
    return this.clientTracking(false, options);
  }

  /**
   * Exempts this connection from client eviction (`maxmemory-clients`) or not; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/client-no-evict/ CLIENT NO-EVICT}
   */
  clientNoEvict(on: boolean): Promise<true> {
    const cmd = new Command<true>(["CLIENT", "NO-EVICT"], toTrue);
    return this.execute(cmd.arg(onOff(cmd, "on", on)));
  }

  /**
   * Stops (or resumes) this connection's commands from updating the keys'
   * LRU/LFU (Redis 7.2+); resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/client-no-touch/ CLIENT NO-TOUCH}
   */
  clientNoTouch(on: boolean): Promise<true> {
    const cmd = new Command<true>(["CLIENT", "NO-TOUCH"], toTrue);
    return this.execute(cmd.arg(onOff(cmd, "on", on)));
  }

  /**
   * Unblocks client `clientId` blocked in BLPOP, XREAD, WAIT...: its command
   * returns as on timeout, or fails with UNBLOCKED with `{ error: true }`.
   * Resolves to whether such a blocked client was found.
   * {@link https://redis.io/docs/latest/commands/client-unblock/ CLIENT UNBLOCK}
   */
  clientUnblock(clientId: number, options?: { error?: boolean }): Promise<boolean> {
    const cmd = new Command<boolean>(["CLIENT", "UNBLOCK"], toBoolean).arg(clientId);
    integer(cmd, "clientId", clientId);
    if (optionsOf(cmd, options, CLIENT_UNBLOCK_KEYS).error) cmd.arg("ERROR");
    return this.execute(cmd);
  }
}
