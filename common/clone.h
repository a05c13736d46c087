/* Creating the container's first process in new namespaces. */
#ifndef CTRLAB_CLONE_H
#define CTRLAB_CLONE_H

#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

/* Function the child runs; it must not return. */
typedef void (*clone_child_fn)(void *data);

/* Start a child in the namespaces of flags (CLONE_NEW*) with clone3(2), falling
 * back to clone(2) when clone3 is missing or CTRLAB_NO_CLONE3=1 is set in the
 * environment.  The child runs fn(data).  Returns the child's host PID with its
 * pidfd in *ret_pidfd, or -errno with err set. */
pid_t clone_container(uint64_t flags, clone_child_fn fn, void *data, int *ret_pidfd,
		      struct ctr_error *err);

#endif
