/* Starting the network helper from the runtime: see helper.h. */
#include "stage3-net/helper.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/syscalls.h"

extern char **environ;

/* Find the helper next to this program: "<dir of /proc/self/exe>/ctrlab-net".
 * Returns 0 or -errno. */
static int helper_path(char *buffer, size_t size)
{
	char self[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (len < 0)
		return -errno;
	self[len] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	len = snprintf(buffer, size, "%s/" HELPER_NAME, self);
	return len < 0 || (size_t)len >= size ? -ENAMETOOLONG : 0;
}

int helper_check(struct ctr_error *err)
{
	char path[PATH_MAX];
	int r;

	r = helper_path(path, sizeof(path));
	if (r < 0)
		return error_set(err, r, "Failed to find the network helper " HELPER_NAME);
	if (access(path, X_OK) < 0)
		return error_setx(err, -errno,
				  "Network helper '%s' not found or not executable (%s); build it with 'make stage3', or keep ctrlab-net in the same directory as run",
				  path, strerror(errno));
	return 0;
}

/* The runtime's CPU mask when it moved the add helper apart, the CPUs it gave
 * the helper, its own CPU then, and whether it did. */
static cpu_set_t helper_cpus;
static cpu_set_t helper_others;
static int helper_runtime_cpu;
static bool helper_cpus_moved;
static bool helper_cpus_joined;

/* Keep the new helper process off the CPU that the runtime runs on, when there
 * is another.  The kernel may queue a forked child on its parent's CPU, and
 * there it waits while the runtime goes on with clone3, which takes long when it
 * creates a network namespace.  On the VM of docs/bench.md the mean run took
 * 3.3 ms with this, against 3.6 to 3.75 ms without.  helper_cpus_join() ends
 * it once clone3 is done. */
static void helper_move_apart(pid_t pid)
{
	cpu_set_t others;
	int cpu = sched_getcpu();

	if (cpu < 0 || sched_getaffinity(0, sizeof(helper_cpus), &helper_cpus) < 0)
		return;
	others = helper_cpus;
	CPU_CLR(cpu, &others);
	if (CPU_COUNT(&others) == 0)
		return;
	helper_cpus_moved = sched_setaffinity(pid, sizeof(others), &others) == 0;
	helper_others = others;
	helper_runtime_cpu = cpu;
	if (helper_cpus_moved)
		explain("sched_setaffinity(helper PID %d, every allowed CPU but %d) = 0: the helper starts while the runtime creates the namespaces",
			pid, cpu);
}

void helper_cpus_join(pid_t pid)
{
	if (!helper_cpus_moved)
		return;
	helper_cpus_moved = false;
	if (sched_setaffinity(pid, sizeof(helper_cpus), &helper_cpus) == 0)
		explain("sched_setaffinity(helper PID %d, the runtime's CPUs) = 0", pid);
	/* The runtime only waits from here on.  Next to the helper, the reply
	 * wakes it in about 25 us, not the 80 us an idle CPU takes on the VM of
	 * docs/bench.md, and its steps after the reply leave the CPU where the
	 * container usually starts free.  helper_cpus_leave() ends it. */
	helper_cpus_joined = sched_setaffinity(0, sizeof(helper_others), &helper_others) == 0;
	if (helper_cpus_joined)
		explain("sched_setaffinity(runtime, every allowed CPU but %d) = 0: the runtime waits where the helper runs, off the CPU where the container usually starts",
			helper_runtime_cpu);
}

void helper_cpus_leave(void)
{
	if (!helper_cpus_joined)
		return;
	helper_cpus_joined = false;
	if (sched_setaffinity(0, sizeof(helper_cpus), &helper_cpus) == 0)
		explain("sched_setaffinity(runtime, its CPUs) = 0");
}

int helper_spawn(const char *const *args, int sock, pid_t *ret_pid, struct ctr_error *err)
{
	const char *argv[HELPER_ARGS_MAX + 5];
	char path[PATH_MAX];
	char level[2] = { (char)('0' + log_settings.level), '\0' };
	size_t n = 0;
	pid_t parent;
	pid_t pid;
	int r;

	r = helper_path(path, sizeof(path));
	if (r < 0)
		return error_set(err, r, "Failed to find the network helper " HELPER_NAME);
	argv[n++] = HELPER_NAME;
	for (size_t i = 0; args[i] && i < HELPER_ARGS_MAX; i++)
		argv[n++] = args[i];
	argv[n++] = "--log-level";
	argv[n++] = level;
	if (log_settings.explain)
		argv[n++] = "--explain";
	argv[n] = NULL;

	/* fork, not posix_spawn: posix_spawn suspends the runtime until the
	 * helper's execve is done, while a forked child execs on another CPU
	 * (see helper_move_apart) and the runtime goes on at once.  A copy of this
	 * small static program costs less than that wait. */
	parent = getpid();
	pid = fork();
	if (pid < 0)
		return error_set(err, -errno, "Failed to fork the network helper");
	if (pid == 0) {
		sigset_t all;

		/* Blocked signals stay blocked across execve: see helper_spawn() in
		 * helper.h. */
		sigfillset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		/* SIGKILL cannot be blocked: the helper never outlives the runtime,
		 * which could no longer undo what it made.  The death signal
		 * survives execve; a runtime that died before prctl is caught by
		 * the check of the parent after it. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(127);
		/* The socket becomes the helper's fd 3, the only one it gets besides
		 * stdio: every other fd of the runtime is close-on-exec.  dup2 onto
		 * the same number would leave close-on-exec set, hence the fcntl. */
		if (sock == HELPER_FD)
			fcntl(sock, F_SETFD, 0);
		else if (sock >= 0 && dup2(sock, HELPER_FD) < 0)
			_exit(127);
		execve(path, (char *const *)argv, environ);
		log_error("Failed to start the network helper '%s': %s", path, strerror(errno));
		_exit(127);
	}
	explain("fork() + execve(\"%s\", %s ...) = %d: the network helper", path, args[0], pid);
	/* Only a helper that works alongside the runtime needs a CPU of its own:
	 * the runtime sleeps while the others run. */
	if (sock >= 0)
		helper_move_apart(pid);
	*ret_pid = pid;
	return 0;
}

int helper_wait(pid_t pid)
{
	struct pollfd exited = { .fd = sys_pidfd_open(pid), .events = POLLIN };
	bool killed = false;
	int wstatus;

	/* A pidfd becomes readable when its process exits.  A helper stuck in the
	 * kernel or a library must not keep the runtime from ever exiting, because
	 * the runtime keeps its signals blocked until the wait loop. */
	if (exited.fd >= 0) {
		int ready;

		do
			ready = poll(&exited, 1, HELPER_TIMEOUT_MS);
		while (ready < 0 && errno == EINTR);
		if (ready == 0) {
			log_warning("The network helper (PID %d) did not finish within %d ms; killing it",
				    pid, HELPER_TIMEOUT_MS);
			sys_pidfd_send_signal(exited.fd, SIGKILL);
			killed = true;
		}
		close(exited.fd);
	}
	while (waitpid(pid, &wstatus, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	if (killed)
		return -ETIMEDOUT;
	return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

void helper_status_describe(pid_t pid, char *buffer, size_t size)
{
	int status = helper_wait(pid);

	if (status == -ETIMEDOUT)
		snprintf(buffer, size, "a timeout");
	else if (status > 128)
		snprintf(buffer, size, "signal %d", status - 128);
	else
		snprintf(buffer, size, "exit status %d", status);
}

int helper_run(const char *const *args, struct ctr_error *err)
{
	pid_t pid;
	int r;

	r = helper_spawn(args, -1, &pid, err);
	if (r < 0)
		return r;
	r = helper_wait(pid);
	if (r < 0)
		return error_set(err, r, "Failed to wait for the network helper's %s", args[0]);
	return r == 0 ? 0 : error_setx(err, -EIO, "The network helper's %s failed (exit status %d)",
				       args[0], r);
}
