/* Logging and narration: see log.h. */
#include "common/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct log_settings log_settings = {
	.level = LOG_LEVEL_INFO,
	.explain = false,
	.side = "host",
};

static const char *const level_prefix[] = {
	[LOG_LEVEL_ERROR] = "error: ",
	[LOG_LEVEL_WARNING] = "warning: ",
	[LOG_LEVEL_INFO] = "",
	[LOG_LEVEL_DEBUG] = "debug: ",
};

/* Format the whole line, newline included, and write it with one write(2), so
 * that lines of the runtime, the container and the network helper do not
 * interleave mid-line.  stdio would not promise that: musl's unbuffered stderr
 * writes a line and its newline as two parts. */
static void write_line(const char *prefix, const char *fmt, va_list ap)
{
	char line[1024];
	int saved_errno = errno;
	size_t len;
	int n;

	n = snprintf(line, sizeof(line), "ctrlab: %s", prefix);
	len = n < 0 ? 0 : (size_t)n;
	n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	if (n > 0)
		len += (size_t)n;
	/* A longer line is cut, and keeps room for its newline. */
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	fflush(stderr);
	while (write(STDERR_FILENO, line, len) < 0 && errno == EINTR)
		;
	errno = saved_errno;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_settings.level)
		return;
	va_start(ap, fmt);
	write_line(level_prefix[level], fmt, ap);
	va_end(ap);
}

bool explain_enabled(void)
{
	return log_settings.explain || log_settings.level >= LOG_LEVEL_DEBUG;
}

void explain(const char *fmt, ...)
{
	char prefix[64];
	va_list ap;

	if (!explain_enabled())
		return;
	snprintf(prefix, sizeof(prefix), "explain: %s: ", log_settings.side);
	va_start(ap, fmt);
	write_line(prefix, fmt, ap);
	va_end(ap);
}

int stdout_flush_status(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	log_error("Failed to write to stdout: %s", strerror(errno));
	return 125;
}
