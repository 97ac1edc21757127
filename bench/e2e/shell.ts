// Process helpers of the end-to-end bench: run a command (optionally inside a network namespace)
// synchronously for setup, or asynchronously with a deadline for the measured load runs. The
// bench shells out to ip/tc/iptables/nft/ipvsadm/iperf3 by design: it drives the kernel's own
// tools exactly as an operator would (product code never does this).

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

/** argv prefix that runs a command inside `ns` (or in the bench's own netns when undefined). */
export function inNetns(ns: string | undefined, argv: string[]): string[] {
  return ns ? ['ip', 'netns', 'exec', ns, ...argv] : argv;
}

/** Runs `argv` and returns stdout; throws with the command and its stderr on failure. */
export function run(argv: string[], input?: string): string {
  try {
    return execFileSync(argv[0], argv.slice(1), {
      encoding: 'utf8',
      input,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: 60_000,
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${argv.join(' ')} failed: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

/** Like `run` but never throws; returns whether the command succeeded. */
export function tryRun(argv: string[]): boolean {
  try {
    execFileSync(argv[0], argv.slice(1), { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** True when `cmd` is on PATH. */
export function haveCommand(cmd: string): boolean {
  return tryRun(['sh', '-c', `command -v ${cmd}`]);
}

/** Output of a finished asynchronous command. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `argv` without blocking the event loop (signals stay responsive) and resolves when it
 * exits; kills it with SIGKILL after `timeoutMs`. Never rejects: the caller checks `code`.
 */
export function runAsync(argv: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: stderr + err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Starts a long-lived process and resolves once a line of its stdout matches `ready` (or rejects
 * after `timeoutMs`, or when it exits first). Output after that is kept in `log()` for errors.
 */
export function startDaemon(
  argv: string[],
  ready: RegExp,
  timeoutMs: number,
): Promise<{ child: ChildProcess; log: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (d: Buffer): void => {
      out = (out + d.toString()).slice(-20_000);
      if (ready.test(out)) finish();
    };
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve({ child, log: () => out });
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(new Error(`${argv.join(' ')}: not ready after ${timeoutMs} ms:\n${out.slice(-2000)}`));
    }, timeoutMs);
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', (err) => finish(err));
    child.on('exit', (code) => finish(new Error(`${argv.join(' ')} exited (${code}):\n${out.slice(-2000)}`)));
  });
}

/** Sends SIGTERM, then SIGKILL after `graceMs` if it is still there; resolves when it is gone. */
export function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Kills `child` at once without waiting (for synchronous cleanup on a signal or exit). */
export function killNow(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
