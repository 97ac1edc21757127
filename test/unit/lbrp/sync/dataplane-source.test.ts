// The -D parameters of a cube's program per port mode: SINGLE compiles both port ids in, MULTI
// the BACKEND only, ROUTED sets ROUTED_MODE and never has a BACKEND port.

import { addPort } from '../../../../src/lbrp/model/port-rules';
import { emptyCube, type CubeModel, type PortMode } from '../../../../src/lbrp/model/cube-model';
import { lbrpDefines } from '../../../../src/lbrp/sync/dataplane-source';

function cube(
  mode: PortMode,
  ports: Array<{ name: string; type: 'FRONTEND' | 'BACKEND'; ip?: string }>,
): CubeModel {
  let m = emptyCube('lb0', mode);
  for (const p of ports) {
    const r = addPort(m, p);
    if (!r.ok) throw new Error(r.error.message);
    m = r.value;
  }
  return m;
}

describe('lbrpDefines', () => {
  const ids = new Map([
    ['fe', 0],
    ['fe2', 2],
    ['be', 1],
  ]);

  it.each([
    [
      'SINGLE',
      cube('SINGLE', [
        { name: 'fe', type: 'FRONTEND' },
        { name: 'be', type: 'BACKEND' },
      ]),
      { SINGLE_PORT_MODE: 1, FRONTEND_PORT: 0, BACKEND_PORT: 1 },
    ],
    [
      'MULTI',
      cube('MULTI', [
        { name: 'fe', type: 'FRONTEND', ip: '10.0.0.1' },
        { name: 'be', type: 'BACKEND' },
      ]),
      { SINGLE_PORT_MODE: 0, BACKEND_PORT: 1 },
    ],
    [
      'ROUTED',
      cube('ROUTED', [
        { name: 'fe', type: 'FRONTEND' },
        { name: 'fe2', type: 'FRONTEND' },
      ]),
      { SINGLE_PORT_MODE: 0, ROUTED_MODE: 1, BACKEND_PORT: -1 },
    ],
  ])('%s', (_mode, model, want) => {
    const d = lbrpDefines(model, ids);
    expect(d).toMatchObject(want);
    if (model.portMode !== 'ROUTED') expect(d.ROUTED_MODE).toBeUndefined();
    if (model.portMode !== 'SINGLE') expect(d.FRONTEND_PORT).toBeUndefined();
  });

  it('compiles the probe source in (host order) when set, except in ROUTED (host-stack probes)', () => {
    const withSource = (m: CubeModel): CubeModel => ({
      ...m,
      session: { ...m.session, probeSource: '10.0.0.250' },
    });
    const single = cube('SINGLE', [
      { name: 'fe', type: 'FRONTEND' },
      { name: 'be', type: 'BACKEND' },
    ]);
    expect(lbrpDefines(single, ids).PROBE_SRC).toBeUndefined();
    expect(lbrpDefines(withSource(single), ids).PROBE_SRC).toBe(0x0a0000fa);
    const routed = cube('ROUTED', [{ name: 'fe', type: 'FRONTEND' }]);
    expect(lbrpDefines(withSource(routed), ids).PROBE_SRC).toBeUndefined();
  });
});
