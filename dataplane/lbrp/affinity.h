/* affinity.h — session-affinity CLIENT_IP: every new session of one client address to a service
 * with F_SERVICE_AFFINITY goes to the same backend, as long as the client's affinity entry
 * (affinity map, {service id, client} → {backend id and address, last_seen}) has not been idle
 * longer than the service's timeout (service_affinity[service id], session clock units) and its
 * backend is still active (F_BACKEND_ACTIVE) at the address it was chosen with. Otherwise the
 * session's Maglev choice becomes the client's new affinity. So affinity holds through changes to
 * other backends (the Maglev table is not consulted) and ends when its backend is drained,
 * removed or DOWN (the control plane clears F_BACKEND_ACTIVE for all three).
 *
 * "Idle" counts the client's traffic: a new session, and a packet of any of its sessions to the
 * service on its affinity backend (at most one write per session clock unit).
 *
 * Concurrency: entries are written without locks (an LRU hash update replaces an element whole).
 * Two CPUs creating sessions of one client without an entry at the same instant may choose two
 * backends; the later write wins, and the other connection stays where it went (its conntrack
 * entry holds it). A last_seen refresh racing with a re-pick is lost or overwritten, harmlessly.
 */
#ifndef LBRP_AFFINITY_H
#define LBRP_AFFINITY_H

#include "../runtime/pcn.h"
#include "lbrp_consts.h"
#include "lbrp_structs.h"
#include "lbrp_maps.h"
#include "select.h"
#include "session_table.h"

/* The service's affinity timeout in session clock units (0 = never expires). */
static __always_inline __u32 affinity_timeout(__u32 service_id)
{
	__u32 *t = bpf_map_lookup_elem(&service_affinity, &service_id);

	return t ? *t : 0;
}

/* True when affinity entry a may still be followed at time now: not idle longer than the
 * service's timeout, and its backend active at the address it was chosen with (copied to *be). */
static __always_inline int affinity_usable(const struct affinity_value *a, __u32 service_id, __u32 now,
					   struct backend_value *be)
{
	__u32 id = a->backend_id, t = affinity_timeout(service_id);
	struct backend_value *b;

	if (t != 0 && now - a->last_seen > t)
		return 0;
	b = bpf_map_lookup_elem(&backends, &id);
	if (!b || !(b->flags & F_BACKEND_ACTIVE) || b->ip != a->backend_ip || b->port != a->backend_port)
		return 0;
	*be = *b;
	return 1;
}

/* The backend of a new session of client flow k to affinity service svc (select_backend's
 * contract): the client's affinity backend when usable, else the Maglev choice, recorded as the
 * client's affinity. */
static __always_inline int affinity_select(const struct service_value *svc, const struct flow_key *k,
					   __u32 *backend_id, struct backend_value *be)
{
	struct affinity_key ak = { .service_id = svc->service_id, .client = k->saddr };
	struct affinity_value *a = bpf_map_lookup_elem(&affinity, &ak);
	struct affinity_value v = {};
	__u32 now = session_now();
	int rc;

	if (a && affinity_usable(a, svc->service_id, now, be)) {
		*backend_id = a->backend_id;
		if (a->last_seen != now)
			a->last_seen = now;
		return CONTINUE;
	}
	rc = select_backend(svc, flow_hash(k), backend_id, be);
	if (rc != CONTINUE)
		return rc;
	v.backend_id = *backend_id;
	v.backend_ip = be->ip;
	v.backend_port = be->port;
	v.last_seen = now;
	bpf_map_update_elem(&affinity, &ak, &v, BPF_ANY);
	return CONTINUE;
}

/* A packet of client flow k's session (through backend_id) to affinity service svc at time now:
 * refreshes the client's affinity entry when it names that backend. Called once per session and
 * clock unit (when the session's own last_seen moves). */
static __always_inline void affinity_touch(const struct service_value *svc, const struct flow_key *k,
					   __u32 backend_id, __u32 now)
{
	struct affinity_key ak = { .service_id = svc->service_id, .client = k->saddr };
	struct affinity_value *a = bpf_map_lookup_elem(&affinity, &ak);

	if (a && a->backend_id == backend_id && a->last_seen != now)
		a->last_seen = now;
}

#endif /* LBRP_AFFINITY_H */
