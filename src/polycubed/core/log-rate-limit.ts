// A token bucket for a cube's datapath log lines: at TRACE every frame writes a line, and a flood
// must not turn into a flood of log output (the terminal, the log file, the event loop). Lines past
// the rate are counted, and the count is reported at most once a second.

/** Datapath log lines a cube may print per second (and in one burst). */
export const LOG_LINES_PER_SECOND = 1000;

export class LineRateLimit {
  private tokens: number;
  private last: number;
  private suppressed = 0;
  private lastReport: number;

  constructor(
    private readonly perSecond = LOG_LINES_PER_SECOND,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = perSecond;
    this.last = this.lastReport = now();
  }

  /** True when one more line may be printed now; otherwise it is counted as suppressed. */
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((t - this.last) * this.perSecond) / 1000);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.suppressed++;
    return false;
  }

  /** The lines suppressed since the last report, when a second has passed since it; else 0. */
  report(): number {
    const t = this.now();
    if (this.suppressed === 0 || t - this.lastReport < 1000) return 0;
    const n = this.suppressed;
    this.suppressed = 0;
    this.lastReport = t;
    return n;
  }
}
