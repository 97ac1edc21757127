// Numeric state leaves of any service YANG show up on /metrics with the cube and the list keys
// along their path as labels, read through Daemon.execute — no service-specific code.

import { loadModuleFromText } from 'yang-ts-codegen';
import { renderMetrics } from '../../../../src/polycubed/rest/metrics';
import type { RestDaemon } from '../../../../src/polycubed/rest/rest-context';
import {
  metricName,
  stateLeaves,
  yangStateCollector,
} from '../../../../src/polycubed/rest/yang-state-metrics';

const YANG = `module mt {
  yang-version 1.1; namespace "urn:mt"; prefix mt;
  container stats { leaf rx-frames { type uint64; config false; description "frames"; } leaf note { type string; config false; } }
  leaf mode { type string; }
  list svc {
    key "name port";
    leaf name { type string; }
    leaf port { type uint16; }
    leaf hits { type uint32; config false; }
    list member { key name; leaf name { type string; } leaf active-sessions { type uint64; config false; } }
  }
}`;

const loaded = loadModuleFromText(YANG, 'mt.yang', { searchPath: [] });
if (!loaded.module) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
const MT = loaded.module;

const COUNTERS_YANG = `module mc {
  yang-version 1.1; namespace "urn:mc"; prefix mc;
  typedef counter64 { type uint64; }
  leaf rx { type counter64; config false; }
  leaf rx-bytes { type counter64; units "bytes"; config false; }
  leaf memory { type uint64; units "bytes"; config false; }
  leaf age { type uint32; units "seconds"; config false; }
}`;

describe('YANG state metrics', () => {
  // Prometheus naming: a counter64 typedef is a counter named _total, units are appended once.
  it('names counters _total and appends units', () => {
    const mc = loadModuleFromText(COUNTERS_YANG, 'mc.yang', { searchPath: [] }).module!;
    expect(stateLeaves(mc).map((l) => [l.metric, l.type])).toEqual([
      ['mc_rx_total', 'counter'],
      ['mc_rx_bytes_total', 'counter'],
      ['mc_memory_bytes', 'gauge'],
      ['mc_age_seconds', 'gauge'],
    ]);
  });

  // Names follow the schema path; a nested key that repeats an outer label gets its list's prefix.
  it('finds numeric config-false leaves with their key labels', () => {
    expect(stateLeaves(MT).map((l) => [l.metric, l.steps.flatMap((s) => s.list?.labels ?? [])])).toEqual([
      ['mt_stats_rx_frames', []],
      ['mt_svc_hits', ['name', 'port']],
      ['mt_svc_member_active_sessions', ['name', 'port', 'member_name']],
    ]);
  });

  // One READ per cube; numbers and 64-bit numeric strings become samples; other values are skipped.
  it('reads every cube of every connected service', async () => {
    const body = {
      mode: 'x',
      stats: { 'rx-frames': '18446744073709551615', note: 'n' },
      svc: [
        { name: 'a', port: 80, hits: 7, member: [{ name: 'm1', 'active-sessions': 2 }] },
        { name: 'b', port: 81, hits: 'many' },
      ],
    };
    const daemon = {
      services: () => [{ name: 'mt', module: MT, connected: true }],
      cubes: () => [{ name: 'c1' }],
      execute: async (op: { op: string; cube: string; path: string }) =>
        op.op === 'READ' && op.cube === 'c1' && op.path === '/mt'
          ? { code: 'OK', body }
          : { code: 'GENERIC_ERROR' },
    } as unknown as RestDaemon;
    expect(renderMetrics(await yangStateCollector(daemon)())).toBe(
      '# HELP mt_stats_rx_frames frames\n# TYPE mt_stats_rx_frames gauge\nmt_stats_rx_frames{cube="c1"} 18446744073709552000\n' +
        '# HELP mt_svc_hits hits\n# TYPE mt_svc_hits gauge\nmt_svc_hits{cube="c1",name="a",port="80"} 7\n' +
        '# HELP mt_svc_member_active_sessions active-sessions\n# TYPE mt_svc_member_active_sessions gauge\n' +
        'mt_svc_member_active_sessions{cube="c1",name="a",port="80",member_name="m1"} 2\n',
    );
  });

  // A top-level list the cube's answer leaves out is read on its own path (one more READ).
  it('reads a state list missing from the cube answer on its own path', async () => {
    const paths: string[] = [];
    const daemon = {
      services: () => [{ name: 'mt', module: MT, connected: true }],
      cubes: () => [{ name: 'c1' }],
      execute: async (op: { path: string; isCollection: boolean }) => {
        paths.push(`${op.path}${op.isCollection ? ' (collection)' : ''}`);
        if (op.path === '/mt') return { code: 'OK', body: { mode: 'x' } };
        if (op.path === '/mt/svc') return { code: 'OK', body: [{ name: 'a', port: 80, hits: 9 }] };
        return { code: 'GENERIC_ERROR' };
      },
    } as unknown as RestDaemon;
    const text = renderMetrics(await yangStateCollector(daemon)());
    expect(text).toContain('mt_svc_hits{cube="c1",name="a",port="80"} 9\n');
    expect(paths).toEqual(['/mt', '/mt/svc (collection)']);
  });
});

describe('YANG state metrics: naming rules', () => {
  it('appends lower-cased units with other characters as underscores, unless already at the end', () => {
    expect(metricName('a_rx', 'Bytes', false)).toBe('a_rx_bytes');
    expect(metricName('a_rx', 'pkt/s', true)).toBe('a_rx_pkt_s_total');
    expect(metricName('a_rx_bytes', 'bytes', true)).toBe('a_rx_bytes_total');
    expect(metricName('a_rxbytes', 'bytes', false)).toBe('a_rxbytes_bytes');
    expect(metricName('a_rx', undefined, false)).toBe('a_rx');
    expect(metricName('a_rx', '', true)).toBe('a_rx_total');
  });

  const NAMING = `module nm {
    yang-version 1.1; namespace "urn:nm"; prefix nm;
    typedef counter32 { type uint32; }
    typedef mycounter64 { type uint64; }
    typedef counter64x { type uint64; }
    leaf c32 { type counter32; config false; description "a
       multi-line   description"; }
    leaf notcounter { type mycounter64; config false; }
    leaf notcounter2 { type counter64x; config false; }
    leaf ratio { type decimal64 { fraction-digits 2; } config false; }
    leaf label { type string; config false; }
    leaf flag { type boolean; config false; }
    leaf set-point { type uint32; }
    list entry { key "id"; leaf id { type uint32; config false; } leaf n.x { type int8; config false; } }
  }`;

  it('keeps numeric config-false leaves that are not keys; only counter32/64 typedefs are counters', () => {
    const nm = loadModuleFromText(NAMING, 'nm.yang', { searchPath: [] }).module!;
    expect(stateLeaves(nm).map((l) => [l.metric, l.type, l.help])).toEqual([
      ['nm_c32_total', 'counter', 'a multi-line description'],
      ['nm_notcounter', 'gauge', 'notcounter'],
      ['nm_notcounter2', 'gauge', 'notcounter2'],
      ['nm_ratio', 'gauge', 'ratio'],
      ['nm_entry_n_x', 'gauge', 'n.x'],
    ]);
  });
});

describe('YANG state metrics: reading the cubes', () => {
  type Op = {
    op: string;
    service: string;
    cube: string;
    path: string;
    keys: unknown[];
    isCollection: boolean;
  };

  /** A daemon with services mt (connected, cubes c1 and c2) and others given; answers from `bodies`. */
  function daemonOf(
    bodies: Record<string, unknown>,
    services: { name: string; module: unknown; connected: boolean }[] = [
      { name: 'mt', module: MT, connected: true },
    ],
  ): { daemon: RestDaemon; ops: Op[] } {
    const ops: Op[] = [];
    const cubesOf: Record<string, { name: string }[]> = {
      mt: [{ name: 'c1' }, { name: 'c2' }],
      mc: [{ name: 'k1' }],
      pl: [{ name: 'p1' }],
    };
    const daemon = {
      services: () => services,
      cubes: (s: string) => cubesOf[s] ?? [],
      execute: async (op: Op) => {
        ops.push(op);
        const key = `${op.cube} ${op.path}`;
        // A failing read may still carry a body (an error document): it must not be read as state.
        if (`${key} failing` in bodies) return { code: 'GENERIC_ERROR', body: bodies[`${key} failing`] };
        return key in bodies ? { code: 'OK', body: bodies[key] } : { code: 'GENERIC_ERROR' };
      },
    } as unknown as RestDaemon;
    return { daemon, ops };
  }

  const samples = async (daemon: RestDaemon): Promise<string[]> =>
    renderMetrics(await yangStateCollector(daemon)())
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'));

  it('reads each cube of a connected service with one READ of the module path', async () => {
    const { daemon, ops } = daemonOf({
      'c1 /mt': { svc: [{ name: 'a', port: 80, hits: 1 }] },
      'c2 /mt': { svc: [{ name: 'b', port: 81, hits: 2 }] },
    });
    expect(await samples(daemon)).toEqual([
      'mt_svc_hits{cube="c1",name="a",port="80"} 1',
      'mt_svc_hits{cube="c2",name="b",port="81"} 2',
    ]);
    expect(ops).toEqual(
      ['c1', 'c2'].map((cube) => ({
        op: 'READ',
        service: 'mt',
        cube,
        path: '/mt',
        keys: [],
        isCollection: false,
      })),
    );
  });

  it('skips services that are not connected or have no state leaves, and cubes whose read fails', async () => {
    const plain = loadModuleFromText(
      'module pl { namespace "urn:pl"; prefix pl; leaf x { type uint8; } }',
      'pl.yang',
      { searchPath: [] },
    ).module!;
    const { daemon, ops } = daemonOf({ 'c2 /mt': { stats: { 'rx-frames': 5 } }, 'k1 /mc': { rx: 1 } }, [
      {
        name: 'mc',
        module: loadModuleFromText(COUNTERS_YANG, 'mc.yang', { searchPath: [] }).module!,
        connected: false,
      },
      { name: 'pl', module: plain, connected: true },
      { name: 'mt', module: MT, connected: true },
    ]);
    expect(await samples(daemon)).toEqual(['mt_stats_rx_frames{cube="c2"} 5']);
    expect(ops.map((o) => `${o.cube} ${o.path}${o.isCollection ? ' (collection)' : ''}`)).toEqual([
      'c1 /mt',
      'c2 /mt',
      'c2 /mt/svc (collection)',
    ]);
    // The families of a service are listed even with no sample.
    expect(renderMetrics(await yangStateCollector(daemon)())).toContain('# TYPE mt_svc_hits gauge\n');
  });

  it('reads only numbers and decimal numeric strings; absent keys label as empty', async () => {
    const { daemon } = daemonOf({
      'c1 /mt': {
        stats: { 'rx-frames': '-12' },
        svc: [
          { name: 'a', port: 80, hits: '1.5' },
          { name: 'a2', port: 79, hits: '2.25' },
          { name: 'a3', port: 78, hits: [7] },
          { name: 'b', hits: 3 },
          { name: 'c', port: 82, hits: '1e3' },
          { name: 'd', port: 83, hits: ' 4' },
          { name: 'e', port: 84, hits: Infinity },
          { name: 'f', port: 85, hits: NaN },
          { name: 'g', port: 86, hits: '7 ' },
          { name: 'h', port: 87, hits: '.5' },
          'not an object',
          null,
        ],
      },
      'c2 /mt': { stats: 'not an object', svc: { name: 'x', hits: 1 } },
    });
    expect(await samples(daemon)).toEqual([
      'mt_stats_rx_frames{cube="c1"} -12',
      'mt_svc_hits{cube="c1",name="a",port="80"} 1.5',
      'mt_svc_hits{cube="c1",name="a2",port="79"} 2.25',
      'mt_svc_hits{cube="c1",name="b",port=""} 3',
    ]);
  });

  it('reads no state from a failing answer, whatever body it carries', async () => {
    const { daemon, ops } = daemonOf({
      'c1 /mt failing': { svc: [{ name: 'a', port: 80, hits: 1 }] },
      'c2 /mt': { mode: 'x' },
      'c2 /mt/svc failing': [{ name: 'b', port: 81, hits: 2 }],
    });
    expect(await samples(daemon)).toEqual([]);
    expect(ops.map((o) => `${o.cube} ${o.path}`)).toEqual(['c1 /mt', 'c2 /mt', 'c2 /mt/svc']);
  });

  it('prefixes a list key named like the cube label with its list', async () => {
    const peer = loadModuleFromText(
      `module pk { namespace "urn:pk"; prefix pk;
        list peer { key cube; leaf cube { type string; } leaf n { type uint32; config false; } } }`,
      'pk.yang',
      { searchPath: [] },
    ).module!;
    expect(stateLeaves(peer).map((l) => l.steps[0].list?.labels)).toEqual([['peer_cube']]);
    const { daemon } = daemonOf({ 'c1 /pk': { peer: [{ cube: 'far', n: 3 }] } }, [
      { name: 'mt', module: peer, connected: true },
    ]);
    expect(await samples(daemon)).toEqual(['pk_peer_n{cube="c1",peer_cube="far"} 3']);
  });

  it('reads a missing top-level list once per cube, ignoring a failed or non-list answer', async () => {
    const { daemon, ops } = daemonOf({
      'c1 /mt': { mode: 'x' },
      'c1 /mt/svc': [{ name: 'a', port: 80, hits: 9 }],
      'c2 /mt': { svc: [{ name: 'z', port: 1, hits: 4 }] },
    });
    expect(await samples(daemon)).toEqual([
      'mt_svc_hits{cube="c1",name="a",port="80"} 9',
      'mt_svc_hits{cube="c2",name="z",port="1"} 4',
    ]);
    expect(
      ops.map((o) => `${o.op} ${o.service} ${o.cube} ${o.path} ${JSON.stringify(o.keys)} ${o.isCollection}`),
    ).toEqual(['READ mt c1 /mt [] false', 'READ mt c1 /mt/svc [] true', 'READ mt c2 /mt [] false']);
    const other = daemonOf({ 'c1 /mt': { mode: 'x' }, 'c1 /mt/svc': { name: 'a', hits: 1 } });
    expect(await samples(other.daemon)).toEqual([]);
    const failing = daemonOf({ 'c1 /mt': 'not an object', 'c2 /mt': { mode: 'y' } });
    expect(await samples(failing.daemon)).toEqual([]);
    expect(failing.ops.map((o) => `${o.cube} ${o.path}`)).toEqual(['c1 /mt', 'c2 /mt', 'c2 /mt/svc']);
  });
});
