/* session.h — services and sessions: which service a client packet addresses, the session
 * (conntrack entry hit, or a new Maglev choice written as a conntrack entry and, unless its
 * backend is F_BACKEND_UNIQUE, a reverse NAT entry: session_table.h; new entries pass the per-CPU
 * admission limit first), the session's state (TCP handshake and teardown, UDP/ICMP answered),
 * the session of a backend's reply (through backend_to_vip and the conntrack entry, else the
 * reverse NAT entry, else stateless through backend_to_vip), and the src-ip-rewrite mapping.
 * A service with F_SERVICE_AFFINITY chooses a new session's backend through affinity.h.
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
#include "session_state.h"
#include "admission.h"
#include "affinity.h"

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

/* backend_id of a stateless reply: no backend id is known (account() ignores ids past the map). */
#define NO_BACKEND_ID 0xffffffffu

/* Chooses a backend for the client flow k of svc and records the session in bucket b (k's; e = k's
 * entry there, expired or closed, or NULL): its conntrack entry, and, unless the backend is
 * F_BACKEND_UNIQUE (its replies are resolved through backend_to_vip), the reverse NAT entry of
 * its replies. A key without an entry must first pass the admission limit; refused, or no way
 * free (table full), the flow is still forwarded to its Maglev choice, without an entry: its
 * next packet chooses again (the same backend while the table is unchanged). Returns CONTINUE
 * with *ct filled and *stored = 1 when the session was recorded, or a DROP_* reason. */
static __always_inline int session_create(const struct pkt_desc *p, const struct service_value *svc,
					  const struct flow_key *k, struct session_bucket *b,
					  struct session_entry *e, const struct session_config *cfg,
					  struct conntrack_value *ct, __u32 *stored)
{
	struct session_entry v;
	struct backend_value be = {}; /* initialised: clang may otherwise spill an unset register */
	struct flow_key rk;
	__u32 backend_id = 0;
	int rc = (svc->flags & F_SERVICE_AFFINITY) ? affinity_select(svc, k, &backend_id, &be) :
						       select_backend(svc, flow_hash(k), &backend_id, &be);

	*stored = 0;
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
	/* The first packet counts: a mid-flow ACK (a pickup) has the client's ACK seen. */
	ct->flags = ct_next_flags(ct->flags, ct_event(p, 0), p->proto);
	if (!e && !session_admit(cfg)) {
		session_event(EV_ADMISSION_REFUSED);
		return CONTINUE;
	}
	v.ct = *ct;
	if (session_store(b, k, e, &v, cfg))
		return CONTINUE;
	*stored = 1;
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
	v.rn.vip = k->daddr;
	v.rn.vport = p->dport;
	v.rn.flags = ct->flags & F_CT_SESSION_BITS;
	v.rn.client_ip = k->saddr;
	v.rn.service_id = ct->service_id;
	v.rn.backend_id = backend_id;
	/* Without src-ip-rewrite the reply's client side is the flow's: the same bucket, no second hash. */
	if (ct->nat_saddr != k->saddr)
		b = session_bucket_of(&rk, cfg);
	if (!b)
		return DROP_SESSION_CREATE;
	session_store(b, &rk, session_find(b, &rk), &v, cfg);
	return CONTINUE;
}

/* True when a client packet may use its session's entry e: unexpired, and not a TCP SYN that
 * opens a new connection — after a close (CT_CLOSING, CT_CLOSED) or when the session's backend is
 * no longer usable; such a SYN starts a new session in place (Maglev again). */
static __always_inline int session_usable_by(const struct pkt_desc *p, const struct session_entry *e,
					     const struct session_config *cfg, __u32 now)
{
	if (session_expired(e, cfg, now))
		return 0;
	if (!is_tcp_syn(p))
		return 1;
	return ct_state_of(e->ct.flags) < CT_CLOSING && backend_still_usable(&e->ct);
}

/* The session of a client packet to svc: the existing one (its state advanced by the packet), or
 * a new one (*is_new = 1 when recorded). */
static __always_inline int session_for_client(const struct pkt_desc *p, const struct service_value *svc,
					      const struct session_config *cfg, struct conntrack_value *ct,
					      __u32 *is_new)
{
	struct session_bucket *b;
	struct session_entry *e;
	struct flow_key k;
	__u32 now;

	flow_of(p, &k);
#if LBRP_BENCH_NEW_FLOWS
	{
		__u32 seq = lbrp_bench_flow_seq++;

		k.sport = (__be16)seq;
		k.saddr ^= bpf_htonl(seq >> 16);
	}
#endif
	b = session_bucket_of(&k, cfg);
	if (!b)
		return DROP_SESSION_CREATE;
	e = session_find(b, &k);
	now = session_now();
	if (e && session_usable_by(p, e, cfg, now)) {
		/* Once per clock unit (session_touch's own test): the client's affinity is refreshed too. */
		if (e->last_seen != now) {
			if (svc->flags & F_SERVICE_AFFINITY)
				affinity_touch(svc, &k, e->ct.backend_id, now);
			e->last_seen = now;
		}
		session_advance(e, ct_event(p, 0), cfg);
		*ct = e->ct;
		*is_new = 0;
		return CONTINUE;
	}
	return session_create(p, svc, &k, b, e, cfg, ct, is_new);
}

/* The session of reply tuple r if its client (before src-ip-rewrite) is `client` and it belongs to
 * service *bv: the conntrack entry of client:r.dport → vip:vport, accepted only when the reply is
 * exactly that session's (backend address and port are r's source, the client's NATed address is
 * r's destination). Fills *rv as the session's reverse NAT entry would read; returns the entry. */
static __always_inline struct session_entry *reply_in_conntrack(const struct flow_key *r,
								const struct backend_vip_value *bv, __be32 client,
								const struct session_config *cfg,
								struct reverse_nat_value *rv)
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
	e = session_lookup(&k, cfg);
	if (!e)
		return NULL;
	ct = &e->ct;
	if (ct->backend_ip != r->saddr || ct->backend_port != r->sport || ct->nat_saddr != r->daddr)
		return NULL;
	rv->vip = bv->vip;
	rv->vport = bv->vport;
	rv->flags = ct->flags & F_CT_SESSION_BITS;
	rv->client_ip = client;
	rv->service_id = ct->service_id;
	rv->backend_id = ct->backend_id;
	return e;
}

/* The session of reply tuple r (backend → client's NATed address, as the reply arrives), copied
 * to *rv as a reverse NAT value; returns its entry (conntrack or reverse NAT), or NULL. A backend
 * address in backend_to_vip names the service (copied to *bv; else *bv is zeroed), so the session
 * is looked up in conntrack: for the client that src-ip-rewrite maps the destination back to, else
 * for the destination itself (a client that was not rewritten). Anything else (no entry, or no
 * session matches r exactly) is looked up as a reverse NAT entry. */
static __always_inline struct session_entry *session_of_reply(const struct flow_key *r,
							      const struct session_config *cfg,
							      struct reverse_nat_value *rv,
							      struct backend_vip_value *bv)
{
	struct backend_vip_key bk = {};
	struct backend_vip_value *bvp;
	struct session_entry *hit;
	struct flow_key rk;
	__be32 client;

	bk.ip = r->saddr;
	bk.port = r->sport;
	bk.proto = r->proto;
	bvp = bpf_map_lookup_elem(&backend_to_vip, &bk);
	__builtin_memset(bv, 0, sizeof(*bv));
	if (bvp) {
		*bv = *bvp;
		if (src_rewrite_lookup(r->daddr, FROM_BACKEND, &client)) {
			hit = reply_in_conntrack(r, bv, client, cfg, rv);
			if (hit)
				return hit;
		}
		hit = reply_in_conntrack(r, bv, r->daddr, cfg, rv);
		if (hit)
			return hit;
	}
	rk = *r;
	rk.kind = SESSION_REVERSE;
	hit = session_lookup(&rk, cfg);
	if (!hit)
		return NULL;
	*rv = hit->rn;
	return hit;
}

/* A reply without a session from an address that serves one service (F_BACKEND_VIP_UNIQUE in its
 * backend_to_vip entry *bv): translated as that service's, to the destination mapped back through
 * src-ip-rewrite when it lies in the new range. This keeps flows without an entry (refused by
 * admission, table full, lost) working both ways. Fills *rv; returns 1, or 0 when not such a reply. */
static __always_inline int stateless_reply(const struct flow_key *r, const struct backend_vip_value *bv,
					   struct reverse_nat_value *rv)
{
	__be32 client = r->daddr;

	if (!(bv->flags & F_BACKEND_VIP_UNIQUE))
		return 0;
	src_rewrite_lookup(r->daddr, FROM_BACKEND, &client);
	rv->vip = bv->vip;
	rv->vport = bv->vport;
	rv->flags = 0;
	rv->client_ip = client;
	rv->service_id = bv->service_id;
	rv->backend_id = NO_BACKEND_ID;
	session_event(EV_STATELESS_REPLY);
	return 1;
}

/* The session of a backend's TCP, UDP or ICMP echo reply (copied to *rv, its state advanced by
 * the reply), or a stateless translation; returns 1 when *rv says how to translate. */
static __always_inline int session_for_reply(const struct pkt_desc *p, const struct session_config *cfg,
					     struct reverse_nat_value *rv)
{
	struct backend_vip_value bv;
	struct session_entry *e;
	struct flow_key r;

	if (p->l4_kind != L4_TCP && p->l4_kind != L4_UDP && p->l4_kind != L4_ICMP_ECHO_REPLY)
		return 0;
	flow_of(p, &r);
	e = session_of_reply(&r, cfg, rv, &bv);
	if (e) {
		session_advance(e, ct_event(p, 1), cfg);
		return 1;
	}
	return stateless_reply(&r, &bv, rv);
}

#endif /* LBRP_SESSION_H */
