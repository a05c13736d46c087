/* The container side: the PID-1 init and the execve of COMMAND.
 *
 * After clone the child is PID 1 of a new PID namespace, and PID 1 has two duties
 * that no other process has (pid_namespaces(7)).  Every orphan in the namespace is
 * reparented to it, so it must reap them or they stay zombies.  The kernel also
 * delivers it only the signals it installed a handler for, so a plain program run
 * as PID 1 ignores SIGTERM.  ctrlab's init therefore runs COMMAND as its child,
 * reaps everything, and passes the signals on. */
#include "common/init.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/env.h"
#include "common/flagnames.h"
#include "common/log.h"
#include "common/parse.h"
#include "common/sync.h"
#include "common/syscalls.h"

/* COMMAND's stack before its execve.  A run whose execve failed, so that
 * command_exec formatted the error, used 12 KiB of it on x86-64 and 23 KiB in
 * an ASan build. */
#define COMMAND_STACK_SIZE (64 * 1024)

/* SIGTSTP and SIGCONT carry the host shell's job control (Ctrl-Z, fg): without a
 * terminal of its own, the container learns of them only through forwarding. */
const int forwarded_signals[] = {
	SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGTSTP, SIGCONT,
};
const size_t forwarded_signals_count =
	sizeof(forwarded_signals) / sizeof(forwarded_signals[0]);

/* Report err to the runtime and stop.  Only the runtime prints the message. */
static _Noreturn void child_fail(int sync_fd, enum sync_type type,
				 const struct ctr_error *err)
{
	sync_send_error(sync_fd, type, err);
	_exit(err->exit_status ? err->exit_status : 125);
}

/* Set every signal's disposition to its default, since an ignored signal stays
 * ignored across execve.  The init uses none: it takes signals with sigwaitinfo. */
static void dispositions_reset(void)
{
	for (int signo = 1; signo < NSIG; signo++) {
		if (signo != SIGKILL && signo != SIGSTOP)
			signal(signo, SIG_DFL);
	}
}

/* Record why execve(file) failed with errno code, in words that name the fix.
 * 127 means not found, 126 found but not executable, as in a shell. */
static void exec_failure(const char *command, const char *file, int code,
			 struct ctr_error *err)
{
	struct stat st;
	bool exists = stat(file, &st) == 0;

	err->exit_status = 126;
	if (code == ENOENT && exists) {
		/* The file is there: what is missing is its #! interpreter or, for a
		 * dynamically linked program, its ELF interpreter (ld.so). */
		error_setx(err, -ENOENT,
			   "Failed to execute '%s': its interpreter (the #! line, or the dynamic loader) was not found",
			   file);
	} else if (code == ENOENT) {
		error_set(err, -ENOENT, "Failed to execute '%s'", command);
		err->exit_status = 127;
	} else if (code == EACCES && exists && S_ISDIR(st.st_mode)) {
		error_setx(err, -EACCES, "Failed to execute '%s': it is a directory", file);
	} else if (code == EACCES && exists && S_ISREG(st.st_mode) &&
		   !(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))) {
		error_setx(err, -EACCES,
			   "Failed to execute '%s': it has no execute permission; if it is a program or a script, run 'chmod +x %s'",
			   file, file);
	} else if (code == ENOEXEC) {
		error_setx(err, -ENOEXEC,
			   "Failed to execute '%s': not a program the kernel can run (add a #! line to a script)",
			   file);
	} else {
		error_set(err, -code, "Failed to execute '%s'", file);
	}
}

/* Record why the working directory could not be entered, with errno code,
 * naming the fix. */
static void workdir_failure(const char *workdir, int code, struct ctr_error *err)
{
	if (code == ELOOP)
		error_setx(err, -ELOOP,
			   "Invalid working directory '%s': it leads through a symlink loop or a /proc magic link such as /proc/self/fd/N, which could point out of the container; choose a plain path in the container",
			   workdir);
	else if (code == ENOENT)
		error_setx(err, -ENOENT,
			   "Invalid working directory '%s': it does not exist in the container; create it there or choose another -w DIR",
			   workdir);
	else if (code == ENOTDIR)
		error_setx(err, -ENOTDIR,
			   "Invalid working directory '%s': it is not a directory in the container; choose another -w DIR",
			   workdir);
	else
		error_set(err, -code, "Failed to change to the working directory '%s'", workdir);
}

/* Enter workdir without following a /proc magic link.  chdir(2) would follow
 * a symlink in the rootfs such as /app -> /proc/self/fd/0 to whatever that fd
 * is, which may be a directory of the host (CVE-2024-21626 reached the host
 * through a leaked fd in the same way).  Returns 0, or -1 with errno set. */
static int workdir_enter(const char *workdir)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_MAGICLINKS,
	};
	int fd = sys_openat2(AT_FDCWD, workdir, &how);
	int r;

	if (fd < 0)
		return -1;
	r = fchdir(fd);
	close(fd);
	return r;
}

/* Build "<entry>/<name>" from the PATH entry at *entry into candidate, and move
 * *entry to the next entry.  Returns false for an empty or too long entry. */
static bool path_candidate(const char **entry, const char *name, char *candidate,
			   size_t size)
{
	size_t len = strcspn(*entry, ":");
	bool built = len > 0 &&
		     (size_t)snprintf(candidate, size, "%.*s/%s", (int)len, *entry, name) < size;

	*entry += len;
	if (**entry == ':')
		(*entry)++;
	return built;
}

/* The first file named COMMAND along the container's PATH, or "" when none. */
static char command_found[PATH_MAX];

/* Find COMMAND along the container's PATH into command_found, before the go.
 * The search stops at a relative entry, which depends on the later workdir. */
static void command_locate(char **argv, char **envp)
{
	const char *path = env_lookup(envp, "PATH");

	if (!strchr(argv[0], '/') && path) {
		for (const char *entry = path; *entry && entry[0] == '/';) {
			if (path_candidate(&entry, argv[0], command_found, sizeof(command_found)) &&
			    access(command_found, F_OK) == 0)
				return;
		}
	}
	command_found[0] = '\0';
}

/* Try execve on each directory of the container's PATH, as execvp(3) does, but
 * with the container's PATH rather than the runtime's.  Returns only on failure,
 * with err set: 127 when COMMAND is not found, 126 when it cannot be executed. */
static void command_execve(char **argv, char **envp, struct ctr_error *err)
{
	const char *path = env_lookup(envp, "PATH");
	char candidate[PATH_MAX];
	char denied[PATH_MAX] = "";

	/* No earlier directory has COMMAND, so execvp would run this file too.
	 * When it fails, the search below gives execvp's result. */
	if (command_found[0])
		execve(command_found, argv, envp);
	if (strchr(argv[0], '/') || !path) {
		execve(argv[0], argv, envp);
		exec_failure(argv[0], argv[0], errno, err);
		return;
	}
	for (const char *entry = path; *entry;) {
		if (!path_candidate(&entry, argv[0], candidate, sizeof(candidate)))
			continue;
		execve(candidate, argv, envp);
		/* Like execvp(3): a match that cannot be executed is remembered, and
		 * the search goes on in case a later directory has one. */
		if (errno == EACCES && !denied[0])
			strcpy(denied, candidate);
		else if (errno != ENOENT && errno != ENOTDIR && errno != EACCES) {
			exec_failure(argv[0], candidate, errno, err);
			return;
		}
	}
	if (denied[0]) {
		exec_failure(argv[0], denied, EACCES, err);
		return;
	}
	error_setx(err, -ENOENT, "Failed to execute '%s': command not found in PATH %s",
		   argv[0], path);
	err->exit_status = 127;
}

/* COMMAND's environment, built by command_strings_take() in the init's memory,
 * where COMMAND's process reads it until its execve. */
static char *command_envp[CTR_ENV_SLOTS];
static size_t command_env_count;

/* Copy what COMMAND needs out of the runtime's command line and environment:
 * its arguments, its working directory and the environment of env_build().
 * Returns 0 or -errno with err set. */
static int command_strings_take(struct container *c, struct ctr_error *err)
{
	const char *term = getenv("TERM");
	char *envp[CTR_ENV_SLOTS];
	char env_buffer[2 * 256];
	size_t argc = 0;
	char **argv;

	command_env_count = env_build(c, term ? term : "xterm", envp, env_buffer,
				      sizeof(env_buffer));
	for (size_t i = 0; i < command_env_count; i++) {
		command_envp[i] = strdup(envp[i]);
		if (!command_envp[i])
			return error_set(err, -ENOMEM, "Failed to copy COMMAND's environment");
	}
	command_envp[command_env_count] = NULL;
	while (c->argv[argc])
		argc++;
	argv = calloc(argc + 1, sizeof(*argv));
	if (!argv)
		return error_set(err, -ENOMEM, "Failed to copy COMMAND's arguments");
	for (size_t i = 0; i < argc; i++) {
		argv[i] = strdup(c->argv[i]);
		if (!argv[i])
			return error_set(err, -ENOMEM, "Failed to copy COMMAND's arguments");
	}
	c->argv = argv;
	if (c->workdir) {
		c->workdir = strdup(c->workdir);
		if (!c->workdir)
			return error_set(err, -ENOMEM, "Failed to copy the working directory");
	}
	return 0;
}

/* Clear the runtime's command line and environment in this process's memory.
 * PID 1 never calls execve, so /proc/1/cmdline and /proc/1/environ would show
 * every process of the container the host's paths, options and environment,
 * secrets included.  The command line reads "init" instead. */
static void host_strings_wipe(const struct container *c)
{
	size_t first_len;

	if (!c->runtime_argv || !c->runtime_argv[0])
		return;
	first_len = strlen(c->runtime_argv[0]);
	for (char **arg = c->runtime_argv; *arg; arg++)
		memset(*arg, 0, strlen(*arg));
	for (char **entry = environ; *entry; entry++)
		memset(*entry, 0, strlen(*entry));
	if (first_len >= strlen("init"))
		memcpy(c->runtime_argv[0], "init", strlen("init"));
}

/* Become COMMAND.  Runs in COMMAND's own process: the init's child, which runs
 * in the init's memory until execve (CLONE_VM), or PID 1 with --no-init. */
static _Noreturn void command_exec(struct container *c, const struct ctr_stage *stage,
				   int sync_fd)
{
	struct ctr_error err;
	sigset_t none;

	error_clear(&err);
	for (size_t m = 0; stage->modules[m]; m++) {
		const struct ctr_module *mod = stage->modules[m];

		if (mod->command_before_exec && mod->command_before_exec(c, &err) < 0)
			child_fail(sync_fd, SYNC_FAIL, &err);
	}
	/* Its own process group, so that a forwarded signal reaches COMMAND's
	 * foreground children too, as a terminal's Ctrl-C would.  A session leader
	 * (a module took a terminal with setsid) already leads its group. */
	if (getsid(0) != getpid() && setpgid(0, 0) < 0) {
		error_set(&err, -errno, "Failed to setpgid for '%s'", c->argv[0]);
		child_fail(sync_fd, SYNC_FAIL, &err);
	}
	if (c->workdir && workdir_enter(c->workdir) < 0) {
		workdir_failure(c->workdir, errno, &err);
		child_fail(sync_fd, SYNC_FAIL, &err);
	}
	explain("execve(\"%s\") in PID %d with a clean environment of %zu variables",
		c->argv[0], getpid(), command_env_count);
	/* Nothing blocked, as in a new program.  A SIGPIPE pending here came from
	 * a message above whose reader has gone, so it is taken, not delivered. */
	sigemptyset(&none);
	sigaddset(&none, SIGPIPE);
	while (sigtimedwait(&none, NULL, &(struct timespec){ 0 }) == SIGPIPE)
		;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	command_execve(c->argv, command_envp, &err);
	child_fail(sync_fd, SYNC_EXEC_FAIL, &err);
}

/* Reap every child that has exited.  Returns true when COMMAND was among them,
 * with its exit status in *ret_status. */
static bool init_reap(pid_t command, int *ret_status)
{
	bool command_done = false;
	int wstatus;
	pid_t pid;

	while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
		if (pid == command) {
			*ret_status = exit_status_from_wait(wstatus);
			command_done = true;
		} else {
			log_debug("init reaped orphan PID %d", pid);
		}
	}
	return command_done;
}

static bool is_forwarded(int signo)
{
	for (size_t i = 0; i < forwarded_signals_count; i++) {
		if (forwarded_signals[i] == signo)
			return true;
	}
	return false;
}

/* PID 1's loop.  Every signal stays blocked and is taken with sigwaitinfo, so no
 * handler ever runs and no SIGCHLD is lost between two waits. */
static _Noreturn void init_loop(pid_t command)
{
	sigset_t all;
	int status = 0;

	sigfillset(&all);
	for (;;) {
		char name[32];
		int signo = sigwaitinfo(&all, NULL);

		if (signo < 0)
			continue;
		if (signo == SIGCHLD) {
			if (init_reap(command, &status)) {
				explain("init: COMMAND (PID %d) ended with status %d; exit(%d)",
					command, status, status);
				_exit(status);
			}
			continue;
		}
		if (!is_forwarded(signo))
			continue;
		log_debug("init forwards %s to COMMAND's process group %d",
			  signal_name(signo, name, sizeof(name)), command);
		if (kill(-command, signo) < 0 && errno == ESRCH)
			kill(command, signo);
	}
}

/* Arguments of command_start, passed through clone. */
struct command_args {
	struct container *c;
	const struct ctr_stage *stage;
	int sync_fd;
};

static int command_start(void *data)
{
	struct command_args *args = data;

	command_exec(args->c, args->stage, args->sync_fd);
}

static _Noreturn void init_run(struct container *c, const struct ctr_stage *stage,
			       int sync_fd)
{
	struct command_args args = { .c = c, .stage = stage, .sync_fd = sync_fd };
	/* COMMAND's stack until its execve.  COMMAND runs in the init's memory, so
	 * it must not run on the init's frames.  This array lives as long as the
	 * init, which never returns from here. */
	char command_stack[COMMAND_STACK_SIZE] __attribute__((aligned(16)));
	struct ctr_error err;
	pid_t command;

	error_clear(&err);
	/* CLONE_VM | CLONE_VFORK, as musl's posix_spawn does: COMMAND's process
	 * runs in the init's memory until its execve, and the init sleeps until
	 * then.  fork would copy the init's page tables only for execve to discard
	 * the copy, which cost about 65 us of each start on the VM of
	 * docs/bench.md. */
	command = clone(command_start, command_stack + sizeof(command_stack),
			CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
	if (command < 0) {
		error_set(&err, -errno, "Failed to clone COMMAND from the init");
		child_fail(sync_fd, SYNC_FAIL, &err);
	}

	/* COMMAND has called execve, which closed its copy of the channel, or has
	 * exited.  The runtime reads end-of-file once this copy is closed too.
	 * NOTE: COMMAND already runs here, so for a moment it could take the
	 * channel from PID 1 with pidfd_getfd(2).  That gives it a forged failure
	 * message or a runtime that waits in vain for end-of-file, nothing of the
	 * host. */
	close(sync_fd);
	/* The init never calls execve, so close-on-exec never closes what it got
	 * from the runtime, such as the signalfd or stage 3's helper socket.  It
	 * closes them itself: PID 1 keeps no fd of the host for the container's
	 * life. */
	sys_close_range(3, ~0U, 0);
	explain("clone(CLONE_VM|CLONE_VFORK) = %d: init is PID %d, COMMAND is PID %d (returns after COMMAND's execve)",
		command, getpid(), command);
	init_loop(command);
}

/* Close every fd but stdio and the sync channel, which moves to fd 3, and
 * return the channel's fd.  Close-on-exec is not enough.  COMMAND's process
 * enters the working directory and runs the modules' hooks in the container
 * before its execve, and PID 1 never calls execve.  Until then, an fd of the
 * runtime or of its caller would be reachable through /proc/PID/fd. */
static int fds_close_inherited(int sync_fd)
{
	if (sync_fd != 3 && dup3(sync_fd, 3, O_CLOEXEC) == 3) {
		close(sync_fd);
		sync_fd = 3;
	}
	if (sync_fd > 3)
		sys_close_range(3, (unsigned int)sync_fd - 1, 0);
	sys_close_range((unsigned int)sync_fd + 1, ~0U, 0);
	return sync_fd;
}

/* Wait for the runtime's go.  End-of-file means the runtime died before the
 * death signal was armed, or gave up: either way there is nothing to run for. */
static void container_wait_go(int sync_fd)
{
	struct sync_msg msg;

	if (sync_recv(sync_fd, &msg) != 1 || msg.type != SYNC_GO)
		_exit(125);
}

_Noreturn void container_main(struct container *c, const struct ctr_stage *stage,
			      int sync_fd)
{
	struct ctr_error err;
	sigset_t all;

	/* From here on this process is in every namespace of c->clone_flags. */
	log_settings.side = "container";
	error_clear(&err);
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);

	/* The container must never outlive the runtime: if the runtime dies, the
	 * kernel kills this process, and as PID 1 its death ends the namespace. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
		error_set(&err, -errno, "Failed to set the parent death signal");
		child_fail(sync_fd, SYNC_FAIL, &err);
	}
	/* No fd of the runtime's caller may reach COMMAND: mark all but 0-2 close-on-
	 * exec.  Modules may still use their own fds until execve. */
	if (sys_close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		error_set(&err, -errno, "Failed to mark inherited fds close-on-exec");
		child_fail(sync_fd, SYNC_FAIL, &err);
	}
	/* A new session detaches the container from the host's terminal: it is no
	 * longer the container's controlling terminal, the one that TIOCSTI
	 * accepts without privilege (CVE-2016-7545).  With CAP_SYS_ADMIN, which
	 * the container keeps until a later stage, TIOCSTI works on any terminal
	 * fd, so stage 2 also replaces the host's terminal on fds 0 to 2. */
	if (setsid() < 0) {
		error_set(&err, -errno, "Failed to setsid");
		child_fail(sync_fd, SYNC_FAIL, &err);
	}
	explain("setsid() = %d: the container has no controlling terminal", getpid());

	for (size_t m = 0; stage->modules[m]; m++) {
		const struct ctr_module *mod = stage->modules[m];

		if (mod->child_setup && mod->child_setup(c, &err) < 0)
			child_fail(sync_fd, SYNC_FAIL, &err);
	}
	/* COMMAND's strings, signals and file are ready before the go, because
	 * stage 3's child waits here while the network is set up. */
	if (command_strings_take(c, &err) < 0)
		child_fail(sync_fd, SYNC_FAIL, &err);
	host_strings_wipe(c);
	dispositions_reset();
	command_locate(c->argv, command_envp);
	/* The setup above ran while the runtime did its own part on the host, such
	 * as stage 3's network.  COMMAND starts only once that is done too. */
	container_wait_go(sync_fd);
	sync_fd = fds_close_inherited(sync_fd);
	if (c->use_init)
		init_run(c, stage, sync_fd);
	explain("--no-init: COMMAND becomes PID 1 itself");
	command_exec(c, stage, sync_fd);
}
