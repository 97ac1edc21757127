// The session table's clock as the control plane sees it: the kernel's tick rate (CONFIG_HZ),
// now in session clock units (jiffies >> 8, as session_now() in session_table.h) and the
// conversions from the cube's seconds and per-second rates to the units session_config holds.
// Jiffies come from /proc/timer_list (root only); pure helpers are exported for tests.

import { readFile } from 'node:fs/promises';

/** Tick rates a Linux kernel is built with (CONFIG_HZ choices). */
export const HZ_CHOICES = [100, 250, 300, 1000] as const;
/**
 * HZ when it cannot be measured (no /proc/timer_list: not root, or another host's kernel): 250,
 * Debian's and most distributions' CONFIG_HZ. Wrong only by the ratio of the true one, so
 * timeouts would be off by that ratio (1000: 4× shorter), never disabled.
 */
export const FALLBACK_HZ = 250;
/** One session clock unit is 2^8 jiffies (session_now()). */
export const UNIT_SHIFT = 8;
/** Measurement window of the HZ probe: long enough that ±1 jiffy is < 1 % at HZ = 100. */
export const HZ_PROBE_MS = 150;
/** The bucket of new-session tokens holds at least this many (see admissionOf). */
export const MIN_ADMISSION_BURST = 16;

const TIMER_LIST = '/proc/timer_list';
const Q16 = 65536;

/** The value of the first `jiffies: N` line of /proc/timer_list, or undefined when there is none. */
export function parseJiffies(timerList: string): bigint | undefined {
  const m = /^jiffies:\s*(\d+)\s*$/m.exec(timerList);
  return m ? BigInt(m[1]) : undefined;
}

/** The HZ choice nearest to a measured tick rate, or undefined when none is within 20 %. */
export function snapHz(measured: number): number | undefined {
  let best: number | undefined;
  for (const hz of HZ_CHOICES)
    if (
      Math.abs(measured - hz) <= 0.2 * hz &&
      (best === undefined || Math.abs(measured - hz) < Math.abs(measured - best))
    )
      best = hz;
  return best;
}

/** Session clock units of `seconds` (rounded up, so a timeout is never shorter than asked). */
export function secondsToUnits(seconds: number, hz: number): number {
  return Math.ceil((seconds * hz) / (1 << UNIT_SHIFT));
}

/** Seconds of `units` session clock units. */
export function unitsToSeconds(units: number, hz: number): number {
  return (units * (1 << UNIT_SHIFT)) / hz;
}

/** The session clock (u32, wrapping) at `jiffies`. */
export function unitsAt(jiffies: bigint): number {
  return Number((jiffies >> BigInt(UNIT_SHIFT)) & 0xffffffffn);
}

/**
 * session_config's admission fields for `perSecond` new sessions per second per CPU (0 = no
 * limit: both 0). The bucket holds one second's worth (at least MIN_ADMISSION_BURST): any second
 * in which a CPU creates at most `perSecond` sessions is never refused, however they bunch up
 * within it, while a flood is held to the rate after its first second.
 */
export function admissionOf(perSecond: number, hz: number): { perJiffyQ16: bigint; burstQ16: bigint } {
  if (perSecond <= 0) return { perJiffyQ16: 0n, burstQ16: 0n };
  const perJiffy = BigInt(Math.round((perSecond * Q16) / hz));
  return { perJiffyQ16: perJiffy, burstQ16: BigInt(Math.max(perSecond, MIN_ADMISSION_BURST)) * BigInt(Q16) };
}

/** The kernel's clock facts, found once per process. */
export interface SessionClock {
  /** CONFIG_HZ. */
  readonly hz: number;
  /** How `hz` was found. */
  readonly source: 'measured' | 'fallback' | 'given';
  /** The session clock now (jiffies >> 8, as the datapath's session_now()), or undefined when unknown. */
  now(): Promise<number | undefined>;
}

/** Reads the kernel's jiffies (undefined when /proc/timer_list cannot be read). */
export type JiffiesReader = () => Promise<bigint | undefined>;

/** Jiffies from /proc/timer_list. */
export const readKernelJiffies: JiffiesReader = async () => {
  try {
    return parseJiffies(await readFile(TIMER_LIST, 'utf8'));
  } catch {
    return undefined;
  }
};

/** A clock with a known HZ (tests; a service told the HZ of a remote kernel). */
export function fixedClock(hz: number, read: JiffiesReader = readKernelJiffies): SessionClock {
  return { hz, source: 'given', now: async () => mapDefined(await read(), unitsAt) };
}

const mapDefined = <T, U>(v: T | undefined, f: (x: T) => U): U | undefined =>
  v === undefined ? undefined : f(v);

/**
 * Measures HZ: two jiffies reads HZ_PROBE_MS apart against the monotonic clock, snapped to a
 * HZ_CHOICES value; FALLBACK_HZ when the reads fail or the rate fits no choice.
 */
export async function detectSessionClock(
  read: JiffiesReader = readKernelJiffies,
  probeMs: number = HZ_PROBE_MS,
): Promise<SessionClock> {
  const j0 = await read();
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, probeMs));
  const j1 = await read();
  const t1 = process.hrtime.bigint();
  const ns = Number(t1 - t0);
  const hz =
    j0 !== undefined && j1 !== undefined && ns > 0 ? snapHz((Number(j1 - j0) * 1e9) / ns) : undefined;
  return {
    hz: hz ?? FALLBACK_HZ,
    source: hz === undefined ? 'fallback' : 'measured',
    now: async () => mapDefined(await read(), unitsAt),
  };
}

let processClock: Promise<SessionClock> | undefined;

/** This process's clock: measured on first use, then shared. */
export function sessionClock(): Promise<SessionClock> {
  processClock ??= detectSessionClock();
  return processClock;
}
