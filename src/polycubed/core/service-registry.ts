// Registered services: their YANG (parsed with codegen into the schema IR), and, while a service
// is connected, its control stream with the requests awaiting a reply. A request whose reply does
// not come in time, or whose stream ends, is answered with an error; nothing waits forever.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModuleFromText, type IrModule } from 'yang-ts-codegen';
import type { ConfigReplyMsg, ConfigRequestMsg, RegisterMsg } from '../../proto/polycube-types';
import type { ServiceLink } from './service-link';
import { ErrorCode, type ServiceView } from './types';

/** Called with a request that timed out and the reply that came for it later. */
export type LateReplyHandler = (req: ConfigRequestMsg, reply: ConfigReplyMsg) => void;

/** How many timed-out requests are remembered for their late replies (the oldest are forgotten). */
const MAX_TIMED_OUT = 256;

/** The daemon's end of one connected service: sends requests and matches replies by id. */
export class ServiceConnection {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(r: ConfigReplyMsg): void; timer: NodeJS.Timeout }>();
  private readonly timedOut = new Map<number, ConfigRequestMsg>();

  /** `onLate` receives the replies that arrive after their request timed out. */
  constructor(
    readonly service: string,
    readonly link: ServiceLink,
    private readonly timeoutMs: number,
    private readonly onLate: LateReplyHandler = () => undefined,
  ) {}

  /**
   * Sends a ConfigRequest and resolves with the service's reply; resolves with GENERIC_ERROR after
   * the timeout and with UNAVAILABLE when the stream ends first. Never rejects. A reply that
   * comes after the timeout goes to `onLate`, so the daemon can reconcile what the service did.
   */
  request(req: Omit<ConfigRequestMsg, 'id'>): Promise<ConfigReplyMsg> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.rememberTimedOut({ ...req, id });
        resolve(
          reply(
            id,
            ErrorCode.GENERIC_ERROR,
            `service ${this.service} did not answer within ${this.timeoutMs} ms; if it answers later, polycubed reconciles the outcome and logs it`,
          ),
        );
      }, this.timeoutMs);
      this.pending.set(id, { resolve, timer });
      this.link.send({ request: { ...req, id } });
    });
  }

  /** Delivers a reply; a late reply (after its timeout) goes to `onLate`, unknown ids are ignored. */
  handleReply(r: ConfigReplyMsg): void {
    const p = this.pending.get(Number(r.id));
    if (!p) {
      const late = this.timedOut.get(Number(r.id));
      if (late) {
        this.timedOut.delete(late.id);
        this.onLate(late, r);
      }
      return;
    }
    clearTimeout(p.timer);
    this.pending.delete(Number(r.id));
    p.resolve(r);
  }

  private rememberTimedOut(req: ConfigRequestMsg): void {
    this.timedOut.set(req.id, req);
    if (this.timedOut.size > MAX_TIMED_OUT) this.timedOut.delete(this.timedOut.keys().next().value as number);
  }

  /** Answers every pending request with UNAVAILABLE (the stream ended). */
  failAll(): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve(reply(id, ErrorCode.UNAVAILABLE, `service ${this.service} unavailable`));
    }
    this.pending.clear();
  }
}

function reply(id: number, code: ErrorCode, message: string): ConfigReplyMsg {
  return { id, code, message, bodyJson: '', errorInfo: '' };
}

/** A registered service. */
export interface ServiceRecord {
  name: string;
  version: string;
  description: string;
  yang: string;
  imports: Record<string, string>;
  module: IrModule;
  /** Set while the control stream is open. */
  conn?: ServiceConnection;
}

/** The view handed out by the daemon. */
export function serviceView(s: ServiceRecord): ServiceView {
  return {
    name: s.name,
    version: s.version,
    description: s.description,
    yang: s.yang,
    imports: { ...s.imports },
    module: s.module,
    connected: s.conn !== undefined,
  };
}

/**
 * Parses the YANG a service registered: its imports are looked up first among the texts it sent,
 * then in `searchPath` (the polycube base modules). Returns the module, or every error found.
 * The module's service-name (or its name) must equal the registered name.
 */
export function parseServiceYang(
  reg: RegisterMsg,
  searchPath: string[],
): { module: IrModule } | { error: string } {
  const dir = mkdtempSync(join(tmpdir(), 'polycubed-yang-'));
  try {
    for (const [name, text] of Object.entries(reg.imports ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_.@-]*$/.test(name))
        return { error: `invalid import module name ${JSON.stringify(name)}` };
      writeFileSync(join(dir, `${name}.yang`), text);
    }
    const res = loadModuleFromText(reg.yang, join(dir, `${reg.name || 'service'}.yang`), {
      searchPath: [dir, ...searchPath],
      rootDir: dir,
    });
    if (!res.module) return { error: res.errors.map((e) => e.message).join('\n') || 'invalid YANG' };
    const serviceName = res.module.service.name ?? res.module.name;
    if (serviceName !== reg.name && res.module.name !== reg.name) {
      return { error: 'Inconsistent module name, service-name, and request name.' };
    }
    return { module: res.module };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
