// A/B micro-benchmark of the client-side cost per command, no server: two builds of uniredis (say main and
// a branch) loaded in one process, each driving a fake in-memory server that answers +OK at once, run
// alternately so both see the same machine load. W2-like: 100 workers awaiting SET/GET in turn; W3-like:
// pipelines of 1,000 SETs. Prints each side's median ops/s and the ratio B/A.
//
//   deno run -A bench/micro/fastpath_ab.mjs /path/to/a/mod.ts /path/to/b/mod.ts [rounds]
//   bun bench/micro/fastpath_ab.mjs /path/to/a/mod.ts /path/to/b/mod.ts
//   node bench/micro/fastpath_ab.mjs /path/to/a/npm/esm/mod.js /path/to/b/npm/esm/mod.js

import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const argv = typeof Deno !== "undefined" ? Deno.args : process.argv.slice(2);
const [pathA, pathB, roundsArg] = argv;
if (!pathA || !pathB) throw new Error("usage: fastpath_ab.mjs <mod A> <mod B> [rounds]");
const rounds = Number(roundsArg ?? 10);
const A = await import(pathToFileURL(resolve(pathA)).href);
const B = await import(pathToFileURL(resolve(pathB)).href);

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
  const started = performance.now();
  let left = ops;
  await Promise.all(Array.from({ length: 100 }, async (_, w) => {
    for (let i = 0; left > 0; i++) {
      left--;
      if (i % 2) await r.get(`k${w}`);
      else await r.set(`k${w}`, "value");
    }
  }));
  const ms = performance.now() - started;
  await r.close();
  return ops / ms * 1000;
}

async function w3(mod, pipelines) {
  const r = new mod.Redis({ connector: fakeConnector(), protocol: 2 });
  await r.set("k", "v");
  const started = performance.now();
  for (let p = 0; p < pipelines; p++) {
    const pipe = r.pipeline({ transaction: false });
    for (let i = 0; i < 1000; i++) pipe.set(`key:${i}`, "value");
    await pipe.exec();
  }
  const ms = performance.now() - started;
  await r.close();
  return pipelines * 1000 / ms * 1000;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, run, size] of [["W2", w2, 100_000], ["W3", w3, 50]]) {
  await run(A, size / 5); // warm-up
  await run(B, size / 5);
  const a = [], b = [];
  for (let i = 0; i < rounds; i++) {
    a.push(await run(A, size));
    b.push(await run(B, size));
  }
  const ma = median(a), mb = median(b);
  console.log(
    `${name}: A ${Math.round(ma).toLocaleString("en")} ops/s, B ${
      Math.round(mb).toLocaleString("en")
    } ops/s, B/A ${(mb / ma).toFixed(3)}`,
  );
}
