/* session_state.h — a session's state: what a packet tells its session (ct_event), the flags
 * that follow (ct_next_flags: TCP handshake and teardown, UDP/ICMP answered), and applying an
 * event to an entry and, on a transition, to its session's other entry (session_advance).
 */
#ifndef LBRP_SESSION_STATE_H
#define LBRP_SESSION_STATE_H

#include "../runtime/pcn.h"
#include "lbrp_consts.h"
#include "lbrp_structs.h"
#include "parse.h"
#include "session_table.h"

#ifndef TCP_FLAG_FIN
#define TCP_FLAG_FIN 0x01
#endif
#ifndef TCP_FLAG_RST
#define TCP_FLAG_RST 0x04
#endif
/* Not a flag of an entry: ct_event's mark of a TCP RST (above the 16 flag bits). */
#define CT_EV_RST 0x10000
static __always_inline int is_tcp_syn(const struct pkt_desc *p)
{
	return p->l4_kind == L4_TCP && (p->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN;
}

/* What a packet of a session tells about it: F_CT_* history bits to add, or CT_EV_RST. */
static __always_inline __u32 ct_event(const struct pkt_desc *p, int from_backend)
{
	__u8 f = p->tcp_flags;

	if (p->l4_kind != L4_TCP)
		return from_backend ? F_CT_SEEN_BACKEND : 0;
	if (f & TCP_FLAG_RST)
		return CT_EV_RST;
	if (from_backend)
		return F_CT_SEEN_BACKEND | (f & TCP_FLAG_FIN ? F_CT_FIN_BACKEND : 0);
	return ((f & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_ACK ? F_CT_SEEN_CLIENT_ACK : 0) |
	       (f & TCP_FLAG_FIN ? F_CT_FIN_CLIENT : 0);
}

/* An entry's flags after event ev: history bits added, state derived from them. TCP: a RST, or
 * FINs both ways, close (for good); one FIN is closing; the backend's answer and the client's ACK
 * establish. UDP and ICMP: established once the backend answered. */
static __always_inline __u16 ct_next_flags(__u16 f, __u32 ev, __u8 proto)
{
	const __u16 fins = F_CT_FIN_CLIENT | F_CT_FIN_BACKEND;
	const __u16 both = F_CT_SEEN_CLIENT_ACK | F_CT_SEEN_BACKEND;
	__u16 st;

	f |= ev & (F_CT_SESSION_BITS & ~CT_STATE_MASK);
	if (proto != IPPROTO_TCP)
		st = f & F_CT_SEEN_BACKEND ? CT_ESTABLISHED : CT_NEW;
	else if ((ev & CT_EV_RST) || ct_state_of(f) == CT_CLOSED || (f & fins) == fins)
		st = CT_CLOSED;
	else if (f & fins)
		st = CT_CLOSING;
	else if ((f & both) == both)
		st = CT_ESTABLISHED;
	else
		st = CT_NEW;
	return (f & ~CT_STATE_MASK) | (st << CT_STATE_SHIFT);
}

/* The key of the other entry of e's session: a conntrack entry's reply tuple (reverse NAT key),
 * or a reverse NAT entry's client flow (conntrack key). */
static __always_inline void session_other_key(const struct session_entry *e, struct flow_key *o)
{
	__builtin_memset(o, 0, sizeof(*o));
	o->proto = e->key.proto;
	if (e->key.kind == SESSION_FORWARD) {
		o->saddr = e->ct.backend_ip;
		o->daddr = e->ct.nat_saddr;
		o->sport = e->ct.backend_port;
		o->dport = e->key.sport;
		o->kind = SESSION_REVERSE;
	} else {
		o->saddr = e->rn.client_ip;
		o->daddr = e->rn.vip;
		o->sport = e->key.dport;
		o->dport = e->rn.vport;
		o->kind = SESSION_FORWARD;
	}
}

/* True when o (found under session_other_key(e)) is e's session's other entry, not an entry of
 * another session that happens to share the key (a reply tuple two clients can have). */
static __always_inline int session_pair(const struct session_entry *e, const struct session_entry *o)
{
	if (e->key.kind == SESSION_FORWARD)
		return o->rn.client_ip == e->key.saddr && o->rn.vip == e->key.daddr && o->rn.vport == e->key.dport;
	return o->ct.backend_ip == e->key.saddr && o->ct.backend_port == e->key.sport &&
	       o->ct.nat_saddr == e->key.daddr;
}

/* Applies event ev to entry e and, when that changes its flags (a transition: rare, so the
 * second lookup stays off the per-packet path), to its session's other entry as well. */
static __always_inline void session_advance(struct session_entry *e, __u32 ev, const struct session_config *cfg)
{
	__u16 old = e->ct.flags, new;
	struct session_bucket *b;
	struct session_entry *o;
	struct flow_key ok;

	/* Nothing the entry has not seen (CT_EV_RST is never a flag): the per-packet case, one test. */
	if (!(ev & ~(__u32)old))
		return;
	new = ct_next_flags(old, ev, e->key.proto);
	if (new == old)
		return;
	e->ct.flags = new;
	session_other_key(e, &ok);
	b = session_bucket_of(&ok, cfg);
	if (!b)
		return;
	o = session_find(b, &ok);
	if (o && session_pair(e, o))
		o->ct.flags = ct_next_flags(o->ct.flags, ev, e->key.proto);
}

#endif /* LBRP_SESSION_STATE_H */
