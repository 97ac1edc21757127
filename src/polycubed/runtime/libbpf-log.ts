// libbpf's own messages (warnings, info, debug), as received through its print callback in
// libbpf-ffi.ts: the recent ones are kept so a failed call can report what libbpf said, and all
// of them can be forwarded to the daemon's log. Pure TS; never calls into libbpf.

/** One libbpf message: level 0 = warn, 1 = info, 2 = debug. */
export interface LibbpfMessage {
  seq: number;
  level: number;
  text: string;
}

const LIBBPF_LOG_KEEP = 512; // recent messages kept for error reports; older ones are dropped
const recent: LibbpfMessage[] = [];
let seq = 0;
let sink: ((msg: LibbpfMessage) => void) | undefined;

/** Records one message from libbpf's print callback. */
export function recordLibbpfMessage(level: number, text: string): void {
  const msg = { seq: ++seq, level, text };
  recent.push(msg);
  if (recent.length > LIBBPF_LOG_KEEP) recent.shift();
  sink?.(msg);
}

/** A position in the libbpf message stream, for {@link libbpfMessagesSince}. */
export function libbpfLogMark(): number {
  return seq;
}

/** Warn/info messages libbpf printed after `mark`, joined as text (debug chatter is left out). */
export function libbpfMessagesSince(mark: number): string {
  return recent
    .filter((m) => m.seq > mark && m.level <= 1)
    .map((m) => m.text)
    .join('');
}

/** Forwards every libbpf message (all levels) to `fn`, or stops forwarding with `undefined`. */
export function setLibbpfLogSink(fn: ((msg: LibbpfMessage) => void) | undefined): void {
  sink = fn;
}
