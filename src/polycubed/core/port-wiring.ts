// Port peers (runtime spec §2.1): validating a peer (netdev that is up and unused, or an
// existing `cube:port` of the same kind), binding ports to netdevs through the cube's dataplane,
// the UP/DOWN status, and following netdevs that disappear and come back (the netdev watch).
// Two ports that name each other (`cube:port` both ways) are linked by a veth pair the daemon
// creates (cube-link.ts): each port is bound to one end, so frames cross from cube to cube.

import { KernelError } from '../runtime/kernel-error';
import { listLinks, type LinkInfo } from '../runtime/netlink-links';
import { NetdevWatch } from '../runtime/netdev-watch';
import { createVethPair, deleteLink } from '../runtime/veth-pair';
import { cubeLinkNames, isCubeLinkName } from './cube-link';
import type { CubeRecord, CubeRegistry, PortRecord } from './cube-registry';

/** `cube:port` peers (regex of Polycube's set_port_peer). */
const CUBE_PORT_RE = /^(\S+):(\S+)$/;

/** Called after a port's status, peer or ifindex changed. */
export type PortChangeHandler = (cube: CubeRecord, port: PortRecord) => void;

/** Kind of a peer string. */
export type PeerKind =
  { kind: 'none' } | { kind: 'netdev'; link: LinkInfo } | { kind: 'port'; cube: string; port: string };

/** Port ↔ peer wiring for every cube of the registry. */
export class PortWiring {
  /**
   * `linkScope` tells this daemon's cube-to-cube links from another daemon's in the same network
   * namespace (its pin root: unique per daemon, the same after a restart).
   */
  constructor(
    private readonly cubes: CubeRegistry,
    private readonly onChange: PortChangeHandler,
    private readonly onError: (err: unknown) => void,
    private readonly linkScope = '',
  ) {}

  /** Current links by name. */
  links(): Map<string, LinkInfo> {
    return NetdevWatch.snapshot();
  }

  /**
   * Checks that `peer` may become the peer of `port` of `cube`: returns the peer's kind, or the
   * error text of runtime spec §2.1. `claimed` lists netdevs taken by the same request.
   */
  checkPeer(
    cube: CubeRecord,
    port: string,
    peer: string,
    links: Map<string, LinkInfo>,
    claimed: Set<string> = new Set(),
  ): PeerKind | { error: string } {
    if (peer === '') return { kind: 'none' };
    const link = links.get(peer);
    if (link && isCubeLinkName(peer)) return { error: 'Iface already in use' }; // a cube-to-cube link's end
    if (link && link.up && !link.loopback) {
      const user = this.cubes.findNetdevUser(peer);
      const self = user && user.cube === cube && user.port.name === port;
      if ((user && !self) || claimed.has(peer)) return { error: 'Iface already in use' };
      return { kind: 'netdev', link };
    }
    const m = CUBE_PORT_RE.exec(peer);
    if (m) {
      const other = this.cubes.get(m[1]);
      if (!other) return { error: `Cube ${m[1]} does not exist` };
      if (!other.ports.has(m[2])) return { error: `Port ${m[2]} does not exist` };
      if ((other.type === 'TC') !== (cube.type === 'TC'))
        return { error: 'It is not possible to connect TC and XDP ports' };
      return { kind: 'port', cube: m[1], port: m[2] };
    }
    return { error: `Interface  ${peer} does not exist or is down` };
  }

  /**
   * Makes `peer` (already checked) the peer of `port`: unbinds the old netdev, binds the new one
   * (attaching the cube's program when it has one). Returns an error text and leaves the old peer
   * in place when the kernel refuses the attachment.
   */
  setPeer(
    cube: CubeRecord,
    port: PortRecord,
    peer: string,
    links: Map<string, LinkInfo> = this.links(),
  ): string | undefined {
    const oldPeer = port.peer;
    const oldIfindex = port.ifindex;
    const before = `${port.peer}/${port.status}/${port.ifindex}`;
    this.unbind(cube, port);
    port.peer = peer;
    const link = links.get(peer);
    if (link && link.up && !link.loopback && !CUBE_PORT_RE.test(peer)) {
      try {
        cube.dataplane.bind(port.id, link.ifindex);
        port.ifindex = link.ifindex;
      } catch (err) {
        port.peer = oldPeer;
        this.restore(cube, port, oldIfindex);
        return `Error setting peer: ${(err as Error).message}`;
      }
    }
    this.refreshStatus(links, port);
    if (`${port.peer}/${port.status}/${port.ifindex}` !== before) this.onChange(cube, port);
    return undefined;
  }

  /** Unbinds a port's netdev (if bound) and marks it DOWN; used before deleting a port or cube. */
  unbind(cube: CubeRecord, port: PortRecord): void {
    const pair = CUBE_PORT_RE.test(port.peer)
      ? cubeLinkNames(`${cube.name}:${port.name}`, port.peer, this.linkScope)
      : undefined;
    if (port.ifindex > 0) {
      try {
        cube.dataplane.unbind(port.id, !this.links().has(pair?.mine ?? port.peer));
      } catch (err) {
        this.onError(err);
      }
    }
    port.ifindex = 0;
    port.status = 'DOWN';
    if (pair) this.deletePair(pair.mine);
  }

  /** Creates a link's veth pair in the kernel (a test's in-memory wiring overrides the three). */
  protected createPair(mine: string, theirs: string): void {
    createVethPair(mine, theirs);
  }

  /** Deletes a link in the kernel (ENODEV when absent). */
  protected removeLink(name: string): void {
    deleteLink(name);
  }

  /** The kernel's links, read now. */
  protected currentLinks(): LinkInfo[] {
    return listLinks();
  }

  /** Deletes a cube-to-cube link's veth pair, when it exists. */
  private deletePair(name: string): void {
    try {
      this.removeLink(name);
    } catch (err) {
      if (!(err instanceof KernelError && err.code === 'ENODEV')) this.onError(err);
    }
  }

  /**
   * The end of a cube-to-cube link's veth pair (`mine`), created with its peer `theirs` when
   * missing; undefined (the error reported) when the kernel refuses.
   */
  private pairEnd(mine: string, theirs: string, links: Map<string, LinkInfo>): LinkInfo | undefined {
    const known = links.get(mine);
    if (known) return known;
    try {
      this.createPair(mine, theirs);
    } catch (err) {
      // EEXIST: the other side of the link made it earlier in this same pass.
      if (!(err instanceof KernelError && err.code === 'EEXIST')) {
        this.onError(err);
        return undefined;
      }
    }
    return this.currentLinks().find((l) => l.name === mine);
  }

  /** A `cube:port` peer: bound to its end of the link's veth pair while both sides name each other. */
  private refreshCubePeer(cube: CubeRecord, port: PortRecord, links: Map<string, LinkInfo>): void {
    const [, otherCube, otherPort] = CUBE_PORT_RE.exec(port.peer) ?? [];
    const other = this.cubes.get(otherCube)?.ports.get(otherPort);
    const pair = cubeLinkNames(`${cube.name}:${port.name}`, port.peer, this.linkScope);
    const mutual = other !== undefined && other.peer === `${cube.name}:${port.name}`;
    const end = mutual ? this.pairEnd(pair.mine, pair.theirs, links) : undefined;
    if (port.ifindex > 0 && port.ifindex !== end?.ifindex) {
      try {
        cube.dataplane.unbind(port.id, !links.has(pair.mine));
      } catch (err) {
        this.onError(err);
      }
      port.ifindex = 0;
    }
    if (!mutual) {
      // The link is gone from this side too: its pair carries nothing any more.
      if (links.has(pair.mine)) this.deletePair(pair.mine);
    } else if (end && port.ifindex !== end.ifindex) {
      try {
        cube.dataplane.bind(port.id, end.ifindex);
        port.ifindex = end.ifindex;
      } catch (err) {
        this.onError(err);
      }
    }
    port.status = port.ifindex > 0 ? 'UP' : 'DOWN';
  }

  /** Brings a netdev port back to ifindex `ifindex` after a failed change. */
  private restore(cube: CubeRecord, port: PortRecord, ifindex: number): void {
    if (ifindex === 0) return;
    try {
      cube.dataplane.bind(port.id, ifindex);
      port.ifindex = ifindex;
    } catch (err) {
      this.onError(err);
    }
  }

  /**
   * Recomputes every port's status from the links: netdev peers follow their netdev (bound
   * again when it reappears, possibly with a new ifindex; unbound when it goes away or down),
   * `cube:port` peers are UP, and linked, when both sides name each other. Reports each change, except for
   * `quiet` (whose caller reports it).
   */
  refreshStatus(links: Map<string, LinkInfo>, quiet?: PortRecord): void {
    for (const cube of this.cubes.list()) {
      for (const port of cube.ports.values()) {
        const before = `${port.status}/${port.ifindex}`;
        this.refreshPort(cube, port, links);
        if (port !== quiet && `${port.status}/${port.ifindex}` !== before) this.onChange(cube, port);
      }
    }
  }

  /** Re-reads the veth peers of every bound port (a peer moved or got a new MAC). */
  refreshPeers(): void {
    for (const cube of this.cubes.list()) {
      try {
        cube.dataplane.refreshPeers();
      } catch (err) {
        this.onError(err);
      }
    }
  }

  private refreshPort(cube: CubeRecord, port: PortRecord, links: Map<string, LinkInfo>): void {
    if (port.peer === '') {
      port.status = 'DOWN';
      return;
    }
    if (CUBE_PORT_RE.test(port.peer) && !links.has(port.peer)) {
      this.refreshCubePeer(cube, port, links);
      return;
    }
    const link = links.get(port.peer);
    const present = link !== undefined && link.up && !link.loopback;
    if (present && port.ifindex !== link.ifindex) {
      try {
        if (port.ifindex > 0) cube.dataplane.unbind(port.id, true);
        cube.dataplane.bind(port.id, link.ifindex);
        port.ifindex = link.ifindex;
      } catch (err) {
        port.ifindex = 0;
        this.onError(err);
      }
    } else if (!present && port.ifindex > 0) {
      try {
        cube.dataplane.unbind(port.id, link === undefined);
      } catch (err) {
        this.onError(err);
      }
      port.ifindex = 0;
    }
    port.status = port.ifindex > 0 ? 'UP' : 'DOWN';
  }
}
