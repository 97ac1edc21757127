// Type resolution in the IR: built-in types and their restrictions, typedef chains (local, nested and
// imported) with merged restrictions and inherited defaults/units, enums, bits, unions, and type errors.

import type { IrLeaf } from 'yang-ts-codegen';
import { loadInline, loadInlineOk, messagesOf, nodeNamed } from './inline-module';

const NAME_PATTERN = { regex: '[a-z][a-z0-9-]*', invert: false };

function leafX(body: string): IrLeaf {
  const n = nodeNamed(loadInlineOk(body), 'x');
  if (n.kind !== 'leaf') throw new Error(`x is a ${n.kind}`);
  return n;
}

describe('IR types', () => {
  // Each row: YANG declaring leaf x, and the resolved type, default and units x must get.
  it.each([
    { name: 'plain int8', inYang: 'leaf x { type int8; }', want: { kind: 'int', base: 'int8', range: [] } },
    {
      name: 'range with alternatives and max',
      inYang: 'leaf x { type uint32 { range "1..10 | 20..max"; } }',
      want: {
        kind: 'int',
        base: 'uint32',
        range: [
          { min: 1, max: 10 },
          { min: 20, max: 4294967295 },
        ],
      },
    },
    {
      name: 'range from min to a negative bound',
      inYang: 'leaf x { type int16 { range "min..-1"; } }',
      want: { kind: 'int', base: 'int16', range: [{ min: -32768, max: -1 }] },
    },
    {
      name: 'range of one value',
      inYang: 'leaf x { type uint8 { range "5"; } }',
      want: { kind: 'int', base: 'uint8', range: [{ min: 5, max: 5 }] },
    },
    {
      name: 'imported typedef with range, units and default',
      inYang: 'leaf x { type fxt:percent; }',
      want: { kind: 'int', base: 'uint8', range: [{ min: 0, max: 100 }], typedef: 'fxt:percent' },
      wantDefault: '50',
      wantUnits: 'percent',
    },
    {
      name: 'imported typedef chain narrowing with min and max of the base range',
      inYang: 'leaf x { type fxt:edge-percent; }',
      want: {
        kind: 'int',
        base: 'uint8',
        range: [
          { min: 0, max: 10 },
          { min: 90, max: 100 },
        ],
        typedef: 'fxt:edge-percent',
      },
      wantDefault: '5',
      wantUnits: 'percent',
    },
    {
      name: 'leaf restriction on an imported typedef keeps the typedef name',
      inYang: 'leaf x { type fxt:percent { range "10..20"; } default 15; units "pct"; }',
      want: { kind: 'int', base: 'uint8', range: [{ min: 10, max: 20 }], typedef: 'fxt:percent' },
      wantDefault: '15',
      wantUnits: 'pct',
    },
    {
      name: 'string with length and pattern from a typedef',
      inYang: 'leaf x { type fxt:name-string; }',
      want: {
        kind: 'string',
        patterns: [NAME_PATTERN],
        length: [{ min: 1, max: 64 }],
        typedef: 'fxt:name-string',
      },
    },
    {
      name: 'patterns accumulate along the chain and invert-match is kept',
      inYang: 'leaf x { type fxt:short-name { pattern "[a-c].*"; } }',
      want: {
        kind: 'string',
        patterns: [NAME_PATTERN, { regex: 'x.*', invert: true }, { regex: '[a-c].*', invert: false }],
        length: [{ min: 1, max: 8 }],
        typedef: 'fxt:short-name',
      },
    },
    {
      name: 'local typedef chain: narrower range, inherited default',
      inYang:
        'typedef a { type int32 { range "0..1000"; } default 7; }\ntypedef b { type a { range "1..100"; } }\nleaf x { type b; }',
      want: { kind: 'int', base: 'int32', range: [{ min: 1, max: 100 }], typedef: 'b' },
      wantDefault: '7',
    },
    {
      name: 'leaf default wins over the typedef default',
      inYang: 'leaf x { type fxt:percent; default 99; }',
      want: { kind: 'int', base: 'uint8', range: [{ min: 0, max: 100 }], typedef: 'fxt:percent' },
      wantDefault: '99',
      wantUnits: 'percent',
    },
    {
      name: 'mandatory leaf ignores the typedef default',
      inYang: 'leaf x { type fxt:percent; mandatory true; }',
      want: { kind: 'int', base: 'uint8', range: [{ min: 0, max: 100 }], typedef: 'fxt:percent' },
      wantUnits: 'percent',
    },
    {
      name: 'typedef nested in a container',
      inYang: 'container c {\n  typedef local { type string { length "2"; } }\n  leaf x { type local; }\n}',
      want: { kind: 'string', patterns: [], length: [{ min: 2, max: 2 }], typedef: 'local' },
    },
    {
      name: 'typedef nested in a grouping, resolved where the grouping is defined',
      inYang:
        'grouping g {\n  typedef gt { type uint64; }\n  leaf x { type gt; }\n}\ncontainer c { uses g; }',
      want: { kind: 'int', base: 'uint64', range: [], typedef: 'gt' },
    },
    {
      name: 'decimal64 with fraction digits and a range',
      inYang: 'leaf x { type decimal64 { fraction-digits 2; range "0.5..10.25"; } default "1.5"; }',
      want: { kind: 'decimal64', fractionDigits: 2, range: [{ min: 0.5, max: 10.25 }] },
      wantDefault: '1.5',
    },
    {
      name: 'enumeration with implicit and explicit values',
      inYang:
        'leaf x { type enumeration { enum a; enum b { value 10; } enum c; enum d { value -3; } enum e { description "E"; } } }',
      want: {
        kind: 'enumeration',
        enums: [
          { name: 'a', value: 0 },
          { name: 'b', value: 10 },
          { name: 'c', value: 11 },
          { name: 'd', value: -3 },
          { name: 'e', value: 12, description: 'E' },
        ],
      },
    },
    {
      name: 'enum names may hold spaces when quoted',
      inYang: 'leaf x { type enumeration { enum "two words"; enum "10G"; } default "10G"; }',
      want: {
        kind: 'enumeration',
        enums: [
          { name: 'two words', value: 0 },
          { name: '10G', value: 1 },
        ],
      },
      wantDefault: '10G',
    },
    {
      name: 'derived enumeration restricted to a subset keeps the base values',
      inYang:
        'typedef colors { type enumeration { enum red; enum green; enum blue; } }\nleaf x { type colors { enum blue; enum red; } }',
      want: {
        kind: 'enumeration',
        enums: [
          { name: 'blue', value: 2 },
          { name: 'red', value: 0 },
        ],
        typedef: 'colors',
      },
    },
    {
      name: 'bits with implicit and explicit positions',
      inYang: 'leaf x { type bits { bit a; bit b { position 5; } bit c; } default "a c"; }',
      want: {
        kind: 'bits',
        bits: [
          { name: 'a', position: 0 },
          { name: 'b', position: 5 },
          { name: 'c', position: 6 },
        ],
      },
      wantDefault: 'a c',
    },
    {
      name: 'union of built-in and derived members',
      inYang:
        'leaf x { type union { type int8; type fxt:percent; type string { length "1..3"; } } default "abc"; }',
      want: {
        kind: 'union',
        types: [
          { kind: 'int', base: 'int8', range: [] },
          { kind: 'int', base: 'uint8', range: [{ min: 0, max: 100 }], typedef: 'fxt:percent' },
          { kind: 'string', patterns: [], length: [{ min: 1, max: 3 }] },
        ],
      },
      wantDefault: 'abc',
    },
    {
      name: 'boolean',
      inYang: 'leaf x { type boolean; default true; }',
      want: { kind: 'boolean' },
      wantDefault: 'true',
    },
    { name: 'empty', inYang: 'leaf x { type empty; }', want: { kind: 'empty' } },
    {
      name: 'leafref keeps its path',
      inYang: 'leaf y { type string; }\nleaf x { type leafref { path "../y"; require-instance false; } }',
      want: { kind: 'leafref', path: '../y' },
    },
    {
      name: 'identityref names its base with the defining module',
      inYang: 'leaf x { type identityref { base fxt:transport; } }',
      want: { kind: 'identityref', bases: ['fx-types:transport'] },
    },
    {
      name: 'instance-identifier',
      inYang: 'leaf x { type instance-identifier; }',
      want: { kind: 'instance-identifier' },
    },
    {
      name: 'binary with length',
      inYang: 'leaf x { type binary { length "0..16"; } }',
      want: { kind: 'binary', length: [{ min: 0, max: 16 }] },
    },
  ])('$name', ({ inYang, want, wantDefault, wantUnits }) => {
    const x = leafX(inYang);
    expect(x.type).toEqual(want);
    expect(x.default).toBe(wantDefault);
    expect(x.units).toBe(wantUnits);
  });

  // A leaf-list takes its typedef's default when it has none of its own.
  it('gives a leaf-list the typedef default, or its own defaults', () => {
    const m = loadInlineOk(
      'leaf-list a { type fxt:percent; }\nleaf-list b { type fxt:percent; default 1; default 2; }',
    );
    expect(nodeNamed(m, 'a')).toMatchObject({ kind: 'leaf-list', defaults: ['50'] });
    expect(nodeNamed(m, 'b')).toMatchObject({ kind: 'leaf-list', defaults: ['1', '2'] });
  });
});

describe('IR type errors', () => {
  // Each row: YANG with a type problem and every error it must report (module t starts its body on line 7).
  it.each([
    {
      name: 'unknown typedef',
      inYang: 'leaf x { type no-such-type; }',
      wantErr: ['t.yang:7:10: unknown typedef "no-such-type"'],
    },
    {
      name: 'unknown typedef in an imported module',
      inYang: 'leaf x {\n  type fxt:nope;\n}',
      wantErr: ['t.yang:8:3: unknown typedef "fxt:nope" in module "fx-types"'],
    },
    {
      name: 'unknown prefix in a type',
      inYang: 'leaf x { type inet:port-number; }',
      wantErr: ['t.yang:7:10: unknown prefix "inet": module "t" imports no such prefix'],
    },
    {
      name: 'range outside the typedef range',
      inYang: 'leaf x { type fxt:percent { range "0..200"; } }',
      wantErr: ['t.yang:7:35: invalid range "0..200": "0..200" is outside the allowed 0..100'],
    },
    {
      name: 'range parts out of order',
      inYang: 'leaf x { type int8 { range "10..20 | 1..5"; } }',
      wantErr: ['t.yang:7:28: invalid range "10..20 | 1..5": "1..5" is not above the previous part'],
    },
    {
      name: 'malformed range bound',
      inYang: 'leaf x { type int8 { range "1..ten"; } }',
      wantErr: ['t.yang:7:28: invalid range "1..ten": "ten" is not an integer'],
    },
    {
      name: 'length on an integer',
      inYang: 'leaf x { type int8 { length "1"; } }',
      wantErr: ['t.yang:7:22: "length" is not allowed on type "int8": expected a string or binary type'],
    },
    {
      name: 'pattern on a typedef of an integer',
      inYang: 'leaf x { type fxt:percent { pattern "1"; } }',
      wantErr: ['t.yang:7:29: "pattern" is not allowed on type "fxt:percent": expected a string type'],
    },
    {
      name: 'decimal64 without fraction-digits',
      inYang: 'leaf x { type decimal64; }',
      wantErr: ['t.yang:7:10: type "decimal64" needs a "fraction-digits"'],
    },
    {
      name: 'enumeration without enums',
      inYang: 'leaf x { type enumeration; }',
      wantErr: ['t.yang:7:10: type "enumeration" needs at least one "enum"'],
    },
    {
      name: 'enum value reused',
      inYang: 'leaf x { type enumeration { enum a { value 1; } enum b { value 1; } } }',
      wantErr: ['t.yang:7:49: enum "b" reuses value 1'],
    },
    {
      name: 'derived enum not in the base',
      inYang: 'typedef c { type enumeration { enum red; } }\nleaf x { type c { enum blue; } }',
      wantErr: ['t.yang:8:19: enum "blue" is not in the base enumeration with that value'],
    },
    {
      name: 'leafref without a path',
      inYang: 'leaf x { type leafref; }',
      wantErr: ['t.yang:7:10: type "leafref" needs a "path"'],
    },
    {
      name: 'unknown identity',
      inYang: 'leaf x { type identityref { base fxt:udp; } }',
      wantErr: ['t.yang:7:29: unknown identity "fxt:udp" in module "fx-types"'],
    },
    {
      name: 'typedef that refers to itself',
      inYang: 'typedef loop { type loop; }\nleaf x { type loop; }',
      wantErr: ['t.yang:7:1: typedef "loop" refers to itself'],
    },
    {
      name: 'invalid leaf defaults of several types',
      inYang:
        'leaf a { type uint8; default 256; }\nleaf b { type boolean; default yes; }\n' +
        'leaf c { type enumeration { enum on; } default off; }\nleaf d { type fxt:name-string; default "Bad"; }',
      wantErr: [
        't.yang:7:22: invalid default "256" of leaf "a": expected uint8 in 0..255',
        't.yang:8:24: invalid default "yes" of leaf "b": expected true or false',
        't.yang:9:40: invalid default "off" of leaf "c": expected one of on',
        't.yang:10:32: invalid default "Bad" of leaf "d": expected a string matching pattern "[a-z][a-z0-9-]*"',
      ],
    },
    {
      name: 'inherited typedef default outside a narrower typedef range',
      inYang: 'typedef small { type fxt:percent { range "60..70"; } }\nleaf x { type small; }',
      wantErr: ['t.yang:7:1: invalid inherited default "50" of typedef "small": expected uint8 in 60..70'],
    },
    {
      name: 'inherited typedef default outside the leaf restriction',
      inYang: 'leaf x { type fxt:percent { range "60..70"; } }',
      wantErr: ['t.yang:7:1: invalid default "50" of leaf "x": expected uint8 in 60..70'],
    },
    {
      name: 'mandatory leaf with a default',
      inYang: 'leaf x { type int8; mandatory true; default 1; }',
      wantErr: ['t.yang:7:37: leaf "x" is mandatory and cannot have a default'],
    },
  ])('$name', ({ inYang, wantErr }) => {
    const r = loadInline(inYang);
    expect(messagesOf(r)).toEqual(wantErr);
    expect(r.module).toBeUndefined();
  });
});
