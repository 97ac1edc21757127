// CPU accounting of the end-to-end bench. Every process the bench starts (servers, load
// generators, iperf3) runs in one cgroup made for the run; the cost of a metric is that cgroup's
// CPU time plus the ksoftirqd threads' (packet work deferred out of our processes' context) over
// the metric's interval. This kernel charges softirq work to the task it interrupts (tick-based
// accounting without IRQ_TIME_ACCOUNTING), so packet processing done on behalf of our senders is
// counted. The whole machine's busy time (/proc/stat) is kept too: busy − ours = what else ran.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './shell';

/** One reading of the counters, all in seconds. */
export interface CpuSnapshot {
  /** CPU time of the bench's cgroup (servers, load generators). */
  own: number;
  /** CPU time of the ksoftirqd threads. */
  softirqd: number;
  /** Busy time of the whole machine, every CPU (/proc/stat: all but idle and iowait). */
  machineBusy: number;
}

/** CPU used between two snapshots, in seconds. */
export interface CpuDelta {
  /** The bench's processes + ksoftirqd: the cost that is divided by requests or packets. */
  bench: number;
  /** The whole machine. */
  machine: number;
  /** Busy time that was not the bench's (other work competing for the CPUs). */
  foreign: number;
}

type CgroupKind = { dir: string; read: () => number };

/** Owns the run's cgroup; `wrap` makes a command start inside it. */
export class CpuMeter {
  private readonly cgroup: CgroupKind | undefined;
  private readonly tick = Number(run(['getconf', 'CLK_TCK']).trim()) || 100;
  private readonly softirqPids: number[];

  /** Creates the cgroup `name` (cgroup v1 cpuacct, else v2); without either only /proc/stat is used. */
  constructor(name: string) {
    this.cgroup = createCgroup(name);
    this.softirqPids = findKsoftirqd();
  }

  /** Whether per-process accounting is available (else `own` is always 0). */
  get precise(): boolean {
    return this.cgroup !== undefined;
  }

  /** argv that runs `argv` inside the cgroup (the shell joins it, then execs). */
  wrap(argv: string[]): string[] {
    if (!this.cgroup) return argv;
    const procs = join(this.cgroup.dir, 'cgroup.procs');
    return ['sh', '-c', `echo $$ > ${procs} && exec "$@"`, 'sh', ...argv];
  }

  /** Reads every counter now. */
  snapshot(): CpuSnapshot {
    return {
      own: this.cgroup ? this.cgroup.read() : 0,
      softirqd: this.readSoftirqd(),
      machineBusy: readMachineBusy(this.tick),
    };
  }

  /** CPU used from `a` to `b`. */
  static delta(a: CpuSnapshot, b: CpuSnapshot): CpuDelta {
    const bench = b.own - a.own + (b.softirqd - a.softirqd);
    const machine = b.machineBusy - a.machineBusy;
    return { bench, machine, foreign: Math.max(0, machine - bench) };
  }

  /** Removes the cgroup (its processes must be gone; retries for a second). Never throws. */
  remove(): void {
    if (!this.cgroup) return;
    for (let i = 0; i < 20 && existsSync(this.cgroup.dir); i++) {
      try {
        rmdirSync(this.cgroup.dir);
      } catch {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50); // processes still exiting
      }
    }
  }

  private readSoftirqd(): number {
    let ticks = 0;
    for (const pid of this.softirqPids) {
      try {
        const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15 of stat)
      } catch {
        // CPU went offline
      }
    }
    return ticks / this.tick;
  }
}

function createCgroup(name: string): CgroupKind | undefined {
  const v1 = '/sys/fs/cgroup/cpuacct';
  if (existsSync(join(v1, 'cpuacct.usage'))) {
    const dir = join(v1, name);
    mkdirSync(dir);
    return { dir, read: () => Number(readFileSync(join(dir, 'cpuacct.usage'), 'utf8')) / 1e9 };
  }
  for (const root of ['/sys/fs/cgroup', '/sys/fs/cgroup/unified']) {
    if (!existsSync(join(root, 'cgroup.procs')) || !existsSync(join(root, 'cgroup.subtree_control')))
      continue;
    const dir = join(root, name);
    mkdirSync(dir);
    const read = (): number => {
      const line = readFileSync(join(dir, 'cpu.stat'), 'utf8').match(/^usage_usec (\d+)/m);
      return line ? Number(line[1]) / 1e6 : 0;
    };
    return { dir, read };
  }
  return undefined;
}

function findKsoftirqd(): number[] {
  const pids: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/comm`, 'utf8').startsWith('ksoftirqd/')) pids.push(Number(e));
    } catch {
      // exited
    }
  }
  return pids;
}

function readMachineBusy(tick: number): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  const busy = f[0] + f[1] + f[2] + f[5] + f[6] + f[7];
  return busy / tick;
}
