// The control-plane log line of each applied change (issue 18): what changed, of which cube, and
// how; READs log nothing.

import { changeLine } from '../../../../src/lbrp/requests/change-log';
import { LbrpService } from '../../../../src/lbrp/service';
import { fixedClock } from '../../../../src/lbrp/dataplane/session-clock';
import { FakeHost } from '../../../fixtures/lbrp/fake-host';

const REF = { vip: '10.0.0.1', vport: 80, proto: 'TCP' as const };

describe('changeLine', () => {
  it.each([
    [{ kind: 'ports', name: 'fe' } as const, 'CREATE', 'cube lb0: port fe added'],
    [{ kind: 'service', ref: REF } as const, 'CREATE', 'cube lb0: service 10.0.0.1:80/TCP added'],
    [
      { kind: 'backend', ref: REF, ip: '192.168.1.2' } as const,
      'DELETE',
      'cube lb0: backend 192.168.1.2 of service 10.0.0.1:80/TCP removed',
    ],
    [
      { kind: 'backend-leaf', ref: REF, ip: '192.168.1.2', leaf: 'weight' } as const,
      'UPDATE',
      'cube lb0: weight of backend 192.168.1.2 of service 10.0.0.1:80/TCP updated',
    ],
    [{ kind: 'cube-leaf', leaf: 'udp-timeout' } as const, 'UPDATE', 'cube lb0: udp-timeout updated'],
    [{ kind: 'cube' } as const, 'DELETE', 'cube lb0: cube removed'],
  ])('%j %s', (target, op, want) => {
    expect(changeLine('lb0', target, op as 'CREATE')).toBe(want);
  });

  it('says nothing for a READ', () => {
    expect(changeLine('lb0', { kind: 'cube' }, 'READ')).toBeUndefined();
  });
});

describe('LbrpService change lines', () => {
  // Each applied write logs one INFO line; a refused one logs none.
  it('logs cube, port, service and backend changes', async () => {
    const lines: string[] = [];
    const host = new FakeHost();
    host.addCube('lb0', []);
    const svc = new LbrpService(host, {
      log: (level, message) => lines.push(`${level} ${message}`),
      clock: async () => fixedClock(250, async () => 1n << 40n),
      statsTtlMs: 0,
    });
    let id = 1;
    const req = (op: 'CREATE' | 'DELETE', path: string, keys: object[] = [], body?: unknown) =>
      svc.onConfig({ id: id++, op, cube: 'lb0', path, keys, body, isCollection: false } as never);
    const keys = [
      { list: 'service', name: 'vip', value: '10.0.0.1' },
      { list: 'service', name: 'vport', value: '80' },
      { list: 'service', name: 'proto', value: 'TCP' },
    ];
    const be = { list: 'backend', name: 'ip', value: '192.168.1.2' };
    await req('CREATE', '/lbrp', [], { name: 'lb0', port_mode: 'SINGLE', loglevel: 'INFO' });
    await req('CREATE', '/lbrp/service', keys, { vip: '10.0.0.1', vport: 80, proto: 'TCP' });
    await req('CREATE', '/lbrp/service/backend', [...keys, be], { ip: '192.168.1.2', port: 8080 });
    await req('CREATE', '/lbrp/service/backend', [...keys, be], { ip: '192.168.1.2', port: 8080 });
    await req('DELETE', '/lbrp/service/backend', [...keys, be]);
    expect(lines.filter((l) => l.includes('cube lb0:'))).toEqual([
      'INFO cube lb0: cube added (SINGLE)',
      'INFO cube lb0: service 10.0.0.1:80/TCP added',
      'INFO cube lb0: backend 192.168.1.2 of service 10.0.0.1:80/TCP added',
      'INFO cube lb0: backend 192.168.1.2 of service 10.0.0.1:80/TCP removed',
    ]);
  });
});
