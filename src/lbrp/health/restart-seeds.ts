// After a restart the kernel's tables are the truth: a backend configured with a weight that the
// readback finds inactive was out of its table by health. Pure.

import { DEFAULT_HEALTH_CHECK } from '../model/health-check-rules';
import { serviceKey, type CubeModel } from '../model/cube-model';
import { kernelKeyOf, type KernelState } from '../sync/kernel-state';

/** Backend ips per serviceKey to keep out of the tables until probed. */
export function healthSeeds(actual: KernelState, model: CubeModel): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const svc of model.services.values()) {
    if ((svc.healthCheck ?? DEFAULT_HEALTH_CHECK).type === 'NONE') continue;
    const ks = actual.services.get(kernelKeyOf(svc));
    if (!ks) continue;
    const ips = [...svc.backends.values()]
      .filter((b) => b.weight > 0 && ks.backends.get(b.ip)?.active === false)
      .map((b) => b.ip);
    if (ips.length > 0) out.set(serviceKey(svc.vip, svc.vport, svc.proto), ips);
  }
  return out;
}
