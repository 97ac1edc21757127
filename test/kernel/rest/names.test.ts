// Cube and port names over the real REST stack: the URL form (percent-encoded, as polycubectl
// sends it) and the body form address the same cube; non-NFC, control characters, lone
// surrogates, U+FFFD and overlong names are refused with the field and the rule named, and a
// refused name changes nothing.

import { NAME_MAX_BYTES, NAME_RULE } from '../../../src/common/name-rules';
import { describeAsRoot } from '../../fixtures/rest/describe-root';
import { startRestStack, type RestStack } from '../../fixtures/rest/rest-stack';

const P = '/polycube/v1';

/** The one RESTCONF entry of a refused name. */
const refused = (message: string): unknown => ({
  'ietf-restconf:errors': {
    error: [
      {
        'error-type': 'application',
        'error-tag': 'bad-attribute',
        'error-info': 'name',
        'error-message': message,
      },
    ],
  },
});

describeAsRoot('kernel: REST names', () => {
  let stack: RestStack;
  const cubes = async (): Promise<string> => (await stack.request('GET', `${P}/cubes`)).body;

  beforeAll(async () => {
    stack = await startRestStack();
    expect((await stack.request('POST', `${P}/lbrp/lb0/`, '{}')).status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  // polycubectl escapes path words (`café` → `caf%C3%A9`); a body names the cube as is.
  it('the URL and body forms of a UTF-8 name address one cube', async () => {
    expect((await stack.request('POST', `${P}/lbrp/caf%C3%A9/`, '{}')).status).toBe(201);
    const dup = await stack.request('POST', `${P}/lbrp/`, JSON.stringify({ name: 'café' }));
    expect(dup.status).toBe(409);
    expect((await stack.request('GET', `${P}/lbrp/caf%C3%A9/`)).status).toBe(200);
    expect((await stack.request('GET', `${P}/cubes/caf%C3%A9/`)).status).toBe(200);
    const redirect = await stack.request('GET', `${P}/caf%C3%A9/`);
    expect([redirect.status, redirect.headers.location]).toEqual([308, `${P}/lbrp/caf%C3%A9/`]);
    expect(await cubes()).toMatch(/"name": ?"café"/);
    expect((await stack.request('DELETE', `${P}/lbrp/caf%C3%A9/`)).status).toBe(200);
  }, 60_000);

  it('a name of exactly the maximum length is accepted in both forms', async () => {
    const name = '🙂'.repeat(NAME_MAX_BYTES / 4);
    expect((await stack.request('POST', `${P}/lbrp/${encodeURIComponent(name)}/`, '{}')).status).toBe(201);
    expect((await stack.request('POST', `${P}/lbrp/`, JSON.stringify({ name }))).status).toBe(409);
    expect((await stack.request('DELETE', `${P}/lbrp/${encodeURIComponent(name)}/`)).status).toBe(200);
  }, 60_000);

  interface Row {
    name: string;
    method: string;
    path: string;
    body: string;
    want: unknown;
  }
  const rule = (field: string, problem: string): unknown =>
    refused(`invalid ${field}: the name ${problem}; ${NAME_RULE}`);

  const ROWS: Row[] = [
    {
      name: 'non-NFC in the body',
      method: 'POST',
      path: `${P}/lbrp/`,
      body: JSON.stringify({ name: 'cafe\u0301' }),
      want: rule('cube name', 'is not in Unicode normalisation form NFC (send "café")'),
    },
    {
      name: 'non-NFC in the URL',
      method: 'POST',
      path: `${P}/lbrp/cafe%CC%81/`,
      body: '{}',
      want: rule('cube name', 'is not in Unicode normalisation form NFC (send "café")'),
    },
    {
      name: 'a newline in the URL (log injection)',
      method: 'POST',
      path: `${P}/lbrp/a%0AINFO/`,
      body: '{}',
      want: rule('cube name', 'holds U+000A at position 1, which is not a printable character'),
    },
    {
      name: 'NUL in the body',
      method: 'POST',
      path: `${P}/lbrp/`,
      body: '{"name":"a\\u0000b"}',
      want: rule('cube name', 'holds U+0000 at position 1, which is not a printable character'),
    },
    {
      name: 'a lone high surrogate',
      method: 'POST',
      path: `${P}/lbrp/`,
      body: '{"name":"\\ud800"}',
      want: rule('cube name', 'holds an unpaired surrogate (U+D800 at position 0)'),
    },
    {
      name: 'a lone low surrogate',
      method: 'POST',
      path: `${P}/lbrp/`,
      body: '{"name":"\\udc00"}',
      want: rule('cube name', 'holds an unpaired surrogate (U+DC00 at position 0)'),
    },
    {
      name: 'U+FFFD',
      method: 'POST',
      path: `${P}/lbrp/%EF%BF%BD/`,
      body: '{}',
      want: rule('cube name', 'holds U+FFFD (the replacement character)'),
    },
    {
      name: 'a URL segment that is not UTF-8 (an encoded surrogate)',
      method: 'POST',
      path: `${P}/lbrp/%ED%A0%80/`,
      body: '{}',
      want: refused('invalid cube name: the URL segment is not valid percent-encoded UTF-8 without NUL'),
    },
    {
      name: 'one byte over the maximum',
      method: 'POST',
      path: `${P}/lbrp/${'a'.repeat(NAME_MAX_BYTES + 1)}/`,
      body: '{}',
      want: rule(
        'cube name',
        `is ${NAME_MAX_BYTES + 1} bytes long in UTF-8; at most ${NAME_MAX_BYTES} are allowed`,
      ),
    },
    {
      name: 'a 250-character name (once broke the runtime record)',
      method: 'POST',
      path: `${P}/lbrp/${'b'.repeat(250)}/`,
      body: '{}',
      want: rule('cube name', `is 250 bytes long in UTF-8; at most ${NAME_MAX_BYTES} are allowed`),
    },
    {
      name: 'a port name with a control character, in the URL',
      method: 'POST',
      path: `${P}/lbrp/lb0/ports/p%1B/`,
      body: '{"type":"FRONTEND"}',
      want: rule('port name', 'holds U+001B at position 1, which is not a printable character'),
    },
    {
      name: 'a port name with a line separator, in a cube body',
      method: 'POST',
      path: `${P}/lbrp/lbn/`,
      body: '{"ports":[{"name":"p\\u2028","type":"FRONTEND"}]}',
      want: rule('port name', 'holds U+2028 at position 1, which is not a printable character'),
    },
    {
      name: 'a port name with a colon (cube:port peers), in a ports list body',
      method: 'POST',
      path: `${P}/lbrp/lb0/ports/`,
      body: '[{"name":"a:b","type":"FRONTEND"}]',
      want: rule('port name', 'holds ":"'),
    },
  ];

  it.each(ROWS)(
    '$name: refused with the field and the rule, nothing changed',
    async (row) => {
      const before = await cubes();
      const res = await stack.request(row.method, row.path, row.body);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toEqual(row.want);
      expect(await cubes()).toBe(before);
    },
    60_000,
  );
});
