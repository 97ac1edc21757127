/* arp.h — ARP across the load balancer. Requests from the backend side for an address in the
 * src-ip-rewrite "new" range are mapped back to the client's address and go to the client
 * side; ARP replies from a client in the rewritten range are punted to the slow path, which
 * sends them, and a copy with the rewritten sender, to the backend side (spec §5.5).
 */
#ifndef LBRP_ARP_H
#define LBRP_ARP_H

#include "../runtime/pcn.h"
#include "lbrp_consts.h"
#include "parse.h"
#include "ports.h"
#include "session.h"

static __always_inline int arp_from_frontend(struct CTXTYPE *ctx, struct pkt_metadata *md, const struct pkt_desc *p)
{
	__be32 ignored;

	if (p->arp->op == bpf_htons(ARP_OP_REPLY) && src_rewrite_lookup(p->arp->spa, FROM_FRONTEND, &ignored)) {
		pcn_pkt_controller(ctx, md, REASON_ARP_REPLY);
		return DROP_ARP_REPLY_PUNTED;
	}
	return to_backend(ctx, md);
}

static __always_inline int arp_from_backend(struct CTXTYPE *ctx, struct pkt_metadata *md, const struct pkt_desc *p)
{
	__be32 target = p->arp->tpa, mapped;

	if (p->arp->op == bpf_htons(ARP_OP_REQUEST) && src_rewrite_lookup(target, FROM_BACKEND, &mapped)) {
		p->arp->tpa = mapped;
		target = mapped;
	}
	return to_frontend(ctx, md, target);
}

#endif /* LBRP_ARP_H */
