/* /proc and /sys, and what the container may not see or change in them.
 *
 * Kernel objects: a procfs and a sysfs mount, then one mount per masked or
 * read-only path on top of them.
 *
 * A procfs mounted in the container's PID namespace lists only the container's
 * processes (proc(5)).  But much of /proc and /sys is not namespaced: it shows
 * or tunes the whole machine.  Some paths leak host state (kernel memory through
 * /proc/kcore, every key of the host's keyrings through /proc/keys, timers and
 * scheduler state of every CPU), so they are masked: covered by an empty file or
 * directory.  Others write to the host kernel (/proc/sys sysctls,
 * /proc/sysrq-trigger, IRQ affinity), so they are made read-only. */
#include "stage2-mount/pseudofs.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "common/log.h"
#include "common/syscalls.h"
#include "stage2-mount/mount_step.h"

static const char *const masked_paths[] = {
	"/proc/kcore",        /* the host's physical memory as an ELF core */
	"/proc/keys",         /* keys of every keyring the host can see */
	"/proc/timer_list",   /* every CPU's timers, with the PIDs behind them */
	"/proc/sched_debug",  /* scheduler state of every task on the host */
	"/proc/acpi",         /* ACPI tables and switches of the machine */
	"/proc/scsi",         /* SCSI devices, writable to add or remove them */
	"/proc/asound",       /* the host's sound cards and their controls */
	"/proc/latency_stats", /* latency records of every task (CONFIG_LATENCYTOP) */
	"/proc/timer_stats",  /* timer use of every task (kernels before 4.11) */
	"/sys/firmware",      /* firmware tables such as ACPI and DMI */
	/* RAPL energy counters, which leak what other code computes
	 * (CVE-2020-8694, the PLATYPUS attack). */
	"/sys/devices/virtual/powercap",
};

static const char *const read_only_paths[] = {
	"/proc/sys",            /* sysctls, most of them for the whole host */
	"/proc/sysrq-trigger",  /* "echo b" would reboot the machine */
	"/proc/irq",            /* interrupt affinity of the host's CPUs */
	"/proc/bus",            /* PCI and USB device configuration */
	"/proc/fs",             /* filesystem tunables such as NFS exports */
};

static const unsigned long nothing_to_run = MS_NOSUID | MS_NODEV | MS_NOEXEC;

int pseudofs_mount(struct ctr_error *err)
{
	if (mnt_ensure_dir("/proc", 0555, err) < 0 ||
	    mnt_mount("proc", "/proc", "proc", nothing_to_run, NULL, err) < 0)
		return err->code;
	/* Read-only: sysfs writes reach drivers and the host's devices. */
	if (mnt_ensure_dir("/sys", 0555, err) < 0 ||
	    mnt_mount("sysfs", "/sys", "sysfs", MS_RDONLY | nothing_to_run, NULL, err) < 0)
		return err->code;
	return 0;
}

/* A masked file is covered by /dev/null, so it reads as empty.  /dev/null is
 * checked first: if the rootfs had put a regular file or a different device
 * there, binding it would expose that instead. */
static int mask_file(const char *path, struct ctr_error *err)
{
	struct stat st;

	if (stat("/dev/null", &st) < 0)
		return error_set(err, -errno, "Failed to stat '/dev/null'");
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		return error_setx(err, -EINVAL,
				  "Cannot mask '%s': the container's /dev/null is not the 1:3 character device",
				  path);
	if (mnt_mount("/dev/null", path, NULL, MS_BIND, NULL, err) < 0)
		return err->code;
	/* Not MS_NODEV: that would make the bound device fail to open with EACCES.
	 * The kernel lets a device node be written on a read-only mount, so a write
	 * still succeeds and goes to /dev/null. */
	return mnt_mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC,
			 NULL, err);
}

/* The paths whose masks were mounted first, one for files and one for
 * directories, or NULL before that. */
struct mask_sources {
	const char *file;
	const char *directory;
};

/* Mask path, a file or a directory.  Only the first of each kind gets a mount
 * of its own.  Every later one binds the mask already at that first path, and
 * a bind mount keeps the read-only flags of the mount it copies.  That saves a
 * remount per masked file and a tmpfs per masked directory. */
static int mask_path(const char *path, struct mask_sources *sources,
		     struct ctr_error *err)
{
	struct stat st;
	const char **first;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;  /* this kernel does not have it: nothing to hide */
		return error_set(err, -errno, "Failed to stat '%s' to mask it", path);
	}
	first = S_ISDIR(st.st_mode) ? &sources->directory : &sources->file;
	if (*first)
		return mnt_mount(*first, path, NULL, MS_BIND, NULL, err);
	*first = path;
	if (!S_ISDIR(st.st_mode))
		return mask_file(path, err);
	/* A directory is covered by an empty read-only tmpfs. */
	return mnt_mount("tmpfs", path, "tmpfs", MS_RDONLY | nothing_to_run,
			 "size=0k,mode=0555", err);
}

/* Bind path onto itself and make the bind read-only, with every mount below.
 * No stat comes first, because the bind looks the path up itself: ENOENT
 * there means that this kernel lacks the path, so there is nothing to protect. */
static int make_read_only(const char *path, struct ctr_error *err)
{
	int r = mnt_mount(path, path, NULL, MS_BIND | MS_REC, NULL, err);

	if (r == -ENOENT) {
		error_clear(err);
		explain("%s is not on this kernel, so there is nothing to make read-only", path);
		return 0;
	}
	if (r < 0)
		return r;
	return mnt_set_attr(path, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				  MOUNT_ATTR_NOEXEC,
			    true, err);
}

int pseudofs_restrict(struct ctr_error *err)
{
	struct mask_sources sources = { NULL, NULL };

	for (size_t i = 0; i < sizeof(masked_paths) / sizeof(masked_paths[0]); i++) {
		if (mask_path(masked_paths[i], &sources, err) < 0)
			return err->code;
	}
	for (size_t i = 0; i < sizeof(read_only_paths) / sizeof(read_only_paths[0]); i++) {
		if (make_read_only(read_only_paths[i], err) < 0)
			return err->code;
	}
	return 0;
}
