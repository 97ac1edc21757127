/* parse.h — Ethernet / ARP / IPv4 / TCP / UDP / ICMP (and the header an ICMP error quotes) →
 * struct pkt_desc. The only place that checks packet bounds: later stages use the pointers and
 * offsets recorded here. Non-first fragments are never read as L4; IP options are skipped.
 */
#ifndef LBRP_PARSE_H
#define LBRP_PARSE_H

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include "../runtime/pcn.h"
#include "lbrp_consts.h"

/* Bytes made linear before parsing: Ethernet + two maximal IPv4 headers + two L4 headers,
 * enough for an ICMP error quoting a packet with options. */
#define PARSE_LINEAR_BYTES 176

#define ICMP_ECHO_REPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_ECHO_REQUEST 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAM_PROBLEM 12

#define IP_MF 0x2000
#define IP_OFFSET_MASK 0x1fff
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_ACK 0x10

enum pkt_kind {
	PKT_OTHER = 0, /* not IPv4, not ARP (IPv6, VLAN-tagged, …) */
	PKT_ARP = 1,
	PKT_IPV4 = 2,
};

enum l4_kind {
	L4_NONE = 0,        /* other IP protocol, or a non-first fragment: no ports */
	L4_TCP = 1,         /* ports, flags and checksum readable */
	L4_UDP = 2,         /* ports and checksum readable */
	L4_ICMP_ECHO_REQ = 3,
	L4_ICMP_ECHO_REPLY = 4,
	L4_ICMP_ERROR = 5,  /* unreachable / time exceeded / parameter problem quoting a parsable header */
	L4_ICMP_OTHER = 6,
	L4_ICMP_ERROR_FRAG = 7, /* an ICMP error as above quoting a non-first fragment: inner addresses only */
};

/* ARP for Ethernet/IPv4 (RFC 826), as on the wire. */
struct arp_eth {
	__be16 htype;
	__be16 ptype;
	__u8 hlen;
	__u8 plen;
	__be16 op;
	__u8 sha[6];
	__be32 spa;
	__u8 tha[6];
	__be32 tpa;
} __attribute__((packed));

#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

/* The header quoted by an ICMP error (valid when l4_kind == L4_ICMP_ERROR). */
struct inner_desc {
	struct iphdr *ip;  /* quoted IPv4 header (checked: full IHL readable) */
	__u8 *l4;          /* quoted L4 header, at least 8 bytes readable */
	__u16 *csum;       /* quoted L4 checksum (2 bytes readable); meaningful only if has_csum */
	__u8 has_csum;     /* 1 = the quoted L4 checksum is in the frame (a TCP quote may stop at 8 bytes) */
	__u8 proto;        /* IPPROTO_TCP, IPPROTO_UDP or IPPROTO_ICMP (echo only) */
	__be32 saddr, daddr;
	__be16 sport, dport; /* ICMP echo: as in struct flow_key */
};

struct pkt_desc {
	/* The two discriminants that say which pointers below are valid are 64-bit so the verifier
	 * tracks their values exactly when they are spilled to the stack. */
	__u64 kind;      /* enum pkt_kind */
	__u64 l4_kind;   /* enum l4_kind */
	__u8 proto;      /* IPv4 protocol */
	__u8 tcp_flags;  /* L4_TCP only */
	__u8 later_frag; /* 1 = non-first fragment */
	__u8 first_frag; /* 1 = first of several fragments (MF set, offset 0) */
	__u16 l3_off;    /* frame offset of the IPv4 (or ARP) header */
	__u16 l4_off;    /* frame offset of the L4 header */
	__u16 csum_off;  /* frame offset of the L4 checksum (TCP/UDP/ICMP); 0 = none */
	__be16 ip_id;    /* the IP identification field: a datagram's fragments share it */
	__be32 saddr, daddr;
	__be16 sport, dport; /* TCP/UDP ports; ICMP echo: as in struct flow_key; else 0 */
	struct iphdr *ip;    /* readable: full IHL */
	__u8 *l4;            /* readable: 20 bytes TCP, 8 bytes UDP/ICMP */
	struct arp_eth *arp; /* PKT_ARP only */
	struct inner_desc inner;
};

/* Parses the header quoted by an ICMP error starting at `q`. Returns 1 when it is a TCP, UDP or
 * ICMP echo header we can match to a session, 2 when it is a non-first fragment (inner addresses
 * and proto filled, no ports), else 0. */
static __always_inline int parse_icmp_inner(struct pkt_desc *p, __u8 *q, void *end, __u32 quote_len)
{
	struct iphdr *iip = (struct iphdr *)q;
	__u8 *il4;
	__u32 ihl;

	if ((void *)(iip + 1) > end)
		return 0;
	if ((*(__u8 *)iip >> 4) != 4)
		return 0;
	ihl = (*(__u8 *)iip & 0xf) * 4;
	/* The quote must hold the quoted header and 8 bytes within the outer IP length too: bytes
	 * past it are Ethernet padding, not quoted data. */
	if (ihl < sizeof(struct iphdr) || quote_len < ihl + 8)
		return 0;
	if (iip->frag_off & bpf_htons(IP_OFFSET_MASK)) {
		p->inner.ip = iip;
		p->inner.proto = iip->protocol;
		p->inner.saddr = iip->saddr;
		p->inner.daddr = iip->daddr;
		return 2;
	}
	il4 = q + ihl;
	if ((void *)(il4 + 8) > end)
		return 0;
	p->inner.ip = iip;
	p->inner.l4 = il4;
	p->inner.proto = iip->protocol;
	p->inner.saddr = iip->saddr;
	p->inner.daddr = iip->daddr;
	/* Points at 2 readable bytes on every path; has_csum says whether they are the checksum. */
	p->inner.csum = (__u16 *)(il4 + 6);
	switch (iip->protocol) {
	case IPPROTO_TCP:
		p->inner.sport = *(__be16 *)il4;
		p->inner.dport = *(__be16 *)(il4 + 2);
		if ((void *)(il4 + 18) <= end && quote_len >= ihl + 18) {
			p->inner.csum = (__u16 *)(il4 + 16);
			p->inner.has_csum = 1;
		}
		return 1;
	case IPPROTO_UDP:
		p->inner.sport = *(__be16 *)il4;
		p->inner.dport = *(__be16 *)(il4 + 2);
		p->inner.has_csum = 1;
		return 1;
	case IPPROTO_ICMP:
		/* An echo's checksum covers no addresses and the id is never rewritten: untouched. */
		if (il4[0] == ICMP_ECHO_REQUEST) {
			p->inner.sport = *(__be16 *)(il4 + 4);
			return 1;
		}
		if (il4[0] == ICMP_ECHO_REPLY) {
			p->inner.dport = *(__be16 *)(il4 + 4);
			return 1;
		}
		return 0;
	default:
		return 0;
	}
}

/* Parses the L4 header of a first fragment or unfragmented packet; l4_len = bytes of IP
 * payload by the IP total length. Returns CONTINUE or DROP_L4_TRUNCATED. */
static __always_inline int parse_l4(struct pkt_desc *p, __u8 *l4, void *end, __u32 l4_len)
{
	p->l4 = l4;
	switch (p->proto) {
	case IPPROTO_TCP:
		if ((void *)(l4 + 20) > end || l4_len < 20)
			return DROP_L4_TRUNCATED;
		p->l4_kind = L4_TCP;
		p->sport = *(__be16 *)l4;
		p->dport = *(__be16 *)(l4 + 2);
		p->tcp_flags = l4[13];
		p->csum_off = p->l4_off + 16;
		return CONTINUE;
	case IPPROTO_UDP:
		if ((void *)(l4 + 8) > end || l4_len < 8)
			return DROP_L4_TRUNCATED;
		p->l4_kind = L4_UDP;
		p->sport = *(__be16 *)l4;
		p->dport = *(__be16 *)(l4 + 2);
		p->csum_off = p->l4_off + 6;
		return CONTINUE;
	case IPPROTO_ICMP:
		if ((void *)(l4 + 8) > end || l4_len < 8)
			return DROP_L4_TRUNCATED;
		p->csum_off = p->l4_off + 2;
		switch (l4[0]) {
		case ICMP_ECHO_REQUEST:
			p->l4_kind = L4_ICMP_ECHO_REQ;
			p->sport = *(__be16 *)(l4 + 4);
			break;
		case ICMP_ECHO_REPLY:
			p->l4_kind = L4_ICMP_ECHO_REPLY;
			p->dport = *(__be16 *)(l4 + 4);
			break;
		case ICMP_DEST_UNREACH:
		case ICMP_TIME_EXCEEDED:
		case ICMP_PARAM_PROBLEM:
			switch (parse_icmp_inner(p, l4 + 8, end, l4_len - 8)) {
			case 1:
				p->l4_kind = L4_ICMP_ERROR;
				break;
			case 2:
				p->l4_kind = L4_ICMP_ERROR_FRAG;
				break;
			default:
				p->l4_kind = L4_ICMP_OTHER;
			}
			break;
		default:
			p->l4_kind = L4_ICMP_OTHER;
		}
		return CONTINUE;
	default:
		return CONTINUE;
	}
}

/* Parses an IPv4 packet at l3. Headers must fit both in the frame and in the IP total length
 * (a frame may carry Ethernet padding past it). Returns CONTINUE or a DROP_* reason. */
static __always_inline int parse_ipv4(struct pkt_desc *p, __u8 *l3, void *end)
{
	struct iphdr *ip = (struct iphdr *)l3;
	__u32 ihl, tot_len;

	if ((void *)(ip + 1) > end)
		return DROP_BAD_IP_HEADER;
	if ((*(__u8 *)ip >> 4) != 4)
		return DROP_BAD_IP_HEADER;
	ihl = (*(__u8 *)ip & 0xf) * 4;
	if (ihl < sizeof(struct iphdr) || (void *)(l3 + ihl) > end)
		return DROP_BAD_IP_HEADER;
	tot_len = bpf_ntohs(ip->tot_len);
	if (tot_len < ihl)
		return DROP_BAD_IP_HEADER;
	p->kind = PKT_IPV4;
	p->ip = ip;
	p->proto = ip->protocol;
	p->saddr = ip->saddr;
	p->daddr = ip->daddr;
	p->l4_off = p->l3_off + ihl;
	p->ip_id = ip->id;
	if (ip->frag_off & bpf_htons(IP_OFFSET_MASK)) {
		p->later_frag = 1;
		return CONTINUE;
	}
	p->first_frag = !!(ip->frag_off & bpf_htons(IP_MF));
	return parse_l4(p, l3 + ihl, end, tot_len - ihl);
}

/* Parses an ARP packet at l3. Returns CONTINUE or DROP_BAD_ARP. */
static __always_inline int parse_arp(struct pkt_desc *p, __u8 *l3, void *end)
{
	struct arp_eth *arp = (struct arp_eth *)l3;

	if ((void *)(arp + 1) > end)
		return DROP_BAD_ARP;
	if (arp->htype != bpf_htons(1) || arp->ptype != bpf_htons(ETH_P_IP) || arp->hlen != 6 || arp->plen != 4)
		return DROP_BAD_ARP;
	p->kind = PKT_ARP;
	p->arp = arp;
	return CONTINUE;
}

/* TC: makes the headers parse_packet reads directly readable, pulling non-linear data only when
 * they are not: a TCP/UDP IPv4 frame needs Ethernet, its IP header (options included) and 20
 * bytes of L4 header; anything else (ICMP, with the header an error quotes; not IPv4; a linear
 * part too short to tell) gets PARSE_LINEAR_BYTES. Pulling is not free: bpf_skb_pull_data
 * reallocates the skb head and copies whenever the head has no room for the pulled bytes, which is
 * every TCP segment a local sender hands over (headers alone in the head), so pulling a fixed
 * PARSE_LINEAR_BYTES cost a head copy per data segment. XDP frames are linear: nothing to do. */
static __always_inline void parse_pull(struct CTXTYPE *ctx)
{
#if !PCN_XDP
	void *data = ctx_data(ctx), *end = ctx_data_end(ctx);
	struct ethhdr *eth = data;
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	__u32 need = PARSE_LINEAR_BYTES;

	if (ctx->len <= (__u32)(end - data))
		return; /* all linear */
	if ((void *)(ip + 1) <= end && eth->h_proto == bpf_htons(ETH_P_IP) &&
	    (ip->protocol == IPPROTO_TCP || ip->protocol == IPPROTO_UDP))
		need = sizeof(*eth) + ip->ihl * 4 + 20;
	ctx_pull(ctx, need);
#else
	(void)ctx;
#endif
}

/* Fills *p from the frame. Returns CONTINUE or a DROP_* reason. */
static __always_inline int parse_packet(struct CTXTYPE *ctx, struct pkt_desc *p)
{
	struct ethhdr *eth;
	void *end;

	parse_pull(ctx);
	eth = ctx_data(ctx);
	end = ctx_data_end(ctx);
	if ((void *)(eth + 1) > end)
		return DROP_L2_TRUNCATED;
	p->l3_off = sizeof(*eth);
	switch (eth->h_proto) {
	case bpf_htons(ETH_P_IP):
		return parse_ipv4(p, (__u8 *)(eth + 1), end);
	case bpf_htons(ETH_P_ARP):
		return parse_arp(p, (__u8 *)(eth + 1), end);
	default:
		p->kind = PKT_OTHER;
		return CONTINUE;
	}
}

#endif /* LBRP_PARSE_H */
