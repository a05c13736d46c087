/* The network helper, stage3-net/ctrlab-net, and how the runtime talks to it.
 *
 * Stage 3 is two programs, as a runtime and its network plugin are in the field
 * (runc or crun with a CNI plugin, podman with netavark):
 *
 *   stage3-net/run         the runtime: stages 1 and 2, the address lease and
 *                          the /etc files.  Statically linked, it starts in
 *                          about 0.1 ms and waits for the container with a few
 *                          hundred kB of memory.
 *   stage3-net/ctrlab-net  the helper: every netlink request (libmnl) and
 *                          every nft command (libnftables).  Debian builds both
 *                          libraries for glibc only, so the helper links libmnl
 *                          dynamically, loads libnftables with dlopen(3) when
 *                          it needs nft, pays glibc's start-up and exits once
 *                          its work is done.
 *
 * The runtime starts the helper as soon as its options are valid, before the
 * lease, so the helper's start-up overlaps the lease and the container's clone
 * and mounts, and its host checks overlap the mounts.  Their dialogue on a
 * SOCK_SEQPACKET socket, the helper's fd HELPER_FD:
 *
 *   runtime                              helper (ctrlab-net add)
 *   spawn --------------------------->   glibc's start-up
 *   reclaim, lease
 *   request: address, veth name ----->   check the host, ensure bridge and table
 *   clone3(CLONE_NEWNET ...)
 *   the container's netns fd -------->   publish ports, open a host socket,
 *                                        setns() into the netns, IPv6 off
 *                                        there, the veth over the host socket,
 *                                        then lo and eth0
 *                           <----------  reply: status and what it created
 *   go to the container; COMMAND runs
 *
 * A runtime that fails before a message shuts its side down.  The helper then
 * replies without touching the host (no request yet) or a namespace (no netns
 * yet).  Either way, the reply lists what the helper created, and the runtime
 * undoes it at exit with the helper's other commands (unpublish, undo), so one
 * place owns the teardown. */
#ifndef CTRLAB_HELPER_H
#define CTRLAB_HELPER_H

#include <linux/if.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

/* The helper's file name, in the directory of stage3-net/run. */
#define HELPER_NAME "ctrlab-net"

/* The socket's fd number in the helper. */
#define HELPER_FD 3

/* First message, runtime to helper: the lease, once the runtime holds it. */
struct helper_request {
	uint32_t addr;            /* leased address (host order), 0 with --net none */
	char veth[IFNAMSIZ];      /* host end's name, "" with --net none */
};

/* Second message, runtime to helper, with the container's netns fd attached. */
struct helper_netns {
	int32_t container_pid;    /* PID of the container's init in the runtime's namespace */
};

/* Helper to runtime: the outcome, and every object it created.  The first
 * three are undone by `undo` when the run fails before COMMAND starts. */
struct helper_reply {
	int32_t code;               /* 0, or -errno with msg */
	uint8_t bridge_created;     /* the bridge */
	uint8_t table_created;      /* the nft table inet ctrlab */
	uint8_t forwarding_enabled; /* ip_forward, which was 0 */
	uint8_t publish_added;      /* DNAT rules tagged with the container's name */
	char msg[CTR_ERROR_MSG_MAX];
};

/* The runtime's side (helper_run.c). */

/* Most arguments the runtime passes to one helper command. */
#define HELPER_ARGS_MAX 64

/* Most -p/--publish options of one run, in the runtime and the helper. */
#define HELPER_PUBLISH_MAX 16

/* Check that the helper is next to this program and executable.  Returns 0, or
 * -errno with err naming the path and the fix. */
int helper_check(struct ctr_error *err);

/* Start the helper with args (a NULL-terminated list without the program
 * name), with sock as its fd HELPER_FD unless sock is negative, and the
 * runtime's --explain and log level.  It starts with every signal blocked, so a
 * Ctrl-C never stops it halfway: the runtime, which blocks the signals it
 * forwards, passes the signal to the container once COMMAND runs.  Returns 0 with
 * *ret_pid set, or -errno with err set. */
int helper_spawn(const char *const *args, int sock, pid_t *ret_pid, struct ctr_error *err);

/* Once the runtime has cloned the container: give the add helper, process pid,
 * every CPU the runtime may use (helper_spawn() kept it off the runtime's
 * CPU meanwhile), and move the runtime onto the CPUs the helper had. */
void helper_cpus_join(pid_t pid);

/* Give the runtime back every CPU it had before helper_cpus_join(), if it
 * joined: once COMMAND runs, or at exit after a failure. */
void helper_cpus_leave(void);

/* How long the runtime waits for the helper before it kills it. */
#define HELPER_TIMEOUT_MS 10000

/* Wait at most HELPER_TIMEOUT_MS for the helper pid to exit, then kill it.
 * Returns its exit status (128 + N for signal N), or -ETIMEDOUT, or -errno. */
int helper_wait(pid_t pid);

/* Describe how the helper pid ended, after it closed its socket without a
 * reply, into buffer: "exit status 1", "signal 9", or "a timeout". */
void helper_status_describe(pid_t pid, char *buffer, size_t size);

/* Run the helper with args and wait for it.  Returns 0, or -EIO when it
 * failed (it printed why), or -errno with err set. */
int helper_run(const char *const *args, struct ctr_error *err);

#endif
