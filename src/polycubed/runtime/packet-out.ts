// Packet-out: writes a whole Ethernet frame to a netdev through an AF_PACKET raw socket
// (sendto with a sockaddr_ll naming the ifindex), so it leaves the cube port's peer netdev as
// if the cube had redirected it there. One socket per daemon; send-only (protocol 0 receives nothing).

import { KernelError } from './kernel-error';
import { lastErrno, libc } from './libbpf-ffi';

const AF_PACKET = 17;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0x80000;
const SOCKADDR_LL_LEN = 20; // family u16, protocol be16, ifindex i32, hatype u16, pkttype u8, halen u8, addr[8]
const ETH_HLEN = 14;

/** A send-only AF_PACKET socket. */
export class PacketSender {
  private fd: number;

  /** Opens the socket (needs CAP_NET_RAW). */
  constructor() {
    this.fd = libc.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (this.fd < 0) throw new KernelError('packet socket', 'AF_PACKET', lastErrno());
  }

  /**
   * Transmits `frame` (Ethernet header included) on `ifindex`. Throws KernelError when the
   * kernel refuses it (ENXIO/ENODEV: no such device, ENETDOWN: device down, EMSGSIZE: too big).
   */
  send(ifindex: number, frame: Buffer, target = `ifindex ${ifindex}`): void {
    if (this.fd < 0) throw new Error('packet sender is closed');
    if (frame.length < ETH_HLEN) throw new TypeError(`frame of ${frame.length} bytes has no Ethernet header`);
    const addr = Buffer.alloc(SOCKADDR_LL_LEN);
    addr.writeUInt16LE(AF_PACKET, 0);
    frame.copy(addr, 2, 12, 14); // sll_protocol = the frame's EtherType, already big-endian
    addr.writeInt32LE(ifindex, 4);
    const n = Number(libc.sendto(this.fd, frame, frame.length, 0, addr, SOCKADDR_LL_LEN));
    if (n < 0) throw new KernelError('packet out', target, lastErrno());
  }

  /** Closes the socket. Idempotent. */
  close(): void {
    if (this.fd >= 0) libc.close(this.fd);
    this.fd = -1;
  }
}
