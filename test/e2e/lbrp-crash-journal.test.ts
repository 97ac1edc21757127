// Crash safety of the configuration journal (issue 17): one client adds and deletes backends one
// request at a time while polycubed is killed with SIGKILL at a random moment, several times in a
// row; after each restart the service holds every acknowledged change (the one request in flight
// may or may not have landed), through REST and in the kernel's maps, and the journal keeps being
// used (no whole rewrite per change).

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BpfMap } from '../../src/polycubed/runtime/bpf-map';
import { decodeBackendValue, F_BACKEND_ACTIVE } from '../../src/lbrp/dataplane/map-layouts';
import { describeE2e } from '../fixtures/lbrp/describe-e2e';
import { LbrpStack, waitFor } from '../fixtures/lbrp/e2e-stack';

const CUBE = 'spj0';
const SVC = `lbrp/${CUBE}/service/10.66.0.1/80/TCP/`;
const ROUNDS = 5;
const ipOf = (i: number): string => `10.67.${(i >> 8) & 255}.${i & 255}`;

/** Active backend addresses in the cube's pinned `backends` map. */
function kernelIps(stack: LbrpStack): Set<string> {
  const m = BpfMap.fromPinned(join(stack.pinRoot, CUBE, 'maps', 'backends'));
  try {
    const out = new Set<string>();
    for (const [, v] of m.dump()) {
      const b = decodeBackendValue(v);
      if (b.flags & F_BACKEND_ACTIVE) out.add(b.ip);
    }
    return out;
  } finally {
    m.close();
  }
}

describeE2e('e2e: kill -9 during writes keeps every acknowledged change', () => {
  const stack = new LbrpStack();

  beforeAll(async () => {
    await stack.start();
    await stack.ok('POST', `lbrp/${CUBE}/`, {});
    await stack.ok('POST', SVC, { backend: [{ ip: ipOf(0), port: 80 }] });
  }, 120000);

  afterAll(() => stack.cleanup());

  it('restarts to a state holding every acknowledged add and delete', async () => {
    const present = new Set<string>([ipOf(0)]); // acknowledged state
    let next = 1;
    for (let round = 0; round < ROUNDS; round++) {
      let inFlight: string | undefined;
      let stop = false;
      const writer = (async (): Promise<void> => {
        while (!stop) {
          // Mostly adds of new addresses, every third request deletes an acknowledged one.
          const del = next % 3 === 0 && present.size > 1;
          const ip = del ? [...present].find((x) => x !== ipOf(0))! : ipOf(next++);
          inFlight = ip;
          try {
            const r = del
              ? await stack.rest('DELETE', `${SVC}backend/${ip}/`)
              : await stack.rest('POST', `${SVC}backend/${ip}/`, { port: 80 });
            if (r.status === (del ? 204 : 201)) {
              if (del) present.delete(ip);
              else present.add(ip);
              inFlight = undefined;
            } else if (r.status >= 500 || r.status === 0) return;
            else throw new Error(`${del ? 'DELETE' : 'POST'} ${ip}: ${r.status} ${r.text}`);
          } catch (err) {
            if ((err as Error).message.startsWith('POST') || (err as Error).message.startsWith('DELETE'))
              throw err;
            return; // the connection died with polycubed
          }
        }
      })();
      await new Promise((r) => setTimeout(r, 300 + Math.floor(Math.random() * 700)));
      await stack.stopPolycubed('SIGKILL');
      stop = true;
      await writer;
      const from = stack.lbrp?.lines.length ?? 0;
      await stack.startPolycubed();
      await stack.lbrp?.waitLine(/registered with polycubed/, 60000, from);
      const svc = (await waitFor(
        async () => {
          const r = await stack.rest('GET', SVC);
          return r.status === 200 ? r.json : undefined;
        },
        'the service after the restart',
        60000,
      )) as { backend?: Array<{ ip: string }> };
      const got = new Set((svc.backend ?? []).map((b) => b.ip));
      const extra = [...got].filter((ip) => !present.has(ip) && ip !== inFlight);
      const missing = [...present].filter((ip) => !got.has(ip) && ip !== inFlight);
      expect({ round, extra, missing }).toEqual({ round, extra: [], missing: [] });
      // The kernel follows the restored configuration.
      const want = new Set(got);
      await waitFor(
        () => {
          const k = kernelIps(stack);
          return k.size === want.size && [...k].every((ip) => want.has(ip)) ? true : undefined;
        },
        'the kernel to follow the restored configuration',
        30000,
      );
      // What the service answered is the acknowledged state from here on.
      present.clear();
      for (const ip of got) present.add(ip);
    }
    expect(next).toBeGreaterThan(ROUNDS); // requests were acknowledged between the kills
    // Element changes went to the journal, not to whole rewrites of the state file.
    const journal = `${stack.stateFile}.journal`;
    await stack.ok('POST', `${SVC}backend/${ipOf(4000)}/`, { port: 80 });
    expect(existsSync(journal) && statSync(journal).size > 0).toBe(true);
  }, 600000);
});
