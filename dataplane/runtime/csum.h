/* csum.h — checksum helpers with Polycube's names and meaning (spec §1.4), one API for both hooks.
 * TC calls the kernel helpers, which also keep skb->csum (CHECKSUM_COMPLETE) and offloaded
 * CHECKSUM_PARTIAL checksums right when BPF_F_PSEUDO_HDR marks pseudo-header fields.
 * XDP has no such helpers: it applies RFC 1624 incremental updates (HC' = ~(~HC + ~m + m')) itself.
 * Values are raw header words as loaded from the packet (network order); the arithmetic is
 * byte-order independent as long as old and new are read the same way.
 */
#ifndef PCN_CSUM_H
#define PCN_CSUM_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ctx.h"

#ifndef EINVAL
#define EINVAL 22
#endif
#ifndef EFAULT
#define EFAULT 14
#endif

/* Largest checksum offset the XDP versions accept: an XDP frame fits in one 4 KiB page, and a
 * small bound lets the verifier check the pointer arithmetic. */
#define PCN_XDP_MAX_OFF 4094

/* What a checksum holding zero becomes when it must be written as zero-but-valid (UDP). */
#define PCN_CSUM_MANGLED_0 ((__u16)0xffff)

/* One's complement sum of two 32-bit partial sums (end-around carry). */
static __always_inline __u32 pcn_csum_add(__u32 a, __u32 b)
{
	a += b;
	return a + (a < b);
}

/* Partial sum that turns a checksum over `from` into one over `to` (32-bit field). */
static __always_inline __u32 pcn_csum_diff4(__u32 from, __u32 to)
{
	return pcn_csum_add(~from, to);
}

/* Same for a 16-bit field (the upper 16 bits of ~from are ones, i.e. negative zero). */
static __always_inline __u32 pcn_csum_diff2(__u16 from, __u16 to)
{
	return pcn_csum_add(~(__u32)from, (__u32)to);
}

/* Folds a 32-bit partial sum to 16 bits (not complemented). */
static __always_inline __u16 pcn_csum_fold16(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

/* RFC 1624 eqn. 3: the checksum field after adding `diff` to the covered data. */
static __always_inline __u16 pcn_csum_apply(__u16 check, __u32 diff)
{
	return (__u16)~pcn_csum_fold16(pcn_csum_add(diff, (__u32)(__u16)~check));
}

/* Turns (from, to, size flags) into a diff; returns -EINVAL for a bad size (kernel semantics:
 * size 0 means `to` already is a diff and `from` must be 0). */
static __always_inline long __pcn_csum_flags_diff(__u64 from, __u64 to, __u64 flags, __u32 *diff)
{
	switch (flags & BPF_F_HDR_FIELD_MASK) {
	case 0:
		if (from != 0)
			return -EINVAL;
		*diff = (__u32)to;
		return 0;
	case 2:
		*diff = pcn_csum_diff2((__u16)from, (__u16)to);
		return 0;
	case 4:
		*diff = pcn_csum_diff4((__u32)from, (__u32)to);
		return 0;
	default:
		return -EINVAL;
	}
}

/* Updates the 16-bit checksum at byte offset off for a field change from → to
 * (flags: size 0/2/4). Returns 0, -EINVAL or -EFAULT. TC: may invalidate packet pointers. */
static __always_inline long pcn_l3_csum_replace(struct CTXTYPE *ctx, __u32 off, __u64 from, __u64 to, __u64 flags)
{
#if PCN_XDP
	void *data = ctx_data(ctx), *end = ctx_data_end(ctx);
	__u16 *p;
	__u32 diff;
	long err = __pcn_csum_flags_diff(from, to, flags, &diff);

	if (err)
		return err;
	if (off > PCN_XDP_MAX_OFF)
		return -EFAULT;
	p = data + off;
	if ((void *)(p + 1) > end)
		return -EFAULT;
	*p = pcn_csum_apply(*p, diff);
	return 0;
#else
	return bpf_l3_csum_replace(ctx, off, from, to, flags);
#endif
}

/* Like pcn_l3_csum_replace for an L4 checksum. BPF_F_PSEUDO_HDR: the field is part of the
 * pseudo-header (an IP address): required on TC for offloaded (partial) checksums, no-op on XDP.
 * BPF_F_MARK_MANGLED_0: a zero checksum means "none" and stays zero, and a result of zero is
 * written as 0xffff (UDP, RFC 768). */
static __always_inline long pcn_l4_csum_replace(struct CTXTYPE *ctx, __u32 off, __u64 from, __u64 to, __u64 flags)
{
#if PCN_XDP
	void *data = ctx_data(ctx), *end = ctx_data_end(ctx);
	__u16 *p, v;
	__u32 diff;
	long err = __pcn_csum_flags_diff(from, to, flags, &diff);

	if (err)
		return err;
	if (off > PCN_XDP_MAX_OFF)
		return -EFAULT;
	p = data + off;
	if ((void *)(p + 1) > end)
		return -EFAULT;
	if ((flags & BPF_F_MARK_MANGLED_0) && !(flags & BPF_F_MARK_ENFORCE) && *p == 0)
		return 0;
	v = pcn_csum_apply(*p, diff);
	if ((flags & BPF_F_MARK_MANGLED_0) && v == 0)
		v = PCN_CSUM_MANGLED_0;
	*p = v;
	return 0;
#else
	return bpf_l4_csum_replace(ctx, off, from, to, flags);
#endif
}

/* ---- L4 checksum of a NAT: pseudo-header fields and L4 header fields in one update ---------- */

/* TC: which skb->ip_summed (PCN_CHECKSUM_*) the L4 update below assumes. -1 (default) = read it
 * from the skb. Tests and the bench only: force CHECKSUM_COMPLETE (2) or UNNECESSARY (1) to check
 * and time those paths on test-run skbs, which are CHECKSUM_NONE. */
#ifndef PCN_TEST_IP_SUMMED
#define PCN_TEST_IP_SUMMED -1
#endif
/* TC: 1 = read skb->ip_summed through bpf_cast_to_kern_ctx (kernel >= 6.3 with BTF; on a kernel
 * without that kfunc the verifier drops the read and the helpers are used); 0 = never. */
#ifndef PCN_TC_CSUM_KERN_CTX
#define PCN_TC_CSUM_KERN_CTX 1
#endif

#define PCN_CHECKSUM_NONE 0
#define PCN_CHECKSUM_UNNECESSARY 1
#define PCN_CHECKSUM_COMPLETE 2
#define PCN_CHECKSUM_PARTIAL 3

/* One update of a checksum field by diff, exactly as pcn_l4_csum_replace(…, 0, diff, mm0 flag)
 * would do it: XDP's RFC 1624 arithmetic, or on TC the kernel helper's (inet_proto_csum_replace_by_diff
 * on a skb that is not CHECKSUM_PARTIAL, whose ~csum_unfold() sign-extends the old field), with
 * the BPF_F_MARK_MANGLED_0 rule (mm0: 0 stays 0, a 0 result becomes 0xffff). */
static __always_inline __u16 __pcn_csum_step(__u16 field, __u32 diff, int mm0)
{
	__u16 v;

	if (mm0 && field == 0)
		return 0;
#if PCN_XDP
	v = pcn_csum_apply(field, diff);
#else
	v = (__u16)~pcn_csum_fold16(pcn_csum_add(diff, ~(__u32)field));
#endif
	return mm0 && v == 0 ? PCN_CSUM_MANGLED_0 : v;
}

#if !PCN_XDP && PCN_TC_CSUM_KERN_CTX
#include <bpf/bpf_core_read.h>

/* The one sk_buff field read here; CO-RE finds it in the running kernel's layout. */
struct sk_buff___pcn {
	__u8 ip_summed : 2;
} __attribute__((preserve_access_index));

extern void *bpf_cast_to_kern_ctx(void *) __ksym __weak;
#endif

/* skb->ip_summed of a TC frame (PCN_CHECKSUM_*), or -1 when it cannot be read. */
static __always_inline int __pcn_ip_summed(struct CTXTYPE *ctx)
{
#if PCN_TEST_IP_SUMMED >= 0
	(void)ctx;
	return PCN_TEST_IP_SUMMED;
#elif !PCN_XDP && PCN_TC_CSUM_KERN_CTX
	struct sk_buff___pcn *skb;

	if (!bpf_cast_to_kern_ctx)
		return -1;
	skb = bpf_cast_to_kern_ctx(ctx);
	return (int)BPF_CORE_READ_BITFIELD(skb, ip_summed);
#else
	(void)ctx;
	return -1;
#endif
}

/* The L4 checksum at byte offset off after a NAT: pseudo_diff is the change of pseudo-header
 * fields (IP addresses), l4_diff the change of fields the L4 checksum covers directly (ports).
 * flags: 0 or BPF_F_MARK_MANGLED_0 (UDP). The result is that of
 *     pcn_l4_csum_replace(ctx, off, 0, pseudo_diff, BPF_F_PSEUDO_HDR | flags);
 *     pcn_l4_csum_replace(ctx, off, 0, l4_diff, flags);
 * bit for bit, skb->csum included, with fewer helper calls on TC (≈ 20 ns each), chosen by the
 * skb's ip_summed:
 *   NONE, UNNECESSARY  the field alone holds the checksum: both updates in software, no call;
 *   PARTIAL            the field holds the pseudo-header sum: one call for pseudo_diff; l4_diff
 *                      changes nothing (the device sums the L4 bytes later);
 *   COMPLETE           one call for pseudo_diff (it also fixes skb->csum); l4_diff in software
 *                      (the field and the fields it covers change together: skb->csum holds);
 *   unknown            both calls.
 * XDP: both updates in software, as pcn_l4_csum_replace. Returns 0, -EFAULT or a helper's error.
 * TC: invalidates packet pointers. */
static __always_inline long pcn_l4_csum_nat(struct CTXTYPE *ctx, __u32 off, __u32 pseudo_diff, __u32 l4_diff,
					    __u64 flags)
{
	int mm0 = (flags & BPF_F_MARK_MANGLED_0) != 0;
	__u16 *p;
#if PCN_XDP
	if (off > PCN_XDP_MAX_OFF)
		return -EFAULT;
	p = ctx_data(ctx) + off;
	if ((void *)(p + 1) > ctx_data_end(ctx))
		return -EFAULT;
	*p = __pcn_csum_step(__pcn_csum_step(*p, pseudo_diff, mm0), l4_diff, mm0);
	return 0;
#else
	int summed = __pcn_ip_summed(ctx);
	long err;

	if (summed == PCN_CHECKSUM_NONE || summed == PCN_CHECKSUM_UNNECESSARY) {
		p = ctx_data(ctx) + (off & 0xffff);
		if ((void *)(p + 1) > ctx_data_end(ctx))
			return -EFAULT;
		*p = __pcn_csum_step(__pcn_csum_step(*p, pseudo_diff, mm0), l4_diff, mm0);
		return 0;
	}
	err = bpf_l4_csum_replace(ctx, off, 0, pseudo_diff, BPF_F_PSEUDO_HDR | flags);
	if (err || summed == PCN_CHECKSUM_PARTIAL)
		return err;
	if (summed == PCN_CHECKSUM_COMPLETE) {
		p = ctx_data(ctx) + (off & 0xffff);
		if ((void *)(p + 1) > ctx_data_end(ctx))
			return -EFAULT;
		*p = __pcn_csum_step(*p, l4_diff, mm0);
		return 0;
	}
	return bpf_l4_csum_replace(ctx, off, 0, l4_diff, flags);
#endif
}

/* bpf_csum_diff on both hooks: the partial sum turning the words at from (from_size bytes) into
 * those at to (to_size bytes), added to seed. Sizes are multiples of 4. */
static __always_inline __s64 pcn_csum_diff(__be32 *from, __u32 from_size, __be32 *to, __u32 to_size, __wsum seed)
{
	return bpf_csum_diff(from, from_size, to, to_size, seed);
}

#endif /* PCN_CSUM_H */
