// Replays every CLI transcript in transcripts/*.yaml (command → HTTP requests → canned responses
// → printed output and exit code) against a recording server. Transcripts are server-agnostic
// data: a later suite replays the same files against the real daemon.

import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { closedPort, REPO, runCli, startRecordingServer } from './harness';

/** One step of a transcript: what the client must send and what the server answers. */
interface Exchange {
  request: {
    method: string;
    path: string;
    /** Exact body bytes; omitted = empty. */
    body?: string;
    /** Header checks: a value must match exactly, null means "absent". */
    headers?: Record<string, string | null>;
  };
  response: { status: number; headers?: Record<string, string>; body?: string; json?: unknown };
}

interface Transcript {
  name: string;
  args: string[];
  /** Config file; default `url: {{base}}`; null = no file. */
  config?: string | null;
  env?: Record<string, string>;
  stdin?: string;
  exchanges?: Exchange[];
  stdout: string;
  stderr?: string;
  exitCode: number;
}

const DIR = path.join(__dirname, 'transcripts');
const VERSION = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string })
  .version;

function load(): Array<Transcript & { file: string }> {
  const all: Array<Transcript & { file: string }> = [];
  for (const file of fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    const doc = parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as { transcripts: Transcript[] };
    for (const t of doc.transcripts) all.push({ ...t, file });
  }
  return all;
}

/** Replaces {{base}}, {{hostport}}, {{closedPort}} and {{version}} in every string. */
function fill<T>(v: T, vars: Record<string, string>): T {
  if (typeof v === 'string') return v.replace(/\{\{(\w+)\}\}/g, (m, k: string) => vars[k] ?? m) as T;
  if (Array.isArray(v)) return v.map((x) => fill(x, vars)) as T;
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x, vars)])) as T;
  }
  return v;
}

const transcripts = load();

test('transcript names are unique', () => {
  const names = transcripts.map((t) => t.name);
  expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
});

describe.each([...new Set(transcripts.map((t) => t.file))])('%s', (file) => {
  test.concurrent.each(transcripts.filter((t) => t.file === file).map((t) => [t.name, t] as const))(
    '%s',
    async (_name, raw) => {
      const server = await startRecordingServer();
      try {
        const t = fill(raw, {
          base: server.base,
          hostport: `127.0.0.1:${server.port}`,
          closedPort: String(await closedPort()),
          version: VERSION,
        });
        const exchanges = t.exchanges ?? [];
        for (const e of exchanges) {
          const body = e.response.json !== undefined ? JSON.stringify(e.response.json) : e.response.body;
          server.answer({ status: e.response.status, headers: e.response.headers, body });
        }
        const result = await runCli({
          args: t.args,
          config: t.config === null ? undefined : (t.config ?? `url: ${server.base}\n`),
          env: t.env,
          stdin: t.stdin,
        });
        fs.rmSync(result.home, { recursive: true, force: true });
        const got = server.requests.map((r, i) => {
          const checked = Object.keys(exchanges[i]?.request.headers ?? {});
          return {
            method: r.method,
            path: r.path,
            body: r.body,
            headers: Object.fromEntries(checked.map((h) => [h, r.headers[h] ?? null])),
            contentType: r.headers['content-type'] ?? null,
          };
        });
        const want = exchanges.map((e) => ({
          method: e.request.method,
          path: e.request.path,
          body: e.request.body ?? '',
          headers: e.request.headers ?? {},
          // REST spec §2.4: only POST carries a Content-Type.
          contentType: e.request.method === 'POST' ? 'application/json' : null,
        }));
        expect({
          requests: got,
          stdout: result.stdout,
          stderr: result.stderr,
          exitCode: result.code,
        }).toEqual({
          requests: want,
          stdout: t.stdout,
          stderr: t.stderr ?? '',
          exitCode: t.exitCode,
        });
      } finally {
        await server.close();
      }
    },
    30000,
  );
});
