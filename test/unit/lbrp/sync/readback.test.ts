// A restarted service (or daemon) rebuilds its state from the configuration and the kernel: when
// the maps already hold the configuration nothing is written, drained backends (no slots) keep
// their ids, and a slot or entry that is wrong is the only thing rewritten. Plus determinism: the
// same configuration applied in different orders gives identical tables.

import type { CubeModel } from '../../../../src/lbrp/model/cube-model';
import {
  addBackend,
  addService,
  deleteBackend,
  updateBackend,
} from '../../../../src/lbrp/model/service-rules';
import { updateSrcIpRewrite } from '../../../../src/lbrp/model/src-rewrite-rules';
import { encodeServiceKey, encodeServiceValue, encodeU32 } from '../../../../src/lbrp/dataplane/map-layouts';
import { CubeSync } from '../../../../src/lbrp/sync/cube-sync';
import { renderPlan } from '../../../../src/lbrp/sync/map-dump';
import { build, must, newSync, SINGLE_PORTS, SYNC_OPTIONS, WEB } from './sync-fixtures';

/** A configuration with a drained backend, a removed one, ALL, and src-ip-rewrite. */
function richModel(base: CubeModel): CubeModel {
  return build(
    base,
    SINGLE_PORTS,
    (x) =>
      addService(x, { vip: '10.0.0.2', vport: 53, proto: 'ALL', backend: [{ ip: '192.168.1.5', port: 53 }] }),
    (x) =>
      addService(x, {
        ...WEB,
        backend: [10, 11, 12, 13].map((i) => ({ ip: `192.168.1.${i}`, port: 8080, weight: i })),
      }),
    (x) => updateBackend(x, WEB, '192.168.1.11', { weight: 0 }),
    (x) => deleteBackend(x, WEB, '192.168.1.12'),
    (x) => updateSrcIpRewrite(x, { ipRange: '10.1.0.0/16', newIpRange: '10.2.0.0/16' }),
  );
}

describe('adopting a running cube', () => {
  // The kernel already holds the configuration: the new instance writes nothing and knows the ids.
  it('writes nothing when the maps already hold the configuration', async () => {
    const { host, sync, base } = newSync();
    const m = richModel(base);
    must(await sync.apply(m));
    host.takeWrites();
    const restarted = new CubeSync(m, host, SYNC_OPTIONS);
    expect(await restarted.adopt(m)).toBe(0);
    expect(host.takeWrites()).toEqual([]);
    const ids = (s: CubeSync) =>
      [...s.kernel.services.values()].map((k) => [
        k.serviceId,
        k.slotBase,
        [...k.backends.values()].map((b) => b.id),
      ]);
    expect(ids(restarted)).toEqual(ids(sync));
    // …and carries on with the same ids: draining back to weight 1 reactivates the same backend id.
    const drainedId = sync.kernel.services.get('10.0.0.1:80:6')?.backends.get('192.168.1.11')?.id;
    must(await restarted.apply(build(m, (x) => updateBackend(x, WEB, '192.168.1.11', { weight: 1 }))));
    expect(renderPlan(host.takeWrites())[0]).toBe(
      `put backends[${drainedId}] 192.168.1.11:8080 active unique`,
    );
  });

  // Something in the kernel differs from the configuration: only that is rewritten.
  it('rewrites only what differs', async () => {
    const { host, sync, base } = newSync();
    const m = richModel(base);
    must(await sync.apply(m));
    host.takeWrites();
    const web = sync.kernel.services.get('10.0.0.1:80:6');
    if (!web) throw new Error('no web service');
    host.poke('lb0', 'maglev_slots', encodeU32(web.slotBase + 7), encodeU32(12345));
    const restarted = new CubeSync(m, host, SYNC_OPTIONS);
    expect(await restarted.adopt(m)).toBe(1);
    expect(renderPlan(host.takeWrites())).toEqual([
      `put maglev_slots ×1 in [${web.slotBase + 7},${web.slotBase + 7}]`,
    ]);
  });

  // A cube pinned by a build without backend_ips (the map is new and empty) gets every backend
  // address written at adoption, and nothing else.
  it('writes the backend addresses a cube lacks in backend_ips', async () => {
    const { host, sync, base } = newSync();
    const m = richModel(base);
    must(await sync.apply(m));
    const entries = await host.readMaps('lb0', 'backend_ips');
    expect(entries.length).toBeGreaterThan(0);
    await host.writeMaps(
      'lb0',
      entries.map((e) => ({ map: 'backend_ips', key: e.key, delete: true })),
    );
    const want = renderPlan(entries.map((e) => ({ map: 'backend_ips', key: e.key, value: e.value })));
    host.takeWrites();
    const restarted = new CubeSync(m, host, SYNC_OPTIONS);
    expect(await restarted.adopt(m)).toBe(entries.length);
    expect(renderPlan(host.takeWrites()).sort()).toEqual(want.sort());
  });

  // A configuration changed while the service was away (here: a backend added) is completed.
  it('completes a configuration the kernel does not hold yet', async () => {
    const { host, sync, base } = newSync();
    const m = richModel(base);
    must(await sync.apply(m));
    host.takeWrites();
    const more = build(m, (x) => addBackend(x, WEB, { ip: '192.168.1.99', port: 8080 }));
    const restarted = new CubeSync(more, host, SYNC_OPTIONS);
    await restarted.adopt(more);
    const plan = renderPlan(host.takeWrites());
    expect(plan[0]).toBe('put backend_ips[192.168.1.99]=1');
    expect(plan[1]).toBe('put backend_to_vip[192.168.1.99:8080/tcp] -> 10.0.0.1:80 id=3');
    expect(plan[2]).toMatch(/^zero backend_stats\[\d+\]$/);
    expect(plan[3]).toMatch(/^put backends\[\d+\] 192\.168\.1\.99:8080 active unique$/);
    expect(plan[4]).toMatch(/^put maglev_slots ×\d+ in/);
    expect(plan).toHaveLength(5);
  });
});

describe('reading the Maglev tables back', () => {
  // Range reads (a few batch calls for the whole slot span) and the by-key fallback of a polycubed
  // without them adopt the same state, and neither writes anything.
  it('adopts the same state through range reads and key by key', async () => {
    const { host, sync, base } = newSync();
    const m = richModel(base);
    must(await sync.apply(m));
    host.takeWrites();
    const state = async (): Promise<unknown> => {
      const restarted = new CubeSync(m, host, SYNC_OPTIONS);
      expect(await restarted.adopt(m)).toBe(0);
      return [...restarted.kernel.services.values()].map((k) => [
        k.serviceId,
        k.slotBase,
        [...k.table],
        [...k.backends.keys()],
      ]);
    };
    const ranged = await state();
    const calls: number[] = [];
    const range = host.readMapRange;
    host.readMapRange = async (...args) => {
      calls.push(args[3]);
      return range?.(...args);
    };
    expect(await state()).toEqual(ranged);
    expect(calls.length).toBeGreaterThan(0);
    host.readMapRange = undefined;
    expect(await state()).toEqual(ranged);
    // A polycubed that ignores the range fields answers no values: the keys are read instead.
    host.readMapRange = async () => undefined;
    expect(await state()).toEqual(ranged);
    expect(host.takeWrites()).toEqual([]);
  });
});

describe('adopting damaged maps', () => {
  // Two services whose slot ranges overlap (damaged maps): the second gets a fresh range, its
  // table is written whole and its services entry points at it.
  it('moves a service whose slot range overlaps another one', async () => {
    const { host, sync, base } = newSync();
    const two = (vip: string) => (x: CubeModel) =>
      addService(x, {
        vip,
        vport: 80,
        proto: 'TCP',
        backend: [
          { ip: '1.1.1.1', port: 80 },
          { ip: '1.1.1.2', port: 80 },
        ],
      });
    const m = build(base, SINGLE_PORTS, two('10.0.0.1'), two('10.0.0.2'));
    must(await sync.apply(m));
    host.takeWrites();
    host.poke(
      'lb0',
      'services',
      encodeServiceKey({ vip: '10.0.0.2', vport: 80, proto: 6 }),
      encodeServiceValue({ serviceId: 1, slotBase: 100, tableSize: 401, flags: 0 }),
    );
    const restarted = new CubeSync(m, host, SYNC_OPTIONS);
    await restarted.adopt(m);
    expect(renderPlan(host.takeWrites())).toEqual([
      'put maglev_slots ×401 in [401,801]',
      'put services[10.0.0.2:80/tcp] id=1 base=401 size=401',
    ]);
  });
});

describe('determinism', () => {
  // Two instances given the same backends in different orders (and with a detour through an
  // extra backend) hold identical tables, slot for slot, in terms of backend addresses.
  it('gives identical tables for the same configuration applied in different orders', async () => {
    const ips = Array.from({ length: 12 }, (_, i) => `192.168.2.${i + 1}`);
    const tableByIp = async (order: string[], detour: boolean): Promise<string[]> => {
      const { sync, base } = newSync();
      let m = build(base, SINGLE_PORTS, (x) => addService(x, WEB));
      if (detour) m = build(m, (x) => addBackend(x, WEB, { ip: '192.168.9.9', port: 1 }));
      for (const ip of order) {
        m = build(m, (x) => addBackend(x, WEB, { ip, port: 80, weight: Number(ip.split('.')[3]) }));
        must(await sync.apply(m));
      }
      if (detour) m = build(m, (x) => deleteBackend(x, WEB, '192.168.9.9'));
      must(await sync.apply(m));
      const k = sync.kernel.services.get('10.0.0.1:80:6');
      if (!k) throw new Error('no service');
      const ipOf = new Map([...k.backends.values()].map((b) => [b.id, b.ip]));
      return [...k.table].map((id) => ipOf.get(id) ?? 'none');
    };
    const a = await tableByIp(ips, false);
    const b = await tableByIp([...ips].reverse(), true);
    expect(a).toHaveLength(16001);
    expect(b).toEqual(a);
  });
});
