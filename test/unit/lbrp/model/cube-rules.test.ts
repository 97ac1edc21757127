// Whole-cube and list operations, and src-ip-rewrite: creation checked as a whole (services, then
// src-ip-rewrite, then ports), port_mode fixed at creation, list POST/PUT/PATCH semantics, and
// the src-ip-rewrite rules (same prefix length, different networks, nothing stored on error).

import type { Result } from '../../../../src/common/errors';
import type { CubeModel } from '../../../../src/lbrp/model/cube-model';
import {
  applyBackends,
  applyPorts,
  applyServices,
  createCube,
  deleteAllPorts,
  setPortMode,
  updateCube,
} from '../../../../src/lbrp/model/cube-rules';
import {
  activeRewrite,
  deleteSrcIpRewrite,
  replaceSrcIpRewrite,
  updateSrcIpRewrite,
} from '../../../../src/lbrp/model/src-rewrite-rules';

function must(r: Result<CubeModel>): CubeModel {
  if (!r.ok) throw new Error(`setup: ${r.error.message}`);
  return r.value;
}
const msg = (r: Result<unknown>): string => (r.ok ? 'ok' : r.error.message);

describe('createCube and updateCube', () => {
  // A creation body with everything is accepted; one broken rule anywhere refuses all of it.
  it('creates from a full body and refuses it as a whole on any broken rule', () => {
    const body = {
      portMode: 'MULTI' as const,
      ports: [
        { name: 'fe1', type: 'FRONTEND' as const, ip: '10.0.0.1' },
        { name: 'be', type: 'BACKEND' as const },
      ],
      srcIpRewrite: { ipRange: '10.0.0.0/24', newIpRange: '20.0.0.0/24' },
      service: [
        { vip: '10.10.0.1', vport: 80, proto: 'ALL' as const, backend: [{ ip: '192.168.1.1', port: 80 }] },
      ],
    };
    const m = must(createCube('lb0', body));
    expect(m.portMode).toBe('MULTI');
    expect([...m.ports.keys()]).toEqual(['fe1', 'be']);
    expect([...m.services.keys()]).toEqual(['10.10.0.1:80:TCP', '10.10.0.1:80:UDP', '10.10.0.1:0:ICMP']);
    expect(m.srcIpRewrite).toEqual({ ipRange: '10.0.0.0/24', newIpRange: '20.0.0.0/24' });
    expect(msg(createCube('lb0', { ...body, ports: [{ name: 'fe1', type: 'FRONTEND' }] }))).toBe(
      'The IP address is mandatory in MULTI port mode for a FRONTEND port',
    );
    expect(
      msg(
        createCube('lb0', { ...body, srcIpRewrite: { ipRange: '10.0.0.0/24', newIpRange: '20.0.0.0/16' } }),
      ),
    ).toBe('both masks have to be the same');
    expect(createCube('lb1', {}).ok && must(createCube('lb1', {})).portMode).toBe('SINGLE');
  });

  // port_mode is chosen at creation: a PATCH may restate it, never change it.
  it('keeps the port mode', () => {
    const m = must(createCube('lb0', { portMode: 'SINGLE' }));
    expect(msg(setPortMode(m, 'MULTI'))).toBe('Port mode cannot be changed at runtime');
    expect(msg(updateCube(m, { portMode: 'MULTI' }))).toBe('Port mode cannot be changed at runtime');
    expect(msg(updateCube(m, { portMode: 'SINGLE' }))).toBe('ok');
    const r = must(createCube('lb1', { portMode: 'ROUTED' }));
    expect(msg(updateCube(r, { portMode: 'SINGLE' }))).toBe('Port mode cannot be changed at runtime');
    expect(msg(updateCube(m, { portMode: 'ROUTED' }))).toBe('Port mode cannot be changed at runtime');
  });

  // ROUTED needs the TC hook (its replies are reverse-NATed at TC egress): an XDP cube is refused
  // naming port_mode; TC (or no type, which means TC) is fine, and XDP stays fine for SINGLE.
  it('refuses ROUTED on an XDP cube', () => {
    for (const cubeType of ['XDP_SKB', 'XDP_DRV', 'xdp_drv']) {
      const r = createCube('lb0', { portMode: 'ROUTED', cubeType });
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.error.code).toBe('CUBE_ERR_LBRP_ROUTED');
      expect(r.error.message).toContain('port_mode');
      expect(r.error.message).toContain(cubeType);
    }
    expect(msg(createCube('lb0', { portMode: 'ROUTED', cubeType: 'TC' }))).toBe('ok');
    expect(msg(createCube('lb0', { portMode: 'ROUTED' }))).toBe('ok');
    expect(msg(createCube('lb0', { portMode: 'SINGLE', cubeType: 'XDP_DRV' }))).toBe('ok');
  });

  // A cube PATCH merges: listed ports are added or updated, listed services updated or created.
  it('merges ports and services on PATCH', () => {
    const m = must(createCube('lb0', { ports: [{ name: 'fe', type: 'FRONTEND' }] }));
    const n = must(
      updateCube(m, {
        ports: [
          { name: 'fe', type: 'FRONTEND' },
          { name: 'be', type: 'BACKEND' },
        ],
        service: [{ vip: '1.2.3.4', vport: 53, proto: 'UDP', name: 'dns' }],
      }),
    );
    expect([...n.ports.keys()]).toEqual(['fe', 'be']);
    expect(n.services.get('1.2.3.4:53:UDP')?.name).toBe('dns');
    expect(msg(updateCube(n, { ports: [{ name: 'be', type: 'FRONTEND' }] }))).toBe(
      'Error: Port type cannot be changed at runtime.',
    );
  });
});

describe('list operations', () => {
  const m = (): CubeModel =>
    must(
      createCube('lb0', {
        service: [
          { vip: '1.1.1.1', vport: 80, proto: 'TCP', backend: [{ ip: '2.2.2.2', port: 80, weight: 7 }] },
        ],
      }),
    );
  const REF = { vip: '1.1.1.1', vport: 80, proto: 'TCP' as const };

  // POST adds (duplicates refused), PUT makes the list exactly the body, PATCH merges.
  it.each([
    {
      name: 'POST services adds',
      inOp: (c: CubeModel) => applyServices(c, [{ vip: '1.1.1.1', vport: 81, proto: 'TCP' }], 'create'),
      want: ['1.1.1.1:80:TCP', '1.1.1.1:81:TCP'],
    },
    {
      name: 'POST services refuses a duplicate',
      inOp: (c: CubeModel) => applyServices(c, [REF], 'create'),
      want: 'This service already exists',
    },
    {
      name: 'PUT services replaces',
      inOp: (c: CubeModel) => applyServices(c, [{ vip: '9.9.9.9', vport: 1, proto: 'UDP' }], 'replace'),
      want: ['9.9.9.9:1:UDP'],
    },
    {
      name: 'PATCH services merges',
      inOp: (c: CubeModel) =>
        applyServices(
          c,
          [
            { ...REF, name: 'n' },
            { vip: '9.9.9.9', vport: 1, proto: 'UDP' },
          ],
          'update',
        ),
      want: ['1.1.1.1:80:TCP', '9.9.9.9:1:UDP'],
    },
  ])('$name', ({ inOp, want }) => {
    const r = inOp(m());
    expect(r.ok ? [...r.value.services.keys()] : r.error.message).toEqual(want);
  });

  it('applies backend lists to a stored service', () => {
    const put = must(applyBackends(m(), REF, [{ ip: '3.3.3.3', port: 1 }], 'replace'));
    expect([...(put.services.get('1.1.1.1:80:TCP')?.backends.keys() ?? [])]).toEqual(['3.3.3.3']);
    const patch = must(
      applyBackends(
        m(),
        REF,
        [
          { ip: '2.2.2.2', port: 81 },
          { ip: '4.4.4.4', port: 1 },
        ],
        'update',
      ),
    );
    expect(
      [...(patch.services.get('1.1.1.1:80:TCP')?.backends.values() ?? [])].map(
        (b) => `${b.ip}:${b.port}/${b.weight}`,
      ),
    ).toEqual(['2.2.2.2:81/7', '4.4.4.4:1/1']);
    expect(msg(applyBackends(m(), { ...REF, vport: 9 }, [], 'create'))).toBe(
      'There are no entries associated with that key',
    );
    expect(
      msg(
        applyBackends(
          m(),
          REF,
          [
            { ip: '5.5.5.5', port: 1 },
            { ip: '5.5.5.5', port: 2 },
          ],
          'replace',
        ),
      ),
    ).toBe('Backend 5.5.5.5 already exists in the service map');
  });

  it('replaces and deletes port lists', () => {
    const c = must(
      createCube('lb0', {
        ports: [
          { name: 'fe', type: 'FRONTEND' },
          { name: 'be', type: 'BACKEND' },
        ],
      }),
    );
    expect([...must(applyPorts(c, [{ name: 'x', type: 'BACKEND' }], 'replace')).ports.keys()]).toEqual(['x']);
    expect(must(deleteAllPorts(c)).ports.size).toBe(0);
  });
});

describe('src-ip-rewrite', () => {
  const c = (): CubeModel => must(createCube('lb0', {}));
  const ROWS = [
    {
      name: 'one range alone is stored, not applied',
      inOp: (m: CubeModel) => updateSrcIpRewrite(m, { ipRange: '10.0.0.0/24' }),
      want: { ipRange: '10.0.0.0/24' },
      wantActive: false,
    },
    {
      name: 'both ranges of the same length',
      inOp: (m: CubeModel) => updateSrcIpRewrite(m, { ipRange: '10.0.0.1/24', newIpRange: '20.0.0.0/24' }),
      want: { ipRange: '10.0.0.1/24', newIpRange: '20.0.0.0/24' },
      wantActive: true,
    },
    {
      name: 'different lengths',
      inOp: (m: CubeModel) => updateSrcIpRewrite(m, { ipRange: '10.0.0.0/24', newIpRange: '20.0.0.0/16' }),
      want: 'both masks have to be the same',
    },
    {
      name: 'the same network',
      inOp: (m: CubeModel) => replaceSrcIpRewrite(m, { ipRange: '10.0.0.1/24', newIpRange: '10.0.0.9/24' }),
      want: 'ip-range and new_ip_range must be different networks, both are 10.0.0.0/24',
    },
    {
      name: 'a malformed prefix',
      inOp: (m: CubeModel) => updateSrcIpRewrite(m, { ipRange: '10.0.0.0/33' }),
      want: expect.stringContaining('"ip-range"'),
    },
  ];
  it.each(ROWS)('$name', ({ inOp, want, wantActive }) => {
    const r = inOp(c());
    expect(r.ok ? r.value.srcIpRewrite : r.error.message).toEqual(want);
    if (r.ok) expect(activeRewrite(r.value.srcIpRewrite) !== undefined).toBe(wantActive);
  });

  // The kernel sees the ranges masked to their networks; PATCH of one member keeps the other; DELETE clears.
  it('masks, merges and deletes', () => {
    const m = must(updateSrcIpRewrite(c(), { ipRange: '10.0.0.1/24', newIpRange: '20.0.0.7/24' }));
    expect(activeRewrite(m.srcIpRewrite)).toEqual({
      from: { net: '10.0.0.0', prefixLen: 24 },
      to: { net: '20.0.0.0', prefixLen: 24 },
    });
    const n = must(updateSrcIpRewrite(m, { newIpRange: '30.0.0.0/24' }));
    expect(n.srcIpRewrite).toEqual({ ipRange: '10.0.0.1/24', newIpRange: '30.0.0.0/24' });
    expect(msg(updateSrcIpRewrite(m, { newIpRange: '30.0.0.0/25' }))).toBe('both masks have to be the same');
    expect(must(deleteSrcIpRewrite(n)).srcIpRewrite).toEqual({});
  });
});
