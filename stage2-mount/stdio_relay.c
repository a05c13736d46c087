/* Without a pty: pipes in place of the host's terminal.
 *
 * Kernel objects: up to three pipes, one for each of fds 0 to 2 that is a
 * terminal.
 *
 * A process that has an fd of a terminal can push bytes into that terminal's
 * input with ioctl(TIOCSTI), which the shell behind it then runs.  The kernel
 * allows this only on the caller's controlling terminal, unless the caller has
 * CAP_SYS_ADMIN, which the container has until a later stage drops it
 * (tty_ioctl(4)).  The new session that common/init.c creates is therefore not
 * enough, so the container gets pipes, and the runtime copies between them and
 * the terminal.  Fds that are not terminals (files, pipes, sockets) are passed
 * on unchanged. */
#include "stage2-mount/stdio_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <unistd.h>

#include "common/log.h"
#include "stage2-mount/pty.h"

struct relay_pipe {
	int runtime_fd;    /* the runtime's end, or -1 */
	int container_fd;  /* the container's end, or -1 */
};

/* Index: the container's fd number. */
static struct relay_pipe pipes[3] = {
	{ -1, -1 }, { -1, -1 }, { -1, -1 },
};

int relay_prepare(struct ctr_error *err)
{
	for (int target = 0; target <= 2; target++) {
		int ends[2];

		if (!isatty(target))
			continue;
		if (pipe2(ends, O_CLOEXEC) < 0)
			return error_set(err, -errno, "Failed to create a pipe for fd %d", target);
		/* From the background, a read of the terminal would stop the runtime
		 * with SIGTTIN.  The container reads end of file instead, as docker
		 * run without -i does, so the write end is closed at once. */
		if (target == 0 && pty_stdin_in_background()) {
			close(ends[1]);
			pipes[0].container_fd = ends[0];
			explain("pipe2() = [%d, %d]: fd 0 of the container is empty, because the runtime runs in the terminal's background",
				ends[0], ends[1]);
			continue;
		}
		/* ends[0] reads, ends[1] writes: the container reads fd 0 and writes
		 * fds 1 and 2. */
		pipes[target].container_fd = target == 0 ? ends[0] : ends[1];
		pipes[target].runtime_fd = target == 0 ? ends[1] : ends[0];
		explain("pipe2() = [%d, %d]: fd %d of the container instead of the terminal",
			ends[0], ends[1], target);
	}
	return 0;
}

static void fd_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void relay_after_clone(void)
{
	for (int target = 0; target <= 2; target++)
		fd_close(&pipes[target].container_fd);
}

int relay_child_setup(struct ctr_error *err)
{
	for (int target = 0; target <= 2; target++) {
		if (pipes[target].container_fd < 0)
			continue;
		fd_close(&pipes[target].runtime_fd);
		if (dup2(pipes[target].container_fd, target) < 0)
			return error_set(err, -errno, "Failed to dup2 a pipe to fd %d", target);
		fd_close(&pipes[target].container_fd);
	}
	return 0;
}

/* Copy what one read(2) of from_fd returns to to_fd.  Returns 1 at end of file
 * or on an error, so the caller stops watching from_fd, else 0. */
static int copy_once(int from_fd, int to_fd)
{
	char buffer[4096];
	ssize_t n = read(from_fd, buffer, sizeof(buffer));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return 1;
	for (ssize_t done = 0; done < n;) {
		ssize_t written = write(to_fd, buffer + done, (size_t)(n - done));

		if (written < 0 && errno == EINTR)
			continue;
		if (written < 0)
			return 1;
		done += written;
	}
	return 0;
}

/* The host's input, copied to the container's stdin.  At end of input the
 * pipe is closed, so the container reads end of file too.
 * NOTE: the write blocks while the container does not read a full pipe, and
 * the wait loop waits with it. */
static int on_terminal_input(int fd, short revents, void *data)
{
	(void)revents;
	(void)data;
	if (copy_once(fd, pipes[0].runtime_fd) == 0)
		return 0;
	fd_close(&pipes[0].runtime_fd);
	return 1;
}

static int on_container_output(int fd, short revents, void *data)
{
	int target = (int)(long)data;

	(void)revents;
	if (copy_once(fd, target) == 0)
		return 0;
	/* Output ended, or the host's fd takes no more: closing the read end gives
	 * the container's writer EPIPE, where an open one would leave it blocked. */
	fd_close(&pipes[target].runtime_fd);
	return 1;
}

int relay_start(struct ctr_loop *loop, struct ctr_error *err)
{
	int r = 0;

	if (pipes[0].runtime_fd >= 0)
		r = loop_watch(loop, STDIN_FILENO, POLLIN, on_terminal_input, NULL);
	for (long target = 1; target <= 2 && r == 0; target++) {
		if (pipes[target].runtime_fd >= 0)
			r = loop_watch(loop, pipes[target].runtime_fd, POLLIN, on_container_output,
				       (void *)target);
	}
	if (r < 0)
		return error_set(err, r, "Failed to watch the stdio pipes in the wait loop");
	return 0;
}

void relay_cleanup(void)
{
	fd_close(&pipes[0].runtime_fd);
	for (int target = 1; target <= 2; target++) {
		if (pipes[target].runtime_fd < 0)
			continue;
		/* Every writer is gone with the container, so this ends at EOF. */
		while (copy_once(pipes[target].runtime_fd, target) == 0)
			;
		fd_close(&pipes[target].runtime_fd);
	}
}
