// Numeric state leaves of any service YANG show up on /metrics with the cube and the list keys
// along their path as labels, read through Daemon.execute — no service-specific code.

import { loadModuleFromText } from 'yang-ts-codegen';
import { renderMetrics } from '../../../../src/polycubed/rest/metrics';
import type { RestDaemon } from '../../../../src/polycubed/rest/rest-context';
import { stateLeaves, yangStateCollector } from '../../../../src/polycubed/rest/yang-state-metrics';

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
