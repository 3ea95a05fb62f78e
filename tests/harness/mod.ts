/**
 * The project's test harness: the public `testing` module (real servers, clusters, sentinel topologies, TLS
 * material, free ports, the fault proxy, raw RESP), plus what only this suite needs (the feature table,
 * low-level RESP encoding and parsing).
 *
 * @module
 */

export * from "../../testing/mod.ts";
export { concat, encodeCommand, ReplyReader } from "../../testing/raw.ts";
export {
  featureReleases,
  FEATURES,
  type FeatureServer,
  hasFeature,
  type ServerFeature,
  serverWith,
} from "./features.ts";
