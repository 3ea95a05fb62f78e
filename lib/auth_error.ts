/**
 * The wording of a refused authentication: which server, which user, and the
 * option to set or check, instead of the server's own text (kept as the
 * cause). The password itself is never shown.
 *
 * @module
 */

import { type AuthenticationError, AuthenticationWrongNumberOfArgsError } from "./errors.ts";

/** What the client authenticated with: only whether a password was given matters here. */
export interface AuthAttempt {
  username?: string;
  password?: string;
}

/**
 * Rewords an `AuthenticationError` from `address` (the server's `NOAUTH`,
 * `WRONGPASS`, ...) for the user who configured `attempt`, keeping its class
 * and the original as `cause`.
 */
export function authFailure(
  address: string,
  attempt: AuthAttempt,
  error: AuthenticationError,
): AuthenticationError {
  const user = attempt.username ?? "default";
  const noPassword = attempt.password === undefined;
  const server = error.message;
  let message: string;
  if (server.startsWith("NOAUTH") && noPassword && attempt.username === undefined) {
    message = `${address} requires a password: none was given for user "default"; ` +
      "set the password option, and username for an ACL user";
  } else if (error instanceof AuthenticationWrongNumberOfArgsError) {
    message = `Authentication with ${address} failed for user "${user}": the server has no password ` +
      "(or, before Redis 6, no ACL users); remove the password and username options";
  } else if (noPassword) {
    message = `Authentication with ${address} failed for user "${user}": no password was given; ` +
      "set the password option";
  } else {
    message = `Authentication with ${address} failed for user "${user}": wrong password, or no such user, ` +
      "or the user is disabled; check the password and username options";
  }
  // The server's error code stays in brackets, to search for, as the OS codes of connect errors do.
  const code = /^[A-Z]+/.exec(server)?.[0];
  if (code !== undefined && code !== "ERR") message += ` (${code})`;
  return new (error.constructor as typeof AuthenticationError)(message, { cause: error });
}
