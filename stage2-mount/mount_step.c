/* The narrated mount calls of stage 2: see mount_step.h.
 *
 * Every step prints one --explain line in the same shape, so a learner can follow
 * a whole run as a list of kernel calls:
 *
 *     mount("proc", "/proc", "proc", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL) = 0 */
#include "stage2-mount/mount_step.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "common/flagnames.h"
#include "common/log.h"
#include "common/syscalls.h"

/* Format a step's result for --explain: "0", or "-1 (reason)" for -errno r. */
static const char *result_format(int r, char *buffer, size_t size)
{
	if (r == 0)
		return "0";
	snprintf(buffer, size, "-1 (%s)", strerror(-r));
	return buffer;
}

int mnt_mount(const char *source, const char *target, const char *fstype,
	      unsigned long flags, const char *data, struct ctr_error *err)
{
	char names[256];
	char result[80];
	int r = 0;

	if (mount(source, target, fstype, flags, data) < 0)
		r = -errno;
	/* Naming the flags runs one snprintf per flag, about 1 us for three flags
	 * on the VM of docs/bench.md.  So it happens only for a narration or an
	 * error, never on the path of a quiet run. */
	if (r == 0 && !explain_enabled())
		return 0;
	flags_format(flags, mount_flag_names, names, sizeof(names));
	explain("mount(%s%s%s, \"%s\", %s%s%s, %s, %s%s%s) = %s", source ? "\"" : "",
		source ? source : "NULL", source ? "\"" : "", target, fstype ? "\"" : "",
		fstype ? fstype : "NULL", fstype ? "\"" : "", names, data ? "\"" : "",
		data ? data : "NULL", data ? "\"" : "", result_format(r, result, sizeof(result)));
	if (r < 0)
		return error_set(err, r, "Failed to mount %s on '%s' (%s)",
				 fstype ? fstype : source, target, names);
	return 0;
}

int mnt_set_attr(const char *path, unsigned int attr_flags, bool recursive,
		 struct ctr_error *err)
{
	struct mount_attr attr = { .attr_set = attr_flags };
	char names[128];
	char result[80];
	int r = 0;

	if (sys_mount_setattr(AT_FDCWD, path, recursive ? AT_RECURSIVE : 0, &attr) < 0)
		r = -errno;
	if (r == 0 && !explain_enabled())
		return 0;
	flags_format(attr_flags, mount_attr_names, names, sizeof(names));
	explain("mount_setattr(\"%s\", %s, attr_set=%s) = %s", path,
		recursive ? "AT_RECURSIVE" : "0", names, result_format(r, result, sizeof(result)));
	if (r < 0)
		return error_set(err, r, "Failed to set %s on the mount at '%s'", names, path);
	return 0;
}

int mnt_ensure_dir(const char *path, unsigned int mode, struct ctr_error *err)
{
	if (mkdir(path, mode) == 0) {
		explain("mkdir(\"%s\", 0%o) = 0", path, mode);
		return 0;
	}
	if (errno != EEXIST)
		return error_set(err, -errno, "Failed to create the directory '%s'", path);
	return 0;
}
