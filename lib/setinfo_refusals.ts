/**
 * Servers known to lack CLIENT SETINFO (Redis before 7.2), by address, so
 * later connections to them leave it out of the handshake instead of sending
 * two commands that are refused every time.
 *
 * A refusal is remembered with what the server's HELLO said of itself
 * (`server` and `version`): a RESP3 handshake that finds another server or
 * version at the address (an upgrade, a port reused) sends CLIENT SETINFO
 * again. A RESP2 handshake has no HELLO to compare, so for it a refusal holds
 * for `RESP2_HOLD_MS` only.
 *
 * @module
 */

/** Addresses remembered at most: the oldest refusal is forgotten first. */
const LIMIT = 256;

/** How long a refusal spares RESP2 handshakes, which cannot see a server change. */
const RESP2_HOLD_MS = 10 * 60_000;

interface Refusal {
  /** `server` and `version` of the HELLO reply; undefined when refused over RESP2. */
  identity?: string;
  /** When the refusal was seen (`Date.now()`). */
  at: number;
}

const refusals = new Map<string, Refusal>();

/** The identity a refusal is kept with: what the HELLO reply says of the server. */
export function serverIdentity(hello: Record<string, unknown>): string {
  return `${hello.server ?? ""}/${hello.version ?? ""}`;
}

/**
 * The refusal remembered for `address` that a handshake may skip CLIENT
 * SETINFO on: for RESP3 any (checked against HELLO afterwards), for RESP2 a
 * recent one.
 */
export function knownRefusal(address: string, protocol: 2 | 3): Refusal | undefined {
  const refusal = refusals.get(address);
  if (refusal === undefined) return undefined;
  if (protocol === 2 && Date.now() - refusal.at > RESP2_HOLD_MS) return undefined;
  return refusal;
}

/** Remembers that the server at `address` (as its HELLO described it, if any) lacks CLIENT SETINFO. */
export function rememberRefusal(address: string, identity: string | undefined): void {
  refusals.delete(address);
  if (refusals.size >= LIMIT) refusals.delete(refusals.keys().next().value!);
  refusals.set(address, { identity, at: Date.now() });
}

/** Forgets the refusal of `address`: the server there took CLIENT SETINFO. */
export function forgetRefusal(address: string): void {
  refusals.delete(address);
}

/** Whether an error reply to CLIENT SETINFO means the server has no such command (not a refused value or ACL). */
export function isUnknownCommand(message: string): boolean {
  return /unknown (sub)?command/i.test(message);
}
