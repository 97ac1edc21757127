/* session_table.h — the two session tables, conntrack (client flow → backend) and reverse_nat
 * (backend's reply → client and VIP), as set-associative tables in array maps. A flow's bucket is
 * flow_hash(key) & (SESSION_BUCKETS - 1) and holds SESSION_WAYS entries, so a lookup costs one
 * random memory access (two adjacent cache lines) however full the table is, and an insert writes
 * the lines that lookup brought in. A kernel hash map touches a bucket head, a chain of elements
 * and, for LRU, its lists: three or four cold lines per new flow, which made a new flow cost
 * 13-21x the floor program (bench:dataplane). A full bucket evicts its least recently used entry,
 * as the LRU hash map did table-wide; an evicted client flow's next packet picks its backend again
 * from the Maglev table (the same backend while the table is unchanged).
 *
 * Concurrency: entries are written without locks. An insert writes the value and the time before
 * the key (x86 keeps stores in order; the compiler barrier keeps clang from reordering them), so a
 * reader that matches the new key reads the new value. Two CPUs inserting two new flows into the
 * same full bucket at the same instant may pick the same victim: one entry is then lost, and that
 * flow's next packet is handled as a new flow.
 */
#ifndef LBRP_SESSION_TABLE_H
#define LBRP_SESSION_TABLE_H

#include "../runtime/pcn.h"
#include "lbrp_consts.h"
#include "lbrp_structs.h"
#include "select.h"

#define SESSION_BUCKETS (MAX_SESSIONS / SESSION_WAYS)
_Static_assert(SESSION_BUCKETS > 0 && (SESSION_BUCKETS & (SESSION_BUCKETS - 1)) == 0,
	       "MAX_SESSIONS / SESSION_WAYS must be a power of two");

/* u32 bucket index → session_bucket of conntrack entries (key: client → VIP as received).
 * Datapath writes on a new session and reads per client packet (and per reply of a
 * F_BACKEND_UNIQUE backend); control plane reads (session counts) and clears. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SESSION_BUCKETS);
	__type(key, __u32);
	__type(value, struct session_bucket);
} conntrack SEC(".maps");

/* u32 bucket index → session_bucket of reverse_nat entries (key: backend → client's NATed
 * address, as the reply arrives). Datapath writes with the conntrack entry unless the backend is
 * F_BACKEND_UNIQUE, and reads per backend packet that backend_to_vip does not resolve. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SESSION_BUCKETS);
	__type(key, __u32);
	__type(value, struct session_bucket);
} reverse_nat SEC(".maps");

/* The tables' clock: units of 2^30 ns (about a second). */
static __always_inline __u32 session_now(void)
{
	return (__u32)(bpf_ktime_get_coarse_ns() >> 30);
}

static __always_inline int session_key_eq(const struct flow_key *a, const struct flow_key *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

	return x[0] == y[0] && x[1] == y[1];
}

/* The bucket of a flow whose flow_hash is h (NULL only if the map were smaller than
 * SESSION_BUCKETS). */
static __always_inline struct session_bucket *session_bucket_of(void *table, __u32 h)
{
	__u32 idx = h & (SESSION_BUCKETS - 1);

	return bpf_map_lookup_elem(table, &idx);
}

/* The entry of flow k in bucket b, or NULL. A free way has proto 0, which no key has. */
static __always_inline struct session_entry *session_find(struct session_bucket *b, const struct flow_key *k)
{
#pragma unroll
	for (int i = 0; i < SESSION_WAYS; i++)
		if (session_key_eq(&b->way[i].key, k))
			return &b->way[i];
	return NULL;
}

/* The entry of flow k (h = flow_hash(k)) in table, its last_seen refreshed; or NULL. */
static __always_inline struct session_entry *session_lookup(void *table, const struct flow_key *k, __u32 h)
{
	struct session_bucket *b = session_bucket_of(table, h);
	struct session_entry *e;
	__u32 now;

	if (!b)
		return NULL;
	e = session_find(b, k);
	if (!e)
		return NULL;
	now = session_now();
	if (e->last_seen != now) /* one write per entry and second, not per packet */
		e->last_seen = now;
	return e;
}

/* Stores flow k (h = flow_hash(k)) with the value of *v (its ct or rn, whichever the table
 * holds) in table: in k's own entry if it has one, else in a free way, else in the way used
 * longest ago. Returns 0, or -1 if the bucket cannot be found. */
static __always_inline int session_insert(void *table, const struct flow_key *k, __u32 h,
					  const struct session_entry *v)
{
	struct session_bucket *b = session_bucket_of(table, h);
	struct session_entry *e;
	__u32 now = session_now(), oldest = 0;
	int victim = 0;

	if (!b)
		return -1;
	e = session_find(b, k);
	if (!e) {
#pragma unroll
		for (int i = 0; i < SESSION_WAYS; i++) {
			/* A free way is oldest of all; +1 keeps an entry seen this second above 0. */
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
