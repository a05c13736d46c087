/* The runtime side of the lifecycle. */
#ifndef CTRLAB_RUNTIME_H
#define CTRLAB_RUNTIME_H

#include "common/container.h"

/* Run the container described by c through every hook of stage's modules and
 * wait for it.  Returns COMMAND's exit status (128+n when killed by signal n), or
 * -errno with err set when ctrlab failed; err->exit_status is the status main
 * returns (125, or 126/127 when execve failed). */
int ctr_run(struct container *c, const struct ctr_stage *stage, struct ctr_error *err);

#endif
