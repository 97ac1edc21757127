// Attaches loaded programs to network devices: TC clsact (direct-action cls_bpf filter) and XDP
// (generic "skb" or native "drv" mode), through libbpf's netlink helpers, no `tc`/`ip` process.
// Every call is idempotent and removes only what lbrp put there (libbpf-bootstrap tc.c style).

import { check, errnoFrom } from './ffi-check';
import { KernelError } from './kernel-error';
import { lastErrno, libbpf, libc } from './libbpf-ffi';
import type { TcHookFields } from './libbpf-types';
import { progInfoByFd } from './obj-info';
import { countTcFilters } from './tc-filter-dump';

/** Side of the clsact qdisc. */
export type TcDirection = 'ingress' | 'egress';
/** XDP attach mode: generic (any device) or native driver mode. */
export type XdpMode = 'skb' | 'drv';

/** Where lbrp's TC filter sits; handle+priority identify it among other filters. */
export interface TcFilterId {
  ifindex: number;
  direction: TcDirection;
  handle: number;
  priority: number;
}

/** A TC attachment, as returned by `attachTc` and given back to `detachTc`. */
export interface TcAttachment extends TcFilterId {
  /** Kernel id of the attached program. */
  progId: number;
  /** True when this attach created the clsact qdisc (detach may then remove it). */
  createdHook: boolean;
}

/** An XDP attachment. */
export interface XdpAttachment {
  ifindex: number;
  mode: XdpMode;
  progId: number;
}

/** What is attached at XDP on a device, per mode (0 = nothing). */
export interface XdpState {
  skbProgId: number;
  drvProgId: number;
  hwProgId: number;
  /** XDP_ATTACHED_* of the device (0 none, 1 drv, 2 skb, 3 hw, 4 multi). */
  attachMode: number;
}

/** 'lb' in ASCII: far from the small handles/priorities `tc` users and other tools pick. */
export const DEFAULT_TC_HANDLE = 0x6c62;
/** Same value as the handle; priorities are u16. */
export const DEFAULT_TC_PRIORITY = 0x6c62;

const ENOENT = 2;
const EEXIST = 17;
const EINVAL = 22;
const BPF_TC_INGRESS = 1;
const BPF_TC_EGRESS = 2;
const BPF_TC_F_REPLACE = 1;
const XDP_FLAGS_UPDATE_IF_NOEXIST = 1;
const XDP_FLAGS_SKB_MODE = 2;
const XDP_FLAGS_DRV_MODE = 4;
const XDP_FLAGS_REPLACE = 16;

/** ifindex of interface `name` in this process's netns; throws KernelError(ENODEV) if absent. */
export function ifIndex(name: string): number {
  const index = libc.if_nametoindex(name);
  if (index === 0) throw new KernelError('interface lookup', name, lastErrno() || 19);
  return index;
}

function devName(ifindex: number): string {
  return libc.if_indextoname(ifindex) ?? `ifindex ${ifindex}`;
}

function hookOf(ifindex: number, direction: TcDirection): TcHookFields {
  return { ifindex, attach_point: direction === 'ingress' ? BPF_TC_INGRESS : BPF_TC_EGRESS, parent: 0 };
}

/**
 * Attaches `progFd` as a direct-action filter on `direction` (default ingress) of `ifindex`,
 * creating the clsact qdisc if missing (an existing one is fine). Attaching again at the same
 * handle/priority atomically replaces the program, which is how a reload swaps code.
 */
export function attachTc(
  ifindex: number,
  progFd: number,
  opts: { direction?: TcDirection; handle?: number; priority?: number } = {},
): TcAttachment {
  const direction = opts.direction ?? 'ingress';
  const hook = hookOf(ifindex, direction);
  const created = libbpf.bpf_tc_hook_create(hook);
  if (created < 0 && errnoFrom(created) !== EEXIST) check(created, 'tc hook create', devName(ifindex));
  const tcOpts = {
    prog_fd: progFd,
    flags: BPF_TC_F_REPLACE,
    prog_id: 0,
    handle: opts.handle ?? DEFAULT_TC_HANDLE,
    priority: opts.priority ?? DEFAULT_TC_PRIORITY,
  };
  const ret = libbpf.bpf_tc_attach(hook, tcOpts);
  if (ret < 0) {
    const errno = errnoFrom(ret);
    if (created >= 0) libbpf.bpf_tc_hook_destroy({ ...hook, attach_point: BPF_TC_INGRESS | BPF_TC_EGRESS });
    throw new KernelError('tc attach', `${devName(ifindex)} ${direction}`, errno);
  }
  return {
    ifindex,
    direction,
    handle: tcOpts.handle,
    priority: tcOpts.priority,
    progId: tcOpts.prog_id,
    createdHook: created >= 0,
  };
}

/**
 * Removes lbrp's filter (a missing one is fine). Removes the clsact qdisc too, but only if
 * `createdHook` says this side created it and no filter of anyone is left on either side.
 */
export function detachTc(att: TcFilterId & { createdHook?: boolean }): void {
  const hook = hookOf(att.ifindex, att.direction);
  const opts = { prog_fd: 0, flags: 0, prog_id: 0, handle: att.handle, priority: att.priority };
  const ret = libbpf.bpf_tc_detach(hook, opts);
  if (ret < 0 && ![ENOENT, EINVAL].includes(errnoFrom(ret))) {
    check(ret, 'tc detach', `${devName(att.ifindex)} ${att.direction}`);
  }
  if (!att.createdHook) return;
  if (countTcFilters(att.ifindex, 'ingress') > 0 || countTcFilters(att.ifindex, 'egress') > 0) return;
  const destroyed = libbpf.bpf_tc_hook_destroy({ ...hook, attach_point: BPF_TC_INGRESS | BPF_TC_EGRESS });
  if (destroyed < 0 && ![ENOENT, EINVAL].includes(errnoFrom(destroyed))) {
    check(destroyed, 'tc hook destroy', devName(att.ifindex));
  }
}

/** Program id of the filter at handle/priority on `direction`, or undefined when there is none. */
export function queryTc(
  ifindex: number,
  opts: { direction?: TcDirection; handle?: number; priority?: number } = {},
): { progId: number } | undefined {
  const direction = opts.direction ?? 'ingress';
  const tcOpts = {
    prog_fd: 0,
    flags: 0,
    prog_id: 0,
    handle: opts.handle ?? DEFAULT_TC_HANDLE,
    priority: opts.priority ?? DEFAULT_TC_PRIORITY,
  };
  const ret = libbpf.bpf_tc_query(hookOf(ifindex, direction), tcOpts);
  if (ret < 0) {
    const errno = errnoFrom(ret);
    if (errno === ENOENT || errno === EINVAL) return undefined;
    throw new KernelError('tc query', `${devName(ifindex)} ${direction}`, errno);
  }
  return { progId: tcOpts.prog_id };
}

function modeFlag(mode: XdpMode): number {
  return mode === 'skb' ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
}

function xdpProgId(ifindex: number, mode: XdpMode): number {
  const { ret, id } = libbpf.bpf_xdp_query_id(ifindex, modeFlag(mode));
  check(ret, 'xdp query', devName(ifindex));
  return id;
}

/**
 * Attaches `progFd` at XDP in `mode`. Already attached: no-op. Another program attached: fails
 * with EEXIST unless `replace`, which swaps it atomically (failing if it changed meanwhile).
 */
export function attachXdp(
  ifindex: number,
  progFd: number,
  mode: XdpMode,
  opts: { replace?: boolean } = {},
): XdpAttachment {
  const target = `${devName(ifindex)} ${mode}`;
  const progId = progInfoByFd(progFd).id;
  const current = xdpProgId(ifindex, mode);
  if (current === progId) return { ifindex, mode, progId };
  if (current !== 0 && !opts.replace) {
    throw new KernelError('xdp attach', target, EEXIST, `program id ${current} is attached`);
  }
  let flags = modeFlag(mode);
  let oldFd = 0;
  if (current === 0) flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;
  else oldFd = check(libbpf.bpf_prog_get_fd_by_id(current), 'xdp attach', target);
  try {
    if (oldFd > 0) flags |= XDP_FLAGS_REPLACE;
    check(libbpf.bpf_xdp_attach(ifindex, progFd, flags, oldFd), 'xdp attach', target);
  } finally {
    if (oldFd > 0) libc.close(oldFd);
  }
  return { ifindex, mode, progId };
}

/**
 * Detaches XDP in `mode`. With `progFd`, only that program is removed (someone else's is left
 * in place and false is returned). Returns true when a program was removed; nothing attached is fine.
 */
export function detachXdp(ifindex: number, mode: XdpMode, progFd?: number): boolean {
  const target = `${devName(ifindex)} ${mode}`;
  const current = xdpProgId(ifindex, mode);
  if (current === 0) return false;
  if (progFd === undefined) {
    check(libbpf.bpf_xdp_detach(ifindex, modeFlag(mode), 0), 'xdp detach', target);
    return true;
  }
  if (progInfoByFd(progFd).id !== current) return false;
  check(libbpf.bpf_xdp_detach(ifindex, modeFlag(mode) | XDP_FLAGS_REPLACE, progFd), 'xdp detach', target);
  return true;
}

/** Programs attached at XDP on `ifindex`, per mode. */
export function queryXdp(ifindex: number): XdpState {
  const out = { prog_id: 0, drv_prog_id: 0, hw_prog_id: 0, skb_prog_id: 0, attach_mode: 0 };
  check(libbpf.bpf_xdp_query(ifindex, out), 'xdp query', devName(ifindex));
  return {
    skbProgId: out.skb_prog_id,
    drvProgId: out.drv_prog_id,
    hwProgId: out.hw_prog_id,
    attachMode: out.attach_mode,
  };
}
