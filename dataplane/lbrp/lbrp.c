/* lbrp.c — the lbrp dataplane: handle_rx for the Polycube runtime (TC or XDP, SINGLE or MULTI,
 * or ROUTED on TC with handle_tx at egress, chosen with -D, see lbrp_consts.h). Each stage
 * returns an RX_* verdict, a DROP_* reason or CONTINUE; handle_rx reads as the list of stages and
 * sends every drop through drop().
 */
/* ROUTED reverse-NATs replies where they leave the host: the runtime's TC egress entry point. */
#if defined(ROUTED_MODE) && ROUTED_MODE && !defined(PCN_TC_EGRESS)
#define PCN_TC_EGRESS 1
#endif
#include "../runtime/pcn.h"
#include "lbrp_consts.h"
#include "lbrp_structs.h"
#include "lbrp_maps.h"
#include "parse.h"
#include "stats.h"
#include "select.h"
#include "session.h"
#include "nat.h"
#include "ports.h"
#include "arp.h"
#include "icmp_error.h"
#include "frag.h"
#include "probe.h"

/* Client → VIP service: same backend as the session's, or a new Maglev choice; DNAT (and
 * src-ip-rewrite), then out of the BACKEND port. CONTINUE when no service matches. */
static __always_inline int client_to_service(struct CTXTYPE *ctx, struct pkt_metadata *md, const struct pkt_desc *p,
					     const struct session_config *cfg)
{
	struct service_value *hit = lookup_service(p), svc;
	struct conntrack_value ct;
	struct nat4 n;
	__u32 is_new;
	int rc;

	if (!hit)
		return CONTINUE;
	svc = *hit;
	if (svc.table_size == 0) {
		/* A service without backends: forwarded untranslated (as Polycube; ROUTED: to the stack). */
		account(&service_stats, svc.service_id, md->packet_len, 0);
		frag_record(p, FRAG_FROM_CLIENT, p->saddr, p->daddr, svc.service_id, FRAG_NO_ID);
		return to_backend_untranslated(ctx, md);
	}
	rc = session_for_client(p, &svc, cfg, &ct, &is_new);
	if (rc != CONTINUE)
		return rc;
	n.saddr = ct.nat_saddr;
	n.daddr = ct.backend_ip;
	n.sport = p->sport;
	n.dport = ct.backend_port;
	/* Before the rewrite: frag_record reads only *p and n, and nothing stays live across the
	 * rewrite's helper calls. */
	frag_record(p, FRAG_FROM_CLIENT, n.saddr, n.daddr, ct.service_id, ct.backend_id);
	rc = lb4_rewrite(ctx, p, &n);
	if (rc != CONTINUE)
		return rc;
	account(&service_stats, ct.service_id, md->packet_len, is_new);
	account(&backend_stats, ct.backend_id, md->packet_len, is_new);
	if (is_new)
		pcn_log(ctx, LOG_DEBUG, "new session to %I:%P via backend %I", p->daddr, p->dport, ct.backend_ip);
	else
		pcn_log(ctx, LOG_TRACE, "session hit: %A via backend %A", pcn_addr_port(p->daddr, p->dport),
			pcn_addr_port(ct.backend_ip, ct.backend_port));
	return to_backend(ctx, md);
}

/* Backend → client of a session (found through backend_to_vip and conntrack, or reverse_nat), or
 * of a flow without one from a backend address that serves one service (stateless): SNAT back to
 * vip:vport and the client's original address. */
static __always_inline int backend_to_client(struct CTXTYPE *ctx, struct pkt_metadata *md, const struct pkt_desc *p,
					     const struct session_config *cfg)
{
	struct reverse_nat_value rv;
	struct nat4 n;
	int rc;

	if (!session_for_reply(p, cfg, &rv))
		return CONTINUE;
	n.saddr = rv.vip;
	n.daddr = rv.client_ip;
	n.sport = rv.vport;
	n.dport = p->dport;
	frag_record(p, FRAG_FROM_BACKEND, n.saddr, n.daddr, rv.service_id, rv.backend_id);
	rc = lb4_rewrite(ctx, p, &n);
	if (rc != CONTINUE)
		return rc;
	account(&service_stats, rv.service_id, md->packet_len, 0);
	account(&backend_stats, rv.backend_id, md->packet_len, 0);
	pcn_log(ctx, LOG_TRACE, "reply: from %A to client %A", pcn_addr_port(rv.vip, rv.vport),
		pcn_addr_port(rv.client_ip, p->dport));
	return to_frontend(ctx, md, rv.client_ip);
}

/* Backend-side traffic without a session: a destination in the src-ip-rewrite new range is
 * mapped back to the client range; then to the client side. */
static __always_inline int backend_untranslated(struct CTXTYPE *ctx, struct pkt_metadata *md, const struct pkt_desc *p)
{
	struct nat4 n;
	int rc;

	if (!src_rewrite_lookup(p->daddr, FROM_BACKEND, &n.daddr)) {
		frag_record_untranslated(p, p->daddr);
		return to_frontend(ctx, md, p->daddr);
	}
	frag_record_untranslated(p, n.daddr);
	n.saddr = p->saddr;
	n.sport = p->sport;
	n.dport = p->dport;
	rc = lb4_rewrite(ctx, p, &n);
	if (rc != CONTINUE)
		return rc;
	return to_frontend(ctx, md, n.daddr);
}

/* A client's IPv4 packet, every mode: ICMP errors about sessions, fragments, then the service
 * lookup and its session (DNAT). CONTINUE when the packet is to go on to the backends (translated
 * or not); otherwise the verdict the caller returns. */
static __always_inline int client_ipv4_stages(struct CTXTYPE *ctx, struct pkt_metadata *md, struct pkt_desc *p)
{
	const struct session_config *cfg;
	int rc;

	cfg = session_config_get();
	if (!cfg) /* an array's key 0: never */
		return DROP_SESSION_CREATE;
	rc = icmp_error_from_frontend(ctx, md, p, cfg);
	if (rc != CONTINUE)
		return rc;
	rc = icmp_error_quoting_fragment(p, 0);
	if (rc != CONTINUE)
		return rc;
	rc = fragment_from_client(ctx, md, p);
	if (rc != CONTINUE)
		return rc;
	return client_to_service(ctx, md, p, cfg);
}

#if !ROUTED_MODE
/* Non-IP from the backend: SINGLE → the FRONTEND port; MULTI → flooded to every FRONTEND by the
 * slow path (packet-in REASON_FLOODING), and dropped here. */
static __always_inline int non_ip_from_backend(struct CTXTYPE *ctx, struct pkt_metadata *md)
{
#if SINGLE_PORT_MODE
	return to_frontend(ctx, md, 0);
#else
	pcn_pkt_controller(ctx, md, REASON_FLOODING);
	return DROP_FLOOD_PUNTED;
#endif
}

static __always_inline int from_frontend(struct CTXTYPE *ctx, struct pkt_metadata *md, struct pkt_desc *p)
{
	int rc;

	/* Everything from a client leaves through the BACKEND port: without one, drop before any
	 * session is created. */
	if (BACKEND_PORT < 0)
		return DROP_NO_BACKEND_PORT;
	rc = parse_packet(ctx, p);
	if (rc != CONTINUE)
		return rc;
	if (p->kind == PKT_ARP)
		return arp_from_frontend(ctx, md, p);
	if (p->kind != PKT_IPV4)
		return to_backend(ctx, md);
	rc = client_ipv4_stages(ctx, md, p);
	if (rc != CONTINUE)
		return rc;
	return to_backend(ctx, md);
}

#endif

/* IPv4 from the backend side (the BACKEND port; ROUTED: leaving a host interface). */
static __always_inline int from_backend_ipv4(struct CTXTYPE *ctx, struct pkt_metadata *md, struct pkt_desc *p)
{
	const struct session_config *cfg;
	int rc;

	cfg = session_config_get();
	if (!cfg) /* an array's key 0: never */
		return DROP_SESSION_CREATE;
	rc = icmp_error_from_backend(ctx, md, p, cfg);
	if (rc != CONTINUE)
		return rc;
	rc = backend_to_client(ctx, md, p, cfg);
	if (rc != CONTINUE)
		return rc;
	/* After the replies, which never match a later fragment or an error quoting one (no ports):
	 * their path does not test for them. */
	rc = icmp_error_quoting_fragment(p, 1);
	if (rc != CONTINUE)
		return rc;
	rc = fragment_from_backend(ctx, md, p);
	if (rc != CONTINUE)
		return rc;
	return backend_untranslated(ctx, md, p);
}

#if !ROUTED_MODE
static __always_inline int from_backend(struct CTXTYPE *ctx, struct pkt_metadata *md, struct pkt_desc *p)
{
	int rc = parse_packet(ctx, p);

	if (rc != CONTINUE)
		return rc;
	rc = probe_reply_from_backend(ctx, md, p);
	if (rc != CONTINUE)
		return rc;
	if (p->kind == PKT_ARP)
		return arp_from_backend(ctx, md, p);
	if (p->kind != PKT_IPV4)
		return non_ip_from_backend(ctx, md);
	return from_backend_ipv4(ctx, md, p);
}
#endif

/* The TRACE line of every frame: its port and, once parsed, its protocol, addresses and ports
 * (zeros for a frame that is not IPv4), as it arrived; the lines of the decision follow it, and a
 * drop's DEBUG line names the reason. Compiled in only at those levels. Then the drop is counted. */
static __always_inline int verdict(struct CTXTYPE *ctx, struct pkt_metadata *md, const struct pkt_desc *p, int rc,
				   int egress)
{
	if (egress)
		pcn_log(ctx, LOG_TRACE, "tx port %u proto %u: %A > %A", md->in_port, p->proto,
			pcn_addr_port(p->saddr, p->sport), pcn_addr_port(p->daddr, p->dport));
	else
		pcn_log(ctx, LOG_TRACE, "rx port %u proto %u: %A > %A", md->in_port, p->proto,
			pcn_addr_port(p->saddr, p->sport), pcn_addr_port(p->daddr, p->dport));
#if LOG_LEVEL <= LOG_DEBUG
	if (rc < 0)
		drop_log(ctx, rc, md->in_port);
#endif
	return rc < 0 ? drop(ctx, rc) : rc;
}

#if ROUTED_MODE
/* ROUTED, TC ingress of a host interface: client packets to a service (and ICMP errors and later
 * fragments of its sessions) are DNATed and sent on by the host's routes (to_backend →
 * routed_forward); everything else (the host's own traffic, transit, ARP, non-IP, replies that
 * pass through) goes up the stack untouched. */
static __always_inline int routed_from_frontend(struct CTXTYPE *ctx, struct pkt_metadata *md, struct pkt_desc *p)
{
	int rc;

	/* A frame the parser refuses is the stack's to judge (it checks headers again). */
	if (parse_packet(ctx, p) != CONTINUE || p->kind != PKT_IPV4)
		return RX_OK;
	rc = client_ipv4_stages(ctx, md, p);
	if (rc != CONTINUE)
		return rc;
	return RX_OK;
}

/* ROUTED, TC egress of a host interface: replies of sessions (from backends behind any link, or
 * on the host itself) leave reverse-NATed; the rest as from the BACKEND port in the other modes
 * (src-ip-rewrite mapped back, untracked later fragments of backends dropped), then out. */
static __always_inline int handle_tx(struct CTXTYPE *ctx, struct pkt_metadata *md)
{
	struct pkt_desc p = {};
	int rc;

	/* The host's own frames the parser refuses leave as they are. */
	if (parse_packet(ctx, &p) != CONTINUE || p.kind != PKT_IPV4)
		return RX_OK;
	rc = from_backend_ipv4(ctx, md, &p);
	return verdict(ctx, md, &p, rc, 1);
}
#endif

static __always_inline int handle_rx(struct CTXTYPE *ctx, struct pkt_metadata *md)
{
	struct pkt_desc p = {};
	int rc;

#if ROUTED_MODE
	rc = routed_from_frontend(ctx, md, &p);
#else
	if (is_backend_port(md->in_port))
		rc = from_backend(ctx, md, &p);
	else if (is_frontend_port(md->in_port))
		rc = from_frontend(ctx, md, &p);
	else
		rc = DROP_UNKNOWN_PORT;
#endif
	return verdict(ctx, md, &p, rc, 0);
}
