// A small TCP proxy on 127.0.0.1 (node:net only) for the soak: forwards client connections to the server and
// cuts them on demand. A trimmed-down testing/proxy.ts in plain JavaScript, so the runner (always Node)
// can run it without a build.
//
//   const proxy = await startProxy(serverPort);
//   proxy.cutAll();       // destroys every proxied connection, both sides, at once
//   proxy.cutMidReply();  // each connection is cut inside the next server->client chunk: half of it is
//                         // delivered, then both sides are destroyed (a reply torn in the middle)
//   proxy.connections     // client connections currently open through the proxy
//   proxy.accepted        // client connections accepted so far
//   await proxy.close();

import { connect, createServer } from "node:net";

class Pair {
  constructor(proxy, client, server) {
    this.proxy = proxy;
    this.client = client;
    this.server = server;
    /** Set by cutMidReply(): the next server->client chunk is the last, and only half of it goes through. */
    this.cutNext = false;
    this.closed = false;
    for (const s of [client, server]) {
      s.setNoDelay(true);
      s.on("error", () => {}); // reported through 'close'
      s.on("close", () => this.destroy());
    }
    client.on("data", (chunk) => {
      if (!server.write(chunk)) {
        client.pause();
        server.once("drain", () => client.resume());
      }
    });
    server.on("data", (chunk) => {
      if (this.cutNext) {
        this.cutNext = false;
        this.proxy.midReplyCuts++;
        const half = chunk.subarray(0, Math.max(1, chunk.length >> 1));
        server.destroy();
        // Destroy the client side once the half is flushed (destroying at once could discard it).
        client.write(half, () => this.destroy());
        return;
      }
      if (!client.write(chunk)) {
        server.pause();
        client.once("drain", () => server.resume());
      }
    });
    client.on("end", () => server.end());
    server.on("end", () => client.end());
  }

  destroy() {
    if (this.closed) return;
    this.closed = true;
    this.client.destroy();
    this.server.destroy();
    this.proxy.pairs.delete(this);
  }
}

export class SoakProxy {
  host = "127.0.0.1";
  port = 0;
  pairs = new Set();
  accepted = 0;
  cuts = 0;
  midReplyCuts = 0;

  constructor(targetPort, targetHost = "127.0.0.1") {
    this.server = createServer({ allowHalfOpen: true }, (client) => {
      this.accepted++;
      const server = connect({ host: targetHost, port: targetPort, allowHalfOpen: true });
      this.pairs.add(new Pair(this, client, server));
    });
  }

  listen() {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => {
        this.port = this.server.address().port;
        resolve(this);
      });
    });
  }

  /** Client connections currently open through the proxy. */
  get connections() {
    return this.pairs.size;
  }

  /** Destroys every proxied connection on both sides; new connections still work. */
  cutAll() {
    this.cuts++;
    for (const pair of [...this.pairs]) pair.destroy();
  }

  /** Arms every open connection to be cut inside its next server->client chunk. */
  cutMidReply() {
    this.cuts++;
    for (const pair of this.pairs) pair.cutNext = true;
  }

  close() {
    for (const pair of [...this.pairs]) pair.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export function startProxy(targetPort, targetHost) {
  return new SoakProxy(targetPort, targetHost).listen();
}
