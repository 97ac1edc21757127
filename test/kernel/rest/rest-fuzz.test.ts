// REST fuzz against the stand-in service: thousands of hostile requests (broken JSON, wrong types,
// out-of-range numbers, unknown and read-only members, bad keys, wrong methods, oversized bodies,
// odd paths with `..`, NUL, escapes and huge lengths) on 127.0.0.1. Every write is refused with a
// 4xx (the exact status where the spec fixes it), reads never crash, and the configuration reads
// back byte for byte as before. rest-fuzz-lbrp.test.ts runs the same against the real service.
// Fixed seed; REST_FUZZ_SEED replays or explores (`random`), REST_FUZZ_COUNT scales it.

import { hostileCase, makeRng, oversized, Pick, type FuzzWorld } from './hostile-requests';
import { fuzzCount, fuzzSeed, runCases, timeoutFor, readWholeConfig } from './fuzz-run';
import type { FuzzCase } from './fuzz-case';
import { describeAsRoot } from '../../fixtures/rest/describe-root';
import { PROBES_OK, probeVerdict, whileProbing } from '../../fixtures/rest/version-prober';
import { startRestStack, type RestStack } from '../../fixtures/rest/rest-stack';

const P = '/polycube/v1';
const COUNT = fuzzCount(4_000);
const OVERSIZED = 12;

describeAsRoot(
  'kernel: REST fuzz (stand-in service) — hostile requests are refused and change nothing',
  () => {
    let stack: RestStack;
    let world: FuzzWorld;
    const readAll = (): Promise<string> => readWholeConfig(stack);

    beforeAll(async () => {
      stack = await startRestStack({ netdevCount: 2 });
      world = { cube: 'lbz0', single: 'lbz1', netdevs: stack.netdevs, rules: false };
      const svc = `${P}/lbrp/lbz0/service/10.0.0.1/80/TCP`;
      const setup: [string, string, string][] = [
        ['POST', `${P}/lbrp/lbz0/`, '{"port_mode":"MULTI","loglevel":"INFO"}'],
        ['POST', `${P}/lbrp/lbz1/`, '{}'],
        [
          'POST',
          `${P}/lbrp/lbz0/ports/p1/`,
          `{"type":"FRONTEND","ip":"10.0.0.254","peer":"${stack.netdevs[0]}"}`,
        ],
        [
          'PATCH',
          `${P}/lbrp/lbz0/src-ip-rewrite/`,
          '{"ip-range":"10.2.0.0/24","new_ip_range":"10.3.0.0/24"}',
        ],
        ['POST', `${svc}/`, '{"name":"svc"}'],
        ['POST', `${svc}/backend/1.2.3.4/`, '{"name":"b1","port":80,"weight":20}'],
      ];
      for (const [m, p, b] of setup) expect([p, (await stack.request(m, p, b)).status]).toEqual([p, 201]);
    }, 60_000);
    afterAll(async () => {
      await stack?.stop();
    });

    it(
      `refuses ${COUNT} hostile requests with the right status and leaves the configuration as it was`,
      async () => {
        const rnd = makeRng(fuzzSeed());
        const before = await readAll();
        const storeBefore = stack.store?.snapshot();
        const cases: FuzzCase[] = Array.from({ length: COUNT }, () => hostileCase(rnd, world));
        const pick = new Pick(rnd);
        for (let i = 0; i < OVERSIZED; i++) cases.splice(pick.int(cases.length), 0, oversized(pick));

        // GET /version/ is probed throughout: every probe answered 200, none held for a second.
        const { result: r, probes } = await whileProbing(stack.port, `REST fuzz (stand-in)`, () =>
          runCases(stack, cases),
        );
        expect(probeVerdict(probes)).toEqual(PROBES_OK);
        console.info(
          `REST fuzz (stand-in): statuses ${JSON.stringify(r.statuses)}; cases ${JSON.stringify(r.categories)}`,
        );
        expect(r.failures.slice(0, 20)).toEqual([]);
        // Still serving, and nothing changed: neither what clients read back nor what the service holds.
        expect((await stack.request('GET', `${P}/version`)).status).toBe(200);
        expect(await readAll()).toBe(before);
        expect(stack.store?.snapshot()).toBe(storeBefore);
        expect(stack.daemon.cubes().map((c) => c.name)).toEqual(['lbz0', 'lbz1']);
      },
      timeoutFor(COUNT + OVERSIZED),
    );
  },
);
