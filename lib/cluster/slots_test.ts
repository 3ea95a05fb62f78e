import { test } from "node:test";
import assert from "node:assert/strict";
import { Command } from "../commands/command.ts";
import { DataError } from "../errors.ts";
import { crc16, keySlot, SLOT_COUNT, slotsOf } from "./slots.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);

test("crc16: the cluster spec's check value", () => {
  assert.equal(crc16(utf8("123456789")), 0x31c3);
  assert.equal(crc16(new Uint8Array()), 0);
  assert.equal(crc16(utf8("x123456789y"), 1, 10), 0x31c3);
});

test("keySlot: known slots (values from CLUSTER KEYSLOT)", () => {
  assert.equal(SLOT_COUNT, 16384);
  assert.equal(keySlot("123456789"), 12739);
  assert.equal(keySlot("foo"), 12182);
  assert.equal(keySlot(""), 0);
  assert.equal(keySlot("{u}a"), 11826);
});

test("keySlot: hash tags as the server reads them", () => {
  const foo = keySlot("foo");
  assert.equal(keySlot("{foo}"), foo);
  assert.equal(keySlot("{foo}bar"), foo);
  assert.equal(keySlot("bar{foo}"), foo);
  assert.equal(keySlot("x{foo}{bar}"), foo); // the first "{", then the first "}" after it
  assert.equal(keySlot("{foo}}"), foo);
  assert.equal(keySlot("{{foo}}"), keySlot("{foo")); // nested: hashes "{foo"
  assert.equal(keySlot("}{foo}"), foo); // a "}" before the "{" does not count
  // no tag: the whole key
  assert.equal(keySlot("{}foo"), crc16(utf8("{}foo")) % 16384);
  assert.equal(keySlot("foo{"), crc16(utf8("foo{")) % 16384);
  assert.equal(keySlot("foo}"), crc16(utf8("foo}")) % 16384);
  assert.equal(keySlot("{}{foo}"), crc16(utf8("{}{foo}")) % 16384); // an empty first tag: whole key
});

test("keySlot: strings hash as UTF-8, like the same bytes", () => {
  for (const key of ["ключ", "{ü}x", "🔑{tag}", "a{é}", "{}ü", "\u0000{\u00ff}"]) {
    assert.equal(keySlot(key), keySlot(utf8(key)), key);
  }
  assert.equal(keySlot("{ü}x"), keySlot("ü"));
});

test("keySlot: binary keys", () => {
  const bytes = new Uint8Array([0xff, 0x7b, 0x00, 0x80, 0x7d, 0x01]); // \xff{\x00\x80}\x01
  assert.equal(keySlot(bytes), crc16(new Uint8Array([0x00, 0x80])) % 16384);
  assert.equal(
    keySlot(new Uint8Array([0x7b, 0x7d, 0xfe])),
    crc16(new Uint8Array([0x7b, 0x7d, 0xfe])) % 16384,
  );
  assert.equal(keySlot(new Uint8Array()), 0);
});

test("keySlot: a value that is not a key is a DataError", () => {
  assert.throws(() => keySlot(42 as never), DataError);
});

test("slotsOf: distinct slots of the marked keys, in first-seen order", () => {
  assert.deepEqual(slotsOf(new Command(["MGET"]).keysOf(["{u}a", "{u}b", "foo", "{foo}x"])), [11826, 12182]);
  assert.deepEqual(slotsOf(new Command(["PING"])), []);
  // values are not keys: MSET's values never count
  assert.deepEqual(slotsOf(new Command(["MSET"]).key("foo").arg("{u}v").key("{foo}2").arg("x")), [12182]);
  assert.deepEqual(slotsOf(new Command(["OBJECT", "FREQ"]).key(utf8("foo"))), [12182]);
});
