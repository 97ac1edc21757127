// The size leaves' defaults (datamodel/lbrp.yang, through the generated class) are the dataplane's
// compiled-in defaults (lbrp_consts.h, mirrored in map-layouts.ts and checked against its BTF), so a
// program compiled without -D and a cube created without sizes have the same maps.

import { MAX_DEFAULTS } from '../../../../src/lbrp/dataplane/map-layouts';
import { DEFAULT_SIZES } from '../../../../src/lbrp/model/cube-model';
import { sizeDefines } from '../../../../src/lbrp/sync/dataplane-source';

describe('cube size defaults', () => {
  it('match the dataplane defaults', () => {
    const d = sizeDefines(DEFAULT_SIZES);
    expect(d).toEqual({
      MAX_SERVICES: MAX_DEFAULTS.MAX_SERVICES,
      MAX_BACKENDS: MAX_DEFAULTS.MAX_BACKENDS,
      MAX_MAGLEV_SLOTS: MAX_DEFAULTS.MAX_MAGLEV_SLOTS,
      MAX_SESSIONS: MAX_DEFAULTS.MAX_SESSIONS,
    });
  });
});
