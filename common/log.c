/* Logging and narration: see log.h. */
#include "common/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

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

/* Format the whole line first and write it with one call, so that lines from the
 * runtime and the container do not interleave mid-line. */
static void write_line(const char *prefix, const char *fmt, va_list ap)
{
	char line[1024];
	int saved_errno = errno;
	int len;

	len = snprintf(line, sizeof(line), "ctrlab: %s", prefix);
	if (len < 0)
		len = 0;
	vsnprintf(line + len, sizeof(line) - (size_t)len, fmt, ap);
	fprintf(stderr, "%s\n", line);
	fflush(stderr);
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
