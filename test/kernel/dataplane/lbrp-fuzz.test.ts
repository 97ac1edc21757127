// Fuzzes the lbrp dataplane through BPF_PROG_TEST_RUN, TC and XDP, SINGLE and MULTI, against a
// reference model (lbrp-model.ts): valid frames of every kind (replies and ICMP errors of live
// sessions among them), damaged ones and random bytes, on every port, with a backend drained
// mid-run. Each frame's expected fate is computed before it runs, and the dataplane must match it
// exactly: the DROP_* reason counted for a drop, the out port (from the test trace, on XDP too),
// every byte of the output frame, and every checksum it had to follow (sums computed here). A
// frame to a VIP service is also checked against the contract on its own (fuzz-oracle.ts). The
// backend_to_vip variant runs the same corpus in lockstep with the reverse_nat-only program.
// Seed: fixed (CI); LBRP_FUZZ_SEED=random or =<n> to explore or replay; LBRP_FUZZ_FRAMES=<n>.

import {
  decodeConntrackValue,
  DROP,
  DROP_MAX,
  dropReasonName,
  DropReason,
  ctStateOf,
  encodeFlowKey,
  F_CT_SESSION_BITS,
  FlowKey,
  PCN,
} from '../../../src/lbrp/dataplane/map-layouts';
import { ETH_P_IP } from '../../fixtures/packets';
import { withBackendVips } from './lbrp-config';
import { describeKernel } from './describe-kernel';
import { judge, Observed, vipContract } from './fuzz-oracle';
import {
  drainSteps,
  fuzzConfig,
  fuzzSeed,
  Generated,
  mulberry32,
  mutatedFrame,
  pick,
  randomFrame,
  validFrame,
} from './fuzz-frames';
import {
  DataplaneConfig,
  Hook,
  LbrpUnderTest,
  Mode,
  PortDevices,
  PORTS,
  TEST_SIZES,
  VARIANTS,
} from './lbrp-harness';
import { Expectation, LbrpModel } from './lbrp-model';

const SEED = fuzzSeed();
const FRAMES = Number(process.env.LBRP_FUZZ_FRAMES ?? 12_000);
if (!Number.isSafeInteger(FRAMES) || FRAMES < 100)
  throw new Error(`LBRP_FUZZ_FRAMES must be a whole number ≥ 100, got "${process.env.LBRP_FUZZ_FRAMES}"`);
/** The lockstep variants run two programs per frame: half as many frames. */
const LOCKSTEP_FRAMES = Math.floor(FRAMES / 2);
/** Sessions and fragment translations never evicted (the model cannot predict the LRU clock): it
 * says so if one would be. */
const SIZES = { ...TEST_SIZES, MAX_SESSIONS: 262144, MAX_FRAG_TRACK: 65536, MAX_AFFINITY: 65536 };
/** Session affinity in the first run of a variant (from the seed), and the other way in the
 * lockstep run: each variant runs with and without it. */
const affinityFirst = (hook: Hook, mode: Mode): boolean =>
  ((SEED >>> ((hook === 'tc' ? 0 : 2) + (mode === 'single' ? 0 : 1))) & 1) === 1;
/** The session table's key (session_config.secret) the fuzz runs with, from the seed. */
const SECRET: [number, number, number, number] = [1, 2, 3, 4].map(
  (i) => Math.imul(SEED ^ Math.imul(0x9e3779b9, i), 0x85ebca6b) >>> 0,
) as [number, number, number, number];
const REPLAY = `replay with LBRP_FUZZ_SEED=${SEED}${process.env.LBRP_FUZZ_FRAMES ? ` LBRP_FUZZ_FRAMES=${FRAMES}` : ''}`;

/** Reasons every variant's corpus must reach, so the oracle is exercised on each. */
const REACHED: DropReason[] = [
  'BAD_IP_HEADER',
  'L4_TRUNCATED',
  'FRAGMENT',
  'FRAGMENT_UNTRACKED',
  'BAD_ARP',
  'NO_BACKEND',
  'BACKEND_INACTIVE',
];

type Stat = DropReason | 'UNKNOWN_IFINDEX' | 'NOT_CONNECTED';
const RUNTIME_SLOT = {
  UNKNOWN_IFINDEX: PCN.STAT_UNKNOWN_IFINDEX,
  NOT_CONNECTED: PCN.STAT_NOT_CONNECTED,
} as const;

/**
 * False for a client-side IPv4 frame from 10.0.0.h with h ≥ 128 or from 20.0.0.h with h < 128.
 * Sessions of both 10.0.0.h (rewritten to 20.0.0.h) and 20.0.0.h (not rewritten) with one source
 * port have one reply tuple: reverse_nat keeps the later one, backend_to_vip finds the rewritten
 * one first, and both are right. The lockstep comparison leaves such frames out.
 */
function unambiguous(frame: Buffer, port: number): boolean {
  if (port === PORTS.backend || frame.length < 30 || frame.readUInt16BE(12) !== ETH_P_IP) return true;
  if (frame[27] !== 0 || frame[28] !== 0) return true;
  return !((frame[26] === 10 && frame[29] >= 128) || (frame[26] === 20 && frame[29] < 128));
}

/** Drop and runtime counters as last read, to name the reason a drop was counted under. */
class DropLedger {
  private drops: bigint[];
  private runtime: Record<keyof typeof RUNTIME_SLOT, bigint>;

  constructor(private readonly lb: LbrpUnderTest) {
    this.drops = lb.dropCounts();
    this.runtime = this.readRuntime();
  }

  private readRuntime(): Record<keyof typeof RUNTIME_SLOT, bigint> {
    return {
      UNKNOWN_IFINDEX: this.lb.runtimeStat(RUNTIME_SLOT.UNKNOWN_IFINDEX),
      NOT_CONNECTED: this.lb.runtimeStat(RUNTIME_SLOT.NOT_CONNECTED),
    };
  }

  /** The counter the last drop went to: `expected` when it moved by one (one read), else a scan. */
  reasonOf(expected: Stat | undefined): Observed['reason'] {
    if (expected && expected in RUNTIME_SLOT) {
      const k = expected as keyof typeof RUNTIME_SLOT;
      const now = this.lb.runtimeStat(RUNTIME_SLOT[k]);
      if (now === this.runtime[k] + 1n) {
        this.runtime[k] = now;
        return k;
      }
    } else if (expected) {
      const slot = -DROP[expected as DropReason];
      const now = this.lb.drops(expected as DropReason);
      if (now === this.drops[slot] + 1n) {
        this.drops[slot] = now;
        return expected;
      }
    }
    const drops = this.lb.dropCounts();
    const runtime = this.readRuntime();
    let seen: Observed['reason'] = 'none counted';
    drops.forEach((n, i) => {
      if (n !== this.drops[i]) seen = dropReasonName(i);
    });
    for (const k of Object.keys(RUNTIME_SLOT) as Array<keyof typeof RUNTIME_SLOT>)
      if (runtime[k] !== this.runtime[k]) seen = k;
    this.drops = drops;
    this.runtime = runtime;
    return seen;
  }
}

describeKernel('kernel: lbrp dataplane fuzz', () => {
  let devices: PortDevices;
  beforeAll(() => {
    devices = new PortDevices();
    console.info(`lbrp fuzz seed ${SEED} (${REPLAY}), ${FRAMES} frames per variant`);
  });
  afterAll(() => devices?.cleanup());

  /**
   * Sends `frames` random, damaged and valid frames through `lb` (configured with `cfg`), each judged
   * against the model; drains a backend at 1/2 and rebuilds its table at 3/4. With `reference`
   * (its lb configured with its cfg), every unambiguous frame also runs through it and must come
   * out the same. Returns the failures (at most 5 frames' worth).
   */
  function fuzz(
    hook: Hook,
    mode: Mode,
    lb: LbrpUnderTest,
    cfg: DataplaneConfig,
    frames: number,
    reference?: { lb: LbrpUnderTest; cfg: DataplaneConfig },
  ): string[] {
    lb.configure(cfg);
    lb.setSessionConfig({ secret: SECRET });
    lb.resetTrace();
    reference?.lb.configure(reference.cfg);
    const model = new LbrpModel(hook, mode, cfg, SIZES, SECRET);
    const ledger = new DropLedger(lb);
    const steps = drainSteps(cfg);
    const refSteps = reference ? drainSteps(reference.cfg) : [];
    const stepAt = [Math.floor(frames / 2), Math.floor((3 * frames) / 4)];
    const r = mulberry32(SEED ^ (hook === 'tc' ? 0x1000 : 0x2000) ^ (mode === 'single' ? 1 : 2));
    const ports = [PORTS.frontend, PORTS.backend, PORTS.frontend2, PORTS.spare, -1];
    const dropped = new Map<Stat, number>();
    const outs = new Array<number>(16).fill(0);
    const notes = new Map<string, number>();
    let compared = 0;
    const failures: string[] = [];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < frames && failures.length < 5; i++) {
      const s = stepAt.indexOf(i);
      if (s >= 0) {
        for (const b of steps[s].backends) {
          lb.setBackend(b);
          model.setBackend(b);
        }
        for (const [slot, id] of steps[s].slots) {
          lb.setSlot(slot, id);
          model.setSlot(slot, id);
        }
        for (const b of refSteps[s]?.backends ?? []) reference?.lb.setBackend(b);
        for (const [slot, id] of refSteps[s]?.slots ?? []) reference?.lb.setSlot(slot, id);
      }
      const roll = r();
      const { frame, fromClient }: Generated =
        roll < 0.5 ? validFrame(r, model) : roll < 0.85 ? mutatedFrame(r, model) : randomFrame(r);
      // Mostly the port such a frame arrives on; sometimes any port, or an unknown netdev.
      const natural = fromClient ? (r() < 0.5 ? PORTS.frontend : PORTS.frontend2) : PORTS.backend;
      const port = r() < 0.85 ? natural : pick(r, ports);
      if (reference && !unambiguous(frame, port)) continue;
      const ifindex = port === -1 ? 1 : devices.ifindex[port];
      // The label: what must happen, decided before the frame runs.
      const want: Expectation = model.expect(frame, port);
      const got = observe(lb, ledger, frame, ifindex, want);
      const where = `#${i} port ${port} (seed ${SEED}; ${REPLAY})\n  frame ${frame.toString('hex')}`;
      const problems = [
        ...judge(frame, want, got.seen),
        ...vipContract(frame, want, got.seen, cfg),
        ...got.problems,
      ];
      // A reply without a session is translated statelessly only where backend_to_vip says so.
      const stateless = want.verdict === 'redirect' && want.note === 'stateless reply';
      if (reference && got.seen.verdict !== 'refused' && !stateless) {
        const want2 = reference.lb.runFast(frame, ifindex);
        compared++;
        const same =
          want2.verdict === got.seen.verdict &&
          (want2.verdict !== 'redirect' ||
            (want2.data.equals(got.seen.data ?? Buffer.alloc(0)) && want2.cb0 === got.cb0));
        if (!same) problems.push(`reverse_nat-only program: ${want2.verdict} ${want2.data.toString('hex')}`);
      }
      if (problems.length) failures.push(`${where}\n  ${problems.join('\n  ')}`);
      if (want.verdict === 'drop') dropped.set(want.reason, (dropped.get(want.reason) ?? 0) + 1);
      if (want.verdict === 'runtime-drop') dropped.set(want.stat, (dropped.get(want.stat) ?? 0) + 1);
      if (want.verdict === 'redirect') {
        outs[want.port]++;
        notes.set(want.note, (notes.get(want.note) ?? 0) + 1);
      }
    }
    if (failures.length) return failures;
    // Totals: every counter moved exactly as often as the model said (no drop went unlabelled).
    const counts = lb.dropCounts();
    for (let slot = 1; slot < DROP_MAX; slot++) {
      const name = dropReasonName(slot) as DropReason;
      expect({ reason: name, count: counts[slot] }).toEqual({
        reason: name,
        count: BigInt(dropped.get(name) ?? 0),
      });
    }
    expect(lb.runtimeStat(PCN.STAT_UNKNOWN_IFINDEX)).toBe(BigInt(dropped.get('UNKNOWN_IFINDEX') ?? 0));
    expect(lb.runtimeStat(PCN.STAT_NOT_CONNECTED)).toBe(0n);
    expect(lb.redirectCounts()).toEqual(outs.map(BigInt));
    // The corpus reached what the oracle judges: each reason above, translations both ways.
    for (const reason of REACHED)
      expect({ reason, reached: (dropped.get(reason) ?? 0) > 0 }).toEqual({ reason, reached: true });
    for (const note of [
      'new session',
      'session',
      'reply of a session',
      'ICMP error about a session, to its backend',
      'ICMP error about a session, to its client',
      ...(reference ? ['stateless reply'] : []),
      'later fragment, as its first',
    ])
      expect({ note, reached: (notes.get(note) ?? 0) > 0 }).toEqual({ note, reached: true });
    const { conntrack, reverseNat } = model.sessionCounts();
    console.info(
      `${hook} ${mode}${reference ? ', backend_to_vip vs reverse_nat' : ''}: ${frames} frames; redirected ` +
        `${outs.reduce((a, b) => a + b, 0)} (${[...notes].map(([n, c]) => `${n} ${c}`).join(', ')}); dropped ` +
        `${[...dropped].map(([n, c]) => `${n} ${c}`).join(', ')}; sessions ${conntrack} (+${reverseNat} reverse)` +
        (reference ? `; ${compared} compared` : '') +
        `; ${((process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1000 / frames).toFixed(3)} ms CPU per frame`,
    );
    expect(lb.sessions('conntrack')).toBe(conntrack);
    expect(lb.sessions('reverse_nat')).toBe(reverseNat);
    // Every session's state and history bits are the model's.
    const flagsOf = (key: FlowKey): number | undefined => {
      const v = lb.session('conntrack', encodeFlowKey(key));
      return v && decodeConntrackValue(v).flags & F_CT_SESSION_BITS;
    };
    const states = model.sessionList().map(({ key, ct }) => ({ key, flags: flagsOf(key), want: ct.flags }));
    expect(states.filter((s) => s.flags !== s.want)).toEqual([]);
    const byState = [0, 1, 2, 3].map((st) => states.filter((s) => ctStateOf(s.want) === st).length);
    console.info(`${hook} ${mode}: sessions new/established/closing/closed ${byState.join('/')}`);
    expect({ established: byState[1] > 0, closed: byState[3] > 0 }).toEqual({
      established: true,
      closed: true,
    });
    return failures;
  }

  /** Runs one frame and reads what happened: verdict, out port (trace; TC: cb[0] too), the drop
   * counter that moved. */
  function observe(
    lb: LbrpUnderTest,
    ledger: DropLedger,
    frame: Buffer,
    ifindex: number,
    want: Expectation,
  ): { seen: Observed; problems: string[]; cb0?: number } {
    let out;
    try {
      out = lb.runTraced(frame, ifindex);
    } catch (err) {
      return {
        seen: { verdict: 'refused' },
        problems: want.verdict === 'refused' ? [] : [`test run failed: ${(err as Error).message}`],
      };
    }
    const problems: string[] = [];
    if (out.verdict === 'redirect') {
      if (out.cb0 !== undefined && out.cb0 >>> 16 !== out.outPort)
        problems.push(`cb[0] names port ${out.cb0 >>> 16}, the trace ${out.outPort}`);
      return { seen: { verdict: 'redirect', port: out.outPort, data: out.data }, problems, cb0: out.cb0 };
    }
    if (out.verdict !== 'drop') return { seen: { verdict: out.verdict, data: out.data }, problems };
    const expected =
      want.verdict === 'drop' ? want.reason : want.verdict === 'runtime-drop' ? want.stat : undefined;
    return { seen: { verdict: 'drop', reason: ledger.reasonOf(expected) }, problems };
  }

  // Every frame's fate is exactly the model's: drop reason, out port, bytes, checksums.
  it.each(VARIANTS)(
    `%s %s: ${FRAMES} random, damaged and valid frames, each as the model expects (seed ${SEED})`,
    async (hook, mode) => {
      const lb = await LbrpUnderTest.load(hook, mode, devices, {
        MAX_SESSIONS: SIZES.MAX_SESSIONS,
        MAX_FRAG_TRACK: SIZES.MAX_FRAG_TRACK,
        MAX_AFFINITY: SIZES.MAX_AFFINITY,
      });
      try {
        const cfg = fuzzConfig({ affinity: affinityFirst(hook, mode) });
        expect(fuzz(hook, mode, lb, cfg, FRAMES).join('\n\n')).toBe('');
      } finally {
        lb.close();
      }
    },
    180_000,
  );

  // With every backend F_BACKEND_UNIQUE and backend_to_vip populated, the same corpus is
  // translated as the model says and exactly as by the reverse_nat-only program, frame by frame,
  // and no reverse_nat entry is ever written.
  it.each(VARIANTS)(
    `%s %s: ${LOCKSTEP_FRAMES} frames through backend_to_vip, as the model and as through reverse_nat (seed ${SEED})`,
    async (hook, mode) => {
      const big = {
        MAX_SESSIONS: SIZES.MAX_SESSIONS,
        MAX_FRAG_TRACK: SIZES.MAX_FRAG_TRACK,
        MAX_AFFINITY: SIZES.MAX_AFFINITY,
      };
      const affinity = !affinityFirst(hook, mode);
      const lb = await LbrpUnderTest.load(hook, mode, devices, big);
      const ref = await LbrpUnderTest.load(hook, mode, devices, big);
      try {
        const cfg = withBackendVips(fuzzConfig({ affinity }));
        expect(cfg.backendVips?.length).toBe(6);
        const failures = fuzz(hook, mode, lb, cfg, LOCKSTEP_FRAMES, {
          lb: ref,
          cfg: fuzzConfig({ affinity }),
        });
        expect(failures.join('\n\n')).toBe('');
        expect(lb.sessions('conntrack')).toBe(ref.sessions('conntrack'));
        expect(lb.sessions('reverse_nat')).toBe(0);
      } finally {
        ref.close();
        lb.close();
      }
    },
    180_000,
  );
});
