// /metrics speaks the Prometheus text format: HELP/TYPE per family, escaped label values, and a
// failing collector costs only its own samples.

import {
  MetricsRegistry,
  RefusalCounter,
  RequestCounter,
  renderMetrics,
} from '../../../../src/polycubed/rest/metrics';

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

describe('metric and label names, values', () => {
  it('keeps only valid Prometheus names, whole-string', () => {
    const fam = (name: string) => ({ name, help: 'h', type: 'gauge' as const, samples: [{ value: 1 }] });
    const text = renderMetrics(['ok_1', ':colon', '_u', '9lead', 'a-b', 'x y', 'é', ''].map(fam));
    expect(text.split('\n').filter((l) => !l.startsWith('#'))).toEqual(['ok_1 1', ':colon 1', '_u 1', '']);
  });

  it('drops invalid label names only, and escapes backslash, quote and newline in values', () => {
    const text = renderMetrics([
      {
        name: 'm',
        help: 'back\\slash "quoted"',
        type: 'counter',
        samples: [
          { labels: { ok: 'a\nb', 'bad-name': 'x', '9x': 'y', _u: '"\\"', ':c': 'z' }, value: 2 },
          { labels: { 'no-good': 'x' }, value: 3 },
          { labels: {}, value: 4 },
        ],
      },
    ]);
    expect(text).toBe(
      '# HELP m back\\\\slash "quoted"\n# TYPE m counter\n' + 'm{ok="a\\nb",_u="\\"\\\\\\""} 2\nm 3\nm 4\n',
    );
  });

  it('writes NaN and infinities as Prometheus spells them, other numbers as JavaScript does', () => {
    const text = renderMetrics([
      {
        name: 'v',
        help: '',
        type: 'gauge',
        samples: [NaN, Infinity, -Infinity, -0.5, 1e21, 0].map((value) => ({ value })),
      },
    ]);
    expect(text.split('\n').slice(2)).toEqual(['v NaN', 'v +Inf', 'v -Inf', 'v -0.5', 'v 1e+21', 'v 0', '']);
  });

  it('does not change the families it is given when merging repeated names', () => {
    const first = { name: 'r', help: 'first', type: 'gauge' as const, samples: [{ value: 1 }] };
    const second = { name: 'r', help: 'second', type: 'counter' as const, samples: [{ value: 2 }] };
    expect(renderMetrics([first, second])).toBe('# HELP r first\n# TYPE r gauge\nr 1\nr 2\n');
    expect(first.samples).toEqual([{ value: 1 }]);
    expect(renderMetrics([first])).toBe('# HELP r first\n# TYPE r gauge\nr 1\n');
  });
});

describe('MetricsRegistry', () => {
  const gauge = (name: string, value: number) => [
    { name, help: 'h', type: 'gauge' as const, samples: [{ value }] },
  ];

  it('awaits async collectors, in the order they were added, and counts rejected ones', async () => {
    const reg = new MetricsRegistry();
    reg.addCollector('b', async () => gauge('second', 2));
    reg.addCollector('a', () => gauge('first', 1));
    reg.addCollector('c', async () => Promise.reject(new Error('late')));
    expect(await reg.render()).toBe(
      '# HELP second h\n# TYPE second gauge\nsecond 2\n' +
        '# HELP first h\n# TYPE first gauge\nfirst 1\n' +
        '# HELP polycubed_metrics_collector_errors Collectors that failed during this scrape\n' +
        '# TYPE polycubed_metrics_collector_errors gauge\npolycubed_metrics_collector_errors 1\n',
    );
  });

  it('replaces a collector of the same name; an old remover leaves the new one in place', async () => {
    const reg = new MetricsRegistry();
    const removeOld = reg.addCollector('x', () => gauge('old', 1));
    const removeNew = reg.addCollector('x', () => gauge('new', 2));
    const text = await reg.render();
    expect(text).toContain('new 2\n');
    expect(text).not.toContain('old 1');
    removeOld();
    expect(await reg.render()).toContain('new 2\n');
    removeNew();
    expect(await reg.render()).not.toContain('new 2');
  });
});

describe('RequestCounter and RefusalCounter', () => {
  it('counts answered requests by method and status, other methods as OTHER', async () => {
    const c = new RequestCounter();
    for (const [m, s] of [
      ['GET', 200],
      ['GET', 200],
      ['GET', 404],
      ['POST', 201],
      ['PUT', 201],
      ['PATCH', 200],
      ['DELETE', 204],
      ['OPTIONS', 200],
      ['BREW', 405],
      ['get', 405],
    ] as const)
      c.record(m, s);
    const [family] = await c.collector()();
    expect(family).toEqual({
      name: 'polycubed_rest_requests_total',
      help: 'REST requests answered, by method and status code',
      type: 'counter',
      samples: [
        { labels: { method: 'GET', code: '200' }, value: 2 },
        { labels: { method: 'GET', code: '404' }, value: 1 },
        { labels: { method: 'POST', code: '201' }, value: 1 },
        { labels: { method: 'PUT', code: '201' }, value: 1 },
        { labels: { method: 'PATCH', code: '200' }, value: 1 },
        { labels: { method: 'DELETE', code: '204' }, value: 1 },
        { labels: { method: 'OPTIONS', code: '200' }, value: 1 },
        { labels: { method: 'OTHER', code: '405' }, value: 2 },
      ],
    });
  });

  it('counts refusals by catalogue code', async () => {
    const c = new RefusalCounter();
    expect((await c.collector()())[0].samples).toEqual([]);
    for (const code of ['CUBE_ERR_HOST_REFUSED', 'CUBE_ERR_ORIGIN_REFUSED', 'CUBE_ERR_HOST_REFUSED'])
      c.record(code);
    expect(await c.collector()()).toEqual([
      {
        name: 'polycubed_rest_refused_total',
        help: 'REST requests refused before routing (browser guards, client certificates, access, limits), by error code',
        type: 'counter',
        samples: [
          { labels: { code: 'CUBE_ERR_HOST_REFUSED' }, value: 2 },
          { labels: { code: 'CUBE_ERR_ORIGIN_REFUSED' }, value: 1 },
        ],
      },
    ]);
  });
});
