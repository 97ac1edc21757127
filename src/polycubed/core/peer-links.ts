// REST `/connect` and `/disconnect`: each side is `cube:port` or a netdev name. Both sides are
// checked before either changes, and a side already set is undone when the other fails, so a
// refused request leaves every peer as it was. Error texts are runtime spec §2.1's.

import { fail } from './config-router';
import type { CubeRecord, CubeRegistry, PortRecord } from './cube-registry';
import type { PortWiring } from './port-wiring';
import { ErrorCode, type ConfigResult } from './types';

/** What connect/disconnect need from the daemon. */
export interface PeerLinksContext {
  readonly cubes: CubeRegistry;
  readonly wiring: PortWiring;
  /** Persists a changed cube (PersistenceScheduler.afterChange). */
  afterChange(cube: string): Promise<void>;
}

type PortRef = { cube: CubeRecord; port: PortRecord };

/** Sets and clears peers named by the two ends of a link; the caller serialises the calls. */
export class PeerLinks {
  constructor(private readonly ctx: PeerLinksContext) {}

  /** See Daemon.connectPeers. */
  async connect(a: string, b: string): Promise<ConfigResult> {
    const pa = this.portRef(a);
    const pb = this.portRef(b);
    for (const text of [a, b]) {
      const missing = this.missingPortRef(text);
      if (missing) return fail(ErrorCode.GENERIC_ERROR, missing);
    }
    if (!pa && !pb) return fail(ErrorCode.GENERIC_ERROR, 'Error setting peer');
    for (const [ref, name] of [
      [pa, a],
      [pb, b],
    ] as const) {
      if (ref && ref.port.peer)
        return fail(ErrorCode.GENERIC_ERROR, `${name} already has a peer ${ref.port.peer}`);
    }
    const { wiring } = this.ctx;
    const links = wiring.links();
    for (const [ref, other] of [
      [pa, b],
      [pb, a],
    ] as const) {
      if (!ref) continue;
      const check = wiring.checkPeer(ref.cube, ref.port.name, other, links);
      if ('error' in check) return fail(ErrorCode.GENERIC_ERROR, check.error);
    }
    const done: PortRef[] = [];
    for (const [ref, other] of [
      [pa, b],
      [pb, a],
    ] as const) {
      if (!ref) continue;
      const err = wiring.setPeer(ref.cube, ref.port, other, links);
      if (err) {
        for (const d of done) wiring.setPeer(d.cube, d.port, '');
        return fail(ErrorCode.GENERIC_ERROR, err);
      }
      done.push(ref);
    }
    for (const d of done) await this.ctx.afterChange(d.cube.name);
    return { code: ErrorCode.OK };
  }

  /** See Daemon.disconnectPeers. */
  async disconnect(a: string, b: string): Promise<ConfigResult> {
    const changed: CubeRecord[] = [];
    for (const [ref, other] of [
      [this.portRef(a), b],
      [this.portRef(b), a],
    ] as const) {
      if (ref && ref.port.peer === other) {
        this.ctx.wiring.setPeer(ref.cube, ref.port, '');
        changed.push(ref.cube);
      }
    }
    if (changed.length === 0) return fail(ErrorCode.GENERIC_ERROR, `${a} is not connected to ${b}`);
    for (const c of changed) await this.ctx.afterChange(c.name);
    return { code: ErrorCode.OK };
  }

  /** For a `cube:port` that names no existing port, polycubed's error text; else undefined. */
  private missingPortRef(text: string): string | undefined {
    const m = /^(\S+):(\S+)$/.exec(text);
    if (!m) return undefined;
    const cube = this.ctx.cubes.get(m[1]);
    if (!cube) return 'Cube does not exist';
    return cube.ports.has(m[2]) ? undefined : `Port ${m[2]} does not exist`;
  }

  /** The existing port a `cube:port` names; undefined for a netdev name or a missing port. */
  private portRef(text: string): PortRef | undefined {
    const m = /^(\S+):(\S+)$/.exec(text);
    const cube = m ? this.ctx.cubes.get(m[1]) : undefined;
    const port = m ? cube?.ports.get(m[2]) : undefined;
    return cube && port ? { cube, port } : undefined;
  }
}
