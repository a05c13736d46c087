/* ctrlab-net, stage 3's network helper: see helper.h for why it is a program
 * of its own and how the runtime talks to it.  stage3-net/run starts it; it is
 * not meant to be typed, but each command of usage_text can be tried by hand
 * as root. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/parse.h"
#include "common/syscalls.h"
#include "common/fdpass.h"
#include "stage3-net/helper.h"
#include "stage3-net/ipam.h"
#include "stage3-net/nat.h"
#include "stage3-net/net_setup.h"

struct args {
	pid_t parent;               /* the runtime, this program's parent */
	const char *state_dir;
	const char *name;
	bool mode_none;
	struct net_plan plan;
	struct ipam_publish publish[HELPER_PUBLISH_MAX];
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static const char usage_text[] =
	"Usage: ctrlab-net COMMAND [OPTIONS]\n"
	"\n"
	"The network helper of stage3-net/run, which starts it for every container.\n"
	"Each command can also be run by hand as root:\n"
	"\n"
	"  add --state-dir DIR --name NAME --mode bridge|none\n"
	"      [--bridge NAME --subnet CIDR] [--publish SPEC]...\n"
	"                               network for one container; fd 3 is the runtime's socket\n"
	"  unpublish --name NAME        remove NAME's published ports\n"
	"  undo --state-dir DIR --bridge NAME [--bridge-created] [--table-created]\n"
	"      [--forwarding-enabled]   undo what a failed run created\n"
	"  reclaim NAME VETH...         remove dead containers' veths and ports\n"
	"  cleanup --state-dir DIR      remove everything ctrlab set up (stage3-net/run cleanup)\n"
	"\n"
	"Every command also takes --explain and --log-level N (0 errors only, 3 debug).\n"
	"Exit status: 0, or 125 on failure.\n";

/* Print one error about the arguments.  Returns the exit status, 125. */
static int usage_error(const char *fmt, ...)
{
	char msg[CTR_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("%s; this program is started by stage3-net/run (see stage3-net/helper_main.c)",
		  msg);
	return 125;
}

/* Parse the options of every command into args.  Returns 0, or 125 after
 * printing the error. */
static int args_parse(int argc, char **argv, struct args *args)
{
	static const struct option options[] = {
		{ "state-dir", required_argument, NULL, 'S' },
		{ "name", required_argument, NULL, 'n' },
		{ "mode", required_argument, NULL, 'm' },
		{ "bridge", required_argument, NULL, 'b' },
		{ "subnet", required_argument, NULL, 's' },
		{ "publish", required_argument, NULL, 'p' },
		{ "bridge-created", no_argument, NULL, 'B' },
		{ "table-created", no_argument, NULL, 'T' },
		{ "forwarding-enabled", no_argument, NULL, 'F' },
		{ "explain", no_argument, NULL, 'e' },
		{ "log-level", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctr_error err;
	int opt;

	error_clear(&err);
	opterr = 0;
	/* "+": stop at the first operand, the reclaim command's names. */
	while ((opt = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		switch (opt) {
		case 'S':
			args->state_dir = optarg;
			break;
		case 'n':
			if (validate_container_name(optarg, &err) < 0)
				return usage_error("%s", err.msg);
			args->name = optarg;
			break;
		case 'm':
			if (strcmp(optarg, "bridge") != 0 && strcmp(optarg, "none") != 0)
				return usage_error("Invalid --mode '%s': choose bridge or none", optarg);
			args->mode_none = strcmp(optarg, "none") == 0;
			break;
		case 'b':
			if (!ipam_bridge_name_valid(optarg))
				return usage_error("Invalid --bridge '%s'", optarg);
			snprintf(args->plan.bridge, sizeof(args->plan.bridge), "%s", optarg);
			break;
		case 's':
			if (ipam_subnet_parse(optarg, &args->plan.subnet, &err) < 0)
				return usage_error("%s", err.msg);
			break;
		case 'p':
			if (args->plan.publish_count == HELPER_PUBLISH_MAX)
				return usage_error("Too many --publish options: the limit is %d", HELPER_PUBLISH_MAX);
			if (ipam_publish_parse(optarg, &args->publish[args->plan.publish_count],
					       &err) < 0)
				return usage_error("%s", err.msg);
			args->plan.publish_count++;
			break;
		case 'B':
			args->plan.bridge_created = true;
			break;
		case 'T':
			args->plan.table_created = true;
			break;
		case 'F':
			args->plan.forwarding_enabled = true;
			break;
		case 'e':
			log_settings.explain = true;
			break;
		case 'l':
			if (optarg[0] < '0' || optarg[0] > '3' || optarg[1])
				return usage_error("Invalid --log-level '%s': give 0 to 3", optarg);
			log_settings.level = (enum log_level)(optarg[0] - '0');
			break;
		default:
			return usage_error("Invalid option '%s'", argv[optind - 1]);
		}
	}
	args->plan.publish = args->publish;
	return 0;
}

/* The host's part of `add`, before the container exists: check the host, then
 * make sure the bridge and the table exist.  Returns 0 or -errno with err set. */
static int add_host(struct args *args, struct ctr_error *err)
{
	int r;

	if (args->mode_none)
		return 0;
	r = net_host_check(args->state_dir, &args->plan, err);
	if (r < 0)
		return r;
	return net_host_prepare(args->state_dir, &args->plan, err);
}

/* Add the DNAT rules of the published ports under the lease lock, and only
 * while the runtime that owns the lease runs.  Once it is gone, the next run's
 * reclaim may already have freed the address for another container, which
 * must not receive these ports.  Returns 0 or -errno with err set. */
static int publish_locked(struct args *args, struct ctr_error *err)
{
	struct net_plan *plan = &args->plan;
	int lock_fd;
	int r;

	lock_fd = ipam_lock(args->state_dir, err);
	if (lock_fd < 0)
		return lock_fd;
	if (getppid() != args->parent) {
		close(lock_fd);
		return error_setx(err, -ESRCH, "The runtime ended before its ports were published");
	}
	/* Set first: a rule added before a failure is removed too. */
	plan->publish_added = true;
	r = nat_publish_add(args->name, plan->addr, plan->publish, plan->publish_count, err);
	close(lock_fd);
	return r;
}

/* The container's part of `add`, once the runtime sent its address and
 * network namespace.  Returns 0 or -errno with err set. */
static int add_container(struct args *args, const struct helper_request *request,
			 int netns_fd, struct ctr_error *err)
{
	struct net_plan *plan = &args->plan;
	struct nl_sock host = { 0 };
	int r;

	if (!args->mode_none) {
		plan->addr = request->addr;
		ipam_addr_format(plan->addr, plan->addr_text);
		snprintf(plan->veth, sizeof(plan->veth), "%s", request->veth);
		if (plan->publish_count > 0) {
			r = publish_locked(args, err);
			if (r < 0)
				return r;
		}
		/* A netlink socket belongs to the network namespace of the process
		 * that opened it, and stays there: this one keeps working on the
		 * host after the setns() below. */
		r = nl_open(&host, err);
		if (r < 0)
			return r;
	}
	/* From here on this process is in the container's network namespace:
	 * /proc/sys/net and every new socket show the container's links. */
	if (setns(netns_fd, CLONE_NEWNET) < 0) {
		nl_close(&host);
		return error_set(err, -errno, "Failed to join the container's network namespace");
	}
	explain("setns(netns of the container, CLONE_NEWNET) = 0: the helper joins it%s",
		args->mode_none ? "" : ", and the socket it opened before stays on the host");
	if (!args->mode_none) {
		r = net_container_ipv6_off(err);
		if (r == 0)
			r = net_veth_create(&host, args->name, netns_fd, plan, err);
		nl_close(&host);
		if (r < 0)
			return r;
	}
	log_settings.side = "helper in the container's netns";
	return net_container_configure(plan, !args->mode_none, err);
}

/* Check what fd_msg_recv() returned (received) for the netns message.  Returns
 * 0, -ECANCELED when the runtime shut its end down, or -errno with err set. */
static int netns_check(int received, int netns_fd, struct ctr_error *err)
{
	if (received == 0)
		return -ECANCELED;
	if (received < 0 || netns_fd < 0)
		return error_set(err, received < 0 ? received : -EPROTO,
				 "Failed to receive the container's network namespace");
	return 0;
}

/* `add`: see helper.h for the dialogue.  Always replies, even on failure, so
 * that the runtime learns what to undo. */
static int add_main(struct args *args)
{
	struct helper_reply reply = { .code = 0 };
	struct helper_request request;
	struct helper_netns message;
	struct ctr_error err;
	int netns_fd = -1;
	int received;
	int r;

	if (!args->state_dir || !args->name || (!args->mode_none && !args->plan.bridge[0]))
		return usage_error("%s", "add needs --state-dir, --name and, for bridge, --bridge and --subnet");
	if (fcntl(HELPER_FD, F_GETFD) < 0)
		return usage_error("add needs the runtime's socket as fd %d", HELPER_FD);
	error_clear(&err);
	/* Nothing on the host is looked at before this run's lease exists. */
	received = fd_msg_recv(HELPER_FD, &request, sizeof(request), NULL);
	if (received == 0) {
		/* The runtime failed on its side and shut its end down. */
		r = -ECANCELED;
	} else if (received < 0) {
		r = error_set(&err, received, "Failed to receive the lease from the runtime");
	} else {
		request.veth[sizeof(request.veth) - 1] = '\0';
		r = add_host(args, &err);
		/* Read the netns even after a failure: a socket closed with an
		 * unread message in it resets the connection, and the runtime
		 * would lose the reply with the reason. */
		received = fd_msg_recv(HELPER_FD, &message, sizeof(message), &netns_fd);
		if (r >= 0)
			r = netns_check(received, netns_fd, &err);
		if (r >= 0) {
			log_debug("network namespace of container PID %d received",
				  (int)message.container_pid);
			r = add_container(args, &request, netns_fd, &err);
		}
	}
	if (netns_fd >= 0)
		close(netns_fd);
	reply.code = r < 0 ? r : 0;
	if (r < 0 && r != -ECANCELED)
		snprintf(reply.msg, sizeof(reply.msg), "%s", err.msg);
	reply.bridge_created = args->plan.bridge_created;
	reply.table_created = args->plan.table_created;
	reply.forwarding_enabled = args->plan.forwarding_enabled;
	reply.publish_added = args->plan.publish_added;
	/* Without the runtime to read it, the reason goes to stderr. */
	if (fd_msg_send(HELPER_FD, &reply, sizeof(reply), -1) < 0) {
		if (reply.msg[0])
			log_error("%s", reply.msg);
		return 125;
	}
	return r < 0 ? 125 : 0;
}

/* `reclaim NAME VETH...`: a dead container's veth, if its namespace survived
 * it, and its published ports.  The runtime holds the lease lock. */
static int reclaim_main(int argc, char **argv)
{
	struct ctr_error err;

	if ((argc - optind) % 2 != 0 || argc == optind)
		return usage_error("%s", "reclaim needs pairs of NAME VETH");
	for (int i = optind; i + 1 < argc; i += 2) {
		error_clear(&err);
		if (net_link_delete(argv[i + 1], &err) < 0)
			log_warning("%s, ignoring", err.msg);
		if (validate_container_name(argv[i], NULL) == 0 &&
		    nat_publish_remove(argv[i], &err) < 0)
			log_warning("%s, ignoring", err.msg);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct args args = { .parent = getppid() };
	struct ctr_error err;
	const char *command;
	int r;

	/* Every line names this program, so that --explain separates its steps
	 * from the runtime's and the container's. */
	log_settings.side = "helper";
	/* Only the socket of `add`, and stdio: the runtime's other fds are not ours. */
	sys_close_range(HELPER_FD + 1, ~0U, 0);
	if (argc < 2 || strcmp(argv[1], "add") != 0)
		close(HELPER_FD);
	if (argc < 2)
		return usage_error("%s", "Missing command: give add, unpublish, undo, reclaim or cleanup");
	command = argv[1];
	if (strcmp(command, "-h") == 0 || strcmp(command, "--help") == 0) {
		fputs(usage_text, stdout);
		return stdout_flush_status();
	}
	r = args_parse(argc - 1, argv + 1, &args);
	if (r != 0)
		return r;
	error_clear(&err);
	if (strcmp(command, "add") == 0)
		return add_main(&args);
	if (strcmp(command, "reclaim") == 0)
		return reclaim_main(argc - 1, argv + 1);
	if (strcmp(command, "unpublish") == 0) {
		if (!args.name)
			return usage_error("%s", "unpublish needs --name");
		r = nat_publish_remove(args.name, &err);
	} else if (strcmp(command, "undo") == 0) {
		if (!args.state_dir || !args.plan.bridge[0])
			return usage_error("%s", "undo needs --state-dir and --bridge");
		net_host_undo(args.state_dir, &args.plan);
	} else if (strcmp(command, "cleanup") == 0) {
		if (!args.state_dir)
			return usage_error("%s", "cleanup needs --state-dir");
		r = net_cleanup_all(args.state_dir, &err);
	} else {
		return usage_error("Invalid command '%s': give add, unpublish, undo, reclaim or cleanup",
				   command);
	}
	if (r < 0) {
		log_error("%s", err.msg);
		return 125;
	}
	return 0;
}
