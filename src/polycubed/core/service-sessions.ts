// The control streams of services (southbound, called through the gRPC server): a Register is
// checked and answered with Registered, a Resync of the running cubes and CREATEs of pending
// ones; a stream that ends fails its waiting requests, and the service's cubes keep forwarding.
// A reply carrying its change's map writes has them applied before it is delivered.

import {
  PROTOCOL_VERSION,
  type ConfigReplyMsg,
  type ConfigRequestMsg,
  type RegisterMsg,
  type WriteMapsRequestMsg,
  type WritesDoneMsg,
} from '../../proto/polycube-types';
import { configForService, cubeConfig } from './base-model';
import type { CubeRegistry } from './cube-registry';
import { SouthboundError, type AttachResult, type ServiceLink } from './service-link';
import { parseServiceYang, ServiceConnection, serviceView, type ServiceRecord } from './service-registry';
import type { DaemonOptions, LogLevel, ServiceView } from './types';

/** What the sessions need from the daemon. */
export interface ServiceSessionsContext {
  readonly options: Pick<DaemonOptions, 'yangSearchPath' | 'requestTimeoutMs' | 'version'>;
  readonly cubes: CubeRegistry;
  /** Registered services by name; sessions add records and open or close their connections. */
  readonly services: Map<string, ServiceRecord>;
  log(level: LogLevel, message: string): void;
  /** A service registered or disconnected (the daemon's 'service' event). */
  serviceChanged(view: ServiceView): void;
  /** Has the service create its persisted cubes that were not adopted (CubeRestore.rebuildPending). */
  rebuildPending(service: string): Promise<void>;
  /** A reply of `service` came after its request had timed out. */
  lateReply(service: string, req: ConfigRequestMsg, reply: ConfigReplyMsg): void;
  /** Applies map writes as the service's WriteMaps would; throws SouthboundError (applied count in its text). */
  writeMaps(service: string, writes: WriteMapsRequestMsg): number;
}

/** Attaches and detaches services' control streams. */
export class ServiceSessions {
  constructor(private readonly ctx: ServiceSessionsContext) {}

  /** See Daemon.attachService (the daemon checks that it is running first). */
  attach(reg: RegisterMsg, link: ServiceLink): AttachResult {
    const { options, services } = this.ctx;
    if (reg.protocolVersion !== PROTOCOL_VERSION) {
      return {
        ok: false,
        status: 'FAILED_PRECONDITION',
        message: `protocol version ${reg.protocolVersion} is not supported (polycubed speaks ${PROTOCOL_VERSION})`,
      };
    }
    if (!reg.name) return { ok: false, status: 'INVALID_ARGUMENT', message: 'Register has no service name' };
    if (services.get(reg.name)?.conn)
      return { ok: false, status: 'ALREADY_EXISTS', message: `service ${reg.name} is already connected` };
    const parsed = parseServiceYang(reg, options.yangSearchPath);
    if ('error' in parsed) return { ok: false, status: 'INVALID_ARGUMENT', message: parsed.error };
    const record: ServiceRecord = {
      name: reg.name,
      version: parsed.module.service.version ?? reg.version,
      description: parsed.module.service.description ?? reg.description,
      yang: reg.yang,
      imports: { ...reg.imports },
      module: parsed.module,
      conn: new ServiceConnection(reg.name, link, options.requestTimeoutMs, (req, r) =>
        this.ctx.lateReply(reg.name, req, r),
      ),
    };
    services.set(reg.name, record);
    link.send({ registered: { daemonVersion: options.version, replyWrites: true } });
    const running = this.ctx.cubes.list(reg.name).filter((c) => !c.needsCreate);
    link.send({
      resync: {
        cubes: running.map((c) => ({
          name: c.name,
          configJson: JSON.stringify(configForService(cubeConfig(c, parsed.module))),
        })),
      },
    });
    this.ctx.log('INFO', `service ${reg.name} registered (${running.length} cubes resynced)`);
    this.ctx.serviceChanged(serviceView(record));
    void this.ctx.rebuildPending(reg.name);
    return { ok: true };
  }

  /** See Daemon.detachService. */
  detach(link: ServiceLink): void {
    for (const svc of this.ctx.services.values()) {
      if (svc.conn?.link !== link) continue;
      const conn = svc.conn;
      svc.conn = undefined;
      conn.failAll();
      this.ctx.log('WARN', `service ${svc.name} disconnected; its cubes keep forwarding`);
      this.ctx.serviceChanged(serviceView(svc));
    }
  }

  /**
   * See Daemon.handleReply. The map writes a reply carries are applied first, synchronously (so
   * they are in the kernel before the change's client is answered, and before any later call of
   * the service), then their outcome goes back as WritesDone.
   */
  handleReply(link: ServiceLink, reply: ConfigReplyMsg): void {
    for (const svc of this.ctx.services.values()) {
      if (svc.conn?.link !== link) continue;
      if (reply.writes) link.send({ writesDone: this.applyWrites(svc.name, reply) });
      svc.conn.handleReply(reply);
    }
  }

  private applyWrites(service: string, reply: ConfigReplyMsg): WritesDoneMsg {
    const writes = reply.writes as WriteMapsRequestMsg;
    try {
      return { id: reply.id, applied: this.ctx.writeMaps(service, writes), error: '' };
    } catch (err) {
      const message = (err as Error).message;
      const applied = err instanceof SouthboundError ? (err.applied ?? 0) : 0;
      this.ctx.log('WARN', `service ${service}: map writes of cube ${writes.cube} failed: ${message}`);
      return { id: reply.id, applied, error: message };
    }
  }

  /** Fails every waiting request and closes every stream (the daemon is stopping); emits nothing. */
  closeAll(): void {
    for (const svc of this.ctx.services.values()) {
      const conn = svc.conn;
      svc.conn = undefined;
      conn?.failAll();
      conn?.link.close('polycubed is stopping');
    }
  }
}
