/**
 * Credential providers (redis-py's `CredentialProvider` family): where each
 * new connection gets its user and password, and how a provider pushes new
 * ones (rotated passwords, short-lived tokens) to live connections.
 *
 * @module
 */

/**
 * A user and a password (or token) to authenticate with. No `username`
 * means the default user.
 *
 * @example
 * ```ts
 * import type { Credentials } from "@uniredis/redis";
 * const c: Credentials = { username: "app", password: "s3cret" };
 * console.log(c.username); // "app"
 * ```
 */
export interface Credentials {
  /** ACL user name; absent: the default user. */
  username?: string;
  /** The password or token. */
  password: string;
}

/**
 * Gives the credentials of each new connection (the `credentialProvider`
 * option, instead of `username`/`password`). `getCredentials()` is called
 * for every connection the client opens, reconnects included, during the
 * handshake (it counts against `socketConnectTimeout`); a rejection fails
 * that connection with an `AuthenticationError` carrying its message.
 *
 * @example
 * ```ts
 * import { type CredentialProvider, Redis } from "@uniredis/redis";
 * const fromVault: CredentialProvider = {
 *   async getCredentials() {
 *     return { username: "app", password: "fetched-from-a-vault" };
 *   },
 * };
 * const r = new Redis({ credentialProvider: fromVault });
 * await r.close();
 * ```
 */
export interface CredentialProvider {
  /** The credentials a new connection authenticates with: the newest ones. */
  getCredentials(): Promise<Credentials>;
}

/**
 * A provider that also pushes new credentials (redis-py's
 * `StreamingCredentialProvider`). Clients subscribe while they have
 * connections open: on each push every live connection re-authenticates in
 * place with `AUTH` (no reconnect; commands in flight are not disturbed),
 * and new connections use `getCredentials()`, which must give the newest.
 * A refused re-authentication is a `credentialserror` event on the client;
 * the connection keeps its previous credentials. `CredentialStream` is a
 * ready-made implementation.
 *
 * @example A token refresher
 * ```ts
 * import { type Credentials, Redis, type StreamingCredentialProvider } from "@uniredis/redis";
 * declare function fetchToken(): Promise<{ token: string; expiresInMs: number }>;
 *
 * class TokenProvider implements StreamingCredentialProvider {
 *   #current: Promise<Credentials> = this.#refresh();
 *   #listeners = new Set<(c: Credentials) => void>();
 *   getCredentials(): Promise<Credentials> {
 *     return this.#current;
 *   }
 *   onCredentials(listener: (c: Credentials) => void): () => void {
 *     this.#listeners.add(listener);
 *     return () => this.#listeners.delete(listener);
 *   }
 *   async #refresh(): Promise<Credentials> {
 *     const { token, expiresInMs } = await fetchToken();
 *     const credentials = { username: "app-identity", password: token };
 *     // Refresh well before expiry; the timer must not keep the process alive.
 *     const timer = setTimeout(() => {
 *       const next = this.#refresh();
 *       next.then((c) => {
 *         this.#current = next;
 *         for (const listener of this.#listeners) listener(c);
 *       }, (e) => console.error("token refresh failed", e));
 *     }, expiresInMs * 0.8);
 *     (timer as { unref?: () => void }).unref?.();
 *     return credentials;
 *   }
 * }
 * const r = new Redis({ credentialProvider: new TokenProvider() });
 * await r.close();
 * ```
 */
export interface StreamingCredentialProvider extends CredentialProvider {
  /**
   * Calls `listener` with each new set of credentials pushed from now on
   * (not with the current ones); returns the unsubscription.
   */
  onCredentials(listener: (credentials: Credentials) => void): () => void;
}

/**
 * Static credentials as a provider (redis-py's
 * `UsernamePasswordCredentialProvider`). They are kept in private fields, so
 * printing or serialising the provider never shows them.
 *
 * @example
 * ```ts
 * import { Redis, UsernamePasswordCredentialProvider } from "@uniredis/redis";
 * const r = new Redis({ credentialProvider: new UsernamePasswordCredentialProvider("app", "s3cret") });
 * await r.close();
 * ```
 */
export class UsernamePasswordCredentialProvider implements CredentialProvider {
  readonly #username: string | undefined;
  readonly #password: string;

  /** `username` `undefined` means the default user. */
  constructor(username: string | undefined, password: string) {
    this.#username = username;
    this.#password = password;
  }

  /** The credentials given to the constructor. */
  getCredentials(): Promise<Credentials> {
    return Promise.resolve(credentials(this.#username, this.#password));
  }
}

/**
 * A `StreamingCredentialProvider` fed by hand: `push()` new credentials
 * (from a timer, a token library's callback, a secrets watcher) and every
 * subscribed client re-authenticates its live connections with them; new
 * connections get the newest. Credentials are kept in private fields.
 *
 * @example Rotating a password
 * ```ts
 * import { CredentialStream, Redis } from "@uniredis/redis";
 * const credentials = new CredentialStream({ username: "app", password: "old-pw" });
 * const r = new Redis({ credentialProvider: credentials });
 * r.addEventListener("credentialserror", (e) => console.error(e.error.message));
 * await r.ping();
 * // After `ACL SETUSER app >new-pw` on the server (keep the old one until every client moved):
 * credentials.push({ username: "app", password: "new-pw" });
 * await r.close();
 * ```
 */
export class CredentialStream implements StreamingCredentialProvider {
  #current: Credentials;
  readonly #listeners = new Set<(credentials: Credentials) => void>();

  /** Starts with `initial`. */
  constructor(initial: Credentials) {
    this.#current = credentials(initial.username, initial.password);
  }

  /** The newest credentials. */
  getCredentials(): Promise<Credentials> {
    return Promise.resolve(this.#current);
  }

  /** Subscribes to pushes; returns the unsubscription. */
  onCredentials(listener: (credentials: Credentials) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Subscriptions open (clients with live connections). */
  get listenerCount(): number {
    return this.#listeners.size;
  }

  /** Makes `next` the newest credentials and hands them to every subscriber. */
  push(next: Credentials): void {
    this.#current = credentials(next.username, next.password);
    for (const listener of [...this.#listeners]) listener(this.#current);
  }
}

function credentials(username: string | undefined, password: string): Credentials {
  return username === undefined ? { password } : { username, password };
}

/** True for a provider that can push (it has `onCredentials`). */
export function isStreaming(provider: CredentialProvider): provider is StreamingCredentialProvider {
  return typeof (provider as Partial<StreamingCredentialProvider>).onCredentials === "function";
}

/**
 * Checks what a provider gave: an object with a string `password` and an
 * optional string `username`. The reason when not (never showing a value).
 */
export function badCredentials(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return `gave ${value === null ? "null" : typeof value}`;
  const c = value as Partial<Credentials>;
  if (typeof c.password !== "string") return `gave no string password (got ${typeof c.password})`;
  if (c.username !== undefined && typeof c.username !== "string") {
    return `gave a username that is not a string (${typeof c.username})`;
  }
  return undefined;
}
