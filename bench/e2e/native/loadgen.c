/* loadgen.c — the client side of the end-to-end bench (bench/e2e), one single-threaded epoll
 * process that prints one JSON line:
 *
 *   loadgen http -t ip:port[,ip:port…] -c conns -w warmup_ms -d duration_ms [-k] [-b source ip]
 *     HTTP GETs; a new TCP connection per request (default: the server closes after the response,
 *     the client waits for that FIN, so TIME_WAIT stays on the servers) or keep-alive (-k).
 *     Latency: new connection = connect() → whole response; keep-alive = request → response.
 *   loadgen udp -t ip:port[,…] -f flows -l payload -w warmup_ms -d duration_ms -r cnt[,cnt…] [-b ip]
 *     small datagrams from `flows` sockets (one source port each) as fast as sendmmsg goes;
 *     received counts come from the sinks' counter files (server.c), read at the window edges.
 *
 * Targets are used round-robin (new connection / flow). Only completions inside the measured
 * window count towards rates and percentiles; "total" fields cover the whole run (for CPU cost). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_TARGETS 16
#define MAX_SINKS 16
#define MAX_CONNS 4096
#define MAX_FLOWS 256
#define UDP_BATCH 32
/* Latency histogram: 1 µs buckets up to 1 s, then one overflow bucket. */
#define HIST_US 1000000
#define CONN_BUF 1024

enum state { CONNECTING, READING, DRAINING };

struct conn {
	int fd;
	enum state st;
	uint64_t t0;
	size_t len;
	char buf[CONN_BUF];
};

static struct sockaddr_in targets[MAX_TARGETS];
static struct sockaddr_in source; /* -b: source address (port 0), or sin_family 0 for any */
static int ntargets, next_target;
static uint32_t hist[HIST_US + 1];
static uint64_t window_start, window_end;
static uint64_t done_window, done_total, errors;
static int keepalive;
static const char REQ_CLOSE[] = "GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n";
static const char REQ_KEEP[] = "GET / HTTP/1.1\r\nHost: bench\r\n\r\n";

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void parse_targets(char *list)
{
	for (char *tok = strtok(list, ","); tok && ntargets < MAX_TARGETS; tok = strtok(NULL, ",")) {
		char *colon = strchr(tok, ':');
		struct sockaddr_in *sa = &targets[ntargets++];
		if (!colon)
			die("target needs ip:port");
		*colon = '\0';
		sa->sin_family = AF_INET;
		sa->sin_port = htons((uint16_t)atoi(colon + 1));
		if (inet_pton(AF_INET, tok, &sa->sin_addr) != 1)
			die("target address");
	}
}

static double percentile(double q)
{
	uint64_t want, seen = 0;

	if (!done_window)
		return 0;
	want = (uint64_t)(q * (double)done_window);
	if (want >= done_window)
		want = done_window - 1;
	for (int i = 0; i <= HIST_US; i++) {
		seen += hist[i];
		if (seen > want)
			return i;
	}
	return HIST_US;
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

/* Binds `fd` to the -b address; the port is still chosen by connect() over the whole 4-tuple. */
static void bind_source(int fd)
{
	int one = 1;

	if (!source.sin_family)
		return;
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&source, sizeof(source)) < 0)
		die("bind source");
}

/* ---- HTTP ---------------------------------------------------------------------------------- */

static void start_conn(int ep, struct conn *c)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };
	int one = 1;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		die("socket");
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	bind_source(c->fd);
	c->st = CONNECTING;
	c->len = 0;
	c->t0 = now_ns();
	if (connect(c->fd, (struct sockaddr *)&targets[next_target], sizeof(targets[0])) < 0 &&
	    errno != EINPROGRESS) {
		errors++;
	}
	next_target = (next_target + 1) % ntargets;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
		die("epoll_ctl");
}

static void restart_conn(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	start_conn(ep, c);
}

static int send_request(struct conn *c)
{
	const char *req = keepalive ? REQ_KEEP : REQ_CLOSE;
	size_t len = keepalive ? sizeof(REQ_KEEP) - 1 : sizeof(REQ_CLOSE) - 1;
	return write(c->fd, req, len) == (ssize_t)len ? 0 : -1;
}

static void record(uint64_t t0, uint64_t t1)
{
	uint64_t us = (t1 - t0) / 1000;
	done_total++;
	if (t1 < window_start || t1 > window_end)
		return;
	done_window++;
	hist[us > HIST_US ? HIST_US : us]++;
}

/* Returns 1 when the buffer holds a whole response (headers + Content-Length body). */
static int response_complete(struct conn *c)
{
	char *hdr_end, *cl;

	c->buf[c->len] = '\0';
	hdr_end = strstr(c->buf, "\r\n\r\n");
	if (!hdr_end)
		return 0;
	cl = strstr(c->buf, "Content-Length:");
	return c->len >= (size_t)(hdr_end + 4 - c->buf) + (size_t)(cl ? atoi(cl + 15) : 0);
}

static void on_event(int ep, struct conn *c, uint32_t events)
{
	if (c->st == CONNECTING) {
		int err = 0;
		socklen_t len = sizeof(err);
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err || (events & (EPOLLERR | EPOLLHUP)) || send_request(c) < 0) {
			errors++;
			restart_conn(ep, c);
			return;
		}
		c->st = READING;
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
		return;
	}
	ssize_t n = read(c->fd, c->buf + c->len, CONN_BUF - 1 - c->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (c->st == DRAINING) {
		if (n > 0) {
			c->len = 0; /* only the server's FIN matters now */
			return;
		}
		restart_conn(ep, c);
		return;
	}
	if (n <= 0) {
		errors++;
		restart_conn(ep, c);
		return;
	}
	c->len += (size_t)n;
	if (!response_complete(c)) {
		if (c->len >= CONN_BUF - 1) {
			errors++;
			restart_conn(ep, c);
		}
		return;
	}
	uint64_t t1 = now_ns();
	record(c->t0, t1);
	c->len = 0;
	if (keepalive) {
		c->t0 = t1;
		if (send_request(c) < 0) {
			errors++;
			restart_conn(ep, c);
		}
	} else {
		c->st = DRAINING;
	}
}

static int run_http(int conns, uint64_t warm_ns, uint64_t dur_ns)
{
	static struct conn pool[MAX_CONNS];
	struct epoll_event events[256];
	int ep = epoll_create1(0);
	uint64_t t_start = now_ns();
	double cpu0 = cpu_seconds();

	window_start = t_start + warm_ns;
	window_end = window_start + dur_ns;
	for (int i = 0; i < conns; i++)
		start_conn(ep, &pool[i]);
	while (now_ns() < window_end) {
		int n = epoll_wait(ep, events, 256, 10);
		for (int i = 0; i < n; i++)
			on_event(ep, events[i].data.ptr, events[i].events);
	}
	printf("{\"mode\":\"%s\",\"requests\":%llu,\"total\":%llu,\"errors\":%llu,\"window_s\":%.6f,"
	       "\"p50_us\":%.0f,\"p99_us\":%.0f,\"cpu_s\":%.6f}\n",
	       keepalive ? "keepalive" : "close", (unsigned long long)done_window, (unsigned long long)done_total,
	       (unsigned long long)errors, (double)dur_ns / 1e9, percentile(0.50), percentile(0.99),
	       cpu_seconds() - cpu0);
	return 0;
}

/* ---- UDP ----------------------------------------------------------------------------------- */

static volatile uint64_t *sinks[MAX_SINKS];
static int nsinks;

static void map_sinks(char *list)
{
	for (char *tok = strtok(list, ","); tok && nsinks < MAX_SINKS; tok = strtok(NULL, ",")) {
		int fd = open(tok, O_RDONLY);
		void *p;
		if (fd < 0)
			die(tok);
		p = mmap(NULL, 4 * sizeof(uint64_t), PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			die("mmap");
		close(fd);
		sinks[nsinks++] = p;
	}
}

static uint64_t received(void)
{
	uint64_t sum = 0;
	for (int i = 0; i < nsinks; i++)
		sum += sinks[i][0];
	return sum;
}

static int run_udp(int flows, int payload, uint64_t warm_ns, uint64_t dur_ns)
{
	static char data[1500];
	struct mmsghdr msgs[UDP_BATCH];
	struct iovec iov = { .iov_base = data, .iov_len = (size_t)payload };
	int fds[MAX_FLOWS];
	uint64_t sent_total = 0, sent_at_start = 0, sent_at_end = 0;
	uint64_t recv0, recv_w0 = 0, recv_w1 = 0;
	int in_window = 0;
	unsigned iter = 0;
	double cpu0 = cpu_seconds();

	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < UDP_BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	for (int i = 0; i < flows; i++) {
		fds[i] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		if (fds[i] >= 0)
			bind_source(fds[i]);
		if (fds[i] < 0 || connect(fds[i], (struct sockaddr *)&targets[i % ntargets], sizeof(targets[0])) < 0)
			die("udp socket");
	}
	recv0 = received();
	uint64_t t_start = now_ns();
	window_start = t_start + warm_ns;
	window_end = window_start + dur_ns;
	for (int f = 0;; f = (f + 1) % flows) {
		int n = sendmmsg(fds[f], msgs, UDP_BATCH, MSG_DONTWAIT);
		if (n > 0)
			sent_total += (uint64_t)n;
		if (++iter & 31)
			continue; /* read the clock every 32 batches (≤ 1k datagrams) */
		uint64_t t = now_ns();
		if (!in_window && t >= window_start) {
			in_window = 1;
			sent_at_start = sent_total;
			recv_w0 = received();
		}
		if (t >= window_end) {
			sent_at_end = sent_total;
			recv_w1 = received();
			break;
		}
	}
	usleep(200000); /* let queued datagrams reach the sinks before the final count */
	uint64_t recv_end = received();
	printf("{\"mode\":\"udp\",\"sent_window\":%llu,\"recv_window\":%llu,\"sent_total\":%llu,\"recv_total\":%llu,"
	       "\"window_s\":%.6f,\"cpu_s\":%.6f}\n",
	       (unsigned long long)(sent_at_end - sent_at_start), (unsigned long long)(recv_w1 - recv_w0),
	       (unsigned long long)sent_total, (unsigned long long)(recv_end - recv0), (double)dur_ns / 1e9,
	       cpu_seconds() - cpu0);
	return 0;
}

int main(int argc, char **argv)
{
	int conns = 32, flows = 16, payload = 18, opt;
	uint64_t warm_ms = 500, dur_ms = 2000;
	char *sink_list = NULL, *target_list = NULL;
	const char *mode = argc > 1 ? argv[1] : "";

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGPIPE, SIG_IGN);
	optind = 2;
	while ((opt = getopt(argc, argv, "t:c:w:d:kf:l:r:b:")) != -1) {
		switch (opt) {
		case 'b':
			source.sin_family = AF_INET;
			if (inet_pton(AF_INET, optarg, &source.sin_addr) != 1)
				die("source address");
			break;
		case 't': target_list = optarg; break;
		case 'c': conns = atoi(optarg); break;
		case 'w': warm_ms = strtoull(optarg, NULL, 10); break;
		case 'd': dur_ms = strtoull(optarg, NULL, 10); break;
		case 'k': keepalive = 1; break;
		case 'f': flows = atoi(optarg); break;
		case 'l': payload = atoi(optarg); break;
		case 'r': sink_list = optarg; break;
		default: return 2;
		}
	}
	if (!target_list || conns < 1 || conns > MAX_CONNS || flows < 1 || flows > MAX_FLOWS || payload < 1 ||
	    payload > 1400) {
		fprintf(stderr, "usage: loadgen http|udp -t ip:port[,…] [-c conns] [-k] [-f flows] [-l bytes] "
				"[-r counter files] [-b source] -w ms -d ms\n");
		return 2;
	}
	parse_targets(target_list);
	if (strcmp(mode, "http") == 0)
		return run_http(conns, warm_ms * 1000000ull, dur_ms * 1000000ull);
	if (strcmp(mode, "udp") == 0 && sink_list) {
		map_sinks(sink_list);
		return run_udp(flows, payload, warm_ms * 1000000ull, dur_ms * 1000000ull);
	}
	fprintf(stderr, "loadgen: unknown mode or missing -r for udp\n");
	return 2;
}
