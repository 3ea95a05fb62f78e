/**
 * Options of `new Sentinel(sentinels, options)`: which keys go to the
 * sentinel connections and which to the master/replica connections, checked
 * at construction.
 *
 * @module
 */

import { DataError } from "../errors.ts";
import { type RedisOptions, validateOptions } from "../options.ts";
import type { ConnectionSettings } from "../options.ts";
import type { SentinelAddress } from "./state.ts";

/**
 * Connection options of the connections to the sentinels (redis-py's
 * `sentinel_kwargs`): credentials, TLS, timeouts. The address comes from the
 * sentinel list; replies are always decoded.
 *
 * @example
 * ```ts
 * import type { SentinelConnectionOptions } from "@uniredis/redis";
 * const o: SentinelConnectionOptions = { password: "sentinel-pw", socketTimeout: 500 };
 * console.log(o.socketTimeout); // 500
 * ```
 */
export type SentinelConnectionOptions = Omit<
  ConnectionSettings<true>,
  "host" | "port" | "path" | "db" | "decodeResponses" | "cache" | "pushHandler"
>;

/**
 * Options of `new Sentinel(sentinels, options)`. `sentinel` configures the
 * connections to the sentinels; every other key is a `Redis` option for the
 * master and replica connections of `masterFor`/`slaveFor` (their address
 * comes from the sentinels, so `host`, `port`, `path` and `connectionPool`
 * are not accepted).
 *
 * @example
 * ```ts
 * import type { SentinelOptions } from "@uniredis/redis";
 * const o: SentinelOptions = { sentinel: { password: "s-pw" }, password: "data-pw", minOtherSentinels: 1 };
 * console.log(o.minOtherSentinels); // 1
 * ```
 */
export interface SentinelOptions<D extends boolean = boolean>
  extends Omit<RedisOptions<D>, "host" | "port" | "path" | "connectionPool"> {
  /**
   * Options of the connections to the sentinels. When it sets none of
   * `socketTimeout`, `socketConnectTimeout`, `socketKeepalive` and
   * `connector`, those of the data connections are used (as redis-py does
   * with the `socket_*` keywords).
   */
  sentinel?: SentinelConnectionOptions;
  /**
   * A master is accepted only from a sentinel that sees at least this many
   * other sentinels (default 0), so a sentinel cut off from its peers is not
   * believed.
   */
  minOtherSentinels?: number;
  /**
   * How often (ms, default 5,000; 0: never) a master client asks the
   * sentinels whether its master moved: the fallback for a missed
   * `+switch-master` announcement.
   */
  masterCheckInterval?: number;
}

/** Data-connection keys whose value comes from the sentinels. */
const FROM_SENTINELS = ["host", "port", "path", "connectionPool"];
/** Sentinel-connection keys that make no sense there. */
const NOT_FOR_SENTINELS = [
  "host",
  "port",
  "path",
  "db",
  "decodeResponses",
  "cache",
  "pushHandler",
  "connectionPool",
];
/** What the sentinel connections inherit from the data options unless `sentinel` sets it. */
const INHERITED = ["socketTimeout", "socketConnectTimeout", "socketKeepalive", "connector"] as const;

/**
 * Checks the sentinel list and options, and splits them: options of each
 * sentinel client, options of the data connections, `minOtherSentinels`.
 * Throws a `DataError` on the first problem.
 */
export function splitSentinelOptions<D extends boolean>(
  sentinels: readonly SentinelAddress[],
  options: SentinelOptions<D>,
): {
  sentinel: RedisOptions<true>;
  data: RedisOptions<D>;
  minOtherSentinels: number;
  masterCheckInterval: number | undefined;
} {
  if (!Array.isArray(sentinels) || sentinels.length === 0) {
    throw new DataError("Sentinel needs a non-empty array of sentinel addresses ({ host, port })");
  }
  for (const at of sentinels) {
    if (
      typeof at !== "object" || at === null || typeof at.host !== "string" || at.host === "" ||
      !Number.isInteger(at.port) || at.port < 1 || at.port > 65535
    ) {
      throw new DataError(
        `Sentinel: invalid sentinel address ${JSON.stringify(at)} (expected { host: string, port: 1-65535 })`,
      );
    }
  }
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new DataError("Sentinel: options must be an object");
  }
  const { sentinel = {}, minOtherSentinels = 0, masterCheckInterval, ...data } = options;
  if (
    masterCheckInterval !== undefined &&
    (typeof masterCheckInterval !== "number" || !(masterCheckInterval >= 0))
  ) {
    throw new DataError(
      `Invalid option masterCheckInterval: ${masterCheckInterval} (expected milliseconds >= 0)`,
    );
  }
  if (!Number.isInteger(minOtherSentinels) || minOtherSentinels < 0) {
    throw new DataError(`Invalid option minOtherSentinels: ${minOtherSentinels} (expected an integer >= 0)`);
  }
  for (const key of FROM_SENTINELS) {
    if (key in data) {
      throw new DataError(`Sentinel: option ${key} is not accepted (the sentinels give the address)`);
    }
  }
  validateOptions(data as RedisOptions, "Sentinel");
  if (typeof sentinel !== "object" || sentinel === null || Array.isArray(sentinel)) {
    throw new DataError("Invalid option sentinel (expected an object of connection options)");
  }
  for (const key of NOT_FOR_SENTINELS) {
    if (key in sentinel) throw new DataError(`Sentinel: option sentinel.${key} is not accepted`);
  }
  validateOptions(sentinel as RedisOptions, "Sentinel (option sentinel)");
  const own = sentinel as RedisOptions<true>;
  const inherits = !INHERITED.some((key) => key !== "connector" && own[key] !== undefined);
  const base: RedisOptions<true> = {};
  for (const key of INHERITED) {
    if (key === "connector" ? own.connector === undefined : inherits) {
      (base as Record<string, unknown>)[key] = data[key];
    }
  }
  for (const key of Object.keys(base) as (keyof RedisOptions)[]) {
    if (base[key] === undefined) delete base[key];
  }
  return {
    sentinel: { ...base, ...own, decodeResponses: true },
    data: data as RedisOptions<D>,
    minOtherSentinels,
    masterCheckInterval,
  };
}
