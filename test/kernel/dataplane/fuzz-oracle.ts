// The fuzz's judgement of one frame: what the dataplane did against what the model expected —
// verdict, drop reason, out port, every byte of the frame, and each checksum it had to keep
// (checked by one's-complement sums written here, not by the dataplane's arithmetic) — plus the
// contract of a frame to a VIP service stated on its own (a backend of that service, its port,
// the client's address kept or rewritten by rule, MACs and other fields unchanged, checksums
// that verify). Not a test file itself.

import { DropReason } from '../../../src/lbrp/dataplane/map-layouts';
import { diffPackets, verifyChecksums } from '../../fixtures/packets';
import { DataplaneConfig, PORTS } from './lbrp-harness';
import { Expectation, SumCheck } from './lbrp-model';

/** What one run of a frame did, as the fuzz observed it. */
export interface Observed {
  verdict: 'refused' | 'drop' | 'redirect' | 'pass' | 'other';
  /** Redirect: the out port from the test trace (TC: also cb[0]'s). */
  port?: number;
  data?: Buffer;
  /** Drop: the DROP_* reason counted for this frame, or the runtime's stat. */
  reason?: DropReason | 'UNKNOWN_IFINDEX' | 'NOT_CONNECTED' | 'none counted';
}

/** One's-complement sum of `b` in 16-bit words (a last odd byte padded with zero), folded;
 * 0 and 0xffff (its two zeros) are one value here. */
function onesSum(b: Buffer, initial = 0): number {
  let s = initial;
  for (let i = 0; i + 1 < b.length; i += 2) s += (b[i] << 8) | b[i + 1];
  if (b.length % 2) s += b[b.length - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s === 0 ? 0xffff : s;
}

/** The sum a checksum covers: its bytes, plus the pseudo-header for TCP/UDP. */
function coveredSum(f: Buffer, c: SumCheck): number {
  let init = 0;
  if (c.pseudo) {
    const ph = Buffer.alloc(12);
    f.copy(ph, 0, c.pseudo.src, c.pseudo.src + 4);
    f.copy(ph, 4, c.pseudo.dst, c.pseudo.dst + 4);
    ph[9] = c.pseudo.proto;
    ph.writeUInt16BE(c.pseudo.len & 0xffff, 10);
    init = onesSum(ph);
  }
  return onesSum(f.subarray(c.start, c.end), init);
}

/** Problems with a checksum the dataplane had to update: the sum it covers must not change (a
 * right checksum stays right, a wrong one stays wrong by as much); UDP's 0 stays 0. */
function sumProblems(input: Buffer, got: Buffer, c: SumCheck): string[] {
  const was = input.readUInt16BE(c.field);
  const now = got.readUInt16BE(c.field);
  if (c.udp && was === 0)
    return now === 0 ? [] : [`${c.name}: checksum 0 (none) became 0x${now.toString(16)}`];
  if (c.udp && now === 0) return [`${c.name}: checksum became 0 (none)`];
  const before = coveredSum(input, c);
  const after = coveredSum(got, c);
  return before === after
    ? []
    : [`${c.name}: checksum 0x${was.toString(16)} → 0x${now.toString(16)} does not follow the rewrite`];
}

/** Everything wrong about `got` against `want` for `input`; empty when the dataplane did right. */
export function judge(input: Buffer, want: Expectation, got: Observed): string[] {
  if (want.verdict === 'refused')
    return got.verdict === 'refused'
      ? []
      : [`expected test_run to refuse the frame (${want.note}), got ${got.verdict}`];
  if (got.verdict === 'refused') return [`test_run refused the frame; expected ${describe(want)}`];
  if (want.verdict === 'drop' || want.verdict === 'runtime-drop') {
    const reason = want.verdict === 'drop' ? want.reason : want.stat;
    if (got.verdict !== 'drop') return [`expected drop ${reason} (${want.note}), got ${describeGot(got)}`];
    return got.reason === reason
      ? []
      : [`expected drop ${reason} (${want.note}), dropped with ${got.reason}`];
  }
  if (got.verdict !== 'redirect') return [`expected ${describe(want)}, got ${describeGot(got)}`];
  const problems: string[] = [];
  if (got.port !== want.port) problems.push(`out port ${got.port}, expected ${want.port} (${want.note})`);
  const data = got.data ?? Buffer.alloc(0);
  if (data.length !== want.frame.length)
    return [...problems, `length ${data.length}, expected ${want.frame.length}`];
  // Every byte as expected, but checksum fields: those are judged by their sums.
  const masked = Buffer.from(data);
  for (const c of want.sums) want.frame.copy(masked, c.field, c.field, c.field + 2);
  if (!masked.equals(want.frame))
    problems.push(`frame differs (${want.note}):\n${diffPackets(want.frame, masked)}`);
  for (const c of want.sums) problems.push(...sumProblems(input, data, c));
  if (verifyChecksums(input).length === 0) {
    const bad = verifyChecksums(data);
    if (bad.length) problems.push(`checksums were right, now: ${bad.join('; ')}`);
  }
  return problems;
}

/**
 * The contract of a client frame to a VIP service, stated without the model's arithmetic: out of
 * the BACKEND port, to a backend of that service at its port (ICMP: the echo id kept), one that
 * takes new flows when the session is new; the client's address kept, or mapped by src-ip-rewrite;
 * the source port kept; MACs, TTL and every other byte outside addresses, ports and checksums
 * unchanged; checksums that verify when they did.
 */
export function vipContract(input: Buffer, want: Expectation, got: Observed, cfg: DataplaneConfig): string[] {
  if (want.verdict !== 'redirect' || !want.service || got.verdict !== 'redirect' || !got.data) return [];
  const { svc, isNew } = want.service;
  const out = got.data;
  const problems: string[] = [];
  if (got.port !== PORTS.backend) problems.push(`VIP frame left by port ${got.port}, not BACKEND`);
  const l4 = 14 + (input[14] & 0xf) * 4;
  const proto = input[23];
  const dst = ipStr(out, 30);
  const ids = new Set(svc.slots);
  const candidates = cfg.backends.filter((b) => ids.has(b.id) && b.ip === dst);
  const hasPorts = proto === 6 || proto === 17;
  const match = candidates.find((b) => !hasPorts || out.readUInt16BE(l4 + 2) === b.port);
  if (!match)
    problems.push(
      `VIP frame sent to ${dst}${hasPorts ? `:${out.readUInt16BE(l4 + 2)}` : ''}: no backend of the service`,
    );
  if (match && isNew && !(match.flags & 1)) problems.push(`new flow sent to drained backend ${dst}`);
  const src = ipStr(input, 26);
  const mapped = mapSource(src, cfg);
  if (ipStr(out, 26) !== mapped) problems.push(`source ${src} became ${ipStr(out, 26)}, expected ${mapped}`);
  if (hasPorts && out.readUInt16BE(l4) !== input.readUInt16BE(l4)) problems.push('source port changed');
  if (proto === 1 && out.readUInt16BE(l4 + 4) !== input.readUInt16BE(l4 + 4))
    problems.push('echo id changed');
  // Outside addresses, ports and checksums, nothing changes (MACs, TTL, ToS, id, options, payload).
  const a = Buffer.from(input);
  const b = Buffer.from(out);
  for (const buf of [a, b]) {
    buf.fill(0, 24, 34);
    if (hasPorts) buf.fill(0, l4, l4 + 4);
    if (proto === 6) buf.fill(0, l4 + 16, l4 + 18);
    if (proto === 17) buf.fill(0, l4 + 6, l4 + 8);
  }
  if (!a.equals(b))
    problems.push(`VIP frame changed outside addresses, ports and checksums:\n${diffPackets(a, b)}`);
  if (verifyChecksums(input).length === 0 && verifyChecksums(out).length > 0)
    problems.push(`VIP frame checksums broken: ${verifyChecksums(out).join('; ')}`);
  return problems;
}

/** A client address after src-ip-rewrite (written for this check: prefix arithmetic on the config). */
function mapSource(src: string, cfg: DataplaneConfig): string {
  const r = cfg.srcRewrite;
  if (!r) return src;
  const from = r.from.net.split('.').map(Number);
  const to = r.to.net.split('.').map(Number);
  const s = src.split('.').map(Number);
  const whole = Math.floor(r.from.prefixLen / 8);
  if (r.from.prefixLen % 8 !== 0) throw new Error('mapSource: byte-aligned prefixes only');
  if (!from.slice(0, whole).every((x, i) => x === s[i])) return src;
  return [...to.slice(0, whole), ...s.slice(whole)].join('.');
}

function ipStr(b: Buffer, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

function describe(want: Expectation): string {
  if (want.verdict === 'redirect') return `redirect to port ${want.port} (${want.note})`;
  if (want.verdict === 'drop') return `drop ${want.reason} (${want.note})`;
  if (want.verdict === 'runtime-drop') return `runtime drop ${want.stat}`;
  return 'refused';
}

function describeGot(got: Observed): string {
  if (got.verdict === 'redirect') return `redirect to port ${got.port}`;
  if (got.verdict === 'drop') return `drop ${got.reason}`;
  return got.verdict;
}
