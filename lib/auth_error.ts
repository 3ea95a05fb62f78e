/**
 * The wording of a refused authentication: which server, which user, and the
 * option to set or check, instead of the server's own text (kept as the
 * cause). The password itself is never shown.
 *
 * @module
 */

import { AuthenticationError, AuthenticationWrongNumberOfArgsError } from "./errors.ts";

/** What the client authenticated with: only whether a password was given matters here. */
export interface AuthAttempt {
  username?: string;
  password?: string;
  /** They came from `credentialProvider`: the hint names it instead of the options. */
  provided?: boolean;
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
  if (attempt.provided) {
    message = `Authentication with ${address} failed for user "${user}" with the credentials of ` +
      "credentialProvider: wrong password, or no such user, or the user is disabled";
  } else if (server.startsWith("NOAUTH") && noPassword && attempt.username === undefined) {
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
  return reworded(message, error);
}

/**
 * The error of a refused re-authentication (credentials pushed by a
 * streaming provider): the connection stays, with its previous credentials.
 */
export function reauthFailure(address: string, username: string | undefined, error: Error): Error {
  const message =
    `Re-authentication of a connection to ${address} failed for user "${username ?? "default"}" ` +
    "with the credentials pushed by credentialProvider; the connection keeps its previous credentials";
  if (error instanceof AuthenticationError) return reworded(message, error);
  return new AuthenticationError(`${message}: ${error.message}`, { cause: error });
}

function reworded(message: string, error: AuthenticationError): AuthenticationError {
  // The server's error code stays in brackets, to search for, as the OS codes of connect errors do.
  const code = /^[A-Z]+/.exec(error.message)?.[0];
  if (code !== undefined && code !== "ERR") message += ` (${code})`;
  return new (error.constructor as typeof AuthenticationError)(message, { cause: error });
}
