// `npm run bench:dataplane`: ns per frame of the lbrp dataplane through BPF_PROG_TEST_RUN with
// repeat ≥ 1,000,000, for TC and XDP (SINGLE mode, production map sizes, no test trace): new
// flow, established flow, return path and non-VIP pass-through, next to two floors measured in
// the same run (bench/dataplane/floor.c: parse + redirect, raw and through the pcn runtime).
//
// BPF_PROG_TEST_RUN repeats on the same buffer, so a NAT would see its own output from the second
// run on. The established and return cases therefore use a backend that is the VIP itself
// (vip:80 → vip:80): the same lookups, writes and checksum updates, and an identical frame every
// run. The new-flow cases use a build with LBRP_BENCH_NEW_FLOWS=1, where every run is a flow
// never seen before (conntrack miss, Maglev choice, two session inserts); "table filling" loads a
// fresh 2M-session program per round (no eviction), "table full" runs against the production
// 262144-session LRU, which then evicts an old session per insert. Timing goals live here, never
// in tests: established and return ≤ 4× the floor, new flow ≤ 8×.
//
// Env: LBRP_BENCH_REPEAT (default 1000000), LBRP_BENCH_ROUNDS (default 5; the median is shown).

import { join } from 'node:path';
import { compileBpf } from '../../src/polycubed/runtime/bpf-compile';
import { loadObject, LoadedObject } from '../../src/polycubed/runtime/bpf-object';
import { buildSkbCtx, buildXdpMd, testRun } from '../../src/polycubed/runtime/prog-test-run';
import {
  encodeFlowKey,
  encodeReverseNatValue,
  encodeU16,
  encodeU32,
  F_BACKEND_ACTIVE,
  IPPROTO,
  MAX_DEFAULTS,
} from '../../src/lbrp/dataplane/map-layouts';
import { BACKEND_1, CLIENT_1, SERVER_PLAIN, VIP_1 } from '../../test/fixtures/addresses';
import { tcp } from '../../test/fixtures/packets';
import { CACHE_DIR, Hook, LbrpUnderTest, PortDevices, PORTS } from '../../test/kernel/dataplane/lbrp-harness';

const REPEAT = Number(process.env.LBRP_BENCH_REPEAT ?? 1_000_000);
const ROUNDS = Number(process.env.LBRP_BENCH_ROUNDS ?? 5);
const FLOOR_SOURCE = join(__dirname, 'floor.c');
const FILLING = 'new flow, table filling';
const FULL = 'new flow, table full';
const GOALS: Record<string, number> = { [FILLING]: 8, [FULL]: 8, established: 4, 'return path': 4 };
/** Sessions of the "table filling" build: more than one round inserts, so nothing is evicted. */
const FILLING_SESSIONS = 1 << 21;

interface Case {
  name: string;
  progFd: number;
  frame: Buffer;
  ifindex: number;
  /** The frame must come out unchanged (involution configs) — checked once before timing. */
  unchanged: boolean;
}

const PRODUCTION_SIZES = { ...MAX_DEFAULTS, PCN_TEST_TRACE: 0 };

/** An lbrp whose only service, VIP_1:80/TCP, has the VIP itself as backend (see header). */
async function loadInvolution(
  hook: Hook,
  devices: PortDevices,
  extra: Record<string, number>,
): Promise<LbrpUnderTest> {
  const lb = await LbrpUnderTest.load(hook, 'single', devices, { ...PRODUCTION_SIZES, ...extra });
  const self = { id: 1, ip: VIP_1, port: 80, flags: F_BACKEND_ACTIVE };
  lb.configure({
    services: [
      {
        vip: VIP_1,
        vport: 80,
        proto: IPPROTO.TCP,
        id: 1,
        slotBase: 0,
        slots: new Array<number>(65537).fill(self.id),
      },
    ],
    backends: [self],
    frontendIps: {},
  });
  // The reply of BACKEND_1:8080 → CLIENT_1:40000 restores to "vip" BACKEND_1:8080: the same frame.
  lb.map('reverse_nat').update(
    encodeFlowKey({ saddr: BACKEND_1, daddr: CLIENT_1, sport: 8080, dport: 40000, proto: IPPROTO.TCP }),
    encodeReverseNatValue({ vip: BACKEND_1, vport: 8080, clientIp: CLIENT_1, serviceId: 1, backendId: 1 }),
  );
  return lb;
}

async function loadFloor(
  hook: Hook,
  runtime: boolean,
  ifindex: number,
): Promise<{ obj: LoadedObject; fd: number }> {
  const defines = { PCN_XDP: hook === 'xdp' ? 1 : 0, FLOOR_RUNTIME: runtime ? 1 : 0, FLOOR_IFINDEX: ifindex };
  const { objPath } = await compileBpf({
    sourcePath: FLOOR_SOURCE,
    cacheDir: CACHE_DIR,
    werror: true,
    defines,
  });
  const obj = loadObject({ objPath });
  const name = runtime ? `pcn_entry_${hook}` : `floor_raw_${hook}`;
  if (runtime) {
    // Frames arrive on port 0 and leave through port 1, as in the lbrp cases.
    obj.map('pcn_ifindex_to_port').update(encodeU32(ifindex), encodeU16(0));
    obj.map('pcn_port_to_ifindex').update(encodeU32(1), encodeU32(ifindex));
  }
  return { obj, fd: obj.program(name).fd };
}

function ctxFor(hook: Hook, frame: Buffer, ifindex: number): Buffer {
  return hook === 'tc'
    ? buildSkbCtx({ ifindex, ingressIfindex: ifindex })
    : buildXdpMd(frame.length, { ingressIfindex: ifindex });
}

/** Checks that `c` is redirected and leaves the frame as it was (so repeats do not drift). */
function check(hook: Hook, c: Case): void {
  const once = testRun(c.progFd, { data: c.frame, ctxIn: ctxFor(hook, c.frame, c.ifindex) });
  const redirect = hook === 'tc' ? 7 : 4;
  if (once.retval !== redirect)
    throw new Error(`${hook} ${c.name}: verdict ${once.retval}, expected a redirect`);
  if (c.unchanged && !once.data.equals(c.frame))
    throw new Error(`${hook} ${c.name}: the frame changed, the bench would drift`);
}

/** ns per frame of one run of REPEAT repetitions. */
function timeOnce(hook: Hook, c: Case): number {
  return testRun(c.progFd, { data: c.frame, ctxIn: ctxFor(hook, c.frame, c.ifindex), repeat: REPEAT })
    .durationNs;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median ns per frame over ROUNDS runs of REPEAT repetitions. */
function measure(hook: Hook, c: Case): number {
  check(hook, c);
  return median(Array.from({ length: ROUNDS }, () => timeOnce(hook, c)));
}

/** Like measure, on a freshly loaded FILLING_SESSIONS-session program each round. */
async function measureFilling(hook: Hook, devices: PortDevices, frame: Buffer): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const lb = await loadInvolution(hook, devices, {
      LBRP_BENCH_NEW_FLOWS: 1,
      MAX_SESSIONS: FILLING_SESSIONS,
    });
    try {
      const c = {
        name: FILLING,
        progFd: lb.progFd,
        frame,
        ifindex: devices.ifindex[PORTS.frontend],
        unchanged: true,
      };
      check(hook, c);
      runs.push(timeOnce(hook, c));
    } finally {
      lb.close();
    }
  }
  return median(runs);
}

async function benchHook(hook: Hook, devices: PortDevices): Promise<string[]> {
  const fe = devices.ifindex[PORTS.frontend];
  const be = devices.ifindex[PORTS.backend];
  const est = await loadInvolution(hook, devices, {});
  const fresh = await loadInvolution(hook, devices, { LBRP_BENCH_NEW_FLOWS: 1 });
  const raw = await loadFloor(hook, false, be);
  const pcn = await loadFloor(hook, true, fe);
  try {
    const req = tcp(CLIENT_1, VIP_1, 80, { sport: 40000, ack: true, payload: Buffer.alloc(18) });
    const cases: Case[] = [
      { name: 'floor (parse + redirect)', progFd: raw.fd, frame: req, ifindex: fe, unchanged: true },
      { name: 'floor via pcn runtime', progFd: pcn.fd, frame: req, ifindex: fe, unchanged: true },
      { name: FULL, progFd: fresh.progFd, frame: req, ifindex: fe, unchanged: true },
      { name: 'established', progFd: est.progFd, frame: req, ifindex: fe, unchanged: true },
      {
        name: 'return path',
        progFd: est.progFd,
        frame: tcp(BACKEND_1, CLIENT_1, 40000, { sport: 8080, ack: true, payload: Buffer.alloc(18) }),
        ifindex: be,
        unchanged: true,
      },
      {
        name: 'non-VIP pass-through',
        progFd: est.progFd,
        frame: tcp(CLIENT_1, SERVER_PLAIN, 80, { ack: true }),
        ifindex: fe,
        unchanged: true,
      },
    ];
    // Establish the session the established case hits.
    testRun(est.progFd, { data: req, ctxIn: ctxFor(hook, req, fe) });
    const ns = new Map(cases.map((c) => [c.name, measure(hook, c)]));
    ns.set(FILLING, await measureFilling(hook, devices, req));
    cases.splice(2, 0, { name: FILLING, progFd: -1, frame: req, ifindex: fe, unchanged: true });
    const floor = ns.get('floor (parse + redirect)') as number;
    const floorPcn = ns.get('floor via pcn runtime') as number;
    return cases.map((c) => {
      const v = ns.get(c.name) as number;
      const ratio = v / floor;
      const goal = GOALS[c.name];
      const verdict = goal === undefined ? '' : ratio <= goal ? `ok (≤ ${goal}×)` : `OVER (goal ≤ ${goal}×)`;
      return row([
        hook,
        c.name,
        v.toFixed(1),
        `${ratio.toFixed(2)}×`,
        `${(v / floorPcn).toFixed(2)}×`,
        verdict,
      ]);
    });
  } finally {
    est.close();
    fresh.close();
    raw.obj.close();
    pcn.obj.close();
  }
}

function row(cells: string[]): string {
  const widths = [4, 26, 8, 10, 12, 18];
  return cells.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new Error('the dataplane bench needs root (BPF_PROG_TEST_RUN, netdevs)');
  const devices = new PortDevices();
  try {
    console.log(
      `lbrp dataplane bench: BPF_PROG_TEST_RUN, repeat ${REPEAT}, median of ${ROUNDS} rounds, SINGLE mode`,
    );
    console.log(row(['hook', 'case', 'ns/pkt', '× floor', '× pcn floor', 'goal']));
    for (const hook of ['tc', 'xdp'] as Hook[])
      for (const line of await benchHook(hook, devices)) console.log(line);
  } finally {
    devices.cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
