// IR query helpers used by emitters and polycubed: lookup by path, walks, key leaves, configurability,
// effective bounds, and the value checker and range parser behind default validation.

import {
  type IrList,
  type IrType,
  allNodes,
  checkValue,
  childrenOf,
  effectiveRanges,
  findNode,
  isConfigurable,
  isUpdatable,
  keyLeaves,
  leavesOf,
  parseRangeExpr,
  walkNodes,
} from 'yang-ts-codegen';
import { loadInlineOk } from './inline-module';

const MODULE = loadInlineOk(
  [
    'leaf top { type string; fxb:flag; }',
    'container c {',
    '  leaf state { type string; config false; }',
    '  list l {',
    '    key "b a";',
    '    leaf a { type string; }',
    '    leaf b { type string; }',
    '    leaf v { type string; }',
    '    action go { input { leaf force { type boolean; } } output { leaf took { type uint32; } } }',
    '  }',
    '}',
  ].join('\n'),
);

describe('IR helpers', () => {
  // Each row: a schema path and the node findNode must return (by its own path), or none.
  it.each([
    { inPath: '/t/top', want: '/t/top' },
    { inPath: '/t/c/l/v', want: '/t/c/l/v' },
    { inPath: '/t/c/l/go', want: '/t/c/l/go' },
    { inPath: '/t/c/l/go/input/force', want: '/t/c/l/go/input/force' },
    { inPath: '/t/c/l/go/output/took', want: '/t/c/l/go/output/took' },
    { inPath: '/t/c/l/go/input', want: undefined },
    { inPath: '/t/c/l/go/force', want: undefined },
    { inPath: '/t/c/missing', want: undefined },
    { inPath: '/other/top', want: undefined },
    { inPath: 't/top', want: undefined },
    { inPath: '/t', want: undefined },
  ])('findNode($inPath)', ({ inPath, want }) => {
    expect(findNode(MODULE, inPath)?.path).toBe(want);
  });

  // walkNodes visits parents before children in schema order, including action input and output.
  it('walks every node depth-first in schema order', () => {
    expect(allNodes(MODULE).map((n) => n.name)).toEqual([
      'top',
      'c',
      'state',
      'l',
      'a',
      'b',
      'v',
      'go',
      'force',
      'took',
    ]);
  });

  // Returning false from the visitor prunes that subtree.
  it('skips the descendants of a node when the visitor returns false', () => {
    const seen: string[] = [];
    walkNodes(MODULE, (n) => {
      seen.push(n.name);
      return n.kind !== 'list';
    });
    expect(seen).toEqual(['top', 'c', 'state', 'l']);
  });

  // Key leaves come in key-statement order; leavesOf and childrenOf keep schema order.
  it('lists key leaves, leaves and children', () => {
    const list = findNode(MODULE, '/t/c/l') as IrList;
    expect(keyLeaves(list).map((l) => l.name)).toEqual(['b', 'a']);
    expect(leavesOf(list).map((l) => l.name)).toEqual(['a', 'b', 'v']);
    const go = findNode(MODULE, '/t/c/l/go');
    expect(go && childrenOf(go).map((n) => n.name)).toEqual(['force', 'took']);
    expect(childrenOf(findNode(MODULE, '/t/top') ?? MODULE)).toEqual([]);
  });

  // Configurable = config; updatable additionally excludes keys and init-only nodes.
  it.each([
    { inPath: '/t/top', configurable: true, updatable: true },
    { inPath: '/t/c/state', configurable: false, updatable: false },
    { inPath: '/t/c/l/a', configurable: true, updatable: false },
    { inPath: '/t/c/l/v', configurable: true, updatable: true },
  ])('configurability of $inPath', ({ inPath, configurable, updatable }) => {
    const n = findNode(MODULE, inPath);
    if (!n) throw new Error(`no ${inPath}`);
    expect([isConfigurable(n), isUpdatable(n)]).toEqual([configurable, updatable]);
  });

  // An init-only node is configurable but not updatable.
  it('treats init-only nodes as not updatable', () => {
    const n = { ...allNodes(MODULE)[0], initOnly: true };
    expect([isConfigurable(n), isUpdatable(n)]).toEqual([true, false]);
  });

  // Effective bounds fall back to the built-in type's bounds.
  it.each<{ name: string; inType: IrType; want: { min: number; max: number }[] }>([
    {
      name: 'uint16 without range',
      inType: { kind: 'int', base: 'uint16', range: [] },
      want: [{ min: 0, max: 65535 }],
    },
    {
      name: 'int8 with range',
      inType: { kind: 'int', base: 'int8', range: [{ min: 1, max: 2 }] },
      want: [{ min: 1, max: 2 }],
    },
    {
      name: 'decimal64 of 18 digits',
      inType: { kind: 'decimal64', fractionDigits: 18, range: [] },
      want: [{ min: -(2 ** 63) / 1e18, max: (2 ** 63 - 1) / 1e18 }],
    },
    {
      name: 'string with length',
      inType: { kind: 'string', patterns: [], length: [{ min: 1, max: 3 }] },
      want: [{ min: 1, max: 3 }],
    },
    { name: 'boolean', inType: { kind: 'boolean' }, want: [] },
  ])('effectiveRanges of $name', ({ inType, want }) => {
    expect(effectiveRanges(inType)).toEqual(want);
  });
});

describe('checkValue', () => {
  const u8: IrType = { kind: 'int', base: 'uint8', range: [] };
  const dec: IrType = { kind: 'decimal64', fractionDigits: 2, range: [{ min: 0, max: 10 }] };
  const str: IrType = {
    kind: 'string',
    patterns: [
      { regex: '[a-z]+', invert: false },
      { regex: 'x.*', invert: true },
    ],
    length: [{ min: 1, max: 4 }],
  };
  const uni: IrType = { kind: 'union', types: [u8, { kind: 'boolean' }] };

  // Each row: a type, a value, and whether the value is accepted.
  it.each([
    { name: 'uint8 in range', inType: u8, inValue: '255', ok: true },
    { name: 'uint8 above range', inType: u8, inValue: '256', ok: false },
    { name: 'uint8 not a number', inType: u8, inValue: '1a', ok: false },
    { name: 'decimal within digits', inType: dec, inValue: '9.99', ok: true },
    { name: 'decimal with too many digits', inType: dec, inValue: '1.001', ok: false },
    { name: 'decimal out of range', inType: dec, inValue: '10.5', ok: false },
    { name: 'string matching', inType: str, inValue: 'abc', ok: true },
    { name: 'string too long', inType: str, inValue: 'abcde', ok: false },
    { name: 'string failing a pattern', inType: str, inValue: 'ab1', ok: false },
    { name: 'string matching an inverted pattern', inType: str, inValue: 'xa', ok: false },
    { name: 'union member boolean', inType: uni, inValue: 'true', ok: true },
    { name: 'union no member', inType: uni, inValue: 'maybe', ok: false },
    { name: 'empty never has a value', inType: { kind: 'empty' } as IrType, inValue: '', ok: false },
    {
      name: 'leafref is not checked',
      inType: { kind: 'leafref', path: '../a' } as IrType,
      inValue: 'x',
      ok: true,
    },
  ])('$name', ({ inType, inValue, ok }) => {
    expect(checkValue(inType, inValue) === undefined).toBe(ok);
  });
});

describe('parseRangeExpr', () => {
  // Each row: a range expression against allowed 0..100 and the ranges or reason it must give.
  it.each([
    { inExpr: 'min..max', want: { ranges: [{ min: 0, max: 100 }] } },
    {
      inExpr: ' 1 .. 2 | 4 | 10..max ',
      want: {
        ranges: [
          { min: 1, max: 2 },
          { min: 4, max: 4 },
          { min: 10, max: 100 },
        ],
      },
    },
    { inExpr: '5..1', want: { error: '"5..1" is empty: lower bound above upper bound' } },
    { inExpr: '1..2 | 2..3', want: { error: '"2..3" is not above the previous part' } },
    { inExpr: '1..2..3', want: { error: 'malformed part "1..2..3"' } },
    { inExpr: '90..101', want: { error: '"90..101" is outside the allowed 0..100' } },
    { inExpr: '1.5', want: { error: '"1.5" is not an integer' } },
  ])('"$inExpr"', ({ inExpr, want }) => {
    expect(parseRangeExpr(inExpr, [{ min: 0, max: 100 }], 'integer')).toEqual(want);
  });
});
