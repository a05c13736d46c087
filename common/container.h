/* The container description and the module interface of the lifecycle.
 *
 * A stage is a list of modules.  ctr_main() parses the options that every stage
 * shares plus each module's own, then drives the lifecycle below and calls each
 * module's hook at its point, in list order (cleanup in reverse order):
 *
 *   validate              host, before anything is created
 *   parent_before_clone   host, before clone; may add clone flags' prerequisites
 *   -- clone3(flags of every module) --
 *   parent_after_clone    host, while the child runs child_setup (links, cgroups)
 *   child_setup           container, in the new namespaces; then the child waits
 *                         on the sync channel for the runtime's go
 *   command_before_exec   container, in COMMAND's own process just before execve.
 *                         Under the init this process runs in the init's
 *                         memory (CLONE_VM), so it changes fds, session or
 *                         terminal only
 *   parent_running        host, once COMMAND runs: add fds to the wait loop
 *   parent_signal         host, a signal arrived: return true to consume it
 *   parent_after_exit     host, after the container is gone (and on failure)
 *
 * NOTE: parent_after_clone runs while the child sets itself up, so it must not
 * do what the child's setup needs first, such as uid and gid maps or a cgroup
 * to join.  Such a step needs a point where the child waits for it, and the
 * lifecycle does not have one yet.
 */
#ifndef CTRLAB_CONTAINER_H
#define CTRLAB_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "common/parse.h"

/* Most -e/--env options one run accepts. */
#define CTR_ENV_MAX 128

struct ctr_loop;

struct container {
	/* Set by options. */
	char name[CTR_NAME_MAX + 1];  /* container id: --name, or generated */
	const char *hostname;         /* --hostname, default "ctrlab" */
	bool hostname_set;            /* --hostname was given */
	char **argv;                  /* COMMAND and its arguments, NULL-terminated */
	const char *env[CTR_ENV_MAX]; /* -e entries, each "KEY=VALUE" */
	size_t env_count;
	bool use_init;                /* false with --no-init */
	const char *workdir;          /* COMMAND's working directory, or NULL */
	const char *state_dir;        /* where runtime state lives, --state-dir */
	const char *stage_name;       /* "stage1-pid-uts", ... for --version */

	/* Set by the lifecycle. */
	char **runtime_argv;          /* the runtime's own argv, which the init wipes */
	uint64_t clone_flags;         /* union of every module's flags */
	pid_t pid;                    /* host PID of the container's first process */
	int pidfd;                    /* pidfd of that process, or -1 */
};

struct ctr_option {
	const char *long_name;
	char short_name;              /* 0 when the option has none */
	const char *arg_name;         /* "NAME"; NULL when the option takes no value */
	const char *help;
	/* Apply the option; value is NULL for an option without a value. */
	int (*set)(struct container *c, const char *value, struct ctr_error *err);
};

struct ctr_module {
	const char *name;
	const struct ctr_option *options;  /* terminated by an entry without long_name */
	uint64_t clone_flags;

	int (*validate)(struct container *c, struct ctr_error *err);
	int (*parent_before_clone)(struct container *c, struct ctr_error *err);
	int (*parent_after_clone)(struct container *c, struct ctr_error *err);
	int (*child_setup)(struct container *c, struct ctr_error *err);
	int (*command_before_exec)(struct container *c, struct ctr_error *err);
	int (*parent_running)(struct container *c, struct ctr_loop *loop,
			      struct ctr_error *err);
	bool (*parent_signal)(struct container *c, int signo);
	void (*parent_after_exit)(struct container *c);
};

struct ctr_stage {
	const char *name;             /* "stage1-pid-uts" */
	const char *summary;          /* one line for --help */
	const struct ctr_module *const *modules;  /* NULL-terminated */
};

/* Callback for an fd in the runtime's wait loop.  Return 0 to keep watching, 1 to
 * stop watching this fd, or -errno to report a failure (the container is then
 * stopped). */
typedef int (*ctr_loop_fn)(int fd, short revents, void *data);

/* Watch fd for events (POLLIN by default) in the runtime's wait loop. */
int loop_watch(struct ctr_loop *loop, int fd, short events, ctr_loop_fn fn,
	       void *data);

/* Change the events that the wait loop polls fd for; 0 pauses fd.  Returns 0 or
 * -ENOENT when fd is not watched. */
int loop_events_set(struct ctr_loop *loop, int fd, short events);

/* Parse, validate, run and report: the whole of a stage's main(). */
int ctr_main(int argc, char **argv, const struct ctr_stage *stage);

/* Open /dev/null on a closed fd 0, 1 or 2, and ignore SIGPIPE.  ctr_main() calls
 * it first; a stage's other commands call it too. */
void ctr_process_prepare(void);

#endif
