// A change's map writes travelling in the service's answer (polycubed applies them before it
// answers the client) against the WriteMaps path: the same maps after every change, READs that
// show the state before the change until polycubed confirmed its writes, the service's next job
// waiting for that confirmation, and a failed write recorded and repaired as with WriteMaps.

import { LbrpService } from '../../../src/lbrp/service';
import { fixedClock } from '../../../src/lbrp/dataplane/session-clock';
import type { ConfigAnswer, ConfigKey } from '../../../src/service-kit';
import { FakeHost } from '../../fixtures/lbrp/fake-host';
import { addService } from '../../../src/lbrp/model/service-rules';
import { build, must, newSync, SINGLE_PORTS, WEB } from './sync/sync-fixtures';
import { backendKeys, configRequest, nextRequestId, serviceKeys } from '../../fixtures/lbrp/config-requests';

const clock = async () => fixedClock(250, async () => 1000n << 8n);

const req = configRequest;
const svcKeys = (vip: string): ConfigKey[] => serviceKeys(vip);
const beKeys = backendKeys;

interface Side {
  host: FakeHost;
  svc: LbrpService;
  logs: string[];
}

async function side(carries: boolean, retryMs = 60_000): Promise<Side> {
  const host = new FakeHost();
  host.addCube('lb0', []);
  host.repliesCarryWrites = carries;
  const logs: string[] = [];
  const svc = new LbrpService(host, {
    log: (level, message) => logs.push(`${level} ${message}`),
    clock,
    statsTtlMs: 0,
    retryMs,
  });
  const created = await svc.onConfig(
    req('CREATE', '/lbrp', [], { name: 'lb0', port_mode: 'SINGLE', 'maglev-slots': 1031 }),
  );
  expect(created).toEqual({}); // a new cube is written with WriteMaps
  return { host, svc, logs };
}

/** What polycubed does with an answer's writes: applies them, then reports the outcome. */
async function deliver(host: FakeHost, a: ConfigAnswer): Promise<void> {
  const w = a.writes;
  if (!w) return;
  try {
    w.done({ applied: await host.writeMaps(w.cube, w.ops) });
  } catch (err) {
    w.done({ applied: 0, error: (err as Error).message });
  }
}

const backendsOf = async (s: Side, vip: string): Promise<string[]> => {
  const a = await s.svc.onConfig(req('READ', '/lbrp/service/backend', svcKeys(vip)));
  return ((a.body ?? []) as { ip: string }[]).map((b) => b.ip).sort();
};

afterEach(() => jest.useRealTimers());

describe('map writes handed back in the answer', () => {
  it('leave the same maps as WriteMaps after every change of a random sequence', async () => {
    const handed = await side(true);
    const classic = await side(false);
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return (seed >>> 16) % n;
    };
    const vips = ['10.0.0.1', '10.0.0.2'];
    let handedAnswers = 0;
    for (let i = 0; i < 300; i++) {
      const vip = vips[rand(2)];
      const ip = `10.1.0.${rand(12) + 1}`;
      const r = (() => {
        switch (rand(4)) {
          case 0:
            return req('CREATE', '/lbrp/service', svcKeys(vip), { name: 'web', backend: [] });
          case 1:
            return req('DELETE', '/lbrp/service/backend', beKeys(vip, ip));
          default:
            return req('CREATE', '/lbrp/service/backend', beKeys(vip, ip), { ip, port: 8000 + rand(3) });
        }
      })();
      const a = await handed.svc.onConfig(r);
      const b = await classic.svc.onConfig({ ...r, id: nextRequestId() });
      expect({ ...a, writes: undefined }).toEqual({ ...b, writes: undefined });
      expect(b.writes).toBeUndefined();
      if (a.writes) handedAnswers++;
      await deliver(handed.host, a);
      expect(handed.host.dumpMaps('lb0')).toEqual(classic.host.dumpMaps('lb0'));
      expect(handed.svc.cube('lb0')?.status.ok).toBe(true);
    }
    expect(handedAnswers).toBeGreaterThan(40);
    // Only the cube's creation (and its session_config read) went through WriteMaps.
    expect(handed.host.writeCalls).toBe(handedAnswers + 1);
  });

  it('show the state before the change to READs, and hold the next change, until confirmed', async () => {
    const s = await side(true);
    const a = await s.svc.onConfig(
      req('CREATE', '/lbrp/service', svcKeys('10.0.0.1'), {
        name: 'web',
        backend: [{ ip: '10.1.0.1', port: 80 }],
      }),
    );
    expect(a.writes?.ops.length).toBeGreaterThan(0);
    const mapsBefore = s.host.dumpMaps('lb0');
    // Not there yet for READs: the service's committed state is the one before the change.
    expect((await s.svc.onConfig(req('READ', '/lbrp/service', svcKeys('10.0.0.1')))).message).toBe(
      'There are no entries associated with that key',
    );
    let second: ConfigAnswer | undefined;
    const next = s.svc
      .onConfig(
        req('CREATE', '/lbrp/service/backend', beKeys('10.0.0.1', '10.1.0.2'), { ip: '10.1.0.2', port: 80 }),
      )
      .then((x) => (second = x));
    await new Promise((r) => setTimeout(r, 20));
    expect(second).toBeUndefined(); // waits for the first change's writes
    expect(s.host.dumpMaps('lb0')).toEqual(mapsBefore);
    await deliver(s.host, a);
    expect(await backendsOf(s, '10.0.0.1')).toEqual(['10.1.0.1']);
    await next;
    expect(second?.writes).toBeDefined();
    expect(await backendsOf(s, '10.0.0.1')).toEqual(['10.1.0.1']); // not confirmed yet
    await deliver(s.host, second as ConfigAnswer);
    expect(await backendsOf(s, '10.0.0.1')).toEqual(['10.1.0.1', '10.1.0.2']);
  });

  it('record a failed write as WriteMaps does, and the retry repairs the maps from a readback', async () => {
    const s = await side(true, 30);
    const classic = await side(false);
    const body = { name: 'web', backend: [1, 2, 3].map((k) => ({ ip: `10.1.0.${k}`, port: 80 })) };
    const r = req('CREATE', '/lbrp/service', svcKeys('10.0.0.1'), body);
    const a = await s.svc.onConfig(r);
    await classic.svc.onConfig({ ...r, id: nextRequestId() });
    s.host.failAfter = 3;
    await deliver(s.host, a);
    const sync = s.svc.cube('lb0');
    expect(sync?.status).toMatchObject({ ok: false, error: expect.stringContaining('map writes failed: ') });
    expect(s.logs.some((l) => l.includes('kernel not in sync'))).toBe(true);
    const deadline = Date.now() + 5000;
    while (!sync?.status.ok && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
    expect(sync?.status.ok).toBe(true);
    expect(s.host.dumpMaps('lb0')).toEqual(classic.host.dumpMaps('lb0'));
    // A confirmation that never came (the stream ended) is a failure too: repaired the same way.
    const b = await s.svc.onConfig(
      req('CREATE', '/lbrp/service/backend', beKeys('10.0.0.1', '10.1.0.9'), { ip: '10.1.0.9', port: 80 }),
    );
    await classic.svc.onConfig(
      req('CREATE', '/lbrp/service/backend', beKeys('10.0.0.1', '10.1.0.9'), { ip: '10.1.0.9', port: 80 }),
    );
    b.writes?.done({ applied: 0, error: 'the stream to polycubed ended before it confirmed them' });
    expect(sync?.status.ok).toBe(false);
    const until = Date.now() + 5000;
    while (!sync?.status.ok && Date.now() < until) await new Promise((res) => setTimeout(res, 10));
    expect(s.host.dumpMaps('lb0')).toEqual(classic.host.dumpMaps('lb0'));
  });

  it('are written with WriteMaps instead when the plan is larger than one call', async () => {
    const small = newSync('SINGLE', { writeChunk: 8, sizes: { maglevSlots: 1031 } });
    const whole = newSync('SINGLE', { sizes: { maglevSlots: 1031 } });
    const m = build(small.base, SINGLE_PORTS, (x) =>
      addService(x, { ...WEB, backend: [1, 2, 3].map((k) => ({ ip: `10.1.0.${k}`, port: 80 })) }),
    );
    expect(must(await small.sync.apply(m, { handOff: true }))).toBeUndefined();
    expect(small.host.writeCalls).toBeGreaterThan(1);
    const handed = must(await whole.sync.apply(m, { handOff: true }));
    expect(whole.host.writeCalls).toBe(0);
    handed?.settle({ applied: await whole.host.writeMaps('lb0', handed.ops) });
    expect(small.host.dumpMaps('lb0')).toEqual(whole.host.dumpMaps('lb0'));
    expect([small.sync.status.ok, whole.sync.status.ok]).toEqual([true, true]);
  });
});
