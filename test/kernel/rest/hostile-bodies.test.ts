// Hostile request bodies against the real REST stack: 1 MiB of unknown members, deep nesting,
// duplicate members at several depths, `__proto__`, huge strings and many backends are refused
// with the member named, the error list capped, the configuration unchanged — and the daemon keeps
// answering `GET /version/` while it works through each of them (probed concurrently: every probe
// 200, none held for a second, several before the refusal of a big body), and applies valid writes sent
// meanwhile. Bodies of 64 KiB or more are checked in the body worker thread.

import { NAME_MAX_BYTES } from '../../../src/common/name-rules';
import { describeAsRoot } from '../../fixtures/rest/describe-root';
import { startRestStack, type RestStack } from '../../fixtures/rest/rest-stack';
import type { RawResponse } from '../../fixtures/rest/http-client';
import { PROBES_OK, probeVerdict, whileProbing } from '../../fixtures/rest/version-prober';

const P = '/polycube/v1';
const SVC = `${P}/lbrp/lb0/service/10.0.0.1/80/TCP`;

interface RestconfEntry {
  'error-tag': string;
  'error-info'?: string;
  'error-message'?: string;
}

function entries(res: RawResponse): RestconfEntry[] {
  const doc = JSON.parse(res.body) as { 'ietf-restconf:errors': { error: RestconfEntry[] } };
  return doc['ietf-restconf:errors'].error;
}

/**
 * `{"k0000":0,…}`: `count` members of 10 bytes each. Names start with a letter: JS objects list
 * integer-like names ("1000") first, whatever the body order.
 */
function manyMembers(count: number, extra = ''): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(`"k${i.toString(36).padStart(4, '0')}":0`);
  return `{${extra}${parts.join(',')}}`;
}

describeAsRoot('kernel: REST hostile bodies', () => {
  let stack: RestStack;

  /** Everything a client can read back: the cube list and each cube with its services. */
  const readAll = async (): Promise<string> => {
    const parts: string[] = [];
    for (const p of [`${P}/cubes`, `${P}/lbrp/lb0/`, `${P}/lbrp/lb0/service/`]) {
      const r = await stack.request('GET', p);
      parts.push(`${p} ${r.status} ${r.body}`);
    }
    return parts.join('\n');
  };

  /**
   * Sends the hostile request while probing `GET /version/`; every probe must be answered 200
   * within the bound. Returns the answer and how many probes were answered meanwhile.
   */
  async function probed(method: string, path: string, body: string): Promise<[RawResponse, number]> {
    const what = `${method} ${path} (${body.length} bytes)`;
    const { result, probes } = await whileProbing(stack.port, what, () => stack.request(method, path, body));
    expect([what, probeVerdict(probes)]).toEqual([what, PROBES_OK]);
    return [result, probes.count];
  }

  beforeAll(async () => {
    stack = await startRestStack();
    for (const [m, p, b] of [
      ['POST', `${P}/lbrp/lb0/`, '{"loglevel":"INFO"}'],
      ['POST', `${SVC}/`, '{"name":"svc"}'],
      ['POST', `${SVC}/backend/1.2.3.4/`, '{"port":80,"weight":20}'],
    ])
      expect([p, (await stack.request(m, p, b)).status]).toEqual([p, 201]);
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  // 100,000 unknown members in about 1 MiB: the first 20 are named in body order, the rest
  // counted, nothing is created, and other requests are served while the body is checked.
  it('1 MiB of 100,000 unknown members: capped list, nothing created, the daemon keeps answering', async () => {
    const before = await readAll();
    const body = manyMembers(100_000);
    expect(body.length).toBeLessThanOrEqual(1024 * 1024);
    for (const [method, path] of [
      ['POST', `${P}/lbrp/lbx/`],
      ['PATCH', `${P}/lbrp/lb0/`],
    ]) {
      const [res, probes] = await probed(method, path, body);
      expect(res.status).toBe(400);
      const errs = entries(res);
      expect(errs).toHaveLength(21);
      expect(errs.slice(0, 20)).toEqual(
        Array.from({ length: 20 }, (_, i) => ({
          'error-type': 'application',
          'error-tag': 'invalid-value',
          'error-info': `k${i.toString(36).padStart(4, '0')}`,
        })),
      );
      expect(errs[20]).toEqual({
        'error-type': 'application',
        'error-tag': 'operation-failed',
        'error-message': '99980 more errors not listed; only the first 20 are',
      });
      // Several probes were answered while the body was being read and checked.
      expect([method, probes]).toEqual([method, expect.any(Number)]);
      expect(probes).toBeGreaterThanOrEqual(5);
    }
    expect(await readAll()).toBe(before);
  }, 120_000);

  // Valid writes sent while a 1 MiB hostile body is being read and checked are each applied
  // once, in full; the hostile one is refused and leaves nothing behind.
  it('valid writes during a 1 MiB hostile body all succeed; the hostile one changes nothing', async () => {
    const ips = Array.from({ length: 6 }, (_, i) => `1.2.3.${100 + i}`);
    const { result, probes } = await whileProbing(stack.port, 'valid writes during a hostile body', () => {
      const hostile = stack.request('PATCH', `${P}/lbrp/lb0/`, manyMembers(100_000));
      const writes = Promise.all(
        ips.map((ip, i) =>
          stack.request('POST', `${SVC}/backend/${ip}/`, `{"port":${8000 + i},"weight":${i + 1}}`),
        ),
      );
      return Promise.all([hostile, writes]);
    });
    const [hostile, writes] = result;
    expect(probeVerdict(probes)).toEqual(PROBES_OK);
    expect(writes.map((w) => w.status)).toEqual(ips.map(() => 201));
    expect(hostile.status).toBe(400);
    const got = JSON.parse((await stack.request('GET', `${SVC}/backend/`)).body) as Array<{
      ip: string;
      port: number;
      weight: number;
    }>;
    for (const [i, ip] of ips.entries())
      expect(got.filter((b) => b.ip === ip).map((b) => [b.port, b.weight])).toEqual([[8000 + i, i + 1]]);
    expect(JSON.parse((await stack.request('GET', `${P}/lbrp/lb0/loglevel/`)).body)).toBe('INFO');
    for (const ip of ips) expect((await stack.request('DELETE', `${SVC}/backend/${ip}/`)).status).toBe(204);
  }, 120_000);

  // 24,000 backends with a bad weight: 20 named, the rest counted, nothing added.
  // Framework endpoints read large bodies in the body worker too: the same refusals as for a
  // small body, the configuration unchanged.
  it('1 MiB framework bodies (POST /cubes, /connect): refused, nothing changed, the daemon keeps answering', async () => {
    const before = await readAll();
    const cube = manyMembers(100_000, '"service-name":"lbrp","name":"lbc",');
    expect(cube.length).toBeLessThanOrEqual(1024 * 1024 - 2);
    const [batch, batchProbes] = await probed('POST', `${P}/cubes/`, `[${cube}]`);
    expect(batch.status).toBe(400);
    expect(batch.body).toMatch(/^Error creating cube: lbc: invalid-value k0000, invalid-value k0001, /);
    expect(batch.body).toMatch(/, invalid-value k000j and 99980 more$/);
    expect(batchProbes).toBeGreaterThanOrEqual(5);
    const [connect] = await probed('POST', `${P}/connect/`, manyMembers(100_000));
    expect([connect.status, connect.body]).toEqual([400, 'peer1 is missing']);
    expect(await readAll()).toBe(before);
  }, 120_000);

  it('a service body with 24,000 bad backends: capped list, nothing added, the daemon keeps answering', async () => {
    const before = await readAll();
    const backends: string[] = [];
    for (let i = 0; i < 24_000; i++)
      backends.push(`{"ip":"10.9.${i >> 8}.${i & 255}","port":80,"weight":-1}`);
    const body = `{"name":"big","backend":[${backends.join(',')}]}`;
    expect(body.length).toBeLessThanOrEqual(1024 * 1024);
    const [res, probes] = await probed('POST', `${P}/lbrp/lb0/service/10.0.0.2/80/TCP/`, body);
    expect(res.status).toBe(400);
    const errs = entries(res);
    expect(errs).toHaveLength(21);
    expect(
      errs.slice(0, 20).every((e) => e['error-tag'] === 'bad-attribute' && e['error-info'] === 'weight'),
    ).toBe(true);
    expect(errs[20]['error-message']).toBe('23980 more errors not listed; only the first 20 are');
    expect(probes).toBeGreaterThanOrEqual(5);
    expect(await readAll()).toBe(before);
  }, 120_000);

  interface Row {
    name: string;
    method: string;
    path: string;
    body: string;
    want: RestconfEntry;
  }

  const deep = (n: number): string => `{"ports":${'['.repeat(n)}${']'.repeat(n)}}`;
  const ROWS: Row[] = [
    {
      name: 'nesting past 64 levels (a megabyte of brackets)',
      method: 'POST',
      path: `${P}/lbrp/lbd/`,
      body: deep(500_000),
      want: {
        'error-tag': 'malformed-message',
        'error-message': `the body nests arrays and objects deeper than 64 levels (at /ports${'/0'.repeat(62)})`,
      },
    },
    {
      name: 'a duplicate member at the top level',
      method: 'PATCH',
      path: `${P}/lbrp/lb0/`,
      body: '{"loglevel":"DEBUG","loglevel":"INFO"}',
      want: {
        'error-tag': 'malformed-message',
        'error-info': 'loglevel',
        'error-message': 'duplicate member "loglevel" in the object at / of the body',
      },
    },
    {
      name: 'a duplicate member inside a list element',
      method: 'POST',
      path: `${P}/lbrp/lbd/`,
      body: '{"ports":[{"name":"p1","type":"FRONTEND"},{"name":"p2","type":"BACKEND","name":"p3"}]}',
      want: {
        'error-tag': 'malformed-message',
        'error-info': 'name',
        'error-message': 'duplicate member "name" in the object at /ports/1 of the body',
      },
    },
    {
      name: 'a duplicate member three levels down, spelled with an escape',
      method: 'POST',
      path: `${P}/lbrp/lbd/`,
      body: '{"service":[{"vip":"10.0.0.9","vport":80,"proto":"TCP","backend":[{"ip":"1.1.1.1","port":1,"p\\u006frt":2}]}]}',
      want: {
        'error-tag': 'malformed-message',
        'error-info': 'port',
        'error-message': 'duplicate member "port" in the object at /service/0/backend/0 of the body',
      },
    },
    {
      name: '__proto__ twice',
      method: 'PATCH',
      path: `${P}/lbrp/lb0/`,
      body: '{"__proto__":{"loglevel":"DEBUG"},"__proto__":{}}',
      want: {
        'error-tag': 'malformed-message',
        'error-info': '__proto__',
        'error-message': 'duplicate member "__proto__" in the object at / of the body',
      },
    },
    {
      name: '__proto__ is data: an unknown member, never the prototype',
      method: 'PATCH',
      path: `${P}/lbrp/lb0/`,
      body: '{"__proto__":{"loglevel":"DEBUG"}}',
      want: { 'error-tag': 'invalid-value', 'error-info': '__proto__' },
    },
    {
      name: 'a huge string as the cube name',
      method: 'POST',
      path: `${P}/lbrp/`,
      body: JSON.stringify({ name: 'x'.repeat(1_000_000) }),
      want: {
        'error-tag': 'bad-attribute',
        'error-info': 'name',
        'error-message': expect.stringContaining(
          `the name is 1000000 bytes long in UTF-8; at most ${NAME_MAX_BYTES} are allowed`,
        ) as unknown as string,
      },
    },
  ];

  it.each(ROWS)(
    '$name: refused, member named, nothing changed',
    async (row) => {
      const before = await readAll();
      const [res] = await probed(row.method, row.path, row.body);
      expect(res.status).toBe(400);
      expect(entries(res)).toEqual([{ 'error-type': 'application', ...row.want }]);
      expect(await readAll()).toBe(before);
    },
    60_000,
  );
});
