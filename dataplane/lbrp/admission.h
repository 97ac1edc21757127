/* admission.h — the per-CPU new-session rate limit: a token bucket in the `admission` map, refilled
 * from session_config's rate and burst with bpf_jiffies64(). A key without a session entry is
 * recorded only when it takes a token; the caller forwards a refused flow without an entry.
 */
#ifndef LBRP_ADMISSION_H
#define LBRP_ADMISSION_H

#include "../runtime/pcn.h"
#include "lbrp_consts.h"
#include "lbrp_structs.h"
#include "lbrp_maps.h"

/* One admission in the token bucket's units (tokens are x 65536, so rates below one per jiffy work). */
#define ADMIT_ONE 65536
/* Caps of the refill arithmetic: 2^25 sessions per jiffy (rate, burst), 2^20 jiffies (17 min at
 * HZ=1000: any longer pause refills a real bucket anyway). */
#define ADMIT_MAX_Q16 (1ULL << 41)
#define ADMIT_MAX_DELTA (1ULL << 20)

/* The per-CPU new-session token bucket: 1 = create the session (a token taken), 0 = refused.
 * Rate 0 = no limit. Tokens are x 65536 and refill by admit_per_jiffy_q16 per jiffy up to
 * admit_burst_q16 (so a burst below ADMIT_ONE admits nothing). */
static __always_inline int session_admit(const struct session_config *cfg)
{
	__u64 rate = cfg->admit_per_jiffy_q16, burst = cfg->admit_burst_q16, now, delta, tokens;
	struct admission_state *a;
	__u32 zero = 0;

	if (!rate)
		return 1;
	a = bpf_map_lookup_elem(&admission, &zero);
	if (!a)
		return 1;
	now = bpf_jiffies64();
	delta = now - a->last_jiffies;
	/* No u64 overflow without a division (a div per new flow is measurable): delta is capped at
	 * ADMIT_MAX_DELTA jiffies, rate and burst at ADMIT_MAX_Q16, far above any real setting, so
	 * tokens + delta * rate < 2^41 + 2^20 * 2^41 < 2^64. */
	if (rate > ADMIT_MAX_Q16)
		rate = ADMIT_MAX_Q16;
	if (burst > ADMIT_MAX_Q16)
		burst = ADMIT_MAX_Q16;
	if (delta > ADMIT_MAX_DELTA)
		delta = ADMIT_MAX_DELTA;
	tokens = a->tokens_q16;
	if (tokens > burst) /* the burst was lowered */
		tokens = burst;
	tokens += delta * rate;
	if (tokens > burst)
		tokens = burst;
	a->last_jiffies = now;
	if (tokens < ADMIT_ONE) {
		a->tokens_q16 = tokens;
		return 0;
	}
	a->tokens_q16 = tokens - ADMIT_ONE;
	return 1;
}

#endif /* LBRP_ADMISSION_H */
