// Service and backend rules of runtime spec §5.6–§5.7 with the C++ messages, and the fixes:
// weight 0..65535 (0 = drain), absent weight = 1 on create and kept on PATCH (bug 13).

import type { Result } from '../../../../src/common/errors';
import { emptyCube, type CubeModel } from '../../../../src/lbrp/model/cube-model';
import {
  addBackend,
  addService,
  deleteBackend,
  deleteService,
  findService,
  replaceBackend,
  replaceService,
  updateBackend,
  updateService,
  type ServiceInput,
} from '../../../../src/lbrp/model/service-rules';

/** Services as "vip:vport:proto name=… [ip:port/w …]" strings, or the error message. */
function outcome(r: Result<CubeModel>): string[] | string {
  if (!r.ok) return r.error.message;
  return [...r.value.services.values()].map((s) => {
    const bs = [...s.backends.values()].map(
      (b) => `${b.ip}:${b.port}/${b.weight}${b.name ? `(${b.name})` : ''}`,
    );
    return `${s.vip}:${s.vport}:${s.proto}${s.name ? ` name=${s.name}` : ''}${bs.length ? ` [${bs.join(' ')}]` : ''}`;
  });
}

function must(r: Result<CubeModel>): CubeModel {
  if (!r.ok) throw new Error(`setup: ${r.error.message}`);
  return r.value;
}

const base = (): CubeModel => emptyCube('lb0', 'SINGLE');
const web = (): CubeModel =>
  must(addService(base(), { vip: '10.0.0.1', vport: 80, proto: 'TCP', name: 'web' }));
const WEB = { vip: '10.0.0.1', vport: 80, proto: 'TCP' as const };

describe('services', () => {
  const ROWS: Array<{
    name: string;
    inCube: () => CubeModel;
    inOp: (m: CubeModel) => Result<CubeModel>;
    want: string[] | string;
  }> = [
    {
      name: 'adds a TCP service with its name',
      inCube: base,
      inOp: (m) => addService(m, { ...WEB, name: 'web' }),
      want: ['10.0.0.1:80:TCP name=web'],
    },
    {
      name: 'ALL expands into TCP, UDP and ICMP on vport 0',
      inCube: base,
      inOp: (m) => addService(m, { vip: '10.0.0.1', vport: 80, proto: 'ALL', name: 's' }),
      want: ['10.0.0.1:80:TCP name=s', '10.0.0.1:80:UDP name=s', '10.0.0.1:0:ICMP name=s'],
    },
    {
      name: 'ICMP with vport 0',
      inCube: base,
      inOp: (m) => addService(m, { vip: '10.0.0.1', vport: 0, proto: 'ICMP' }),
      want: ['10.0.0.1:0:ICMP'],
    },
    {
      name: 'ICMP with a vport',
      inCube: base,
      inOp: (m) => addService(m, { vip: '10.0.0.1', vport: 80, proto: 'ICMP' }),
      want: 'ICMP Service requires 0 as virtual port. Since this parameter is useless for ICMP services',
    },
    {
      name: 'a duplicate',
      inCube: web,
      inOp: (m) => addService(m, WEB),
      want: 'This service already exists',
    },
    {
      name: 'ALL when one of the three exists adds nothing',
      inCube: web,
      inOp: (m) => addService(m, { vip: '10.0.0.1', vport: 80, proto: 'ALL' }),
      want: 'This service already exists',
    },
    {
      name: 'with backends in the body',
      inCube: base,
      inOp: (m) =>
        addService(m, {
          ...WEB,
          backend: [
            { ip: '1.1.1.1', port: 8080 },
            { ip: '1.1.1.2', port: 8080, weight: 0 },
          ],
        }),
      want: ['10.0.0.1:80:TCP [1.1.1.1:8080/1 1.1.1.2:8080/0]'],
    },
    {
      name: 'a bad backend in the body refuses the service',
      inCube: base,
      inOp: (m) =>
        addService(m, {
          ...WEB,
          backend: [
            { ip: '1.1.1.1', port: 8080 },
            { ip: '1.1.1.1', port: 9 },
          ],
        }),
      want: 'Backend 1.1.1.1 already exists in the service map',
    },
    {
      name: 'PATCH renames',
      inCube: web,
      inOp: (m) => updateService(m, { ...WEB, name: 'www' }),
      want: ['10.0.0.1:80:TCP name=www'],
    },
    {
      name: 'PATCH of a missing service',
      inCube: web,
      inOp: (m) => updateService(m, { ...WEB, vport: 81, name: 'x' }),
      want: 'There are no entries associated with that key',
    },
    {
      name: 'PATCH with backends updates and creates them',
      inCube: () => must(addBackend(web(), WEB, { ip: '1.1.1.1', port: 80, weight: 5 })),
      inOp: (m) =>
        updateService(m, {
          ...WEB,
          backend: [
            { ip: '1.1.1.1', port: 81 },
            { ip: '1.1.1.2', port: 82 },
          ],
        }),
      want: ['10.0.0.1:80:TCP name=web [1.1.1.1:81/5 1.1.1.2:82/1]'],
    },
    { name: 'DELETE', inCube: web, inOp: (m) => deleteService(m, '10.0.0.1', 80, 'TCP'), want: [] },
    {
      name: 'DELETE of ALL removes the three',
      inCube: () => must(addService(base(), { vip: '10.0.0.1', vport: 80, proto: 'ALL' })),
      inOp: (m) => deleteService(m, '10.0.0.1', 80, 'ALL'),
      want: [],
    },
    {
      name: 'DELETE of a missing service is data-missing',
      inCube: web,
      inOp: (m) => deleteService(m, '10.0.0.1', 81, 'TCP'),
      want: '/lbrp/service/10.0.0.1/81/TCP does not exist',
    },
    {
      name: 'DELETE of ICMP with a vport',
      inCube: web,
      inOp: (m) => deleteService(m, '10.0.0.1', 80, 'ICMP'),
      want: 'ICMP Service requires 0 as virtual port. Since this parameter is useless for ICMP services',
    },
    {
      name: 'PUT replaces the service and its backends',
      inCube: () => must(addBackend(web(), WEB, { ip: '1.1.1.1', port: 80 })),
      inOp: (m) => replaceService(m, { ...WEB, backend: [{ ip: '2.2.2.2', port: 80 }] }),
      want: ['10.0.0.1:80:TCP [2.2.2.2:80/1]'],
    },
  ];
  it.each(ROWS)('$name', ({ inCube, inOp, want }) => {
    const before = inCube();
    const snapshot = outcome({ ok: true, value: before });
    expect(outcome(inOp(before))).toEqual(want);
    expect(outcome({ ok: true, value: before })).toEqual(snapshot); // never mutated
  });

  // Backend operations must name TCP, UDP or ICMP: an ALL path finds nothing (as the C++ lbrp).
  it('finds no entry under ALL', () => {
    const all = must(addService(base(), { vip: '10.0.0.1', vport: 80, proto: 'ALL' } as ServiceInput));
    expect(outcome(addBackend(all, { ...WEB, proto: 'ALL' }, { ip: '1.1.1.1', port: 1 }))).toBe(
      'There are no entries associated with that key',
    );
    expect(findService(all, '10.0.0.1', 0, 'ICMP').ok).toBe(true);
  });
});

describe('backends', () => {
  const withB1 = (): CubeModel =>
    must(addBackend(web(), WEB, { ip: '1.1.1.1', port: 8080, weight: 20, name: 'b1' }));
  const ROWS: Array<{
    name: string;
    inCube: () => CubeModel;
    inOp: (m: CubeModel) => Result<CubeModel>;
    want: string[] | string;
  }> = [
    {
      name: 'absent weight is 1',
      inCube: web,
      inOp: (m) => addBackend(m, WEB, { ip: '1.1.1.1', port: 80 }),
      want: ['10.0.0.1:80:TCP name=web [1.1.1.1:80/1]'],
    },
    {
      name: 'weight 0 (drain) and 65535 are valid',
      inCube: web,
      inOp: (m) =>
        addBackend(must(addBackend(m, WEB, { ip: '1.1.1.1', port: 80, weight: 0 })), WEB, {
          ip: '1.1.1.2',
          port: 80,
          weight: 65535,
        }),
      want: ['10.0.0.1:80:TCP name=web [1.1.1.1:80/0 1.1.1.2:80/65535]'],
    },
    {
      name: 'weight 65536 is refused',
      inCube: web,
      inOp: (m) => addBackend(m, WEB, { ip: '1.1.1.1', port: 80, weight: 65536 }),
      want: 'Variable weight is in a wrong range. Supported range is from 0 to 65535',
    },
    {
      name: 'a duplicate backend',
      inCube: withB1,
      inOp: (m) => addBackend(m, WEB, { ip: '1.1.1.1', port: 80 }),
      want: 'Backend 1.1.1.1 already exists in the service map',
    },
    {
      name: 'a backend of a missing service',
      inCube: web,
      inOp: (m) => addBackend(m, { ...WEB, vport: 99 }, { ip: '1.1.1.1', port: 80 }),
      want: 'There are no entries associated with that key',
    },
    {
      name: 'PATCH of the port keeps the weight (bug 13)',
      inCube: withB1,
      inOp: (m) => updateBackend(m, WEB, '1.1.1.1', { port: 81 }),
      want: ['10.0.0.1:80:TCP name=web [1.1.1.1:81/20(b1)]'],
    },
    {
      name: 'PATCH of the weight',
      inCube: withB1,
      inOp: (m) => updateBackend(m, WEB, '1.1.1.1', { weight: 3 }),
      want: ['10.0.0.1:80:TCP name=web [1.1.1.1:8080/3(b1)]'],
    },
    {
      name: 'PATCH of a missing backend',
      inCube: withB1,
      inOp: (m) => updateBackend(m, WEB, '1.1.1.9', { weight: 3 }),
      want: 'There are no entries associated with that key',
    },
    {
      name: 'PUT replaces it as a whole (absent weight = 1)',
      inCube: withB1,
      inOp: (m) => replaceBackend(m, WEB, { ip: '1.1.1.1', port: 90 }),
      want: ['10.0.0.1:80:TCP name=web [1.1.1.1:90/1]'],
    },
    {
      name: 'DELETE',
      inCube: withB1,
      inOp: (m) => deleteBackend(m, WEB, '1.1.1.1'),
      want: ['10.0.0.1:80:TCP name=web'],
    },
    {
      name: 'DELETE of a missing backend is data-missing',
      inCube: withB1,
      inOp: (m) => deleteBackend(m, WEB, '1.1.1.2'),
      want: '/lbrp/service/backend/1.1.1.2 does not exist',
    },
  ];
  it.each(ROWS)('$name', ({ inCube, inOp, want }) => {
    expect(outcome(inOp(inCube()))).toEqual(want);
  });
});

// Service and backend names are free labels in the YANG; the lbrp service holds them to the
// project's name rule (src/common/name-rules.ts) and answers bad-attribute `name` with the rule.
describe('service and backend names', () => {
  const bad = (r: Result<CubeModel>): { code: string; info?: string; message: string } => {
    if (r.ok) throw new Error('accepted');
    return r.error;
  };

  it.each([
    ['a NUL', 'web\u0000'],
    ['a lone surrogate', '\ud800'],
    ['U+FFFD', '\ufffd'],
    ['a non-NFC spelling', 'cafe\u0301'],
    ['65 bytes', 'x'.repeat(65)],
  ])('a service name with %s is refused on add and on PATCH', (_n, name) => {
    for (const r of [addService(base(), { ...WEB, name }), updateService(web(), { ...WEB, name })]) {
      expect(bad(r)).toMatchObject({ code: 'CUBE_ERR_BAD_NAME', info: 'name' });
      expect(bad(r).message).toMatch(/^invalid service name: the name .*; names are 1 to 64 bytes/);
    }
  });

  it('a backend name breaking the rule is refused on add, PATCH and inside a service body', () => {
    const name = 'b\n2';
    for (const r of [
      addBackend(web(), WEB, { ip: '10.0.1.1', port: 80, name }),
      updateBackend(must(addBackend(web(), WEB, { ip: '10.0.1.1', port: 80 })), WEB, '10.0.1.1', { name }),
      addService(base(), { ...WEB, backend: [{ ip: '10.0.1.1', port: 80, name }] }),
    ]) {
      expect(bad(r)).toMatchObject({ code: 'CUBE_ERR_BAD_NAME', info: 'name' });
      expect(bad(r).message).toContain('invalid backend name: the name holds U+000A at position 1');
    }
  });

  it('valid UTF-8 names and the empty name ("no name") are accepted', () => {
    expect(outcome(addService(base(), { ...WEB, name: 'Service-東京🙂' }))).toEqual([
      '10.0.0.1:80:TCP name=Service-東京🙂',
    ]);
    expect(addService(base(), { ...WEB, name: '' }).ok).toBe(true);
    expect(addBackend(web(), WEB, { ip: '10.0.1.1', port: 80, name: 'x'.repeat(64) }).ok).toBe(true);
  });
});
