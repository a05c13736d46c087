/* Creating the container's first process: see clone.h.
 *
 * clone3(2) takes its arguments in a struct and, without CLONE_VM, returns twice
 * like fork(): the child continues on a copy of the caller's stack.  The older
 * clone(2) wrapper instead needs a stack of its own for the child, passed as its
 * highest address because the stack grows down on every architecture ctrlab
 * builds for. */
#include "common/clone.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/flagnames.h"
#include "common/log.h"
#include "common/syscalls.h"

/* Stack for the clone(2) path.  The child only runs until it forks COMMAND or
 * calls execve, so 1 MiB is plenty.  One guard page below it catches overflow. */
#define CLONE_STACK_SIZE (1024 * 1024)

struct clone_start {
	clone_child_fn fn;
	void *data;
};

static int clone_trampoline(void *arg)
{
	struct clone_start *start = arg;

	start->fn(start->data);
	_exit(125);
}

static pid_t clone_with_stack(uint64_t flags, clone_child_fn fn, void *data,
			      int *ret_pidfd, struct ctr_error *err)
{
	long page = sysconf(_SC_PAGESIZE);
	struct clone_start start = { .fn = fn, .data = data };
	size_t size = CLONE_STACK_SIZE + (size_t)page;
	char names[256];
	char *stack;
	pid_t pid;

	stack = mmap(NULL, size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return error_set(err, -errno, "Failed to allocate the clone stack");
	/* The lowest page is the guard: an overflow faults instead of corrupting. */
	if (mprotect(stack, (size_t)page, PROT_NONE) < 0) {
		int r = -errno;

		munmap(stack, size);
		return error_set(err, r, "Failed to protect the clone stack's guard page");
	}
	/* mmap returns page-aligned memory, so stack + size meets the 16-byte
	 * alignment the x86-64 and arm64 ABIs require. */
	pid = clone(clone_trampoline, stack + size, (int)flags | CLONE_PIDFD | SIGCHLD,
		    &start, ret_pidfd);
	if (pid < 0) {
		int r = -errno;

		munmap(stack, size);
		return error_set(err, r, "Failed to clone(flags=%s)",
				 flags_format(flags, clone_flag_names, names, sizeof(names)));
	}
	/* The child runs on its own copy of this mapping; the runtime's can go. */
	munmap(stack, size);
	explain("clone(flags=%s|CLONE_PIDFD|SIGCHLD, stack=%d KiB) = %d",
		flags_format(flags, clone_flag_names, names, sizeof(names)),
		CLONE_STACK_SIZE / 1024, pid);
	return pid;
}

pid_t clone_container(uint64_t flags, clone_child_fn fn, void *data, int *ret_pidfd,
		      struct ctr_error *err)
{
	const char *no_clone3 = getenv("CTRLAB_NO_CLONE3");
	char names[256];
	int pidfd = -1;
	struct clone_args args = {
		.flags = flags | CLONE_PIDFD,
		.pidfd = (uint64_t)(uintptr_t)&pidfd,
		.exit_signal = SIGCHLD,
	};
	long pid;

	if (no_clone3 && strcmp(no_clone3, "1") == 0) {
		log_debug("CTRLAB_NO_CLONE3=1: using clone(2)");
		return clone_with_stack(flags, fn, data, ret_pidfd, err);
	}
	pid = sys_clone3(&args, sizeof(args));
	if (pid == 0) {
		fn(data);
		_exit(125);
	}
	if (pid < 0 && errno == ENOSYS) {
		log_debug("clone3 is not available (ENOSYS): using clone(2)");
		return clone_with_stack(flags, fn, data, ret_pidfd, err);
	}
	if (pid < 0 && errno == EPERM)
		return error_setx(err, -EPERM,
				  "Failed to clone3(flags=%s): %s; new namespaces need root here, so run as root or with sudo",
				  flags_format(flags, clone_flag_names, names, sizeof(names)),
				  strerror(EPERM));
	if (pid < 0)
		return error_set(err, -errno, "Failed to clone3(flags=%s)",
				 flags_format(flags, clone_flag_names, names, sizeof(names)));
	explain("clone3(flags=%s, exit_signal=SIGCHLD) = %ld",
		flags_format(args.flags, clone_flag_names, names, sizeof(names)), pid);
	*ret_pidfd = pidfd;
	return (pid_t)pid;
}
