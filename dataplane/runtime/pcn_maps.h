/* pcn_maps.h — the maps every cube gets from the runtime: port wiring (written by the daemon when
 * a port is peered with a netdev), the log and packet-in rings (read by the daemon), the runtime's
 * counters and, in test builds only, the verdict trace. The daemon pins them per cube (loader).
 */
#ifndef PCN_MAPS_H
#define PCN_MAPS_H

#include <bpf/bpf_helpers.h>
#include "pcn_api.h"

/* ifindex (u32, host order) → port id (u16). Daemon writes on peer set/unset; datapath reads
 * it to compute md->in_port when pcn_ifindex_array has no slot for the ifindex. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PCN_MAX_PORTS);
	__type(key, __u32);
	__type(value, __u16);
} pcn_ifindex_to_port SEC(".maps");

/* ifindex (u32, host order, < PCN_IFINDEX_ARRAY_SIZE) → port id + 1 (u16; 0 = no entry: look in
 * pcn_ifindex_to_port). The fast path for the same mapping: the daemon writes a slot after the
 * pcn_ifindex_to_port entry and zeroes it before deleting that entry; a daemon that never writes
 * it costs one inlined array read per frame. Datapath reads once per frame. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PCN_IFINDEX_ARRAY_SIZE);
	__type(key, __u32);
	__type(value, __u16);
} pcn_ifindex_array SEC(".maps");

/* port id → peer ifindex (u32, host order; 0 = not connected). Daemon writes; datapath reads on
 * every redirect. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PCN_MAX_PORTS);
	__type(key, __u32);
	__type(value, __u32);
} pcn_port_to_ifindex SEC(".maps");

#if !PCN_XDP
/* port id → struct pcn_port_peer (TC cubes only). Daemon writes when it binds a port to a veth
 * whose peer is in another namespace, and zeroes it on unbind; datapath reads on every redirect. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PCN_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct pcn_port_peer);
} pcn_port_peer SEC(".maps");
#endif

/* struct pcn_log_record stream. Datapath writes (pcn_log); daemon reads and formats. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, PCN_LOG_RING_SIZE);
} pcn_log_ring SEC(".maps");

/* struct pcn_pktin_record stream. Datapath writes (pcn_pkt_controller); daemon reads and hands
 * the frame to the service's packet-in handler. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, PCN_PKTIN_RING_SIZE);
} pcn_pktin_ring SEC(".maps");

/* PCN_STAT_* slot → u64 count, per CPU. Datapath writes; daemon reads (sums the CPUs). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PCN_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} pcn_runtime_stats SEC(".maps");

#if PCN_TEST_TRACE
/* [0] → struct pcn_test_trace, per CPU. Datapath writes after every frame; tests reset and read. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pcn_test_trace);
} pcn_test_trace SEC(".maps");
#endif

/* Adds one to runtime counter slot (a PCN_STAT_* value). */
static __always_inline void pcn_count(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&pcn_runtime_stats, &slot);

	if (v)
		*v += 1;
}

#endif /* PCN_MAPS_H */
