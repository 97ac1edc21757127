// A raw IPv4 socket (AF_INET, SOCK_RAW) for half-open TCP and ICMP echo probes: the kernel adds
// the IP header on send and delivers whole IP packets on receive. A classic BPF filter attached
// to it keeps only the packets a prober is waiting for, so a busy host's other traffic is never
// copied to it. Non-blocking: the prober polls `receive` while probes are outstanding. Needs
// CAP_NET_RAW (the daemon is root); `open` returns undefined without it, and the prober falls
// back to the host stack's sockets.

import koffi from 'koffi';

const AF_INET = 2;
const SOCK_RAW = 3;
const SOCK_NONBLOCK = 0x800;
const SOCK_CLOEXEC = 0x80000;
const SOL_SOCKET = 1;
const SO_ATTACH_FILTER = 26;
const SO_RCVBUF = 8;
const SO_RCVBUFFORCE = 33;
/** Receive buffer asked for: the replies of a tick's probes wait in it until the ticker reads
 * them (up to 100 ms of replies; the default of about 200 KiB holds a few hundred). */
const RCVBUF_BYTES = 4 << 20;
const MSG_DONTWAIT = 0x40;
const SOCKADDR_IN_LEN = 16;

/** One classic BPF instruction (linux/filter.h struct sock_filter). */
export interface SockFilter {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

const libc = koffi.load('libc.so.6');
// Anonymous types: koffi's registry is process-wide, and jest loads this module once per test file.
const SockFilterT = koffi.struct({ code: 'uint16_t', jt: 'uint8_t', jf: 'uint8_t', k: 'uint32_t' });
const SockFprogT = koffi.struct({ len: 'uint16_t', filter: koffi.pointer(SockFilterT) });
const sys = {
  socket: libc.func('int socket(int domain, int type, int protocol)'),
  close: libc.func('int close(int fd)'),
  setsockopt: libc.func('setsockopt', 'int', ['int', 'int', 'int', koffi.pointer(SockFprogT), 'uint32_t']),
  sendto: libc.func(
    'intptr_t sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen)',
  ),
  recv: libc.func('intptr_t recv(int fd, void *buf, size_t len, int flags)'),
  setsockoptBuf: libc.func('setsockopt', 'int', ['int', 'int', 'int', 'void *', 'uint32_t']),
};

/** struct sockaddr_in of an IPv4 address (port 0: raw sockets ignore it), kept per address. */
const sockaddrs = new Map<string, Buffer>();
function sockaddrOf(ip: string): Buffer {
  let a = sockaddrs.get(ip);
  if (!a) {
    a = Buffer.alloc(SOCKADDR_IN_LEN);
    a.writeUInt16LE(AF_INET, 0);
    ip.split('.').forEach((o, i) => a?.writeUInt8(Number(o), 4 + i));
    if (sockaddrs.size >= 65536) sockaddrs.clear(); // bounded: backends come and go
    sockaddrs.set(ip, a);
  }
  return a;
}

export class RawIpSocket {
  private readonly rx = Buffer.alloc(2048);

  private constructor(private fd: number) {}

  /** A raw socket of IP protocol `proto` keeping what `filter` accepts, or undefined when the
   * kernel refuses (no CAP_NET_RAW). */
  static open(proto: number, filter: readonly SockFilter[]): RawIpSocket | undefined {
    const fd = sys.socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto) as number;
    if (fd < 0) return undefined;
    const prog = { len: filter.length, filter: [...filter] };
    if ((sys.setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, prog, 16) as number) !== 0) {
      sys.close(fd);
      return undefined;
    }
    // Past net.core.rmem_max with CAP_NET_ADMIN, else up to it (a smaller buffer still works).
    const size = Buffer.alloc(4);
    size.writeInt32LE(RCVBUF_BYTES);
    if ((sys.setsockoptBuf(fd, SOL_SOCKET, SO_RCVBUFFORCE, size, 4) as number) !== 0)
      sys.setsockoptBuf(fd, SOL_SOCKET, SO_RCVBUF, size, 4);
    return new RawIpSocket(fd);
  }

  /** Sends `payload` (the header after IP, e.g. TCP or ICMP) to `ip`; false when refused. The
   * kernel copies it before returning, so the caller may reuse the buffer. */
  send(ip: string, payload: Buffer): boolean {
    if (this.fd < 0) return false;
    const addr = sockaddrOf(ip);
    return Number(sys.sendto(this.fd, payload, payload.length, 0, addr, SOCKADDR_IN_LEN)) === payload.length;
  }

  /** The next queued IP packet (a view valid until the next call), or undefined when none. */
  receive(): Buffer | undefined {
    if (this.fd < 0) return undefined;
    const n = Number(sys.recv(this.fd, this.rx, this.rx.length, MSG_DONTWAIT));
    return n > 0 ? this.rx.subarray(0, n) : undefined;
  }

  close(): void {
    if (this.fd >= 0) sys.close(this.fd);
    this.fd = -1;
  }
}

/** The Internet checksum (RFC 1071) of `parts`, as the 16-bit value to store big-endian. */
export function internetChecksum(...parts: Buffer[]): number {
  let sum = 0;
  for (const p of parts) {
    for (let i = 0; i + 1 < p.length; i += 2) sum += p.readUInt16BE(i);
    if (p.length % 2) sum += p[p.length - 1] << 8;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
