// Shared setup of the lbrp sync tests: a CubeSync over the in-memory FakeHost with the default
// table policy and the default size leaves (or the ones a test sets), and a model builder that
// fails loudly on refused steps.

import type { Result } from '../../../../src/common/errors';
import { TABLE_POLICY_DEFAULTS } from '../../../../src/lbrp/maglev/table-policy';
import {
  DEFAULT_SIZES,
  emptyCube,
  type CubeModel,
  type CubeSizes,
  type PortMode,
} from '../../../../src/lbrp/model/cube-model';
import { applyPorts } from '../../../../src/lbrp/model/cube-rules';
import { CubeSync, type CubeSyncOptions } from '../../../../src/lbrp/sync/cube-sync';
import { fixedClock } from '../../../../src/lbrp/dataplane/session-clock';
import { FakeHost } from '../../../fixtures/lbrp/fake-host';

/** A kernel at HZ 250 whose jiffies cannot be read (tests never depend on the machine's clock). */
export const TEST_CLOCK = fixedClock(250, async () => undefined);

/** Default sync options of the tests. */
export const SYNC_OPTIONS: CubeSyncOptions = {
  policy: TABLE_POLICY_DEFAULTS,
  writeChunk: 50000,
  clock: async () => TEST_CLOCK,
};

/** The session_config write of a new cube with the default policy at HZ 250 (renderPlan). */
export const DEFAULT_SESSION_CONFIG_WRITE =
  'put session_config[0] timeouts=59,7032,10,59,30 admit_per_jiffy_q16=26214400 burst_q16=6553600000 secret=set';

/** The value of a successful step; throws with the message otherwise. */
export function must<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`refused: ${r.error.message}`);
  return r.value;
}

/** Applies model steps in order. */
export function build(model: CubeModel, ...steps: Array<(m: CubeModel) => Result<CubeModel>>): CubeModel {
  return steps.reduce((m, step) => must(step(m)), model);
}

/** A fake host with cube `lb0` (fe = port 0, be = port 1) and a CubeSync for it. */
export function newSync(
  mode: PortMode = 'SINGLE',
  opts: Partial<CubeSyncOptions> & { sizes?: Partial<CubeSizes> } = {},
  host = new FakeHost(),
): { host: FakeHost; sync: CubeSync; base: CubeModel } {
  if (!host.cubes.has('lb0'))
    host.addCube('lb0', [
      { name: 'fe', id: 0 },
      { name: 'be', id: 1 },
    ]);
  const { sizes, ...syncOpts } = opts;
  const base = emptyCube('lb0', mode, { ...DEFAULT_SIZES, ...sizes });
  return { host, sync: new CubeSync(base, host, { ...SYNC_OPTIONS, ...syncOpts }), base };
}

/** The TCP service most cases use. */
export const WEB = { vip: '10.0.0.1', vport: 80, proto: 'TCP' as const };

/** A SINGLE-mode port pair: FRONTEND `fe`, BACKEND `be`. */
export const SINGLE_PORTS = (m: CubeModel): Result<CubeModel> =>
  applyPorts(
    m,
    [
      { name: 'fe', type: 'FRONTEND' },
      { name: 'be', type: 'BACKEND' },
    ],
    'create',
  );
