/* The one place where stage 3 requests a bind mount from stage 2: see
 * etc_bind.h. */
#include "stage3-net/etc_bind.h"

#include <stdbool.h>

#include "stage2-mount/mount.h"

int net_etc_bind(const char *host_path, const char *container_path, struct ctr_error *err)
{
	return mnt_add_bind(host_path, container_path, /* read_only= */ true, err);
}
