// Every build variant of the lbrp dataplane loads and passes the verifier (TC/XDP × SINGLE/MULTI,
// default map sizes, with and without the test trace, all log levels), the port parameters
// default to "no such port" (Polycube bug 10), and pcn_log reaches the log ring buffer with its
// format string and arguments only at or above the compiled log level.

import { loadObject } from '../../../src/polycubed/runtime/bpf-object';
import { BpfMapType, BpfProgType } from '../../../src/polycubed/runtime/bpf-types';
import { decodeLogRecord, formatPcnLog } from '../../../src/polycubed/runtime/pcn-records';
import { RingBufferReader } from '../../../src/polycubed/runtime/ring-buffer';
import { BACKEND_1, CLIENT_1, VIP_1 } from '../../fixtures/addresses';
import { tcp } from '../../fixtures/packets';
import { LOG_LEVEL, SESSION_WAYS } from '../../../src/lbrp/dataplane/map-layouts';
import { standardConfig, SVC_WEB } from './lbrp-config';
import { describeKernel } from './describe-kernel';
import { compileLbrp, Hook, LbrpUnderTest, Mode, PortDevices, PORTS, variantDefines } from './lbrp-harness';

const LBRP_MAPS = [
  'services',
  'vips',
  'maglev_slots',
  'backends',
  'sessions',
  'backend_to_vip',
  'session_config',
  'admission',
  'session_events',
  'backend_ips',
  'frag_track',
  'affinity',
  'service_affinity',
  'src_ip_rewrite',
  'ip_to_frontend_port',
  'service_stats',
  'backend_stats',
  'drop_stats',
  'pcn_ifindex_to_port',
  'pcn_ifindex_array',
  'pcn_port_to_ifindex',
  'pcn_log_ring',
  'pcn_pktin_ring',
  'pcn_runtime_stats',
];

const COMBOS: Array<[Hook, Mode]> = [
  ['tc', 'single'],
  ['tc', 'multi'],
  ['xdp', 'single'],
  ['xdp', 'multi'],
];

describeKernel('kernel: lbrp dataplane builds', () => {
  // The production build (default sizes, no test trace) loads for each hook and mode, with
  // every map of the design and no test-only map.
  it.each(COMBOS)('%s %s loads with default map sizes and without the test trace', async (hook, mode) => {
    const obj = loadObject({ objPath: await compileLbrp(variantDefines(hook, mode)) });
    try {
      const prog = obj.program(hook === 'tc' ? 'pcn_entry_tc' : 'pcn_entry_xdp');
      expect(prog.type).toBe(hook === 'tc' ? BpfProgType.SCHED_CLS : BpfProgType.XDP);
      const names = obj.maps().map((m) => m.name);
      expect(names).toEqual(expect.arrayContaining(LBRP_MAPS));
      expect(names).not.toContain('pcn_test_trace');
      // The defaults of the YANG size leaves (an empty cube ≤ 8 MiB, README "Kernel memory").
      expect(obj.map('maglev_slots').maxEntries).toBe(1 << 18);
      expect(obj.map('sessions').maxEntries * SESSION_WAYS).toBe(65536); // buckets × ways
      expect(obj.map('services').maxEntries).toBe(1024);
      expect(obj.map('backends').maxEntries).toBe(4096);
      expect(obj.map('affinity').maxEntries).toBe(8192);
      expect(obj.map('affinity').type).toBe(BpfMapType.LRU_HASH);
      // No PCN_POSSIBLE_CPUS (polycubed sets it): the counters stay per-CPU.
      expect(obj.map('service_stats').type).toBe(BpfMapType.PERCPU_ARRAY);
    } finally {
      obj.close();
    }
  });

  // Test, trace and bench builds, every log level, and builds without port parameters load too.
  it.each(COMBOS)(
    '%s %s loads at every log level, traced, bench-mode and without port ids',
    async (hook, mode) => {
      const extras: Array<Record<string, string | number>> = [
        ...[LOG_LEVEL.TRACE, LOG_LEVEL.DEBUG, LOG_LEVEL.INFO, LOG_LEVEL.OFF].map((l) => ({
          LOG_LEVEL: l,
          PCN_TEST_TRACE: 1,
          MAX_SESSIONS: 1024,
        })),
        { LBRP_BENCH_NEW_FLOWS: 1, MAX_SESSIONS: 1024 },
        // TC checksum paths: never reading skb->ip_summed, and the CHECKSUM_COMPLETE path forced.
        { PCN_TC_CSUM_KERN_CTX: 0, MAX_SESSIONS: 1024 },
        { PCN_TEST_IP_SUMMED: 2, MAX_SESSIONS: 1024 },
      ];
      for (const extra of extras) {
        loadObject({ objPath: await compileLbrp(variantDefines(hook, mode, extra)) }).close();
      }
      const bare = {
        PCN_XDP: hook === 'xdp' ? 1 : 0,
        SINGLE_PORT_MODE: mode === 'single' ? 1 : 0,
        MAX_SESSIONS: 1024,
      };
      loadObject({ objPath: await compileLbrp(bare) }).close();
    },
    // Eight compiles when the cache is cold (any dataplane change), on a loaded machine.
    60_000,
  );

  describe.each(['tc', 'xdp'] as Hook[])('%s', (hook) => {
    let devices: PortDevices;
    beforeAll(() => {
      devices = new PortDevices();
    });
    afterAll(() => devices?.cleanup());

    // On a machine where per-CPU counters would take more than LBRP_PERCPU_STATS_MAX_BYTES
    // ((1024 + 1024) × 24 B × 4096 CPUs here), service_stats and backend_stats are one shared
    // array updated atomically, and count exactly what the per-CPU ones count.
    it('counts into shared counters when per-CPU ones would be too large', async () => {
      const small = await LbrpUnderTest.load(hook, 'single', devices, { PCN_POSSIBLE_CPUS: 4 });
      const big = await LbrpUnderTest.load(hook, 'single', devices, { PCN_POSSIBLE_CPUS: 4096 });
      try {
        expect(small.map('backend_stats').type).toBe(BpfMapType.PERCPU_ARRAY);
        expect(big.map('service_stats').type).toBe(BpfMapType.ARRAY);
        expect(big.map('backend_stats').type).toBe(BpfMapType.ARRAY);
        const cfg = standardConfig();
        for (const lb of [small, big]) {
          lb.configure(cfg);
          const syn = tcp(CLIENT_1, VIP_1, 80, { sport: 4242, syn: true });
          const ack = tcp(CLIENT_1, VIP_1, 80, { sport: 4242, ack: true, payload: 'x' });
          expect(lb.run(syn, PORTS.frontend).verdict).toBe('redirect');
          expect(lb.run(ack, PORTS.frontend).verdict).toBe('redirect');
        }
        const of = (lb: LbrpUnderTest): unknown => lb.counters('service_stats', SVC_WEB.id);
        expect(of(big)).toEqual(of(small));
        expect(of(big)).toMatchObject({ packets: 2n, newSessions: 1n });
      } finally {
        small.close();
        big.close();
      }
    }, 60_000);

    // Polycube bug 10: before the BACKEND port exists its id defaulted to 0, so a FRONTEND with id
    // 0 was taken for the backend. Here "no BACKEND port" is -1: port 0 stays a FRONTEND.
    it('MULTI without a BACKEND port treats port 0 as a FRONTEND and drops for want of a backend port', async () => {
      const lb = await LbrpUnderTest.load(hook, 'multi', devices, { BACKEND_PORT: -1 });
      try {
        lb.configure(standardConfig());
        const before = lb.drops('NO_BACKEND_PORT');
        const r = lb.run(tcp(CLIENT_1, VIP_1, 80, { syn: true }), PORTS.frontend);
        expect(r.verdict).toBe('drop');
        expect(lb.drops('NO_BACKEND_PORT') - before).toBe(1n);
        expect(lb.sessions('conntrack')).toBe(0);
      } finally {
        lb.close();
      }
    });

    // SINGLE with only a BACKEND port: traffic for the client side has nowhere to go.
    it('SINGLE without a FRONTEND port drops client-bound traffic with its own reason', async () => {
      const lb = await LbrpUnderTest.load(hook, 'single', devices, { FRONTEND_PORT: -1 });
      try {
        lb.configure(standardConfig());
        const before = lb.drops('NO_FRONTEND_PORT');
        const r = lb.run(tcp(BACKEND_1, CLIENT_1, 40000, { sport: 8080, ack: true }), PORTS.backend);
        expect(r.verdict).toBe('drop');
        expect(lb.drops('NO_FRONTEND_PORT') - before).toBe(1n);
        expect(lb.run(tcp(CLIENT_1, VIP_1, 80, { syn: true }), PORTS.frontend).verdict).toBe('drop');
        expect(lb.drops('UNKNOWN_PORT')).toBe(1n);
      } finally {
        lb.close();
      }
    });

    // pcn_log at LOG_DEBUG reaches pcn_log_ring with cube id, level, format and raw arguments,
    // which user space formats (%I, %P); a LOG_INFO build compiles the call away.
    it.each([
      [LOG_LEVEL.DEBUG, 1],
      [LOG_LEVEL.INFO, 0],
    ])('a build at log level %i writes %i log records for a new session', async (level, records) => {
      const lb = await LbrpUnderTest.load(hook, 'single', devices, { LOG_LEVEL: level, CUBE_ID: 7 });
      const got: Buffer[] = [];
      const reader = new RingBufferReader(lb.map('pcn_log_ring'), (r) => got.push(r));
      try {
        lb.configure(standardConfig());
        expect(lb.run(tcp(CLIENT_1, VIP_1, 80, { syn: true }), PORTS.frontend).verdict).toBe('redirect');
        expect(lb.run(tcp(CLIENT_1, VIP_1, 80, { ack: true }), PORTS.frontend).verdict).toBe('redirect');
        reader.consume();
        expect(got).toHaveLength(records);
        if (records) {
          const rec = decodeLogRecord(got[0]);
          expect({ type: rec.type, cubeId: rec.cubeId, level: rec.level }).toEqual({
            type: 0,
            cubeId: 7,
            level: LOG_LEVEL.DEBUG,
          });
          expect(formatPcnLog(rec.fmt, rec.args)).toBe(`new session to ${VIP_1}:80 via backend ${BACKEND_1}`);
        }
      } finally {
        reader.close();
        lb.close();
      }
    });

    // A TRACE build: one line per frame as it arrived (port, protocol, addresses and ports), the
    // decision (new session, session hit, reply), and a drop named by its reason at DEBUG.
    it('a TRACE build writes a line per frame and per decision, and names a drop', async () => {
      const lb = await LbrpUnderTest.load(hook, 'single', devices, {
        LOG_LEVEL: LOG_LEVEL.TRACE,
        CUBE_ID: 7,
      });
      const got: Buffer[] = [];
      const reader = new RingBufferReader(lb.map('pcn_log_ring'), (r) => got.push(r));
      try {
        lb.configure(standardConfig());
        expect(lb.run(tcp(CLIENT_1, VIP_1, 80, { syn: true }), PORTS.frontend).verdict).toBe('redirect');
        expect(lb.run(tcp(CLIENT_1, VIP_1, 80, { ack: true }), PORTS.frontend).verdict).toBe('redirect');
        expect(
          lb.run(tcp(BACKEND_1, CLIENT_1, 40000, { sport: 8080, ack: true }), PORTS.backend).verdict,
        ).toBe('redirect');
        expect(lb.run(tcp(CLIENT_1, VIP_1, 80, { syn: true }), PORTS.spare).verdict).toBe('drop');
        reader.consume();
        const lines = got.map((r) => {
          const rec = decodeLogRecord(r);
          return `${rec.level} ${formatPcnLog(rec.fmt, rec.args)}`;
        });
        const T = LOG_LEVEL.TRACE;
        const D = LOG_LEVEL.DEBUG;
        expect(lines).toEqual([
          `${D} new session to ${VIP_1}:80 via backend ${BACKEND_1}`,
          `${T} rx port ${PORTS.frontend} proto 6: ${CLIENT_1}:40000 > ${VIP_1}:80`,
          `${T} session hit: ${VIP_1}:80 via backend ${BACKEND_1}:8080`,
          `${T} rx port ${PORTS.frontend} proto 6: ${CLIENT_1}:40000 > ${VIP_1}:80`,
          `${T} reply: from ${VIP_1}:80 to client ${CLIENT_1}:40000`,
          `${T} rx port ${PORTS.backend} proto 6: ${BACKEND_1}:8080 > ${CLIENT_1}:40000`,
          `${T} rx port ${PORTS.spare} proto 0: 0.0.0.0:0 > 0.0.0.0:0`,
          `${D} drop: UNKNOWN_PORT (port ${PORTS.spare})`,
        ]);
      } finally {
        reader.close();
        lb.close();
      }
    });
  });
});
