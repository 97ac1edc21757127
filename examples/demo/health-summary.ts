// The demo's health steps (6–8): their time limits and the figures the final line reports. Pure.

/** Step 6: health checks just turned on; every backend must be up within this (rise 2 × 200 ms). */
export const UP_WAIT_MS = 15_000;
/**
 * Step 7: the stopped server must be DOWN within this. The bound of the check itself is
 * interval × fall plus one interval (600 ms); a busy host gets room, the figure is printed.
 */
export const FAIL_DETECT_MS = 5_000;
/** Step 8: the restarted server must be UP within this (node's start, the 2 s hold, rise 2). */
export const RECOVER_MS = 20_000;

/** What steps 7 and 8 measured (absent: not reached). */
export interface HealthFigures {
  /** The backend whose server was stopped. */
  backend?: string;
  /** From the server's exit to its DOWN seen through the API. */
  downMs?: number;
  /** Requests that failed from the signal until the DOWN was seen plus the settle. */
  failedBefore?: number;
  /** Requests that failed after that, to the end of the step (must be 0). */
  failedAfter?: number;
  /** Sessions the daemon opened to it after that (must be 0). */
  newSessionsAfter?: number;
  /** From the restart to its UP seen through the API. */
  upMs?: number;
  /** Requests it answered in step 8's window (must be > 0). */
  recoveredRequests?: number;
  /** Requests that failed in all of step 8 (must be 0). */
  failedRecovery?: number;
}

/** The health part of the final "demo: OK" line; empty when the health steps did not run. */
export function healthSummary(f: HealthFigures): string {
  if (f.downMs === undefined || f.upMs === undefined) return '';
  return (
    `; ${f.backend}'s server stopped: DOWN after ${f.downMs} ms, ${f.failedBefore ?? 0} requests ` +
    `failed before detection, ${f.failedAfter ?? 0} failed after detection; started again: UP after ` +
    `${f.upMs} ms, ${f.recoveredRequests ?? 0} new requests to it, ${f.failedRecovery ?? 0} failed`
  );
}
