// The lbrp service as polycubed drives it (ConfigRequests after REST validation), over the
// in-memory host: answers and their codes, READ shapes (lower-case enums, the TRUE port_mode,
// counters), rejected requests leaving maps untouched, Resync without writes, and the slow path.

import { ErrorCode, type ConfigAnswer, type ConfigKey, type Op } from '../../../src/service-kit';
import { LbrpService } from '../../../src/lbrp/service';
import {
  CT_STATE,
  CT_STATE_SHIFT,
  decodeSessionConfig,
  DROP,
  EV,
  REASON_ARP_REPLY,
  REASON_FLOODING,
  SESSION_FORWARD,
  SESSION_REVERSE,
  SESSION_WAYS,
  encodeU32,
  type SessionConfig,
} from '../../../src/lbrp/dataplane/map-layouts';
import { DataplaneError } from '../../../src/service-kit';
import { FakeHost } from '../../fixtures/lbrp/fake-host';
import { ZERO_DROPS } from '../../../src/lbrp/stats/counters';
import { fixedClock } from '../../../src/lbrp/dataplane/session-clock';

/** The session clock of these tests: HZ 250, now = 1000 units (jiffies 256,000). */
const NOW = 1000;
const clock = async () => fixedClock(250, async () => BigInt(NOW) << 8n);

let nextId = 1;
/** One request, as polycubed forwards it. */
function req(op: Op, path: string, keys: ConfigKey[] = [], body?: unknown, isCollection = false) {
  return { id: nextId++, op, cube: 'lb0', path, keys, body, isCollection };
}
const svcKeys = (vip: string, vport: number, proto: string): ConfigKey[] => [
  { list: 'service', name: 'vip', value: vip },
  { list: 'service', name: 'vport', value: String(vport) },
  { list: 'service', name: 'proto', value: proto },
];
const beKey = (ip: string): ConfigKey => ({ list: 'backend', name: 'ip', value: ip });
const portKey = (name: string): ConfigKey[] => [{ list: 'ports', name: 'name', value: name }];

async function setup(mode: 'SINGLE' | 'MULTI' = 'SINGLE'): Promise<{ host: FakeHost; svc: LbrpService }> {
  const host = new FakeHost();
  host.addCube('lb0', []);
  const svc = new LbrpService(host, { log: () => undefined, clock, statsTtlMs: 0 });
  const created = await svc.onConfig(
    req('CREATE', '/lbrp', [], { name: 'lb0', port_mode: mode, loglevel: 'INFO' }),
  );
  expect(created).toEqual({});
  return { host, svc };
}

const ok = (a: ConfigAnswer): unknown =>
  a.code === undefined || a.code === ErrorCode.OK ? (a.body ?? 'ok') : `${a.code}: ${a.message}`;

describe('LbrpService requests', () => {
  // The REST spec §5.3 messages come back as 500 texts; data-missing as 409; successes change maps.
  it('answers with the spec messages and keeps refused requests out of the maps', async () => {
    const { host, svc } = await setup();
    host.setPorts('lb0', [{ name: 'fe', id: 0 }]);
    expect(
      ok(
        await svc.onConfig(
          req('CREATE', '/lbrp/ports', portKey('fe'), { name: 'fe', type: 'FRONTEND', peer: 'veth1' }),
        ),
      ),
    ).toBe('ok');
    host.setPorts('lb0', [
      { name: 'fe', id: 0 },
      { name: 'p2', id: 1 },
    ]);
    expect(
      ok(await svc.onConfig(req('CREATE', '/lbrp/ports', portKey('p2'), { name: 'p2', type: 'FRONTEND' }))),
    ).toBe(
      'GENERIC_ERROR: There is already a FRONTEND port. Only a FRONTEND port is allowed in SINGLE port mode',
    );
    host.setPorts('lb0', [
      { name: 'fe', id: 0 },
      { name: 'be', id: 1 },
    ]);
    expect(
      ok(await svc.onConfig(req('CREATE', '/lbrp/ports', portKey('be'), { name: 'be', type: 'BACKEND' }))),
    ).toBe('ok');
    const web = svcKeys('10.0.0.1', 80, 'TCP');
    expect(
      ok(
        await svc.onConfig(
          req('CREATE', '/lbrp/service', web, { vip: '10.0.0.1', vport: 80, proto: 'TCP', name: 'web' }),
        ),
      ),
    ).toBe('ok');
    expect(
      ok(
        await svc.onConfig(req('CREATE', '/lbrp/service', web, { vip: '10.0.0.1', vport: 80, proto: 'TCP' })),
      ),
    ).toBe('GENERIC_ERROR: This service already exists');
    expect(
      ok(
        await svc.onConfig(
          req('CREATE', '/lbrp/service/backend', [...web, beKey('1.1.1.1')], {
            ip: '1.1.1.1',
            port: 80,
            weight: 2,
          }),
        ),
      ),
    ).toBe('ok');
    const before = host.dumpMaps('lb0');
    host.takeWrites();
    const refused = [
      req('CREATE', '/lbrp/service/backend', [...web, beKey('1.1.1.1')], { ip: '1.1.1.1', port: 80 }),
      req('CREATE', '/lbrp/service', svcKeys('10.0.0.1', 7, 'ICMP'), {
        vip: '10.0.0.1',
        vport: 7,
        proto: 'ICMP',
      }),
      req('UPDATE', '/lbrp/port_mode', [], 'MULTI'),
      req('UPDATE', '/lbrp/ports/ip', portKey('fe'), '10.9.9.9'),
      req('UPDATE', '/lbrp/ports/type', portKey('be'), 'FRONTEND'),
      req('CREATE', '/lbrp/service/backend', [...svcKeys('10.0.0.1', 80, 'ALL'), beKey('2.2.2.2')], {
        ip: '2.2.2.2',
        port: 1,
      }),
      req('UPDATE', '/lbrp/src-ip-rewrite', [], { 'ip-range': '10.0.0.0/24', new_ip_range: '20.0.0.0/16' }),
    ];
    const answers = [];
    for (const r of refused) answers.push(ok(await svc.onConfig(r)));
    expect(answers).toEqual([
      'GENERIC_ERROR: Backend 1.1.1.1 already exists in the service map',
      'GENERIC_ERROR: ICMP Service requires 0 as virtual port. Since this parameter is useless for ICMP services',
      'GENERIC_ERROR: Port mode cannot be changed at runtime',
      'GENERIC_ERROR: The ip address in not allow in SINGLE port mode for a FRONTEND port',
      'GENERIC_ERROR: Error: Port type cannot be changed at runtime.',
      'GENERIC_ERROR: There are no entries associated with that key',
      'GENERIC_ERROR: both masks have to be the same',
    ]);
    expect(host.takeWrites()).toEqual([]);
    expect(host.dumpMaps('lb0')).toEqual(before);
    expect(await svc.onConfig(req('DELETE', '/lbrp/service', svcKeys('10.0.0.2', 80, 'TCP')))).toEqual({
      code: ErrorCode.DATA_MISSING,
    });
  });

  // READs: lower-case enums, the true port mode, "" for unset members, weight kept on PATCH.
  it('answers READs in the spec shapes', async () => {
    const { host, svc } = await setup('MULTI');
    host.setPorts('lb0', [{ name: 'fe1', id: 0 }]);
    await svc.onConfig(
      req('CREATE', '/lbrp/ports', portKey('fe1'), { name: 'fe1', type: 'FRONTEND', ip: '10.0.0.1' }),
    );
    const web = svcKeys('10.0.0.1', 80, 'TCP');
    await svc.onConfig(
      req('CREATE', '/lbrp/service', svcKeys('10.0.0.1', 80, 'ALL'), {
        vip: '10.0.0.1',
        vport: 80,
        proto: 'ALL',
      }),
    );
    await svc.onConfig(
      req('CREATE', '/lbrp/service/backend', [...web, beKey('1.1.1.1')], {
        ip: '1.1.1.1',
        port: 8080,
        weight: 20,
      }),
    );
    await svc.onConfig(
      req('UPDATE', '/lbrp/service/backend', [...web, beKey('1.1.1.1')], { ip: '1.1.1.1', port: 81 }),
    );
    const counters = { packets: 0, bytes: 0, 'active-sessions': 0, 'total-sessions': 0 };
    const policy = { 'drain-timeout': 0, 'session-affinity': 'none', 'affinity-timeout': 10800 };
    expect(ok(await svc.onConfig(req('READ', '/lbrp')))).toEqual({
      ports: [{ name: 'fe1', type: 'frontend', ip: '10.0.0.1' }],
      port_mode: 'multi',
      'session-table-size': 65536,
      'max-services': 1024,
      'max-backends': 4096,
      'maglev-slots': 262144,
      'kernel-memory': host.kernelMemory,
      'tcp-new-timeout': 60,
      'tcp-established-timeout': 7200,
      'tcp-closing-timeout': 10,
      'udp-timeout': 60,
      'icmp-timeout': 30,
      'new-sessions-per-cpu': 100000,
      'sessionless-reply-nat': false,
      'probe-source': '0.0.0.0',
      'probe-next-hop': '0.0.0.0',
      'active-sessions': 0,
      'session-table-entries': 0,
      'admissions-refused': 0,
      'evictions-expired': 0,
      'evictions-unestablished': 0,
      'evictions-established': 0,
      'sessions-not-stored': 0,
      'stateless-replies': 0,
      'fragments-translated': 0,
      'src-ip-rewrite': { 'ip-range': '', new_ip_range: '' },
      service: [
        {
          name: '',
          vip: '10.0.0.1',
          vport: 80,
          proto: 'tcp',
          ...policy,
          backend: [
            {
              name: '',
              ip: '1.1.1.1',
              port: 81,
              weight: 20,
              ...counters,
              health: 'unknown',
              'health-detail': 'no health-check configured',
              up: 1,
              'health-transitions': 0,
            },
          ],
          ...counters,
        },
        { name: '', vip: '10.0.0.1', vport: 80, proto: 'udp', ...policy, ...counters },
        { name: '', vip: '10.0.0.1', vport: 0, proto: 'icmp', ...policy, ...counters },
      ],
    });
    expect(ok(await svc.onConfig(req('READ', '/lbrp/port_mode')))).toBe('multi');
    expect(ok(await svc.onConfig(req('READ', '/lbrp/ports/type', portKey('fe1'))))).toBe('frontend');
    expect(
      ok(await svc.onConfig(req('READ', '/lbrp/service/backend/weight', [...web, beKey('1.1.1.1')]))),
    ).toBe(20);
    expect(ok(await svc.onConfig(req('READ', '/lbrp/service', svcKeys('10.0.0.1', 80, 'ALL'))))).toBe(
      'GENERIC_ERROR: There are no entries associated with that key',
    );
    expect(
      Object.keys(
        Object(ok(await svc.onConfig(req('READ', '/lbrp/service', svcKeys('10.0.0.1', 0, 'ICMP'))))),
      ),
    ).toEqual([
      'name',
      'vip',
      'vport',
      'proto',
      'drain-timeout',
      'session-affinity',
      'affinity-timeout',
      'packets',
      'bytes',
      'active-sessions',
      'total-sessions',
    ]);
  });

  // The init-only size leaves: given at creation, compiled into the program, shown by READ, never
  // changed afterwards; the kernel memory is what polycubed reported for the loaded program.
  it('takes the size leaves at creation only and shows the kernel memory', async () => {
    const host = new FakeHost();
    host.addCube('lb0', []);
    host.kernelMemory = 7654321;
    const svc = new LbrpService(host, { log: () => undefined, clock, statsTtlMs: 0 });
    const sizes = {
      'session-table-size': 1024,
      'max-services': 10,
      'max-backends': 20,
      'maglev-slots': 4096,
    };
    expect(ok(await svc.onConfig(req('CREATE', '/lbrp', [], { name: 'lb0', ...sizes })))).toBe('ok');
    expect(host.loads('lb0')[0].defines).toMatchObject({
      MAX_SESSIONS: 1024,
      MAX_SERVICES: 10,
      MAX_BACKENDS: 20,
      MAX_MAGLEV_SLOTS: 4096,
    });
    expect(ok(await svc.onConfig(req('READ', '/lbrp')))).toMatchObject({
      ...sizes,
      'kernel-memory': 7654321,
    });
    expect(ok(await svc.onConfig(req('READ', '/lbrp/max-backends')))).toBe(20);
    expect(ok(await svc.onConfig(req('READ', '/lbrp/kernel-memory')))).toBe(7654321);
    // A cube PATCH restating a size is fine; changing one names the leaf and changes nothing.
    expect(ok(await svc.onConfig(req('UPDATE', '/lbrp', [], { 'max-services': 10 })))).toBe('ok');
    expect(await svc.onConfig(req('UPDATE', '/lbrp', [], { 'max-services': 11 }))).toMatchObject({
      code: ErrorCode.INVALID_VALUE,
      errorInfo: 'max-services',
    });
    expect(ok(await svc.onConfig(req('READ', '/lbrp/max-services')))).toBe(10);
    expect(host.loads('lb0')).toHaveLength(1);
  });

  // session-table-size must be a power of two (the table's buckets are a hash mask).
  it('refuses a session-table-size that is not a power of two, naming it', async () => {
    const host = new FakeHost();
    host.addCube('lb0', []);
    const svc = new LbrpService(host, { log: () => undefined, clock });
    expect(
      ok(await svc.onConfig(req('CREATE', '/lbrp', [], { name: 'lb0', 'session-table-size': 3000 }))),
    ).toBe('GENERIC_ERROR: session-table-size must be a power of two, got 3000');
    expect(host.loads('lb0')).toHaveLength(0);
    expect(svc.cubeNames()).toEqual([]);
  });

  // polycubed's budget refusal (LoadDataplane kind MEMORY) comes back naming the leaf whose maps
  // take the most, with its value, its bytes and the budget's numbers.
  it('answers a budget refusal naming the size leaf to lower', async () => {
    const host = new FakeHost();
    host.addCube('lb0', []);
    const svc = new LbrpService(host, { log: () => undefined, clock });
    host.failLoad = new DataplaneError('over budget', 'MEMORY', '', {
      total: 170_000_000,
      maps: { sessions: 167_772_472, maglev_slots: 2_097_464, services: 91_168, pcn_log_ring: 78_408 },
      budget: 100_000_000,
      used: 6_000_000,
    });
    const r = await svc.onConfig(req('CREATE', '/lbrp', [], { name: 'lb0', 'session-table-size': 4194304 }));
    expect(ok(r)).toBe(
      'GENERIC_ERROR: cube lb0 does not fit in the kernel memory budget: it needs 170000000 bytes, ' +
        '94000000 of the 100000000-byte budget are free (6000000 taken by other cubes); ' +
        'session-table-size = 4194304 takes 167772472 bytes of it (session-table-size 4194304: ' +
        '167772472 bytes, maglev-slots 262144: 2097464 bytes, max-services 1024: 91168 bytes): ' +
        'lower session-table-size or raise polycubed --kernel-memory-budget',
    );
    expect(svc.cubeNames()).toEqual([]);
  });

  // Counters: per-CPU service_stats/backend_stats summed; active sessions are the conntrack
  // entries that are new or established and not expired (a reverse NAT entry is not a second
  // session); the cube shows the table's used ways and session_events summed over CPUs.
  it('shows counters from the kernel', async () => {
    const { host, svc } = await setup();
    const web = svcKeys('10.0.0.1', 80, 'TCP');
    await svc.onConfig(
      req('CREATE', '/lbrp/service', web, {
        vip: '10.0.0.1',
        vport: 80,
        proto: 'TCP',
        backend: [{ ip: '1.1.1.1', port: 80 }],
      }),
    );
    const stats = Buffer.alloc(24);
    stats.writeBigUInt64LE(5n, 0);
    stats.writeBigUInt64LE(700n, 8);
    stats.writeBigUInt64LE(2n, 16);
    host.poke('lb0', 'service_stats', encodeU32(0), stats);
    host.poke('lb0', 'backend_stats', encodeU32(0), stats);
    // Bucket 0 (service 0, backend 0; TCP new-timeout 59 units, established 7032 at HZ 250):
    const ways: Array<{ kind: number; state: number; lastSeen: number }> = [
      { kind: SESSION_FORWARD, state: CT_STATE.NEW, lastSeen: NOW - 10 }, // open
      { kind: SESSION_REVERSE, state: CT_STATE.NEW, lastSeen: NOW - 10 }, // its reverse entry
      { kind: SESSION_FORWARD, state: CT_STATE.NEW, lastSeen: NOW - 100 }, // expired handshake
      { kind: SESSION_FORWARD, state: CT_STATE.CLOSED, lastSeen: NOW }, // closed
      { kind: SESSION_FORWARD, state: CT_STATE.ESTABLISHED, lastSeen: NOW - 1000 }, // open, idle
    ];
    const bucket = Buffer.alloc(40 * SESSION_WAYS);
    ways.forEach((w, i) => {
      bucket[40 * i + 12] = 6;
      bucket[40 * i + 13] = w.kind;
      bucket.writeUInt16LE(w.state << CT_STATE_SHIFT, 40 * i + 16 + 6);
      bucket.writeUInt32LE(w.lastSeen, 40 * i + 36);
    });
    host.poke('lb0', 'sessions', encodeU32(0), bucket);
    const event = (slot: number, n: bigint): void => {
      const v = Buffer.alloc(8);
      v.writeBigUInt64LE(n);
      host.poke('lb0', 'session_events', encodeU32(slot), v);
    };
    event(EV.ADMISSION_REFUSED, 3n);
    event(EV.EVICT_ESTABLISHED, 4n);
    event(EV.FRAG_TRANSLATED, 5n);
    // drop_stats is indexed by -DROP_*: 6 frames dropped as non-first fragments.
    host.poke('lb0', 'drop_stats', encodeU32(-DROP.FRAGMENT), Buffer.from([6, 0, 0, 0, 0, 0, 0, 0]));
    const view = ok(await svc.onConfig(req('READ', '/lbrp/service', web))) as Record<string, unknown>;
    expect(view).toMatchObject({ packets: 5, bytes: 700, 'total-sessions': 2, 'active-sessions': 2 });
    expect(
      ok(
        await svc.onConfig(req('READ', '/lbrp/service/backend/active-sessions', [...web, beKey('1.1.1.1')])),
      ),
    ).toBe(2);
    expect(ok(await svc.onConfig(req('READ', '/lbrp')))).toMatchObject({
      'active-sessions': 2,
      'session-table-entries': 5,
      'admissions-refused': 3,
      'evictions-expired': 0,
      'evictions-established': 4,
      'fragments-translated': 5,
    });
    expect(ok(await svc.onConfig(req('READ', '/lbrp/session-table-entries')))).toBe(5);
    const drops = ok(await svc.onConfig(req('READ', '/lbrp/drop'))) as { reason: string; packets: number }[];
    expect(drops.map((d) => d.reason)).toEqual(ZERO_DROPS.map((d) => d.reason));
    expect(drops.filter((d) => d.packets > 0)).toEqual([{ reason: 'fragment', packets: 6 }]);
    const fragKey = [{ list: 'drop', name: 'reason', value: 'fragment' }];
    expect(ok(await svc.onConfig(req('READ', '/lbrp/drop/packets', fragKey)))).toBe(6);
  });

  // The session policy: changed at run time by a cube PATCH or a leaf PATCH, written to
  // session_config in clock units with the secret kept; an out-of-range value is refused naming
  // the leaf, and changes neither the configuration nor the map.
  it('writes the session policy to session_config and refuses bad values', async () => {
    const { host, svc } = await setup();
    const read = (): SessionConfig =>
      decodeSessionConfig(host.readRaw('lb0', 'session_config', encodeU32(0)));
    const first = read();
    expect(first.secret.some((w) => w !== 0)).toBe(true);
    expect(first.timeouts).toEqual([59, 7032, 10, 59, 30]);
    expect(
      ok(await svc.onConfig(req('UPDATE', '/lbrp', [], { 'tcp-new-timeout': 5, 'new-sessions-per-cpu': 0 }))),
    ).toBe('ok');
    expect(ok(await svc.onConfig(req('UPDATE', '/lbrp/udp-timeout', [], 256)))).toBe('ok');
    const second = read();
    expect(second).toEqual({
      secret: first.secret,
      timeouts: [5, 7032, 10, 250, 30],
      admitPerJiffyQ16: 0n,
      admitBurstQ16: 0n,
    });
    host.takeWrites();
    for (const [body, leaf] of [
      [{ 'icmp-timeout': 0 }, 'icmp-timeout'],
      [{ 'tcp-established-timeout': 2592001 }, 'tcp-established-timeout'],
    ] as const) {
      expect(await svc.onConfig(req('UPDATE', '/lbrp', [], body))).toMatchObject({
        code: ErrorCode.BAD_ATTRIBUTE,
        errorInfo: leaf,
        message: expect.stringContaining(`/lbrp/lb0/${leaf}`),
      });
    }
    expect(await svc.onConfig(req('UPDATE', '/lbrp/icmp-timeout', [], 0))).toMatchObject({
      errorInfo: 'icmp-timeout',
    });
    expect(host.takeWrites()).toEqual([]);
    expect(read()).toEqual(second);
    expect(ok(await svc.onConfig(req('READ', '/lbrp/icmp-timeout')))).toBe(30);
  });

  // sessionless-reply-nat flags the backend_to_vip entries of addresses that serve one
  // service (F_BACKEND_VIP_UNIQUE) and unflags them when turned off; a non-boolean leaf PATCH is
  // refused naming the leaf, writing nothing (a cube body's types are REST's to check first).
  it('flags backend_to_vip entries for stateless replies only when sessionless-reply-nat is on', async () => {
    const { host, svc } = await setup();
    const web = svcKeys('10.0.0.1', 80, 'TCP');
    ok(await svc.onConfig(req('CREATE', '/lbrp/service', web, { vip: '10.0.0.1', vport: 80, proto: 'TCP' })));
    const be = req('CREATE', '/lbrp/service/backend', [...web, beKey('1.1.1.1')], {
      ip: '1.1.1.1',
      port: 80,
    });
    expect(ok(await svc.onConfig(be))).toBe('ok');
    const entry = (): string[] => host.dumpMaps('lb0').filter((l) => l.startsWith('BACKEND_VIP'));
    expect(entry()).toEqual(['BACKEND_VIP 1.1.1.1:80/tcp -> 10.0.0.1:80 id=0']);
    expect(ok(await svc.onConfig(req('READ', '/lbrp/sessionless-reply-nat')))).toBe(false);
    expect(ok(await svc.onConfig(req('UPDATE', '/lbrp/sessionless-reply-nat', [], true)))).toBe('ok');
    expect(entry()).toEqual(['BACKEND_VIP 1.1.1.1:80/tcp -> 10.0.0.1:80 id=0 unique']);
    host.takeWrites();
    for (const body of ['yes', 1, null]) {
      expect(await svc.onConfig(req('UPDATE', '/lbrp/sessionless-reply-nat', [], body))).toMatchObject({
        code: ErrorCode.BAD_ATTRIBUTE,
        errorInfo: 'sessionless-reply-nat',
      });
    }
    expect(host.takeWrites()).toEqual([]);
    expect(ok(await svc.onConfig(req('UPDATE', '/lbrp', [], { 'sessionless-reply-nat': false })))).toBe('ok');
    expect(entry()).toEqual(['BACKEND_VIP 1.1.1.1:80/tcp -> 10.0.0.1:80 id=0']);
  });

  // The secret is generated only when the map holds none, and kept by a restarted service (and a
  // program reload); a cube whose map lost it (maps created anew) gets a new one.
  it('keeps the session secret across restarts and generates one only when the map has none', async () => {
    const { host, svc } = await setup();
    const secretOf = (): number[] =>
      decodeSessionConfig(host.readRaw('lb0', 'session_config', encodeU32(0))).secret;
    const secret = secretOf();
    host.setPorts('lb0', [{ name: 'fe', id: 0 }]);
    await svc.onConfig(req('CREATE', '/lbrp/ports', portKey('fe'), { name: 'fe', type: 'FRONTEND' }));
    expect(host.loads('lb0')).toHaveLength(2); // the new port reloaded the program
    expect(secretOf()).toEqual(secret);
    const config = ok(await svc.onConfig(req('READ', '/lbrp'))) as Record<string, unknown>;
    host.takeWrites();
    const restarted = new LbrpService(host, { log: () => undefined, clock });
    await restarted.onResync([{ name: 'lb0', config: { name: 'lb0', ...config } }]);
    expect(host.takeWrites()).toEqual([]);
    expect(secretOf()).toEqual(secret);
    // Maps created anew (zeroed): the next sync of a fresh service writes a new, nonzero secret.
    host.poke('lb0', 'session_config', encodeU32(0), Buffer.alloc(56));
    const again = new LbrpService(host, { log: () => undefined, clock });
    await again.onResync([{ name: 'lb0', config: { name: 'lb0', ...config } }]);
    const fresh = secretOf();
    expect(fresh.some((w) => w !== 0)).toBe(true);
    expect(fresh).not.toEqual(secret);
  });

  // Requests for a cube the service does not know (spec §5.10).
  it('does not know other cubes', async () => {
    const { svc } = await setup();
    expect(await svc.onConfig({ ...req('READ', '/lbrp/service', [], undefined, true), cube: 'lbX' })).toEqual(
      {
        code: ErrorCode.GENERIC_ERROR,
        message: 'Cube lbX does not exist',
      },
    );
  });
});

describe('LbrpService resync and slow path', () => {
  // A restarted service gets the persisted configuration (lower-case enums, "" for unset) and
  // writes nothing when the kernel already holds it.
  it('resyncs from a persisted configuration without writing', async () => {
    const { host, svc } = await setup('MULTI');
    host.setPorts('lb0', [
      { name: 'fe1', id: 0 },
      { name: 'be', id: 1 },
    ]);
    await svc.onConfig(
      req('CREATE', '/lbrp/ports', portKey('fe1'), { name: 'fe1', type: 'FRONTEND', ip: '10.0.0.1' }),
    );
    await svc.onConfig(req('CREATE', '/lbrp/ports', portKey('be'), { name: 'be', type: 'BACKEND' }));
    await svc.onConfig(
      req('UPDATE', '/lbrp/src-ip-rewrite', [], { 'ip-range': '10.0.0.0/24', new_ip_range: '20.0.0.0/24' }),
    );
    await svc.onConfig(
      req('CREATE', '/lbrp/service', svcKeys('10.0.0.1', 80, 'ALL'), {
        vip: '10.0.0.1',
        vport: 80,
        proto: 'ALL',
        backend: [
          { ip: '1.1.1.1', port: 80 },
          { ip: '1.1.1.2', port: 80, weight: 0 },
        ],
      }),
    );
    const read = ok(await svc.onConfig(req('READ', '/lbrp'))) as Record<string, unknown>;
    const config = {
      'service-name': 'lbrp',
      name: 'lb0',
      type: 'TC',
      loglevel: 'INFO',
      shadow: false,
      span: false,
      ...read,
    };
    host.takeWrites();
    const restarted = new LbrpService(host, { log: () => undefined, clock });
    await restarted.onResync([{ name: 'lb0', config }]);
    expect(host.takeWrites()).toEqual([]);
    expect(ok(await restarted.onConfig(req('READ', '/lbrp')))).toEqual(
      ok(await svc.onConfig(req('READ', '/lbrp'))),
    );
    expect(host.loads('lb0')).toHaveLength(2); // create, then the BACKEND port; none on resync
  });

  // MULTI: an ARP reply from a rewritten client goes out of the BACKEND port twice (the second
  // with the sender in the new range); a flooded frame goes out of every FRONTEND port.
  it('sends slow-path frames', async () => {
    const { host, svc } = await setup('MULTI');
    host.setPorts('lb0', [
      { name: 'fe1', id: 0 },
      { name: 'fe2', id: 2 },
      { name: 'be', id: 1 },
    ]);
    for (const [name, body] of [
      ['fe1', { type: 'FRONTEND', ip: '10.0.0.1' }],
      ['fe2', { type: 'FRONTEND', ip: '10.0.0.2' }],
      ['be', { type: 'BACKEND' }],
    ] as const)
      await svc.onConfig(req('CREATE', '/lbrp/ports', portKey(name), { name, ...body }));
    await svc.onConfig(
      req('UPDATE', '/lbrp/src-ip-rewrite', [], { 'ip-range': '10.0.0.0/24', new_ip_range: '20.0.0.0/24' }),
    );
    const arp = Buffer.alloc(42);
    arp.writeUInt16BE(0x0806, 12);
    arp.writeUInt16BE(2, 20);
    Buffer.from([10, 0, 0, 7]).copy(arp, 28);
    svc.onPacketIn({
      cube: 'lb0',
      portId: 0,
      portName: 'fe1',
      reason: REASON_ARP_REPLY,
      metadata: [],
      trafficClass: 0,
      packet: arp,
    });
    svc.onPacketIn({
      cube: 'lb0',
      portId: 1,
      portName: 'be',
      reason: REASON_FLOODING,
      metadata: [],
      trafficClass: 0,
      packet: Buffer.alloc(60),
    });
    await new Promise((r) => setImmediate(r));
    const sent = host
      .sent('lb0')
      .map((s) => `${s.port} ${s.packet.length > 31 ? [...s.packet.subarray(28, 32)].join('.') : ''}`);
    expect(sent).toEqual(['be 10.0.0.7', 'be 20.0.0.7', 'fe1 0.0.0.0', 'fe2 0.0.0.0']);
  });
});
