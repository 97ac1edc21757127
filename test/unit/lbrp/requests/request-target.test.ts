// parseTarget: which part of an lbrp cube a request addresses, from its schema path and keys —
// whole lists versus one element (keys present, not a collection request), leaves, and anything
// the lbrp tree does not have.

import type { ConfigKey } from '../../../../src/service-kit';
import { parseTarget, type RequestTarget } from '../../../../src/lbrp/requests/request-target';

const SVC: ConfigKey[] = [
  { list: 'service', name: 'vip', value: '10.0.0.1' },
  { list: 'service', name: 'vport', value: '80' },
  { list: 'service', name: 'proto', value: 'tcp' },
];
const REF = { vip: '10.0.0.1', vport: 80, proto: 'TCP' as const };
const BE: ConfigKey = { list: 'backend', name: 'ip', value: '192.168.1.1' };
const PORT: ConfigKey = { list: 'ports', name: 'name', value: 'fe' };
const DROP: ConfigKey = { list: 'drop', name: 'reason', value: 'fragment' };

interface Row {
  name: string;
  inPath: string;
  inKeys?: ConfigKey[];
  inCollection?: boolean;
  want: RequestTarget;
}

const ROWS: Row[] = [
  { name: 'the cube itself', inPath: '/lbrp', want: { kind: 'cube' } },
  { name: 'a trailing slash changes nothing', inPath: '/lbrp/', want: { kind: 'cube' } },
  { name: 'port_mode', inPath: '/lbrp/port_mode', want: { kind: 'port_mode' } },
  {
    name: 'nothing lives under port_mode',
    inPath: '/lbrp/port_mode/x',
    want: { kind: 'unknown', path: '/lbrp/port_mode/x' },
  },
  { name: 'the ports list without a key', inPath: '/lbrp/ports', want: { kind: 'ports' } },
  { name: 'one port by its key', inPath: '/lbrp/ports', inKeys: [PORT], want: { kind: 'ports', name: 'fe' } },
  {
    name: 'a collection request on ports is the list even with a key',
    inPath: '/lbrp/ports',
    inKeys: [PORT],
    inCollection: true,
    want: { kind: 'ports' },
  },
  {
    name: 'a port leaf',
    inPath: '/lbrp/ports/ip',
    inKeys: [PORT],
    want: { kind: 'port-leaf', name: 'fe', leaf: 'ip' },
  },
  {
    name: 'a port leaf needs the port key',
    inPath: '/lbrp/ports/ip',
    want: { kind: 'unknown', path: '/lbrp/ports/ip' },
  },
  {
    name: 'a key of another list does not name the port',
    inPath: '/lbrp/ports/ip',
    inKeys: [{ list: 'service', name: 'name', value: 'fe' }],
    want: { kind: 'unknown', path: '/lbrp/ports/ip' },
  },
  {
    name: 'nothing lives under a port leaf',
    inPath: '/lbrp/ports/ip/x',
    inKeys: [PORT],
    want: { kind: 'unknown', path: '/lbrp/ports/ip/x' },
  },
  { name: 'the drop list', inPath: '/lbrp/drop', want: { kind: 'drop' } },
  {
    name: 'one drop reason',
    inPath: '/lbrp/drop',
    inKeys: [DROP],
    want: { kind: 'drop', reason: 'fragment' },
  },
  {
    name: 'a drop reason leaf',
    inPath: '/lbrp/drop/packets',
    inKeys: [DROP],
    want: { kind: 'drop', reason: 'fragment', leaf: 'packets' },
  },
  {
    name: 'a drop leaf needs the reason',
    inPath: '/lbrp/drop/packets',
    want: { kind: 'unknown', path: '/lbrp/drop/packets' },
  },
  { name: 'src-ip-rewrite', inPath: '/lbrp/src-ip-rewrite', want: { kind: 'src-ip-rewrite' } },
  {
    name: 'src-ip-rewrite ip-range',
    inPath: '/lbrp/src-ip-rewrite/ip-range',
    want: { kind: 'src-ip-rewrite-leaf', leaf: 'ip-range' },
  },
  {
    name: 'src-ip-rewrite new_ip_range',
    inPath: '/lbrp/src-ip-rewrite/new_ip_range',
    want: { kind: 'src-ip-rewrite-leaf', leaf: 'new_ip_range' },
  },
  {
    name: 'another src-ip-rewrite leaf is unknown',
    inPath: '/lbrp/src-ip-rewrite/other',
    want: { kind: 'unknown', path: '/lbrp/src-ip-rewrite/other' },
  },
  {
    name: 'a top-level name lbrp lacks',
    inPath: '/lbrp/loglevel',
    want: { kind: 'unknown', path: '/lbrp/loglevel' },
  },
  { name: 'the service list', inPath: '/lbrp/service', want: { kind: 'service' } },
  {
    name: 'one service, its proto upper-cased',
    inPath: '/lbrp/service',
    inKeys: SVC,
    want: { kind: 'service', ref: REF },
  },
  {
    name: 'a collection request on services is the list',
    inPath: '/lbrp/service',
    inKeys: SVC,
    inCollection: true,
    want: { kind: 'service' },
  },
  {
    name: 'a service needs all three keys',
    inPath: '/lbrp/service',
    inKeys: SVC.slice(0, 2),
    want: { kind: 'service' },
  },
  {
    name: 'each key is needed (vip missing)',
    inPath: '/lbrp/service/name',
    inKeys: SVC.slice(1),
    want: { kind: 'unknown', path: '/lbrp/service/name' },
  },
  {
    name: 'each key is needed (vport missing)',
    inPath: '/lbrp/service/name',
    inKeys: [SVC[0]!, SVC[2]!],
    want: { kind: 'unknown', path: '/lbrp/service/name' },
  },
  {
    name: 'each key is needed (proto missing)',
    inPath: '/lbrp/service/name',
    inKeys: SVC.slice(0, 2),
    want: { kind: 'unknown', path: '/lbrp/service/name' },
  },
  {
    name: 'a service leaf',
    inPath: '/lbrp/service/name',
    inKeys: SVC,
    want: { kind: 'service-leaf', ref: REF, leaf: 'name' },
  },
  {
    name: 'nothing lives under a service leaf',
    inPath: '/lbrp/service/name/x',
    inKeys: SVC,
    want: { kind: 'unknown', path: '/lbrp/service/name/x' },
  },
  {
    name: 'the backend list',
    inPath: '/lbrp/service/backend',
    inKeys: SVC,
    want: { kind: 'backend', ref: REF },
  },
  {
    name: 'one backend',
    inPath: '/lbrp/service/backend',
    inKeys: [...SVC, BE],
    want: { kind: 'backend', ref: REF, ip: '192.168.1.1' },
  },
  {
    name: 'a collection request on backends is the list',
    inPath: '/lbrp/service/backend',
    inKeys: [...SVC, BE],
    inCollection: true,
    want: { kind: 'backend', ref: REF },
  },
  {
    name: 'a backend leaf',
    inPath: '/lbrp/service/backend/weight',
    inKeys: [...SVC, BE],
    want: { kind: 'backend-leaf', ref: REF, ip: '192.168.1.1', leaf: 'weight' },
  },
  {
    name: 'a backend leaf needs the backend key',
    inPath: '/lbrp/service/backend/weight',
    inKeys: SVC,
    want: { kind: 'unknown', path: '/lbrp/service/backend/weight' },
  },
  {
    name: 'nothing lives under a backend leaf',
    inPath: '/lbrp/service/backend/weight/x',
    inKeys: [...SVC, BE],
    want: { kind: 'unknown', path: '/lbrp/service/backend/weight/x' },
  },
];

describe('parseTarget', () => {
  it.each(ROWS)('$name', ({ inPath, inKeys = [], inCollection = false, want }) => {
    expect(parseTarget(inPath, inKeys, inCollection)).toEqual(want);
  });
});
