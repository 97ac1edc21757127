/* pcn_pktin.h — packet-in (slow path): pcn_pkt_controller[_with_metadata] copy the metadata and
 * up to PCN_PKTIN_MAX bytes of the frame into pcn_pktin_ring for the daemon (spec §1.4, §1.9).
 *
 * Return value, as Polycube: 0 (== RX_OK) when the record was queued, negative when not. So
 * `return pcn_pkt_controller(...)` in an ingress program also lets the frame continue up the
 * stack ("sends a copy"). The usual "punt and drop" is pcn_pkt_punt(), which always answers
 * RX_DROP — use that unless the frame really must also go to the stack.
 */
#ifndef PCN_PKTIN_H
#define PCN_PKTIN_H

#include <bpf/bpf_helpers.h>
#include "ctx.h"
#include "pcn_api.h"
#include "pcn_maps.h"

#ifndef ENOSPC
#define ENOSPC 28
#endif

#if PCN_TEST_TRACE
static __always_inline void __pcn_trace_pktin(__u16 reason)
{
	__u32 zero = 0;
	struct pcn_test_trace *t = bpf_map_lookup_elem(&pcn_test_trace, &zero);

	if (t) {
		t->pktin_reason = reason;
		t->pktin_count += 1;
	}
}
#else
static __always_inline void __pcn_trace_pktin(__u16 reason)
{
	(void)reason;
}
#endif

/* Queues md (with cube_id, packet_len and reason filled in) and the frame's first bytes. */
static __always_inline int pcn_pkt_controller(struct CTXTYPE *ctx, struct pkt_metadata *md, __u16 reason)
{
	struct pcn_pktin_record *r;
	__u32 len = ctx_len(ctx);

	md->cube_id = CUBE_ID;
	md->packet_len = len;
	md->reason = reason;
	__pcn_trace_pktin(reason);
	if (len > PCN_PKTIN_MAX)
		len = PCN_PKTIN_MAX;
	/* Identity for 1..PCN_PKTIN_MAX; written so the verifier sees the copy size in [1, MAX] on the
	 * very register passed to the helper, whatever copies clang makes of len. */
	len = ((len - 1) & (PCN_PKTIN_MAX - 1)) + 1;
	r = bpf_ringbuf_reserve(&pcn_pktin_ring, sizeof(*r), 0);
	if (!r)
		goto lost;
	__builtin_memcpy(&r->md, md, sizeof(*md));
	r->captured_len = len;
	if (ctx_load_bytes(ctx, 0, r->data, len) < 0) {
		bpf_ringbuf_discard(r, 0);
		goto lost;
	}
	bpf_ringbuf_submit(r, 0);
	return 0;
lost:
	pcn_count(PCN_STAT_PKTIN_LOST);
	return -ENOSPC;
}

/* Same, with three extra words for the controller in md->md[]. */
static __always_inline int pcn_pkt_controller_with_metadata(struct CTXTYPE *ctx, struct pkt_metadata *md,
							    __u16 reason, __u32 metadata[3])
{
	md->md[0] = metadata[0];
	md->md[1] = metadata[1];
	md->md[2] = metadata[2];
	return pcn_pkt_controller(ctx, md, reason);
}

/* Punt and drop: queues the frame for the controller and always returns RX_DROP. */
static __always_inline int pcn_pkt_punt(struct CTXTYPE *ctx, struct pkt_metadata *md, __u16 reason)
{
	pcn_pkt_controller(ctx, md, reason);
	return RX_DROP;
}

#endif /* PCN_PKTIN_H */
