/* The container's root filesystem.
 *
 * Kernel objects: an overlay (or a bind mount) on the rootfs directory, which
 * pivot_root(2) makes the root of the container's mount namespace; the host's
 * whole mount tree, which it then detaches.
 *
 * Why pivot_root and not chroot(2): chroot changes one process's idea of "/"
 * and leaves every host mount in the namespace.  A process that can call chroot
 * again, or that kept a directory fd from before, climbs back out through them.
 * pivot_root swaps the root mount of the namespace itself.  After the old root
 * is detached, no path leads to the host's tree any more: not "..", not
 * /proc/1/root, not a stray fd's directory. */
#include "stage2-mount/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "common/log.h"
#include "common/syscalls.h"
#include "stage2-mount/mount_step.h"

/* Find rootfs/ next to the stage directory that contains the binary, so the default
 * does not depend on the working directory. */
static int rootfs_default(char *buffer, size_t size)
{
	ssize_t len = readlink("/proc/self/exe", buffer, size - 1);
	char *slash;

	if (len < 0)
		return -errno;
	buffer[len] = '\0';
	slash = strrchr(buffer, '/');
	if (!slash || (size_t)(slash - buffer) + sizeof("/../rootfs") > size)
		return -ENAMETOOLONG;
	strcpy(slash, "/../rootfs");
	return 0;
}

int rootfs_resolve(const char *arg, char *ret_path, struct ctr_error *err)
{
	char fallback[PATH_MAX];
	const char *path = arg;
	struct stat st;
	int r;

	if (!path) {
		r = rootfs_default(fallback, sizeof(fallback));
		if (r < 0)
			return error_set(err, r, "Failed to find the default rootfs next to the binary");
		path = fallback;
	}
	if (!realpath(path, ret_path)) {
		if (errno == ENOENT && !arg)
			return error_setx(err, -ENOENT,
					  "Default rootfs '%s' not found: build it with 'make rootfs' or pass --rootfs DIR",
					  path);
		return error_setx(err, -errno,
				  "Invalid rootfs '%s': %s; pass an existing directory with --rootfs DIR",
				  path, strerror(errno));
	}
	/* pivot_root(2) fails with EBUSY when new_root is the current root, and a
	 * container whose root is the host's would isolate no file anyway. */
	if (strcmp(ret_path, "/") == 0)
		return error_setx(err, -EINVAL,
				  "Invalid rootfs '%s': the host's / cannot be the container's root; pass a directory with --rootfs DIR",
				  path);
	if (stat(ret_path, &st) < 0)
		return error_set(err, -errno, "Failed to stat the rootfs '%s'", ret_path);
	if (!S_ISDIR(st.st_mode))
		return error_setx(err, -ENOTDIR,
				  "Invalid rootfs '%s': not a directory; pass a directory with --rootfs DIR",
				  path);
	explain("realpath(\"%s\") = \"%s\": the rootfs", path, ret_path);
	return 0;
}

/* True when the mount at "/" in /proc/self/mountinfo has the filesystem type
 * "rootfs": the initramfs the kernel unpacked at boot, which is never mounted on
 * top of anything and so can never be moved (pivot_root(2), NOTES). */
static bool host_root_is_initramfs(void)
{
	FILE *mountinfo;
	char line[4096];
	bool initramfs = false;
	struct statfs root_fs;

	/* The initramfs is a ramfs, or a tmpfs when the kernel has CONFIG_TMPFS, so
	 * any other filesystem type rules it out without reading mountinfo, which
	 * took about 60 us of each start on the VM of docs/bench.md. */
	if (statfs("/", &root_fs) == 0 && root_fs.f_type != RAMFS_MAGIC &&
	    root_fs.f_type != TMPFS_MAGIC)
		return false;
	mountinfo = fopen("/proc/self/mountinfo", "re");
	if (!mountinfo)
		return false;
	while (fgets(line, sizeof(line), mountinfo)) {
		char mount_point[PATH_MAX];
		const char *fields_end = strstr(line, " - ");

		/* "36 1 0:2 / / rw - rootfs rootfs rw": the 5th field is the mount
		 * point, the first after " - " the filesystem type. */
		if (!fields_end || sscanf(line, "%*s %*s %*s %*s %4095s", mount_point) != 1)
			continue;
		if (strcmp(mount_point, "/") == 0)
			initramfs = strncmp(fields_end + 3, "rootfs ", 7) == 0;
	}
	fclose(mountinfo);
	return initramfs;
}

int rootfs_check_host_root(struct ctr_error *err)
{
	struct statx stx;

	if (host_root_is_initramfs())
		return error_setx(err, -EINVAL,
				  "Cannot pivot_root: the host's root is the initramfs (filesystem type 'rootfs'), which pivot_root(2) cannot move; switch_root to a real root filesystem first");
	/* STATX_ATTR_MOUNT_ROOT (Linux 5.8) reports whether "/" is the root of a mount.
	 * Under chroot it is a plain directory, and pivot_root(2) fails with EINVAL
	 * when the caller's root is not a mount point. */
	if (sys_statx(AT_FDCWD, "/", 0, STATX_BASIC_STATS, &stx) == 0 &&
	    (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	    !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		return error_setx(err, -EINVAL,
				  "Cannot pivot_root: the current root directory is not a mount point (ctrlab runs under chroot); run it outside the chroot, or make the chroot directory a mount point first");
	return 0;
}

int rootfs_mount_overlay(const char *rootfs, const char *upper, const char *work,
			 struct ctr_error *err)
{
	char options[3 * PATH_MAX + 64];
	int len;

	/* mount(2) passes overlay options as one comma-separated string, where ','
	 * separates options and ':' separates lower layers. */
	if (strpbrk(rootfs, ",:") || strpbrk(upper, ",:") || strpbrk(work, ",:"))
		return error_setx(err, -EINVAL,
				  "Cannot use '%s' or '%s' for an overlay: paths with ',' or ':' are not supported; use --no-overlay or another directory",
				  rootfs, upper);
	len = snprintf(options, sizeof(options), "lowerdir=%s,upperdir=%s,workdir=%s",
		       rootfs, upper, work);
	if (len < 0 || (size_t)len >= sizeof(options))
		return error_setx(err, -ENAMETOOLONG, "Overlay options too long for '%s'",
				  rootfs);
	/* Mounted on the rootfs directory itself: the lower layer was looked up
	 * before the mount covers it, and the overlay is a mount point, which is
	 * what pivot_root needs of the new root. */
	return mnt_mount("overlay", rootfs, "overlay", 0, options, err);
}

int rootfs_bind_self(const char *rootfs, struct ctr_error *err)
{
	/* pivot_root(2) requires new_root to be a mount point; a bind mount of a
	 * directory onto itself makes it one without changing what it shows. */
	return mnt_mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL, err);
}

/* pivot_root's EINVAL covers several rules; name them rather than print the bare
 * errno. */
static int pivot_error(const char *rootfs, int code, struct ctr_error *err)
{
	if (code != -EINVAL)
		return error_set(err, code, "Failed to pivot_root into '%s'", rootfs);
	return error_setx(err, code,
			  "Failed to pivot_root into '%s': the kernel rejected it (EINVAL) because the current root is not a mount point (chroot), is the initramfs, or a mount involved has shared propagation",
			  rootfs);
}

int rootfs_pivot(const char *rootfs, struct ctr_error *err)
{
	if (chdir(rootfs) < 0)
		return error_set(err, -errno, "Failed to chdir to the rootfs '%s'", rootfs);
	/* new_root and put_old are both the rootfs, so the old root is mounted on
	 * top of the new root at "/" (pivot_root(2), NOTES).  No directory for the
	 * old root is then created in the overlay and removed again, which cost
	 * about 20 us of each start on the VM of docs/bench.md. */
	if (sys_pivot_root(".", ".") < 0)
		return pivot_error(rootfs, -errno, err);
	explain("pivot_root(\".\", \".\") = 0 in \"%s\": the rootfs is now \"/\", under the old root",
		rootfs);

	/* The root and working directory are the new root now.  The lookup of "."
	 * climbs the mounts stacked there, so it finds the old root, with the host's
	 * whole tree below it.  MNT_DETACH unmounts that tree lazily: it disappears
	 * from this namespace at once, even though files in it may still be open
	 * (umount(2)).  A plain umount would fail with EBUSY. */
	if (umount2(".", MNT_DETACH) < 0)
		return error_set(err, -errno, "Failed to detach the old root");
	explain("umount2(\".\", MNT_DETACH) = 0: the old root is detached, so no host path is reachable");
	return 0;
}
