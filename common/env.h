/* COMMAND's environment: built from scratch, never inherited from the host. */
#ifndef CTRLAB_ENV_H
#define CTRLAB_ENV_H

#include <stddef.h>

#include "common/container.h"

/* PATH every container starts with, the same as Docker's default. */
#define CTR_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* Room for the defaults plus every -e entry and the terminating NULL. */
#define CTR_ENV_SLOTS (CTR_ENV_MAX + 8)

/* Fill envp (CTR_ENV_SLOTS entries) with the default PATH, HOME=/root,
 * TERM=term (when term is not NULL), HOSTNAME, then c->env in order; a later
 * entry replaces an earlier one with the same key.  Entries point into c and
 * into buffer, which must outlive envp.  Returns the number of entries. */
size_t env_build(const struct container *c, const char *term, char **envp,
		 char *buffer, size_t buffer_size);

/* Return the value of key in the NULL-terminated envp, or NULL. */
const char *env_lookup(char *const *envp, const char *key);

#endif
