/* icmp_error.h — ICMP errors (unreachable incl. fragmentation needed, time exceeded, parameter
 * problem) about an existing session: the quoted header and the outer addresses are translated
 * like the packet the error is about, and the error is delivered to the other side.
 */
#ifndef LBRP_ICMP_ERROR_H
#define LBRP_ICMP_ERROR_H

#include "../runtime/pcn.h"
#include "lbrp_consts.h"
#include "lbrp_maps.h"
#include "parse.h"
#include "nat.h"
#include "ports.h"
#include "session.h"
#include "stats.h"

/* The flow the quoted packet belongs to, seen from the error's sender (quoted tuple reversed). */
static __always_inline void quoted_flow_reversed(const struct pkt_desc *p, struct flow_key *k)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->saddr = p->inner.daddr;
	k->daddr = p->inner.saddr;
	k->sport = p->inner.dport;
	k->dport = p->inner.sport;
	k->proto = p->inner.proto;
}

/* From a FRONTEND: an error about a packet VIP:vport → client sent by the client (or a router
 * on its side) goes to the backend as if about backend:bport → client's NATed address.
 * Returns CONTINUE when it is not such an error. */
static __always_inline int icmp_error_from_frontend(struct CTXTYPE *ctx, struct pkt_metadata *md, const struct pkt_desc *p,
						    const struct session_config *cfg)
{
	struct session_entry *hit;
	struct conntrack_value ct;
	struct nat4 outer, quoted;
	struct flow_key k;
	int rc;

	if (p->l4_kind != L4_ICMP_ERROR || p->daddr != p->inner.saddr)
		return CONTINUE;
	quoted_flow_reversed(p, &k);
	hit = session_lookup(&k, cfg);
	if (!hit)
		return CONTINUE;
	ct = hit->ct;
	outer.saddr = p->saddr == p->inner.daddr ? ct.nat_saddr : p->saddr;
	outer.daddr = ct.backend_ip;
	quoted.saddr = ct.backend_ip;
	quoted.daddr = ct.nat_saddr;
	quoted.sport = p->inner.proto == IPPROTO_ICMP ? p->inner.sport : ct.backend_port;
	quoted.dport = p->inner.dport;
	rc = lb4_rewrite_icmp_error(ctx, p, &outer, &quoted);
	if (rc != CONTINUE)
		return rc;
	account(&service_stats, ct.service_id, md->packet_len, 0);
	account(&backend_stats, ct.backend_id, md->packet_len, 0);
	return to_backend(ctx, md);
}

/* From the BACKEND: an error about a packet client's NATed address → backend:bport (from the
 * backend itself or a router) goes to the client as if about client → VIP:vport; a source that
 * is the backend becomes the VIP. Returns CONTINUE when it is not such an error. */
static __always_inline int icmp_error_from_backend(struct CTXTYPE *ctx, struct pkt_metadata *md, const struct pkt_desc *p,
						   const struct session_config *cfg)
{
	struct backend_vip_value bv;
	struct reverse_nat_value rv;
	struct nat4 outer, quoted;
	struct flow_key k;
	int rc;

	if (p->l4_kind != L4_ICMP_ERROR || p->daddr != p->inner.saddr)
		return CONTINUE;
	/* The quoted packet went to the backend: reversed, it is a reply of the session. */
	quoted_flow_reversed(p, &k);
	if (!session_of_reply(&k, cfg, &rv, &bv))
		return CONTINUE;
	outer.saddr = p->saddr == p->inner.daddr ? rv.vip : p->saddr;
	outer.daddr = rv.client_ip;
	quoted.saddr = rv.client_ip;
	quoted.daddr = rv.vip;
	quoted.sport = p->inner.sport;
	quoted.dport = p->inner.proto == IPPROTO_ICMP ? p->inner.dport : rv.vport;
	rc = lb4_rewrite_icmp_error(ctx, p, &outer, &quoted);
	if (rc != CONTINUE)
		return rc;
	account(&service_stats, rv.service_id, md->packet_len, 0);
	account(&backend_stats, rv.backend_id, md->packet_len, 0);
	return to_frontend(ctx, md, rv.client_ip);
}

#endif /* LBRP_ICMP_ERROR_H */
