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

/* bpf_csum_diff on both hooks: the partial sum turning the words at from (from_size bytes) into
 * those at to (to_size bytes), added to seed. Sizes are multiples of 4. */
static __always_inline __s64 pcn_csum_diff(__be32 *from, __u32 from_size, __be32 *to, __u32 to_size, __wsum seed)
{
	return bpf_csum_diff(from, from_size, to, to_size, seed);
}

#endif /* PCN_CSUM_H */
