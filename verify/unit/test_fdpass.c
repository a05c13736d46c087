/* Unit tests for common/fdpass.c, with the messages between stage 3's runtime
 * and its network helper, over a real SOCK_SEQPACKET socketpair. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/fdpass.h"
#include "stage3-net/helper.h"

static int pair[2];

static int pair_open(void **state)
{
	(void)state;
	return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair);
}

static int pair_close(void **state)
{
	(void)state;
	if (pair[0] >= 0)
		close(pair[0]);
	if (pair[1] >= 0)
		close(pair[1]);
	return 0;
}

/* The request arrives whole, with a copy of the fd that refers to the same
 * file as the one sent. */
static void request_with_fd(void **state)
{
	struct helper_request sent = { .addr = 0x0a580002 };
	struct helper_request got;
	struct stat a;
	struct stat b;
	int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int got_fd;

	(void)state;
	assert_true(fd >= 0);
	snprintf(sent.veth, sizeof(sent.veth), "cv0012340abcd");
	assert_int_equal(fd_msg_send(pair[0], &sent, sizeof(sent), fd), 0);
	assert_int_equal(fd_msg_recv(pair[1], &got, sizeof(got), &got_fd), 1);
	assert_int_equal(got.addr, sent.addr);
	assert_string_equal(got.veth, "cv0012340abcd");
	assert_true(got_fd >= 0);
	assert_int_not_equal(got_fd, fd);
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(fstat(got_fd, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(a.st_dev, b.st_dev);
	/* MSG_CMSG_CLOEXEC: the copy does not leak into a program exec'd later. */
	assert_true(fcntl(got_fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	close(got_fd);
}

/* A reply carries no fd, and the receiver learns so. */
static void reply_without_fd(void **state)
{
	struct helper_reply sent = { .code = -EADDRINUSE, .table_created = 1 };
	struct helper_reply got;
	int got_fd = 42;

	(void)state;
	snprintf(sent.msg, sizeof(sent.msg), "The subnet overlaps");
	assert_int_equal(fd_msg_send(pair[1], &sent, sizeof(sent), -1), 0);
	assert_int_equal(fd_msg_recv(pair[0], &got, sizeof(got), &got_fd), 1);
	assert_int_equal(got_fd, -1);
	assert_int_equal(got.code, -EADDRINUSE);
	assert_int_equal(got.table_created, 1);
	assert_int_equal(got.bridge_created, 0);
	assert_string_equal(got.msg, "The subnet overlaps");
}

/* A message of another size is rejected, not read as a request. */
static void short_message_rejected(void **state)
{
	struct helper_request got;
	char small[3] = { 1, 2, 3 };

	(void)state;
	assert_int_equal(fd_msg_send(pair[0], small, sizeof(small), -1), 0);
	assert_int_equal(fd_msg_recv(pair[1], &got, sizeof(got), NULL), -EPROTO);
}

/* A peer that shuts its side down is end-of-file, as the helper expects when
 * the runtime failed before its request. */
static void shutdown_is_end_of_file(void **state)
{
	struct helper_request got;
	int got_fd = 42;

	(void)state;
	assert_int_equal(shutdown(pair[0], SHUT_WR), 0);
	assert_int_equal(fd_msg_recv(pair[1], &got, sizeof(got), &got_fd), 0);
	assert_int_equal(got_fd, -1);
}

/* Sending to a closed peer fails with EPIPE and raises no SIGPIPE. */
static void closed_peer_is_epipe(void **state)
{
	struct helper_request sent = { .addr = 1 };

	(void)state;
	close(pair[1]);
	pair[1] = -1;
	assert_int_equal(fd_msg_send(pair[0], &sent, sizeof(sent), -1), -EPIPE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(request_with_fd, pair_open, pair_close),
		cmocka_unit_test_setup_teardown(reply_without_fd, pair_open, pair_close),
		cmocka_unit_test_setup_teardown(short_message_rejected, pair_open, pair_close),
		cmocka_unit_test_setup_teardown(shutdown_is_end_of_file, pair_open, pair_close),
		cmocka_unit_test_setup_teardown(closed_peer_is_epipe, pair_open, pair_close),
	};

	return cmocka_run_group_tests_name("fdpass", tests, NULL, NULL);
}
