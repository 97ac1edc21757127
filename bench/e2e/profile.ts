// CPU profiles of the end-to-end bench's loads (`--profile`): `perf record` of every CPU while one
// load runs, read back with `perf script` and counted by leaf symbol, by area and by command. Used
// only by the extra, unmeasured pass after the measured rounds (harness.ts), so the figures never
// see it; profile-report.ts turns the profiles into Markdown.

import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PeerName } from './config';
import type { LoadName, LoadWatcher } from './measure';
import { runAsync } from './shell';

/** perf as Debian installs it (linux-perf); without it profiling is skipped with a note. */
export const PERF = '/usr/bin/perf';

/** Samples per second and CPU: 999, not 1000, so sampling does not beat in step with the tick. */
export const PERF_FREQ = 999;

/** One sample: the command that ran and its call stack, leaf (where the CPU was) first. */
export interface Sample {
  comm: string;
  stack: string[];
}

/** Areas a leaf symbol is counted in; the first pattern that matches wins, `other` takes the rest. */
export const AREAS = [
  ['bpf programs', /^bpf_prog_/],
  ['checksum', /csum|checksum/],
  ['copy', /memcpy|memmove|copy|^rep_movs/],
  [
    'skb alloc/free',
    /alloc_skb|^_*kfree_skb|^skb_release|slab|page|^kmem_cache|^_*kmalloc|^kfree$|build_skb|skb_free_head|consume_skb|^pskb_expand_head$/,
  ],
  ['GRO/GSO', /(^|_)(gro|gso)(_|$)|^skb_segment$/],
  ['netfilter/conntrack', /^_*(nf_|nft_|ipt_)|conntrack/],
  ['veth', /^_*veth_/],
  ['XDP', /xdp/],
  ['routing', /^_*(fib\d*_|ip_route_)/],
  ['TCP', /^_*tcp_/],
  ['UDP', /^_*udp_/],
  ['other', /(?:)/],
] as const satisfies readonly (readonly [string, RegExp])[];
export type AreaName = (typeof AREAS)[number][0];

/**
 * Frames counted wherever they are in the stack (inclusive: the function and all it calls), for
 * the questions the leaf view cannot answer, e.g. "how much runs inside the BPF program".
 */
export const INCLUSIVE = [
  ['BPF program (with the helpers it calls)', /^bpf_prog_/],
  ['pskb_expand_head', /^pskb_expand_head$/],
  ['software GSO (skb_segment)', /^skb_segment$/],
  ['software checksum (skb_checksum_help)', /^skb_checksum_help$/],
  ['netfilter hooks (nf_hook_slow)', /^nf_hook_slow$/],
  ['veth_xdp_rcv', /^veth_xdp_rcv$/],
  ['skb copied into page_pool pages for XDP (skb_pp_cow_data)', /^skb_pp_cow_data$/],
  ['xdp_frame ⇄ skb', /^_*xdp_(convert_|build_skb)/],
  ['page_pool', /^page_pool_/],
] as const satisfies readonly (readonly [string, RegExp])[];

/** Leaf symbols of an idle CPU (the idle loop waiting for work). */
const IDLE_LEAF =
  /^(pv_native_safe_halt|native_safe_halt|acpi_safe_halt|default_idle|arch_cpu_idle|poll_idle|cpu_idle_poll|mwait_idle\w*|intel_idle\w*|acpi_idle\w*)$/;
/** Frames of softirq work: with one in the stack, a `swapper` sample is packet work, not idle. */
const SOFTIRQ_FRAME = /^(handle_softirqs|__do_softirq|net_rx_action|do_softirq\w*)$/;

/**
 * Leaf symbols where interrupts come back on. cpu-clock (a timer interrupt) cannot sample while
 * they are off, so the work of the critical section before lands here; its caller says whose.
 */
const IRQ_ON_LEAF = /^_raw_(spin|read|write)_unlock_irq(restore)?$/;

/**
 * Commands of the bench's own work: the load generators and servers (native/*.c), iperf3, and
 * the softirq threads; the same processes the bench's CPU figures count (cpu-meter.ts). Anything
 * else (an editor, a test run, polycubed idling) is other work on a shared machine.
 */
export const BENCH_COMM = /^(loadgen|server|iperf3|ksoftirqd\/\d+)$/;

/** A name and how many busy samples it had. */
export interface Count {
  name: string;
  samples: number;
}

/** What a profile's samples add up to: total = idle + profiler + other + busy. */
export interface ProfileSummary {
  /** Every sample, all CPUs. */
  total: number;
  /**
   * Idle samples: an idle leaf symbol, or `swapper` without softirq work in the stack. A lower
   * bound: a tickless idle CPU takes few cpu-clock samples.
   */
  idle: number;
  /** Samples of perf itself (comm `perf`). */
  profiler: number;
  /** Busy samples of other work (commands not matching the bench's), by `otherComms`. */
  other: number;
  /** Other work by command, most first. */
  otherComms: Count[];
  /**
   * Busy samples of the bench's work: its commands, and softirq work on an otherwise idle CPU
   * (`swapper`). Every share below is of these.
   */
  busy: number;
  /** Busy samples by leaf symbol, most first (ties by name, code-point order). */
  symbols: Count[];
  /** Busy samples by area of the leaf symbol, in AREAS order; they add up to `busy`. */
  areas: Record<AreaName, number>;
  /** Busy samples with an INCLUSIVE frame anywhere in the stack, by its label. */
  inclusive: Record<string, number>;
  /** Busy samples by command (`swapper` here is softirq work done on an otherwise idle CPU). */
  comms: Count[];
  /**
   * Busy samples whose leaf is where interrupts come back on (IRQ_ON_LEAF), by the first caller
   * that is not a lock function: the interrupts-off work cpu-clock could only see at its end.
   */
  irqOnCallers: Count[];
}

/** One load of one peer, profiled. */
export interface LoadProfile {
  peer: PeerName;
  load: LoadName;
  /** Seconds perf recorded (the load's whole run, warm-up included). */
  seconds: number;
  /** Units of work of the load's whole run (LOAD_WORK in measure.ts says which). */
  work: number;
  summary: ProfileSummary;
}

/**
 * Parses `perf script -F comm,ip,sym` output of a `-g` recording: a sample is an unindented
 * command line followed by indented `address symbol` frames, leaf first. Pure.
 */
export function parsePerfScript(text: string): Sample[] {
  const samples: Sample[] = [];
  let cur: Sample | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim()) {
      cur = undefined;
    } else if (/^\s/.test(line)) {
      const m = line.match(/^\s+[0-9a-f]+\s+(.*)$/);
      if (cur && m) cur.stack.push(m[1].trim() || '[unknown]');
    } else {
      cur = { comm: line.trim(), stack: [] };
      samples.push(cur);
    }
  }
  return samples;
}

/** The area of a leaf symbol (first AREAS pattern that matches). Pure. */
export function areaOf(symbol: string): AreaName {
  return AREAS.find(([, re]) => re.test(symbol))![0];
}

/**
 * Counts samples into idle, profiler, other work and the bench's busy samples (those whose
 * command matches `benchComm`, or softirq work of `swapper`), and the busy ones by leaf symbol,
 * area, inclusive frame and command. Pure.
 */
export function summarizeSamples(samples: Sample[], benchComm: RegExp = BENCH_COMM): ProfileSummary {
  const areas = Object.fromEntries(AREAS.map(([a]) => [a, 0])) as Record<AreaName, number>;
  const inclusive = Object.fromEntries(INCLUSIVE.map(([l]) => [l, 0])) as Record<string, number>;
  const symbols = new Map<string, number>();
  const comms = new Map<string, number>();
  const otherComms = new Map<string, number>();
  const irqOnCallers = new Map<string, number>();
  let idle = 0;
  let profiler = 0;
  for (const s of samples) {
    const leaf = s.stack[0] ?? '[unknown]';
    const swapper = s.comm.startsWith('swapper');
    if (IDLE_LEAF.test(leaf) || (swapper && !s.stack.some((f) => SOFTIRQ_FRAME.test(f)))) {
      idle++;
      continue;
    }
    if (s.comm === 'perf') {
      profiler++;
      continue;
    }
    if (!swapper && !benchComm.test(s.comm)) {
      otherComms.set(s.comm, (otherComms.get(s.comm) ?? 0) + 1);
      continue;
    }
    symbols.set(leaf, (symbols.get(leaf) ?? 0) + 1);
    comms.set(s.comm, (comms.get(s.comm) ?? 0) + 1);
    areas[areaOf(leaf)]++;
    if (IRQ_ON_LEAF.test(leaf)) {
      const caller = s.stack.find((f, i) => i > 0 && !/^_raw_|spin_unlock/.test(f)) ?? '[unknown]';
      irqOnCallers.set(caller, (irqOnCallers.get(caller) ?? 0) + 1);
    }
    for (const [label, re] of INCLUSIVE) if (s.stack.some((f) => re.test(f))) inclusive[label]++;
  }
  return {
    total: samples.length,
    idle,
    profiler,
    other: sum(otherComms),
    otherComms: sortCounts(otherComms),
    busy: sum(comms),
    symbols: sortCounts(symbols),
    areas,
    inclusive,
    comms: sortCounts(comms),
    irqOnCallers: sortCounts(irqOnCallers),
  };
}

function sum(m: Map<string, number>): number {
  return [...m.values()].reduce((a, b) => a + b, 0);
}

function sortCounts(m: Map<string, number>): Count[] {
  return [...m]
    .map(([name, samples]) => ({ name, samples }))
    .sort((a, b) => b.samples - a.samples || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Records a system-wide profile of each load it watches (perf.data in `tmpDir`, removed once
 * read). After the first failure of perf it stops profiling and keeps the reason in `note`;
 * the loads themselves always run.
 */
export class Profiler {
  /** Every load profiled so far, in the order they ran. */
  readonly profiles: LoadProfile[] = [];
  /** Why profiling stopped (or never started), if it did. */
  note: string | undefined;

  constructor(private readonly tmpDir: string) {
    if (!existsSync(PERF)) this.note = `${PERF} not found (Debian: apt-get install linux-perf)`;
  }

  /** A watcher for `measurePeer` that profiles each load of `peer`. */
  watcher(peer: PeerName): LoadWatcher {
    return (load, seconds) => {
      if (this.note) return async () => {};
      const file = join(this.tmpDir, `perf-${peer}-${load}.data`);
      const argv = [PERF, 'record', '-e', 'cpu-clock', '-F', `${PERF_FREQ}`, '-a', '-g', '-o', file];
      const recording = runAsync([...argv, '--', 'sleep', `${seconds}`], (seconds + 30) * 1000);
      return async (work) => {
        try {
          await this.read(peer, load, seconds, work, file, await recording);
        } finally {
          rmSync(file, { force: true });
          rmSync(`${file}.old`, { force: true });
        }
      };
    };
  }

  private async read(
    peer: PeerName,
    load: LoadName,
    seconds: number,
    work: number | undefined,
    file: string,
    rec: { code: number | null; stderr: string },
  ): Promise<void> {
    if (rec.code !== 0) {
      this.note = `perf record failed (${rec.code}): ${oneLine(rec.stderr)}`;
      return;
    }
    if (work === undefined) return; // the load failed; measurePeer reports it
    const out = await runAsync([PERF, 'script', '-F', 'comm,ip,sym', '-i', file], 300_000);
    if (out.code !== 0) {
      this.note = `perf script failed (${out.code}): ${oneLine(out.stderr)}`;
      return;
    }
    this.profiles.push({ peer, load, seconds, work, summary: summarizeSamples(parsePerfScript(out.stdout)) });
  }
}

/** The end of a command's stderr on one line, for a note. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(-300);
}
