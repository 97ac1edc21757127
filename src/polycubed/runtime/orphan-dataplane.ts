// Tearing down a pinned dataplane that no cube record claims (left by a lost or corrupt state
// file): its program is detached from every netdev of this namespace where it runs (lbrp's TC
// ingress filter and a ROUTED cube's egress filter, XDP in either mode), then its pins are
// removed. Nothing else is touched.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { unpinAll } from './bpf-object';
import { check } from './ffi-check';
import { libbpf, libc } from './libbpf-ffi';
import {
  DEFAULT_TC_HANDLE,
  DEFAULT_TC_PRIORITY,
  detachTc,
  detachXdp,
  queryTc,
  queryXdp,
  type XdpMode,
} from './netdev-attach';
import type { LinkInfo } from './netlink-links';
import { progInfoByFd } from './obj-info';

/** What `removeOrphanDataplane` did. */
export interface OrphanRemoval {
  /** Kernel id of the pinned program, 0 when only maps were pinned. */
  programId: number;
  /** Where the program was detached, e.g. `veth1 tc`, `veth2 xdp skb`. */
  detached: string[];
  /** Detach failures (the pins are removed anyway, so nothing is reused). */
  errors: string[];
}

/** True when `dir` has the shape of a cube's pin directory (a `prog` pin or a `maps` directory). */
export function isCubePinDir(dir: string): boolean {
  try {
    if (!statSync(dir).isDirectory()) return false;
  } catch {
    return false;
  }
  return existsSync(join(dir, 'prog')) || existsSync(join(dir, 'maps'));
}

/** Names of the cube pin directories directly under `pinRoot` (bpffs files such as `maps.debug` are not). */
export function listCubePinDirs(pinRoot: string): string[] {
  if (!existsSync(pinRoot)) return [];
  return readdirSync(pinRoot)
    .filter((name) => isCubePinDir(join(pinRoot, name)))
    .sort();
}

/**
 * Detaches the program pinned at `<pinDir>/prog` from every link in `links` where it is attached
 * (TC ingress at lbrp's handle/priority, XDP skb or drv), then removes `pinDir`. `createdHooks`
 * names the ifindexes whose clsact qdisc lbrp created (from the cube's runtime record), so the
 * qdisc goes too when nothing else uses it. Never throws for one netdev's failure.
 */
export function removeOrphanDataplane(
  pinDir: string,
  links: Iterable<LinkInfo>,
  createdHooks: ReadonlySet<number> = new Set(),
): OrphanRemoval {
  const out: OrphanRemoval = { programId: 0, detached: [], errors: [] };
  const all = [...links];
  const progPin = join(pinDir, 'prog');
  // A ROUTED lbrp's TC egress program (cube-dataplane egressPin): detached first, by its id.
  const egressPin = join(pinDir, 'prog_egress');
  if (existsSync(egressPin)) {
    const fd = check(libbpf.bpf_obj_get(egressPin), 'program open', egressPin);
    try {
      const id = progInfoByFd(fd, egressPin).id;
      for (const link of all) detachEgress(link, id, out);
    } finally {
      libc.close(fd);
    }
  }
  if (existsSync(progPin)) {
    const fd = check(libbpf.bpf_obj_get(progPin), 'program open', progPin);
    try {
      out.programId = progInfoByFd(fd, progPin).id;
      for (const link of all) detachFrom(link, fd, out, createdHooks.has(link.ifindex));
    } finally {
      libc.close(fd);
    }
  }
  unpinAll(pinDir);
  return out;
}

function detachEgress(link: LinkInfo, id: number, out: OrphanRemoval): void {
  const at = { direction: 'egress' as const, handle: DEFAULT_TC_HANDLE, priority: DEFAULT_TC_PRIORITY };
  try {
    if (queryTc(link.ifindex, at)?.progId !== id) return;
    detachTc({ ifindex: link.ifindex, ...at });
    out.detached.push(`${link.name} tc egress`);
  } catch (err) {
    out.errors.push(`${link.name}: ${(err as Error).message}`);
  }
}

function detachFrom(link: LinkInfo, fd: number, out: OrphanRemoval, createdHook: boolean): void {
  const id = out.programId;
  try {
    if (queryTc(link.ifindex)?.progId === id) {
      detachTc({
        ifindex: link.ifindex,
        direction: 'ingress',
        handle: DEFAULT_TC_HANDLE,
        priority: DEFAULT_TC_PRIORITY,
        createdHook,
      });
      out.detached.push(`${link.name} tc`);
    }
    const xdp = queryXdp(link.ifindex);
    const modes: [XdpMode, number][] = [
      ['skb', xdp.skbProgId],
      ['drv', xdp.drvProgId],
    ];
    for (const [mode, progId] of modes) {
      if (progId === id && detachXdp(link.ifindex, mode, fd)) out.detached.push(`${link.name} xdp ${mode}`);
    }
  } catch (err) {
    out.errors.push(`${link.name}: ${(err as Error).message}`);
  }
}
