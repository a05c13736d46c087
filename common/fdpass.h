/* Messages on a SOCK_SEQPACKET socket that may carry an fd (SCM_RIGHTS,
 * unix(7)): the kernel installs a copy of the fd in the receiver, which then
 * refers to the same open file.  Stage 2 passes the pty's master this way,
 * stage 3 the container's network namespace. */
#ifndef CTRLAB_FDPASS_H
#define CTRLAB_FDPASS_H

#include <stddef.h>

/* Send msg of len bytes on sock, with fd attached unless it is negative.
 * Returns 0 or -errno. */
int fd_msg_send(int sock, const void *msg, size_t len, int fd);

/* Receive one message of exactly len bytes from sock into msg.  An attached fd
 * goes to *ret_fd (-1 without one), or is closed when ret_fd is NULL.  Returns
 * 1, 0 at end-of-file, or -errno; -EPROTO for a message of another size or one
 * cut short. */
int fd_msg_recv(int sock, void *msg, size_t len, int *ret_fd);

#endif
