// Health → the model tables are derived from: DOWN backends at weight 0, the rest untouched (same
// objects), and the last table kept when every backend is DOWN.

import { emptyCube, type CubeModel } from '../../../../src/lbrp/model/cube-model';
import { addService } from '../../../../src/lbrp/model/service-rules';
import { TableHealth } from '../../../../src/lbrp/sync/table-health';

const KEY = '10.0.0.1:80:TCP';

function model(): CubeModel {
  const m = addService(emptyCube('lb0', 'SINGLE'), {
    vip: '10.0.0.1',
    vport: 80,
    proto: 'TCP',
    backend: [
      { ip: '10.1.0.1', port: 80, weight: 2 },
      { ip: '10.1.0.2', port: 80 },
      { ip: '10.1.0.3', port: 80 },
      { ip: '10.1.0.9', port: 80, weight: 0 },
    ],
  });
  if (!m.ok) throw new Error(m.error.message);
  return m.value;
}

const weights = (m: CubeModel): number[] =>
  [...(m.services.get(KEY)?.backends.values() ?? [])].map((b) => b.weight);

describe('TableHealth', () => {
  it('gives DOWN backends weight 0 and keeps everything else (same objects when nothing is down)', () => {
    let down = new Set<string>();
    const logs: string[] = [];
    const t = new TableHealth(
      () => down,
      (m) => logs.push(m),
    );
    const m = model();
    expect(t.of(m)).toBe(m);
    down = new Set(['10.1.0.1']);
    const eff = t.of(m);
    expect(weights(eff)).toEqual([0, 1, 1, 0]);
    expect(weights(m)).toEqual([2, 1, 1, 0]); // the configuration keeps its weights
    expect(t.of(m).services.get(KEY)).toBe(eff.services.get(KEY)); // memoized: derive reuses it
    down = new Set();
    expect(t.of(m)).toBe(m);
    expect(logs).toEqual([]);
  });

  it('keeps the last table when every weighted backend is DOWN, and logs it once', () => {
    let down = new Set<string>();
    const logs: string[] = [];
    const t = new TableHealth(
      () => down,
      (m) => logs.push(m),
    );
    const m = model();
    down = new Set(['10.1.0.1', '10.1.0.2']);
    expect(weights(t.of(m))).toEqual([0, 0, 1, 0]);
    down = new Set(['10.1.0.1', '10.1.0.2', '10.1.0.3']); // the drained one does not count
    expect(weights(t.of(m))).toEqual([0, 0, 1, 0]);
    expect(weights(t.of(m))).toEqual([0, 0, 1, 0]);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('every backend is DOWN');
    down = new Set(['10.1.0.1', '10.1.0.3']);
    expect(weights(t.of(m))).toEqual([0, 1, 0, 0]);
    expect(logs).toHaveLength(2);
  });

  it('never leaves an empty table when the pool shrank to its DOWN backends', () => {
    const down = new Set(['10.1.0.1', '10.1.0.2', '10.1.0.3']);
    const t = new TableHealth(() => down);
    expect(weights(t.of(model()))).toEqual([2, 1, 1, 0]); // no previous table: all stay in
  });
});
