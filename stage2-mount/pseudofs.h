/* /proc and /sys for the container, with the paths that leak or harm the host
 * masked or made read-only. */
#ifndef CTRLAB_PSEUDOFS_H
#define CTRLAB_PSEUDOFS_H

#include "common/error.h"

/* Container side, after pivot_root: mount a fresh procfs at /proc and a
 * read-only sysfs at /sys.  Returns 0 or -errno with err set. */
int pseudofs_mount(struct ctr_error *err);

/* Container side, once /dev/null exists: mask the paths that expose the host
 * and make the paths that change it read-only.  Returns 0 or -errno with err
 * set. */
int pseudofs_restrict(struct ctr_error *err);

#endif
