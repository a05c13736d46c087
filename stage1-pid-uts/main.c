/* Stage 1: a shell in new PID, UTS and IPC namespaces, with a real PID-1 init.
 * Still on the host's filesystem: stage 2 gives the container its own root. */
#include "common/container.h"
#include "stage1-pid-uts/pid_uts.h"

static const struct ctr_module *const modules[] = {
	&pid_uts_module,
	NULL,
};

static const struct ctr_stage stage = {
	.name = "stage1-pid-uts",
	.summary = "Run COMMAND in new PID, UTS and IPC namespaces, under ctrlab's init.",
	.modules = modules,
};

int main(int argc, char **argv)
{
	return ctr_main(argc, argv, &stage);
}
