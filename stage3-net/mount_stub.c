/* TEMPORARY stand-in for stage 2's mount module: see mount_stub.h. */
#include "stage3-net/mount_stub.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>

#include "common/log.h"

#define BINDS_MAX 8

struct bind {
	char source[PATH_MAX];
	char target[PATH_MAX];
	bool read_only;
};

/* Filled before clone; the child reads its copy. */
static struct bind binds[BINDS_MAX];
static size_t bind_count;

int mnt_add_bind(const char *host_path, const char *container_path, bool read_only,
		 struct ctr_error *err)
{
	if (bind_count == BINDS_MAX)
		return error_setx(err, -ENOSPC, "Failed to add a bind of '%s': more than %d",
				  host_path, BINDS_MAX);
	snprintf(binds[bind_count].source, PATH_MAX, "%s", host_path);
	snprintf(binds[bind_count].target, PATH_MAX, "%s", container_path);
	binds[bind_count].read_only = read_only;
	bind_count++;
	return 0;
}

/* Runs in the container, in its new mount namespace. */
static int stub_child_setup(struct container *c, struct ctr_error *err)
{
	(void)c;
	/* Private propagation first, so these binds never show up on the host
	 * (mount_namespaces(7)). */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return error_set(err, -errno, "Failed to make '/' private");
	for (size_t i = 0; i < bind_count; i++) {
		struct bind *b = &binds[i];

		if (mount(b->source, b->target, NULL, MS_BIND, NULL) < 0)
			return error_set(err, -errno, "Failed to bind '%s' over '%s'", b->source,
					 b->target);
		/* A bind mount ignores MS_RDONLY on creation: read-only takes a
		 * remount of the bind itself (mount(2)). */
		if (b->read_only &&
		    mount(NULL, b->target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
			return error_set(err, -errno, "Failed to make '%s' read-only", b->target);
		explain("mount(\"%s\", \"%s\", MS_BIND%s) = 0", b->source, b->target,
			b->read_only ? ", then MS_REMOUNT|MS_RDONLY" : "");
	}
	return 0;
}

const struct ctr_module mount_module = {
	.name = "mount-stub",
	.clone_flags = CLONE_NEWNS,
	.child_setup = stub_child_setup,
};
