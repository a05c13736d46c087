/* Address management: subnets, published-port specs and address leases.
 *
 * Addresses are IPv4 in host byte order (uint32_t) everywhere in this module,
 * and converted to network order only where they enter a netlink message.  A
 * lease is one file <state_dir>/net/leases/<address> that names its owner, the
 * runtime process, by PID and start time; every allocation runs under flock(2)
 * on <state_dir>/net/lock, so concurrent runs never hand out one address twice. */
#ifndef CTRLAB_IPAM_H
#define CTRLAB_IPAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "common/parse.h"

/* "255.255.255.255" plus its terminating NUL. */
#define IPAM_ADDR_STR_MAX 16

struct ipam_subnet {
	uint32_t network;   /* host byte order, host bits zero */
	unsigned int prefix_len;
};

enum ipam_proto { IPAM_PROTO_TCP, IPAM_PROTO_UDP };

struct ipam_publish {
	uint32_t host_addr;        /* 0 when the spec names no HOSTIP: every address */
	uint16_t host_port;
	uint16_t container_port;
	enum ipam_proto proto;
};

/* Owner of a lease: the runtime that holds it. */
struct ipam_owner {
	pid_t pid;
	unsigned long long start_time;  /* field 22 of /proc/PID/stat, in clock ticks */
	char name[CTR_NAME_MAX + 1];    /* the container's name */
};

/* Parse "A.B.C.D/N" with 8 <= N <= 30 and no host bits set, outside the
 * loopback, link-local, multicast, reserved and 0.0.0.0/8 ranges.  Returns 0 or
 * -EINVAL with a message naming the value and the rule. */
int ipam_subnet_parse(const char *text, struct ipam_subnet *ret_subnet,
		      struct ctr_error *err);

/* Parse a dotted-quad IPv4 address.  Returns 0 or -EINVAL. */
int ipam_addr_parse(const char *text, uint32_t *ret_addr);

/* Format addr as a dotted quad into buffer (at least IPAM_ADDR_STR_MAX bytes). */
const char *ipam_addr_format(uint32_t addr, char *buffer);

/* True when the two prefixes share at least one address. */
bool ipam_subnets_overlap(uint32_t a, unsigned int a_len, uint32_t b, unsigned int b_len);

/* The gateway (first host address) and the number of addresses containers may
 * lease (every host address but the gateway). */
uint32_t ipam_gateway(const struct ipam_subnet *subnet);
uint32_t ipam_capacity(const struct ipam_subnet *subnet);

/* Parse "[HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp]".  Returns 0 or -EINVAL with
 * a message naming the value. */
int ipam_publish_parse(const char *text, struct ipam_publish *ret_publish,
		       struct ctr_error *err);

/* "255.255.255.255:65535/udp" plus its terminating NUL. */
#define IPAM_PUBLISH_HOST_STR_MAX 26

/* True when a and b claim the same host port: the same protocol and port, on
 * host addresses that overlap (0, every address, overlaps each one). */
bool ipam_publish_conflict(const struct ipam_publish *a, const struct ipam_publish *b);

/* Format the host side of publish, "[HOSTIP:]HOSTPORT/PROTO", into buffer (at
 * least IPAM_PUBLISH_HOST_STR_MAX bytes). */
const char *ipam_publish_host_format(const struct ipam_publish *publish, char *buffer);

/* Name the host end of owner's veth, "cv" and 11 hex digits, into buffer (at
 * least IFNAMSIZ bytes): the owner's PID (at most 2^22, six hex digits) and the
 * low bits of its start time.  A later run derives it from a dead container's
 * lease.  It is not named after the address, because the previous holder's
 * veth may still exist for some ms after its exit. */
void ipam_veth_name(const struct ipam_owner *owner, char *buffer, size_t size);

/* Fill owner with this process's PID and start time.  Returns 0 or -errno. */
int ipam_owner_self(const char *name, struct ipam_owner *ret_owner);

/* True when the process owner names still runs: same PID and same start time, so
 * a PID reused by another program does not keep a dead owner's lease. */
bool ipam_owner_alive(const struct ipam_owner *owner);

/* Open and flock <state_dir>/net/lock, creating the directories.  Returns the
 * locked fd (close it to unlock) or -errno with err set. */
int ipam_lock(const char *state_dir, struct ctr_error *err);

/* Called for each lease whose owner is dead, with the lock held, before the
 * lease file is removed. */
typedef void (*ipam_reclaim_fn)(uint32_t addr, const struct ipam_owner *owner,
				void *data);

/* True when some lease in the state directory looks dead.  Reads without the
 * lock, so a lease being written at that moment may look dead too: the caller
 * then takes the lock and calls ipam_reclaim(), which decides for sure. */
bool ipam_any_dead(const char *state_dir);

/* True when name is 1 to IFNAMSIZ - 1 letters, digits, '.', '_' or '-', and
 * neither "." nor "..".  The
 * kernel allows more in a link name, but a bridge name also goes into nft
 * commands and file names, where quotes or spaces would change their meaning. */
bool ipam_bridge_name_valid(const char *name);

/* True when the lease of a running container named name exists. */
bool ipam_name_alive(const char *state_dir, const char *name);

/* True when some lease in the state directory belongs to a running container.
 * The caller holds the lock. */
bool ipam_any_alive(const char *state_dir);

/* Remove every lease in the state directory whose owner is dead, calling fn
 * (when not NULL) for each.  The caller holds the lock.  Returns the number of
 * leases reclaimed or -errno. */
int ipam_reclaim(const char *state_dir, ipam_reclaim_fn fn, void *data);

/* Lease the lowest free address of subnet for owner.  The caller holds the lock
 * and has reclaimed dead leases.  Returns 0 with *ret_addr set, -EADDRNOTAVAIL
 * when the subnet is full, or -errno, with err set. */
int ipam_lease_acquire(const char *state_dir, const struct ipam_subnet *subnet,
		       const struct ipam_owner *owner, uint32_t *ret_addr,
		       struct ctr_error *err);

/* Fail with -EADDRINUSE when one of publish[0..count) conflicts with a host
 * port that the lease of a running container records, naming the port and the
 * container.  The caller holds the lock, so no other run records a port
 * between this check and ipam_lease_publish_record().  Returns 0 or -errno. */
int ipam_publish_check_leases(const char *state_dir, const struct ipam_publish *publish,
			      size_t count, struct ctr_error *err);

/* Append publish[0..count) to the lease of addr, one "publish PROTO HOSTIP
 * HOSTPORT" line each, for ipam_publish_check_leases() of later runs.  The
 * caller holds the lock.  Returns 0 or -errno with err set. */
int ipam_lease_publish_record(const char *state_dir, uint32_t addr,
			      const struct ipam_publish *publish, size_t count,
			      struct ctr_error *err);

/* Remove the lease of addr.  Needs no lock: only the owner removes its own
 * lease, and a reclaim only removes leases whose owner is dead.  Returns 0 or
 * -errno; a missing lease is 0. */
int ipam_lease_release(const char *state_dir, uint32_t addr);

/* Read the lease file of addr.  Returns 0, -ENOENT or -EINVAL. */
int ipam_lease_read(const char *state_dir, uint32_t addr, struct ipam_owner *ret_owner);

#endif
