// The SYN generator's own speed, measured in the same run: the same generator processes as the
// flood, for one second, onto a veth whose other end only discards (frames for a MAC that is not
// its own stop before IP). Through a load balancer the generator is slower, because a veth
// delivers each frame in the sender's context: the sender pays for the whole path behind it.

import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { inNetns, run, runAsync, tryRun } from '../e2e/shell';
import { vethBetween } from '../e2e/topology';
import { FLOOD_NET, FLOOD_PORT } from './config';
import { FLOOD_NAME_PREFIX } from './topology';

/**
 * SYNs per second the generator (with `threads` processes) puts on a veth with nothing behind it;
 * `onStart` receives the prefix of every name it creates and a synchronous cleanup (for signal
 * handlers); everything is removed before it resolves anyway.
 */
export async function measureGenerator(
  threads: number,
  onStart?: (id: string, cleanup: () => void) => void,
  seconds = 1,
): Promise<number> {
  const id = `${FLOOD_NAME_PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`;
  const tmp = join('/tmp', id);
  const [a, b] = [`${id}-gen`, `${id}-sink`];
  const made: string[] = [];
  const cleanup = (): void => {
    for (const ns of made.splice(0).reverse()) tryRun(['ip', 'netns', 'del', ns]);
    rmSync(tmp, { recursive: true, force: true });
  };
  onStart?.(id, cleanup);
  try {
    mkdirSync(tmp, { recursive: true });
    const bin = join(tmp, 'synflood');
    run(['gcc', '-O2', '-Wall', '-o', bin, join(__dirname, 'native', 'synflood.c')]);
    for (const ns of [a, b]) {
      run(['ip', 'netns', 'add', ns]);
      made.push(ns);
    }
    vethBetween(a, 'eth0', b, 'eth0');
    const runs = await Promise.all(
      Array.from({ length: threads }, (_x, i) =>
        runAsync(
          inNetns(a, [
            ...[bin, '-i', 'eth0', '-m', '02:00:00:00:00:01', '-d', FLOOD_NET.vip, '-p', `${FLOOD_PORT}`],
            ...['-s', FLOOD_NET.floodSources, '-t', `${seconds}`, '-S', `${i + 1}`],
          ]),
          (seconds + 30) * 1000,
        ),
      ),
    );
    let pps = 0;
    for (const r of runs) {
      const m = r.stdout.match(/pps ([\d.]+)/);
      if (r.code !== 0 || !m) throw new Error(`synflood failed (${r.code}): ${r.stderr.trim()}`);
      pps += Number(m[1]);
    }
    return Math.round(pps);
  } finally {
    cleanup();
  }
}
