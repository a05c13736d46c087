/* Unit tests for common/options.c: shared options, module options, COMMAND. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/log.h"
#include "common/options.h"

static const char *module_value;

static int set_color(struct container *c, const char *value, struct ctr_error *err)
{
	(void)c;
	if (strcmp(value, "bad") == 0)
		return error_setx(err, -EINVAL, "Invalid color '%s'", value);
	module_value = value;
	return 0;
}

static const struct ctr_option color_options[] = {
	{ "color", 'c', "COLOR", "a module's option", set_color },
	{ NULL, 0, NULL, NULL, NULL },
};

static const struct ctr_module color_module = {
	.name = "color",
	.options = color_options,
};

static const struct ctr_module *const modules[] = { &color_module, NULL };

static const struct ctr_stage stage = {
	.name = "stage-test",
	.summary = "test stage",
	.modules = modules,
};

static struct container c;
static struct ctr_error err;

/* Parse a NULL-terminated list of arguments after the program name. */
static int parse(const char *first, ...)
{
	static char *argv[32];
	va_list ap;
	int argc = 0;

	argv[argc++] = "run";
	va_start(ap, first);
	for (const char *arg = first; arg && argc < 31; arg = va_arg(ap, const char *))
		argv[argc++] = (char *)arg;
	va_end(ap);
	argv[argc] = NULL;
	error_clear(&err);
	return options_parse(&c, &stage, argc, argv, &err);
}

static int reset(void **state)
{
	(void)state;
	module_value = NULL;
	log_settings.explain = false;
	log_settings.level = LOG_LEVEL_INFO;
	unsetenv("CTRLAB_STATE_DIR");
	return 0;
}

static void defaults_without_arguments(void **state)
{
	(void)state;
	assert_int_equal(parse(NULL), OPTIONS_RUN);
	assert_string_equal(c.hostname, "ctrlab");
	assert_string_equal(c.argv[0], "/bin/sh");
	assert_null(c.argv[1]);
	assert_true(c.use_init);
	assert_int_equal(c.env_count, 0);
	assert_string_equal(c.state_dir, "/run/ctrlab");
	assert_string_equal(c.name, "");
}

static void shared_options_are_applied(void **state)
{
	(void)state;
	assert_int_equal(parse("--hostname", "box", "--name", "web1", "-e", "A=1",
			       "--env=B=2", "--no-init", "--state-dir", "/tmp/s", NULL),
			 OPTIONS_RUN);
	assert_string_equal(c.hostname, "box");
	assert_string_equal(c.name, "web1");
	assert_int_equal(c.env_count, 2);
	assert_string_equal(c.env[0], "A=1");
	assert_string_equal(c.env[1], "B=2");
	assert_false(c.use_init);
	assert_string_equal(c.state_dir, "/tmp/s");
}

static void env_key_copies_host_value(void **state)
{
	(void)state;
	setenv("CTRLAB_TEST_VAR", "from-host", 1);
	unsetenv("CTRLAB_TEST_UNSET");
	assert_int_equal(parse("-e", "CTRLAB_TEST_VAR", "-e", "CTRLAB_TEST_UNSET", NULL),
			 OPTIONS_RUN);
	assert_int_equal(c.env_count, 1);
	assert_string_equal(c.env[0], "CTRLAB_TEST_VAR=from-host");
}

static void command_stops_option_parsing(void **state)
{
	(void)state;
	assert_int_equal(parse("--hostname", "h", "sh", "-c", "--no-init", NULL), OPTIONS_RUN);
	assert_string_equal(c.argv[0], "sh");
	assert_string_equal(c.argv[1], "-c");
	assert_string_equal(c.argv[2], "--no-init");
	assert_true(c.use_init);

	assert_int_equal(parse("--", "--version", NULL), OPTIONS_RUN);
	assert_string_equal(c.argv[0], "--version");
}

static void module_options_are_merged(void **state)
{
	(void)state;
	assert_int_equal(parse("--color", "red", NULL), OPTIONS_RUN);
	assert_string_equal(module_value, "red");
	assert_int_equal(parse("-c", "blue", NULL), OPTIONS_RUN);
	assert_string_equal(module_value, "blue");
	assert_int_equal(parse("--color", "bad", NULL), -EINVAL);
	assert_string_equal(err.msg, "Invalid color 'bad'");
}

static void help_version_and_log_flags(void **state)
{
	(void)state;
	assert_int_equal(parse("--help", NULL), OPTIONS_HELP);
	assert_int_equal(parse("-h", NULL), OPTIONS_HELP);
	assert_int_equal(parse("--version", NULL), OPTIONS_VERSION);
	assert_int_equal(parse("--explain", NULL), OPTIONS_RUN);
	assert_true(log_settings.explain);
	assert_int_equal(parse("-q", NULL), OPTIONS_RUN);
	assert_int_equal(log_settings.level, LOG_LEVEL_ERROR);
	assert_int_equal(parse("--debug", NULL), OPTIONS_RUN);
	assert_int_equal(log_settings.level, LOG_LEVEL_DEBUG);
}

static void bad_input_names_the_option(void **state)
{
	(void)state;
	assert_int_equal(parse("--bogus", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "Unknown option '--bogus'"));
	assert_int_equal(parse("-z", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "Unknown option '-z'"));
	assert_int_equal(parse("--hostname", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "'--hostname' needs a value (NAME)"));
	assert_int_equal(parse("-e", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "needs a value (KEY=VALUE)"));
	assert_int_equal(parse("--no-init=yes", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "'--no-init' takes no value"));
	assert_int_equal(parse("--n", "x", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "ambiguous: it matches --name, --no-init"));
	assert_int_equal(parse("", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "Invalid COMMAND ''"));
	assert_int_equal(parse("--hostname", "bad_name", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "Invalid hostname 'bad_name'"));
	assert_int_equal(parse("--name", "a/b", NULL), -EINVAL);
	assert_int_equal(parse("--state-dir", "relative", NULL), -EINVAL);
	assert_int_equal(parse("-e", "=x", NULL), -EINVAL);
}

static void state_dir_from_environment(void **state)
{
	(void)state;
	setenv("CTRLAB_STATE_DIR", "/tmp/ctrlab-state", 1);
	assert_int_equal(parse(NULL), OPTIONS_RUN);
	assert_string_equal(c.state_dir, "/tmp/ctrlab-state");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(defaults_without_arguments, reset),
		cmocka_unit_test_setup(shared_options_are_applied, reset),
		cmocka_unit_test_setup(env_key_copies_host_value, reset),
		cmocka_unit_test_setup(command_stops_option_parsing, reset),
		cmocka_unit_test_setup(module_options_are_merged, reset),
		cmocka_unit_test_setup(help_version_and_log_flags, reset),
		cmocka_unit_test_setup(bad_input_names_the_option, reset),
		cmocka_unit_test_setup(state_dir_from_environment, reset),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
