// One timer for everything health probing does on a clock: the scheduler's wheel, and the raw
// probers' reading of replies and expiring of timeouts. Each wake-up of an otherwise idle process
// costs 50-300 µs on a small loaded VM (cold caches, epoll, timers), more than the work of the
// probes it starts, so the tasks share one wake-up instead of running their own timers out of
// step, and wake no more often than the shortest period a task asks for (the scheduler asks for a
// tenth of its shortest interval, the size of its ±10 % jitter). The timer runs only while some
// task is joined, and is unref'd (the daemon has other handles). `now` is read once per tick: the
// tasks use it instead of asking the clock per probe.

/** The finest period (and the scheduler's wheel granularity). */
export const TICK_MS = 20;
/** The longest period: replies are read, and timeouts expire, at most this late. */
export const MAX_TICK_MS = 100;

export type TickTask = (now: number) => void;

export class Ticker {
  private readonly tasks: TickTask[] = [];
  /** The period each task asks for (Infinity: any, it follows the others). */
  private readonly periods: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private period = 0;
  private cached = 0;
  private fresh = false;

  /** Date.now() of the current tick (or read now, outside one). */
  get now(): number {
    return this.fresh ? this.cached : Date.now();
  }

  /** Runs `task` every tick until `leave`, at most `periodMs` apart (joining again sets the period). */
  join(task: TickTask, periodMs = Infinity): void {
    const i = this.tasks.indexOf(task);
    if (i >= 0) this.periods[i] = periodMs;
    else {
      this.tasks.push(task);
      this.periods.push(periodMs);
    }
    this.retime();
  }

  leave(task: TickTask): void {
    const i = this.tasks.indexOf(task);
    if (i < 0) return;
    this.tasks.splice(i, 1);
    this.periods.splice(i, 1);
    this.retime();
  }

  /** The timer at the shortest period asked (TICK_MS..MAX_TICK_MS, a multiple of TICK_MS). */
  private retime(): void {
    let want = 0;
    if (this.tasks.length > 0) {
      const asked = Math.min(...this.periods);
      want = Number.isFinite(asked)
        ? Math.min(MAX_TICK_MS, Math.max(TICK_MS, Math.floor(asked / TICK_MS) * TICK_MS))
        : TICK_MS;
    }
    if (want === this.period) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.period = want;
    if (want > 0) {
      this.timer = setInterval(() => this.tick(), want);
      this.timer.unref();
    }
  }

  private tick(): void {
    this.cached = Date.now();
    this.fresh = true;
    try {
      // A copy: a task may leave (or another join) while it runs. A task that throws must not
      // starve the others, nor escape the interval and end the process.
      for (const task of this.tasks.slice()) {
        try {
          task(this.cached);
        } catch (e) {
          process.emitWarning(`health ticker: a task failed: ${(e as Error).message}`);
        }
      }
    } finally {
      this.fresh = false;
    }
  }
}

/** The process's ticker. */
export const ticker = new Ticker();
