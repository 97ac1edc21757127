/* pcn_log.h — pcn_log(ctx, level, "fmt", args...): Polycube's datapath logging (spec §1.5).
 * Calls below LOG_LEVEL compile to nothing. A record carries the format string and up to four
 * u64 arguments; %I (IPv4, network order), %P (port, network order), %A (address and port: see
 * pcn_addr_port) and %M (MAC) are expanded in user space, so the datapath never formats anything.
 */
#ifndef PCN_LOG_H
#define PCN_LOG_H

#include <bpf/bpf_helpers.h>
#include "pcn_api.h"
#include "pcn_maps.h"

/* Writes one record; fmt must point to a constant string of fmt_len bytes (with the NUL). */
static __always_inline void __pcn_log_submit(__u16 level, const char *fmt, __u32 fmt_len, const __u64 *args)
{
	struct pcn_log_record *r = bpf_ringbuf_reserve(&pcn_log_ring, sizeof(*r), 0);

	if (!r) {
		pcn_count(PCN_STAT_LOG_LOST);
		return;
	}
	r->type = 0;
	r->id = CUBE_ID;
	r->level = level;
	r->len = fmt_len;
	r->args[0] = args[0];
	r->args[1] = args[1];
	r->args[2] = args[2];
	r->args[3] = args[3];
	__builtin_memcpy(r->fmt, fmt, fmt_len);
	bpf_ringbuf_submit(r, 0);
}

/* One %A argument: an IPv4 address and a port, both as loaded from a packet (network order). */
static __always_inline __u64 pcn_addr_port(__be32 addr, __be16 port)
{
	return (__u64)addr | ((__u64)port << 32);
}

/* pcn_log(ctx, LOG_DEBUG, "backend %I:%P", ip, port): at most 4 arguments, fmt a string literal
 * of fewer than PCN_LOG_FMT_MAX bytes. ctx is accepted for Polycube compatibility. */
#define pcn_log(ctx, level, fmt, ...)                                                             \
	do {                                                                                      \
		if ((level) >= LOG_LEVEL && LOG_LEVEL < LOG_OFF) {                                \
			static const char ____fmt[] __attribute__((section(".rodata"))) = fmt;                                      \
			__u64 ____a[5] = { 0, ##__VA_ARGS__ };                                    \
			_Static_assert(sizeof(____fmt) <= PCN_LOG_FMT_MAX, "pcn_log format too long"); \
			(void)(ctx);                                                              \
			__pcn_log_submit((level), ____fmt, sizeof(____fmt), &____a[1]);           \
		}                                                                                 \
	} while (0)

#endif /* PCN_LOG_H */
