/* layout_check.c — never loaded: compiled only so its BTF describes every struct that crosses
 * the kernel boundary and every constant the TS side mirrors (enum layout_constants, names
 * prefixed LAYOUT_). test/unit/lbrp/dataplane/map-layouts.test.ts reads the BTF with bpftool and
 * compares it with src/lbrp/dataplane/map-layouts.ts (the alignchecker idea from Cilium).
 */
#include <linux/types.h>
#include "../runtime/pcn_api.h"
#include "lbrp_consts.h"
#include "lbrp_structs.h"

struct service_key layout_service_key;
struct service_value layout_service_value;
struct backend_value layout_backend_value;
struct flow_key layout_flow_key;
struct conntrack_value layout_conntrack_value;
struct reverse_nat_value layout_reverse_nat_value;
struct session_entry layout_session_entry;
struct session_bucket layout_session_bucket;
struct backend_vip_key layout_backend_vip_key;
struct backend_vip_value layout_backend_vip_value;
struct src_rewrite_key layout_src_rewrite_key;
struct src_rewrite_value layout_src_rewrite_value;
struct lbrp_counters layout_lbrp_counters;
struct pkt_metadata layout_pkt_metadata;
struct pcn_log_record layout_pcn_log_record;
struct pcn_pktin_record layout_pcn_pktin_record;
struct pcn_test_trace layout_pcn_test_trace;
struct pcn_port_peer layout_pcn_port_peer;

enum layout_constants {
	LAYOUT_F_BACKEND_ACTIVE = F_BACKEND_ACTIVE,
	LAYOUT_F_BACKEND_UNIQUE = F_BACKEND_UNIQUE,
	LAYOUT_F_CT_SRC_REWRITTEN = F_CT_SRC_REWRITTEN,
	LAYOUT_FROM_FRONTEND = FROM_FRONTEND,
	LAYOUT_FROM_BACKEND = FROM_BACKEND,
	LAYOUT_REASON_ARP_REPLY = REASON_ARP_REPLY,
	LAYOUT_REASON_FLOODING = REASON_FLOODING,
	LAYOUT_DROP_UNKNOWN_PORT = DROP_UNKNOWN_PORT,
	LAYOUT_DROP_NO_BACKEND_PORT = DROP_NO_BACKEND_PORT,
	LAYOUT_DROP_NO_FRONTEND_PORT = DROP_NO_FRONTEND_PORT,
	LAYOUT_DROP_NO_FRONTEND_FOR_IP = DROP_NO_FRONTEND_FOR_IP,
	LAYOUT_DROP_L2_TRUNCATED = DROP_L2_TRUNCATED,
	LAYOUT_DROP_BAD_IP_HEADER = DROP_BAD_IP_HEADER,
	LAYOUT_DROP_L4_TRUNCATED = DROP_L4_TRUNCATED,
	LAYOUT_DROP_FRAGMENT = DROP_FRAGMENT,
	LAYOUT_DROP_NO_BACKEND = DROP_NO_BACKEND,
	LAYOUT_DROP_BACKEND_INACTIVE = DROP_BACKEND_INACTIVE,
	LAYOUT_DROP_SESSION_CREATE = DROP_SESSION_CREATE,
	LAYOUT_DROP_BAD_ARP = DROP_BAD_ARP,
	LAYOUT_DROP_ARP_REPLY_PUNTED = DROP_ARP_REPLY_PUNTED,
	LAYOUT_DROP_FLOOD_PUNTED = DROP_FLOOD_PUNTED,
	LAYOUT_DROP_CSUM_FAILED = DROP_CSUM_FAILED,
	LAYOUT_DROP_MAX = DROP_MAX,
	LAYOUT_STAT_PACKETS = STAT_PACKETS,
	LAYOUT_STAT_BYTES = STAT_BYTES,
	LAYOUT_STAT_NEW_SESSIONS = STAT_NEW_SESSIONS,
	LAYOUT_STAT_MAX = STAT_MAX,
	LAYOUT_MAX_SERVICES = MAX_SERVICES,
	LAYOUT_MAX_VIPS = MAX_VIPS,
	LAYOUT_MAX_SESSIONS = MAX_SESSIONS,
	LAYOUT_MAX_BACKENDS = MAX_BACKENDS,
	LAYOUT_MAX_MAGLEV_SLOTS = MAX_MAGLEV_SLOTS,
	LAYOUT_MAX_FRONTENDS = MAX_FRONTENDS,
	LAYOUT_MAX_SRC_REWRITES = MAX_SRC_REWRITES,
	LAYOUT_SESSION_WAYS = SESSION_WAYS,
	LAYOUT_SESSION_FORWARD = SESSION_FORWARD,
	LAYOUT_SESSION_REVERSE = SESSION_REVERSE,
	LAYOUT_RX_OK = RX_OK,
	LAYOUT_RX_REDIRECT = RX_REDIRECT,
	LAYOUT_RX_DROP = RX_DROP,
	LAYOUT_RX_RECIRCULATE = RX_RECIRCULATE,
	LAYOUT_RX_ERROR = RX_ERROR,
	LAYOUT_LOG_TRACE = LOG_TRACE,
	LAYOUT_LOG_OFF = LOG_OFF,
	LAYOUT_PCN_MAX_PORTS = PCN_MAX_PORTS,
	LAYOUT_PCN_PKTIN_MAX = PCN_PKTIN_MAX,
	LAYOUT_PCN_LOG_FMT_MAX = PCN_LOG_FMT_MAX,
	LAYOUT_PCN_TRACE_PORTS = PCN_TRACE_PORTS,
	LAYOUT_PCN_STAT_UNKNOWN_IFINDEX = PCN_STAT_UNKNOWN_IFINDEX,
	LAYOUT_PCN_STAT_NOT_CONNECTED = PCN_STAT_NOT_CONNECTED,
	LAYOUT_PCN_STAT_BAD_VERDICT = PCN_STAT_BAD_VERDICT,
	LAYOUT_PCN_STAT_LOG_LOST = PCN_STAT_LOG_LOST,
	LAYOUT_PCN_STAT_PKTIN_LOST = PCN_STAT_PKTIN_LOST,
	LAYOUT_PCN_STAT_MAX = PCN_STAT_MAX,
} layout_constants;
