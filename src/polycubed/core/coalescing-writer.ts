// Coalesces bursts of "this cube changed" into few writes of the configuration dump (group
// commit): the first change schedules a write, every change made before it starts joins it, and a
// change made while a write runs is written right after it. Each mark resolves once written.

/** Writes the given changed names; resolves with an error text when they could not be saved. */
export type WriteChanged = (names: string[]) => Promise<string | undefined>;

/** Resolves with the error text of the write that carried a mark, or undefined when it is saved. */
export type Durable = Promise<string | undefined>;

export class CoalescingWriter {
  private readonly pending = new Set<string>();
  private waiters: ((err: string | undefined) => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  /**
   * `write` is called with every name marked since the previous call, never concurrently with
   * itself; `delayMs` is how long a burst may gather before it is written.
   */
  constructor(
    private readonly write: WriteChanged,
    private readonly delayMs: number,
  ) {}

  /**
   * Marks `name` as changed; it is written within `delayMs` (or after the running write). The
   * promise resolves once a write that includes this change has finished, with its error text.
   */
  mark(name: string): Durable {
    this.pending.add(name);
    const written = new Promise<string | undefined>((resolve) => this.waiters.push(resolve));
    this.schedule();
    return written;
  }

  /** Writes everything marked so far; resolves when it is written. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.immediate) {
      clearImmediate(this.immediate);
      this.immediate = undefined;
    }
    await this.running;
    if (this.pending.size > 0) await this.run();
  }

  /** Flushes, then stops scheduling (later marks are written only by an explicit flush). */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private schedule(): void {
    if (this.timer || this.immediate || this.running || this.closed) return;
    // No delay: the write starts once the current I/O callbacks are done, not at the next timer
    // tick (setTimeout(0) waits ≥ 1 ms, which a single change's reply would wait for).
    if (this.delayMs <= 0) {
      this.immediate = setImmediate(() => {
        this.immediate = undefined;
        void this.run();
      });
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, this.delayMs);
  }

  private run(): Promise<void> {
    const names = [...this.pending];
    const waiters = this.waiters;
    this.pending.clear();
    this.waiters = [];
    const settle = (err: string | undefined): void => {
      for (const w of waiters) w(err);
    };
    this.running = this.write(names)
      .then(settle, (err: unknown) => settle(err instanceof Error ? err.message : String(err)))
      .finally(() => {
        this.running = undefined;
        if (this.pending.size > 0) this.schedule();
      });
    return this.running;
  }
}
