/* frag.h — IPv4 fragments. A later fragment has no ports, so it cannot find its session; it is
 * translated as its datagram's first fragment was instead: that one records the addresses it was
 * given in frag_track, keyed by {saddr, daddr, IP id, proto, side} as it arrived (Cilium tracks
 * fragments by IP id the same way), and each later fragment looks them up. Without an entry, a
 * later fragment to a VIP or from a backend address is dropped: never delivered half-translated.
 * ICMP errors quoting a later fragment (no ports either) are dropped when translated traffic is
 * quoted.
 */
#ifndef LBRP_FRAG_H
#define LBRP_FRAG_H

#include "../runtime/pcn.h"
#include "lbrp_consts.h"
#include "lbrp_structs.h"
#include "lbrp_maps.h"
#include "parse.h"
#include "ports.h"
#include "stats.h"

/* frag_value ids of a datagram counted in no service or backend (untranslated traffic). */
#define FRAG_NO_ID 0xffffffffu

static __always_inline void frag_key_of(const struct pkt_desc *p, __u8 dir, struct frag_key *k)
{
	k->saddr = p->saddr;
	k->daddr = p->daddr;
	k->id = p->ip_id;
	k->proto = p->proto;
	k->dir = dir;
}

static __always_inline int is_backend_ip(__be32 addr)
{
	return bpf_map_lookup_elem(&backend_ips, &addr) != NULL;
}

/* A first fragment arriving from side dir leaves with source saddr and destination daddr
 * (counted in service_id / backend_id, or FRAG_NO_ID): its later fragments will too. Nothing for
 * an unfragmented packet. A full map forgets its least recently used datagram. */
static __always_inline void frag_record(const struct pkt_desc *p, __u8 dir, __be32 saddr, __be32 daddr,
					__u32 service_id, __u32 backend_id)
{
	struct frag_value v;
	struct frag_key k;

	if (__builtin_expect(!p->first_frag, 1))
		return;
	v.saddr = saddr;
	v.daddr = daddr;
	v.service_id = service_id;
	v.backend_id = backend_id;
	frag_key_of(p, dir, &k);
	bpf_map_update_elem(&frag_track, &k, &v, BPF_ANY);
}

/* A first fragment from the backend side that no session translated (daddr: where it goes, after
 * the src-ip-rewrite mapping back): recorded only when its source is a backend's, since later
 * fragments of other sources need no entry (they are handled like the first: as they arrive). */
static __always_inline void frag_record_untranslated(const struct pkt_desc *p, __be32 daddr)
{
	if (p->first_frag && is_backend_ip(p->saddr))
		frag_record(p, FRAG_FROM_BACKEND, p->saddr, daddr, FRAG_NO_ID, FRAG_NO_ID);
}

static __always_inline void frag_count_translated(void)
{
	__u32 slot = EV_FRAG_TRANSLATED;
	__u64 *n = bpf_map_lookup_elem(&session_events, &slot);

	if (n)
		*n += 1;
}

/* A later fragment from side dir whose first fragment was recorded: rewrites its addresses as
 * recorded (IP checksum only: the L4 checksum is in the first fragment, which its translation
 * fixed), counts it, copies the entry to *v and returns 1. Returns 0 without an entry. */
static __always_inline int frag_translate(struct pkt_metadata *md, const struct pkt_desc *p, __u8 dir,
					  struct frag_value *v)
{
	struct frag_value *hit;
	struct frag_key k;
	__u32 diff;

	frag_key_of(p, dir, &k);
	hit = bpf_map_lookup_elem(&frag_track, &k);
	if (!hit)
		return 0;
	*v = *hit;
	diff = pcn_csum_add(pcn_csum_diff4(p->saddr, v->saddr), pcn_csum_diff4(p->daddr, v->daddr));
	p->ip->saddr = v->saddr;
	p->ip->daddr = v->daddr;
	p->ip->check = pcn_csum_apply(p->ip->check, diff);
	account(&service_stats, v->service_id, md->packet_len, 0);
	account(&backend_stats, v->backend_id, md->packet_len, 0);
	frag_count_translated();
	return 1;
}

/* A later fragment from a client: as its first fragment went (to the backend side), or, to a VIP
 * without an entry, dropped (DROP_FRAGMENT); others go to the backend side unchanged. */
static __always_inline int fragment_from_client(struct CTXTYPE *ctx, struct pkt_metadata *md, const struct pkt_desc *p)
{
	struct frag_value v;

	if (!p->later_frag)
		return CONTINUE;
	if (frag_translate(md, p, FRAG_FROM_CLIENT, &v))
		return to_backend(ctx, md);
	if (bpf_map_lookup_elem(&vips, &p->daddr))
		return DROP_FRAGMENT;
	return to_backend_untranslated(ctx, md);
}

/* A later fragment from the backend side: as its first fragment went (to the client side), or,
 * from a backend address without an entry, dropped (DROP_FRAGMENT_UNTRACKED). Others CONTINUE
 * as untranslated traffic. */
static __always_inline int fragment_from_backend(struct CTXTYPE *ctx, struct pkt_metadata *md, const struct pkt_desc *p)
{
	struct frag_value v;

	if (__builtin_expect(!p->later_frag, 1))
		return CONTINUE;
	if (frag_translate(md, p, FRAG_FROM_BACKEND, &v))
		return to_frontend(ctx, md, v.daddr);
	if (is_backend_ip(p->saddr))
		return DROP_FRAGMENT_UNTRACKED;
	return CONTINUE;
}

/* An ICMP error quoting a later fragment cannot be matched to a session (no ports). From the
 * backend side, one quoting a backend address is dropped (it would carry that address to the
 * client); from a client, one quoting a VIP source (a translated reply) is dropped (the backend
 * never sent that packet). Others CONTINUE, untranslated like any traffic without a session. */
static __always_inline int icmp_error_quoting_fragment(const struct pkt_desc *p, int from_backend)
{
	if (__builtin_expect(p->l4_kind != L4_ICMP_ERROR_FRAG, 1))
		return CONTINUE;
	if (from_backend) {
		if (is_backend_ip(p->inner.daddr) || is_backend_ip(p->inner.saddr))
			return DROP_ICMP_QUOTES_FRAGMENT;
	} else if (bpf_map_lookup_elem(&vips, &p->inner.saddr)) {
		return DROP_ICMP_QUOTES_FRAGMENT;
	}
	return CONTINUE;
}

#endif /* LBRP_FRAG_H */
