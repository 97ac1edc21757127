/* routed.h — ROUTED port mode (-DROUTED_MODE=1): the cube's ports are the host's own interfaces
 * (FRONTEND only). A DNATed client packet leaves through the interface and next hop the host's
 * routes choose (bpf_fib_lookup), straight from TC ingress; whatever the FIB cannot finish here
 * (no neighbour entry yet is finished by bpf_redirect_neigh; a local destination, a packet above
 * the route's MTU, forwarding disabled, TTL ending) goes up the stack already DNATed. TC only:
 * XDP has no egress hook for the replies' reverse NAT (lbrp.c handle_tx).
 */
#ifndef LBRP_ROUTED_H
#define LBRP_ROUTED_H

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include "../runtime/pcn.h"
#include "lbrp_consts.h"

#if ROUTED_MODE && PCN_XDP
#error "ROUTED_MODE needs the TC hook (the replies are reverse-NATed at TC egress)"
#endif

#ifndef AF_INET
#define AF_INET 2
#endif

#if ROUTED_MODE
/* ip_decrease_ttl: a forwarded packet loses one hop; the checksum is patched for the TTL byte
 * (RFC 1624), so a CHECKSUM_COMPLETE sum over the header stays right. */
static __always_inline void routed_ttl_dec(struct iphdr *ip)
{
	__u32 check = (__u32)ip->check + (__u32)bpf_htons(0x0100);

	ip->check = (__sum16)(check + (check >= 0xffff));
	ip->ttl -= 1;
}

/* Sends the (already DNATed) IPv4 frame where the host's routes say: RX_REDIRECTED after
 * bpf_redirect (FIB found the neighbour) or bpf_redirect_neigh (the kernel resolves it and
 * queues the frame meanwhile), else RX_OK (the stack routes it). */
static __always_inline int routed_forward(struct __sk_buff *ctx, struct pkt_metadata *md)
{
	struct bpf_fib_lookup f = {};
	struct bpf_redir_neigh nh = {};
	void *data = ctx_data(ctx), *end = ctx_data_end(ctx);
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	long rc;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ttl <= 1)
		return RX_OK;
	f.family = AF_INET;
	f.tos = ip->tos;
	f.l4_protocol = ip->protocol;
	/* The MTU check: a GSO packet (a TCP sender's super-packet, segmented on the way out) is
	 * checked by the kernel per segment when tot_len is 0; any other by its own length. */
	f.tot_len = ctx->gso_size ? 0 : bpf_ntohs(ip->tot_len);
	f.ipv4_src = ip->saddr;
	f.ipv4_dst = ip->daddr;
	f.ifindex = ctx->ingress_ifindex;
	rc = bpf_fib_lookup(ctx, &f, sizeof(f), 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS && rc != BPF_FIB_LKUP_RET_NO_NEIGH)
		return RX_OK;
	/* The helper call invalidated the packet pointers. */
	data = ctx_data(ctx);
	end = ctx_data_end(ctx);
	eth = data;
	ip = data + sizeof(*eth);
	if ((void *)(ip + 1) > end)
		return RX_OK;
	routed_ttl_dec(ip);
	md->reason = (__u16)f.ifindex;
	if (rc == BPF_FIB_LKUP_RET_SUCCESS) {
		__builtin_memcpy(eth->h_dest, f.dmac, ETH_ALEN);
		__builtin_memcpy(eth->h_source, f.smac, ETH_ALEN);
		return bpf_redirect(f.ifindex, 0) == TC_ACT_REDIRECT ? RX_REDIRECTED : RX_DROP;
	}
	/* No valid neighbour yet: f.ipv4_dst is the next hop (the gateway, or the destination on a
	 * direct route); the neighbour layer resolves it and holds the frame until it is. */
	nh.nh_family = AF_INET;
	nh.ipv4_nh = f.ipv4_dst;
	return bpf_redirect_neigh(f.ifindex, &nh, sizeof(nh), 0) == TC_ACT_REDIRECT ? RX_REDIRECTED : RX_DROP;
}
#endif

#endif /* LBRP_ROUTED_H */
