// `npm run demo`, the live part: run by examples/single/run.sh (EX_HOLD) once the SINGLE example
// is up. Starts the client load (client-load.js inside the client namespace: short requests plus
// one long-lived session), then walks through backend changes made with our polycubectl while it
// redraws requests per backend beside each weight's share; then turns health checks on, stops one
// backend's server and starts it again. Exits 0 when traffic followed the weights, no request
// failed once a DOWN was seen, and the long-lived session survived every change; 1 otherwise;
// 130 on Ctrl-C.
//
// Environment (exported by examples/lib): EX_REPO EX_TMP EX_ID EX_BASE EX_LB_NS EX_CUBE EX_VIP
// EX_VPORT EX_BPORT EX_CLIENT_NSES EX_BACKENDS EX_BACKEND_ADDRS EX_BACKEND_NSES, and
// EX_HEALTH_LINK=1 when the LB namespace routes to the backends (the health steps need it);
// DEMO_STEP_SECONDS shortens every step.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  renderFrame,
  renderPlainLine,
  renderStepSummary,
  isDown,
  sessionAlive,
  type BackendRow,
  type Frame,
  type SessionState,
} from './live-table';
import { FAIL_DETECT_MS, RECOVER_MS, UP_WAIT_MS, healthSummary, type HealthFigures } from './health-summary';

/** One client report (see client-load.js). */
interface LoadReport {
  counts: Record<string, number>;
  errors: number;
  stream: SessionState;
}

/** Where a step's watched window starts: counts then, and when. */
interface Window {
  base: Record<string, number>;
  baseErrors: number;
  stepStart: number;
  doneMs: number;
  totalMs: number;
}

/** One step of the walk-through. */
interface Step {
  title: string;
  /** polycubectl words, or none for a step that only watches. */
  command?: string[];
  seconds: number;
  /**
   * Runs after the command and before the watched window (the health steps act and wait for a
   * state here); false stops the walk-through (it recorded why).
   */
  prepare?: () => Promise<boolean>;
  /** Runs just before the watched window starts (after the settle). */
  onWindow?: () => Promise<void>;
  /** Checks beyond check() on the window's last frame. */
  judge?: (f: Frame, w: Window) => Promise<void>;
}

/** A backend as polycubectl shows it. */
interface BackendInfo {
  weight: number;
  health: string;
  sessions: number;
}

function env(name: string): string {
  const v = process.env[name];
  if (v === undefined) throw new Error(`${name} is not set: run the demo with npm run demo`);
  return v;
}

/** Requests are counted from this long after a change, so none still in flight is misread. */
const SETTLE_MS = 500;
/** Redraw period on a terminal, and line period otherwise. */
const TTY_FRAME_MS = 250;
const PLAIN_LINE_MS = 2000;
/**
 * How long a step's end waits for the long-lived session to speak again when it fell silent. A
 * busy host can stall a stream for seconds; only a session that closed, moved, or stays silent
 * this long (its packets go nowhere) counts as lost, so the check does not race the clock.
 */
const SESSION_GRACE_MS = 15_000;

/** How long to wait for the daemon's next counter read (it caches them for 1 s by default). */
const COUNTERS_WAIT_MS = 5_000;
/** How long a stopped server may take to exit. */
const EXIT_WAIT_MS = 5_000;

/** True when process `pid` has exited (gone, or a zombie not yet reaped). */
function gone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class Demo {
  private readonly repo = env('EX_REPO');
  private readonly lbNs = process.env.EX_LB_NS ?? '';
  private readonly cube = env('EX_CUBE');
  private readonly service = [env('EX_VIP'), env('EX_VPORT'), 'TCP'];
  private readonly names = env('EX_BACKENDS').split(' ');
  private readonly addresses = env('EX_BACKEND_ADDRS').split(' ');
  private readonly tty = process.stdout.isTTY === true;
  private readonly stepSeconds = Number(process.env.DEMO_STEP_SECONDS ?? '0');
  private load: ChildProcess | undefined;
  private latest: LoadReport | undefined;
  /** When `latest` arrived (its `sinceMs` counts back from about then). */
  private reportedAt = 0;
  private drawn = 0;
  private failures: string[] = [];
  /** The service's backends by address, as backend-watch.js last saw them. */
  private readonly pool = new Map<string, BackendInfo>();
  private poolSeen = false;
  /** Bumped when the pool's session counters change: the daemon read them from the kernel again. */
  private countersRead = 0;
  private watcher: ChildProcess | undefined;
  /** The backend server started again in step 8 (ours to stop). */
  private restarted: ChildProcess | undefined;
  private readonly figures: HealthFigures = {};

  /** Runs `polycubectl words…` against the example's polycubed; resolves with its output. */
  private ctl(words: string[]): Promise<{ code: number; out: string }> {
    const argv = [
      ...(this.lbNs ? ['ip', 'netns', 'exec', this.lbNs] : []),
      process.execPath,
      `${this.repo}/bin/polycubectl.js`,
      ...words,
    ];
    return new Promise((resolve) => {
      const child = spawn(argv[0], argv.slice(1), {
        env: { ...process.env, HOME: `${env('EX_TMP')}/home` },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => resolve({ code: code ?? 1, out }));
    });
  }

  /** Configured weights by backend address (a removed backend is absent). */
  private weights(): Map<string, number> {
    return new Map([...this.pool].map(([ip, b]) => [ip, b.weight]));
  }

  /** A backend's health ("up", "down", "unknown"; undefined when it is not configured). */
  private healthOf(ip: string): string | undefined {
    return this.pool.get(ip)?.health;
  }

  /** Follows the pool through backend-watch.js, run where the REST API is. */
  private startWatcher(): void {
    const url = `${env('EX_BASE')}lbrp/${this.cube}/service/${this.service.join('/')}/backend/`;
    const argv = [
      ...(this.lbNs ? ['ip', 'netns', 'exec', this.lbNs] : []),
      process.execPath,
      `${this.repo}/examples/demo/backend-watch.js`,
      url,
    ];
    this.watcher = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.watcher.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      try {
        const p = JSON.parse(line) as Record<string, BackendInfo>;
        const sessions = (m: Iterable<BackendInfo>): number => [...m].reduce((n, b) => n + b.sessions, 0);
        if (sessions(Object.values(p)) !== sessions(this.pool.values())) this.countersRead++;
        this.pool.clear();
        for (const [ip, b] of Object.entries(p)) this.pool.set(ip, b);
        this.poolSeen = true;
      } catch {
        // not a report
      }
    });
  }

  /** Polls (bounded) until `ok()` holds; resolves with the time it took, or undefined. */
  private async until(ok: () => boolean, limitMs: number): Promise<number | undefined> {
    const start = Date.now();
    while (!ok()) {
      if (Date.now() - start > limitMs) return undefined;
      await sleep(20);
    }
    return Date.now() - start;
  }

  /** The example HTTP server's processes inside `ns` (a namespace of this run). */
  private serverPids(ns: string): number[] {
    const out = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' });
    return out
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(Number)
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('http-backend.js');
        } catch {
          return false; // gone meanwhile
        }
      });
  }

  /** Steps 6–8: health checks on, one backend's server stopped, then started again. */
  private healthSteps(session: string): Step[] {
    const victim = this.names.find((n) => n !== session) ?? session;
    const k = this.names.indexOf(victim);
    const ip = this.addresses[k];
    const ns = env('EX_BACKEND_NSES').split(' ')[k];
    const secs = this.stepSeconds > 0 ? this.stepSeconds : 6;
    const hc = [this.cube, 'service', ...this.service, 'health-check', 'set'];
    const fig = this.figures;
    fig.backend = victim;
    let errorsAtStart = 0;
    let sessionsAtWindow = 0;
    const errorsNow = (): number => this.latest?.errors ?? 0;
    // The daemon caches counters for a second (--stats-ttl): wait for a read newer than now.
    const sessionsNow = async (): Promise<number> => {
      const seen = this.countersRead;
      await this.until(() => this.countersRead > seen, COUNTERS_WAIT_MS);
      return this.pool.get(ip)?.sessions ?? 0;
    };
    return [
      {
        title: 'health checks on (TCP every 200 ms, fall 2, rise 2): every backend is up',
        command: [...hc, 'type=TCP', 'interval=200', 'fall=2', 'rise=2'],
        seconds: secs,
        prepare: async () => {
          const allUp = (): boolean => this.addresses.every((a) => this.healthOf(a) === 'up');
          const took = await this.until(allUp, UP_WAIT_MS);
          if (took === undefined) {
            const states = this.addresses.map((a) => `${a} ${this.healthOf(a) ?? '?'}`).join(', ');
            this.failures.push(`step 6: not every backend is up after ${UP_WAIT_MS / 1000} s (${states})`);
            return false;
          }
          this.print(`  every backend up ${took} ms after the command`);
          return true;
        },
      },
      {
        title: `stop ${victim}'s server: DOWN, out of the pool, no request fails after that`,
        seconds: secs,
        prepare: async () => {
          const pids = this.serverPids(ns);
          this.print(` $ ip netns exec ${ns} kill ${pids.join(' ')}    (${victim}'s HTTP server)`);
          if (pids.length === 0) {
            this.failures.push(`step 7: no HTTP server found in ${ns}`);
            return false;
          }
          errorsAtStart = errorsNow();
          for (const pid of pids) process.kill(pid, 'SIGTERM');
          // Detection counts from the server's exit (its listener gone), not from the signal: a
          // busy host can take a while to run node's exit.
          if ((await this.until(() => pids.every(gone), EXIT_WAIT_MS)) === undefined) {
            this.failures.push(`step 7: ${victim}'s server did not exit within ${EXIT_WAIT_MS / 1000} s`);
            return false;
          }
          const took = await this.until(() => this.healthOf(ip) === 'down', FAIL_DETECT_MS);
          if (took === undefined) {
            this.failures.push(
              `step 7: ${victim} is not DOWN ${FAIL_DETECT_MS / 1000} s after its server exited`,
            );
            return false;
          }
          fig.downMs = took;
          return true;
        },
        onWindow: async () => {
          sessionsAtWindow = await sessionsNow();
        },
        judge: async (f, w) => {
          // Everything up to the window (the DOWN seen, plus the settle) failed before detection.
          fig.failedBefore = w.baseErrors - errorsAtStart;
          fig.failedAfter = f.errors;
          fig.newSessionsAfter = (await sessionsNow()) - sessionsAtWindow;
          this.print(
            `  ${victim} DOWN after ${fig.downMs} ms; ${fig.failedBefore} requests failed before ` +
              `detection, ${fig.failedAfter} after; ${fig.newSessionsAfter} new sessions to ${victim} after`,
          );
          if (fig.newSessionsAfter !== 0)
            this.failures.push(`step 7: ${victim} got ${fig.newSessionsAfter} new sessions after its DOWN`);
          if (this.healthOf(ip) !== 'down') this.failures.push(`step 7: ${victim} did not stay DOWN`);
        },
      },
      {
        title: `start ${victim}'s server again: UP, and it takes new sessions again`,
        seconds: secs,
        prepare: async () => {
          this.print(` $ ip netns exec ${ns} node examples/lib/http-backend.js ${victim} ${env('EX_BPORT')}`);
          errorsAtStart = errorsNow();
          // EX_ID on its command line: the examples' leftover checks would find it if it outlived us.
          const script = `${this.repo}/examples/lib/http-backend.js`;
          this.restarted = spawn(
            'ip',
            ['netns', 'exec', ns, process.execPath, script, victim, env('EX_BPORT'), env('EX_ID')],
            { stdio: 'ignore' },
          );
          const took = await this.until(() => this.healthOf(ip) === 'up', RECOVER_MS);
          if (took === undefined) {
            this.failures.push(`step 8: ${victim} is not UP ${RECOVER_MS / 1000} s after its server started`);
            return false;
          }
          fig.upMs = took;
          return true;
        },
        judge: async (f, w) => {
          fig.failedRecovery = w.baseErrors - errorsAtStart + f.errors;
          fig.recoveredRequests = f.rows.find((r) => r.name === victim)?.requests ?? 0;
          this.print(
            `  ${victim} UP after ${fig.upMs} ms; ${fig.recoveredRequests} new requests to it, ` +
              `${fig.failedRecovery} failed in the whole step`,
          );
          if (fig.failedRecovery !== 0)
            this.failures.push(`step 8: ${fig.failedRecovery} requests failed while ${victim} came back`);
        },
      },
    ];
  }

  private startLoad(): void {
    const client = env('EX_CLIENT_NSES').split(' ')[0];
    const script = `${this.repo}/examples/demo/client-load.js`;
    this.load = spawn(
      'ip',
      ['netns', 'exec', client, process.execPath, script, env('EX_VIP'), env('EX_VPORT')],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    createInterface({ input: this.load.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      try {
        this.latest = JSON.parse(line) as LoadReport;
        this.reportedAt = Date.now();
      } catch {
        // not a report
      }
    });
  }

  stop(): void {
    this.load?.kill('SIGTERM');
    this.watcher?.kill('SIGTERM');
    this.restarted?.kill('SIGTERM');
    if (this.tty) process.stdout.write('\x1b[?25h');
  }

  private print(text: string): void {
    if (this.tty && this.drawn > 0) {
      process.stdout.write(`\x1b[${this.drawn}A\x1b[J`);
      this.drawn = 0;
    }
    process.stdout.write(text + '\n');
  }

  private draw(frame: Frame): void {
    if (!this.tty) return;
    const lines = renderFrame(frame);
    const up = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    process.stdout.write(up + lines.map((l) => `\x1b[2K${l}`).join('\n') + '\n');
    this.drawn = lines.length;
  }

  /** The walk-through, built around the backend holding the session and the weights at the start. */
  private steps(session: string, initial: Map<string, number>): Step[] {
    const s = this.addresses[this.names.indexOf(session)];
    const other = this.names.find((n) => n !== session) ?? session;
    const o = this.addresses[this.names.indexOf(other)];
    const [ws, wo] = [initial.get(s) ?? 1, initial.get(o) ?? 1];
    const backend = [this.cube, 'service', ...this.service, 'backend'];
    const secs = (normal: number): number => (this.stepSeconds > 0 ? this.stepSeconds : normal);
    return [
      { title: 'steady: new sessions spread by weight', seconds: secs(7) },
      {
        title: `drain ${session} (weight 0): no new sessions there; the open session stays`,
        command: [...backend, s, 'set', 'weight=0'],
        seconds: secs(7),
      },
      {
        title: `remove ${other}: it leaves the pool`,
        command: [...backend, 'del', o],
        seconds: secs(6),
      },
      {
        title: `add ${other} back (weight ${wo})`,
        command: [...backend, 'add', o, `port=${env('EX_BPORT')}`, `weight=${wo}`, `name=${other}`],
        seconds: secs(6),
      },
      {
        title: `restore ${session} to weight ${ws}: back to the start`,
        command: [...backend, s, 'set', `weight=${ws}`],
        seconds: secs(6),
      },
    ];
  }

  async run(): Promise<number> {
    this.startLoad();
    this.startWatcher();
    // Generous: on a busy host the client's node and the backends can be slow to start.
    const deadline = Date.now() + 60_000;
    while (!(this.latest && this.latest.stream.lines > 0 && this.poolSeen)) {
      if (Date.now() > deadline) {
        const why = this.poolSeen
          ? (this.latest?.stream.error ?? 'no answer')
          : 'no backend list from the API';
        this.print(`the long-lived session did not start: ${why}`);
        return 1;
      }
      await sleep(100);
    }
    const session = this.latest.stream.backend;
    const healthPath = process.env.EX_HEALTH_LINK === '1';
    const steps = [...this.steps(session, this.weights()), ...(healthPath ? this.healthSteps(session) : [])];
    if (!healthPath)
      this.print('no route from the daemon to the backends (EX_URL): the health steps are skipped');
    const totalMs = steps.reduce((s, x) => s + x.seconds * 1000, 0);
    this.print(`long-lived session: GET http://${env('EX_VIP')}/stream, served by ${session}`);
    if (this.tty) process.stdout.write('\x1b[?25l');
    let doneMs = 0;
    for (const [i, step] of steps.entries()) {
      this.print(`\n step ${i + 1}/${steps.length}: ${step.title}`);
      if (step.command) {
        this.print(` $ polycubectl ${step.command.join(' ')}`);
        const r = await this.ctl(step.command);
        if (r.code !== 0) {
          this.failures.push(`step ${i + 1}: polycubectl failed: ${r.out.trim()}`);
          this.print(` polycubectl failed (${r.code}): ${r.out.trim()}`);
          break;
        }
      }
      if (step.prepare && !(await step.prepare())) break;
      await sleep(SETTLE_MS);
      const weights = this.weights();
      await step.onWindow?.();
      const base = { ...(this.latest?.counts ?? {}) };
      const baseErrors = this.latest?.errors ?? 0;
      const stepStart = Date.now();
      const stepEnd = stepStart + step.seconds * 1000;
      let lastPlain = 0;
      const at: Window = { base, baseErrors, stepStart, doneMs, totalMs };
      let frame = this.frame(i, steps, step, weights, at);
      while (Date.now() < stepEnd) {
        await sleep(TTY_FRAME_MS);
        frame = this.frame(i, steps, step, weights, at);
        this.draw(frame);
        if (!this.tty && Date.now() - lastPlain >= PLAIN_LINE_MS) {
          lastPlain = Date.now();
          this.print(renderPlainLine(frame));
        }
      }
      // The session must have spoken since the step began; a slow host gets a grace period.
      await this.awaitSessionLine(stepStart);
      frame = this.frame(i, steps, step, weights, at);
      // On a terminal the last table stays on screen; every step leaves its summary line.
      if (this.tty && i === steps.length - 1) this.print(renderFrame(frame).join('\n'));
      this.print(renderStepSummary(frame));
      this.check(i + 1, frame);
      await step.judge?.(frame, at);
      doneMs += step.seconds * 1000;
    }
    return this.finish(session);
  }

  /** Waits (bounded) until the open session's latest line is newer than `sinceMs` and alive. */
  private async awaitSessionLine(since: number): Promise<void> {
    const deadline = Date.now() + SESSION_GRACE_MS;
    const fresh = (): boolean => {
      const r = this.latest;
      if (!r || !r.stream.open) return true; // closed: nothing to wait for, check() reports it
      return sessionAlive(r.stream) && this.reportedAt - r.stream.sinceMs > since;
    };
    while (!fresh() && Date.now() < deadline) await sleep(100);
  }

  private frame(i: number, steps: Step[], step: Step, weights: Map<string, number>, at: Window): Frame {
    const { base, baseErrors, stepStart, doneMs, totalMs } = at;
    const inStep = Math.min(step.seconds * 1000, Date.now() - stepStart);
    const now = this.latest ?? {
      counts: {},
      errors: 0,
      stream: { backend: '', lines: 0, sinceMs: -1, maxGapMs: 0, open: false },
    };
    const rows: BackendRow[] = this.names.map((name, k) => ({
      name,
      address: this.addresses[k],
      weight: weights.get(this.addresses[k]),
      requests: (now.counts[name] ?? 0) - (base[name] ?? 0),
      health: this.healthOf(this.addresses[k]),
    }));
    const total = rows.reduce((s, r) => s + r.requests, 0);
    return {
      step: i + 1,
      steps: steps.length,
      title: step.title,
      elapsedMs: doneMs + inStep,
      totalMs,
      rows,
      errors: now.errors - baseErrors,
      rate: total / Math.max(0.001, (Date.now() - stepStart) / 1000),
      session: now.stream,
    };
  }

  /**
   * Traffic followed the weights in this step: none to weight 0, removed or DOWN backends, some to
   * the others.
   */
  private check(step: number, f: Frame): void {
    const total = f.rows.reduce((s, r) => s + r.requests, 0);
    if (total === 0) this.failures.push(`step ${step}: no request was answered`);
    for (const r of f.rows) {
      const w = isDown(r) ? 0 : (r.weight ?? 0);
      if (w === 0 && r.requests > 0)
        this.failures.push(
          `step ${step}: ${r.name} (${isDown(r) ? 'DOWN' : `weight ${r.weight ?? 'none'}`}) got ${r.requests} new sessions`,
        );
      if (w > 0 && r.requests === 0) this.failures.push(`step ${step}: ${r.name} got no request`);
    }
    if (f.errors > 0) this.failures.push(`step ${step}: ${f.errors} requests failed`);
    if (!sessionAlive(f.session)) this.failures.push(`step ${step}: the long-lived session is not alive`);
  }

  private finish(session: string): number {
    const s = this.latest?.stream;
    if (s && s.backend !== session) this.failures.push(`the session moved from ${session} to ${s.backend}`);
    this.print('');
    if (this.failures.length > 0) {
      for (const f of this.failures) this.print(`demo: ${f}`);
      return 1;
    }
    this.print(
      `demo: OK: new sessions followed the weights at every step, and the session opened at the start ` +
        `stayed on ${session} through every change (${s?.lines ?? 0} lines, longest gap ` +
        `${((s?.maxGapMs ?? 0) / 1000).toFixed(1)} s)${healthSummary(this.figures)}`,
    );
    return 0;
  }
}

const demo = new Demo();
process.on('SIGINT', () => {
  demo.stop();
  process.stdout.write('\ninterrupted\n');
  process.exit(130);
});
process.on('SIGTERM', () => {
  demo.stop();
  process.exit(143);
});
demo
  .run()
  .then((code) => {
    demo.stop();
    process.exit(code);
  })
  .catch((e: unknown) => {
    demo.stop();
    process.stderr.write(`demo: ${(e as Error).message}\n`);
    process.exit(1);
  });
