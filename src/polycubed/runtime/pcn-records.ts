// Decoders for the records the pcn runtime header (dataplane/runtime/pcn_api.h) writes to a
// cube's ring buffers: packet-in (pcn_pktin_ring) and datapath logs (pcn_log_ring), and the
// user-space side of pcn_log formatting (%I %P %M as Polycube's format_debug_string). Pure.

/** struct pkt_metadata (packed, 26 bytes, host order). */
export interface PktMetadata {
  cubeId: number;
  inPort: number;
  packetLen: number;
  trafficClass: number;
  reason: number;
  md: [number, number, number];
}

/** A decoded packet-in record. */
export interface PktInRecord {
  md: PktMetadata;
  /** The captured bytes of the frame (at most PCN_PKTIN_MAX; md.packetLen is the full length). */
  frame: Buffer;
}

/** A decoded log record. */
export interface LogRecord {
  /** 0 = text; anything else is not a log message. */
  type: number;
  cubeId: number;
  /** LOG_TRACE (0) .. LOG_CRITICAL (5). */
  level: number;
  fmt: string;
  /** Raw 64-bit arguments as the datapath passed them. */
  args: bigint[];
}

const MD_SIZE = 26;
const PKTIN_HEADER = 28;
const LOG_HEADER = 40;

/** Decodes struct pkt_metadata at `off`. */
export function decodePktMetadata(b: Buffer, off = 0): PktMetadata {
  return {
    cubeId: b.readUInt16LE(off),
    inPort: b.readUInt16LE(off + 2),
    packetLen: b.readUInt32LE(off + 4),
    trafficClass: b.readUInt32LE(off + 8),
    reason: b.readUInt16LE(off + 12),
    md: [b.readUInt32LE(off + 14), b.readUInt32LE(off + 18), b.readUInt32LE(off + 22)],
  };
}

/** Decodes a pcn_pktin_ring record. Throws RangeError on a short record. */
export function decodePktIn(rec: Buffer): PktInRecord {
  if (rec.length < PKTIN_HEADER) throw new RangeError(`packet-in record of ${rec.length} bytes`);
  const captured = rec.readUInt16LE(MD_SIZE);
  return {
    md: decodePktMetadata(rec),
    frame: Buffer.from(rec.subarray(PKTIN_HEADER, PKTIN_HEADER + captured)),
  };
}

/** Decodes a pcn_log_ring record. Throws RangeError on a short record. */
export function decodeLogRecord(rec: Buffer): LogRecord {
  if (rec.length < LOG_HEADER) throw new RangeError(`log record of ${rec.length} bytes`);
  const len = rec.readUInt16LE(6);
  const fmtBytes = rec.subarray(LOG_HEADER, LOG_HEADER + len);
  const nul = fmtBytes.indexOf(0);
  return {
    type: rec.readUInt16LE(0),
    cubeId: rec.readUInt16LE(2),
    level: rec.readUInt16LE(4),
    fmt: fmtBytes.subarray(0, nul < 0 ? fmtBytes.length : nul).toString('utf8'),
    args: [0, 1, 2, 3].map((i) => rec.readBigUInt64LE(8 + 8 * i)),
  };
}

/**
 * Formats a pcn_log message: %I = IPv4 address as loaded from a packet (network order in the
 * low 4 bytes), %P = port as loaded (network order in the low 2 bytes), %A = both in one
 * argument ("10.0.0.1:80": the address in bytes 0-3, the port in bytes 4-5, as pcn_addr_port
 * packs them), %M = MAC (6 bytes, as loaded), %d %u %x %s(unsupported → raw) and %% as in printf.
 * Missing arguments print as 0.
 */
export function formatPcnLog(fmt: string, args: bigint[]): string {
  let i = 0;
  const next = (): bigint => args[i++] ?? 0n;
  return fmt.replace(/%(l{0,2}[dIPAMuxX%])/g, (_m, spec: string) => {
    const s = spec.replace(/^l+/, '');
    if (s === '%') return '%';
    const v = next();
    const bytes = Buffer.alloc(8);
    bytes.writeBigUInt64LE(BigInt.asUintN(64, v));
    switch (s) {
      case 'I':
        return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
      case 'P':
        return String(bytes.readUInt16BE(0));
      case 'A':
        return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}:${bytes.readUInt16BE(4)}`;
      case 'M':
        return [...bytes.subarray(0, 6)].map((x) => x.toString(16).padStart(2, '0')).join(':');
      case 'd':
        return BigInt.asIntN(64, v).toString();
      case 'x':
        return v.toString(16);
      case 'X':
        return v.toString(16).toUpperCase();
      default:
        return v.toString();
    }
  });
}
