// The bash completion script (REST spec §3.1-§3.2): which OPTIONS …&completion request it sends
// for a typed line, and what it offers from the JSON answer (with jq and with its own reader).

import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO, startRecordingServer, type CannedResponse } from './harness';

const SCRIPT = path.join(REPO, 'src', 'cli', 'completion', 'polycubectl.bash');

interface Completion {
  requests: string[];
  replies: string[];
}

/** Completes `line` (cursor at the end) in a non-interactive bash with the script sourced. */
async function complete(
  line: string,
  answers: CannedResponse[],
  env: Record<string, string> = {},
): Promise<Completion> {
  const server = await startRecordingServer();
  server.answer(
    ...answers.map((a) => ({ ...a, headers: { 'content-type': 'application/json', ...a.headers } })),
  );
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pcnctl-comp-'));
  try {
    const program = `source "$1"; COMP_LINE="$2"; COMP_POINT=\${#COMP_LINE}; _polycubectl; printf '[%s]\\n' "\${COMPREPLY[@]}"`;
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        'bash',
        ['-c', program, 'bash', SCRIPT, line],
        { env: { PATH: process.env.PATH ?? '', HOME: home, POLYCUBECTL_URL: server.base, ...env } },
        (err, out) => (err ? reject(err) : resolve(out)),
      ),
    );
    return {
      requests: server.requests.map((r) => `${r.method} ${r.path}`),
      replies: stdout
        .split('\n')
        .filter((l) => l !== '' && l !== '[]')
        .map((l) => l.slice(1, -1)),
    };
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
    await server.close();
  }
}

const json = (v: unknown): CannedResponse => ({ status: 200, body: JSON.stringify(v) });

describe.each([
  ['jq', {}],
  ['the built-in reader', { POLYCUBECTL_COMPLETION_JQ: '' }],
])('completion with %s', (_how, env) => {
  // The first word: the root answer lists commands, services and cubes.
  test('first word', async () => {
    const got = await complete('polycubectl ', [json(['connect', 'cubes', 'lbrp', 'lb0'])], env);
    expect(got).toEqual({
      requests: ['OPTIONS /polycube/v1/?help=NONE&completion'],
      replies: ['connect ', 'cubes ', 'lbrp ', 'lb0 '],
    });
  });

  // The word being completed is not part of the path and filters the answer.
  test('partial word', async () => {
    const got = await complete(
      'polycubectl lb0 se',
      [json(['ports', 'src-ip-rewrite', 'service', 'set', 'show'])],
      env,
    );
    expect(got).toEqual({
      requests: ['OPTIONS /polycube/v1/lb0?help=NONE&completion'],
      replies: ['service ', 'set '],
    });
  });

  // The command sets TYPE; `key=` entries get no trailing space.
  test('after set', async () => {
    const got = await complete('polycubectl lb0 set ', [json(['loglevel=', 'span=', 'port_mode='])], env);
    expect(got).toEqual({
      requests: ['OPTIONS /polycube/v1/lb0?help=SET&completion'],
      replies: ['loglevel=', 'span=', 'port_mode='],
    });
  });

  // After `key=` the key becomes the last segment and values are offered.
  test('a leaf value', async () => {
    const got = await complete('polycubectl lb0 set loglevel=d', [json(['trace', 'debug', 'info'])], env);
    expect(got).toEqual({
      requests: ['OPTIONS /polycube/v1/lb0/loglevel?help=SET&completion'],
      replies: ['debug '],
    });
  });

  // Words with ':' are skipped; the answer's `cube:` prefix is what readline keeps.
  test('cube:port peers', async () => {
    const got = await complete('polycubectl connect lb0:', [json(['lb0:p1', 'lb0:p2'])], env);
    expect(got).toEqual({
      requests: ['OPTIONS /polycube/v1/connect?help=NONE&completion'],
      replies: ['p1 ', 'p2 '],
    });
  });

  // A single "<key>" entry is a hint, not a completion.
  test('a hint completes nothing', async () => {
    const got = await complete('polycubectl lb0 service add ', [json(['<vip>'])], env);
    expect(got).toEqual({ requests: ['OPTIONS /polycube/v1/lb0/service?help=ADD&completion'], replies: [] });
  });

  // Escaped characters in answers are decoded.
  test('escaped strings', async () => {
    const got = await complete('polycubectl lb0 ports ', [json(['a"b', 'c\\d', 'e/f'])], env);
    expect(got.replies).toEqual(['a"b ', 'c\\d ', 'e/f ']);
  });
});

describe('completion requests', () => {
  // curl -L follows the cube-name redirect, keeping OPTIONS.
  test('follows the redirect', async () => {
    const got = await complete('polycubectl lb0 ', [
      { status: 308, headers: { location: '/polycube/v1/lbrp/lb0?help=NONE&completion=' } },
      json(['set', 'show']),
    ]);
    expect(got).toEqual({
      requests: [
        'OPTIONS /polycube/v1/lb0?help=NONE&completion',
        'OPTIONS /polycube/v1/lbrp/lb0?help=NONE&completion=',
      ],
      replies: ['set ', 'show '],
    });
  });

  // A non-2xx answer completes nothing.
  test('an error answer', async () => {
    const got = await complete('polycubectl lb0 port_mode ', [{ status: 400, body: '' }]);
    expect(got.replies).toEqual([]);
  });

  // Without POLYCUBECTL_URL the base URL comes from the config file.
  test('base URL from the config file', async () => {
    const server = await startRecordingServer();
    server.answer(json(['lbrp']));
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pcnctl-comp-'));
    fs.mkdirSync(path.join(home, '.config', 'polycube'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.config', 'polycube', 'polycubectl_config.yaml'),
      `debug: false\nurl: "${server.base}"\n`,
    );
    try {
      const out = await new Promise<string>((resolve, reject) =>
        execFile(
          'bash',
          [
            '-c',
            'source "$1"; COMP_LINE="polycubectl lb"; COMP_POINT=14; _polycubectl; echo "${COMPREPLY[*]}"',
            'bash',
            SCRIPT,
          ],
          { env: { PATH: process.env.PATH ?? '', HOME: home } },
          (err, o) => (err ? reject(err) : resolve(o)),
        ),
      );
      expect([out, server.requests.map((r) => r.path)]).toEqual([
        'lbrp \n',
        ['/polycube/v1/?help=NONE&completion'],
      ]);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
      await server.close();
    }
  });
});
