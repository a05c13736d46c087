/* route_dump_gate.so: an LD_PRELOAD library that delays a process's first
 * RTM_GETROUTE dump request until the test opens a gate.
 *
 * Two ctrlab runs that start on a host without the bridge can race.  One looks
 * up the bridge and finds none, the other creates it, and then the first one's
 * route dump shows the new bridge's route.  The suite preloads this library
 * into the network helper of the first run, so the race happens every time.
 *
 * Environment:
 *   ROUTE_DUMP_GATE_DIR   a directory.  Before sending its first route dump
 *                         request, the process creates DIR/reached and waits
 *                         until DIR/open exists.  After 10 s it creates
 *                         DIR/timed-out and goes on, so that a test can tell
 *                         that the race did not happen as planned.
 * Without it, the library changes nothing. */
#include <dlfcn.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define GATE_POLL_NS 10000000L /* 10 ms */
#define GATE_POLLS_MAX 1000    /* 10 s in all */

static void gate_wait(const char *dir)
{
	const struct timespec poll_interval = { .tv_nsec = GATE_POLL_NS };
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/reached", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "%s/open", dir);
	for (int i = 0; access(path, F_OK) != 0; i++) {
		if (i == GATE_POLLS_MAX) {
			snprintf(path, sizeof(path), "%s/timed-out", dir);
			fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
			if (fd >= 0)
				close(fd);
			return;
		}
		nanosleep(&poll_interval, NULL);
	}
}

static bool is_route_dump(const void *buf, size_t len, const struct sockaddr *addr)
{
	const struct nlmsghdr *nlh = buf;

	return addr && addr->sa_family == AF_NETLINK && len >= sizeof(*nlh) &&
	       nlh->nlmsg_type == RTM_GETROUTE && (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr,
	       socklen_t addr_len)
{
	static ssize_t (*real_sendto)(int, const void *, size_t, int, const struct sockaddr *,
				      socklen_t);
	static bool gate_passed;
	const char *dir = getenv("ROUTE_DUMP_GATE_DIR");

	if (!real_sendto)
		real_sendto = dlsym(RTLD_NEXT, "sendto");
	if (dir && !gate_passed && is_route_dump(buf, len, addr)) {
		gate_passed = true;
		gate_wait(dir);
	}
	return real_sendto(fd, buf, len, flags, addr, addr_len);
}
