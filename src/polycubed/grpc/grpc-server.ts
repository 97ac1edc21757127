// polycubed's southbound gRPC server (src/proto/polycube.proto): a unix socket with owner-only
// permissions by default, or TCP with TLS and mandatory client certificates. Turns streams and
// unary calls into Daemon calls, and SouthboundErrors into gRPC statuses (the only place that does).

import { chmodSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import {
  loadPolycubedService,
  type DaemonMessageMsg,
  type GetCubeRequestMsg,
  type LoadDataplaneRequestMsg,
  type ReadMapsRequestMsg,
  type SendPacketRequestMsg,
  type ServiceMessageMsg,
  type WriteMapsRequestMsg,
} from '../../proto/polycube-types';
import type { Daemon } from '../core/daemon';
import { SouthboundError, type ServiceLink } from '../core/service-link';

/** Where and how to listen. Exactly one of `socketPath` and `address`. */
export interface GrpcServerOptions {
  /** Unix socket path (mode 0600, parent directory created 0700). */
  socketPath?: string;
  /** host:port for TCP; needs `tls` unless `insecure` is set. */
  address?: string;
  /** PEM server certificate chain, key, and the CA that client certificates must chain to. */
  tls?: { cert: Buffer; key: Buffer; ca: Buffer };
  /** Allow plain TCP (tests only). */
  insecure?: boolean;
}

/** Metadata key a service sets to name itself on unary calls (cube ownership is checked). */
export const SERVICE_METADATA_KEY = 'pcn-service';

const KEEPALIVE = {
  'grpc.keepalive_time_ms': 10_000, // notice a service host that vanished without closing TCP
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': 5_000,
  'grpc.max_receive_message_length': 64 * 1024 * 1024, // program sources and whole-map dumps
  'grpc.max_send_message_length': 64 * 1024 * 1024,
};

const STATUS: Record<string, grpc.status> = {
  NOT_FOUND: grpc.status.NOT_FOUND,
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  FAILED_PRECONDITION: grpc.status.FAILED_PRECONDITION,
  PERMISSION_DENIED: grpc.status.PERMISSION_DENIED,
  ALREADY_EXISTS: grpc.status.ALREADY_EXISTS,
  UNAVAILABLE: grpc.status.UNAVAILABLE,
  UNIMPLEMENTED: grpc.status.UNIMPLEMENTED,
  INTERNAL: grpc.status.INTERNAL,
};

function toStatus(err: unknown): Partial<grpc.StatusObject> {
  if (err instanceof SouthboundError)
    return { code: STATUS[err.status] ?? grpc.status.INTERNAL, details: err.message };
  return { code: grpc.status.INTERNAL, details: (err as Error).message ?? String(err) };
}

type Stream = grpc.ServerDuplexStream<ServiceMessageMsg, DaemonMessageMsg>;

/** One service's control stream, as the daemon sees it. */
class StreamLink implements ServiceLink {
  private open = true;
  constructor(private readonly call: Stream) {}

  send(msg: DaemonMessageMsg): void {
    if (!this.open) return;
    try {
      this.call.write(msg);
    } catch {
      this.open = false;
    }
  }

  close(_reason: string): void {
    if (!this.open) return;
    this.open = false;
    this.call.end();
  }

  /** Marks the stream as gone (no more writes). */
  closed(): void {
    this.open = false;
  }
}

/** The gRPC server in front of a Daemon. */
export class PolycubedGrpcServer {
  private readonly server: grpc.Server;
  private readonly links = new Set<StreamLink>();

  constructor(
    private readonly daemon: Daemon,
    private readonly opts: GrpcServerOptions,
  ) {
    if (!opts.socketPath === !opts.address) throw new TypeError('give exactly one of socketPath and address');
    if (opts.address && !opts.tls && !opts.insecure)
      throw new TypeError('TCP needs TLS (cert, key and client CA)');
    this.server = new grpc.Server(KEEPALIVE);
    const { definition } = loadPolycubedService();
    this.server.addService(definition, {
      Attach: (call: Stream) => this.attach(call),
      LoadDataplane: this.unary((req: LoadDataplaneRequestMsg, caller) =>
        this.daemon.loadDataplane(req, caller),
      ),
      WriteMaps: this.unary((req: WriteMapsRequestMsg, caller) => ({
        applied: this.daemon.writeMaps(req.cube, req.ops, caller),
      })),
      ReadMaps: this.unary((req: ReadMapsRequestMsg, caller) =>
        req.count
          ? {
              entries: [],
              values: this.daemon.readMapRange(req.cube, req.map, req.first ?? 0, req.count, caller),
            }
          : { entries: this.daemon.readMaps(req.cube, req.map, req.keys, caller) },
      ),
      SendPacket: this.unary((req: SendPacketRequestMsg, caller) => {
        this.daemon.sendPacket(req.cube, req.port, req.packet, req.recirculate, caller);
        return {};
      }),
      GetCube: this.unary((req: GetCubeRequestMsg, caller) => this.daemon.getCube(req.cube, caller)),
    });
  }

  /** Binds and starts serving; returns the bound address (`unix:<path>` or `host:port`). */
  async start(): Promise<string> {
    const { socketPath, address, tls } = this.opts;
    if (socketPath) {
      mkdirSync(dirname(socketPath), { recursive: true, mode: 0o700 });
      if (existsSync(socketPath)) unlinkSync(socketPath); // stale socket of a previous daemon
      const oldMask = process.umask(0o177); // the socket is created 0600: no window for others
      try {
        await this.bind(`unix:${socketPath}`, grpc.ServerCredentials.createInsecure());
      } finally {
        process.umask(oldMask);
      }
      chmodSync(socketPath, 0o600);
      return `unix:${socketPath}`;
    }
    const creds = tls
      ? grpc.ServerCredentials.createSsl(tls.ca, [{ cert_chain: tls.cert, private_key: tls.key }], true)
      : grpc.ServerCredentials.createInsecure();
    const port = await this.bind(address as string, creds);
    return `${(address as string).replace(/:\d+$/, '')}:${port}`;
  }

  /** Ends every stream and stops serving (forcefully after `graceMs`). Idempotent. */
  async stop(graceMs = 2_000): Promise<void> {
    for (const link of this.links) link.close('polycubed is stopping');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (this.opts.socketPath && existsSync(this.opts.socketPath)) unlinkSync(this.opts.socketPath);
  }

  private bind(target: string, creds: grpc.ServerCredentials): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.bindAsync(target, creds, (err, port) => (err ? reject(err) : resolve(port)));
    });
  }

  private attach(call: Stream): void {
    let link: StreamLink | undefined;
    const gone = (): void => {
      if (!link) return;
      const l = link;
      link = undefined;
      l.closed();
      this.links.delete(l);
      this.daemon.detachService(l);
    };
    call.on('data', (msg: ServiceMessageMsg) => {
      if (msg.register) {
        if (link) return; // one registration per stream
        const candidate = new StreamLink(call);
        const res = this.daemon.attachService(msg.register, candidate);
        if (!res.ok) {
          call.emit('error', { code: STATUS[res.status] ?? grpc.status.INTERNAL, details: res.message });
          return;
        }
        link = candidate;
        this.links.add(candidate);
      } else if (msg.reply && link) {
        this.daemon.handleReply(link, msg.reply);
      }
    });
    call.on('end', () => {
      gone();
      call.end();
    });
    call.on('cancelled', gone);
    call.on('error', gone);
    call.on('close', gone);
  }

  private unary<Req, Res>(
    fn: (req: Req, caller: string | undefined) => Res | Promise<Res>,
  ): grpc.handleUnaryCall<Req, Res> {
    return (call, callback) => {
      const caller = call.metadata.get(SERVICE_METADATA_KEY)[0]?.toString();
      Promise.resolve()
        .then(() => fn(call.request, caller || undefined))
        .then(
          (res) => callback(null, res),
          (err) => callback(toStatus(err)),
        );
    };
  }
}
