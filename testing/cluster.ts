/**
 * Starts a real Redis Cluster for tests: N primaries × R replicas of
 * `redis-server --cluster-enabled yes` (or `$UNIREDIS_REDIS_SERVER`), created
 * with `redis-cli --cluster create` (`valkey-cli` for Valkey), plus the
 * server-side actions the cluster tests need: kill/restart a node, manual
 * failover, waiting for a promotion, half-finished and finished slot
 * migrations, resharding, DEBUG SLEEP, raw commands and counters.
 *
 * Everything talks to the nodes through the raw RESP helper (`raw.ts`), never
 * through uniredis, so the harness works while the cluster client is broken.
 * Nodes run under the same pid guardian as standalone servers: they die with
 * the test process.
 *
 * @module
 */

import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestCerts, testCerts } from "./certs.ts";
import { freePort } from "./ports.ts";
import { rawCommands, RawErrorReply, type RawReply, type RawTarget } from "./raw.ts";
import {
  binaryInfo,
  defaultServerBinary,
  type ServerFlavour,
  type ServerProcess,
  startServerProcess,
} from "./server.ts";

/**
 * Options of `startCluster`.
 *
 * @example
 * ```ts
 * import { startCluster } from "@uniredis/redis/testing";
 * await using cluster = await startCluster({ primaries: 3, replicas: 1, password: "pw", tls: true });
 * console.log(cluster.seeds.length); // 6
 * ```
 */
export interface ClusterOptions {
  /** Number of primaries (default 3). */
  primaries?: number;
  /** Replicas per primary (default 1). */
  replicas?: number;
  /** `cluster-node-timeout` in ms (default 1000). */
  nodeTimeoutMs?: number;
  /** Password: `requirepass` (or the ACL user's password with `user`), `masterauth`, and redis-cli's `-a`. */
  password?: string;
  /**
   * ACL user with all rights and `password` (`masteruser`, redis-cli's `--user`); the default user is
   * turned off, so every connection must authenticate as this user.
   */
  user?: string;
  /** Every node on a TLS port only, with `tls-cluster yes` and `tls-replication yes` (test CA). */
  tls?: boolean;
  /**
   * Host every node announces (`cluster-announce-hostname` + `cluster-preferred-endpoint-type hostname`):
   * topology replies and redirections name it instead of 127.0.0.1. Nothing listens there (nodes bind
   * 127.0.0.1 only), so only a client that remaps addresses reaches the nodes.
   */
  announceHostname?: string;
  /** Extra config lines for every node, appended last. */
  config?: string[];
  /** Server binary (default `$UNIREDIS_REDIS_SERVER` or `redis-server`); the cli is picked to match. */
  binary?: string;
  /** Deadline for the cluster to become stable after creation (default 20 s). */
  startTimeoutMs?: number;
}

/**
 * A slot range, both ends included.
 *
 * @example
 * ```ts
 * import { startCluster } from "@uniredis/redis/testing";
 * await using cluster = await startCluster();
 * console.log(cluster.primaries[0].slots); // [[0, 5460]]
 * ```
 */
export type SlotRange = [from: number, to: number];

/**
 * One node of a test cluster. Role, primary and slots are refreshed by every `waitStable()`.
 *
 * @example
 * ```ts
 * import { startCluster } from "@uniredis/redis/testing";
 * await using cluster = await startCluster();
 * for (const node of cluster.nodes) console.log(node.name, node.role, node.slots);
 * ```
 */
export interface ClusterNodeInfo {
  /** Always `"127.0.0.1"` (the address that listens, whatever is announced). */
  readonly host: string;
  /** The node's client port (its TLS port with `tls`). */
  readonly port: number;
  /** The cluster bus port. */
  readonly busPort: number;
  /** `"host:port"`. */
  readonly name: string;
  /** PID of the server process (changes on `restart`). */
  readonly pid: number;
  /** Whether the process is believed to be running. */
  readonly running: boolean;
  /** `CLUSTER MYID` (kept across restarts: `nodes.conf` stays). */
  readonly id: string;
  /** Role as last seen by the cluster. */
  readonly role: "primary" | "replica";
  /** The primary's id, for a replica. */
  readonly primaryId?: string;
  /** Slot ranges owned, for a primary. */
  readonly slots: readonly SlotRange[];
  /** The node's directory (config, log, nodes.conf). */
  readonly dir: string;
  /** Path of the node's log file. */
  readonly logFile: string;
}

/**
 * Parsed `INFO commandstats` and `INFO errorstats` of one node.
 *
 * @example
 * ```ts
 * import { startCluster } from "@uniredis/redis/testing";
 * await using cluster = await startCluster();
 * const node = cluster.primaries[0];
 * await cluster.call(node, "SET", "{a}k", "v");
 * console.log((await cluster.counters(node)).commands.set?.calls);
 * ```
 */
export interface NodeCounters {
  /** Per command, lower case with `|` for subcommands (`"get"`, `"cluster|shards"`). */
  commands: Record<string, { calls: number; usec: number; rejectedCalls: number; failedCalls: number }>;
  /** Per error prefix (`"MOVED"`, `"ASK"`, `"TRYAGAIN"`, `"CLUSTERDOWN"`). */
  errors: Record<string, number>;
}

/**
 * A running test cluster (see `startCluster`).
 *
 * @example
 * ```ts
 * import { RedisCluster } from "@uniredis/redis";
 * import { startCluster } from "@uniredis/redis/testing";
 * await using cluster = await startCluster({ primaries: 3, replicas: 1 });
 * await using rc = new RedisCluster({ startupNodes: cluster.seeds });
 * await rc.set("user:1", "ada");
 * const owner = await cluster.ownerOf(await cluster.keySlot("user:1"));
 * await cluster.kill(owner);
 * const promoted = await cluster.waitForPromotion(owner); // its replica, about 2 s later
 * console.log(promoted.role); // "primary"
 * ```
 */
export interface TestCluster {
  /** Every node, in creation order (primaries first). The objects stay the same across changes. */
  readonly nodes: readonly ClusterNodeInfo[];
  /** Nodes currently primaries (as of the last `waitStable()`). */
  readonly primaries: ClusterNodeInfo[];
  /** Nodes currently replicas (as of the last `waitStable()`). */
  readonly replicas: ClusterNodeInfo[];
  /** Startup addresses for a client: every node's real `{ host, port }`. */
  readonly seeds: { host: string; port: number }[];
  /** The announced host, with `announceHostname`. */
  readonly announcedHost?: string;
  /** TLS material, with `tls`. */
  readonly certs?: TestCerts;
  /** The password the nodes require, if any. */
  readonly password?: string;
  /** The ACL user the password belongs to, if not `default`. */
  readonly user?: string;
  /** `"redis"` or `"valkey"`. */
  readonly flavour: ServerFlavour;
  /** The flavour's own version (`[7, 0, 15]`, `[8, 0, 1]`). */
  readonly flavourVersion: number[];
  /** How long `startCluster` took until the cluster was stable, in ms. */
  readonly startupMs: number;
  /** Raw target (host, port, TLS) of a node, for `rawCommands`. Authentication is not included. */
  target(node: ClusterNodeInfo): RawTarget;
  /** Sends one command to a node over a fresh raw connection (authenticated); error replies are values. */
  call(node: ClusterNodeInfo, ...args: (string | Uint8Array)[]): Promise<RawReply>;
  /** Sends several commands on one raw connection (authenticated first); one reply each. */
  calls(node: ClusterNodeInfo, commands: (string | Uint8Array)[][], timeoutMs?: number): Promise<RawReply[]>;
  /** The node with this id, or `host:port` name. */
  node(idOrName: string): ClusterNodeInfo;
  /** `CLUSTER KEYSLOT key`, asked to a running node. */
  keySlot(key: string | Uint8Array): Promise<number>;
  /** The primary owning `slot`, as a running node sees it now. */
  ownerOf(slot: number): Promise<ClusterNodeInfo>;
  /** Replicas of a primary (as of the last `waitStable()`). */
  replicasOf(primary: ClusterNodeInfo): ClusterNodeInfo[];
  /** The primary of a replica (as of the last `waitStable()`). */
  primaryOf(replica: ClusterNodeInfo): ClusterNodeInfo;
  /**
   * Waits until every running node says `cluster_state:ok`, knows every other node, and all agree on the
   * slot owners and roles; refreshes `nodes`. Rejects with the disagreement after `timeoutMs` (default 15 s).
   */
  waitStable(timeoutMs?: number): Promise<void>;
  /** SIGKILLs a node and waits until it is gone. */
  kill(node: ClusterNodeInfo): Promise<void>;
  /** Starts a node again (stopping it first if running) on the same port, dir and config; waits until stable (up to 30 s). */
  restart(node: ClusterNodeInfo): Promise<void>;
  /**
   * `CLUSTER FAILOVER [FORCE|TAKEOVER]` on a replica; resolves once every running node sees it as the
   * primary and the cluster is stable. Manual failovers are spaced at least 2 s apart (closer ones time out),
   * and a replica that won an election less than 4 s ago (2 × max(2 s, 2 × node timeout)) waits until then
   * (sooner, Redis stalls its election for that long). Resolves to the time from the command to the
   * promotion seen everywhere, in ms.
   */
  failover(replica: ClusterNodeInfo, options?: { force?: boolean; takeover?: boolean }): Promise<number>;
  /**
   * After `kill(oldPrimary)`: waits until one of its replicas owns its slots on every running node and the
   * cluster is stable. Resolves to the new primary.
   */
  waitForPromotion(oldPrimary: ClusterNodeInfo, timeoutMs?: number): Promise<ClusterNodeInfo>;
  /**
   * Starts moving `slot` from `from` to `to`: `SETSLOT IMPORTING` on `to`, `SETSLOT MIGRATING` on `from`,
   * then `MIGRATE` of `keys` (default: every key in the slot). With `finish: false` the slot stays
   * half-migrated: the old owner answers `-ASK` for moved keys and `-TRYAGAIN` for multi-key commands
   * spanning moved and unmoved ones. Default `finish: true` completes it (`finishMigration`).
   */
  migrateSlot(
    slot: number,
    from: ClusterNodeInfo,
    to: ClusterNodeInfo,
    options?: { finish?: boolean; keys?: string[] },
  ): Promise<void>;
  /** Moves the remaining keys of a half-migrated slot and assigns it to its new owner everywhere. */
  finishMigration(slot: number): Promise<void>;
  /** Moves `count` slots (the lowest `from` owns) with their keys from `from` to `to`; waits until stable. */
  reshard(count: number, from: ClusterNodeInfo, to: ClusterNodeInfo): Promise<number[]>;
  /**
   * `DEBUG SLEEP seconds` on a node: it stops answering anything, cluster bus included. Resolves when the
   * node answers again (do not await it to act meanwhile).
   */
  debugSleep(node: ClusterNodeInfo, seconds: number): Promise<void>;
  /** `INFO commandstats` and `INFO errorstats` of a node, parsed. */
  counters(node: ClusterNodeInfo): Promise<NodeCounters>;
  /** `CONFIG RESETSTAT` on every running node. */
  resetCounters(): Promise<void>;
  /** Keys per node: `DBSIZE` of every running primary, by node name. */
  dbsizes(): Promise<Record<string, number>>;
  /** Kills every node and removes the directory. Idempotent. */
  stop(): Promise<void>;
  /** `await using` support: `stop()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

const SLOTS = 16384;
const FAILOVER_SPACING_MS = 2000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class Node implements ClusterNodeInfo {
  readonly host = "127.0.0.1";
  id = "";
  role: "primary" | "replica" = "primary";
  primaryId?: string;
  slots: SlotRange[] = [];
  proc!: ServerProcess;

  constructor(readonly port: number, readonly busPort: number, readonly dir: string) {}

  get name(): string {
    return `${this.host}:${this.port}`;
  }
  get pid(): number {
    return this.proc.pid;
  }
  get running(): boolean {
    return this.proc.running;
  }
  get logFile(): string {
    return this.proc.logFile;
  }
}

/** One line of `CLUSTER NODES`. */
interface NodesLine {
  id: string;
  flags: string[];
  primaryId?: string;
  slots: SlotRange[];
  connected: boolean;
}

function parseClusterNodes(text: string): NodesLine[] {
  const lines: NodesLine[] = [];
  for (const line of text.split("\n")) {
    const parts = line.trim().split(" ");
    if (parts.length < 8) continue;
    const slots: SlotRange[] = [];
    // Ranges "a-b" or single "a"; "[slot->-id]" / "[slot-<-id]" mark migrations, not ownership.
    for (const s of parts.slice(8)) {
      if (s.startsWith("[")) continue;
      const [a, b] = s.split("-").map(Number);
      slots.push([a, b ?? a]);
    }
    lines.push({
      id: parts[0],
      flags: parts[2].split(","),
      primaryId: parts[3] === "-" ? undefined : parts[3],
      slots,
      connected: parts[7] === "connected",
    });
  }
  return lines;
}

/** The parts of a node's view all nodes must share: who owns which slots, and who replicates whom. */
function canonicalView(lines: NodesLine[]): string {
  const out: string[] = [];
  for (const l of lines) {
    if (l.flags.includes("fail") || l.flags.includes("handshake") || l.flags.includes("noaddr")) {
      out.push(`${l.id} down`);
    } else if (l.flags.includes("master")) {
      out.push(`${l.id} primary ${l.slots.map(([a, b]) => `${a}-${b}`).join(",")}`);
    } else out.push(`${l.id} replica-of ${l.primaryId}`);
  }
  return out.sort().join("\n");
}

function text(reply: RawReply, what: string): string {
  if (typeof reply === "string") return reply;
  if (reply instanceof RawErrorReply) throw new Error(`${what}: -${reply.message}`);
  throw new Error(`${what}: unexpected reply ${JSON.stringify(reply)}`);
}

function ok(reply: RawReply, what: string): void {
  if (reply instanceof RawErrorReply) throw new Error(`${what}: -${reply.message}`);
}

function quote(value: string): string {
  return JSON.stringify(value);
}

function run(file: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${file} ${args.join(" ")} failed: ${error.message}\n${stdout}\n${stderr}`));
      } else resolve(stdout);
    });
  });
}

class Cluster implements TestCluster {
  readonly nodes: Node[] = [];
  startupMs = 0;
  flavour: ServerFlavour = "redis";
  flavourVersion: number[] = [0, 0, 0];
  #stopped = false;
  #lastFailover = 0;
  /** When each node last won an election (manual failover or promotion). */
  #electedAt = new Map<Node, number>();
  #migrations = new Map<number, { from: Node; to: Node }>();
  /** Slots given a new owner by `SETSLOT NODE`, cleared once stable: a node still naming the old owner may
   * need an epoch bump. */
  #assigned = new Map<number, Node>();

  constructor(readonly options: ClusterOptions, readonly dir: string, readonly certs?: TestCerts) {}

  get password(): string | undefined {
    return this.options.password;
  }
  get user(): string | undefined {
    return this.options.user;
  }
  get announcedHost(): string | undefined {
    return this.options.announceHostname;
  }
  get primaries(): Node[] {
    return this.nodes.filter((n) => n.role === "primary");
  }
  get replicas(): Node[] {
    return this.nodes.filter((n) => n.role === "replica");
  }
  get seeds(): { host: string; port: number }[] {
    return this.nodes.map((n) => ({ host: n.host, port: n.port }));
  }

  target(node: ClusterNodeInfo): RawTarget {
    return { host: node.host, port: node.port, tls: this.certs ? { ca: this.certs.ca } : undefined };
  }

  #auth(): string[][] {
    const { password, user } = this.options;
    if (password === undefined) return [];
    return [user === undefined ? ["AUTH", password] : ["AUTH", user, password]];
  }

  async calls(
    node: ClusterNodeInfo,
    commands: (string | Uint8Array)[][],
    timeoutMs = 5000,
  ): Promise<RawReply[]> {
    const auth = this.#auth();
    const replies = await rawCommands(this.target(node), [...auth, ...commands], { timeoutMs });
    return replies.slice(auth.length);
  }

  async call(node: ClusterNodeInfo, ...args: (string | Uint8Array)[]): Promise<RawReply> {
    const [reply] = await this.calls(node, [args]);
    return reply;
  }

  node(idOrName: string): Node {
    const node = this.nodes.find((n) => n.id === idOrName || n.name === idOrName);
    if (!node) throw new Error(`no cluster node ${idOrName}`);
    return node;
  }

  #anyRunning(): Node {
    const node = this.nodes.find((n) => n.running);
    if (!node) throw new Error("no cluster node is running");
    return node;
  }

  async keySlot(key: string | Uint8Array): Promise<number> {
    return Number(await this.call(this.#anyRunning(), "CLUSTER", "KEYSLOT", key));
  }

  async #view(node: Node): Promise<NodesLine[]> {
    return parseClusterNodes(
      text(await this.call(node, "CLUSTER", "NODES"), `CLUSTER NODES on ${node.name}`),
    );
  }

  async ownerOf(slot: number): Promise<Node> {
    for (const node of this.nodes.filter((n) => n.running)) {
      try {
        const line = (await this.#view(node)).find((l) =>
          l.flags.includes("master") && !l.flags.includes("fail") &&
          l.slots.some(([a, b]) => a <= slot && slot <= b)
        );
        if (line) return this.node(line.id);
      } catch { /* a sleeping or dying node: ask the next one */ }
    }
    throw new Error(`no running node knows the owner of slot ${slot}`);
  }

  replicasOf(primary: ClusterNodeInfo): Node[] {
    return this.nodes.filter((n) => n.role === "replica" && n.primaryId === primary.id);
  }

  primaryOf(replica: ClusterNodeInfo): Node {
    if (replica.primaryId === undefined) throw new Error(`${replica.name} is not a replica`);
    return this.node(replica.primaryId);
  }

  /** Applies one node's view to the handles. */
  #apply(lines: NodesLine[]): void {
    for (const l of lines) {
      const node = this.nodes.find((n) => n.id === l.id);
      if (!node) continue;
      node.role = l.flags.includes("master") ? "primary" : "replica";
      node.primaryId = node.role === "replica" ? l.primaryId : undefined;
      node.slots = node.role === "primary" ? l.slots : [];
    }
  }

  /** Why the cluster is not stable yet, or `undefined` once it is. */
  async #instability(): Promise<string | undefined> {
    const running = this.nodes.filter((n) => n.running);
    let first: { node: Node; view: string; lines: NodesLine[] } | undefined;
    for (const node of running) {
      let info: string, lines: NodesLine[];
      try {
        const [infoReply, nodesReply] = await this.calls(
          node,
          [["CLUSTER", "INFO"], ["CLUSTER", "NODES"]],
          2000,
        );
        info = text(infoReply, "CLUSTER INFO");
        lines = parseClusterNodes(text(nodesReply, "CLUSTER NODES"));
      } catch (e) {
        return `${node.name}: ${(e as Error).message}`;
      }
      if (!/^cluster_state:ok/m.test(info)) return `${node.name}: not cluster_state:ok`;
      if (!info.includes(`cluster_slots_assigned:${SLOTS}`)) return `${node.name}: not every slot assigned`;
      for (const other of running) {
        const line = lines.find((l) => l.id === other.id);
        if (!line) return `${node.name} does not know ${other.name}`;
        if (other !== node && !line.connected) return `${node.name} is not connected to ${other.name}`;
        if (line.flags.some((f) => f === "fail" || f === "fail?" || f === "handshake")) {
          return `${node.name} sees ${other.name} as ${line.flags.join(",")}`;
        }
      }
      if (lines.some((l) => l.flags.includes("master") && l.slots.length > 0 && l.flags.includes("fail"))) {
        return `${node.name} sees a failed primary still owning slots`;
      }
      const view = canonicalView(lines);
      if (!first) first = { node, view, lines };
      else if (view !== first.view) {
        return `${node.name} and ${first.node.name} disagree:\n${view}\n---\n${first.view}`;
      }
    }
    if (!first) return "no node is running";
    this.#apply(first.lines);
    // A running replica must be replicating (fresh replicas serve reads, failovers have a candidate).
    for (const node of running.filter((n) => n.role === "replica")) {
      const info = await this.call(node, "INFO", "replication").catch((e) => String(e));
      if (typeof info !== "string" || !/^master_link_status:up/m.test(info)) {
        return `${node.name}: replication link not up`;
      }
    }
    return undefined;
  }

  async waitStable(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let disagreeingSince = 0;
    for (;;) {
      const why = await this.#instability();
      if (why === undefined) {
        this.#assigned.clear();
        return;
      }
      if (Date.now() > deadline) throw new Error(`cluster not stable after ${timeoutMs} ms: ${why}`);
      if (!why.includes(" disagree:") || this.#assigned.size === 0) disagreeingSince = 0;
      else if (disagreeingSince === 0) disagreeingSince = Date.now();
      else if (Date.now() - disagreeingSince > 2000) {
        // A node may keep a slot's old owner when the new owner's config epoch does not beat it (seen once, for
        // 15 s, after a migration on a busy machine): a higher epoch for every contested owner settles it.
        await this.#bumpContestedOwners();
        disagreeingSince = Date.now();
      }
      await sleep(50);
    }
  }

  /**
   * `CLUSTER BUMPEPOCH` on every primary whose own slots most running nodes, but not all, attribute to it.
   * Only after `SETSLOT NODE` (`#assigned`), and never for a lone claim: a restarted old primary still
   * claims its former slots until it learns it was replaced, and a higher epoch would hand them back to it.
   */
  async #bumpContestedOwners(): Promise<void> {
    const running = this.nodes.filter((n) => n.running);
    const views = new Map<Node, NodesLine[]>();
    for (const node of running) {
      const reply = await this.call(node, "CLUSTER", "NODES").catch(() => undefined);
      if (typeof reply === "string") views.set(node, parseClusterNodes(reply));
    }
    const ownerIn = (lines: NodesLine[], slot: number) =>
      lines.find((l) => l.slots.some(([a, b]) => slot >= a && slot <= b))?.id;
    // A new owner can lose its slot again: the old owner's gossip, with a higher epoch, reached it before the
    // old owner was told (seen on Valkey 8, whose SETSLOT NODE did not bump the new owner's epoch). Then
    // neither claims the slot: assign it again, with an epoch above every other.
    for (const [slot, to] of this.#assigned) {
      const lines = views.get(to);
      if (!lines || ownerIn(lines, slot) === to.id) continue;
      await this.call(to, "CLUSTER", "BUMPEPOCH").catch(() => undefined);
      await this.call(to, "CLUSTER", "SETSLOT", String(slot), "NODE", to.id).catch(() => undefined);
    }
    for (const [node, lines] of views) {
      const own = lines.find((l) => l.flags.includes("myself"));
      if (!own?.flags.includes("master")) continue;
      const agreeing = [...views.values()].filter((other) =>
        own.slots.every(([a, b]) => {
          for (let slot = a; slot <= b; slot++) if (ownerIn(other, slot) !== own.id) return false;
          return true;
        })
      ).length;
      if (agreeing > views.size / 2 && agreeing < views.size) {
        await this.call(node, "CLUSTER", "BUMPEPOCH").catch(() => undefined);
      }
    }
  }

  async kill(node: ClusterNodeInfo): Promise<void> {
    await (node as Node).proc.kill();
  }

  async restart(node: ClusterNodeInfo): Promise<void> {
    await (node as Node).proc.restart();
    // A restarted node rejoins by gossip: on a busy machine that takes longer than a failover settles.
    await this.waitStable(30_000);
  }

  async failover(
    replica: ClusterNodeInfo,
    options: { force?: boolean; takeover?: boolean } = {},
  ): Promise<number> {
    // Two manual failovers within 1 s time out about half the time: space them from the last promotion.
    // And a node that won an election less than the retry time ago (4 s with the 1 s node timeout) holds a
    // stale election clock: it reports "Failover attempt expired" and stalls until that time has passed.
    const nodeTimeout = this.options.nodeTimeoutMs ?? 1000;
    const authRetryMs = 2 * Math.max(2000, 2 * nodeTimeout);
    const wait = Math.max(
      this.#lastFailover + FAILOVER_SPACING_MS,
      (this.#electedAt.get(replica as Node) ?? 0) + authRetryMs + 100,
    ) - Date.now();
    if (wait > 0) await sleep(wait);
    const args = ["CLUSTER", "FAILOVER"];
    if (options.takeover) args.push("TAKEOVER");
    else if (options.force) args.push("FORCE");
    const oldPrimary = this.primaryOf(replica);
    const started = Date.now();
    ok(await this.call(replica, ...args), `${args.join(" ")} on ${replica.name}`);
    await this.#waitOwner(replica as Node, oldPrimary, 10_000);
    this.#lastFailover = Date.now();
    this.#electedAt.set(replica as Node, this.#lastFailover);
    const ms = this.#lastFailover - started;
    await this.waitStable();
    return ms;
  }

  /** Waits until every running node sees `primary` as a primary with the slots `old` had. */
  async #waitOwner(primary: Node, old: Node, timeoutMs: number): Promise<void> {
    const slot = old.slots[0]?.[0];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let everywhere = true;
      for (const node of this.nodes.filter((n) => n.running)) {
        const lines = await this.#view(node).catch(() => [] as NodesLine[]);
        const line = lines.find((l) => l.id === primary.id);
        const owns = line?.flags.includes("master") &&
          (slot === undefined || line.slots.some(([a, b]) => a <= slot && slot <= b));
        if (!owns) {
          everywhere = false;
          break;
        }
      }
      if (everywhere) return;
      if (Date.now() > deadline) {
        throw new Error(
          `${primary.name} not seen as the primary of ${old.name}'s slots within ${timeoutMs} ms`,
        );
      }
      await sleep(20);
    }
  }

  async waitForPromotion(oldPrimary: ClusterNodeInfo, timeoutMs = 15_000): Promise<Node> {
    const old = oldPrimary as Node;
    const slot = old.slots[0]?.[0];
    if (slot === undefined) throw new Error(`${old.name} owned no slots`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const candidates = this.replicasOf(old).filter((n) => n.running);
      for (const candidate of candidates) {
        const lines = await this.#view(candidate).catch(() => [] as NodesLine[]);
        if (lines.find((l) => l.id === candidate.id)?.flags.includes("master")) {
          this.#electedAt.set(candidate, Date.now());
          await this.#waitOwner(candidate, old, Math.max(1000, deadline - Date.now()));
          await this.waitStable(Math.max(1000, deadline - Date.now()));
          return candidate;
        }
      }
      if (Date.now() > deadline) throw new Error(`no replica of ${old.name} promoted within ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  /** `MIGRATE` arguments for `keys` to `to` (auth included). */
  #migrateArgs(to: Node, keys: string[]): string[] {
    const { password, user } = this.options;
    const auth = password === undefined
      ? []
      : user === undefined
      ? ["AUTH", password]
      : ["AUTH2", user, password];
    return ["MIGRATE", to.host, String(to.port), "", "0", "5000", "REPLACE", ...auth, "KEYS", ...keys];
  }

  async #moveKeys(slot: number, from: Node, to: Node, only?: string[]): Promise<void> {
    if (only) {
      if (only.length > 0) ok(await this.call(from, ...this.#migrateArgs(to, only)), `MIGRATE slot ${slot}`);
      return;
    }
    for (;;) {
      const keys = await this.call(from, "CLUSTER", "GETKEYSINSLOT", String(slot), "1000");
      if (!Array.isArray(keys) || keys.length === 0) return;
      ok(await this.call(from, ...this.#migrateArgs(to, keys as string[])), `MIGRATE slot ${slot}`);
    }
  }

  async #begin(slot: number, from: Node, to: Node): Promise<void> {
    ok(await this.call(to, "CLUSTER", "SETSLOT", String(slot), "IMPORTING", from.id), `IMPORTING ${slot}`);
    ok(await this.call(from, "CLUSTER", "SETSLOT", String(slot), "MIGRATING", to.id), `MIGRATING ${slot}`);
    this.#migrations.set(slot, { from, to });
  }

  /** Assigns the slot to `to`: the new owner first, then the old one, then every other primary. */
  async #assign(slot: number, from: Node, to: Node): Promise<void> {
    const others = this.nodes.filter((n) => n.running && n.role === "primary" && n !== from && n !== to);
    for (const node of [to, from, ...others]) {
      ok(
        await this.call(node, "CLUSTER", "SETSLOT", String(slot), "NODE", to.id),
        `SETSLOT NODE on ${node.name}`,
      );
    }
    this.#migrations.delete(slot);
    this.#assigned.set(slot, to);
  }

  async migrateSlot(
    slot: number,
    from: ClusterNodeInfo,
    to: ClusterNodeInfo,
    options: { finish?: boolean; keys?: string[] } = {},
  ): Promise<void> {
    await this.#begin(slot, from as Node, to as Node);
    await this.#moveKeys(slot, from as Node, to as Node, options.keys);
    if (options.finish ?? true) await this.finishMigration(slot);
  }

  async finishMigration(slot: number): Promise<void> {
    const migration = this.#migrations.get(slot);
    if (!migration) throw new Error(`slot ${slot} is not being migrated`);
    await this.#moveKeys(slot, migration.from, migration.to);
    await this.#assign(slot, migration.from, migration.to);
    await this.waitStable();
  }

  async reshard(count: number, from: ClusterNodeInfo, to: ClusterNodeInfo): Promise<number[]> {
    const slots: number[] = [];
    for (const [a, b] of from.slots) {
      for (let s = a; s <= b && slots.length < count; s++) slots.push(s);
    }
    if (slots.length < count) throw new Error(`${from.name} owns only ${slots.length} slots`);
    for (const slot of slots) {
      await this.#begin(slot, from as Node, to as Node);
      await this.#moveKeys(slot, from as Node, to as Node);
      await this.#assign(slot, from as Node, to as Node);
    }
    await this.waitStable();
    return slots;
  }

  async debugSleep(node: ClusterNodeInfo, seconds: number): Promise<void> {
    const reply = await this.calls(node, [["DEBUG", "SLEEP", String(seconds)]], seconds * 1000 + 10_000);
    ok(reply[0], `DEBUG SLEEP on ${node.name}`);
  }

  async counters(node: ClusterNodeInfo): Promise<NodeCounters> {
    const [commandstats, errorstats] = await this.calls(node, [["INFO", "commandstats"], [
      "INFO",
      "errorstats",
    ]]);
    const result: NodeCounters = { commands: {}, errors: {} };
    for (const m of text(commandstats, "INFO commandstats").matchAll(/^cmdstat_([^:]+):(.*)$/gm)) {
      const f = Object.fromEntries(m[2].trim().split(",").map((kv) => kv.split("=")));
      result.commands[m[1]] = {
        calls: Number(f.calls ?? 0),
        usec: Number(f.usec ?? 0),
        rejectedCalls: Number(f.rejected_calls ?? 0),
        failedCalls: Number(f.failed_calls ?? 0),
      };
    }
    for (const m of text(errorstats, "INFO errorstats").matchAll(/^errorstat_([^:]+):count=(\d+)/gm)) {
      result.errors[m[1]] = Number(m[2]);
    }
    return result;
  }

  async resetCounters(): Promise<void> {
    for (const node of this.nodes.filter((n) => n.running)) {
      ok(await this.call(node, "CONFIG", "RESETSTAT"), `CONFIG RESETSTAT on ${node.name}`);
    }
  }

  async dbsizes(): Promise<Record<string, number>> {
    const sizes: Record<string, number> = {};
    for (const node of this.nodes.filter((n) => n.running && n.role === "primary")) {
      sizes[node.name] = Number(await this.call(node, "DBSIZE"));
    }
    return sizes;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await Promise.all(this.nodes.map((n) => n.proc?.stop()));
    await rm(this.dir, { recursive: true, force: true });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  /** Config lines of one node. */
  config(node: Node): string[] {
    const o = this.options;
    const lines = [
      "bind 127.0.0.1",
      `dir ${quote(node.dir)}`,
      `pidfile ${quote(join(node.dir, "redis.pid"))}`,
      `logfile ${quote(join(node.dir, "redis.log"))}`,
      "daemonize no",
      'save ""',
      "appendonly no",
      "enable-debug-command yes",
      "cluster-enabled yes",
      "cluster-config-file nodes.conf",
      `cluster-node-timeout ${o.nodeTimeoutMs ?? 1000}`,
      `cluster-port ${node.busPort}`,
      // A replica may always take over, however long its link was down (kill/restart tests).
      "cluster-replica-validity-factor 0",
      // Full syncs start at once (the default waits 5 s for more replicas).
      "repl-diskless-sync-delay 0",
    ];
    if (this.certs) {
      lines.push(
        "port 0",
        `tls-port ${node.port}`,
        `tls-cert-file ${quote(join(node.dir, "server.crt"))}`,
        `tls-key-file ${quote(join(node.dir, "server.key"))}`,
        // Nodes connect to each other (bus, replication, MIGRATE) with the client certificate.
        `tls-client-cert-file ${quote(join(node.dir, "client.crt"))}`,
        `tls-client-key-file ${quote(join(node.dir, "client.key"))}`,
        `tls-ca-cert-file ${quote(join(node.dir, "ca.crt"))}`,
        "tls-auth-clients optional",
        "tls-cluster yes",
        "tls-replication yes",
      );
    } else lines.push(`port ${node.port}`);
    if (o.password !== undefined) {
      if (o.user !== undefined) {
        lines.push(
          "user default off",
          `user ${o.user} on >${o.password} ~* &* +@all`,
          `masteruser ${o.user}`,
        );
      } else lines.push(`requirepass ${quote(o.password)}`);
      lines.push(`masterauth ${quote(o.password)}`);
    }
    if (o.announceHostname !== undefined) {
      lines.push(
        `cluster-announce-hostname ${o.announceHostname}`,
        "cluster-preferred-endpoint-type hostname",
      );
    }
    lines.push(...(o.config ?? []));
    return lines;
  }

  /** redis-cli arguments for TLS and auth. */
  cliArgs(): string[] {
    const args: string[] = [];
    if (this.certs) args.push("--tls", "--cacert", join(this.nodes[0].dir, "ca.crt"));
    if (this.options.user !== undefined) args.push("--user", this.options.user);
    if (this.options.password !== undefined) args.push("-a", this.options.password, "--no-auth-warning");
    return args;
  }

  async startNode(binary: string, index: number): Promise<Node> {
    for (let attempt = 1;; attempt++) {
      const dir = join(this.dir, `node-${index}-${attempt}`);
      await mkdir(dir);
      const node = new Node(await freePort(), await freePort(), dir);
      if (this.certs) {
        await writeFile(join(dir, "ca.crt"), this.certs.ca);
        await writeFile(join(dir, "server.crt"), this.certs.cert);
        await writeFile(join(dir, "server.key"), this.certs.key, { mode: 0o600 });
        await writeFile(join(dir, "client.crt"), this.certs.clientCert);
        await writeFile(join(dir, "client.key"), this.certs.clientKey, { mode: 0o600 });
      }
      try {
        node.proc = await startServerProcess({
          dir,
          config: this.config(node),
          binary,
          ready: this.target(node),
        });
        return node;
      } catch (e) {
        // Someone took a free port before the node bound it: try fresh ones.
        if (attempt >= 3 || !/Address already in use/.test(String((e as { log?: string }).log ?? ""))) {
          throw e;
        }
      }
    }
  }
}

/**
 * Starts a Redis Cluster of `primaries` × `replicas` nodes (default 3 × 1) on free ports of 127.0.0.1 in a
 * fresh temp dir, with `cluster-node-timeout 1000`, creates it with `redis-cli --cluster create` and waits
 * until every node says `cluster_state:ok` and all agree on the slot map (about 2.5 s). Stop it with
 * `stop()` (nodes die with the test process anyway).
 *
 * @example
 * ```ts
 * import { startCluster } from "@uniredis/redis/testing";
 * const cluster = await startCluster();
 * const owner = await cluster.ownerOf(await cluster.keySlot("foo"));
 * console.log(await cluster.call(owner, "SET", "foo", "bar")); // "OK"
 * await cluster.stop();
 * ```
 */
export async function startCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const started = Date.now();
  const binary = options.binary ?? (defaultServerBinary());
  const bin = await binaryInfo(binary);
  const cli = bin.flavour === "valkey" ? "valkey-cli" : "redis-cli";
  const primaries = options.primaries ?? 3;
  const replicas = options.replicas ?? 1;
  const certs = options.tls ? await testCerts() : undefined;
  const dir = await mkdtemp(join(tmpdir(), "uniredis-cluster-"));
  const cluster = new Cluster(options, dir, certs);
  cluster.flavour = bin.flavour;
  cluster.flavourVersion = bin.version;
  try {
    const count = primaries * (1 + replicas);
    const nodes = await Promise.all(Array.from({ length: count }, (_, i) => cluster.startNode(binary, i)));
    cluster.nodes.push(...nodes);
    await run(cli, [
      ...cluster.cliArgs(),
      "--cluster",
      "create",
      ...nodes.map((n) => n.name),
      "--cluster-replicas",
      String(replicas),
      "--cluster-yes",
    ], 30_000);
    for (const node of nodes) node.id = text(await cluster.call(node, "CLUSTER", "MYID"), "CLUSTER MYID");
    await cluster.waitStable(options.startTimeoutMs ?? 20_000);
    // Primaries first, then replicas, each group in port order of creation.
    cluster.nodes.sort((a, b) => (a.role === b.role ? 0 : a.role === "primary" ? -1 : 1));
    cluster.startupMs = Date.now() - started;
    return cluster;
  } catch (e) {
    await cluster.stop();
    throw e;
  }
}
