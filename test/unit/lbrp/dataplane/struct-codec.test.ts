// The struct description: offsets by C's natural alignment (or packed), the encoder and decoder
// derived from it, and the checks they make. The real structs are compared with the compiled
// object's BTF in map-layouts.test.ts; these cases pin the rules themselves.

import { struct } from '../../../../src/lbrp/dataplane/struct-codec';

interface Mixed {
  a: number;
  b: bigint;
  ip: string;
  port: number;
  words: number[];
  opt?: number;
}

const MIXED = struct<Mixed>([
  { c: 'a', type: 'u8', prop: 'a' },
  { c: 'b', type: 'u64', prop: 'b' },
  { c: 'ip', type: 'ipv4', prop: 'ip' },
  { c: 'port', type: 'be16', prop: 'port' },
  { c: 'words', type: 'u32wrap', prop: 'words', count: 2 },
  { c: 'opt', type: 'u16', prop: 'opt' },
  { c: 'tail', type: 'bytes', size: 3 },
]);

describe('struct()', () => {
  it('places each field at its alignment and rounds the size to the largest one', () => {
    expect(MIXED.layout).toEqual({
      size: 40,
      fields: {
        a: { offset: 0, size: 1 },
        b: { offset: 8, size: 8 },
        ip: { offset: 16, size: 4 },
        port: { offset: 20, size: 2 },
        words: { offset: 24, size: 8 },
        opt: { offset: 32, size: 2 },
        tail: { offset: 34, size: 3 },
      },
    });
  });

  it('packs fields back to back when packed', () => {
    const p = struct<never>(
      [
        { c: 'x', type: 'u16' },
        { c: 'y', type: 'u32' },
        { c: 'z', type: 'u8' },
      ],
      { packed: true },
    );
    expect(p.layout).toEqual({
      size: 7,
      fields: { x: { offset: 0, size: 2 }, y: { offset: 2, size: 4 }, z: { offset: 6, size: 1 } },
    });
  });

  it('encodes in each field byte order, zero elsewhere, and decodes back', () => {
    const v: Mixed = { a: 7, b: 0x0102030405060708n, ip: '10.0.0.1', port: 0x1f90, words: [-1, 5] };
    const b = MIXED.encode(v);
    expect(b.toString('hex')).toBe(
      '07000000000000000807060504030201' +
        '0a000001' +
        '1f90' +
        '0000' +
        'ffffffff05000000' +
        '0000' +
        '000000' +
        '000000',
    );
    expect(MIXED.decode(b)).toEqual({ ...v, words: [0xffffffff, 5], opt: 0 });
  });

  it('refuses an array of the wrong length and an integer out of range', () => {
    const v: Mixed = { a: 1, b: 0n, ip: '1.2.3.4', port: 1, words: [1] };
    expect(() => MIXED.encode(v)).toThrow('expected 2 words, got 1');
    expect(() => MIXED.encode({ ...v, words: [1, 2], a: 256 })).toThrow(/out of range/);
    expect(() => MIXED.encode({ ...v, words: [1, 2], ip: '1.2.3' })).toThrow('invalid IPv4 address "1.2.3"');
  });
});
