/* probe.h — replies to the cube's own health probes. The service sends TCP SYN and ICMP echo
 * probes as packet-out through the BACKEND port from PROBE_SRC (an address no client uses); what
 * comes back to that address on the BACKEND port is handed up (packet-in REASON_PROBE_REPLY) and
 * dropped here, so it never reaches a client: TCP to a probe source port, an echo reply with the
 * probe identifier, an ICMP error quoting either probe, and ARP about PROBE_SRC (the service answers requests and learns backends'
 * MACs from replies). Only the BACKEND port is checked: the same packet from a client goes on as
 * before. ROUTED cubes probe through the host's stack and compile none of this.
 */
#ifndef LBRP_PROBE_H
#define LBRP_PROBE_H

#include "../runtime/pcn.h"
#include "lbrp_consts.h"
#include "parse.h"

/* 1 when the parsed frame from the BACKEND port answers a probe (or is ARP about PROBE_SRC). */
static __always_inline int is_probe_reply(const struct pkt_desc *p)
{
	__u16 port;

	if (PROBE_SRC == 0)
		return 0;
	if (p->kind == PKT_ARP)
		return p->arp->tpa == bpf_htonl((__u32)PROBE_SRC);
	if (p->kind != PKT_IPV4 || p->daddr != bpf_htonl((__u32)PROBE_SRC) || p->later_frag)
		return 0;
	if (p->l4_kind == L4_TCP) {
		port = bpf_ntohs(p->dport);
		return port >= PROBE_PORT_MIN && port < PROBE_PORT_MIN + PROBE_PORT_COUNT;
	}
	if (p->l4_kind == L4_ICMP_ERROR && p->inner.saddr == bpf_htonl((__u32)PROBE_SRC)) {
		/* An unreachable (or time exceeded) quoting one of our probes: it fails at once. */
		if (p->inner.proto == IPPROTO_TCP) {
			port = bpf_ntohs(p->inner.sport);
			return port >= PROBE_PORT_MIN && port < PROBE_PORT_MIN + PROBE_PORT_COUNT;
		}
		return p->inner.proto == IPPROTO_ICMP && p->inner.sport == bpf_htons(PROBE_ICMP_ID);
	}
	return p->l4_kind == L4_ICMP_ECHO_REPLY && p->dport == bpf_htons(PROBE_ICMP_ID);
}

/* Punts a probe reply to the service; CONTINUE for anything else. */
static __always_inline int probe_reply_from_backend(struct CTXTYPE *ctx, struct pkt_metadata *md,
						    const struct pkt_desc *p)
{
	if (!is_probe_reply(p))
		return CONTINUE;
	pcn_pkt_controller(ctx, md, REASON_PROBE_REPLY);
	return DROP_PROBE_REPLY_PUNTED;
}

#endif /* LBRP_PROBE_H */
