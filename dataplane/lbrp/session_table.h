/* session_table.h — the session table: one array map of buckets, each SESSION_WAYS entries, that
 * holds both kinds of session entry: SESSION_FORWARD (conntrack: client → VIP as received, → the
 * backend) and SESSION_REVERSE (reverse NAT: backend → client's NATed address as the reply
 * arrives, → VIP and client). A bucket is chosen by a keyed hash of the client's side of the flow
 * only (address, port or echo id, protocol, and the cube's secret): the forward key's source, the
 * reverse key's destination. So a session's two entries share a bucket (unless src-ip-rewrite
 * changed the client's address), and creating a session costs one random memory access however
 * many entries it writes; a lookup costs one too, however full the table is. (Kernel hash maps
 * touch a bucket head, a chain of elements and, for LRU, their lists: three or four cold lines per
 * entry, which made a new flow cost 13-34x the floor program in bench:dataplane.)
 *
 * An entry has expired when its idle time exceeds the timeout of its protocol and state
 * (session_config.timeout[], 0 = never): a lookup misses it, and an insert may take its way.
 * Without a free way, an insert takes, in this order: the oldest expired entry, the least
 * recently used unestablished one (CT_NEW, CT_CLOSING, CT_CLOSED), the least recently used
 * established one whose backend still takes new sessions; an established session of a drained or
 * removed backend is never evicted while it has not expired, and when nothing else is left the
 * new entry is not stored (EV_TABLE_FULL). Each case is counted in session_events.
 *
 * Concurrency: entries are written without locks. An insert writes the value and the time before
 * the key (x86 keeps stores in order; the compiler barrier keeps clang from reordering them), so a
 * reader that matches the new key reads the new value. Two CPUs inserting into the same full
 * bucket at the same instant may pick the same victim: one entry is then lost, and its flow's
 * next packet is handled as a new flow. State flags are written the same way (a lost update is
 * redone by the session's next packet of that kind).
 */
#ifndef LBRP_SESSION_TABLE_H
#define LBRP_SESSION_TABLE_H

#include "../runtime/pcn.h"
#include "lbrp_consts.h"
#include "lbrp_structs.h"
#include "lbrp_maps.h"
#include "select.h"

#define SESSION_BUCKETS (MAX_SESSIONS / SESSION_WAYS)
/* Seed of the bucket hash (mirrored in src/lbrp/dataplane/session-table.ts); another constant
 * than FLOW_HASH_SEED, so a flow's bucket and its Maglev slot are not correlated even unkeyed. */
#define SESSION_HASH_SEED 0x85ebca6bu
_Static_assert(SESSION_BUCKETS > 0 && (SESSION_BUCKETS & (SESSION_BUCKETS - 1)) == 0,
	       "MAX_SESSIONS / SESSION_WAYS must be a power of two");

/* u32 bucket index → session_bucket. Datapath writes a session's entries when it creates it and
 * reads per packet of a session; control plane reads (session counts) and clears. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SESSION_BUCKETS);
	__type(key, __u32);
	__type(value, struct session_bucket);
} sessions SEC(".maps");

/* The table's clock: units of 256 jiffies (0.26 s at HZ=1000, 1 s at HZ=250). Jiffies, because
 * the verifier inlines bpf_jiffies64 into one load, where bpf_ktime_get_coarse_ns is a helper
 * call that cost 13 ns per packet (bench:dataplane, established flow). */
static __always_inline __u32 session_now(void)
{
	return (__u32)(bpf_jiffies64() >> 8);
}

/* The cube's session_config (secret, timeouts, admission rate): read once per packet. */
static __always_inline const struct session_config *session_config_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&session_config, &zero);
}

/* The bucket index of an entry's key: a hash of its client side (see the header) keyed with the
 * cube's secret. The secret makes the bucket of a client address and port unknowable without it,
 * so an attacker who knows this code cannot pick flows that share a victim's bucket offline
 * (about 8 would evict it). flow_mix is a fast avalanche, not a cryptographic PRF: the key has
 * 96 effective bits (s2 and s3 meet in one word), and an attacker who can observe evictions of
 * chosen flows may still learn bucket collisions by probing; the eviction order above is what
 * protects established sessions then. An all-zero secret gives the unkeyed hash. */
static __always_inline __u32 session_bucket_index(const struct flow_key *k, const struct session_config *cfg)
{
	int rev = k->kind == SESSION_REVERSE;
	__u32 addr = rev ? k->daddr : k->saddr;
	__u32 port = rev ? k->dport : k->sport;

	return flow_mix(addr + cfg->secret[0], (port | ((__u32)k->proto << 16)) + cfg->secret[1],
			(SESSION_HASH_SEED ^ cfg->secret[2]) + cfg->secret[3]) &
	       (SESSION_BUCKETS - 1);
}

/* The bucket of key k (its kind set), or NULL (never, for an index below SESSION_BUCKETS). */
static __always_inline struct session_bucket *session_bucket_of(const struct flow_key *k,
								const struct session_config *cfg)
{
	__u32 idx = session_bucket_index(k, cfg);

	return bpf_map_lookup_elem(&sessions, &idx);
}

static __always_inline int session_key_eq(const struct flow_key *a, const struct flow_key *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

	return x[0] == y[0] && x[1] == y[1];
}

/* The entry of key k in bucket b, or NULL. A free way has proto 0, which no key has. */
static __always_inline struct session_entry *session_find(struct session_bucket *b, const struct flow_key *k)
{
#pragma unroll
	for (int i = 0; i < SESSION_WAYS; i++)
		if (session_key_eq(&b->way[i].key, k))
			return &b->way[i];
	return NULL;
}

/* conntrack_value.flags and reverse_nat_value.flags share an offset, so an entry's flags are read
 * and written through ct whatever its kind. */
_Static_assert(__builtin_offsetof(struct conntrack_value, flags) == __builtin_offsetof(struct reverse_nat_value, flags),
	       "flags at one offset in both session values");

static __always_inline __u32 ct_state_of(__u16 flags)
{
	return (flags & CT_STATE_MASK) >> CT_STATE_SHIFT;
}

/* The idle timeout of an entry of protocol proto with these flags (session clock units, 0 = never). */
static __always_inline __u32 session_timeout(const struct session_config *cfg, __u8 proto, __u16 flags)
{
	__u32 st = ct_state_of(flags);

	if (proto == IPPROTO_TCP)
		return st == CT_NEW ? cfg->timeout[TIMEOUT_TCP_NEW] :
		       st == CT_ESTABLISHED ? cfg->timeout[TIMEOUT_TCP_ESTABLISHED] : cfg->timeout[TIMEOUT_TCP_CLOSING];
	return proto == IPPROTO_UDP ? cfg->timeout[TIMEOUT_UDP] : cfg->timeout[TIMEOUT_ICMP];
}

/* True when entry e (in use) has been idle longer than its timeout at time now. */
static __always_inline int session_expired(const struct session_entry *e, const struct session_config *cfg, __u32 now)
{
	__u32 age = now - e->last_seen, t;

	if (!age) /* used this clock unit: the common case of a busy flow, decided without the timeout */
		return 0;
	t = session_timeout(cfg, e->key.proto, e->ct.flags);
	return t != 0 && age > t;
}

/* Counts one session_events slot (EV_*) on this CPU. */
static __always_inline void session_event(__u32 ev)
{
	__u64 *n = bpf_map_lookup_elem(&session_events, &ev);

	if (n)
		*n += 1;
}

/* Marks entry e used at time now (one write per entry and clock unit, not per packet). */
static __always_inline void session_touch(struct session_entry *e, __u32 now)
{
	if (e->last_seen != now)
		e->last_seen = now;
}

/* The live (unexpired) entry of key k (its kind set), its last_seen refreshed; or NULL. */
static __always_inline struct session_entry *session_lookup(const struct flow_key *k, const struct session_config *cfg)
{
	struct session_bucket *b = session_bucket_of(k, cfg);
	struct session_entry *e;
	__u32 now;

	if (!b)
		return NULL;
	e = session_find(b, k);
	if (!e)
		return NULL;
	now = session_now();
	if (session_expired(e, cfg, now))
		return NULL;
	session_touch(e, now);
	return e;
}

/* True when backend id still takes new sessions: an established session through it may be
 * evicted (its flow would come back to the same backend, or a new one if the table changed). */
static __always_inline int session_backend_active(__u32 id)
{
	struct backend_value *b = bpf_map_lookup_elem(&backends, &id);

	return b && (b->flags & F_BACKEND_ACTIVE);
}

/* The shortest nonzero timeout (0xffffffff when none): only an entry idle longer can have expired,
 * so the insert scan skips the per-entry timeout of the others (most ways of a busy table). */
static __always_inline __u32 session_min_timeout(const struct session_config *cfg)
{
	__u32 m = 0xffffffffu;

#pragma unroll
	for (int i = 0; i < TIMEOUT_MAX; i++) {
		__u32 t = cfg->timeout[i];

		if (t && t < m)
			m = t;
	}
	return m;
}

/* The way of bucket b an insert of a new key takes (the header's order; the event it counts in
 * *ev, or EV_MAX for a free way), or -1 when every way is an unexpired established session of a
 * drained backend. Ties go to the lowest way. */
static __always_inline int session_victim(struct session_bucket *b, const struct session_config *cfg, __u32 now,
					  __u32 *ev)
{
	/* cls: the best class found so far, as its EV_* slot (EXPIRED < UNESTABLISHED < ESTABLISHED). */
	__u32 best_age = 0, cls = EV_MAX + 1, tmin = session_min_timeout(cfg);
	int victim = -1;

#pragma unroll
	for (int i = 0; i < SESSION_WAYS; i++) {
		struct session_entry *w = &b->way[i];
		__u32 age = now - w->last_seen, c;

		if (!w->key.proto) {
			*ev = EV_MAX;
			return i;
		}
		if (age > tmin && session_expired(w, cfg, now))
			c = EV_EVICT_EXPIRED;
		else if (ct_state_of(w->ct.flags) != CT_ESTABLISHED)
			c = EV_EVICT_UNESTABLISHED;
		else
			c = EV_EVICT_ESTABLISHED;
		if (c < cls || (c == cls && age > best_age)) {
			cls = c;
			best_age = age;
			victim = i;
		}
	}
	*ev = cls;
	if (cls != EV_EVICT_ESTABLISHED)
		return victim;
	/* All established and unexpired: the least recently used one whose backend is active. */
	victim = -1;
	best_age = 0;
#pragma unroll
	for (int i = 0; i < SESSION_WAYS; i++) {
		struct session_entry *w = &b->way[i];
		__u32 age = now - w->last_seen + 1; /* +1: an entry seen this clock unit still counts */
		__u32 id = w->key.kind == SESSION_REVERSE ? w->rn.backend_id : w->ct.backend_id;

		if (age > best_age && session_backend_active(id)) {
			best_age = age;
			victim = i;
		}
	}
	return victim;
}

/* Stores key k (its kind set) with the value of *v (ct or rn, by kind) in bucket b: in k's own
 * entry e (session_find's answer, NULL = none), else in the way session_victim names. Returns 0,
 * or 1 when nothing could be taken (EV_TABLE_FULL: the caller forwards without an entry). */
static __always_inline int session_store(struct session_bucket *b, const struct flow_key *k, struct session_entry *e,
					 const struct session_entry *v, const struct session_config *cfg)
{
	__u32 now = session_now(), ev;

	if (!e) {
		int victim = session_victim(b, cfg, now, &ev);

		if (victim < 0) {
			session_event(EV_TABLE_FULL);
			return 1;
		}
		if (ev != EV_MAX)
			session_event(ev);
		e = &b->way[victim % SESSION_WAYS];
	}
	e->ct = v->ct; /* the union's whole 20 bytes */
	e->last_seen = now;
	asm volatile("" ::: "memory");
	e->key = *k;
	return 0;
}

/* session_store into k's own bucket. Returns 0, 1 (not stored: table full), or -1 if the bucket
 * cannot be found. */
static __always_inline int session_insert(const struct flow_key *k, const struct session_entry *v,
					  const struct session_config *cfg)
{
	struct session_bucket *b = session_bucket_of(k, cfg);

	if (!b)
		return -1;
	return session_store(b, k, session_find(b, k), v, cfg);
}

#endif /* LBRP_SESSION_TABLE_H */
