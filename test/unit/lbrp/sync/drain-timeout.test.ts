// drain-timeout: the tracker over kernel states (drained since, removed since, made active again,
// service deleted, timeout changed, each backend due once), and the service's timer ending the
// sessions of a drained backend on the in-memory host once its service's drain-timeout passed.

import type { ConfigKey } from '../../../../src/service-kit';
import { LbrpService } from '../../../../src/lbrp/service';
import { fixedClock } from '../../../../src/lbrp/dataplane/session-clock';
import {
  encodeConntrackValue,
  encodeFlowKey,
  encodeU32,
  IPPROTO,
  SESSION_WAYS,
} from '../../../../src/lbrp/dataplane/map-layouts';
import { sessionEntries } from '../../../../src/lbrp/dataplane/session-table';
import { emptyCube, type CubeModel } from '../../../../src/lbrp/model/cube-model';
import { addService } from '../../../../src/lbrp/model/service-rules';
import { DrainTracker } from '../../../../src/lbrp/sync/drain-timeout';
import {
  EMPTY_KERNEL_STATE,
  type KBackend,
  type KernelState,
  type KService,
} from '../../../../src/lbrp/sync/kernel-state';
import { FakeHost } from '../../../fixtures/lbrp/fake-host';
import { build, WEB } from './sync-fixtures';
import { configRequest, serviceKeys } from '../../../fixtures/lbrp/config-requests';

const KEY = '10.0.0.1:80:6';
const b = (id: number, ip: string, active: boolean): KBackend => ({ id, ip, port: 8080, active });
function state(...backends: KBackend[]): KernelState {
  const svc: KService = {
    vip: '10.0.0.1',
    vport: 80,
    proto: 6,
    serviceId: 0,
    slotBase: 0,
    tableSize: 0,
    table: new Int32Array(0),
    backends: new Map(backends.map((x) => [x.ip, x])),
  };
  return { ...EMPTY_KERNEL_STATE, services: new Map([[KEY, svc]]) };
}
const model = (drainTimeout: number): CubeModel =>
  build(emptyCube('lb0', 'SINGLE'), (x) => addService(x, { ...WEB, policy: { drainTimeout } }));

describe('DrainTracker', () => {
  it('makes a drained backend due after the timeout, once', () => {
    const t = new DrainTracker();
    const s0 = state(b(0, '192.168.1.1', true), b(1, '192.168.1.2', true));
    t.observe(EMPTY_KERNEL_STATE, s0, 0);
    expect(t.size).toBe(0);
    const s1 = state(b(0, '192.168.1.1', false), b(1, '192.168.1.2', true));
    t.observe(s0, s1, 1000);
    const m = model(30);
    expect(t.nextDeadline(m)).toBe(31_000);
    expect(t.takeDue(m, 30_999)).toEqual([]);
    expect(t.takeDue(m, 31_000)).toEqual([
      { id: 0, ip: '192.168.1.1', port: 8080, service: KEY, serviceId: 0 },
    ]);
    expect(t.takeDue(m, 99_000)).toEqual([]);
    expect(t.nextDeadline(m)).toBeUndefined();
    // A later sync that keeps it drained does not restart its time.
    t.observe(s1, s1, 50_000);
    expect(t.takeDue(m, 99_000)).toEqual([]);
  });

  it('counts a removed backend from its removal (or from its drain), and forgets it once due', () => {
    const t = new DrainTracker();
    const s0 = state(b(0, '192.168.1.1', true), b(1, '192.168.1.2', false));
    t.observe(EMPTY_KERNEL_STATE, s0, 0); // .2 drained at 0
    const s1 = state(b(1, '192.168.1.2', false));
    t.observe(s0, s1, 5000); // .1 removed at 5 s
    const s2 = state();
    t.observe(s1, s2, 6000); // .2 removed at 6 s, drained since 0
    const m = model(10);
    expect(t.takeDue(m, 10_000)).toEqual([
      { id: 1, ip: '192.168.1.2', port: 8080, service: KEY, serviceId: 0 },
    ]);
    expect(t.takeDue(m, 15_000)).toEqual([
      { id: 0, ip: '192.168.1.1', port: 8080, service: KEY, serviceId: 0 },
    ]);
    expect(t.size).toBe(0);
  });

  it('forgets a backend made active again, and those of a deleted service; no timeout = never due', () => {
    const t = new DrainTracker();
    const s0 = state(b(0, '192.168.1.1', false));
    t.observe(EMPTY_KERNEL_STATE, s0, 0);
    expect(t.nextDeadline(model(0))).toBeUndefined();
    expect(t.takeDue(model(0), 1e12)).toEqual([]);
    // The timeout set later applies from the drain.
    expect(t.nextDeadline(model(5))).toBe(5000);
    t.observe(s0, state(b(0, '192.168.1.1', true)), 1000);
    expect(t.size).toBe(0);
    t.observe(EMPTY_KERNEL_STATE, s0, 2000);
    t.observe(s0, EMPTY_KERNEL_STATE, 3000);
    expect(t.size).toBe(0);
  });
});

const req = configRequest;
const svcKeys: ConfigKey[] = serviceKeys();
const beKey = (ip: string): ConfigKey => ({ list: 'backend', name: 'ip', value: ip });

describe('LbrpService drain-timeout', () => {
  // A drained backend's sessions stay until the service's drain-timeout (1 s here) has passed,
  // then both go, in one purge; the other backend's session stays.
  it("ends a drained backend's sessions after drain-timeout", async () => {
    const host = new FakeHost();
    host.addCube('lb0', []);
    const logs: string[] = [];
    const svc = new LbrpService(host, {
      log: (_l, m) => void logs.push(m),
      clock: async () => fixedClock(250, async () => 1000n << 8n),
    });
    try {
      expect(await svc.onConfig(req('CREATE', '/lbrp', [], { name: 'lb0', port_mode: 'SINGLE' }))).toEqual(
        {},
      );
      await svc.onConfig(
        req('CREATE', '/lbrp/service', svcKeys, {
          'drain-timeout': 1,
          backend: [
            { ip: '192.168.1.1', port: 8080 },
            { ip: '192.168.1.2', port: 8080 },
          ],
        }),
      );
      const ids = new Map([...(svc.cube('lb0')?.kernel.services.values() ?? [])][0].backends);
      // Two sessions, one through each backend, as the datapath writes them.
      const bucket = Buffer.alloc(40 * SESSION_WAYS);
      ['192.168.1.1', '192.168.1.2'].forEach((ip, i) => {
        encodeFlowKey({
          saddr: '10.1.0.1',
          daddr: '10.0.0.1',
          sport: 1000 + i,
          dport: 80,
          proto: IPPROTO.TCP,
        }).copy(bucket, 40 * i);
        encodeConntrackValue({
          backendIp: ip,
          backendPort: 8080,
          flags: 0x100,
          backendId: ids.get(ip)?.id ?? -1,
          serviceId: 0,
          natSaddr: '10.1.0.1',
        }).copy(bucket, 40 * i + 16);
      });
      host.poke('lb0', 'sessions', encodeU32(5), bucket);
      const left = async () =>
        sessionEntries((await host.readMaps('lb0', 'sessions')).map((e) => e.value)).map((e) =>
          e.value.readUInt32LE(8),
        );

      const t0 = Date.now();
      await svc.onConfig(
        req('UPDATE', '/lbrp/service/backend/weight', [...svcKeys, beKey('192.168.1.1')], 0),
      );
      expect(await left()).toHaveLength(2);
      // Bounded wait for the timer (1 s after the drain).
      for (let i = 0; i < 60 && (await left()).length === 2; i++) await new Promise((r) => setTimeout(r, 50));
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
      expect(await left()).toEqual([ids.get('192.168.1.2')?.id]);
      expect(logs.some((l) => /drain-timeout: ended 1 sessions of 192\.168\.1\.1/.test(l))).toBe(true);
    } finally {
      svc.stop();
    }
  });
});
