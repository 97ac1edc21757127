// Turns libbpf/libc return values into KernelError at the FFI boundary, once (STYLE §5).
// Used by every runtime module right after an FFI call; never used above the runtime.

import { KernelError, checkRet, errnoOf } from './kernel-error';
import { lastErrno } from './libbpf-ffi';
import { libbpfLogMark, libbpfMessagesSince } from './libbpf-log';
import type { Ptr } from './libbpf-types';

/** Returns `ret` if >= 0, else throws KernelError(op, target, errno) (both libbpf conventions). */
export function check(ret: number, op: string, target: string): number {
  return checkRet(ret, op, target, lastErrno);
}

/** Positive errno behind a failed (negative) return value. */
export function errnoFrom(ret: number): number {
  return errnoOf(ret, lastErrno);
}

/**
 * Runs a pointer-returning libbpf call; a null result throws KernelError with errno and the
 * warnings libbpf printed during the call.
 */
export function checkPtr(call: () => Ptr, op: string, target: string): bigint {
  const mark = libbpfLogMark();
  const ptr = call();
  if (ptr !== null && ptr !== 0n) return ptr;
  const errno = lastErrno() || 22; // EINVAL when libbpf left errno unset
  throw new KernelError(op, target, errno, libbpfMessagesSince(mark) || undefined);
}
