// Where a cube's TCP and ICMP health probes leave (README "Health checks", "which probe takes
// which path"): out of its BACKEND port when it has one and a probe-source (SINGLE, MULTI);
// otherwise (no probe-source, no BACKEND port, ROUTED) through the host's stack. Pure.

import type { CubeModel } from '../model/cube-model';
import type { ProbeSite } from './probes/port-prober';

const NONE = '0.0.0.0';

export function probeSiteOf(model: CubeModel): ProbeSite | undefined {
  const { probeSource, probeNextHop } = model.session;
  if (model.portMode === 'ROUTED' || probeSource === NONE) return undefined;
  const backend = [...model.ports.values()].find((p) => p.type === 'BACKEND');
  return backend ? { port: backend.name, source: probeSource, nextHop: probeNextHop } : undefined;
}
