/**
 * What is wrong with a Redis URL, in words that name the part: the scheme,
 * the port, the host, a %-escape in the user or password, the database path
 * or a query option. Every such problem is a `DataError`, and none shows the
 * password.
 *
 * @module
 */

import { DataError } from "./errors.ts";

const EXPECTED_SCHEMES = "(expected redis://, rediss:// or unix://)";
const SCHEMES = new Set(["redis", "rediss", "unix"]);

/**
 * A `DataError` about one part of a URL: `Invalid Redis URL: <what>`.
 *
 * @example
 * ```ts
 * import { urlError } from "./url_error.ts";
 * console.log(urlError('port "99999" (expected a number from 0 to 65535)').message);
 * // Invalid Redis URL: port "99999" (expected a number from 0 to 65535)
 * ```
 */
export function urlError(what: string): DataError {
  return new DataError(`Invalid Redis URL: ${what}`);
}

/**
 * The error for a scheme other than redis, rediss and unix (`scheme` as the
 * URL API gives it, with its colon).
 *
 * @example
 * ```ts
 * import { schemeError } from "./url_error.ts";
 * console.log(schemeError("http:").message);
 * // Invalid Redis URL: scheme "http:" (expected redis://, rediss:// or unix://)
 * ```
 */
export function schemeError(scheme: string): DataError {
  return urlError(`scheme "${scheme}" ${EXPECTED_SCHEMES}`);
}

/**
 * Why the URL API refused `url`: its scheme, port or host, told apart by
 * taking the URL to pieces by hand. The URL itself is not repeated, since it
 * may hold a password.
 *
 * @example
 * ```ts
 * import { unparsableURL } from "./url_error.ts";
 * console.log(unparsableURL("redis://localhost:99999").message);
 * // Invalid Redis URL: port "99999" (expected a number from 0 to 65535)
 * ```
 */
export function unparsableURL(url: string): DataError {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url);
  if (scheme === null) return urlError(`no scheme ${EXPECTED_SCHEMES}`);
  if (!SCHEMES.has(scheme[1].toLowerCase())) return schemeError(`${scheme[1]}:`);
  const rest = url.slice(scheme[0].length);
  if (!rest.startsWith("//")) return urlError(`"//" expected after "${scheme[0]}"`);
  const authority = /^\/\/([^/?#]*)/.exec(rest)![1];
  // An "@" beyond the authority: the password holds a "/", "?" or "#" that cut the authority short.
  if (!authority.includes("@") && rest.slice(2 + authority.length).includes("@")) return userinfoCut();
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  let host = hostPort;
  let port: string | undefined;
  if (hostPort.startsWith("[")) {
    const end = hostPort.indexOf("]");
    if (end >= 0 && (end === hostPort.length - 1 || hostPort[end + 1] === ":")) {
      host = hostPort.slice(0, end + 1);
      if (end < hostPort.length - 1) port = hostPort.slice(end + 2);
    }
  } else {
    const colon = hostPort.indexOf(":");
    if (colon >= 0) {
      host = hostPort.slice(0, colon);
      port = hostPort.slice(colon + 1);
    }
  }
  if (port !== undefined && port !== "" && !(/^\d+$/.test(port) && Number(port) <= 65535)) {
    return urlError(`port "${port}" (expected a number from 0 to 65535)`);
  }
  if (host === "") return urlError("no host before the port");
  return urlError(`host "${host}" is not a valid host name or address`);
}

/**
 * The error for an "@" found past the authority: a "/", "?" or "#" in the
 * user or password ended the authority early (and what follows must not be
 * shown: it is part of the password).
 *
 * @example
 * ```ts
 * import { userinfoCut } from "./url_error.ts";
 * console.log(userinfoCut().message.startsWith("Invalid Redis URL: the user or password")); // true
 * ```
 */
export function userinfoCut(): DataError {
  return urlError('the user or password holds "/", "?" or "#": percent-encode them (%2F, %3F, %23)');
}

/**
 * Decodes a %-escaped part of a URL (`what`: "password", "username", "socket
 * path"); a malformed escape is a `DataError` that does not show the part.
 *
 * @example
 * ```ts
 * import { decodePart } from "./url_error.ts";
 * console.log(decodePart("p%40ss", "password")); // "p@ss"
 * ```
 */
export function decodePart(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw urlError(`the ${what} has a malformed %-escape (write a literal % as %25)`);
  }
}
