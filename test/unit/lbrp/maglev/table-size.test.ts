// Prime helpers and the table-size ladder: sizes are always prime and follow M ≥ 100·N within bounds.

import { TABLE_POLICY_DEFAULTS } from '../../../../src/lbrp/maglev/table-policy';
import { chooseTableSize, isPrime, nextPrime, prevPrime } from '../../../../src/lbrp/maglev/table-size';

/** The policy's bounds (min 251, max 131071). */
const BOUNDS = { min: TABLE_POLICY_DEFAULTS.minTableSize, max: TABLE_POLICY_DEFAULTS.maxTableSize };

/** Primality by brute force, as the oracle for small n. */
function isPrimeSlow(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d < n; d++) if (n % d === 0) return false;
  return true;
}

describe('isPrime', () => {
  // Agrees with brute force on every n below 2000.
  it('matches trial division by every smaller number for n < 2000', () => {
    for (let n = -2; n < 2000; n++) expect([n, isPrime(n)]).toEqual([n, isPrimeSlow(n)]);
  });

  // The sizes the documentation names are prime; their neighbours and non-integers are not.
  it.each([
    { in: 251, want: true },
    { in: 65537, want: true },
    { in: 131071, want: true },
    { in: 655373, want: true },
    { in: 65536, want: false },
    { in: 65535, want: false },
    { in: 2.5, want: false },
    { in: Number.NaN, want: false },
  ])('isPrime($in) is $want', ({ in: n, want }) => {
    expect(isPrime(n)).toBe(want);
  });
});

describe('nextPrime and prevPrime', () => {
  // nextPrime rounds up to a prime, prevPrime down; a prime maps to itself.
  it.each([
    { in: -5, wantNext: 2, wantPrev: undefined },
    { in: 2, wantNext: 2, wantPrev: 2 },
    { in: 200, wantNext: 211, wantPrev: 199 },
    { in: 251, wantNext: 251, wantPrev: 251 },
    { in: 10000, wantNext: 10007, wantPrev: 9973 },
    { in: 65536, wantNext: 65537, wantPrev: 65521 },
    { in: 100.5, wantNext: 101, wantPrev: 97 },
  ])('around $in', ({ in: n, wantNext, wantPrev }) => {
    expect(nextPrime(n)).toBe(wantNext);
    if (wantPrev === undefined) expect(() => prevPrime(n)).toThrow('expected a number ≥ 2');
    else expect(prevPrime(n)).toBe(wantPrev);
  });

  // Non-finite input is a programmer error, not an endless search.
  it('rejects non-finite input', () => {
    expect(() => nextPrime(Number.POSITIVE_INFINITY)).toThrow('finite');
    expect(() => nextPrime(Number.NaN)).toThrow('finite');
  });
});

describe('chooseTableSize', () => {
  // The documented ladder with the default bounds (min 251, max 131071).
  it.each([
    { inN: 0, want: 251 },
    { inN: 1, want: 251 },
    { inN: 2, want: 251 },
    { inN: 3, want: 307 },
    { inN: 10, want: 1009 },
    { inN: 100, want: 10007 },
    { inN: 1000, want: 100003 },
    { inN: 1310, want: 131009 },
    { inN: 1311, want: 131071 },
    { inN: 100000, want: 131071 },
  ])('$inN backends → $want slots', ({ inN, want }) => {
    expect(chooseTableSize(inN, BOUNDS)).toBe(want);
  });

  // Caller bounds: min raises the floor, a non-prime max caps to the prime below it.
  it.each([
    { name: 'min raises the floor', inN: 3, inBounds: { min: 65537 }, want: 65537 },
    { name: 'non-prime cap', inN: 50, inBounds: { max: 1000 }, want: 997 },
    { name: 'cap wins over min', inN: 1, inBounds: { min: 114, max: 126 }, want: 113 },
  ])('$name', ({ inN, inBounds, want }) => {
    expect(chooseTableSize(inN, { ...BOUNDS, ...inBounds })).toBe(want);
    expect(isPrime(chooseTableSize(inN, { ...BOUNDS, ...inBounds }))).toBe(true);
  });

  // The policy's bounds are prime and ordered.
  it('has prime bounds with min ≤ max', () => {
    expect([BOUNDS.min, BOUNDS.max].every(isPrime)).toBe(true);
    expect(BOUNDS.min).toBeLessThanOrEqual(BOUNDS.max);
  });

  // Nonsense counts and bounds are programmer errors.
  it.each([
    { name: 'negative count', inN: -1, inBounds: {}, wantErr: 'backend count' },
    { name: 'fractional count', inN: 1.5, inBounds: {}, wantErr: 'backend count' },
    { name: 'min above max', inN: 1, inBounds: { min: 500, max: 300 }, wantErr: 'min ≤ max' },
    { name: 'max below 2', inN: 1, inBounds: { min: 0, max: 1 }, wantErr: 'max ≥ 2' },
  ])('rejects $name', ({ inN, inBounds, wantErr }) => {
    expect(() => chooseTableSize(inN, { ...BOUNDS, ...inBounds })).toThrow(wantErr);
  });
});
