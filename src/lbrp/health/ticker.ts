// One timer for everything health probing does on a clock: the scheduler's wheel, and the raw
// probers' reading of replies and expiring of timeouts. Each wake-up of an idle process costs
// 50-120 µs on a small VM (cold caches, epoll, timers), more than the work of the twenty probes a
// tick starts, so the tasks share one wake-up every TICK_MS instead of running their own timers
// out of step. The timer runs only while some task is joined, and is unref'd (the daemon has other
// handles). `now` is read once per tick: the tasks use it instead of asking the clock per probe.

/** Granularity of the clock: probes start, and replies are read, up to this late. */
export const TICK_MS = 20;

export type TickTask = (now: number) => void;

class Ticker {
  private readonly tasks: TickTask[] = [];
  private timer: NodeJS.Timeout | undefined;
  private cached = 0;
  private fresh = false;

  /** Date.now() of the current tick (or read now, outside one). */
  get now(): number {
    return this.fresh ? this.cached : Date.now();
  }

  /** Runs `task` every tick until `leave` (joining twice is once). */
  join(task: TickTask): void {
    if (this.tasks.includes(task)) return;
    this.tasks.push(task);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), TICK_MS);
      this.timer.unref();
    }
  }

  leave(task: TickTask): void {
    const i = this.tasks.indexOf(task);
    if (i >= 0) this.tasks.splice(i, 1);
    if (this.tasks.length === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private tick(): void {
    this.cached = Date.now();
    this.fresh = true;
    try {
      // A copy: a task may leave (or another join) while it runs.
      for (const task of this.tasks.slice()) task(this.cached);
    } finally {
      this.fresh = false;
    }
  }
}

/** The process's ticker. */
export const ticker = new Ticker();
