// Counts the TC filters on one side of an interface's clsact qdisc with a single rtnetlink dump
// (RTM_GETTFILTER), so detach can tell whether anything besides lbrp still uses the hook.
// libbpf has no "list filters" call; this is the same request `tc filter show` sends.

import { KernelError } from './kernel-error';
import { NLM_F_DUMP, rtRequest } from './rtnetlink';

const RTM_NEWTFILTER = 44;
const RTM_GETTFILTER = 46;
const TCMSG_LEN = 20; // struct tcmsg: family, pad1, pad2, ifindex, handle, parent, info
/** clsact parents: TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS / TC_H_MIN_EGRESS) from <linux/pkt_sched.h>. */
const CLSACT_PARENT = { ingress: 0xfffffff2, egress: 0xfffffff3 } as const;
const EINVAL = 22; // no clsact qdisc
const ENOENT = 2;

/**
 * Number of filter records the kernel reports on the `direction` side of clsact on `ifindex`
 * (0 when there is no clsact qdisc). Throws KernelError("tc filter dump", ...) on failure.
 */
export function countTcFilters(ifindex: number, direction: 'ingress' | 'egress'): number {
  const body = Buffer.alloc(TCMSG_LEN);
  body.writeInt32LE(ifindex, 4);
  body.writeUInt32LE(CLSACT_PARENT[direction], 12);
  let filters = 0;
  try {
    rtRequest(
      RTM_GETTFILTER,
      NLM_F_DUMP,
      body,
      'tc filter dump',
      `ifindex ${ifindex} ${direction}`,
      (type) => {
        if (type === RTM_NEWTFILTER) filters++;
      },
    );
  } catch (err) {
    if (err instanceof KernelError && (err.errno === EINVAL || err.errno === ENOENT)) return 0;
    throw err;
  }
  return filters;
}
