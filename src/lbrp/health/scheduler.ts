// Runs each target's probe every `interval` ms with ±10 % jitter (the first one at a random point
// of the first interval, so thousands of backends configured at once do not probe in step), with
// at most `maxInFlight` probes running: the others wait in a queue, oldest first. A probe never
// overlaps the previous one of its target. Due probes are started from the shared ticker
// (ticker.ts) through a timing wheel of TICK_MS grains: a ring of WHEEL_SLOTS buckets, each an
// array reused from round to round. The ticker wakes at a tenth of the shortest interval, so
// thousands of backends at 1 s cost 10 wake-ups a second, no timer and no allocation per probe
// beyond the probe's own promise; the clock is read once per wake-up, not per probe.

import { MAX_TICK_MS, ticker, TICK_MS } from './ticker';

export { TICK_MS } from './ticker';

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

/** Buckets of the wheel (a power of two): 1 s intervals at 20 ms ticks need 50; longer delays
 * stay in their bucket for more rounds. */
const WHEEL_SLOTS = 256;

interface Slot {
  readonly target: ScheduledTarget;
  /** Wheel tick the slot is armed for, if armed (a bucket's entry for any other tick is stale). */
  tick: number | undefined;
  /** Tick the running probe was due at (the next is planned from it: late starts do not drift). */
  dueTick: number;
  running: boolean;
  removed: boolean;
  /** The end of each probe of this slot (one closure per slot, not per probe). */
  readonly done: () => void;
}

export class ProbeScheduler {
  private readonly slots = new Map<string, Slot>();
  private readonly wheel: Slot[][] = Array.from({ length: WHEEL_SLOTS }, () => []);
  /** Slots armed (entries of the wheel that are not stale). */
  private armed = 0;
  private lastTick = Math.floor(Date.now() / TICK_MS);
  private joined = false;
  private readonly queue: Slot[] = [];
  private inFlight = 0;
  private readonly random: () => number;
  private readonly onTick = (now: number): void => this.turn(now);
  /** Targets by interval (to wake at a tenth of the shortest: the ±10 % jitter's size). */
  private readonly intervals = new Map<number, number>();
  private period = TICK_MS;

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
    const slot: Slot = {
      target,
      tick: undefined,
      dueTick: 0,
      running: false,
      removed: false,
      done: () => this.finished(slot),
    };
    this.slots.set(id, slot);
    this.count(target.intervalMs, 1);
    this.arm(slot, this.random() * target.intervalMs);
  }

  /** Counts a target of `intervalMs` in (+1) or out (-1) and sets the wake-up period. */
  private count(intervalMs: number, delta: number): void {
    const n = (this.intervals.get(intervalMs) ?? 0) + delta;
    if (n > 0) this.intervals.set(intervalMs, n);
    else this.intervals.delete(intervalMs);
    const shortest = this.intervals.size > 0 ? Math.min(...this.intervals.keys()) : 0;
    const period = Math.min(MAX_TICK_MS, Math.max(TICK_MS, shortest / 10));
    if (period !== this.period) {
      this.period = period;
      if (this.joined) ticker.join(this.onTick, period);
    }
  }

  /** Stops the target `id` (a running probe finishes, its result is still delivered). */
  remove(id: string): void {
    const slot = this.slots.get(id);
    if (!slot) return;
    slot.removed = true;
    this.disarm(slot);
    this.slots.delete(id);
    this.count(slot.target.intervalMs, -1);
    const i = this.queue.indexOf(slot);
    if (i >= 0) this.queue.splice(i, 1);
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  /** Stops every target. */
  stop(): void {
    for (const id of [...this.slots.keys()]) this.remove(id);
    // Running probes end without re-arming: nothing left to tick for.
    if (this.joined) {
      this.joined = false;
      ticker.leave(this.onTick);
    }
  }

  /** Arms `slot` `delayMs` from now (at the earliest the next tick). */
  private arm(slot: Slot, delayMs: number): void {
    if (!this.joined) this.lastTick = Math.floor(ticker.now / TICK_MS);
    this.armAt(slot, Math.max(Math.ceil((ticker.now + delayMs) / TICK_MS), this.lastTick + 1));
  }

  private armAt(slot: Slot, tick: number): void {
    if (!this.joined) {
      this.joined = true;
      ticker.join(this.onTick, this.period);
    }
    slot.tick = tick;
    this.armed++;
    this.wheel[tick & (WHEEL_SLOTS - 1)].push(slot);
  }

  private disarm(slot: Slot): void {
    if (slot.tick === undefined) return;
    slot.tick = undefined; // its bucket entry is now stale
    this.armed--;
    this.leaveIfIdle();
  }

  /** Leaves the ticker when nothing is armed or running (a running probe re-arms its slot). */
  private leaveIfIdle(): void {
    if (this.armed === 0 && this.inFlight === 0 && this.joined) {
      this.joined = false;
      ticker.leave(this.onTick);
    }
  }

  /** Starts every slot due up to `now`; leaves the ticker when nothing is armed. */
  private turn(nowMs: number): void {
    const now = Math.floor(nowMs / TICK_MS);
    // A late wake-up past a whole round visits every bucket once.
    const from = Math.max(this.lastTick + 1, now - WHEEL_SLOTS + 1);
    this.lastTick = now; // the tick the probes started below start at
    for (let t = from; t <= now; t++) this.visit(t, now);
    this.leaveIfIdle();
  }

  /** Starts the slots of tick `t`'s bucket due by `now`; keeps those of later rounds. */
  private visit(t: number, now: number): void {
    const bucket = this.wheel[t & (WHEEL_SLOTS - 1)];
    if (bucket.length === 0) return;
    let kept = 0;
    const n = bucket.length;
    for (let i = 0; i < n; i++) {
      const slot = bucket[i];
      const due = slot.tick;
      if (due === undefined || (due & (WHEEL_SLOTS - 1)) !== (t & (WHEEL_SLOTS - 1))) continue; // stale
      if (due > now) {
        bucket[kept++] = slot; // a later round
        continue;
      }
      slot.tick = undefined;
      slot.dueTick = due;
      this.armed--;
      this.due(slot);
    }
    // Slots armed into this bucket while it was visited sit past n: keep them too.
    for (let i = n; i < bucket.length; i++) bucket[kept++] = bucket[i];
    bucket.length = kept;
  }

  private due(slot: Slot): void {
    if (slot.removed || slot.running) return;
    if (this.inFlight >= this.opts.maxInFlight) {
      this.queue.push(slot);
      return;
    }
    this.start(slot);
  }

  private start(slot: Slot): void {
    this.inFlight++;
    slot.running = true;
    let p: Promise<void>;
    try {
      p = slot.target.run();
    } catch {
      p = Promise.resolve();
    }
    p.then(slot.done, slot.done);
  }

  private finished(slot: Slot): void {
    this.inFlight--;
    slot.running = false;
    if (!slot.removed) {
      const jitter = (this.random() - 0.5) * 0.2 * slot.target.intervalMs;
      // Due one interval (± jitter) after it was due: the probe's own time and a late wake-up
      // count in it.
      const tick = slot.dueTick + Math.round((slot.target.intervalMs + jitter) / TICK_MS);
      this.armAt(slot, Math.max(tick, this.lastTick + 1));
    }
    const next = this.queue.shift();
    if (next) this.start(next);
    else this.leaveIfIdle();
  }
}
