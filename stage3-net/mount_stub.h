/* TEMPORARY stand-in for stage 2's mount module (stage2-mount/mount.h) until
 * it is merged: the same two names, enough to bind stage 3's generated /etc
 * files over the host's in a private mount namespace.  It gives the container
 * no root filesystem of its own. */
#ifndef CTRLAB_MOUNT_STUB_H
#define CTRLAB_MOUNT_STUB_H

#include <stdbool.h>

#include "common/container.h"

/* Adds CLONE_NEWNS and makes the registered bind mounts in the container. */
extern const struct ctr_module mount_module;

/* Register a bind mount of host_path over container_path.  Returns 0, or
 * -ENOSPC with err set when too many are registered. */
int mnt_add_bind(const char *host_path, const char *container_path, bool read_only,
		 struct ctr_error *err);

#endif
