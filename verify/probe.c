/* probe: facts about the process it runs as, for the verify suites.
 *
 * A shell inside a container cannot tell which PID namespaces it is in, which fds
 * it inherited, whether its orphans get reaped, or how a mount is flagged.  The
 * bats tests run this static program inside the container (copied into its rootfs
 * once it has one), and each subcommand prints plain lines on stdout.  Being
 * static, it needs no C library in the rootfs.
 *
 * Exit status: 0 on success; 1 when the fact could not be found or the operation
 * failed (with a message on stderr, or an "error ENAME" line on stdout for read
 * and write); 2 on bad usage.
 *
 * Kernel objects it creates: orphan processes (orphans) and a System V shared
 * memory segment (shm-create, until shm-remove removes it). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

enum {
	PROBE_OK = 0,
	PROBE_FAILED = 1,
	PROBE_USAGE = 2,
};

/* ipc/mqueue.c defines this magic, but <linux/magic.h> does not export it. */
#ifndef MQUEUE_MAGIC
#define MQUEUE_MAGIC 0x19800202
#endif

#define FDS_MAX 1024
#define ORPHANS_MAX 1000
#define ORPHAN_COMM "probe-orphan"
#define ORPHANS_TIMEOUT_MS 5000
#define ORPHANS_POLL_MS 25
/* The zombie count must stay the same for this many polls (500 ms) before the
 * probe concludes that no process is reaping them. */
#define ORPHANS_STABLE_POLLS 20
#define SIGNALS_TIMEOUT_MS 20000
#define ARRIVALS_MAX 256
#define SHM_SEGMENT_SIZE 4096

/* Print "probe: Failed to <action> '<value>': <strerror>" on stderr.  Returns
 * PROBE_FAILED. */
static int report_failure(int errnum, const char *action, const char *value)
{
	fprintf(stderr, "probe: Failed to %s '%s': %s\n", action, value, strerror(errnum));
	return PROBE_FAILED;
}

/* The errno's symbolic name ("EROFS"), which is stable across C libraries and
 * locales, unlike strerror's text. */
static const char *errno_name(int errnum)
{
	const char *name = strerrorname_np(errnum);

	return name ? name : "EUNKNOWN";
}

static int64_t monotonic_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec delay = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	while (nanosleep(&delay, &delay) < 0 && errno == EINTR)
		;
}

/* Parse a decimal count from 1 to max.  Returns 0 or -EINVAL. */
static int parse_count(const char *text, long max, long *ret_count)
{
	char *end;
	long value;

	if (!isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	value = strtol(text, &end, 10);
	if (errno || *end || value < 1 || value > max)
		return -EINVAL;
	*ret_count = value;
	return 0;
}

/* ---- nspid ------------------------------------------------------------------ */

/* The NSpid line (Linux 4.1) lists this process's PID in every PID namespace it
 * is in, from the outermost to its own: "NSpid:\t4242\t2" (proc(5)). */
static int cmd_nspid(char **args)
{
	const char *path = "/proc/self/status";
	char line[512];
	FILE *status;
	bool found = false;

	(void)args;
	status = fopen(path, "re");
	if (!status)
		return report_failure(errno, "open", path);
	while (!found && fgets(line, sizeof(line), status)) {
		char *save = NULL;
		const char *separator = "";

		if (strncmp(line, "NSpid:", strlen("NSpid:")) != 0)
			continue;
		found = true;
		for (char *pid = strtok_r(line + strlen("NSpid:"), " \t\n", &save); pid;
		     pid = strtok_r(NULL, " \t\n", &save)) {
			printf("%s%s", separator, pid);
			separator = " ";
		}
		printf("\n");
	}
	fclose(status);
	if (!found) {
		fprintf(stderr, "probe: No NSpid line in %s: the kernel is older than 4.1\n",
			path);
		return PROBE_FAILED;
	}
	return PROBE_OK;
}

/* ---- fds -------------------------------------------------------------------- */

static int compare_ints(const void *a, const void *b)
{
	int left = *(const int *)a;
	int right = *(const int *)b;

	return (left > right) - (left < right);
}

/* Each entry of /proc/self/fd is one open fd.  The directory's own fd is listed
 * too and is left out, because it exists only while the probe looks. */
static int cmd_fds(char **args)
{
	const char *path = "/proc/self/fd";
	int fds[FDS_MAX];
	size_t count = 0;
	struct dirent *entry;
	int dir_fd;
	DIR *dir;

	(void)args;
	dir_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		return report_failure(errno, "open", path);
	dir = fdopendir(dir_fd);
	if (!dir) {
		close(dir_fd);
		return report_failure(errno, "open", path);
	}
	while ((entry = readdir(dir))) {
		int fd;

		if (!isdigit((unsigned char)entry->d_name[0]))
			continue;
		fd = atoi(entry->d_name);
		if (fd == dir_fd)
			continue;
		if (count == FDS_MAX) {
			closedir(dir);
			fprintf(stderr, "probe: More than %d open fds\n", FDS_MAX);
			return PROBE_FAILED;
		}
		fds[count++] = fd;
	}
	closedir(dir);

	qsort(fds, count, sizeof(fds[0]), compare_ints);
	for (size_t i = 0; i < count; i++)
		printf(i ? " %d" : "%d", fds[i]);
	printf("\n");
	return PROBE_OK;
}

/* ---- orphans ---------------------------------------------------------------- */

/* Runs in the probe's child: fork the grandchild that becomes the orphan, wait
 * until it has taken its name and exited, then exit so that it is orphaned.
 * Waiting makes the count exact.  By the time the probe has reaped this child,
 * every orphan already exists as a zombie named ORPHAN_COMM.  The kernel has also
 * reparented it to the namespace's PID 1, or to a child subreaper
 * (PR_SET_CHILD_SUBREAPER in prctl(2)). */
static _Noreturn void orphan_parent_run(void)
{
	int pipe_fds[2];
	char byte;
	pid_t pid;

	if (pipe2(pipe_fds, O_CLOEXEC) < 0)
		_exit(1);
	pid = fork();
	if (pid < 0)
		_exit(1);
	if (pid == 0) {
		/* The grandchild: its exit closes the pipe's last write end. */
		close(pipe_fds[0]);
		prctl(PR_SET_NAME, ORPHAN_COMM);
		_exit(0);
	}
	close(pipe_fds[1]);
	/* read() returns 0 (end of file) once the grandchild has exited. */
	while (read(pipe_fds[0], &byte, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

/* Fork one child that leaves an orphan behind, and reap the child.  Returns 0 or
 * -errno. */
static int orphan_create(void)
{
	int wstatus;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		orphan_parent_run();
	if (waitpid(pid, &wstatus, 0) < 0)
		return -errno;
	if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
		return -ECHILD;
	return 0;
}

/* Read the comm and the state letter of /proc/<pid>/stat, whose line reads
 * "pid (comm) S ...".  comm may contain ')' itself, so the last one ends it.
 * Returns 0 or -errno, which is -ENOENT when the process has gone. */
static int proc_read_stat(long pid, char *ret_comm, size_t comm_size,
			  char *ret_state)
{
	char path[64], line[512];
	char *open_paren, *close_paren;
	ssize_t length;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	length = read(fd, line, sizeof(line) - 1);
	close(fd);
	if (length <= 0)
		return length < 0 ? -errno : -ENOENT;
	line[length] = '\0';

	open_paren = strchr(line, '(');
	close_paren = strrchr(line, ')');
	if (!open_paren || !close_paren || close_paren < open_paren ||
	    close_paren[1] != ' ' || close_paren[2] == '\0')
		return -EINVAL;
	snprintf(ret_comm, comm_size, "%.*s", (int)(close_paren - open_paren - 1),
		 open_paren + 1);
	*ret_state = close_paren[2];
	return 0;
}

/* True when /proc/<pid>/ns/pid names the same PID namespace as ns_link.  A
 * process that has gone, or that we may not inspect, does not count. */
static bool proc_in_pid_ns(long pid, const char *ns_link)
{
	char path[64], link[64];
	ssize_t length;

	snprintf(path, sizeof(path), "/proc/%ld/ns/pid", pid);
	length = readlink(path, link, sizeof(link) - 1);
	if (length < 0)
		return false;
	link[length] = '\0';
	return strcmp(link, ns_link) == 0;
}

/* Count the processes named ORPHAN_COMM in the PID namespace ns_link, and how
 * many of them are zombies.  /proc may be the host's procfs, which lists other
 * namespaces' processes too, hence the namespace check.  Returns 0 or -errno. */
static int orphans_count(const char *ns_link, long *ret_total, long *ret_zombies)
{
	struct dirent *entry;
	int dir_fd;
	DIR *dir;

	*ret_total = 0;
	*ret_zombies = 0;
	dir_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		return -errno;
	dir = fdopendir(dir_fd);
	if (!dir) {
		close(dir_fd);
		return -errno;
	}
	while ((entry = readdir(dir))) {
		char comm[64], state = '\0';
		long pid;

		if (parse_count(entry->d_name, LONG_MAX, &pid) < 0)
			continue;
		if (proc_read_stat(pid, comm, sizeof(comm), &state) < 0)
			continue;
		if (strcmp(comm, ORPHAN_COMM) != 0)
			continue;
		if (!proc_in_pid_ns(pid, ns_link))
			continue;
		(*ret_total)++;
		if (state == 'Z')
			(*ret_zombies)++;
	}
	closedir(dir);
	return 0;
}

/* Wait until the orphans are all reaped, or until only zombies are left and
 * their count has stopped changing, then print the count.  Returns the exit
 * status. */
static int orphans_wait(const char *ns_link)
{
	int64_t deadline = monotonic_ms() + ORPHANS_TIMEOUT_MS;
	long last_zombies = -1;
	int stable_polls = 0;

	for (;;) {
		long total, zombies;
		int r = orphans_count(ns_link, &total, &zombies);

		if (r < 0)
			return report_failure(-r, "list the processes in", "/proc");
		if (total == zombies && zombies == last_zombies)
			stable_polls++;
		else
			stable_polls = 0;
		last_zombies = zombies;
		if (total == 0 || stable_polls >= ORPHANS_STABLE_POLLS) {
			printf("zombies %ld\n", zombies);
			return PROBE_OK;
		}
		if (monotonic_ms() >= deadline) {
			printf("zombies %ld\n", zombies);
			fprintf(stderr, "probe: Timed out after %d ms: %ld orphans left, "
				"%ld of them zombies\n", ORPHANS_TIMEOUT_MS, total, zombies);
			return PROBE_FAILED;
		}
		sleep_ms(ORPHANS_POLL_MS);
	}
}

/* Orphans are reparented to the PID namespace's init, whose duty is to reap them
 * (pid_namespaces(7)).  A program that is PID 1 by accident never does, so its
 * orphans stay zombies. */
static int cmd_orphans(char **args)
{
	const char *self_ns = "/proc/self/ns/pid";
	char ns_link[64];
	ssize_t length;
	long count;

	if (parse_count(args[0], ORPHANS_MAX, &count) < 0) {
		fprintf(stderr, "probe: Invalid orphan count '%s': give a whole number "
			"from 1 to %d\n", args[0], ORPHANS_MAX);
		return PROBE_USAGE;
	}
	length = readlink(self_ns, ns_link, sizeof(ns_link) - 1);
	if (length < 0)
		return report_failure(errno, "read the link", self_ns);
	ns_link[length] = '\0';

	for (long i = 0; i < count; i++) {
		int r = orphan_create();

		if (r < 0) {
			fprintf(stderr, "probe: Failed to create orphan %ld of %ld: %s\n",
				i + 1, count, strerror(-r));
			return PROBE_FAILED;
		}
	}
	return orphans_wait(ns_link);
}

/* ---- signals ---------------------------------------------------------------- */

static const struct signal_name {
	const char *name;
	int signo;
} signal_names[] = {
	{ "HUP", SIGHUP },   { "INT", SIGINT },   { "QUIT", SIGQUIT }, { "USR1", SIGUSR1 },
	{ "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU }, { "URG", SIGURG },   { "WINCH", SIGWINCH },
};

#define SIGNAL_NAMES_COUNT (sizeof(signal_names) / sizeof(signal_names[0]))

/* Signals in arrival order, written by the handler.  The handler runs only inside
 * ppoll(), because the listed signals are blocked everywhere else, and its
 * sa_mask keeps one handler from interrupting another. */
static volatile sig_atomic_t arrivals[ARRIVALS_MAX];
static volatile sig_atomic_t arrival_count;

static void signal_record(int signo)
{
	if (arrival_count < ARRIVALS_MAX)
		arrivals[arrival_count++] = signo;
}

/* Look up "TERM" or "SIGTERM", in any case.  Returns the table entry or NULL. */
static const struct signal_name *signal_lookup(const char *text)
{
	if (strncasecmp(text, "SIG", 3) == 0)
		text += 3;
	for (size_t i = 0; i < SIGNAL_NAMES_COUNT; i++) {
		if (strcasecmp(text, signal_names[i].name) == 0)
			return &signal_names[i];
	}
	return NULL;
}

static const char *signal_name(int signo)
{
	for (size_t i = 0; i < SIGNAL_NAMES_COUNT; i++) {
		if (signal_names[i].signo == signo)
			return signal_names[i].name;
	}
	return "UNKNOWN";
}

/* Print "got SIGxxx" for each signal recorded since the last call, and remove it
 * from missing. */
static void signals_report(sigset_t *missing, int *printed)
{
	for (; *printed < arrival_count; (*printed)++) {
		int signo = arrivals[*printed];

		printf("got SIG%s\n", signal_name(signo));
		fflush(stdout);
		sigdelset(missing, signo);
	}
}

/* Fill listed with the signals named in args.  Returns 0, or -EINVAL after
 * printing which name is unknown. */
static int signals_parse(char **args, sigset_t *ret_listed)
{
	sigemptyset(ret_listed);
	for (char **arg = args; *arg; arg++) {
		const struct signal_name *entry = signal_lookup(*arg);

		if (!entry) {
			fprintf(stderr, "probe: Unknown or uncatchable signal '%s': use one "
				"of", *arg);
			for (size_t i = 0; i < SIGNAL_NAMES_COUNT; i++)
				fprintf(stderr, " %s", signal_names[i].name);
			fprintf(stderr, "\n");
			return -EINVAL;
		}
		sigaddset(ret_listed, entry->signo);
	}
	return 0;
}

/* Block the listed signals and install signal_record for them.  Blocking comes
 * first, so that none can arrive before ppoll() and be missed.  ret_wait_mask
 * is the old mask with the listed signals let through. */
static void signals_install(const sigset_t *listed, sigset_t *ret_wait_mask)
{
	struct sigaction action = { .sa_handler = signal_record, .sa_mask = *listed };

	sigprocmask(SIG_BLOCK, listed, ret_wait_mask);
	for (int signo = 1; signo < NSIG; signo++) {
		if (sigismember(listed, signo) != 1)
			continue;
		sigdelset(ret_wait_mask, signo);
		sigaction(signo, &action, NULL);
	}
}

/* Handlers matter when the probe is PID 1.  The kernel drops a signal sent to a
 * namespace's init from inside the namespace unless init installed a handler for
 * it (pid_namespaces(7)), so the probe receives what a real init would receive. */
static int cmd_signals(char **args)
{
	int64_t deadline = monotonic_ms() + SIGNALS_TIMEOUT_MS;
	sigset_t listed, missing, wait_mask;
	int printed = 0;

	if (signals_parse(args, &listed) < 0)
		return PROBE_USAGE;
	missing = listed;
	signals_install(&listed, &wait_mask);
	printf("ready\n");
	fflush(stdout);

	while (!sigisemptyset(&missing)) {
		int64_t remaining = deadline - monotonic_ms();
		struct timespec timeout = { .tv_sec = remaining / 1000,
					    .tv_nsec = (remaining % 1000) * 1000000 };

		if (remaining <= 0)
			break;
		/* ppoll() unblocks the listed signals only while it sleeps, and
		 * returns with EINTR after their handlers ran. */
		ppoll(NULL, 0, &timeout, &wait_mask);
		signals_report(&missing, &printed);
	}
	for (int signo = 1; signo < NSIG; signo++) {
		if (sigismember(&missing, signo) == 1)
			fprintf(stderr, "probe: Timed out after %d ms waiting for SIG%s\n",
				SIGNALS_TIMEOUT_MS, signal_name(signo));
	}
	return sigisemptyset(&missing) ? PROBE_OK : PROBE_FAILED;
}

/* ---- shm-create, shm-find, shm-remove ------------------------------------------ */

/* Parse a System V IPC key: hexadecimal with 0x, otherwise decimal.  Key 0 is
 * IPC_PRIVATE, which always makes a new segment, so it is rejected. */
static int parse_ipc_key(const char *text, key_t *ret_key)
{
	bool hex = text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
	unsigned long value;
	char *end;

	if (!isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	value = strtoul(text, &end, hex ? 16 : 10);
	if (errno || *end || value == 0 || value > UINT32_MAX)
		return -EINVAL;
	*ret_key = (key_t)(uint32_t)value;
	return 0;
}

static int shm_key_from_arg(const char *text, key_t *ret_key)
{
	if (parse_ipc_key(text, ret_key) == 0)
		return 0;
	fprintf(stderr, "probe: Invalid IPC key '%s': give a non-zero number up to "
		"0xffffffff, in hex with 0x or in decimal\n", text);
	return -EINVAL;
}

/* Segments live in the IPC namespace (ipc_namespaces(7)): one created inside a
 * container is invisible to shm-find on the host. */
static int cmd_shm_create(char **args)
{
	key_t key;
	int id;

	if (shm_key_from_arg(args[0], &key) < 0)
		return PROBE_USAGE;
	id = shmget(key, SHM_SEGMENT_SIZE, IPC_CREAT | IPC_EXCL | 0600);
	if (id < 0)
		return report_failure(errno, "create the shared memory segment with key",
				      args[0]);
	printf("%d\n", id);
	return PROBE_OK;
}

/* shmget() with no IPC_CREAT finds an existing segment.  EACCES also proves that
 * one exists: only its permissions keep us out. */
static int cmd_shm_find(char **args)
{
	key_t key;

	if (shm_key_from_arg(args[0], &key) < 0)
		return PROBE_USAGE;
	if (shmget(key, 0, 0) >= 0 || errno == EACCES) {
		printf("present\n");
		return PROBE_OK;
	}
	if (errno != ENOENT)
		return report_failure(errno, "look up the shared memory segment with key",
				      args[0]);
	printf("absent\n");
	return PROBE_FAILED;
}

static int cmd_shm_remove(char **args)
{
	key_t key;
	int id;

	if (shm_key_from_arg(args[0], &key) < 0)
		return PROBE_USAGE;
	id = shmget(key, 0, 0);
	if (id < 0 && errno == ENOENT) {
		printf("absent\n");
		return PROBE_FAILED;
	}
	if (id < 0 || shmctl(id, IPC_RMID, NULL) < 0)
		return report_failure(errno, "remove the shared memory segment with key",
				      args[0]);
	printf("removed\n");
	return PROBE_OK;
}

/* ---- statfs ----------------------------------------------------------------- */

static const struct {
	unsigned long magic;
	const char *name;
} fs_names[] = {
	{ PROC_SUPER_MAGIC, "proc" },
	{ SYSFS_MAGIC, "sysfs" },
	{ TMPFS_MAGIC, "tmpfs" },
	{ DEVPTS_SUPER_MAGIC, "devpts" },
	{ MQUEUE_MAGIC, "mqueue" },
	{ OVERLAYFS_SUPER_MAGIC, "overlay" },
	/* ext2, ext3 and ext4 share this magic, so statfs(2) cannot tell them apart. */
	{ EXT4_SUPER_MAGIC, "ext4" },
	{ CGROUP2_SUPER_MAGIC, "cgroup2" },
	{ CGROUP_SUPER_MAGIC, "cgroup" },
	{ NSFS_MAGIC, "nsfs" },
	{ RAMFS_MAGIC, "ramfs" },
	{ BTRFS_SUPER_MAGIC, "btrfs" },
	{ XFS_SUPER_MAGIC, "xfs" },
	{ SECURITYFS_MAGIC, "securityfs" },
	{ DEBUGFS_MAGIC, "debugfs" },
	{ TRACEFS_MAGIC, "tracefs" },
	{ BPF_FS_MAGIC, "bpf" },
	{ FUSE_SUPER_MAGIC, "fuse" },
	{ SQUASHFS_MAGIC, "squashfs" },
};

/* statvfs's f_flag bits after ro/rw: the per-mount flags in the order that
 * /proc/self/mountinfo lists them, then two flags of the filesystem itself. */
static const struct {
	unsigned long flag;
	const char *word;
} mount_flag_words[] = {
	{ ST_NOSUID, "nosuid" },
	{ ST_NODEV, "nodev" },
	{ ST_NOEXEC, "noexec" },
	{ ST_NOATIME, "noatime" },
	{ ST_NODIRATIME, "nodiratime" },
	{ ST_RELATIME, "relatime" },
	{ ST_SYNCHRONOUS, "sync" },
	{ ST_MANDLOCK, "mand" },
};

/* statfs(2) names the filesystem type by magic number, and statvfs(3) gives the
 * flags of the mount that PATH is on. */
static int cmd_statfs(char **args)
{
	const char *path = args[0];
	const char *type = NULL;
	struct statvfs mount_info;
	struct statfs fs_info;

	if (statfs(path, &fs_info) < 0)
		return report_failure(errno, "statfs", path);
	if (statvfs(path, &mount_info) < 0)
		return report_failure(errno, "statvfs", path);

	for (size_t i = 0; i < sizeof(fs_names) / sizeof(fs_names[0]); i++) {
		if ((unsigned long)fs_info.f_type == fs_names[i].magic)
			type = fs_names[i].name;
	}
	if (type)
		printf("%s", type);
	else
		printf("0x%lx", (unsigned long)fs_info.f_type);
	printf(" %s", mount_info.f_flag & ST_RDONLY ? "ro" : "rw");
	for (size_t i = 0; i < sizeof(mount_flag_words) / sizeof(mount_flag_words[0]); i++) {
		if (mount_info.f_flag & mount_flag_words[i].flag)
			printf(" %s", mount_flag_words[i].word);
	}
	printf("\n");
	return PROBE_OK;
}

/* ---- tty, winsize --------------------------------------------------------------- */

/* Print "KEY VALUE", or "KEY error ENAME" when value is negative. */
static void print_id_fact(const char *key, long value, int errnum)
{
	if (value < 0)
		printf("%s error %s\n", key, errno_name(errnum));
	else
		printf("%s %ld\n", key, value);
}

/* The terminal facts of fd 0.  tcgetsid() (TIOCGSID) and tcgetpgrp() (TIOCGPGRP)
 * fail with ENOTTY when the terminal is not the caller's controlling terminal
 * (tty_ioctl(4)), so tcgetsid()'s success is the ctty test. */
static int cmd_tty(char **args)
{
	bool is_ctty;
	long value;
	char *name;

	(void)args;
	if (!isatty(STDIN_FILENO)) {
		printf("isatty 0\n");
		return PROBE_OK;
	}
	printf("isatty 1\n");
	name = ttyname(STDIN_FILENO);
	if (name)
		printf("name %s\n", name);
	else
		printf("name error %s\n", errno_name(errno));
	value = getsid(0);
	print_id_fact("sid", value, errno);
	print_id_fact("pgrp", getpgrp(), 0);
	value = tcgetpgrp(STDIN_FILENO);
	print_id_fact("tpgid", value, errno);
	is_ctty = tcgetsid(STDIN_FILENO) >= 0;
	printf("ctty %d\n", is_ctty);
	return PROBE_OK;
}

static int cmd_winsize(char **args)
{
	struct winsize size;

	(void)args;
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &size) < 0) {
		printf("error %s\n", errno_name(errno));
		return PROBE_FAILED;
	}
	printf("%u %u\n", size.ws_row, size.ws_col);
	return PROBE_OK;
}

/* ---- read, write ------------------------------------------------------------ */

/* Read PATH to its end.  Prints "bytes N" or "error ENAME". */
static int cmd_read(char **args)
{
	char buffer[65536];
	long long total = 0;
	ssize_t length;
	int fd;

	fd = open(args[0], O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		printf("error %s\n", errno_name(errno));
		return PROBE_FAILED;
	}
	while ((length = read(fd, buffer, sizeof(buffer))) != 0) {
		if (length < 0 && errno == EINTR)
			continue;
		if (length < 0) {
			printf("error %s\n", errno_name(errno));
			close(fd);
			return PROBE_FAILED;
		}
		total += length;
	}
	close(fd);
	printf("bytes %lld\n", total);
	return PROBE_OK;
}

/* Open PATH for writing, creating it if missing, and append one newline.  Point
 * it only at scratch files or at files that should reject the write.  Prints
 * "ok" or "error ENAME" (EROFS on a read-only mount). */
static int cmd_write(char **args)
{
	const char byte = '\n';
	int fd, errnum = 0;

	fd = open(args[0], O_WRONLY | O_CREAT | O_APPEND | O_NOCTTY | O_CLOEXEC, 0644);
	if (fd < 0) {
		printf("error %s\n", errno_name(errno));
		return PROBE_FAILED;
	}
	if (write(fd, &byte, 1) != 1)
		errnum = errno ? errno : EIO;
	/* Some filesystems report a failed write only at close(2). */
	if (close(fd) < 0 && !errnum)
		errnum = errno;
	if (errnum) {
		printf("error %s\n", errno_name(errnum));
		return PROBE_FAILED;
	}
	printf("ok\n");
	return PROBE_OK;
}

/* ---- main ------------------------------------------------------------------- */

static const struct subcommand {
	const char *name;
	const char *synopsis;
	int min_args;
	int max_args;   /* -1: no limit */
	int (*run)(char **args);
	const char *output;
} subcommands[] = {
	{ "nspid", "", 0, 0, cmd_nspid, "this process's PID in each PID namespace, outermost first" },
	{ "fds", "", 0, 0, cmd_fds, "the open fds, ascending" },
	{ "orphans", " N", 1, 1, cmd_orphans, "zombies K: orphans left unreaped out of N" },
	{ "signals", " SIG...", 1, -1, cmd_signals, "ready, then got SIGxxx per arrival; exit 0 once all arrived" },
	{ "shm-create", " KEY", 1, 1, cmd_shm_create, "the id of a new 4096-byte segment" },
	{ "shm-find", " KEY", 1, 1, cmd_shm_find, "present (exit 0) or absent (exit 1)" },
	{ "shm-remove", " KEY", 1, 1, cmd_shm_remove, "removed, or absent (exit 1)" },
	{ "statfs", " PATH", 1, 1, cmd_statfs, "filesystem type, then ro|rw and the mount flags" },
	{ "tty", "", 0, 0, cmd_tty, "isatty, name, sid, pgrp, tpgid, ctty of fd 0" },
	{ "winsize", "", 0, 0, cmd_winsize, "ROWS COLS of fd 0" },
	{ "read", " PATH", 1, 1, cmd_read, "bytes N, or error ENAME" },
	{ "write", " PATH", 1, 1, cmd_write, "ok, or error ENAME; appends a newline to PATH" },
};

static void print_usage(FILE *stream)
{
	fprintf(stream, "Usage: probe SUBCOMMAND [ARG...]\n\n"
		"Print facts about this process for the verify suites.\n"
		"Exit status: 0 success, 1 failure, 2 bad usage.\n\nSubcommands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		char synopsis[32];

		snprintf(synopsis, sizeof(synopsis), "%s%s", subcommands[i].name,
			 subcommands[i].synopsis);
		fprintf(stream, "  %-20s %s\n", synopsis, subcommands[i].output);
	}
}

int main(int argc, char **argv)
{
	const struct subcommand *command = NULL;
	int arg_count = argc - 2;
	int status;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		print_usage(stdout);
		return PROBE_OK;
	}
	for (size_t i = 0; argc >= 2 && i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (strcmp(argv[1], subcommands[i].name) == 0)
			command = &subcommands[i];
	}
	if (!command || arg_count < command->min_args ||
	    (command->max_args >= 0 && arg_count > command->max_args)) {
		if (argc < 2)
			fprintf(stderr, "probe: Missing subcommand\n");
		else if (!command)
			fprintf(stderr, "probe: Unknown subcommand '%s'\n", argv[1]);
		else
			fprintf(stderr, "probe: Invalid number of arguments for '%s': "
				"expected '%s%s'\n", argv[1], command->name, command->synopsis);
		print_usage(stderr);
		return PROBE_USAGE;
	}

	status = command->run(argv + 2);
	/* A lost stdout line would make a test misread the fact, so a failed write to
	 * stdout (a closed pipe, a full disk) is a failure too. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "probe: Failed to write to stdout: %s\n", strerror(errno));
		return PROBE_FAILED;
	}
	return status;
}
