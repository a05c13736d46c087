/* Logging and the --explain narration.
 *
 * Every line goes to stderr and starts with "ctrlab:".  Narration lines say where
 * the step ran ("host" for the runtime, "container" for code after clone) and use
 * one format for every kernel step:
 *
 *     ctrlab: explain: host: clone3(flags=CLONE_NEWPID|CLONE_NEWUTS) = 4242
 *
 * so that a learner can grep a run for one call. */
#ifndef CTRLAB_LOG_H
#define CTRLAB_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

struct log_settings {
	enum log_level level;    /* highest level printed */
	bool explain;            /* print narration lines */
	const char *side;        /* "host", "container", or stage 3's "helper" */
};

extern struct log_settings log_settings;

/* Print one message at level when the level is enabled. */
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print one narration line for a kernel step when --explain is on. */
void explain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* True when --explain or --debug asked for narration. */
bool explain_enabled(void);

/* Flush stdout after printed output such as --help or --version.  Returns the
 * exit status: 0, or 125 after an error message when the output was lost. */
int stdout_flush_status(void);

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
