/* session.h — services and sessions: which service a client packet addresses, the session
 * (conntrack entry hit, or a new Maglev choice written as a conntrack entry and, unless its
 * backend is F_BACKEND_UNIQUE, a reverse NAT entry: session_table.h), the session of a backend's
 * reply (through backend_to_vip and the conntrack entry, else the reverse NAT entry), and the
 * src-ip-rewrite address mapping.
 */
#ifndef LBRP_SESSION_H
#define LBRP_SESSION_H

#include "../runtime/pcn.h"
#include "lbrp_consts.h"
#include "lbrp_structs.h"
#include "lbrp_maps.h"
#include "parse.h"
#include "select.h"
#include "session_table.h"

/* Bench builds only: every run of a frame is a flow never seen before — its conntrack key takes
 * the source port and address bits from a counter, so each run misses, selects a backend and
 * inserts its session entries, evicting old ones when full. (The session, and so the translated
 * frame, uses the key's client address, as it always does: outside the bench the two are equal.)
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

/* Chooses a backend for the client flow k of svc and records the session: its conntrack entry,
 * and, unless the backend is F_BACKEND_UNIQUE (its replies are resolved through backend_to_vip),
 * the reverse NAT entry of its replies. Returns CONTINUE with *ct filled, or a DROP_* reason. */
static __always_inline int session_create(const struct pkt_desc *p, const struct service_value *svc,
					  const struct flow_key *k, struct conntrack_value *ct)
{
	struct session_entry e;
	struct backend_value be;
	struct flow_key rk;
	__u32 backend_id;
	int rc = select_backend(svc, flow_hash(k), &backend_id, &be);

	if (rc != CONTINUE)
		return rc;
	__builtin_memset(ct, 0, sizeof(*ct));
	ct->backend_ip = be.ip;
	ct->backend_port = p->l4_kind == L4_ICMP_ECHO_REQ ? 0 : be.port;
	ct->backend_id = backend_id;
	ct->service_id = svc->service_id;
	ct->nat_saddr = k->saddr;
	if (src_rewrite_lookup(k->saddr, FROM_FRONTEND, &ct->nat_saddr))
		ct->flags |= F_CT_SRC_REWRITTEN;
	e.ct = *ct;
	if (session_insert(k, &e))
		return DROP_SESSION_CREATE;
	if (be.flags & F_BACKEND_UNIQUE)
		return CONTINUE;

	/* The reply arrives as backend:bport → nat_saddr:sport (echo: sport 0 → dport id). */
	__builtin_memset(&rk, 0, sizeof(rk));
	rk.saddr = ct->backend_ip;
	rk.daddr = ct->nat_saddr;
	rk.sport = ct->backend_port;
	rk.dport = k->sport;
	rk.proto = p->proto;
	rk.kind = SESSION_REVERSE;
	e.rn.vip = k->daddr;
	e.rn.vport = p->dport;
	e.rn.flags = ct->flags & CT_STATE_MASK;
	e.rn.client_ip = k->saddr;
	e.rn.service_id = ct->service_id;
	e.rn.backend_id = backend_id;
	if (session_insert(&rk, &e))
		return DROP_SESSION_CREATE;
	return CONTINUE;
}

/* The session of a client packet to svc: the existing one (always, except a TCP SYN whose
 * backend is no longer usable, which re-selects), or a new one (*is_new = 1). */
static __always_inline int session_for_client(const struct pkt_desc *p, const struct service_value *svc,
					      struct conntrack_value *ct, __u32 *is_new)
{
	struct flow_key k;
	struct session_entry *hit;

	flow_of(p, &k);
#if LBRP_BENCH_NEW_FLOWS
	{
		__u32 seq = lbrp_bench_flow_seq++;

		k.sport = (__be16)seq;
		k.saddr ^= bpf_htonl(seq >> 16);
	}
#endif
	hit = session_lookup(&k);
	if (hit && !(is_tcp_syn(p) && !backend_still_usable(&hit->ct))) {
		*ct = hit->ct;
		*is_new = 0;
		return CONTINUE;
	}
	*is_new = 1;
	return session_create(p, svc, &k, ct);
}

/* The session of reply tuple r if its client (before src-ip-rewrite) is `client` and it belongs to
 * service *bv: the conntrack entry of client:r.dport → vip:vport, accepted only when the reply is
 * exactly that session's (backend address and port are r's source, the client's NATed address is
 * r's destination). Fills *rv as the session's reverse NAT entry would read; returns 1 on a hit. */
static __always_inline int reply_in_conntrack(const struct flow_key *r, const struct backend_vip_value *bv,
					      __be32 client, struct reverse_nat_value *rv)
{
	struct flow_key k;
	struct session_entry *e;
	struct conntrack_value *ct;

	__builtin_memset(&k, 0, sizeof(k));
	k.saddr = client;
	k.daddr = bv->vip;
	k.sport = r->dport;
	k.dport = bv->vport;
	k.proto = r->proto;
	e = session_lookup(&k);
	if (!e)
		return 0;
	ct = &e->ct;
	if (ct->backend_ip != r->saddr || ct->backend_port != r->sport || ct->nat_saddr != r->daddr)
		return 0;
	rv->vip = bv->vip;
	rv->vport = bv->vport;
	rv->flags = ct->flags & CT_STATE_MASK;
	rv->client_ip = client;
	rv->service_id = ct->service_id;
	rv->backend_id = ct->backend_id;
	return 1;
}

/* The session of reply tuple r (backend → client's NATed address, as the reply arrives), copied
 * to *rv as a reverse NAT value; returns 1 on a hit. A backend address in backend_to_vip names
 * the service, so the session is looked up in conntrack: for the client that src-ip-rewrite maps
 * the destination back to, else for the destination itself (a client that was not rewritten).
 * Anything else (no entry, or no session matches r exactly) is looked up as a reverse NAT entry. */
static __always_inline int session_of_reply(const struct flow_key *r, struct reverse_nat_value *rv)
{
	struct backend_vip_key bk = {};
	struct backend_vip_value *bvp, bv;
	struct session_entry *hit;
	struct flow_key rk;
	__be32 client;

	bk.ip = r->saddr;
	bk.port = r->sport;
	bk.proto = r->proto;
	bvp = bpf_map_lookup_elem(&backend_to_vip, &bk);
	if (bvp) {
		bv = *bvp;
		if (src_rewrite_lookup(r->daddr, FROM_BACKEND, &client) && reply_in_conntrack(r, &bv, client, rv))
			return 1;
		if (reply_in_conntrack(r, &bv, r->daddr, rv))
			return 1;
	}
	rk = *r;
	rk.kind = SESSION_REVERSE;
	hit = session_lookup(&rk);
	if (!hit)
		return 0;
	*rv = hit->rn;
	return 1;
}

/* The session of a backend's TCP, UDP or ICMP echo reply (copied to *rv); returns 1 on a hit. */
static __always_inline int session_for_reply(const struct pkt_desc *p, struct reverse_nat_value *rv)
{
	struct flow_key r;

	if (p->l4_kind != L4_TCP && p->l4_kind != L4_UDP && p->l4_kind != L4_ICMP_ECHO_REPLY)
		return 0;
	flow_of(p, &r);
	return session_of_reply(&r, rv);
}

#endif /* LBRP_SESSION_H */
