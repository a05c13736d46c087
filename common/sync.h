/* The channel between the runtime and the container.
 *
 * A SOCK_SEQPACKET socketpair keeps message boundaries, so each message arrives
 * whole or not at all.  The runtime sends SYNC_GO once its setup after clone is
 * done; the child sends SYNC_FAIL when a step fails, or SYNC_EXEC_FAIL when execve
 * fails.  Both ends are close-on-exec, so a successful execve closes the child's
 * end and the runtime reads end-of-file: that is how it learns that COMMAND runs. */
#ifndef CTRLAB_SYNC_H
#define CTRLAB_SYNC_H

#include "common/error.h"

enum sync_type {
	SYNC_GO = 1,         /* runtime to child: continue */
	SYNC_FAIL = 2,       /* either way: a step failed, see msg */
	SYNC_EXEC_FAIL = 3,  /* child to runtime: execve failed, see exit_status */
};

struct sync_msg {
	int type;            /* enum sync_type */
	int code;            /* negative errno of the failure */
	int exit_status;     /* 125, 126 or 127 */
	char msg[CTR_ERROR_MSG_MAX];
};

/* Create the socketpair: ret_fds[0] for the runtime, ret_fds[1] for the child. */
int sync_open(int ret_fds[2]);

/* Send msg whole.  Returns 0 or -errno; a short write is -EIO. */
int sync_send(int fd, const struct sync_msg *msg);

/* Send SYNC_GO. */
int sync_send_go(int fd);

/* Send err as a message of the given type; errors while sending are ignored
 * because the sender is about to exit anyway. */
void sync_send_error(int fd, enum sync_type type, const struct ctr_error *err);

/* Receive one message.  Returns 1 when a message arrived, 0 at end-of-file, or
 * -errno; a message of the wrong size is -EIO. */
int sync_recv(int fd, struct sync_msg *ret_msg);

/* sync_recv() with recv(2) flags such as MSG_DONTWAIT, which makes a missing
 * message -EAGAIN. */
int sync_recv_flags(int fd, struct sync_msg *ret_msg, int flags);

#endif
