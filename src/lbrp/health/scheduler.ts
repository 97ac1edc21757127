// Runs each target's probe every `interval` ms with ±10 % jitter (the first one at a random point
// of the first interval, so thousands of backends configured at once do not probe in step), with
// at most `maxInFlight` probes running: the others wait in a queue, oldest first. A probe never
// overlaps the previous one of its target.

export interface ScheduledTarget {
  readonly intervalMs: number;
  /** Runs one probe; the scheduler awaits it before planning the next. */
  run(): Promise<void>;
}

export interface SchedulerOptions {
  maxInFlight: number;
  /** Random in [0, 1) (tests pass a fixed one). */
  random?: () => number;
}

interface Slot {
  target: ScheduledTarget;
  timer?: NodeJS.Timeout;
  queued: boolean;
  running: boolean;
  removed: boolean;
}

export class ProbeScheduler {
  private readonly slots = new Map<string, Slot>();
  private readonly queue: Slot[] = [];
  private inFlight = 0;
  private readonly random: () => number;

  constructor(private readonly opts: SchedulerOptions) {
    this.random = opts.random ?? Math.random;
  }

  /** Probes running now. */
  get running(): number {
    return this.inFlight;
  }

  /** Probes waiting for a free place. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Starts (or replaces) the target `id`. */
  add(id: string, target: ScheduledTarget): void {
    this.remove(id);
    const slot: Slot = { target, queued: false, running: false, removed: false };
    this.slots.set(id, slot);
    this.arm(slot, this.random() * target.intervalMs);
  }

  /** Stops the target `id` (a running probe finishes, its result is still delivered). */
  remove(id: string): void {
    const slot = this.slots.get(id);
    if (!slot) return;
    slot.removed = true;
    if (slot.timer) clearTimeout(slot.timer);
    this.slots.delete(id);
    const i = this.queue.indexOf(slot);
    if (i >= 0) this.queue.splice(i, 1);
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  /** Stops every target. */
  stop(): void {
    for (const id of [...this.slots.keys()]) this.remove(id);
  }

  private arm(slot: Slot, delayMs: number): void {
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      this.due(slot);
    }, delayMs);
    slot.timer.unref();
  }

  private due(slot: Slot): void {
    if (slot.removed) return;
    if (this.inFlight >= this.opts.maxInFlight) {
      slot.queued = true;
      this.queue.push(slot);
      return;
    }
    this.start(slot);
  }

  private start(slot: Slot): void {
    this.inFlight++;
    slot.running = true;
    const started = Date.now();
    slot.target
      .run()
      .catch(() => undefined)
      .finally(() => {
        this.inFlight--;
        slot.running = false;
        if (!slot.removed) {
          const jitter = (this.random() - 0.5) * 0.2 * slot.target.intervalMs;
          const elapsed = Date.now() - started;
          this.arm(slot, Math.max(0, slot.target.intervalMs + jitter - elapsed));
        }
        const next = this.queue.shift();
        if (next) {
          next.queued = false;
          this.start(next);
        }
      });
  }
}
