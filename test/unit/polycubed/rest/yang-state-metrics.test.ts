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

describe('YANG state metrics', () => {
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
});
