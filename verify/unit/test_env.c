/* Unit tests for common/env.c and common/flagnames.c. */
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/env.h"
#include "common/flagnames.h"

static void environment_defaults(void **state)
{
	struct container c = { .hostname = "box" };
	char *envp[CTR_ENV_SLOTS];
	char buffer[256];

	(void)state;
	assert_int_equal(env_build(&c, "xterm-256color", envp, buffer, sizeof(buffer)), 4);
	assert_string_equal(env_lookup(envp, "PATH"), CTR_DEFAULT_PATH);
	assert_string_equal(env_lookup(envp, "HOME"), "/root");
	assert_string_equal(env_lookup(envp, "HOSTNAME"), "box");
	assert_string_equal(env_lookup(envp, "TERM"), "xterm-256color");
	assert_null(envp[4]);
	assert_null(env_lookup(envp, "PAT"));
}

static void environment_overrides_keep_order(void **state)
{
	struct container c = {
		.hostname = "box",
		.env = { "HOME=/home/u", "A=1", "A=2", "B=x=y" },
		.env_count = 4,
	};
	char *envp[CTR_ENV_SLOTS];
	char buffer[256];

	(void)state;
	assert_int_equal(env_build(&c, NULL, envp, buffer, sizeof(buffer)), 5);
	assert_string_equal(env_lookup(envp, "HOME"), "/home/u");
	assert_string_equal(env_lookup(envp, "A"), "2");
	assert_string_equal(env_lookup(envp, "B"), "x=y");
	assert_null(env_lookup(envp, "TERM"));
	assert_string_equal(envp[1], "HOME=/home/u");
}

static void clone_flags_by_name(void **state)
{
	char buffer[256];

	(void)state;
	assert_string_equal(flags_format(CLONE_NEWPID | CLONE_NEWUTS, clone_flag_names,
					 buffer, sizeof(buffer)),
			    "CLONE_NEWPID|CLONE_NEWUTS");
	assert_string_equal(flags_format(0, clone_flag_names, buffer, sizeof(buffer)), "0x0");
	assert_string_equal(flags_format(CLONE_NEWNET | 0x1, clone_flag_names, buffer,
					 sizeof(buffer)),
			    "CLONE_NEWNET|0x1");
	assert_string_equal(signal_name(SIGTERM, buffer, sizeof(buffer)), "SIGTERM");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(environment_defaults),
		cmocka_unit_test(environment_overrides_keep_order),
		cmocka_unit_test(clone_flags_by_name),
	};

	return cmocka_run_group_tests_name("env", tests, NULL, NULL);
}
