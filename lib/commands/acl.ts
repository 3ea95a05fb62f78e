/**
 * ACL commands: ACL SETUSER, GETUSER, LIST, WHOAMI, LOG, ...
 *
 * @module
 */

import { PubSubCommands } from "./pubsub.ts";
import { Command, describeValue, type RedisValue } from "./command.ts";
import { toNumber, toText, toTexts, toTrue } from "./reply.ts";
import { type AclLogEntry, type AclUser, toAclLog, toAclUser } from "./admin_reply.ts";
import { integer, optionKeys, optionsOf } from "./validate.ts";

const ACL_LOG_KEYS = optionKeys<{ count?: number }>({ count: true });
/**
 * Options of `aclSetuser`, after redis-py's `acl_setuser` (camelCase).
 *
 * @example
 * ```ts
 * import type { AclSetuserOptions } from "@uniredis/redis";
 * const o: AclSetuserOptions = { enabled: true, passwords: ["+s3cret"], keys: ["cache:*"], categories: ["+@read"] };
 * console.log(o.enabled); // true
 * ```
 */
export interface AclSetuserOptions {
  /** `on` when true, `off` otherwise (as in redis-py, one of them is always sent). */
  enabled?: boolean;
  /** `nopass`: any password works (not with `passwords` or `hashedPasswords`). */
  nopass?: boolean;
  /** Plain passwords, each prefixed `+` (add) or `-` (remove). */
  passwords?: string | readonly string[];
  /** SHA-256 hex hashes, each prefixed `+` (add) or `-` (remove). */
  hashedPasswords?: string | readonly string[];
  /** Categories, `+@name`/`-@name` (or `+name`/`-name`). */
  categories?: readonly string[];
  /** Commands, `+name`/`-name`. */
  commands?: readonly string[];
  /** Key patterns; `~` is added unless the pattern starts with `~` or `%`. */
  keys?: readonly string[];
  /** Channel patterns; `&` is added unless present. */
  channels?: readonly string[];
  /** Selectors as `[command rule, key pattern]` pairs: `["+get", "cache:*"]` becomes `(+get ~cache:*)`. */
  selectors?: readonly (readonly [string, string])[];
  /** `reset` first: drop every existing rule. */
  reset?: boolean;
  /** `resetkeys` first. */
  resetKeys?: boolean;
  /** `resetchannels` first. */
  resetChannels?: boolean;
  /** `resetpass` first. */
  resetPasswords?: boolean;
}

const ACL_SETUSER_KEYS = optionKeys<AclSetuserOptions>({
  enabled: true,
  nopass: true,
  passwords: true,
  hashedPasswords: true,
  categories: true,
  commands: true,
  keys: true,
  channels: true,
  selectors: true,
  reset: true,
  resetKeys: true,
  resetChannels: true,
  resetPasswords: true,
});

const isText = (v: unknown): v is string => typeof v === "string";

/** Appends `values` (a string or an array of strings) prefixed per `prefix`, or fails. */
function prefixed(
  cmd: Command<unknown>,
  what: string,
  values: unknown,
  map: (v: string) => string | undefined,
): void {
  if (values === undefined || values === null) return;
  const list = typeof values === "string" ? [values] : values;
  if (!Array.isArray(list)) {
    cmd.fail(`${cmd.name}: ${what} must be an array of strings, got ${describeValue(values)}`);
    return;
  }
  for (const v of list) {
    const rule = isText(v) ? map(v) : undefined;
    if (rule === undefined) {
      cmd.fail(`${cmd.name}: bad ${what} entry ${isText(v) ? JSON.stringify(v) : describeValue(v)}`);
      return;
    }
    cmd.arg(rule);
  }
}

const sign = (v: string, add: string, remove: string): string | undefined =>
  v.startsWith("+") ? add + v.slice(1) : v.startsWith("-") ? remove + v.slice(1) : undefined;

/**
 * ACL commands, in redis-py's argument order.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * console.log(await r.aclWhoami()); // "default"
 * ```
 */
export abstract class AclCommands<D extends boolean = true> extends PubSubCommands<D> {
  /**
   * Returns the ACL categories, or the commands of `category`.
   * {@link https://redis.io/docs/latest/commands/acl-cat/ ACL CAT}
   */
  aclCat(category?: string): Promise<string[]> {
    const cmd = new Command<string[]>(["ACL", "CAT"], toTexts);
    if (category !== undefined) cmd.arg(category);
    return this.execute(cmd);
  }

  /**
   * Deletes users; resolves to the number deleted.
   * {@link https://redis.io/docs/latest/commands/acl-deluser/ ACL DELUSER}
   */
  aclDeluser(username: string, ...usernames: string[]): Promise<number> {
    return this.execute(new Command<number>(["ACL", "DELUSER"], toNumber).arg(username).argsOf(usernames));
  }

  /**
   * Checks whether `username` may run a command, without running it: resolves
   * to `"OK"` or to the reason it may not (Redis 7.0+).
   * {@link https://redis.io/docs/latest/commands/acl-dryrun/ ACL DRYRUN}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * console.log(await r.aclDryrun("default", "SET", "k", "v")); // "OK"
   * ```
   */
  aclDryrun(username: string, command: string, ...args: RedisValue[]): Promise<string> {
    return this.execute(
      new Command<string>(["ACL", "DRYRUN"], toText).arg(username).arg(command).argsOf(args),
    );
  }

  /**
   * Returns a random password of `bits` bits (256 by default), hex-encoded.
   * {@link https://redis.io/docs/latest/commands/acl-genpass/ ACL GENPASS}
   */
  aclGenpass(bits?: number): Promise<string> {
    const cmd = new Command<string>(["ACL", "GENPASS"], toText);
    if (bits !== undefined) {
      integer(cmd, "bits", bits, 1);
      cmd.arg(bits);
    }
    return this.execute(cmd);
  }

  /**
   * Returns a user's rules (see `AclUser`), or `null` when the user does not exist.
   * {@link https://redis.io/docs/latest/commands/acl-getuser/ ACL GETUSER}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const u = await r.aclGetuser("default");
   * console.log(u?.enabled, u?.categories); // true ["+@all"]
   * ```
   */
  aclGetuser(username: string): Promise<AclUser | null> {
    return this.execute(new Command<AclUser | null>(["ACL", "GETUSER"], toAclUser).arg(username));
  }

  /**
   * Returns every user's rules, one ACL-file line per user.
   * {@link https://redis.io/docs/latest/commands/acl-list/ ACL LIST}
   */
  aclList(): Promise<string[]> {
    return this.execute(new Command<string[]>(["ACL", "LIST"], toTexts));
  }

  /**
   * Reloads the users from the configured ACL file; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/acl-load/ ACL LOAD}
   */
  aclLoad(): Promise<true> {
    return this.execute(new Command<true>(["ACL", "LOAD"], toTrue));
  }

  /**
   * Returns the latest ACL security events (denied commands, failed AUTHs),
   * newest first, `count` at most.
   * {@link https://redis.io/docs/latest/commands/acl-log/ ACL LOG}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * const [last] = await r.aclLog({ count: 1 });
   * console.log(last?.reason); // "auth"
   * ```
   */
  aclLog(options?: { count?: number }): Promise<AclLogEntry[]> {
    const cmd = new Command<AclLogEntry[]>(["ACL", "LOG"], toAclLog);
    const o = optionsOf(cmd, options, ACL_LOG_KEYS);
    if (o.count !== undefined) {
      integer(cmd, "count", o.count, 0);
      cmd.arg(o.count);
    }
    return this.execute(cmd);
  }

  /**
   * Clears the ACL log; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/acl-log/ ACL LOG RESET}
   */
  aclLogReset(): Promise<true> {
    return this.execute(new Command<true>(["ACL", "LOG"], toTrue).arg("RESET"));
  }

  /**
   * Saves the users to the configured ACL file; resolves to `true`.
   * {@link https://redis.io/docs/latest/commands/acl-save/ ACL SAVE}
   */
  aclSave(): Promise<true> {
    return this.execute(new Command<true>(["ACL", "SAVE"], toTrue));
  }

  /**
   * Creates or modifies a user; resolves to `true`. Takes redis-py's options
   * (see `AclSetuserOptions`), or raw rules sent as they are.
   * {@link https://redis.io/docs/latest/commands/acl-setuser/ ACL SETUSER}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.aclSetuser("app", { enabled: true, passwords: ["+s3cret"], keys: ["app:*"], categories: ["+@read"] });
   * await r.aclSetuser("app", ["-@dangerous", "resetchannels"]);
   * ```
   */
  aclSetuser(username: string, rules?: AclSetuserOptions | readonly string[]): Promise<true> {
    const cmd = new Command<true>(["ACL", "SETUSER"], toTrue).arg(username);
    if (Array.isArray(rules)) {
      for (const rule of rules) {
        if (!isText(rule)) cmd.fail(`${cmd.name}: rules must be strings, got ${describeValue(rule)}`);
        else cmd.arg(rule);
      }
      return this.execute(cmd);
    }
    const o = optionsOf(cmd, rules as AclSetuserOptions | undefined, ACL_SETUSER_KEYS);
    if (o.reset) cmd.arg("reset");
    if (o.resetKeys) cmd.arg("resetkeys");
    if (o.resetChannels) cmd.arg("resetchannels");
    if (o.resetPasswords) cmd.arg("resetpass");
    cmd.arg(o.enabled ? "on" : "off");
    if (o.nopass && (o.passwords !== undefined || o.hashedPasswords !== undefined)) {
      cmd.fail(`${cmd.name}: nopass cannot be combined with passwords or hashedPasswords`);
    }
    prefixed(cmd, "passwords", o.passwords, (v) => sign(v, ">", "<"));
    prefixed(cmd, "hashedPasswords", o.hashedPasswords, (v) => sign(v, "#", "!"));
    if (o.nopass) cmd.arg("nopass");
    prefixed(
      cmd,
      "categories",
      o.categories,
      (v) => v.startsWith("+@") || v.startsWith("-@") ? v : sign(v, "+@", "-@"),
    );
    prefixed(cmd, "commands", o.commands, (v) => sign(v, "+", "-") && v);
    prefixed(cmd, "keys", o.keys, (v) => v.startsWith("~") || v.startsWith("%") ? v : `~${v}`);
    prefixed(cmd, "channels", o.channels, (v) => v.startsWith("&") ? v : `&${v}`);
    if (o.selectors !== undefined && o.selectors !== null) {
      if (!Array.isArray(o.selectors)) {
        cmd.fail(`${cmd.name}: selectors must be an array of [command, key] pairs`);
      } else {
        for (const pair of o.selectors) {
          const [c, k] = Array.isArray(pair) ? pair : [];
          if (!isText(c) || !isText(k) || sign(c, "+", "-") === undefined) {
            cmd.fail(`${cmd.name}: selectors must be [command rule, key pattern] pairs like ["+get", "k*"]`);
            break;
          }
          cmd.arg(`(${c} ${k.startsWith("~") || k.startsWith("%") ? k : `~${k}`})`);
        }
      }
    }
    return this.execute(cmd);
  }

  /**
   * Returns the usernames.
   * {@link https://redis.io/docs/latest/commands/acl-users/ ACL USERS}
   */
  aclUsers(): Promise<string[]> {
    return this.execute(new Command<string[]>(["ACL", "USERS"], toTexts));
  }

  /**
   * Returns the username this connection is authenticated as.
   * {@link https://redis.io/docs/latest/commands/acl-whoami/ ACL WHOAMI}
   */
  aclWhoami(): Promise<string> {
    return this.execute(new Command<string>(["ACL", "WHOAMI"], toText));
  }
}
