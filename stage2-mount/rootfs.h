/* The container's root filesystem: finding it, mounting it and pivoting into it. */
#ifndef CTRLAB_ROOTFS_H
#define CTRLAB_ROOTFS_H

#include <stdbool.h>

#include "common/container.h"

/* Resolve the rootfs directory with realpath(3) into ret_path (PATH_MAX bytes):
 * arg, or when arg is NULL the rootfs/ directory next to the stage's directory
 * (/proc/self/exe/../../rootfs).  Returns 0, or -ENOENT or -ENOTDIR with err
 * naming the directory and the fix. */
int rootfs_resolve(const char *arg, char *ret_path, struct ctr_error *err);

/* Check that the host's root can be moved by pivot_root(2): it must be a mount
 * point (not a chroot) and not the initramfs.  Returns 0 or -EINVAL with err
 * naming the cause. */
int rootfs_check_host_root(struct ctr_error *err);

/* Container side: mount an overlay on rootfs itself, with rootfs as the lower
 * layer and upper and work (on one filesystem) receiving every change.  Returns
 * 0 or -errno with err set. */
int rootfs_mount_overlay(const char *rootfs, const char *upper, const char *work,
			 struct ctr_error *err);

/* Container side: bind rootfs onto itself, for writes straight into it.
 * Returns 0 or -errno with err set. */
int rootfs_bind_self(const char *rootfs, struct ctr_error *err);

/* Container side: make the mount at rootfs the root with pivot_root(2), then
 * detach the old root with MNT_DETACH.  Returns 0 or -errno with err set. */
int rootfs_pivot(const char *rootfs, struct ctr_error *err);

#endif
