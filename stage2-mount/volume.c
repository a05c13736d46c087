/* Bind mounts from the host into the container.
 *
 * Kernel objects: one detached mount tree per volume, made with open_tree(2) while
 * the host's paths are still reachable, and attached with move_mount(2) after
 * pivot_root, when "/" is already the container's root.
 *
 * The container path is looked up with openat2(2) and RESOLVE_IN_ROOT.  An
 * absolute symlink or a ".." inside the rootfs then resolves against the
 * container's root, never the host's.  So a rootfs cannot redirect a volume onto
 * a host path, the class of bug behind CVE-2021-30465 in runc.  A missing target is created
 * in the container's writable layer, which is the overlay by default. */
#include "stage2-mount/volume.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/syscalls.h"
#include "stage2-mount/mount.h"

static struct mnt_bind binds[MNT_BINDS_MAX];
static size_t bind_count;

/* Copy the count bytes at text into buffer as a string.  Returns 0 or
 * -ENAMETOOLONG. */
static int copy_path(char *buffer, const char *text, size_t count)
{
	if (count >= PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(buffer, text, count);
	buffer[count] = '\0';
	return 0;
}

/* Write path to ret_normal with "//", "." and ".." folded away, without looking
 * at any file: "/a/../proc/" becomes "/proc".  path is absolute and shorter
 * than PATH_MAX, and ret_normal has PATH_MAX bytes. */
static void path_normalize(const char *path, char *ret_normal)
{
	size_t len = 0;

	for (const char *name = path; *name;) {
		size_t name_len = strcspn(name, "/");

		if (name_len == 2 && strncmp(name, "..", 2) == 0) {
			while (len > 0 && ret_normal[len] != '/')
				len--;
		} else if (name_len > 0 && !(name_len == 1 && name[0] == '.')) {
			ret_normal[len++] = '/';
			memcpy(ret_normal + len, name, name_len);
			len += name_len;
		}
		name += name_len;
		name += strspn(name, "/");
	}
	ret_normal[len] = '\0';
}

/* Return "/proc", "/sys" or "/dev" when path is that directory or below it,
 * else NULL.  The runtime mounts its own filesystems there, with masked and
 * read-only paths, and a bind mount over them would hide those silently. */
static const char *reserved_prefix(const char *path)
{
	static const char *const reserved[] = { "/proc", "/sys", "/dev" };
	char normal[PATH_MAX];

	path_normalize(path, normal);
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		size_t len = strlen(reserved[i]);

		if (strncmp(normal, reserved[i], len) == 0 &&
		    (normal[len] == '/' || normal[len] == '\0'))
			return reserved[i];
	}
	return NULL;
}

int volume_spec_parse(const char *spec, struct mnt_bind *ret_bind, struct ctr_error *err)
{
	const char *first = strchr(spec, ':');
	const char *second = first ? strchr(first + 1, ':') : NULL;
	const char *reserved;
	char normal[PATH_MAX];
	size_t container_len;

	if (!first)
		return error_setx(err, -EINVAL,
				  "Invalid volume '%s': expected HOST:CONTAINER[:ro]", spec);
	if (first == spec)
		return error_setx(err, -EINVAL,
				  "Invalid volume '%s': the host path is empty; use HOST:CONTAINER[:ro]",
				  spec);
	if (second && strchr(second + 1, ':'))
		return error_setx(err, -EINVAL,
				  "Invalid volume '%s': too many ':'; paths with ':' are not supported",
				  spec);
	ret_bind->read_only = false;
	if (second && strcmp(second + 1, "ro") == 0)
		ret_bind->read_only = true;
	else if (second && strcmp(second + 1, "rw") != 0)
		return error_setx(err, -EINVAL,
				  "Invalid volume '%s': unknown mode '%s'; use 'ro' or 'rw'",
				  spec, second + 1);

	container_len = second ? (size_t)(second - first - 1) : strlen(first + 1);
	if (copy_path(ret_bind->host_path, spec, (size_t)(first - spec)) < 0 ||
	    copy_path(ret_bind->container_path, first + 1, container_len) < 0)
		return error_setx(err, -ENAMETOOLONG,
				  "Invalid volume '%s': a path is longer than %d bytes", spec,
				  PATH_MAX - 1);
	if (ret_bind->container_path[0] == '\0')
		return error_setx(err, -EINVAL,
				  "Invalid volume '%s': the container path is missing; use HOST:CONTAINER[:ro]",
				  spec);
	if (ret_bind->container_path[0] != '/')
		return error_setx(err, -EINVAL,
				  "Invalid volume '%s': the container path '%s' must be absolute",
				  spec, ret_bind->container_path);
	/* "/v/.." is "/" too: the bind would hide the whole root. */
	path_normalize(ret_bind->container_path, normal);
	if (normal[0] == '\0')
		return error_setx(err, -EINVAL,
				  "Invalid volume '%s': the container path cannot be '/'", spec);
	reserved = reserved_prefix(ret_bind->container_path);
	if (reserved)
		return error_setx(err, -EINVAL,
				  "Invalid volume '%s': the container path '%s' is in %s, which the runtime mounts itself; choose a path outside /proc, /sys and /dev",
				  spec, ret_bind->container_path, reserved);
	ret_bind->tree_fd = -1;
	return 0;
}

int mnt_add_bind(const char *host_path, const char *container_path, bool read_only,
		 struct ctr_error *err)
{
	struct mnt_bind *bind;

	if (bind_count >= MNT_BINDS_MAX)
		return error_setx(err, -E2BIG,
				  "Too many bind mounts for '%s': the limit is %d",
				  container_path, MNT_BINDS_MAX);
	if (container_path[0] != '/' || strlen(container_path) >= PATH_MAX)
		return error_setx(err, -EINVAL,
				  "Invalid container path '%s' for a bind mount: give an absolute path",
				  container_path);
	bind = &binds[bind_count];
	/* realpath(3) also checks that the host path exists. */
	if (!realpath(host_path, bind->host_path)) {
		int saved_errno = errno;

		return error_setx(err, -saved_errno,
				  "Invalid volume: the host path '%s' must exist (%s); create it or correct the path",
				  host_path, strerror(saved_errno));
	}
	strcpy(bind->container_path, container_path);
	bind->read_only = read_only;
	bind->tree_fd = -1;
	bind_count++;
	return 0;
}

size_t volume_count(void)
{
	return bind_count;
}

/* Make the detached tree at tree_fd read-only, every mount in it. */
static int tree_make_read_only(struct mnt_bind *bind, struct ctr_error *err)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };

	/* A remount with MS_BIND|MS_RDONLY would change only the top mount and leave
	 * every mount below it writable; AT_RECURSIVE covers them all. */
	if (sys_mount_setattr(bind->tree_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0)
		return error_set(err, -errno, "Failed to make the volume '%s' read-only",
				 bind->host_path);
	explain("mount_setattr(tree of \"%s\", AT_EMPTY_PATH|AT_RECURSIVE, attr_set=MOUNT_ATTR_RDONLY) = 0",
		bind->host_path);
	return 0;
}

int volume_open_trees(struct ctr_error *err)
{
	for (size_t i = 0; i < bind_count; i++) {
		struct mnt_bind *bind = &binds[i];

		/* The copy is private to this mount namespace: / is already MS_PRIVATE. */
		bind->tree_fd = sys_open_tree(AT_FDCWD, bind->host_path,
					      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (bind->tree_fd < 0)
			return error_set(err, -errno, "Failed to open_tree '%s' for a bind mount",
					 bind->host_path);
		explain("open_tree(\"%s\", OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC|AT_RECURSIVE) = %d",
			bind->host_path, bind->tree_fd);
		if (bind->read_only && tree_make_read_only(bind, err) < 0)
			return err->code;
	}
	return 0;
}

/* Open prefix below root_fd as an O_PATH fd, root_fd acting as "/".  Returns the
 * fd or -errno. */
static int resolve_in_root(int root_fd, const char *prefix)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = sys_openat2(root_fd, prefix, &how);

	return fd < 0 ? -errno : fd;
}

/* Create the missing entry name in parent_fd: an empty file when as_file, else a
 * directory.  O_NOFOLLOW and mkdirat never follow a final symlink. */
static int entry_create(int parent_fd, const char *name, bool as_file)
{
	int fd;

	if (!as_file)
		return mkdirat(parent_fd, name, 0755) < 0 ? -errno : 0;
	fd = openat(parent_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    0644);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* Open path inside the container, creating what is missing.  The parent of each
 * new entry is itself an fd found with RESOLVE_IN_ROOT, so creation never leaves
 * the container's tree.  Returns an O_PATH fd or -errno with err set. */
static int target_open(int root_fd, const char *path, bool want_dir, struct ctr_error *err)
{
	char prefix[PATH_MAX];
	char name[NAME_MAX + 1];
	int parent_fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 0);
	size_t pos = 0;

	while (parent_fd >= 0 && path[pos]) {
		size_t end = pos + strcspn(path + pos, "/");
		bool last = path[end + strspn(path + end, "/")] == '\0';
		int fd;

		if (end - pos > NAME_MAX) {
			close(parent_fd);
			return error_setx(err, -ENAMETOOLONG, "Invalid container path '%s'", path);
		}
		memcpy(prefix, path, end);
		prefix[end] = '\0';
		memcpy(name, path + pos, end - pos);
		name[end - pos] = '\0';
		fd = end > pos ? resolve_in_root(root_fd, prefix) : -EAGAIN;
		if (fd == -ENOENT) {
			int r = entry_create(parent_fd, name, last && !want_dir);

			if (r < 0 && r != -EEXIST) {
				close(parent_fd);
				return error_set(err, r, "Failed to create the mount point '%s' in the container",
						 prefix);
			}
			explain("%s(\"%s\") in the container's writable layer = 0",
				last && !want_dir ? "open(O_CREAT)" : "mkdirat", prefix);
			fd = resolve_in_root(root_fd, prefix);
		}
		if (fd == -EAGAIN) {
			pos = end + 1;  /* an empty component from "//" */
			continue;
		}
		close(parent_fd);
		if (fd < 0)
			return error_set(err, fd, "Failed to resolve '%s' inside the container",
					 prefix);
		parent_fd = fd;
		pos = end + strspn(path + end, "/");
	}
	return parent_fd < 0 ? error_set(err, -errno, "Failed to duplicate an fd") : parent_fd;
}

/* Reject a target that a symlink in the rootfs led into /proc, /sys or /dev,
 * which volume_spec_parse() could not see.  The fd's /proc/self/fd link gives
 * the path that openat2 really reached, in the container's root. */
static int target_check_reserved(int target_fd, const struct mnt_bind *bind,
				 struct ctr_error *err)
{
	char link[64];
	char target[PATH_MAX];
	const char *reserved;
	ssize_t len;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", target_fd);
	len = readlink(link, target, sizeof(target) - 1);
	if (len < 0)
		return error_set(err, -errno, "Failed to read the path of the mount point '%s'",
				 bind->container_path);
	target[len] = '\0';
	reserved = reserved_prefix(target);
	if (reserved)
		return error_setx(err, -EINVAL,
				  "Invalid volume target '%s': it leads to '%s' in %s, which the runtime mounts itself; choose a path outside /proc, /sys and /dev",
				  bind->container_path, target, reserved);
	return 0;
}

static int bind_attach(int root_fd, struct mnt_bind *bind, struct ctr_error *err)
{
	struct stat st;
	int target_fd;
	int r = 0;

	if (fstat(bind->tree_fd, &st) < 0)
		return error_set(err, -errno, "Failed to stat the volume '%s'", bind->host_path);
	target_fd = target_open(root_fd, bind->container_path, S_ISDIR(st.st_mode), err);
	if (target_fd < 0)
		return target_fd;
	r = target_check_reserved(target_fd, bind, err);
	if (r < 0)
		goto out;
	if (sys_move_mount(bind->tree_fd, "", target_fd, "",
			   MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		r = error_set(err, -errno, "Failed to bind '%s' to '%s' in the container",
			      bind->host_path, bind->container_path);
	else
		explain("move_mount(tree of \"%s\", \"%s\", MOVE_MOUNT_F_EMPTY_PATH|MOVE_MOUNT_T_EMPTY_PATH) = 0 (%s)",
			bind->host_path, bind->container_path,
			bind->read_only ? "read-only" : "read-write");
out:
	close(target_fd);
	close(bind->tree_fd);
	bind->tree_fd = -1;
	return r;
}

int volume_attach_all(struct ctr_error *err)
{
	int root_fd;
	int r = 0;

	if (bind_count == 0)
		return 0;
	root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return error_set(err, -errno, "Failed to open the container's root");
	for (size_t i = 0; i < bind_count && r >= 0; i++)
		r = bind_attach(root_fd, &binds[i], err);
	close(root_fd);
	return r;
}
