// REST fuzz against the real lbrp service (polycubed REST + gRPC + LbrpService in this process,
// real kernel maps): the hostile cases of rest-fuzz.test.ts plus requests that break lbrp's model
// rules, each refused with its status (4xx, or the C++ lbrp's exact 500 text where the spec fixes
// it), with the whole configuration and the cube's maps unchanged afterwards; then
// valid-but-extreme writes, each accepted, read back exactly, undone. Fixed seed; REST_FUZZ_SEED
// replays or explores (`random`), REST_FUZZ_COUNT scales the hostile part.

import { acceptCase, configOf, type Step } from './accepted-requests';
import { hostileCase, makeRng, oversized, Pick, type FuzzWorld } from './hostile-requests';
import { fuzzCount, fuzzSeed, runCases, timeoutFor, readWholeConfig } from './fuzz-run';
import type { FuzzCase } from './fuzz-case';
import { rawRequest } from '../../fixtures/rest/http-client';
import { describeAsRoot } from '../../fixtures/rest/describe-root';
import { PROBES_OK, probeVerdict, whileProbing } from '../../fixtures/rest/version-prober';
import { startLbrpRestStack, type LbrpRestStack } from '../../fixtures/rest/lbrp-rest-stack';

const P = '/polycube/v1';
const COUNT = fuzzCount(2_000);
const OVERSIZED = 6;
const ACCEPTED = Number(process.env.REST_FUZZ_ACCEPTED ?? 60);
const JSON_TYPE = { 'Content-Type': 'application/json' };

describeAsRoot(
  'kernel: REST fuzz (real lbrp service) — refused requests change nothing, valid ones read back',
  () => {
    let stack: LbrpRestStack;
    let world: FuzzWorld;
    const readAll = (): Promise<string> => readWholeConfig(stack);
    const send = async (s: Step): Promise<string | undefined> => {
      // Writes that fill Maglev tables can take seconds on a busy host: a long bound, not a goal.
      const headers = s.body === undefined ? undefined : JSON_TYPE;
      const r = await rawRequest(
        stack.port,
        { method: s.method, path: s.path, body: s.body, headers },
        120_000,
      );
      return r.status === s.status
        ? undefined
        : `${s.method} ${s.path} ${s.body?.slice(0, 80) ?? ''} → ${r.status} ${r.body.slice(0, 200)} (expected ${s.status})`;
    };

    beforeAll(async () => {
      // No traffic flows, so counters stay zero: read them once (a read of the session table takes
      // about a second), not once a second.
      stack = await startLbrpRestStack({ netdevCount: 2, service: { statsTtlMs: 3_600_000 } });
      world = { cube: 'lbz0', single: 'lbz1', netdevs: stack.netdevs, rules: true };
      const svc = `${P}/lbrp/lbz0/service/10.0.0.1/80/TCP`;
      const setup: Step[] = [
        {
          method: 'POST',
          path: `${P}/lbrp/lbz0/`,
          body: '{"port_mode":"MULTI","loglevel":"INFO"}',
          status: 201,
        },
        { method: 'POST', path: `${P}/lbrp/lbz1/`, body: '{}', status: 201 },
        {
          method: 'POST',
          path: `${P}/lbrp/lbz0/ports/p1/`,
          body: `{"type":"FRONTEND","ip":"10.0.0.254","peer":"${stack.netdevs[0]}"}`,
          status: 201,
        },
        {
          method: 'PATCH',
          path: `${P}/lbrp/lbz0/src-ip-rewrite/`,
          body: '{"ip-range":"10.2.0.0/24","new_ip_range":"10.3.0.0/24"}',
          status: 201,
        },
        { method: 'POST', path: `${svc}/`, body: '{"name":"svc"}', status: 201 },
        {
          method: 'POST',
          path: `${svc}/backend/1.2.3.4/`,
          body: '{"name":"b1","port":80,"weight":20}',
          status: 201,
        },
      ];
      for (const s of setup) expect(await send(s)).toBeUndefined();
    }, 120_000);
    afterAll(async () => {
      await stack?.stop();
    });

    it(
      `refuses ${COUNT} hostile requests with the right status; configuration and maps unchanged`,
      async () => {
        const rnd = makeRng(fuzzSeed());
        const before = await readAll();
        const mapsBefore = stack.dumpMaps('lbz0');
        expect(mapsBefore.filter((l) => l.startsWith('SERVICE'))).toHaveLength(1); // the dump reads real entries
        const cases: FuzzCase[] = Array.from({ length: COUNT }, () => hostileCase(rnd, world));
        const pick = new Pick(rnd);
        for (let i = 0; i < OVERSIZED; i++) cases.splice(pick.int(cases.length), 0, oversized(pick));

        // GET /version/ is probed throughout: every probe answered 200, none held for a second.
        const { result: r, probes } = await whileProbing(stack.port, `REST fuzz (lbrp)`, () =>
          runCases(stack, cases),
        );
        expect(probeVerdict(probes)).toEqual(PROBES_OK);
        console.info(
          `REST fuzz (lbrp): statuses ${JSON.stringify(r.statuses)}; cases ${JSON.stringify(r.categories)}`,
        );
        expect(r.failures.slice(0, 20)).toEqual([]);
        expect(r.categories.rule).toBeGreaterThan(COUNT / 20); // lbrp's own rules were exercised
        expect((await stack.request('GET', `${P}/version`)).status).toBe(200);
        expect(await readAll()).toBe(before);
        expect(stack.dumpMaps('lbz0')).toEqual(mapsBefore);
        expect(stack.service.cubeNames().sort()).toEqual(['lbz0', 'lbz1']);
        expect(stack.daemon.cubes().map((c) => c.name)).toEqual(['lbz0', 'lbz1']);
      },
      timeoutFor(COUNT + OVERSIZED),
    );

    it(
      `accepts ${ACCEPTED} valid-but-extreme writes, reads each back exactly and undoes it`,
      async () => {
        const pick = new Pick(makeRng(fuzzSeed() + 1));
        const before = await readAll();
        const mapsBefore = stack.dumpMaps('lbz0');
        const failures: string[] = [];
        for (let n = 0; n < ACCEPTED && failures.length < 10; n++) {
          const c = acceptCase(pick, world, n);
          const wrong: string[] = [];
          for (const s of c.steps) {
            const w = await send(s);
            if (w) wrong.push(w);
          }
          if (wrong.length === 0) {
            for (const read of c.reads) {
              const r = await stack.request('GET', read.path);
              let got: unknown = r.body;
              try {
                got = configOf(JSON.parse(r.body));
              } catch {
                // not JSON: compared as text
              }
              if (r.status !== 200 || JSON.stringify(got) !== JSON.stringify(read.expect))
                wrong.push(
                  `GET ${read.path} → ${r.status} ${JSON.stringify(got).slice(0, 300)}; expected ${JSON.stringify(read.expect).slice(0, 300)}`,
                );
            }
          }
          for (const s of c.undo) {
            const w = await send(s);
            if (w) wrong.push(`undo: ${w}`);
          }
          const after = await readAll();
          if (after !== before) wrong.push(`configuration differs after undo:\n${after}`);
          // The maps serve exactly what they served before. Removed backends keep an inactive
          // `backends` entry, their `backend_to_vip` entry and so their address in `backend_ips`
          // (with 0 ids) while the service lives (by design, src/lbrp/README.md), so those kinds
          // of line may only be added.
          const maps = stack.dumpMaps('lbz0');
          const added = maps.filter((l) => !mapsBefore.includes(l));
          const lost = mapsBefore.filter((l) => !maps.includes(l));
          const unexpected = added.filter(
            (l) =>
              !/^BACKEND b\d+ \S+ inactive$/.test(l) &&
              !l.startsWith('BACKEND_VIP ') &&
              !/^BACKEND_IP \S+ backends=0$/.test(l),
          );
          if (lost.length > 0 || unexpected.length > 0)
            wrong.push(`maps differ after undo: lost ${lost.join('; ')}; added ${unexpected.join('; ')}`);
          if (wrong.length > 0) failures.push(`${n} ${c.label}:\n  ${wrong.join('\n  ')}`);
        }
        expect(failures).toEqual([]);
      },
      timeoutFor(ACCEPTED, 5_000),
    );
  },
);
