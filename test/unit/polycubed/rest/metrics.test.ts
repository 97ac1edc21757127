// /metrics speaks the Prometheus text format: HELP/TYPE per family, escaped label values, and a
// failing collector costs only its own samples.

import { MetricsRegistry, renderMetrics } from '../../../../src/polycubed/rest/metrics';

describe('metrics', () => {
  it('renders families with escaped labels and merges repeated names', () => {
    const text = renderMetrics([
      { name: 'x_total', help: 'a\nb', type: 'counter', samples: [{ labels: { cube: 'l"b\\0' }, value: 3 }] },
      { name: 'x_total', help: 'ignored', type: 'counter', samples: [{ value: 1 }] },
      { name: 'bad-name', help: 'dropped', type: 'gauge', samples: [{ value: 1 }] },
      { name: 'g', help: 'h', type: 'gauge', samples: [{ value: Infinity }] },
    ]);
    expect(text).toBe(
      '# HELP x_total a\\nb\n# TYPE x_total counter\nx_total{cube="l\\"b\\\\0"} 3\nx_total 1\n' +
        '# HELP g h\n# TYPE g gauge\ng +Inf\n',
    );
  });

  it('skips a failing collector and counts it', async () => {
    const reg = new MetricsRegistry();
    reg.addCollector('ok', () => [{ name: 'up', help: 'u', type: 'gauge', samples: [{ value: 1 }] }]);
    const remove = reg.addCollector('broken', () => {
      throw new Error('boom');
    });
    expect(await reg.render()).toContain('up 1\n');
    expect(await reg.render()).toContain('polycubed_metrics_collector_errors 1\n');
    remove();
    expect(await reg.render()).toContain('polycubed_metrics_collector_errors 0\n');
  });
});
