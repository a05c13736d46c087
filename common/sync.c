/* The runtime–container channel: see sync.h. */
#include "common/sync.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int sync_open(int ret_fds[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ret_fds) < 0)
		return -errno;
	return 0;
}

int sync_send(int fd, const struct sync_msg *msg)
{
	ssize_t n;

	do
		n = send(fd, msg, sizeof(*msg), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != sizeof(*msg))
		return -EIO;
	return 0;
}

int sync_send_go(int fd)
{
	struct sync_msg msg = { .type = SYNC_GO };

	return sync_send(fd, &msg);
}

void sync_send_error(int fd, enum sync_type type, const struct ctr_error *err)
{
	struct sync_msg msg = {
		.type = (int)type,
		.code = err->code,
		.exit_status = err->exit_status,
	};

	snprintf(msg.msg, sizeof(msg.msg), "%s", err->msg);
	(void)sync_send(fd, &msg);
}

int sync_recv(int fd, struct sync_msg *ret_msg)
{
	return sync_recv_flags(fd, ret_msg, 0);
}

int sync_recv_flags(int fd, struct sync_msg *ret_msg, int flags)
{
	ssize_t n;

	do
		n = recv(fd, ret_msg, sizeof(*ret_msg), MSG_CMSG_CLOEXEC | flags);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return 0;
	if ((size_t)n != sizeof(*ret_msg))
		return -EIO;
	ret_msg->msg[sizeof(ret_msg->msg) - 1] = '\0';
	return 1;
}
