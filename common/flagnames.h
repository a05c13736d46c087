/* Flag values written by name, for --explain. */
#ifndef CTRLAB_FLAGNAMES_H
#define CTRLAB_FLAGNAMES_H

#include <stddef.h>
#include <stdint.h>

struct flag_name {
	uint64_t value;
	const char *name;
};

/* Write the names of the bits of flags listed in table (terminated by a NULL
 * name) into buffer, joined by '|'; unknown bits are appended in hex.  Returns
 * buffer. */
const char *flags_format(uint64_t flags, const struct flag_name *table,
			 char *buffer, size_t size);

/* Names of the CLONE_* flags ctrlab uses. */
extern const struct flag_name clone_flag_names[];

/* Names of the MS_* flags of mount(2). */
extern const struct flag_name mount_flag_names[];

/* Names of the MOUNT_ATTR_* flags of mount_setattr(2). */
extern const struct flag_name mount_attr_names[];

/* Name of a signal ("SIGTERM"), or "signal N" in buffer for one without a name. */
const char *signal_name(int signo, char *buffer, size_t size);

#endif
