// What every prober gets and returns. Probers run from the daemon's network namespace through the
// host's stack (README "Health checks" says which probe takes which path).

/** One probe: the backend address, the port to probe and the time it may take. */
export interface ProbeTarget {
  readonly ip: string;
  /** The health-check port, or the backend's port (unused by ICMP). */
  readonly port: number;
  readonly timeoutMs: number;
}

/** A probe's outcome, `detail` short and human readable ("connected in 3 ms", "HTTP 503"). */
export interface ProbeResult {
  readonly ok: boolean;
  readonly detail: string;
}

export type Prober = (t: ProbeTarget) => Promise<ProbeResult>;

/** Why a socket failed, short: the errno code when there is one. */
export function errorText(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e.code ?? e.message ?? String(err);
}
