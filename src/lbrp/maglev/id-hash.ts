// Stable 32-bit string hash for Maglev backend ids (FNV-1a over UTF-8 bytes + an avalanche finaliser).
// Sits under maglev-table.ts: two seeds give each backend its permutation offset and skip.
// Pure arithmetic on Math.imul, so every instance on every platform computes the same value.

/** FNV-1a 32-bit prime (16777619). */
const FNV_PRIME = 0x01000193;

/**
 * Hashes `id` (as UTF-8 bytes) with `seed` into an unsigned 32-bit integer.
 *
 * Promises: the result depends only on `id` and `seed` — never on the platform, the process or time —
 * so two lbrp instances derive the same Maglev permutations. Lone UTF-16 surrogates hash as U+FFFD,
 * as UTF-8 encoders do. Never allocates.
 */
export function hashId(id: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < id.length; i++) {
    let cp = id.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const lo = i + 1 < id.length ? id.charCodeAt(i + 1) : 0;
      if (cp <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      } else {
        cp = 0xfffd;
      }
    }
    if (cp < 0x80) {
      h = Math.imul(h ^ cp, FNV_PRIME);
    } else if (cp < 0x800) {
      h = Math.imul(h ^ (0xc0 | (cp >>> 6)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | (cp & 0x3f)), FNV_PRIME);
    } else if (cp < 0x10000) {
      h = Math.imul(h ^ (0xe0 | (cp >>> 12)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((cp >>> 6) & 0x3f)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | (cp & 0x3f)), FNV_PRIME);
    } else {
      h = Math.imul(h ^ (0xf0 | (cp >>> 18)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((cp >>> 12) & 0x3f)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((cp >>> 6) & 0x3f)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | (cp & 0x3f)), FNV_PRIME);
    }
  }
  return avalanche(h);
}

/**
 * MurmurHash3's 32-bit finaliser: FNV-1a alone leaves ids that differ only in their last byte
 * (10.0.0.1 vs 10.0.0.2) close together in the low bits that `% M` keeps.
 */
function avalanche(x: number): number {
  let h = x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
