// How long the lbrp service lets polycubed reuse a READ answer (ConfigAnswer.cacheMs): as long as
// the cube's counters stay cached, and never while a service of the cube has a health check.

import { LbrpService } from '../../../src/lbrp/service';
import { fixedClock } from '../../../src/lbrp/dataplane/session-clock';
import type { ConfigKey } from '../../../src/service-kit';
import { FakeHost } from '../../fixtures/lbrp/fake-host';
import { configRequest, serviceKeys } from '../../fixtures/lbrp/config-requests';

const clock = async () => fixedClock(250, async () => 1000n << 8n);
const req = configRequest;
const svcKeys = (vip: string): ConfigKey[] => serviceKeys(vip);

async function service(statsTtlMs: number): Promise<LbrpService> {
  const host = new FakeHost();
  host.addCube('lb0', []);
  const svc = new LbrpService(host, {
    log: () => undefined,
    clock,
    statsTtlMs,
    healthProberFor: () => undefined, // no probes run; the configuration is what counts
  });
  await svc.onConfig(req('CREATE', '/lbrp', [], { name: 'lb0', port_mode: 'SINGLE', 'maglev-slots': 1031 }));
  const body = { name: 'web', backend: [{ ip: '10.1.0.1', port: 80 }] };
  expect(await svc.onConfig(req('CREATE', '/lbrp/service', svcKeys('10.0.0.1'), body))).toEqual({});
  return svc;
}

describe('READ answers polycubed may reuse', () => {
  it('for the rest of the counters TTL', async () => {
    const svc = await service(60_000);
    const a = await svc.onConfig(req('READ', '/lbrp/service', svcKeys('10.0.0.1')));
    expect(a.cacheMs).toBeGreaterThan(59_000);
    expect(a.cacheMs).toBeLessThanOrEqual(60_000);
  });

  it('not at all (no cacheMs) when counters are not cached or a service has a health check', async () => {
    const uncached = await service(0);
    expect(
      (await uncached.onConfig(req('READ', '/lbrp/service', svcKeys('10.0.0.1')))).cacheMs,
    ).toBeUndefined();
    const svc = await service(60_000);
    const hc = { name: 'api', 'health-check': { type: 'TCP' } };
    expect(await svc.onConfig(req('CREATE', '/lbrp/service', svcKeys('10.0.0.2'), hc))).toEqual({});
    // Any READ of the cube: health results may change what it shows at any time.
    expect((await svc.onConfig(req('READ', '/lbrp/service', svcKeys('10.0.0.1')))).cacheMs).toBeUndefined();
    expect(
      await svc.onConfig(req('UPDATE', '/lbrp/service/health-check/type', svcKeys('10.0.0.2'), 'NONE')),
    ).toEqual({});
    expect((await svc.onConfig(req('READ', '/lbrp/service', svcKeys('10.0.0.1')))).cacheMs).toBeGreaterThan(
      0,
    );
  });
});
