// Errors raised by the kernel runtime: every failed bpf()/netlink/libbpf call becomes a
// KernelError ("map update vip_to_service: E2BIG"); program loads that the verifier rejects
// become VerifierError (with the whole log) and failed clang runs become CompileError.
// Callers above the runtime translate these into catalogue errors once (STYLE §5).

import { constants } from 'node:os';

/** Kernel-internal errno values that can leak to user space and have no libc name. */
const KERNEL_ONLY_ERRNO: Record<number, string> = { 524: 'ENOTSUPP' };

const ERRNO_NAMES: Record<number, string> = (() => {
  const names: Record<number, string> = { ...KERNEL_ONLY_ERRNO };
  for (const [name, value] of Object.entries(constants.errno)) names[value] ??= name;
  return names;
})();

/** Symbolic name of a positive errno ("E2BIG"), or "errno N" when it has none. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES[Math.abs(errno)] ?? `errno ${Math.abs(errno)}`;
}

/** errno value for a symbolic name ("ENOENT" → 2), including kernel-only ENOTSUPP. */
export function errnoValue(name: string): number {
  if (name === 'ENOTSUPP') return 524;
  const value = (constants.errno as Record<string, number>)[name];
  if (value === undefined) throw new TypeError(`unknown errno name ${name}`);
  return value;
}

/** A failed kernel operation: what was attempted, on what, and the errno it returned. */
export class KernelError extends Error {
  /** Operation, lower-case words: "map update", "tc attach", "object open". */
  readonly op: string;
  /** The object operated on: a map/program name, a path or an interface. */
  readonly target: string;
  /** Positive errno. */
  readonly errno: number;
  /** Symbolic errno ("E2BIG"). */
  readonly code: string;

  /** `detail` is appended after the errno name (e.g. libbpf's own messages). */
  constructor(op: string, target: string, errno: number, detail?: string) {
    const code = errnoName(errno);
    super(`${op} ${target}: ${code}${detail ? ` (${detail.trim()})` : ''}`);
    this.name = 'KernelError';
    this.op = op;
    this.target = target;
    this.errno = Math.abs(errno);
    this.code = code;
  }
}

/** The verifier refused a program; `log` is the verifier's own output, untruncated as captured. */
export class VerifierError extends KernelError {
  /** Full verifier log of the rejected program. */
  readonly log: string;
  /** Name of the rejected program, when libbpf reported it. */
  readonly program: string | undefined;

  constructor(target: string, errno: number, log: string, program?: string) {
    const last = lastMeaningfulLine(log);
    super('program load', target, errno, last ? `verifier: ${last}` : undefined);
    this.name = 'VerifierError';
    this.log = log;
    this.program = program;
  }
}

/** clang failed to build a BPF object; `stderr` holds clang's diagnostics verbatim. */
export class CompileError extends Error {
  /** The source entry that was compiled. */
  readonly sourcePath: string;
  /** clang's diagnostics. */
  readonly stderr: string;
  /** clang's exit status (null when it was killed by a signal). */
  readonly exitCode: number | null;

  constructor(sourcePath: string, stderr: string, exitCode: number | null) {
    const first = stderr.split('\n').find((l) => /error:/.test(l)) ?? stderr.split('\n')[0] ?? '';
    super(`compile ${sourcePath}: ${first.trim() || `clang exited with ${exitCode}`}`);
    this.name = 'CompileError';
    this.sourcePath = sourcePath;
    this.stderr = stderr;
    this.exitCode = exitCode;
  }
}

function lastMeaningfulLine(log: string): string | undefined {
  const lines = log
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('processed ') && !/^-- (BEGIN|END)/.test(l));
  return lines[lines.length - 1];
}

/**
 * Returns `ret` when it is a success (>= 0); otherwise throws a KernelError. Accepts both
 * conventions: libbpf 1.x's negative errno, and a bare -1 with the reason in `errno()`.
 */
export function checkRet(
  ret: number,
  op: string,
  target: string,
  errno: () => number,
  detail?: string,
): number {
  if (ret >= 0) return ret;
  throw new KernelError(op, target, errnoOf(ret, errno), detail);
}

/** The positive errno behind a failed return value, under either convention. */
export function errnoOf(ret: number, errno: () => number): number {
  if (ret < -1) return -ret;
  const e = errno();
  return e > 0 ? e : 1; // -1 is both -EPERM and "see errno"; errno disambiguates
}
