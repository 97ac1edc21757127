// Concurrent valid writes against the real daemon (polycubed and the lbrp service as children,
// LbrpStack): eight clients at once each add 25 distinct backends to one service while four of
// them also delete backends added before. Every request is acknowledged 2xx, and afterwards the
// REST read-back, the persisted state (state file with its journal replayed) and the kernel maps
// all hold exactly the union of what was acknowledged — nothing lost, nothing doubled — while
// `GET /version/` was answered 200 throughout (none held for a second). Then a 1 MiB hostile body amid valid
// writes, read by the daemon's body worker. Needs root.

import { existsSync, readFileSync } from 'node:fs';
import { replayJournal } from '../../src/polycubed/core/config-journal';
import { journalPath, type CubeConfig } from '../../src/polycubed/core/persistence';
import { describeE2e } from '../fixtures/lbrp/describe-e2e';
import { LbrpStack } from '../fixtures/lbrp/e2e-stack';
import { kernelBackends } from '../fixtures/lbrp/kernel-backends';
import { rawRequest } from '../fixtures/rest/http-client';
import { PROBES_OK, probeVerdict, whileProbing } from '../fixtures/rest/version-prober';

const CUBE = 'hocw';
const VIP = '10.0.0.1';
const SVC = `/polycube/v1/lbrp/${CUBE}/service/${VIP}/80/TCP`;
const CLIENTS = 8;
const ADDS = 25;
/** Backends present before, of which clients 0–3 each delete DELETES. */
const EARLIER = 40;
const DELETES = 5;

interface Backend {
  ip: string;
  port: number;
  weight: number;
}

const key = (b: Backend): string => `${b.ip}:${b.port} w${b.weight}`;
const addr = (b: Backend): string => `${b.ip}:${b.port}`;
/** Backend `i` of client `c` (client 99: those present before). */
const backend = (c: number, i: number): Backend => ({
  ip: `10.${c + 1}.${i >> 8}.${(i & 255) + 1}`,
  port: 8000 + c,
  weight: 1 + ((c + i) % 7),
});

/** The backends of the service in the persisted state: the state file with its journal replayed. */
function persisted(stateFile: string): Backend[] {
  const configs = JSON.parse(readFileSync(stateFile, 'utf8')) as CubeConfig[];
  const journal = journalPath(stateFile);
  if (existsSync(journal)) {
    const r = replayJournal(readFileSync(journal, 'utf8'), configs);
    if (r.bad) throw new Error(`journal: ${r.bad}`);
  }
  const cube = configs.find((c) => c.name === CUBE);
  const services = (cube?.service ?? []) as Array<{ vip: string; backend?: Backend[] }>;
  return services.find((s) => s.vip === VIP)?.backend ?? [];
}

describeE2e('e2e: concurrent valid writes', () => {
  const stack = new LbrpStack();
  const post = (path: string, body: unknown): Promise<number> =>
    rawRequest(stack.port, {
      method: 'POST',
      path,
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json' },
    }).then((r) => r.status);
  /** The service's backends as REST lists them (without the trailing `_links` element). */
  const readBack = async (): Promise<Backend[]> =>
    ((await stack.ok('GET', `lbrp/${CUBE}/service/${VIP}/80/TCP/backend/`)) as unknown[]).filter(
      (b): b is Backend => !Array.isArray(b),
    );
  const del = (path: string): Promise<number> =>
    rawRequest(stack.port, { method: 'DELETE', path }).then((r) => r.status);

  beforeAll(async () => {
    await stack.start();
    expect(await post(`/polycube/v1/lbrp/${CUBE}/`, {})).toBe(201);
    expect(await post(`${SVC}/`, { name: 'web' })).toBe(201);
  }, 120_000);
  afterAll(() => stack.cleanup(), 30_000);

  it(`${CLIENTS} clients adding ${ADDS} backends each (and deleting some) at once: every copy holds exactly the union`, async () => {
    const earlier = Array.from({ length: EARLIER }, (_, i) => backend(98, i));
    for (const b of earlier)
      expect(await post(`${SVC}/backend/${b.ip}/`, { port: b.port, weight: b.weight })).toBe(201);

    const deleted = earlier.slice(0, 4 * DELETES);
    const { result: statuses, probes } = await whileProbing(stack.port, 'concurrent writes', () =>
      Promise.all(
        Array.from({ length: CLIENTS }, async (_, c) => {
          const got: string[] = [];
          for (let i = 0; i < ADDS; i++) {
            const b = backend(c, i);
            const s = await post(`${SVC}/backend/${b.ip}/`, { port: b.port, weight: b.weight });
            got.push(`POST ${b.ip} ${s}`);
            if (c < 4 && i % 5 === 0) {
              const gone = deleted[c * DELETES + i / 5];
              got.push(`DELETE ${gone.ip} ${await del(`${SVC}/backend/${gone.ip}/`)}`);
            }
          }
          return got;
        }),
      ),
    );
    // Every request acknowledged: 201 for each add, 204 for each delete.
    const wrong = statuses.flat().filter((s) => !/^(POST \S+ 201|DELETE \S+ 204)$/.test(s));
    expect(wrong).toEqual([]);
    expect(statuses.flat()).toHaveLength(CLIENTS * ADDS + 4 * DELETES);
    // Valid writes do real work (Maglev tables, map writes, the journal's fdatasync): every probe
    // answered 200, none held for a second.
    expect(probeVerdict(probes)).toEqual(PROBES_OK);

    const want = [
      ...earlier.slice(4 * DELETES),
      ...Array.from({ length: CLIENTS * ADDS }, (_, n) => backend(Math.floor(n / ADDS), n % ADDS)),
    ];
    const wantKeys = want.map(key).sort();
    expect(wantKeys).toHaveLength(EARLIER - 4 * DELETES + CLIENTS * ADDS);

    // What REST reads back.
    expect((await readBack()).map(key).sort()).toEqual(wantKeys);
    // What is persisted: acknowledged changes are durable before the reply.
    expect(persisted(stack.stateFile).map(key).sort()).toEqual(wantKeys);
    // What the kernel serves: the Maglev table names exactly these backends, all active.
    const k = kernelBackends(stack.pinRoot, CUBE, VIP, 80);
    const wantAddrs = want.map(addr).sort();
    expect([...k.inTable].sort()).toEqual(wantAddrs);
    expect([...k.active].sort()).toEqual(wantAddrs);
  }, 180_000);

  // The daemon as `npm start` runs it reads a 1 MiB body in its body worker: refused with the
  // list capped, valid writes sent meanwhile applied, probes answered within the bound.
  it('refuses a 1 MiB body of 100,000 unknown members while valid writes go on', async () => {
    const members: string[] = [];
    for (let i = 0; i < 100_000; i++) members.push(`"k${i.toString(36).padStart(4, '0')}":0`);
    const hostileBody = `{${members.join(',')}}`;
    expect(hostileBody.length).toBeLessThanOrEqual(1024 * 1024);
    const extra = Array.from({ length: 8 }, (_, i) => backend(50, i));
    const { result, probes } = await whileProbing(stack.port, 'a 1 MiB body with valid writes', () =>
      Promise.all([
        rawRequest(stack.port, {
          method: 'PATCH',
          path: `/polycube/v1/lbrp/${CUBE}/`,
          body: hostileBody,
          headers: { 'Content-Type': 'application/json' },
        }),
        Promise.all(extra.map((b) => post(`${SVC}/backend/${b.ip}/`, { port: b.port, weight: b.weight }))),
      ]),
    );
    const [hostile, writes] = result;
    expect(probeVerdict(probes)).toEqual(PROBES_OK);
    expect(writes).toEqual(extra.map(() => 201));
    expect(hostile.status).toBe(400);
    const errors = (JSON.parse(hostile.body) as { 'ietf-restconf:errors': { error: unknown[] } })[
      'ietf-restconf:errors'
    ].error;
    expect(errors).toHaveLength(21);
    expect(errors[20]).toMatchObject({
      'error-message': '99980 more errors not listed; only the first 20 are',
    });
    expect((await readBack()).map(key)).toEqual(expect.arrayContaining(extra.map(key)));
    // The body went through the daemon's body worker, which did not fail on it.
    const metrics = await fetch(`http://127.0.0.1:${stack.port}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^polycubed_rest_body_worker_jobs_total [1-9]\d*$/m);
    expect(metrics).toMatch(/^polycubed_rest_body_worker_failures_total 0$/m);
  }, 120_000);
});
