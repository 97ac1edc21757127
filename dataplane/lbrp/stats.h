/* stats.h — counters: every drop goes through drop(ctx, DROP_*), which counts the reason;
 * account() adds a frame to a service's or backend's counters (per-CPU or shared: lbrp_consts.h).
 */
#ifndef LBRP_STATS_H
#define LBRP_STATS_H

#include "../runtime/pcn.h"
#include "lbrp_consts.h"
#include "lbrp_maps.h"

#if LOG_LEVEL <= LOG_DEBUG
/* One DEBUG line per drop, naming the reason (the format strings are constants, so each reason
 * has its own call; compiled in only at DEBUG and TRACE). */
#define DROP_LOG_CASE(name)                                                     \
	case DROP_##name:                                                       \
		pcn_log(ctx, LOG_DEBUG, "drop: " #name " (port %u)", in_port); \
		break
static __always_inline void drop_log(struct CTXTYPE *ctx, int reason, __u32 in_port)
{
	switch (reason) {
		DROP_LOG_CASE(UNKNOWN_PORT);
		DROP_LOG_CASE(NO_BACKEND_PORT);
		DROP_LOG_CASE(NO_FRONTEND_PORT);
		DROP_LOG_CASE(NO_FRONTEND_FOR_IP);
		DROP_LOG_CASE(L2_TRUNCATED);
		DROP_LOG_CASE(BAD_IP_HEADER);
		DROP_LOG_CASE(L4_TRUNCATED);
		DROP_LOG_CASE(FRAGMENT);
		DROP_LOG_CASE(NO_BACKEND);
		DROP_LOG_CASE(BACKEND_INACTIVE);
		DROP_LOG_CASE(SESSION_CREATE);
		DROP_LOG_CASE(BAD_ARP);
		DROP_LOG_CASE(ARP_REPLY_PUNTED);
		DROP_LOG_CASE(FLOOD_PUNTED);
		DROP_LOG_CASE(CSUM_FAILED);
		DROP_LOG_CASE(FRAGMENT_UNTRACKED);
		DROP_LOG_CASE(ICMP_QUOTES_FRAGMENT);
	default:
		pcn_log(ctx, LOG_DEBUG, "drop: reason %d (port %u)", reason, in_port);
	}
}
#endif

/* Counts reason (a DROP_* value) and answers RX_DROP. */
static __always_inline int drop(struct CTXTYPE *ctx, int reason)
{
	__u32 slot = (__u32)(-reason);
	__u64 *n = bpf_map_lookup_elem(&drop_stats, &slot);

	(void)ctx;
	if (n)
		*n += 1;
	return RX_DROP;
}

/* Adds one frame of len bytes (and new_session sessions) to counters[id] of map (service_stats
 * or backend_stats). */
static __always_inline void account(void *map, __u32 id, __u32 len, __u32 new_session)
{
	struct lbrp_counters *c = bpf_map_lookup_elem(map, &id);

	if (!c)
		return;
#if LBRP_PERCPU_STATS
	c->packets += 1;
	c->bytes += len;
	c->new_sessions += new_session;
#else
	/* One array shared by every CPU: atomic adds (BPF_ATOMIC, lock xadd on x86). */
	__sync_fetch_and_add(&c->packets, 1);
	__sync_fetch_and_add(&c->bytes, len);
	if (new_session)
		__sync_fetch_and_add(&c->new_sessions, new_session);
#endif
}

#endif /* LBRP_STATS_H */
