/* The steps of stage 3's module: see net_setup.h.  Every link, address and
 * route is made with an rtnetlink message (netlink.c), never by running ip(8). */
#include "stage3-net/net_setup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_arp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/log.h"
#include "stage3-net/nat.h"
#include "stage3-net/netlink.h"

/* The index of lo in every network namespace: the kernel registers it first
 * with this fixed index (LOOPBACK_IFINDEX in include/net/net_namespace.h), so
 * no RTM_GETLINK is needed to find it. */
#define NET_LOOPBACK_IFINDEX 1

/* The MTU of a route when neither the route nor its link sets one. */
#define NET_MTU_DEFAULT 1500

/* Find the MTU of the host's route to the outside: the default route's own MTU
 * metric, or else its link's MTU. */
static int uplink_find(struct nl_sock *sock, const struct nl_routes *routes,
		       struct net_plan *plan, struct ctr_error *err)
{
	struct nl_link link;
	int r;

	if (!routes->default_oif) {
		plan->mtu = NET_MTU_DEFAULT;
		log_warning("The host has no IPv4 default route: containers reach the host and "
			    "each other only; MTU %u", plan->mtu);
		return 0;
	}
	r = nl_link_get(sock, NULL, routes->default_oif, &link, err);
	if (r < 0)
		return r == -ENODEV ? error_set(err, r, "Failed to find the uplink") : r;
	snprintf(plan->uplink, sizeof(plan->uplink), "%s", link.name);
	plan->uplink_index = link.index;
	plan->mtu = routes->default_mtu ? routes->default_mtu : link.mtu;
	explain("RTM_GETROUTE default: via %s, MTU %u: the veth gets the same MTU, so no "
		"packet is too big for the uplink", plan->uplink, plan->mtu);
	return 0;
}

/* Dump the routes and reject plan's subnet when a route of another link
 * overlaps it, or when plan's bridge already serves another subnet.  Fills
 * *routes.  Returns 0 or -errno with err set. */
static int routes_check(struct nl_sock *sock, struct net_plan *plan, struct nl_routes *routes,
			struct ctr_error *err)
{
	char subnet[IPAM_ADDR_STR_MAX];
	char route[IPAM_ADDR_STR_MAX];
	struct nl_link route_link;
	struct ctr_error quiet;
	int r;

	r = nl_routes_scan(sock, plan->subnet.network, plan->subnet.prefix_len,
			   plan->bridge_index, routes, err);
	if (r < 0)
		return r;
	error_clear(&quiet);
	if (routes->overlap &&
	    nl_link_get(sock, NULL, routes->overlap_oif, &route_link, &quiet) < 0)
		snprintf(route_link.name, sizeof(route_link.name), "?");
	if (routes->overlap && !plan->bridge_index &&
	    strcmp(route_link.name, plan->bridge) == 0 && strcmp(route_link.kind, "bridge") == 0) {
		/* A run that started at the same time made the bridge after
		 * net_host_check() found none.  Its route is ctrlab's own, so
		 * dump the routes again with the bridge known. */
		plan->bridge_index = route_link.index;
		return routes_check(sock, plan, routes, err);
	}
	ipam_addr_format(plan->subnet.network, subnet);
	if (routes->skip_other)
		return error_setx(err, -EADDRINUSE,
				  "The bridge '%s' already serves %s/%u, not %s/%u; give this subnet a bridge of its own with --bridge NAME",
				  plan->bridge, ipam_addr_format(routes->skip_other_dst, route),
				  routes->skip_other_len, subnet, plan->subnet.prefix_len);
	if (routes->overlap)
		return error_setx(err, -EADDRINUSE,
				  "The subnet %s/%u overlaps the host's route %s/%u on %s; choose a free one with --subnet, such as 10.201.0.0/16",
				  subnet, plan->subnet.prefix_len,
				  ipam_addr_format(routes->overlap_dst, route), routes->overlap_len,
				  route_link.name);
	return 0;
}

static int subnet_check(struct nl_sock *sock, struct net_plan *plan, struct ctr_error *err)
{
	char subnet[IPAM_ADDR_STR_MAX];
	struct nl_routes routes;
	int r;

	r = routes_check(sock, plan, &routes, err);
	if (r < 0)
		return r;
	explain("RTM_GETROUTE dump: no host route overlaps %s/%u",
		ipam_addr_format(plan->subnet.network, subnet), plan->subnet.prefix_len);
	/* The kernel keeps the connected route of an address only while its link
	 * is up: with it, the bridge has the gateway address and is up. */
	plan->bridge_ready = routes.skip_same;
	return uplink_find(sock, &routes, plan, err);
}

/* Check that each HOSTIP of -p is an address of this host at this moment: a
 * DNAT rule on another address never sees a packet. */
static int publish_addrs_check(struct nl_sock *sock, const struct net_plan *plan,
			       struct ctr_error *err)
{
	char port[IPAM_PUBLISH_HOST_STR_MAX];
	char addr[IPAM_ADDR_STR_MAX];

	for (size_t i = 0; i < plan->publish_count; i++) {
		struct nl_addrs addrs = { .match_addr = plan->publish[i].host_addr };
		int r;

		if (!addrs.match_addr)
			continue;
		r = nl_addrs_scan(sock, &addrs, err);
		if (r < 0)
			return r;
		if (!addrs.found)
			return error_setx(err, -EADDRNOTAVAIL,
					  "Invalid host address of the published port %s: %s is not an address of this host (see ip -4 addr); give one of its addresses, or leave HOSTIP out of -p to publish on all of them",
					  ipam_publish_host_format(&plan->publish[i], port),
					  ipam_addr_format(plan->publish[i].host_addr, addr));
	}
	return 0;
}

/* Name what kind of device link is, for a message.  Devices that a driver
 * creates, such as lo or a network card, have no IFLA_INFO_KIND, so their
 * hardware type names them. */
static const char *link_description(const struct nl_link *link, char *buffer, size_t size)
{
	if (link->kind[0])
		snprintf(buffer, size, "a %s device", link->kind);
	else if (link->type == ARPHRD_LOOPBACK)
		snprintf(buffer, size, "a loopback device");
	else if (link->type == ARPHRD_ETHER)
		snprintf(buffer, size, "an Ethernet device, such as a network card");
	else
		snprintf(buffer, size, "a device of hardware type %u (ARPHRD_* in linux/if_arp.h)",
			 link->type);
	return buffer;
}

int net_host_check(const char *state_dir, struct net_plan *plan, struct ctr_error *err)
{
	char description[96];
	struct nl_sock sock = { 0 };
	struct nl_link bridge;
	int r;

	r = nl_open(&sock, err);
	if (r < 0)
		return r;
	r = publish_addrs_check(&sock, plan, err);
	if (r < 0)
		goto out;
	r = nl_link_get(&sock, plan->bridge, 0, &bridge, err);
	if (r == 0 && strcmp(bridge.kind, "bridge") != 0) {
		r = error_setx(err, -EEXIST,
			       "The link '%s' exists and is not a bridge (it is %s); choose another name with --bridge, such as --bridge ctrlab1",
			       plan->bridge, link_description(&bridge, description, sizeof(description)));
	} else if (r == 0 || r == -ENODEV) {
		/* The bridge's own connected route does not count as an overlap. */
		plan->bridge_index = r == 0 ? bridge.index : 0;
		r = subnet_check(&sock, plan, err);
	}
out:
	nl_close(&sock);
	if (r < 0)
		return r;
	/* NOTE: a firewall rule added between this check and the record in
	 * net_host_prepare() is not checked until the ruleset changes again. */
	plan->nft_verified = nat_verified(state_dir, plan->bridge, &plan->subnet);
	if (plan->nft_verified)
		return 0;
	return nat_forward_check(plan->bridge, err);
}

/* Turn IPv6 off for conf, a link of the caller's network namespace or
 * "default" for the links created later; links names them in messages.  Stage
 * 3 sets up IPv4 only, and a link with IPv6 on takes router advertisements
 * from the bridge: one container could then hand the host and the other
 * containers an IPv6 default route through itself.  A kernel without IPv6 has
 * no such file, which is fine.  Returns 0 or -errno with err set. */
static int ipv6_disable(const char *conf, const char *links, struct ctr_error *err)
{
	char path[96];
	int r;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", conf);
	r = file_write(path, "1");
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return error_set(err, r, "Failed to turn IPv6 off on %s ('%s')", links, path);
	explain("write(\"%s\", \"1\"): no IPv6 on %s, so no router advertisement is accepted there",
		path, links);
	return 0;
}

/* Send one request and narrate it.  Returns 0 or -errno with err set. */
static int request(struct nl_sock *sock, struct nlmsghdr *nlh, const char *step,
		   struct ctr_error *err)
{
	int r;

	if (!nlh)
		return error_setx(err, -ENOBUFS, "Failed to %s: netlink message too long", step);
	r = nl_request(sock, nlh, NULL, NULL, step, err);
	if (r == 0)
		explain("netlink: %s = 0", step);
	return r;
}

/* True when the marker <state_dir>/net/bridge-<name> exists: ctrlab created
 * that bridge. */
static bool bridge_marker_exists(const char *state_dir, const char *name)
{
	char marker[4096];

	snprintf(marker, sizeof(marker), "%s/net/bridge-%s", state_dir, name);
	return access(marker, F_OK) == 0;
}

/* Create the bridge unless it exists, give it the gateway address and bring it
 * up.  The caller holds the lease lock. */
static int bridge_ensure(struct nl_sock *sock, const char *state_dir, struct net_plan *plan,
			 struct ctr_error *err)
{
	char buf[NL_MSG_MAX];
	char step[128];
	char gateway[IPAM_ADDR_STR_MAX];
	struct nl_link link;
	int r;

	r = nl_link_get(sock, plan->bridge, 0, &link, err);
	if (r == -ENODEV) {
		char marker[4096];
		int fd;

		snprintf(step, sizeof(step), "RTM_NEWLINK %s type bridge", plan->bridge);
		r = request(sock, nlmsg_bridge_create(buf, sizeof(buf), plan->bridge), step, err);
		if (r < 0)
			return r;
		/* Remember the bridge, so that `cleanup` removes it and only it. */
		snprintf(marker, sizeof(marker), "%s/net/bridge-%s", state_dir, plan->bridge);
		fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
		plan->bridge_created = true;
		r = nl_link_get(sock, plan->bridge, 0, &link, err);
	} else if (r == 0) {
		struct nl_routes routes;

		/* A run that started at the same time may have made the bridge or
		 * given it its address since net_host_check() looked.  Under the
		 * lock, check again that it serves no other subnet. */
		plan->bridge_index = link.index;
		r = routes_check(sock, plan, &routes, err);
	}
	if (r < 0)
		return r;
	plan->bridge_index = link.index;
	/* Only on a bridge that ctrlab made, in this run or an earlier one, as
	 * the marker above records.  A bridge of the user's keeps its IPv6, and
	 * with it the user's choice to take router advertisements there. */
	if (plan->bridge_created || bridge_marker_exists(state_dir, plan->bridge)) {
		r = ipv6_disable(plan->bridge, plan->bridge, err);
		if (r < 0)
			return r;
	}

	snprintf(step, sizeof(step), "RTM_NEWADDR %s/%u dev %s (the gateway)",
		 ipam_addr_format(ipam_gateway(&plan->subnet), gateway), plan->subnet.prefix_len,
		 plan->bridge);
	r = request(sock, nlmsg_addr_add(buf, sizeof(buf), link.index,
					 ipam_gateway(&plan->subnet), plan->subnet.prefix_len),
		    step, err);
	if (r == -EEXIST) {
		error_clear(err);
		r = 0;
	}
	if (r < 0)
		return r;
	snprintf(step, sizeof(step), "RTM_NEWLINK %s up", plan->bridge);
	return request(sock, nlmsg_link_up(buf, sizeof(buf), link.index), step, err);
}

static int host_prepare_locked(struct nl_sock *sock, const char *state_dir,
			       struct net_plan *plan, struct ctr_error *err)
{
	int r;

	r = bridge_ensure(sock, state_dir, plan, err);
	if (r < 0)
		return r;
	if (!plan->nft_verified) {
		r = nat_table_ensure(plan->bridge, &plan->subnet, err);
		if (r < 0)
			return r;
		plan->table_created = r == 1;
	}
	/* Before the record below: turning forwarding on adds a chain to the
	 * table, which changes the ruleset generation that the record names. */
	r = nat_forwarding_enable(state_dir, err);
	if (r < 0)
		return r;
	plan->forwarding_enabled = r == 1;
	if (!plan->nft_verified)
		return nat_verified_record(state_dir, plan->bridge, &plan->subnet, err);
	return 0;
}

static void host_undo_locked(struct nl_sock *sock, const char *state_dir,
			     struct net_plan *plan)
{
	struct ctr_error err;
	char marker[4096];

	if (!plan->bridge_created && !plan->table_created && !plan->forwarding_enabled)
		return;
	/* NOTE: a run between its net_host_check() and its lease, which found the
	 * table verified, does not create the table again and then runs without it. */
	if (ipam_any_alive(state_dir)) {
		log_debug("kept the bridge, table and forwarding: a running container uses them");
		return;
	}
	error_clear(&err);
	if (plan->forwarding_enabled && nat_forwarding_restore(state_dir, &err) < 0)
		log_warning("%s, ignoring", err.msg);
	if (plan->table_created && nat_table_delete(&err) < 0)
		log_warning("%s, ignoring", err.msg);
	if (plan->bridge_created) {
		int r = nl_link_delete(sock, plan->bridge, &err);

		if (r < 0 && r != -ENODEV)
			log_warning("%s, ignoring", err.msg);
		else if (r == 0)
			explain("netlink: RTM_DELLINK %s = 0 (this run created it and failed)",
				plan->bridge);
		snprintf(marker, sizeof(marker), "%s/net/bridge-%s", state_dir, plan->bridge);
		unlink(marker);
	}
	plan->bridge_created = plan->table_created = plan->forwarding_enabled = false;
}

int net_host_prepare(const char *state_dir, struct net_plan *plan, struct ctr_error *err)
{
	struct nl_sock sock = { 0 };
	int lock_fd;
	int r;

	/* Every run after the first finds the bridge, the table and forwarding as
	 * it needs them, and changes nothing: no request, no lock. */
	if (plan->bridge_ready && plan->nft_verified && nat_forwarding_on()) {
		explain("bridge %s is up and serves the subnet, the nft table is verified and "
			"ip_forward is 1: nothing to prepare", plan->bridge);
		return 0;
	}
	/* The lease lock also orders the runs that create or remove the bridge and
	 * the table: two first runs at once create each only once. */
	lock_fd = ipam_lock(state_dir, err);
	if (lock_fd < 0)
		return lock_fd;
	r = nl_open(&sock, err);
	if (r >= 0)
		r = host_prepare_locked(&sock, state_dir, plan, err);
	nl_close(&sock);
	close(lock_fd);
	return r;
}

void net_host_undo(const char *state_dir, struct net_plan *plan)
{
	struct nl_sock sock = { 0 };
	struct ctr_error err;
	int lock_fd;

	if (!plan->bridge_created && !plan->table_created && !plan->forwarding_enabled)
		return;
	error_clear(&err);
	lock_fd = ipam_lock(state_dir, &err);
	if (lock_fd < 0 || nl_open(&sock, &err) < 0)
		log_warning("%s, ignoring", err.msg);
	else
		host_undo_locked(&sock, state_dir, plan);
	nl_close(&sock);
	if (lock_fd >= 0)
		close(lock_fd);
}

/* Describe the uplink as "uplink0 192.168.251.2/24, MTU 1400" into buffer. */
static void uplink_describe(struct nl_sock *sock, const struct net_plan *plan, char *buffer,
			    size_t size)
{
	struct nl_addrs addrs = { .match_ifindex = plan->uplink_index };
	char addr[IPAM_ADDR_STR_MAX];
	struct ctr_error quiet;

	if (!plan->uplink_index) {
		snprintf(buffer, size, "(none: the host has no IPv4 default route)");
		return;
	}
	error_clear(&quiet);
	if (nl_addrs_scan(sock, &addrs, &quiet) == 0 && addrs.link_addr)
		snprintf(buffer, size, "%s %s/%u, MTU %u", plan->uplink,
			 ipam_addr_format(addrs.link_addr, addr), addrs.link_prefix_len, plan->mtu);
	else
		snprintf(buffer, size, "%s (no IPv4 address), MTU %u", plan->uplink, plan->mtu);
}

static void explain_topology(struct nl_sock *sock, const char *name,
			     const struct net_plan *plan)
{
	char gateway[IPAM_ADDR_STR_MAX];
	char network[IPAM_ADDR_STR_MAX];
	char uplink[IFNAMSIZ + 48];

	if (!explain_enabled())
		return;
	/* Only --explain needs the uplink's address: one RTM_GETADDR dump. */
	uplink_describe(sock, plan, uplink, sizeof(uplink));
	ipam_addr_format(ipam_gateway(&plan->subnet), gateway);
	ipam_addr_format(plan->subnet.network, network);
	explain("topology of container '%s':", name);
	explain("  [container netns] eth0 %s/%u, MTU %u, default via %s", plan->addr_text,
		plan->subnet.prefix_len, plan->mtu, gateway);
	explain("        |  veth pair");
	explain("  [host netns]      %s, a port of bridge %s", plan->veth, plan->bridge);
	explain("        |");
	explain("                    bridge %s %s/%u (the gateway)", plan->bridge, gateway,
		plan->subnet.prefix_len);
	explain("        |  ip_forward=1, nft inet %s: masquerade %s/%u", NAT_TABLE, network,
		plan->subnet.prefix_len);
	explain("                    uplink %s", uplink);
}

int net_container_ipv6_off(struct ctr_error *err)
{
	/* A link copies conf/default when it is registered.  Unlike the file of
	 * one link, conf/default is written without the RTNL lock, which the
	 * kernel's worker for dead namespaces may hold for milliseconds. */
	return ipv6_disable("default",
			    "the links created from now on in the container's netns, eth0 among them",
			    err);
}

int net_veth_create(struct nl_sock *host, const char *name, int netns_fd,
		    struct net_plan *plan, struct ctr_error *err)
{
	char buf[NL_MSG_MAX];
	char step[160];
	int r;

	snprintf(step, sizeof(step),
		 "RTM_NEWLINK %s up type veth peer eth0 (in the container's netns) mtu %u master %s",
		 plan->veth, plan->mtu, plan->bridge);
	r = request(host, nlmsg_veth_create(buf, sizeof(buf), plan->veth, "eth0", plan->mtu,
					    plan->bridge_index, netns_fd),
		    step, err);
	if (r == -EEXIST) {
		/* Only a dead runtime with this PID and start time could have made
		 * it: delete the leftover and try once more. */
		error_clear(err);
		r = nl_link_delete(host, plan->veth, err);
		if (r == 0 || r == -ENODEV)
			r = request(host, nlmsg_veth_create(buf, sizeof(buf), plan->veth, "eth0",
							    plan->mtu, plan->bridge_index, netns_fd),
				    step, err);
	}
	if (r < 0)
		return r;
	/* A bridge port needs no address.  Set before eth0 comes up and gives the
	 * pair a carrier, this mode leaves the host end without a link-local
	 * address, whose removal would make the masquerade code walk the
	 * conntrack table (docs/stage3-net.md). */
	snprintf(step, sizeof(step), "RTM_NEWLINK %s addrgenmode none (no IPv6 link-local address)",
		 plan->veth);
	r = request(host, nlmsg_link_addrgen_none(buf, sizeof(buf), plan->veth), step, err);
	if (r == -EAFNOSUPPORT) {
		/* A link with an MTU below 1280, IPv6's minimum, gets no IPv6 state
		 * at all, and neither does any link when the kernel runs without
		 * IPv6: then there is no address to prevent. */
		log_debug("%s has no IPv6 (MTU %u, or IPv6 off in the kernel): no address generation mode to set",
			  plan->veth, plan->mtu);
		error_clear(err);
		r = 0;
	}
	if (r == 0)
		explain_topology(host, name, plan);
	return r;
}

int net_link_delete(const char *name, struct ctr_error *err)
{
	struct nl_sock sock = { 0 };
	int r;

	r = nl_open(&sock, err);
	if (r < 0)
		return r;
	/* Deleting one end of a veth deletes its peer too (veth(4)). */
	r = nl_link_delete(&sock, name, err);
	if (r == 0)
		explain("netlink: RTM_DELLINK %s = 0", name);
	nl_close(&sock);
	return r == -ENODEV ? 0 : r;
}

/* Configure eth0 in the container: address, up, default route.  Its IPv6 is
 * off from the start: see net_container_ipv6_off(). */
static int eth0_configure(struct nl_sock *sock, const struct net_plan *plan,
			  struct ctr_error *err)
{
	char buf[NL_MSG_MAX];
	char step[128];
	char gateway[IPAM_ADDR_STR_MAX];
	struct nl_link eth0;
	int r;

	r = nl_link_get(sock, "eth0", 0, &eth0, err);
	if (r < 0)
		return r == -ENODEV ? error_setx(err, r, "Failed to find eth0 in the container") : r;
	snprintf(step, sizeof(step), "RTM_NEWADDR %s/%u dev eth0", plan->addr_text,
		 plan->subnet.prefix_len);
	r = request(sock, nlmsg_addr_add(buf, sizeof(buf), eth0.index, plan->addr,
					 plan->subnet.prefix_len), step, err);
	if (r < 0)
		return r;
	r = request(sock, nlmsg_link_up(buf, sizeof(buf), eth0.index), "RTM_NEWLINK eth0 up",
		    err);
	if (r < 0)
		return r;
	/* The kernel added the connected route of the subnet with the address;
	 * everything else goes to the gateway on the bridge. */
	snprintf(step, sizeof(step), "RTM_NEWROUTE default via %s dev eth0",
		 ipam_addr_format(ipam_gateway(&plan->subnet), gateway));
	return request(sock, nlmsg_route_default(buf, sizeof(buf), ipam_gateway(&plan->subnet),
						 eth0.index), step, err);
}

int net_container_configure(const struct net_plan *plan, bool with_eth0,
			    struct ctr_error *err)
{
	struct nl_sock sock = { 0 };
	char buf[NL_MSG_MAX];
	int r;

	/* A netlink socket belongs to the network namespace its opener was in: the
	 * helper joined the container's with setns(), so every request below
	 * changes only the container. */
	r = nl_open(&sock, err);
	if (r < 0)
		return r;
	r = request(&sock, nlmsg_link_up(buf, sizeof(buf), NET_LOOPBACK_IFINDEX),
		    "RTM_NEWLINK lo up (127.0.0.1 works from here on)", err);
	if (r == 0 && with_eth0)
		r = eth0_configure(&sock, plan, err);
	nl_close(&sock);
	return r;
}
