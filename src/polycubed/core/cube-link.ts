// The names of a cube-to-cube link's veth pair: derived from the two `cube:port` ends and the
// daemon's scope (its pin root) alone, so both sides (and a restarted daemon) find the same pair
// without keeping any state, and two daemons in one namespace never share one. 15 characters (the
// kernel's IFNAMSIZ less the NUL): "pcnl", 10 hex digits of a hash of the scope and the sorted
// ends, and "a" for the end of the first in order, "b" for the other.

import { createHash } from 'node:crypto';

const PREFIX = 'pcnl';
const NAME_RE = /^pcnl[0-9a-f]{10}[ab]$/;

/** The pair's end bound to `self` (`mine`) and the other end (`theirs`), for the link self ⇄ peer. */
export function cubeLinkNames(self: string, peer: string, scope = ''): { mine: string; theirs: string } {
  const [first, second] = [self, peer].sort();
  const base =
    PREFIX + createHash('sha256').update(`${scope}\n${first}\n${second}`).digest('hex').slice(0, 10);
  return self === first && self !== second
    ? { mine: `${base}a`, theirs: `${base}b` }
    : { mine: `${base}b`, theirs: `${base}a` };
}

/** True for a netdev name of that form (never a user's netdev to claim as a peer). */
export function isCubeLinkName(name: string): boolean {
  return NAME_RE.test(name);
}
