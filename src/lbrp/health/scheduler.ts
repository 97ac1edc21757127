// Runs each target's probe every `interval` ms with ±10 % jitter (the first one at a random point
// of the first interval, so thousands of backends configured at once do not probe in step), with
// at most `maxInFlight` probes running: the others wait in a queue, oldest first. A probe never
// overlaps the previous one of its target. Due probes are started from one timer ticking every
// TICK_MS (a timer wheel): thousands of backends cost 50 wake-ups a second, not one per probe.

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

/** Granularity of the wheel: probes start up to this late. */
export const TICK_MS = 20;

interface Slot {
  target: ScheduledTarget;
  /** Wheel tick the slot is armed for, if armed. */
  tick?: number;
  queued: boolean;
  running: boolean;
  removed: boolean;
}

export class ProbeScheduler {
  private readonly slots = new Map<string, Slot>();
  /** Armed slots by the tick (Date.now() / TICK_MS) they are due at. */
  private readonly wheel = new Map<number, Set<Slot>>();
  private timer: NodeJS.Timeout | undefined;
  private lastTick = Math.floor(Date.now() / TICK_MS);
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
    this.disarm(slot);
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
    if (!this.timer) {
      this.lastTick = Math.floor(Date.now() / TICK_MS);
      this.timer = setInterval(() => this.turn(), TICK_MS);
      this.timer.unref();
    }
    const tick = Math.max(Math.ceil((Date.now() + delayMs) / TICK_MS), this.lastTick + 1);
    slot.tick = tick;
    let set = this.wheel.get(tick);
    if (!set) this.wheel.set(tick, (set = new Set()));
    set.add(slot);
  }

  private disarm(slot: Slot): void {
    if (slot.tick === undefined) return;
    const set = this.wheel.get(slot.tick);
    set?.delete(slot);
    if (set?.size === 0) this.wheel.delete(slot.tick);
    slot.tick = undefined;
  }

  /** Starts every slot due up to now; stops the timer when nothing is armed. */
  private turn(): void {
    const now = Math.floor(Date.now() / TICK_MS);
    for (let t = this.lastTick + 1; t <= now; t++) {
      const set = this.wheel.get(t);
      if (!set) continue;
      this.wheel.delete(t);
      for (const slot of set) {
        slot.tick = undefined;
        this.due(slot);
      }
    }
    this.lastTick = now;
    if (this.wheel.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
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
