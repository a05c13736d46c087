/* Whole small files in one system call each: /proc/sys settings, which the
 * kernel reads and writes in one go, and short files such as resolv.conf. */
#ifndef CTRLAB_FILEIO_H
#define CTRLAB_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/* Read at most size - 1 bytes of the file at path into buffer, followed by a
 * NUL.  Returns the number of bytes read, or -errno with buffer empty. */
ssize_t file_read(const char *path, char *buffer, size_t size);

/* Write text to the existing file at path with one write(2), as a /proc/sys
 * file expects.  Returns 0 or -errno. */
int file_write(const char *path, const char *text);

#endif
