/* The container's /dev.
 *
 * Kernel objects: a tmpfs at /dev, six device nodes made with mknod(2), a new
 * devpts instance at /dev/pts, a tmpfs at /dev/shm and an mqueue filesystem at
 * /dev/mqueue.
 *
 * The host's /dev (a devtmpfs) lists every disk and device of the machine, so the
 * container gets a tmpfs with only the nodes a program expects.  A device node is
 * just a (type, major, minor) triple that the kernel routes to a driver, which is
 * why creating one needs CAP_MKNOD and why /dev must not be mounted nodev. */
#include "stage2-mount/dev.h"

#include <errno.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/log.h"
#include "stage2-mount/mount_step.h"

struct dev_node {
	const char *path;
	unsigned int major;
	unsigned int minor;
};

/* The nodes of devices.txt in the kernel's documentation that every container
 * runtime provides. */
static const struct dev_node dev_nodes[] = {
	{ "/dev/null", 1, 3 },
	{ "/dev/zero", 1, 5 },
	{ "/dev/full", 1, 7 },
	{ "/dev/random", 1, 8 },
	{ "/dev/urandom", 1, 9 },
	{ "/dev/tty", 5, 0 },
};

struct dev_link {
	const char *path;
	const char *target;
};

static const struct dev_link dev_links[] = {
	/* The kernel finds a devpts instance's multiplexer at pts/ptmx; a program
	 * opening /dev/ptmx must get this instance's, not the host's. */
	{ "/dev/ptmx", "pts/ptmx" },
	{ "/dev/fd", "/proc/self/fd" },
	{ "/dev/stdin", "/proc/self/fd/0" },
	{ "/dev/stdout", "/proc/self/fd/1" },
	{ "/dev/stderr", "/proc/self/fd/2" },
};

static int dev_make_nodes(struct ctr_error *err)
{
	/* mknod applies the umask, but every user may use these nodes.  A umask of
	 * 0 while they are made saves a chmod per node. */
	mode_t saved_umask = umask(0);
	int r = 0;

	for (size_t i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++) {
		const struct dev_node *node = &dev_nodes[i];

		if (mknod(node->path, S_IFCHR | 0666, makedev(node->major, node->minor)) < 0) {
			r = error_set(err, -errno, "Failed to mknod '%s'", node->path);
			break;
		}
		explain("mknod(\"%s\", S_IFCHR|0666, %u:%u) = 0", node->path, node->major,
			node->minor);
	}
	umask(saved_umask);
	return r;
}

static int dev_make_links(struct ctr_error *err)
{
	for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++) {
		const struct dev_link *link = &dev_links[i];

		if (symlink(link->target, link->path) < 0)
			return error_set(err, -errno, "Failed to create the symlink '%s'",
					 link->path);
		explain("symlink(\"%s\", \"%s\") = 0", link->target, link->path);
	}
	return 0;
}

/* A devpts of its own: "newinstance" gives the container its own pty numbering
 * starting at 0, so it can neither see nor open the host's ptys
 * (Documentation/filesystems/devpts.rst).  ptmxmode=0666 lets every user open
 * pts/ptmx; mode=0620 is the usual mode of a new terminal. */
static int dev_mount_devpts(struct ctr_error *err)
{
	if (mnt_ensure_dir("/dev/pts", 0755, err) < 0)
		return err->code;
	return mnt_mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
			 "newinstance,ptmxmode=0666,mode=0620", err);
}

int dev_setup(struct ctr_error *err)
{
	const unsigned long nothing_to_run = MS_NOSUID | MS_NODEV | MS_NOEXEC;

	if (mnt_ensure_dir("/dev", 0755, err) < 0)
		return err->code;
	/* No MS_NODEV here: the nodes below must work.  The size caps what the
	 * container can write to /dev. */
	if (mnt_mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC,
		      "mode=0755,size=65536k", err) < 0)
		return err->code;
	if (dev_make_nodes(err) < 0 || dev_mount_devpts(err) < 0)
		return err->code;

	if (mnt_ensure_dir("/dev/shm", 01777, err) < 0 ||
	    mnt_mount("shm", "/dev/shm", "tmpfs", nothing_to_run, "mode=1777,size=65536k",
		      err) < 0)
		return err->code;
	/* An mqueue filesystem shows the queues of the IPC namespace of the process
	 * that mounts it: here, the container's (mq_overview(7)). */
	if (mnt_ensure_dir("/dev/mqueue", 0755, err) < 0 ||
	    mnt_mount("mqueue", "/dev/mqueue", "mqueue", nothing_to_run, NULL, err) < 0)
		return err->code;
	return dev_make_links(err);
}
