/* Address management: see ipam.h.
 *
 * The parsers at the top are pure and unit-tested.  The leases below them use
 * files and flock(2) only, no network state, so a crash leaves nothing a later
 * run cannot read back and reclaim. */
#include "stage3-net/ipam.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/state.h"

/* A /30 contains the gateway and one container besides the network and broadcast
 * addresses, so a longer prefix leaves no room for a container.  Shorter than /8
 * is rejected as a likely typo. */
#define SUBNET_PREFIX_MIN 8
#define SUBNET_PREFIX_MAX 30

/* IPv4 ranges that a bridge subnet must not overlap, because RFC 6890 reserves
 * them for special purposes.  0/8 means "this network", and the kernel routes
 * 127/8 to loopback only.  169.254/16 is for link-local autoconfiguration, and
 * 224/4 addresses are multicast groups, never a host's own address.  240/4 is
 * reserved for future use and contains the broadcast address 255.255.255.255. */
static const struct {
	uint32_t network;   /* host byte order */
	unsigned int prefix_len;
	const char *description;
} reserved_ranges[] = {
	{ 0x00000000, 8, "\"this network\" (0.0.0.0/8)" },
	{ 0x7f000000, 8, "loopback (127.0.0.0/8)" },
	{ 0xa9fe0000, 16, "link-local (169.254.0.0/16)" },
	{ 0xe0000000, 4, "multicast (224.0.0.0/4)" },
	{ 0xf0000000, 4, "reserved (240.0.0.0/4, with the broadcast address 255.255.255.255)" },
};

static uint32_t prefix_mask(unsigned int len)
{
	return len == 0 ? 0 : ~0U << (32 - len);
}

int ipam_addr_parse(const char *text, uint32_t *ret_addr)
{
	struct in_addr in;

	/* inet_pton accepts exactly four decimal parts, unlike inet_aton. */
	if (inet_pton(AF_INET, text, &in) != 1)
		return -EINVAL;
	*ret_addr = ntohl(in.s_addr);
	return 0;
}

const char *ipam_addr_format(uint32_t addr, char *buffer)
{
	struct in_addr in = { .s_addr = htonl(addr) };

	inet_ntop(AF_INET, &in, buffer, IPAM_ADDR_STR_MAX);
	return buffer;
}

/* Reject network/len when it overlaps a reserved range.  Returns 0 or -EINVAL. */
static int subnet_reserved_check(const char *text, uint32_t network, unsigned int len,
				 struct ctr_error *err)
{
	for (size_t i = 0; i < sizeof(reserved_ranges) / sizeof(*reserved_ranges); i++) {
		if (ipam_subnets_overlap(network, len, reserved_ranges[i].network,
					 reserved_ranges[i].prefix_len))
			return error_setx(err, -EINVAL,
					  "Invalid subnet '%s': it overlaps the %s range, which cannot serve containers; choose a private range (RFC 1918), such as 10.88.0.0/16 or 172.20.0.0/16",
					  text, reserved_ranges[i].description);
	}
	return 0;
}

int ipam_subnet_parse(const char *text, struct ipam_subnet *ret_subnet,
		      struct ctr_error *err)
{
	char addr_text[IPAM_ADDR_STR_MAX];
	const char *slash = strchr(text, '/');
	uint64_t len;
	uint32_t addr;
	int r;

	if (!slash || (size_t)(slash - text) >= sizeof(addr_text))
		return error_setx(err, -EINVAL,
				  "Invalid subnet '%s': write it as ADDRESS/PREFIX, such as 10.88.0.0/16",
				  text);
	memcpy(addr_text, text, (size_t)(slash - text));
	addr_text[slash - text] = '\0';
	if (ipam_addr_parse(addr_text, &addr) < 0)
		return error_setx(err, -EINVAL,
				  "Invalid subnet '%s': '%s' is not an IPv4 address", text,
				  addr_text);
	if (parse_uint64(slash + 1, SUBNET_PREFIX_MAX, &len) < 0 || len < SUBNET_PREFIX_MIN)
		return error_setx(err, -EINVAL,
				  "Invalid subnet '%s': the prefix length must be %d to %d, and /%d is the smallest subnet that holds the gateway and one container",
				  text, SUBNET_PREFIX_MIN, SUBNET_PREFIX_MAX, SUBNET_PREFIX_MAX);
	if (addr & ~prefix_mask((unsigned int)len)) {
		char network[IPAM_ADDR_STR_MAX];

		return error_setx(err, -EINVAL,
				  "Invalid subnet '%s': host bits are set; did you mean %s/%u?",
				  text, ipam_addr_format(addr & prefix_mask((unsigned int)len), network),
				  (unsigned int)len);
	}
	r = subnet_reserved_check(text, addr, (unsigned int)len, err);
	if (r < 0)
		return r;
	ret_subnet->network = addr;
	ret_subnet->prefix_len = (unsigned int)len;
	return 0;
}

bool ipam_bridge_name_valid(const char *name)
{
	size_t len = strlen(name);

	/* The kernel's dev_valid_name() rejects "." and ".." as link names. */
	if (len == 0 || len >= IFNAMSIZ || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789._-") == len;
}

bool ipam_subnets_overlap(uint32_t a, unsigned int a_len, uint32_t b, unsigned int b_len)
{
	/* Two prefixes overlap exactly when the shorter one contains the other. */
	uint32_t mask = prefix_mask(a_len < b_len ? a_len : b_len);

	return (a & mask) == (b & mask);
}

uint32_t ipam_gateway(const struct ipam_subnet *subnet)
{
	return subnet->network + 1;
}

uint32_t ipam_capacity(const struct ipam_subnet *subnet)
{
	/* All addresses minus network, broadcast and gateway. */
	return (1U << (32 - subnet->prefix_len)) - 3;
}

static int parse_port(const char *text, uint16_t *ret_port)
{
	uint64_t value;

	if (parse_uint64(text, 65535, &value) < 0 || value == 0)
		return -EINVAL;
	*ret_port = (uint16_t)value;
	return 0;
}

/* Split "[HOSTIP:]HOSTPORT:CONTAINERPORT" (the protocol already cut off) at its
 * colons into up to three parts.  Returns the number of parts or -E2BIG. */
static int split_colons(char *spec, char *parts[3])
{
	int count = 0;

	for (char *next = spec; next; count++) {
		if (count == 3)
			return -E2BIG;
		parts[count] = next;
		next = strchr(next, ':');
		if (next)
			*next++ = '\0';
	}
	return count;
}

int ipam_publish_parse(const char *text, struct ipam_publish *ret_publish,
		       struct ctr_error *err)
{
	struct ipam_publish publish = { .proto = IPAM_PROTO_TCP };
	char spec[64];
	char *parts[3];
	char *proto;
	int count;

	if (strlen(text) >= sizeof(spec))
		goto invalid;
	strcpy(spec, text);
	proto = strchr(spec, '/');
	if (proto) {
		*proto++ = '\0';
		if (strcmp(proto, "udp") == 0)
			publish.proto = IPAM_PROTO_UDP;
		else if (strcmp(proto, "tcp") != 0)
			return error_setx(err, -EINVAL,
					  "Invalid port spec '%s': the protocol must be tcp or udp",
					  text);
	}
	count = split_colons(spec, parts);
	if (count == -E2BIG || (count == 3 && parse_port(parts[0], &publish.host_port) == 0))
		return error_setx(err, -EINVAL,
				  "Invalid port spec '%s': it has too many parts; write [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp], such as 8080:80 or 192.168.1.2:8080:80",
				  text);
	if (count < 2)
		goto invalid;
	if (count == 3 && ipam_addr_parse(parts[0], &publish.host_addr) < 0)
		return error_setx(err, -EINVAL,
				  "Invalid port spec '%s': '%s' is not an IPv4 address; write [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp], such as 192.168.1.2:8080:80",
				  text, parts[0]);
	/* The output chain skips 127.0.0.0/8: the kernel drops a packet with a
	 * loopback source routed out of the host (route_localnet, ip-sysctl.rst). */
	if (count == 3 && (publish.host_addr >> 24) == 127)
		return error_setx(err, -EINVAL,
				  "Invalid port spec '%s': publishing on a loopback address is not supported; give another address of the host, or leave HOSTIP out",
				  text);
	if (parse_port(parts[count - 2], &publish.host_port) < 0 ||
	    parse_port(parts[count - 1], &publish.container_port) < 0)
		return error_setx(err, -EINVAL,
				  "Invalid port spec '%s': ports must be 1 to 65535", text);
	*ret_publish = publish;
	return 0;

invalid:
	return error_setx(err, -EINVAL,
			  "Invalid port spec '%s': write [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp], such as 8080:80",
			  text);
}

bool ipam_publish_conflict(const struct ipam_publish *a, const struct ipam_publish *b)
{
	if (a->proto != b->proto || a->host_port != b->host_port)
		return false;
	return a->host_addr == 0 || b->host_addr == 0 || a->host_addr == b->host_addr;
}

const char *ipam_publish_host_format(const struct ipam_publish *publish, char *buffer)
{
	const char *proto = publish->proto == IPAM_PROTO_UDP ? "udp" : "tcp";
	char addr[IPAM_ADDR_STR_MAX];

	if (publish->host_addr)
		snprintf(buffer, IPAM_PUBLISH_HOST_STR_MAX, "%s:%u/%s",
			 ipam_addr_format(publish->host_addr, addr), publish->host_port, proto);
	else
		snprintf(buffer, IPAM_PUBLISH_HOST_STR_MAX, "%u/%s", publish->host_port, proto);
	return buffer;
}

/* Read field 22 (starttime) of /proc/PID/stat.  The command name in field 2 may
 * contain spaces and parentheses, so parsing starts after its last ')'. */
static int process_start_time(pid_t pid, unsigned long long *ret_start)
{
	char path[64];
	char line[1024];
	FILE *stat_file;
	char *rest;
	int r = -EINVAL;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	stat_file = fopen(path, "re");
	if (!stat_file)
		return -errno;
	if (fgets(line, sizeof(line), stat_file) && (rest = strrchr(line, ')'))) {
		/* After ")": state is field 3, so starttime is the 20th field on. */
		if (sscanf(rest + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u "
				     "%*d %*d %*d %*d %*d %*d %llu", ret_start) == 1)
			r = 0;
	}
	fclose(stat_file);
	return r;
}

int ipam_owner_self(const char *name, struct ipam_owner *ret_owner)
{
	ret_owner->pid = getpid();
	snprintf(ret_owner->name, sizeof(ret_owner->name), "%s", name);
	return process_start_time(ret_owner->pid, &ret_owner->start_time);
}

void ipam_veth_name(const struct ipam_owner *owner, char *buffer, size_t size)
{
	snprintf(buffer, size, "cv%06x%05llx", (unsigned int)owner->pid & 0xffffff,
		 owner->start_time & 0xfffff);
}

bool ipam_owner_alive(const struct ipam_owner *owner)
{
	unsigned long long start = 0;

	if (owner->pid <= 0 || process_start_time(owner->pid, &start) < 0)
		return false;
	return start == owner->start_time;
}

static int lease_path(const char *state_dir, uint32_t addr, char *buffer, size_t size)
{
	char text[IPAM_ADDR_STR_MAX];
	int len = snprintf(buffer, size, "%s/net/leases/%s", state_dir,
			   ipam_addr_format(addr, text));

	return len < 0 || (size_t)len >= size ? -ENAMETOOLONG : 0;
}

static int mkdir_exist_ok(const char *path)
{
	return mkdir(path, 0700) < 0 && errno != EEXIST ? -errno : 0;
}

int ipam_lock(const char *state_dir, struct ctr_error *err)
{
	char path[4096];
	int fd;

	if (state_dir_ensure_safe(state_dir, err) < 0)
		return err->code;
	snprintf(path, sizeof(path), "%s/net", state_dir);
	if (mkdir_exist_ok(path) < 0)
		return error_set(err, -errno, "Failed to create '%s'", path);
	snprintf(path, sizeof(path), "%s/net/leases", state_dir);
	if (mkdir_exist_ok(path) < 0)
		return error_set(err, -errno, "Failed to create '%s'", path);
	snprintf(path, sizeof(path), "%s/net/lock", state_dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return error_set(err, -errno, "Failed to open the lease lock '%s'", path);
	/* flock(2) locks belong to the open file description: the kernel drops this
	 * one when the fd closes, also when the runtime is killed. */
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			error_set(err, -errno, "Failed to lock '%s'", path);
			close(fd);
			return err->code;
		}
	}
	return fd;
}

int ipam_lease_read(const char *state_dir, uint32_t addr, struct ipam_owner *ret_owner)
{
	char path[4096];
	FILE *file;
	int r;

	memset(ret_owner, 0, sizeof(*ret_owner));
	r = lease_path(state_dir, addr, path, sizeof(path));
	if (r < 0)
		return r;
	file = fopen(path, "re");
	if (!file)
		return -errno;
	r = fscanf(file, "%d %llu %64s", &ret_owner->pid, &ret_owner->start_time,
		   ret_owner->name) == 3 ? 0 : -EINVAL;
	fclose(file);
	return r;
}

/* True when some lease's owner is alive (want_alive) or dead (!want_alive),
 * and is named name unless name is NULL.  A lease that cannot be read counts
 * as dead. */
static bool any_lease_is(const char *state_dir, bool want_alive, const char *name)
{
	char path[4096];
	struct dirent *entry;
	bool found = false;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/net/leases", state_dir);
	dir = opendir(path);
	if (!dir)
		return false;
	while (!found && (entry = readdir(dir))) {
		struct ipam_owner owner = { .pid = 0 };
		uint32_t addr;
		bool alive;

		if (ipam_addr_parse(entry->d_name, &addr) < 0)
			continue;
		if (ipam_lease_read(state_dir, addr, &owner) == 0 && name &&
		    strcmp(owner.name, name) != 0)
			continue;
		alive = owner.pid > 0 && ipam_owner_alive(&owner);
		found = alive == want_alive;
	}
	closedir(dir);
	return found;
}

bool ipam_any_dead(const char *state_dir)
{
	return any_lease_is(state_dir, false, NULL);
}

bool ipam_name_alive(const char *state_dir, const char *name)
{
	return any_lease_is(state_dir, true, name);
}

bool ipam_any_alive(const char *state_dir)
{
	return any_lease_is(state_dir, true, NULL);
}

int ipam_reclaim(const char *state_dir, ipam_reclaim_fn fn, void *data)
{
	char path[4096];
	struct dirent *entry;
	int reclaimed = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/net/leases", state_dir);
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while ((entry = readdir(dir))) {
		struct ipam_owner owner = { .pid = 0 };
		uint32_t addr;

		if (ipam_addr_parse(entry->d_name, &addr) < 0)
			continue;
		/* A lease that cannot be read was cut short by a crash mid-write: its
		 * owner is gone too. */
		if (ipam_lease_read(state_dir, addr, &owner) == 0 && ipam_owner_alive(&owner))
			continue;
		if (fn)
			fn(addr, &owner, data);
		ipam_lease_release(state_dir, addr);
		reclaimed++;
	}
	closedir(dir);
	return reclaimed;
}

/* Create the lease file of addr with O_EXCL.  Returns 0, -EEXIST when taken, or
 * -errno. */
static int lease_create(const char *state_dir, uint32_t addr, const struct ipam_owner *owner)
{
	char path[4096];
	char line[128];
	int len;
	int fd;
	int r;

	r = lease_path(state_dir, addr, path, sizeof(path));
	if (r < 0)
		return r;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	len = snprintf(line, sizeof(line), "%d %llu %s\n", owner->pid, owner->start_time,
		       owner->name);
	r = write(fd, line, (size_t)len) == len ? 0 : -EIO;
	close(fd);
	if (r < 0)
		unlink(path);
	return r;
}

int ipam_lease_acquire(const char *state_dir, const struct ipam_subnet *subnet,
		       const struct ipam_owner *owner, uint32_t *ret_addr,
		       struct ctr_error *err)
{
	uint32_t first = ipam_gateway(subnet) + 1;
	uint32_t count = ipam_capacity(subnet);
	char text[IPAM_ADDR_STR_MAX];

	for (uint32_t i = 0; i < count; i++) {
		int r = lease_create(state_dir, first + i, owner);

		if (r == -EEXIST)
			continue;
		if (r < 0)
			return error_set(err, r, "Failed to write the lease of %s in '%s/net/leases'",
					 ipam_addr_format(first + i, text), state_dir);
		*ret_addr = first + i;
		return 0;
	}
	return error_setx(err, -EADDRNOTAVAIL,
			  "No free address in %s/%u: all %u are leased; stop a container or choose a larger --subnet",
			  ipam_addr_format(subnet->network, text), subnet->prefix_len, count);
}

int ipam_lease_publish_record(const char *state_dir, uint32_t addr,
			      const struct ipam_publish *publish, size_t count,
			      struct ctr_error *err)
{
	char path[4096];
	char text[IPAM_ADDR_STR_MAX];
	FILE *file;
	int r;

	if (count == 0)
		return 0;
	r = lease_path(state_dir, addr, path, sizeof(path));
	if (r < 0)
		return error_set(err, r, "Failed to build the lease path of %s",
				 ipam_addr_format(addr, text));
	file = fopen(path, "ae");
	if (!file)
		return error_set(err, -errno, "Failed to open the lease '%s'", path);
	for (size_t i = 0; i < count; i++)
		fprintf(file, "publish %s %s %u\n", publish[i].proto == IPAM_PROTO_UDP ? "udp" : "tcp",
			ipam_addr_format(publish[i].host_addr, text), publish[i].host_port);
	return fclose(file) == 0 ? 0 : error_set(err, -errno, "Failed to write the lease '%s'", path);
}

/* Find the first of publish[0..count) that conflicts with a "publish" line of
 * the lease file.  Returns its index, or -1 when none does. */
static int lease_publish_find(FILE *file, const struct ipam_publish *publish, size_t count)
{
	char line[128];

	while (fgets(line, sizeof(line), file)) {
		struct ipam_publish recorded = { .proto = IPAM_PROTO_TCP };
		char proto[4];
		char addr[IPAM_ADDR_STR_MAX];
		unsigned int port;

		if (sscanf(line, "publish %3s %15s %u", proto, addr, &port) != 3 ||
		    ipam_addr_parse(addr, &recorded.host_addr) < 0 || port > 65535)
			continue;
		recorded.proto = strcmp(proto, "udp") == 0 ? IPAM_PROTO_UDP : IPAM_PROTO_TCP;
		recorded.host_port = (uint16_t)port;
		for (size_t i = 0; i < count; i++) {
			if (ipam_publish_conflict(&publish[i], &recorded))
				return (int)i;
		}
	}
	return -1;
}

/* Check the lease of addr.  Returns 0 or -EADDRINUSE with err set. */
static int lease_publish_check(const char *state_dir, uint32_t addr,
			       const struct ipam_publish *publish, size_t count,
			       struct ctr_error *err)
{
	struct ipam_owner owner;
	char path[4096];
	char port[IPAM_PUBLISH_HOST_STR_MAX];
	FILE *file;
	int found;

	if (ipam_lease_read(state_dir, addr, &owner) < 0 || !ipam_owner_alive(&owner) ||
	    lease_path(state_dir, addr, path, sizeof(path)) < 0)
		return 0;
	file = fopen(path, "re");
	if (!file)
		return 0;
	found = lease_publish_find(file, publish, count);
	fclose(file);
	if (found < 0)
		return 0;
	return error_setx(err, -EADDRINUSE,
			  "Host port %s is already published by container '%s' (runtime PID %d); choose another host port or stop '%s' first",
			  ipam_publish_host_format(&publish[found], port), owner.name, owner.pid,
			  owner.name);
}

int ipam_publish_check_leases(const char *state_dir, const struct ipam_publish *publish,
			      size_t count, struct ctr_error *err)
{
	char path[4096];
	struct dirent *entry;
	DIR *dir;
	int r = 0;

	if (count == 0)
		return 0;
	snprintf(path, sizeof(path), "%s/net/leases", state_dir);
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? 0 : error_set(err, -errno, "Failed to open '%s'", path);
	while (r == 0 && (entry = readdir(dir))) {
		uint32_t addr;

		if (ipam_addr_parse(entry->d_name, &addr) == 0)
			r = lease_publish_check(state_dir, addr, publish, count, err);
	}
	closedir(dir);
	return r;
}

int ipam_lease_release(const char *state_dir, uint32_t addr)
{
	char path[4096];
	int r = lease_path(state_dir, addr, path, sizeof(path));

	if (r < 0)
		return r;
	return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
}
