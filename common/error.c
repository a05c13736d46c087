/* Error reports: see error.h. */
#include "common/error.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void error_clear(struct ctr_error *err)
{
	err->code = 0;
	err->exit_status = 125;
	err->msg[0] = '\0';
}

static int error_vset(struct ctr_error *err, int code, bool with_errno,
		      const char *fmt, va_list ap)
{
	int len;

	if (!err)
		return code;
	err->code = code;
	if (err->exit_status == 0)
		err->exit_status = 125;
	len = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (with_errno && len >= 0 && (size_t)len < sizeof(err->msg))
		snprintf(err->msg + len, sizeof(err->msg) - (size_t)len, ": %s",
			 strerror(-code));
	return code;
}

int error_set(struct ctr_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = error_vset(err, code, true, fmt, ap);
	va_end(ap);
	return code;
}

int error_setx(struct ctr_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = error_vset(err, code, false, fmt, ap);
	va_end(ap);
	return code;
}
