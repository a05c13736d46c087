/* Stage 2: stage 1's namespaces plus a mount namespace, with the container's own
 * root filesystem, /proc, /sys, /dev and terminal. */
#include "common/container.h"
#include "stage1-pid-uts/pid_uts.h"
#include "stage2-mount/mount.h"

static const struct ctr_module *const modules[] = {
	&pid_uts_module,
	&mount_module,
	NULL,
};

static const struct ctr_stage stage = {
	.name = "stage2-mount",
	.summary = "Run COMMAND in its own root filesystem, in new mount, PID, UTS and IPC namespaces.",
	.modules = modules,
};

int main(int argc, char **argv)
{
	return ctr_main(argc, argv, &stage);
}
