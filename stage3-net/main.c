/* Stage 3: a shell in a container with its own network, which reaches the
 * outside through the host (bridge, veth, NAT).
 *
 *   run [OPTIONS] [COMMAND...]          run a container
 *   run cleanup [--state-dir DIR]       remove all that ctrlab set up on the host */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/container.h"
#include "common/log.h"
#include "common/state.h"
#include "stage1-pid-uts/pid_uts.h"
#include "stage2-mount/mount.h"
#include "stage3-net/helper.h"
#include "stage3-net/net.h"

static const struct ctr_module *const modules[] = {
	&pid_uts_module,
	&mount_module,
	&net_module,
	NULL,
};

static const struct ctr_stage stage = {
	.name = "stage3-net",
	.summary = "Run COMMAND in new PID, UTS, IPC, mount and network namespaces; "
		   "--net bridge reaches the outside through NAT.\n"
		   "'run cleanup [--state-dir DIR]' removes ctrlab's bridges, nft table and state.",
	.modules = modules,
};

/* `run cleanup [--state-dir DIR]`.  Returns the exit status. */
static int cleanup_main(int argc, char **argv)
{
	const char *state_dir = state_dir_from_env();
	struct ctr_error err;

	error_clear(&err);
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--state-dir") == 0 && i + 1 < argc && argv[i + 1][0] == '/') {
			state_dir = argv[++i];
		} else if (strcmp(argv[i], "--explain") == 0) {
			log_settings.explain = true;
		} else if (strcmp(argv[i], "--state-dir") == 0) {
			log_error("Invalid --state-dir '%s': give an absolute path, such as /run/ctrlab",
				  i + 1 < argc ? argv[i + 1] : "");
			return 125;
		} else {
			log_error("Invalid cleanup argument '%s': the only options are --state-dir DIR (absolute) and --explain",
				  argv[i]);
			return 125;
		}
	}
	/* --state-dir checks its own value, so a relative one came from the
	 * environment. */
	if (state_dir_env_check(state_dir, &err) < 0) {
		log_error("%s", err.msg);
		return 125;
	}
	if (helper_check(&err) < 0) {
		log_error("%s", err.msg);
		return 125;
	}
	/* The helper does the work: it is the program that speaks netlink and nft.
	 * It prints its own errors. */
	const char *args[] = { "cleanup", "--state-dir", state_dir, NULL };
	int r = helper_run(args, &err);

	if (r < 0 && r != -EIO)
		log_error("%s", err.msg);
	return r < 0 ? 125 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "cleanup") == 0) {
		ctr_process_prepare();
		return cleanup_main(argc, argv);
	}
	return ctr_main(argc, argv, &stage);
}
