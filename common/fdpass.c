/* Messages with an fd attached: see fdpass.h. */
#include "common/fdpass.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int fd_msg_send(int sock, const void *msg, size_t len, int fd)
{
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	union {
		struct cmsghdr header;
		char space[CMSG_SPACE(sizeof(int))];
	} control;
	struct msghdr header = { .msg_iov = &iov, .msg_iovlen = 1 };

	/* SCM_RIGHTS makes the kernel install a copy of fd in the receiver, which
	 * then refers to the same open file: the container's network namespace. */
	if (fd >= 0) {
		struct cmsghdr *cmsg;

		memset(&control, 0, sizeof(control));
		header.msg_control = control.space;
		header.msg_controllen = sizeof(control.space);
		cmsg = CMSG_FIRSTHDR(&header);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	while (sendmsg(sock, &header, MSG_NOSIGNAL) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

int fd_msg_recv(int sock, void *msg, size_t len, int *ret_fd)
{
	struct iovec iov = { .iov_base = msg, .iov_len = len };
	union {
		struct cmsghdr header;
		char space[CMSG_SPACE(sizeof(int))];
	} control;
	struct msghdr header = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.space,
		.msg_controllen = sizeof(control.space),
	};
	struct cmsghdr *cmsg;
	int r = 1;
	ssize_t n;

	if (ret_fd)
		*ret_fd = -1;
	do {
		n = recvmsg(sock, &header, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return 0;
	/* A longer message was cut to len, or an fd was dropped: either way it
	 * is not one of ours, perhaps from a helper of another build. */
	if (header.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		r = -EPROTO;
	cmsg = CMSG_FIRSTHDR(&header);
	if (cmsg && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS) {
		int fd;

		memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
		if (ret_fd && r == 1)
			*ret_fd = fd;
		else
			close(fd);
	}
	/* SOCK_SEQPACKET keeps message boundaries: a shorter one is not ours. */
	return (size_t)n == len ? r : -EPROTO;
}
