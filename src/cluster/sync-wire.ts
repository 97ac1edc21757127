// Session sync's wire format: length-prefixed frames, each authenticated with HMAC-SHA256 under
// the cluster key and bound to one TCP connection against replay. The receiving side opens every
// connection with a HELLO carrying a fresh random nonce; every later frame of the sender carries
// that nonce and a sequence number that starts at 1 and grows by one, both under the MAC. So a
// frame recorded on another connection (other nonce), repeated, reordered or dropped on this one
// (sequence gap) is refused, as is any frame whose MAC does not verify. Pure: no I/O.
//
// Frame: u32 BE length of the rest, then
//   header (HEADER_BYTES): magic "LBSY", version u8, type u8, reserved u16 (0), seq u64 BE, nonce 16
//   body
//   mac (32): HMAC-SHA256(key, header ‖ body)
// ENTRIES body: cube name (u8 length, UTF-8), sender node name (u8 length, UTF-8), record count
// (u16 BE), records (RECORD_BYTES each).

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { RECORD_BYTES } from './sync-record';

export const MAGIC = Buffer.from('LBSY');
export const VERSION = 1;
export const MSG_HELLO = 1;
export const MSG_ENTRIES = 2;
export const NONCE_BYTES = 16;
export const MAC_BYTES = 32;
export const HEADER_BYTES = 32;
/** Records per ENTRIES frame (about 35 KB). */
export const MAX_RECORDS = 1024;
/** The largest frame a receiver accepts (an ENTRIES frame of MAX_RECORDS with the longest names). */
export const MAX_FRAME = HEADER_BYTES + 2 + 2 * 255 + 2 + MAX_RECORDS * RECORD_BYTES + MAC_BYTES;

/** A verified frame. */
export interface Frame {
  type: number;
  seq: bigint;
  nonce: Buffer;
  body: Buffer;
}

/** Why a frame was refused. */
export type Refusal = 'too-large' | 'short' | 'magic' | 'version' | 'mac' | 'nonce' | 'replay' | 'body';

const mac = (key: Buffer, data: Buffer): Buffer => createHmac('sha256', key).update(data).digest();

/** A frame (length prefix included) of `type` with `body`, sealed under `key`. */
export function sealFrame(key: Buffer, type: number, seq: bigint, nonce: Buffer, body: Buffer): Buffer {
  if (nonce.length !== NONCE_BYTES) throw new RangeError(`nonce must be ${NONCE_BYTES} bytes`);
  const out = Buffer.alloc(4 + HEADER_BYTES + body.length + MAC_BYTES);
  out.writeUInt32BE(HEADER_BYTES + body.length + MAC_BYTES, 0);
  MAGIC.copy(out, 4);
  out[8] = VERSION;
  out[9] = type;
  out.writeBigUInt64BE(seq, 12);
  nonce.copy(out, 20);
  body.copy(out, 4 + HEADER_BYTES);
  mac(key, out.subarray(4, 4 + HEADER_BYTES + body.length)).copy(out, 4 + HEADER_BYTES + body.length);
  return out;
}

/** Verifies one frame (without its length prefix): the MAC first, then the header. */
export function openFrame(key: Buffer, frame: Buffer): Frame | { refused: Refusal } {
  if (frame.length < HEADER_BYTES + MAC_BYTES) return { refused: 'short' };
  const signed = frame.subarray(0, frame.length - MAC_BYTES);
  if (!timingSafeEqual(mac(key, signed), frame.subarray(frame.length - MAC_BYTES))) return { refused: 'mac' };
  if (!frame.subarray(0, 4).equals(MAGIC)) return { refused: 'magic' };
  if (frame[4] !== VERSION) return { refused: 'version' };
  return {
    type: frame[5],
    seq: frame.readBigUInt64BE(8),
    nonce: Buffer.from(frame.subarray(16, 16 + NONCE_BYTES)),
    body: Buffer.from(signed.subarray(HEADER_BYTES)),
  };
}

/** Splits a byte stream into frames (length prefixes removed); refuses a length over MAX_FRAME. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  /** The complete frames `chunk` finishes, or a refusal (the stream is then unusable). */
  push(chunk: Buffer): Buffer[] | { refused: Refusal } {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Buffer[] = [];
    while (this.buf.length >= 4) {
      const len = this.buf.readUInt32BE(0);
      if (len > MAX_FRAME) return { refused: 'too-large' };
      if (this.buf.length < 4 + len) break;
      out.push(this.buf.subarray(4, 4 + len));
      this.buf = this.buf.subarray(4 + len);
    }
    return out;
  }
}

/** The receiving end of one connection: its nonce, and the next sequence number it accepts. */
export class ReplayGuard {
  readonly nonce: Buffer;
  private next = 1n;

  constructor(nonce: Buffer = randomBytes(NONCE_BYTES)) {
    this.nonce = nonce;
  }

  /** Accepts a verified frame of this connection once, in order. */
  check(f: Frame): Refusal | undefined {
    if (!f.nonce.equals(this.nonce)) return 'nonce';
    if (f.seq !== this.next) return 'replay';
    this.next++;
    return undefined;
  }
}

/** The sending end of one connection: the receiver's nonce (from its HELLO) and the next seq. */
export class FrameSealer {
  private seq = 1n;

  constructor(
    private readonly key: Buffer,
    private readonly nonce: Buffer,
  ) {}

  seal(type: number, body: Buffer): Buffer {
    return sealFrame(this.key, type, this.seq++, this.nonce, body);
  }
}

/** The HELLO a receiver sends first: its nonce, MACed (seq 0) so a client can drop garbage early. */
export const helloFrame = (key: Buffer, nonce: Buffer): Buffer =>
  sealFrame(key, MSG_HELLO, 0n, nonce, Buffer.alloc(0));

/** An ENTRIES body. */
export interface EntriesBody {
  cube: string;
  node: string;
  records: Buffer[];
}

const name = (s: string): Buffer => {
  const b = Buffer.from(s, 'utf8');
  if (b.length === 0 || b.length > 255) throw new RangeError(`name "${s}" must be 1-255 bytes`);
  return Buffer.concat([Buffer.from([b.length]), b]);
};

export function encodeEntries(e: EntriesBody): Buffer {
  if (e.records.length > MAX_RECORDS) throw new RangeError(`at most ${MAX_RECORDS} records per frame`);
  const count = Buffer.alloc(2);
  count.writeUInt16BE(e.records.length);
  return Buffer.concat([name(e.cube), name(e.node), count, ...e.records]);
}

/** The ENTRIES body, or undefined when its lengths do not add up. */
export function decodeEntries(body: Buffer): EntriesBody | undefined {
  let at = 0;
  const str = (): string | undefined => {
    if (at >= body.length) return undefined;
    const n = body[at];
    if (n === 0 || at + 1 + n > body.length) return undefined;
    const s = body.toString('utf8', at + 1, at + 1 + n);
    at += 1 + n;
    return s;
  };
  const cube = str();
  const node = str();
  if (cube === undefined || node === undefined || at + 2 > body.length) return undefined;
  const count = body.readUInt16BE(at);
  at += 2;
  if (count > MAX_RECORDS || body.length !== at + count * RECORD_BYTES) return undefined;
  const records: Buffer[] = [];
  for (let i = 0; i < count; i++)
    records.push(body.subarray(at + i * RECORD_BYTES, at + (i + 1) * RECORD_BYTES));
  return { cube, node, records };
}
