/* Unit tests for stage2-mount/volume.c: the volume spec parser and the checks
 * of mnt_add_bind(). */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stage2-mount/mount.h"
#include "stage2-mount/volume.h"

static struct ctr_error err;

static void spec_host_and_container(void **state)
{
	struct mnt_bind bind;

	(void)state;
	assert_int_equal(volume_spec_parse("/srv/data:/data", &bind, &err), 0);
	assert_string_equal(bind.host_path, "/srv/data");
	assert_string_equal(bind.container_path, "/data");
	assert_false(bind.read_only);
	assert_int_equal(bind.tree_fd, -1);
}

static void spec_modes(void **state)
{
	struct mnt_bind bind;

	(void)state;
	assert_int_equal(volume_spec_parse("/a:/b:ro", &bind, &err), 0);
	assert_true(bind.read_only);
	assert_string_equal(bind.container_path, "/b");
	assert_int_equal(volume_spec_parse("/a:/b:rw", &bind, &err), 0);
	assert_false(bind.read_only);
	assert_string_equal(bind.container_path, "/b");
}

static void spec_relative_host_is_kept(void **state)
{
	struct mnt_bind bind;

	(void)state;
	assert_int_equal(volume_spec_parse("data:/data", &bind, &err), 0);
	assert_string_equal(bind.host_path, "data");
}

static void spec_rejects_malformed(void **state)
{
	static const struct {
		const char *spec;
		const char *message;
	} cases[] = {
		{ "/only-host", "expected HOST:CONTAINER" },
		{ ":/data", "host path is empty" },
		{ "/a:data", "must be absolute" },
		{ "/a:", "container path is missing" },
		{ "/a:/", "cannot be '/'" },
		{ "/a:///", "cannot be '/'" },
		{ "/a:/v/..", "cannot be '/'" },
		{ "/a:/./", "cannot be '/'" },
		{ "/a:/b:RO", "unknown mode 'RO'" },
		{ "/a:/b:", "unknown mode ''" },
		{ "/a:/b:ro:x", "too many ':'" },
	};
	struct mnt_bind bind;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err.msg[0] = '\0';
		assert_int_equal(volume_spec_parse(cases[i].spec, &bind, &err), -EINVAL);
		assert_non_null(strstr(err.msg, cases[i].message));
		assert_non_null(strstr(err.msg, cases[i].spec));
	}
}

static void spec_rejects_runtime_mounts(void **state)
{
	static const struct {
		const char *spec;
		const char *reserved;
	} cases[] = {
		{ "/tmp/x:/proc", "in /proc" },
		{ "/tmp/x:/proc/", "in /proc" },
		{ "/tmp/x:/proc/sys/kernel", "in /proc" },
		{ "/tmp/x:/sys", "in /sys" },
		{ "/tmp/x:/sys/fs/cgroup:ro", "in /sys" },
		{ "/tmp/x:/dev", "in /dev" },
		{ "/tmp/x:/dev/shm", "in /dev" },
		{ "/tmp/x://dev//pts", "in /dev" },
		{ "/tmp/x:/./proc", "in /proc" },
		{ "/tmp/x:/etc/../sys", "in /sys" },
		{ "/tmp/x:/../../dev/null", "in /dev" },
	};
	struct mnt_bind bind;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err.msg[0] = '\0';
		assert_int_equal(volume_spec_parse(cases[i].spec, &bind, &err), -EINVAL);
		assert_non_null(strstr(err.msg, cases[i].spec));
		assert_non_null(strstr(err.msg, cases[i].reserved));
		assert_non_null(strstr(err.msg, "choose a path outside /proc, /sys and /dev"));
	}
}

static void spec_accepts_lookalike_paths(void **state)
{
	static const char *const specs[] = {
		"/tmp/x:/process", "/tmp/x:/system", "/tmp/x:/devices", "/tmp/x:/srv/proc",
		"/tmp/x:/proc/../data", "/tmp/x:/opt/dev",
	};
	struct mnt_bind bind;

	(void)state;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		assert_int_equal(volume_spec_parse(specs[i], &bind, &err), 0);
}

static void spec_rejects_long_paths(void **state)
{
	static char spec[PATH_MAX + 16];
	struct mnt_bind bind;

	(void)state;
	spec[0] = '/';
	memset(spec + 1, 'a', PATH_MAX);
	strcpy(spec + 1 + PATH_MAX, ":/data");
	assert_int_equal(volume_spec_parse(spec, &bind, &err), -ENAMETOOLONG);

	strcpy(spec, "/a:/");
	memset(spec + 4, 'b', PATH_MAX);
	spec[4 + PATH_MAX] = '\0';
	assert_int_equal(volume_spec_parse(spec, &bind, &err), -ENAMETOOLONG);
}

static void add_bind_checks_paths(void **state)
{
	(void)state;
	assert_int_equal(mnt_add_bind("/nonexistent-ctrlab-path", "/data", false, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "'/nonexistent-ctrlab-path' must exist"));
	assert_non_null(strstr(err.msg, "create it or correct the path"));
	assert_int_equal(mnt_add_bind("/", "relative", false, &err), -EINVAL);
	assert_int_equal(volume_count(), 0);

	assert_int_equal(mnt_add_bind("/", "/data", true, &err), 0);
	assert_int_equal(volume_count(), 1);
}

static void add_bind_has_a_limit(void **state)
{
	(void)state;
	while (volume_count() < MNT_BINDS_MAX)
		assert_int_equal(mnt_add_bind("/", "/more", false, &err), 0);
	assert_int_equal(mnt_add_bind("/", "/one-too-many", false, &err), -E2BIG);
	assert_non_null(strstr(err.msg, "limit"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spec_host_and_container),
		cmocka_unit_test(spec_modes),
		cmocka_unit_test(spec_relative_host_is_kept),
		cmocka_unit_test(spec_rejects_malformed),
		cmocka_unit_test(spec_rejects_runtime_mounts),
		cmocka_unit_test(spec_accepts_lookalike_paths),
		cmocka_unit_test(spec_rejects_long_paths),
		cmocka_unit_test(add_bind_checks_paths),
		cmocka_unit_test(add_bind_has_a_limit),
	};

	error_clear(&err);
	return cmocka_run_group_tests_name("volume", tests, NULL, NULL);
}
