// A network interface that lives exactly as long as this process: a TUN device created without
// TUNSETPERSIST, so the kernel deletes it when its last file descriptor closes — on exit, on a
// crash, on SIGKILL. lbrp-announce routes its VIPs "via" this interface in BIRD's static
// protocol, and BIRD announces such a device route only while the interface exists and is up, so
// an announcer that dies for any reason withdraws its VIPs at once (BIRD hears the link vanish
// over netlink). Nothing is ever routed into the device: it carries no address and no kernel
// route names it (BIRD's node config exports the VIPs to BGP only).

import { closeSync, openSync } from 'node:fs';
import koffi from 'koffi';
import { LINK_NAME } from './bird-include';

const TUNSETIFF = 0x400454ca;
const SIOCGIFFLAGS = 0x8913;
const SIOCSIFFLAGS = 0x8914;
const IFF_UP = 0x1;
const IFF_TUN = 0x0001;
const IFF_NO_PI = 0x1000;
const IFREQ_LEN = 40; // struct ifreq: 16-byte name, then a 24-byte union (flags: a short at 16)
const AF_INET = 2;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0x80000;

const libc = koffi.load('libc.so.6');
const sys = {
  ioctl: libc.func('int ioctl(int fd, unsigned long request, ...)'),
  socket: libc.func('int socket(int domain, int type, int protocol)'),
  close: libc.func('int close(int fd)'),
};
const errno = (): number => koffi.errno() as number;

function ifreq(name: string, flags = 0): Buffer {
  const req = Buffer.alloc(IFREQ_LEN);
  req.write(name, 0, 15, 'latin1');
  req.writeUInt16LE(flags, 16);
  return req;
}

/** Sets IFF_UP on `name` through an ordinary socket's interface ioctls. */
function setUp(name: string): void {
  const s = sys.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0) as number;
  if (s < 0) throw new Error(`socket: errno ${errno()}`);
  try {
    const req = ifreq(name);
    if ((sys.ioctl(s, SIOCGIFFLAGS, 'void *', req) as number) < 0)
      throw new Error(`SIOCGIFFLAGS: errno ${errno()}`);
    req.writeUInt16LE(req.readUInt16LE(16) | IFF_UP, 16);
    if ((sys.ioctl(s, SIOCSIFFLAGS, 'void *', req) as number) < 0)
      throw new Error(`SIOCSIFFLAGS: errno ${errno()}`);
  } finally {
    sys.close(s);
  }
}

export class LivenessLink {
  private constructor(
    readonly name: string,
    private fd: number,
  ) {}

  /** Creates the interface `name` (up) held by this process. Throws with the reason when the
   * kernel refuses: no /dev/net/tun, no CAP_NET_ADMIN, or EBUSY when another live process
   * already holds that name (two announcers for one include file). */
  static open(name: string): LivenessLink {
    if (!LINK_NAME.test(name))
      throw new RangeError(`liveness link name: 1-15 of [A-Za-z0-9_.-], got ${JSON.stringify(name)}`);
    const fd = openSync('/dev/net/tun', 'r+'); // Node opens with O_CLOEXEC: children never hold it
    try {
      if ((sys.ioctl(fd, TUNSETIFF, 'void *', ifreq(name, IFF_TUN | IFF_NO_PI)) as number) < 0) {
        const e = errno();
        throw new Error(
          e === 16 ? `${name} is held by another process (EBUSY)` : `TUNSETIFF ${name}: errno ${e}`,
        );
      }
      setUp(name);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    return new LivenessLink(name, fd);
  }

  /** Deletes the interface now (what the kernel does anyway when the process ends). */
  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }
}
