// polycubectl's "Size of the terminal is too small…" note (issue 18): printed on its own line when
// stdout is a terminal narrower than 80 columns (a real pseudo-terminal made by util-linux
// `script`), never when stdout is a pipe.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { TERMINAL_TOO_SMALL } from '../../../src/cli/columnize';
import { REPO, runCli } from './harness';

const CLI = path.join(REPO, 'bin', 'polycubectl.js');
/** What polycubed answers to `lb0 ?`, cut to one row. */
const HELP = JSON.stringify({
  commands: ['show'],
  params: { ports: { name: 'ports', description: 'Entry of the ports table', example: '', type: 'list' } },
});

describe('the terminal-size note', () => {
  let server: http.Server;
  let url = '';

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.method === 'OPTIONS' ? HELP : '{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/polycube/v1/`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  // A pipe: the table alone, no note (the real client printed it, glued to the first line).
  it('is not printed when stdout is a pipe', async () => {
    const r = await runCli({ args: ['lb0', '?'], config: `url: ${url}\n` });
    fs.rmSync(r.home, { recursive: true, force: true });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).not.toContain(TERMINAL_TOO_SMALL);
    expect(r.stdout).toMatch(/^\nKeyword +Type +Description/);
  });

  // A 60-column pseudo-terminal: the note, then a newline, then the table (the tty shows \r\n).
  it('is printed with its newline on a terminal narrower than 80 columns', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fi-pcnctl-home-'));
    fs.mkdirSync(path.join(home, '.config', 'polycube'), { recursive: true });
    fs.writeFileSync(path.join(home, '.config', 'polycube', 'polycubectl_config.yaml'), `url: ${url}\n`);
    const cmd = `stty cols 60 rows 24; exec "${process.execPath}" "${CLI}" lb0 '?'`;
    // (asynchronous: the server answering the CLI runs in this process)
    const child = spawn('script', ['-qec', cmd, '/dev/null'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', HOME: home },
    });
    const r = { stdout: '', stderr: '', status: null as number | null };
    child.stdout.on('data', (c: Buffer) => (r.stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (r.stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill(), 30000);
    r.status = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    clearTimeout(timer);
    fs.rmSync(home, { recursive: true, force: true });
    expect({ code: r.status, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const out = r.stdout.replace(/\r\n/g, '\n');
    expect(out.startsWith(`${TERMINAL_TOO_SMALL}\n`)).toBe(true);
    expect(out.slice(TERMINAL_TOO_SMALL.length + 1)).toMatch(/^\nKeyword +Type +Description/);
  });
});
