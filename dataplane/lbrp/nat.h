/* nat.h — rewrites of a parsed IPv4 packet: addresses and ports (lb4_rewrite) and the outer plus
 * quoted headers of an ICMP error (lb4_rewrite_icmp_error), with every checksum kept right:
 * IP header, TCP/UDP (pseudo-header flagged for offloaded checksums; a zero UDP checksum stays
 * zero) and ICMP. All packet writes come first: on TC the checksum helpers invalidate pointers.
 * IP header checksums are updated in software on both hooks (RFC 1624): they are never offloaded,
 * and a change that the checksum compensates leaves skb->csum (CHECKSUM_COMPLETE) valid, so the
 * helper call is not needed; L4 checksums go through pcn_l4_csum_nat / pcn_l4_csum_replace for
 * offload semantics (pcn_l4_csum_nat needs no helper call at all on CHECKSUM_NONE/UNNECESSARY
 * skbs and one on CHECKSUM_PARTIAL/COMPLETE ones).
 */
#ifndef LBRP_NAT_H
#define LBRP_NAT_H

#include "../runtime/pcn.h"
#include "lbrp_consts.h"
#include "parse.h"

/* The addresses and ports a packet should carry; fields equal to the packet's change nothing. */
struct nat4 {
	__be32 saddr;
	__be32 daddr;
	__be16 sport; /* TCP/UDP only: ICMP echo ids are never rewritten */
	__be16 dport;
};

static __always_inline int has_ports(const struct pkt_desc *p)
{
	return p->l4_kind == L4_TCP || p->l4_kind == L4_UDP;
}

/* Rewrites p's addresses (and TCP/UDP ports) to n. Returns CONTINUE or DROP_CSUM_FAILED. */
static __always_inline int lb4_rewrite(struct CTXTYPE *ctx, const struct pkt_desc *p, const struct nat4 *n)
{
	__u32 addr_diff = pcn_csum_add(pcn_csum_diff4(p->saddr, n->saddr), pcn_csum_diff4(p->daddr, n->daddr));
	__u32 port_diff = pcn_csum_add(pcn_csum_diff2(p->sport, n->sport), pcn_csum_diff2(p->dport, n->dport));
	__u64 mm0 = p->l4_kind == L4_UDP ? BPF_F_MARK_MANGLED_0 : 0;
	int ports = has_ports(p);

	p->ip->saddr = n->saddr;
	p->ip->daddr = n->daddr;
	p->ip->check = pcn_csum_apply(p->ip->check, addr_diff);
	if (ports) {
		*(__be16 *)p->l4 = n->sport;
		*(__be16 *)(p->l4 + 2) = n->dport;
	}
	if (!ports)
		return CONTINUE;
	if (pcn_l4_csum_nat(ctx, p->csum_off, addr_diff, port_diff, mm0))
		return DROP_CSUM_FAILED;
	return CONTINUE;
}

/* Rewrites the quoted header of an ICMP error to q and returns the change of the ICMP message's
 * one's-complement sum (quoted addresses, IP checksum, ports and L4 checksum). */
static __always_inline __u32 __rewrite_quoted(const struct pkt_desc *p, const struct nat4 *q)
{
	const struct inner_desc *in = &p->inner;
	__u32 addr_diff = pcn_csum_add(pcn_csum_diff4(in->saddr, q->saddr), pcn_csum_diff4(in->daddr, q->daddr));
	__u32 port_diff = 0;
	__u32 sum_diff = addr_diff;
	__u16 old, new;

	in->ip->saddr = q->saddr;
	in->ip->daddr = q->daddr;
	old = in->ip->check;
	new = pcn_csum_apply(old, addr_diff);
	in->ip->check = new;
	sum_diff = pcn_csum_add(sum_diff, pcn_csum_diff2(old, new));
	if (in->proto == IPPROTO_ICMP)
		return sum_diff;
	port_diff = pcn_csum_add(pcn_csum_diff2(in->sport, q->sport), pcn_csum_diff2(in->dport, q->dport));
	*(__be16 *)in->l4 = q->sport;
	*(__be16 *)(in->l4 + 2) = q->dport;
	sum_diff = pcn_csum_add(sum_diff, port_diff);
	if (!in->has_csum)
		return sum_diff;
	old = *in->csum;
	if (in->proto == IPPROTO_UDP && old == 0)
		return sum_diff;
	new = pcn_csum_apply(old, pcn_csum_add(addr_diff, port_diff));
	if (in->proto == IPPROTO_UDP && new == 0)
		new = PCN_CSUM_MANGLED_0;
	*in->csum = new;
	return pcn_csum_add(sum_diff, pcn_csum_diff2(old, new));
}

/* Rewrites an ICMP error: outer addresses to outer, quoted header to quoted. Returns CONTINUE or
 * DROP_CSUM_FAILED. */
static __always_inline int lb4_rewrite_icmp_error(struct CTXTYPE *ctx, const struct pkt_desc *p,
						  const struct nat4 *outer, const struct nat4 *quoted)
{
	__u32 addr_diff = pcn_csum_add(pcn_csum_diff4(p->saddr, outer->saddr), pcn_csum_diff4(p->daddr, outer->daddr));
	__u32 icmp_diff = __rewrite_quoted(p, quoted);

	p->ip->saddr = outer->saddr;
	p->ip->daddr = outer->daddr;
	p->ip->check = pcn_csum_apply(p->ip->check, addr_diff);
	if (pcn_l4_csum_replace(ctx, p->csum_off, 0, icmp_diff, 0))
		return DROP_CSUM_FAILED;
	return CONTINUE;
}

#endif /* LBRP_NAT_H */
