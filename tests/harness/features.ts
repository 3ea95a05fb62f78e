/**
 * Version-gated server features: which server binary at hand has a feature.
 *
 * A test of a feature newer than the default server (`$UNIREDIS_REDIS_SERVER`
 * or `redis-server`) runs against another installed server that has it
 * (`valkey-server` 8.0 has Redis 7.2's commands and some of 7.4's), and is
 * skipped declaratively only when no server at hand has it. The skip reason
 * names the versions needed and the servers found, and is decided before the
 * tests are declared so every runtime reports it as a skip.
 *
 * @module
 */

import { type BinaryInfo, binaryInfo, type ServerFlavour } from "../../testing/server.ts";

/** The first release of each flavour that has a feature; a missing flavour has not got it yet. */
type Since = Partial<Record<ServerFlavour, [number, number]>>;

/** Features newer than Redis 7.0, with the releases that brought them. */
export const FEATURES = {
  /** CLIENT SETINFO (LIB-NAME, LIB-VER). */
  "client-setinfo": { redis: [7, 2], valkey: [7, 2] },
  /** CLIENT NO-TOUCH. */
  "client-no-touch": { redis: [7, 2], valkey: [7, 2] },
  /** WAITAOF. */
  "waitaof": { redis: [7, 2], valkey: [7, 2] },
  /** CLUSTER MYSHARDID. */
  "cluster-myshardid": { redis: [7, 2], valkey: [7, 2] },
  /** CLIENT KILL ... MAXAGE. */
  "client-kill-maxage": { redis: [7, 4], valkey: [8, 0] },
  /** CLIENT INFO and CLIENT LIST traffic counters `tot-net-in`, `tot-net-out`, `tot-cmds` (Valkey only). */
  "client-net-counters": { valkey: [8, 0] },
  /** HEXPIRE, HTTL, HPERSIST and the rest of hash field expiration. */
  "hash-field-expiry": { redis: [7, 4], valkey: [9, 0] },
} satisfies Record<string, Since>;

/** A feature name of `FEATURES`. */
export type ServerFeature = keyof typeof FEATURES;

/** The server to run a feature's tests on, or why they are skipped. */
export interface FeatureServer {
  /** The binary to pass to `startRedis({ binary })`; undefined when no server at hand has the feature. */
  readonly binary?: string;
  /** Whether `binary` is the default server (tests may then reuse their usual server). */
  readonly isDefault: boolean;
  /** False when the feature can be tested, else the reason for `test(name, { skip }, fn)`. */
  readonly skip: string | false;
}

function defaultBinary(): string {
  return process.env.UNIREDIS_REDIS_SERVER || "redis-server";
}

/** Whether `info` (a binary's flavour and version) is at least the release that brought the feature. */
export function hasFeature(info: Pick<BinaryInfo, "flavour" | "version">, feature: ServerFeature): boolean {
  const since = (FEATURES[feature] as Since)[info.flavour];
  if (!since) return false;
  const [major, minor] = info.version;
  return major > since[0] || (major === since[0] && minor >= since[1]);
}

/** The releases that have `feature`, for skip reasons: `"Redis 7.4+ or Valkey 9.0+"`. */
export function featureReleases(feature: ServerFeature): string {
  const since = FEATURES[feature] as Since;
  const names: Record<ServerFlavour, string> = { redis: "Redis", valkey: "Valkey" };
  return (Object.keys(since) as ServerFlavour[]).map((f) => `${names[f]} ${since[f]!.join(".")}+`).join(
    " or ",
  );
}

/**
 * Picks the server for a feature's tests: the default binary when it has the
 * feature, else the first of `candidates` that is installed and has it.
 *
 * @example
 * ```ts
 * import { serverWith } from "./features.ts";
 * import { startRedis } from "../../testing/server.ts";
 * const noTouch = await serverWith("client-no-touch");
 * // test("CLIENT NO-TOUCH", { skip: noTouch.skip }, ...) and inside it:
 * if (!noTouch.skip) await (await startRedis({ binary: noTouch.binary })).stop();
 * ```
 */
export async function serverWith(
  feature: ServerFeature,
  candidates: string[] = ["redis-server", "valkey-server"],
): Promise<FeatureServer> {
  const first = defaultBinary();
  const binaries = [first, ...candidates.filter((b) => b !== first)];
  const found: string[] = [];
  for (const binary of binaries) {
    const info = await binaryInfo(binary).catch(() => undefined);
    if (!info) {
      found.push(`${binary} not installed`);
      continue;
    }
    if (hasFeature(info, feature)) return { binary, isDefault: binary === first, skip: false };
    found.push(`${binary} ${info.version.join(".")}`);
  }
  return { isDefault: false, skip: `needs ${featureReleases(feature)} (${found.join(", ")})` };
}
