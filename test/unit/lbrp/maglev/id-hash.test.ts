// hashId: a stable, UTF-8-based, seeded 32-bit hash (the basis of every Maglev permutation).

import { hashId } from '../../../../src/lbrp/maglev/id-hash';

/** Reference: FNV-1a over Node's own UTF-8 encoding, then the MurmurHash3 finaliser. */
function hashViaBuffer(id: string, seed: number): number {
  let h = seed | 0;
  for (const byte of Buffer.from(id, 'utf8')) h = Math.imul(h ^ byte, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

describe('hashId', () => {
  // Ids hash as their UTF-8 bytes, whatever characters they hold (lone surrogates as U+FFFD).
  it.each(['', '10.0.0.1', '2001:db8::1', 'café', '日本', '😀 backend', 'bad \ud800 surrogate', 'x\udc00'])(
    'hashes %j as its UTF-8 bytes',
    (id) => {
      for (const seed of [0, 0x811c9dc5, 0x9e3779b9]) expect(hashId(id, seed)).toBe(hashViaBuffer(id, seed));
    },
  );

  // Values are pinned: every lbrp instance, on any platform, must derive the same permutations.
  it('pins known values', () => {
    const got = [
      hashId('10.0.0.1', 0x811c9dc5),
      hashId('10.0.0.1', 0x9e3779b9),
      hashId('', 0x811c9dc5),
      hashId('日本', 1),
    ];
    expect(got).toEqual([0xaebc85ae, 0xc28eefb5, 0xab3e7c0b, 0xb6fcb824]);
  });

  // Results are unsigned 32-bit, and neighbouring ids land far apart.
  it('returns uint32 values that spread neighbouring ids', () => {
    const values = Array.from({ length: 256 }, (_, i) => hashId(`10.0.0.${i}`, 0x811c9dc5));
    expect(values.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff)).toBe(true);
    const lowByte = new Set(values.map((v) => v & 0xff));
    expect(lowByte.size).toBeGreaterThan(140); // 256 random bytes show ~162 distinct values
  });
});
