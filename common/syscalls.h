/* Raw system calls that the C library does not wrap on every distribution ctrlab
 * supports (glibc 2.36 on Debian 12 has no clone3 or pivot_root wrapper, and musl
 * 1.2.3 has no statx), and the kernel's own definitions for them.  Each wrapper
 * keeps the kernel's name and returns what the kernel returns: -1 with errno set
 * on failure.  The stages build with glibc and with musl, so everything here comes
 * from the kernel's uapi headers, which both C libraries accept. */
#ifndef CTRLAB_SYSCALLS_H
#define CTRLAB_SYSCALLS_H

#include <linux/openat2.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
/* The kernel's struct mount_attr, MOUNT_ATTR_* flags and struct statx.  glibc
 * 2.36's <sys/mount.h> already includes <linux/mount.h>, but musl 1.2.3 declares
 * neither the mount API nor statx. */
#include <linux/mount.h>
#include <linux/stat.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* clone3(2), Linux 5.3.  Without CLONE_VM it behaves like fork(): it returns 0 in
 * the child, which runs on a copy of the caller's stack.  Callers fall back to
 * clone(2) when it fails with ENOSYS (an older kernel, or a seccomp filter that
 * hides the newer call). */
static inline long sys_clone3(struct clone_args *args, size_t size)
{
	return syscall(SYS_clone3, args, size);
}

/* pivot_root(2): move the root mount to put_old and make new_root the root. */
static inline int sys_pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

/* pidfd_send_signal(2), Linux 5.1: signal a process by pidfd, so a recycled PID
 * can never receive a signal meant for the container. */
static inline int sys_pidfd_send_signal(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* pidfd_open(2), Linux 5.3, for the clone(2) path that returns no pidfd. */
static inline int sys_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* close_range(2), Linux 5.9; with CLOSE_RANGE_CLOEXEC (5.11) it marks the range
 * close-on-exec instead of closing it. */
static inline int sys_close_range(unsigned int first, unsigned int last,
				  unsigned int flags)
{
	return (int)syscall(SYS_close_range, first, last, flags);
}

/* openat2(2), Linux 5.6.  RESOLVE_IN_ROOT treats dirfd as the root for "/" and
 * "..", so a symlink inside a container's tree cannot lead out of it. */
static inline int sys_openat2(int dirfd, const char *path, struct open_how *how)
{
	return (int)syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
}

/* open_tree(2), Linux 5.2.  With OPEN_TREE_CLONE it returns an fd for a detached
 * copy of the mount tree at path, which move_mount(2) attaches elsewhere. */
static inline int sys_open_tree(int dirfd, const char *path, unsigned int flags)
{
	return (int)syscall(SYS_open_tree, dirfd, path, flags);
}

/* move_mount(2), Linux 5.2: attach the mount at from to the place at to. */
static inline int sys_move_mount(int from_dirfd, const char *from_path, int to_dirfd,
				 const char *to_path, unsigned int flags)
{
	return (int)syscall(SYS_move_mount, from_dirfd, from_path, to_dirfd, to_path,
			    flags);
}

/* mount_setattr(2), Linux 5.12: change a mount's flags, with AT_RECURSIVE for
 * every mount below it too, which a remount with MS_BIND cannot do. */
static inline int sys_mount_setattr(int dirfd, const char *path, unsigned int flags,
				    struct mount_attr *attr)
{
	return (int)syscall(SYS_mount_setattr, dirfd, path, flags, attr, sizeof(*attr));
}

/* statx(2), Linux 4.11, which glibc wraps since 2.28 and musl only since 1.2.5. */
static inline int sys_statx(int dirfd, const char *path, int flags, unsigned int mask,
			    struct statx *buffer)
{
	return (int)syscall(SYS_statx, dirfd, path, flags, mask, buffer);
}

#endif
