// Tracer (STYLE §2): CUBE_TRACE=change prints, for each configuration change polycubed runs, where
// its time went: waiting in the change queue, the service's answer (its gRPC round trip, during
// which the service's WriteMaps calls arrive), the kernel map writes inside those calls, and the
// wait for the state file or journal (fdatasync). Off, it costs one boolean test per change.

import { performance } from 'node:perf_hooks';

const TRACE = 'change';
/** True when CUBE_TRACE names this tracer (read once, at start). */
export const tracingChanges = (process.env.CUBE_TRACE ?? '').split(',').includes(TRACE);

/** Map writes applied by WriteMaps calls since the process started (only counted while tracing). */
const south = { ms: 0, calls: 0, writes: 0 };

/** Times one WriteMaps call's kernel work when tracing; returns what `fn` returns. */
export function timeMapWrites<T>(writes: number, fn: () => T): T {
  if (!tracingChanges) return fn();
  const t = performance.now();
  try {
    return fn();
  } finally {
    south.ms += performance.now() - t;
    south.calls++;
    south.writes += writes;
  }
}

/** Time in the journal's append (its write and fdatasync) since the process started (tracing only). */
const journal = { ms: 0, start: 0 };

/** Times one journal append when tracing; returns what `fn` returns. */
export function timeJournal<T>(fn: () => T): T {
  if (!tracingChanges) return fn();
  const t = performance.now();
  journal.start = t;
  try {
    return fn();
  } finally {
    journal.ms += performance.now() - t;
  }
}

/** One change being traced: stamps taken along its way, printed by `end`. */
export class ChangeTrace {
  private readonly t0 = performance.now();
  private readonly south0 = { ...south };
  private readonly journal0 = journal.ms;
  private started = 0;
  private served = 0;
  private forwarded = 0;

  constructor(private readonly what: string) {}

  /** The change left the queue and runs. */
  start(): void {
    this.started = performance.now();
  }

  /** Adds one forward's round trip to the service. */
  forward(ms: number): void {
    this.forwarded += ms;
  }

  /** The change is applied (the service answered); what follows is the wait for persistence. */
  applied(): void {
    this.served = performance.now();
  }

  /** Prints the line: queue, service round trip, kernel writes within it, persistence, total. */
  end(): void {
    const now = performance.now();
    const ms = (x: number): string => x.toFixed(2);
    const bpf = south.ms - this.south0.ms;
    console.log(
      `${TRACE} ${this.what}: queue ${ms(this.started - this.t0)}, run ${ms(this.served - this.started)}` +
        ` (service ${ms(this.forwarded)}, bpf ${ms(bpf)} in ${south.calls - this.south0.calls} WriteMaps` +
        ` of ${south.writes - this.south0.writes} writes), persist ${ms(now - this.served)}` +
        ` (wait ${ms(Math.max(0, journal.start - this.served))}, append ${ms(journal.ms - this.journal0)}),` +
        ` total ${ms(now - this.t0)} ms`,
    );
  }
}
