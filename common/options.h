/* Command-line options: the ones every stage shares, then each module's own. */
#ifndef CTRLAB_OPTIONS_H
#define CTRLAB_OPTIONS_H

#include <stdio.h>

#include "common/container.h"

enum options_result {
	OPTIONS_RUN = 0,      /* run the container */
	OPTIONS_HELP = 1,     /* -h/--help was given */
	OPTIONS_VERSION = 2,  /* --version was given */
};

/* Apply the defaults, then parse argv into c.  Parsing stops at the first
 * argument that is not an option, or after "--"; the rest is COMMAND.  Returns an
 * enum options_result, or -EINVAL with a message in err. */
int options_parse(struct container *c, const struct ctr_stage *stage, int argc,
		  char **argv, struct ctr_error *err);

/* Print the usage text with every option of the stage to out. */
void options_print_help(const struct ctr_stage *stage, const char *program, FILE *out);

#endif
