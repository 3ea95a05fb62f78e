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
import { type ClientInfo, toClientInfo, toClientList, toNumber, toText, toTrue } from "./reply.ts";
import type { RespValue } from "../protocol/types.ts";
import { integer, nonEmpty, oneOf, optionsOf } from "./validate.ts";

/** PONG (a simple string in both protocols) as `true`. */
const isPong = (reply: RespValue): boolean =>
  (typeof reply === "string" || reply instanceof Uint8Array) && toText(reply) === "PONG";

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
    const o = optionsOf(cmd, options);
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
}
