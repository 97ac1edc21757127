/* ports.h — port roles and delivery: which ports are FRONTENDs and which is the BACKEND (from
 * the -D parameters), and where a frame goes: to the BACKEND port, or to the FRONTEND port
 * (SINGLE) / the FRONTEND owning an IP (MULTI, ip_to_frontend_port).
 */
#ifndef LBRP_PORTS_H
#define LBRP_PORTS_H

#include "../runtime/pcn.h"
#include "lbrp_consts.h"
#include "lbrp_maps.h"
#include "routed.h"

static __always_inline int is_backend_port(__u16 port)
{
	return BACKEND_PORT >= 0 && (int)port == BACKEND_PORT;
}

/* SINGLE: the one FRONTEND port. MULTI: every port but the BACKEND (as Polycube). */
static __always_inline int is_frontend_port(__u16 port)
{
#if SINGLE_PORT_MODE
	return FRONTEND_PORT >= 0 && (int)port == FRONTEND_PORT;
#else
	return !is_backend_port(port);
#endif
}

/* Sends the frame out of the BACKEND port (ROUTED: where the host's routes say). */
static __always_inline int to_backend(struct CTXTYPE *ctx, struct pkt_metadata *md)
{
#if ROUTED_MODE
	return routed_forward(ctx, md);
#else
	if (BACKEND_PORT < 0)
		return DROP_NO_BACKEND_PORT;
	return pcn_pkt_redirect(ctx, md, BACKEND_PORT);
#endif
}

/* Client-side traffic that is none of the cube's business: to the BACKEND port, or (ROUTED) on
 * to the host's stack untouched. */
static __always_inline int to_backend_untranslated(struct CTXTYPE *ctx, struct pkt_metadata *md)
{
#if ROUTED_MODE
	(void)ctx;
	(void)md;
	return RX_OK;
#else
	return to_backend(ctx, md);
#endif
}

/* Sends the frame to the client side: SINGLE → the FRONTEND port; MULTI → the FRONTEND port
 * whose IP is dst (be32); ROUTED (TC egress of a FRONTEND interface) → on out of it. */
static __always_inline int to_frontend(struct CTXTYPE *ctx, struct pkt_metadata *md, __be32 dst)
{
#if ROUTED_MODE
	(void)ctx;
	(void)md;
	(void)dst;
	return RX_OK;
#elif SINGLE_PORT_MODE
	(void)dst;
	if (FRONTEND_PORT < 0)
		return DROP_NO_FRONTEND_PORT;
	return pcn_pkt_redirect(ctx, md, FRONTEND_PORT);
#else
	__u16 *port = bpf_map_lookup_elem(&ip_to_frontend_port, &dst);

	if (!port)
		return DROP_NO_FRONTEND_FOR_IP;
	return pcn_pkt_redirect(ctx, md, *port);
#endif
}

#endif /* LBRP_PORTS_H */
