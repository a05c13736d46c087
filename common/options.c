/* Command-line options: see options.h.  getopt_long() does the scanning; the
 * table it needs is built from the shared options and each module's options. */
#include "common/options.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/state.h"

/* Upper bound on options of one stage: shared ones plus every module's. */
#define OPTIONS_MAX 64
/* getopt_long() returns the option's index plus this offset, above every char. */
#define OPTION_INDEX_BASE 256
/* Widest option column in --help before the help text moves to the next line. */
#define HELP_COLUMN_MAX 28

static char *default_command[] = { "/bin/sh", NULL };

static int set_hostname(struct container *c, const char *value, struct ctr_error *err)
{
	int r = validate_hostname(value, err);

	if (r < 0)
		return r;
	c->hostname = value;
	c->hostname_set = true;
	return 0;
}

static int set_name(struct container *c, const char *value, struct ctr_error *err)
{
	int r = validate_container_name(value, err);

	if (r < 0)
		return r;
	strcpy(c->name, value);
	return 0;
}

/* -e KEY=VALUE sets a variable; -e KEY copies the host's value, as Docker does,
 * and is ignored when the host has none. */
static int set_env(struct container *c, const char *value, struct ctr_error *err)
{
	const char *entry = value;

	if (!strchr(value, '=')) {
		const char *host_value = getenv(value);

		if (!value[0])
			return validate_env_entry(value, err);
		if (!host_value)
			return 0;
		/* getenv() points into the "KEY=VALUE" string of environ. */
		entry = host_value - strlen(value) - 1;
	}
	if (validate_env_entry(entry, err) < 0)
		return -EINVAL;
	if (c->env_count >= CTR_ENV_MAX)
		return error_setx(err, -EINVAL,
				  "Too many -e/--env options: the limit is %d", CTR_ENV_MAX);
	c->env[c->env_count++] = entry;
	return 0;
}

static int set_no_init(struct container *c, const char *value, struct ctr_error *err)
{
	(void)value;
	(void)err;
	c->use_init = false;
	return 0;
}

static int set_state_dir(struct container *c, const char *value, struct ctr_error *err)
{
	if (value[0] != '/')
		return error_setx(err, -EINVAL,
				  "Invalid state directory '%s': give an absolute path", value);
	c->state_dir = value;
	return 0;
}

static int set_explain(struct container *c, const char *value, struct ctr_error *err)
{
	(void)c;
	(void)value;
	(void)err;
	log_settings.explain = true;
	return 0;
}

static int set_debug(struct container *c, const char *value, struct ctr_error *err)
{
	(void)c;
	(void)value;
	(void)err;
	log_settings.explain = true;
	log_settings.level = LOG_LEVEL_DEBUG;
	return 0;
}

static int set_quiet(struct container *c, const char *value, struct ctr_error *err)
{
	(void)c;
	(void)value;
	(void)err;
	log_settings.level = LOG_LEVEL_ERROR;
	return 0;
}

/* -h and --version are handled by options_parse() itself: set is NULL. */
static const struct ctr_option shared_options[] = {
	{ "hostname", 0, "NAME", "hostname inside the container (default: ctrlab; stage 3: the container name)", set_hostname },
	{ "name", 0, "ID", "container id (default: generated); from stage 2 on, names its state", set_name },
	{ "env", 'e', "KEY=VALUE", "set an environment variable; -e KEY copies the host's value", set_env },
	{ "no-init", 0, NULL, "run COMMAND as PID 1 instead of ctrlab's init", set_no_init },
	{ "state-dir", 0, "DIR", "where stages 2 and later keep state (default: $CTRLAB_STATE_DIR or /run/ctrlab)", set_state_dir },
	{ "explain", 0, NULL, "narrate every kernel step on stderr", set_explain },
	{ "debug", 0, NULL, "like --explain, with more detail", set_debug },
	{ "quiet", 'q', NULL, "print only errors (and --explain narration)", set_quiet },
	{ "help", 'h', NULL, "show this help and exit", NULL },
	{ "version", 0, NULL, "show the version and exit", NULL },
	{ NULL, 0, NULL, NULL, NULL },
};

/* Collect the shared options and every module's into list.  Returns the count. */
static size_t options_collect(const struct ctr_stage *stage,
			      const struct ctr_option **list)
{
	size_t count = 0;

	for (const struct ctr_option *o = shared_options; o->long_name; o++)
		list[count++] = o;
	for (size_t m = 0; stage->modules[m]; m++) {
		const struct ctr_option *o = stage->modules[m]->options;

		for (; o && o->long_name && count < OPTIONS_MAX; o++)
			list[count++] = o;
	}
	return count;
}

static void options_set_defaults(struct container *c, const struct ctr_stage *stage)
{
	memset(c, 0, sizeof(*c));
	c->hostname = "ctrlab";
	c->argv = default_command;
	c->use_init = true;
	c->state_dir = state_dir_from_env();
	c->stage_name = stage->name;
	c->pid = -1;
	c->pidfd = -1;
}

/* Build getopt's tables.  short_opts gets "+:" first: '+' stops at COMMAND, ':'
 * reports a missing value as ':' instead of printing getopt's own message. */
static void options_build_tables(const struct ctr_option **list, size_t count,
				 struct option *long_opts, char *short_opts)
{
	size_t s = 0;

	short_opts[s++] = '+';
	short_opts[s++] = ':';
	for (size_t i = 0; i < count; i++) {
		long_opts[i] = (struct option){
			.name = list[i]->long_name,
			.has_arg = list[i]->arg_name ? required_argument : no_argument,
			.flag = NULL,
			.val = OPTION_INDEX_BASE + (int)i,
		};
		if (list[i]->short_name) {
			short_opts[s++] = list[i]->short_name;
			if (list[i]->arg_name)
				short_opts[s++] = ':';
		}
	}
	long_opts[count] = (struct option){ 0 };
	short_opts[s] = '\0';
}

/* Map getopt's return value to an index into list, or -1. */
static int option_index(const struct ctr_option **list, size_t count, int opt)
{
	if (opt >= OPTION_INDEX_BASE && (size_t)(opt - OPTION_INDEX_BASE) < count)
		return opt - OPTION_INDEX_BASE;
	for (size_t i = 0; i < count; i++) {
		if (list[i]->short_name && list[i]->short_name == opt)
			return (int)i;
	}
	return -1;
}

/* Count the options whose long name starts with the given prefix of length len;
 * *ret_match gets the last one. */
static size_t options_matching(const struct ctr_option **list, size_t count,
			       const char *prefix, size_t len,
			       const struct ctr_option **ret_match)
{
	size_t matches = 0;

	for (size_t i = 0; i < count; i++) {
		if (strncmp(list[i]->long_name, prefix, len) == 0) {
			*ret_match = list[i];
			matches++;
		}
	}
	return matches;
}

/* Explain why getopt rejected the long option text ("--name=x", "--n"). */
static int report_bad_long_option(const char *text, const char *program,
				  const struct ctr_option **list, size_t count,
				  struct ctr_error *err)
{
	const char *name = text + 2;
	size_t len = strcspn(name, "=");
	const struct ctr_option *match = NULL;
	size_t matches = options_matching(list, count, name, len, &match);

	if (matches == 1 && name[len] == '=' && !match->arg_name)
		return error_setx(err, -EINVAL,
				  "Option '--%s' takes no value, but got '%s'; write '--%s' alone",
				  match->long_name, text, match->long_name);
	if (matches > 1) {
		char candidates[256] = "";
		size_t used = 0;

		for (size_t i = 0; i < count; i++) {
			if (strncmp(list[i]->long_name, name, len) != 0)
				continue;
			used += (size_t)snprintf(candidates + used,
						 used < sizeof(candidates) ? sizeof(candidates) - used : 0,
						 "%s--%s", used ? ", " : "", list[i]->long_name);
		}
		return error_setx(err, -EINVAL,
				  "Option '%.*s' is ambiguous: it matches %s; write the whole name",
				  (int)(len + 2), text, candidates);
	}
	return error_setx(err, -EINVAL,
			  "Unknown option '%s'; run '%s --help' to list the options",
			  text, program);
}

static int report_bad_option(int opt, int argc, char **argv,
			     const struct ctr_option **list, size_t count,
			     struct ctr_error *err)
{
	/* musl's getopt moves optind past a short option that misses its value at
	 * the end of argv, so argv[optind - 1] is then the NULL after the last. */
	const char *text = optind - 1 < argc && argv[optind - 1] ? argv[optind - 1] : "";
	char short_text[3] = { '-', (char)optopt, '\0' };

	if (optopt > 0 && optopt < 128 && strncmp(text, "--", 2) != 0)
		text = short_text;
	if (opt == ':') {
		int index = option_index(list, count, optopt ? optopt : 0);
		const char *arg_name = index >= 0 ? list[index]->arg_name : "a value";

		return error_setx(err, -EINVAL,
				  "Option '%s' needs a value (%s); run '%s --help' for usage",
				  text, arg_name, argv[0]);
	}
	if (strncmp(text, "--", 2) == 0)
		return report_bad_long_option(text, argv[0], list, count, err);
	return error_setx(err, -EINVAL,
			  "Unknown option '-%c'; run '%s --help' to list the options",
			  optopt ? optopt : '?', argv[0]);
}

int options_parse(struct container *c, const struct ctr_stage *stage, int argc,
		  char **argv, struct ctr_error *err)
{
	const struct ctr_option *list[OPTIONS_MAX];
	struct option long_opts[OPTIONS_MAX + 1];
	char short_opts[2 * OPTIONS_MAX + 3];
	size_t count;
	int opt;

	options_set_defaults(c, stage);
	count = options_collect(stage, list);
	options_build_tables(list, count, long_opts, short_opts);

	optind = 0;  /* glibc: 0 also resets getopt's internal state */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		int index = option_index(list, count, opt);
		int r;

		if (opt == '?' || opt == ':' || index < 0)
			return report_bad_option(opt, argc, argv, list, count, err);
		if (strcmp(list[index]->long_name, "help") == 0)
			return OPTIONS_HELP;
		if (strcmp(list[index]->long_name, "version") == 0)
			return OPTIONS_VERSION;
		r = list[index]->set(c, optarg, err);
		if (r < 0)
			return r;
	}
	if (optind < argc)
		c->argv = argv + optind;
	/* --state-dir checks its own value, so a relative one came from the
	 * environment. */
	if (state_dir_env_check(c->state_dir, err) < 0)
		return err->code;
	if (!c->argv[0][0])
		return error_setx(err, -EINVAL,
				  "Invalid COMMAND '': it is empty; give a program name or leave COMMAND out for /bin/sh");
	return OPTIONS_RUN;
}

/* Write an option's left column ("-e, --env KEY=VALUE") into buffer. */
static void option_format_left(const struct ctr_option *o, char *buffer, size_t size)
{
	if (o->short_name)
		snprintf(buffer, size, "-%c, --%s%s%s", o->short_name, o->long_name,
			 o->arg_name ? " " : "", o->arg_name ? o->arg_name : "");
	else
		snprintf(buffer, size, "    --%s%s%s", o->long_name, o->arg_name ? " " : "",
			 o->arg_name ? o->arg_name : "");
}

void options_print_help(const struct ctr_stage *stage, const char *program, FILE *out)
{
	const struct ctr_option *list[OPTIONS_MAX];
	size_t count = options_collect(stage, list);
	char left[96];
	int width = 0;

	/* One column width for all options, so every help text lines up; a longer
	 * left column gets a line of its own. */
	for (size_t i = 0; i < count; i++) {
		option_format_left(list[i], left, sizeof(left));
		if ((int)strlen(left) > width && strlen(left) <= HELP_COLUMN_MAX)
			width = (int)strlen(left);
	}
	fprintf(out, "Usage: %s [OPTIONS] [--] [COMMAND [ARG...]]\n\n%s\n", program,
		stage->summary);
	fprintf(out, "COMMAND defaults to /bin/sh.\n\nOptions:\n");
	for (size_t i = 0; i < count; i++) {
		option_format_left(list[i], left, sizeof(left));
		if (strlen(left) > HELP_COLUMN_MAX)
			fprintf(out, "  %s\n  %-*s  %s\n", left, width, "", list[i]->help);
		else
			fprintf(out, "  %-*s  %s\n", width, left, list[i]->help);
	}
	fprintf(out, "\nExit status: COMMAND's own; 128+N when it was killed by signal N;\n"
		     "125 when ctrlab fails; 126 when COMMAND cannot be executed;\n"
		     "127 when COMMAND is not found.\n");
}
