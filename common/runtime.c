/* The runtime side of the lifecycle: everything the host process does, in order.
 *
 *   validate -> parent_before_clone -> clone -> parent_after_clone -> go
 *   -> wait for execve -> parent_running -> wait loop -> parent_after_exit
 *
 * The child sets itself up while parent_after_clone runs, on another CPU when
 * there is one, and waits for the go only before it starts COMMAND.
 *
 * See container.h for each hook's contract and init.c for the container side. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clone.h"
#include "common/container.h"
#include "common/flagnames.h"
#include "common/init.h"
#include "common/log.h"
#include "common/options.h"
#include "common/parse.h"
#include "common/runtime.h"
#include "common/sync.h"
#include "common/syscalls.h"

#define LOOP_FDS_MAX 8

struct ctr_loop {
	struct pollfd fds[LOOP_FDS_MAX];   /* .fd is -1 while paused or done */
	int watched[LOOP_FDS_MAX];          /* the fd of each entry, -1 when done */
	ctr_loop_fn fns[LOOP_FDS_MAX];
	void *data[LOOP_FDS_MAX];
	size_t count;
};

int loop_watch(struct ctr_loop *loop, int fd, short events, ctr_loop_fn fn, void *data)
{
	if (loop->count >= LOOP_FDS_MAX)
		return -ENOSPC;
	loop->fds[loop->count] = (struct pollfd){ .fd = fd, .events = events ? events : POLLIN };
	loop->watched[loop->count] = fd;
	loop->fns[loop->count] = fn;
	loop->data[loop->count] = data;
	loop->count++;
	return 0;
}

int loop_events_set(struct ctr_loop *loop, int fd, short events)
{
	for (size_t i = 0; i < loop->count; i++) {
		if (loop->watched[i] != fd)
			continue;
		/* poll(2) skips a negative fd, and reports a hang-up even when no
		 * event is requested: a paused fd must not be polled at all. */
		loop->fds[i].fd = events ? fd : -1;
		loop->fds[i].events = events;
		return 0;
	}
	return -ENOENT;
}

/* Arguments of the child's entry point, passed through clone. */
struct child_start {
	struct container *c;
	const struct ctr_stage *stage;
	int sync_fds[2];
};

static void child_start(void *data)
{
	struct child_start *start = data;

	close(start->sync_fds[0]);
	container_main(start->c, start->stage, start->sync_fds[1]);
}

/* Generate a name such as "ctrlab-3f9a01c2b4de" when --name was not given. */
static int name_generate(struct container *c, struct ctr_error *err)
{
	unsigned char bytes[6];

	if (getrandom(bytes, sizeof(bytes), 0) != sizeof(bytes))
		return error_set(err, -errno, "Failed to read random bytes for the container name");
	snprintf(c->name, sizeof(c->name), "ctrlab-%02x%02x%02x%02x%02x%02x", bytes[0],
		 bytes[1], bytes[2], bytes[3], bytes[4], bytes[5]);
	return 0;
}

/* Block the signals the runtime handles, before clone, so none is lost before the
 * wait loop reads them from a signalfd.  Returns the signalfd. */
static int signals_block(sigset_t *ret_set)
{
	int fd;

	/* A caller's ignored SIGCHLD survives execve (execve(2)), and with it the
	 * kernel reaps the runtime's children unseen, blocked or not (wait(2)). */
	if (signal(SIGCHLD, SIG_DFL) == SIG_ERR)
		return -errno;
	sigemptyset(ret_set);
	sigaddset(ret_set, SIGCHLD);
	for (size_t i = 0; i < forwarded_signals_count; i++)
		sigaddset(ret_set, forwarded_signals[i]);
	if (sigprocmask(SIG_BLOCK, ret_set, NULL) < 0)
		return -errno;
	fd = signalfd(-1, ret_set, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

static void explain_pids(const struct container *c)
{
	char path[64];
	char line[256];
	FILE *status;

	if (!explain_enabled())
		return;
	snprintf(path, sizeof(path), "/proc/%d/status", c->pid);
	status = fopen(path, "re");
	if (!status)
		return;
	while (fgets(line, sizeof(line), status)) {
		if (strncmp(line, "NSpid:", 6) != 0)
			continue;
		int host_pid = 0;
		int inner_pid = 0;

		/* "NSpid:\t4242\t1": one PID per namespace level, outermost first. */
		if (sscanf(line + 6, "%d %d", &host_pid, &inner_pid) == 2)
			explain("container init: PID %d on the host, PID %d inside (NSpid)",
				host_pid, inner_pid);
		break;
	}
	fclose(status);
}

/* Run every module's parent_after_exit hook, last module first. */
static void modules_after_exit(struct container *c, const struct ctr_stage *stage)
{
	size_t count = 0;

	while (stage->modules[count])
		count++;
	while (count-- > 0) {
		if (stage->modules[count]->parent_after_exit)
			stage->modules[count]->parent_after_exit(c);
	}
}

/* Stop the child after a failure and collect it, so that no process survives. */
static void child_stop(struct container *c)
{
	int wstatus;

	if (c->pid <= 0)
		return;
	if (c->pidfd >= 0)
		sys_pidfd_send_signal(c->pidfd, SIGKILL);
	else
		kill(c->pid, SIGKILL);
	while (waitpid(c->pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	c->pid = -1;
}

#define FOR_EACH_HOOK(stage, hook, c, err)                                        \
	for (size_t m_ = 0; (stage)->modules[m_]; m_++) {                         \
		const struct ctr_module *mod_ = (stage)->modules[m_];             \
		if (mod_->hook) {                                                 \
			int r_ = mod_->hook((c), (err));                          \
			if (r_ < 0)                                               \
				return r_;                                        \
		}                                                                 \
	}

static int modules_validate(struct container *c, const struct ctr_stage *stage,
			    struct ctr_error *err)
{
	FOR_EACH_HOOK(stage, validate, c, err);
	return 0;
}

static int modules_before_clone(struct container *c, const struct ctr_stage *stage,
				struct ctr_error *err)
{
	FOR_EACH_HOOK(stage, parent_before_clone, c, err);
	return 0;
}

static int modules_after_clone(struct container *c, const struct ctr_stage *stage,
			       struct ctr_error *err)
{
	FOR_EACH_HOOK(stage, parent_after_clone, c, err);
	return 0;
}

/* Read the channel until execve closes it.  Returns 0 when COMMAND runs, or the
 * child's failure in err: -errno, with err->exit_status 125, 126 or 127. */
static int wait_for_exec(int sync_fd, struct ctr_error *err)
{
	struct sync_msg msg;
	int r = sync_recv(sync_fd, &msg);

	if (r < 0)
		return error_set(err, r, "Failed to read from the container's sync channel");
	if (r == 0)
		return 0;
	if (msg.type != SYNC_FAIL && msg.type != SYNC_EXEC_FAIL)
		return error_setx(err, -EIO, "Unexpected message %d on the sync channel",
				  msg.type);
	error_setx(err, msg.code < 0 ? msg.code : -EIO, "%s", msg.msg);
	err->exit_status = msg.exit_status ? msg.exit_status : 125;
	return err->code;
}

/* Forward one signal to the container's init unless a module consumes it. */
static void signal_forward(struct container *c, const struct ctr_stage *stage, int signo)
{
	char name[32];

	for (size_t m = 0; stage->modules[m]; m++) {
		const struct ctr_module *mod = stage->modules[m];

		if (mod->parent_signal && mod->parent_signal(c, signo))
			return;
	}
	explain("pidfd_send_signal(container init PID %d, %s)", c->pid,
		signal_name(signo, name, sizeof(name)));
	if (sys_pidfd_send_signal(c->pidfd, signo) < 0 && errno != ESRCH)
		log_warning("Failed to forward %s to PID %d: %s, ignoring", name, c->pid,
			    strerror(errno));
	/* Ctrl-Z: the container is stopping, so stop the runtime too, which shows the
	 * job as stopped in the host's shell.  Its fg sends SIGCONT, forwarded above. */
	if (signo == SIGTSTP)
		raise(SIGSTOP);
}

struct wait_state {
	struct container *c;
	const struct ctr_stage *stage;
	int exit_status;
	bool exited;
};

static int on_signalfd(int fd, short revents, void *data)
{
	struct wait_state *state = data;
	struct signalfd_siginfo info;
	int wstatus;

	(void)revents;
	while (read(fd, &info, sizeof(info)) == (ssize_t)sizeof(info)) {
		if ((int)info.ssi_signo != SIGCHLD) {
			signal_forward(state->c, state->stage, (int)info.ssi_signo);
			continue;
		}
		if (waitpid(state->c->pid, &wstatus, WNOHANG) == state->c->pid) {
			state->exit_status = exit_status_from_wait(wstatus);
			state->exited = true;
		}
	}
	return 0;
}

/* Wait for the container's init to end, forwarding signals and serving module fds.
 * Returns its exit status. */
static int wait_loop(struct container *c, const struct ctr_stage *stage, int signal_fd,
		     struct ctr_error *err)
{
	struct wait_state state = { .c = c, .stage = stage };
	struct ctr_loop loop = { .count = 0 };

	loop_watch(&loop, signal_fd, POLLIN, on_signalfd, &state);
	for (size_t m = 0; stage->modules[m]; m++) {
		const struct ctr_module *mod = stage->modules[m];

		if (mod->parent_running && mod->parent_running(c, &loop, err) < 0)
			return err->code;
	}
	/* SIGCHLD may have arrived before the loop started. */
	on_signalfd(signal_fd, POLLIN, &state);
	while (!state.exited) {
		if (poll(loop.fds, loop.count, -1) < 0) {
			if (errno == EINTR)
				continue;
			return error_set(err, -errno, "Failed to poll in the wait loop");
		}
		for (size_t i = 0; i < loop.count; i++) {
			int r;

			if (loop.fds[i].fd < 0 || !loop.fds[i].revents)
				continue;
			r = loop.fns[i](loop.fds[i].fd, loop.fds[i].revents, loop.data[i]);
			if (r < 0)
				return error_set(err, r, "Failed to serve fd %d in the wait loop",
						 loop.fds[i].fd);
			if (r == 1) {
				loop.fds[i].fd = -1;
				loop.watched[i] = -1;
			}
		}
	}
	c->pid = -1;
	return state.exit_status;
}

/* The child sets itself up while parent_after_clone runs, so when that or the
 * go failed, the child may have failed first and caused it: its message, when
 * one is waiting, names the real cause. */
static void child_failure_prefer(int sync_fd, struct ctr_error *err)
{
	struct sync_msg msg;

	if (sync_recv_flags(sync_fd, &msg, MSG_DONTWAIT) != 1 || msg.type != SYNC_FAIL)
		return;
	error_setx(err, msg.code < 0 ? msg.code : -EIO, "%s", msg.msg);
	err->exit_status = msg.exit_status ? msg.exit_status : 125;
}

/* Clone the container, let it go and wait until COMMAND runs.  Returns 0 or
 * -errno with err set; the child is stopped on failure. */
static int container_start(struct container *c, const struct ctr_stage *stage,
			   struct ctr_error *err)
{
	struct child_start start = { .c = c, .stage = stage };
	char names[256];
	int r;

	r = sync_open(start.sync_fds);
	if (r < 0)
		return error_set(err, r, "Failed to create the sync socketpair");
	c->pid = clone_container(c->clone_flags, child_start, &start, &c->pidfd, err);
	close(start.sync_fds[1]);
	if (c->pid < 0) {
		close(start.sync_fds[0]);
		return err->code;
	}
	log_debug("clone flags %s", flags_format(c->clone_flags, clone_flag_names, names,
						 sizeof(names)));
	explain_pids(c);

	r = modules_after_clone(c, stage, err);
	if (r >= 0) {
		r = sync_send_go(start.sync_fds[0]);
		if (r < 0)
			error_set(err, r, "Failed to send go to the container");
	}
	if (r < 0)
		child_failure_prefer(start.sync_fds[0], err);
	if (r >= 0)
		r = wait_for_exec(start.sync_fds[0], err);
	close(start.sync_fds[0]);
	return r;
}

int ctr_run(struct container *c, const struct ctr_stage *stage, struct ctr_error *err)
{
	sigset_t blocked;
	int signal_fd;
	int status = 0;
	int r;

	if (!c->name[0] && name_generate(c, err) < 0)
		return err->code;
	log_debug("container name '%s'", c->name);
	for (size_t m = 0; stage->modules[m]; m++)
		c->clone_flags |= stage->modules[m]->clone_flags;
	/* Block the signals before validate, since a module may start a helper
	 * there (stage 3): a Ctrl-C from then on reaches the wait loop, and the
	 * cleanup below runs. */
	signal_fd = signals_block(&blocked);
	if (signal_fd < 0)
		return error_set(err, signal_fd, "Failed to block signals for forwarding");
	r = modules_validate(c, stage, err);
	if (r < 0) {
		close(signal_fd);
		sigprocmask(SIG_UNBLOCK, &blocked, NULL);
		return r;
	}

	r = modules_before_clone(c, stage, err);
	if (r >= 0)
		r = container_start(c, stage, err);
	if (r >= 0) {
		status = wait_loop(c, stage, signal_fd, err);
		r = status < 0 ? status : 0;
	} else if (err->exit_status == 126 || err->exit_status == 127) {
		/* execve failed: the child exits with that status itself. */
		int wstatus;

		while (waitpid(c->pid, &wstatus, 0) < 0 && errno == EINTR)
			;
		c->pid = -1;
	}
	child_stop(c);
	modules_after_exit(c, stage);
	if (c->pidfd >= 0)
		close(c->pidfd);
	close(signal_fd);
	sigprocmask(SIG_UNBLOCK, &blocked, NULL);
	return r < 0 ? r : status;
}
