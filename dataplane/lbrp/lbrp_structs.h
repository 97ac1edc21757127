/* lbrp_structs.h — every key and value that crosses the kernel boundary, and only those.
 * Byte order is stated per field: "be" = network order as on the wire, "host" = CPU order.
 * Mirrored field by field in src/lbrp/dataplane/map-layouts.ts (checked by a test).
 */
#ifndef LBRP_STRUCTS_H
#define LBRP_STRUCTS_H

#include <linux/types.h>
#include "lbrp_consts.h"

/* services key: one configured vip:vport:proto. 8 bytes. */
struct service_key {
	__be32 vip;   /* be: virtual IP */
	__be16 vport; /* be: virtual port; 0 for ICMP services */
	__u8 proto;   /* IP protocol number (1 ICMP, 6 TCP, 17 UDP) */
	__u8 pad;     /* must be 0 */
};

/* services value. 16 bytes. */
struct service_value {
	__u32 service_id; /* host: index into service_stats, chosen by the control plane */
	__u32 slot_base;  /* host: first maglev_slots index of this service's table */
	__u32 table_size; /* host: slots in the table (prime); 0 = no backends → forwarded untranslated */
	__u32 flags;      /* host: F_SERVICE_*, 0 today */
};

/* backends value (key: u32 backend id, host). 8 bytes. */
struct backend_value {
	__be32 ip;    /* be: backend address */
	__be16 port;  /* be: backend port (ignored for ICMP) */
	__u16 flags;  /* host: F_BACKEND_* */
};

/* A connection as seen in one packet, and the key of a session table entry: SESSION_FORWARD
 * (client → VIP) or SESSION_REVERSE (backend → client's NATed address). ICMP echo: request
 * sport = echo id, dport = 0; reply sport = 0, dport = echo id (so a reply's tuple is its
 * request's, reversed). 16 bytes. */
struct flow_key {
	__be32 saddr; /* be */
	__be32 daddr; /* be */
	__be16 sport; /* be */
	__be16 dport; /* be */
	__u8 proto;   /* IP protocol number */
	__u8 kind;    /* SESSION_FORWARD (0) or SESSION_REVERSE */
	__u8 pad[2];  /* must be 0 */
};

/* conntrack value (a SESSION_FORWARD entry's): where a client flow goes. Written by the datapath
 * on a new session. 20 bytes. */
struct conntrack_value {
	__be32 backend_ip;   /* be */
	__be16 backend_port; /* be; 0 for ICMP */
	__u16 flags;         /* host: F_CT_* (bits 0-7) and the session's state (CT_STATE_MASK) */
	__u32 backend_id;    /* host: backends / backend_stats index */
	__u32 service_id;    /* host: service_stats index */
	__be32 nat_saddr;    /* be: client address after src-ip-rewrite (= saddr when not rewritten) */
};

/* reverse NAT value (a SESSION_REVERSE entry's): how to restore a backend's reply. Written by the
 * datapath. 20 bytes. */
struct reverse_nat_value {
	__be32 vip;       /* be */
	__be16 vport;     /* be; 0 for ICMP */
	__u16 flags;      /* host: the session's state and history (F_CT_SESSION_BITS), as in its conntrack entry */
	__be32 client_ip; /* be: the client's original address (before src-ip-rewrite) */
	__u32 service_id; /* host */
	__u32 backend_id; /* host */
};

/* One way of a session table bucket: a key and its session (SESSION_FORWARD: ct,
 * SESSION_REVERSE: rn). key.proto = 0: a free way. 40 bytes. */
struct session_entry {
	struct flow_key key;
	union {
		struct conntrack_value ct;
		struct reverse_nat_value rn;
	};
	__u32 last_seen; /* host: session_now() when a packet last used the entry */
};

/* sessions value (key: u32 bucket index, host): SESSION_WAYS entries. */
struct session_bucket {
	struct session_entry way[SESSION_WAYS];
};

/* backend_to_vip key: a backend address as its replies carry it (their source). 8 bytes. */
struct backend_vip_key {
	__be32 ip;   /* be: backend address */
	__be16 port; /* be: backend port; 0 for ICMP echo */
	__u8 proto;  /* IP protocol number */
	__u8 pad;    /* must be 0 */
};

/* backend_to_vip value: the service behind that backend address. Written by the control plane.
 * 12 bytes. */
struct backend_vip_value {
	__be32 vip;       /* be: the service's VIP */
	__be16 vport;     /* be: the service's port; 0 for ICMP */
	__u16 flags;      /* host: F_BACKEND_VIP_UNIQUE or 0 */
	__u32 service_id; /* host: the service's id (counts stateless replies; else for tools) */
};

/* src_ip_rewrite key (LPM trie). 8 bytes. */
struct src_rewrite_key {
	__u32 prefixlen; /* host: significant bits of addr (32 for a lookup) */
	__be32 addr;     /* be: network address, host bits zero */
};

/* src_ip_rewrite value: maps an address of the matched prefix into the other range:
 * new = new_net | (addr & host_mask). 12 bytes. */
struct src_rewrite_value {
	__be32 new_net;   /* be: network address of the other range */
	__be32 host_mask; /* be: host bits of the prefix (e.g. 0.0.0.255 for a /24) */
	__u32 sense;      /* host: FROM_FRONTEND or FROM_BACKEND (which range the key is) */
};

/* session_config value (key: u32 0): the session table's key and policy. The control plane
 * writes the secret once, when it finds it all zero (a new cube), and the rest on every sync; the
 * map is pinned, so the secret outlives program reloads and daemon restarts. Datapath reads per
 * packet. All zero (before the first sync) = unkeyed, no timeouts, no admission limit. 56 bytes. */
struct session_config {
	__u32 secret[4];            /* host: random key of the session table's bucket hash */
	__u32 timeout[TIMEOUT_MAX]; /* host: idle timeouts in session clock units, by TIMEOUT_*; 0 = never */
	__u32 pad;                  /* must be 0 */
	__u64 admit_per_jiffy_q16;  /* host: new sessions a CPU may create per jiffy, x 65536; 0 = no limit */
	__u64 admit_burst_q16;      /* host: the per-CPU token bucket's depth, x 65536 */
};

/* admission value (key: u32 0, per CPU): the new-session token bucket of one CPU. Datapath only. */
struct admission_state {
	__u64 tokens_q16;   /* host: sessions this CPU may still create, x 65536 */
	__u64 last_jiffies; /* host: bpf_jiffies64() of the last refill */
};

/* frag_track key: one datagram's fragments as they arrive (before translation). 12 bytes. */
struct frag_key {
	__be32 saddr; /* be */
	__be32 daddr; /* be */
	__be16 id;    /* be: the IP identification field */
	__u8 proto;   /* IP protocol number */
	__u8 dir;     /* FRAG_FROM_CLIENT or FRAG_FROM_BACKEND */
};

/* frag_track value: what the datagram's first fragment became. Written by the datapath. 16 bytes. */
struct frag_value {
	__be32 saddr;     /* be: source address to write */
	__be32 daddr;     /* be: destination address to write (MULTI: also picks the FRONTEND port) */
	__u32 service_id; /* host: service_stats index to count later fragments in; ~0 = none */
	__u32 backend_id; /* host: backend_stats index; ~0 = none */
};

/* affinity key: one client of one service (session-affinity CLIENT_IP). 8 bytes. */
struct affinity_key {
	__u32 service_id; /* host */
	__be32 client;    /* be: the client's address as it arrived (before src-ip-rewrite) */
};

/* affinity value: the backend the client's new sessions go to, with the address it had when
 * chosen (a backend id freed and reused for another address is not followed). Written by the
 * datapath. 16 bytes. */
struct affinity_value {
	__u32 backend_id;    /* host: backends index */
	__be32 backend_ip;   /* be: backends[backend_id].ip when chosen */
	__be16 backend_port; /* be: backends[backend_id].port when chosen */
	__u16 pad;           /* 0 */
	__u32 last_seen;     /* host: session_now() of the client's last new session or session packet */
};

/* service_stats / backend_stats value, per CPU; field i is slot STAT_* i. 24 bytes. */
struct lbrp_counters {
	__u64 packets;      /* STAT_PACKETS */
	__u64 bytes;        /* STAT_BYTES */
	__u64 new_sessions; /* STAT_NEW_SESSIONS */
};

_Static_assert(sizeof(struct service_key) == 8, "service_key layout");
_Static_assert(sizeof(struct service_value) == 16, "service_value layout");
_Static_assert(sizeof(struct backend_value) == 8, "backend_value layout");
_Static_assert(sizeof(struct flow_key) == 16, "flow_key layout");
_Static_assert(sizeof(struct conntrack_value) == 20, "conntrack_value layout");
_Static_assert(sizeof(struct session_entry) == 40, "session_entry layout");
_Static_assert(sizeof(struct reverse_nat_value) == 20, "reverse_nat_value layout");
_Static_assert(sizeof(struct backend_vip_key) == 8, "backend_vip_key layout");
_Static_assert(sizeof(struct backend_vip_value) == 12, "backend_vip_value layout");
_Static_assert(sizeof(struct src_rewrite_key) == 8, "src_rewrite_key layout");
_Static_assert(sizeof(struct src_rewrite_value) == 12, "src_rewrite_value layout");
_Static_assert(sizeof(struct lbrp_counters) == STAT_MAX * 8, "lbrp_counters layout");
_Static_assert(sizeof(struct session_config) == 56, "session_config layout");
_Static_assert(sizeof(struct admission_state) == 16, "admission_state layout");
_Static_assert(sizeof(struct frag_key) == 12, "frag_key layout");
_Static_assert(sizeof(struct frag_value) == 16, "frag_value layout");
_Static_assert(sizeof(struct affinity_key) == 8, "affinity_key layout");
_Static_assert(sizeof(struct affinity_value) == 16, "affinity_value layout");

#endif /* LBRP_STRUCTS_H */
