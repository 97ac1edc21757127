/* session_table.h — the session table: one array map of buckets, each SESSION_WAYS entries, that
 * holds both kinds of session entry: SESSION_FORWARD (conntrack: client → VIP as received, → the
 * backend) and SESSION_REVERSE (reverse NAT: backend → client's NATed address as the reply
 * arrives, → VIP and client). A bucket is chosen by the client's side of the flow only (address,
 * port or echo id, protocol): the forward key's source, the reverse key's destination. So a
 * session's two entries share a bucket (unless src-ip-rewrite changed the client's address), and
 * creating a session costs one random memory access however many entries it writes; a lookup
 * costs one too, however full the table is. (Kernel hash maps touch a bucket head, a chain of
 * elements and, for LRU, their lists: three or four cold lines per entry, which made a new flow
 * cost 13-34x the floor program in bench:dataplane.)
 *
 * A full bucket evicts its least recently used entry (last_seen, refreshed at most once per clock
 * unit by lookups). An evicted forward entry's flow picks its backend again from the Maglev table
 * at its next packet (the same backend while the table is unchanged).
 *
 * Concurrency: entries are written without locks. An insert writes the value and the time before
 * the key (x86 keeps stores in order; the compiler barrier keeps clang from reordering them), so a
 * reader that matches the new key reads the new value. Two CPUs inserting into the same full
 * bucket at the same instant may pick the same victim: one entry is then lost, and its flow's
 * next packet is handled as a new flow.
 */
#ifndef LBRP_SESSION_TABLE_H
#define LBRP_SESSION_TABLE_H

#include "../runtime/pcn.h"
#include "lbrp_consts.h"
#include "lbrp_structs.h"
#include "select.h"

#define SESSION_BUCKETS (MAX_SESSIONS / SESSION_WAYS)
/* Seed of the bucket hash (mirrored in src/lbrp/dataplane/session-table.ts); another constant
 * than FLOW_HASH_SEED, so a flow's bucket and its Maglev slot are not correlated. */
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

/* The bucket index of an entry's key: a hash of its client side (see the header). */
static __always_inline __u32 session_bucket_index(const struct flow_key *k)
{
	int rev = k->kind == SESSION_REVERSE;
	__u32 addr = rev ? k->daddr : k->saddr;
	__u32 port = rev ? k->dport : k->sport;

	return flow_mix(addr, port | ((__u32)k->proto << 16), SESSION_HASH_SEED) & (SESSION_BUCKETS - 1);
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

/* The entry of key k (its kind set), its last_seen refreshed; or NULL. */
static __always_inline struct session_entry *session_lookup(const struct flow_key *k)
{
	__u32 idx = session_bucket_index(k);
	struct session_bucket *b = bpf_map_lookup_elem(&sessions, &idx);
	struct session_entry *e;
	__u32 now;

	if (!b)
		return NULL;
	e = session_find(b, k);
	if (!e)
		return NULL;
	now = session_now();
	if (e->last_seen != now) /* one write per entry and clock unit, not per packet */
		e->last_seen = now;
	return e;
}

/* Stores key k (its kind set) with the value of *v (ct or rn, by kind): in k's own entry if it
 * has one, else in a free way, else in the way used longest ago. Returns 0, or -1 if the bucket
 * cannot be found. */
static __always_inline int session_insert(const struct flow_key *k, const struct session_entry *v)
{
	__u32 idx = session_bucket_index(k);
	struct session_bucket *b = bpf_map_lookup_elem(&sessions, &idx);
	struct session_entry *e;
	__u32 now = session_now(), oldest = 0;
	int victim = 0;

	if (!b)
		return -1;
	e = session_find(b, k);
	if (!e) {
#pragma unroll
		for (int i = 0; i < SESSION_WAYS; i++) {
			/* A free way is oldest of all; +1 keeps an entry seen this clock unit above 0. */
			__u32 age = b->way[i].key.proto ? now - b->way[i].last_seen + 1 : 0xffffffffu;

			if (age > oldest) {
				oldest = age;
				victim = i;
			}
		}
		e = &b->way[victim % SESSION_WAYS];
	}
	e->ct = v->ct; /* the union's whole 20 bytes */
	e->last_seen = now;
	asm volatile("" ::: "memory");
	e->key = *k;
	return 0;
}

#endif /* LBRP_SESSION_TABLE_H */
