// The npm package as a user meets it: packs npm/ (built by scripts/build_npm.ts) with `npm pack`, installs
// the tarball into an empty temp project (offline: the package has no dependencies), and checks there
// `import` and `require` on every Node at hand and Bun against a throwaway redis-server, TypeScript consumers
// (node16 and bundler resolution, with and without @types/node, skipLibCheck off), an esbuild bundle of a
// Worker for workerd, and the README's JavaScript examples.
//
// Usage: node --test scripts/package_test.mjs (after `deno task build:npm`; scripts/test.mjs does both).
// Plain JavaScript with node:test so each check is one counted test case.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startThrowawayRedis } from "./throwaway_redis.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const npmDir = join(root, "npm");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const typeRoots = join(root, "node_modules", "@types");

if (!existsSync(join(npmDir, "package.json"))) {
  throw new Error("npm/ is not built: run `deno task build:npm` first");
}
const manifest = JSON.parse(readFileSync(join(npmDir, "package.json"), "utf8"));

// Every Node at hand, once per version (as scripts/test.mjs finds them: this one, the machine's, Node 22 and
// 24 from the dev dependencies), and Bun; scripts/runtimes.mjs says where the dev packages put them when the
// repository has it, else they are in node_modules.
const runtimesModule = join(root, "scripts", "runtimes.mjs");
const layout = existsSync(runtimesModule) ? await import(runtimesModule) : undefined;
const nodes = new Map();
for (
  const path of [
    process.execPath,
    ...(process.env.PATH ?? "").split(":").filter((dir) => dir && !dir.includes("node_modules"))
      .map((dir) => join(dir, "node")),
    ...(layout?.extraNodePaths() ??
      ["node22", "node24"].map((n) => join(root, "node_modules", n, "bin", "node"))),
  ]
) {
  if (!existsSync(path)) continue;
  const version = spawnSync(path, ["--version"], { encoding: "utf8" }).stdout?.trim();
  if (version && !nodes.has(version)) nodes.set(version, path);
}
const runtimes = [...nodes].map(([version, path]) => [`node ${version}`, path]);
runtimes.push(["bun", layout?.bunPath() ?? join(root, "node_modules", ".bin", "bun")]);

test("Node 20, 22 and 24 are at hand", () => {
  const majors = [...nodes.keys()].map((v) => Number(/^v(\d+)/.exec(v)?.[1]));
  for (const major of [20, 22, 24]) {
    assert.ok(majors.includes(major), `no Node ${major} in ${[...nodes.keys()]}`);
  }
});

// The consumer project: the packed tarball installed into an empty directory.
const project = mkdtempSync(join(tmpdir(), "uniredis-package-"));
const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", project, npmDir], {
  encoding: "utf8",
}).trim().split("\n").pop();
writeFileSync(
  join(project, "package.json"),
  JSON.stringify({ name: "consumer", private: true, type: "module" }),
);
execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", join(project, tarball)], {
  cwd: project,
  stdio: "pipe",
});
const server = await startThrowawayRedis({ prefix: "uniredis-package-redis-" });

/** Runs a command in the consumer project; fails the test with its output when it exits non-zero. */
function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: project, encoding: "utf8", timeout: 60_000, ...options });
  assert.equal(
    r.status,
    0,
    `${cmd} ${args.join(" ")} exited ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`,
  );
  return r.stdout;
}

writeFileSync(
  join(project, "esm.mjs"),
  `import { Redis, VERSION } from "uniredis";
import { webConnector } from "uniredis/web";
const r = new Redis({ host: "127.0.0.1", port: Number(process.env.PORT) });
try {
  await r.set("package:esm", VERSION);
  console.log(typeof webConnector, await r.get("package:esm"));
} finally {
  await r.close();
}
`,
);
writeFileSync(
  join(project, "cjs.cjs"),
  `const { Redis, VERSION, DataError } = require("uniredis");
const { webConnector } = require("uniredis/web");
const r = new Redis({ host: "127.0.0.1", port: Number(process.env.PORT) });
r.set("package:cjs", VERSION)
  .then(() => r.get("package:cjs"))
  .then((v) => console.log(typeof webConnector, v, typeof DataError))
  .finally(() => r.close());
`,
);

// uniredis/otel without @opentelemetry/api installed (an optional peer): the caller's tracer is all it needs.
const otelScript = (load) =>
  `${load}
const spans = [];
const tracer = { startSpan: (name) => ({ setAttribute() {}, setStatus() {}, recordException() {}, end: () => spans.push(name) }) };
const r = new Redis({ host: "127.0.0.1", port: Number(process.env.PORT) });
const otel = instrument(r, { tracer });
Promise.resolve(r.set("package:otel", "1"))
  .then(() => console.log(spans.join(",")))
  .finally(() => (otel.remove(), r.close()));
`;
writeFileSync(
  join(project, "otel.mjs"),
  otelScript(`import { Redis } from "uniredis";\nimport { instrument } from "uniredis/otel";`),
);
writeFileSync(
  join(project, "otel.cjs"),
  otelScript(`const { Redis } = require("uniredis");\nconst { instrument } = require("uniredis/otel");`),
);

for (const [label, bin] of runtimes) {
  test(`import and require "uniredis/otel" on ${label}, without @opentelemetry/api`, () => {
    assert.ok(!existsSync(join(project, "node_modules", "@opentelemetry")));
    for (const file of ["otel.mjs", "otel.cjs"]) {
      const out = run(bin, [file], { env: { ...process.env, PORT: String(server.port) } });
      assert.equal(out.trim(), "SET", file);
    }
  });
  test(`import "uniredis" on ${label}: a command against redis-server`, () => {
    const out = run(bin, ["esm.mjs"], { env: { ...process.env, PORT: String(server.port) } });
    assert.equal(out.trim(), `function ${manifest.version}`);
  });
  test(`require("uniredis") on ${label}: a command against redis-server`, () => {
    const out = run(bin, ["cjs.cjs"], { env: { ...process.env, PORT: String(server.port) } });
    assert.equal(out.trim(), `function ${manifest.version} function`);
  });
}

// TypeScript consumers. Without @types/node the lib is es2022 only (no DOM, no esnext.disposable), as in a
// Workers project; with it, `await using` must keep its types.
const plainTs = `import { Redis, RedisErrorEvent } from "uniredis";
import { webConnector } from "uniredis/web";
const r = new Redis({ host: "127.0.0.1", port: 6380 });
try {
  const v: string | null = await r.get("k");
  r.addEventListener("error", (e: RedisErrorEvent) => void e.error);
  void v, webConnector;
} finally {
  await r.close();
}
`;
const usingTs = `import { Redis } from "uniredis";
await using r = new Redis({ host: "127.0.0.1", port: 6380 });
const n: number = await r.incr("n");
void n;
`;
const requireCts = `import { type Connector, DataError, Redis } from "uniredis";
export async function f(connector?: Connector): Promise<boolean> {
  const r = new Redis({ connector });
  try {
    return (await r.ping()) && DataError !== undefined;
  } finally {
    await r.close();
  }
}
`;
writeFileSync(join(project, "plain.ts"), plainTs);
writeFileSync(join(project, "using.ts"), usingTs);
writeFileSync(join(project, "required.cts"), requireCts);

for (const resolution of ["node16", "bundler"]) {
  for (const nodeTypes of [false, true]) {
    const name = `tsconfig.${resolution}${nodeTypes ? ".node" : ""}.json`;
    test(
      `TypeScript consumer: moduleResolution ${resolution}, ${
        nodeTypes ? "@types/node and esnext.disposable" : "lib es2022 only, no @types/node"
      }, skipLibCheck false`,
      () => {
        const files = nodeTypes ? ["plain.ts", "using.ts"] : ["plain.ts"];
        // A CommonJS file resolves the `require` types under node16.
        if (resolution === "node16") files.push("required.cts");
        writeFileSync(
          join(project, name),
          JSON.stringify({
            compilerOptions: {
              target: "es2022",
              module: resolution === "node16" ? "node16" : "esnext",
              moduleResolution: resolution,
              lib: nodeTypes ? ["es2022", "esnext.disposable"] : ["es2022"],
              types: nodeTypes ? ["node"] : [],
              typeRoots: [typeRoots],
              strict: true,
              noEmit: true,
              skipLibCheck: false,
            },
            files,
          }),
        );
        run(process.execPath, [tsc, "-p", name]);
      },
    );
  }
}

test("esbuild bundle of a Worker for workerd (conditions workerd, worker, browser) has no node:net/node:tls", async () => {
  // esbuild is a dev dependency of the repository, not of the consumer project.
  // UNIREDIS_EDGE_MODULES names another node_modules holding it, as for the workerd pass.
  const modules = process.env.UNIREDIS_EDGE_MODULES || join(root, "node_modules");
  const esbuild = await import(createRequire(join(modules, "resolve.cjs")).resolve("esbuild"));
  writeFileSync(
    join(project, "worker.js"),
    `import { Redis } from "uniredis";
export default {
  async fetch(request, env) {
    const r = Redis.fromURL(env.REDIS_URL);
    try {
      return new Response(String(await r.incr("hits")));
    } finally {
      await r.close();
    }
  },
};
`,
  );
  const result = await esbuild.build({
    absWorkingDir: project,
    entryPoints: ["worker.js"],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    external: ["cloudflare:*"],
    logLevel: "silent",
  });
  const code = result.outputFiles[0].text;
  assert.doesNotMatch(code, /node:net|node:tls|(?:from|import|require\()\s*["'](?:net|tls)["']/);
  // The edge entry, with the web transport as the default connector.
  assert.match(code, /from ["']cloudflare:sockets["']/);
});

// The README's JavaScript examples, run as written on the oldest Node at hand, or the newest for `await using`
// (Node 24 has it); port 6379 becomes the throwaway server's. `// → text` after a console.log is the line the
// example must print.
const readme = readFileSync(join(npmDir, "README.md"), "utf8");
const examples = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
const byVersion = [...nodes].sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }));
test("the npm README names the npm package only", () => {
  assert.doesNotMatch(readme, /from "@uniredis\/redis/);
  assert.ok(examples.length >= 4, `found ${examples.length} js examples`);
});
examples.forEach((source, i) => {
  const firstLine = source.split("\n").find((l) => /\S/.test(l) && !l.startsWith("import"))?.trim();
  const subpaths = [...source.matchAll(/from "uniredis(\/[\w-]+)"/g)].map((m) => `.${m[1]}`);
  const missing = subpaths.find((s) => !manifest.exports[s]);
  const [version, node] = source.includes("await using") ? byVersion.at(-1) : byVersion[0];
  test(
    `README example ${i + 1} runs on ${version} (${firstLine})`,
    { skip: missing && `the package has no "${missing}" export yet` },
    () => {
      const file = join(project, `readme_${i + 1}.${source.includes("require(") ? "cjs" : "mjs"}`);
      writeFileSync(file, source.replaceAll("6379", String(server.port)));
      const out = run(node, [file]);
      const expected = [...source.matchAll(/\/\/ → (.*)$/gm)].map((m) => m[1]);
      assert.deepEqual(out.trim().split("\n").filter(Boolean).slice(0, expected.length), expected);
    },
  );
});

// This file runs on Node only, where `after` runs (the Deno caveat of CONTRIBUTING.md does not apply).
after(async () => {
  await server.stop();
  rmSync(project, { recursive: true, force: true });
});
