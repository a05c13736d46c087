/* The network helper's steps (helper_main.c calls them in order): the host
 * checks, the bridge and the table, the veth, and the container's links. */
#ifndef CTRLAB_NET_SETUP_H
#define CTRLAB_NET_SETUP_H

#include <linux/if.h>
#include <stdbool.h>

#include "common/error.h"
#include "stage3-net/ipam.h"
#include "stage3-net/netlink.h"

/* What the host side decides for one container with --net bridge. */
struct net_plan {
	char bridge[IFNAMSIZ];
	struct ipam_subnet subnet;
	unsigned int mtu;           /* of the host's route to the outside */
	uint32_t addr;              /* leased address, 0 before the lease */
	char addr_text[IPAM_ADDR_STR_MAX];
	char veth[IFNAMSIZ];        /* host end, "cv" and the address in hex */
	int bridge_index;
	char uplink[IFNAMSIZ];      /* the default route's link */
	int uplink_index;           /* its ifindex, 0 without a default route */
	const struct ipam_publish *publish;  /* the -p options, recorded in the lease */
	size_t publish_count;
	bool nft_verified;          /* the ruleset is as the last check left it */
	bool bridge_ready;          /* the bridge is up with the subnet's route */
	bool bridge_created;        /* by this run, as were the two below */
	bool table_created;
	bool forwarding_enabled;
	bool publish_added;
};

/* Check that the host has each host address of plan->publish, and plan->subnet
 * against the host's routes and the other firewalls (unless
 * the ruleset is unchanged since the last check recorded in state_dir), and find
 * the uplink's MTU.  Changes nothing.  Returns 0 or -errno with err set. */
int net_host_check(const char *state_dir, struct net_plan *plan, struct ctr_error *err);

/* Under the lease lock: make sure the bridge, its gateway address and the nft
 * table exist, and turn forwarding on.  Records in plan what this call created.
 * Returns 0 or -errno with err set. */
int net_host_prepare(const char *state_dir, struct net_plan *plan, struct ctr_error *err);

/* Under the lease lock, and only while no running container holds a lease:
 * undo what net_host_prepare() created in a run that failed (forwarding, the
 * nft table and the bridge), so that it leaves the host as it found it.  The
 * caller has released the run's own lease.  Errors are logged and ignored. */
void net_host_undo(const char *state_dir, struct net_plan *plan);

/* In the container's network namespace, which the caller has joined: turn
 * IPv6 off for the links created from now on (conf/default), so that eth0 is
 * born without it.  Returns 0 or -errno with err set. */
int net_container_ipv6_off(struct ctr_error *err);

/* Over host, a netlink socket of the host's namespace: create the veth pair
 * with its container end, eth0, inside the network namespace netns_fd, and its
 * host end on the bridge, up and without IPv6 addresses.  name is the
 * container's, for --explain.  Returns 0 or -errno with err set. */
int net_veth_create(struct nl_sock *host, const char *name, int netns_fd,
		    struct net_plan *plan, struct ctr_error *err);

/* Delete the link called name; for a veth the kernel deletes both ends.
 * Returns 0 (also when it is gone already) or -errno with err set. */
int net_link_delete(const char *name, struct ctr_error *err);

/* In the container's network namespace, which the caller has joined: loopback
 * up and, with_eth0, eth0's address, eth0 up and the default route.  Returns 0
 * or -errno with err set. */
int net_container_configure(const struct net_plan *plan, bool with_eth0,
			    struct ctr_error *err);

/* Remove everything ctrlab set up on this host's network: dead containers'
 * leftovers and state directories, the bridges it created, its nft table, the
 * forwarding it turned on, <state_dir>/net, and state_dir when nothing else is
 * left in it.  Fails with -EBUSY while a container with a lease still runs.
 * Returns 0 or -errno with err set (cleanup.c). */
int net_cleanup_all(const char *state_dir, struct ctr_error *err);

#endif
