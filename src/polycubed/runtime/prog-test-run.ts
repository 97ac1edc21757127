// Runs a loaded program on a packet in the kernel (BPF_PROG_TEST_RUN) and returns its verdict,
// the packet as the program left it and, optionally, the context. Also builds the two contexts
// tests need: struct __sk_buff (TC) and struct xdp_md (XDP), with offsets from <linux/bpf.h>.

import { KernelError } from './kernel-error';
import { addressOf, lastErrno, libbpf } from './libbpf-ffi';
import type { TestRunOptsFields } from './libbpf-types';

/** Input of one test run. */
export interface TestRunInput {
  /** The packet, starting at the Ethernet header (at least 14 bytes for TC). */
  data: Buffer;
  /** Run the program this many times (durationNs is then the average); default 1. */
  repeat?: number;
  /** Context passed in: `buildSkbCtx(...)` for TC, `buildXdpMd(...)` for XDP. */
  ctxIn?: Buffer;
  /** Bytes of context to read back (default: ctxIn's length, 0 without ctxIn). */
  ctxOutSize?: number;
  /** Capacity for the output packet (default: input length + 256; grown once on ENOSPC). */
  dataOutSize?: number;
  /** BPF_F_TEST_* flags. */
  flags?: number;
}

/** Outcome of one test run. */
export interface TestRunResult {
  /** The program's return value (TC_ACT_* / XDP_* verdict). */
  retval: number;
  /** The packet after the program ran, exactly as long as the kernel reported. */
  data: Buffer;
  /** The context after the run, when asked for. */
  ctxOut?: Buffer;
  /** Average run time per repetition, ns (for benchmarks; never assert on it). */
  durationNs: number;
}

const OUT_HEADROOM = 256; // room for encapsulation or tail growth by the program

/**
 * Runs `progFd` once on `input.data`. Throws KernelError("program test run", "fd N") on a
 * kernel error (e.g. EINVAL for a context field the hook does not accept). Never attaches anything.
 */
export function testRun(progFd: number, input: TestRunInput): TestRunResult {
  let outSize = input.dataOutSize ?? input.data.length + OUT_HEADROOM;
  for (let attempt = 0; ; attempt++) {
    const dataOut = Buffer.alloc(outSize);
    const ctxOutSize = input.ctxOutSize ?? input.ctxIn?.length ?? 0;
    const ctxOut = ctxOutSize > 0 ? Buffer.alloc(ctxOutSize) : undefined;
    const opts: TestRunOptsFields = {
      data_in: addressOf(input.data),
      data_out: addressOf(dataOut),
      data_size_in: input.data.length,
      data_size_out: dataOut.length,
      ctx_in: input.ctxIn ? addressOf(input.ctxIn) : null,
      ctx_out: ctxOut ? addressOf(ctxOut) : null,
      ctx_size_in: input.ctxIn?.length ?? 0,
      ctx_size_out: ctxOutSize,
      retval: 0,
      repeat: input.repeat ?? 1,
      duration: 0,
      flags: input.flags ?? 0,
      cpu: 0,
      batch_size: 0,
    };
    const ret = libbpf.bpf_prog_test_run_opts(progFd, opts);
    const errno = ret < 0 ? (ret < -1 ? -ret : lastErrno()) : 0;
    if (errno === 28 /* ENOSPC */ && attempt === 0 && opts.data_size_out > outSize) {
      outSize = opts.data_size_out;
      continue;
    }
    if (ret < 0) throw new KernelError('program test run', `fd ${progFd}`, errno || 22);
    return {
      retval: opts.retval,
      data: dataOut.subarray(0, opts.data_size_out),
      ...(ctxOut ? { ctxOut: ctxOut.subarray(0, opts.ctx_size_out) } : {}),
      durationNs: opts.duration,
    };
  }
}

/** Byte offsets of the `struct __sk_buff` fields a test run may set (all u32, host order). */
export const SKB_CTX_OFFSETS = {
  len: 0,
  mark: 8,
  priority: 32,
  ingressIfindex: 36,
  ifindex: 40,
  cb: 48, // u32 cb[5]
  dataEnd: 80,
  size: 192, // sizeof(struct __sk_buff)
} as const;

/** Byte offsets of `struct xdp_md` (all u32). */
export const XDP_MD_OFFSETS = {
  data: 0,
  dataEnd: 4,
  dataMeta: 8,
  ingressIfindex: 12,
  rxQueueIndex: 16,
  egressIfindex: 20,
  size: 24, // sizeof(struct xdp_md)
} as const;

/** Fields of `struct __sk_buff` that BPF_PROG_TEST_RUN accepts for TC programs. */
export interface SkbCtxFields {
  /** skb->dev: must be an existing interface in this netns (1 = lo). */
  ifindex?: number;
  /** skb->skb_iif, what `ctx->ingress_ifindex` reads. */
  ingressIfindex?: number;
  mark?: number;
  priority?: number;
  /** Up to five u32 control-buffer words. */
  cb?: number[];
}

/** A `struct __sk_buff` for a TC test run; unset fields are zero as the kernel requires. */
export function buildSkbCtx(fields: SkbCtxFields): Buffer {
  const ctx = Buffer.alloc(SKB_CTX_OFFSETS.size);
  ctx.writeUInt32LE(fields.mark ?? 0, SKB_CTX_OFFSETS.mark);
  ctx.writeUInt32LE(fields.priority ?? 0, SKB_CTX_OFFSETS.priority);
  ctx.writeUInt32LE(fields.ingressIfindex ?? 0, SKB_CTX_OFFSETS.ingressIfindex);
  ctx.writeUInt32LE(fields.ifindex ?? 0, SKB_CTX_OFFSETS.ifindex);
  const cb = fields.cb ?? [];
  if (cb.length > 5) throw new TypeError(`__sk_buff cb has 5 words, got ${cb.length}`);
  cb.forEach((word, i) => ctx.writeUInt32LE(word, SKB_CTX_OFFSETS.cb + 4 * i));
  return ctx;
}

/** Reads the u32 field at `offset` of a context returned in `ctxOut`. */
export function readCtxU32(ctx: Buffer, offset: number): number {
  return ctx.readUInt32LE(offset);
}

/** Fields of `struct xdp_md` that BPF_PROG_TEST_RUN accepts for XDP programs. */
export interface XdpMdFields {
  /** Receiving interface: must exist in this netns, and the queue must exist on it. */
  ingressIfindex?: number;
  rxQueueIndex?: number;
}

/**
 * A `struct xdp_md` for an XDP test run of a `packetLength`-byte packet: the kernel requires
 * data = 0 (no metadata) and data_end = the packet length.
 */
export function buildXdpMd(packetLength: number, fields: XdpMdFields): Buffer {
  const ctx = Buffer.alloc(XDP_MD_OFFSETS.size);
  ctx.writeUInt32LE(packetLength, XDP_MD_OFFSETS.dataEnd);
  ctx.writeUInt32LE(fields.ingressIfindex ?? 0, XDP_MD_OFFSETS.ingressIfindex);
  ctx.writeUInt32LE(fields.rxQueueIndex ?? 0, XDP_MD_OFFSETS.rxQueueIndex);
  return ctx;
}
