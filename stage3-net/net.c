/* Stage 3: the container's network.
 *
 * Kernel objects, for --net bridge (the default):
 *
 *   container netns        host netns
 *   +--------------+       +---------------------------------------------+
 *   | lo           |       |  bridge ctrlab0 10.88.0.1/16 (the gateway)   |
 *   | eth0 ========veth========= cv01e24f0a3c1 (a bridge port)            |
 *   | 10.88.0.2/16 |       |  nft table inet ctrlab: forward, masquerade |
 *   | default via  |       |  ip_forward=1 --> uplink (the default route) |
 *   |   10.88.0.1  |       +---------------------------------------------+
 *   +--------------+
 *
 * A network namespace (network_namespaces(7)) has its own links, addresses,
 * routes and firewall.  A veth pair (veth(4)) is a cable with two ends: a frame
 * sent into one end comes out of the other.  The two ends may sit in different
 * namespaces.  The bridge is a virtual switch that joins the host ends of all
 * containers, and its address is their gateway.  Reading order: this file's
 * hooks from validate down, then net_setup.c, ipam.c, netlink.c, nat.c, dns.c. */
#include "stage3-net/net.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/state.h"
#include "stage3-net/dns.h"
#include "stage3-net/ipam.h"
#include "stage3-net/nat.h"
#include "stage3-net/net_setup.h"
#include "stage3-net/netlink.h"

#define NET_DEFAULT_BRIDGE "ctrlab0"
#define NET_DEFAULT_SUBNET "10.88.0.0/16"
/* Maximum number of -p/--publish options in one run. */
#define NET_PUBLISH_MAX 16

enum net_mode { NET_MODE_BRIDGE, NET_MODE_NONE, NET_MODE_HOST };

/* Set by the options, before clone. */
static struct {
	enum net_mode mode;
	const char *bridge;
	bool bridge_set;            /* --bridge was given */
	const char *subnet_text;
	bool subnet_set;            /* --subnet was given */
	const char *dns[DNS_SERVERS_MAX];
	size_t dns_count;
	struct ipam_publish publish[NET_PUBLISH_MAX];
	const char *publish_text[NET_PUBLISH_MAX];
	size_t publish_count;
} options = { .mode = NET_MODE_BRIDGE, .bridge = NET_DEFAULT_BRIDGE,
	      .subnet_text = NET_DEFAULT_SUBNET };

/* Set by the hooks.  The child reads the copy that clone made. */
static struct net_plan plan;

static int set_net(struct container *c, const char *value, struct ctr_error *err)
{
	(void)c;
	if (strcmp(value, "bridge") == 0)
		options.mode = NET_MODE_BRIDGE;
	else if (strcmp(value, "none") == 0)
		options.mode = NET_MODE_NONE;
	else if (strcmp(value, "host") == 0)
		options.mode = NET_MODE_HOST;
	else
		return error_setx(err, -EINVAL,
				  "Invalid network mode '%s': choose bridge, none or host", value);
	return 0;
}

static int set_bridge(struct container *c, const char *value, struct ctr_error *err)
{
	(void)c;
	/* IFNAMSIZ counts the terminating NUL.  A link name must not contain '/',
	 * ':' or spaces (dev_valid_name in net/core/dev.c). */
	if (!value[0] || strlen(value) >= IFNAMSIZ || strpbrk(value, "/: \t\n"))
		return error_setx(err, -EINVAL,
				  "Invalid bridge name '%s': use 1 to %d characters without '/', ':' or spaces",
				  value, IFNAMSIZ - 1);
	options.bridge = value;
	options.bridge_set = true;
	return 0;
}

static int set_subnet(struct container *c, const char *value, struct ctr_error *err)
{
	struct ipam_subnet subnet;

	(void)c;
	if (ipam_subnet_parse(value, &subnet, err) < 0)
		return -EINVAL;
	options.subnet_text = value;
	options.subnet_set = true;
	return 0;
}

static int set_dns(struct container *c, const char *value, struct ctr_error *err)
{
	uint32_t addr;

	(void)c;
	if (ipam_addr_parse(value, &addr) < 0)
		return error_setx(err, -EINVAL,
				  "Invalid DNS server '%s': give an IPv4 address such as 192.168.1.1",
				  value);
	if (options.dns_count == DNS_SERVERS_MAX)
		return error_setx(err, -EINVAL,
				  "Too many --dns options: the resolver reads at most %d",
				  DNS_SERVERS_MAX);
	options.dns[options.dns_count++] = value;
	return 0;
}

static int set_publish(struct container *c, const char *value, struct ctr_error *err)
{
	struct ipam_publish *publish = &options.publish[options.publish_count];
	char port[IPAM_PUBLISH_HOST_STR_MAX];

	(void)c;
	if (options.publish_count == NET_PUBLISH_MAX)
		return error_setx(err, -EINVAL, "Too many -p/--publish options: the limit is %d",
				  NET_PUBLISH_MAX);
	if (ipam_publish_parse(value, publish, err) < 0)
		return -EINVAL;
	/* Two DNAT rules for one host port: only the first would ever match. */
	for (size_t i = 0; i < options.publish_count; i++) {
		if (ipam_publish_conflict(&options.publish[i], publish))
			return error_setx(err, -EINVAL,
					  "Invalid port spec '%s': host port %s is already published by -p %s; a host port forwards to one container port, so choose another host port",
					  value, ipam_publish_host_format(publish, port),
					  options.publish_text[i]);
	}
	options.publish_text[options.publish_count++] = value;
	return 0;
}

static const struct ctr_option net_options[] = {
	{ "net", 0, "MODE", "network: bridge (default; own namespace behind NAT), none (loopback only) or host", set_net },
	{ "bridge", 0, "NAME", "host bridge the container joins (default: " NET_DEFAULT_BRIDGE ")", set_bridge },
	{ "subnet", 0, "CIDR", "IPv4 subnet of the bridge (default: " NET_DEFAULT_SUBNET ")", set_subnet },
	{ "dns", 0, "IP", "nameserver for the container's resolv.conf; repeat for up to 3", set_dns },
	{ "publish", 'p', "[HOSTIP:]HOSTPORT:PORT[/tcp|/udp]", "forward a host port to the container (DNAT)", set_publish },
	{ NULL, 0, NULL, NULL, NULL },
};

/* Reject the options that --net host or none would ignore.  --dns stays valid
 * with --net none, whose resolv.conf may name a server on the container's own
 * loopback, but --net host keeps the host's resolv.conf as it is. */
static int mode_options_check(struct ctr_error *err)
{
	const char *mode = options.mode == NET_MODE_HOST ? "host" : "none";
	const char *reason = options.mode == NET_MODE_HOST ?
		"the container uses the host's links, addresses and resolv.conf as they are" :
		"the container has a loopback link only, with no bridge or address";
	const char *option = NULL;

	if (options.mode == NET_MODE_BRIDGE)
		return 0;
	if (options.publish_count > 0)
		option = "-p/--publish";
	else if (options.bridge_set)
		option = "--bridge";
	else if (options.subnet_set)
		option = "--subnet";
	else if (options.dns_count > 0 && options.mode == NET_MODE_HOST)
		option = "--dns";
	if (!option)
		return 0;
	return error_setx(err, -EINVAL,
			  "Option %s needs --net bridge: with --net %s %s, so it would be ignored; remove %s or use --net bridge",
			  option, mode, reason, option);
}

/* Without --hostname, name the container's host after the container, as Docker
 * does with its id, so that two containers do not both call themselves ctrlab in
 * /etc/hosts.  A container name with '_' is not a valid hostname (RFC 1123) and
 * keeps the default. */
static void hostname_default(struct container *c)
{
	if (c->hostname_set)
		return;
	if (validate_hostname(c->name, NULL) < 0) {
		log_debug("hostname stays '%s': container name '%s' is not a valid hostname",
			  c->hostname, c->name);
		return;
	}
	c->hostname = c->name;
}

/* Runs on the host before anything is created: reclaim what killed containers
 * left, then check the options against the host's routes and firewall. */
static int net_validate(struct container *c, struct ctr_error *err)
{
	int r;

	r = mode_options_check(err);
	if (r < 0)
		return r;
	hostname_default(c);
	if (options.mode == NET_MODE_HOST) {
		log_info("--net host: the container shares the host's network namespace, "
			 "its links, addresses, ports and firewall");
		return 0;
	}
	/* A new network namespace contains only a loopback link, and it is down. */
	c->clone_flags |= CLONE_NEWNET;
	if (options.mode == NET_MODE_NONE)
		return 0;

	/* Reclaim now, before stage 2 creates the state directory, which fails
	 * while a killed container of the same name left its own behind. */
	r = net_host_reclaim(c, err);
	if (r < 0)
		return r;
	memset(&plan, 0, sizeof(plan));
	snprintf(plan.bridge, sizeof(plan.bridge), "%s", options.bridge);
	plan.publish = options.publish;
	plan.publish_count = options.publish_count;
	ipam_subnet_parse(options.subnet_text, &plan.subnet, err);
	return net_host_check(c->state_dir, &plan, err);
}

/* Runs on the host before clone: lease an address, make sure the bridge and the
 * nft table exist, and write the /etc files. */
static int net_before_clone(struct container *c, struct ctr_error *err)
{
	int r;

	r = net_state_dir_ensure(c, err);
	if (r < 0)
		return r;
	if (options.mode == NET_MODE_BRIDGE) {
		r = net_host_prepare(c, &plan, err);
		if (r < 0)
			return r;
	}
	if (options.publish_count > 0) {
		plan.publish_added = true;
		r = nat_publish_add(c->name, plan.addr, options.publish, options.publish_count,
				    err);
		if (r < 0)
			return r;
	}
	return dns_files_setup(c, plan.addr, options.mode == NET_MODE_HOST, options.dns,
			       options.dns_count, err);
}

/* Runs on the host while the child waits: the child's network namespace exists
 * now, so the veth's container end can be created directly inside it. */
static int net_after_clone(struct container *c, struct ctr_error *err)
{
	if (options.mode != NET_MODE_BRIDGE)
		return 0;
	return net_veth_create(c, &plan, err);
}

/* Runs in the container, in its new network namespace. */
static int net_child_setup(struct container *c, struct ctr_error *err)
{
	(void)c;
	if (options.mode == NET_MODE_HOST)
		return 0;
	return net_container_configure(&plan, options.mode == NET_MODE_BRIDGE, err);
}

/* Runs on the host once COMMAND was executed: from here on, the bridge and the
 * table this run created stay for the next runs, until `run cleanup`. */
static int net_running(struct container *c, struct ctr_loop *loop, struct ctr_error *err)
{
	(void)c;
	(void)loop;
	(void)err;
	plan.running = true;
	return 0;
}

/* Runs on the host after the container is gone, and on every failure path: each
 * step checks that its object was made before undoing it. */
static void net_after_exit(struct container *c)
{
	struct ctr_error err;

	error_clear(&err);
	/* The veth needs no RTM_DELLINK.  The kernel destroys the container's
	 * network namespace once its last process has exited and no fd refers to
	 * it, in a worker some ms later.  eth0 goes with it, and so does its peer
	 * (veth(4)).  Deleting it here would keep the runtime waiting about 20 ms
	 * for RCU grace periods (unregister_netdevice). */
	if (plan.veth_created)
		explain("veth %s: removed by the kernel with the container's network namespace",
			plan.veth);
	if (plan.publish_added && nat_publish_remove(c->name, &err) < 0)
		log_warning("%s, ignoring", err.msg);
	if (plan.addr) {
		ipam_lease_release(c->state_dir, plan.addr);
		explain("unlink lease of %s: the address is free again", plan.addr_text);
	}
	/* A run that failed before COMMAND leaves the host as it found it. */
	if (!plan.running)
		net_host_undo(c, &plan);
	dns_files_remove(c);
	net_state_dir_release(c);
	memset(&plan, 0, sizeof(plan));
}

const struct ctr_module net_module = {
	.name = "net",
	.options = net_options,
	.clone_flags = 0,  /* CLONE_NEWNET is added by validate, except for --net host */
	.validate = net_validate,
	.parent_before_clone = net_before_clone,
	.parent_after_clone = net_after_clone,
	.child_setup = net_child_setup,
	.parent_running = net_running,
	.parent_after_exit = net_after_exit,
};
