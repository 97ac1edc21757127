/* lbrp_maps.h — every lbrp map. One comment each: key → value, who writes, who reads. The
 * daemon pins all of them per cube, so a program reload (port mode, log level) keeps their
 * contents; their sizes therefore must not change between reloads of one cube.
 */
#ifndef LBRP_MAPS_H
#define LBRP_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lbrp_consts.h"
#include "lbrp_structs.h"

/* service_key → service_value. Control plane writes (one entry per vip:vport:proto, written
 * after its Maglev range so a table swap is one update); datapath reads per client packet. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_SERVICES);
	__type(key, struct service_key);
	__type(value, struct service_value);
} services SEC(".maps");

/* be32 VIP → u32 number of services on it. Control plane writes; datapath reads only for
 * non-first fragments (to a VIP without a frag_track entry: dropped) and ICMP errors quoting one. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_VIPS);
	__type(key, __be32);
	__type(value, __u32);
} vips SEC(".maps");

/* u32 slot index → u32 backend id. Control plane writes the Maglev tables, each service at
 * [slot_base, slot_base + table_size); datapath reads once per new session. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_MAGLEV_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} maglev_slots SEC(".maps");

/* u32 backend id → backend_value. Control plane writes; datapath reads on new sessions and to
 * check a SYN's old backend is still active. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct backend_value);
} backends SEC(".maps");

/* The session table (conntrack and reverse NAT entries) is an array map with its own bucket
 * logic: session_table.h. */

/* u32 0 → session_config: the bucket hash's secret, idle timeouts and the admission rate.
 * Control plane writes (secret once: see the struct); datapath reads per packet. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct session_config);
} session_config SEC(".maps");

/* u32 0 → admission_state, per CPU: the new-session token bucket. Datapath only. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct admission_state);
} admission SEC(".maps");

/* u32 EV_* → u64 events of the session table, per CPU. Datapath writes; control plane reads. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EV_MAX);
	__type(key, __u32);
	__type(value, __u64);
} session_events SEC(".maps");

/* backend_vip_key (a backend address as its replies carry it; ICMP echo: port 0) →
 * backend_vip_value (the service behind it). Control plane writes, for every backend address that
 * serves exactly one service, before it sets F_BACKEND_UNIQUE on that backend; datapath reads per
 * backend packet to find a reply's session in conntrack (sessions through a F_BACKEND_UNIQUE
 * backend have no reverse NAT entry). Sized for one entry per backend id, it holds one per
 * distinct backend address. Preallocated, so the memory a cube is charged for at creation is all
 * it ever takes. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_BACKENDS);
	__type(key, struct backend_vip_key);
	__type(value, struct backend_vip_value);
} backend_to_vip SEC(".maps");

/* be32 backend address → u32 number of backend ids with it. Control plane writes one entry per
 * distinct backend address of all services, and keeps it (with 0 ids) while backend_to_vip names
 * it (a removed backend's sessions may still run); datapath reads only for fragments and ICMP errors
 * quoting one from the backend side, to never send a backend's address out untranslated.
 * Preallocated, sized for one entry per backend id. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_BACKENDS);
	__type(key, __be32);
	__type(value, __u32);
} backend_ips SEC(".maps");

/* frag_key (a datagram's fragments as they arrive) → frag_value (the addresses its first
 * fragment was translated to). Datapath only: written by a translated first fragment (and by an
 * untranslated one from a backend address), read by the later fragments, which carry no ports.
 * LRU, so a full map forgets the oldest datagrams (their later fragments are then dropped, never
 * leaked); preallocated (LRU maps always are), so its kernel memory is fixed at creation. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_FRAG_TRACK);
	__type(key, struct frag_key);
	__type(value, struct frag_value);
} frag_track SEC(".maps");

/* affinity_key {service id, client address} → affinity_value {backend id, last_seen}: the backend
 * of a client of a session-affinity CLIENT_IP service (affinity.h). Datapath only: written when such
 * a client's session is created through Maglev, refreshed by its traffic. LRU: a full map (a flood
 * of client addresses) forgets the clients seen longest ago; preallocated, so its kernel memory is
 * fixed at creation. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_AFFINITY);
	__type(key, struct affinity_key);
	__type(value, struct affinity_value);
} affinity SEC(".maps");

/* u32 service id → u32 affinity-timeout of the service in session clock units (0 = never expires).
 * Control plane writes for services with F_SERVICE_AFFINITY (before their services entry names
 * the flag); datapath reads on their new sessions. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_SERVICES);
	__type(key, __u32);
	__type(value, __u32);
} service_affinity SEC(".maps");

/* src_rewrite_key → src_rewrite_value: two entries (client range FROM_FRONTEND, new range
 * FROM_BACKEND). Control plane writes; datapath reads for client sources, backend-side
 * destinations and ARP. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, MAX_SRC_REWRITES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct src_rewrite_key);
	__type(value, struct src_rewrite_value);
} src_ip_rewrite SEC(".maps");

/* be32 FRONTEND port IP → u16 port id (host). MULTI only: control plane writes per FRONTEND
 * port; datapath reads to deliver backend-side traffic and ARP. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_FRONTENDS);
	__type(key, __be32);
	__type(value, __u16);
} ip_to_frontend_port SEC(".maps");

/* Per-CPU counters, or one shared array (atomic adds) on machines where per-CPU ones would be
 * large: LBRP_PERCPU_STATS in lbrp_consts.h. */
#if LBRP_PERCPU_STATS
#define LBRP_STATS_MAP_TYPE BPF_MAP_TYPE_PERCPU_ARRAY
#else
#define LBRP_STATS_MAP_TYPE BPF_MAP_TYPE_ARRAY
#endif

/* u32 service id → lbrp_counters (per CPU or shared, above). Datapath writes; control plane
 * reads (sums CPUs). */
struct {
	__uint(type, LBRP_STATS_MAP_TYPE);
	__uint(max_entries, MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct lbrp_counters);
} service_stats SEC(".maps");

/* u32 backend id → lbrp_counters (per CPU or shared). Datapath writes; control plane reads. */
struct {
	__uint(type, LBRP_STATS_MAP_TYPE);
	__uint(max_entries, MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct lbrp_counters);
} backend_stats SEC(".maps");

/* u32 -DROP_* → u64 frames dropped for that reason, per CPU. Datapath writes; control plane reads. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DROP_MAX);
	__type(key, __u32);
	__type(value, __u64);
} drop_stats SEC(".maps");

#endif /* LBRP_MAPS_H */
