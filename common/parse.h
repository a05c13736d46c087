/* Pure parsing and validation: no system state is read or changed, so every
 * function here is covered by the unit tests in verify/unit/. */
#ifndef CTRLAB_PARSE_H
#define CTRLAB_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* Maximum hostname length sethostname(2) accepts: HOST_NAME_MAX, 64 bytes on Linux. */
#define CTR_HOSTNAME_MAX 64
/* Maximum container name length; later stages name directories and cgroups after it. */
#define CTR_NAME_MAX 64

/* Check a hostname against sethostname's limit and RFC 1123: labels of letters,
 * digits and '-', separated by dots, neither starting nor ending with '-'.
 * Returns 0 or -EINVAL with a message naming the rule. */
int validate_hostname(const char *name, struct ctr_error *err);

/* Check a container name: 1 to CTR_NAME_MAX characters from [A-Za-z0-9_.-],
 * starting with a letter or digit (Docker's rule).  Returns 0 or -EINVAL. */
int validate_container_name(const char *name, struct ctr_error *err);

/* Check an environment entry "KEY=VALUE": KEY non-empty and without '='.
 * Returns 0 or -EINVAL. */
int validate_env_entry(const char *entry, struct ctr_error *err);

/* Parse a decimal unsigned integer with no sign, spaces or trailing text.
 * Returns 0, -EINVAL for malformed text or -ERANGE when it exceeds max. */
int parse_uint64(const char *text, uint64_t max, uint64_t *ret_value);

/* Parse a size such as "512", "64k", "100m" or "2g" (binary units, the suffix in
 * either case, an optional trailing "b") into bytes.  Returns 0, -EINVAL or
 * -ERANGE. */
int parse_size(const char *text, uint64_t *ret_bytes);

/* Map a wait(2) status to the exit status a shell would report: the exit code,
 * or 128+n for a process killed by signal n. */
int exit_status_from_wait(int wstatus);

#endif
