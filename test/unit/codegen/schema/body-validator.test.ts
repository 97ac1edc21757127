// Body validation answers what polycubed answers for lbrp (REST spec §5.2, §5.3): the RESTCONF
// tag and member name of every error, defaults on create, and nothing mutated.

import type { IrModule } from '../../../../codegen/src/ir/types';
import { validateBody, type BodyError } from '../../../../codegen/src/schema/body-validator';
import type { BodyOp, SchemaTarget } from '../../../../codegen/src/schema/schema-nodes';
import { listAt, lbrpModule, nodeAt } from '../helpers/lbrp';

const lbrp = lbrpModule();

type TargetName =
  'cube' | 'ports' | 'ports[]' | 'service' | 'service[]' | 'backend' | 'src-ip-rewrite' | `leaf:${string}`;

function target(m: IrModule, name: TargetName): SchemaTarget {
  switch (name) {
    case 'cube':
      return { kind: 'cube', node: m };
    case 'ports':
      return { kind: 'element', node: listAt(m, '/lbrp/ports') };
    case 'ports[]':
      return { kind: 'list', node: listAt(m, '/lbrp/ports') };
    case 'service':
      return { kind: 'element', node: listAt(m, '/lbrp/service') };
    case 'service[]':
      return { kind: 'list', node: listAt(m, '/lbrp/service') };
    case 'backend':
      return { kind: 'element', node: listAt(m, '/lbrp/service/backend') };
    case 'src-ip-rewrite': {
      const node = nodeAt(m, '/lbrp/src-ip-rewrite');
      if (node.kind !== 'container') throw new Error('not a container');
      return { kind: 'container', node };
    }
    default: {
      const node = nodeAt(m, `/lbrp/${name.slice('leaf:'.length)}`);
      if (node.kind !== 'leaf' && node.kind !== 'leaf-list') throw new Error('not a leaf');
      return { kind: 'leaf', node };
    }
  }
}

interface Row {
  name: string;
  inTarget: TargetName;
  inOp: BodyOp;
  inBody: unknown;
  wantErrs: BodyError[];
}

const BACKEND = { ip: '1.2.3.4', port: 80 };

// The rows of REST spec §5.3 that are body validation, plus the §5.2 type rules around them.
const rows: Row[] = [
  {
    name: 'lbrp add lb0 foo=1: unknown member',
    inTarget: 'cube',
    inOp: 'create',
    inBody: { name: 'lb0', foo: 1 },
    wantErrs: [{ tag: 'invalid-value', info: 'foo' }],
  },
  {
    name: 'lbrp add lb0 port_mode=FOO: not an enum value',
    inTarget: 'cube',
    inOp: 'create',
    inBody: { name: 'lb0', port_mode: 'FOO' },
    wantErrs: [{ tag: 'bad-attribute', info: 'port_mode' }],
  },
  {
    name: 'lbrp add lb0 uuid=x: config false member',
    inTarget: 'cube',
    inOp: 'create',
    inBody: { name: 'lb0', uuid: 'x' },
    wantErrs: [{ tag: 'invalid-value', info: 'uuid' }],
  },
  {
    name: 'lbrp add (no name): the cube pseudo-key is mandatory',
    inTarget: 'cube',
    inOp: 'create',
    inBody: {},
    wantErrs: [{ tag: 'missing-attribute', info: 'name' }],
  },
  {
    name: 'lb0 set type=XDP_SKB span=true: init-only member in an object PATCH',
    inTarget: 'cube',
    inOp: 'update',
    inBody: { type: 'XDP_SKB', span: true },
    wantErrs: [{ tag: 'invalid-value', info: 'type' }],
  },
  {
    name: 'lb0 ports add p1: mandatory type missing',
    inTarget: 'ports',
    inOp: 'create',
    inBody: { name: 'p1' },
    wantErrs: [{ tag: 'missing-attribute', info: 'type' }],
  },
  {
    name: 'lb0 ports add p1 type=FRONTEND ip=300.1.1.1: bad ipv4-address',
    inTarget: 'ports',
    inOp: 'create',
    inBody: { name: 'p1', type: 'FRONTEND', ip: '300.1.1.1' },
    wantErrs: [{ tag: 'bad-attribute', info: 'ip' }],
  },
  {
    name: 'lb0 service add 10.0.0.1 80 FOO: own key proto as a body member',
    inTarget: 'service',
    inOp: 'create',
    inBody: { vip: '10.0.0.1', vport: 80, proto: 'FOO' },
    wantErrs: [{ tag: 'bad-attribute', info: 'proto' }],
  },
  {
    name: 'lb0 service add 10.0.0.999 80 TCP: own key vip as a body member',
    inTarget: 'service',
    inOp: 'create',
    inBody: { vip: '10.0.0.999', vport: 80, proto: 'TCP' },
    wantErrs: [{ tag: 'bad-attribute', info: 'vip' }],
  },
  {
    name: 'backend add 1.2.3.4 without port',
    inTarget: 'backend',
    inOp: 'create',
    inBody: { ip: '1.2.3.4' },
    wantErrs: [{ tag: 'missing-attribute', info: 'port' }],
  },
  {
    name: 'weight "20" is a string, not an integer',
    inTarget: 'backend',
    inOp: 'create',
    inBody: { ...BACKEND, weight: '20' },
    wantErrs: [{ tag: 'bad-attribute', info: 'weight' }],
  },
  {
    name: 'weight -1 is negative for a uint16',
    inTarget: 'backend',
    inOp: 'create',
    inBody: { ...BACKEND, weight: -1 },
    wantErrs: [{ tag: 'bad-attribute', info: 'weight' }],
  },
  {
    name: 'weight 1.5 is not an integer',
    inTarget: 'backend',
    inOp: 'create',
    inBody: { ...BACKEND, weight: 1.5 },
    wantErrs: [{ tag: 'bad-attribute', info: 'weight' }],
  },
  {
    name: 'weight 70000 is out of the uint16 range',
    inTarget: 'backend',
    inOp: 'create',
    inBody: { ...BACKEND, weight: 70000 },
    wantErrs: [{ tag: 'bad-attribute', info: 'weight' }],
  },
  {
    name: 'tcp-new-timeout 0 is below its range (1..2592000 seconds)',
    inTarget: 'cube',
    inOp: 'update',
    inBody: { 'tcp-new-timeout': 0 },
    wantErrs: [{ tag: 'bad-attribute', info: 'tcp-new-timeout' }],
  },
  {
    name: 'udp-timeout past 30 days is above its range',
    inTarget: 'cube',
    inOp: 'update',
    inBody: { 'udp-timeout': 2592001 },
    wantErrs: [{ tag: 'bad-attribute', info: 'udp-timeout' }],
  },
  {
    name: 'new-sessions-per-cpu is a uint32 (0 = no limit, negative refused)',
    inTarget: 'cube',
    inOp: 'update',
    inBody: { 'new-sessions-per-cpu': -1 },
    wantErrs: [{ tag: 'bad-attribute', info: 'new-sessions-per-cpu' }],
  },
  {
    name: 'the counters are read-only',
    inTarget: 'cube',
    inOp: 'update',
    inBody: { 'evictions-established': 0 },
    wantErrs: [{ tag: 'invalid-value', info: 'evictions-established' }],
  },
  {
    name: 'vport 70000 is out of the port-number range',
    inTarget: 'service',
    inOp: 'create',
    inBody: { vip: '10.0.0.1', vport: 70000, proto: 'TCP' },
    wantErrs: [{ tag: 'bad-attribute', info: 'vport' }],
  },
  {
    name: 'lb0 service add (no keys): an object posted to the list collection',
    inTarget: 'service[]',
    inOp: 'create',
    inBody: {},
    wantErrs: [{ tag: 'invalid-value' }],
  },
  {
    name: 'an array posted to an element',
    inTarget: 'ports',
    inOp: 'create',
    inBody: [],
    wantErrs: [{ tag: 'invalid-value' }],
  },
  {
    name: 'shadow "yes" is not a boolean',
    inTarget: 'cube',
    inOp: 'create',
    inBody: { name: 'lb0', shadow: 'yes' },
    wantErrs: [{ tag: 'bad-attribute', info: 'shadow' }],
  },
  {
    name: 'a number where a string is expected',
    inTarget: 'service',
    inOp: 'create',
    inBody: { name: 1, vip: '10.0.0.1', vport: 80, proto: 'TCP' },
    wantErrs: [{ tag: 'bad-attribute', info: 'name' }],
  },
  {
    name: 'init-only leaf-list in an element PATCH',
    inTarget: 'ports',
    inOp: 'update',
    inBody: { tcubes: ['t1'] },
    wantErrs: [{ tag: 'invalid-value', info: 'tcubes' }],
  },
  {
    name: 'init-only leaf-list is allowed on create',
    inTarget: 'ports',
    inOp: 'create',
    inBody: { name: 'p1', type: 'BACKEND', tcubes: ['t1'] },
    wantErrs: [],
  },
  {
    name: 'update needs no mandatory member',
    inTarget: 'ports',
    inOp: 'update',
    inBody: { peer: 'veth1' },
    wantErrs: [],
  },
  {
    name: 'config false member in an element PATCH',
    inTarget: 'ports',
    inOp: 'update',
    inBody: { status: 'UP' },
    wantErrs: [{ tag: 'invalid-value', info: 'status' }],
  },
  {
    name: 'lb0 set port_mode=multi: enum values ignore case',
    inTarget: 'cube',
    inOp: 'update',
    inBody: { port_mode: 'multi' },
    wantErrs: [],
  },
  {
    name: 'ip-range accepts a prefix whose host bits are set',
    inTarget: 'src-ip-rewrite',
    inOp: 'create',
    inBody: { 'ip-range': '10.0.0.1/8' },
    wantErrs: [],
  },
  {
    name: 'new_ip_range refuses /33',
    inTarget: 'src-ip-rewrite',
    inOp: 'create',
    inBody: { new_ip_range: '10.0.0.0/33' },
    wantErrs: [{ tag: 'bad-attribute', info: 'new_ip_range' }],
  },
  {
    name: 'leaf PATCH body of the wrong enum value',
    inTarget: 'leaf:port_mode',
    inOp: 'update',
    inBody: 'FOO',
    wantErrs: [{ tag: 'bad-attribute', info: 'port_mode' }],
  },
  {
    name: 'leaf PATCH body null',
    inTarget: 'leaf:span',
    inOp: 'update',
    inBody: null,
    wantErrs: [{ tag: 'missing-attribute', info: 'span' }],
  },
  {
    name: 'leaf PATCH body of a leaf-list must be an array of strings',
    inTarget: 'leaf:ports/tcubes',
    inOp: 'update',
    inBody: ['a', 1],
    wantErrs: [{ tag: 'bad-attribute', info: 'tcubes' }],
  },
  // Nested members are named by the leaf, as polycubed names them.
  {
    name: 'whole-cube POST reports a nested port missing its type by leaf name',
    inTarget: 'cube',
    inOp: 'create',
    inBody: { name: 'lb0', ports: [{ name: 'p1', type: 'FRONTEND' }, { name: 'p2' }] },
    wantErrs: [{ tag: 'missing-attribute', info: 'type' }],
  },
  {
    name: 'whole-cube POST reports a nested backend weight by leaf name',
    inTarget: 'cube',
    inOp: 'create',
    inBody: {
      name: 'lb0',
      service: [{ vip: '10.0.0.1', vport: 80, proto: 'TCP', backend: [{ ...BACKEND, weight: '20' }] }],
    },
    wantErrs: [{ tag: 'bad-attribute', info: 'weight' }],
  },
  {
    name: 'a list member that is not an array',
    inTarget: 'cube',
    inOp: 'create',
    inBody: { name: 'lb0', ports: { name: 'p1' } },
    wantErrs: [{ tag: 'invalid-value', info: 'ports' }],
  },
  {
    name: 'a list entry that is not an object',
    inTarget: 'ports[]',
    inOp: 'create',
    inBody: ['p1'],
    wantErrs: [{ tag: 'invalid-value', info: 'ports' }],
  },
  {
    name: 'a whole-list POST checks every element',
    inTarget: 'ports[]',
    inOp: 'create',
    inBody: [
      { name: 'p1', type: 'FRONTEND' },
      { name: 'p2', type: 'X' },
    ],
    wantErrs: [{ tag: 'bad-attribute', info: 'type' }],
  },
  {
    name: 'several errors: children in schema order, then unknown members in body order',
    inTarget: 'cube',
    inOp: 'create',
    inBody: { zzz: 1, port_mode: 'FOO', uuid: 'x', aaa: 2, ports: [{ name: 'p1', ip: '300.1.1.1' }] },
    wantErrs: [
      { tag: 'missing-attribute', info: 'name' },
      { tag: 'invalid-value', info: 'uuid' },
      { tag: 'missing-attribute', info: 'type' },
      { tag: 'bad-attribute', info: 'ip' },
      { tag: 'bad-attribute', info: 'port_mode' },
      { tag: 'invalid-value', info: 'zzz' },
      { tag: 'invalid-value', info: 'aaa' },
    ],
  },
];

describe('validateBody on lbrp', () => {
  test.each(rows)('$name', (row) => {
    const got = validateBody(target(lbrp, row.inTarget), row.inOp, row.inBody);
    expect(got.ok ? [] : got.errors).toEqual(row.wantErrs);
  });

  // Creating a cube fills every YANG default of the cube level, typed, after the given members.
  test('cube create fills type TC, loglevel INFO, shadow false, span false, port_mode SINGLE and sizes', () => {
    const got = validateBody(target(lbrp, 'cube'), 'create', { name: 'lb0' });
    expect(got).toEqual({
      ok: true,
      value: {
        name: 'lb0',
        type: 'TC',
        loglevel: 'INFO',
        shadow: false,
        span: false,
        port_mode: 'SINGLE',
        'session-table-size': 65536,
        'max-services': 1024,
        'max-backends': 4096,
        'maglev-slots': 262144,
        'tcp-new-timeout': 60,
        'tcp-established-timeout': 7200,
        'tcp-closing-timeout': 10,
        'udp-timeout': 60,
        'icmp-timeout': 30,
        'new-sessions-per-cpu': 100000,
        'sessionless-reply-nat': false,
        'probe-source': '0.0.0.0',
        'probe-next-hop': '0.0.0.0',
      },
    });
    if (got.ok)
      expect(Object.keys(got.value as object)).toEqual([
        'name',
        'type',
        'loglevel',
        'shadow',
        'span',
        'port_mode',
        'session-table-size',
        'max-services',
        'max-backends',
        'maglev-slots',
        'tcp-new-timeout',
        'tcp-established-timeout',
        'tcp-closing-timeout',
        'udp-timeout',
        'icmp-timeout',
        'new-sessions-per-cpu',
        'sessionless-reply-nat',
        'probe-source',
        'probe-next-hop',
      ]);
  });

  // Given values win over defaults, and enum spelling is passed through unchanged.
  test('cube create keeps given values (port_mode=multi stays lower-case)', () => {
    const got = validateBody(target(lbrp, 'cube'), 'create', {
      name: 'lb0',
      port_mode: 'multi',
      loglevel: 'TRACE',
    });
    expect(got.ok && (got.value as Record<string, unknown>)).toMatchObject({
      port_mode: 'multi',
      loglevel: 'TRACE',
    });
  });

  // PATCH never fills defaults: only what the client sent reaches the service.
  test('cube update fills no defaults', () => {
    expect(validateBody(target(lbrp, 'cube'), 'update', { span: true })).toEqual({
      ok: true,
      value: { span: true },
    });
  });

  // The caller's body is never changed; the returned value is a copy.
  test('validation does not mutate the body', () => {
    const body = { name: 'lb0', ports: [{ name: 'p1', type: 'FRONTEND' }] };
    const copy = structuredClone(body);
    const got = validateBody(target(lbrp, 'cube'), 'create', body);
    expect(body).toEqual(copy);
    expect(got.ok && got.value).not.toBe(body);
  });

  // Validation of a separately loaded module gives the same answers (compiled per node).
  test('each module instance is validated against its own nodes', () => {
    const other = lbrpModule();
    expect(validateBody(target(other, 'ports'), 'create', { name: 'p1' })).toEqual({
      ok: false,
      errors: [{ tag: 'missing-attribute', info: 'type' }],
      omitted: 0,
    });
  });
});

describe('validateBody with hostile member names', () => {
  // A "__proto__" member parsed from JSON is an unknown member like any other.
  test('__proto__ is reported as an unknown member', () => {
    const body = JSON.parse('{"name":"lb0","__proto__":{"x":1}}');
    expect(validateBody({ kind: 'cube', node: lbrp }, 'create', body)).toEqual({
      ok: false,
      errors: [{ tag: 'invalid-value', info: '__proto__' }],
      omitted: 0,
    });
  });
});

describe('validateBody with many errors', () => {
  const lbrp = lbrpModule();

  // 100,000 unknown members: the first 20 in answer order (schema children first, then unknown
  // members in document order) and a count of the rest; the old per-error member lookup made this
  // quadratic (about 12 s for 10,000 members).
  test('caps the list: schema errors first, then the first unknown members, and counts the rest', () => {
    const body: Record<string, unknown> = { name: 'lb0', port_mode: 'FOO' };
    for (let i = 0; i < 100_000; i++) body[`m${i}`] = i;
    body.loglevel = 7;
    const got = validateBody({ kind: 'cube', node: lbrp }, 'create', body, 20);
    expect(got.ok).toBe(false);
    if (got.ok) return;
    expect(got.errors[0]).toEqual({ tag: 'bad-attribute', info: 'loglevel' });
    expect(got.errors[1]).toEqual({ tag: 'bad-attribute', info: 'port_mode' });
    expect(got.errors.slice(2)).toEqual(
      Array.from({ length: 18 }, (_, i) => ({ tag: 'invalid-value', info: `m${i}` })),
    );
    expect(got.omitted).toBe(100_002 - 20);
  });

  // The cap picks the same first errors a full sort would.
  test('the capped list is the prefix of the full list', () => {
    const body: Record<string, unknown> = {
      zz: 1,
      ports: [{ name: 'p', type: 'NOPE', x: 1 }, { y: 2 }],
      service: [{ vip: '1.2.3.4', vport: 99999, proto: 'TCP', backend: [{ ip: 'x', q: 1 }] }],
      aa: 2,
    };
    const full = validateBody({ kind: 'cube', node: lbrp }, 'create', { name: 'lb0', ...body });
    const capped = validateBody({ kind: 'cube', node: lbrp }, 'create', { name: 'lb0', ...body }, 3);
    expect(full.ok || capped.ok).toBe(false);
    if (full.ok || capped.ok) return;
    expect(full.errors.length).toBeGreaterThan(3);
    expect(capped.errors).toEqual(full.errors.slice(0, 3));
    expect(capped.omitted).toBe(full.errors.length - 3);
  });

  // Unknown members are not handed to ajv: their values are never looked at.
  test('unknown members inside list elements are named, their values ignored', () => {
    const body = {
      name: 'lb0',
      ports: [{ name: 'p1', type: 'FRONTEND', junk: { deep: [1, 2, { x: 'y' }] } }],
    };
    expect(validateBody({ kind: 'cube', node: lbrp }, 'create', body)).toEqual({
      ok: false,
      errors: [{ tag: 'invalid-value', info: 'junk' }],
      omitted: 0,
    });
  });

  // Long lists are checked element by element (so the caller can pause between slices); the
  // errors and their order are those of checking the body in one piece.
  test('a long list: errors in list order, each named by its leaf, unknown members included', () => {
    const backend = Array.from({ length: 300 }, (_, i) => ({ ip: `10.0.${i >> 8}.${i & 255}`, port: 80 }));
    (backend[5] as Record<string, unknown>).weight = -1;
    delete (backend[7] as Record<string, unknown>).port;
    (backend[150] as Record<string, unknown>).weight = 70_000;
    (backend[200] as Record<string, unknown>).zz = 1;
    (backend[299] as Record<string, unknown>).weight = 'x';
    const body = { vip: '10.0.0.1', vport: 80, proto: 'TCP', backend };
    const got = validateBody(target(lbrp, 'service'), 'create', body);
    expect(got).toEqual({
      ok: false,
      errors: [
        { tag: 'bad-attribute', info: 'weight' },
        { tag: 'missing-attribute', info: 'port' },
        { tag: 'bad-attribute', info: 'weight' },
        { tag: 'invalid-value', info: 'zz' },
        { tag: 'bad-attribute', info: 'weight' },
      ],
      omitted: 0,
    });
    const fine = validateBody(target(lbrp, 'service'), 'create', { ...body, backend: backend.slice(0, 5) });
    expect(fine.ok).toBe(true);
    const long = backend.filter((_, i) => ![5, 7, 150, 200, 299].includes(i));
    const ok = validateBody(target(lbrp, 'service'), 'create', { ...body, backend: long });
    expect(ok.ok && (ok.value as { backend: unknown[] }).backend).toEqual(long);
  });
});
