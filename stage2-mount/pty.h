/* The container's terminal: a pty from the container's own devpts, relayed by the
 * runtime. */
#ifndef CTRLAB_PTY_H
#define CTRLAB_PTY_H

#include <stdbool.h>

#include "common/container.h"

enum pty_mode {
	PTY_AUTO,  /* a pty when the runtime's stdin is a terminal */
	PTY_ON,    /* -t/--tty */
	PTY_OFF,   /* -T/--no-tty */
};

/* Choose the mode before pty_prepare(); the default is PTY_AUTO.  Returns 0, or
 * -EINVAL with err set when the other of -t and -T was chosen before. */
int pty_set_mode(enum pty_mode mode, struct ctr_error *err);

/* True when stdin is the controlling terminal and the runtime is not in its
 * foreground process group, as after "run ... &" in an interactive shell.  A
 * read from it would then stop the runtime with SIGTTIN (credentials(7)), and
 * tcsetattr(3) would stop it with SIGTTOU. */
bool pty_stdin_in_background(void);

/* True when the container gets a pty; valid after pty_prepare(). */
bool pty_enabled(void);

/* Host, before clone: decide whether the container gets a pty and, if so, create
 * the socketpair that carries its master back and record the window size.
 * Returns 0 or -errno with err set. */
int pty_prepare(struct ctr_error *err);

/* Host, after clone: close the container's end of the socketpair. */
void pty_after_clone(void);

/* Container side, once /dev/pts is mounted: open a pty from the container's
 * devpts, bind its terminal to /dev/console, send the master to the runtime and
 * make the terminal fds 0 to 2.  Does nothing without a pty.  Returns 0 or -errno
 * with err set. */
int pty_child_setup(struct ctr_error *err);

/* COMMAND's process: become a session leader and take the pty as controlling
 * terminal.  Does nothing without a pty.  Returns 0 or -errno with err set. */
int pty_command_setup(struct ctr_error *err);

/* Host, once COMMAND runs: receive the master, put the runtime's terminal in raw
 * mode and relay both ways in the wait loop.  From the background (-t only),
 * relay the output alone and leave the terminal's mode as it is.  Returns 0 or
 * -errno with err set. */
int pty_relay_start(struct ctr_loop *loop, struct ctr_error *err);

/* Host: apply a SIGWINCH to the container's pty.  Returns true when the signal
 * was consumed, false when there is no pty. */
bool pty_handle_signal(int signo);

/* Host, at exit and on failure: copy the output still buffered in the pty,
 * restore the terminal's mode and close every fd.  Safe to call at any point. */
void pty_cleanup(void);

#endif
