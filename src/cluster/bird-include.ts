// The BIRD include file lbrp writes for its VIPs: one static protocol holding a /32 per announced
// VIP. The node's bird.conf includes it and exports protocol `lbrp_vips` to its BGP neighbours;
// lbrp rewrites the file and asks BIRD to reconfigure (src/cluster/bird-control.ts), so BIRD
// stays an ordinary, separately run daemon and its own config syntax checks every change.

import { renameSync, writeFileSync } from 'node:fs';

/** Name of the static protocol in the include file (bird.conf's export filters name it). */
export const VIP_PROTOCOL = 'lbrp_vips';

/** Interface names the kernel (IFNAMSIZ − 1) and a quoted BIRD string both take safely. */
export const LINK_NAME = /^[A-Za-z0-9_.-]{1,15}$/;

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** The include file's text for `vips` (addresses are checked: nothing else reaches BIRD). With
 * `via`, each /32 is a device route through that interface (the announcer's liveness link), which
 * BIRD announces only while the interface exists; without it, a blackhole BIRD always announces. */
export function renderVipInclude(vips: readonly string[], via?: string): string {
  if (via !== undefined && !LINK_NAME.test(via))
    throw new RangeError(`not an interface name: ${JSON.stringify(via)}`);
  const target = via === undefined ? 'blackhole' : `via "${via}"`;
  const lines = [`# written by lbrp-announce: the VIPs this node serves (do not edit)`];
  lines.push(`protocol static ${VIP_PROTOCOL} {`, `  ipv4;`);
  for (const vip of vips) {
    if (!IPV4.test(vip)) throw new RangeError(`not an IPv4 address: ${JSON.stringify(vip)}`);
    lines.push(`  route ${vip}/32 ${target};`);
  }
  lines.push(`}`, ``);
  return lines.join('\n');
}

/** Replaces `path` atomically (BIRD never reads half a file). */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, path);
}
