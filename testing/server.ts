/**
 * Starts real `redis-server` processes for tests.
 *
 * Every server runs behind a guardian shell that blocks reading a pipe from
 * this process and SIGKILLs the server when the pipe closes, so servers never
 * outlive the test process, however it ends (even SIGKILL, or a runtime that
 * skips cleanup hooks). The guardian and its pipes are unref'ed: they never
 * keep the test process alive.
 *
 * Layers: `startServerProcess` runs any server from config lines (for later
 * replicas, sentinels and clusters); `startRedis` builds a standalone config
 * from options; `sharedRedis` memoizes standard servers per process.
 *
 * @module
 */

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import process from "node:process";
import { type TestCerts, testCerts } from "./certs.ts";
import { freePort } from "./ports.ts";
import { rawCommands, RawErrorReply, type RawReply, type RawTarget } from "./raw.ts";

/** Options of `startRedis`. */
export interface RedisServerOptions {
  /** Also listen with TLS on `tlsPort` (test CA, client certificates optional). */
  tls?: boolean;
  /** Also listen on a unix socket at `socketPath`. */
  unixSocket?: boolean;
  /** ACL users, one rule line each (`"alice on >pw ~* +@all"`; a leading `ACL SETUSER`/`user` is accepted). */
  aclUsers?: string[];
  /** Password of the default user (`requirepass`). */
  requirePass?: string;
  /** Extra config-file lines, appended last (`"replicaof 127.0.0.1 7000"`, `"cluster-enabled yes"`, ...). */
  config?: string[];
  /** Extra command-line arguments after the config file (`["--loglevel", "debug"]`). */
  args?: string[];
  /** Server binary (default: `defaultServerBinary()`). */
  binary?: string;
  /**
   * Start as a replica of this server (`replicaof`, with `masterauth` from its `requirePass`) and wait until
   * the link is up and the first sync is done.
   */
  replicaOf?: ReplicaOf;
  /** Fixed plain TCP port (default: a free one). */
  port?: number;
  /** Fixed TLS port, with `tls` (default: a free one). */
  tlsPort?: number;
  /** How long to wait for the first PONG (default 10 s). */
  startTimeoutMs?: number;
}

/** The primary a replica follows: a `RedisServer`, or any address (with its password, if any). */
export interface ReplicaOf {
  /** Host of the primary (default `"127.0.0.1"`). */
  readonly host?: string;
  /** Plain TCP port of the primary. */
  readonly port: number;
  /** Password the replica authenticates with (`masterauth`); a `RedisServer`'s `requirePass` by default. */
  readonly requirePass?: string;
}

/** A running (or stopped) test server; `await using` stops it. */
export interface RedisServer extends AsyncDisposable {
  /** Always `"127.0.0.1"`. */
  readonly host: string;
  /** Plain TCP port. */
  readonly port: number;
  /** TLS port, when started with `tls`. */
  readonly tlsPort?: number;
  /** Unix socket path, when started with `unixSocket`. */
  readonly socketPath?: string;
  /** PID of the redis-server process (changes on `restart`). */
  readonly pid: number;
  /** The server's private temp directory (config, log, pidfile, socket). */
  readonly dir: string;
  /** Path of the server's log file. */
  readonly logFile: string;
  /** TLS material, when started with `tls`. */
  readonly certs?: TestCerts;
  /** Password of the default user, when started with `requirePass`. */
  readonly requirePass?: string;
  /**
   * Redis version from `INFO server` (`redis_version`), e.g. `[7, 0, 15]`. Valkey reports the Redis release
   * it is compatible with (`[7, 2, 4]` for Valkey 8.0): see `flavour` and `flavourVersion`.
   */
  readonly version: number[];
  /** `"redis"` or `"valkey"`. */
  readonly flavour: ServerFlavour;
  /** The flavour's own version: `redis_version` on Redis, `valkey_version` on Valkey (`[8, 0, 1]`). */
  readonly flavourVersion: number[];
  /** Flavour and version for messages: `"redis 7.0.15"`, `"valkey 8.0.1"`. */
  readonly label: string;
  /** Whether the process is believed to be running. */
  readonly running: boolean;
  /** Sends one command over a raw connection (authenticating first when `requirePass` is set). */
  command(...args: (string | Uint8Array)[]): Promise<RawReply>;
  /** SIGTERMs the server, waits until it is gone and removes `dir`. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILLs the server (fault tests) and waits until it is dead; `restart()` brings it back. */
  kill(): Promise<void>;
  /** Stops the server if running and starts it again on the same ports, in the same dir. */
  restart(): Promise<void>;
}

/** A generic server process: config lines in, handle out (see `startServerProcess`). */
export interface ServerProcessSpec {
  /** Directory that holds the config file and everything the server writes. */
  dir: string;
  /** Config file lines. */
  config: string[];
  /** Extra command-line arguments after the config file (e.g. `["--sentinel"]`). */
  args?: string[];
  /** Binary to run (default as in `RedisServerOptions.binary`). */
  binary?: string;
  /** Where to send PING to know the server is up. */
  ready: RawTarget;
  /** Deadline for the first reply (default 10 s). */
  startTimeoutMs?: number;
}

/** A process started by `startServerProcess`; `await using` stops it. */
export interface ServerProcess extends AsyncDisposable {
  /** PID of the server process (changes on `restart`). */
  readonly pid: number;
  /** The directory of `ServerProcessSpec.dir`. */
  readonly dir: string;
  /** Path of the log file, when the config sets `logfile` to `redis.log` in `dir`. */
  readonly logFile: string;
  /** Whether the process is believed to be running. */
  readonly running: boolean;
  /** SIGTERMs the process, waits until it is gone and removes `dir`. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILLs the process and waits until it is dead; `restart()` brings it back. */
  kill(): Promise<void>;
  /** Stops the process if running and starts it again with the same config. */
  restart(): Promise<void>;
}

/**
 * The server binary was not found (or could not run). Its message names the packages that provide it.
 *
 * @example
 * ```ts
 * import { ServerNotFoundError, startRedis } from "@uniredis/redis/testing";
 * try {
 *   await startRedis({ binary: "/opt/none/redis-server" });
 * } catch (e) {
 *   console.log(e instanceof ServerNotFoundError); // true
 * }
 * ```
 */
export class ServerNotFoundError extends Error {
  /** The binary that was looked for. */
  readonly binary: string;
  /** `binary` is the server binary that could not run; `options.cause` the spawn error. */
  constructor(binary: string, options?: ErrorOptions) {
    super(
      `cannot run ${binary}: a Redis server is needed to start test servers. Install one ` +
        "(Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis`; " +
        "or Valkey: `valkey-server`), put it on PATH, or pass its path as the `binary` option " +
        "(or in $UNIREDIS_REDIS_SERVER)",
      options,
    );
    this.name = "ServerNotFoundError";
    this.binary = binary;
  }
}

function onPath(name: string): boolean {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch { /* not here */ }
  }
  return false;
}

/**
 * The server binary used when no `binary` option is given: `$UNIREDIS_REDIS_SERVER` when set, else
 * `redis-server` when it is on `PATH`, else `valkey-server` when that is, else `"redis-server"` (starting a
 * server then fails with a `ServerNotFoundError`).
 *
 * @example
 * ```ts
 * import { defaultServerBinary } from "@uniredis/redis/testing";
 * console.log(defaultServerBinary()); // "redis-server"
 * ```
 */
export function defaultServerBinary(): string {
  const chosen = process.env.UNIREDIS_REDIS_SERVER;
  if (chosen) return chosen;
  if (!onPath("redis-server") && onPath("valkey-server")) return "valkey-server";
  return "redis-server";
}

const defaultBinary = defaultServerBinary;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * True while `pid` exists and is not a zombie (a killed server can stay a
 * zombie for a moment until its guardian reaps it; its sockets are closed).
 *
 * @example
 * ```ts
 * import process from "node:process";
 * import { processAlive } from "@uniredis/redis/testing";
 * console.log(processAlive(process.pid)); // true
 * ```
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // "pid (comm) S ...": the state follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no procfs (macOS): trust kill(0)
  }
}

async function waitDead(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

async function logTail(logFile: string, lines = 25): Promise<string> {
  try {
    const text = await readFile(logFile, "utf8");
    return text.split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log file)";
  }
}

// The guardian: starts the server in the background, prints its pid, blocks
// on stdin (a pipe from the test process), then kills and reaps the server.
// It removes the directory too, unless the test process left a `.keep` marker
// (restart in progress); a normal stop() removes it itself.
const GUARDIAN = [
  // cat and rm come from the system even when the caller's PATH has only the server binary.
  'PATH="$PATH:/usr/bin:/bin"',
  'dir="$1"; shift',
  '"$@" </dev/null >>"$dir/stdout.log" 2>&1 &',
  "pid=$!",
  'echo "$pid"',
  // Survive a signal to the whole process group (Ctrl-C, `timeout`) long
  // enough to clean up once the test process is gone.
  "trap '' INT TERM HUP",
  "cat >/dev/null",
  'kill -9 "$pid" 2>/dev/null',
  'wait "$pid" 2>/dev/null',
  '[ -e "$dir/.keep" ] || rm -rf "$dir"',
].join("\n");

class GuardedProcess implements ServerProcess {
  #guardian?: ChildProcess;
  #exited?: Promise<void>;
  #pid = 0;
  #running = false;
  #stopped = false;

  constructor(readonly spec: ServerProcessSpec, readonly configFile: string) {}

  get pid(): number {
    return this.#pid;
  }
  get dir(): string {
    return this.spec.dir;
  }
  get logFile(): string {
    return join(this.spec.dir, "redis.log");
  }
  get running(): boolean {
    return this.#running;
  }

  async start(): Promise<void> {
    const binary = this.spec.binary ?? defaultBinary();
    const guardian = spawn("/bin/sh", [
      "-c",
      GUARDIAN,
      "guardian",
      this.dir,
      binary,
      this.configFile,
      ...(this.spec.args ?? []),
    ], {
      stdio: ["pipe", "pipe", "ignore"],
    });
    this.#guardian = guardian;
    this.#exited = new Promise((resolve) => guardian.once("exit", () => resolve()));
    guardian.once("error", () => {});
    this.#pid = await new Promise<number>((resolve, reject) => {
      let text = "";
      const onData = (chunk: Uint8Array) => {
        text += new TextDecoder().decode(chunk);
        const nl = text.indexOf("\n");
        if (nl < 0) return;
        guardian.stdout!.off("data", onData);
        guardian.stdout!.destroy();
        resolve(Number(text.slice(0, nl)));
      };
      guardian.stdout!.on("data", onData);
      guardian.once(
        "error",
        (e) => reject(new Error(`cannot start the guardian shell: ${e.message}`, { cause: e })),
      );
      guardian.once("exit", () => reject(new Error("the guardian shell exited before starting the server")));
    });
    this.#unref();
    this.#running = true;
    await this.#waitReady();
  }

  #unref(): void {
    const g = this.#guardian as unknown as {
      unref(): void;
      stdin?: { unref?: () => void };
    };
    g.unref();
    // Node: the pipe is a net.Socket with unref(); Bun and Deno do not count
    // child pipes as keeping the process alive.
    if (typeof g.stdin?.unref === "function") g.stdin.unref();
  }

  async #waitReady(): Promise<void> {
    const timeoutMs = this.spec.startTimeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
      if (!processAlive(this.#pid)) {
        return this.#failStart(`redis-server (pid ${this.#pid}) exited during startup`);
      }
      try {
        const [reply] = await rawCommands(this.spec.ready, [["PING"]], { timeoutMs: 1000 });
        // NOAUTH still proves the server is up; LOADING does not.
        if (!(reply instanceof RawErrorReply) || !reply.message.startsWith("LOADING")) return;
        last = reply.message;
      } catch (e) {
        last = (e as Error).message;
      }
      await sleep(20);
    }
    return this.#failStart(`redis-server did not answer PING within ${timeoutMs} ms (last: ${last})`);
  }

  async #failStart(message: string): Promise<never> {
    // Read the logs before the guardian removes the directory.
    const log = await logTail(this.logFile);
    const stdout = await logTail(join(this.dir, "stdout.log"));
    await this.#terminate("SIGKILL");
    const error = new Error(
      `${message}\n--- ${this.logFile} (tail) ---\n${log}\n--- stdout/stderr (tail) ---\n${stdout}`,
    );
    throw Object.assign(error, { log: `${log}\n${stdout}` });
  }

  /** Signals the server, waits until it is gone, then lets the guardian exit. */
  async #terminate(signal: "SIGTERM" | "SIGKILL"): Promise<void> {
    if (this.#pid && processAlive(this.#pid)) {
      try {
        process.kill(this.#pid, signal);
      } catch { /* already gone */ }
      if (!(await waitDead(this.#pid, 5000))) {
        try {
          process.kill(this.#pid, "SIGKILL");
        } catch { /* already gone */ }
        await waitDead(this.#pid, 5000);
      }
    }
    this.#running = false;
    const guardian = this.#guardian;
    if (guardian) {
      this.#guardian = undefined;
      guardian.ref(); // keep the process alive until the guardian is reaped
      guardian.stdin?.destroy();
      const timer = setTimeout(() => guardian.kill("SIGKILL"), 5000);
      await this.#exited;
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#terminate("SIGTERM");
    await rm(this.dir, { recursive: true, force: true });
  }

  async kill(): Promise<void> {
    if (this.#stopped) throw new Error("kill(): the server was stopped");
    if (this.#pid && processAlive(this.#pid)) {
      try {
        process.kill(this.#pid, "SIGKILL");
      } catch { /* already gone */ }
      await waitDead(this.#pid, 5000);
    }
    this.#running = false;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  async restart(): Promise<void> {
    if (this.#stopped) throw new Error("restart(): the server was stopped");
    const keep = join(this.dir, ".keep");
    await writeFile(keep, "");
    await this.#terminate("SIGTERM");
    await rm(keep, { force: true });
    await this.start();
  }
}

/**
 * Starts a server process from raw config lines in `spec.dir` (which must
 * exist) and waits until it answers PING at `spec.ready`. The generic layer
 * under `startRedis`, for replicas, sentinels and cluster nodes.
 *
 * @example
 * ```ts
 * import { mkdtemp } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { freePort, startServerProcess } from "@uniredis/redis/testing";
 * const dir = await mkdtemp(join(tmpdir(), "sentinel-"));
 * const port = await freePort();
 * await using sentinel = await startServerProcess({
 *   dir,
 *   config: [`port ${port}`, `dir ${dir}`, `logfile ${join(dir, "redis.log")}`],
 *   args: ["--sentinel"],
 *   ready: { port },
 * });
 * console.log(sentinel.pid > 0); // true
 * ```
 */
export async function startServerProcess(spec: ServerProcessSpec): Promise<ServerProcess> {
  const configFile = join(spec.dir, "redis.conf");
  await writeFile(configFile, spec.config.join("\n") + "\n");
  const proc = new GuardedProcess(spec, configFile);
  await proc.start();
  return proc;
}

/** Which server a binary or process is: Redis, or its fork Valkey. */
export type ServerFlavour = "redis" | "valkey";

/** What `binary --version` says. */
export interface BinaryInfo {
  /** The binary as given (`"valkey-server"`). */
  readonly binary: string;
  /** `"redis"` or `"valkey"`. */
  readonly flavour: ServerFlavour;
  /** The flavour's own version: `[7, 0, 15]` for Redis, `[8, 0, 1]` for Valkey. */
  readonly version: number[];
}

const infoMemo = new Map<string, Promise<BinaryInfo>>();

/**
 * The flavour and version printed by `binary --version`, memoized per binary.
 * Rejects with a `ServerNotFoundError` when the binary is not installed.
 *
 * @example
 * ```ts
 * import { binaryInfo } from "@uniredis/redis/testing";
 * console.log(await binaryInfo("valkey-server")); // { binary: "valkey-server", flavour: "valkey", version: [8, 0, 1] }
 * ```
 */
export function binaryInfo(binary: string = defaultBinary()): Promise<BinaryInfo> {
  // A bare name is looked up on PATH, which may change between calls.
  const key = binary.includes("/") ? binary : `${binary}\0${process.env.PATH ?? ""}`;
  let memo = infoMemo.get(key);
  if (!memo) {
    memo = new Promise((resolve, reject) => {
      execFile(binary, ["--version"], (error, stdout) => {
        if (error) {
          const code = (error as { code?: unknown }).code;
          if (code === "ENOENT" || code === "EACCES") {
            return reject(new ServerNotFoundError(binary, { cause: error }));
          }
          return reject(new Error(`cannot run ${binary} --version: ${error.message}`, { cause: error }));
        }
        // "Redis server v=7.0.15 ..." or "Valkey server v=8.0.1 ...".
        const m = /v=(\d+)\.(\d+)\.(\d+)/.exec(stdout);
        const version = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
        resolve({ binary, flavour: /^valkey/i.test(stdout.trim()) ? "valkey" : "redis", version });
      });
    });
    infoMemo.set(key, memo);
  }
  return memo;
}

/**
 * The version printed by `binary --version` (`[7, 0, 15]`; Valkey's own, `[8, 0, 1]`), memoized per binary.
 *
 * @example
 * ```ts
 * import { binaryVersion } from "@uniredis/redis/testing";
 * const [major] = await binaryVersion();
 * console.log(major >= 7); // true
 * ```
 */
export async function binaryVersion(binary: string = defaultBinary()): Promise<number[]> {
  return (await binaryInfo(binary)).version;
}

function quote(value: string): string {
  return JSON.stringify(value); // Redis config accepts C-style double-quoted strings
}

function aclLine(rule: string): string {
  const body = rule.trim().replace(/^ACL\s+SETUSER\s+/i, "").replace(/^user\s+/i, "");
  return `user ${body}`;
}

class StandaloneServer implements RedisServer {
  readonly host = "127.0.0.1";
  version: number[] = [0, 0, 0];
  flavour: ServerFlavour = "redis";
  flavourVersion: number[] = [0, 0, 0];

  constructor(
    readonly proc: ServerProcess,
    readonly port: number,
    readonly tlsPort: number | undefined,
    readonly socketPath: string | undefined,
    readonly certs: TestCerts | undefined,
    readonly requirePass: string | undefined,
  ) {}

  get pid(): number {
    return this.proc.pid;
  }
  get dir(): string {
    return this.proc.dir;
  }
  get logFile(): string {
    return this.proc.logFile;
  }
  get running(): boolean {
    return this.proc.running;
  }
  get label(): string {
    return `${this.flavour} ${this.flavourVersion.join(".")}`;
  }

  async command(...args: (string | Uint8Array)[]): Promise<RawReply> {
    const commands: (string | Uint8Array)[][] = [];
    if (this.requirePass !== undefined) commands.push(["AUTH", this.requirePass]);
    commands.push(args);
    const replies = await rawCommands({ host: this.host, port: this.port }, commands);
    return replies[replies.length - 1];
  }

  stop(): Promise<void> {
    return this.proc.stop();
  }
  [Symbol.asyncDispose](): Promise<void> {
    return this.proc.stop();
  }
  kill(): Promise<void> {
    return this.proc.kill();
  }
  restart(): Promise<void> {
    return this.proc.restart();
  }
}

/**
 * Starts a standalone `redis-server` on free ports of 127.0.0.1, in a fresh
 * temp dir, without persistence and with `DEBUG` enabled, and waits until it
 * answers PING. Stop it with `await using` or `stop()` (servers die with the
 * process anyway). Rejects with a `ServerNotFoundError` when no server binary
 * is installed.
 *
 * @example TLS, a unix socket and an ACL user
 * ```ts
 * import { startRedis } from "@uniredis/redis/testing";
 * await using server = await startRedis({
 *   tls: true,
 *   unixSocket: true,
 *   aclUsers: ["alice on >secret ~app:* +@all"],
 * });
 * console.log(await server.command("PING")); // "PONG"
 * console.log(server.tlsPort, server.socketPath, server.certs?.ca.length);
 * ```
 *
 * @example A primary and its replica
 * ```ts
 * import { startRedis } from "@uniredis/redis/testing";
 * await using primary = await startRedis({ requirePass: "pw" });
 * await using replica = await startRedis({ replicaOf: primary });
 * await primary.command("SET", "k", "v");
 * await primary.command("WAIT", "1", "1000");
 * console.log(await replica.command("GET", "k")); // "v"
 * ```
 */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = options.binary ?? defaultBinary();
  const bin = await binaryInfo(binary);
  const binVersion = bin.version;
  const certs = options.tls ? await testCerts() : undefined;
  // A free port can be taken by someone else before redis binds it: retry
  // with fresh ports unless the caller fixed them.
  const attempts = options.port === undefined && options.tlsPort === undefined ? 3 : 1;
  for (let attempt = 1;; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), "uniredis-"));
    const port = options.port ?? await freePort();
    const tlsPort = options.tls ? options.tlsPort ?? await freePort() : undefined;
    const socketPath = options.unixSocket ? join(dir, "redis.sock") : undefined;
    const config = [
      `port ${port}`,
      "bind 127.0.0.1",
      `dir ${quote(dir)}`,
      `pidfile ${quote(join(dir, "redis.pid"))}`,
      `logfile ${quote(join(dir, "redis.log"))}`,
      "daemonize no",
      'save ""',
      "appendonly no",
    ];
    if (binVersion[0] >= 7) config.push("enable-debug-command yes");
    if (socketPath) config.push(`unixsocket ${quote(socketPath)}`, "unixsocketperm 700");
    if (certs && tlsPort !== undefined) {
      await writeFile(join(dir, "ca.crt"), certs.ca);
      await writeFile(join(dir, "server.crt"), certs.cert);
      await writeFile(join(dir, "server.key"), certs.key, { mode: 0o600 });
      config.push(
        `tls-port ${tlsPort}`,
        `tls-cert-file ${quote(join(dir, "server.crt"))}`,
        `tls-key-file ${quote(join(dir, "server.key"))}`,
        `tls-ca-cert-file ${quote(join(dir, "ca.crt"))}`,
        "tls-auth-clients optional",
      );
    }
    if (options.requirePass !== undefined) config.push(`requirepass ${quote(options.requirePass)}`);
    const primary = options.replicaOf;
    if (primary) {
      config.push(`replicaof ${primary.host ?? "127.0.0.1"} ${primary.port}`);
      if (primary.requirePass !== undefined) config.push(`masterauth ${quote(primary.requirePass)}`);
    }
    for (const rule of options.aclUsers ?? []) config.push(aclLine(rule));
    config.push(...(options.config ?? []));
    try {
      const proc = await startServerProcess({
        dir,
        config,
        args: options.args,
        binary,
        ready: { host: "127.0.0.1", port },
        startTimeoutMs: options.startTimeoutMs,
      });
      const server = new StandaloneServer(proc, port, tlsPort, socketPath, certs, options.requirePass);
      await readVersions(server, bin);
      if (primary) await waitSynced(server, options.startTimeoutMs ?? 10_000);
      return server;
    } catch (e) {
      const inUse = /Address already in use/.test(String((e as { log?: string }).log ?? ""));
      await rm(dir, { recursive: true, force: true });
      if (!inUse || attempt >= attempts) throw e;
    }
  }
}

// A replica answers PING before its first sync: wait for the link, so reads on it see the primary's data.
async function waitSynced(server: StandaloneServer, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    const info = await server.command("INFO", "replication").catch((e) => String(e));
    last = typeof info === "string" ? info : String(info);
    if (/^master_link_status:up/m.test(last) && /^master_sync_in_progress:0/m.test(last)) return;
    await sleep(20);
  }
  await server.stop();
  throw new Error(`the replica did not sync within ${timeoutMs} ms:\n${last}`);
}

async function readVersions(server: StandaloneServer, bin: BinaryInfo): Promise<void> {
  const info = await server.command("INFO", "server").catch(() => null);
  const text = typeof info === "string" ? info : "";
  const field = (name: string): number[] | undefined => {
    const m = new RegExp(`^${name}:(\\d+)\\.(\\d+)\\.(\\d+)`, "m").exec(text);
    return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
  };
  // INFO can be refused (default user disabled by `aclUsers`): fall back on --version. Valkey answers
  // redis_version:7.2.4 (the Redis release it is compatible with) and its own valkey_version.
  server.flavour = bin.flavour;
  const redis = field("redis_version");
  server.flavourVersion = (bin.flavour === "valkey" ? field("valkey_version") : redis) ?? bin.version;
  server.version = redis ?? (bin.flavour === "valkey" ? [7, 2, 4] : bin.version);
}

/** Standard servers shared by every test file of a process. */
export type SharedRedisKind = "plain" | "tls";

const sharedPresets: Record<SharedRedisKind, RedisServerOptions> = {
  plain: { unixSocket: true },
  tls: { tls: true },
};

const shared = new Map<string, Promise<RedisServer>>();

/**
 * A server shared by every test in this process, started on first use:
 * `"plain"` (TCP + unix socket) or `"tls"` (TCP + TLS), one per binary
 * (default: the default server; see `serverWith` for a feature's binary).
 * Never stop, kill or reconfigure it; start a private one with `startRedis`
 * for that.
 *
 * @example
 * ```ts
 * import { sharedRedis } from "@uniredis/redis/testing";
 * const server = await sharedRedis("plain");
 * console.log(server.socketPath !== undefined); // true
 * ```
 */
export function sharedRedis(
  kind: SharedRedisKind = "plain",
  binary: string = defaultBinary(),
): Promise<RedisServer> {
  const key = `${kind} ${binary}`;
  let memo = shared.get(key);
  if (!memo) {
    memo = startRedis({ ...sharedPresets[kind], binary });
    memo.catch(() => shared.delete(key));
    shared.set(key, memo);
  }
  return memo;
}
