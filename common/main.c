/* A stage's main(): parse, validate, run, report. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "common/container.h"
#include "common/log.h"
#include "common/options.h"
#include "common/runtime.h"

#define CTRLAB_VERSION "0.1.0"

void ctr_process_prepare(void)
{
	/* With fd 0, 1 or 2 closed by the caller, the runtime's next fd, such as
	 * its signalfd, would take that number and get the container's output. */
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
			open("/dev/null", O_RDWR);
	}
	/* A reader that goes away (`run ... | head -1`) must not kill the runtime
	 * before its cleanup.  COMMAND gets the default back (common/init.c). */
	signal(SIGPIPE, SIG_IGN);
}

int ctr_main(int argc, char **argv, const struct ctr_stage *stage)
{
	struct container c;
	struct ctr_error err;
	int r;

	ctr_process_prepare();
	error_clear(&err);
	r = options_parse(&c, stage, argc, argv, &err);
	if (r == OPTIONS_HELP) {
		options_print_help(stage, argv[0], stdout);
		return stdout_flush_status();
	}
	if (r == OPTIONS_VERSION) {
		printf("ctrlab %s (%s)\n", CTRLAB_VERSION, stage->name);
		return stdout_flush_status();
	}
	if (r < 0) {
		log_error("%s", err.msg);
		return 125;
	}

	c.runtime_argv = argv;
	r = ctr_run(&c, stage, &err);
	if (r < 0) {
		log_error("%s", err.msg);
		return err.exit_status ? err.exit_status : 125;
	}
	return r;
}
