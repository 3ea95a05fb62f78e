/**
 * Cluster nodes and their addresses: the identity the cluster client keys
 * its connection pools by, and the `addressRemap` applied to every address
 * a server announces.
 *
 * @module
 */

import { DataError } from "../errors.ts";

/**
 * A host and a port, as given by the user or announced by a server.
 *
 * @example
 * ```ts
 * import type { NodeAddress } from "./node.ts";
 * const seed: NodeAddress = { host: "127.0.0.1", port: 7000 };
 * console.log(seed.port); // 7000
 * ```
 */
export interface NodeAddress {
  /** Host name or IP address (IPv6 without brackets). */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
}

/**
 * A node's role in its shard: the `"primary"` owns the shard's slots and
 * takes writes, a `"replica"` copies it.
 *
 * @example
 * ```ts
 * import type { ServerType } from "./node.ts";
 * const role: ServerType = "replica";
 * console.log(role); // "replica"
 * ```
 */
export type ServerType = "primary" | "replica";

/**
 * The name of a node: `"host:port"`, exactly as redis-py's `get_node_name`
 * (an IPv6 host is not bracketed, as in the server's `MOVED` replies), so a
 * name read from a redirect finds the node.
 *
 * @example
 * ```ts
 * import { nodeName } from "./node.ts";
 * console.log(nodeName("127.0.0.1", 7000)); // "127.0.0.1:7000"
 * ```
 */
export function nodeName(host: string, port: number): string {
  return `${host}:${port}`;
}

/**
 * One node of a Redis Cluster as the client knows it. Immutable: a node
 * that changes role (a replica promoted by a failover) is a new
 * `ClusterNode` with the same `name`, so pools and counters keyed by name
 * survive the change.
 *
 * @example
 * ```ts
 * import { ClusterNode } from "./node.ts";
 * const node = new ClusterNode("127.0.0.1", 7000, "primary");
 * console.log(node.name, node.serverType); // "127.0.0.1:7000" "primary"
 * ```
 */
export class ClusterNode implements NodeAddress {
  /** Host name or IP address the client connects to (after `addressRemap`). */
  readonly host: string;
  /** TCP port the client connects to (the TLS port when the client uses TLS). */
  readonly port: number;
  /** `"host:port"` (see {@link nodeName}). */
  readonly name: string;
  /** `"primary"` or `"replica"`. */
  readonly serverType: ServerType;
  /** The node's 40-character cluster id, when the server gave it. */
  readonly id: string | undefined;

  /** Creates a node; `serverType` defaults to `"primary"`. */
  constructor(host: string, port: number, serverType: ServerType = "primary", id?: string) {
    this.host = host;
    this.port = port;
    this.name = nodeName(host, port);
    this.serverType = serverType;
    this.id = id;
    Object.freeze(this);
  }

  /**
   * The same node in another role (a promoted replica, a demoted primary).
   *
   * @example
   * ```ts
   * import { ClusterNode } from "./node.ts";
   * const promoted = new ClusterNode("127.0.0.1", 7003, "replica").withServerType("primary");
   * console.log(promoted.serverType); // "primary"
   * ```
   */
  withServerType(serverType: ServerType): ClusterNode {
    return serverType === this.serverType ? this : new ClusterNode(this.host, this.port, serverType, this.id);
  }

  /** `"host:port"`, so a node prints as its name. */
  toString(): string {
    return this.name;
  }
}

/**
 * Translates addresses announced by the servers into addresses the client
 * can reach (NAT, containers): a function, or a map from `"host:port"` to
 * the address to use. Addresses absent from a map are used as announced.
 *
 * @example
 * ```ts
 * import type { AddressRemap } from "./node.ts";
 * const byMap: AddressRemap = { "10.0.0.5:6379": { host: "127.0.0.1", port: 16379 } };
 * const byFunction: AddressRemap = ({ host, port }) => ({ host, port: port + 10000 });
 * console.log(typeof byMap, typeof byFunction); // "object" "function"
 * ```
 */
export type AddressRemap =
  | ((address: NodeAddress) => NodeAddress)
  | { readonly [name: string]: NodeAddress };

/**
 * Applies an {@link AddressRemap} (if any) to an address from a server.
 * Returns a plain `{ host, port }`; a remap that gives anything else is a
 * `DataError`.
 *
 * @example
 * ```ts
 * import { remapAddress } from "./node.ts";
 * const remap = { "10.0.0.5:6379": { host: "127.0.0.1", port: 16379 } };
 * console.log(remapAddress(remap, { host: "10.0.0.5", port: 6379 })); // { host: "127.0.0.1", port: 16379 }
 * console.log(remapAddress(undefined, { host: "10.0.0.6", port: 6379 })); // { host: "10.0.0.6", port: 6379 }
 * ```
 */
export function remapAddress(remap: AddressRemap | undefined, address: NodeAddress): NodeAddress {
  if (remap === undefined) return { host: address.host, port: address.port };
  const found = typeof remap === "function"
    ? remap({ host: address.host, port: address.port })
    : Object.hasOwn(remap, nodeName(address.host, address.port))
    ? remap[nodeName(address.host, address.port)]
    : address;
  if (typeof found?.host !== "string" || !Number.isInteger(found.port)) {
    throw new DataError(`addressRemap gave no { host, port } for ${nodeName(address.host, address.port)}`);
  }
  return { host: found.host, port: found.port };
}
