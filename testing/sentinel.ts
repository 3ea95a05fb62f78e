/**
 * Starts a real Redis Sentinel topology for tests: one master, N replicas and
 * M sentinels (`redis-server --sentinel`, or `$UNIREDIS_REDIS_SERVER`), all on
 * free ports of 127.0.0.1 in one temp dir, plus the server-side actions the
 * Sentinel tests need: kill/restart any node, `SENTINEL FAILOVER`, waiting for
 * a switch, DEBUG SLEEP, raw commands and counters.
 *
 * Everything talks to the nodes through the raw RESP helper (`raw.ts`), never
 * through uniredis, so the harness works while the Sentinel client is broken.
 * Nodes run under the same pid guardian as standalone servers: they die with
 * the test process.
 *
 * @module
 */

import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestCerts, testCerts } from "./certs.ts";
import type { NodeCounters } from "./cluster.ts";
import { freePort } from "./ports.ts";
import { rawCommands, RawErrorReply, type RawReply, type RawTarget } from "./raw.ts";
import {
  binaryInfo,
  defaultServerBinary,
  type ServerFlavour,
  type ServerProcess,
  startServerProcess,
} from "./server.ts";

/** Options of `startSentinel`. */
export interface SentinelOptions {
  /** Replicas of the master (default 2). */
  replicas?: number;
  /** Sentinels (default 3). */
  sentinels?: number;
  /** The monitored service's name (default `"mymaster"`). */
  masterName?: string;
  /** `sentinel down-after-milliseconds` (default 1000). */
  downAfterMs?: number;
  /** `sentinel failover-timeout` (default 3000). */
  failoverTimeoutMs?: number;
  /** Sentinels that must agree the master is down (default 2). */
  quorum?: number;
  /**
   * Password of the data nodes (`requirepass`, or `user`'s password; `masterauth`); the sentinels get it
   * through `sentinel auth-pass`.
   */
  password?: string;
  /**
   * ACL user of the data nodes, with all rights and `password` (`masteruser`, `sentinel auth-user`); the
   * default user is turned off. Needs `password`.
   */
  user?: string;
  /** Password of the sentinels (`requirepass`; sentinels reach each other with `sentinel sentinel-pass`). */
  sentinelPassword?: string;
  /** Every node and sentinel on a TLS port only, with `tls-replication yes` (test CA). */
  tls?: boolean;
  /** Extra config lines for every data node (not the sentinels), appended last. */
  config?: string[];
  /** Extra config lines for every sentinel, appended last. */
  sentinelConfig?: string[];
  /** Server binary (default `$UNIREDIS_REDIS_SERVER` or `redis-server`), also run with `--sentinel`. */
  binary?: string;
  /** Deadline for the topology to become ready (default 20 s). */
  startTimeoutMs?: number;
}

/** One process of a sentinel topology: a data node or a sentinel. */
export interface SentinelNodeInfo {
  /** Always `"127.0.0.1"`. */
  readonly host: string;
  /** The node's client port (its TLS port with `tls`). */
  readonly port: number;
  /** `"host:port"`. */
  readonly name: string;
  /** `"data"` (master or replica) or `"sentinel"`. */
  readonly kind: "data" | "sentinel";
  /** Role of a data node as last seen by the harness (`"sentinel"` for a sentinel). */
  readonly role: "master" | "replica" | "sentinel";
  /** PID of the server process (changes on `restart`). */
  readonly pid: number;
  /** Whether the process is believed to be running. */
  readonly running: boolean;
  /** The node's directory (config, log). */
  readonly dir: string;
  /** Path of the node's log file. */
  readonly logFile: string;
}

/** A switch of master, as `failover()` and `waitForSwitch()` see it. */
export interface MasterSwitch {
  /** The master before. */
  from: SentinelNodeInfo;
  /** The master after. */
  to: SentinelNodeInfo;
  /** `Date.now()` when a sentinel first reported `to` as the master. */
  at: number;
  /** `Date.now()` when every running sentinel reported `to` (they switch up to about 1 s apart). */
  agreedAt: number;
}

/** A running test topology (see `startSentinel`). */
export interface TestSentinel {
  /** The monitored service's name. */
  readonly masterName: string;
  /** The current master (as of the last switch the harness saw). */
  readonly master: SentinelNodeInfo;
  /** The current replicas (every data node but the master). */
  readonly replicas: SentinelNodeInfo[];
  /** Every data node, in creation order (the first one was the first master). */
  readonly dataNodes: readonly SentinelNodeInfo[];
  /** The sentinels, in creation order. */
  readonly sentinels: readonly SentinelNodeInfo[];
  /** `{ host, port }` of every sentinel, for `new Sentinel(...)`. */
  readonly sentinelAddresses: { host: string; port: number }[];
  /** TLS material, with `tls`. */
  readonly certs?: TestCerts;
  /** Data nodes' password, if any. */
  readonly password?: string;
  /** The data nodes' ACL user the password belongs to, if not `default`. */
  readonly user?: string;
  /** Sentinels' password, if any. */
  readonly sentinelPassword?: string;
  /** `"redis"` or `"valkey"`. */
  readonly flavour: ServerFlavour;
  /** The flavour's own version (`[7, 0, 15]`, `[8, 0, 1]`). */
  readonly flavourVersion: number[];
  /** How long `startSentinel` took until the topology was ready, in ms. */
  readonly startupMs: number;
  /** Raw target (host, port, TLS) of a node, for `rawCommands`. Authentication is not included. */
  target(node: SentinelNodeInfo): RawTarget;
  /** Sends one command to a node over a fresh raw connection, authenticated as that kind of node needs. */
  call(node: SentinelNodeInfo, ...args: (string | Uint8Array)[]): Promise<RawReply>;
  /** Sends several commands on one raw connection (authenticated first); one reply each. */
  calls(node: SentinelNodeInfo, commands: (string | Uint8Array)[][], timeoutMs?: number): Promise<RawReply[]>;
  /** The data node with this `host:port` name. */
  node(name: string): SentinelNodeInfo;
  /** The master as a running sentinel reports it now (`SENTINEL GET-MASTER-ADDR-BY-NAME`). */
  currentMaster(): Promise<SentinelNodeInfo>;
  /** SIGKILLs a node and waits until it is gone. */
  kill(node: SentinelNodeInfo): Promise<void>;
  /** Starts a node again (stopping it first if running) on the same port, dir and config file. */
  restart(node: SentinelNodeInfo): Promise<void>;
  /**
   * `SENTINEL FAILOVER` on a sentinel, then waits until every running sentinel reports the new master. The
   * old master is not demoted yet: it stays a writable master for about 10 s more, until a sentinel's INFO
   * sees it and sends it REPLICAOF (`waitReady()` waits for that).
   */
  failover(): Promise<MasterSwitch>;
  /**
   * Waits until a running sentinel reports a master other than `from` (default: the current master), after
   * `kill(master)` or a hang, then until every running sentinel reports it; resolves with the switch, `at`
   * being the first report seen (sentinels polled every 10 ms).
   */
  waitForSwitch(from?: SentinelNodeInfo, timeoutMs?: number): Promise<MasterSwitch>;
  /**
   * Waits until every running sentinel reports the same master (which `master` then follows) with every
   * other running data node as a healthy replica and knows every other running sentinel, and the replicas'
   * links are up.
   */
  waitReady(timeoutMs?: number): Promise<void>;
  /**
   * Sends `DEBUG SLEEP seconds` to a data node without waiting for it: the node hangs from the moment this
   * resolves. The returned promise resolves once the command is written.
   */
  debugSleep(node: SentinelNodeInfo, seconds: number): Promise<void>;
  /** `INFO commandstats` and `INFO errorstats` of a node, parsed. */
  counters(node: SentinelNodeInfo): Promise<NodeCounters>;
  /** `CONFIG RESETSTAT` on every running data node. */
  resetCounters(): Promise<void>;
  /** Kills every process and removes the directory. Idempotent. */
  stop(): Promise<void>;
  /** `await using` support: `stop()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function quote(value: string): string {
  return JSON.stringify(value); // Redis config accepts C-style double-quoted strings
}

function text(reply: RawReply, what: string): string {
  if (typeof reply === "string") return reply;
  if (reply instanceof RawErrorReply) throw new Error(`${what}: -${reply.message}`);
  throw new Error(`${what}: unexpected reply ${JSON.stringify(reply)}`);
}

function ok(reply: RawReply, what: string): void {
  if (reply instanceof RawErrorReply) throw new Error(`${what}: -${reply.message}`);
}

/** A flat RESP2 map (`[k1, v1, ...]`) as an object of strings. */
function fields(reply: RawReply, what: string): Record<string, string> {
  if (!Array.isArray(reply)) throw new Error(`${what}: unexpected reply ${JSON.stringify(reply)}`);
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1]);
  return out;
}

class Node implements SentinelNodeInfo {
  readonly host = "127.0.0.1";
  role: "master" | "replica" | "sentinel";
  proc!: ServerProcess;
  /** A sentinel's fixed run id (`sentinel myid`), so the others can be told about it up front. */
  readonly id = randomBytes(20).toString("hex");

  constructor(readonly kind: "data" | "sentinel", readonly port: number, readonly dir: string) {
    this.role = kind === "sentinel" ? "sentinel" : "replica";
  }

  get name(): string {
    return `${this.host}:${this.port}`;
  }
  get pid(): number {
    return this.proc.pid;
  }
  get running(): boolean {
    return this.proc?.running ?? false;
  }
  get logFile(): string {
    return this.proc.logFile;
  }
}

class Topology implements TestSentinel {
  readonly dataNodes: Node[] = [];
  readonly sentinels: Node[] = [];
  startupMs = 0;
  flavour: ServerFlavour = "redis";
  flavourVersion: number[] = [0, 0, 0];
  #stopped = false;

  constructor(readonly options: SentinelOptions, readonly dir: string, readonly certs?: TestCerts) {}

  get masterName(): string {
    return this.options.masterName ?? "mymaster";
  }
  get password(): string | undefined {
    return this.options.password;
  }
  get user(): string | undefined {
    return this.options.user;
  }
  get sentinelPassword(): string | undefined {
    return this.options.sentinelPassword;
  }
  get master(): Node {
    const master = this.dataNodes.find((n) => n.role === "master");
    if (!master) throw new Error("no master known");
    return master;
  }
  get replicas(): Node[] {
    return this.dataNodes.filter((n) => n.role === "replica");
  }
  get sentinelAddresses(): { host: string; port: number }[] {
    return this.sentinels.map((n) => ({ host: n.host, port: n.port }));
  }

  target(node: SentinelNodeInfo): RawTarget {
    const certs = this.certs;
    return {
      host: node.host,
      port: node.port,
      tls: certs ? { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } : undefined,
    };
  }

  #auth(node: SentinelNodeInfo): string[][] {
    if (node.kind === "sentinel") {
      const password = this.options.sentinelPassword;
      return password === undefined ? [] : [["AUTH", password]];
    }
    const { password, user } = this.options;
    if (password === undefined) return [];
    return [user === undefined ? ["AUTH", password] : ["AUTH", user, password]];
  }

  async calls(
    node: SentinelNodeInfo,
    commands: (string | Uint8Array)[][],
    timeoutMs = 5000,
  ): Promise<RawReply[]> {
    const auth = this.#auth(node);
    const replies = await rawCommands(this.target(node), [...auth, ...commands], { timeoutMs });
    return replies.slice(auth.length);
  }

  async call(node: SentinelNodeInfo, ...args: (string | Uint8Array)[]): Promise<RawReply> {
    const [reply] = await this.calls(node, [args]);
    return reply;
  }

  node(name: string): Node {
    const node = this.dataNodes.find((n) => n.name === name);
    if (!node) throw new Error(`no data node ${name}`);
    return node;
  }

  /** The master address each running sentinel reports (`undefined` for one that does not answer). */
  async #reports(): Promise<(string | undefined)[]> {
    return await Promise.all(
      this.sentinels.filter((s) => s.running).map(async (s) => {
        try {
          const [reply] = await this.calls(
            s,
            [["SENTINEL", "GET-MASTER-ADDR-BY-NAME", this.masterName]],
            1000,
          );
          return Array.isArray(reply) ? `${reply[0]}:${reply[1]}` : undefined;
        } catch {
          return undefined;
        }
      }),
    );
  }

  async currentMaster(): Promise<Node> {
    const name = (await this.#reports()).find((r) => r !== undefined);
    if (name === undefined) throw new Error("no running sentinel reports a master");
    return this.node(name);
  }

  /** Follows the sentinels when they all agree on a master the handles do not know yet. */
  async #follow(): Promise<void> {
    const reports = await this.#reports();
    if (reports.length > 0 && reports.every((r) => r !== undefined && r === reports[0])) {
      this.#promote(this.node(reports[0]!));
    }
  }

  /** Makes `master` the master in the handles. */
  #promote(master: Node): void {
    for (const node of this.dataNodes) node.role = node === master ? "master" : "replica";
  }

  async kill(node: SentinelNodeInfo): Promise<void> {
    await (node as Node).proc.kill();
  }

  async restart(node: SentinelNodeInfo): Promise<void> {
    await (node as Node).proc.restart();
  }

  async waitForSwitch(from: SentinelNodeInfo = this.master, timeoutMs = 30_000): Promise<MasterSwitch> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const name = (await this.#reports()).find((r) => r !== undefined && r !== from.name);
      if (name !== undefined) {
        const at = Date.now();
        const to = this.node(name);
        this.#promote(to);
        // The leader switches last (after reconfiguring the replicas), the others on its hello message.
        while ((await this.#reports()).some((r) => r !== name)) {
          if (Date.now() > deadline) throw new Error(`the sentinels do not agree on ${name} as the master`);
          await sleep(10);
        }
        return { from, to, at, agreedAt: Date.now() };
      }
      if (Date.now() > deadline) throw new Error(`no sentinel reported a master other than ${from.name}`);
      await sleep(10);
    }
  }

  async failover(): Promise<MasterSwitch> {
    const from = this.master;
    const sentinel = this.sentinels.find((s) => s.running);
    if (!sentinel) throw new Error("no sentinel is running");
    ok(await this.call(sentinel, "SENTINEL", "FAILOVER", this.masterName), "SENTINEL FAILOVER");
    return await this.waitForSwitch(from);
  }

  /** Why the topology is not ready yet, or `undefined` once it is. */
  async #unready(): Promise<string | undefined> {
    const master = this.master;
    const replicas = this.replicas.filter((n) => n.running);
    const sentinels = this.sentinels.filter((s) => s.running);
    for (const s of sentinels) {
      let m: Record<string, string>, reps: RawReply, others: RawReply;
      try {
        const replies = await this.calls(s, [
          ["SENTINEL", "MASTER", this.masterName],
          ["SENTINEL", "REPLICAS", this.masterName],
          ["SENTINEL", "SENTINELS", this.masterName],
        ], 2000);
        m = fields(replies[0], "SENTINEL MASTER");
        [, reps, others] = replies;
      } catch (e) {
        return `${s.name}: ${(e as Error).message}`;
      }
      if (`${m.ip}:${m.port}` !== master.name) return `${s.name} reports master ${m.ip}:${m.port}`;
      if (m.flags !== "master") return `${s.name} flags the master ${m.flags}`;
      if (!Array.isArray(reps)) return `${s.name}: SENTINEL REPLICAS answered ${JSON.stringify(reps)}`;
      for (const replica of replicas) {
        const r = reps.map((x) => fields(x, "SENTINEL REPLICAS")).find((x) =>
          `${x.ip}:${x.port}` === replica.name
        );
        if (!r) return `${s.name} does not list replica ${replica.name}`;
        if (r.flags !== "slave") return `${s.name} flags replica ${replica.name} ${r.flags}`;
        // Not checked: the replica's master-host, refreshed by INFO only every 10 s (replicas are asked below).
        if (r["master-link-status"] !== "ok") return `${s.name} sees ${replica.name}'s link down`;
      }
      if (!Array.isArray(others)) return `${s.name}: SENTINEL SENTINELS answered ${JSON.stringify(others)}`;
      const known = others.map((x) => fields(x, "SENTINEL SENTINELS"))
        // "disconnected" until the sentinel's link to the other one is up (they are listed up front).
        .filter((x) => x.flags === "sentinel")
        .map((x) => `${x.ip}:${x.port}`);
      for (const other of sentinels) {
        if (other !== s && !known.includes(other.name)) {
          return `${s.name} does not know sentinel ${other.name}`;
        }
      }
    }
    for (const replica of replicas) {
      try {
        const info = text(await this.call(replica, "INFO", "replication"), "INFO replication");
        if (!info.includes(`master_port:${master.port}`)) {
          return `${replica.name} does not replicate the master`;
        }
        if (!/^master_link_status:up/m.test(info)) return `${replica.name}: master link not up`;
      } catch (e) {
        return `${replica.name}: ${(e as Error).message}`;
      }
    }
    return undefined;
  }

  // After a failover the sentinels refresh a replica's link state only every 10 s, and a demoted master
  // resynchronizes first: on a busy machine that takes more than 20 s.
  async waitReady(timeoutMs = 40_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.#follow();
      const why = await this.#unready();
      if (why === undefined) return;
      if (Date.now() > deadline) {
        throw new Error(`sentinel topology not ready within ${timeoutMs} ms: ${why}`);
      }
      await sleep(20);
    }
  }

  async debugSleep(node: SentinelNodeInfo, seconds: number): Promise<void> {
    if (node.kind !== "data") throw new Error("debugSleep: only data nodes sleep");
    // The reply comes after the sleep: do not wait for it, but do wait until the command is sent (the AUTH
    // reply, if any, proves the connection is up and the next command is on its way).
    const auth = this.#auth(node);
    const done = rawCommands(this.target(node), [...auth, ["PING"], ["DEBUG", "SLEEP", String(seconds)]], {
      timeoutMs: seconds * 1000 + 10_000,
    });
    done.catch(() => {}); // a node killed while asleep
    await sleep(50);
  }

  async counters(node: SentinelNodeInfo): Promise<NodeCounters> {
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
    for (const node of this.dataNodes.filter((n) => n.running)) {
      ok(await this.call(node, "CONFIG", "RESETSTAT"), `CONFIG RESETSTAT on ${node.name}`);
    }
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await Promise.all([...this.sentinels, ...this.dataNodes].map((n) => n.proc?.stop()));
    await rm(this.dir, { recursive: true, force: true });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  /** TLS and logging lines shared by data nodes and sentinels. */
  #common(node: Node): string[] {
    const lines = [
      "bind 127.0.0.1",
      `dir ${quote(node.dir)}`,
      `pidfile ${quote(join(node.dir, "redis.pid"))}`,
      `logfile ${quote(join(node.dir, "redis.log"))}`,
      "daemonize no",
    ];
    if (this.certs) {
      lines.push(
        "port 0",
        `tls-port ${node.port}`,
        `tls-cert-file ${quote(join(node.dir, "server.crt"))}`,
        `tls-key-file ${quote(join(node.dir, "server.key"))}`,
        // Replication and sentinel links present the client certificate.
        `tls-client-cert-file ${quote(join(node.dir, "client.crt"))}`,
        `tls-client-key-file ${quote(join(node.dir, "client.key"))}`,
        `tls-ca-cert-file ${quote(join(node.dir, "ca.crt"))}`,
        "tls-auth-clients optional",
        "tls-replication yes",
      );
    } else lines.push(`port ${node.port}`);
    return lines;
  }

  /** Config lines of a data node; `master` is the first master (for a replica's `replicaof`). */
  dataConfig(node: Node, master: Node | undefined): string[] {
    const o = this.options;
    const lines = [
      ...this.#common(node),
      'save ""',
      "appendonly no",
      "enable-debug-command yes",
      // Full syncs start at once (the default waits 5 s for more replicas).
      "repl-diskless-sync-delay 0",
    ];
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
    if (master) lines.push(`replicaof ${master.host} ${master.port}`);
    lines.push(...(o.config ?? []));
    return lines;
  }

  /** Config lines of a sentinel; the others are listed up front so nobody waits for hello messages. */
  sentinelConfig(node: Node, master: Node): string[] {
    const o = this.options;
    const name = this.masterName;
    const lines = [
      ...this.#common(node),
      `sentinel myid ${node.id}`,
      `sentinel monitor ${name} ${master.host} ${master.port} ${o.quorum ?? 2}`,
      `sentinel down-after-milliseconds ${name} ${o.downAfterMs ?? 1000}`,
      `sentinel failover-timeout ${name} ${o.failoverTimeoutMs ?? 3000}`,
      `sentinel parallel-syncs ${name} 1`,
    ];
    if (o.password !== undefined) {
      if (o.user !== undefined) lines.push(`sentinel auth-user ${name} ${o.user}`);
      lines.push(`sentinel auth-pass ${name} ${quote(o.password)}`);
    }
    if (o.sentinelPassword !== undefined) {
      lines.push(
        `requirepass ${quote(o.sentinelPassword)}`,
        `sentinel sentinel-pass ${quote(o.sentinelPassword)}`,
      );
    }
    for (const replica of this.dataNodes.filter((n) => n !== master)) {
      lines.push(`sentinel known-replica ${name} ${replica.host} ${replica.port}`);
    }
    for (const other of this.sentinels.filter((s) => s !== node)) {
      lines.push(`sentinel known-sentinel ${name} ${other.host} ${other.port} ${other.id}`);
    }
    lines.push(...(o.sentinelConfig ?? []));
    return lines;
  }

  /** Creates a node's directory (with TLS files) on a free port. */
  async makeNode(kind: "data" | "sentinel", index: number, attempt: number): Promise<Node> {
    const dir = join(this.dir, `${kind}-${index}-${attempt}`);
    await mkdir(dir);
    if (this.certs) {
      await writeFile(join(dir, "ca.crt"), this.certs.ca);
      await writeFile(join(dir, "server.crt"), this.certs.cert);
      await writeFile(join(dir, "server.key"), this.certs.key, { mode: 0o600 });
      await writeFile(join(dir, "client.crt"), this.certs.clientCert);
      await writeFile(join(dir, "client.key"), this.certs.clientKey, { mode: 0o600 });
    }
    return new Node(kind, await freePort(), dir);
  }

  /** Starts `node` with `config`; on a port taken meanwhile, retries with a fresh node from `remake`. */
  async launch(
    binary: string,
    node: Node,
    config: (node: Node) => string[],
    remake: (attempt: number) => Promise<Node>,
  ): Promise<Node> {
    for (let attempt = 1;; attempt++) {
      try {
        node.proc = await startServerProcess({
          dir: node.dir,
          config: config(node),
          args: node.kind === "sentinel" ? ["--sentinel"] : [],
          binary,
          ready: this.target(node),
        });
        return node;
      } catch (e) {
        // Someone took a free port before the node bound it: try a fresh one.
        if (attempt >= 3 || !/Address already in use/.test(String((e as { log?: string }).log ?? ""))) {
          throw e;
        }
        node = await remake(attempt + 1);
      }
    }
  }
}

/**
 * Starts a Sentinel topology on free ports of 127.0.0.1 in a fresh temp dir: one master, `replicas`
 * replicas (default 2) and `sentinels` sentinels (default 3) monitoring it as `masterName` (default
 * `"mymaster"`) with `down-after-milliseconds 1000`, a short `failover-timeout` and quorum 2. Resolves once
 * every sentinel reports the master with every replica healthy and knows the other sentinels, and the
 * replicas' links are up. Stop it with `stop()` (processes die with the test process anyway).
 *
 * @example
 * ```ts
 * import { startSentinel } from "@uniredis/redis/testing";
 * const topology = await startSentinel();
 * console.log(await topology.call(topology.master, "SET", "foo", "bar")); // "OK"
 * const { from, to } = await topology.failover();
 * await topology.stop();
 * ```
 */
export async function startSentinel(options: SentinelOptions = {}): Promise<TestSentinel> {
  const started = Date.now();
  if (options.user !== undefined && options.password === undefined) {
    throw new Error("startSentinel: `user` needs `password`");
  }
  const binary = options.binary ?? (defaultServerBinary());
  const bin = await binaryInfo(binary);
  const certs = options.tls ? await testCerts() : undefined;
  const dir = await mkdtemp(join(tmpdir(), "uniredis-sentinel-"));
  const topology = new Topology(options, dir, certs);
  topology.flavour = bin.flavour;
  topology.flavourVersion = bin.version;
  try {
    const replicas = options.replicas ?? 2;
    const sentinels = options.sentinels ?? 3;
    // Every port first: sentinels' configs name every replica and every other sentinel.
    for (let i = 0; i <= replicas; i++) topology.dataNodes.push(await topology.makeNode("data", i, 1));
    for (let i = 0; i < sentinels; i++) topology.sentinels.push(await topology.makeNode("sentinel", i, 1));
    const master = topology.dataNodes[0];
    master.role = "master";
    const launchAll = (nodes: Node[], config: (node: Node) => string[]) =>
      Promise.all(nodes.map((node) => {
        const list = node.kind === "data" ? topology.dataNodes : topology.sentinels;
        const index = list.indexOf(node);
        return topology.launch(binary, node, config, async (attempt) => {
          const fresh = await topology.makeNode(node.kind, index, attempt);
          fresh.role = node.role;
          list[index] = fresh;
          return fresh;
        });
      }));
    await launchAll([master], (n) => topology.dataConfig(n, undefined));
    await launchAll(topology.dataNodes.slice(1), (n) => topology.dataConfig(n, topology.master));
    await launchAll([...topology.sentinels], (n) => topology.sentinelConfig(n, topology.master));
    await topology.waitReady(options.startTimeoutMs ?? 20_000);
    topology.startupMs = Date.now() - started;
    return topology;
  } catch (e) {
    await topology.stop();
    throw e;
  }
}
