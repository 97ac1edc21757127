// READ answers of an lbrp cube: the JSON shapes (lower-case enums, "" for unset strings, backend
// lists only when non-empty, counters last), counters found through the kernel ids, and the
// errors for missing ports, services, backends and leaves that are not lbrp's.

import type { Result } from '../../../../src/common/errors';
import { emptyCube, type CubeModel } from '../../../../src/lbrp/model/cube-model';
import { applyRequest } from '../../../../src/lbrp/requests/apply-request';
import {
  counterLookup,
  cubeView,
  readView,
  type CounterLookup,
} from '../../../../src/lbrp/requests/read-views';
import type { RequestTarget } from '../../../../src/lbrp/requests/request-target';
import { ZERO_DROPS, type Counters, type CubeCounters } from '../../../../src/lbrp/stats/counters';
import {
  EMPTY_KERNEL_STATE,
  kernelServiceKey,
  type KBackend,
  type KService,
  type KernelState,
} from '../../../../src/lbrp/sync/kernel-state';

function must(r: Result<CubeModel>): CubeModel {
  if (!r.ok) throw new Error(`setup: ${r.error.message}`);
  return r.value;
}

/** MULTI cube: f1 (10.1.0.1), be; web (named, two backends, one named) and dns (no backends). */
function model(): CubeModel {
  return must(
    applyRequest(emptyCube('lb0', 'MULTI'), { kind: 'cube' }, 'UPDATE', {
      ports: [
        { name: 'f1', type: 'FRONTEND', ip: '10.1.0.1' },
        { name: 'be', type: 'BACKEND' },
      ],
      'src-ip-rewrite': { 'ip-range': '10.2.0.0/24' },
      service: [
        {
          vip: '10.0.0.1',
          vport: 80,
          proto: 'TCP',
          name: 'web',
          backend: [
            { ip: '192.168.1.1', port: 8080, weight: 3, name: 'b1' },
            { ip: '192.168.1.2', port: 8081 },
          ],
        },
        { vip: '10.0.0.2', vport: 53, proto: 'UDP' },
      ],
    }),
  );
}

const counters = (n: number): Counters => ({
  packets: n,
  bytes: n * 100,
  activeSessions: n + 1,
  totalSessions: n + 2,
});

function kservice(
  vip: string,
  vport: number,
  proto: number,
  serviceId: number,
  backends: KBackend[],
): KService {
  return {
    vip,
    vport,
    proto,
    serviceId,
    slotBase: 0,
    tableSize: 0,
    table: new Int32Array(0),
    backends: new Map(backends.map((b) => [b.ip, b])),
  };
}

/** web is kernel service 4 with backends 7 (192.168.1.1) and 9 (192.168.1.2); dns is not synced. */
const KERNEL: KernelState = {
  ...EMPTY_KERNEL_STATE,
  services: new Map([
    [
      kernelServiceKey('10.0.0.1', 80, 6),
      kservice('10.0.0.1', 80, 6, 4, [
        { id: 7, ip: '192.168.1.1', port: 8080, active: true },
        { id: 9, ip: '192.168.1.2', port: 8081, active: true },
      ]),
    ],
  ]),
};
/** The cube's session table counters: each leaf a distinct value. */
const CUBE_COUNTERS: CubeCounters = {
  activeSessions: 31,
  sessionTableEntries: 32,
  admissionsRefused: 33,
  evictionsExpired: 34,
  evictionsUnestablished: 35,
  evictionsEstablished: 36,
  sessionsNotStored: 37,
  statelessReplies: 38,
  fragmentsTranslated: 39,
};
/** Counters by kernel id: service 4 → 10, backend 7 → 20 (9 has none yet); the cube's. */
const SNAP = {
  services: new Map([[4, counters(10)]]),
  backends: new Map([[7, counters(20)]]),
  cube: CUBE_COUNTERS,
  /** Every reason, the n-th at 100 + n (distinct values). */
  drops: ZERO_DROPS.map((d, i) => ({ reason: d.reason, packets: 100 + i })),
};
const LOOKUP: CounterLookup = counterLookup(KERNEL, SNAP);

const ZERO = { packets: 0, bytes: 0, 'active-sessions': 0, 'total-sessions': 0 };
const C10 = { packets: 10, bytes: 1000, 'active-sessions': 11, 'total-sessions': 12 };
const C20 = { packets: 20, bytes: 2000, 'active-sessions': 21, 'total-sessions': 22 };
/** A backend of a service without health checks. */
const NO_CHECK = {
  health: 'unknown',
  'health-detail': 'no health-check configured',
  up: 1,
  'health-transitions': 0,
};
const B1 = { name: 'b1', ip: '192.168.1.1', port: 8080, weight: 3, ...C20, ...NO_CHECK };
const B2 = { name: '', ip: '192.168.1.2', port: 8081, weight: 1, ...ZERO, ...NO_CHECK };
/** The service policy leaves at their defaults. */
const POLICY = { 'drain-timeout': 0, 'session-affinity': 'none', 'affinity-timeout': 10800 };
const WEB = { name: 'web', vip: '10.0.0.1', vport: 80, proto: 'tcp', ...POLICY, backend: [B1, B2], ...C10 };
const DNS = { name: '', vip: '10.0.0.2', vport: 53, proto: 'udp', ...POLICY, ...ZERO };
const WEB_REF = { vip: '10.0.0.1', vport: 80, proto: 'TCP' as const };
const DNS_REF = { vip: '10.0.0.2', vport: 53, proto: 'UDP' as const };

interface Row {
  name: string;
  inTarget: RequestTarget;
  want?: unknown;
  wantErr?: string;
}

const ROWS: Row[] = [
  { name: 'port_mode in lower case', inTarget: { kind: 'port_mode' }, want: 'multi' },
  {
    name: 'the ports list',
    inTarget: { kind: 'ports' },
    want: [
      { name: 'f1', type: 'frontend', ip: '10.1.0.1' },
      { name: 'be', type: 'backend', ip: '' },
    ],
  },
  {
    name: 'one port',
    inTarget: { kind: 'ports', name: 'be' },
    want: { name: 'be', type: 'backend', ip: '' },
  },
  { name: 'a missing port', inTarget: { kind: 'ports', name: 'nope' }, wantErr: 'Port nope does not exist' },
  { name: 'a port type', inTarget: { kind: 'port-leaf', name: 'f1', leaf: 'type' }, want: 'frontend' },
  { name: 'a port ip', inTarget: { kind: 'port-leaf', name: 'f1', leaf: 'ip' }, want: '10.1.0.1' },
  { name: 'an unset port ip is ""', inTarget: { kind: 'port-leaf', name: 'be', leaf: 'ip' }, want: '' },
  {
    name: 'a leaf of a missing port',
    inTarget: { kind: 'port-leaf', name: 'nope', leaf: 'ip' },
    wantErr: 'Port nope does not exist',
  },
  {
    name: 'a port leaf lbrp does not own',
    inTarget: { kind: 'port-leaf', name: 'f1', leaf: 'peer' },
    wantErr: 'Method not supported',
  },
  {
    name: 'src-ip-rewrite with the unset range as ""',
    inTarget: { kind: 'src-ip-rewrite' },
    want: { 'ip-range': '10.2.0.0/24', new_ip_range: '' },
  },
  {
    name: 'src-ip-rewrite ip-range',
    inTarget: { kind: 'src-ip-rewrite-leaf', leaf: 'ip-range' },
    want: '10.2.0.0/24',
  },
  {
    name: 'src-ip-rewrite new_ip_range',
    inTarget: { kind: 'src-ip-rewrite-leaf', leaf: 'new_ip_range' },
    want: '',
  },
  { name: 'every service with counters', inTarget: { kind: 'service' }, want: [WEB, DNS] },
  { name: 'one service', inTarget: { kind: 'service', ref: WEB_REF }, want: WEB },
  {
    name: 'a service without backends has no backend member',
    inTarget: { kind: 'service', ref: DNS_REF },
    want: DNS,
  },
  {
    name: 'a missing service',
    inTarget: { kind: 'service', ref: { vip: '10.0.0.9', vport: 80, proto: 'TCP' } },
    wantErr: 'There are no entries associated with that key',
  },
  { name: 'a service name', inTarget: { kind: 'service-leaf', ref: WEB_REF, leaf: 'name' }, want: 'web' },
  {
    name: 'an unset service name is ""',
    inTarget: { kind: 'service-leaf', ref: DNS_REF, leaf: 'name' },
    want: '',
  },
  { name: 'service packets', inTarget: { kind: 'service-leaf', ref: WEB_REF, leaf: 'packets' }, want: 10 },
  { name: 'service bytes', inTarget: { kind: 'service-leaf', ref: WEB_REF, leaf: 'bytes' }, want: 1000 },
  {
    name: 'service active-sessions',
    inTarget: { kind: 'service-leaf', ref: WEB_REF, leaf: 'active-sessions' },
    want: 11,
  },
  {
    name: 'service total-sessions',
    inTarget: { kind: 'service-leaf', ref: WEB_REF, leaf: 'total-sessions' },
    want: 12,
  },
  {
    name: 'a service leaf lbrp does not have',
    inTarget: { kind: 'service-leaf', ref: WEB_REF, leaf: 'vip' },
    wantErr: 'Method not supported',
  },
  {
    name: 'a leaf of a missing service',
    inTarget: { kind: 'service-leaf', ref: { vip: '10.0.0.9', vport: 80, proto: 'TCP' }, leaf: 'name' },
    wantErr: 'There are no entries associated with that key',
  },
  { name: 'the backends of a service', inTarget: { kind: 'backend', ref: WEB_REF }, want: [B1, B2] },
  { name: 'no backends is an empty list', inTarget: { kind: 'backend', ref: DNS_REF }, want: [] },
  {
    name: 'the backends of a missing service',
    inTarget: { kind: 'backend', ref: { vip: '10.0.0.9', vport: 80, proto: 'TCP' } },
    wantErr: 'There are no entries associated with that key',
  },
  { name: 'one backend', inTarget: { kind: 'backend', ref: WEB_REF, ip: '192.168.1.2' }, want: B2 },
  {
    name: 'a missing backend',
    inTarget: { kind: 'backend', ref: WEB_REF, ip: '192.168.1.9' },
    wantErr: 'There are no entries associated with that key',
  },
  {
    name: 'a backend weight',
    inTarget: { kind: 'backend-leaf', ref: WEB_REF, ip: '192.168.1.1', leaf: 'weight' },
    want: 3,
  },
  {
    name: 'a backend counter',
    inTarget: { kind: 'backend-leaf', ref: WEB_REF, ip: '192.168.1.1', leaf: 'active-sessions' },
    want: 21,
  },
  {
    name: 'a leaf of a missing backend',
    inTarget: { kind: 'backend-leaf', ref: WEB_REF, ip: '192.168.1.9', leaf: 'weight' },
    wantErr: 'There are no entries associated with that key',
  },
  {
    name: 'a backend leaf lbrp does not have',
    inTarget: { kind: 'backend-leaf', ref: WEB_REF, ip: '192.168.1.1', leaf: 'peer' },
    wantErr: 'Method not supported',
  },
  {
    name: 'a path lbrp does not have',
    inTarget: { kind: 'unknown', path: '/lbrp/x' },
    wantErr: 'Method not supported',
  },
];

describe('readView', () => {
  it.each(ROWS)('$name', ({ inTarget, want, wantErr }) => {
    const r = readView(model(), inTarget, LOOKUP);
    if (wantErr !== undefined) expect(r.ok ? r.value : r.error.message).toBe(wantErr);
    else expect(r.ok ? r.value : r.error.message).toEqual(want);
  });

  /** The init-only size leaves at their defaults (every cube shows them). */
  const DEFAULT_SIZE_LEAVES = {
    'session-table-size': 65536,
    'max-services': 1024,
    'max-backends': 4096,
    'maglev-slots': 262144,
  };
  const DEFAULT_SESSION_LEAVES = {
    'tcp-new-timeout': 60,
    'tcp-established-timeout': 7200,
    'tcp-closing-timeout': 10,
    'udp-timeout': 60,
    'icmp-timeout': 30,
    'new-sessions-per-cpu': 100000,
    'sessionless-reply-nat': false,
    'probe-source': '0.0.0.0',
    'probe-next-hop': '0.0.0.0',
  };
  const CUBE_COUNTER_LEAVES = {
    'active-sessions': 31,
    'session-table-entries': 32,
    'admissions-refused': 33,
    'evictions-expired': 34,
    'evictions-unestablished': 35,
    'evictions-established': 36,
    'sessions-not-stored': 37,
    'stateless-replies': 38,
    'fragments-translated': 39,
  };

  // The cube answer holds every part, in the order lbrp prints them.
  it('shows the whole cube in lbrp’s member order', () => {
    const r = readView(model(), { kind: 'cube' }, LOOKUP);
    expect(r.ok && r.value).toEqual({
      ports: [
        { name: 'f1', type: 'frontend', ip: '10.1.0.1' },
        { name: 'be', type: 'backend', ip: '' },
      ],
      port_mode: 'multi',
      ...DEFAULT_SIZE_LEAVES,
      ...DEFAULT_SESSION_LEAVES,
      ...CUBE_COUNTER_LEAVES,
      'src-ip-rewrite': { 'ip-range': '10.2.0.0/24', new_ip_range: '' },
      service: [WEB, DNS],
    });
    expect(Object.keys(r.ok ? (r.value as object) : {})).toEqual([
      'ports',
      'port_mode',
      'session-table-size',
      'max-services',
      'max-backends',
      'maglev-slots',
      ...Object.keys(DEFAULT_SESSION_LEAVES),
      ...Object.keys(CUBE_COUNTER_LEAVES),
      'src-ip-rewrite',
      'service',
    ]);
    expect(Object.keys(webView())).toEqual([
      'name',
      'vip',
      'vport',
      'proto',
      'drain-timeout',
      'session-affinity',
      'affinity-timeout',
      'backend',
      'packets',
      'bytes',
      'active-sessions',
      'total-sessions',
    ]);
  });

  // An empty cube has neither ports nor service members, but always port_mode, its sizes and src-ip-rewrite.
  it('leaves out empty lists of an empty cube', () => {
    expect(cubeView(emptyCube('lb0', 'SINGLE'), LOOKUP)).toEqual({
      port_mode: 'single',
      ...DEFAULT_SIZE_LEAVES,
      ...DEFAULT_SESSION_LEAVES,
      ...CUBE_COUNTER_LEAVES,
      'src-ip-rewrite': { 'ip-range': '', new_ip_range: '' },
    });
  });

  // The drop list reads whole, by reason and by leaf; an unknown reason has no entry, and
  // without a snapshot every reason reads zero (the list never shrinks).
  it('reads the drop counters by reason', () => {
    const read = (t: RequestTarget, lookup = LOOKUP): unknown => {
      const r = readView(model(), t, lookup);
      return r.ok ? r.value : r.error.message;
    };
    expect(read({ kind: 'drop' })).toEqual(SNAP.drops);
    expect(SNAP.drops.map((d) => d.reason)).toContain('no-frontend-for-ip');
    expect(read({ kind: 'drop', reason: 'fragment' })).toEqual({ reason: 'fragment', packets: 107 });
    expect(read({ kind: 'drop', reason: 'fragment', leaf: 'packets' })).toBe(107);
    expect(read({ kind: 'drop', reason: 'nonsense' })).toMatch(/no entries|not/i);
    expect(read({ kind: 'drop', reason: 'fragment' }, counterLookup(KERNEL, undefined))).toEqual({
      reason: 'fragment',
      packets: 0,
    });
  });

  // A cube leaf reads alone: a session policy leaf as configured, a counter from the snapshot,
  // and counters read zero when no snapshot was taken.
  it('reads the session policy and counter leaves one by one', () => {
    const m = must(applyRequest(model(), { kind: 'cube' }, 'UPDATE', { 'udp-timeout': 5 }));
    const leaf = (name: string, lookup = LOOKUP): unknown => {
      const r = readView(m, { kind: 'cube-leaf', leaf: name }, lookup);
      return r.ok ? r.value : r.error.message;
    };
    expect(leaf('udp-timeout')).toBe(5);
    expect(leaf('tcp-new-timeout')).toBe(60);
    expect(leaf('evictions-established')).toBe(36);
    expect(leaf('evictions-established', counterLookup(KERNEL, undefined))).toBe(0);
  });
});

function webView(): object {
  const r = readView(model(), { kind: 'service', ref: WEB_REF }, LOOKUP);
  return r.ok ? (r.value as object) : {};
}

describe('counterLookup', () => {
  const svc = model().services.get('10.0.0.1:80:TCP')!;
  const dns = model().services.get('10.0.0.2:53:UDP')!;

  // Counters are found by the kernel ids the sync allocated, not by position.
  it('finds counters through the kernel ids', () => {
    expect(LOOKUP.service(svc)).toEqual(counters(10));
    expect(LOOKUP.backend(svc, '192.168.1.1')).toEqual(counters(20));
  });

  // Anything not yet synced or not yet counted reads as zero rather than failing.
  it('reads zero for what the kernel or the snapshot does not have', () => {
    const zero: Counters = { packets: 0, bytes: 0, activeSessions: 0, totalSessions: 0 };
    expect(LOOKUP.service(dns)).toEqual(zero);
    expect(LOOKUP.backend(dns, '192.168.1.1')).toEqual(zero);
    expect(LOOKUP.backend(svc, '192.168.1.2')).toEqual(zero);
    expect(LOOKUP.backend(svc, '192.168.1.9')).toEqual(zero);
    const noSnap = counterLookup(KERNEL, undefined);
    expect(noSnap.service(svc)).toEqual(zero);
    expect(noSnap.backend(svc, '192.168.1.1')).toEqual(zero);
  });

  // The kernel key uses the protocol number: a UDP service never reads a TCP service's counters.
  it('tells services apart by protocol', () => {
    const udpTwin = { ...svc, proto: 'UDP' as const };
    expect(LOOKUP.service(udpTwin).packets).toBe(0);
  });
});
