/* select.h — Maglev slot → backend: hash the connection's 5-tuple, take slot
 * slot_base + hash % table_size of maglev_slots, read the backend. The hash is mirrored in
 * src/lbrp/dataplane/flow-hash.ts so tools and tests can tell where a flow goes.
 */
#ifndef LBRP_SELECT_H
#define LBRP_SELECT_H

#include "../runtime/pcn.h"
#include "lbrp_consts.h"
#include "lbrp_structs.h"
#include "lbrp_maps.h"

/* Arbitrary odd constant so an all-zero tuple does not hash to a fixed point. */
#define FLOW_HASH_SEED 0x9e3779b9u

static __always_inline __u32 rol32(__u32 x, int k)
{
	return (x << k) | (x >> (32 - k));
}

/* Jenkins-style final avalanche of three words (each input bit flips about half the output bits). */
static __always_inline __u32 flow_mix(__u32 a, __u32 b, __u32 c)
{
	c ^= b;
	c -= rol32(b, 14);
	a ^= c;
	a -= rol32(c, 11);
	b ^= a;
	b -= rol32(a, 25);
	c ^= b;
	c -= rol32(b, 16);
	a ^= c;
	a -= rol32(c, 4);
	b ^= a;
	b -= rol32(a, 14);
	c ^= b;
	c -= rol32(b, 24);
	return c;
}

/* Hash of a flow for Maglev: the three words (addresses as loaded, sport << 16 | dport) and the
 * protocol through flow_mix, so `% table_size` spreads flows evenly over the slots. */
static __always_inline __u32 flow_hash(const struct flow_key *k)
{
	__u32 init = FLOW_HASH_SEED + ((__u32)k->proto << 24) + 12;

	return flow_mix(k->saddr + init, k->daddr + init, (((__u32)k->sport << 16) | (__u32)k->dport) + init);
}

/* Picks the backend of a new session of svc for a flow whose flow_hash is h. Returns CONTINUE
 * with *backend_id and *be filled, or DROP_NO_BACKEND / DROP_BACKEND_INACTIVE. */
static __always_inline int select_backend(const struct service_value *svc, __u32 h, __u32 *backend_id,
					  struct backend_value *be)
{
	__u32 slot = svc->slot_base + h % svc->table_size;
	__u32 *id = bpf_map_lookup_elem(&maglev_slots, &slot);
	struct backend_value *b;

	if (!id)
		return DROP_NO_BACKEND;
	b = bpf_map_lookup_elem(&backends, id);
	if (!b)
		return DROP_NO_BACKEND;
	if (!(b->flags & F_BACKEND_ACTIVE))
		return DROP_BACKEND_INACTIVE;
	*backend_id = *id;
	*be = *b;
	return CONTINUE;
}

/* True when a session's backend may still take new sessions at the address it was chosen with. */
static __always_inline int backend_still_usable(const struct conntrack_value *ct)
{
	__u32 id = ct->backend_id;
	struct backend_value *b = bpf_map_lookup_elem(&backends, &id);

	return b && (b->flags & F_BACKEND_ACTIVE) && b->ip == ct->backend_ip && b->port == ct->backend_port;
}

#endif /* LBRP_SELECT_H */
