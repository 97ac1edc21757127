// Runtime decisions that need no kernel: decoding the ring-buffer records the pcn runtime header
// writes (built here byte by byte from the struct layouts in dataplane/runtime/pcn_api.h),
// formatting pcn_log messages, and how failed kernel calls become errors.

import {
  decodeLogRecord,
  decodePktIn,
  decodePktMetadata,
  formatPcnLog,
} from '../../../src/polycubed/runtime/pcn-records';
import {
  checkRet,
  CompileError,
  errnoName,
  errnoOf,
  errnoValue,
  KernelError,
  VerifierError,
} from '../../../src/polycubed/runtime/kernel-error';

/** struct pkt_metadata (packed, little-endian): cube_id u16, in_port u16, packet_len u32, traffic_class u32, reason u16, md[3] u32. */
function metadata(m: {
  cube: number;
  port: number;
  len: number;
  tc: number;
  reason: number;
  md: number[];
}): Buffer {
  const b = Buffer.alloc(26);
  b.writeUInt16LE(m.cube, 0);
  b.writeUInt16LE(m.port, 2);
  b.writeUInt32LE(m.len, 4);
  b.writeUInt32LE(m.tc, 8);
  b.writeUInt16LE(m.reason, 12);
  m.md.forEach((v, i) => b.writeUInt32LE(v, 14 + 4 * i));
  return b;
}

describe('packet-in records', () => {
  const md = { cube: 513, port: 7, len: 1514, tc: 3, reason: 42, md: [0xdeadbeef, 1, 0xffffffff] };

  it('decode metadata, the captured length and only the captured bytes of the frame', () => {
    const frame = Buffer.from('ffffffffffff0200000000010806', 'hex');
    const captured = Buffer.alloc(2);
    captured.writeUInt16LE(frame.length);
    const rec = Buffer.concat([metadata(md), captured, frame, Buffer.alloc(50, 0xee)]); // ring slot padding
    const out = decodePktIn(rec);
    expect(out.md).toEqual({
      cubeId: 513,
      inPort: 7,
      packetLen: 1514,
      trafficClass: 3,
      reason: 42,
      md: md.md,
    });
    expect(out.frame).toEqual(frame);
    rec.fill(0); // the ring slot is reused: the decoded frame must be a copy
    expect(out.frame).toEqual(frame);
  });

  it('decode metadata at an offset, and refuse a record shorter than its header', () => {
    expect(decodePktMetadata(Buffer.concat([Buffer.alloc(4), metadata(md)]), 4).cubeId).toBe(513);
    expect(() => decodePktIn(Buffer.alloc(27))).toThrow(new RangeError('packet-in record of 27 bytes'));
  });
});

describe('log records', () => {
  /** struct pcn_log_msg: type u16, cube_id u16, level u16, len u16, args u64[4], fmt[len]. */
  function logRecord(fmt: Buffer, args: bigint[], len = fmt.length): Buffer {
    const h = Buffer.alloc(40);
    h.writeUInt16LE(0, 0);
    h.writeUInt16LE(9, 2);
    h.writeUInt16LE(3, 4);
    h.writeUInt16LE(len, 6);
    args.forEach((a, i) => h.writeBigUInt64LE(a, 8 + 8 * i));
    return Buffer.concat([h, fmt]);
  }

  it('decode the header, all four arguments and the format up to its NUL', () => {
    const rec = logRecord(Buffer.from('drop %u\0garbage'), [5n, 0n, 2n ** 64n - 1n, 7n]);
    expect(decodeLogRecord(rec)).toEqual({
      type: 0,
      cubeId: 9,
      level: 3,
      fmt: 'drop %u',
      args: [5n, 0n, 2n ** 64n - 1n, 7n],
    });
  });

  it('take the whole format when it has no NUL, never reading past len', () => {
    const rec = logRecord(Buffer.from('abcdef'), [0n, 0n, 0n, 0n], 4);
    expect(decodeLogRecord(rec).fmt).toBe('abcd');
    expect(() => decodeLogRecord(Buffer.alloc(39))).toThrow('log record of 39 bytes');
  });
});

describe('formatPcnLog', () => {
  /** A value as the datapath loads it from packet bytes (network order in the low bytes). */
  const loaded = (bytes: number[]): bigint =>
    Buffer.from([...bytes, 0, 0, 0, 0, 0, 0, 0, 0]).readBigUInt64LE(0);

  it('prints %I, %P and %M from bytes as they were on the wire', () => {
    const ip = loaded([10, 0, 0, 1]);
    const port = loaded([0x1f, 0x90]); // 8080
    const mac = loaded([0x02, 0, 0, 0, 0xab, 0x0c]);
    expect(formatPcnLog('to %I:%P via %M', [ip, port, mac])).toBe('to 10.0.0.1:8080 via 02:00:00:00:ab:0c');
  });

  it('prints %A as address:port from one argument packed as pcn_addr_port packs it', () => {
    // addr in bytes 0-3 and port in bytes 4-5, each in wire order: 10.0.0.1 and 8080.
    expect(
      formatPcnLog('%A > %A', [loaded([10, 0, 0, 1, 0x1f, 0x90]), loaded([192, 168, 1, 10, 0, 80])]),
    ).toBe('10.0.0.1:8080 > 192.168.1.10:80');
  });

  it('prints %d signed, %u and %lu unsigned, %x/%X hex, %% and 0 for missing arguments', () => {
    const minusOne = 2n ** 64n - 1n;
    expect(formatPcnLog('%d %u %lu %llx %X 100%% %d', [minusOne, 7n, minusOne, 255n, 255n])).toBe(
      `-1 7 ${minusOne} ff FF 100% 0`,
    );
  });

  it('leaves unknown conversions as they are', () => {
    expect(formatPcnLog('%s and %q', [1n])).toBe('%s and %q');
  });
});

describe('kernel errors', () => {
  it('name errnos, including the kernel-only ENOTSUPP, and map names back', () => {
    expect(errnoName(7)).toBe('E2BIG');
    expect(errnoName(-2)).toBe('ENOENT');
    expect(errnoName(524)).toBe('ENOTSUPP');
    expect(errnoName(4000)).toBe('errno 4000');
    expect(errnoValue('EEXIST')).toBe(17);
    expect(errnoValue('ENOTSUPP')).toBe(524);
    expect(() => errnoValue('EWHATEVER')).toThrow('unknown errno name EWHATEVER');
  });

  it('read both failure conventions: negative errno, or -1 with errno set', () => {
    const errno = jest.fn(() => 13);
    expect(checkRet(3, 'map create', 'm', errno)).toBe(3);
    expect(errnoOf(-22, errno)).toBe(22);
    expect(errno).not.toHaveBeenCalled(); // a negative errno is the answer itself
    expect(errnoOf(-1, errno)).toBe(13);
    expect(errnoOf(-1, () => 0)).toBe(1); // -1 with errno unset is -EPERM
    let err: KernelError | undefined;
    try {
      checkRet(-7, 'map update', 'vip_to_service', errno, ' libbpf: value too big\n');
    } catch (e) {
      err = e as KernelError;
    }
    expect(err).toBeInstanceOf(KernelError);
    expect(err?.message).toBe('map update vip_to_service: E2BIG (libbpf: value too big)');
    expect([err?.op, err?.target, err?.errno, err?.code]).toEqual([
      'map update',
      'vip_to_service',
      7,
      'E2BIG',
    ]);
  });

  it('summarise a verifier log by its last meaningful line and keep the whole log', () => {
    const log =
      'func#0 @0\n0: R1=ctx() R10=fp0\n1: (61) r0 = *(u32 *)(r1 +0)\ninvalid bpf_context access off=0 size=4\nprocessed 2 insns (limit 1000000)\n-- END PROG LOAD LOG --\n';
    const err = new VerifierError('lb1', -13, log, 'handle_rx');
    expect(err.message).toBe('program load lb1: EACCES (verifier: invalid bpf_context access off=0 size=4)');
    expect([err.log, err.program, err.name]).toEqual([log, 'handle_rx', 'VerifierError']);
    expect(new VerifierError('lb1', 13, '').message).toBe('program load lb1: EACCES');
  });

  it("headline a compile error with clang's first error line, or its exit status", () => {
    const stderr =
      'a.c:1:1: warning: unused\na.c:3:5: error: use of undeclared identifier x\n1 error generated.\n';
    expect(new CompileError('a.c', stderr, 1).message).toBe(
      'compile a.c: a.c:3:5: error: use of undeclared identifier x',
    );
    expect(new CompileError('a.c', '', 139).message).toBe('compile a.c: clang exited with 139');
  });
});
