/* session.h — services and sessions: which service a client packet addresses, the session
 * (conntrack hit, or a new Maglev choice written to conntrack and reverse_nat), the reverse
 * lookup of a backend's reply, and the src-ip-rewrite address mapping.
 */
#ifndef LBRP_SESSION_H
#define LBRP_SESSION_H

#include "../runtime/pcn.h"
#include "lbrp_consts.h"
#include "lbrp_structs.h"
#include "lbrp_maps.h"
#include "parse.h"
#include "select.h"

/* Bench builds only: every run of a frame is a flow never seen before — its conntrack key takes
 * the source port and address bits from a counter (the frame itself is not changed), so each
 * run misses, selects a backend and inserts two session entries, evicting old ones when full.
 * The counter is a plain increment (a test run stays on one CPU): an atomic add would be bench
 * cost counted as dataplane cost. */
#ifndef LBRP_BENCH_NEW_FLOWS
#define LBRP_BENCH_NEW_FLOWS 0
#endif
#if LBRP_BENCH_NEW_FLOWS
__u32 lbrp_bench_flow_seq;
#endif

/* The connection a TCP, UDP or ICMP echo packet belongs to, as its own headers say. */
static __always_inline void flow_of(const struct pkt_desc *p, struct flow_key *k)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->saddr = p->saddr;
	k->daddr = p->daddr;
	k->sport = p->sport;
	k->dport = p->dport;
	k->proto = p->proto;
}

/* The service a client packet addresses (TCP/UDP by dport, ICMP echo request at vport 0), or
 * NULL. */
static __always_inline struct service_value *lookup_service(const struct pkt_desc *p)
{
	struct service_key k = {};

	if (p->l4_kind != L4_TCP && p->l4_kind != L4_UDP && p->l4_kind != L4_ICMP_ECHO_REQ)
		return NULL;
	k.vip = p->daddr;
	k.vport = p->dport;
	k.proto = p->proto;
	return bpf_map_lookup_elem(&services, &k);
}

/* If addr lies in a src-ip-rewrite prefix of the given sense, stores its image in the other
 * range (new_net | host bits of addr) in *out and returns 1; else returns 0. */
static __always_inline int src_rewrite_lookup(__be32 addr, __u32 sense, __be32 *out)
{
	struct src_rewrite_key k = { .prefixlen = 32, .addr = addr };
	struct src_rewrite_value *v = bpf_map_lookup_elem(&src_ip_rewrite, &k);

	if (!v || v->sense != sense)
		return 0;
	*out = v->new_net | (addr & v->host_mask);
	return 1;
}

static __always_inline int is_tcp_syn(const struct pkt_desc *p)
{
	return p->l4_kind == L4_TCP && (p->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN;
}

/* Chooses a backend for the client flow k of svc and records the session both ways.
 * Returns CONTINUE with *ct filled, or a DROP_* reason. */
static __always_inline int session_create(const struct pkt_desc *p, const struct service_value *svc,
					  const struct flow_key *k, struct conntrack_value *ct)
{
	struct reverse_nat_value rv = {};
	struct backend_value be;
	struct flow_key rk;
	__u32 backend_id;
	int rc = select_backend(svc, k, &backend_id, &be);

	if (rc != CONTINUE)
		return rc;
	__builtin_memset(ct, 0, sizeof(*ct));
	ct->backend_ip = be.ip;
	ct->backend_port = p->l4_kind == L4_ICMP_ECHO_REQ ? 0 : be.port;
	ct->backend_id = backend_id;
	ct->service_id = svc->service_id;
	ct->nat_saddr = p->saddr;
	if (src_rewrite_lookup(p->saddr, FROM_FRONTEND, &ct->nat_saddr))
		ct->flags |= F_CT_SRC_REWRITTEN;

	/* The reply arrives as backend:bport → nat_saddr:sport (echo: sport 0 → dport id). */
	__builtin_memset(&rk, 0, sizeof(rk));
	rk.saddr = ct->backend_ip;
	rk.daddr = ct->nat_saddr;
	rk.sport = ct->backend_port;
	rk.dport = k->sport;
	rk.proto = p->proto;
	rv.vip = p->daddr;
	rv.vport = p->dport;
	rv.client_ip = p->saddr;
	rv.service_id = ct->service_id;
	rv.backend_id = backend_id;
	if (bpf_map_update_elem(&conntrack, k, ct, BPF_ANY) || bpf_map_update_elem(&reverse_nat, &rk, &rv, BPF_ANY))
		return DROP_SESSION_CREATE;
	return CONTINUE;
}

/* The session of a client packet to svc: the existing one (always, except a TCP SYN whose
 * backend is no longer usable, which re-selects), or a new one (*is_new = 1). */
static __always_inline int session_for_client(const struct pkt_desc *p, const struct service_value *svc,
					      struct conntrack_value *ct, __u32 *is_new)
{
	struct flow_key k;
	struct conntrack_value *hit;

	flow_of(p, &k);
#if LBRP_BENCH_NEW_FLOWS
	{
		__u32 seq = lbrp_bench_flow_seq++;

		k.sport = (__be16)seq;
		k.saddr ^= bpf_htonl(seq >> 16);
	}
#endif
	hit = bpf_map_lookup_elem(&conntrack, &k);
	if (hit && !(is_tcp_syn(p) && !backend_still_usable(hit))) {
		*ct = *hit;
		*is_new = 0;
		return CONTINUE;
	}
	*is_new = 1;
	return session_create(p, svc, &k, ct);
}

/* The reverse-NAT entry of a backend's reply (copied to *rv); returns 1 on a hit. */
static __always_inline int session_for_reply(const struct pkt_desc *p, struct reverse_nat_value *rv)
{
	struct flow_key k;
	struct reverse_nat_value *hit;

	if (p->l4_kind != L4_TCP && p->l4_kind != L4_UDP && p->l4_kind != L4_ICMP_ECHO_REPLY)
		return 0;
	flow_of(p, &k);
	hit = bpf_map_lookup_elem(&reverse_nat, &k);
	if (!hit)
		return 0;
	*rv = *hit;
	return 1;
}

#endif /* LBRP_SESSION_H */
