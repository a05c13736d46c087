/* One narrated kernel step each: the mount calls that stage 2's files share. */
#ifndef CTRLAB_MOUNT_STEP_H
#define CTRLAB_MOUNT_STEP_H

#include <stdbool.h>

#include "common/error.h"

/* Call mount(2) and narrate it with the flags by name.  source and data may be
 * NULL.  Returns 0 or -errno with err naming the target. */
int mnt_mount(const char *source, const char *target, const char *fstype,
	      unsigned long flags, const char *data, struct ctr_error *err);

/* Set attr_flags (MOUNT_ATTR_*) on the mount at path, and on every mount below it
 * when recursive, with mount_setattr(2).  Returns 0 or -errno with err set. */
int mnt_set_attr(const char *path, unsigned int attr_flags, bool recursive,
		 struct ctr_error *err);

/* Create the directory path with the given mode unless it exists.  Returns 0 or
 * -errno with err set. */
int mnt_ensure_dir(const char *path, unsigned int mode, struct ctr_error *err);

#endif
