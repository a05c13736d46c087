/* Flag values written by name: see flagnames.h. */
#include "common/flagnames.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>

#include "common/syscalls.h"

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

const struct flag_name clone_flag_names[] = {
	{ CLONE_NEWPID, "CLONE_NEWPID" },
	{ CLONE_NEWUTS, "CLONE_NEWUTS" },
	{ CLONE_NEWIPC, "CLONE_NEWIPC" },
	{ CLONE_NEWNS, "CLONE_NEWNS" },
	{ CLONE_NEWNET, "CLONE_NEWNET" },
	{ CLONE_NEWUSER, "CLONE_NEWUSER" },
	{ CLONE_NEWCGROUP, "CLONE_NEWCGROUP" },
	{ CLONE_NEWTIME, "CLONE_NEWTIME" },
	{ CLONE_PIDFD, "CLONE_PIDFD" },
	{ 0, NULL },
};

const struct flag_name mount_flag_names[] = {
	{ MS_RDONLY, "MS_RDONLY" },
	{ MS_NOSUID, "MS_NOSUID" },
	{ MS_NODEV, "MS_NODEV" },
	{ MS_NOEXEC, "MS_NOEXEC" },
	{ MS_REMOUNT, "MS_REMOUNT" },
	{ MS_BIND, "MS_BIND" },
	{ MS_MOVE, "MS_MOVE" },
	{ MS_REC, "MS_REC" },
	{ MS_PRIVATE, "MS_PRIVATE" },
	{ MS_SLAVE, "MS_SLAVE" },
	{ MS_SHARED, "MS_SHARED" },
	{ MS_UNBINDABLE, "MS_UNBINDABLE" },
	{ 0, NULL },
};

const struct flag_name mount_attr_names[] = {
	{ MOUNT_ATTR_RDONLY, "MOUNT_ATTR_RDONLY" },
	{ MOUNT_ATTR_NOSUID, "MOUNT_ATTR_NOSUID" },
	{ MOUNT_ATTR_NODEV, "MOUNT_ATTR_NODEV" },
	{ MOUNT_ATTR_NOEXEC, "MOUNT_ATTR_NOEXEC" },
	{ 0, NULL },
};

const char *flags_format(uint64_t flags, const struct flag_name *table,
			 char *buffer, size_t size)
{
	size_t used = 0;

	buffer[0] = '\0';
	for (const struct flag_name *f = table; f->name; f++) {
		if ((flags & f->value) != f->value || f->value == 0)
			continue;
		used += (size_t)snprintf(buffer + used, used < size ? size - used : 0,
					 "%s%s", used ? "|" : "", f->name);
		flags &= ~f->value;
	}
	if (flags || used == 0)
		used += (size_t)snprintf(buffer + used, used < size ? size - used : 0,
					 "%s0x%llx", used ? "|" : "", (unsigned long long)flags);
	return buffer;
}

/* The names of the standard signals, indexed by the C library's SIG* values.
 * glibc has sigabbrev_np(3) for this but musl 1.2.3 has not, so the runtime keeps
 * its own table, with the names glibc gives (SIGPOLL, not SIGIO).  Real-time
 * signals have no name here, as they have none from sigabbrev_np(3). */
static const char *const signal_names[] = {
	[SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT",
	[SIGILL] = "SIGILL", [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
	[SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE", [SIGKILL] = "SIGKILL",
	[SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
	[SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",
	[SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP", [SIGTTIN] = "SIGTTIN",
	[SIGTTOU] = "SIGTTOU", [SIGURG] = "SIGURG", [SIGXCPU] = "SIGXCPU",
	[SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
	[SIGWINCH] = "SIGWINCH", [SIGPOLL] = "SIGPOLL", [SIGPWR] = "SIGPWR",
	[SIGSYS] = "SIGSYS",
};

const char *signal_name(int signo, char *buffer, size_t size)
{
	size_t count = sizeof(signal_names) / sizeof(signal_names[0]);

	if (signo > 0 && (size_t)signo < count && signal_names[signo])
		snprintf(buffer, size, "%s", signal_names[signo]);
	else
		snprintf(buffer, size, "signal %d", signo);
	return buffer;
}
