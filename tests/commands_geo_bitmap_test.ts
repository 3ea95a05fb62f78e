// Geo, HyperLogLog and bitmap commands against a real server, under RESP2 and RESP3:
// real replies, their JS types, and the same values whatever the protocol.

import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedRedis } from "./harness/mod.ts";
import { DataError, Redis } from "../mod.ts";

const PROTOCOLS = [2, 3] as const;
type Protocol = (typeof PROTOCOLS)[number];

let counter = 0;
/** A key prefix no other test (or run) uses. */
function prefix(protocol: Protocol): string {
  return `geobit:${protocol}:${Date.now().toString(36)}:${counter++}:`;
}

const PALERMO = [13.361389, 38.115556] as const;
const CATANIA = [15.087269, 37.502669] as const;

function near(actual: number | undefined, expected: number, tolerance: number, what: string): void {
  assert.equal(typeof actual, "number", `${what} is a number`);
  assert.ok(Math.abs((actual as number) - expected) <= tolerance, `${what}: ${actual} is not ~${expected}`);
}

async function sicily(r: Redis, key: string): Promise<void> {
  assert.equal(
    await r.geoadd(key, [[...PALERMO, "Palermo"], {
      longitude: CATANIA[0],
      latitude: CATANIA[1],
      member: "Catania",
    }]),
    2,
  );
}

/** Runs `body` under both protocols and checks it returns the same value for each. */
const results = new Map<string, unknown[]>();
function both(name: string, body: (r: Redis, p: string) => Promise<unknown>): void {
  for (const protocol of PROTOCOLS) {
    test(`RESP${protocol}: ${name}`, async () => {
      const s = await sharedRedis();
      await using r = new Redis({ host: s.host, port: s.port, protocol });
      const value = await body(r, prefix(protocol));
      const seen = results.get(name) ?? [];
      seen.push(value);
      results.set(name, seen);
      if (seen.length === 2) assert.deepEqual(seen[0], seen[1], "RESP2 and RESP3 give the same value");
    });
  }
}

both("geoadd options, geodist, geohash, geopos", async (r, p) => {
  const k = `${p}sicily`;
  await sicily(r, k);
  assert.equal(await r.geoadd(k, [[...PALERMO, "Palermo"]], { nx: true }), 0);
  assert.equal(await r.geoadd(k, [[13, 38, "Palermo"]], { xx: true, ch: true }), 1);
  assert.equal(await r.geoadd(k, [[14, 38, "Nowhere"]], { xx: true }), 0);
  assert.equal(await r.geoadd(k, [[...PALERMO, "Palermo"]], { ch: true }), 1);
  const m = await r.geodist(k, "Palermo", "Catania");
  near(m ?? undefined, 166274.1516, 0.01, "distance in m");
  const km = await r.geodist(k, "Palermo", "Catania", "km");
  near(km ?? undefined, 166.2742, 0.0001, "distance in km");
  near((await r.geodist(k, "Palermo", "Catania", "mi")) ?? undefined, 103.3182, 0.0001, "distance in mi");
  assert.equal(await r.geodist(k, "Palermo", "Atlantis"), null);
  const hashes = await r.geohash(k, "Palermo", "Catania", "Atlantis");
  assert.deepEqual(hashes, ["sqc8b49rny0", "sqdtr74hyu0", null]);
  const pos = await r.geopos(k, "Palermo", "Atlantis");
  assert.equal(pos.length, 2);
  assert.equal(pos[1], null);
  near(pos[0]?.[0], PALERMO[0], 1e-5, "longitude");
  near(pos[0]?.[1], PALERMO[1], 1e-5, "latitude");
  await assert.rejects(r.geodist(k, "Palermo", "Catania", "yd" as never), DataError);
  return { m, km, hashes, pos };
});

both("georadius and georadiusRo: names, entries, count, sort", async (r, p) => {
  const k = `${p}sicily`;
  await sicily(r, k);
  const names = await r.georadius(k, 15, 37, 200, { unit: "km", sort: "ASC" });
  assert.deepEqual(names, ["Catania", "Palermo"]);
  assert.deepEqual(await r.georadius(k, 15, 37, 200, { unit: "km", sort: "DESC" }), ["Palermo", "Catania"]);
  assert.deepEqual(await r.georadius(k, 15, 37, 100, { unit: "km" }), ["Catania"]);
  const entries = await r.georadius(k, 15, 37, 200, {
    unit: "km",
    withdist: true,
    withcoord: true,
    withhash: true,
    sort: "ASC",
  });
  assert.equal(entries.length, 2);
  assert.deepEqual(entries.map((e) => e.member), ["Catania", "Palermo"]);
  near(entries[0].dist, 56.4413, 0.0001, "Catania dist");
  near(entries[1].dist, 190.4424, 0.0001, "Palermo dist");
  assert.equal(entries[0].hash, 3479447370796909);
  assert.equal(entries[1].hash, 3479099956230698);
  near(entries[0].coord?.[0], CATANIA[0], 1e-5, "Catania longitude");
  near(entries[0].coord?.[1], CATANIA[1], 1e-5, "Catania latitude");
  const onlyDist = await r.georadiusRo(k, 15, 37, 200, { unit: "km", withdist: true, count: 1, sort: "ASC" });
  assert.deepEqual(Object.keys(onlyDist[0]).sort(), ["dist", "member"]);
  assert.equal(onlyDist.length, 1);
  assert.equal(onlyDist[0].member, "Catania");
  const anyOne = await r.georadiusRo(k, 15, 37, 200, { unit: "km", count: 1, any: true });
  assert.equal(anyOne.length, 1);
  const onlyCoord = await r.georadiusRo(k, 15, 37, 100, { unit: "km", withcoord: true });
  assert.deepEqual(Object.keys(onlyCoord[0]).sort(), ["coord", "member"]);
  await assert.rejects(r.georadiusRo(k, 15, 37, 200, { store: `${p}x` } as never), DataError);
  await assert.rejects(r.georadius(k, 15, 37, 200, { any: true }), DataError);
  return { names, entries, onlyDist };
});

both("georadius store/storeDist and georadiusbymember", async (r, p) => {
  const k = `${p}sicily`;
  await sicily(r, k);
  assert.equal(await r.georadius(k, 15, 37, 200, { unit: "km", store: `${p}stored` }), 2);
  assert.deepEqual(await r.zrange(`${p}stored`, 0, -1), ["Palermo", "Catania"]);
  assert.equal(await r.georadius(k, 15, 37, 200, { unit: "km", storeDist: `${p}dists` }), 2);
  const scored = await r.zrange(`${p}dists`, 0, -1, { withscores: true });
  assert.equal(scored[0][0], "Catania");
  near(scored[0][1], 56.4413, 0.001, "stored distance");
  const byMember = await r.georadiusbymember(k, "Palermo", 200, { unit: "km", sort: "ASC" });
  assert.deepEqual(byMember, ["Palermo", "Catania"]);
  const withDist = await r.georadiusbymemberRo(k, "Palermo", 200, {
    unit: "km",
    withdist: true,
    sort: "DESC",
  });
  assert.equal(withDist[0].member, "Catania");
  near(withDist[0].dist, 166.2742, 0.0001, "Palermo to Catania");
  near(withDist[1].dist, 0, 0, "Palermo to itself");
  assert.equal(await r.georadiusbymember(k, "Palermo", 10, { unit: "km", store: `${p}s2` }), 1);
  assert.deepEqual(await r.georadiusbymemberRo(k, "Palermo", 10, { unit: "km" }), ["Palermo"]);
  return { scored, byMember, withDist };
});

both("geosearch and geosearchstore", async (r, p) => {
  const k = `${p}sicily`;
  await sicily(r, k);
  const byMember = await r.geosearch(k, { member: "Palermo", radius: 200, unit: "km", sort: "ASC" });
  assert.deepEqual(byMember, ["Palermo", "Catania"]);
  const box = await r.geosearch(k, {
    longitude: 15,
    latitude: 37,
    width: 400,
    height: 400,
    unit: "km",
    sort: "ASC",
    withcoord: true,
    withdist: true,
    withhash: true,
  });
  assert.deepEqual(box.map((e) => e.member), ["Catania", "Palermo"]);
  near(box[0].dist, 56.4413, 0.0001, "Catania dist");
  assert.equal(box[1].hash, 3479099956230698);
  near(box[1].coord?.[1], PALERMO[1], 1e-5, "Palermo latitude");
  const smallBox = await r.geosearch(k, { longitude: 15, latitude: 37, width: 150, height: 150, unit: "km" });
  assert.deepEqual(smallBox, ["Catania"]);
  const first = await r.geosearch(k, {
    member: "Catania",
    radius: 300000,
    count: 1,
    sort: "ASC",
    withdist: true,
  });
  assert.deepEqual(first, [{ member: "Catania", dist: 0 }]);
  const anyOne = await r.geosearch(k, { member: "Catania", radius: 300, unit: "km", count: 1, any: true });
  assert.equal(anyOne.length, 1);
  assert.equal(await r.geosearchstore(`${p}dst`, k, { member: "Palermo", radius: 200, unit: "km" }), 2);
  assert.equal(
    await r.geosearchstore(`${p}dd`, k, {
      longitude: 15,
      latitude: 37,
      radius: 200,
      unit: "km",
      storedist: true,
    }),
    2,
  );
  const scored = await r.zrange(`${p}dd`, 0, -1, { withscores: true });
  assert.equal(scored[0][0], "Catania");
  near(scored[0][1], 56.4413, 0.001, "stored distance");
  await assert.rejects(r.geosearch(k, { radius: 1 }), DataError);
  await assert.rejects(r.geosearch(k, { member: "Palermo", radius: 1, width: 1, height: 1 }), DataError);
  return { byMember, box, smallBox, first, scored };
});

both("pfadd, pfcount, pfmerge", async (r, p) => {
  assert.equal(await r.pfadd(`${p}a`, "x", "y", "z"), true);
  assert.equal(await r.pfadd(`${p}a`, "x"), false);
  assert.equal(await r.pfadd(`${p}b`, "z", "w"), true);
  assert.equal(await r.pfcount(`${p}a`), 3);
  assert.equal(await r.pfcount(`${p}a`, `${p}b`), 4);
  assert.equal(await r.pfmerge(`${p}m`, `${p}a`, `${p}b`), true);
  assert.equal(await r.pfcount(`${p}m`), 4);
  assert.equal(await r.pfcount(`${p}missing`), 0);
  return await r.pfcount(`${p}m`);
});

both("setbit, getbit, bitcount, bitpos, bitop", async (r, p) => {
  const s0 = await sharedRedis();
  await using raw = new Redis({
    host: s0.host,
    port: s0.port,
    protocol: r.options.protocol,
    decodeResponses: false,
  });
  const b = `${p}bits`;
  assert.equal(await r.setbit(b, 7, 1), 0);
  assert.equal(await r.setbit(b, 7, true), 1);
  assert.equal(await r.getbit(b, 7), 1);
  assert.equal(await r.getbit(b, 6), 0);
  assert.equal(await r.getbit(b, 10_000), 0);
  assert.equal(await r.setbit(b, 7, false), 1);
  const s = `${p}s`;
  await r.set(s, "foobar");
  const counts = [
    await r.bitcount(s),
    await r.bitcount(s, { start: 0, end: 0 }),
    await r.bitcount(s, { start: 1, end: 1 }),
    await r.bitcount(s, { start: 1, end: 1, mode: "BYTE" }),
    await r.bitcount(s, { start: 5, end: 30, mode: "BIT" }),
    await r.bitcount(`${p}missing`),
  ];
  assert.deepEqual(counts, [26, 4, 6, 6, 17, 0]);
  const q = `${p}q`;
  await r.set(q, new Uint8Array([0xff, 0xf0, 0x00]));
  const positions = [
    await r.bitpos(q, 0),
    await r.bitpos(q, 1),
    await r.bitpos(q, 1, { start: 2 }),
    await r.bitpos(q, 0, { start: 0, end: 0 }),
    await r.bitpos(q, 1, { start: 7, end: 15, mode: "BIT" }),
    await r.bitpos(`${p}missing`, 1),
  ];
  assert.deepEqual(positions, [12, 0, -1, -1, 7, -1]);
  await r.set(`${p}x`, new Uint8Array([0b1100]));
  await r.set(`${p}y`, new Uint8Array([0b1010, 0xff]));
  assert.equal(await r.bitop("AND", `${p}and`, `${p}x`, `${p}y`), 2);
  assert.deepEqual(await raw.get(`${p}and`), new Uint8Array([0b1000, 0]));
  assert.equal(await r.bitop("OR", `${p}or`, `${p}x`, `${p}y`), 2);
  assert.deepEqual(await raw.get(`${p}or`), new Uint8Array([0b1110, 0xff]));
  assert.equal(await r.bitop("XOR", `${p}xor`, `${p}x`, `${p}y`), 2);
  assert.deepEqual(await raw.get(`${p}xor`), new Uint8Array([0b0110, 0xff]));
  assert.equal(await r.bitop("NOT", `${p}not`, `${p}x`), 1);
  assert.deepEqual(await raw.get(`${p}not`), new Uint8Array([0xf3]));
  await assert.rejects(r.bitop("NOT", `${p}not`, `${p}x`, `${p}y`), DataError);
  return { counts, positions };
});

both("bitfield builder (overflow WRAP, SAT, FAIL) and bitfieldRo", async (r, p) => {
  const k = `${p}bf`;
  const first = await r.bitfield(k).set("u8", 0, 255).get("u8", 0).get("i8", 0).set("u4", "#2", 9).execute();
  assert.deepEqual(first, [0, 255, -1, 0]);
  const wrap = await r.bitfield(k).incrby("u8", 0, 10).execute();
  assert.deepEqual(wrap, [9]);
  const mixed = await r.bitfield(k)
    .set("u8", 0, 250)
    .incrby("u8", 0, 10, "SAT")
    .overflow("FAIL")
    .incrby("u8", 0, 1)
    .overflow("WRAP")
    .incrby("u8", 0, 1)
    .execute();
  assert.deepEqual(mixed, [9, 255, null, 0]);
  assert.deepEqual(await r.bitfield(k, "SAT").incrby("i4", 100, 100).incrby("i4", 100, -100).execute(), [
    7,
    -8,
  ]);
  assert.deepEqual(await r.bitfield(k, "FAIL").set("i4", 100, 100).execute(), [null]);
  assert.deepEqual(await r.bitfield(k).execute(), []);
  assert.deepEqual(await r.bitfieldRo(k, [["u8", 0], ["u4", "#2"], ["i4", 100]]), [0, 9, -8]);
  assert.deepEqual(await r.bitfieldRo(k, []), []);
  await assert.rejects(r.bitfield(k).get("u64", 0).execute(), DataError);
  await assert.rejects(r.bitfieldRo(k, [["i65", 0]] as never), DataError);
  return { first, wrap, mixed };
});
