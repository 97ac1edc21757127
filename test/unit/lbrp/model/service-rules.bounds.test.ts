// The limits of service and backend fields: vport, port and weight are 0..65535 integers, vip and
// backend ip dotted quads, proto required, ICMP on vport 0 only; each refusal names the field and
// leaves the model as it was. An empty name is not stored.

import type { Result } from '../../../../src/common/errors';
import { emptyCube, type CubeModel } from '../../../../src/lbrp/model/cube-model';
import { addPort, setPortIp, updatePort } from '../../../../src/lbrp/model/port-rules';
import {
  addBackend,
  addService,
  deleteService,
  findService,
  updateBackend,
  type BackendInput,
  type ServiceInput,
} from '../../../../src/lbrp/model/service-rules';

const msg = (r: Result<unknown>): string => (r.ok ? 'ok' : r.error.message);
const REF = { vip: '10.0.0.1', vport: 80, proto: 'TCP' as const };

function withWeb(): CubeModel {
  const r = addService(emptyCube('lb0', 'SINGLE'), { ...REF, backend: [{ ip: '192.168.1.1', port: 80 }] });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('service field limits', () => {
  it.each<[string, ServiceInput, string]>([
    ['vport 0', { vip: '10.0.0.1', vport: 0, proto: 'TCP' }, 'ok'],
    ['vport 65535', { vip: '10.0.0.1', vport: 65535, proto: 'TCP' }, 'ok'],
    ['vport 65536', { vip: '10.0.0.1', vport: 65536, proto: 'TCP' }, '"vport"'],
    ['vport -1', { vip: '10.0.0.1', vport: -1, proto: 'TCP' }, '"vport"'],
    ['vport 1.5', { vip: '10.0.0.1', vport: 1.5, proto: 'TCP' }, '"vport"'],
    ['no vport', { vip: '10.0.0.1', proto: 'TCP' }, '"vport"'],
    ['a bad vip', { vip: '10.0.0.256', vport: 80, proto: 'TCP' }, '"vip" at /lbrp/service'],
    ['no vip', { vport: 80, proto: 'TCP' }, '"vip" at /lbrp/service'],
    ['no proto', { vip: '10.0.0.1', vport: 80 }, 'missing member "proto" at /lbrp/service'],
    ['ICMP on vport 0', { vip: '10.0.0.1', vport: 0, proto: 'ICMP' }, 'ok'],
  ])('%s', (_name, input, want) => {
    const before = emptyCube('lb0', 'SINGLE');
    const r = addService(before, input);
    expect(msg(r)).toContain(want);
    expect(before.services.size).toBe(0);
  });

  // ICMP has no port: any other vport is refused.
  it('refuses ICMP on a vport other than 0', () => {
    expect(
      msg(addService(emptyCube('lb0', 'SINGLE'), { vip: '10.0.0.1', vport: 1, proto: 'ICMP' })),
    ).not.toBe('ok');
  });

  // "" is what persisted configurations show for an unset name: it is stored as no name.
  it('stores an empty name as none', () => {
    const r = addService(emptyCube('lb0', 'SINGLE'), { ...REF, name: '' });
    expect(r.ok && 'name' in r.value.services.get('10.0.0.1:80:TCP')!).toBe(false);
    const named = addService(emptyCube('lb0', 'SINGLE'), { ...REF, name: 'web' });
    expect(named.ok && named.value.services.get('10.0.0.1:80:TCP')!.name).toBe('web');
  });

  // ICMP services live on vport 0 only, so only that one can be deleted.
  it('deletes an ICMP service on vport 0 and refuses another vport', () => {
    const r = addService(emptyCube('lb0', 'SINGLE'), { vip: '10.0.0.1', vport: 0, proto: 'ICMP' });
    if (!r.ok) throw new Error(r.error.message);
    const gone = deleteService(r.value, '10.0.0.1', 0, 'ICMP');
    expect(gone.ok && gone.value.services.size).toBe(0);
    expect(msg(deleteService(r.value, '10.0.0.1', 7, 'ICMP'))).not.toBe('ok');
  });

  // A list naming the same service twice is refused as a whole (ALL expands into TCP among others).
  it('refuses a body that adds one service twice', () => {
    expect(msg(addService(emptyCube('lb0', 'SINGLE'), { vip: '10.0.0.1', vport: 80, proto: 'ALL' }))).toBe(
      'ok',
    );
    const m = withWeb();
    expect(msg(addService(m, { vip: '10.0.0.1', vport: 80, proto: 'ALL' }))).toBe(
      'This service already exists',
    );
  });

  // ALL is a request spelling, never a stored service.
  it('finds no stored service for ALL', () => {
    expect(msg(findService(withWeb(), '10.0.0.1', 80, 'ALL'))).toBe(
      'There are no entries associated with that key',
    );
  });
});

describe('backend field limits', () => {
  it.each<[string, BackendInput, string]>([
    ['port 0 and weight 0', { ip: '192.168.1.2', port: 0, weight: 0 }, 'ok'],
    ['port and weight 65535', { ip: '192.168.1.2', port: 65535, weight: 65535 }, 'ok'],
    ['port 65536', { ip: '192.168.1.2', port: 65536 }, '"port" at /lbrp/service/backend'],
    ['port -1', { ip: '192.168.1.2', port: -1 }, '"port" at /lbrp/service/backend'],
    ['port 1.5', { ip: '192.168.1.2', port: 1.5 }, '"port" at /lbrp/service/backend'],
    ['no port', { ip: '192.168.1.2' }, 'missing member "port" at /lbrp/service/backend'],
    ['weight 65536', { ip: '192.168.1.2', port: 1, weight: 65536 }, 'weight'],
    ['weight -1', { ip: '192.168.1.2', port: 1, weight: -1 }, 'weight'],
    ['a bad ip', { ip: '192.168.1', port: 1 }, '"ip" at /lbrp/service/backend'],
    ['no ip', { port: 1 }, '"ip" at /lbrp/service/backend'],
  ])('%s', (_name, input, want) => {
    const before = withWeb();
    expect(msg(addBackend(before, REF, input))).toContain(want);
    expect([...before.services.get('10.0.0.1:80:TCP')!.backends.keys()]).toEqual(['192.168.1.1']);
  });

  // A PATCH checks only what it gives, with the same limits.
  it('checks the limits on update too', () => {
    const m = withWeb();
    expect(msg(updateBackend(m, REF, '192.168.1.1', { port: 65536 }))).toContain('"port"');
    expect(msg(updateBackend(m, REF, '192.168.1.1', { weight: 70000 }))).toContain('weight');
    const named = updateBackend(m, REF, '192.168.1.1', { name: 'b1' });
    expect(named.ok && named.value.services.get('10.0.0.1:80:TCP')!.backends.get('192.168.1.1')).toEqual({
      ip: '192.168.1.1',
      name: 'b1',
      port: 80,
      weight: 1,
    });
    const unnamed = updateBackend(m, REF, '192.168.1.1', { weight: 2 });
    expect(
      unnamed.ok && 'name' in unnamed.value.services.get('10.0.0.1:80:TCP')!.backends.get('192.168.1.1')!,
    ).toBe(false);
  });
});

describe('port field limits', () => {
  // name and type are required and named in the error.
  it('names the missing port member', () => {
    const m = emptyCube('lb0', 'SINGLE');
    expect(msg(addPort(m, { type: 'BACKEND' }))).toBe('missing member "name" at /lbrp/ports');
    expect(msg(addPort(m, { name: '', type: 'BACKEND' }))).toBe('missing member "name" at /lbrp/ports');
    expect(msg(addPort(m, { name: 'be' }))).toBe('missing member "type" at /lbrp/ports');
  });

  // Setting or updating a port that does not exist names it.
  it('names a missing port', () => {
    const m = emptyCube('lb0', 'MULTI');
    expect(msg(setPortIp(m, 'nope', '10.1.0.1'))).toBe('Port nope does not exist');
    expect(msg(updatePort(m, 'nope', { ip: '10.1.0.1' }))).toBe('Port nope does not exist');
  });

  // A PATCH naming no ip leaves the port's ip alone, and a missing port is refused even then.
  it('keeps the ip on a PATCH without one, and names a missing port', () => {
    const m = addPort(emptyCube('lb0', 'MULTI'), { name: 'f1', type: 'FRONTEND', ip: '10.1.0.1' });
    if (!m.ok) throw new Error(m.error.message);
    const same = updatePort(m.value, 'f1', { type: 'FRONTEND' });
    expect(same.ok && same.value.ports.get('f1')).toEqual({ name: 'f1', type: 'FRONTEND', ip: '10.1.0.1' });
    expect(msg(updatePort(m.value, 'nope', {}))).toBe('Port nope does not exist');
  });

  // Two MULTI frontends may not serve the same client address; a port may restate its own.
  it('keeps frontend addresses unique but lets a port keep its own', () => {
    let m = emptyCube('lb0', 'MULTI');
    for (const p of [
      { name: 'f1', type: 'FRONTEND' as const, ip: '10.1.0.1' },
      { name: 'f2', type: 'FRONTEND' as const, ip: '10.1.0.2' },
      { name: 'be', type: 'BACKEND' as const },
    ]) {
      const r = addPort(m, p);
      if (!r.ok) throw new Error(r.error.message);
      m = r.value;
    }
    expect(msg(setPortIp(m, 'f2', '10.1.0.1'))).toContain('10.1.0.1');
    const same = setPortIp(m, 'f1', '10.1.0.1');
    expect(same.ok && same.value).toBe(m);
    const moved = setPortIp(m, 'f1', '10.1.0.3');
    expect(moved.ok && moved.value.ports.get('f1')).toEqual({ name: 'f1', type: 'FRONTEND', ip: '10.1.0.3' });
    expect(msg(addPort(m, { name: 'f3', type: 'FRONTEND', ip: '10.1.0.2' }))).toContain('10.1.0.2');
    expect(msg(addPort(m, { name: 'f3', type: 'FRONTEND', ip: 'x' }))).toContain('"ip" at /lbrp/ports/ip');
  });
});
