/* backends.c — the REST bench's cube program: only a backend table, so that each REST backend
 * add/delete ends in a real kernel map write. Frames pass through untouched. Built by polycubed
 * with pcn.h. */
#include "pcn.h"

/* One backend of one service (all fields network byte order). */
struct backend_key {
	__u32 vip;     /* be32 */
	__u16 vport;   /* be16 */
	__u8 proto;    /* IPPROTO_* */
	__u8 pad;
	__u32 ip;      /* be32, backend address */
};

/* What the service stores per backend. */
struct backend_value {
	__u16 port;    /* be16 */
	__u16 weight;  /* host order */
};

/* service + backend ip → port, weight. Service writes (REST bench); datapath reads. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct backend_key);
	__type(value, struct backend_value);
} backends SEC(".maps");

static __always_inline int handle_rx(struct CTXTYPE *ctx, struct pkt_metadata *md)
{
	struct backend_key key = {};

	if (bpf_map_lookup_elem(&backends, &key))
		return RX_DROP;
	return RX_OK;
}
