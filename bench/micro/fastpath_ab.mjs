// A/B micro-benchmark of the client-side cost per command, no server: two (or more) builds of uniredis
// (say main and a branch) loaded in one process, each driving a fake in-memory server that answers +OK at
// once, run in rotating order so all see the same machine load. W2-like: 100 workers awaiting SET/GET in
// turn; W3-like: pipelines of 1,000 SETs. Prints each build's median ops per CPU second (CPU time, not wall
// time: the machine may be shared) and its ratio to the first.
//
//   deno run -A bench/micro/fastpath_ab.mjs [--rounds 10] /path/to/a/mod.ts /path/to/b/mod.ts ...
//   bun bench/micro/fastpath_ab.mjs /path/to/a/mod.ts /path/to/b/mod.ts
//   node bench/micro/fastpath_ab.mjs /path/to/a/npm/esm/mod.js /path/to/b/npm/esm/mod.js

import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import process from "node:process";

/** CPU milliseconds this process used (user + system): less disturbed by other processes than the clock. */
function cpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const argv = [...(typeof Deno !== "undefined" ? Deno.args : process.argv.slice(2))];
let rounds = 10;
const at = argv.indexOf("--rounds");
if (at >= 0) rounds = Number(argv.splice(at, 2)[1]);
if (argv.length < 2) throw new Error("usage: fastpath_ab.mjs [--rounds N] <mod A> <mod B> ...");
const mods = [];
for (const path of argv) mods.push(await import(pathToFileURL(resolve(path)).href));

const OK = new TextEncoder().encode("+OK\r\n");

/** A server that answers +OK to each command written (counted by its leading `*`). */
function fakeConnector() {
  return () => {
    let onData = () => {};
    const transport = {
      write(chunk) {
        let n = 0;
        for (let i = 0; i < chunk.length; i++) {
          if (chunk[i] === 42 && (i === 0 || chunk[i - 1] === 10)) n++;
        }
        const reply = new Uint8Array(OK.length * n);
        for (let i = 0; i < n; i++) reply.set(OK, i * OK.length);
        queueMicrotask(() => onData(reply));
      },
      onData(handler) {
        onData = handler;
      },
      onClose() {},
      close: () => Promise.resolve(),
    };
    return Promise.resolve(transport);
  };
}

async function w2(mod, ops) {
  const r = new mod.Redis({ connector: fakeConnector(), protocol: 2 });
  await r.set("k", "v");
  const started = cpuMs();
  let left = ops;
  await Promise.all(Array.from({ length: 100 }, async (_, w) => {
    for (let i = 0; left > 0; i++) {
      left--;
      if (i % 2) await r.get(`k${w}`);
      else await r.set(`k${w}`, "value");
    }
  }));
  const ms = cpuMs() - started;
  await r.close();
  return ops / ms * 1000;
}

async function w3(mod, pipelines) {
  const r = new mod.Redis({ connector: fakeConnector(), protocol: 2 });
  await r.set("k", "v");
  const started = cpuMs();
  for (let p = 0; p < pipelines; p++) {
    const pipe = r.pipeline({ transaction: false });
    for (let i = 0; i < 1000; i++) pipe.set(`key:${i}`, "value");
    await pipe.exec();
  }
  const ms = cpuMs() - started;
  await r.close();
  return pipelines * 1000 / ms * 1000;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, run, size] of [["W2", w2, 50_000], ["W3", w3, 25]]) {
  for (const mod of mods) await run(mod, size / 5); // warm-up
  const samples = mods.map(() => []);
  // Each round starts with the next build: none always runs first (after the others' garbage).
  for (let i = 0; i < rounds * mods.length; i++) {
    for (let j = 0; j < mods.length; j++) {
      const k = (i + j) % mods.length;
      samples[k].push(await run(mods[k], size));
    }
  }
  const medians = samples.map(median);
  console.log(
    `${name}: ${
      medians.map((m, k) =>
        `${String.fromCharCode(65 + k)} ${Math.round(m).toLocaleString("en")} ops/s` +
        (k === 0 ? "" : ` (${(m / medians[0]).toFixed(3)})`)
      ).join(", ")
    }`,
  );
}
