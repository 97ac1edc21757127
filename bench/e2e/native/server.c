/* server.c — one backend of the end-to-end bench (bench/e2e): a single-threaded epoll HTTP/1.1
 * server (fixed 2-byte body; keep-alive, or close after the response when the request says
 * "Connection: close") and a UDP sink, in one process per backend namespace. Counters (UDP
 * datagrams, HTTP responses) live in a small shared file that the load generator maps and reads.
 *
 *   server -p <http port> -u <udp port> -c <counter file>
 *
 * Built by the bench with `gcc -O2`; it exits when its parent dies (PR_SET_PDEATHSIG). */
#define _GNU_SOURCE
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
#include <sys/socket.h>
#include <unistd.h>

#define MAX_EVENTS 256
#define CONN_BUF 4096
#define UDP_BATCH 64
/* Counter slots in the shared file (u64 each, host order). */
#define CNT_UDP 0
#define CNT_HTTP 1
#define CNT_SLOTS 4

static const char RESP_KEEP[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok";
static const char RESP_CLOSE[] =
	"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nok";

struct conn {
	int fd;
	size_t len;
	char buf[CONN_BUF];
};

static volatile uint64_t *counters;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int listen_on(int type, int port)
{
	int one = 1;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = INADDR_ANY };
	int fd = socket(AF_INET, type | SOCK_NONBLOCK, 0);

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	if (type == SOCK_STREAM && listen(fd, 4096) < 0)
		die("listen");
	if (type == SOCK_DGRAM) {
		int size = 8 << 20; /* room for a burst while the sink is descheduled */
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	}
	return fd;
}

static void map_counters(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT, 0600);

	if (fd < 0 || ftruncate(fd, CNT_SLOTS * sizeof(uint64_t)) < 0)
		die("counter file");
	counters = mmap(NULL, CNT_SLOTS * sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (counters == MAP_FAILED)
		die("mmap");
	close(fd);
}

static void drain_udp(int fd)
{
	static char bufs[UDP_BATCH][2048];
	struct mmsghdr msgs[UDP_BATCH];
	struct iovec iov[UDP_BATCH];

	for (int i = 0; i < UDP_BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		memset(&msgs[i].msg_hdr, 0, sizeof(msgs[i].msg_hdr));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	for (;;) {
		int n = recvmmsg(fd, msgs, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		counters[CNT_UDP] += (uint64_t)n;
	}
}

static void close_conn(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c);
}

/* Answers every complete request in the buffer; returns 0 to keep the connection, -1 to close. */
static int serve(struct conn *c)
{
	char *start = c->buf;
	char *end;

	c->buf[c->len] = '\0';
	while ((end = strstr(start, "\r\n\r\n")) != NULL) {
		int close_after = memmem(start, (size_t)(end - start), "Connection: close", 17) != NULL;
		const char *resp = close_after ? RESP_CLOSE : RESP_KEEP;
		size_t rlen = close_after ? sizeof(RESP_CLOSE) - 1 : sizeof(RESP_KEEP) - 1;

		/* Responses are tiny: a fresh or idle socket always has room for them. */
		if (write(c->fd, resp, rlen) != (ssize_t)rlen)
			return -1;
		counters[CNT_HTTP]++;
		if (close_after)
			return -1;
		start = end + 4;
	}
	c->len -= (size_t)(start - c->buf);
	memmove(c->buf, start, c->len);
	return c->len < CONN_BUF - 1 ? 0 : -1;
}

static void on_readable(int ep, struct conn *c)
{
	ssize_t n = read(c->fd, c->buf + c->len, CONN_BUF - 1 - c->len);

	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		close_conn(ep, c);
		return;
	}
	c->len += (size_t)n;
	if (serve(c) < 0)
		close_conn(ep, c);
}

static void accept_all(int ep, int lfd)
{
	for (;;) {
		int one = 1;
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
		struct conn *c;
		struct epoll_event ev = { .events = EPOLLIN };

		if (fd < 0)
			return;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c = calloc(1, sizeof(*c));
		if (!c)
			die("calloc");
		c->fd = fd;
		ev.data.ptr = c;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			free(c);
		}
	}
}

int main(int argc, char **argv)
{
	int http_port = 80, udp_port = 9000, opt;
	const char *counter_path = NULL;
	struct epoll_event ev, events[MAX_EVENTS];
	int ep, lfd, ufd;
	/* Distinct non-NULL tags for the two listening sockets in epoll data. */
	static char tag_listen, tag_udp;

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGPIPE, SIG_IGN);
	while ((opt = getopt(argc, argv, "p:u:c:")) != -1) {
		if (opt == 'p')
			http_port = atoi(optarg);
		else if (opt == 'u')
			udp_port = atoi(optarg);
		else if (opt == 'c')
			counter_path = optarg;
		else
			return 2;
	}
	if (!counter_path) {
		fprintf(stderr, "usage: server -p port -u port -c counter-file\n");
		return 2;
	}
	map_counters(counter_path);
	lfd = listen_on(SOCK_STREAM, http_port);
	ufd = listen_on(SOCK_DGRAM, udp_port);
	ep = epoll_create1(0);
	ev.events = EPOLLIN;
	ev.data.ptr = &tag_listen;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	ev.data.ptr = &tag_udp;
	epoll_ctl(ep, EPOLL_CTL_ADD, ufd, &ev);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int n = epoll_wait(ep, events, MAX_EVENTS, -1);
		for (int i = 0; i < n; i++) {
			void *p = events[i].data.ptr;
			if (p == &tag_listen)
				accept_all(ep, lfd);
			else if (p == &tag_udp)
				drain_udp(ufd);
			else
				on_readable(ep, p);
		}
	}
}
