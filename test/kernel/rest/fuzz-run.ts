// Runs REST fuzz cases against a stack: a fixed seed unless REST_FUZZ_SEED says otherwise
// (`random` picks one and prints it for replay), a few requests in flight, every answer checked
// against its case. No time budget: jest timeouts are sized from the case count instead.

import type { RawResponse } from '../../fixtures/rest/http-client';
import { checkAnswer, wireBytes, type FuzzCase } from './fuzz-case';

/** Seed of CI runs (any change to the generators changes what it means; that is fine). */
export const CI_SEED = 20_261_207;

/** The seed of this run: REST_FUZZ_SEED=<n> replays one, REST_FUZZ_SEED=random explores. */
export function fuzzSeed(): number {
  const env = process.env.REST_FUZZ_SEED;
  const seed = env === 'random' ? Math.floor(Math.random() * 2 ** 31) : env ? Number(env) : CI_SEED;
  if (!Number.isSafeInteger(seed))
    throw new Error(`REST_FUZZ_SEED must be an integer or "random", not ${env}`);
  console.info(
    `REST fuzz seed ${seed} (replay with REST_FUZZ_SEED=${seed}; explore with REST_FUZZ_SEED=random)`,
  );
  return seed;
}

/** How many cases: REST_FUZZ_COUNT, else `dflt`. */
export function fuzzCount(dflt: number): number {
  const n = Number(process.env.REST_FUZZ_COUNT ?? dflt);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`REST_FUZZ_COUNT must be a positive integer`);
  return n;
}

/** A jest timeout for `cases` requests: generous per case (10 per second suffice), never a goal. */
export const timeoutFor = (cases: number, perCaseMs = 100, baseMs = 60_000): number =>
  baseMs + cases * perCaseMs;

/** Something that answers raw requests. */
export interface FuzzTarget {
  request(
    method: string,
    path: string,
    body?: string | Buffer,
    headers?: Record<string, string>,
  ): Promise<RawResponse>;
}

/** Everything a client can read of the fuzzed configuration (cubes lbz0/lbz1, topology), as text. */
export async function readWholeConfig(target: FuzzTarget): Promise<string> {
  const parts: string[] = [];
  for (const path of ['cubes', 'lbrp/', 'lbrp/lbz0/', 'lbrp/lbz1/', 'topology']) {
    const r = await target.request('GET', `/polycube/v1/${path}`);
    parts.push(`${r.status} ${r.body}`);
  }
  return parts.join('\n');
}

/** What a run saw. */
export interface FuzzResult {
  /** Wrong answers, one line per case (label, request, answer). */
  failures: string[];
  /** How many answers per status. */
  statuses: Record<number, number>;
  /** How many cases per label prefix (the generator's category). */
  categories: Record<string, number>;
}

const JSON_TYPE = { 'Content-Type': 'application/json' };

/** Sends every case (`inFlight` at a time) and checks each answer. */
export async function runCases(
  target: FuzzTarget,
  cases: readonly FuzzCase[],
  inFlight = 8,
): Promise<FuzzResult> {
  const failures: string[] = [];
  const statuses: Record<number, number> = {};
  const categories: Record<string, number> = {};
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const i = next++;
      const c = cases[i];
      const body = c.req.body as string | undefined;
      // The exact bytes (throws if an encoder would change the sample).
      const bytes = wireBytes(c).body;
      const res = await target.request(
        c.req.method,
        c.req.path,
        body === undefined ? undefined : bytes,
        body === undefined ? undefined : JSON_TYPE,
      );
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      const category = c.label.split(/[ /]/)[0];
      categories[category] = (categories[category] ?? 0) + 1;
      const wrong = checkAnswer(c, res);
      if (wrong)
        failures.push(
          `#${i} ${c.label}: ${wrong} — ${c.req.method} ${c.req.path.slice(0, 100)} ${String(body ?? '').slice(0, 80)}`,
        );
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { failures, statuses, categories };
}
