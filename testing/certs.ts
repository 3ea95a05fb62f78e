/**
 * Throwaway TLS material for test servers: a CA, a server certificate valid
 * for `127.0.0.1` and `localhost`, and a client certificate, made once per
 * process with the `openssl` command.
 *
 * @module
 */

import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** PEM strings of the test PKI. */
export interface TestCerts {
  /** The CA certificate that signed both the server and the client certificate. */
  ca: string;
  /** Server certificate (SAN `IP:127.0.0.1, DNS:localhost`). */
  cert: string;
  /** Private key of `cert`. */
  key: string;
  /** Client certificate (for mutual TLS). */
  clientCert: string;
  /** Private key of `clientCert`. */
  clientKey: string;
}

let memo: Promise<TestCerts> | undefined;

/**
 * Returns the process-wide test certificates, creating them on first use.
 *
 * @example
 * ```ts
 * import { testCerts } from "@uniredis/redis/testing";
 * const { ca } = await testCerts();
 * console.log(ca.startsWith("-----BEGIN CERTIFICATE-----")); // true
 * ```
 */
export function testCerts(): Promise<TestCerts> {
  memo ??= makeCerts().catch((e) => {
    memo = undefined;
    throw e;
  });
  return memo;
}

function openssl(cwd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("openssl", args, { cwd }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`openssl ${args[0]} failed: ${stderr || error.message}`, { cause: error }));
      else resolve();
    });
  });
}

// EC P-256 keys: fast to make, and accepted by OpenSSL (Node, Bun, Redis) and
// rustls (Deno), which also insists on proper v3 extensions.
const keyArgs = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

async function makeCerts(): Promise<TestCerts> {
  const dir = await mkdtemp(join(tmpdir(), "uniredis-certs-"));
  try {
    await openssl(dir, [
      "req",
      "-x509",
      ...keyArgs,
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-days",
      "3650",
      "-subj",
      "/CN=uniredis test CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    await signed(dir, "server", "/CN=localhost", [
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "extendedKeyUsage=serverAuth",
    ]);
    await signed(dir, "client", "/CN=uniredis test client", ["extendedKeyUsage=clientAuth"]);
    const read = (name: string) => readFile(join(dir, name), "utf8");
    return {
      ca: await read("ca.crt"),
      cert: await read("server.crt"),
      key: await read("server.key"),
      clientCert: await read("client.crt"),
      clientKey: await read("client.key"),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function signed(dir: string, name: string, subject: string, extensions: string[]): Promise<void> {
  await openssl(dir, [
    "req",
    "-new",
    ...keyArgs,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
    "-subj",
    subject,
  ]);
  await writeFile(
    join(dir, `${name}.ext`),
    [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      ...extensions,
    ]
      .join("\n") + "\n",
  );
  await openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "3650",
    "-extfile",
    `${name}.ext`,
    "-out",
    `${name}.crt`,
  ]);
}
