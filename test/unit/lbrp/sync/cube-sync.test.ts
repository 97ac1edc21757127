// Sync plans: each configuration change is applied through CubeSync to the in-memory host. The
// order of writes is the contract (entries before the flags and slots that rely on them), so the
// plan's other lines are compared in order; how many Maglev slots move is the table builder's
// business, so slot writes are checked as invariants against the tables read back (exactly the
// changed slots, close to the minimum, shares follow the weights). Also: refusals write nothing,
// re-applying writes nothing, and compiled-in port ids reload the program.

import { DEFAULT_SIZES, type CubeModel } from '../../../../src/lbrp/model/cube-model';
import { sizeDefines } from '../../../../src/lbrp/sync/dataplane-source';
import { addPort, deletePort, setPortIp } from '../../../../src/lbrp/model/port-rules';
import {
  addBackend,
  addService,
  deleteBackend,
  deleteService,
  updateBackend,
  updateService,
} from '../../../../src/lbrp/model/service-rules';
import { deleteSrcIpRewrite, updateSrcIpRewrite } from '../../../../src/lbrp/model/src-rewrite-rules';
import { renderPlan } from '../../../../src/lbrp/sync/map-dump';
import { FakeHost } from '../../../fixtures/lbrp/fake-host';
import { CubeSync } from '../../../../src/lbrp/sync/cube-sync';
import {
  build,
  DEFAULT_SESSION_CONFIG_WRITE,
  must,
  newSync,
  SINGLE_PORTS,
  SYNC_OPTIONS,
  WEB,
} from './sync-fixtures';
import { changedSlots, expectProportional, readTable, sharesOf, SLOT_RUN, splitPlan } from './table-readback';

/** Minimal disruption, as Maglev gives it: at most 20 % more moved slots than had to move. */
const MOVE_SLACK = 1.2;

/** The size -D of a cube with the default size leaves (every load carries them). */
const SIZES = sizeDefines(DEFAULT_SIZES);

describe('CubeSync plans (golden)', () => {
  // A service with two backends; then one added, one drained, one removed: every step writes the
  // backends first, then only the changed slots; the services entry never changes.
  it('writes only what a backend change needs, drains before re-spreading slots', async () => {
    const { host, sync, base } = newSync();
    let m = build(base, SINGLE_PORTS, (x) =>
      addService(x, {
        ...WEB,
        backend: [
          { ip: '192.168.1.10', port: 8080 },
          { ip: '192.168.1.11', port: 8080 },
        ],
      }),
    );
    must(await sync.apply(m));
    expect(renderPlan(host.takeWrites())).toEqual([
      DEFAULT_SESSION_CONFIG_WRITE,
      'put backend_ips[192.168.1.10]=1',
      'put backend_ips[192.168.1.11]=1',
      'put backend_to_vip[192.168.1.10:8080/tcp] -> 10.0.0.1:80 id=0',
      'put backend_to_vip[192.168.1.11:8080/tcp] -> 10.0.0.1:80 id=0',
      'zero backend_stats[0]',
      'zero backend_stats[1]',
      'put backends[0] 192.168.1.10:8080 active unique',
      'put backends[1] 192.168.1.11:8080 active unique',
      'put maglev_slots ×401 in [0,400]',
      'zero service_stats[0]',
      'put services[10.0.0.1:80/tcp] id=0 base=0 size=401',
      'put vips[10.0.0.1]=1',
    ]);
    expect(host.dumpMaps('lb0').filter((l) => !l.startsWith('TABLE'))).toEqual([
      'BACKEND b0 192.168.1.10:8080 active unique',
      'BACKEND b1 192.168.1.11:8080 active unique',
      'BACKEND_IP 192.168.1.10 backends=1',
      'BACKEND_IP 192.168.1.11 backends=1',
      'BACKEND_VIP 192.168.1.10:8080/tcp -> 10.0.0.1:80 id=0',
      'BACKEND_VIP 192.168.1.11:8080/tcp -> 10.0.0.1:80 id=0',
      'SERVICE 10.0.0.1:80/tcp id=0 slots=[0,401)',
      'VIP 10.0.0.1 services=1',
    ]);
    expectProportional(await readTable(host, WEB), { 0: 1, 1: 1 });

    // A third backend: its entries first, then about a third of the slots (ideal 401/3), all
    // of them exactly the slots that changed.
    let before = await readTable(host, WEB);
    m = build(m, (x) => addBackend(x, WEB, { ip: '192.168.1.12', port: 8080 }));
    must(await sync.apply(m));
    let plan = splitPlan(renderPlan(host.takeWrites()));
    expect(plan.lines).toEqual([
      'put backend_ips[192.168.1.12]=1',
      'put backend_to_vip[192.168.1.12:8080/tcp] -> 10.0.0.1:80 id=0',
      'zero backend_stats[2]',
      'put backends[2] 192.168.1.12:8080 active unique',
      SLOT_RUN,
    ]);
    let after = await readTable(host, WEB);
    expect(plan.slots).toBe(changedSlots(before, after));
    expect(plan.slots).toBeLessThanOrEqual(MOVE_SLACK * (401 / 3));
    expectProportional(after, { 0: 1, 1: 1, 2: 1 });

    // Drained (weight 0): the flag goes first, then its slots, and only about its slots, move.
    before = after;
    m = build(m, (x) => updateBackend(x, WEB, '192.168.1.10', { weight: 0 }));
    must(await sync.apply(m));
    plan = splitPlan(renderPlan(host.takeWrites()));
    expect(plan.lines).toEqual(['put backends[0] 192.168.1.10:8080 inactive unique', SLOT_RUN]);
    after = await readTable(host, WEB);
    expect(plan.slots).toBe(changedSlots(before, after));
    expect(plan.slots).toBeLessThanOrEqual(MOVE_SLACK * (sharesOf(before).get(0) ?? 0));
    expectProportional(after, { 1: 1, 2: 1 });

    // Removed: flag first, then its slots go to the one backend left.
    before = after;
    m = build(m, (x) => deleteBackend(x, WEB, '192.168.1.11'));
    must(await sync.apply(m));
    plan = splitPlan(renderPlan(host.takeWrites()));
    // backend_ips keeps the removed address (0 ids) while backend_to_vip names it.
    expect(plan.lines).toEqual([
      'put backend_ips[192.168.1.11]=0',
      'put backends[1] 192.168.1.11:8080 inactive',
      SLOT_RUN,
    ]);
    after = await readTable(host, WEB);
    expect(plan.slots).toBe(changedSlots(before, after));
    expect(plan.slots).toBe(sharesOf(before).get(1));
    expect(host.dumpMaps('lb0')).toEqual([
      'BACKEND b0 192.168.1.10:8080 inactive unique',
      'BACKEND b1 192.168.1.11:8080 inactive',
      'BACKEND b2 192.168.1.12:8080 active unique',
      'BACKEND_IP 192.168.1.10 backends=1',
      'BACKEND_IP 192.168.1.11 backends=0',
      'BACKEND_IP 192.168.1.12 backends=1',
      // The removed backend's entry stays: its service exists (sessions may still run through it).
      'BACKEND_VIP 192.168.1.10:8080/tcp -> 10.0.0.1:80 id=0',
      'BACKEND_VIP 192.168.1.11:8080/tcp -> 10.0.0.1:80 id=0',
      'BACKEND_VIP 192.168.1.12:8080/tcp -> 10.0.0.1:80 id=0',
      'SERVICE 10.0.0.1:80/tcp id=0 slots=[0,401)',
      'TABLE 10.0.0.1:80/tcp b2=401',
      'VIP 10.0.0.1 services=1',
    ]);

    // The same configuration again: nothing to write.
    must(await sync.apply(m));
    expect(host.takeWrites()).toEqual([]);
  });

  // A weight change moves slots in proportion; a port change rewrites only the backend entry.
  it('re-spreads slots on a weight change and rewrites one entry on a port change', async () => {
    const { host, sync, base } = newSync();
    let m = build(base, SINGLE_PORTS, (x) =>
      addService(x, {
        ...WEB,
        backend: [
          { ip: '192.168.1.10', port: 80 },
          { ip: '192.168.1.11', port: 80 },
        ],
      }),
    );
    must(await sync.apply(m));
    host.takeWrites();
    const before = await readTable(host, WEB);
    m = build(m, (x) => updateBackend(x, WEB, '192.168.1.10', { weight: 3 }));
    must(await sync.apply(m));
    // Only slots are written: exactly those that changed, about the quarter b1 hands to b0.
    const plan = splitPlan(renderPlan(host.takeWrites()));
    expect(plan.lines).toEqual([SLOT_RUN]);
    const after = await readTable(host, WEB);
    expect(plan.slots).toBe(changedSlots(before, after));
    expect(plan.slots).toBeLessThanOrEqual(MOVE_SLACK * (401 / 2 - 401 / 4));
    expectProportional(after, { 0: 3, 1: 1 });
    m = build(m, (x) => updateBackend(x, WEB, '192.168.1.11', { port: 81 }));
    must(await sync.apply(m));
    // The new address gets its entry before the flag; the old address's entry stays.
    expect(renderPlan(host.takeWrites())).toEqual([
      'put backends[1] 192.168.1.11:81 active',
      'put backend_to_vip[192.168.1.11:81/tcp] -> 10.0.0.1:80 id=0',
      'put backends[1] 192.168.1.11:81 active unique',
    ]);
  });

  // Crossing a rung of the size ladder (4 → 5 backends) moves the table to a new 4001-slot range:
  // the whole new table is written, then the services entry swaps to it; the old range is freed.
  it('re-sizes a table into a new range and swaps the services entry', async () => {
    const { host, sync, base } = newSync();
    const four = [10, 11, 12, 13].map((i) => ({ ip: `192.168.1.${i}`, port: 80 }));
    let m = build(base, SINGLE_PORTS, (x) => addService(x, { ...WEB, backend: four }));
    must(await sync.apply(m));
    host.takeWrites();
    m = build(m, (x) => addBackend(x, WEB, { ip: '192.168.1.14', port: 80 }));
    must(await sync.apply(m));
    expect(renderPlan(host.takeWrites())).toEqual([
      'put backend_ips[192.168.1.14]=1',
      'put backend_to_vip[192.168.1.14:80/tcp] -> 10.0.0.1:80 id=0',
      'zero backend_stats[4]',
      'put backends[4] 192.168.1.14:80 active unique',
      'put maglev_slots ×4001 in [401,4401]',
      'put services[10.0.0.1:80/tcp] id=0 base=401 size=4001',
    ]);
    // A second service (one backend: a 2-slot table) reuses the freed range at 0.
    m = build(m, (x) =>
      addService(x, {
        vip: '10.0.0.2',
        vport: 53,
        proto: 'UDP',
        backend: [{ ip: '192.168.1.20', port: 53 }],
      }),
    );
    must(await sync.apply(m));
    expect(renderPlan(host.takeWrites())).toEqual([
      'put backend_ips[192.168.1.20]=1',
      'put backend_to_vip[192.168.1.20:53/udp] -> 10.0.0.2:53 id=1',
      'zero backend_stats[5]',
      'put backends[5] 192.168.1.20:53 active unique',
      'put maglev_slots ×2 in [0,1]',
      'zero service_stats[1]',
      'put services[10.0.0.2:53/udp] id=1 base=0 size=2',
      'put vips[10.0.0.2]=1',
    ]);
  });

  // ALL is three services on one VIP; deleting them deletes the entries and the VIP, and the
  // backends lose F_BACKEND_ACTIVE. A service without backends forwards untranslated.
  it('writes ALL as three services and deletes them with their VIP', async () => {
    const { host, sync, base } = newSync();
    let m = build(base, SINGLE_PORTS, (x) =>
      addService(x, {
        vip: '10.0.0.1',
        vport: 80,
        proto: 'ALL',
        backend: [{ ip: '192.168.1.10', port: 80 }],
      }),
    );
    m = build(m, (x) => addService(x, { vip: '10.0.0.9', vport: 80, proto: 'TCP' }));
    must(await sync.apply(m));
    host.takeWrites();
    expect(host.dumpMaps('lb0')).toEqual([
      'BACKEND b0 192.168.1.10:80 active unique',
      'BACKEND b1 192.168.1.10:80 active unique',
      'BACKEND b2 192.168.1.10:80 active unique',
      'BACKEND_IP 192.168.1.10 backends=3',
      // TCP and UDP on one ip:port are two addresses; ICMP's is port 0.
      'BACKEND_VIP 192.168.1.10:0/icmp -> 10.0.0.1:0 id=2',
      'BACKEND_VIP 192.168.1.10:80/tcp -> 10.0.0.1:80 id=0',
      'BACKEND_VIP 192.168.1.10:80/udp -> 10.0.0.1:80 id=1',
      'SERVICE 10.0.0.1:0/icmp id=2 slots=[4,6)',
      'SERVICE 10.0.0.1:80/tcp id=0 slots=[0,2)',
      'SERVICE 10.0.0.1:80/udp id=1 slots=[2,4)',
      'SERVICE 10.0.0.9:80/tcp id=3 no-backends',
      'TABLE 10.0.0.1:0/icmp b2=2',
      'TABLE 10.0.0.1:80/tcp b0=2',
      'TABLE 10.0.0.1:80/udp b1=2',
      'VIP 10.0.0.1 services=3',
      'VIP 10.0.0.9 services=1',
    ]);
    m = build(m, (x) => deleteService(x, '10.0.0.1', 80, 'ALL'));
    must(await sync.apply(m));
    expect(renderPlan(host.takeWrites())).toEqual([
      'put backends[0] 192.168.1.10:80 inactive',
      'put backends[1] 192.168.1.10:80 inactive',
      'put backends[2] 192.168.1.10:80 inactive',
      'del services[10.0.0.1:80/tcp]',
      'del services[10.0.0.1:80/udp]',
      'del services[10.0.0.1:0/icmp]',
      'del vips[10.0.0.1]',
      'del backend_to_vip[192.168.1.10:80/tcp]',
      'del backend_to_vip[192.168.1.10:80/udp]',
      'del backend_to_vip[192.168.1.10:0/icmp]',
      'del backend_ips[192.168.1.10]',
    ]);
  });

  // src-ip-rewrite writes two LPM entries masked to their networks; a change rewrites them, a
  // delete removes them (Polycube bug 5).
  it('writes, replaces and deletes the src-ip-rewrite pair', async () => {
    const { host, sync, base } = newSync();
    let m = build(base, SINGLE_PORTS, (x) =>
      updateSrcIpRewrite(x, { ipRange: '10.0.0.1/24', newIpRange: '20.0.0.1/24' }),
    );
    must(await sync.apply(m));
    expect(renderPlan(host.takeWrites())).toEqual([
      DEFAULT_SESSION_CONFIG_WRITE,
      'put src_ip_rewrite[10.0.0.0/24] -> 20.0.0.0 from-frontend',
      'put src_ip_rewrite[20.0.0.0/24] -> 10.0.0.0 from-backend',
    ]);
    expect(host.dumpMaps('lb0')).toEqual([
      'REWRITE 10.0.0.0/24 -> 20.0.0.0 host=0.0.0.255 from-frontend',
      'REWRITE 20.0.0.0/24 -> 10.0.0.0 host=0.0.0.255 from-backend',
    ]);
    m = build(m, (x) => updateSrcIpRewrite(x, { newIpRange: '30.0.0.0/24' }));
    must(await sync.apply(m));
    expect(renderPlan(host.takeWrites())).toEqual([
      'put src_ip_rewrite[10.0.0.0/24] -> 30.0.0.0 from-frontend',
      'put src_ip_rewrite[30.0.0.0/24] -> 10.0.0.0 from-backend',
      'del src_ip_rewrite[20.0.0.0/24]',
    ]);
    m = build(m, (x) => deleteSrcIpRewrite(x));
    must(await sync.apply(m));
    expect(renderPlan(host.takeWrites())).toEqual([
      'del src_ip_rewrite[10.0.0.0/24]',
      'del src_ip_rewrite[30.0.0.0/24]',
    ]);
    expect(host.dumpMaps('lb0')).toEqual([]);
  });

  // MULTI: each FRONTEND ip maps to its port id; a PATCH of the ip moves the entry (bug 11), a
  // deleted port takes its entry with it. Only the BACKEND id is compiled in.
  it('keeps ip_to_frontend_port in step with MULTI ports', async () => {
    const host = new FakeHost();
    host.addCube('lb0', [
      { name: 'fe1', id: 0 },
      { name: 'fe2', id: 2 },
      { name: 'be', id: 1 },
    ]);
    const { sync, base } = newSync('MULTI', {}, host);
    let m = build(
      base,
      (x) => addPort(x, { name: 'fe1', type: 'FRONTEND', ip: '10.0.0.1' }),
      (x) => addPort(x, { name: 'fe2', type: 'FRONTEND', ip: '10.0.0.2' }),
      (x) => addPort(x, { name: 'be', type: 'BACKEND' }),
    );
    must(await sync.apply(m));
    expect(renderPlan(host.takeWrites())).toEqual([
      DEFAULT_SESSION_CONFIG_WRITE,
      'put ip_to_frontend_port[10.0.0.1]=0',
      'put ip_to_frontend_port[10.0.0.2]=2',
    ]);
    m = build(m, (x) => setPortIp(x, 'fe2', '10.0.0.3'));
    must(await sync.apply(m));
    expect(renderPlan(host.takeWrites())).toEqual([
      'put ip_to_frontend_port[10.0.0.3]=2',
      'del ip_to_frontend_port[10.0.0.2]',
    ]);
    host.setPorts('lb0', [
      { name: 'fe2', id: 2 },
      { name: 'be', id: 1 },
    ]);
    m = build(m, (x) => deletePort(x, 'fe1'));
    must(await sync.apply(m));
    expect(renderPlan(host.takeWrites())).toEqual(['del ip_to_frontend_port[10.0.0.1]']);
    expect(host.loads('lb0').map((l) => l.defines)).toEqual([
      { SINGLE_PORT_MODE: 0, BACKEND_PORT: 1, ...SIZES },
    ]);
  });
});

describe('CubeSync dataplane and refusals', () => {
  // SINGLE compiles both port ids in: the program is reloaded when a port comes or goes
  // (Polycube did not reload on delete: bug 10), never for service changes.
  it('reloads when compiled-in port ids change', async () => {
    const host = new FakeHost();
    host.addCube('lb0', []);
    const { sync, base } = newSync('SINGLE', {}, host);
    must(await sync.apply(base, { refreshPorts: true }));
    host.setPorts('lb0', [{ name: 'fe', id: 0 }]);
    let m = build(base, (x) => addPort(x, { name: 'fe', type: 'FRONTEND' }));
    must(await sync.apply(m));
    host.setPorts('lb0', [
      { name: 'fe', id: 0 },
      { name: 'be', id: 1 },
    ]);
    m = build(m, (x) => addPort(x, { name: 'be', type: 'BACKEND' }));
    must(await sync.apply(m));
    must(await sync.apply(build(m, (x) => addService(x, WEB))));
    host.setPorts('lb0', [{ name: 'be', id: 1 }]);
    must(await sync.apply(build(m, (x) => deletePort(x, 'fe'))));
    expect(host.loads('lb0').map((l) => l.defines)).toEqual([
      { SINGLE_PORT_MODE: 1, FRONTEND_PORT: -1, BACKEND_PORT: -1, ...SIZES },
      { SINGLE_PORT_MODE: 1, FRONTEND_PORT: 0, BACKEND_PORT: -1, ...SIZES },
      { SINGLE_PORT_MODE: 1, FRONTEND_PORT: 0, BACKEND_PORT: 1, ...SIZES },
      { SINGLE_PORT_MODE: 1, FRONTEND_PORT: -1, BACKEND_PORT: 1, ...SIZES },
    ]);
    expect(host.loads('lb0')[0].entry).toBe('lbrp/lbrp.c');
    expect(Object.keys(host.loads('lb0')[0].files)).toContain('lbrp/select.h');
  });

  // A program that does not load refuses the change: model, maps and allocations stay as they were.
  it('refuses a change whose program does not load, changing nothing', async () => {
    const { host, sync, base } = newSync();
    const m = build(base, SINGLE_PORTS, (x) =>
      addService(x, { ...WEB, backend: [{ ip: '1.1.1.1', port: 80 }] }),
    );
    must(await sync.apply(m));
    const dump = host.dumpMaps('lb0');
    host.failLoad = Object.assign(new Error('clang failed'), { log: 'lbrp.c:1: error' });
    const r = await sync.apply(m, { forceLoad: true });
    expect(r.ok ? 'ok' : r.error.message).toBe(
      'cannot load the dataplane of cube lb0: clang failed\nlbrp.c:1: error',
    );
    expect(host.dumpMaps('lb0')).toEqual(dump);
    expect(sync.model).toBe(m);
  });

  // Running out of slots refuses the request before any write; ids are not leaked.
  it('refuses what does not fit, writing nothing and leaking nothing', async () => {
    const { host, sync, base } = newSync('SINGLE', {
      sizes: { maxServices: 4, maxBackends: 16, maglevSlots: 1000 },
    });
    const one = (vip: string) => (x: CubeModel) =>
      addService(x, {
        vip,
        vport: 80,
        proto: 'TCP',
        backend: [
          { ip: '1.1.1.1', port: 80 },
          { ip: '1.1.1.2', port: 80 },
        ],
      });
    const m = build(base, SINGLE_PORTS, one('10.0.0.1'), one('10.0.0.2'));
    must(await sync.apply(m));
    host.takeWrites();
    const r = await sync.apply(build(m, one('10.0.0.3')));
    expect(r.ok ? 'ok' : r.error.message).toBe(
      'cube lb0 is full: no room for a 401-slot Maglev table (802 of 1000 slots in use, largest free range 198)',
    );
    expect(host.takeWrites()).toEqual([]);
    const n = build(m, (x) => addService(x, { vip: '10.0.0.3', vport: 80, proto: 'TCP' }));
    must(await sync.apply(n));
    expect(renderPlan(host.takeWrites())).toEqual([
      'zero service_stats[2]',
      'put services[10.0.0.3:80/tcp] id=2 base=0 size=0',
      'put vips[10.0.0.3]=1',
    ]);
  });

  // A failed write is recorded, not returned; the next apply re-reads the kernel and completes it.
  it('records a failed write and repairs it from a readback', async () => {
    const { host, sync, base } = newSync();
    const m = build(base, SINGLE_PORTS, (x) =>
      addService(x, {
        ...WEB,
        backend: [
          { ip: '1.1.1.1', port: 80 },
          { ip: '1.1.1.2', port: 80 },
        ],
      }),
    );
    host.failAfter = 3;
    expect((await sync.apply(m)).ok).toBe(true);
    expect(sync.status).toMatchObject({ ok: false, error: expect.stringContaining('E2BIG') });
    host.takeWrites();
    await sync.retry();
    expect(sync.status.ok).toBe(true);
    // The repaired maps are what a fault-free apply of the same model writes, and a re-apply
    // finds nothing left to do.
    const clean = newSync();
    must(await clean.sync.apply(m));
    expect(host.dumpMaps('lb0')).toEqual(clean.host.dumpMaps('lb0'));
    expect(host.dumpMaps('lb0')).toContain('SERVICE 10.0.0.1:80/tcp id=0 slots=[0,401)');
    host.takeWrites();
    must(await sync.apply(m));
    expect(renderPlan(host.takeWrites())).toEqual([]);
  });
});

// backend_to_vip and F_BACKEND_UNIQUE (dataplane/README.md, the control plane's contract): the
// entry names the first service of an address, the flag marks an id whose address serves only its
// service, named by the entry; entries are written before the flags that rely on them.
describe('CubeSync backend_to_vip and F_BACKEND_UNIQUE (golden)', () => {
  const S1 = { vip: '10.0.0.1', vport: 80, proto: 'TCP' as const };
  const S2 = { vip: '10.0.0.2', vport: 80, proto: 'TCP' as const };
  const X = { ip: '192.168.1.10', port: 8080 };
  const Y = { ip: '192.168.1.11', port: 8080 };

  // With sessionless-reply-nat, the entries of addresses that serve one service carry
  // F_BACKEND_VIP_UNIQUE too: lost before a second service's table names the address, gained after.
  it('flags a unique backend, unflags it when shared, moves the entry only when its service goes', async () => {
    const { host, sync, base } = newSync();
    const stateless = { ...base, session: { ...base.session, sessionlessReplyNat: true } };
    let m = build(stateless, SINGLE_PORTS, (x) => addService(x, { ...S1, backend: [X] }));
    must(await sync.apply(m));
    expect(renderPlan(host.takeWrites())).toEqual([
      DEFAULT_SESSION_CONFIG_WRITE,
      'put backend_ips[192.168.1.10]=1',
      'put backend_to_vip[192.168.1.10:8080/tcp] -> 10.0.0.1:80 id=0 unique',
      'zero backend_stats[0]',
      'put backends[0] 192.168.1.10:8080 active unique',
      'put maglev_slots ×2 in [0,1]',
      'zero service_stats[0]',
      'put services[10.0.0.1:80/tcp] id=0 base=0 size=2',
      'put vips[10.0.0.1]=1',
    ]);

    // S2 shares X: S1's id loses the flag first, S2's id for X is written without it before S2's
    // table names it, the entry keeps naming S1; S2's own Y is unique.
    m = build(m, (x) => addService(x, { ...S2, backend: [X, Y] }));
    must(await sync.apply(m));
    expect(renderPlan(host.takeWrites())).toEqual([
      'put backend_ips[192.168.1.10]=2',
      'put backend_ips[192.168.1.11]=1',
      'put backends[0] 192.168.1.10:8080 active',
      'put backend_to_vip[192.168.1.10:8080/tcp] -> 10.0.0.1:80 id=0', // shared from now on
      'put backend_to_vip[192.168.1.11:8080/tcp] -> 10.0.0.2:80 id=1 unique',
      'zero backend_stats[1]',
      'zero backend_stats[2]',
      'put backends[1] 192.168.1.10:8080 active',
      'put backends[2] 192.168.1.11:8080 active unique',
      'put maglev_slots ×401 in [2,402]',
      'zero service_stats[1]',
      'put services[10.0.0.2:80/tcp] id=1 base=2 size=401',
      'put vips[10.0.0.2]=1',
    ]);
    expect(host.dumpMaps('lb0').filter((l) => l.startsWith('BACKEND'))).toEqual([
      'BACKEND b0 192.168.1.10:8080 active',
      'BACKEND b1 192.168.1.10:8080 active',
      'BACKEND b2 192.168.1.11:8080 active unique',
      'BACKEND_IP 192.168.1.10 backends=2',
      'BACKEND_IP 192.168.1.11 backends=1',
      'BACKEND_VIP 192.168.1.10:8080/tcp -> 10.0.0.1:80 id=0',
      'BACKEND_VIP 192.168.1.11:8080/tcp -> 10.0.0.2:80 id=1 unique',
    ]);

    // S1 deleted: after its services entry, the entry is re-pointed at S2 (whose sessions through
    // X all have reverse entries), and only then is S2's id flagged.
    m = build(m, (x) => deleteService(x, S1.vip, S1.vport, S1.proto));
    must(await sync.apply(m));
    expect(renderPlan(host.takeWrites())).toEqual([
      'put backend_ips[192.168.1.10]=1',
      'put backends[0] 192.168.1.10:8080 inactive',
      'del services[10.0.0.1:80/tcp]',
      'del vips[10.0.0.1]',
      'put backend_to_vip[192.168.1.10:8080/tcp] -> 10.0.0.2:80 id=1 unique',
      'put backends[1] 192.168.1.10:8080 active unique',
    ]);

    // S2 deleted: its entries go with it (after its services entry), its ids lose their flags.
    m = build(m, (x) => deleteService(x, S2.vip, S2.vport, S2.proto));
    must(await sync.apply(m));
    expect(renderPlan(host.takeWrites())).toEqual([
      'put backends[1] 192.168.1.10:8080 inactive',
      'put backends[2] 192.168.1.11:8080 inactive',
      'del services[10.0.0.2:80/tcp]',
      'del vips[10.0.0.2]',
      'del backend_to_vip[192.168.1.11:8080/tcp]',
      'del backend_to_vip[192.168.1.10:8080/tcp]',
      'del backend_ips[192.168.1.11]',
      'del backend_ips[192.168.1.10]',
    ]);
    expect(host.dumpMaps('lb0').filter((l) => l.startsWith('BACKEND_VIP'))).toEqual([]);
  });

  // The entry names the service that had the address first, not the lowest id, and a restarted
  // instance reads it back: nothing written. It is kept while that service exists, even after
  // the address left its pool, so the remaining user is never flagged meanwhile.
  it('keeps the first service in the entry across a restart and after the address left it', async () => {
    const { host, sync, base } = newSync();
    let m = build(
      base,
      SINGLE_PORTS,
      (x) => addService(x, S1),
      (x) => addService(x, { ...S2, backend: [X] }),
    );
    must(await sync.apply(m));
    m = build(m, (x) => addBackend(x, S1, X));
    must(await sync.apply(m));
    host.takeWrites();
    expect(host.dumpMaps('lb0').filter((l) => l.startsWith('BACKEND'))).toEqual([
      'BACKEND b0 192.168.1.10:8080 active',
      'BACKEND b1 192.168.1.10:8080 active',
      'BACKEND_IP 192.168.1.10 backends=2',
      'BACKEND_VIP 192.168.1.10:8080/tcp -> 10.0.0.2:80 id=1',
    ]);
    const restarted = new CubeSync(m, host, SYNC_OPTIONS);
    expect(await restarted.adopt(m)).toBe(0);
    expect(host.takeWrites()).toEqual([]);

    m = build(m, (x) => deleteBackend(x, S2, X.ip));
    must(await restarted.apply(m));
    expect(renderPlan(host.takeWrites())).toEqual([
      'put backend_ips[192.168.1.10]=1',
      'put backends[0] 192.168.1.10:8080 inactive',
      'put services[10.0.0.2:80/tcp] id=1 base=0 size=0',
    ]);
    expect(host.dumpMaps('lb0').filter((l) => l.startsWith('BACKEND'))).toEqual([
      'BACKEND b0 192.168.1.10:8080 inactive',
      'BACKEND b1 192.168.1.10:8080 active',
      'BACKEND_IP 192.168.1.10 backends=1',
      'BACKEND_VIP 192.168.1.10:8080/tcp -> 10.0.0.2:80 id=1',
    ]);
  });

  // Two ICMP services on one backend host share one address (port 0).
  it('gives ICMP backends port 0, so two ICMP services on one host share it', async () => {
    const { host, sync, base } = newSync();
    const icmp = (vip: string) => (x: CubeModel) =>
      addService(x, { vip, vport: 0, proto: 'ICMP', backend: [{ ip: '192.168.1.10', port: 7 }] });
    must(await sync.apply(build(base, SINGLE_PORTS, icmp('10.0.0.1'), icmp('10.0.0.2'))));
    expect(host.dumpMaps('lb0').filter((l) => l.startsWith('BACKEND'))).toEqual([
      'BACKEND b0 192.168.1.10:7 active',
      'BACKEND b1 192.168.1.10:7 active',
      'BACKEND_IP 192.168.1.10 backends=2',
      'BACKEND_VIP 192.168.1.10:0/icmp -> 10.0.0.1:0 id=0',
    ]);
  });
});

describe('CubeSync: session affinity', () => {
  // CLIENT_IP writes the timeout (clock units at HZ 250: ceil(s × 250 / 256)) before the services
  // entry that carries the flag; a new timeout is one write; NONE clears the flag; a restart
  // adopts it all with no write.
  it('writes service_affinity before the flagged services entry, and adopts it after a restart', async () => {
    const { host, sync, base } = newSync();
    let m = build(base, SINGLE_PORTS, (x) =>
      addService(x, {
        ...WEB,
        policy: { sessionAffinity: 'CLIENT_IP', affinityTimeout: 60 },
        backend: [{ ip: '192.168.1.10', port: 8080 }],
      }),
    );
    must(await sync.apply(m));
    const plan = renderPlan(host.takeWrites());
    const at = (line: string): number => plan.indexOf(line);
    expect(at('put service_affinity[0]=59')).toBeGreaterThan(-1);
    expect(at('put services[10.0.0.1:80/tcp] id=0 base=0 size=2 affinity')).toBeGreaterThan(
      at('put service_affinity[0]=59'),
    );

    m = build(m, (x) => updateService(x, { ...WEB, policy: { affinityTimeout: 10800 } }));
    must(await sync.apply(m));
    expect(renderPlan(host.takeWrites())).toEqual(['put service_affinity[0]=10547']);

    const restarted = new CubeSync(m, host, SYNC_OPTIONS);
    expect(await restarted.adopt(m)).toBe(0);

    m = build(m, (x) => updateService(x, { ...WEB, policy: { sessionAffinity: 'NONE' } }));
    must(await restarted.apply(m));
    expect(renderPlan(host.takeWrites())).toEqual(['put services[10.0.0.1:80/tcp] id=0 base=0 size=2']);
    // Another policy leaf (drain-timeout) changes no map.
    m = build(m, (x) => updateService(x, { ...WEB, policy: { drainTimeout: 5 } }));
    must(await restarted.apply(m));
    expect(host.takeWrites()).toEqual([]);
  });
});
