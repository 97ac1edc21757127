// Completion words for lbrp routes (REST spec §3.5 completion table), from schema and live entries.

import { buildCompletion } from '../../../../codegen/src/routes/completion';
import type { HelpType } from '../../../../codegen/src/routes/help';
import { buildRouteTable } from '../../../../codegen/src/routes/route-table';
import { lbrpModule } from '../helpers/lbrp';

const rows = buildRouteTable(lbrpModule());
const SERVICES = [
  { vip: '10.0.0.1', vport: '80', proto: 'tcp' },
  { vip: '10.0.0.1', vport: '53', proto: 'udp' },
  { vip: '10.0.0.2', vport: '80', proto: 'tcp' },
];

function complete(path: string, type: HelpType, data = {}): string[] {
  const route = rows.find((r) => r.path === `/polycube/v1/lbrp${path}`);
  if (!route) throw new Error(`no route ${path}`);
  return buildCompletion(route, type, data);
}

test.each([
  {
    name: 'service collection NONE: cube names then commands',
    inPath: '',
    inType: 'NONE',
    inData: { elements: [{ name: 'lb0' }] },
    want: ['lb0', 'add', 'del', 'show'],
  },
  {
    name: 'service collection ADD: cube names then <name>',
    inPath: '',
    inType: 'ADD',
    inData: { elements: [{ name: 'lb0' }] },
    want: ['lb0', '<name>'],
  },
  {
    name: 'cube NONE: child lists and containers, set, show',
    inPath: '/:name',
    inType: 'NONE',
    want: ['ports', 'drop', 'src-ip-rewrite', 'service', 'set', 'show'],
  },
  {
    name: 'cube SET: settable leaves with =',
    inPath: '/:name',
    inType: 'SET',
    want: [
      'loglevel=',
      'span=',
      'port_mode=',
      'tcp-new-timeout=',
      'tcp-established-timeout=',
      'tcp-closing-timeout=',
      'udp-timeout=',
      'icmp-timeout=',
      'new-sessions-per-cpu=',
      'sessionless-reply-nat=',
      'probe-source=',
      'probe-next-hop=',
    ],
  },
  {
    name: 'cube ADD: every config leaf with =',
    inPath: '/:name',
    inType: 'ADD',
    want: [
      'type=',
      'service-name=',
      'loglevel=',
      'shadow=',
      'span=',
      'port_mode=',
      'session-table-size=',
      'max-services=',
      'max-backends=',
      'maglev-slots=',
      'tcp-new-timeout=',
      'tcp-established-timeout=',
      'tcp-closing-timeout=',
      'udp-timeout=',
      'icmp-timeout=',
      'new-sessions-per-cpu=',
      'sessionless-reply-nat=',
      'probe-source=',
      'probe-next-hop=',
    ],
  },
  {
    name: 'element SHOW: non-key children',
    inPath: '/:name/ports/:ports_name',
    inType: 'SHOW',
    want: ['uuid', 'status', 'peer', 'tcubes', 'type', 'ip'],
  },
  { name: 'list ADD: the first key name', inPath: '/:name/service', inType: 'ADD', want: ['<vip>'] },
  {
    name: 'key prefix ADD: the next key name',
    inPath: '/:name/service/:vip',
    inType: 'ADD',
    want: ['<vport>'],
  },
  {
    name: 'list NONE: distinct first-key values then commands',
    inPath: '/:name/service',
    inType: 'NONE',
    inData: { elements: SERVICES },
    want: ['10.0.0.1', '10.0.0.2', 'add', 'del', 'show'],
  },
  {
    name: 'key prefix: next key values among matching entries',
    inPath: '/:name/service/:vip',
    inType: 'NONE',
    inData: { elements: SERVICES, pathKeys: ['10.0.0.1'] },
    want: ['80', '53'],
  },
  {
    name: 'leaf: enum names lower-cased',
    inPath: '/:name/port_mode',
    inType: 'SET',
    want: ['single', 'multi', 'routed'],
  },
  { name: 'leaf of a non-enum type: nothing', inPath: '/:name/span', inType: 'NONE', want: [] },
] as { name: string; inPath: string; inType: HelpType; inData?: object; want: string[] }[])(
  '$name',
  ({ inPath, inType, inData, want }) => {
    expect(complete(inPath, inType, inData)).toEqual(want);
  },
);
