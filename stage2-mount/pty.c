/* The container's terminal.
 *
 * Kernel objects: one pty pair from the container's own devpts instance, a bind
 * mount of its terminal end on /dev/console, and a socketpair that carries the
 * master fd from the container to the runtime (SCM_RIGHTS, unix(7)).
 *
 * Why a pty of its own: a container given the host's terminal shares its session
 * and line discipline, so it could read the host's input, change its modes, or
 * push keystrokes with TIOCSTI.  With its own pty, the container's programs see a
 * real terminal (job control, Ctrl-C, window size) while the runtime copies bytes
 * between the host's terminal, in raw mode, and the master.  The host's line
 * discipline then does nothing: a Ctrl-C travels as byte 0x03 and becomes SIGINT
 * in the container's line discipline, for the container's foreground job only. */
#include "stage2-mount/pty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "common/fdpass.h"
#include "common/log.h"
#include "stage2-mount/mount_step.h"

static struct {
	enum pty_mode mode;
	bool enabled;           /* decided by pty_prepare() */
	int sock[2];            /* [0] runtime, [1] container */
	int master_fd;          /* runtime: the pty's master */
	struct winsize initial; /* the host terminal's size at start */
	bool have_initial;
	struct termios saved;   /* the host terminal's mode before raw */
	bool raw;
	bool background;        /* pty_stdin_in_background() at pty_prepare() */
	struct ctr_loop *loop;  /* the wait loop, once the relay runs */
	char input[4096];       /* host input not yet written to the master */
	size_t input_len;
	size_t input_done;
	bool input_ended;       /* end of the host's input reached */
	bool line_open;         /* a line without its newline sent last */
} pty = { .sock = { -1, -1 }, .master_fd = -1 };

int pty_set_mode(enum pty_mode mode, struct ctr_error *err)
{
	if (pty.mode != PTY_AUTO && pty.mode != mode)
		return error_setx(err, -EINVAL,
				  "Invalid options -t and -T together: -t asks for a pty and -T for none; keep one");
	pty.mode = mode;
	return 0;
}

bool pty_enabled(void)
{
	return pty.enabled;
}

bool pty_stdin_in_background(void)
{
	/* tcgetpgrp(3) fails with ENOTTY when stdin is not the caller's controlling
	 * terminal, and such a terminal sends no job-control signals. */
	pid_t foreground = tcgetpgrp(STDIN_FILENO);

	return foreground > 0 && foreground != getpgrp();
}

int pty_prepare(struct ctr_error *err)
{
	/* Started in the background ("run ... &"), the runtime does not take the
	 * terminal, as docker run without -it: raw mode would stop it with SIGTTOU
	 * at once, and it would stay stopped, deaf even to "kill %1".  The
	 * container then gets no pty and an empty stdin (stdio_relay.c).  With -t
	 * it gets a pty that the runtime never feeds. */
	pty.background = pty_stdin_in_background();
	pty.enabled = pty.mode == PTY_ON ||
		      (pty.mode == PTY_AUTO && isatty(STDIN_FILENO) && !pty.background);
	if (!pty.enabled)
		return 0;
	pty.have_initial = ioctl(STDIN_FILENO, TIOCGWINSZ, &pty.initial) == 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pty.sock) < 0)
		return error_set(err, -errno, "Failed to create the socketpair for the pty");
	return 0;
}

void pty_after_clone(void)
{
	if (pty.sock[1] >= 0)
		close(pty.sock[1]);
	pty.sock[1] = -1;
}

/* Send fd over sock with a one-byte message (common/fdpass.c).  Returns 0 or
 * -errno. */
static int fd_send(int sock, int fd)
{
	char byte = 'm';

	return fd_msg_send(sock, &byte, 1, fd);
}

/* Receive one fd sent by fd_send().  Returns the fd or -errno; -EIO when the
 * message carried none. */
static int fd_receive(int sock)
{
	char byte;
	int fd;
	int r = fd_msg_recv(sock, &byte, 1, &fd);

	if (r < 0)
		return r;
	if (r == 0 || fd < 0)
		return -EIO;
	return fd;
}

/* Bind the terminal end to /dev/console, where init systems and some daemons
 * write; it must be the container's terminal, never the host's console. */
static int pty_bind_console(int terminal_fd, struct ctr_error *err)
{
	char source[64];
	int fd = open("/dev/console", O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return error_set(err, -errno, "Failed to create '/dev/console'");
	close(fd);
	snprintf(source, sizeof(source), "/proc/self/fd/%d", terminal_fd);
	return mnt_mount(source, "/dev/console", NULL, MS_BIND, NULL, err);
}

/* Make terminal_fd the container's fds 0, 1 and 2. */
static int pty_take_stdio(int terminal_fd, struct ctr_error *err)
{
	for (int target = 0; target <= 2; target++) {
		if (dup2(terminal_fd, target) < 0)
			return error_set(err, -errno, "Failed to dup2 the pty to fd %d", target);
	}
	return 0;
}

int pty_child_setup(struct ctr_error *err)
{
	int unlock = 0;
	int terminal_fd = -1;
	int master_fd;
	int r;

	if (!pty.enabled)
		return 0;
	close(pty.sock[0]);
	/* O_NOCTTY here and below: this process (the init) is a session leader and
	 * must not take the terminal; COMMAND's own session takes it. */
	master_fd = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master_fd < 0)
		return error_set(err, -errno, "Failed to open '/dev/pts/ptmx'");
	r = ioctl(master_fd, TIOCSPTLCK, &unlock);
	/* TIOCGPTPEER (Linux 4.13) opens the terminal end through the master, with no
	 * path lookup that a rename in /dev/pts could redirect. */
	if (r == 0)
		terminal_fd = ioctl(master_fd, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (r < 0 || terminal_fd < 0) {
		r = error_set(err, -errno, "Failed to open the terminal end of the pty");
		goto out;
	}
	explain("open(\"/dev/pts/ptmx\") = %d; ioctl(TIOCGPTPEER) = %d: the container's own pty",
		master_fd, terminal_fd);
	if (pty.have_initial)
		ioctl(master_fd, TIOCSWINSZ, &pty.initial);

	r = pty_bind_console(terminal_fd, err);
	if (r >= 0 && (r = fd_send(pty.sock[1], master_fd)) < 0)
		error_set(err, r, "Failed to send the pty's master to the runtime");
	if (r >= 0)
		r = pty_take_stdio(terminal_fd, err);
out:
	if (terminal_fd > 2)
		close(terminal_fd);
	close(master_fd);
	close(pty.sock[1]);
	return r;
}

int pty_command_setup(struct ctr_error *err)
{
	if (!pty.enabled)
		return 0;
	/* A terminal can only be the controlling terminal of a session leader
	 * (credentials(7)).  With --no-init this process already leads a session. */
	if (getsid(0) != getpid() && setsid() < 0)
		return error_set(err, -errno, "Failed to setsid for the pty");
	if (ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)
		return error_set(err, -errno, "Failed to take the pty as controlling terminal");
	explain("setsid(); ioctl(0, TIOCSCTTY) = 0: PID %d leads a session on the pty",
		getpid());
	return 0;
}

/* Write all of buffer to fd.  Returns 0 or -errno. */
static int write_all(int fd, const char *buffer, size_t size)
{
	while (size > 0) {
		ssize_t n = write(fd, buffer, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buffer += n;
		size -= (size_t)n;
	}
	return 0;
}

/* Hang up the container's terminal, because the host takes no more of its
 * output.  Closing the master does it: the container's session gets SIGHUP. */
static void relay_hang_up(int code)
{
	log_warning("Failed to write the container's output: %s; hanging up its terminal",
		    strerror(-code));
	loop_events_set(pty.loop, STDIN_FILENO, 0);
	close(pty.master_fd);
	pty.master_fd = -1;
}

/* Write the buffered host input to the non-blocking master.  While it is full,
 * stdin waits and the master is polled for POLLOUT, so signals still pass. */
static void input_flush(void)
{
	while (pty.input_done < pty.input_len) {
		ssize_t n = write(pty.master_fd, pty.input + pty.input_done,
				  pty.input_len - pty.input_done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			loop_events_set(pty.loop, STDIN_FILENO, 0);
			loop_events_set(pty.loop, pty.master_fd, POLLIN | POLLOUT);
			return;
		}
		if (n < 0) {
			pty.input_len = 0;
			break;
		}
		pty.input_done += (size_t)n;
	}
	pty.input_len = 0;
	pty.input_done = 0;
	loop_events_set(pty.loop, pty.master_fd, POLLIN);
	if (!pty.input_ended)
		loop_events_set(pty.loop, STDIN_FILENO, POLLIN);
}

/* Copy the container's output to stdout, and resume the host's input once the
 * master takes it.  A read fails with EIO once the terminal end is closed. */
static int on_master(int fd, short revents, void *data)
{
	char buffer[4096];
	ssize_t n;
	int r;

	(void)data;
	if (revents & POLLOUT)
		input_flush();
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return 0;
	n = read(fd, buffer, sizeof(buffer));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return 1;
	r = write_all(STDOUT_FILENO, buffer, (size_t)n);
	if (r < 0) {
		relay_hang_up(r);
		return 1;
	}
	return 0;
}

/* Copy the host's input to the container.  At its end send the EOF character,
 * twice after a line without a newline, because the first one only ends it. */
static int on_stdin(int fd, short revents, void *data)
{
	struct termios mode;
	ssize_t n;

	(void)revents;
	(void)data;
	n = read(fd, pty.input, sizeof(pty.input));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n > 0) {
		pty.input_len = (size_t)n;
		pty.line_open = pty.input[n - 1] != '\n';
		input_flush();
		return 0;
	}
	pty.input_ended = true;
	if (tcgetattr(pty.master_fd, &mode) == 0) {
		pty.input[pty.input_len++] = (char)mode.c_cc[VEOF];
		if (pty.line_open)
			pty.input[pty.input_len++] = (char)mode.c_cc[VEOF];
		input_flush();
	}
	return 1;
}

/* Put the runtime's terminal in raw mode, so every key reaches the container's
 * line discipline unchanged; pty_cleanup() restores the saved mode. */
static void terminal_make_raw(void)
{
	struct termios raw;

	if (tcgetattr(STDIN_FILENO, &pty.saved) < 0)
		return;
	raw = pty.saved;
	cfmakeraw(&raw);
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
		pty.raw = true;
}

int pty_relay_start(struct ctr_loop *loop, struct ctr_error *err)
{
	int r;

	if (!pty.enabled)
		return 0;
	pty.master_fd = fd_receive(pty.sock[0]);
	if (pty.master_fd < 0)
		return error_set(err, pty.master_fd, "Failed to receive the pty's master");
	close(pty.sock[0]);
	pty.sock[0] = -1;
	explain("recvmsg(SCM_RIGHTS) = %d: the runtime holds the container's pty master",
		pty.master_fd);
	/* The master is the runtime's own fd, so it may be non-blocking: a
	 * container that reads no input must not stop the wait loop. */
	fcntl(pty.master_fd, F_SETFL, O_NONBLOCK);
	pty.loop = loop;
	r = loop_watch(loop, pty.master_fd, POLLIN, on_master, NULL);
	/* -t from the background: reading the terminal or changing its mode would
	 * stop the runtime, so the container's pty gets no input, as with docker
	 * run -t without -i. */
	if (r == 0 && !pty.background) {
		terminal_make_raw();
		r = loop_watch(loop, STDIN_FILENO, POLLIN, on_stdin, NULL);
	}
	if (r < 0)
		return error_set(err, r, "Failed to watch the pty in the wait loop");
	return 0;
}

bool pty_handle_signal(int signo)
{
	struct winsize size;

	if (signo != SIGWINCH || pty.master_fd < 0)
		return false;
	/* TIOCSWINSZ on the master makes the kernel send SIGWINCH to the
	 * container's foreground process group itself (tty_ioctl(4)). */
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &size) == 0 &&
	    ioctl(pty.master_fd, TIOCSWINSZ, &size) == 0)
		explain("ioctl(master, TIOCSWINSZ, %ux%u) = 0", size.ws_row, size.ws_col);
	return true;
}

void pty_cleanup(void)
{
	if (pty.master_fd >= 0) {
		char buffer[4096];
		ssize_t n;

		/* The container is gone: copy what it wrote last, without blocking. */
		fcntl(pty.master_fd, F_SETFL, O_NONBLOCK);
		while ((n = read(pty.master_fd, buffer, sizeof(buffer))) > 0) {
			if (write_all(STDOUT_FILENO, buffer, (size_t)n) < 0)
				break;
		}
		close(pty.master_fd);
		pty.master_fd = -1;
	}
	if (pty.raw && tcsetattr(STDIN_FILENO, TCSANOW, &pty.saved) == 0)
		pty.raw = false;
	for (int i = 0; i < 2; i++) {
		if (pty.sock[i] >= 0)
			close(pty.sock[i]);
		pty.sock[i] = -1;
	}
}
