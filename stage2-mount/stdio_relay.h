/* Without a pty: the host's terminal never reaches the container. */
#ifndef CTRLAB_STDIO_RELAY_H
#define CTRLAB_STDIO_RELAY_H

#include "common/container.h"

/* Host, before clone: create a pipe for each of fds 0 to 2 that is a terminal.
 * Returns 0 or -errno with err set. */
int relay_prepare(struct ctr_error *err);

/* Host, after clone: close the container's ends of the pipes. */
void relay_after_clone(void);

/* Container side: put the container's pipe ends on fds 0 to 2 in place of the
 * terminal.  Returns 0 or -errno with err set. */
int relay_child_setup(struct ctr_error *err);

/* Host, once COMMAND runs: copy between the terminal and the pipes in the wait
 * loop.  Returns 0 or -errno with err set. */
int relay_start(struct ctr_loop *loop, struct ctr_error *err);

/* Host, at exit and on failure: copy the output left in the pipes and close
 * them.  Safe to call at any point. */
void relay_cleanup(void);

#endif
