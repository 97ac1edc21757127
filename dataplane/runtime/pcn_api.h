/* pcn_api.h — Polycube's cube contract as cube code sees it (spec §1.3, §1.5): the RX_* return
 * codes, struct pkt_metadata, the pcn_log levels and the runtime's own limits. No code, no maps:
 * this header is shared with layout_check.c so the TS side can mirror it.
 */
#ifndef PCN_API_H
#define PCN_API_H

#include <linux/types.h>

/* Return codes of handle_rx, with Polycube's values (an anonymous enum there, in this order). */
enum {
	RX_OK = 0,          /* let the frame continue up the stack of the ingress netdev */
	RX_REDIRECT = 1,    /* send out of the port stored by pcn_pkt_redirect */
	RX_DROP = 2,        /* discard */
	RX_RECIRCULATE = 3, /* not supported by this runtime: treated as a drop */
	RX_ERROR = 4,       /* treated as a drop */
	/* Not in Polycube: the cube already called bpf_redirect / bpf_redirect_neigh itself (e.g.
	 * to a netdev the FIB chose, md->reason = its ifindex for the test trace); TC only. */
	RX_REDIRECTED = 5,
};

/* Log levels are macros, not an enum, so they work in #if (Polycube: datapath_log.cpp). */
#define LOG_TRACE 0
#define LOG_DEBUG 1
#define LOG_INFO 2
#define LOG_WARN 3
#define LOG_ERR 4
#define LOG_CRITICAL 5
#define LOG_OFF 6

#ifndef LOG_LEVEL
#define LOG_LEVEL LOG_INFO
#endif

/* 1 = record every verdict in the pcn_test_trace map (test builds only, never in production). */
#ifndef PCN_TEST_TRACE
#define PCN_TEST_TRACE 0
#endif

#ifndef CUBE_ID
#define CUBE_ID 0
#endif

/* Ports per cube: ids 0..127, as _POLYCUBE_MAX_PORTS. */
#ifndef PCN_MAX_PORTS
#define PCN_MAX_PORTS 128
#endif

/* ifindexes below this have a slot in pcn_ifindex_array (8 bytes each): the ingress port is found
 * by an array lookup, which the verifier inlines, instead of a hash lookup (a call and a hash,
 * ≈ 20 ns a frame). Larger ifindexes, and any the daemon left out of the array, are looked up in
 * pcn_ifindex_to_port. */
#ifndef PCN_IFINDEX_ARRAY_SIZE
#define PCN_IFINDEX_ARRAY_SIZE 8192
#endif

/* Bytes of the frame copied into a packet-in record: covers a full 1500-MTU Ethernet frame; a
 * power of two because the copy length is bounded for the verifier with a mask. */
#ifndef PCN_PKTIN_MAX
#define PCN_PKTIN_MAX 2048
#endif
_Static_assert((PCN_PKTIN_MAX & (PCN_PKTIN_MAX - 1)) == 0, "PCN_PKTIN_MAX must be a power of two");

/* Longest pcn_log format string carried in a log record (longer ones are a compile error). */
#define PCN_LOG_FMT_MAX 128

/* Ring buffer sizes in bytes: power of two and a multiple of the page size (kernel rule). */
#ifndef PCN_LOG_RING_SIZE
#define PCN_LOG_RING_SIZE (64 * 1024)
#endif
#ifndef PCN_PKTIN_RING_SIZE
#define PCN_PKTIN_RING_SIZE (256 * 1024)
#endif

/* Per-packet metadata (packed, 26 bytes, the layout of Polycube's pkt_metadata and PacketIn).
 * Host byte order everywhere. */
struct pkt_metadata {
	__u16 cube_id;       /* = CUBE_ID (deprecated in Polycube, kept for the packet-in record) */
	__u16 in_port;       /* port id the frame arrived on */
	__u32 packet_len;    /* frame length in bytes */
	__u32 traffic_class; /* TC: skb->mark in and out; XDP: 0 */
	__u16 reason;        /* packet-in reason; pcn_pkt_redirect also parks the out port here (as TC Polycube) */
	__u32 md[3];         /* extra words for the controller (pcn_pkt_controller_with_metadata) */
} __attribute__((packed));

/* Log record on pcn_log_ring. type 0 = text; args are raw 64-bit values (an IPv4 address or port
 * is passed as loaded from the packet, i.e. network byte order in its low bytes); fmt is the
 * NUL-terminated format string, len bytes long (len includes the NUL). */
struct pcn_log_record {
	__u16 type;  /* 0 = text */
	__u16 id;    /* CUBE_ID */
	__u16 level; /* LOG_* */
	__u16 len;   /* bytes of fmt used, including the NUL */
	__u64 args[4];
	char fmt[PCN_LOG_FMT_MAX];
};

/* Packet-in record on pcn_pktin_ring: metadata, then the captured bytes. */
struct pcn_pktin_record {
	struct pkt_metadata md; /* md.packet_len = full frame length */
	__u16 captured_len;     /* bytes valid in data[] = min(packet_len, PCN_PKTIN_MAX) */
	__u8 data[PCN_PKTIN_MAX];
} __attribute__((packed));

/* Value of pcn_port_peer (TC only): the port's netdev is a veth whose peer lives in another network
 * namespace, so a frame addressed to the peer's MAC can be handed straight to the peer's ingress
 * (bpf_redirect_peer) instead of being transmitted on the veth and queued again on the far side.
 * on = 0: always the plain redirect. */
struct pcn_port_peer {
	__u8 mac[6]; /* the peer's MAC address */
	__u16 on;    /* 1 = frames to mac take the peer shortcut */
};

/* Slots of pcn_runtime_stats (per-CPU u64 counters kept by the runtime, not by the cube). */
enum {
	PCN_STAT_UNKNOWN_IFINDEX = 0, /* frame on a netdev not in pcn_ifindex_to_port: dropped (TC egress: passed) */
	PCN_STAT_NOT_CONNECTED = 1,   /* redirect to a port with no peer netdev: dropped */
	PCN_STAT_BAD_VERDICT = 2,     /* handle_rx returned RX_RECIRCULATE, RX_ERROR or garbage: dropped */
	PCN_STAT_LOG_LOST = 3,        /* pcn_log record not written: ring full */
	PCN_STAT_PKTIN_LOST = 4,      /* packet-in record not written: ring full or copy failed */
	PCN_STAT_MAX = 5,
};

/* Record of the last verdict, kept only when built with -DPCN_TEST_TRACE=1 (tests read it,
 * because XDP's BPF_PROG_TEST_RUN does not report where a frame was redirected). */
#define PCN_TRACE_PORTS 16
struct pcn_test_trace {
	__u32 seq;          /* frames seen on this CPU since the map was reset */
	__u32 rx_code;      /* handle_rx return value of the last frame */
	__u32 out_port;     /* last redirect port, 0xffffffff when the last frame was not redirected */
	__u32 out_ifindex;  /* ifindex looked up for it (0 = not connected) */
	__u32 pktin_reason; /* reason of the last packet-in, 0xffffffff if none */
	__u32 pktin_count;  /* packet-ins since reset */
	__u64 redirects[PCN_TRACE_PORTS]; /* redirect count per out port id (ids >= 16 not counted) */
};

#endif /* PCN_API_H */
