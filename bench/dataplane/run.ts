// `npm run bench:dataplane`: ns per frame of the lbrp dataplane through BPF_PROG_TEST_RUN with
// repeat ≥ 1,000,000, for TC and XDP (SINGLE mode, production map sizes, no test trace): new
// flow, established flow, return path and non-VIP pass-through, next to two floors measured in
// the same run (bench/dataplane/floor.c: parse + redirect, raw and through the pcn runtime).
//
// BPF_PROG_TEST_RUN repeats on the same buffer, so a NAT sees its own output from the second run
// on. The configuration is therefore a real NAT that is its own inverse after two runs: service
// VIP_1:80 → backend BACKEND_1:8080, and service BACKEND_1:8080 → backend VIP_1:80. A client
// frame to VIP_1:80 becomes CLIENT_1 → BACKEND_1:8080, which the next run translates back; both
// sessions exist after two runs, so every timed run is an established flow whose destination
// address, destination port and checksums really change. Their reverse entries make the return
// path a real SNAT cycle too (BACKEND_1:8080 → CLIENT_1 becomes VIP_1:80 → CLIENT_1 and back).
// The new-flow cases use a build with LBRP_BENCH_NEW_FLOWS=1, where every run is a flow never seen
// before (session table miss, Maglev choice, the session's entries written), against the
// production 262144-entry session table, which is full after the first quarter million runs and
// from then on evicts an old entry per new one. "new flow" writes a conntrack and a reverse NAT
// entry (backends shared between services, or backend_to_vip empty); "unique backend" configures
// the cycle the way the control plane does for a backend address that serves one service: both
// backends F_BACKEND_UNIQUE, backend_to_vip naming their services, so a new flow writes its
// conntrack entry only and a reply is found through backend_to_vip and that entry (the return
// cycle's two sessions both resolve that way). "2M-entry table" is the two-entry case against a
// table 8 times the production size (80 MB): the cost of the one random memory access a new flow
// makes grows with the table (TLB and cache reach), and this row shows by how much. "later
// fragment" is a non-first fragment of the cycle whose two first fragments were seen (primed), so
// every run is a frag_track hit and an address rewrite (trees without frag.h skip it). Timing goals
// live here, never in tests: established and return ≤ 4× the floor, new flow ≤ 8×.
//
// TC checksums: test-run skbs are CHECKSUM_NONE, for which the runtime updates the L4 checksum
// without a helper call; the "established, skb csum helper" row is built with the CHECKSUM_COMPLETE
// path forced (PCN_TEST_IP_SUMMED=2: one bpf_l4_csum_replace per frame), the cost for NICs that
// hand over CHECKSUM_COMPLETE skbs and for CHECKSUM_PARTIAL ones (veth, local senders).
//
// Env: LBRP_BENCH_REPEAT (default 1000000), LBRP_BENCH_ROUNDS (default 5; the median is shown,
// and the spread (max − min) / median of the rounds), LBRP_BENCH_BASELINE=<git revision>: also
// measures that revision's dataplane/ and bench/dataplane/floor.c (or those under a directory),
// interleaved round by round with the working tree, and prints before/after side by side (same
// floor, same run of the machine). LBRP_BENCH_CASES=<regexp>: only the matching cases (floors
// always).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { compileBpf } from '../../src/polycubed/runtime/bpf-compile';
import { loadObject, LoadedObject } from '../../src/polycubed/runtime/bpf-object';
import { buildSkbCtx, buildXdpMd, testRun } from '../../src/polycubed/runtime/prog-test-run';
import {
  encodeU32,
  F_BACKEND_ACTIVE,
  F_BACKEND_UNIQUE,
  IPPROTO,
  MAX_DEFAULTS,
} from '../../src/lbrp/dataplane/map-layouts';
import { BACKEND_1, CLIENT_1, SERVER_PLAIN, VIP_1 } from '../../test/fixtures/addresses';
import { firstFragment, fragmentOf, tcp } from '../../test/fixtures/packets';
import {
  CACHE_DIR,
  Hook,
  LbrpUnderTest,
  PortDevices,
  PORTS,
  REPO,
  writeIfindexPorts,
} from '../../test/kernel/dataplane/lbrp-harness';

const REPEAT = Number(process.env.LBRP_BENCH_REPEAT ?? 1_000_000);
const ROUNDS = Number(process.env.LBRP_BENCH_ROUNDS ?? 5);
const BASELINE = process.env.LBRP_BENCH_BASELINE;
/** LBRP_BENCH_CASES: a regular expression; only matching cases (and the floors) are measured. */
const CASES = new RegExp(process.env.LBRP_BENCH_CASES ?? '.');
const FLOOR = 'floor (parse + redirect)';
const FLOOR_PCN = 'floor via pcn runtime';
const NEW = 'new flow';
const NEW_BIG = 'new flow, 2M-entry table';
const EST = 'established';
const EST_HELPER = 'established, skb csum helper';
const RET = 'return path';
const NEW_U = 'new flow, unique backend';
const RET_U = 'return via backend_to_vip';
const FRAG = 'later fragment (frag_track hit)';
const GOALS: Record<string, number> = {
  [NEW]: 8,
  [NEW_U]: 8,
  [EST]: 4,
  [EST_HELPER]: 4,
  [RET]: 4,
  [RET_U]: 4,
  [FRAG]: 4,
};
/** Session table entries of the NEW_BIG build: 8 × the production table. */
const BIG_SESSIONS = 1 << 21;
const PRODUCTION_SIZES = { ...MAX_DEFAULTS, PCN_TEST_TRACE: 0 };

/** A dataplane source tree: the working tree, or a baseline revision extracted to a temp dir. */
interface Tree {
  label: string;
  lbrpSource: string;
  floorSource: string;
}

/** One timed case of one tree: a program, the frame it gets and the netdev it arrives on. */
interface Case {
  progFd: number;
  frame: Buffer;
  ifindex: number;
}

/** Whether a tree's dataplane translates later fragments (frag.h; a baseline may predate it). */
function hasFragTrack(tree: Tree): boolean {
  return existsSync(join(dirname(tree.lbrpSource), 'frag.h'));
}

/** Whether a tree's dataplane has backend_to_vip (a baseline may predate it). */
function hasBackendToVip(tree: Tree): boolean {
  return readFileSync(join(dirname(tree.lbrpSource), 'lbrp_maps.h'), 'utf8').includes('backend_to_vip');
}

/**
 * An lbrp with the two-service NAT cycle of the header, its sessions not yet created; `unique`:
 * both backends F_BACKEND_UNIQUE and backend_to_vip naming their services.
 */
async function loadCycle(
  tree: Tree,
  hook: Hook,
  devices: PortDevices,
  extra: Record<string, number>,
  unique = false,
): Promise<LbrpUnderTest> {
  const lb = await LbrpUnderTest.load(
    hook,
    'single',
    devices,
    { ...PRODUCTION_SIZES, ...extra },
    tree.lbrpSource,
  );
  const flags = F_BACKEND_ACTIVE | (unique ? F_BACKEND_UNIQUE : 0);
  const backend = { id: 1, ip: BACKEND_1, port: 8080, flags };
  const vipAsBackend = { id: 2, ip: VIP_1, port: 80, flags };
  const tcpTo = (ip: string, port: number) => ({ ip, port, proto: IPPROTO.TCP });
  lb.configure({
    backendVips: unique
      ? [
          { backend: tcpTo(BACKEND_1, 8080), service: { vip: VIP_1, vport: 80, flags: 0, serviceId: 1 } },
          { backend: tcpTo(VIP_1, 80), service: { vip: BACKEND_1, vport: 8080, flags: 0, serviceId: 2 } },
        ]
      : [],
    services: [
      {
        vip: VIP_1,
        vport: 80,
        proto: IPPROTO.TCP,
        id: 1,
        slotBase: 0,
        slots: new Array<number>(65537).fill(1),
      },
      {
        vip: BACKEND_1,
        vport: 8080,
        proto: IPPROTO.TCP,
        id: 2,
        slotBase: 65537,
        slots: new Array<number>(65537).fill(2),
      },
    ],
    backends: [backend, vipAsBackend],
    frontendIps: {},
  });
  // The session policy a synced cube runs with (a baseline may ignore it): keyed buckets, idle
  // timeouts in every slot, and an admission limit far above the bench's rate, so the token bucket
  // is paid for on every new flow but never refuses.
  if (lb.obj.maps().some((m) => m.name === 'session_config'))
    lb.setSessionConfig({
      secret: [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a],
      timeouts: [20, 1200, 40, 120, 40],
      admitPerJiffyQ16: 1n << 36n,
      admitBurstQ16: 1n << 40n,
    });
  return lb;
}

async function loadFloor(
  tree: Tree | undefined,
  hook: Hook,
  ifindex: number,
): Promise<{ obj: LoadedObject; fd: number }> {
  const runtime = tree !== undefined;
  const defines = { PCN_XDP: hook === 'xdp' ? 1 : 0, FLOOR_RUNTIME: runtime ? 1 : 0, FLOOR_IFINDEX: ifindex };
  const { objPath } = await compileBpf({
    sourcePath: tree?.floorSource ?? join(__dirname, 'floor.c'),
    cacheDir: CACHE_DIR,
    werror: true,
    defines,
  });
  const obj = loadObject({ objPath });
  const name = runtime ? `pcn_entry_${hook}` : `floor_raw_${hook}`;
  if (runtime) {
    // Frames arrive on port 0 and leave through port 1, as in the lbrp cases.
    writeIfindexPorts(obj, ifindex, 0);
    obj.map('pcn_port_to_ifindex').update(encodeU32(1), encodeU32(ifindex));
  }
  return { obj, fd: obj.program(name).fd };
}

function ctxFor(hook: Hook, frame: Buffer, ifindex: number): Buffer {
  return hook === 'tc'
    ? buildSkbCtx({ ifindex, ingressIfindex: ifindex })
    : buildXdpMd(frame.length, { ingressIfindex: ifindex });
}

/** Runs `c` twice (creating what it needs): both runs redirect and the frame comes back as it was. */
function prime(hook: Hook, name: string, c: Case): void {
  const redirect = hook === 'tc' ? 7 : 4;
  let frame = c.frame;
  for (let i = 0; i < 2; i++) {
    const once = testRun(c.progFd, { data: frame, ctxIn: ctxFor(hook, frame, c.ifindex) });
    if (once.retval !== redirect)
      throw new Error(`${hook} ${name}: verdict ${once.retval}, expected a redirect`);
    frame = once.data;
  }
  if (!frame.equals(c.frame)) throw new Error(`${hook} ${name}: two runs do not restore the frame`);
}

/** ns per frame of one run of REPEAT repetitions. */
function timeOnce(hook: Hook, c: Case): number {
  return testRun(c.progFd, { data: c.frame, ctxIn: ctxFor(hook, c.frame, c.ifindex), repeat: REPEAT })
    .durationNs;
}

const wanted = (name: string): boolean => name.startsWith('floor') || CASES.test(name);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs: number[]): number => (Math.max(...xs) - Math.min(...xs)) / median(xs);

/** ns per round, per case name, per tree label. */
type Samples = Map<string, Map<string, number[]>>;

function record(samples: Samples, name: string, label: string, ns: number): void {
  if (!samples.has(name)) samples.set(name, new Map());
  const byTree = samples.get(name) as Map<string, number[]>;
  byTree.set(label, [...(byTree.get(label) ?? []), ns]);
}

async function benchHook(hook: Hook, devices: PortDevices, trees: Tree[]): Promise<Samples> {
  const fe = devices.ifindex[PORTS.frontend];
  const be = devices.ifindex[PORTS.backend];
  const req = tcp(CLIENT_1, VIP_1, 80, { sport: 40000, ack: true, payload: Buffer.alloc(18) });
  const reply = tcp(BACKEND_1, CLIENT_1, 40000, { sport: 8080, ack: true, payload: Buffer.alloc(18) });
  const plain = tcp(CLIENT_1, SERVER_PLAIN, 80, { ack: true });
  // A fragmented segment of the cycle: its first fragment, sent twice, records both translations
  // (VIP_1 → BACKEND_1 and back), so every timed run of a later fragment is a frag_track hit.
  const whole = tcp(CLIENT_1, VIP_1, 80, { sport: 40001, ack: true, payload: Buffer.alloc(64) });
  const laterFrag = fragmentOf(whole, 40);
  const samples: Samples = new Map();
  const closers: Array<() => void> = [];
  try {
    const raw = await loadFloor(undefined, hook, be);
    closers.push(() => raw.obj.close());
    // Per case name: the program of each tree (same order as trees).
    const cases = new Map<string, Array<{ tree: Tree; c: Case }>>();
    const add = (name: string, tree: Tree, c: Case): void => {
      if (!wanted(name)) return;
      prime(hook, `${tree.label} ${name}`, c);
      cases.set(name, [...(cases.get(name) ?? []), { tree, c }]);
    };
    for (const tree of trees) {
      const est = await loadCycle(tree, hook, devices, {});
      closers.push(() => est.close());
      const fresh = await loadCycle(tree, hook, devices, { LBRP_BENCH_NEW_FLOWS: 1 });
      closers.push(() => fresh.close());
      if (wanted(NEW_BIG)) {
        const big = await loadCycle(tree, hook, devices, {
          LBRP_BENCH_NEW_FLOWS: 1,
          MAX_SESSIONS: BIG_SESSIONS,
        });
        closers.push(() => big.close());
        add(NEW_BIG, tree, { progFd: big.progFd, frame: req, ifindex: fe });
      }
      const pcn = await loadFloor(tree, hook, fe);
      closers.push(() => pcn.obj.close());
      add(FLOOR, tree, { progFd: raw.fd, frame: req, ifindex: fe });
      add(FLOOR_PCN, tree, { progFd: pcn.fd, frame: req, ifindex: fe });
      add(NEW, tree, { progFd: fresh.progFd, frame: req, ifindex: fe });
      add(EST, tree, { progFd: est.progFd, frame: req, ifindex: fe });
      if (hook === 'tc' && tree === trees[trees.length - 1]) {
        const helper = await loadCycle(tree, hook, devices, { PCN_TEST_IP_SUMMED: 2 });
        closers.push(() => helper.close());
        add(EST_HELPER, tree, { progFd: helper.progFd, frame: req, ifindex: fe });
      }
      add(RET, tree, { progFd: est.progFd, frame: reply, ifindex: be });
      add('non-VIP pass-through', tree, { progFd: est.progFd, frame: plain, ifindex: fe });
      if (hasFragTrack(tree) && wanted(FRAG)) {
        prime(hook, `${tree.label} first fragments`, {
          progFd: est.progFd,
          frame: firstFragment(whole, 40),
          ifindex: fe,
        });
        add(FRAG, tree, { progFd: est.progFd, frame: laterFrag, ifindex: fe });
      }
      if (hasBackendToVip(tree)) {
        const freshU = await loadCycle(tree, hook, devices, { LBRP_BENCH_NEW_FLOWS: 1 }, true);
        closers.push(() => freshU.close());
        add(NEW_U, tree, { progFd: freshU.progFd, frame: req, ifindex: fe });
      }
      if (hasBackendToVip(tree) && wanted(RET_U)) {
        const estU = await loadCycle(tree, hook, devices, {}, true);
        closers.push(() => estU.close());
        // The cycle's two sessions, without reverse_nat entries: replies resolve through
        // backend_to_vip.
        prime(hook, `${tree.label} unique sessions`, { progFd: estU.progFd, frame: req, ifindex: fe });
        const oneTable = existsSync(join(dirname(tree.lbrpSource), 'session_table.h')); // a baseline may predate it
        if (oneTable && (estU.sessions('conntrack') !== 2 || estU.sessions('reverse_nat') !== 0))
          throw new Error(`${hook} ${tree.label}: unique sessions are not conntrack-only`);
        add(RET_U, tree, { progFd: estU.progFd, frame: reply, ifindex: be });
      }
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, perTree] of cases)
        for (const { tree, c } of perTree) record(samples, name, tree.label, timeOnce(hook, c));
    }
  } finally {
    for (const close of closers.reverse()) close();
  }
  // Print order: the floors, new flows, established, return, pass-through.
  const order = [
    FLOOR,
    FLOOR_PCN,
    NEW,
    NEW_U,
    NEW_BIG,
    EST,
    EST_HELPER,
    RET,
    RET_U,
    FRAG,
    'non-VIP pass-through',
  ];
  return new Map(
    order.filter((n) => samples.has(n)).map((n) => [n, samples.get(n) as Map<string, number[]>]),
  );
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
}

function goalOf(name: string, ratio: number): string {
  const goal = GOALS[name];
  if (goal === undefined) return '';
  return ratio <= goal ? `ok (≤ ${goal}×)` : `OVER (≤ ${goal}×)`;
}

function report(hook: Hook, samples: Samples, trees: Tree[]): string[] {
  const cur = trees[trees.length - 1].label;
  // The floor program is the same for every tree: its samples are pooled, so before and after
  // ratios share one denominator.
  const floorAll = [...(samples.get(FLOOR)?.values() ?? [])].flat();
  const floorOf = (): number => median(floorAll.length ? floorAll : [NaN]);
  const floorPcn = median(samples.get(FLOOR_PCN)?.get(cur) ?? [NaN]);
  const lines: string[] = [];
  for (const [name, byTree] of samples) {
    const now = byTree.get(cur) ?? [];
    const v = median(now);
    const ratio = v / floorOf();
    if (trees.length === 1) {
      const widths = [4, 28, 8, 8, 10, 12, 14];
      lines.push(
        pad(
          [
            hook,
            name,
            v.toFixed(1),
            `±${(50 * spread(now)).toFixed(0)}%`,
            `${ratio.toFixed(2)}×`,
            `${(v / floorPcn).toFixed(2)}×`,
            goalOf(name, ratio),
          ],
          widths,
        ),
      );
    } else {
      const before = byTree.get(trees[0].label);
      const b = before ? median(before) : NaN;
      const widths = [4, 28, 8, 8, 8, 8, 8, 14];
      lines.push(
        pad(
          [
            hook,
            name,
            before ? b.toFixed(1) : '—',
            before ? `${(b / floorOf()).toFixed(2)}×` : '',
            v.toFixed(1),
            `${ratio.toFixed(2)}×`,
            before ? `${(((v - b) / b) * 100).toFixed(0)}%` : '',
            goalOf(name, ratio),
          ],
          widths,
        ),
      );
    }
  }
  return lines;
}

/** Extracts `rev`'s dataplane and floor into a temp dir (same relative layout); a directory that
 * holds dataplane/ and bench/dataplane/floor.c (a patched copy) is used as it is. */
function extractBaseline(rev: string): { tree: Tree; dir?: string } {
  if (existsSync(join(rev, 'dataplane/lbrp/lbrp.c')))
    return {
      tree: {
        label: `before (${rev})`,
        lbrpSource: join(rev, 'dataplane/lbrp/lbrp.c'),
        floorSource: join(rev, 'bench/dataplane/floor.c'),
      },
    };
  const dir = mkdtempSync(join(tmpdir(), 'lbrp-bench-base-'));
  const tar = execFileSync('git', ['-C', REPO, 'archive', rev, 'dataplane', 'bench/dataplane/floor.c']);
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  return {
    dir,
    tree: {
      label: `before (${rev})`,
      lbrpSource: join(dir, 'dataplane/lbrp/lbrp.c'),
      floorSource: join(dir, 'bench/dataplane/floor.c'),
    },
  };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new Error('the dataplane bench needs root (BPF_PROG_TEST_RUN, netdevs)');
  const current: Tree = {
    label: 'after',
    lbrpSource: join(REPO, 'dataplane/lbrp/lbrp.c'),
    floorSource: join(__dirname, 'floor.c'),
  };
  const base = BASELINE ? extractBaseline(BASELINE) : undefined;
  const trees = base ? [base.tree, current] : [current];
  const devices = new PortDevices();
  try {
    console.log(
      `lbrp dataplane bench: BPF_PROG_TEST_RUN, repeat ${REPEAT}, median of ${ROUNDS} rounds, SINGLE mode` +
        (base ? `; before = ${BASELINE}, after = working tree, interleaved per round` : ''),
    );
    console.log(
      base
        ? pad(
            ['hook', 'case', 'before', '× floor', 'after', '× floor', 'change', 'goal (after)'],
            [4, 28, 8, 8, 8, 8, 8, 14],
          )
        : pad(
            ['hook', 'case', 'ns/pkt', 'spread', '× floor', '× pcn floor', 'goal'],
            [4, 28, 8, 8, 10, 12, 14],
          ),
    );
    for (const hook of ['tc', 'xdp'] as Hook[])
      for (const line of report(hook, await benchHook(hook, devices, trees), trees)) console.log(line);
  } finally {
    devices.cleanup();
    if (base?.dir) rmSync(base.dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
