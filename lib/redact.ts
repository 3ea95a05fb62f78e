/**
 * Secrets out of sight: copies of options with passwords and private keys
 * replaced, for the `options` objects that can be printed or serialised.
 * The real values stay in private fields.
 *
 * @module
 */

/**
 * What a secret reads as in printed options.
 *
 * @example
 * ```ts
 * import { Redis, REDACTED } from "@uniredis/redis";
 * const r = new Redis({ password: "s3cret" });
 * console.log(r.options.password === REDACTED); // true
 * await r.close();
 * ```
 */
export const REDACTED = "<redacted>";

/** Option names whose values are secrets, wherever they appear. */
const SECRET_KEYS = ["password", "credentialProvider"] as const;
/** TLS settings that are secrets. */
const SECRET_TLS_KEYS = ["key", "passphrase", "pfx"] as const;

/**
 * A shallow copy of `options` with every secret replaced by `REDACTED`:
 * `password`, `credentialProvider`, and the TLS `key`, `passphrase` and
 * `pfx`. Other values are kept as they are.
 */
export function redactOptions<T extends object>(options: T): T {
  const copy = { ...options } as Record<string, unknown>;
  for (const name of SECRET_KEYS) {
    if (copy[name] !== undefined) copy[name] = REDACTED;
  }
  const tls = copy.tls;
  if (typeof tls === "object" && tls !== null) {
    const safe = { ...tls } as Record<string, unknown>;
    for (const name of SECRET_TLS_KEYS) {
      if (safe[name] !== undefined) safe[name] = REDACTED;
    }
    copy.tls = safe;
  }
  return copy as T;
}
