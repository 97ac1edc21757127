/* lbrp_consts.h — compile-time parameters, flags, drop reasons and counter slots of the lbrp
 * dataplane. Every MAX_* and port parameter is overridable with -D; the TS mirror lives in
 * src/lbrp/dataplane/map-layouts.ts and a test compares the two (layout_check.c).
 */
#ifndef LBRP_CONSTS_H
#define LBRP_CONSTS_H

/* Port mode: 1 = SINGLE (one FRONTEND, one BACKEND), 0 = MULTI (many FRONTENDs, one BACKEND). */
#ifndef SINGLE_PORT_MODE
#define SINGLE_PORT_MODE 1
#endif

/* 1 = ROUTED (SINGLE_PORT_MODE 0, no BACKEND port): every port is a FRONTEND on a host
 * interface; DNATed packets follow the host's routes (routed.h), replies are reverse-NATed at TC
 * egress of the FRONTEND interfaces (lbrp.c handle_tx). TC only. */
#ifndef ROUTED_MODE
#define ROUTED_MODE 0
#endif

/* Port ids of the FRONTEND (SINGLE only) and BACKEND ports; -1 = no such port yet. Using -1 (not
 * 0) keeps a frontend with id 0 from being taken for the backend (Polycube bug 10). */
#ifndef FRONTEND_PORT
#define FRONTEND_PORT -1
#endif
#ifndef BACKEND_PORT
#define BACKEND_PORT -1
#endif

/* Health probes sent as packet-out through the BACKEND port (probe.h): their source address
 * (host order; 0 = none, nothing is trapped), the TCP source ports they use (PROBE_PORT_MIN ..
 * PROBE_PORT_MIN + PROBE_PORT_COUNT - 1) and the ICMP echo identifier (host order). */
#ifndef PROBE_SRC
#define PROBE_SRC 0
#endif
#ifndef PROBE_PORT_MIN
#define PROBE_PORT_MIN 61000
#endif
#ifndef PROBE_PORT_COUNT
#define PROBE_PORT_COUNT 64
#endif
#ifndef PROBE_ICMP_ID
#define PROBE_ICMP_ID 0x6c62
#endif

/* Map sizes. The service compiles every cube with its YANG leaves (max-services, max-backends,
 * maglev-slots, session-table-size); these defaults are the leaves' defaults, chosen so an empty
 * cube costs at most 8 MiB of kernel memory (README "Kernel memory").
 * Services: vip:vport:proto triples (ALL counts three). */
#ifndef MAX_SERVICES
#define MAX_SERVICES 1024
#endif
/* Distinct VIP addresses (the vips map). */
#ifndef MAX_VIPS
#define MAX_VIPS MAX_SERVICES
#endif
/* Session table entries (a session takes one, or two when its backend is not F_BACKEND_UNIQUE);
 * a full bucket evicts by the order of session_table.h (expired, unestablished, established). */
#ifndef MAX_SESSIONS
#define MAX_SESSIONS 65536
#endif
/* Entries per session table bucket (MAX_SESSIONS / SESSION_WAYS buckets, a power of two). */
#ifndef SESSION_WAYS
#define SESSION_WAYS 8
#endif
/* Backend ids 0..MAX_BACKENDS-1, allocated by the control plane across all services. */
#ifndef MAX_BACKENDS
#define MAX_BACKENDS 4096
#endif
/* Total Maglev slots of all services (8 bytes of kernel memory each: array values are rounded
 * up to 8). 1<<18 holds 653 services of 2-4 backends (401 slots each). */
#ifndef MAX_MAGLEV_SLOTS
#define MAX_MAGLEV_SLOTS (1 << 18)
#endif
/* FRONTEND port IPs in MULTI mode (Polycube's MAX_FRONTENDS). */
#ifndef MAX_FRONTENDS
#define MAX_FRONTENDS 1024
#endif
/* Fragmented datagrams whose first fragment was translated (frag_track, an LRU hash: ≈ 96 B of
 * kernel memory per entry, 99 KB for 1024). A datagram's fragments arrive within a millisecond or
 * so of each other, so 1024 entries keep up with about a million fragmented datagrams per second;
 * a flood of first fragments evicts entries whatever the size (their later fragments are then
 * dropped, never leaked), so a larger default would only cost memory. */
#ifndef MAX_FRAG_TRACK
#define MAX_FRAG_TRACK 1024
#endif
/* Client-IP affinity entries of all services together (the affinity map, an LRU hash: 88 B of
 * kernel memory each as bpftool counts it, preallocated: 721 KB for 8192). A full map forgets the
 * client seen longest ago (its next new connection is balanced by Maglev and pins again). */
#ifndef MAX_AFFINITY
#define MAX_AFFINITY 8192
#endif
/* src-ip-rewrite prefixes: the control plane writes two (one per direction). */
#ifndef MAX_SRC_REWRITES
#define MAX_SRC_REWRITES 16
#endif

/* Counters (service_stats, backend_stats): per-CPU arrays, unless that would take more than
 * LBRP_PERCPU_STATS_MAX_BYTES for this machine's possible CPUs (PCN_POSSIBLE_CPUS, set by
 * polycubed); then one shared array updated with atomic adds, whose size does not grow with the
 * CPU count. 24 = sizeof(struct lbrp_counters). Without PCN_POSSIBLE_CPUS (tests, benchmarks
 * that compile the program themselves) the counters stay per-CPU. */
#ifndef LBRP_PERCPU_STATS_MAX_BYTES
#define LBRP_PERCPU_STATS_MAX_BYTES (1 << 20)
#endif
#ifndef LBRP_PERCPU_STATS
#if defined(PCN_POSSIBLE_CPUS) && \
	((MAX_SERVICES + MAX_BACKENDS) * 24LL * PCN_POSSIBLE_CPUS > LBRP_PERCPU_STATS_MAX_BYTES)
#define LBRP_PERCPU_STATS 0
#else
#define LBRP_PERCPU_STATS 1
#endif
#endif

/* backend_value.flags: the backend may receive new sessions. Cleared = drained (weight 0) or
 * removed; its established sessions keep going. */
#define F_BACKEND_ACTIVE 0x1
/* backend_value.flags: backend_to_vip[{ip, port, proto}] names this backend's service, so a new
 * session through it writes only its conntrack entry (no reverse NAT entry): its replies find the
 * session through backend_to_vip. Set by the control plane only while that holds. */
#define F_BACKEND_UNIQUE 0x2

/* backend_vip_value.flags: the entry's address serves only the entry's service (the rule of
 * F_BACKEND_UNIQUE, per address): a reply from it without a session is reverse-translated
 * statelessly (EV_STATELESS_REPLY). Cleared (or never set) = such replies stay untranslated. */
#define F_BACKEND_VIP_UNIQUE 0x1

/* flow_key.kind of a session table entry. */
#define SESSION_FORWARD 0 /* conntrack: client → VIP, value ct */
#define SESSION_REVERSE 1 /* reverse NAT: backend → client's NATed address, value rn */

/* conntrack_value.flags: the client's source address was rewritten (nat_saddr != saddr). */
#define F_CT_SRC_REWRITTEN 0x1
/* Session history bits of conntrack_value.flags and reverse_nat_value.flags (kept equal in a
 * session's two entries, as the state): what the session has seen so far. */
#define F_CT_SEEN_CLIENT_ACK 0x2 /* TCP: a client packet with ACK and without SYN */
#define F_CT_SEEN_BACKEND 0x4    /* a packet from the backend (TCP: not a RST) */
#define F_CT_FIN_CLIENT 0x8      /* TCP: a FIN from the client */
#define F_CT_FIN_BACKEND 0x10    /* TCP: a FIN from the backend */
/* The bits a session's two entries share (history and state); F_CT_SRC_REWRITTEN is forward-only. */
#define F_CT_SESSION_BITS (F_CT_SEEN_CLIENT_ACK | F_CT_SEEN_BACKEND | F_CT_FIN_CLIENT | F_CT_FIN_BACKEND | CT_STATE_MASK)

/* Session state: bits CT_STATE_MASK of conntrack_value.flags and reverse_nat_value.flags (the same
 * offset in both), kept equal in a session's two entries. Bits 0-7 are per-entry flags (F_CT_*). */
#define CT_STATE_SHIFT 8
#define CT_STATE_MASK 0x0300
#define CT_NEW 0         /* not yet answered both ways (TCP: handshake incomplete; UDP, ICMP: no reply yet) */
#define CT_ESTABLISHED 1 /* answered both ways */
#define CT_CLOSING 2     /* TCP: a FIN seen */
#define CT_CLOSED 3      /* TCP: a RST seen, or FINs both ways */

/* session_config.timeout[] slots: idle time after which an entry has expired, in session clock
 * units (session_now()); 0 = never expires. */
#define TIMEOUT_TCP_NEW 0         /* TCP, CT_NEW */
#define TIMEOUT_TCP_ESTABLISHED 1 /* TCP, CT_ESTABLISHED */
#define TIMEOUT_TCP_CLOSING 2     /* TCP, CT_CLOSING and CT_CLOSED */
#define TIMEOUT_UDP 3             /* UDP, any state */
#define TIMEOUT_ICMP 4            /* ICMP echo, any state */
#define TIMEOUT_MAX 5

/* session_events slots (per-CPU u64): what the session table did besides hits and inserts. */
#define EV_ADMISSION_REFUSED 0   /* a new flow above the per-CPU rate: forwarded by Maglev, no entry */
#define EV_EVICT_EXPIRED 1       /* an insert took the way of an expired entry */
#define EV_EVICT_UNESTABLISHED 2 /* an insert took the way of an unexpired CT_NEW/CLOSING/CLOSED entry */
#define EV_EVICT_ESTABLISHED 3   /* an insert took the least recently used established entry (nothing else left) */
#define EV_TABLE_FULL 4          /* no way could be taken (all established and protected): forwarded, no entry */
#define EV_STATELESS_REPLY 5     /* a backend reply without a session, reverse-translated through backend_to_vip */
#define EV_FRAG_TRANSLATED 6     /* a later fragment translated as its first fragment was */
#define EV_MAX 8

/* frag_key.dir: the side a fragment arrived from. */
#define FRAG_FROM_CLIENT 0  /* a FRONTEND port */
#define FRAG_FROM_BACKEND 1 /* the BACKEND port */

/* service_value.flags: none of the below. */
#define F_SERVICE_NONE 0x0
/* service_value.flags: session-affinity CLIENT_IP: a new session of a client that has an unexpired
 * affinity entry (affinity.h) to an active backend goes to that backend; its idle timeout is
 * service_affinity[service_id]. */
#define F_SERVICE_AFFINITY 0x1

/* src_rewrite_value.sense (Polycube's values): which side the matched prefix belongs to. */
#define FROM_FRONTEND 0 /* key = client range: client source addresses are rewritten to new_net */
#define FROM_BACKEND 1  /* key = new range: backend-side destinations are mapped back to new_net */

/* Packet-in reasons (Polycube's SlowPathReason values). */
#define REASON_ARP_REPLY 0 /* ARP reply from a client in the rewrite range: duplicate for the backend side */
#define REASON_FLOODING 1  /* MULTI: non-IP frame from the backend, to be sent out of every frontend */
#define REASON_PROBE_REPLY 2 /* from the BACKEND port to PROBE_SRC: a health probe's reply or ARP (probe.h) */

/* Drop reasons: one numbered table; drop_stats is indexed by -DROP_*. */
#define DROP_UNKNOWN_PORT -1       /* arrived on a port that is neither a FRONTEND nor the BACKEND */
#define DROP_NO_BACKEND_PORT -2    /* must go to the BACKEND port, but the cube has none */
#define DROP_NO_FRONTEND_PORT -3   /* SINGLE: must go to the FRONTEND port, but the cube has none */
#define DROP_NO_FRONTEND_FOR_IP -4 /* MULTI: no FRONTEND port owns the destination IP */
#define DROP_L2_TRUNCATED -5       /* shorter than an Ethernet header */
#define DROP_BAD_IP_HEADER -6      /* IPv4 header truncated or invalid (version, IHL < 5, total length < IHL) */
#define DROP_L4_TRUNCATED -7       /* TCP/UDP/ICMP header cut short (by the frame or the IP total length) */
#define DROP_FRAGMENT -8           /* non-first fragment to a VIP: cannot be matched to a session */
#define DROP_NO_BACKEND -9         /* Maglev slot names no backend (slot or backend id unset) */
#define DROP_BACKEND_INACTIVE -10  /* Maglev slot names a backend without F_BACKEND_ACTIVE */
#define DROP_SESSION_CREATE -11    /* session table insert failed */
#define DROP_BAD_ARP -12           /* ARP that is not Ethernet/IPv4, or truncated */
#define DROP_ARP_REPLY_PUNTED -13  /* ARP reply handed to the slow path (REASON_ARP_REPLY) */
#define DROP_FLOOD_PUNTED -14      /* non-IP frame handed to the slow path (REASON_FLOODING) */
#define DROP_CSUM_FAILED -15       /* a checksum helper failed (should not happen) */
/* Non-first fragment from a backend address with no frag_track entry (first fragment not seen, or
 * its entry gone): sent on untranslated, it would leak the backend's address. */
#define DROP_FRAGMENT_UNTRACKED -16
/* ICMP error quoting a non-first fragment to a backend or from a VIP: the quote has no ports to
 * find its session by, and untranslated it would leak a backend address or confuse the backend. */
#define DROP_ICMP_QUOTES_FRAGMENT -17
/* A frame from the BACKEND port answering the cube's own health probes (to PROBE_SRC: TCP to the
 * probe ports, ICMP echo reply with PROBE_ICMP_ID, ARP) handed to the slow path (REASON_PROBE_REPLY). */
#define DROP_PROBE_REPLY_PUNTED -18
#define DROP_MAX 19                /* drop_stats entries: index 0 unused, 1..18 above */

/* u64 slots of struct lbrp_counters (service_stats and backend_stats values). */
#define STAT_PACKETS 0      /* frames, both directions */
#define STAT_BYTES 1        /* bytes of those frames (whole Ethernet frame) */
#define STAT_NEW_SESSIONS 2 /* sessions stored (conntrack misses and re-creations; not refused or table-full flows) */
#define STAT_MAX 3

/* Stage result meaning "not decided yet, go on with the next stage". RX_* codes are >= 0 and
 * DROP_* are < 0, so any other value works. */
#define CONTINUE 0x100

#endif /* LBRP_CONSTS_H */
