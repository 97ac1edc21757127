/* pcn.h — the Polycube helper API over TC and XDP (one API, spec §1): include it, then define
 *     static __always_inline int handle_rx(struct CTXTYPE *ctx, struct pkt_metadata *md);
 * The runtime's entry point (pcn_entry_tc, or pcn_entry_xdp with -DPCN_XDP=1) maps the ingress
 * ifindex to md->in_port through pcn_ifindex_array (or pcn_ifindex_to_port), calls handle_rx, and turns its RX_* verdict
 * into the hook's: RX_OK → pass, RX_DROP → drop, RX_REDIRECT → bpf_redirect to the netdev peered
 * with the port (pcn_port_to_ifindex; 0 = not connected → drop, counted); anything else → drop.
 */
#ifndef PCN_H
#define PCN_H

#include <linux/bpf.h>
#include <linux/if_packet.h>
#include <bpf/bpf_helpers.h>
#include "ctx.h"

/* 1 = the cube also defines handle_tx, run by pcn_entry_tc_egress at TC egress (TC only). */
#ifndef PCN_TC_EGRESS
#define PCN_TC_EGRESS 0
#endif
#include "pcn_api.h"
#include "pcn_maps.h"
#include "pcn_log.h"
#include "pcn_pktin.h"
#include "csum.h"

/* Ask the runtime to send the frame out of port `out_port` (Polycube TC parks it in md->reason).
 * Always returns RX_REDIRECT; an unconnected or invalid port makes the runtime drop and count. */
static __always_inline int pcn_pkt_redirect(struct CTXTYPE *ctx, struct pkt_metadata *md, __u32 out_port)
{
	(void)ctx;
	md->reason = (__u16)(out_port > 0xffff ? 0xffff : out_port);
	return RX_REDIRECT;
}

/* Drop the frame (defined for TC and XDP alike). */
static __always_inline int pcn_pkt_drop(struct CTXTYPE *ctx, struct pkt_metadata *md)
{
	(void)ctx;
	(void)md;
	return RX_DROP;
}

/* The cube's packet handler, defined after this header by the cube code. */
static __always_inline int handle_rx(struct CTXTYPE *ctx, struct pkt_metadata *md);

/* Records the verdict for tests (-DPCN_TEST_TRACE=1); compiles to nothing otherwise. */
static __always_inline void __pcn_trace_verdict(int rc, __u32 out_port, __u32 out_ifindex)
{
#if PCN_TEST_TRACE
	__u32 zero = 0;
	struct pcn_test_trace *t = bpf_map_lookup_elem(&pcn_test_trace, &zero);

	if (!t)
		return;
	t->seq += 1;
	t->rx_code = (__u32)rc;
	t->out_port = out_port;
	t->out_ifindex = out_ifindex;
	if (out_port < PCN_TRACE_PORTS)
		t->redirects[out_port] += 1;
#else
	(void)rc;
	(void)out_port;
	(void)out_ifindex;
#endif
}

#if !PCN_XDP
/* True when the frame may skip the veth of `port` and enter its peer directly: the port is marked
 * in pcn_port_peer and the frame is addressed to the peer's MAC. It then gets what the veth's own
 * crossing into another namespace would give it: pkt_type PACKET_HOST (the MAC is the peer's, so
 * eth_type_trans would say so; newer kernels also set it) and no mark (skb_scrub_packet, xnet).
 * Other frames (another MAC, broadcast, multicast) take the plain redirect and are judged by the
 * peer as usual. */
static __always_inline int __pcn_peer_shortcut(struct __sk_buff *ctx, __u32 port)
{
	struct pcn_port_peer *peer = bpf_map_lookup_elem(&pcn_port_peer, &port);
	__u8 *d = ctx_data(ctx);

	if (!peer || !peer->on || (void *)(d + 6) > ctx_data_end(ctx))
		return 0;
	if (*(__u32 *)d != *(__u32 *)peer->mac || *(__u16 *)(d + 4) != *(__u16 *)(peer->mac + 4))
		return 0;
	if (ctx->pkt_type != PACKET_HOST)
		bpf_skb_change_type(ctx, PACKET_HOST);
	ctx->mark = 0;
	return 1;
}
#endif

/* Sends the frame to the netdev peered with port; drops (counted) when there is none. On TC a
 * frame for a veth peer in another namespace goes straight into the peer (bpf_redirect_peer):
 * no transmit on the veth, no second trip through a backlog queue. */
static __always_inline int __pcn_forward(struct CTXTYPE *ctx, __u32 port)
{
	__u32 *ifindex = bpf_map_lookup_elem(&pcn_port_to_ifindex, &port);
	__u32 target = ifindex ? *ifindex : 0;

	__pcn_trace_verdict(RX_REDIRECT, port, target);
	if (!target) {
		pcn_count(PCN_STAT_NOT_CONNECTED);
		return CTX_ACT_DROP;
	}
#if PCN_XDP
	(void)ctx;
#else
	/* As Polycube's forward() for a netdev peer: cb[0] = out port id << 16 | ifindex. */
	ctx->cb[0] = (port << 16) | (target & 0xffff);
	if (__pcn_peer_shortcut(ctx, port))
		return bpf_redirect_peer(target, 0);
#endif
	return bpf_redirect(target, 0);
}

/* Turns handle_rx's RX_* code into the hook's verdict. */
static __always_inline int __pcn_finish(struct CTXTYPE *ctx, struct pkt_metadata *md, int rc)
{
	switch (rc) {
	case RX_REDIRECT:
		return __pcn_forward(ctx, md->reason);
	case RX_OK:
		__pcn_trace_verdict(rc, 0xffffffff, 0);
		return CTX_ACT_OK;
#if !PCN_XDP
	case RX_REDIRECTED:
		__pcn_trace_verdict(rc, 0xffffffff, md->reason);
		return TC_ACT_REDIRECT;
#endif
	case RX_DROP:
		__pcn_trace_verdict(rc, 0xffffffff, 0);
		return CTX_ACT_DROP;
	default:
		__pcn_trace_verdict(rc, 0xffffffff, 0);
		pcn_count(PCN_STAT_BAD_VERDICT);
		return CTX_ACT_DROP;
	}
}

/* Fills md for a frame that arrived on a known port; returns 0, or -1 for an unknown ifindex.
 * pcn_ifindex_array first (inlined array read), pcn_ifindex_to_port when it has no slot. */
static __always_inline int __pcn_init_md_at(struct CTXTYPE *ctx, struct pkt_metadata *md, __u32 ifindex)
{
	__u16 *slot = bpf_map_lookup_elem(&pcn_ifindex_array, &ifindex);
	__u16 *port;

	if (slot && *slot) {
		md->in_port = *slot - 1;
	} else {
		port = bpf_map_lookup_elem(&pcn_ifindex_to_port, &ifindex);
		if (!port)
			return -1;
		md->in_port = *port;
	}
	md->cube_id = CUBE_ID;
	md->packet_len = ctx_len(ctx);
	return 0;
}

/* The same for the netdev the frame arrived on. */
static __always_inline int __pcn_init_md(struct CTXTYPE *ctx, struct pkt_metadata *md)
{
	return __pcn_init_md_at(ctx, md, ctx_ingress_ifindex(ctx));
}

#if PCN_XDP
SEC("xdp")
int pcn_entry_xdp(struct xdp_md *ctx)
{
	struct pkt_metadata md = {};

	if (__pcn_init_md(ctx, &md) < 0) {
		__pcn_trace_verdict(RX_DROP, 0xffffffff, 0);
		pcn_count(PCN_STAT_UNKNOWN_IFINDEX);
		return XDP_DROP;
	}
	return __pcn_finish(ctx, &md, handle_rx(ctx, &md));
}
#else
SEC("tc")
int pcn_entry_tc(struct __sk_buff *ctx)
{
	struct pkt_metadata md = {};
	int rc;

	if (__pcn_init_md(ctx, &md) < 0) {
		__pcn_trace_verdict(RX_DROP, 0xffffffff, 0);
		pcn_count(PCN_STAT_UNKNOWN_IFINDEX);
		return TC_ACT_SHOT;
	}
	md.traffic_class = ctx->mark;
	rc = handle_rx(ctx, &md);
	if (md.traffic_class != ctx->mark)
		ctx->mark = md.traffic_class;
	return __pcn_finish(ctx, &md, rc);
}

#if PCN_TC_EGRESS
/* The cube's handler of frames leaving a port's netdev (TC egress), defined by the cube code
 * when it sets PCN_TC_EGRESS before including this header. */
static __always_inline int handle_tx(struct CTXTYPE *ctx, struct pkt_metadata *md);

/* TC egress entry point: md->in_port is the port of the netdev the frame leaves by
 * (skb->ifindex). A netdev the daemon has not mapped (yet) lets the frame go: this hook carries
 * the host's own traffic, which must never be lost to a transient state. */
SEC("tc")
int pcn_entry_tc_egress(struct __sk_buff *ctx)
{
	struct pkt_metadata md = {};
	int rc;

	if (__pcn_init_md_at(ctx, &md, ctx->ifindex) < 0) {
		__pcn_trace_verdict(RX_OK, 0xffffffff, 0);
		pcn_count(PCN_STAT_UNKNOWN_IFINDEX);
		return TC_ACT_OK;
	}
	md.traffic_class = ctx->mark;
	rc = handle_tx(ctx, &md);
	if (md.traffic_class != ctx->mark)
		ctx->mark = md.traffic_class;
	return __pcn_finish(ctx, &md, rc);
}
#endif
#endif

/* The BPF parts are dual-licensed so the kernel treats them as GPL-compatible (as Cilium does). */
char _license[] SEC("license") = "Dual BSD/GPL";

#endif /* PCN_H */
