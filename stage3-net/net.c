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
 * containers, and its address is their gateway.
 *
 * Reading order: helper.h (why stage 3 is two programs), helper_run.c and
 * common/fdpass.c, then this file's hooks from validate down, with ipam.c and
 * dns.c, which the runtime calls.  Then the helper: helper_main.c,
 * net_setup.c, netlink.c, nat.c, cleanup.c. */
#include "stage3-net/net.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/parse.h"
#include "common/state.h"
#include "common/syscalls.h"
#include "stage3-net/dns.h"
#include "common/fdpass.h"
#include "stage3-net/helper.h"
#include "stage3-net/ipam.h"

#define NET_DEFAULT_BRIDGE "ctrlab0"
#define NET_DEFAULT_SUBNET "10.88.0.0/16"
/* Maximum number of -p/--publish options in one run. */
#define NET_PUBLISH_MAX HELPER_PUBLISH_MAX

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

/* Set by the hooks, on the runtime's side. */
static struct {
	struct ipam_subnet subnet;
	uint32_t addr;                 /* leased address, 0 before the lease */
	char addr_text[IPAM_ADDR_STR_MAX];
	char veth[IFNAMSIZ];           /* the veth's host end */
	bool state_dir_ours;           /* this module created c's state directory */
	pid_t helper_pid;              /* the network helper, 0 when none runs */
	int helper_sock;               /* the runtime's end of its socket */
	bool replied;                  /* reply below is the helper's */
	struct helper_reply reply;
	bool running;                  /* COMMAND was executed */
} run = { .helper_sock = -1 };

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
	/* IFNAMSIZ counts the terminating NUL. */
	if (!ipam_bridge_name_valid(value))
		return error_setx(err, -EINVAL,
				  "Invalid bridge name '%s': use 1 to %d letters, digits, '.', '_' or '-', other than '.' and '..'",
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
	{ "publish", 'p', "[HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp]", "forward a host port to the container (DNAT)", set_publish },
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

/* The dead containers found by a reclaim, passed to the helper in batches as
 * "reclaim NAME VETH...". */
#define DEAD_BATCH_MAX ((HELPER_ARGS_MAX - 1) / 2)

struct dead_list {
	char names[DEAD_BATCH_MAX][CTR_NAME_MAX + 1];
	char veths[DEAD_BATCH_MAX][IFNAMSIZ];
	size_t count;
	const char *state_dir;
};

/* Run the helper's reclaim for the listed containers and empty the list.  A
 * failure is reported and ignored: the address is free either way. */
static void dead_flush(struct dead_list *dead)
{
	const char *args[HELPER_ARGS_MAX + 1];
	struct ctr_error err;
	size_t n = 0;

	if (dead->count == 0)
		return;
	args[n++] = "reclaim";
	for (size_t i = 0; i < dead->count; i++) {
		args[n++] = dead->names[i];
		args[n++] = dead->veths[i];
	}
	args[n] = NULL;
	error_clear(&err);
	if (helper_run(args, &err) < 0)
		log_warning("%s, ignoring", err.msg);
	dead->count = 0;
}

/* Reclaim callback, with the lock held: remove a dead container's /etc files
 * and state directory, and list its veth and name for the helper. */
static void dead_collect(uint32_t addr, const struct ipam_owner *owner, void *data)
{
	struct dead_list *dead = data;
	struct container gone = { .state_dir = dead->state_dir };
	char text[IPAM_ADDR_STR_MAX];

	log_info("Reclaiming %s from container '%s' (runtime PID %d is gone)",
		 ipam_addr_format(addr, text), owner->name[0] ? owner->name : "?", owner->pid);
	/* A full list goes to the helper now: every dead container's rules must
	 * go before the lock is released and its address can be leased again. */
	if (dead->count == DEAD_BATCH_MAX)
		dead_flush(dead);
	/* A running container of the same name owns the rules, /etc files and
	 * state directory that carry the name: only the dead lease and its own
	 * veth go.  The lease check in lease_take() keeps this from happening,
	 * but a lease of an older ctrlab may still be left. */
	if (owner->name[0] && ipam_name_alive(dead->state_dir, owner->name)) {
		log_info("Container '%s' runs under a newer lease: its ports, files and state stay",
			 owner->name);
		snprintf(dead->names[dead->count], sizeof(dead->names[0]), "?");
		ipam_veth_name(owner, dead->veths[dead->count], sizeof(dead->veths[0]));
		dead->count++;
		return;
	}
	snprintf(dead->names[dead->count], sizeof(dead->names[0]), "%s",
		 owner->name[0] ? owner->name : "?");
	ipam_veth_name(owner, dead->veths[dead->count], sizeof(dead->veths[0]));
	dead->count++;
	if (!owner->name[0] || validate_container_name(owner->name, NULL) < 0)
		return;
	snprintf(gone.name, sizeof(gone.name), "%s", owner->name);
	dns_files_remove(&gone);
	state_dir_remove(&gone);
}

/* Reclaim the leases of killed containers.  Their files go here, their veths
 * (in case their namespace outlived them) and published ports through the
 * helper.  All of it happens under the lease lock, so no run leases a reclaimed
 * address while a rule still points to it.  Returns 0 or -errno with err set. */
static int net_reclaim(struct container *c, struct ctr_error *err)
{
	struct dead_list dead = { .state_dir = c->state_dir };
	int lock_fd;
	int r;

	/* The scan without the lock keeps 100 starting containers from queueing
	 * on it only to find every lease alive. */
	if (!ipam_any_dead(c->state_dir))
		return 0;
	lock_fd = ipam_lock(c->state_dir, err);
	if (lock_fd < 0)
		return lock_fd;
	r = ipam_reclaim(c->state_dir, dead_collect, &dead);
	dead_flush(&dead);
	close(lock_fd);
	if (r < 0)
		return error_set(err, r, "Failed to reclaim leases in '%s/net'", c->state_dir);
	return 0;
}

static int helper_start(struct container *c, struct ctr_error *err);
static int lease_take(struct container *c, struct ctr_error *err);
static int lease_send(struct ctr_error *err);
static void helper_finish(void);

/* Runs on the host before anything is created: start the network helper,
 * reclaim what killed containers left and lease an address. */
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
	r = helper_check(err);
	if (r < 0)
		return r;
	/* Start the helper as soon as the options are known to be good: its
	 * start-up (glibc's, see helper.h) is the longest step of a run, and
	 * overlaps all that follows.  It waits for this run's lease before it
	 * looks at the host. */
	r = helper_start(c, err);
	if (r < 0)
		return r;
	if (options.mode == NET_MODE_BRIDGE) {
		ipam_subnet_parse(options.subnet_text, &run.subnet, err);
		/* Reclaim now, before stage 2 creates the state directory, which
		 * fails while a killed container of the same name left its own. */
		r = net_reclaim(c, err);
		if (r >= 0)
			r = lease_take(c, err);
	}
	if (r >= 0)
		r = lease_send(err);
	if (r < 0) {
		/* The helper finds the end of the dialogue and exits untouched. */
		helper_finish();
		if (run.addr)
			ipam_lease_release(c->state_dir, run.addr);
		run.addr = 0;
	}
	return r;
}

/* Create c's state directory unless stage 2 created it.  Returns 0 or -errno
 * with err set. */
static int state_dir_ensure(struct container *c, struct ctr_error *err)
{
	char path[4096];
	struct stat st;
	int r;

	r = state_path(c, NULL, path, sizeof(path));
	if (r < 0)
		return error_set(err, r, "Failed to build the state path of '%s'", c->name);
	/* NOTE: an existing directory is taken as made by an earlier module of this
	 * run, such as stage 2.  That module then catches a clash of names. */
	if (stat(path, &st) == 0)
		return 0;
	r = state_dir_create(c, err);
	if (r == 0)
		run.state_dir_ours = true;
	return r;
}

/* Remove c's state directory when this module created it and it is empty. */
static void state_dir_release(const struct container *c)
{
	char path[4096];

	if (!run.state_dir_ours || state_path(c, NULL, path, sizeof(path)) < 0)
		return;
	run.state_dir_ours = false;
	if (rmdir(path) < 0 && errno != ENOENT)
		log_debug("kept '%s': %s", path, strerror(errno));
}

/* Start the helper's `add` with this run's options; it checks the host and
 * prepares the bridge while the runtime goes on.  Returns 0 or -errno. */
static int helper_start(struct container *c, struct ctr_error *err)
{
	const char *args[HELPER_ARGS_MAX + 1];
	int sock[2];
	size_t n = 0;
	int r;

	args[n++] = "add";
	args[n++] = "--state-dir";
	args[n++] = c->state_dir;
	args[n++] = "--name";
	args[n++] = c->name;
	args[n++] = "--mode";
	args[n++] = options.mode == NET_MODE_NONE ? "none" : "bridge";
	if (options.mode == NET_MODE_BRIDGE) {
		args[n++] = "--bridge";
		args[n++] = options.bridge;
		args[n++] = "--subnet";
		args[n++] = options.subnet_text;
		for (size_t i = 0; i < options.publish_count; i++) {
			args[n++] = "--publish";
			args[n++] = options.publish_text[i];
		}
	}
	args[n] = NULL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sock) < 0)
		return error_set(err, -errno, "Failed to create the helper's socketpair");
	r = helper_spawn(args, sock[1], &run.helper_pid, err);
	close(sock[1]);
	if (r < 0) {
		close(sock[0]);
		run.helper_pid = 0;
		return r;
	}
	run.helper_sock = sock[0];
	return 0;
}

/* Under the lease lock: check the -p host ports against those of running
 * containers, lease an address and record the ports in the lease.  Returns 0
 * or -errno with err set.
 *
 * NOTE: this runs before the helper checks the host's routes and firewall,
 * so a check that fails comes after the lease.  net_after_exit() then removes
 * the lease and the address's /etc files, but <state_dir>/net with its lock
 * stays until `run cleanup`. */
static int lease_take(struct container *c, struct ctr_error *err)
{
	struct ipam_owner owner;
	int lock_fd;
	int r;

	r = ipam_owner_self(c->name, &owner);
	if (r < 0)
		return error_set(err, r, "Failed to read this process's start time");
	lock_fd = ipam_lock(c->state_dir, err);
	if (lock_fd < 0)
		return lock_fd;
	/* net_reclaim() ran in validate.  A lease that died since then is left to
	 * the next run: it holds an address, but never a wrong one. */
	r = 0;
	/* Leases, rules and the state directory are found by the container's
	 * name, so no lease may name a running container: a dead one would make
	 * the next reclaim remove what the running one uses.  Stage 2 finds the
	 * clash only later, when it creates the state directory. */
	if (ipam_name_alive(c->state_dir, c->name))
		r = error_setx(err, -EEXIST,
			       "A container named '%s' already exists (it holds a lease in '%s/net/leases'); choose another --name",
			       c->name, c->state_dir);
	if (r >= 0)
		r = ipam_publish_check_leases(c->state_dir, options.publish,
					      options.publish_count, err);
	if (r >= 0)
		r = ipam_lease_acquire(c->state_dir, &run.subnet, &owner, &run.addr, err);
	if (r >= 0)
		r = ipam_lease_publish_record(c->state_dir, run.addr, options.publish,
					      options.publish_count, err);
	close(lock_fd);
	if (r < 0)
		return r;
	ipam_addr_format(run.addr, run.addr_text);
	ipam_veth_name(&owner, run.veth, sizeof(run.veth));
	explain("lease %s/%u in '%s/net/leases' (flock held)", run.addr_text,
		run.subnet.prefix_len, c->state_dir);
	return 0;
}

/* Send one message to the helper, with fd attached unless it is negative.  A
 * helper that has ended (EPIPE, or ECONNRESET with a message unread) is left to
 * helper_reply_read(), which names how it ended.  Returns 0 or -errno. */
static int helper_send(const void *msg, size_t len, int fd, const char *what,
		       struct ctr_error *err)
{
	int r = fd_msg_send(run.helper_sock, msg, len, fd);

	if (r < 0 && r != -EPIPE && r != -ECONNRESET)
		return error_set(err, r, "Failed to send %s to the network helper", what);
	return 0;
}

/* Send the lease to the helper, which checks the host only after it: a failed
 * run's undo keeps the bridge and the table while a live lease exists.  With
 * --net none the message carries no address.  Returns 0 or -errno with err set. */
static int lease_send(struct ctr_error *err)
{
	struct helper_request request = { .addr = run.addr };

	snprintf(request.veth, sizeof(request.veth), "%s", run.veth);
	return helper_send(&request, sizeof(request), -1, "the lease", err);
}

/* Runs on the host before clone: write the /etc files. */
static int net_before_clone(struct container *c, struct ctr_error *err)
{
	int r;

	r = state_dir_ensure(c, err);
	if (r < 0)
		return r;
	return dns_files_setup(c, run.addr, options.mode == NET_MODE_HOST, options.dns,
			       options.dns_count, err);
}

/* Read the helper's reply, waiting at most HELPER_TIMEOUT_MS: the runtime
 * keeps its signals blocked until the wait loop, so a stuck helper must not
 * keep it here.  A helper that ends without a reply is collected and named.  Returns 0
 * with run.reply set, or -errno with err set. */
static int helper_reply_read(struct ctr_error *err)
{
	struct pollfd reply = { .fd = run.helper_sock, .events = POLLIN };
	char how[32];
	int ready;
	int r;

	do
		ready = poll(&reply, 1, HELPER_TIMEOUT_MS);
	while (ready < 0 && errno == EINTR);
	if (ready == 0) {
		kill(run.helper_pid, SIGKILL);
		helper_wait(run.helper_pid);
		run.helper_pid = 0;
		return error_setx(err, -ETIMEDOUT,
				  "The network helper did not reply within %d ms; it was killed, and 'run cleanup' removes what it left",
				  HELPER_TIMEOUT_MS);
	}
	r = fd_msg_recv(run.helper_sock, &run.reply, sizeof(run.reply), NULL);
	if (r == 1) {
		run.reply.msg[sizeof(run.reply.msg) - 1] = '\0';
		run.replied = true;
		return 0;
	}
	helper_status_describe(run.helper_pid, how, sizeof(how));
	run.helper_pid = 0;
	return error_setx(err, r < 0 ? r : -EPIPE,
			  "The network helper ended with %s before it replied; 'run cleanup' removes what it left",
			  how);
}

/* Runs on the host while the child sets up its mounts: hand the child's new
 * network namespace to the helper and wait for its reply. */
static int net_after_clone(struct container *c, struct ctr_error *err)
{
	struct helper_netns message = { .container_pid = c->pid };
	char path[64];
	int netns_fd;
	int r;

	if (options.mode == NET_MODE_HOST)
		return 0;
	/* The child is not reaped before this hook returns, so its PID names it. */
	snprintf(path, sizeof(path), "/proc/%d/ns/net", c->pid);
	netns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (netns_fd < 0)
		return error_set(err, -errno, "Failed to open '%s'", path);
	r = helper_send(&message, sizeof(message), netns_fd, "the network namespace", err);
	close(netns_fd);
	helper_cpus_join(run.helper_pid);
	if (r < 0)
		return r;
	r = helper_reply_read(err);
	if (r < 0)
		return r;
	if (run.reply.code < 0)
		return error_setx(err, run.reply.code, "%s", run.reply.msg);
	return 0;
}

/* Stop waiting for the helper: tell it that no request comes, when it still
 * waits for one, collect its reply and its exit status. */
static void helper_finish(void)
{
	struct ctr_error err;

	if (run.helper_sock >= 0 && run.helper_pid && !run.replied) {
		shutdown(run.helper_sock, SHUT_WR);
		error_clear(&err);
		if (helper_reply_read(&err) < 0)
			log_warning("%s", err.msg);
	}
	if (run.helper_sock >= 0)
		close(run.helper_sock);
	run.helper_sock = -1;
	if (run.helper_pid)
		helper_wait(run.helper_pid);
	run.helper_pid = 0;
}

/* Wait loop callback: the helper's pidfd is readable, so it has exited. */
static int helper_exited(int fd, short revents, void *data)
{
	(void)revents;
	(void)data;
	helper_finish();
	close(fd);
	return 1;
}

/* Runs on the host once COMMAND was executed: from here on, the bridge and the
 * table this run created stay for the next runs, until `run cleanup`. */
static int net_running(struct container *c, struct ctr_loop *loop, struct ctr_error *err)
{
	int pidfd;

	(void)c;
	(void)err;
	run.running = true;
	helper_cpus_leave();
	if (!run.helper_pid)
		return 0;
	/* The helper replied and exits.  The wait loop collects it once its pidfd
	 * becomes readable, so that only the runtime waits while the container
	 * runs, and signals are forwarded meanwhile. */
	pidfd = sys_pidfd_open(run.helper_pid);
	if (pidfd < 0 || loop_watch(loop, pidfd, POLLIN, helper_exited, NULL) < 0) {
		if (pidfd >= 0)
			close(pidfd);
		helper_finish();
	}
	return 0;
}

/* Undo with the helper what its `add` made in a run that failed before COMMAND
 * started: forwarding, the table and the bridge, unless a running container
 * uses them. */
static void helper_undo(const struct container *c)
{
	const char *args[12];
	struct ctr_error err;
	size_t n = 0;

	args[n++] = "undo";
	args[n++] = "--state-dir";
	args[n++] = c->state_dir;
	args[n++] = "--bridge";
	args[n++] = options.bridge;
	if (run.reply.bridge_created)
		args[n++] = "--bridge-created";
	if (run.reply.table_created)
		args[n++] = "--table-created";
	if (run.reply.forwarding_enabled)
		args[n++] = "--forwarding-enabled";
	args[n] = NULL;
	error_clear(&err);
	if (helper_run(args, &err) < 0)
		log_warning("%s, ignoring", err.msg);
}

/* Runs on the host after the container is gone, and on every failure path: each
 * step checks that its object was made before undoing it. */
static void net_after_exit(struct container *c)
{
	struct ctr_error err;

	error_clear(&err);
	helper_finish();
	/* A run that failed before COMMAND ran may still be on the helper's CPUs. */
	helper_cpus_leave();
	/* The veth needs no RTM_DELLINK.  The kernel destroys the container's
	 * network namespace once its last process has exited and no fd refers to
	 * it, in a worker some ms later.  eth0 goes with it, and so does its peer
	 * (veth(4)).  Deleting it here would keep the runtime waiting about 20 ms
	 * for RCU grace periods (unregister_netdevice). */
	if (run.running && options.mode == NET_MODE_BRIDGE)
		explain("veth %s: removed by the kernel with the container's network namespace",
			run.veth);
	/* The rules go before the lease: the next holder of the address must not
	 * receive this container's ports. */
	if (options.publish_count > 0 && (!run.replied || run.reply.publish_added)) {
		const char *args[] = { "unpublish", "--name", c->name, NULL };

		if (helper_run(args, &err) < 0)
			log_warning("%s, ignoring", err.msg);
	}
	if (run.addr && !run.running)
		dns_addr_files_remove(c, run.addr);
	if (run.addr) {
		ipam_lease_release(c->state_dir, run.addr);
		explain("unlink lease of %s: the address is free again", run.addr_text);
	}
	/* A run that failed before COMMAND leaves the host as it found it. */
	if (!run.running && run.replied &&
	    (run.reply.bridge_created || run.reply.table_created || run.reply.forwarding_enabled))
		helper_undo(c);
	/* With an address, the /etc files are the address's and stay for its
	 * next holder (dns.c); only --net none and host write the container's. */
	if (!run.addr)
		dns_files_remove(c);
	state_dir_release(c);
	memset(&run, 0, sizeof(run));
	run.helper_sock = -1;
}

const struct ctr_module net_module = {
	.name = "net",
	.options = net_options,
	.clone_flags = 0,  /* CLONE_NEWNET is added by validate, except for --net host */
	.validate = net_validate,
	.parent_before_clone = net_before_clone,
	.parent_after_clone = net_after_clone,
	.parent_running = net_running,
	.parent_after_exit = net_after_exit,
};
