/* Error reports that travel up the call chain.
 *
 * Fallible functions return 0 (or a non-negative value) on success and -errno on
 * failure.  When the caller needs more than the errno, the function also fills a
 * struct ctr_error with one message that names the step and the value involved.
 * Only the caller that decides what to do with the failure prints it, once. */
#ifndef CTRLAB_ERROR_H
#define CTRLAB_ERROR_H

#include <stddef.h>

#define CTR_ERROR_MSG_MAX 512

struct ctr_error {
	int code;                    /* negative errno, 0 when no error was set */
	int exit_status;             /* status main should return; 125 unless set */
	char msg[CTR_ERROR_MSG_MAX];
};

/* Record a failure with errno text appended ("msg: Permission denied").
 * Returns code, which must be a negative errno. */
int error_set(struct ctr_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record a failure whose message is complete without errno text, such as a
 * rejected option.  Returns code. */
int error_setx(struct ctr_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Clear err so it can be reused. */
void error_clear(struct ctr_error *err);

#endif
