import { test } from "node:test";
import assert from "node:assert/strict";
import { parseURL, validateOptions } from "./options.ts";
import { DataError } from "./errors.ts";

test("parseURL: redis:// with user, password, port and db in the path", () => {
  assert.deepEqual(parseURL("redis://alice:s3cret@cache.local:6380/2"), {
    host: "cache.local",
    port: 6380,
    db: 2,
    username: "alice",
    password: "s3cret",
  });
});

test("parseURL: percent-encoded credentials, password only, IPv6 host", () => {
  assert.deepEqual(parseURL("redis://:p%40ss%3Aword@[::1]:7000"), {
    host: "::1",
    port: 7000,
    password: "p@ss:word",
  });
});

test("parseURL: rediss:// turns TLS on; ssl_cert_reqs=none turns verification off", () => {
  assert.deepEqual(parseURL("rediss://h"), { host: "h", tls: true });
  assert.deepEqual(parseURL("rediss://h?ssl_cert_reqs=none"), {
    host: "h",
    tls: { rejectUnauthorized: false },
  });
});

test("parseURL: unix:// with db and credentials in the query", () => {
  assert.deepEqual(parseURL("unix:///run/redis/redis.sock?db=3&password=pw"), {
    path: "/run/redis/redis.sock",
    db: 3,
    password: "pw",
  });
});

test("parseURL: query options in snake_case and camelCase, durations in ms", () => {
  assert.deepEqual(
    parseURL(
      "redis://h?protocol=2&decode_responses=false&client_name=worker&socket_timeout=1500&socketConnectTimeout=250&socket_keepalive=true&encoding=latin1",
    ),
    {
      host: "h",
      protocol: 2,
      decodeResponses: false,
      clientName: "worker",
      socketTimeout: 1500,
      socketConnectTimeout: 250,
      socketKeepalive: true,
      encoding: "latin1",
    },
  );
  assert.equal(parseURL("redis://h?db=5").db, 5);
  assert.equal(parseURL("redis://h?socket_keepalive=30000").socketKeepalive, 30000);
});

test("parseURL: bad URLs and bad option values are DataErrors", () => {
  for (
    const url of [
      "http://h",
      "not a url",
      "redis://h/abc",
      "redis://h?db=-1",
      "redis://h?protocol=4",
      "redis://h?decode_responses=maybe",
      "redis://h?socket_timeout=soon",
    ]
  ) {
    assert.throws(() => parseURL(url), DataError, url);
  }
});

test("validateOptions: ranges and types", () => {
  validateOptions({ host: "h", port: 6379, db: 0, protocol: 3, socketTimeout: 0, encoding: "utf-8" });
  for (
    const bad of [
      { port: -1 },
      { port: 1.5 },
      { db: 1.5 },
      { protocol: 1 },
      { socketTimeout: -5 },
      { socketConnectTimeout: NaN },
      { encoding: "no-such-encoding" },
    ]
  ) {
    assert.throws(() => validateOptions(bad as never), DataError, JSON.stringify(bad));
  }
});
