/* The runtime's state directory: see state.h. */
#define _XOPEN_SOURCE 700
#include "common/state.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"

const char *state_dir_from_env(void)
{
	const char *state_dir = getenv("CTRLAB_STATE_DIR");

	return state_dir ? state_dir : STATE_DIR_DEFAULT;
}

int state_dir_env_check(const char *state_dir, struct ctr_error *err)
{
	if (state_dir[0] == '/')
		return 0;
	return error_setx(err, -EINVAL,
			  "Invalid CTRLAB_STATE_DIR '%s': give an absolute path, or unset it for %s",
			  state_dir, STATE_DIR_DEFAULT);
}

int state_path(const struct container *c, const char *leaf, char *buffer, size_t size)
{
	int len;

	if (leaf)
		len = snprintf(buffer, size, "%s/%s/%s", c->state_dir, c->name, leaf);
	else
		len = snprintf(buffer, size, "%s/%s", c->state_dir, c->name);
	if (len < 0 || (size_t)len >= size)
		return -ENAMETOOLONG;
	return 0;
}

int state_dir_ensure_safe(const char *state_dir, struct ctr_error *err)
{
	struct stat st;

	/* 0711: other users may pass through to files a container maps (stage 5),
	 * but cannot list which containers run. */
	if (mkdir(state_dir, 0711) < 0 && errno != EEXIST)
		return error_setx(err, -errno,
				  "Failed to create the state directory '%s': %s; pass another --state-dir DIR",
				  state_dir, strerror(errno));
	/* The owner of a symlink may point it elsewhere between two runs.
	 * NOTE: the owners of the directories above are not checked. */
	if (lstat(state_dir, &st) == 0 && S_ISLNK(st.st_mode) && st.st_uid != geteuid())
		return error_setx(err, -EPERM,
				  "Invalid state directory '%s': it is a symlink of user %u, who could point it elsewhere; pass a directory of your own with --state-dir DIR",
				  state_dir, (unsigned int)st.st_uid);
	/* EEXIST above also covers a file of that name, which a mkdir below it
	 * would report as a bare ENOTDIR. */
	if (stat(state_dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return error_setx(err, -ENOTDIR,
				  "Invalid state directory '%s': not a directory; remove it or pass a directory with --state-dir DIR",
				  state_dir);
	/* ctrlab creates, chowns and removes paths below it.  A user who may write
	 * here could plant a directory or a symlink under a name it uses next. */
	if (st.st_uid != geteuid())
		return error_setx(err, -EPERM,
				  "Invalid state directory '%s': it belongs to user %u, who could replace what ctrlab keeps there; pass a directory of your own with --state-dir DIR",
				  state_dir, (unsigned int)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return error_setx(err, -EPERM,
				  "Invalid state directory '%s': other users may write to it (mode %04o), and could replace what ctrlab keeps there; run 'chmod go-w %s' or pass another --state-dir DIR",
				  state_dir, (unsigned int)(st.st_mode & 07777), state_dir);
	return 0;
}

int state_dir_create(const struct container *c, struct ctr_error *err)
{
	char path[4096];
	int r;

	r = state_dir_ensure_safe(c->state_dir, err);
	if (r < 0)
		return r;
	r = state_path(c, NULL, path, sizeof(path));
	if (r < 0)
		return error_set(err, r, "Failed to build the state path for '%s'", c->name);
	if (mkdir(path, 0700) < 0) {
		if (errno == EEXIST)
			return error_setx(err, -EEXIST,
					  "A container named '%s' already exists ('%s'); choose another --name",
					  c->name, path);
		if (errno == EACCES)
			return error_setx(err, -EACCES,
					  "Failed to create '%s': %s; run as root, or pass a directory of your own with --state-dir DIR",
					  path, strerror(EACCES));
		return error_set(err, -errno, "Failed to create '%s'", path);
	}
	explain("mkdir(\"%s\", 0700) = 0", path);
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

int tree_remove(const char *path)
{
	/* An empty directory needs no walk. */
	if (rmdir(path) == 0 || errno == ENOENT)
		return 0;
	/* FTW_MOUNT keeps the walk on this filesystem, so a mount still attached
	 * below (after a crash) is never emptied; FTW_PHYS never follows symlinks. */
	if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 &&
	    errno != ENOENT)
		return -errno;
	return 0;
}

int state_dir_remove(const struct container *c)
{
	char path[4096];
	int r;

	r = state_path(c, NULL, path, sizeof(path));
	if (r < 0)
		return r;
	return tree_remove(path);
}
