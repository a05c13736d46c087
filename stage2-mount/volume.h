/* Bind mounts from the host into the container: -v/--volume and mnt_add_bind(). */
#ifndef CTRLAB_VOLUME_H
#define CTRLAB_VOLUME_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* Maximum number of bind mounts per container, from -v and from later stages. */
#define MNT_BINDS_MAX 32

struct mnt_bind {
	char host_path[PATH_MAX];       /* absolute, symlinks resolved */
	char container_path[PATH_MAX];  /* absolute, resolved inside the rootfs */
	bool read_only;
	int tree_fd;                    /* container side: the detached copy, or -1 */
};

/* Parse a volume spec "HOST:CONTAINER", "HOST:CONTAINER:ro" or
 * "HOST:CONTAINER:rw" into ret_bind without touching the filesystem.  CONTAINER
 * must be absolute, not "/" and not in /proc, /sys or /dev, after folding "."
 * and "..".  Neither path may contain ':'.  Returns 0 or
 * -EINVAL (-ENAMETOOLONG for a path of PATH_MAX bytes or more) with err set. */
int volume_spec_parse(const char *spec, struct mnt_bind *ret_bind,
		      struct ctr_error *err);

/* Number of bind mounts registered so far. */
size_t volume_count(void);

/* Container side, before pivot_root, while host paths are still reachable: take
 * a detached copy of each host tree with open_tree(2), made read-only
 * recursively where asked.  Returns 0 or -errno with err set. */
int volume_open_trees(struct ctr_error *err);

/* Container side, after pivot_root: attach each copy at its container path,
 * resolved with "/" as the container's root and created in the writable layer
 * when missing.  Returns 0 or -errno with err set, -EINVAL when a symlink led
 * the path into /proc, /sys or /dev. */
int volume_attach_all(struct ctr_error *err);

#endif
