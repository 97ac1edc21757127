// JSON Schemas per YANG type and per operation: which JSON values each leaf type accepts
// (REST spec §5.2 type table, ranges enforced), and what create and update schemas contain.

import type { IrType } from '../../../../codegen/src/ir/types';
import { validateBody } from '../../../../codegen/src/schema/body-validator';
import { buildJsonSchema, buildSchemaSet } from '../../../../codegen/src/schema/json-schema';
import { container, enumOf, leaf, list, module, str } from '../helpers/ir-builders';
import { lbrpModule } from '../helpers/lbrp';

interface TypeRow {
  name: string;
  inType: IrType;
  wantAccept: unknown[];
  wantReject: unknown[];
}

const int = (base: Extract<IrType, { kind: 'int' }>['base'], ...range: [number, number][]): IrType => ({
  kind: 'int',
  base,
  range: range.map(([min, max]) => ({ min, max })),
});

const typeRows: TypeRow[] = [
  {
    name: 'int8 accepts any integer of its range',
    inType: int('int8'),
    wantAccept: [-128, 0, 127],
    wantReject: [128, -129, 1.5, '1', true],
  },
  {
    name: 'uint8/16/32 accept only non-negative JSON integers',
    inType: int('uint32'),
    wantAccept: [0, 4294967295],
    wantReject: [-1, 4294967296, '5', 2.5],
  },
  {
    name: 'a range restriction with two intervals',
    inType: int('int16', [1, 10], [20, 30]),
    wantAccept: [1, 10, 20, 30],
    wantReject: [0, 11, 19, 31],
  },
  {
    name: 'int64 accepts a number or a string of digits',
    inType: int('int64'),
    wantAccept: [-5, 5, '-9223372036854775808', '42'],
    wantReject: ['4x', 1.5, true],
  },
  {
    name: 'uint64 refuses negative numbers and signed strings',
    inType: int('uint64'),
    wantAccept: [0, '18446744073709551615'],
    wantReject: [-1, '-1'],
  },
  {
    name: 'decimal64 accepts a number or a decimal string',
    inType: { kind: 'decimal64', fractionDigits: 2, range: [{ min: 0, max: 10 }] },
    wantAccept: [0, 1.25, '3.14'],
    wantReject: [11, 'abc', false],
  },
  {
    name: 'boolean accepts only true and false',
    inType: { kind: 'boolean' },
    wantAccept: [true, false],
    wantReject: ['true', 0, []],
  },
  {
    name: 'empty is [null]',
    inType: { kind: 'empty' },
    wantAccept: [[null]],
    wantReject: [[], null, true, [null, null]],
  },
  {
    name: 'enumerations compare names ignoring case',
    inType: enumOf('TCP', 'UDP'),
    wantAccept: ['TCP', 'tcp', 'Udp'],
    wantReject: ['ICMP', 1, ''],
  },
  {
    name: 'string length',
    inType: { kind: 'string', patterns: [], length: [{ min: 2, max: 4 }] },
    wantAccept: ['ab', 'abcd', 'éé'],
    wantReject: ['a', 'abcde', 5],
  },
  {
    name: 'two patterns must both match, invert-match must not',
    inType: {
      kind: 'string',
      patterns: [
        { regex: '[a-z]+', invert: false },
        { regex: 'x.*', invert: true },
      ],
      length: [],
    },
    wantAccept: ['abc'],
    wantReject: ['xabc', 'ABC'],
  },
  {
    name: 'a union accepts a value of any member type',
    inType: { kind: 'union', types: [int('uint8'), enumOf('auto')] },
    wantAccept: [5, 'AUTO'],
    wantReject: [300, 'manual', true],
  },
  {
    name: 'leafref, bits and identityref values are strings',
    inType: { kind: 'leafref', path: '../name' },
    wantAccept: ['x'],
    wantReject: [1],
  },
];

describe('leaf type schemas', () => {
  test.each(typeRows)('$name', (row) => {
    const target = { kind: 'leaf' as const, node: leaf('x', row.inType) };
    const accepted = (v: unknown): boolean => validateBody(target, 'update', v).ok;
    expect(row.wantAccept.filter((v) => !accepted(v))).toEqual([]);
    expect(row.wantReject.filter((v) => accepted(v))).toEqual([]);
  });
});

describe('create and update schemas', () => {
  const m = module('m', [
    leaf('ro', str(), { config: false }),
    leaf('init', str(), { initOnly: true }),
    leaf('d', int('uint8'), { default: '7' }),
    leaf('must', str(), { mandatory: true }),
    container('c', [leaf('inner', str(), { mandatory: true })]),
    container('p', [leaf('inner', str(), { mandatory: true })], { presence: 'enabled' }),
    list('l', ['k'], [leaf('k', int('uint16'), { default: '1' }), leaf('v', str())]),
  ]);

  // Create requires mandatory leaves and non-presence containers holding one; keys of list
  // entries are required and never defaulted; config false members are refused.
  test('create schema: required, typed defaults, false for config false', () => {
    const { schema, errors } = buildJsonSchema({ kind: 'cube', node: m }, 'create');
    expect(errors).toEqual([]);
    expect(schema).toMatchObject({
      type: 'object',
      required: ['name', 'must', 'c'],
      additionalProperties: false,
      properties: {
        name: { type: 'string' },
        ro: false,
        init: { type: 'string' },
        d: { type: 'integer', minimum: 0, maximum: 255, default: 7 },
        l: {
          type: 'array',
          items: { required: ['k'], properties: { k: { type: 'integer', minimum: 0, maximum: 65535 } } },
        },
      },
    });
    const props = (schema as { properties: Record<string, object> }).properties;
    expect(Object.keys(props)).toEqual(['name', 'ro', 'init', 'd', 'must', 'c', 'p', 'l']);
    expect(props.l).not.toHaveProperty('items.properties.k.default');
  });

  // Update has no defaults and no required members, and refuses init-only ones too.
  test('update schema: nothing required, no defaults, init-only refused', () => {
    const { schema } = buildJsonSchema({ kind: 'cube', node: m }, 'update');
    expect(schema).not.toHaveProperty('required');
    expect(schema).toMatchObject({ properties: { ro: false, init: false, d: { type: 'integer' } } });
    expect(schema).not.toHaveProperty('properties.d.default');
  });

  // An untranslatable pattern is reported with the leaf's location, and the rest still builds.
  test('untranslatable patterns are collected as errors', () => {
    const bad = module('b', [leaf('x', str('\\p{IsNoSuchBlock}'))]);
    const { entries, errors } = buildSchemaSet(bad);
    expect(errors).toEqual([
      {
        loc: { file: 'test.yang', line: 1, col: 1 },
        message: expect.stringContaining('unsupported character property'),
      },
    ]);
    expect(entries.map((e) => `${e.kind} ${e.path}`)).toEqual(['cube /b', 'leaf /b/x']);
  });

  // The schema set lists every body target of lbrp in schema order (keys only inside lists).
  test('the lbrp schema set covers cube, containers, lists, elements and leaves in order', () => {
    const { entries, errors } = buildSchemaSet(lbrpModule());
    expect(errors).toEqual([]);
    expect(entries.map((e) => `${e.kind} ${e.path}`)).toEqual([
      'cube /lbrp',
      'leaf /lbrp/uuid',
      'leaf /lbrp/type',
      'leaf /lbrp/service-name',
      'leaf /lbrp/loglevel',
      'list /lbrp/ports',
      'element /lbrp/ports',
      'leaf /lbrp/ports/uuid',
      'leaf /lbrp/ports/status',
      'leaf /lbrp/ports/peer',
      'leaf /lbrp/ports/tcubes',
      'leaf /lbrp/ports/type',
      'leaf /lbrp/ports/ip',
      'leaf /lbrp/shadow',
      'leaf /lbrp/span',
      'leaf /lbrp/port_mode',
      'leaf /lbrp/session-table-size',
      'leaf /lbrp/max-services',
      'leaf /lbrp/max-backends',
      'leaf /lbrp/maglev-slots',
      'leaf /lbrp/kernel-memory',
      'leaf /lbrp/tcp-new-timeout',
      'leaf /lbrp/tcp-established-timeout',
      'leaf /lbrp/tcp-closing-timeout',
      'leaf /lbrp/udp-timeout',
      'leaf /lbrp/icmp-timeout',
      'leaf /lbrp/new-sessions-per-cpu',
      'leaf /lbrp/sessionless-reply-nat',
      'leaf /lbrp/probe-source',
      'leaf /lbrp/probe-next-hop',
      'leaf /lbrp/active-sessions',
      'leaf /lbrp/session-table-entries',
      'leaf /lbrp/admissions-refused',
      'leaf /lbrp/evictions-expired',
      'leaf /lbrp/evictions-unestablished',
      'leaf /lbrp/evictions-established',
      'leaf /lbrp/sessions-not-stored',
      'leaf /lbrp/stateless-replies',
      'leaf /lbrp/fragments-translated',
      'list /lbrp/drop',
      'element /lbrp/drop',
      'leaf /lbrp/drop/packets',
      'container /lbrp/src-ip-rewrite',
      'leaf /lbrp/src-ip-rewrite/ip-range',
      'leaf /lbrp/src-ip-rewrite/new_ip_range',
      'list /lbrp/service',
      'element /lbrp/service',
      'leaf /lbrp/service/name',
      'leaf /lbrp/service/drain-timeout',
      'leaf /lbrp/service/session-affinity',
      'leaf /lbrp/service/affinity-timeout',
      'list /lbrp/service/backend',
      'element /lbrp/service/backend',
      'leaf /lbrp/service/backend/name',
      'leaf /lbrp/service/backend/port',
      'leaf /lbrp/service/backend/weight',
      'leaf /lbrp/service/backend/packets',
      'leaf /lbrp/service/backend/bytes',
      'leaf /lbrp/service/backend/active-sessions',
      'leaf /lbrp/service/backend/total-sessions',
      'leaf /lbrp/service/backend/health',
      'leaf /lbrp/service/backend/health-detail',
      'leaf /lbrp/service/backend/up',
      'leaf /lbrp/service/backend/health-transitions',
      'container /lbrp/service/health-check',
      ...[
        'type',
        'port',
        'interval',
        'timeout',
        'rise',
        'fall',
        'http-path',
        'http-status',
        'udp-payload',
        'udp-expect',
      ].map((l) => `leaf /lbrp/service/health-check/${l}`),
      'leaf /lbrp/service/packets',
      'leaf /lbrp/service/bytes',
      'leaf /lbrp/service/active-sessions',
      'leaf /lbrp/service/total-sessions',
    ]);
  });
});
