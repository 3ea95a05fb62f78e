/**
 * Geo commands: GEOADD, GEOSEARCH, GEOSEARCHSTORE, GEORADIUS and friends.
 *
 * Coordinates are always `[longitude, latitude]` numbers and distances are
 * numbers, under RESP2 and RESP3 alike. A search asked for any of `withdist`,
 * `withcoord` or `withhash` resolves to `GeoEntry` objects; without them, to
 * member names.
 *
 * @module
 */

import { StreamCommands } from "./stream.ts";
import {
  Command,
  describeValue,
  type RedisKey,
  type RedisValue,
  type ReplyTransform,
  type Str,
} from "./command.ts";
import type { RespValue } from "../protocol/types.ts";
import { toFloat, toNumber, toTextOrNull } from "./reply.ts";
import { exclusive, finite, integer, nonEmpty, oneOf, optionKeys, optionsOf } from "./validate.ts";

/**
 * A distance unit: meters, kilometers, miles or feet.
 *
 * @example
 * ```ts
 * import type { GeoUnit } from "@uniredis/redis";
 * const u: GeoUnit = "km";
 * console.log(u); // "km"
 * ```
 */
export type GeoUnit = "m" | "km" | "mi" | "ft";

/**
 * A member to add with `geoadd`: a `[longitude, latitude, member]` triple or an object.
 *
 * @example
 * ```ts
 * import type { GeoMember } from "@uniredis/redis";
 * const a: GeoMember = [13.361389, 38.115556, "Palermo"];
 * const b: GeoMember = { longitude: 15.087269, latitude: 37.502669, member: "Catania" };
 * console.log([a, b].length); // 2
 * ```
 */
export type GeoMember =
  | readonly [longitude: number, latitude: number, member: RedisValue]
  | { readonly longitude: number; readonly latitude: number; readonly member: RedisValue };

/**
 * Options of `geoadd`. `nx` excludes `xx`.
 *
 * @example
 * ```ts
 * import type { GeoAddOptions } from "@uniredis/redis";
 * const o: GeoAddOptions = { xx: true, ch: true };
 * console.log(o.ch); // true
 * ```
 */
export interface GeoAddOptions {
  /** Only add new members, never update positions. */
  nx?: boolean;
  /** Only update existing members, never add. */
  xx?: boolean;
  /** Count changed members (added or moved), not only added ones. */
  ch?: boolean;
}

const GEO_ADD_KEYS = optionKeys<GeoAddOptions>({ nx: true, xx: true, ch: true });

/**
 * One result of a search asked for `withdist`, `withcoord` or `withhash`:
 * only the fields asked for are set.
 *
 * @example
 * ```ts
 * import type { GeoEntry } from "@uniredis/redis";
 * const e: GeoEntry<string> = { member: "Palermo", dist: 190.4424, coord: [13.361389, 38.115556] };
 * console.log(e.coord?.[0]); // 13.361389
 * ```
 */
export interface GeoEntry<M = string> {
  /** The member's name. */
  member: M;
  /** Its distance from the center, in the search's unit (`withdist`). */
  dist?: number;
  /** Its raw 52-bit geohash score (`withhash`). */
  hash?: number;
  /** Its `[longitude, latitude]` (`withcoord`). */
  coord?: [longitude: number, latitude: number];
}

/**
 * Options that make a search resolve to `GeoEntry` objects (at least one is `true`).
 *
 * @example
 * ```ts
 * import type { GeoWith } from "@uniredis/redis";
 * const w: GeoWith = { withdist: true };
 * console.log(w.withdist); // true
 * ```
 */
export type GeoWith = { withdist: true } | { withcoord: true } | { withhash: true };

/**
 * Options of the read-only radius searches (`georadiusRo`, `georadiusbymemberRo`).
 *
 * @example
 * ```ts
 * import type { GeoRadiusRoOptions } from "@uniredis/redis";
 * const o: GeoRadiusRoOptions = { unit: "km", withdist: true, count: 5, sort: "ASC" };
 * console.log(o.count); // 5
 * ```
 */
export interface GeoRadiusRoOptions {
  /** The unit of the radius and of returned distances (default `"m"`). */
  unit?: GeoUnit;
  /** Include each result's distance. */
  withdist?: boolean;
  /** Include each result's coordinates. */
  withcoord?: boolean;
  /** Include each result's raw geohash. */
  withhash?: boolean;
  /** At most this many results. */
  count?: number;
  /** With `count`: stop at the first `count` matches found (not the nearest ones). */
  any?: boolean;
  /** Order by distance from the center. */
  sort?: "ASC" | "DESC";
}

/**
 * Options of `georadius` and `georadiusbymember`: those of the read-only
 * forms, plus `store`/`storeDist` (which exclude each other and the WITH* options).
 *
 * @example
 * ```ts
 * import type { GeoRadiusOptions } from "@uniredis/redis";
 * const o: GeoRadiusOptions = { unit: "km", storeDist: "near" };
 * console.log(o.storeDist); // "near"
 * ```
 */
export interface GeoRadiusOptions extends GeoRadiusRoOptions {
  /** Store the member names in this sorted set (scored by geohash); resolves to its size. */
  store?: RedisKey;
  /** Store the members in this sorted set scored by distance; resolves to its size. */
  storeDist?: RedisKey;
}

const GEO_RADIUS_KEYS = optionKeys<GeoRadiusOptions>({
  unit: true,
  withdist: true,
  withcoord: true,
  withhash: true,
  count: true,
  any: true,
  sort: true,
  store: true,
  storeDist: true,
});

/**
 * Options of `geosearchstore`: the center (exactly one of `member` or
 * `longitude` + `latitude`), the shape (exactly one of `radius` or
 * `width` + `height`) and the result options.
 *
 * @example
 * ```ts
 * import type { GeoSearchStoreOptions } from "@uniredis/redis";
 * const o: GeoSearchStoreOptions = { member: "Palermo", radius: 200, unit: "km", storedist: true };
 * console.log(o.radius); // 200
 * ```
 */
export interface GeoSearchStoreOptions {
  /** Search around this member's position. */
  member?: RedisValue;
  /** Search around this longitude (with `latitude`). */
  longitude?: number;
  /** Search around this latitude (with `longitude`). */
  latitude?: number;
  /** Search in a circle of this radius. */
  radius?: number;
  /** Search in a box this wide (with `height`). */
  width?: number;
  /** Search in a box this high (with `width`). */
  height?: number;
  /** The unit of the shape and of returned distances (default `"m"`). */
  unit?: GeoUnit;
  /** Order by distance from the center. */
  sort?: "ASC" | "DESC";
  /** At most this many results. */
  count?: number;
  /** With `count`: stop at the first `count` matches found. */
  any?: boolean;
  /** Store distances as the scores (`geosearchstore` only). */
  storedist?: boolean;
}

/** The center, shape, sort and count options both searches share. */
const GEO_SEARCH_COMMON = {
  member: true,
  longitude: true,
  latitude: true,
  radius: true,
  width: true,
  height: true,
  unit: true,
  sort: true,
  count: true,
  any: true,
} as const;
const GEO_SEARCH_STORE_KEYS = optionKeys<GeoSearchStoreOptions>({ ...GEO_SEARCH_COMMON, storedist: true });

/**
 * Options of `geosearch` (see `GeoSearchStoreOptions` for the center and shape).
 *
 * @example
 * ```ts
 * import type { GeoSearchOptions } from "@uniredis/redis";
 * const o: GeoSearchOptions = { longitude: 15, latitude: 37, width: 400, height: 400, unit: "km", withcoord: true };
 * console.log(o.width); // 400
 * ```
 */
export interface GeoSearchOptions extends Omit<GeoSearchStoreOptions, "storedist"> {
  /** Include each result's distance. */
  withdist?: boolean;
  /** Include each result's coordinates. */
  withcoord?: boolean;
  /** Include each result's raw geohash. */
  withhash?: boolean;
}

const GEO_SEARCH_KEYS = optionKeys<GeoSearchOptions>({
  ...GEO_SEARCH_COMMON,
  withdist: true,
  withcoord: true,
  withhash: true,
});

const UNITS = ["m", "km", "mi", "ft"] as const;

/** The unit, checked and lower-cased (`"m"` when absent). */
function unitOf(cmd: Command<unknown>, unit: unknown): GeoUnit {
  if (unit === undefined || unit === null) return "m";
  if (typeof unit !== "string" || !(UNITS as readonly string[]).includes(unit.toLowerCase())) {
    const got = typeof unit === "string" ? JSON.stringify(unit) : describeValue(unit);
    cmd.fail(`${cmd.name}: unit must be one of m, km, mi, ft, got ${got}`);
    return "m";
  }
  return unit.toLowerCase() as GeoUnit;
}

/** A `[longitude, latitude]` reply (strings under RESP2, doubles under RESP3) as numbers. */
function toCoord(reply: RespValue): [number, number] {
  const pair = Array.isArray(reply) ? reply : [];
  return [toFloat(pair[0] ?? null) ?? NaN, toFloat(pair[1] ?? null) ?? NaN];
}

/** GEOPOS: a `[longitude, latitude]` pair or `null` per member. */
function toPositions(reply: RespValue): ([number, number] | null)[] {
  return Array.isArray(reply) ? reply.map((p) => (p === null ? null : toCoord(p))) : [];
}

/** GEOHASH: a text geohash or `null` per member. */
function toHashes(reply: RespValue): (string | null)[] {
  return Array.isArray(reply) ? reply.map(toTextOrNull) : [];
}

/**
 * A search reply with WITH* options: each entry is `[member, dist?, hash?, coord?]`
 * in that order (the server's order, whatever the argument order).
 */
function toEntries(
  withdist: boolean,
  withhash: boolean,
  withcoord: boolean,
): ReplyTransform<GeoEntry<RespValue>[]> {
  return (reply) => {
    if (!Array.isArray(reply)) return [];
    return reply.map((item) => {
      const fields = Array.isArray(item) ? item : [item];
      const entry: GeoEntry<RespValue> = { member: fields[0] ?? null };
      let i = 1;
      if (withdist) entry.dist = toFloat(fields[i++] ?? null) ?? NaN;
      if (withhash) entry.hash = toNumber(fields[i++] ?? null);
      if (withcoord) entry.coord = toCoord(fields[i++] ?? null);
      return entry;
    });
  };
}

/** The transform of a search: entries when any WITH* option is set, the raw member list otherwise. */
function searchTransform(options: unknown): ReplyTransform<never> | undefined {
  const o = typeof options === "object" && options !== null ? options as Record<string, unknown> : {};
  const dist = !!o.withdist, hash = !!o.withhash, coord = !!o.withcoord;
  return dist || hash || coord ? toEntries(dist, hash, coord) as ReplyTransform<never> : undefined;
}

/** Appends COUNT n [ANY] and ASC/DESC, checked. */
function countAndSort(cmd: Command<unknown>, o: { count?: number; any?: boolean; sort?: string }): void {
  if (o.count !== undefined && o.count !== null) {
    integer(cmd, "count", o.count, 1);
    cmd.arg("COUNT").arg(o.count);
  }
  if (o.any) {
    if (o.count === undefined || o.count === null) cmd.fail(`${cmd.name}: any needs count`);
    cmd.arg("ANY");
  }
  if (o.sort !== undefined && o.sort !== null) cmd.arg(oneOf(cmd, "sort", o.sort, ["ASC", "DESC"]));
}

/** The shared argument tail of the GEORADIUS family (redis-py's `_georadiusgeneric`). */
function radiusArgs(
  cmd: Command<unknown>,
  radius: unknown,
  options: GeoRadiusOptions | undefined,
  ro: boolean,
): void {
  const o = optionsOf(cmd, options, GEO_RADIUS_KEYS);
  finite(cmd, "radius", radius);
  cmd.arg(radius as number).arg(unitOf(cmd, o.unit));
  if (o.withdist) cmd.arg("WITHDIST");
  if (o.withcoord) cmd.arg("WITHCOORD");
  if (o.withhash) cmd.arg("WITHHASH");
  countAndSort(cmd, o);
  const storing = (o.store !== undefined && o.store !== null) ||
    (o.storeDist !== undefined && o.storeDist !== null);
  if (storing && ro) cmd.fail(`${cmd.name} is read-only: it takes no store or storeDist`);
  exclusive(cmd, o, ["store", "storeDist"]);
  if (storing && (o.withdist || o.withcoord || o.withhash)) {
    cmd.fail(`${cmd.name}: store and storeDist exclude withdist, withcoord and withhash`);
  }
  if (o.store !== undefined && o.store !== null) cmd.arg("STORE").key(o.store);
  if (o.storeDist !== undefined && o.storeDist !== null) cmd.arg("STOREDIST").key(o.storeDist);
}

/** Appends the center, shape and options of GEOSEARCH/GEOSEARCHSTORE, checked. */
function searchArgs(
  cmd: Command<unknown>,
  options: GeoSearchOptions & { storedist?: boolean } | undefined,
): void {
  const o = optionsOf(cmd, options);
  const has = (v: unknown): boolean => v !== undefined && v !== null;
  const byMember = has(o.member);
  const byLonLat = has(o.longitude) || has(o.latitude);
  if (byMember === byLonLat) {
    cmd.fail(`${cmd.name}: give exactly one of member or longitude + latitude`);
  } else if (byMember) {
    cmd.arg("FROMMEMBER").arg(o.member as RedisValue);
  } else {
    if (!has(o.longitude) || !has(o.latitude)) cmd.fail(`${cmd.name}: longitude and latitude go together`);
    finite(cmd, "longitude", o.longitude);
    finite(cmd, "latitude", o.latitude);
    cmd.arg("FROMLONLAT").arg(o.longitude as number).arg(o.latitude as number);
  }
  const byRadius = has(o.radius);
  const byBox = has(o.width) || has(o.height);
  if (byRadius === byBox) {
    cmd.fail(`${cmd.name}: give exactly one of radius or width + height`);
  } else if (byRadius) {
    finite(cmd, "radius", o.radius);
    cmd.arg("BYRADIUS").arg(o.radius as number);
  } else {
    if (!has(o.width) || !has(o.height)) cmd.fail(`${cmd.name}: width and height go together`);
    finite(cmd, "width", o.width);
    finite(cmd, "height", o.height);
    cmd.arg("BYBOX").arg(o.width as number).arg(o.height as number);
  }
  cmd.arg(unitOf(cmd, o.unit));
  if (o.sort !== undefined && o.sort !== null) cmd.arg(oneOf(cmd, "sort", o.sort, ["ASC", "DESC"]));
  if (has(o.count)) {
    integer(cmd, "count", o.count, 1);
    cmd.arg("COUNT").arg(o.count as number);
  }
  if (o.any) {
    if (!has(o.count)) cmd.fail(`${cmd.name}: any needs count`);
    cmd.arg("ANY");
  }
  if (o.withcoord) cmd.arg("WITHCOORD");
  if (o.withdist) cmd.arg("WITHDIST");
  if (o.withhash) cmd.arg("WITHHASH");
  if (o.storedist) cmd.arg("STOREDIST");
}

/**
 * Geo commands, in redis-py's argument order.
 *
 * @example
 * ```ts
 * import { Redis } from "@uniredis/redis";
 * await using r = new Redis();
 * await r.geoadd("Sicily", [[13.361389, 38.115556, "Palermo"], [15.087269, 37.502669, "Catania"]]);
 * console.log(await r.geodist("Sicily", "Palermo", "Catania", "km")); // 166.2742
 * ```
 */
export abstract class GeoCommands<D extends boolean = true> extends StreamCommands<D> {
  /**
   * Adds members at `[longitude, latitude]` positions to the geo index
   * `name`; resolves to how many were added (or changed, with `ch`).
   * {@link https://redis.io/docs/latest/commands/geoadd/ GEOADD}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.geoadd("Sicily", [[13.361389, 38.115556, "Palermo"]]);
   * await r.geoadd("Sicily", [{ longitude: 15.087269, latitude: 37.502669, member: "Catania" }], { nx: true });
   * ```
   */
  geoadd(name: RedisKey, values: readonly GeoMember[], options?: GeoAddOptions): Promise<number> {
    const cmd = new Command<number>("GEOADD", toNumber).key(name);
    const o = optionsOf(cmd, options, GEO_ADD_KEYS);
    exclusive(cmd, o, ["nx", "xx"]);
    if (o.nx) cmd.arg("NX");
    if (o.xx) cmd.arg("XX");
    if (o.ch) cmd.arg("CH");
    for (const v of nonEmpty(cmd, "values", values)) {
      let lon: unknown, lat: unknown, member: unknown;
      if (Array.isArray(v)) {
        if (v.length !== 3) cmd.fail("GEOADD: each value must be a [longitude, latitude, member] triple");
        [lon, lat, member] = v;
      } else if (typeof v === "object" && v !== null) {
        ({ longitude: lon, latitude: lat, member } = v as Record<string, unknown>);
      } else {
        cmd.fail(`GEOADD: each value must be a triple or an object, got ${describeValue(v)}`);
        continue;
      }
      finite(cmd, "longitude", lon);
      finite(cmd, "latitude", lat);
      if (member === undefined || member === null) cmd.fail("GEOADD: each value needs a member");
      cmd.arg(lon as number).arg(lat as number).arg(member as RedisValue);
    }
    return this.execute(cmd);
  }

  /**
   * Resolves to the distance between two members (meters, or `unit`), or
   * `null` when either is missing.
   * {@link https://redis.io/docs/latest/commands/geodist/ GEODIST}
   */
  geodist(name: RedisKey, place1: RedisValue, place2: RedisValue, unit?: GeoUnit): Promise<number | null> {
    const cmd = new Command<number | null>("GEODIST", toFloat).key(name).arg(place1).arg(place2);
    if (unit !== undefined && unit !== null) cmd.arg(unitOf(cmd, unit));
    return this.execute(cmd);
  }

  /**
   * Resolves to the 11-character geohash of each member (`null` for a missing one).
   * {@link https://redis.io/docs/latest/commands/geohash/ GEOHASH}
   */
  geohash(name: RedisKey, ...values: RedisValue[]): Promise<(string | null)[]> {
    return this.execute(new Command<(string | null)[]>("GEOHASH", toHashes).key(name).argsOf(values));
  }

  /**
   * Resolves to the `[longitude, latitude]` of each member (`null` for a missing one).
   * {@link https://redis.io/docs/latest/commands/geopos/ GEOPOS}
   */
  geopos(name: RedisKey, ...values: RedisValue[]): Promise<([number, number] | null)[]> {
    return this.execute(
      new Command<([number, number] | null)[]>("GEOPOS", toPositions).key(name).argsOf(values),
    );
  }

  /**
   * Members within `radius` of a point: their names, `GeoEntry` objects
   * with a WITH* option, or the size of the stored result with `store`/`storeDist`.
   * Deprecated by Redis in favour of `geosearch`/`geosearchstore`.
   * {@link https://redis.io/docs/latest/commands/georadius/ GEORADIUS}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.geoadd("Sicily", [[13.361389, 38.115556, "Palermo"], [15.087269, 37.502669, "Catania"]]);
   * console.log(await r.georadius("Sicily", 15, 37, 200, { unit: "km", sort: "ASC" })); // ["Catania", "Palermo"]
   * console.log(await r.georadius("Sicily", 15, 37, 100, { unit: "km", withdist: true }));
   * // [{ member: "Catania", dist: 56.4413 }]
   * ```
   */
  georadius(
    name: RedisKey,
    longitude: number,
    latitude: number,
    radius: number,
    options: GeoRadiusOptions & ({ store: RedisKey } | { storeDist: RedisKey }),
  ): Promise<number>;
  /** With a WITH* option: `GeoEntry` objects. */
  georadius(
    name: RedisKey,
    longitude: number,
    latitude: number,
    radius: number,
    options: GeoRadiusRoOptions & GeoWith,
  ): Promise<GeoEntry<Str<D>>[]>;
  /** Without WITH* options: the member names. */
  georadius(
    name: RedisKey,
    longitude: number,
    latitude: number,
    radius: number,
    options?: GeoRadiusOptions,
  ): Promise<Str<D>[]>;
  georadius(
    name: RedisKey,
    longitude: number,
    latitude: number,
    radius: number,
    options?: GeoRadiusOptions,
  ): Promise<Str<D>[] | GeoEntry<Str<D>>[] | number> {
    return this.execute(radiusCommand("GEORADIUS", name, [longitude, latitude], radius, options, false));
  }

  /**
   * The read-only form of `georadius` (no `store`), for replicas.
   * {@link https://redis.io/docs/latest/commands/georadius_ro/ GEORADIUS_RO}
   */
  georadiusRo(
    name: RedisKey,
    longitude: number,
    latitude: number,
    radius: number,
    options: GeoRadiusRoOptions & GeoWith,
  ): Promise<GeoEntry<Str<D>>[]>;
  /** Without WITH* options: the member names. */
  georadiusRo(
    name: RedisKey,
    longitude: number,
    latitude: number,
    radius: number,
    options?: GeoRadiusRoOptions,
  ): Promise<Str<D>[]>;
  georadiusRo(
    name: RedisKey,
    longitude: number,
    latitude: number,
    radius: number,
    options?: GeoRadiusRoOptions,
  ): Promise<Str<D>[] | GeoEntry<Str<D>>[]> {
    return this.execute(radiusCommand("GEORADIUS_RO", name, [longitude, latitude], radius, options, true));
  }

  /**
   * Like `georadius`, centered on the position of `member`.
   * {@link https://redis.io/docs/latest/commands/georadiusbymember/ GEORADIUSBYMEMBER}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.geoadd("Sicily", [[13.361389, 38.115556, "Palermo"], [15.087269, 37.502669, "Catania"]]);
   * console.log(await r.georadiusbymember("Sicily", "Palermo", 200, { unit: "km", sort: "ASC" })); // ["Palermo", "Catania"]
   * console.log(await r.georadiusbymember("Sicily", "Palermo", 200, { unit: "km", store: "near" })); // 2
   * ```
   */
  georadiusbymember(
    name: RedisKey,
    member: RedisValue,
    radius: number,
    options: GeoRadiusOptions & ({ store: RedisKey } | { storeDist: RedisKey }),
  ): Promise<number>;
  /** With a WITH* option: `GeoEntry` objects. */
  georadiusbymember(
    name: RedisKey,
    member: RedisValue,
    radius: number,
    options: GeoRadiusRoOptions & GeoWith,
  ): Promise<GeoEntry<Str<D>>[]>;
  /** Without WITH* options: the member names. */
  georadiusbymember(
    name: RedisKey,
    member: RedisValue,
    radius: number,
    options?: GeoRadiusOptions,
  ): Promise<Str<D>[]>;
  georadiusbymember(
    name: RedisKey,
    member: RedisValue,
    radius: number,
    options?: GeoRadiusOptions,
  ): Promise<Str<D>[] | GeoEntry<Str<D>>[] | number> {
    return this.execute(radiusCommand("GEORADIUSBYMEMBER", name, [member], radius, options, false));
  }

  /**
   * The read-only form of `georadiusbymember` (no `store`), for replicas.
   * {@link https://redis.io/docs/latest/commands/georadiusbymember_ro/ GEORADIUSBYMEMBER_RO}
   */
  georadiusbymemberRo(
    name: RedisKey,
    member: RedisValue,
    radius: number,
    options: GeoRadiusRoOptions & GeoWith,
  ): Promise<GeoEntry<Str<D>>[]>;
  /** Without WITH* options: the member names. */
  georadiusbymemberRo(
    name: RedisKey,
    member: RedisValue,
    radius: number,
    options?: GeoRadiusRoOptions,
  ): Promise<Str<D>[]>;
  georadiusbymemberRo(
    name: RedisKey,
    member: RedisValue,
    radius: number,
    options?: GeoRadiusRoOptions,
  ): Promise<Str<D>[] | GeoEntry<Str<D>>[]> {
    return this.execute(radiusCommand("GEORADIUSBYMEMBER_RO", name, [member], radius, options, true));
  }

  /**
   * Members within a circle or box around a member or a point: their names,
   * or `GeoEntry` objects with a WITH* option.
   * {@link https://redis.io/docs/latest/commands/geosearch/ GEOSEARCH}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.geoadd("Sicily", [[13.361389, 38.115556, "Palermo"], [15.087269, 37.502669, "Catania"]]);
   * console.log(await r.geosearch("Sicily", { member: "Palermo", radius: 200, unit: "km", sort: "ASC" }));
   * // ["Palermo", "Catania"]
   * console.log(
   *   await r.geosearch("Sicily", { longitude: 15, latitude: 37, width: 400, height: 400, unit: "km", withdist: true, count: 1 }),
   * ); // [{ member: "Catania", dist: 56.4413 }]
   * ```
   */
  geosearch(name: RedisKey, options: GeoSearchOptions & GeoWith): Promise<GeoEntry<Str<D>>[]>;
  /** Without WITH* options: the member names. */
  geosearch(name: RedisKey, options: GeoSearchOptions): Promise<Str<D>[]>;
  geosearch(name: RedisKey, options: GeoSearchOptions): Promise<Str<D>[] | GeoEntry<Str<D>>[]> {
    const cmd = new Command<Str<D>[] | GeoEntry<Str<D>>[]>("GEOSEARCH", searchTransform(options)).key(name);
    // The specific message first: storedist is geosearchstore's.
    if ((options as { storedist?: boolean } | undefined)?.storedist !== undefined) {
      cmd.fail("GEOSEARCH has no storedist option (see geosearchstore)");
    }
    searchArgs(cmd, optionsOf(cmd, options, GEO_SEARCH_KEYS));
    return this.execute(cmd);
  }

  /**
   * Stores the result of a `geosearch` of `name` in the sorted set `dest`
   * (scored by geohash, or by distance with `storedist`); resolves to its size.
   * {@link https://redis.io/docs/latest/commands/geosearchstore/ GEOSEARCHSTORE}
   *
   * @example
   * ```ts
   * import { Redis } from "@uniredis/redis";
   * await using r = new Redis();
   * await r.geoadd("Sicily", [[13.361389, 38.115556, "Palermo"], [15.087269, 37.502669, "Catania"]]);
   * console.log(await r.geosearchstore("near", "Sicily", { member: "Palermo", radius: 200, unit: "km", storedist: true })); // 2
   * ```
   */
  geosearchstore(dest: RedisKey, name: RedisKey, options: GeoSearchStoreOptions): Promise<number> {
    const cmd = new Command<number>("GEOSEARCHSTORE", toNumber).key(dest).key(name);
    // The specific message first: the WITH* options are geosearch's.
    const given = options as GeoSearchOptions | undefined;
    if (given?.withdist || given?.withcoord || given?.withhash) {
      cmd.fail("GEOSEARCHSTORE takes no withdist, withcoord or withhash");
    }
    searchArgs(cmd, optionsOf(cmd, options, GEO_SEARCH_STORE_KEYS));
    return this.execute(cmd);
  }
}

/** A GEORADIUS-family command; its reply shape follows the options. */
function radiusCommand<T>(
  name: string,
  key: RedisKey,
  center: unknown[],
  radius: unknown,
  options: GeoRadiusOptions | undefined,
  ro: boolean,
): Command<T> {
  const o = typeof options === "object" && options !== null ? options : {};
  const storing = (o.store !== undefined && o.store !== null) ||
    (o.storeDist !== undefined && o.storeDist !== null);
  const transform = storing ? toNumber as ReplyTransform<never> : searchTransform(options);
  const cmd = new Command<T>(name, transform).key(key);
  if (center.length === 2) {
    finite(cmd, "longitude", center[0]);
    finite(cmd, "latitude", center[1]);
  } else if (center[0] === undefined || center[0] === null) {
    cmd.fail(`${name} needs a member`);
  }
  cmd.argsOf(center as RedisValue[]);
  radiusArgs(cmd, radius, options, ro);
  return cmd;
}
