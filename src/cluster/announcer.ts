// Keeps a node's BGP announcement in step with its lbrp cubes: polls the REST API, computes the
// VIPs to announce (announce-policy.ts), and when the set changes rewrites the BIRD include file
// and reconfigures BIRD. Anything that means "this node cannot serve" withdraws everything: the
// REST API not answering (daemon stopped), the cube gone, or the announcer stopping.

import { announcedVips } from './announce-policy';
import { birdCommand } from './bird-control';
import { renderVipInclude, writeFileAtomic } from './bird-include';

export interface AnnouncerOptions {
  /** REST base, e.g. http://127.0.0.1:9000/polycube/v1/ */
  restUrl: string;
  /** Cubes whose VIPs to announce; empty = every lbrp cube. */
  cubes: string[];
  /** BIRD's control socket. */
  birdSocket: string;
  /** The include file bird.conf includes. */
  includeFile: string;
  /** Poll period, ms. */
  intervalMs: number;
  /** The liveness link (liveness-link.ts) the VIP routes go through; none: blackhole routes,
   * which stay announced if this process is killed. */
  livenessLink?: string;
  /** Told about every change (logging). */
  onChange?: (vips: string[], reason: string) => void;
}

/** The VIPs the daemon at `restUrl` serves for `cubes`; throws when it does not answer. */
export async function servedVips(restUrl: string, cubes: string[], timeoutMs: number): Promise<string[]> {
  const get = async (path: string): Promise<{ status: number; json: unknown }> => {
    const res = await fetch(restUrl + path, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    return { status: res.status, json: res.ok && text ? JSON.parse(text) : undefined };
  };
  let names = cubes;
  if (names.length === 0) {
    const all = await get('lbrp/');
    if (all.status !== 200) throw new Error(`GET lbrp/ → ${all.status}`);
    const list = Array.isArray(all.json) ? (all.json as unknown[]) : [];
    names = list
      .map((c) => (c as { name?: unknown })?.name)
      .filter((n): n is string => typeof n === 'string');
  }
  const vips = new Set<string>();
  for (const name of names) {
    const r = await get(`lbrp/${encodeURIComponent(name)}/`);
    if (r.status !== 200) continue; // deleted (polycubed answers 500 "does not exist"): nothing to serve
    for (const v of announcedVips(r.json)) vips.add(v);
  }
  return [...vips].sort();
}

export class Announcer {
  private current: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private lastError = '';

  constructor(private readonly opts: AnnouncerOptions) {}

  /** Writes `vips` and reconfigures BIRD when they differ from what BIRD has. */
  async publish(vips: string[], reason: string): Promise<void> {
    const text = renderVipInclude(vips, this.opts.livenessLink);
    if (text === this.current) return;
    writeFileAtomic(this.opts.includeFile, text);
    await birdCommand(this.opts.birdSocket, 'configure');
    this.current = text;
    this.opts.onChange?.(vips, reason);
  }

  /** One poll: announce what is served, withdraw all when the daemon does not answer. */
  async tick(): Promise<void> {
    let vips: string[] = [];
    let reason = 'served';
    try {
      vips = await servedVips(this.opts.restUrl, this.opts.cubes, Math.max(2000, this.opts.intervalMs));
    } catch (e) {
      reason = `daemon not answering (${(e as Error).message})`;
    }
    await this.publish(vips, reason);
  }

  /** Starts polling (the first poll at once). */
  start(): void {
    const loop = (): void => {
      this.running = this.tick()
        .then(() => {
          this.lastError = '';
        })
        .catch((e: Error) => {
          this.current = undefined; // BIRD refused or was away: write again next time
          if (e.message !== this.lastError) this.opts.onChange?.([], `bird error: ${e.message}`);
          this.lastError = e.message;
        })
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(loop, this.opts.intervalMs);
        });
    };
    this.timer = setTimeout(loop, 0);
  }

  /** Stops polling and withdraws every VIP. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    this.current = undefined;
    await this.publish([], 'stopping');
  }
}
