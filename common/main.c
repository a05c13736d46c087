/* A stage's main(): parse, validate, run, report. */
#include <stdio.h>
#include <string.h>

#include "common/container.h"
#include "common/log.h"
#include "common/options.h"
#include "common/runtime.h"

#define CTRLAB_VERSION "0.1.0"

int ctr_main(int argc, char **argv, const struct ctr_stage *stage)
{
	struct container c;
	struct ctr_error err;
	int r;

	error_clear(&err);
	r = options_parse(&c, stage, argc, argv, &err);
	if (r == OPTIONS_HELP) {
		options_print_help(stage, argv[0], stdout);
		return 0;
	}
	if (r == OPTIONS_VERSION) {
		printf("ctrlab %s (%s)\n", CTRLAB_VERSION, stage->name);
		return 0;
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
