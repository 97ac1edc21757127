/* synflood.c — the flood bench's SYN generator: TCP SYNs from random source addresses and ports
 * (inside one prefix that the bench routes to a sink) to one destination, as fast as it can
 * (or at a given rate), for a given time, on a raw AF_PACKET socket of one interface.
 *
 * Frames are prebuilt in batches (Ethernet + IPv4 + TCP, 60 bytes); per frame only the source
 * address, source port, sequence number and IP id change, drawn from xorshift64*, and both
 * checksums are computed in full (cheap next to the send). A batch leaves with one sendmmsg; with
 * PACKET_QDISC_BYPASS the frames skip the qdisc. Prints one line: "sent N seconds S pps P". */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define FRAME_LEN 60 /* the shortest Ethernet frame (14 + 20 + 20 bytes, padded) */

static uint64_t rng_state = 88172645463325252ull;

static inline uint64_t rng_next(void)
{
	uint64_t x = rng_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 2685821657736338717ull;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One's complement sum of big-endian 16-bit words. Reads bytes: a uint16_t read of the headers'
 * uint32_t fields would break strict aliasing, and -O2 then sums stale values. */
static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	for (; len > 1; len -= 2, p += 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

/* The checksum field's value (network byte order) for a sum. */
static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: synflood -i IFACE -m DSTMAC -d DSTIP -p DSTPORT -s SRCNET/LEN -t SECONDS "
			"[-r PPS] [-S SEED]\n");
	exit(2);
}

/* Rewrites one prebuilt frame as a new SYN from a random source in the prefix. */
static void randomize(uint8_t *f, uint32_t net, uint32_t host_mask)
{
	struct iphdr *ip = (struct iphdr *)(f + sizeof(struct ether_header));
	struct tcphdr *tcp = (struct tcphdr *)(ip + 1);
	uint64_t r = rng_next();
	uint32_t saddr = net | ((uint32_t)r & host_mask);
	uint16_t sport = (uint16_t)(1024 + ((r >> 32) % 64512));
	ip->saddr = htonl(saddr);
	ip->id = (uint16_t)(r >> 48);
	ip->check = 0;
	ip->check = csum_fold(csum_add(0, ip, sizeof(*ip)));
	tcp->source = htons(sport);
	tcp->seq = (uint32_t)rng_next();
	tcp->check = 0;
	struct {
		uint32_t s, d;
		uint8_t zero, proto;
		uint16_t len;
	} __attribute__((packed)) ph = { ip->saddr, ip->daddr, 0, IPPROTO_TCP, htons(sizeof(*tcp)) };
	tcp->check = csum_fold(csum_add(csum_add(0, &ph, sizeof(ph)), tcp, sizeof(*tcp)));
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *dmac = NULL, *dip = NULL, *snet = NULL;
	int dport = 0;
	double seconds = 0, rate = 0;
	uint64_t seed = 0;
	int c;
	while ((c = getopt(argc, argv, "i:m:d:p:s:t:r:S:")) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'm': dmac = optarg; break;
		case 'd': dip = optarg; break;
		case 'p': dport = atoi(optarg); break;
		case 's': snet = optarg; break;
		case 't': seconds = atof(optarg); break;
		case 'r': rate = atof(optarg); break;
		case 'S': seed = strtoull(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (!ifname || !dmac || !dip || !snet || dport <= 0 || dport > 65535 || seconds <= 0)
		usage();
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* dies with the bench */
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (seed)
		rng_state ^= seed * 0x9e3779b97f4a7c15ull;
	else
		rng_state ^= (uint64_t)getpid() << 32 ^ (uint64_t)(now_s() * 1e9);

	char netbuf[32];
	snprintf(netbuf, sizeof(netbuf), "%s", snet);
	char *slash = strchr(netbuf, '/');
	if (!slash)
		usage();
	*slash = 0;
	int plen = atoi(slash + 1);
	struct in_addr net_addr, dst_addr;
	if (plen < 8 || plen > 30 || !inet_aton(netbuf, &net_addr) || !inet_aton(dip, &dst_addr))
		usage();
	uint32_t host_mask = (1u << (32 - plen)) - 1;
	uint32_t net = ntohl(net_addr.s_addr) & ~host_mask;

	int fd = socket(AF_PACKET, SOCK_RAW, 0); /* protocol 0: send only, never receives */
	if (fd < 0) {
		perror("socket(AF_PACKET)");
		return 1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
		perror("SIOCGIFINDEX");
		return 1;
	}
	int ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		perror("SIOCGIFHWADDR");
		return 1;
	}
	int one = 1;
	/* Not fatal: older kernels lack it, and the frames still go out (through the qdisc). */
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = ifindex, .sll_halen = 6 };
	if (parse_mac(dmac, sll.sll_addr) < 0)
		usage();
	if (bind(fd, (struct sockaddr *)&(struct sockaddr_ll){ .sll_family = AF_PACKET,
							      .sll_ifindex = ifindex },
		 sizeof(struct sockaddr_ll)) < 0) {
		perror("bind");
		return 1;
	}

	static uint8_t frames[BATCH][FRAME_LEN];
	struct iovec iov[BATCH];
	struct mmsghdr msgs[BATCH];
	memset(frames, 0, sizeof(frames));
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		uint8_t *f = frames[i];
		struct ether_header *eth = (struct ether_header *)f;
		memcpy(eth->ether_dhost, sll.sll_addr, 6);
		memcpy(eth->ether_shost, ifr.ifr_hwaddr.sa_data, 6);
		eth->ether_type = htons(ETHERTYPE_IP);
		struct iphdr *ip = (struct iphdr *)(eth + 1);
		ip->version = 4;
		ip->ihl = 5;
		ip->tot_len = htons(sizeof(struct iphdr) + sizeof(struct tcphdr));
		ip->ttl = 64;
		ip->protocol = IPPROTO_TCP;
		ip->daddr = dst_addr.s_addr;
		struct tcphdr *tcp = (struct tcphdr *)(ip + 1);
		tcp->dest = htons((uint16_t)dport);
		tcp->doff = 5;
		tcp->syn = 1;
		tcp->window = htons(64240);
		iov[i].iov_base = f;
		iov[i].iov_len = FRAME_LEN;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &sll;
		msgs[i].msg_hdr.msg_namelen = sizeof(sll);
	}

	uint64_t sent = 0, errors = 0;
	double t0 = now_s(), t = t0, end = t0 + seconds;
	while (!stop && t < end) {
		int n = BATCH;
		if (rate > 0) {
			/* Paced: send what is due by now, at most one batch, then sleep a little. */
			double due = (t - t0) * rate - (double)sent;
			if (due < 1) {
				usleep(200);
				t = now_s();
				continue;
			}
			if (due < n)
				n = (int)due;
		}
		for (int i = 0; i < n; i++)
			randomize(frames[i], net, host_mask);
		int r = sendmmsg(fd, msgs, (unsigned int)n, 0);
		if (r > 0)
			sent += (uint64_t)r;
		else if (errno != EINTR)
			errors++; /* ENOBUFS and the like: the frame is lost, the flood goes on */
		t = now_s();
	}
	double took = now_s() - t0;
	printf("sent %llu seconds %.3f pps %.0f errors %llu\n", (unsigned long long)sent, took,
	       took > 0 ? (double)sent / took : 0.0, (unsigned long long)errors);
	close(fd);
	return 0;
}
