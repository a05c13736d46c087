/* The runtime's state directory: <state_dir>/<container name>/ holds what one
 * container needs on the host while it runs (an overlay's upper layer, generated
 * /etc files, leases).  It is removed when the container ends. */
#ifndef CTRLAB_STATE_H
#define CTRLAB_STATE_H

#include <stddef.h>

#include "common/container.h"

/* Default state directory, used unless --state-dir or CTRLAB_STATE_DIR names
 * another. */
#define STATE_DIR_DEFAULT "/run/ctrlab"

/* Return the state directory that CTRLAB_STATE_DIR names, or STATE_DIR_DEFAULT
 * when the variable is unset.  state_dir_env_check() validates the value. */
const char *state_dir_from_env(void);

/* Check a state directory that came from CTRLAB_STATE_DIR: it must be an
 * absolute path, so that every run and `run cleanup` find the same directory
 * from any working directory.  Returns 0 or -EINVAL with err set. */
int state_dir_env_check(const char *state_dir, struct ctr_error *err);

/* Write "<state_dir>/<name>/<leaf>" (or the container's directory itself when
 * leaf is NULL) into buffer.  Returns 0 or -ENAMETOOLONG. */
int state_path(const struct container *c, const char *leaf, char *buffer, size_t size);

/* Create the state directory unless it exists, and check that no other user
 * may write to it.  Returns 0 or -errno with err set. */
int state_dir_ensure_safe(const char *state_dir, struct ctr_error *err);

/* Create the state directory and the container's directory in it, mode 0700.
 * Returns 0 or -errno with err set; -EEXIST when a container of that name runs. */
int state_dir_create(const struct container *c, struct ctr_error *err);

/* Remove the directory at path and everything in it, without following symlinks
 * or crossing into mounts below it.  Returns 0 (also when path is missing) or
 * -errno. */
int tree_remove(const char *path);

/* Remove the container's directory and everything in it, without crossing into
 * mounts below it.  Returns 0 or -errno. */
int state_dir_remove(const struct container *c);

#endif
