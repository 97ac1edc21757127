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
/** Measurement window of the HZ probe: at HZ 100, ±2 jiffies are ±8 %, well apart from the next choice. */
export const HZ_PROBE_MS = 250;
/** The bucket of new-session tokens holds at least this many (see admissionOf). */
export const MIN_ADMISSION_BURST = 16;

const TIMER_LIST = '/proc/timer_list';
const Q16 = 65536;

/** The value of the first `jiffies: N` line of /proc/timer_list, or undefined when there is none. */
export function parseJiffies(timerList: string): bigint | undefined {
  const m = /^jiffies:\s*(\d+)\s*$/m.exec(timerList);
  return m ? BigInt(m[1]) : undefined;
}

/**
 * The HZ choices consistent with `deltaJiffies` counted over an interval known to last between
 * `minNs` and `maxNs` (each read is bracketed by clock reads), allowing ±2 jiffies for the tick's
 * granularity and a late tick.
 */
export function fittingHz(deltaJiffies: number, minNs: number, maxNs: number): number[] {
  if (minNs <= 0 || maxNs < minNs) return [];
  const lo = ((deltaJiffies - 2) * 1e9) / maxNs;
  const hi = ((deltaJiffies + 2) * 1e9) / minNs;
  return HZ_CHOICES.filter((hz) => hz >= lo && hz <= hi);
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

/** Tries before giving up on a measurement (a loaded machine can stretch a read). */
const HZ_PROBES = 4;

const hrNow = (): bigint => process.hrtime.bigint();

/** One probe: the HZ choice two bracketed jiffies reads `probeMs` apart fit, if exactly one. */
async function probeHz(read: JiffiesReader, probeMs: number): Promise<number | undefined | null> {
  const a0 = hrNow();
  const j0 = await read();
  const b0 = hrNow();
  await new Promise((r) => setTimeout(r, probeMs));
  const a1 = hrNow();
  const j1 = await read();
  const b1 = hrNow();
  if (j0 === undefined || j1 === undefined) return null; // unreadable: no point retrying
  const fits = fittingHz(Number(j1 - j0), Number(a1 - b0), Number(b1 - a0));
  return fits.length === 1 ? fits[0] : undefined;
}

/**
 * Measures HZ: two jiffies reads HZ_PROBE_MS apart, each bracketed by monotonic clock reads, must
 * fit exactly one HZ_CHOICES value (250 and 300 are only 20 % apart: an unbracketed rate on a
 * loaded machine can land on the wrong one); up to HZ_PROBES tries, then FALLBACK_HZ.
 */
export async function detectSessionClock(
  read: JiffiesReader = readKernelJiffies,
  probeMs: number = HZ_PROBE_MS,
): Promise<SessionClock> {
  let hz: number | undefined;
  for (let i = 0; i < HZ_PROBES && hz === undefined; i++) {
    const r = await probeHz(read, probeMs);
    if (r === null) break;
    hz = r;
  }
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
