/* floor.c — the dataplane bench's floor: the least a program can do for a frame, parse Ethernet
 * and IPv4 (bounds and IHL checked) and redirect. FLOOR_RUNTIME=1 runs it through the pcn runtime
 * (ifindex → port and port → ifindex lookups) like lbrp; 0 redirects to a fixed ifindex.
 */
#ifndef FLOOR_RUNTIME
#define FLOOR_RUNTIME 1
#endif

#if FLOOR_RUNTIME
#include "../../dataplane/runtime/pcn.h"
#else
#include "../../dataplane/runtime/ctx.h"
char _license[] SEC("license") = "Dual BSD/GPL";
#endif
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#ifndef FLOOR_IFINDEX
#define FLOOR_IFINDEX 1
#endif

/* Returns 0 when the frame is Ethernet + a complete IPv4 header, -1 otherwise. */
static __always_inline int floor_parse(struct CTXTYPE *ctx)
{
	void *data = ctx_data(ctx), *end = ctx_data_end(ctx);
	struct ethhdr *eth = data;
	struct iphdr *ip = (struct iphdr *)(eth + 1);

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return -1;
	if ((void *)ip + ip->ihl * 4 > end)
		return -1;
	return 0;
}

#if FLOOR_RUNTIME
static __always_inline int handle_rx(struct CTXTYPE *ctx, struct pkt_metadata *md)
{
	if (floor_parse(ctx) < 0)
		return RX_DROP;
	return pcn_pkt_redirect(ctx, md, 1);
}
#else
#if PCN_XDP
SEC("xdp")
int floor_raw_xdp(struct xdp_md *ctx)
#else
SEC("tc")
int floor_raw_tc(struct __sk_buff *ctx)
#endif
{
	if (floor_parse(ctx) < 0)
		return CTX_ACT_DROP;
	return bpf_redirect(FLOOR_IFINDEX, 0);
}
#endif
