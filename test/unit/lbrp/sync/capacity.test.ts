// Capacity at the model/sync level (the kernel check is in test/e2e): 10,000 services in one cube
// fit once its size leaves say so (max-services, max-backends, maglev-slots), 1,000 backends in
// one service fit the default sizes, and adding one backend to a 100-backend service writes only
// the slots that change.

import type { CubeModel } from '../../../../src/lbrp/model/cube-model';
import { applyServices } from '../../../../src/lbrp/model/cube-rules';
import { addBackend, addService } from '../../../../src/lbrp/model/service-rules';
import {
  decodeServiceValue,
  encodeServiceKey,
  encodeU32,
  IPPROTO,
} from '../../../../src/lbrp/dataplane/map-layouts';
import { renderPlan } from '../../../../src/lbrp/sync/map-dump';
import { build, must, newSync } from './sync-fixtures';

/** The i-th address of 10.128.0.0/9 (VIPs) or 172.16.0.0/12 (backends). */
const vipOf = (i: number): string => `10.${128 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
const backendOf = (i: number): string => `172.${16 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;

/** Size leaves for 10,000 two-backend services (4.01 M slots of 401). */
const TEN_THOUSAND = { maxServices: 10000, maxBackends: 20000, maglevSlots: 1 << 22 };

describe('capacity', () => {
  // The default sizes refuse the 654th 401-slot table: the leaves are what makes room.
  it('refuses services past the default maglev-slots, naming the table', async () => {
    const { sync, base } = newSync();
    const services = Array.from({ length: 700 }, (_, i) => ({
      vip: vipOf(i),
      vport: 80,
      proto: 'TCP' as const,
      backend: [
        { ip: backendOf(2 * i), port: 8080 },
        { ip: backendOf(2 * i + 1), port: 8080 },
      ],
    }));
    const r = await sync.apply(build(base, (x) => applyServices(x, services, 'create')));
    expect(r.ok ? 'ok' : r.error.message).toMatch(/^cube lb0 is full: no room for a 401-slot Maglev table/);
  });

  // 10,000 TCP services with two backends each: 10,000 ids, 20,000 backend ids, 4.01 M slots.
  it('holds 10,000 services in one cube sized for them', async () => {
    const { host, sync, base } = newSync('SINGLE', { sizes: TEN_THOUSAND });
    const services = Array.from({ length: 10000 }, (_, i) => ({
      vip: vipOf(i),
      vport: 80,
      proto: 'TCP' as const,
      backend: [
        { ip: backendOf(2 * i), port: 8080 },
        { ip: backendOf(2 * i + 1), port: 8080 },
      ],
    }));
    const m = build(base, (x) => applyServices(x, services, 'create'));
    must(await sync.apply(m));
    expect(sync.status).toMatchObject({ ok: true, lastWrites: 10000 * (2 + 2 + 2 + 401 + 3) });
    expect(sync.kernel.services.size).toBe(10000);
    // The last service sits at the end of the first 4.01 M slots, split between its two backends.
    const [entry] = await host.readMaps('lb0', 'services', [
      encodeServiceKey({ vip: vipOf(9999), vport: 80, proto: IPPROTO.TCP }),
    ]);
    expect(decodeServiceValue(entry.value)).toEqual({
      serviceId: 9999,
      slotBase: 9999 * 401,
      tableSize: 401,
      flags: 0,
    });
    const slots = await host.readMaps(
      'lb0',
      'maglev_slots',
      Array.from({ length: 401 }, (_, i) => encodeU32(9999 * 401 + i)),
    );
    const ids = new Set(slots.map((e) => e.value.readUInt32LE(0)));
    expect([...ids].sort()).toEqual([19998, 19999]);
  });

  // One service with 1,000 backends (131071 slots, ≥ 131 each), then one more backend: only the
  // slots that move are written.
  it('holds 1,000 backends in one service and writes only moved slots', async () => {
    const { host, sync, base } = newSync();
    const web = { vip: '10.0.0.1', vport: 80, proto: 'TCP' as const };
    let m: CubeModel = build(base, (x) =>
      addService(x, {
        ...web,
        backend: Array.from({ length: 1000 }, (_, i) => ({ ip: backendOf(i), port: 80 })),
      }),
    );
    must(await sync.apply(m));
    const k = sync.kernel.services.get('10.0.0.1:80:6');
    expect(k?.tableSize).toBe(131071);
    const counts = new Map<number, number>();
    for (const id of k?.table ?? []) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect(counts.size).toBe(1000);
    expect(Math.max(...counts.values()) / Math.min(...counts.values())).toBeLessThanOrEqual(1.01);
    host.takeWrites();
    m = build(m, (x) => addBackend(x, web, { ip: backendOf(1000), port: 80 }));
    must(await sync.apply(m));
    const plan = renderPlan(host.takeWrites());
    expect(plan.slice(0, 3)).toEqual([
      `put backend_to_vip[${backendOf(1000)}:80/tcp] -> 10.0.0.1:80 id=0`,
      'zero backend_stats[1000]',
      `put backends[1000] ${backendOf(1000)}:80 active unique`,
    ]);
    const moved = Number(/×(\d+)/.exec(plan[3])?.[1]);
    expect(plan).toHaveLength(4);
    expect(moved).toBeGreaterThanOrEqual(Math.floor(131071 / 1001));
  });
});
