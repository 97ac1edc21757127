// Health checks through the lbrp service over the in-memory host, with a scripted prober: a DOWN
// backend leaves the Maglev table (configured weight kept), its sessions are purged after that write,
// UP brings it back, READs show health, and a restart keeps the table as it was (no flap).

import { ErrorCode, type ConfigAnswer, type ConfigKey, type Op } from '../../../../src/service-kit';
import { LbrpService } from '../../../../src/lbrp/service';
import { FakeHost } from '../../../fixtures/lbrp/fake-host';
import { fixedClock } from '../../../../src/lbrp/dataplane/session-clock';
import type { BackendRef } from '../../../../src/lbrp/health/health-monitor';
import type { Prober } from '../../../../src/lbrp/health/probes';
import type { KService } from '../../../../src/lbrp/sync/kernel-state';
import { encodeU32 } from '../../../../src/lbrp/dataplane/map-layouts';
import { sessionEntries } from '../../../../src/lbrp/dataplane/session-table';
import { bucket, type Session } from '../../../fixtures/lbrp/session-buckets';

const clock = async () => fixedClock(250, async () => 1000n << 8n);

let nextId = 1;
function req(op: Op, path: string, keys: ConfigKey[] = [], body?: unknown) {
  return { id: nextId++, op, cube: 'lb0', path, keys, body, isCollection: false };
}
const WEB: ConfigKey[] = [
  { list: 'service', name: 'vip', value: '10.0.0.1' },
  { list: 'service', name: 'vport', value: '80' },
  { list: 'service', name: 'proto', value: 'tcp' },
];
const be = (ip: string): ConfigKey[] => [...WEB, { list: 'backend', name: 'ip', value: ip }];
const ok = (a: ConfigAnswer): unknown =>
  a.code === undefined || a.code === ErrorCode.OK ? (a.body ?? 'ok') : `${a.code}: ${a.message}`;

/** Backend ips that hold slots in the service's table, from the state the maps were written with. */
function inTable(svc: LbrpService): string[] {
  const ks = [...(svc.cube('lb0')?.kernel.services.values() ?? [])][0] as KService;
  const ids = new Set(ks.table);
  return [...ks.backends.values()]
    .filter((b) => ids.has(b.id))
    .map((b) => b.ip)
    .sort();
}

/** Probers that fail for the addresses in `dead` and pass for the others (none for type NONE). */
const scripted =
  (dead: ReadonlySet<string>) =>
  (cfg: { type: string }): Prober | undefined =>
    cfg.type === 'NONE'
      ? undefined
      : async (t) => (dead.has(t.ip) ? { ok: false, detail: 'refused' } : { ok: true, detail: 'fine' });

/** Creates cube lb0 and WEB with two backends, TCP checks every 100 ms, fall 1, rise 1. */
async function twoCheckedBackends(svc: LbrpService): Promise<void> {
  await svc.onConfig(req('CREATE', '/lbrp', [], { name: 'lb0' }));
  await svc.onConfig(
    req('CREATE', '/lbrp/service', WEB, {
      backend: [
        { ip: '10.1.0.1', port: 80 },
        { ip: '10.1.0.2', port: 80 },
      ],
      'health-check': { type: 'TCP', interval: 100, fall: 1, rise: 1 },
    }),
  );
}

/** An open session of client 10.9.0.1:sport on backend `ip` of lb0's one service. */
function sessionOn(svc: LbrpService, ip: string, sport: number): Session {
  const ks = [...(svc.cube('lb0')?.kernel.services.values() ?? [])][0] as KService;
  return {
    client: '10.9.0.1',
    sport,
    backend: ip,
    bport: 80,
    id: ks.backends.get(ip)?.id ?? -1,
    serviceId: ks.serviceId,
  };
}

async function until(what: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('health checks in the lbrp service', () => {
  const services: LbrpService[] = [];
  afterEach(() => services.splice(0).forEach((s) => s.stop()));

  it('takes a DOWN backend out of the table, purges after the write, brings it back UP', async () => {
    const host = new FakeHost();
    host.addCube('lb0', []);
    const dead = new Set<string>();
    const downs: Array<{ ref: BackendRef; table: string[] }> = [];
    const logs: string[] = [];
    const svc: LbrpService = new LbrpService(host, {
      log: (l, m) => logs.push(`${l} ${m}`),
      clock,
      statsTtlMs: 0,
      healthHoldMs: 0,
      healthProberFor: scripted(dead),
      onBackendDown: (ref) => downs.push({ ref, table: inTable(svc) }),
    });
    services.push(svc);
    expect(ok(await svc.onConfig(req('CREATE', '/lbrp', [], { name: 'lb0' })))).toBe('ok');
    expect(
      ok(
        await svc.onConfig(
          req('CREATE', '/lbrp/service', WEB, {
            backend: [
              { ip: '10.1.0.1', port: 80, weight: 3 },
              { ip: '10.1.0.2', port: 80 },
            ],
          }),
        ),
      ),
    ).toBe('ok');
    // A bad leaf is refused naming it; nothing changes.
    const bad = await svc.onConfig(
      req('UPDATE', '/lbrp/service/health-check', WEB, { type: 'tcp', rise: 0 }),
    );
    expect(bad).toMatchObject({ code: ErrorCode.BAD_ATTRIBUTE, errorInfo: 'rise' });
    expect(ok(await svc.onConfig(req('READ', '/lbrp/service/health-check/type', WEB)))).toBe('none');
    // polycubectl lb0 service 10.0.0.1 80 TCP health-check set type=TCP interval=100 fall=2 rise=1
    expect(
      ok(
        await svc.onConfig(
          req('UPDATE', '/lbrp/service/health-check', WEB, { type: 'TCP', interval: 100, fall: 2, rise: 1 }),
        ),
      ),
    ).toBe('ok');
    const health = async (ip: string) =>
      ok(await svc.onConfig(req('READ', '/lbrp/service/backend/health', be(ip))));
    await until(async () => (await health('10.1.0.1')) === 'up');
    expect(inTable(svc)).toEqual(['10.1.0.1', '10.1.0.2']);

    // One open session on each backend; the DOWN backend's goes (both entries), the other stays.
    const session = (ip: string, sport: number): Session => sessionOn(svc, ip, sport);
    host.poke('lb0', 'sessions', encodeU32(0), bucket(session('10.1.0.1', 1000), session('10.1.0.2', 1001)));
    const sessionsOf = async (): Promise<number[]> =>
      sessionEntries((await host.readMaps('lb0', 'sessions')).map((e) => e.value))
        .map((e) => e.value.readUInt32LE(e.kind === 0 ? 8 : 16))
        .sort();

    dead.add('10.1.0.1');
    await until(() => downs.length === 1);
    await until(async () => (await sessionsOf()).length === 2);
    expect(await sessionsOf()).toEqual([session('10.1.0.2', 0).id, session('10.1.0.2', 0).id]);
    expect(logs.some((l) => l === 'INFO cube lb0: DOWN: ended 1 sessions of 10.1.0.1')).toBe(true);
    // The hook ran after the table without the backend was written.
    expect(downs[0].table).toEqual(['10.1.0.2']);
    expect(downs[0].ref).toMatchObject({ cube: 'lb0', service: '10.0.0.1:80:TCP', ip: '10.1.0.1', port: 80 });
    expect(await health('10.1.0.1')).toBe('down');
    const view = ok(await svc.onConfig(req('READ', '/lbrp/service/backend', be('10.1.0.1')))) as Record<
      string,
      unknown
    >;
    expect(view).toMatchObject({ weight: 3, health: 'down', up: 0, 'health-transitions': 2 });
    expect(String(view['health-detail'])).toMatch(/^DOWN since .*last probe: refused/);
    expect(
      logs.some((l) => l.startsWith('WARN cube lb0: service 10.0.0.1:80:TCP backend 10.1.0.1:80 is DOWN')),
    ).toBe(true);
    // Its kernel backend entry is inactive (new flows re-select), like a drained backend's.
    const kb = [...(svc.cube('lb0')?.kernel.services.values() ?? [])][0].backends.get('10.1.0.1');
    expect(kb?.active).toBe(false);

    // Every backend DOWN: the last table is kept (10.1.0.2 stays in) and logged; the backend
    // kept in the table keeps its sessions (no purge call).
    dead.add('10.1.0.2');
    await until(async () => (await health('10.1.0.2')) === 'down');
    await until(() => logs.some((l) => l.includes('every backend is DOWN')));
    expect(inTable(svc)).toEqual(['10.1.0.2']);
    await new Promise((r) => setTimeout(r, 300)); // the re-apply that would have called it is done
    expect(downs).toHaveLength(1);
    expect(logs.some((l) => l.includes('every backend is DOWN; keeping the last Maglev table'))).toBe(true);

    // Back UP after rise successes: both in the table again.
    dead.clear();
    await until(() => inTable(svc).length === 2);
    expect(await health('10.1.0.1')).toBe('up');
  });

  it("purges a DOWN backend's sessions only once its table is written, after a failed write too", async () => {
    const host = new FakeHost();
    host.addCube('lb0', []);
    const dead = new Set<string>();
    const logs: string[] = [];
    const svc: LbrpService = new LbrpService(host, {
      log: (l, m) => logs.push(`${l} ${m}`),
      clock,
      statsTtlMs: 0,
      healthHoldMs: 0,
      retryMs: 200,
      healthProberFor: scripted(dead),
    });
    services.push(svc);
    await twoCheckedBackends(svc);
    await until(() => inTable(svc).length === 2);
    const session = (ip: string, sport: number): Session => sessionOn(svc, ip, sport);
    host.poke('lb0', 'sessions', encodeU32(0), bucket(session('10.1.0.1', 1000), session('10.1.0.2', 1001)));
    const entries = async (): Promise<number> =>
      sessionEntries((await host.readMaps('lb0', 'sessions')).map((e) => e.value)).length;

    // The re-apply that takes 10.1.0.1 out fails: its sessions stay until the retry writes it.
    host.failAfter = 0;
    dead.add('10.1.0.1');
    await until(() => logs.some((l) => l.includes('kernel not in sync')));
    expect(await entries()).toBe(4);
    expect(logs.some((l) => l.includes('DOWN: ended'))).toBe(false);
    await until(() => logs.some((l) => l.includes('kernel in sync again')));
    await until(async () => (await entries()) === 2);
    expect(inTable(svc)).toEqual(['10.1.0.2']);
    expect(logs.filter((l) => l === 'INFO cube lb0: DOWN: ended 1 sessions of 10.1.0.1')).toHaveLength(1);
  });

  it('keeps a DOWN backend out of the table across a restart (no flap, no writes)', async () => {
    const host = new FakeHost();
    host.addCube('lb0', []);
    const dead = new Set(['10.1.0.1']);
    const prober = () => async (t: { ip: string }) =>
      dead.has(t.ip) ? { ok: false, detail: 'refused' } : { ok: true, detail: 'fine' };
    const svc = new LbrpService(host, {
      log: () => undefined,
      clock,
      healthHoldMs: 0,
      healthProberFor: prober,
    });
    services.push(svc);
    await twoCheckedBackends(svc);
    await until(() => inTable(svc).length === 1);
    const config = ok(await svc.onConfig(req('READ', '/lbrp'))) as Record<string, unknown>;
    svc.stop();
    host.takeWrites();
    // The new process probes slowly: until then, the restored state must hold the table as it is.
    const restarted = new LbrpService(host, {
      log: () => undefined,
      clock,
      healthProberFor: () => async () => new Promise(() => undefined),
    });
    services.push(restarted);
    await restarted.onResync([{ name: 'lb0', config: { name: 'lb0', ...config } }]);
    expect(host.takeWrites()).toEqual([]);
    expect(inTable(restarted)).toEqual(['10.1.0.2']);
    expect(ok(await restarted.onConfig(req('READ', '/lbrp/service/backend/health', be('10.1.0.1'))))).toBe(
      'unknown',
    );
    expect(ok(await restarted.onConfig(req('READ', '/lbrp/service/backend/up', be('10.1.0.1'))))).toBe(0);
  });

  it('reads, replaces and deletes the health-check container and its leaves', async () => {
    const host = new FakeHost();
    host.addCube('lb0', []);
    const svc = new LbrpService(host, { log: () => undefined, clock, healthProberFor: () => undefined });
    services.push(svc);
    await svc.onConfig(req('CREATE', '/lbrp', [], { name: 'lb0' }));
    await svc.onConfig(req('CREATE', '/lbrp/service', WEB, { backend: [{ ip: '10.1.0.1', port: 80 }] }));
    const hc = async () => ok(await svc.onConfig(req('READ', '/lbrp/service/health-check', WEB)));
    expect(await hc()).toEqual({
      type: 'none',
      port: 0,
      interval: 1000,
      timeout: 500,
      rise: 2,
      fall: 3,
      'http-path': '/',
      'http-status': '200-399',
      'udp-payload': '',
      'udp-expect': '',
    });
    expect(ok(await svc.onConfig(req('UPDATE', '/lbrp/service/health-check/interval', WEB, 400)))).toBe('ok');
    expect(ok(await svc.onConfig(req('READ', '/lbrp/service/health-check/timeout', WEB)))).toBe(200);
    expect(
      await svc.onConfig(req('UPDATE', '/lbrp/service/health-check/http-status', WEB, '99')),
    ).toMatchObject({ code: ErrorCode.BAD_ATTRIBUTE, errorInfo: 'http-status' });
    // PUT replaces the container: what it does not carry is back at its default.
    expect(ok(await svc.onConfig(req('REPLACE', '/lbrp/service/health-check', WEB, { type: 'udp' })))).toBe(
      'ok',
    );
    expect(await hc()).toMatchObject({ type: 'udp', interval: 1000 });
    // The service READ shows the container once configured.
    expect(ok(await svc.onConfig(req('READ', '/lbrp/service', WEB)))).toMatchObject({
      'health-check': { type: 'udp' },
    });
    expect(ok(await svc.onConfig(req('DELETE', '/lbrp/service/health-check', WEB)))).toBe('ok');
    expect(await hc()).toMatchObject({ type: 'none' });
  });
});
