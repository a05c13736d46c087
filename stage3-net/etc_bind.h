/* The one place where stage 3 requests a bind mount from stage 2. */
#ifndef CTRLAB_ETC_BIND_H
#define CTRLAB_ETC_BIND_H

#include "common/error.h"

/* Register a read-only bind mount of host_path over container_path, made when
 * the container's root is set up.  Returns 0 or -errno with err set. */
int net_etc_bind(const char *host_path, const char *container_path, struct ctr_error *err);

#endif
