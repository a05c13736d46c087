/* Stage 2's module: a mount namespace and the container's own root filesystem.
 *
 * Kernel objects: a mount namespace (CLONE_NEWNS), then, inside it, in this
 * order (mount_child_setup below):
 *
 *   1. "/" made MS_REC|MS_PRIVATE           no mount event crosses either way
 *   2. open_tree copies of the volumes       while host paths are reachable
 *   3. an overlay on the rootfs directory    the rootfs itself stays unchanged
 *   4. pivot_root, then MNT_DETACH           the host's tree is gone    rootfs.c
 *   5. /proc and /sys                                                 pseudofs.c
 *   6. /dev: tmpfs, nodes, devpts, shm, mqueue                             dev.c
 *   7. the container's pty, or pipes in place of a terminal   pty.c, stdio_relay.c
 *   8. masked and read-only paths                                     pseudofs.c
 *   9. the volumes attached                                             volume.c
 *  10. "/" made read-only with --read-only
 *
 * On the host, the overlay's upper and work directories live in the state
 * directory and are removed when the container ends.  The overlay itself exists
 * only in the container's mount namespace, which the kernel tears down when the
 * last process in it exits, so nothing is left mounted on any path. */
#include "stage2-mount/mount.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/syscalls.h"
#include "common/state.h"
#include "stage2-mount/dev.h"
#include "stage2-mount/mount_step.h"
#include "stage2-mount/pseudofs.h"
#include "stage2-mount/pty.h"
#include "stage2-mount/rootfs.h"
#include "stage2-mount/stdio_relay.h"
#include "stage2-mount/volume.h"

static struct {
	const char *rootfs_arg;  /* --rootfs, or NULL for the default */
	char rootfs[PATH_MAX];   /* resolved by validate */
	bool read_only;          /* --read-only */
	bool no_overlay;         /* --no-overlay */
	char upper[PATH_MAX];    /* the overlay's writable layer, in the state dir */
	char work[PATH_MAX];     /* the overlay's scratch directory, same filesystem */
	bool state_created;      /* the container's state directory is ours to remove */
} mnt;

static int set_rootfs(struct container *c, const char *value, struct ctr_error *err)
{
	(void)c;
	(void)err;
	mnt.rootfs_arg = value;
	return 0;
}

static int set_read_only(struct container *c, const char *value, struct ctr_error *err)
{
	(void)c;
	(void)value;
	(void)err;
	mnt.read_only = true;
	return 0;
}

static int set_no_overlay(struct container *c, const char *value, struct ctr_error *err)
{
	(void)c;
	(void)value;
	(void)err;
	mnt.no_overlay = true;
	return 0;
}

static int set_volume(struct container *c, const char *value, struct ctr_error *err)
{
	struct mnt_bind spec;
	int r;

	(void)c;
	r = volume_spec_parse(value, &spec, err);
	if (r < 0)
		return r;
	return mnt_add_bind(spec.host_path, spec.container_path, spec.read_only, err);
}

static int set_workdir(struct container *c, const char *value, struct ctr_error *err)
{
	if (value[0] != '/')
		return error_setx(err, -EINVAL,
				  "Invalid working directory '%s': give an absolute path inside the container",
				  value);
	c->workdir = value;
	return 0;
}

static int set_tty(struct container *c, const char *value, struct ctr_error *err)
{
	(void)c;
	(void)value;
	return pty_set_mode(PTY_ON, err);
}

static int set_no_tty(struct container *c, const char *value, struct ctr_error *err)
{
	(void)c;
	(void)value;
	return pty_set_mode(PTY_OFF, err);
}

static const struct ctr_option mount_options[] = {
	{ "rootfs", 0, "DIR", "root filesystem of the container (default: rootfs/ next to the stage directories)", set_rootfs },
	{ "read-only", 0, NULL, "mount the container's root read-only", set_read_only },
	{ "no-overlay", 0, NULL, "write straight into the rootfs directory instead of a throwaway overlay", set_no_overlay },
	{ "volume", 'v', "HOST:CONTAINER[:ro]", "bind-mount HOST at CONTAINER, recursively; ro makes it read-only (rw, the default, may be written too)", set_volume },
	{ "workdir", 'w', "DIR", "working directory of COMMAND inside the container (default: /)", set_workdir },
	{ "tty", 't', NULL, "give the container its own pty even when stdin is not a terminal", set_tty },
	{ "no-tty", 'T', NULL, "no pty: a terminal on stdin, stdout or stderr is relayed through a pipe", set_no_tty },
	{ NULL, 0, NULL, NULL, NULL },
};

static int mount_validate(struct container *c, struct ctr_error *err)
{
	int r;

	(void)c;
	r = rootfs_resolve(mnt.rootfs_arg, mnt.rootfs, err);
	if (r < 0)
		return r;
	/* COMMAND is not looked up here: the container's execve reports a missing
	 * or unrunnable COMMAND with stage 1's words and status (127 or 126), and
	 * only it resolves COMMAND through the volumes and the container's PATH. */
	return rootfs_check_host_root(err);
}

/* Create the overlay's upper and work directories in the state directory.  The
 * upper directory gets the rootfs's mode and owner, because the overlay's root
 * directory shows the upper layer's. */
static int overlay_dirs_create(const struct container *c, struct ctr_error *err)
{
	struct stat st;

	if (state_path(c, "upper", mnt.upper, sizeof(mnt.upper)) < 0 ||
	    state_path(c, "work", mnt.work, sizeof(mnt.work)) < 0)
		return error_setx(err, -ENAMETOOLONG, "State directory path too long: '%s'",
				  c->state_dir);
	if (stat(mnt.rootfs, &st) < 0)
		return error_set(err, -errno, "Failed to stat the rootfs '%s'", mnt.rootfs);
	if (mnt_ensure_dir(mnt.upper, st.st_mode & 07777, err) < 0 ||
	    mnt_ensure_dir(mnt.work, 0700, err) < 0)
		return err->code;
	if (chown(mnt.upper, st.st_uid, st.st_gid) < 0 ||
	    chmod(mnt.upper, st.st_mode & 07777) < 0)
		return error_set(err, -errno, "Failed to copy the rootfs's owner and mode to '%s'",
				 mnt.upper);
	return 0;
}

/* Create the container's state directory, which contains the overlay's layers.
 * Later stages add their files to it. */
static int mount_before_clone(struct container *c, struct ctr_error *err)
{
	int r = state_dir_create(c, err);

	if (r < 0)
		return r;
	mnt.state_created = true;
	if (!mnt.no_overlay) {
		r = overlay_dirs_create(c, err);
		if (r < 0)
			return r;
	}
	r = pty_prepare(err);
	if (r == 0 && !pty_enabled())
		r = relay_prepare(err);
	return r;
}

static int mount_after_clone(struct container *c, struct ctr_error *err)
{
	(void)c;
	(void)err;
	pty_after_clone();
	relay_after_clone();
	return 0;
}

/* Put the new root in place: an overlay over the rootfs, or the rootfs itself
 * with --no-overlay, then pivot into it. */
static int root_switch(struct ctr_error *err)
{
	int r;

	if (mnt.no_overlay)
		r = rootfs_bind_self(mnt.rootfs, err);
	else
		r = rootfs_mount_overlay(mnt.rootfs, mnt.upper, mnt.work, err);
	if (r < 0)
		return r;
	return rootfs_pivot(mnt.rootfs, err);
}

/* Runs in the container, in the new mount namespace, as PID 1.  The steps are
 * listed at the top of this file. */
static int mount_child_setup(struct container *c, struct ctr_error *err)
{
	(void)c;
	/* The new namespace starts with copies of the host's mounts, in the same
	 * peer groups as the originals: a shared mount would pass every mount below
	 * it to the host and back (mount_namespaces(7)).  Private first, before
	 * anything is mounted. */
	if (mnt_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL, err) < 0)
		return err->code;
	if (volume_open_trees(err) < 0)
		return err->code;
	if (root_switch(err) < 0)
		return err->code;
	if (pseudofs_mount(err) < 0)
		return err->code;
	if (dev_setup(err) < 0)
		return err->code;
	if (pty_child_setup(err) < 0 || relay_child_setup(err) < 0)
		return err->code;
	if (pseudofs_restrict(err) < 0)
		return err->code;
	if (volume_attach_all(err) < 0)
		return err->code;
	/* Last, because the mount points above were created in the writable layer.
	 * Only the root mount: /dev, /dev/shm and rw volumes stay writable. */
	if (mnt.read_only)
		return mnt_set_attr("/", MOUNT_ATTR_RDONLY, false, err);
	return 0;
}

static int mount_command_before_exec(struct container *c, struct ctr_error *err)
{
	(void)c;
	return pty_command_setup(err);
}

static int mount_running(struct container *c, struct ctr_loop *loop, struct ctr_error *err)
{
	(void)c;
	if (pty_relay_start(loop, err) < 0 || relay_start(loop, err) < 0)
		return err->code;
	return 0;
}

static bool mount_signal(struct container *c, int signo)
{
	(void)c;
	return pty_handle_signal(signo);
}

/* Remove the overlay's layers if they are empty, as they are after a command
 * that wrote nothing: the work directory then holds only the empty "work" that
 * overlayfs made.  Three rmdir calls cost less than the walk of
 * state_dir_remove, which removes whatever these leave. */
static void overlay_dirs_remove(void)
{
	char work_work[PATH_MAX + sizeof("/work")];

	if (!mnt.upper[0])
		return;
	snprintf(work_work, sizeof(work_work), "%s/work", mnt.work);
	rmdir(work_work);
	rmdir(mnt.work);
	rmdir(mnt.upper);
}

/* Runs after the container is gone, or after a failure at any step. */
static void mount_after_exit(struct container *c)
{
	int r;

	pty_cleanup();
	relay_cleanup();
	if (!mnt.state_created)
		return;
	/* The container's mount namespace died with its last process, taking the
	 * overlay with it, so its layers are plain directories now. */
	overlay_dirs_remove();
	r = state_dir_remove(c);
	if (r < 0)
		log_debug("Failed to remove the state of '%s': %s", c->name, strerror(-r));
	else
		explain("removed the state directory of '%s' and the overlay's layers", c->name);
	mnt.state_created = false;
}

const struct ctr_module mount_module = {
	.name = "mount",
	.options = mount_options,
	.clone_flags = CLONE_NEWNS,
	.validate = mount_validate,
	.parent_before_clone = mount_before_clone,
	.parent_after_clone = mount_after_clone,
	.child_setup = mount_child_setup,
	.command_before_exec = mount_command_before_exec,
	.parent_running = mount_running,
	.parent_signal = mount_signal,
	.parent_after_exit = mount_after_exit,
};
