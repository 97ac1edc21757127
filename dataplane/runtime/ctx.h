/* ctx.h — the one place that knows whether the program runs at TC (clsact, __sk_buff) or XDP
 * (xdp_md). Selected by -DPCN_XDP=1; everything above this header is written once for both hooks.
 * Provides CTXTYPE, packet bounds, length, ingress ifindex and the hook's verdict codes.
 */
#ifndef PCN_CTX_H
#define PCN_CTX_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#ifndef PCN_XDP
#define PCN_XDP 0
#endif

#if PCN_XDP
#define CTXTYPE xdp_md
#define CTX_ACT_OK XDP_PASS
#define CTX_ACT_DROP XDP_DROP
#else
#define CTXTYPE __sk_buff
#define CTX_ACT_OK TC_ACT_OK
#define CTX_ACT_DROP TC_ACT_SHOT
#endif

/* First byte of the frame (the Ethernet header). */
static __always_inline void *ctx_data(const struct CTXTYPE *ctx)
{
	return (void *)(long)ctx->data;
}

/* One past the last byte the program may read directly. */
static __always_inline void *ctx_data_end(const struct CTXTYPE *ctx)
{
	return (void *)(long)ctx->data_end;
}

/* Whole frame length in bytes (TC: skb->len, including non-linear parts; XDP: linear part). */
static __always_inline __u32 ctx_len(const struct CTXTYPE *ctx)
{
#if PCN_XDP
	void *data = ctx_data(ctx), *end = ctx_data_end(ctx);

	/* Keeps clang from doing this in 32-bit registers: a packet pointer spilled as 32 bits is
	 * rejected by the verifier ("invalid size of register spill"). */
	asm volatile("" : "+r"(data), "+r"(end));
	return (__u32)(end - data);
#else
	return ctx->len;
#endif
}

/* ifindex of the netdev the frame arrived on. */
static __always_inline __u32 ctx_ingress_ifindex(const struct CTXTYPE *ctx)
{
	return ctx->ingress_ifindex;
}

/* Copies len bytes at offset off into buf (works past the linear part on TC). */
static __always_inline long ctx_load_bytes(struct CTXTYPE *ctx, __u32 off, void *buf, __u32 len)
{
#if PCN_XDP
	return bpf_xdp_load_bytes(ctx, off, buf, len);
#else
	return bpf_skb_load_bytes(ctx, off, buf, len);
#endif
}

/* Makes sure the first `want` bytes (or the whole frame if shorter) are in the directly readable
 * part. TC: pulls non-linear data only when needed; XDP: frames are linear, nothing to do.
 * Invalidates packet pointers, so call it before taking any. */
static __always_inline void ctx_pull(struct CTXTYPE *ctx, __u32 want)
{
#if PCN_XDP
	(void)ctx;
	(void)want;
#else
	__u32 linear = (__u32)(ctx->data_end - ctx->data);

	if (linear < want && ctx->len > linear)
		bpf_skb_pull_data(ctx, ctx->len < want ? ctx->len : want);
#endif
}

#endif /* PCN_CTX_H */
