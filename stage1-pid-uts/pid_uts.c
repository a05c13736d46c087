/* Stage 1: PID, UTS and IPC namespaces.
 *
 * Kernel objects: three namespaces, made by the one clone3 call in
 * common/clone.c with the flags below.
 *
 *   CLONE_NEWPID  the child is PID 1 of a new PID tree; the host still sees it
 *                 under its host PID (both appear in /proc/PID/status as NSpid).
 *   CLONE_NEWUTS  hostname and NIS domain name are private, so sethostname()
 *                 below changes the container's name and not the host's.
 *   CLONE_NEWIPC  System V message queues, semaphores and shared memory, and
 *                 POSIX message queues, are private to the container.
 *
 * The PID-1 init that this stage needs lives in common/init.c, because every
 * later stage runs it too. */
#include "stage1-pid-uts/pid_uts.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

/* Runs in the container, in the new UTS namespace. */
static int pid_uts_child_setup(struct container *c, struct ctr_error *err)
{
	if (sethostname(c->hostname, strlen(c->hostname)) < 0)
		return error_set(err, -errno, "Failed to sethostname '%s'", c->hostname);
	explain("sethostname(\"%s\") = 0 in the new UTS namespace", c->hostname);
	return 0;
}

const struct ctr_module pid_uts_module = {
	.name = "pid-uts",
	.clone_flags = CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC,
	.child_setup = pid_uts_child_setup,
};
