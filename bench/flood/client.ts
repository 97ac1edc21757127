// The flood bench's client, run inside the client namespace (`node --import tsx client.ts`): it
// takes one JSON command per stdin line and answers each with one JSON line on stdout, in order.
//   {"cmd":"open", …}   opens the idle connections, asks each which backend it reached
//   {"cmd":"legit", …}  new connections at a steady rate (connect, a line each way, close)
//   {"cmd":"check", …}  each idle connection asks again: same backend, another one, or broken
// The harness (harness.ts) drives it; the backends (backend.ts) answer a line with their id.

import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';

/** Where the connections go and from which address. */
interface Target {
  vip: string;
  port: number;
  src: string;
}

export interface OpenCommand extends Target {
  cmd: 'open';
  n: number;
  /** Connections being opened at once. */
  concurrency: number;
  timeoutMs: number;
}

export interface LegitCommand extends Target {
  cmd: 'legit';
  rate: number;
  seconds: number;
  deadlineMs: number;
}

export interface CheckCommand {
  cmd: 'check';
  timeoutMs: number;
}

export type ClientCommand = OpenCommand | LegitCommand | CheckCommand;

/** Answer to `open`. */
export interface OpenResult {
  opened: number;
  failed: number;
  /** Idle connections per backend id. */
  byBackend: Record<string, number>;
  errors: Record<string, number>;
}

/** Answer to `legit`. */
export interface LegitResult {
  attempted: number;
  succeeded: number;
  /** Failures by cause (timeout, ECONNRESET, a wrong answer, …). */
  errors: Record<string, number>;
  /** Time from connect() to the answer of the successful ones, ms. */
  p50Ms: number;
  p99Ms: number;
}

/** Answer to `check`, per backend the connection was on before the flood. */
export interface CheckResult {
  total: number;
  kept: number;
  moved: number;
  broken: number;
  byBackend: Record<string, { total: number; kept: number; moved: number; broken: number }>;
  errors: Record<string, number>;
}

/** One line out, one line back on `sock`; rejects after `timeoutMs` or when the socket fails. */
function ask(sock: Socket, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const done = (err?: Error, line?: string): void => {
      clearTimeout(timer);
      sock.off('data', onData);
      sock.off('error', onErr);
      sock.off('close', onClose);
      if (err) reject(err);
      else resolve(line!);
    };
    const onData = (d: Buffer): void => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(undefined, buf.slice(0, nl));
    };
    const onErr = (e: Error): void => done(e);
    const onClose = (): void => done(new Error('closed'));
    const timer = setTimeout(() => done(new Error('timeout')), timeoutMs);
    sock.on('data', onData);
    sock.on('error', onErr);
    sock.on('close', onClose);
    sock.write('?\n');
  });
}

/** Connects to the target and resolves with the socket once connected (or rejects after `timeoutMs`). */
function open(t: Target, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: t.vip, port: t.port, localAddress: t.src, noDelay: true });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('timeout'));
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.removeAllListeners('error');
      sock.on('error', () => undefined); // errors surface in ask() or at the check
      resolve(sock);
    });
    sock.once('error', (e) => {
      clearTimeout(timer);
      sock.destroy();
      reject(e);
    });
  });
}

const cause = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;
const bump = (m: Record<string, number>, k: string): void => void (m[k] = (m[k] ?? 0) + 1);

/** The idle connections and the backend each reached when opened. */
const idle: { sock: Socket; backend: string; broken?: string }[] = [];

async function runOpen(c: OpenCommand): Promise<OpenResult> {
  const res: OpenResult = { opened: 0, failed: 0, byBackend: {}, errors: {} };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < c.n) {
      next++;
      try {
        const sock = await open(c, c.timeoutMs);
        const backend = await ask(sock, c.timeoutMs);
        const entry: (typeof idle)[number] = { sock, backend };
        // A reset while idle (e.g. a backend answering a stray segment) is remembered for the check.
        sock.on('close', () => (entry.broken ??= 'closed while idle'));
        idle.push(entry);
        res.opened++;
        bump(res.byBackend, backend);
      } catch (e) {
        res.failed++;
        bump(res.errors, cause(e));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, c.concurrency) }, worker));
  return res;
}

async function runLegit(c: LegitCommand): Promise<LegitResult> {
  const res: LegitResult = { attempted: 0, succeeded: 0, errors: {}, p50Ms: 0, p99Ms: 0 };
  const took: number[] = [];
  const pending: Promise<void>[] = [];
  const total = Math.round(c.rate * c.seconds);
  const t0 = Date.now();
  const one = async (): Promise<void> => {
    const start = Date.now();
    let sock: Socket | undefined;
    try {
      sock = await open(c, c.deadlineMs);
      const answer = await ask(sock, Math.max(1, c.deadlineMs - (Date.now() - start)));
      if (!/^b\d+$/.test(answer)) throw new Error('unexpected answer');
      res.succeeded++;
      took.push(Date.now() - start);
    } catch (e) {
      bump(res.errors, cause(e));
    } finally {
      sock?.destroy();
    }
  };
  for (let i = 0; i < total; i++) {
    // Steady pacing against the clock (a slow event loop catches up instead of drifting).
    const due = t0 + (i * 1000) / c.rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    res.attempted++;
    pending.push(one());
  }
  await Promise.all(pending);
  took.sort((a, b) => a - b);
  const pct = (p: number): number =>
    took.length ? took[Math.min(took.length - 1, Math.floor(p * took.length))] : 0;
  res.p50Ms = pct(0.5);
  res.p99Ms = pct(0.99);
  return res;
}

async function runCheck(c: CheckCommand): Promise<CheckResult> {
  const res: CheckResult = { total: idle.length, kept: 0, moved: 0, broken: 0, byBackend: {}, errors: {} };
  await Promise.all(
    idle.map(async (e) => {
      const b = (res.byBackend[e.backend] ??= { total: 0, kept: 0, moved: 0, broken: 0 });
      b.total++;
      let outcome: 'kept' | 'moved' | 'broken';
      if (e.broken !== undefined) {
        outcome = 'broken';
        bump(res.errors, e.broken);
      } else {
        try {
          outcome = (await ask(e.sock, c.timeoutMs)) === e.backend ? 'kept' : 'moved';
        } catch (err) {
          outcome = 'broken';
          bump(res.errors, cause(err));
        }
      }
      res[outcome]++;
      b[outcome]++;
    }),
  );
  for (const e of idle.splice(0)) e.sock.destroy();
  return res;
}

async function main(): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const c = JSON.parse(line) as ClientCommand;
    let out: unknown;
    try {
      if (c.cmd === 'open') out = await runOpen(c);
      else if (c.cmd === 'legit') out = await runLegit(c);
      else if (c.cmd === 'check') out = await runCheck(c);
      else out = { error: `unknown command ${(c as { cmd: string }).cmd}` };
    } catch (e) {
      out = { error: (e as Error).message };
    }
    process.stdout.write(`${JSON.stringify(out)}\n`);
  }
  process.exit(0);
}

void main();
