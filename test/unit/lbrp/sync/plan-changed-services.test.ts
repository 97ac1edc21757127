// The map plan looks only at the backends of services that changed (issue 17: a change costs its
// services, not the cube) unless a uniqueness flag or a re-pointed backend_to_vip entry elsewhere
// needs every backend. Checked against the plan of the same two states where every service of the
// new state is a fresh object (so every backend is looked at): identical writes, in the same order,
// over random changes of services that share backend addresses (uniqueness gained and lost,
// entries re-pointed when their service goes).

import {
  addBackend,
  addService,
  deleteBackend,
  deleteService,
  updateBackend,
} from '../../../../src/lbrp/model/service-rules';
import type { CubeModel } from '../../../../src/lbrp/model/cube-model';
import { generateMapWrites, SLOT_RUN } from '../../../../src/lbrp/sync/map-plan';
import type { KernelState } from '../../../../src/lbrp/sync/kernel-state';
import type { MapWrite } from '../../../../src/service-kit';
import { build, must, newSync, SINGLE_PORTS } from './sync-fixtures';
import { seededRandom } from '../maglev/maglev-fixtures';

const OPS = 1500;
const VIPS = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];

/** The same state with every service a new object (no identity shared with any other state). */
function freshServices(s: KernelState): KernelState {
  return { ...s, services: new Map([...s.services].map(([k, svc]) => [k, { ...svc }])) };
}

const render = (ws: Iterable<MapWrite>): string[] =>
  [...ws].map(
    (w) => `${w.delete ? 'del' : 'put'} ${w.map} ${w.key.toString('hex')} ${w.value?.toString('hex') ?? ''}`,
  );

describe('map plan over the changed services only', () => {
  it('writes exactly what a plan over every backend writes', async () => {
    const random = seededRandom(4242);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    const { sync, base } = newSync('SINGLE', { sizes: { maxBackends: 4096, maglevSlots: 1 << 18 } });
    let model: CubeModel = build(base, SINGLE_PORTS);
    must(await sync.apply(model));
    const ref = (vip: string) => ({ vip, vport: 80, proto: 'TCP' as const });
    let compared = 0;
    let writes = 0;
    for (let op = 0; op < OPS; op++) {
      const vip = pick(VIPS);
      const svc = model.services.get(`${vip}:80:TCP`);
      const ip = `192.168.7.${1 + Math.floor(random() * 6)}`; // shared by every service
      const roll = random();
      const r = !svc
        ? addService(model, { ...ref(vip), backend: [{ ip, port: 8080 }] })
        : roll < 0.05
          ? deleteService(model, vip, 80, 'TCP')
          : roll < 0.55
            ? svc.backends.has(ip)
              ? deleteBackend(model, ref(vip), ip)
              : addBackend(model, ref(vip), { ip, port: 8080 })
            : svc.backends.size > 0
              ? updateBackend(model, ref(vip), pick([...svc.backends.keys()]), {
                  weight: Math.floor(random() * 3),
                })
              : addBackend(model, ref(vip), { ip, port: 8080 });
      if (!r.ok) continue;
      model = r.value;
      const prev = sync.kernel;
      must(await sync.apply(model));
      const next = sync.kernel;
      const got = render(generateMapWrites(prev, next));
      expect({ op, writes: got }).toEqual({
        op,
        writes: render(generateMapWrites(prev, freshServices(next))),
      });
      compared++;
      writes += got.length;
    }
    expect(compared).toBeGreaterThan(OPS / 2);
    expect(writes).toBeGreaterThan(compared); // the plans were not empty
  });
});

describe('packed slot writes', () => {
  it('writes a new table in packed runs of at most SLOT_RUN slots, counted per slot', async () => {
    const { sync, host, base } = newSync('SINGLE', { writeChunk: 40_000 });
    const backend = Array.from({ length: 50 }, (_, i) => ({ ip: `192.168.8.${i + 1}`, port: 80 }));
    const model = must(
      addService(build(base, SINGLE_PORTS), { vip: '10.0.0.9', vport: 80, proto: 'TCP', backend }),
    );
    const prev = sync.kernel;
    must(await sync.apply(model));
    const slots = [...generateMapWrites(prev, sync.kernel)].filter((w) => w.map === 'maglev_slots');
    const size = 131071; // the policy's table for 50 backends
    expect(slots.map((w) => w.count)).toEqual([SLOT_RUN, SLOT_RUN, SLOT_RUN, size - 3 * SLOT_RUN]);
    // The fake host applied every slot: the table resolves in full, and the counts add up.
    expect(host.takeWrites().filter((w) => w.map === 'maglev_slots')).toHaveLength(size);
    expect(sync.status.lastWrites).toBeGreaterThan(size);
    expect(host.writeCalls).toBeGreaterThanOrEqual(4); // chunks of ~40,000 entries
  });
});
