/* Stage 2's module: a mount namespace with the container's own root filesystem. */
#ifndef CTRLAB_MOUNT_H
#define CTRLAB_MOUNT_H

#include <stdbool.h>

#include "common/container.h"

/* Adds CLONE_NEWNS; pivots into the rootfs (through an overlay unless
 * --no-overlay) and mounts /proc, /sys, /dev and the volumes.  Options:
 * --rootfs, --read-only, --no-overlay, -v/--volume, -w/--workdir, -t/--tty,
 * -T/--no-tty. */
extern const struct ctr_module mount_module;

/* Register a bind mount of host_path at container_path, the same way as
 * -v/--volume.  host_path must exist.  It is resolved with realpath(3) and
 * copied, so the caller may free it after the call.  container_path must be
 * absolute.  It is resolved inside the rootfs after pivot_root, and a missing
 * file or directory is created in the container's writable layer: the overlay,
 * also with --read-only, or the rootfs directory itself with --no-overlay.  The
 * mount is recursive and, when read_only, read-only throughout.  Call it from a
 * module's option setter, validate or parent_before_clone hook.  Returns 0, or
 * -errno (-ENOENT for a missing host path, -EINVAL, -E2BIG past MNT_BINDS_MAX)
 * with err set. */
int mnt_add_bind(const char *host_path, const char *container_path, bool read_only,
		 struct ctr_error *err);

#endif
