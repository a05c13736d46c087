/* The container side of the lifecycle: the PID-1 init and COMMAND's execve. */
#ifndef CTRLAB_INIT_H
#define CTRLAB_INIT_H

#include "common/container.h"

/* Signals the runtime and the init pass on to COMMAND. */
extern const int forwarded_signals[];
extern const size_t forwarded_signals_count;

/* Run the container side, in the new namespaces, as the child of clone: wait for
 * the runtime's go, run every module's child_setup, then become the init (or, with
 * --no-init, COMMAND itself).  sync_fd is the child's end of the channel. */
_Noreturn void container_main(struct container *c, const struct ctr_stage *stage,
			      int sync_fd);

#endif
