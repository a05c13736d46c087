/* Stage 1's module: PID, UTS and IPC namespaces. */
#ifndef CTRLAB_PID_UTS_H
#define CTRLAB_PID_UTS_H

#include "common/container.h"

/* Adds CLONE_NEWPID, CLONE_NEWUTS and CLONE_NEWIPC and sets the hostname inside. */
extern const struct ctr_module pid_uts_module;

#endif
