/* The container's /dev: a small tmpfs instead of the host's devtmpfs. */
#ifndef CTRLAB_DEV_H
#define CTRLAB_DEV_H

#include "common/error.h"

/* Container side, after pivot_root: mount a tmpfs at /dev with the standard
 * character devices, a private devpts at /dev/pts, /dev/shm, /dev/mqueue and the
 * fd links.  Returns 0 or -errno with err set. */
int dev_setup(struct ctr_error *err);

#endif
