// Coalesces bursts of "this cube changed" into few writes of the configuration dump: the first
// change opens a short window, every change inside it joins the same write, and a change that
// arrives while a write runs is written right after it. `flush()` writes what is pending now.

/** Writes the given changed names (e.g. re-reads those cubes and saves the state file). */
export type WriteChanged = (names: string[]) => Promise<void>;

export class CoalescingWriter {
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
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

  /** Marks `name` as changed; it is written within `delayMs` (or after the running write). */
  mark(name: string): void {
    this.pending.add(name);
    this.schedule();
  }

  /** Writes everything marked so far; resolves when it is written. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
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
    if (this.timer || this.running || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, this.delayMs);
  }

  private run(): Promise<void> {
    const names = [...this.pending];
    this.pending.clear();
    this.running = this.write(names).finally(() => {
      this.running = undefined;
      if (this.pending.size > 0) this.schedule();
    });
    return this.running;
  }
}
