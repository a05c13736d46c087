/* Unit tests for common/parse.c: names, numbers, sizes and exit statuses. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "common/parse.h"

static struct ctr_error err;

static void hostname_limit_is_64_bytes(void **state)
{
	char name[CTR_HOSTNAME_MAX + 2];

	(void)state;
	memset(name, 'a', sizeof(name));
	name[CTR_HOSTNAME_MAX] = '\0';
	assert_int_equal(validate_hostname(name, &err), 0);

	name[CTR_HOSTNAME_MAX] = 'a';
	name[CTR_HOSTNAME_MAX + 1] = '\0';
	assert_int_equal(validate_hostname(name, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "65 bytes"));
	assert_non_null(strstr(err.msg, "64"));
}

static void hostname_rejects_bad_characters(void **state)
{
	static const char *const bad[] = {
		"", "has space", "under_score", "semi;colon", "dot.", ".dot", "a..b",
		"-start", "end-", "a.-b", "a-.b", "slash/", "caf\xc3\xa9",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		assert_int_equal(validate_hostname(bad[i], &err), -EINVAL);
		assert_true(err.msg[0] != '\0');
	}
}

static void hostname_accepts_rfc1123_names(void **state)
{
	(void)state;
	assert_int_equal(validate_hostname("ctrlab", &err), 0);
	assert_int_equal(validate_hostname("web-1.example.org", &err), 0);
	assert_int_equal(validate_hostname("1", &err), 0);
}

static void container_name_rules(void **state)
{
	char long_name[CTR_NAME_MAX + 2];

	(void)state;
	assert_int_equal(validate_container_name("web_1.test-a", &err), 0);
	assert_int_equal(validate_container_name("", &err), -EINVAL);
	assert_int_equal(validate_container_name("-leading", &err), -EINVAL);
	assert_int_equal(validate_container_name("has/slash", &err), -EINVAL);
	assert_int_equal(validate_container_name("..", &err), -EINVAL);
	memset(long_name, 'n', sizeof(long_name));
	long_name[CTR_NAME_MAX] = '\0';
	assert_int_equal(validate_container_name(long_name, &err), 0);
	long_name[CTR_NAME_MAX] = 'n';
	long_name[CTR_NAME_MAX + 1] = '\0';
	assert_int_equal(validate_container_name(long_name, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "limit is 64"));
}

static void env_entry_needs_key_and_equals(void **state)
{
	(void)state;
	assert_int_equal(validate_env_entry("A=1", &err), 0);
	assert_int_equal(validate_env_entry("A=", &err), 0);
	assert_int_equal(validate_env_entry("A==b", &err), 0);
	assert_int_equal(validate_env_entry("=1", &err), -EINVAL);
	assert_string_equal(err.msg,
			    "Invalid environment entry '=1': the key is empty; use KEY=VALUE");
	assert_int_equal(validate_env_entry("NOEQUALS", &err), -EINVAL);
}

static void uint64_parsing(void **state)
{
	uint64_t value = 7;

	(void)state;
	assert_int_equal(parse_uint64("0", 10, &value), 0);
	assert_int_equal(value, 0);
	assert_int_equal(parse_uint64("10", 10, &value), 0);
	assert_int_equal(value, 10);
	assert_int_equal(parse_uint64("11", 10, &value), -ERANGE);
	assert_int_equal(parse_uint64("18446744073709551615", UINT64_MAX, &value), 0);
	assert_true(value == UINT64_MAX);
	assert_int_equal(parse_uint64("18446744073709551616", UINT64_MAX, &value), -ERANGE);
	assert_int_equal(parse_uint64("", 10, &value), -EINVAL);
	assert_int_equal(parse_uint64("-1", 10, &value), -EINVAL);
	assert_int_equal(parse_uint64(" 1", 10, &value), -EINVAL);
	assert_int_equal(parse_uint64("1x", 10, &value), -EINVAL);
}

static void size_parsing(void **state)
{
	uint64_t bytes = 0;

	(void)state;
	assert_int_equal(parse_size("512", &bytes), 0);
	assert_true(bytes == 512);
	assert_int_equal(parse_size("64k", &bytes), 0);
	assert_true(bytes == 64 * 1024);
	assert_int_equal(parse_size("100M", &bytes), 0);
	assert_true(bytes == 100ULL * 1024 * 1024);
	assert_int_equal(parse_size("2gb", &bytes), 0);
	assert_true(bytes == 2ULL << 30);
	assert_int_equal(parse_size("1t", &bytes), 0);
	assert_true(bytes == 1ULL << 40);
	assert_int_equal(parse_size("7b", &bytes), 0);
	assert_true(bytes == 7);
	assert_int_equal(parse_size("", &bytes), -EINVAL);
	assert_int_equal(parse_size("m", &bytes), -EINVAL);
	assert_int_equal(parse_size("-1m", &bytes), -EINVAL);
	assert_int_equal(parse_size("1.5g", &bytes), -EINVAL);
	assert_int_equal(parse_size("12q", &bytes), -EINVAL);
	assert_int_equal(parse_size("1kk", &bytes), -EINVAL);
	assert_int_equal(parse_size("17179869184g", &bytes), -ERANGE);
}

static void exit_status_mapping(void **state)
{
	(void)state;
	/* wait(2) statuses as the kernel encodes them: code << 8, or the signal. */
	assert_int_equal(exit_status_from_wait(0), 0);
	assert_int_equal(exit_status_from_wait(3 << 8), 3);
	assert_int_equal(exit_status_from_wait(255 << 8), 255);
	assert_int_equal(exit_status_from_wait(SIGTERM), 128 + SIGTERM);
	assert_int_equal(exit_status_from_wait(SIGKILL), 137);
	assert_int_equal(exit_status_from_wait(SIGSEGV | 0x80), 128 + SIGSEGV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hostname_limit_is_64_bytes),
		cmocka_unit_test(hostname_rejects_bad_characters),
		cmocka_unit_test(hostname_accepts_rfc1123_names),
		cmocka_unit_test(container_name_rules),
		cmocka_unit_test(env_entry_needs_key_and_equals),
		cmocka_unit_test(uint64_parsing),
		cmocka_unit_test(size_parsing),
		cmocka_unit_test(exit_status_mapping),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
