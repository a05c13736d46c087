/* Unit tests of stage 3's pure logic: subnets, port specs, leases, netlink
 * message bytes, the firewall scan and resolv.conf generation.  The extended-ack
 * test sends one real request, in a network namespace of its own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stage3-net/dns.h"
#include "stage3-net/etc_bind.h"
#include "stage3-net/ipam.h"
#include "stage3-net/nat.h"
#include "stage3-net/netlink.h"

/* Test double for stage 2's bind mount, which dns.c requests through
 * net_etc_bind(): the unit tests never build a container. */
int net_etc_bind(const char *host_path, const char *container_path, struct ctr_error *err)
{
	(void)host_path;
	(void)container_path;
	(void)err;
	return 0;
}

static uint32_t addr_of(const char *text)
{
	uint32_t addr = 0;

	assert_int_equal(ipam_addr_parse(text, &addr), 0);
	return addr;
}

static void subnet_parse_valid(void **state)
{
	struct ipam_subnet subnet;
	struct ctr_error err;

	(void)state;
	error_clear(&err);
	assert_int_equal(ipam_subnet_parse("10.88.0.0/16", &subnet, &err), 0);
	assert_int_equal(subnet.network, addr_of("10.88.0.0"));
	assert_int_equal(subnet.prefix_len, 16);
	assert_int_equal(ipam_gateway(&subnet), addr_of("10.88.0.1"));
	assert_int_equal(ipam_capacity(&subnet), 65533);
	assert_int_equal(ipam_subnet_parse("192.168.7.4/30", &subnet, &err), 0);
	assert_int_equal(ipam_capacity(&subnet), 1);
}

static void subnet_parse_invalid(void **state)
{
	static const char *const bad[] = {
		"10.88.0.0", "10.88.0.0/", "10.88.0.0/7", "10.88.0.0/31", "10.88.0.0/16x",
		"10.88.0/16", "10.88.0.256/24", "/16", "10.88.0.0/-1", "",
	};
	struct ipam_subnet subnet;
	struct ctr_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		error_clear(&err);
		assert_int_equal(ipam_subnet_parse(bad[i], &subnet, &err), -EINVAL);
		assert_non_null(strstr(err.msg, "Invalid subnet"));
	}
	error_clear(&err);
	assert_int_equal(ipam_subnet_parse("10.88.1.0/16", &subnet, &err), -EINVAL);
	assert_string_equal(err.msg,
			    "Invalid subnet '10.88.1.0/16': host bits are set; did you mean 10.88.0.0/16?");
}

static void subnet_parse_reserved(void **state)
{
	static const struct {
		const char *subnet;
		const char *range;
	} cases[] = {
		{ "127.0.0.0/8", "loopback (127.0.0.0/8)" },
		{ "127.1.0.0/16", "loopback (127.0.0.0/8)" },
		{ "169.254.0.0/16", "link-local (169.254.0.0/16)" },
		{ "169.254.3.0/24", "link-local (169.254.0.0/16)" },
		{ "224.0.0.0/8", "multicast (224.0.0.0/4)" },
		{ "239.1.0.0/16", "multicast (224.0.0.0/4)" },
		{ "240.0.0.0/8", "reserved (240.0.0.0/4" },
		{ "255.255.255.0/24", "reserved (240.0.0.0/4" },
		{ "0.0.0.0/8", "\"this network\" (0.0.0.0/8)" },
		{ "0.0.0.0/16", "\"this network\" (0.0.0.0/8)" },
	};
	struct ipam_subnet subnet;
	struct ctr_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		error_clear(&err);
		assert_int_equal(ipam_subnet_parse(cases[i].subnet, &subnet, &err), -EINVAL);
		assert_non_null(strstr(err.msg, cases[i].subnet));
		assert_non_null(strstr(err.msg, cases[i].range));
		assert_non_null(strstr(err.msg, "such as 10.88.0.0/16"));
	}
	/* Neighbours of the reserved ranges are private or public unicast. */
	error_clear(&err);
	assert_int_equal(ipam_subnet_parse("126.0.0.0/8", &subnet, &err), 0);
	assert_int_equal(ipam_subnet_parse("169.253.0.0/16", &subnet, &err), 0);
	assert_int_equal(ipam_subnet_parse("223.255.255.0/24", &subnet, &err), 0);
	assert_int_equal(ipam_subnet_parse("1.0.0.0/8", &subnet, &err), 0);
	/* A /31 leaves no address for a container. */
	assert_int_equal(ipam_subnet_parse("10.88.0.0/31", &subnet, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "/30 is the smallest subnet that holds the gateway and one container"));
}

static void subnets_overlap(void **state)
{
	(void)state;
	assert_true(ipam_subnets_overlap(addr_of("10.88.0.0"), 16, addr_of("10.88.4.0"), 24));
	assert_true(ipam_subnets_overlap(addr_of("10.88.4.0"), 24, addr_of("10.88.0.0"), 16));
	assert_true(ipam_subnets_overlap(addr_of("10.0.0.0"), 8, addr_of("10.88.0.0"), 16));
	assert_false(ipam_subnets_overlap(addr_of("10.88.0.0"), 16, addr_of("10.89.0.0"), 16));
	assert_false(ipam_subnets_overlap(addr_of("192.168.251.0"), 24, addr_of("10.88.0.0"), 16));
	assert_true(ipam_subnets_overlap(addr_of("0.0.0.0"), 0, addr_of("10.88.0.0"), 16));
}

static void publish_parse_valid(void **state)
{
	struct ipam_publish publish;
	struct ctr_error err;

	(void)state;
	error_clear(&err);
	assert_int_equal(ipam_publish_parse("8080:80", &publish, &err), 0);
	assert_int_equal(publish.host_addr, 0);
	assert_int_equal(publish.host_port, 8080);
	assert_int_equal(publish.container_port, 80);
	assert_int_equal(publish.proto, IPAM_PROTO_TCP);

	assert_int_equal(ipam_publish_parse("192.168.251.2:5353:53/udp", &publish, &err), 0);
	assert_int_equal(publish.host_addr, addr_of("192.168.251.2"));
	assert_int_equal(publish.host_port, 5353);
	assert_int_equal(publish.container_port, 53);
	assert_int_equal(publish.proto, IPAM_PROTO_UDP);

	assert_int_equal(ipam_publish_parse("65535:1/tcp", &publish, &err), 0);
	assert_int_equal(publish.host_port, 65535);
}

static void publish_parse_invalid(void **state)
{
	static const char *const bad[] = {
		"80", "0:80", "80:0", "65536:80", "8080:80/sctp", "host:8080:80",
		"1.2.3.4:5:6:7", "8080:", ":80", "8080:80/", "a:b", "", "8080:80:90",
		"127.0.0.1:8080:80",
	};
	struct ipam_publish publish;
	struct ctr_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		error_clear(&err);
		assert_int_equal(ipam_publish_parse(bad[i], &publish, &err), -EINVAL);
		assert_non_null(strstr(err.msg, "Invalid port spec"));
	}
}

static void publish_parse_messages(void **state)
{
	static const struct {
		const char *spec;
		const char *message;
	} cases[] = {
		{ "8080:80:90", "Invalid port spec '8080:80:90': it has too many parts; write [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp], such as 8080:80 or 192.168.1.2:8080:80" },
		{ "1.2.3.4:5:6:7", "Invalid port spec '1.2.3.4:5:6:7': it has too many parts" },
		{ "host:8080:80", "Invalid port spec 'host:8080:80': 'host' is not an IPv4 address; write [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp], such as 192.168.1.2:8080:80" },
		{ "127.0.0.1:8080:80", "Invalid port spec '127.0.0.1:8080:80': publishing on a loopback address is not supported" },
	};
	struct ipam_publish publish;
	struct ctr_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		error_clear(&err);
		assert_int_equal(ipam_publish_parse(cases[i].spec, &publish, &err), -EINVAL);
		assert_non_null(strstr(err.msg, cases[i].message));
	}
	/* 0.0.0.0 as HOSTIP means every address, as without HOSTIP. */
	error_clear(&err);
	assert_int_equal(ipam_publish_parse("0.0.0.0:8080:80", &publish, &err), 0);
	assert_int_equal(publish.host_addr, 0);
}

static struct ipam_publish publish_of(const char *spec)
{
	struct ipam_publish publish;
	struct ctr_error err;

	error_clear(&err);
	assert_int_equal(ipam_publish_parse(spec, &publish, &err), 0);
	return publish;
}

static void publish_conflicts(void **state)
{
	static const struct {
		const char *a;
		const char *b;
		bool conflict;
	} cases[] = {
		{ "8080:80", "8080:81", true },
		{ "8080:80", "192.168.251.2:8080:81", true },
		{ "192.168.251.2:8080:80", "8080:81", true },
		{ "192.168.251.2:8080:80", "192.168.251.2:8080:81", true },
		{ "192.168.251.2:8080:80", "10.0.0.1:8080:80", false },
		{ "8080:80", "8081:80", false },
		{ "8080:80/tcp", "8080:80/udp", false },
		{ "5353:53/udp", "5353:54/udp", true },
	};
	struct ipam_publish longest = publish_of("255.255.255.255:65535:1/udp");
	char text[IPAM_PUBLISH_HOST_STR_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct ipam_publish a = publish_of(cases[i].a);
		struct ipam_publish b = publish_of(cases[i].b);

		assert_int_equal(ipam_publish_conflict(&a, &b), cases[i].conflict);
		assert_int_equal(ipam_publish_conflict(&b, &a), cases[i].conflict);
	}
	assert_string_equal(ipam_publish_host_format(&(struct ipam_publish){ .host_port = 8080 },
						     text), "8080/tcp");
	assert_string_equal(ipam_publish_host_format(&longest, text), "255.255.255.255:65535/udp");
}

/* A fresh state directory for the lease tests. */
static int state_dir_setup(void **state)
{
	char *dir = strdup("/tmp/ctrlab-unit.XXXXXX");

	assert_non_null(mkdtemp(dir));
	*state = dir;
	return 0;
}

static int state_dir_teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", (char *)*state);
	assert_int_equal(system(cmd), 0);
	free(*state);
	return 0;
}

static void leases_unique_and_released(void **state)
{
	const char *dir = *state;
	struct ipam_subnet subnet;
	struct ipam_owner owner;
	struct ctr_error err;
	uint32_t addrs[3];
	int lock_fd;

	error_clear(&err);
	assert_int_equal(ipam_subnet_parse("10.88.0.0/29", &subnet, &err), 0);
	assert_int_equal(ipam_owner_self("unit", &owner), 0);
	lock_fd = ipam_lock(dir, &err);
	assert_true(lock_fd >= 0);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(ipam_lease_acquire(dir, &subnet, &owner, &addrs[i], &err), 0);
	assert_int_equal(addrs[0], addr_of("10.88.0.2"));
	assert_int_equal(addrs[1], addr_of("10.88.0.3"));
	assert_int_equal(addrs[2], addr_of("10.88.0.4"));

	/* A released address is the lowest free one again. */
	assert_int_equal(ipam_lease_release(dir, addrs[1]), 0);
	assert_int_equal(ipam_lease_acquire(dir, &subnet, &owner, &addrs[1], &err), 0);
	assert_int_equal(addrs[1], addr_of("10.88.0.3"));
	/* Our own leases are alive: nothing to reclaim. */
	assert_int_equal(ipam_reclaim(dir, NULL, NULL), 0);
	close(lock_fd);
}

static void leases_record_published_ports(void **state)
{
	const char *dir = *state;
	struct ipam_publish first[] = { publish_of("8080:80"), publish_of("5353:53/udp") };
	struct ipam_publish other = publish_of("9090:80");
	struct ipam_publish same_udp = publish_of("192.168.251.2:5353:53/udp");
	struct ipam_subnet subnet;
	struct ipam_owner owner;
	struct ctr_error err;
	uint32_t addr;
	int lock_fd;

	error_clear(&err);
	assert_int_equal(ipam_subnet_parse("10.88.0.0/24", &subnet, &err), 0);
	assert_int_equal(ipam_owner_self("web", &owner), 0);
	lock_fd = ipam_lock(dir, &err);
	assert_true(lock_fd >= 0);
	assert_int_equal(ipam_publish_check_leases(dir, first, 2, &err), 0);
	assert_int_equal(ipam_lease_acquire(dir, &subnet, &owner, &addr, &err), 0);
	assert_int_equal(ipam_lease_publish_record(dir, addr, first, 2, &err), 0);

	/* The lease's first line is unchanged by the records after it. */
	assert_int_equal(ipam_lease_read(dir, addr, &owner), 0);
	assert_string_equal(owner.name, "web");
	assert_int_equal(ipam_publish_check_leases(dir, &other, 1, &err), 0);
	assert_int_equal(ipam_publish_check_leases(dir, &same_udp, 1, &err), -EADDRINUSE);
	assert_non_null(strstr(err.msg, "Host port 192.168.251.2:5353/udp is already published by container 'web'"));

	/* A released lease frees its ports. */
	assert_int_equal(ipam_lease_release(dir, addr), 0);
	assert_int_equal(ipam_publish_check_leases(dir, &same_udp, 1, &err), 0);
	close(lock_fd);
}

static void leases_full_subnet(void **state)
{
	const char *dir = *state;
	struct ipam_subnet subnet;
	struct ipam_owner owner;
	struct ctr_error err;
	uint32_t addr;
	int lock_fd;

	error_clear(&err);
	assert_int_equal(ipam_subnet_parse("10.88.0.0/30", &subnet, &err), 0);
	assert_int_equal(ipam_owner_self("unit", &owner), 0);
	lock_fd = ipam_lock(dir, &err);
	assert_true(lock_fd >= 0);
	assert_int_equal(ipam_lease_acquire(dir, &subnet, &owner, &addr, &err), 0);
	assert_int_equal(addr, addr_of("10.88.0.2"));
	assert_int_equal(ipam_lease_acquire(dir, &subnet, &owner, &addr, &err), -EADDRNOTAVAIL);
	assert_non_null(strstr(err.msg, "No free address in 10.88.0.0/30"));
	close(lock_fd);
}

/* Children that lease at the same moment, each under the lock, as 20 starting
 * containers would: every address must be distinct. */
static void leases_concurrent_unique(void **state)
{
	enum { CHILDREN = 20 };
	const char *dir = *state;
	struct ipam_subnet subnet;
	struct ctr_error err;
	uint32_t seen[CHILDREN];
	int pipe_fds[2];

	error_clear(&err);
	assert_int_equal(ipam_subnet_parse("10.88.0.0/24", &subnet, &err), 0);
	assert_int_equal(pipe(pipe_fds), 0);
	for (int i = 0; i < CHILDREN; i++) {
		pid_t child = fork();

		assert_true(child >= 0);
		if (child == 0) {
			struct ipam_owner owner;
			uint32_t addr = 0;
			int lock_fd = ipam_lock(dir, &err);

			if (lock_fd < 0 || ipam_owner_self("child", &owner) < 0 ||
			    ipam_lease_acquire(dir, &subnet, &owner, &addr, &err) < 0)
				addr = 0;
			close(lock_fd);
			_exit(write(pipe_fds[1], &addr, sizeof(addr)) == sizeof(addr) ? 0 : 1);
		}
	}
	close(pipe_fds[1]);
	for (int i = 0; i < CHILDREN; i++) {
		assert_int_equal(read(pipe_fds[0], &seen[i], sizeof(seen[i])), sizeof(seen[i]));
		assert_int_not_equal(seen[i], 0);
		for (int j = 0; j < i; j++)
			assert_int_not_equal(seen[i], seen[j]);
	}
	close(pipe_fds[0]);
	while (wait(NULL) > 0)
		;
}

static void count_reclaim(uint32_t addr, const struct ipam_owner *owner, void *data)
{
	int *count = data;

	assert_int_equal(addr, addr_of("10.88.0.2"));
	assert_string_equal(owner->name, "dead");
	(*count)++;
}

static void leases_dead_owner_reclaimed(void **state)
{
	const char *dir = *state;
	struct ipam_subnet subnet;
	struct ipam_owner owner;
	struct ctr_error err;
	uint32_t addr;
	int reclaimed = 0;
	int lock_fd;
	pid_t child;

	error_clear(&err);
	assert_int_equal(ipam_subnet_parse("10.88.0.0/24", &subnet, &err), 0);
	lock_fd = ipam_lock(dir, &err);
	assert_true(lock_fd >= 0);
	/* A child takes a lease and exits: its lease has a dead owner. */
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct ipam_owner child_owner;

		if (ipam_owner_self("dead", &child_owner) < 0 ||
		    ipam_lease_acquire(dir, &subnet, &child_owner, &addr, &err) < 0)
			_exit(1);
		_exit(0);
	}
	assert_int_equal(waitpid(child, NULL, 0), child);
	assert_int_equal(ipam_lease_read(dir, addr_of("10.88.0.2"), &owner), 0);
	assert_false(ipam_owner_alive(&owner));

	/* A live PID with another start time is not the owner either: the PID
	 * was reused.  Our own start time is the reference, since the child may
	 * have started within the same clock tick. */
	assert_int_equal(ipam_owner_self("reused", &owner), 0);
	assert_true(ipam_owner_alive(&owner));
	owner.start_time++;
	assert_false(ipam_owner_alive(&owner));

	assert_int_equal(ipam_reclaim(dir, count_reclaim, &reclaimed), 1);
	assert_int_equal(reclaimed, 1);
	assert_int_equal(ipam_lease_read(dir, addr_of("10.88.0.2"), &owner), -ENOENT);
	close(lock_fd);
}

/* Attribute table of one level of a message, for the netlink byte tests. */
struct attrs {
	const struct nlattr *by_type[IFLA_MAX + 1];
};

static int attr_collect(const struct nlattr *attr, void *data)
{
	struct attrs *attrs = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= IFLA_MAX)
		attrs->by_type[type] = attr;
	return MNL_CB_OK;
}

static void netlink_veth_message(void **state)
{
	char buf[NL_MSG_MAX];
	struct nlmsghdr *nlh;
	struct attrs top = { 0 };
	struct attrs info = { 0 };
	struct attrs data = { 0 };
	struct attrs peer = { 0 };
	const struct nlattr *peer_attr;
	const struct ifinfomsg *host_ifi;
	const struct ifinfomsg *peer_ifi;

	(void)state;
	nlh = nlmsg_veth_create(buf, sizeof(buf), "cv0a580002", "eth0", 1400, 7, 42);
	assert_non_null(nlh);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
	host_ifi = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(host_ifi->ifi_flags, IFF_UP);
	assert_int_equal(host_ifi->ifi_change, IFF_UP);
	assert_int_equal(mnl_attr_parse(nlh, sizeof(struct ifinfomsg), attr_collect, &top),
			 MNL_CB_OK);
	assert_string_equal(mnl_attr_get_str(top.by_type[IFLA_IFNAME]), "cv0a580002");
	assert_int_equal(mnl_attr_get_u32(top.by_type[IFLA_MTU]), 1400);
	assert_int_equal(mnl_attr_get_u32(top.by_type[IFLA_MASTER]), 7);
	/* One queue each way: no shrinking of a registered device later. */
	assert_int_equal(mnl_attr_get_u32(top.by_type[IFLA_NUM_TX_QUEUES]), 1);
	assert_int_equal(mnl_attr_get_u32(top.by_type[IFLA_NUM_RX_QUEUES]), 1);

	mnl_attr_parse_nested(top.by_type[IFLA_LINKINFO], attr_collect, &info);
	assert_string_equal(mnl_attr_get_str(info.by_type[IFLA_INFO_KIND]), "veth");
	mnl_attr_parse_nested(info.by_type[IFLA_INFO_DATA], attr_collect, &data);
	peer_attr = data.by_type[VETH_INFO_PEER];
	assert_non_null(peer_attr);

	/* The peer nest starts with a whole ifinfomsg, then the peer's attributes. */
	assert_true(mnl_attr_get_payload_len(peer_attr) > sizeof(struct ifinfomsg));
	/* The peer stays down: veth_open fails with ENOTCONN before both ends exist. */
	peer_ifi = mnl_attr_get_payload(peer_attr);
	assert_int_equal(peer_ifi->ifi_change, 0);
	for (const struct nlattr *a = (const void *)((const char *)mnl_attr_get_payload(peer_attr) +
						      MNL_ALIGN(sizeof(struct ifinfomsg)));
	     mnl_attr_ok(a, (int)((const char *)peer_attr + peer_attr->nla_len - (const char *)a));
	     a = mnl_attr_next(a))
		attr_collect(a, &peer);
	assert_string_equal(mnl_attr_get_str(peer.by_type[IFLA_IFNAME]), "eth0");
	assert_int_equal(mnl_attr_get_u32(peer.by_type[IFLA_MTU]), 1400);
	assert_int_equal(mnl_attr_get_u32(peer.by_type[IFLA_NET_NS_FD]), 42);
	assert_int_equal(mnl_attr_get_u32(peer.by_type[IFLA_NUM_TX_QUEUES]), 1);
	assert_int_equal(mnl_attr_get_u32(peer.by_type[IFLA_NUM_RX_QUEUES]), 1);
}

static void netlink_buffer_too_small(void **state)
{
	char buf[NL_MSG_MAX];
	size_t needed;

	(void)state;
	needed = nlmsg_veth_create(buf, sizeof(buf), "cv0a580002", "eth0", 1400, 7, 42)->nlmsg_len;
	/* Every smaller buffer is refused, and nothing is written past its end. */
	for (size_t size = 0; size < needed; size++) {
		memset(buf, 0xAA, sizeof(buf));
		assert_null(nlmsg_veth_create(buf, size, "cv0a580002", "eth0", 1400, 7, 42));
		for (size_t i = size; i < sizeof(buf); i++)
			assert_int_equal((unsigned char)buf[i], 0xAA);
	}
	assert_null(nlmsg_bridge_create(buf, 20, "ctrlab0"));
	assert_null(nlmsg_addr_add(buf, 24, 1, 1, 16));
	assert_null(nlmsg_route_default(buf, 30, 1, 1));
}

static void netlink_addr_and_route_messages(void **state)
{
	char buf[NL_MSG_MAX];
	struct nlmsghdr *nlh;
	const struct ifaddrmsg *ifa;
	const struct rtmsg *rtm;
	struct attrs attrs = { 0 };

	(void)state;
	nlh = nlmsg_addr_add(buf, sizeof(buf), 3, addr_of("10.88.0.2"), 16);
	assert_non_null(nlh);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWADDR);
	ifa = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifa->ifa_family, AF_INET);
	assert_int_equal(ifa->ifa_prefixlen, 16);
	assert_int_equal(ifa->ifa_index, 3);
	mnl_attr_parse(nlh, sizeof(*ifa), attr_collect, &attrs);
	/* Addresses travel in network byte order. */
	assert_int_equal(mnl_attr_get_u32(attrs.by_type[IFA_LOCAL]), inet_addr("10.88.0.2"));

	memset(&attrs, 0, sizeof(attrs));
	nlh = nlmsg_route_default(buf, sizeof(buf), addr_of("10.88.0.1"), 3);
	assert_non_null(nlh);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWROUTE);
	rtm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(rtm->rtm_dst_len, 0);
	assert_int_equal(rtm->rtm_table, RT_TABLE_MAIN);
	assert_int_equal(rtm->rtm_type, RTN_UNICAST);
	mnl_attr_parse(nlh, sizeof(*rtm), attr_collect, &attrs);
	assert_int_equal(mnl_attr_get_u32(attrs.by_type[RTA_GATEWAY]), inet_addr("10.88.0.1"));
	assert_int_equal(mnl_attr_get_u32(attrs.by_type[RTA_OIF]), 3);

	nlh = nlmsg_link_up(buf, sizeof(buf), 5);
	assert_int_equal(((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_change, IFF_UP);
	assert_int_equal(((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_index, 5);
}

static void netlink_addrgen_message(void **state)
{
	char buf[NL_MSG_MAX];
	struct attrs attrs = { 0 };
	struct attrs af = { 0 };
	struct attrs inet6 = { 0 };
	struct nlmsghdr *nlh;
	const struct ifinfomsg *ifi;

	(void)state;
	nlh = nlmsg_link_addrgen_none(buf, sizeof(buf), "cv0a580002");
	assert_non_null(nlh);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL), 0);
	ifi = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifi->ifi_index, 0);
	assert_int_equal(ifi->ifi_change, 0);
	mnl_attr_parse(nlh, sizeof(*ifi), attr_collect, &attrs);
	assert_string_equal(mnl_attr_get_str(attrs.by_type[IFLA_IFNAME]), "cv0a580002");
	assert_non_null(attrs.by_type[IFLA_AF_SPEC]);
	mnl_attr_parse_nested(attrs.by_type[IFLA_AF_SPEC], attr_collect, &af);
	assert_non_null(af.by_type[AF_INET6]);
	mnl_attr_parse_nested(af.by_type[AF_INET6], attr_collect, &inet6);
	assert_int_equal(mnl_attr_get_u8(inet6.by_type[IFLA_INET6_ADDR_GEN_MODE]),
			 IN6_ADDR_GEN_MODE_NONE);
	assert_null(nlmsg_link_addrgen_none(buf, mnl_nlmsg_size(sizeof(*ifi)) + 8, "cv0a580002"));
}

static void netlink_getgen_message(void **state)
{
	char buf[NL_MSG_MAX];
	struct nlmsghdr *nlh;
	const struct nfgenmsg *nfg;

	(void)state;
	nlh = nlmsg_nft_getgen(buf, sizeof(buf));
	assert_non_null(nlh);
	assert_int_equal(nlh->nlmsg_type, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN);
	assert_int_equal(nlh->nlmsg_len, mnl_nlmsg_size(sizeof(*nfg)));
	nfg = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(nfg->nfgen_family, AF_UNSPEC);
	assert_int_equal(nfg->version, NFNETLINK_V0);
	assert_null(nlmsg_nft_getgen(buf, sizeof(struct nlmsghdr)));
}

/* A real request the kernel rejects with an extended ack, sent from a network
 * namespace that only this test process uses. */
static void netlink_extack_message(void **state)
{
	struct nl_sock sock = { 0 };
	struct ctr_error err;
	char buf[NL_MSG_MAX];
	struct nl_link lo;
	int r;

	(void)state;
	assert_int_equal(unshare(CLONE_NEWNET), 0);
	error_clear(&err);
	assert_int_equal(nl_open(&sock, &err), 0);
	assert_int_equal(nl_link_get(&sock, "lo", 0, &lo, &err), 0);
	assert_int_equal(nl_link_get(&sock, "nosuchlink", 0, &lo, &err), -ENODEV);
	/* lo is down and has no address: the gateway cannot be on it. */
	r = nl_request(&sock, nlmsg_route_default(buf, sizeof(buf), addr_of("10.99.0.1"), 1),
		       NULL, NULL, "add the route", &err);
	assert_true(r < 0);
	assert_int_equal(err.code, r);
	assert_non_null(strstr(err.msg, "Failed to add the route (kernel: "));
	print_message("extended ack: %s\n", err.msg);
	nl_close(&sock);
}

static const char docker_like[] =
	"table ip filter {\n"
	"\tchain FORWARD {\n"
	"\t\ttype filter hook forward priority filter; policy drop;\n"
	"\t\tcounter packets 0 bytes 0 jump DOCKER-USER\n"
	"\t}\n"
	"\tchain DOCKER-USER {\n"
	"\t\tcounter packets 0 bytes 0 return\n"
	"\t}\n"
	"}\n"
	"table inet ctrlab {\n"
	"\tchain forward {\n"
	"\t\ttype filter hook forward priority filter; policy drop;\n"
	"\t}\n"
	"}\n";

static void forward_check_finds_drop_policy(void **state)
{
	struct ctr_error err;

	(void)state;
	error_clear(&err);
	assert_int_equal(nat_forward_check_text(docker_like, "ctrlab0", &err), -EPERM);
	assert_non_null(strstr(err.msg, "chain FORWARD of table ip filter (policy drop)"));
	assert_non_null(strstr(err.msg, "nft insert rule ip filter FORWARD iifname \"ctrlab0\" accept"));
	assert_non_null(strstr(err.msg, "nft insert rule ip filter FORWARD oifname \"ctrlab0\" accept"));
}

static void forward_check_accepts_fixed_table(void **state)
{
	static const char fixed[] =
		"table ip filter {\n"
		"\tchain FORWARD {\n"
		"\t\ttype filter hook forward priority filter; policy drop;\n"
		"\t\toifname \"ctrlab0\" accept\n"
		"\t\tcounter packets 0 bytes 0 jump DOCKER-USER\n"
		"\t}\n"
		"\tchain DOCKER-USER {\n"
		"\t\tiifname \"ctrlab0\" counter packets 3 bytes 252 accept\n"
		"\t}\n"
		"}\n";
	static const char half[] =
		"table ip filter {\n"
		"\tchain FORWARD {\n"
		"\t\ttype filter hook forward priority filter; policy drop;\n"
		"\t\tiifname \"ctrlab0\" accept\n"
		"\t}\n"
		"}\n";
	struct ctr_error err;

	(void)state;
	error_clear(&err);
	assert_int_equal(nat_forward_check_text(fixed, "ctrlab0", &err), 0);
	/* Accepting one direction only still drops the replies. */
	assert_int_equal(nat_forward_check_text(half, "ctrlab0", &err), -EPERM);
	/* Another bridge's accept rules do not count. */
	assert_int_equal(nat_forward_check_text(fixed, "ctrlab1", &err), -EPERM);
}

static void forward_check_other_cases(void **state)
{
	static const char final_drop[] =
		"table inet fw {\n"
		"\tchain fwd {\n"
		"\t\ttype filter hook forward priority 0; policy accept;\n"
		"\t\tct state established accept\n"
		"\t\tcounter packets 5 bytes 300 drop\n"
		"\t}\n"
		"}\n";
	static const char input_drop[] =
		"table inet fw {\n"
		"\tchain in {\n"
		"\t\ttype filter hook input priority 0; policy drop;\n"
		"\t}\n"
		"}\n";
	static const char bridge_family[] =
		"table bridge filter {\n"
		"\tchain forward {\n"
		"\t\ttype filter hook forward priority 0; policy drop;\n"
		"\t}\n"
		"}\n";
	struct ctr_error err;

	(void)state;
	error_clear(&err);
	assert_int_equal(nat_forward_check_text(final_drop, "ctrlab0", &err), -EPERM);
	assert_non_null(strstr(err.msg, "chain fwd of table inet fw (a final rule 'drop')"));
	assert_int_equal(nat_forward_check_text(input_drop, "ctrlab0", &err), 0);
	assert_int_equal(nat_forward_check_text("", "ctrlab0", &err), 0);
	assert_int_equal(nat_forward_check_text(bridge_family, "ctrlab0", &err), -EPERM);
	assert_non_null(strstr(err.msg, "ibrname \"ctrlab0\" accept"));
}

/* Write the nft-verified record of state dir dir for ctrlab0 and 10.88.0.0/16
 * at ruleset generation gen and boot boot. */
static void verified_write(const char *dir, uint32_t gen, const char *boot)
{
	char path[256];
	FILE *file;

	snprintf(path, sizeof(path), "%s/net", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/net/nft-verified", dir);
	file = fopen(path, "w");
	assert_non_null(file);
	fprintf(file, "generation %u boot %s\nctrlab0 10.88.0.0/16\n", gen, boot);
	assert_int_equal(fclose(file), 0);
}

/* A record of another boot never counts, since generation numbers start again
 * at boot.  Reads this network namespace's nftables generation, and changes
 * nothing there. */
static void verified_record_needs_same_boot(void **state)
{
	const char *dir = *state;
	struct ipam_subnet subnet = { 0 };
	struct ctr_error err;
	char boot[64] = "";
	uint32_t gen;
	FILE *file;

	error_clear(&err);
	assert_int_equal(ipam_subnet_parse("10.88.0.0/16", &subnet, &err), 0);
	assert_int_equal(nl_nft_generation(&gen, &err), 0);
	file = fopen("/proc/sys/kernel/random/boot_id", "r");
	assert_non_null(file);
	assert_int_equal(fscanf(file, "%63s", boot), 1);
	fclose(file);

	verified_write(dir, gen, boot);
	assert_true(nat_verified(dir, "ctrlab0", &subnet));
	assert_false(nat_verified(dir, "ctrlab1", &subnet));
	verified_write(dir, gen, "00000000-0000-0000-0000-000000000000");
	assert_false(nat_verified(dir, "ctrlab0", &subnet));
}

static void resolv_stub_uses_upstream(void **state)
{
	struct dns_input input = {
		.host_text = "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lab.test\n",
		.upstream_text = "# resolved\nnameserver 192.0.2.53\nnameserver 127.0.0.1\n",
	};
	char buf[1024];

	(void)state;
	assert_int_equal(dns_resolv_build(&input, buf, sizeof(buf)), DNS_SOURCE_UPSTREAM);
	assert_non_null(strstr(buf, "nameserver 192.0.2.53\n"));
	assert_null(strstr(buf, "127.0.0"));
	assert_non_null(strstr(buf, "options edns0 trust-ad\n"));
	assert_non_null(strstr(buf, "search lab.test\n"));
}

static void resolv_fallback_and_override(void **state)
{
	static const char *const servers[] = { "192.0.2.1", "192.0.2.2" };
	struct dns_input input = { .host_text = "nameserver ::1\n" };
	char buf[1024];

	(void)state;
	assert_int_equal(dns_resolv_build(&input, buf, sizeof(buf)), DNS_SOURCE_FALLBACK);
	assert_non_null(strstr(buf, "nameserver 1.1.1.1\nnameserver 8.8.8.8\n"));

	input.servers = servers;
	input.server_count = 2;
	assert_int_equal(dns_resolv_build(&input, buf, sizeof(buf)), DNS_SOURCE_OPTION);
	assert_non_null(strstr(buf, "nameserver 192.0.2.1\nnameserver 192.0.2.2\n"));
	assert_null(strstr(buf, "::1"));

	/* A host whose own servers work keeps them, three at most. */
	input = (struct dns_input){ .host_text = "nameserver 192.0.2.7\nnameserver 127.0.0.1\n"
						 "nameserver 2001:db8::53\n"
						 "nameserver 192.0.2.8\nnameserver 192.0.2.9\n"
						 "nameserver 192.0.2.10\n" };
	assert_int_equal(dns_resolv_build(&input, buf, sizeof(buf)), DNS_SOURCE_HOST);
	assert_non_null(strstr(buf, "nameserver 192.0.2.7\nnameserver 192.0.2.8\nnameserver 192.0.2.9\n"));
	assert_null(strstr(buf, "192.0.2.10"));
	/* The container has IPv4 only. */
	assert_null(strstr(buf, "2001:db8::53"));
	assert_int_equal(dns_resolv_build(&input, buf, 40), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(subnet_parse_valid),
		cmocka_unit_test(subnet_parse_invalid),
		cmocka_unit_test(subnet_parse_reserved),
		cmocka_unit_test(subnets_overlap),
		cmocka_unit_test(publish_parse_valid),
		cmocka_unit_test(publish_parse_invalid),
		cmocka_unit_test(publish_parse_messages),
		cmocka_unit_test(publish_conflicts),
		cmocka_unit_test_setup_teardown(leases_unique_and_released, state_dir_setup,
						state_dir_teardown),
		cmocka_unit_test_setup_teardown(leases_record_published_ports, state_dir_setup,
						state_dir_teardown),
		cmocka_unit_test_setup_teardown(leases_full_subnet, state_dir_setup,
						state_dir_teardown),
		cmocka_unit_test_setup_teardown(leases_dead_owner_reclaimed, state_dir_setup,
						state_dir_teardown),
		cmocka_unit_test_setup_teardown(leases_concurrent_unique, state_dir_setup,
						state_dir_teardown),
		cmocka_unit_test(netlink_veth_message),
		cmocka_unit_test(netlink_buffer_too_small),
		cmocka_unit_test(netlink_addr_and_route_messages),
		cmocka_unit_test(netlink_addrgen_message),
		cmocka_unit_test(netlink_getgen_message),
		cmocka_unit_test(forward_check_finds_drop_policy),
		cmocka_unit_test(forward_check_accepts_fixed_table),
		cmocka_unit_test(forward_check_other_cases),
		cmocka_unit_test_setup_teardown(verified_record_needs_same_boot, state_dir_setup,
						state_dir_teardown),
		cmocka_unit_test(resolv_stub_uses_upstream),
		cmocka_unit_test(resolv_fallback_and_override),
		/* Last: it moves this process into a network namespace of its own. */
		cmocka_unit_test(netlink_extack_message),
	};

	return cmocka_run_group_tests_name("stage3-net", tests, NULL, NULL);
}
